/* rt_results.c -- the arrays a run writes into its results folder:
 * weights, the signals of the first trials, records (see rt_run_internal.h;
 * the names are rt_files.h's). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_files.h"
#include "rt_run_internal.h"

int rt_results_npy(const rt_outdir *out, const char *name, const void *data, rt_dtype type,
                   const size_t *shape, int ndim, char *err, size_t err_size)
{
    char *path = rt_outdir_file(out, name);
    int rc = path ? rt_npy_write(path, data, type, shape, ndim) : -1;
    if (rc != 0)
        rt_error(err, err_size, "cannot write %s: %s", name, path ? strerror(errno) : "out of memory");
    free(path);
    return rc;
}

/* A sparse projection's synapses_WHEN_STEM_{pre,post,w}.npy. */
static int sparse_files(const rt_run_desc *d, rt_net *net, unsigned j, const rt_outdir *out, const char *when,
                        char *err, size_t err_size)
{
    const rt_csr *c = rt_net_synapses(net, j);
    const char *stem = d->weights[j].file_stem;
    uint32_t *pre = malloc((c->nnz + 1) * sizeof *pre);
    if (!pre)
        return rt_error(err, err_size, "out of memory");
    for (size_t k = 0; k < c->n_pre; k++)
        for (size_t s = c->row[k]; s < c->row[k + 1]; s++)
            pre[s] = (uint32_t)k;
    char name[300];
    size_t shape[1] = {c->nnz};
    int rc = rt_results_npy(out, rt_file_name(name, sizeof name, RT_FILE_SYNAPSES, when, stem, RT_SYN_PRE), pre,
                            RT_U32, shape, 1, err, err_size);
    free(pre);
    if (rc == 0)
        rc = rt_results_npy(out, rt_file_name(name, sizeof name, RT_FILE_SYNAPSES, when, stem, RT_SYN_POST), c->post,
                            RT_U32, shape, 1, err, err_size);
    if (rc == 0)
        rc = rt_results_npy(out, rt_file_name(name, sizeof name, RT_FILE_SYNAPSES, when, stem, RT_SYN_W),
                            rt_net_weights(net, j), d->net.is_double ? RT_F64 : RT_F32, shape, 1, err, err_size);
    return rc;
}

/* Projection J's weights as the dense [post][pre] doubles, a sparse one's
 * missing synapses 0; NULL if out of memory. */
double *rt_results_dense_weights(const rt_run_desc *d, rt_net *net, unsigned j)
{
    const rt_proj *rp = &d->net.projs[j];
    size_t count = rp->n_post * rp->n_pre;
    const rt_csr *c = rt_net_synapses(net, j);
    double *w = c ? calloc(count + 1, sizeof *w) : malloc((count + 1) * sizeof *w);
    if (!w)
        return NULL;
    for (size_t k = 0; c && k < c->n_pre; k++)
        for (size_t s = c->row[k]; s < c->row[k + 1]; s++)
            w[(size_t)c->post[s] * rp->n_pre + k] = rt_real_get(d->net.is_double, rt_net_weights(net, j), s);
    for (size_t i = 0; !c && i < count; i++)
        w[i] = rt_real_get(d->net.is_double, rt_net_weights(net, j), i);
    return w;
}

int rt_results_synapses_unchanged(const rt_run_desc *d, unsigned j)
{
    return !d->settings.train || !d->net.projs[j].trainable;
}

int rt_results_synapses_written(const rt_run_desc *d, unsigned j)
{
    const rt_proj *rp = &d->net.projs[j];
    if (!rp->sparse || d->settings.save_synapses || !rt_results_synapses_unchanged(d, j))
        return 1;
    double n_pre = (double)(rp->pre_pop >= 0 ? d->net.pops[rp->pre_pop].n : d->net.input_sizes[rp->pre_input]);
    double n_post = (double)d->net.pops[rp->post_pop].n;
    return rt_connect_density(rp->sparse, (size_t)n_pre, (size_t)n_post) * n_pre * n_post <= RT_SYNAPSES_WRITTEN_MAX;
}

