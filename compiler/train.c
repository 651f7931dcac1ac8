/* train.c -- training and evaluation for 'rnnc run' (see train.h). */
#include "train.h"

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "rt_npy.h"
#include "rt_pool.h"
#include "rt_rng.h"

enum { EVAL_TRIALS_SAVED = 64 };
const char *const train_phase_names[TRAIN_PHASES] = {"task", "forward", "loss", "backward", "optimizer"};

static const uint64_t EVAL_TRIAL_BASE = (uint64_t)1 << 40;

/* Trials are generated in blocks of this many per task: neighbouring
 * trials share cache lines of the time-major arrays they are scattered
 * into, so one thread writes them. */
enum { TRIALS_PER_TASK = 8 };

/* What one batch needs besides the network's own buffers. */
typedef struct batch {
    size_t B, T;
    void *targets[PLAN_MAX_POPS];        /* [T][B][size], network precision */
    double *mask;                        /* [T][B] */
    size_t per_trial;                    /* doubles of one trial's mask and channels */
    double *channels;                    /* [B][per_trial]: each trial as generated */
    double *scratch;                     /* a task engine scratch per block of trials */
    int filled;                          /* holds a batch already (of a task whose trials are all alike) */
} batch;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t elem_size(const plan *p)
{
    return p->is_double ? sizeof(double) : sizeof(float);
}

static int batch_init(batch *b, const plan *p)
{
    memset(b, 0, sizeof *b);
    b->B = p->settings.batch;
    b->T = p->task.steps;
    int ok = 1;
    for (unsigned r = 0; r < p->n_readouts; r++)
        ok &= (b->targets[r] = malloc(b->T * b->B * p->pops[p->readouts[r]].n * elem_size(p))) != NULL;
    ok &= (b->mask = malloc(b->T * b->B * sizeof(double))) != NULL;
    b->per_trial = b->T;
    for (unsigned c = 0; c < p->task.n_channels; c++)
        b->per_trial += b->T * p->task.channels[c].size;
    ok &= (b->channels = malloc(b->B * b->per_trial * sizeof(double))) != NULL;
    size_t blocks = (b->B + TRIALS_PER_TASK - 1) / TRIALS_PER_TASK;
    ok &= (b->scratch = malloc(blocks * TASK_SCRATCH_SIGNALS * b->T * sizeof(double))) != NULL;
    return ok ? 0 : -1;
}

static void batch_free(batch *b)
{
    for (unsigned r = 0; r < PLAN_MAX_POPS; r++)
        free(b->targets[r]);
    free(b->mask);
    free(b->channels);
    free(b->scratch);
}

/* Copies one trial's channel C (SRC, [T][size]) into slot I of a
 * time-major [T][B][size] array. */
static void scatter(const plan *p, const batch *b, unsigned c, const double *src, size_t i, void *dst)
{
    size_t size = p->task.channels[c].size;
    for (size_t t = 0; t < b->T; t++)
        for (size_t k = 0; k < size; k++)
            plan_put_real(p, dst, (t * b->B + i) * size + k, src[t * size + k]);
}

typedef struct batch_job {
    plan *p;
    rt_net *net;
    batch *b;
    const uint64_t *trials;
    atomic_int failed;              /* trials that failed; the first writes ERR */
    char err[512];
} batch_job;

/* Trial I of the batch into slot I: generated, then scattered. */
static void make_trial(batch_job *job, size_t i, double *scratch)
{
    plan *p = job->p;
    batch *b = job->b;
    double *own[TASK_MAX_CHANNELS], *mask = b->channels + i * b->per_trial;
    size_t at = b->T;
    for (unsigned c = 0; c < p->task.n_channels; c++) {
        own[c] = mask + at;
        at += b->T * p->task.channels[c].size;
    }
    char err[512];
    if (task_generate(&p->task, p->settings.seed, job->trials[i], own, mask, scratch, err, sizeof err) != 0) {
        if (atomic_fetch_add(&job->failed, 1) == 0)
            memcpy(job->err, err, sizeof err);
        return;
    }
    for (unsigned in = 0; in < p->n_inputs; in++)
        scatter(p, b, (unsigned)p->input_channel[in], own[p->input_channel[in]], i,
                rt_net_input(job->net, in));
    for (unsigned r = 0; r < p->n_readouts; r++)
        scatter(p, b, (unsigned)p->target_channel[r], own[p->target_channel[r]], i, b->targets[r]);
    for (size_t t = 0; t < b->T; t++)
        b->mask[t * b->B + i] = mask[t];
}

