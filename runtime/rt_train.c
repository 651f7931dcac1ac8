/* rt_train.c -- training and evaluation of a run description (see rt_run.h).
 *
 * Batches come from the run's trial source (trial ids: training samples
 * 0 .. S-1, shuffled per epoch; evaluation trials from RT_EVAL_TRIAL_BASE
 * on, never trained on); each update is forward, loss, backward (BPTT or
 * e-prop, as the projections' flags say) and an optimiser step.
 */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_error.h"
#include "rt_files.h"
#include "rt_rng.h"
#include "rt_run_internal.h"

const char *const rt_phase_names[RT_PHASES] = {"task", "forward", "loss", "backward", "optimizer"};

/* Trials are generated in blocks of this many per task: neighbouring
 * trials share cache lines of the time-major arrays they are scattered
 * into, so one thread writes them. */
enum { TRIALS_PER_TASK = 8 };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t elem_size(const rt_run_desc *d)
{
    return d->net.is_double ? sizeof(double) : sizeof(float);
}

/* ------------------------------------------------------------ batches */

static size_t condition_size(const rt_run_desc *d)
{
    return d->condition_channel >= 0 ? d->task.channels[d->condition_channel].size : 0;
}

/* Buffers for ROWS trials: the batch, or a process's share of it
 * (rt_run_desc.parallel). */
static int batch_init(rt_batch *b, const rt_run_desc *d, size_t rows)
{
    memset(b, 0, sizeof *b);
    b->B = rows;
    b->T = d->task.steps;
    int ok = 1;
    for (unsigned r = 0; r < d->net.n_readouts; r++)
        ok &= (b->targets[r] = malloc(b->T * b->B * d->net.pops[d->net.readouts[r]].n * elem_size(d) + 1)) != NULL;
    ok &= (b->mask = malloc(b->T * b->B * sizeof(double))) != NULL;
    if (condition_size(d))
        ok &= (b->conditions = malloc(b->T * b->B * condition_size(d) * sizeof(double))) != NULL;
    if (d->phase_channel >= 0)
        ok &= (b->phases = malloc(b->T * b->B * sizeof(double))) != NULL;
    b->per_trial = b->T;
    for (unsigned c = 0; c < d->task.n_channels; c++)
        b->per_trial += b->T * d->task.channels[c].size;
    ok &= (b->channels = malloc(b->B * b->per_trial * sizeof(double))) != NULL;
    size_t blocks = (b->B + TRIALS_PER_TASK - 1) / TRIALS_PER_TASK;
    ok &= (b->scratch = malloc(blocks * d->task.scratch_doubles * sizeof(double) + 1)) != NULL;
    return ok ? 0 : -1;
}

static void batch_free(rt_batch *b)
{
    for (unsigned r = 0; r < RT_MAX_POPS; r++)
        free(b->targets[r]);
    free(b->mask);
    free(b->conditions);
    free(b->phases);
    free(b->channels);
    free(b->scratch);
}

/* Copies one trial's channel C (SRC, [T][size]) into slot I of a
 * time-major [T][B][size] array, in PRECISION (1: double, 0: float). */
static void scatter(const rt_run_desc *d, const rt_batch *b, int c, const double *src, size_t i, void *dst,
                    int is_double)
{
    size_t size = d->task.channels[c].size;
    for (size_t t = 0; t < b->T; t++)
        for (size_t k = 0; k < size; k++)
            rt_real_put(is_double, dst, (t * b->B + i) * size + k, src[t * size + k]);
}

typedef struct batch_job {
    const rt_run_desc *d;
    rt_net *net;
    rt_batch *b;
    const uint64_t *trials;
    atomic_int failed;              /* trials that failed; the first writes ERR */
    char err[512];
} batch_job;

/* Trial I of the batch into slot I: generated, then scattered. */
static void make_trial(batch_job *job, size_t i, double *scratch)
{
    const rt_run_desc *d = job->d;
    rt_batch *b = job->b;
    double *own[RT_MAX_CHANNELS], *mask = b->channels + i * b->per_trial;
    size_t at = b->T;
    for (unsigned c = 0; c < d->task.n_channels; c++) {
        own[c] = mask + at;
        at += b->T * d->task.channels[c].size;
    }
    char err[512];
    if (d->task.generate(d->task.ctx, d->settings.seed, job->trials[i], own, mask, scratch, err, sizeof err) != 0) {
        if (atomic_fetch_add(&job->failed, 1) == 0)
            memcpy(job->err, err, sizeof err);
        return;
    }
    int is_double = d->net.is_double;
    for (unsigned in = 0; in < d->net.n_inputs; in++)
        scatter(d, b, d->input_channel[in], own[d->input_channel[in]], i, rt_net_input(job->net, in), is_double);
    for (unsigned r = 0; r < d->net.n_readouts; r++)
        scatter(d, b, d->target_channel[r], own[d->target_channel[r]], i, b->targets[r], is_double);
    if (b->conditions)
        scatter(d, b, d->condition_channel, own[d->condition_channel], i, b->conditions, 1);
    if (b->phases)
        scatter(d, b, d->phase_channel, own[d->phase_channel], i, b->phases, 1);
    for (size_t t = 0; t < b->T; t++)
        b->mask[t * b->B + i] = mask[t];
}

static void make_trials(void *ctx, unsigned block)
{
    batch_job *job = ctx;
    size_t first = (size_t)block * TRIALS_PER_TASK, B = job->b->B;
    double *scratch = job->b->scratch + (size_t)block * job->d->task.scratch_doubles;
    for (size_t i = first; i < first + TRIALS_PER_TASK && i < B; i++)
        make_trial(job, i, scratch);
}

/* The batch of trials TRIALS, generated in parallel (each trial depends
 * only on its id). */