int rt_results_weights(const rt_run_desc *d, rt_net *net, const rt_outdir *out, const char *when, char *err,
                       size_t err_size)
{
    int is_double = d->net.is_double;
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        size_t shape[2] = {rp->n_post, rp->n_pre};
        int unchanged = rp->sparse && rt_results_synapses_unchanged(d, j) && strcmp(when, RT_WHEN_INITIAL) != 0;
        if (rp->sparse && !unchanged && rt_results_synapses_written(d, j) &&
            sparse_files(d, net, j, out, when, err, err_size) != 0)
            return -1;
        if (rp->sparse && (rp->n_post > RT_DENSE_WEIGHTS_MAX_SIDE || rp->n_pre > RT_DENSE_WEIGHTS_MAX_SIDE)) {
            if (!rp->bias)
                continue;
            shape[1] = 0;   /* the bias alone */
        }
        double *w = shape[1] ? rt_results_dense_weights(d, net, j) : malloc((rp->n_post + 1) * sizeof *w);
        if (!w)
            return rt_error(err, err_size, "out of memory");
        char name[300];
        const char *stem = d->weights[j].file_stem;
        int rc = shape[1] ? rt_results_npy(out, rt_file_name(name, sizeof name, RT_FILE_WEIGHTS, when, stem), w,
                                           RT_F64, shape, 2, err, err_size)
                          : 0;
        if (rc == 0 && rp->bias) {
            for (size_t i = 0; i < rp->n_post; i++)
                w[i] = rt_real_get(is_double, rt_net_bias(net, j), i);
            rc = rt_results_npy(out, rt_file_name(name, sizeof name, RT_FILE_BIAS, when, stem), w, RT_F64, shape,
                                1, err, err_size);
        }
        free(w);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Columns LO .. LO + WIDTH of a time-major [T][B][n] array, every EVERY-th
 * step of the first TRIALS trials, into A ([trials, T', total] from column AT). */
static void gather(int is_double, double *a, size_t total, size_t at, const void *data, size_t T, size_t B,
                   size_t n, size_t lo, size_t width, size_t every, size_t trials)
{
    size_t kept = (T + every - 1) / every;
    for (size_t i = 0; i < trials; i++)
        for (size_t s = 0; s < kept; s++)
            for (size_t k = 0; k < width; k++)
                a[(i * kept + s) * total + at + k] = rt_real_get(is_double, data, (s * every * B + i) * n + lo + k);
}

int rt_results_side_by_side(const rt_run_desc *d, const rt_outdir *out, const char *name,
                            const void *const *arrays, const size_t *n, unsigned count, size_t T, size_t B,
                            size_t trials, char *err, size_t err_size)
{
    size_t total = 0;
    if (count == 0)
        return 0;   /* a network without inputs has no eval_inputs.npy */
    for (unsigned c = 0; c < count; c++)
        total += n[c];
    double *a = malloc(trials * T * total * sizeof *a + 1);
    if (!a)
        return rt_error(err, err_size, "out of memory");
    for (unsigned c = 0, at = 0; c < count; at += (unsigned)n[c], c++)
        gather(d->net.is_double, a, total, at, arrays[c], T, B, n[c], 0, n[c], 1, trials);
    size_t shape[3] = {trials, T, total};
    int rc = rt_results_npy(out, name, a, RT_F64, shape, 3, err, err_size);
    free(a);
    return rc;
}

int rt_results_readouts(rt_session *s, const rt_outdir *out, const char *outputs, const char *targets,
                        size_t trials, char *err, size_t err_size)
{
    const rt_net_desc *nd = &s->d->net;
    const void *y[RT_MAX_POPS];
    size_t n[RT_MAX_POPS];
    for (unsigned r = 0; r < nd->n_readouts; r++) {
        y[r] = rt_net_output_history(s->net, nd->readouts[r], 0);
        n[r] = nd->pops[nd->readouts[r]].n;
    }
    return rt_results_side_by_side(s->d, out, targets, (const void *const *)s->b.targets, n, nd->n_readouts,
                                   s->b.T, s->b.B, trials, err, err_size) ||
                   rt_results_side_by_side(s->d, out, outputs, y, n, nd->n_readouts, s->b.T, s->b.B, trials, err,
                                           err_size)
               ? -1
               : 0;
}

static void spike_row(double *row, size_t trial, size_t neuron, size_t step)
{
    row[0] = (double)trial;
    row[1] = (double)neuron;
    row[2] = (double)step;
}

/* A spike variable of the first TRIALS trials as rows (trial, neuron,
 * step): the raster, as sparse as the spikes. */
static int write_spike_list(const rt_outdir *out, const char *name, const rt_spike_source *z, size_t T,
                            size_t trials, char *err, size_t err_size)
{
    size_t count = 0;
    uint32_t *list = malloc(z->n * sizeof *list + 1);
    if (!list)
        return rt_error(err, err_size, "out of memory");
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < trials; i++)
            count += rt_spike_list(z, t, i, list);
    double *a = malloc(3 * count * sizeof *a + 1);
    if (!a) {
        free(list);
        return rt_error(err, err_size, "out of memory");
    }
    double *row = a;
    for (size_t i = 0; i < trials; i++)
        for (size_t t = 0; t < T; t++) {
            size_t got = rt_spike_list(z, t, i, list);
            for (size_t j = 0; j < got; j++, row += 3)
                spike_row(row, i, list[j], t);
        }
    free(list);
    size_t shape[2] = {count, 3};
    int rc = rt_results_npy(out, name, a, RT_F64, shape, 2, err, err_size);
    free(a);
    return rc;
}

/* What record RD reads, [T][B][*n]: a population's state or output, or
 * a network input. */
static const void *record_source(rt_session *s, const rt_record_desc *rd, size_t *n)
{
    if (rd->is_input) {
        *n = s->d->net.input_sizes[rd->input];
        return rt_net_input(s->net, rd->input);
    }
    *n = s->d->net.pops[rd->pop].n;
    return rd->state >= 0 ? rt_net_state_history(s->net, rd->pop, (unsigned)rd->state)
                          : rt_net_output_history(s->net, rd->pop, rd->output);
}

static size_t record_steps(const rt_session *s, const rt_record_desc *rd)
{
    size_t every = rd->every ? rd->every : 1;
    return (s->b.T + every - 1) / every;
}

/* Record RD of the first TRIALS sequences of the batch into A [trials][kept][width], in its unit. */
static void gather_record(rt_session *s, const rt_record_desc *rd, size_t trials, double *a)
{
    size_t n, every = rd->every ? rd->every : 1, kept = record_steps(s, rd);
    const void *data = record_source(s, rd, &n);
    gather(s->d->net.is_double, a, rd->width, 0, data, s->b.T, s->b.B, n, rd->lo, rd->width, every, trials);
    if (rd->unit_scale > 0 && rd->unit_scale != 1)
        for (size_t i = 0; i < trials * kept * rd->width; i++)
            a[i] /= rd->unit_scale;
}

/* A spike variable's record as bytes, 1 for a spike: an eighth of the
 * doubles (80 MB of them for 10,000 neurons over 1000 steps, where writing
 * them took longer than the simulation). 0 when a value is neither 0 nor 1,
 * and the record stays in doubles. */
static int gather_spikes(unsigned char *a, const rt_spike_source *z, size_t T, const rt_record_desc *rd, size_t every,
                         size_t trials)
{
    size_t kept = (T + every - 1) / every;
    uint32_t *list = z->bits ? malloc(z->n * sizeof *list + 1) : NULL;
    if (list) {   /* bits: 0 or 1 each, and only the spikes to place */
        memset(a, 0, trials * kept * rd->width);
        for (size_t i = 0; i < trials; i++)
            for (size_t s = 0; s < kept; s++) {
                size_t got = rt_spike_list(z, s * every, i, list);
                for (size_t j = 0; j < got; j++)
                    if (list[j] >= rd->lo && list[j] < rd->lo + rd->width)
                        a[(i * kept + s) * rd->width + list[j] - rd->lo] = 1;
            }
        free(list);
        return 1;
    }
    for (size_t i = 0; i < trials; i++)
        for (size_t s = 0; s < kept; s++)
            for (size_t k = 0; k < rd->width; k++) {
                double v = rt_spike_value(z, s * every, i, rd->lo + k);
                if (v != 0 && v != 1)
                    return 0;
                a[(i * kept + s) * rd->width + k] = v != 0;
            }
    return 1;
}

static int write_record(rt_session *s, const rt_outdir *out, const rt_record_desc *rd, size_t trials, char *err,
                        size_t err_size)
{
    size_t n, T = s->b.T, every = rd->every ? rd->every : 1, kept = record_steps(s, rd);
    const void *data = record_source(s, rd, &n);
    size_t count = trials * kept * rd->width, shape[3] = {trials, kept, rd->width};
    char name[300], spikes[300];
    rt_file_name(name, sizeof name, RT_FILE_RECORD, rd->name);
    rt_spike_source z = {s->d->net.is_double, data, NULL, 0, s->b.B, n};
    if (rd->spikes) {
        rt_file_name(spikes, sizeof spikes, RT_FILE_SPIKES, s->d->net.pops[rd->pop].name);
        /* a spike state not kept whole: its bits (rt_run_keep) */
        if (!data && rt_spike_source_of(&z, &s->d->net, s->net, rd->pop, NULL) != 0)
            return rt_error(err, err_size, "record %s: the network kept neither its history nor its spikes", rd->name);
    }
    unsigned char *bits = rd->spikes ? malloc(count + 1) : NULL;
    if (bits && gather_spikes(bits, &z, T, rd, every, trials)) {
        int rc = rt_results_npy(out, name, bits, RT_U8, shape, 3, err, err_size);
        free(bits);
        return rc != 0 ? rc : write_spike_list(out, spikes, &z, T, trials, err, err_size);
    }
    free(bits);
    if (!data)
        return rt_error(err, err_size, "record %s: the network did not keep its history", rd->name);
    double *a = malloc(count * sizeof *a + 1);
    if (!a)
        return rt_error(err, err_size, "out of memory");
    gather_record(s, rd, trials, a);
    int rc = rt_results_npy(out, name, a, RT_F64, shape, 3, err, err_size);
    free(a);
    if (rc == 0 && rd->spikes)
        rc = write_spike_list(out, spikes, &z, T, trials, err, err_size);
    return rc;
}

/* ---- records in training: the first sequence of the first and of the last update */

struct rt_train_records {
    size_t values;                  /* per kept trial: every record's steps x width, then the mask's T */
    double *kept;                   /* [2][values]: the first update's, the last's; NULL: no such record */
};

rt_train_records *rt_train_records_new(rt_session *s)
{
    const rt_run_desc *d = s->d;
    size_t values = s->b.T;
    int any = 0;
    for (unsigned i = 0; i < d->n_records; i++)
        if (d->records[i].training) {
            values += record_steps(s, &d->records[i]) * d->records[i].width;
            any = 1;
        }
    rt_train_records *r = calloc(1, sizeof *r);
    if (!r || (any && !(r->kept = calloc(2 * values, sizeof *r->kept)))) {
        free(r);
        return NULL;
    }
    r->values = values;
    return r;
}

void rt_train_records_keep(rt_train_records *r, rt_session *s, size_t u)
{
    if (!r || !r->kept)
        return;
    for (int slot = u == 0 ? 0 : 1; slot < 2; slot++) {
        double *at = r->kept + (size_t)slot * r->values;
        for (unsigned i = 0; i < s->d->n_records; i++) {
            const rt_record_desc *rd = &s->d->records[i];
            if (!rd->training)
                continue;
            gather_record(s, rd, 1, at);
            at += record_steps(s, rd) * rd->width;
        }
        for (size_t t = 0; t < s->b.T; t++)   /* the loss mask, time-major [T][B] */
            at[t] = s->b.mask ? s->b.mask[t * s->b.B] : 1;
    }
}

int rt_train_records_write(const rt_train_records *r, rt_session *s, const rt_outdir *out, char *err,
                           size_t err_size)
{
    if (!r || !r->kept)
        return 0;
    size_t at = 0;
    int rc = 0;
    double *a = malloc(2 * r->values * sizeof *a);
    if (!a)
        return rt_error(err, err_size, "out of memory");
    for (unsigned i = 0; i <= s->d->n_records && rc == 0; i++) {
        const rt_record_desc *rd = i < s->d->n_records ? &s->d->records[i] : NULL;
        if (rd && !rd->training)
            continue;
        size_t n = rd ? record_steps(s, rd) * rd->width : s->b.T;
        for (int slot = 0; slot < 2; slot++)
            memcpy(a + (size_t)slot * n, r->kept + (size_t)slot * r->values + at, n * sizeof *a);
        at += n;
        char name[300];
        size_t shape[3] = {2, rd ? record_steps(s, rd) : s->b.T, rd ? rd->width : 0};
        rc = rt_results_npy(out, rd ? rt_file_name(name, sizeof name, RT_FILE_TRAIN_RECORD, rd->name)
                                    : RT_FILE_TRAIN_RECORD_MASK, a, RT_F64, shape, rd ? 3 : 2, err, err_size);
    }
    free(a);
    return rc;
}

void rt_train_records_free(rt_train_records *r)
{
    if (r)
        free(r->kept);
    free(r);
}

/* The mask of the first TRIALS trials, [trials, T], and, with a phase
 * channel, the phase of each step: for the picture of the task. */
static int write_mask_and_phases(rt_session *s, const rt_outdir *out, size_t trials, char *err, size_t err_size)
{
    size_t T = s->b.T, B = s->b.B, shape[2] = {trials, T};
    const double *from[2] = {s->b.mask, s->b.phases};   /* time-major [T][B] */
    const char *name[2] = {RT_FILE_EVAL_MASK, RT_FILE_EVAL_PHASES};
    double *a = malloc(trials * T * sizeof *a + 1);
    if (!a)
        return rt_error(err, err_size, "out of memory");
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (!from[k])
            continue;   /* a task without phases */
        for (size_t i = 0; i < trials; i++)
            for (size_t t = 0; t < T; t++)
                a[i * T + t] = from[k][t * B + i];
        rc = rt_results_npy(out, name[k], a, RT_F64, shape, 2, err, err_size);
    }
    free(a);
    return rc;
}

int rt_results_eval(rt_session *s, const rt_outdir *out, char *err, size_t err_size)
{
    const rt_run_desc *d = s->d;
    size_t trials = s->b.B < RT_TRIALS_SAVED ? s->b.B : RT_TRIALS_SAVED;
    const void *x[RT_MAX_INPUTS];
    for (unsigned in = 0; in < d->net.n_inputs; in++)
        x[in] = rt_net_input(s->net, in);
    if (rt_results_side_by_side(d, out, RT_FILE_EVAL_INPUTS, x, d->net.input_sizes, d->net.n_inputs, s->b.T,
                                s->b.B, trials, err, err_size) != 0 ||
        rt_results_readouts(s, out, RT_FILE_EVAL_OUTPUTS, RT_FILE_EVAL_TARGETS, trials, err, err_size) != 0 ||
        write_mask_and_phases(s, out, trials, err, err_size) != 0)
        return -1;
    for (unsigned i = 0; i < d->n_records; i++)
        if (write_record(s, out, &d->records[i], trials, err, err_size) != 0)
            return -1;
    return 0;
}