static void make_trials(void *ctx, unsigned block)
{
    batch_job *job = ctx;
    size_t first = (size_t)block * TRIALS_PER_TASK, B = job->b->B;
    double *scratch = job->b->scratch + (size_t)block * TASK_SCRATCH_SIGNALS * job->b->T;
    for (size_t i = first; i < first + TRIALS_PER_TASK && i < B; i++)
        make_trial(job, i, scratch);
}

/* The batch of trials TRIALS, generated in parallel (each trial depends only
 * on its id). */
static int make_batch(plan *p, rt_net *net, rt_pool *pool, batch *b, const uint64_t *trials, char *err,
                      size_t err_size)
{
    if (b->filled && p->task.trial_invariant)
        return 0;   /* every trial is the same: the network's inputs hold it already */
    batch_job job = {.p = p, .net = net, .b = b, .trials = trials};
    b->filled = 1;
    rt_pool_run(pool, (unsigned)((b->B + TRIALS_PER_TASK - 1) / TRIALS_PER_TASK), make_trials, &job);
    if (job.failed)
        snprintf(err, err_size, "%s", job.err);
    return job.failed ? -1 : 0;
}

/* Training sample ids of update U: epoch by epoch, each a fresh shuffle
 * (Fisher-Yates with the counter-based generator) of 0..S-1. */
static void training_trials(const plan *p, size_t u, uint64_t *perm, size_t S, uint64_t *out)
{
    size_t per_epoch = p->settings.updates_per_epoch, epoch = u / per_epoch;
    if (u % per_epoch == 0) {
        for (size_t i = 0; i < S; i++)
            perm[i] = i;
        for (size_t i = S; i-- > 1;) {
            size_t j = (size_t)rt_rng_randint(p->settings.seed, rt_rng_stream(0x73687566, epoch), i, 0,
                                              (int64_t)i + 1);
            uint64_t tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
    }
    size_t first = (u % per_epoch) * p->settings.batch;
    for (size_t i = 0; i < p->settings.batch; i++)
        out[i] = perm[(first + i) % S];
}

/* ------------------------------------------------------------ parameters */

typedef struct params {
    rt_tensor t[2 * PLAN_MAX_PROJS];
    size_t n;
    void *backup[2 * PLAN_MAX_PROJS];   /* the weights before the last update */
} params;

static int params_init(params *ps, plan *p, rt_net *net)
{
    memset(ps, 0, sizeof *ps);
    for (unsigned j = 0; j < p->n_projs; j++) {
        if (!p->rt_projs[j].trainable)
            continue;
        ps->t[ps->n++] = plan_weight_tensor(p, net, j);
        if (p->rt_projs[j].bias)
            ps->t[ps->n++] = (rt_tensor){rt_net_bias(net, j), rt_net_bias_grad(net, j),
                                         p->rt_projs[j].n_post, -INFINITY, INFINITY, NULL, NULL, 0};
    }
    for (size_t i = 0; i < ps->n; i++)
        if (!(ps->backup[i] = malloc(ps->t[i].count * elem_size(p) + 1)))
            return -1;
    return 0;
}

static void params_save(params *ps, const plan *p)
{
    for (size_t i = 0; i < ps->n; i++)
        memcpy(ps->backup[i], ps->t[i].data, ps->t[i].count * elem_size(p));
}

static void params_restore(params *ps, const plan *p)
{
    for (size_t i = 0; i < ps->n; i++)
        memcpy(ps->t[i].data, ps->backup[i], ps->t[i].count * elem_size(p));
}

static void params_free(params *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->backup[i]);
}

/* ------------------------------------------------------------ output files */

int train_write_npy(const rt_outdir *out, const char *name, const void *data, rt_dtype type,
                    const size_t *shape, int ndim)
{
    char *path = rt_outdir_file(out, name);
    int rc = path ? rt_npy_write(path, data, type, shape, ndim) : -1;
    if (rc != 0)
        fprintf(stderr, "rnnc: cannot write %s: %s\n", name, strerror(errno));
    free(path);
    return rc;
}

/* A double array NAME in OUT. */
static int write_array(const rt_outdir *out, const char *name, const double *data, const size_t *shape,
                       int ndim)
{
    return train_write_npy(out, name, data, RT_F64, shape, ndim);
}

static const char *file_safe(char *buf, size_t size, const char *fmt, const char *a, const char *b)
{
    snprintf(buf, size, fmt, a, b);
    return buf;
}