static int make_batch(rt_session *s, const uint64_t *trials, char *err, size_t err_size)
{
    rt_net_set_draws(s->net, s->d->settings.seed, trials);   /* the neurons' noise is the trials' too */
    if (s->b.filled && s->d->task.trial_invariant)
        return 0;   /* every trial is the same: the network's inputs hold it already */
    batch_job job = {.d = s->d, .net = s->net, .b = &s->b, .trials = trials};
    s->b.filled = 1;
    rt_pool_run(s->pool, (unsigned)((s->b.B + TRIALS_PER_TASK - 1) / TRIALS_PER_TASK), make_trials, &job);
    if (job.failed)
        return rt_error(err, err_size, "%s", job.err);
    return 0;
}

/* Training sample ids of update U: epoch by epoch, each a fresh shuffle
 * (Fisher-Yates with the counter-based generator) of 0..S-1. */
static void training_trials(const rt_run_desc *d, size_t u, uint64_t *perm, size_t S, uint64_t *out)
{
    size_t per_epoch = d->settings.updates_per_epoch, epoch = u / per_epoch;
    if (d->settings.continuous) {   /* one sequence: the samples in order */
        for (size_t i = 0; i < d->settings.batch; i++)
            out[i] = ((u % per_epoch) * d->settings.batch + i) % S;
        return;
    }
    if (u % per_epoch == 0) {
        for (size_t i = 0; i < S; i++)
            perm[i] = i;
        for (size_t i = S; i-- > 1;) {
            size_t j = (size_t)rt_rng_randint(d->settings.seed, rt_rng_stream(RT_STREAM_SHUFFLE, epoch), i, 0,
                                              (int64_t)i + 1);
            uint64_t tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
    }
    size_t first = (u % per_epoch) * d->settings.batch;
    for (size_t i = 0; i < d->settings.batch; i++)
        out[i] = perm[(first + i) % S];
}

/* ------------------------------------------------------------ parameters */

typedef struct params {
    rt_tensor t[2 * RT_MAX_PROJS];
    unsigned proj[2 * RT_MAX_PROJS];  /* the projection each tensor belongs to */
    int is_bias[2 * RT_MAX_PROJS];
    size_t n;
    void *backup[2 * RT_MAX_PROJS];   /* the weights before the step being taken */
} params;

static void params_add(params *ps, rt_tensor t, unsigned j, int is_bias)
{
    ps->proj[ps->n] = j;
    ps->is_bias[ps->n] = is_bias;
    ps->t[ps->n++] = t;
}

static int params_init(params *ps, const rt_run_desc *d, rt_net *net)
{
    memset(ps, 0, sizeof *ps);
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *rp = &d->net.projs[j];
        if (!rp->trainable)
            continue;
        params_add(ps, rt_weights_tensor(d, net, j), j, 0);
        if (rp->bias)
            params_add(ps, (rt_tensor){rt_net_bias(net, j), rt_net_bias_grad(net, j), rp->n_post, -INFINITY,
                                       INFINITY, NULL, NULL, 0}, j, 1);
    }
    for (size_t i = 0; i < ps->n; i++)
        if (!(ps->backup[i] = malloc(ps->t[i].count * elem_size(d) + 1)))
            return -1;
    return 0;
}

static void params_save(params *ps, const rt_run_desc *d)
{
    for (size_t i = 0; i < ps->n; i++)
        memcpy(ps->backup[i], ps->t[i].data, ps->t[i].count * elem_size(d));
}

static void params_restore(params *ps, const rt_run_desc *d)
{
    for (size_t i = 0; i < ps->n; i++)
        memcpy(ps->t[i].data, ps->backup[i], ps->t[i].count * elem_size(d));
}

/* The first tensor with a non-finite entry in its values (GRAD 0) or its
 * gradient (GRAD 1), or -1 when all are finite. */
static int params_non_finite(const params *ps, const rt_run_desc *d, int grad)
{
    for (size_t i = 0; i < ps->n; i++) {
        const void *v = grad ? ps->t[i].grad : ps->t[i].data;
        for (size_t k = 0; k < ps->t[i].count; k++)
            if (!isfinite(rt_real_get(d->net.is_double, v, k)))
                return (int)i;
    }
    return -1;
}

static void params_free(params *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->backup[i]);
}

/* ------------------------------------------------------------ evaluation */

/* The batch's accuracy (rt_accuracy.h) added to CORRECT and COUNTED;
 * with TRIALS, each trial's outcome. */
static void count_accuracy(rt_session *s, double *correct, double *counted, rt_trial_accuracy *trials)
{
    const rt_run_desc *d = s->d;
    if (d->accuracy == RT_ACCURACY_NONE || d->accuracy_readout < 0)
        return;
    unsigned r = (unsigned)d->accuracy_readout;
    rt_accuracy_def def = {d->accuracy, d->accuracy_phase, d->accuracy_level};
    const double *condition = condition_size(d) == 1 ? s->b.conditions : NULL;
    rt_accuracy_count(&def, d->net.is_double, s->b.T, s->b.B, d->net.pops[d->net.readouts[r]].n,
                      rt_net_output_history(s->net, d->net.readouts[r], 0), s->b.targets[r], s->b.mask,
                      s->b.phases, condition, correct, counted, trials);
}

int rt_session_eval_batch(rt_session *s, size_t k, double sigma, uint64_t key, char *err, size_t err_size)
{
    const rt_run_desc *d = s->d;
    size_t B = s->b.B, T = s->b.T;
    uint64_t *trials = malloc(B * sizeof *trials);
    if (!trials)
        return rt_error(err, err_size, "out of memory");
    for (size_t i = 0; i < B; i++)
        trials[i] = RT_EVAL_TRIAL_BASE + k * B + i;
    int rc = make_batch(s, trials, err, err_size);
    free(trials);
    if (rc != 0)
        return -1;
    if (sigma > 0)
        s->b.filled = 0;   /* the inputs differ from the task's: the next batch regenerates them */
    int is_double = d->net.is_double;
    for (unsigned in = 0; in < d->net.n_inputs && sigma > 0; in++) {
        void *x = rt_net_input(s->net, in);
        size_t count = T * B * d->net.input_sizes[in];
        uint64_t stream = rt_rng_stream(key, in);
        for (size_t i = 0; i < count; i++)
            rt_real_put(is_double, x, i,
                        rt_real_get(is_double, x, i) + sigma * rt_rng_normal(d->settings.seed, stream, k * count + i));
    }
    double start = now_s();
    rt_net_forward(s->net);
    s->forward_seconds += now_s() - start;
    if (s->spikes)
        rt_spike_stats_add(s->spikes, &d->net, s->net, d->dt);
    return 0;
}

