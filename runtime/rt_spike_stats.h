/* rt_spike_stats.h -- what a spiking network did during the evaluation:
 * each spiking population's mean firing rate and the irregularity of its
 * spike trains (the coefficient of variation of the inter-spike
 * intervals), the numbers a simulation is first judged by (Brunel 2000's
 * asynchronous-irregular state has CV near 1, a regular one near 0).
 *
 * Counted over every evaluation trial, from the spike states of the
 * network's history after each evaluation batch's forward pass.
 */
#ifndef RNNRT_SPIKE_STATS_H
#define RNNRT_SPIKE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "rt_net.h"

typedef struct rt_pop_spikes {
    double spikes;          /* every spike of the population, over every trial */
    double neuron_seconds;  /* neurons x trials x the trial's duration */
    /* CV = sd / mean of one neuron's intervals in one trial, for every
     * (trial, neuron) with at least 2 intervals; their sum and count */
    double cv_sum;
    size_t cv_trains;
} rt_pop_spikes;

typedef struct rt_spike_stats {
    unsigned n_pops;        /* as the network's: entries of non-spiking populations stay 0 */
    rt_pop_spikes pop[RT_MAX_POPS];
} rt_spike_stats;

/* A population's spikes as a network keeps them: its spike state's
 * history Z, or (Z NULL) its bits (rt_net_spike_bits). */
typedef struct rt_spike_source {
    int is_double;
    const void *z;
    const uint8_t *bits;
    size_t row_bytes, batch, n;
} rt_spike_source;

/* Population POP's spikes in NET (Z: its spike state's history, or NULL
 * to look for it); -1 when NET keeps neither. */
int rt_spike_source_of(rt_spike_source *src, const rt_net_desc *d, const rt_net *net, unsigned pop, const void *z);

/* The spike state at step T of sequence ROW, neuron I: 0 or 1. */
static inline double rt_spike_value(const rt_spike_source *s, size_t t, size_t row, size_t i)
{
    if (s->z)
        return rt_real_get(s->is_double, s->z, (t * s->batch + row) * s->n + i);
    return s->bits[(t * s->batch + row) * s->row_bytes + i / 8] >> (i % 8) & 1;
}

/* The neurons whose spike state is not 0 at step T of sequence ROW,
 * ascending, into OUT (room for S->n); their count. Bits are walked byte
 * by byte, skipping the silent ones: spikes are rare, the neurons many. */
size_t rt_spike_list(const rt_spike_source *s, size_t t, size_t row, uint32_t *out);

/* Adds the spikes of the batch NET just ran (every trial of it, STEPS of
 * DT seconds each) to S. */
void rt_spike_stats_add(rt_spike_stats *s, const rt_net_desc *d, const rt_net *net, double dt);

/* The mean rate in Hz of population I, and the mean CV of its trains (NAN
 * when no train had 2 intervals); NAN for a population that never ran. */
double rt_spike_stats_rate_hz(const rt_spike_stats *s, unsigned i);
double rt_spike_stats_cv(const rt_spike_stats *s, unsigned i);

#endif