/* weights_initial_x_h.npy, weights_final_h_y.npy, bias_final_h_y.npy: [post, pre]. */
static int write_weights(plan *p, rt_net *net, const rt_outdir *out, const char *when)
{
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        size_t count = rp->n_post * rp->n_pre, shape[2] = {rp->n_post, rp->n_pre};
        double *w = malloc(count * sizeof *w);
        if (!w)
            return -1;
        for (size_t i = 0; i < count; i++)
            w[i] = plan_get_real(p, rt_net_weights(net, j), i);
        char name[256], fmt[64];
        snprintf(fmt, sizeof fmt, "weights_%s_%%s_%%s.npy", when);
        int rc = write_array(out, file_safe(name, sizeof name, fmt, p->projs[j].pre_name,
                                            p->projs[j].post_name), w, shape, 2);
        if (rc == 0 && rp->bias) {
            for (size_t i = 0; i < rp->n_post; i++)
                w[i] = plan_get_real(p, rt_net_bias(net, j), i);
            snprintf(fmt, sizeof fmt, "bias_%s_%%s_%%s.npy", when);
            rc = write_array(out, file_safe(name, sizeof name, fmt, p->projs[j].pre_name,
                                            p->projs[j].post_name), w, shape, 1);
        }
        free(w);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A time-major [T][B][n] array's first TRIALS trials as [trials, T', W]:
 * elements LO .. LO + W of every EVERY-th step. */
static int write_strided(const plan *p, const rt_outdir *out, const char *name, const void *data, size_t T,
                         size_t B, size_t n, size_t lo, size_t width, size_t every, size_t trials)
{
    size_t kept = (T + every - 1) / every;
    double *a = malloc(trials * kept * width * sizeof *a + 1);
    if (!a)
        return -1;
    for (size_t i = 0; i < trials; i++)
        for (size_t s = 0; s < kept; s++)
            for (size_t k = 0; k < width; k++)
                a[(i * kept + s) * width + k] = plan_get_real(p, data, (s * every * B + i) * n + lo + k);
    size_t shape[3] = {trials, kept, width};
    int rc = write_array(out, name, a, shape, 3);
    free(a);
    return rc;
}

/* A time-major [T][B][n] array's first TRIALS trials as [trials, T, n]. */
static int write_trials(const plan *p, const rt_outdir *out, const char *name, const void *data,
                        size_t T, size_t B, size_t n, size_t trials)
{
    return write_strided(p, out, name, data, T, B, n, 0, n, 1, trials);
}

/* ------------------------------------------------------------ evaluation */

/* Which population and which state or output a 'record' expression means:
 * h (its first output), h.r (a state or output named r). */
int train_signal(const plan *p, const ast_node *e, unsigned *pop, int *state, unsigned *output)
{
    const ast_node *base = e->kind == AST_MEMBER ? e->first : e;
    if (base->kind != AST_NAME)
        return -1;
    for (unsigned i = 0; i < p->n_pops; i++) {
        if (strcmp(p->pops[i].name, base->name) != 0)
            continue;
        const neuron_ir *n = &p->neurons[i];
        *pop = i;
        *state = -1;
        *output = 0;
        if (e->kind != AST_MEMBER)
            return 0;
        for (unsigned o = 0; o < n->n_outputs; o++)
            if (strcmp(n->output_names[o], e->name) == 0) {
                *output = o;
                return 0;
            }
        for (unsigned k = 0; k < n->n_states; k++)
            if (strcmp(n->state_names[k], e->name) == 0) {
                *state = (int)k;
                return 0;
            }
    }
    return -1;
}

/* A spiking population's spikes of the first TRIALS trials as rows
 * (trial, neuron, step): the raster, as sparse as the spikes. */
static int write_spike_list(const plan *p, const rt_outdir *out, const char *name, const void *z,
                            size_t T, size_t B, size_t n, size_t trials)
{
    size_t count = 0;
    for (size_t t = 0; t < T; t++)
        for (size_t i = 0; i < trials; i++)
            for (size_t k = 0; k < n; k++)
                count += plan_get_real(p, z, (t * B + i) * n + k) != 0;
    double *a = malloc(3 * count * sizeof *a + 1);
    if (!a)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < trials; i++)
        for (size_t t = 0; t < T; t++)
            for (size_t k = 0; k < n; k++)
                if (plan_get_real(p, z, (t * B + i) * n + k) != 0) {
                    a[3 * m] = (double)i;
                    a[3 * m + 1] = (double)k;
                    a[3 * m + 2] = (double)t;
                    m++;
                }
    size_t shape[2] = {count, 3};
    int rc = write_array(out, name, a, shape, 2);
    free(a);
    return rc;
}

