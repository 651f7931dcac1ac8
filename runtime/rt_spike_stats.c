/* rt_spike_stats.c -- firing rates and the CV of inter-spike intervals
 * over the evaluation (see rt_spike_stats.h). */
#include "rt_spike_stats.h"

#include <math.h>
#include <stdlib.h>

/* One train's intervals so far: the last spike's step, their count, sum
 * and sum of squares (in steps). */
typedef struct train {
    long last;
    double n, sum, sum2;
} train;

/* A spike at step T onto train TR. */
static void add_spike(train *tr, size_t t)
{
    if (tr->last >= 0) {
        double isi = (double)((long)t - tr->last);
        tr->n++;
        tr->sum += isi;
        tr->sum2 += isi * isi;
    }
    tr->last = (long)t;
}

int rt_spike_source_of(rt_spike_source *src, const rt_net_desc *d, const rt_net *net, unsigned pop, const void *z)
{
    *src = (rt_spike_source){d->is_double, z ? z : rt_net_state_history(net, pop, d->pops[pop].spike_state), NULL, 0,
                             rt_net_batch(net), d->pops[pop].n};
    if (!src->z)
        src->bits = rt_net_spike_bits(net, pop, &src->row_bytes);
    return src->z || src->bits ? 0 : -1;
}

size_t rt_spike_list(const rt_spike_source *s, size_t t, size_t row, uint32_t *out)
{
    size_t got = 0;
    if (s->z) {
        for (size_t k = 0; k < s->n; k++)
            if (rt_spike_value(s, t, row, k) != 0)
                out[got++] = (uint32_t)k;
        return got;
    }
    const uint8_t *b = s->bits + (t * s->batch + row) * s->row_bytes;
    for (size_t j = 0; j < (s->n + 7) / 8; j++)
        for (unsigned v = b[j]; v; v &= v - 1)
            out[got++] = (uint32_t)(8 * j + (unsigned)__builtin_ctz(v));
    return got;
}

/* Adds population I's spikes of the batch; the history is [steps][rows][n],
 * walked in that order so that each step's row is read once. */
static void add_pop(rt_pop_spikes *p, const rt_net_desc *d, const rt_net *net, unsigned i, double dt)
{
    size_t T = rt_net_steps(net), B = rt_net_batch(net), n = d->pops[i].n, m = B * n;
    rt_spike_source z;
    if (rt_spike_source_of(&z, d, net, i, NULL) != 0)
        return;   /* not kept (rt_run_keep keeps every spiking population's spikes) */
    p->neuron_seconds += (double)m * (double)T * dt;
    train *tr = malloc(m * sizeof *tr);
    double spikes = 0;
    for (size_t k = 0; tr && k < m; k++)
        tr[k] = (train){-1, 0, 0, 0};
    uint32_t *list = z.bits ? malloc(n * sizeof *list + 1) : NULL;
    for (size_t t = 0; t < T; t++)
        if (list) {   /* bits: only the neurons that spiked */
            for (size_t row = 0; row < B; row++) {
                size_t got = rt_spike_list(&z, t, row, list);
                spikes += (double)got;
                for (size_t j = 0; tr && j < got; j++)
                    add_spike(&tr[row * n + list[j]], t);
            }
        } else {
            for (size_t k = 0, row = 0, i = 0; k < m; k++, i = i + 1 < n ? i + 1 : (row++, 0)) {
                if (!(rt_spike_value(&z, t, row, i) > 0.5))
                    continue;
                spikes++;
                if (tr)   /* out of memory for the trains: the rate still counts */
                    add_spike(&tr[k], t);
            }
        }
    free(list);
    p->spikes += spikes;
    for (size_t k = 0; tr && k < m; k++) {
        if (tr[k].n < 2)
            continue;
        double mean = tr[k].sum / tr[k].n;
        double var = fmax(tr[k].sum2 / tr[k].n - mean * mean, 0);   /* the intervals' own spread, ddof 0 */
        p->cv_sum += sqrt(var) / mean;
        p->cv_trains++;
    }
    free(tr);
}

void rt_spike_stats_add(rt_spike_stats *s, const rt_net_desc *d, const rt_net *net, double dt)
{
    s->n_pops = d->n_pops;
    for (unsigned i = 0; i < d->n_pops; i++)
        if (d->pops[i].spiking)
            add_pop(&s->pop[i], d, net, i, dt);
}

double rt_spike_stats_rate_hz(const rt_spike_stats *s, unsigned i)
{
    const rt_pop_spikes *p = &s->pop[i];
    return i < s->n_pops && p->neuron_seconds > 0 ? p->spikes / p->neuron_seconds : NAN;
}

double rt_spike_stats_cv(const rt_spike_stats *s, unsigned i)
{
    const rt_pop_spikes *p = &s->pop[i];
    return i < s->n_pops && p->cv_trains > 0 ? p->cv_sum / (double)p->cv_trains : NAN;
}