int rt_session_eval_trials(rt_session *s, double sigma, uint64_t key, const rt_outdir *out, double *loss,
                           double *accuracy, rt_trial_accuracy *trials, char *err, size_t err_size)
{
    const rt_run_desc *d = s->d;
    size_t batches = d->settings.eval_trials / s->b.B;
    double sum = 0, correct = 0, counted = 0;
    for (size_t k = 0; k < batches; k++) {
        if (rt_session_stopped(s)) {
            *loss = *accuracy = NAN;
            return 1;
        }
        if (rt_session_eval_batch(s, k, sigma, key, err, err_size) != 0)
            return -1;
        sum += rt_net_loss(s->net, d->settings.loss, (const void *const *)s->b.targets, s->b.mask) / (double)batches;
        count_accuracy(s, &correct, &counted, trials ? trials + k * s->b.B : NULL);
        if (k == 0 && out && rt_results_eval(s, out, err, err_size) != 0)
            return -1;
    }
    *loss = d->net.n_readouts ? sum : NAN;   /* a network without readouts has no loss */
    *accuracy = counted > 0 ? correct / counted : NAN;
    return 0;
}

int rt_session_eval_all(rt_session *s, double sigma, uint64_t key, const rt_outdir *out, double *loss,
                        double *accuracy, char *err, size_t err_size)
{
    return rt_session_eval_trials(s, sigma, key, out, loss, accuracy, NULL, err, err_size);
}

/* ------------------------------------------------------------ training */

int rt_run_spiking(const rt_run_desc *d, unsigned i)
{
    for (unsigned r = 0; r < d->net.n_readouts; r++)
        if (d->net.readouts[r] == i)
            return 0;
    return d->net.pops[i].spiking;
}