int train_signal_range(const plan *p, const ast_node *e, unsigned *pop, int *state, unsigned *output,
                       size_t *lo, size_t *width)
{
    const ast_node *target = e->kind == AST_INDEX ? e->first : e;
    if (train_signal(p, target, pop, state, output) != 0)
        return 1;
    size_t n = p->pops[*pop].n;
    long first = 0, end = (long)n;
    const ast_node *idx = e->kind == AST_INDEX ? e->first->next : NULL;
    double v;
    if (idx && idx->kind == AST_SLICE) {
        const ast_node *k = idx->first;
        if ((idx->op & 1) && lower_constant(k, p->dt, NULL, 0, &v) == 0) {
            first = lround(v);
            k = k->next;
        }
        if ((idx->op & 2) && lower_constant(k, p->dt, NULL, 0, &v) == 0)
            end = lround(v);
    } else if (idx && lower_constant(idx, p->dt, NULL, 0, &v) == 0) {
        first = lround(v);
        end = first + 1;
    }
    if (first < 0 || end > (long)n || first >= end) {
        fprintf(stderr, "rnnc: %s[%ld:%ld] is out of range (size %zu)\n", p->pops[*pop].name, first, end, n);
        return -1;
    }
    *lo = (size_t)first;
    *width = (size_t)(end - first);
    return 0;
}

/* One 'record' item: [trials, T / every, neurons] from element LO to HI,
 * every EVERY-th step; a spike variable also as a spike list. */
static int write_record(const plan *p, rt_net *net, const rt_outdir *out, const ast_node *e, size_t every,
                        size_t trials)
{
    const ast_node *target = e->kind == AST_INDEX ? e->first : e;
    unsigned pop, output;
    int state;
    size_t lo, width;
    int found = train_signal_range(p, e, &pop, &state, &output, &lo, &width);
    if (found != 0)
        return found > 0 ? 0 : -1;   /* inputs and projections: not recorded by this version */
    size_t T = rt_net_steps(net), B = rt_net_batch(net), n = p->pops[pop].n;
    const void *data = state >= 0 ? rt_net_state_history(net, pop, (unsigned)state)
                                  : rt_net_output_history(net, pop, output);
    const char *member = target->kind == AST_MEMBER ? target->name : NULL;
    char name[256];
    snprintf(name, sizeof name, "record_%s%s%s.npy", p->pops[pop].name, member ? "_" : "", member ? member : "");
    int rc = write_strided(p, out, name, data, T, B, n, lo, width, every, trials);
    const neuron_ir *nir = &p->neurons[pop];
    int is_spike = nir->spike_state >= 0 &&
                   (state == nir->spike_state || (state < 0 && nir->out[output] == nir->next[nir->spike_state]));
    if (rc == 0 && is_spike) {
        snprintf(name, sizeof name, "spikes_%s.npy", p->pops[pop].name);
        rc = write_spike_list(p, out, name, data, T, B, n, trials);
    }
    return rc;
}

/* Every 'record' line's items, from the evaluation's first trials. */
static int write_records(const plan *p, rt_net *net, const rt_outdir *out, size_t trials)
{
    for (const ast_node *n = p->fe->root->first; n; n = n->next) {
        if (n->kind != AST_RECORD)
            continue;
        size_t every = 1;
        for (const ast_node *e = n->first; e; e = e->next) {
            double v;
            if (e->kind == AST_EVERY && e->first && lower_constant(e->first, p->dt, NULL, 0, &v) == 0) {
                if (e->first->dim.known && e->first->dim.e[DIM_TIME] == 1)
                    v /= p->dt;
                every = v >= 1 ? (size_t)lround(v) : 1;
            }
        }
        for (const ast_node *e = n->first; e; e = e->next)
            if (e->kind != AST_EVERY && write_record(p, net, out, e, every, trials) != 0)
                return -1;
    }
    return 0;
}

/* Sign accuracy (or whatever the task's accuracy expression computes):
 * counted over the steps where the mask and the target's value are non-zero. */
static void count_accuracy(const plan *p, rt_net *net, const batch *b, double *correct, double *counted)
{
    if (!p->task.accuracy)
        return;
    for (unsigned r = 0; r < p->n_readouts; r++) {
        const char *target = p->task.channels[p->target_channel[r]].name;
        if (strcmp(target, p->task.accuracy_target) != 0)
            continue;
        size_t n = p->pops[p->readouts[r]].n;
        const void *y = rt_net_output_history(net, p->readouts[r], 0);
        for (size_t row = 0; row < b->T * b->B; row++) {
            if (b->mask[row] == 0)
                continue;
            for (size_t k = 0; k < n; k++) {
                double want, got;
                if (task_accuracy_value(&p->task, plan_get_real(p, b->targets[r], row * n + k), &want) != 0 ||
                    want == 0 ||
                    task_accuracy_value(&p->task, plan_get_real(p, y, row * n + k), &got) != 0)
                    continue;
                *counted += 1;
                *correct += got == want;
            }
        }
    }
}

/* Evaluation batch K (trials EVAL_TRIAL_BASE + K B ...) through the
 * forward pass, with Gaussian noise of standard deviation SIGMA added to
 * every input (drawn from stream KEY; none when SIGMA is 0). */
static int eval_batch(plan *p, rt_net *net, rt_pool *pool, batch *b, size_t k, double sigma, uint64_t key)
{
    size_t B = b->B, T = b->T;
    uint64_t *trials = malloc(B * sizeof *trials);
    char err[512];
    if (!trials) {
        fputs("rnnc: out of memory\n", stderr);
        return -1;
    }
    for (size_t i = 0; i < B; i++)
        trials[i] = EVAL_TRIAL_BASE + k * B + i;
    int rc = make_batch(p, net, pool, b, trials, err, sizeof err);
    free(trials);
    if (rc != 0) {
        fprintf(stderr, "rnnc: %s\n", err);
        return -1;
    }
    if (sigma > 0)
        b->filled = 0;   /* the inputs differ from the task's: the next batch regenerates them */
    for (unsigned in = 0; in < p->n_inputs && sigma > 0; in++) {
        void *x = rt_net_input(net, in);
        size_t count = T * B * p->input_sizes[in];
        uint64_t stream = rt_rng_stream(key, in);
        for (size_t i = 0; i < count; i++)
            plan_put_real(p, x, i, plan_get_real(p, x, i) + sigma * rt_rng_normal(p->settings.seed, stream, k * count + i));
    }
    rt_net_forward(net);
    return 0;
}

/* Every evaluation batch: the mean loss and the accuracy (NAN if none). */
static int eval_all(plan *p, rt_net *net, rt_pool *pool, batch *b, double sigma, uint64_t key,
                    const rt_outdir *out, double *loss, double *accuracy)
{
    size_t B = b->B, batches = p->settings.eval_trials / B;
    double sum = 0, correct = 0, counted = 0;
    for (size_t k = 0; k < batches; k++) {
        if (eval_batch(p, net, pool, b, k, sigma, key) != 0)
            return -1;
        sum += rt_net_loss(net, p->settings.loss_kind, (const void *const *)b->targets, b->mask) /
               (double)batches;
        count_accuracy(p, net, b, &correct, &counted);
        if (k == 0 && out) {   /* the first trials' signals, for plots and numpy */
            size_t saved = B < EVAL_TRIALS_SAVED ? B : EVAL_TRIALS_SAVED, T = b->T;
            int rc = 0;
            for (unsigned in = 0; in < p->n_inputs && rc == 0; in++)
                rc = write_trials(p, out, "eval_inputs.npy", rt_net_input(net, in), T, B,
                                  p->input_sizes[in], saved);
            for (unsigned r = 0; r < p->n_readouts && rc == 0; r++) {
                size_t n = p->pops[p->readouts[r]].n;
                rc = write_trials(p, out, "eval_targets.npy", b->targets[r], T, B, n, saved);
                if (rc == 0)
                    rc = write_trials(p, out, "eval_outputs.npy",
                                      rt_net_output_history(net, p->readouts[r], 0), T, B, n, saved);
            }
            if (rc == 0)
                rc = write_records(p, net, out, saved);
            if (rc != 0)
                return -1;
        }
    }
    *loss = sum;
    *accuracy = counted > 0 ? correct / counted : NAN;
    return 0;
}

/* What analyze.c needs of the evaluation (see analyze_host). */
typedef struct eval_host {
    plan *p;
    rt_net *net;
    rt_pool *pool;
    batch *b;
} eval_host;

static int host_first_batch(void *ctx, const void *const **targets)
{
    eval_host *h = ctx;
    *targets = (const void *const *)h->b->targets;
    return eval_batch(h->p, h->net, h->pool, h->b, 0, 0, 0);
}

static int host_evaluate(void *ctx, double sigma, uint64_t key, double *loss, double *accuracy)
{
    eval_host *h = ctx;
    return eval_all(h->p, h->net, h->pool, h->b, sigma, key, NULL, loss, accuracy);
}