/* The population whose outputs went non-finite first, for the message. */
static const char *non_finite_population(const rt_run_desc *d, rt_net *net)
{
    size_t T = rt_net_steps(net), B = rt_net_batch(net);
    for (size_t t = 0; t < T; t++)
        for (unsigned i = 0; i < d->net.n_pops; i++) {
            const void *y = rt_net_output_history(net, i, 0);
            size_t n = d->net.pops[i].n;
            for (size_t k = 0; k < B * n; k++)
                if (!isfinite(rt_real_get(d->net.is_double, y, t * B * n + k)))
                    return d->net.pops[i].name;
        }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of X[0 .. N) (N > 0; X is sorted in place). */
static double median(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* The mean firing rate (Hz) of the populations that spike, over the
 * batch just run; NAN if none does. */
static double spike_rate_hz(const rt_run_desc *d, const rt_net *net)
{
    size_t T = rt_net_steps(net), B = rt_net_batch(net);
    double sum = 0, count = 0;
    for (unsigned i = 0; i < d->net.n_pops; i++) {
        if (!rt_run_spiking(d, i))
            continue;
        size_t m = T * B * d->net.pops[i].n;
        const void *z = rt_net_state_history(net, i, d->net.pops[i].spike_state);
        for (size_t k = 0; k < m; k++)
            sum += rt_real_get(d->net.is_double, z, k);
        count += (double)m;
    }
    return count > 0 ? sum / count / d->dt : NAN;
}

typedef struct loop {
    rt_session *s;
    const rt_data_parallel *dp;     /* NULL: trained by this process alone */
    int stopped;                    /* another process of DP was stopped (Ctrl-C) */
    int failed;                     /* DP: a file of this process could not be written (ERR says
                                       why); told to the others in the next update's first sum */
    double *dp_sums;                /* DP: the gradients' sum, made in loop_open */
    const rt_outdir *out;
    FILE *csv;
    volatile sig_atomic_t *stop;
    const rt_progress *progress;
    rt_run_result *res;
    params ps;
    rt_optim *opt;
    uint64_t *perm, *trials;
    double *times, *steps;          /* per update: the whole of it; without task generation */
    rt_train_records *records;      /* the records 'in training' */
} loop;

/* "weights x -> h" or "bias of x -> h": tensor I, for a message. */
static const char *tensor_name(const params *ps, const rt_run_desc *d, int i, char *out, size_t size)
{
    snprintf(out, size, "%s%s", ps->is_bias[i] ? "bias of " : "weights ", d->net.projs[ps->proj[i]].name);
    return out;
}

/* Whether tensor I holds a NaN in its values (GRAD 0) or its gradient. */
static int tensor_has_nan(const params *ps, const rt_run_desc *d, int i, int grad)
{
    const void *v = grad ? ps->t[i].grad : ps->t[i].data;
    for (size_t k = 0; k < ps->t[i].count; k++)
        if (isnan(rt_real_get(d->net.is_double, v, k)))
            return 1;
    return 0;
}

/* Update U (from 0) found WHAT ("loss", "gradient" or "weights") non-finite,
 * as PHRASE says: training stops with the weights after update U - 1 (the
 * initial ones when U is 0), which the network holds; the message says so. */
static void stop_non_finite(loop *L, size_t u, const char *what, const char *phrase)
{
    const rt_run_desc *d = L->s->d;
    const char *pop = non_finite_population(d, L->s->net);
    char where[200] = "", kept[64] = "the initial weights were kept";
    if (pop)
        snprintf(where, sizeof where, " (population '%s' went non-finite first)", pop);
    if (u > 0)
        snprintf(kept, sizeof kept, "the weights after update %zu were kept", u);
    snprintf(L->res->message, sizeof L->res->message, "update %zu: %s%s; training stopped and %s", u + 1, phrase,
             where, kept);
    snprintf(L->res->non_finite, sizeof L->res->non_finite, "%s", what);
    L->res->status = RT_RUN_STOPPED_NON_FINITE;
}

/* A non-finite loss or gradient at update U: the step is not taken. */
static void stop_before_step(loop *L, size_t u, double loss, double norm)
{
    const rt_run_desc *d = L->s->d;
    char phrase[256], name[160];
    if (!isfinite(loss)) {
        snprintf(phrase, sizeof phrase, "the loss is %s", isnan(loss) ? "NaN" : "infinite");
        stop_non_finite(L, u, "loss", phrase);
        return;
    }
    int i = params_non_finite(&L->ps, d, 1);
    if (i < 0)   /* finite entries whose sum of squares overflows */
        snprintf(phrase, sizeof phrase, "the loss is %.6g but the gradient's norm is %s", loss,
                 isnan(norm) ? "NaN" : "infinite");
    else
        snprintf(phrase, sizeof phrase, "the loss is %.6g but the gradient of the %s is %s", loss,
                 tensor_name(&L->ps, d, i, name, sizeof name), tensor_has_nan(&L->ps, d, i, 1) ? "NaN" : "infinite");
    stop_non_finite(L, u, "gradient", phrase);
}

/* The optimiser's step of update U, undone if it made a weight non-finite:
 * 1 when it was kept, 0 when it was undone and training stops. */
static int step(loop *L, size_t u)
{
    const rt_run_desc *d = L->s->d;
    params_save(&L->ps, d);
    rt_optim_step(L->opt, L->ps.t, L->ps.n);
    int i = params_non_finite(&L->ps, d, 0);
    if (i < 0)
        return 1;
    char phrase[256], name[160];
    snprintf(phrase, sizeof phrase, "the optimiser's step made the %s %s, so it was undone",
             tensor_name(&L->ps, d, i, name, sizeof name), tensor_has_nan(&L->ps, d, i, 0) ? "NaN" : "infinite");
    params_restore(&L->ps, d);
    stop_non_finite(L, u, "weights", phrase);
    return 0;
}

/* ------------------------------------------------------------ data-parallel training */

/* The first sum of every update (rt_data_parallel): each process's flags
 * and its share of the numbers one process would compute from the whole
 * batch. A process's loss L_r over its rows is N_r / D_r, D_r being what
 * the loss divides by (loss_normaliser); the batch's is sum N_r / sum D_r
 * = sum (D_r / D) L_r. The regularisers and the rate are means over the
 * batch's trials (rt_net.h), hence sum (B_r / B) x_r, plus the L2 weight
 * regulariser, the same in every process, which those weights sum to. */
enum { DP_FAILED, DP_STOP, DP_NORM, DP_LOSS, DP_REG, DP_RATE, DP_SMALL };

/* What the loss of the batch in S divides by (rt_net.h, rt_net_loss),
 * over this process's rows: the trials (sum_squared), the mask's sum
 * (mse) or sum m sum_k w_k y*_k (cross_entropy). */
static double loss_normaliser(const rt_session *s)
{
    const rt_run_desc *d = s->d;
    size_t rows = s->b.T * s->b.B;
    double sum = 0;
    if (d->settings.loss == RT_LOSS_SUM_SQUARED)
        return (double)s->b.B;
    if (d->settings.loss == RT_LOSS_MSE) {
        for (size_t r = 0; r < rows; r++)
            sum += s->b.mask[r];
        return sum;
    }
    for (unsigned k = 0; k < d->net.n_readouts; k++) {
        size_t n = d->net.pops[d->net.readouts[k]].n;
        const double *w = d->net.class_weights ? d->net.class_weights[k] : NULL;
        for (size_t r = 0; r < rows; r++)
            for (size_t i = 0; s->b.mask[r] != 0 && i < n; i++)
                sum += s->b.mask[r] * (w ? w[i] : 1) * rt_real_get(d->net.is_double, s->b.targets[k], r * n + i);
    }
    return sum;
}

/* Whether a regulariser of D is a mean over the batch's trials (the rate
 * and L2 firing-rate regularisers), so that its gradient must be weighted
 * by the trials' share, not the loss's (see dp_sum_gradients). */
static int batch_mean_regulariser(const rt_run_desc *d)
{
    for (unsigned i = 0; i < d->net.n_pops; i++)
        if (d->net.pops[i].rate_c > 0 || d->net.pops[i].rate_l2_c > 0)
            return 1;
    return 0;
}

/* The first sum of update U: this process's share (MADE: 0, or its batch
 * could not be made, the reason in ERR) in, the whole batch's LOSS, REG
 * and RATE out, and this process's WEIGHT (D_r / D) for its gradients. 1
 * when the update goes on, 0 when training stops (Ctrl-C in any process),
 * -1 on an error (in this process or another: every process returns it). */
static int dp_share_losses(loop *L, int made, double *loss, double *reg, double *rate, double *weight, char *err,
                           size_t err_size)
{
    const rt_run_desc *d = L->s->d;
    double trials = (double)L->s->b.B / (double)d->settings.batch, v[DP_SMALL] = {0};
    v[DP_FAILED] = made != 0;
    v[DP_STOP] = *L->stop != 0;
    if (made == 0) {
        v[DP_NORM] = loss_normaliser(L->s);
        v[DP_LOSS] = v[DP_NORM] > 0 ? v[DP_NORM] * *loss : 0;   /* a share that counts nothing adds nothing */
        v[DP_REG] = trials * *reg;
        v[DP_RATE] = trials * *rate;
    }
    double mine = v[DP_NORM];
    v[DP_FAILED] += L->failed;
    if (L->dp->sum(L->dp->ctx, v, DP_SMALL) != 0)
        return rt_error(err, err_size, "data-parallel training: the processes could not exchange the losses");
    if (v[DP_FAILED] > 0)   /* this process's own error is in ERR already */
        return made || L->failed ? -1 : rt_error(err, err_size, "data-parallel training: another process failed");
    if (v[DP_STOP] > 0) {
        L->stopped = 1;
        return 0;
    }
    *loss = v[DP_NORM] > 0 ? v[DP_LOSS] / v[DP_NORM] : 0;
    *reg = v[DP_REG];
    *rate = v[DP_RATE];
    *weight = v[DP_NORM] > 0 ? mine / v[DP_NORM] : trials;
    return 1;
}

/* The entries of the gradients' sum: every gradient, and a flag. */
static size_t dp_count(const params *ps)
{
    size_t count = 1;
    for (size_t i = 0; i < ps->n; i++)
        count += ps->t[i].count;
    return count;
}

/* The second sum: every gradient times this process's WEIGHT, summed over
 * the processes into each one's gradients (in doubles, then rounded to
 * the network's precision). A batch-mean regulariser's gradient has the
 * trials' share as its weight, so it is exact only where that equals the
 * loss's (a mask the same in every trial): the last entry counts the
 * processes where it is not, and training then fails in every process. */
static int dp_sum_gradients(loop *L, double weight, char *err, size_t err_size)
{
    const rt_run_desc *d = L->s->d;
    size_t count = dp_count(&L->ps), at = 0;
    double *g = L->dp_sums, trials = (double)L->s->b.B / (double)d->settings.batch;
    for (size_t i = 0; i < L->ps.n; i++)
        for (size_t k = 0; k < L->ps.t[i].count; k++)
            g[at++] = weight * rt_real_get(d->net.is_double, L->ps.t[i].grad, k);
    g[at] = batch_mean_regulariser(d) && fabs(weight - trials) > 1e-12 * trials;
    int rc = L->dp->sum(L->dp->ctx, g, count);
    if (rc == 0 && g[at] > 0)
        rc = rt_error(err, err_size, "data-parallel training: the loss mask is not spread over the processes "
                                     "as the trials are (trials of different lengths), so the firing-rate "
                                     "regulariser's gradient cannot be split exactly; train this model in one process");
    else if (rc != 0)
        rt_error(err, err_size, "data-parallel training: the processes could not exchange the gradients");
    at = 0;
    for (size_t i = 0; rc == 0 && i < L->ps.n; i++)
        for (size_t k = 0; k < L->ps.t[i].count; k++)
            rt_real_put(d->net.is_double, L->ps.t[i].grad, k, g[at++]);
    return rc;
}

/* Before the first update: every process says whether it is ready (RC 0);
 * RC, or -1 when another process is not. */
static int dp_ready(loop *L, int rc, char *err, size_t err_size)
{
    double v[DP_SMALL] = {[DP_FAILED] = rc != 0};
    if (L->dp->sum(L->dp->ctx, v, DP_SMALL) != 0)
        return rt_error(err, err_size, "data-parallel training: the processes could not reach each other");
    if (rc == 0 && v[DP_FAILED] > 0)
        return rt_error(err, err_size, "data-parallel training: another process could not start");
    return rc;
}

int rt_data_parallel_fail(const rt_data_parallel *dp)
{
    double v[DP_SMALL] = {[DP_FAILED] = 1};
    return dp->sum(dp->ctx, v, DP_SMALL);
}

/* Which columns loss.csv has besides update, epoch, loss, grad_norm and
 * seconds: rate_hz with a spiking population (or the rate regulariser),
 * reg_loss then and with any regulariser (REGULARISED: there is one, and
 * summary.json reports its loss). */
typedef struct csv_columns {
    int rate, reg, regularised;
} csv_columns;

static csv_columns loss_columns(const rt_run_desc *d)
{
    csv_columns c = {0, 0, 0};
    for (unsigned i = 0; i < d->net.n_pops; i++) {
        c.rate |= d->net.pops[i].rate_c > 0 || rt_run_spiking(d, i);
        c.regularised |= d->net.pops[i].rate_c > 0 || d->net.pops[i].rate_l2_c > 0;
    }
    for (unsigned j = 0; j < d->net.n_projs; j++)
        c.regularised |= d->net.projs[j].l2_c > 0;
    c.reg = c.rate || c.regularised;
    return c;
}

/* One update's row of loss.csv and its numbers in RES. */
/* The mean squared error of the readouts over steps [T0, T1) of the batch
 * in S's network, where the mask counts (0 where it counts none): the mse
 * of rt_net_loss restricted to those steps. */
static double window_mse(const rt_session *s, size_t t0, size_t t1)
{
    const rt_run_desc *d = s->d;
    size_t B = s->b.B;
    double mask_sum = 0, loss = 0;
    for (size_t row = t0 * B; row < t1 * B; row++)
        mask_sum += s->b.mask[row];
    if (mask_sum <= 0)
        return 0;
    for (unsigned r = 0; r < d->net.n_readouts; r++) {
        size_t n = d->net.pops[d->net.readouts[r]].n;
        const void *y = rt_net_output_history(s->net, d->net.readouts[r], 0);
        for (size_t row = t0 * B; row < t1 * B; row++) {
            double m = s->b.mask[row];
            for (size_t i = 0; m != 0 && i < n; i++) {
                double e = rt_real_get(d->net.is_double, y, row * n + i) -
                           rt_real_get(d->net.is_double, s->b.targets[r], row * n + i);
                loss += m * e * e / ((double)n * mask_sum);
            }
        }
    }
    return loss;
}

static void log_update(const rt_session *s, FILE *csv, csv_columns cols, size_t u, double loss, double norm,
                       double rate, double reg, double seconds, rt_run_result *res)
{
    const rt_run_desc *d = s->d;
    size_t every = d->settings.loss_every, T = s->b.T, blocks = every ? (T + every - 1) / every : 1;
    for (size_t k = 0; k < blocks; k++) {
        fprintf(csv, "%zu,%zu", u + 1, u / d->settings.updates_per_epoch + 1);
        if (every)
            fprintf(csv, ",%zu,%.15g", k + 1, window_mse(s, k * every, (k + 1) * every < T ? (k + 1) * every : T));
        else
            fprintf(csv, ",%.15g", loss);
        fprintf(csv, ",%.9g,%.6f", norm, seconds);
        if (cols.rate)
            fprintf(csv, ",%.6g", rate);
        if (cols.reg)
            fprintf(csv, ",%.9g", reg);
        fputc('\n', csv);
    }
    if (res->updates_done == 0) {
        res->first_loss = loss;
        res->first_rate_hz = rate;
        res->first_reg_loss = cols.regularised ? reg : NAN;
    }
    res->updates_done = u + 1;
    res->final_train_loss = loss;
    res->final_rate_hz = rate;
    res->final_reg_loss = cols.regularised ? reg : NAN;
}

static int loop_open(loop *L, char *err, size_t err_size)
{
    const rt_run_desc *d = L->s->d;
    size_t U = d->settings.updates, S = d->settings.updates_per_epoch * d->settings.batch;
    L->perm = malloc(S * sizeof *L->perm + 1);
    L->trials = malloc(d->settings.batch * sizeof *L->trials);
    L->times = malloc(2 * (U + 1) * sizeof *L->times);
    L->steps = L->times ? L->times + U + 1 : NULL;
    L->records = rt_train_records_new(L->s);
    if (!L->perm || !L->trials || !L->times || !L->records || params_init(&L->ps, d, L->s->net) != 0)
        return rt_error(err, err_size, "out of memory for %zu updates", U);
    L->opt = rt_optim_new(&d->settings.optim, L->ps.t, L->ps.n, d->net.is_double);
    if (!L->opt)
        return rt_error(err, err_size, "the optimiser's settings are invalid");
    if (L->dp && !(L->dp_sums = malloc(dp_count(&L->ps) * sizeof *L->dp_sums)))
        return rt_error(err, err_size, "out of memory for the gradients' sum");
    return 0;
}

static void loop_close(loop *L)
{
    rt_optim_free(L->opt);
    params_free(&L->ps);
    free(L->perm);
    free(L->trials);
    free(L->times);
    free(L->dp_sums);
    rt_train_records_free(L->records);
}

/* e-prop's online updates inside the sequences (settings.update_every):
 * after each segment of K steps, the gradient of that segment's loss over
 * the steps so far (e-prop's backward filter over [0, t] with the learning
 * signal of the segment alone is the segment's sum of learning signal
 * times eligibility trace, the traces carried from the sequence's start),
 * then an optimiser step the next steps use. */
typedef struct online {
    loop *L;
    size_t u, from;                 /* the update, the segment's first step */
    double *mask;                   /* the segment's mask: the batch's, 0 outside */
    double norm;                    /* the last segment's gradient norm */
    int stopped;                    /* a segment went non-finite: its step was not made */
} online;

static void online_segment(void *ctx, size_t t)
{
    online *o = ctx;
    rt_session *s = o->L->s;
    const rt_run_desc *d = s->d;
    size_t T = s->b.T, B = s->b.B, every = d->settings.update_every;
    if (o->stopped || ((t + 1) % every != 0 && t + 1 != T))
        return;
    size_t rows = (t + 1 - o->from) * B;   /* the segment's: the mask is 0 elsewhere */
    memcpy(o->mask + o->from * B, s->b.mask + o->from * B, rows * sizeof *o->mask);
    size_t steps = rt_net_limit_steps(s->net, t + 1);
    double loss = rt_net_loss(s->net, d->settings.loss, (const void *const *)s->b.targets, o->mask);
    rt_net_backward(s->net);
    rt_net_limit_steps(s->net, steps);
    memset(o->mask + o->from * B, 0, rows * sizeof *o->mask);
    o->norm = rt_optim_grad_norm(o->L->opt, o->L->ps.t, o->L->ps.n);
    if (!isfinite(loss) || !isfinite(o->norm) || !step(o->L, o->u)) {
        o->stopped = 1;
        return;
    }
    rt_net_weights_changed(s->net);
    o->from = t + 1;
}

static int finish_update(loop *L, size_t u, csv_columns cols, double start, double *mark, double t0, double loss,
                         double norm, double rate, double reg);

/* What acts between the steps of a training batch: the plasticity rules,
 * then e-prop's online update when a segment ends (either may be NULL). */
typedef struct between {
    rt_plastic *plastic;
    online *online;
} between;

static void between_steps(void *ctx, size_t t)
{
    between *w = ctx;
    if (w->plastic)
        rt_plastic_step(w->plastic, t);
    if (w->online)
        online_segment(w->online, t);
}

/* Update U: 1 when training goes on, 0 when it stopped, -1 on an error. */
static int update(loop *L, size_t u, csv_columns cols, double start, char *err, size_t err_size)
{
    rt_session *s = L->s;
    const rt_run_desc *d = s->d;
    double t0 = now_s(), mark[RT_PHASES + 1] = {t0};
    training_trials(d, u, L->perm, d->settings.updates_per_epoch * d->settings.batch, L->trials);
    /* data-parallel: this process's rows of the batch, the same trial ids */
    int made = make_batch(s, L->trials + (L->dp ? L->dp->row_lo : 0), err, err_size);
    if (made != 0 && !L->dp)
        return -1;
    mark[1] = now_s();
    double loss = NAN, reg = NAN, rate = NAN, weight = 1;
    /* online e-prop: optimiser steps inside the sequences (data-parallel runs refuse it) */
    online o = {.L = L, .u = u};
    int is_online = d->settings.update_every && L->ps.n > 0;
    if (made == 0) {
        between w = {s->plastic, is_online ? &o : NULL};
        if (is_online && !(o.mask = calloc(s->b.T * s->b.B + 1, sizeof *o.mask)))
            return rt_error(err, err_size, "out of memory");
        if (s->plastic && (!d->settings.continuous || u == 0))
            rt_plastic_begin(s->plastic);
        if (w.plastic || w.online)   /* the weights change between steps */
            rt_net_forward_stepwise(s->net, between_steps, &w);
        else
            rt_net_forward(s->net);
        free(o.mask);
        loss = rt_net_loss(s->net, d->settings.loss, (const void *const *)s->b.targets, s->b.mask);
        reg = rt_net_reg_loss(s->net);
        rate = cols.rate ? spike_rate_hz(d, s->net) : NAN;
        rt_train_records_keep(L->records, s, u);
    }
    mark[2] = now_s();
    if (L->dp) {   /* the whole batch's loss, regulariser and rate, in every process */
        int go = dp_share_losses(L, made, &loss, &reg, &rate, &weight, err, err_size);
        if (go <= 0)
            return go;
    }
    size_t saved = s->b.B < RT_TRIALS_SAVED ? s->b.B : RT_TRIALS_SAVED;
    if (u == 0 && rt_results_readouts(s, L->out, RT_FILE_INITIAL_OUTPUTS, RT_FILE_INITIAL_TARGETS, saved, err,
                                      err_size) != 0) {
        if (!L->dp)
            return -1;
        L->failed = 1;   /* data-parallel: the others stop with it at the next sum, not stuck in this one */
    }
    mark[3] = mark[4] = now_s();
    if (is_online) {   /* the steps are made: each segment's, inside the forward pass */
        if (o.stopped) {
            stop_before_step(L, u, loss + reg, o.norm);
            return 0;
        }
        return finish_update(L, u, cols, start, mark, t0, loss, o.norm, rate, reg);
    }
    double norm = NAN;
    if (isfinite(loss + reg) && L->ps.n == 0) {
        norm = 0;   /* nothing learns by gradient (learn local): no backward pass */
    } else if (isfinite(loss + reg)) {
        rt_net_backward(s->net);
        if (L->dp && dp_sum_gradients(L, weight, err, err_size) != 0)
            return -1;
        mark[4] = now_s();
        norm = rt_optim_grad_norm(L->opt, L->ps.t, L->ps.n);
    }
    if (!isfinite(loss + reg) || !isfinite(norm)) {
        stop_before_step(L, u, loss + reg, norm);
        return 0;
    }
    if (L->ps.n > 0 && !step(L, u))
        return 0;
    return finish_update(L, u, cols, start, mark, t0, loss, norm, rate, reg);
}

/* The update's times, its loss.csv rows, the progress line and early stopping. */
static int finish_update(loop *L, size_t u, csv_columns cols, double start, double *mark, double t0, double loss,
                         double norm, double rate, double reg)
{
    rt_session *s = L->s;
    const rt_run_desc *d = s->d;
    rt_run_result *res = L->res;
    mark[5] = now_s();
    L->times[u] = mark[5] - t0;
    L->steps[u] = mark[5] - mark[1];
    for (int k = 0; k < RT_PHASES; k++)
        res->phase_ms[k] += 1e3 * (mark[k + 1] - mark[k]);
    log_update(s, L->csv, cols, u, loss, norm, rate, reg, now_s() - start, res);
    if (L->progress && L->progress->update)
        L->progress->update(L->progress->ctx, u, d->settings.updates, d->settings.updates_per_epoch, loss,
                            now_s() - start);
    if (d->settings.early_stop > 0 && loss < d->settings.early_stop) {
        res->status = RT_RUN_EARLY_STOPPED;
        return 0;
    }
    return 1;
}

static int train_loop(loop *L, char *err, size_t err_size)
{
    const rt_run_desc *d = L->s->d;
    rt_run_result *res = L->res;
    int rc = loop_open(L, err, err_size);
    csv_columns cols = loss_columns(d);
    fprintf(L->csv, "update,epoch,%sloss,grad_norm,seconds%s%s\n", d->settings.loss_every ? "block," : "",
            cols.rate ? ",rate_hz" : "",
            cols.reg ? ",reg_loss" : "");
    if (L->dp)   /* no process starts unless every one could */
        rc = dp_ready(L, rc, err, err_size);
    double start = now_s();
    /* data-parallel: a stop is seen by every process at once, in the update's first sum */
    for (size_t u = 0; rc == 0 && u < d->settings.updates && (L->dp || !*L->stop); u++) {
        int go = update(L, u, cols, start, err, err_size);
        if (go <= 0)
            rc = go < 0 ? -1 : 1;
    }
    res->train_seconds = now_s() - start;
    if (rc >= 0 && res->updates_done && rt_train_records_write(L->records, L->s, L->out, err, err_size) != 0)
        rc = -1;
    if (res->updates_done) {
        size_t n = res->updates_done;
        res->seconds_per_update_median = median(L->times, n);
        res->step_seconds_median = median(L->steps, n);
        for (int k = 0; k < RT_PHASES; k++)
            res->phase_ms[k] /= (double)n;
    }
    if ((*L->stop || L->stopped) && res->status != RT_RUN_STOPPED_NON_FINITE)
        res->status = RT_RUN_INTERRUPTED;
    loop_close(L);
    return rc < 0 || L->failed ? -1 : 0;
}

/* ------------------------------------------------------------ sessions and runs */

void rt_session_close(rt_session *s)
{
    batch_free(&s->b);
    rt_plastic_free(s->plastic);
    rt_net_free(s->net);
    rt_pool_free(s->pool);
}

/* A session of ROWS trials per batch: the batch, or (data-parallel
 * training) this process's share of it. */
static int session_open(rt_session *s, const rt_run_desc *d, size_t rows, char *err, size_t err_size)
{
    memset(s, 0, sizeof *s);
    s->d = d;
    /* OpenBLAS runs single-threaded inside our own threads: how work is cut
     * then never depends on the thread count (see rt_pool.h). */
    rt_blas_serial();
    int threads = d->settings.threads > 0 ? d->settings.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    s->pool = rt_pool_new(threads > 0 ? threads : 1);
    rt_keep keep[RT_MAX_POPS];
    rt_net_desc nd = rt_run_net_desc(d, keep);   /* what the run reads whole, the rest trimmed */
    s->net = s->pool ? rt_net_new_on(&nd, rows, d->task.steps, s->pool, err, err_size) : NULL;
    if (!s->pool)
        rt_error(err, err_size, "out of memory for %d threads", threads);
    if (s->net)
        rt_net_continue(s->net, d->settings.continuous);
    if (!s->pool || !s->net) {
        /* the message is rt_net_new_on's */
    } else if (batch_init(&s->b, d, rows) != 0) {
        rt_error(err, err_size, "out of memory for a batch of %zu trials of %zu steps", rows, d->task.steps);
    } else if (d->settings.train && d->n_plastic && !(s->plastic = rt_plastic_new(d, s->net, s->pool))) {
        rt_error(err, err_size, "out of memory for the plasticity rules' traces");
    } else if (rt_weights_init(d, s->net, err, err_size) == 0) {
        return 0;
    }
    rt_session_close(s);
    return -1;
}

int rt_session_open(rt_session *s, const rt_run_desc *d, char *err, size_t err_size)
{
    return session_open(s, d, d->settings.batch, err, err_size);
}

/* Data-parallel training done, in the evaluating process: S (a session of
 * its share of the batch) replaced by a session of the whole batch with
 * S's trained weights and biases, so that the evaluation and the analyses
 * are those of one process. 0, or -1 with S unchanged. */
static int dp_whole_batch(rt_session *s, char *err, size_t err_size)
{
    const rt_run_desc *d = s->d;
    rt_session whole;
    if (rt_session_open(&whole, d, err, err_size) != 0)
        return -1;
    for (unsigned j = 0; j < d->net.n_projs; j++) {
        const rt_proj *pr = &d->net.projs[j];
        memcpy(rt_net_weights(whole.net, j), rt_net_weights(s->net, j), pr->n_post * pr->n_pre * elem_size(d));
        if (pr->bias)
            memcpy(rt_net_bias(whole.net, j), rt_net_bias(s->net, j), pr->n_post * elem_size(d));
    }
    whole.stop = s->stop;
    rt_session_close(s);
    *s = whole;
    return 0;
}

static void result_init(rt_run_result *res, const rt_run_desc *d)
{
    memset(res, 0, sizeof *res);
    res->status = d->settings.train ? RT_RUN_TRAINED : RT_RUN_EVALUATED;
    res->first_loss = res->final_train_loss = res->eval_loss = res->eval_accuracy = NAN;
    res->first_rate_hz = res->final_rate_hz = NAN;
    res->first_reg_loss = res->final_reg_loss = NAN;
    res->failed_analysis = -1;
}

void rt_run_result_free(rt_run_result *r)
{
    json_decref(r->analysis);
    r->analysis = NULL;
}

/* The analyses; one that fails is reported in RES and does not fail the run. */
static void analyse(rt_session *s, const rt_outdir *out, rt_run_result *res)
{
    int rc = s->d->n_analyses ? rt_analyze(s, out, &res->analysis, &res->failed_analysis,
                                           &res->analysis_write_failed, res->analysis_error,
                                           sizeof res->analysis_error)
                              : 0;
    if (rc < 0) {
        json_decref(res->analysis);
        res->analysis = NULL;
    } else if (rc > 0) {
        res->status = RT_RUN_INTERRUPTED;
    }
}

static int write_text(const rt_outdir *out, const char *name, const char *text, char *err, size_t err_size)
{
    if (rt_outdir_write_text(out, name, text) != 0)
        return rt_error(err, err_size, "cannot write %s: %s", name, strerror(errno));
    return 0;
}

int rt_run_train(const rt_run_desc *d, const rt_outdir *out, volatile sig_atomic_t *stop,
                 const rt_progress *progress, rt_run_result *res, char *err, size_t err_size)
{
    result_init(res, d);
    static volatile sig_atomic_t never;
    const rt_data_parallel *dp = d->parallel.row_hi ? &d->parallel : NULL;
    rt_session s;
    if (session_open(&s, d, dp ? dp->row_hi - dp->row_lo : d->settings.batch, err, err_size) != 0)
        return -1;
    char *csv_text = NULL;
    size_t csv_len = 0;
    loop L = {.s = &s, .dp = dp, .out = out, .stop = stop ? stop : &never, .progress = progress, .res = res};
    s.stop = L.stop;   /* the evaluation and the analyses poll it too */
    L.csv = open_memstream(&csv_text, &csv_len);
    int rc = -1;
    if (!L.csv) {
        rt_error(err, err_size, "out of memory");
        goto done;
    }
    if (rt_results_weights(d, s.net, out, RT_WHEN_INITIAL, err, err_size) != 0 || train_loop(&L, err, err_size) != 0)
        goto done;
    fclose(L.csv);
    L.csv = NULL;
    if (write_text(out, RT_FILE_LOSS, csv_text, err, err_size) != 0 ||
        rt_results_weights(d, s.net, out, RT_WHEN_FINAL, err, err_size) != 0)
        goto done;
    if (dp && !dp->evaluate) {   /* another process evaluates the trained network */
        rc = 0;
        goto done;
    }
    if (dp && dp_whole_batch(&s, err, err_size) != 0)
        goto done;
    s.spikes = &res->spikes;
    s.forward_seconds = 0;
    if (res->status != RT_RUN_INTERRUPTED &&
        rt_session_eval_all(&s, 0, 0, out, &res->eval_loss, &res->eval_accuracy, err, err_size) < 0)
        goto done;
    s.spikes = NULL;   /* the analyses' evaluations are not the run's */
    res->eval_forward_seconds = s.forward_seconds;
    if (*L.stop)   /* Ctrl-C during the evaluation: no analyses */
        res->status = RT_RUN_INTERRUPTED;
    if (res->status != RT_RUN_STOPPED_NON_FINITE)
        analyse(&s, out, res);   /* after a stop, only to list them as not done */
    rc = 0;
done:
    if (L.csv)
        fclose(L.csv);
    free(csv_text);
    rt_session_close(&s);
    return rc;
}

int rt_run_reanalyze(const rt_run_desc *d, const char *weights_dir, const rt_outdir *out,
                     volatile sig_atomic_t *stop, rt_run_result *res, char *err, size_t err_size)
{
    result_init(res, d);
    rt_session s;
    if (rt_session_open(&s, d, err, err_size) != 0)   /* the initialisers give the feedback matrices and masks */
        return -1;
    s.stop = stop;
    int rc = rt_weights_load(d, s.net, weights_dir, err, err_size) != 0 ||
                     rt_session_eval_all(&s, 0, 0, NULL, &res->eval_loss, &res->eval_accuracy, err, err_size) < 0
                 ? -1
                 : 0;
    if (rc == 0 && rt_session_stopped(&s))
        res->status = RT_RUN_INTERRUPTED;
    else if (rc == 0)
        analyse(&s, out, res);
    rt_session_close(&s);
    return rc;
}