/* The model's 'analyze' lines on the network as it is; their JSON goes to RES. */
static int run_analyses(plan *p, rt_net *net, rt_pool *pool, batch *b, const rt_outdir *out, train_result *res)
{
    eval_host h = {p, net, pool, b};
    analyze_host host = {&h, host_first_batch, host_evaluate};
    text json = {0};
    int rc = analyze_network(p, net, &host, out, &json);
    if (json.failed || rc != 0) {
        free(json.data);
        return -1;
    }
    res->analysis_json = json.data;
    return 0;
}

/* ------------------------------------------------------------ training */

/* The population whose outputs went non-finite first, for the message. */
static const char *non_finite_population(const plan *p, rt_net *net)
{
    size_t T = rt_net_steps(net), B = rt_net_batch(net);
    for (size_t t = 0; t < T; t++)
        for (unsigned i = 0; i < p->n_pops; i++) {
            const void *y = rt_net_output_history(net, i, 0);
            for (size_t k = 0; k < B * p->pops[i].n; k++)
                if (!isfinite(plan_get_real(p, y, t * B * p->pops[i].n + k)))
                    return p->pops[i].name;
        }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void show_progress(const plan *p, size_t u, double loss, double start, double *last_shown)
{
    double now = now_s();
    if (now - *last_shown < 0.5 && u + 1 < p->settings.updates)
        return;
    *last_shown = now;
    double rate = (double)(u + 1) / (now - start);
    double eta = (double)(p->settings.updates - u - 1) / rate;
    fprintf(stderr, "\r\033[Kepoch %zu/%zu  update %zu/%zu  loss %.5g  %.1f updates/s  ETA %.0fs",
            u / p->settings.updates_per_epoch + 1,
            (p->settings.updates + p->settings.updates_per_epoch - 1) / p->settings.updates_per_epoch,
            u + 1, p->settings.updates, loss, rate, eta);
    fflush(stderr);
}

/* The median of X[0 .. N) (N > 0; X is sorted in place). */
static double median(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* Population I spikes and is not a readout: its rate is reported. */
static int spiking_pop(const plan *p, unsigned i)
{
    return !p->pop_readout[i] && p->neurons[i].spike_state >= 0;
}

/* The mean firing rate (Hz) of the populations that spike, over the
 * batch just run; NAN if none does. */
static double spike_rate_hz(const plan *p, const rt_net *net)
{
    size_t T = rt_net_steps(net), B = rt_net_batch(net);
    double sum = 0, count = 0;
    for (unsigned i = 0; i < p->n_pops; i++) {
        const neuron_ir *n = &p->neurons[i];
        if (!spiking_pop(p, i))
            continue;
        size_t m = T * B * p->pops[i].n;
        const void *z = rt_net_state_history(net, i, (unsigned)n->spike_state);
        for (size_t k = 0; k < m; k++)
            sum += p->is_double ? ((const double *)z)[k] : ((const float *)z)[k];
        count += (double)m;
    }
    return count > 0 ? sum / count / p->dt : NAN;
}

/* The readouts and targets of the first training batch, before any
 * update: the 'before' of target-versus-output pictures. */
static int write_first_outputs(plan *p, rt_net *net, const batch *b, const rt_outdir *out)
{
    size_t saved = b->B < EVAL_TRIALS_SAVED ? b->B : EVAL_TRIALS_SAVED;
    int rc = 0;
    for (unsigned r = 0; r < p->n_readouts && rc == 0; r++) {
        size_t n = p->pops[p->readouts[r]].n;
        rc = write_trials(p, out, "initial_targets.npy", b->targets[r], b->T, b->B, n, saved);
        if (rc == 0)
            rc = write_trials(p, out, "initial_outputs.npy", rt_net_output_history(net, p->readouts[r], 0),
                              b->T, b->B, n, saved);
    }
    return rc;
}

static int train_loop(plan *p, rt_net *net, rt_pool *pool, batch *b, const rt_outdir *out, FILE *csv,
                      volatile sig_atomic_t *stop,
                      int progress, train_result *res)
{
    size_t U = p->settings.updates, S = p->settings.updates_per_epoch * p->settings.batch;
    params ps;
    memset(&ps, 0, sizeof ps);
    uint64_t *perm = malloc(S * sizeof *perm), *trials = malloc(p->settings.batch * sizeof *trials);
    double *times = malloc(2 * (U + 1) * sizeof *times), *steps = times ? times + U + 1 : NULL;
    rt_optim *opt = NULL;
    int rc = -1;
    if (!perm || !trials || !times || params_init(&ps, p, net) != 0)
        goto done;
    opt = rt_optim_new(&p->settings.optim, ps.t, ps.n, p->is_double);
    if (!opt) {
        fprintf(stderr, "rnnc: the optimiser's settings are invalid\n");
        goto done;
    }
    int spiking = p->settings.rate_c > 0;
    for (unsigned i = 0; i < p->n_pops; i++)
        spiking |= spiking_pop(p, i);
    fprintf(csv, "update,epoch,loss,grad_norm,seconds%s\n", spiking ? ",rate_hz,reg_loss" : "");
    double start = now_s(), last_shown = 0;
    char err[512];
    for (size_t u = 0; u < U && !*stop; u++) {
        double t0 = now_s(), mark[TRAIN_PHASES + 1] = {t0};
        training_trials(p, u, perm, S, trials);
        if (make_batch(p, net, pool, b, trials, err, sizeof err) != 0) {
            fprintf(stderr, "rnnc: %s\n", err);
            goto done;
        }
        mark[1] = now_s();
        rt_net_forward(net);
        mark[2] = now_s();
        double loss = rt_net_loss(net, p->settings.loss_kind, (const void *const *)b->targets, b->mask);
        double reg = rt_net_reg_loss(net), rate = spiking ? spike_rate_hz(p, net) : NAN;
        if (u == 0 && write_first_outputs(p, net, b, out) != 0)
            goto done;
        mark[3] = mark[4] = now_s();
        double norm = NAN;
        if (isfinite(loss + reg)) {
            rt_net_backward(net);
            mark[4] = now_s();
            norm = rt_optim_grad_norm(opt, ps.t, ps.n);
        }
        if (!isfinite(loss + reg) || !isfinite(norm)) {
            const char *pop = non_finite_population(p, net);
            char where[160] = "";
            if (pop)
                snprintf(where, sizeof where, " (population '%s' went non-finite first)", pop);
            snprintf(res->message, sizeof res->message,
                     "update %zu: the %s is %s%s; training stopped and the weights after update %zu "
                     "were kept", u + 1, isfinite(loss) ? "gradient" : "loss",
                     isnan(isfinite(loss) ? norm : loss) ? "NaN" : "infinite", where, u);
            res->stopped_by_nan = 1;
            params_restore(&ps, p);
            break;
        }
        params_save(&ps, p);
        rt_optim_step(opt, ps.t, ps.n);
        mark[5] = now_s();
        times[u] = mark[5] - t0;
        steps[u] = mark[5] - mark[1];
        for (int k = 0; k < TRAIN_PHASES; k++)
            res->phase_ms[k] += 1e3 * (mark[k + 1] - mark[k]);
        fprintf(csv, "%zu,%zu,%.15g,%.9g,%.6f", u + 1, u / p->settings.updates_per_epoch + 1, loss, norm,
                now_s() - start);
        if (spiking)
            fprintf(csv, ",%.6g,%.9g", rate, reg);
        fputc('\n', csv);
        if (res->updates_done == 0) {
            res->first_loss = loss;
            res->first_rate_hz = rate;
        }
        res->updates_done = u + 1;
        res->final_train_loss = loss;
        res->final_rate_hz = rate;
        if (progress)
            show_progress(p, u, loss, start, &last_shown);
        if (p->settings.early_stop > 0 && loss < p->settings.early_stop) {
            res->early_stopped = 1;
            break;
        }
    }
    if (progress && res->updates_done)
        fputc('\n', stderr);
    res->train_seconds = now_s() - start;
    if (res->updates_done) {
        size_t n = res->updates_done;
        res->seconds_per_update_median = median(times, n);
        res->step_seconds_median = median(steps, n);
        for (int k = 0; k < TRAIN_PHASES; k++)
            res->phase_ms[k] /= (double)n;
    }
    res->interrupted = *stop != 0;
    rc = 0;
done:
    rt_optim_free(opt);
    params_free(&ps);
    free(perm);
    free(trials);
    free(times);
    return rc;
}

static int write_text_file(const rt_outdir *out, const char *name, const char *text)
{
    if (rt_outdir_write_text(out, name, text) != 0) {
        fprintf(stderr, "rnnc: cannot write %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* What a training or an analysis holds while it runs: the threads, the
 * network and a batch's buffers, with weights initialised. */
typedef struct session {
    rt_pool *pool;
    rt_net *net;
    batch b;
} session;

static void session_close(session *s)
{
    batch_free(&s->b);
    rt_net_free(s->net);
    rt_pool_free(s->pool);
}

static int session_open(session *s, plan *p, train_result *res)
{
    memset(res, 0, sizeof *res);
    res->first_loss = res->final_train_loss = res->eval_loss = res->eval_accuracy = NAN;
    res->first_rate_hz = res->final_rate_hz = NAN;
    memset(s, 0, sizeof *s);
    /* OpenBLAS runs single-threaded inside our own threads: how work is cut
     * then never depends on the thread count (see rt_pool.h). */
    rt_blas_serial();
    int threads = p->settings.threads > 0 ? p->settings.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    s->pool = rt_pool_new(threads > 0 ? threads : 1);
    rt_net_desc desc = plan_net_desc(p);
    s->net = rt_net_new(&desc, p->settings.batch, p->task.steps);
    if (s->net)
        rt_net_set_pool(s->net, s->pool);
    char err[512];
    if (!s->net || batch_init(&s->b, p) != 0) {
        fprintf(stderr, "rnnc: out of memory for a batch of %zu trials of %zu steps\n",
                p->settings.batch, p->task.steps);
    } else if (plan_init_weights(p, s->net, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: %s\n", err);
    } else {
        return 0;
    }
    session_close(s);
    return -1;
}

int train_run(plan *p, const rt_outdir *out, volatile sig_atomic_t *stop, int progress,
              train_result *res)
{
    session s;
    if (session_open(&s, p, res) != 0)
        return -1;
    char *csv_text = NULL;
    size_t csv_len = 0;
    FILE *csv = open_memstream(&csv_text, &csv_len);
    int rc = -1;
    if (!csv) {
        fputs("rnnc: out of memory\n", stderr);
        goto done;
    }
    if (write_weights(p, s.net, out, "initial") != 0 ||
        train_loop(p, s.net, s.pool, &s.b, out, csv, stop, progress, res) != 0)
        goto done;
    fclose(csv);
    csv = NULL;
    if (write_text_file(out, "loss.csv", csv_text) != 0 || write_weights(p, s.net, out, "final") != 0)
        goto done;
    if (!res->interrupted &&
        eval_all(p, s.net, s.pool, &s.b, 0, 0, out, &res->eval_loss, &res->eval_accuracy) != 0)
        goto done;
    res->interrupted |= *stop != 0;   /* Ctrl-C during the evaluation: no analyses */
    if (!res->interrupted && !res->stopped_by_nan && run_analyses(p, s.net, s.pool, &s.b, out, res) != 0)
        fputs("rnnc: the analyses stopped with an error; the trained network's results are kept "
              "without them\n", stderr);
    rc = 0;
done:
    if (csv)
        fclose(csv);
    free(csv_text);
    session_close(&s);
    return rc;
}

/* One weights_final_ or bias_final_ file of DIR into BUF (network precision). */
static int load_param(const plan *p, const char *dir, const char *kind, unsigned j, void *buf, size_t count)
{
    char name[256], err[512];
    file_safe(name, sizeof name, kind[0] == 'w' ? "weights_final_%s_%s.npy" : "bias_final_%s_%s.npy",
              p->projs[j].pre_name, p->projs[j].post_name);
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    rt_array a = {0};
    int rc = -1;
    if (path) {
        snprintf(path, len, "%s/%s", dir, name);
        if (rt_npy_read(path, &a, err, sizeof err) != 0)
            fprintf(stderr, "rnnc: %s\n", err);
        else if (a.count != count)
            fprintf(stderr, "rnnc: %s holds %zu values; the model's %s -> %s needs %zu (was the model file "
                            "changed since the run?)\n", name, a.count, p->projs[j].pre_name,
                    p->projs[j].post_name, count);
        else {
            for (size_t i = 0; i < count; i++)
                plan_put_real(p, buf, i, a.data[i]);
            rc = 0;
        }
    }
    free(path);
    rt_array_free(&a);
    return rc;
}

int train_analyze(plan *p, const char *weights_dir, const rt_outdir *out, train_result *res)
{
    session s;
    if (session_open(&s, p, res) != 0)   /* the initialisers give the feedback matrices and masks */
        return -1;
    int rc = -1;
    for (unsigned j = 0; j < p->n_projs; j++) {
        const rt_proj *rp = &p->rt_projs[j];
        if (load_param(p, weights_dir, "weights", j, rt_net_weights(s.net, j), rp->n_post * rp->n_pre) != 0 ||
            (rp->bias && load_param(p, weights_dir, "bias", j, rt_net_bias(s.net, j), rp->n_post) != 0))
            goto done;
    }
    if (eval_all(p, s.net, s.pool, &s.b, 0, 0, NULL, &res->eval_loss, &res->eval_accuracy) != 0 ||
        run_analyses(p, s.net, s.pool, &s.b, out, res) != 0)
        goto done;
    rc = 0;
done:
    session_close(&s);
    return rc;
}
