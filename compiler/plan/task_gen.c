/* task_gen.c -- the task engine: trials from a checked task definition (see
 * task_gen.h). Expressions are evaluated either as one number per trial
 * (draws, indices, pulse times, conditions) or as a signal of one value per
 * step (what is assigned to a channel). */
#include "task_gen.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_memory.h"
#include "rt_rng.h"
#include "sema.h"
#include "task_smooth.h"

enum { MAX_BOUND = 256, MAX_CALL_ARGS = 64 };

/* The trial id whose draws a 'frozen' block takes, in every trial: above
 * the training ids and the evaluation ids (from 2^40). */
#define TASK_FROZEN_TRIAL UINT64_C(0xF00F00F00F00F00F)

typedef struct gen {
    const task_program *tp;
    uint64_t seed, trial;
    size_t T;                       /* steps of the padded trial */
    size_t w0, w1;                  /* the steps statements write: a phase's, or the whole trial */
    size_t origin;                  /* the step where 't' is 0 and pulse onsets count from */
    size_t cursor;                  /* where the next phase starts */
    double *const *ch;
    double *mask;
    struct { const ast_node *decl; double value; } bound[MAX_BOUND];   /* draws, loop variables, by declaration */
    unsigned n_bound;
    uint64_t context;               /* the enclosing loop iterations, for random streams */
    size_t channel_size;            /* elements of the channel being assigned, for load() */
    double *pool;                   /* scratch signals of T values */
    size_t pool_used, pool_cap;
    diag_ctx *diag;                 /* while the task is prepared: errors go here */
    diag *first;                    /* ... the first of them */
    char *err;                      /* while trials are generated: the first error */
    size_t err_size;
    int failed;
    int checking;                   /* a trial made to check the task, not one a run uses */
} gen;

/* 'trial': the training samples from 0, then the evaluation trials. */
static uint64_t trial_number(const gen *G)
{
    if (G->trial >= RT_EVAL_TRIAL_BASE && G->trial != TASK_FROZEN_TRIAL)
        return G->tp->samples + (G->trial - RT_EVAL_TRIAL_BASE);
    return G->trial == TASK_FROZEN_TRIAL ? 0 : G->trial;
}

/* A trial's error while a run generates trials (on a worker thread), as
 * the diagnostic rnnc check prints: place, message, source line, caret. */
static void describe_error(gen *G, src_loc loc, const char *message)
{
    arena a;
    arena_init(&a);
    diag_ctx d;
    diag_init(&d, &a, &G->tp->fe->sources);
    diag_error(&d, loc, "%s", message);
    FILE *out = fmemopen(G->err, G->err_size, "w");
    if (out) {
        diag_print(&d, out, 0);
        fclose(out);
        size_t n = strlen(G->err);
        if (n > 0 && G->err[n - 1] == '\n')
            G->err[n - 1] = '\0';
    } else {
        snprintf(G->err, G->err_size, "%s", message);
    }
    arena_free(&a);
}

static diag *fail(gen *G, const ast_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Returns the diagnostic while the task is prepared, for a hint; else NULL. */
static diag *fail(gen *G, const ast_node *at, const char *fmt, ...)
{
    if (G->failed++ && !G->diag)
        return NULL;   /* a trial keeps its first error */
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    src_loc loc = at ? at->loc : (src_loc){0, 0, 0, 0};
    if (G->diag) {
        diag *g = diag_error(G->diag, loc, "%s", message);
        G->first = G->first ? G->first : g;
        return g;
    }
    describe_error(G, loc, message);
    return NULL;
}

/* ------------------------------------------------------------ names */

static const const_binding *find_arg(const task_program *tp, const char *name)
{
    for (unsigned i = 0; i < tp->n_args; i++)
        if (strcmp(tp->args[i].name, name) == 0)
            return &tp->args[i];
    return NULL;
}

static int find_bound(const gen *G, const symbol *s, double *out)
{
    if (s->kind != SYM_DRAW && s->kind != SYM_LOOPVAR)
        return 0;
    for (unsigned i = G->n_bound; i-- > 0;)
        if (G->bound[i].decl == s->decl) {
            *out = G->bound[i].value;
            return 1;
        }
    return 0;
}

/* Gives the name declared at DECL (a draw's binding, a for loop) VALUE. */
static void bind(gen *G, const ast_node *decl, double value)
{
    const ast_node *at = decl;
    for (unsigned i = 0; i < G->n_bound; i++)
        if (G->bound[i].decl == decl) {
            G->bound[i].value = value;
            return;
        }
    if (G->n_bound == MAX_BOUND) {
        fail(G, at, "too many drawn values and loop variables (limit %d)", MAX_BOUND);
        return;
    }
    G->bound[G->n_bound].decl = decl;
    G->bound[G->n_bound++].value = value;
}

/* ------------------------------------------------------------ randomness */

/* A random call's stream: its place in the source, the loop iterations
 * around it and the channel element, for this trial. */
static uint64_t call_stream(const gen *G, const ast_node *call, uint64_t element)
{
    uint64_t site = ((uint64_t)call->loc.file << 42) ^ ((uint64_t)call->loc.line << 20) ^ call->loc.col;
    uint64_t where = rt_rng_stream(G->context, element);
    return rt_rng_stream(rt_rng_stream(G->trial, site), where);
}

static int is_time(const ast_node *e);

typedef enum dist { DIST_RANDINT, DIST_UNIFORM, DIST_NORMAL, DIST_CHOICE, DIST_BERNOULLI, DIST_POISSON,
                    DIST_TRUNC_EXP, DIST_POISSON_COUNT, DIST_UNKNOWN } dist;

static dist dist_of(const char *f)
{
    static const char *const names[] = {"randint", "uniform", "normal", "choice", "bernoulli", "poisson",
                                        "trunc_exp", "poisson_count"};
    for (int d = 0; d < DIST_UNKNOWN; d++)
        if (strcmp(f, names[d]) == 0)
            return (dist)d;
    return DIST_UNKNOWN;
}

/* neurogym's TruncExp(mean, lo, hi): an exponential of MEAN drawn until it
 * falls in [lo, hi), and hi when lo >= hi. The same distribution by its
 * inverse CDF from one uniform U: the exponential's CDF F restricted to
 * [F(lo), F(hi)). */
static double trunc_exp(double mean, double lo, double hi, double u)
{
    if (lo >= hi)
        return hi;
    if (!(mean > 0))
        return lo;
    double a = exp(-lo / mean), b = isfinite(hi) ? exp(-hi / mean) : 0;
    double x = -mean * log(a - u * (a - b));
    return x < lo ? lo : x >= hi ? nextafter(hi, lo) : x;
}

static double draw_dist(gen *G, const ast_node *call, dist d, const double *a, unsigned n, uint64_t stream,
                        uint64_t counter)
{
    switch (d) {
    case DIST_RANDINT:   /* [lo, hi], both ends included; times in whole steps */
        if (is_time(call)) {
            double dt = G->tp->dt, lo = ceil(a[0] / dt - 1e-9), hi = floor(a[1] / dt + 1e-9);
            return dt * (double)rt_rng_randint(G->seed, stream, counter, (int64_t)lo, (int64_t)hi + 1);
        }
        return (double)rt_rng_randint(G->seed, stream, counter, (int64_t)a[0], (int64_t)a[1] + 1);
    case DIST_UNIFORM: {
        double lo = n > 0 ? a[0] : 0, hi = n > 1 ? a[1] : 1;
        return lo + (hi - lo) * rt_rng_uniform(G->seed, stream, counter);
    }
    case DIST_NORMAL:
        return (n > 0 ? a[0] : 0) + (n > 1 ? a[1] : 1) * rt_rng_normal(G->seed, stream, counter);
    case DIST_CHOICE:
        if (n == 0)
            break;
        return a[rt_rng_randint(G->seed, stream, counter, 0, n)];
    case DIST_BERNOULLI:
        return rt_rng_uniform(G->seed, stream, counter) < a[0];
    case DIST_POISSON:   /* a spike this step with probability rate * dt */
        return rt_rng_uniform(G->seed, stream, counter) < a[0] * G->tp->dt;
    case DIST_TRUNC_EXP:
        return trunc_exp(a[0], a[1], a[2], rt_rng_uniform(G->seed, stream, counter));
    case DIST_POISSON_COUNT:   /* events this step: Poisson(rate * dt) */
        if (!(a[0] * G->tp->dt <= RT_POISSON_MAX_MEAN))
            break;
        return (double)rt_rng_poisson(G->seed, stream, counter, a[0] * G->tp->dt);
    case DIST_UNKNOWN:
        break;
    }
    if (d == DIST_POISSON_COUNT) {
        fail(G, call, "poisson_count() draws at most %g events per step, and this rate asks for %g",
             RT_POISSON_MAX_MEAN, a[0] * G->tp->dt);
        return 0;
    }
    fail(G, call, "'%s()' is not a random draw the task engine knows", call->name);
    return 0;
}

static double draw(gen *G, const ast_node *call, const double *a, unsigned n, uint64_t stream,
                   uint64_t counter)
{
    return draw_dist(G, call, dist_of(call->name), a, n, stream, counter);
}

/* A fresh draw at every step into S. Normals come two per generator block
 * (steps 2k and 2k + 1 from counter k), which halves their cost. */
static void draw_signal(gen *G, const ast_node *call, const double *a, unsigned n, uint64_t stream, double *s)
{
    dist d = dist_of(call->name);
    if (d != DIST_NORMAL) {
        for (size_t t = 0; t < G->T && !G->failed; t++)
            s[t] = draw_dist(G, call, d, a, n, stream, t);
        return;
    }
    double mean = n > 0 ? a[0] : 0, std = n > 1 ? a[1] : 1;
    for (size_t t = 0; t < G->T; t += 2) {
        double z[2];
        rt_rng_normal_pair(G->seed, stream, t / 2, z);
        s[t] = mean + std * z[0];
        if (t + 1 < G->T)
            s[t + 1] = mean + std * z[1];
    }
}

/* ------------------------------------------------------------ scalars */

static double eval_scalar(gen *G, const ast_node *e);

/* ------------------------------------------------------------ plain numbers as steps */

/* Whether E is known to be a time. */
static int is_time(const ast_node *e)
{
    return e->dim.known && e->dim.e[DIM_TIME] == 1 && e->dim.e[DIM_VOLTAGE] == 0 && e->dim.e[DIM_CURRENT] == 0;
}

/* Whether E is made of plain numbers only: literals without a unit, and
 * names that stand for such (parameters, draws, lets, loop variables),
 * with nothing that carries a time (dt, t, a unit) anywhere in it. */
static int is_plain(const ast_node *e, int depth)
{
    if (!e || depth > 64)
        return 0;
    const symbol *s = e->kind == AST_NAME ? e->sym : NULL;
    switch (e->kind) {
    case AST_NUM:
        return !e->name;
    case AST_NAME:
        if (!s)
            return 0;   /* a unit's name */
        if (s->kind == SYM_LOOPVAR)
            return 1;
        if (s->kind == SYM_PARAM || s->kind == SYM_DRAW || s->kind == SYM_LET)
            return s->value && s->value->kind != AST_LIST ? is_plain(s->value, depth + 1) : !e->dim.known;
        return 0;       /* t, dt, channels */
    case AST_UNARY: case AST_BINARY: case AST_CALL:
        for (const ast_node *k = e->kind == AST_CALL ? (e->first ? e->first->first : NULL) : e->first; k;
             k = k->next)
            if (!is_plain(k->kind == AST_NAMEDARG ? k->first : k, depth + 1))
                return 0;
        return 1;
    default:
        return 0;
    }
}

/* A plain number counts steps where a time is meant (docs/language.md 9):
 * 'phase a 10 + 100 ms' lasts 10 steps and 100 ms, 'uniform(10, 200 ms)'
 * draws from 10 steps to 200 ms, 't >= 200' holds from step 200. Values
 * are computed in seconds, so such an operand is scaled by dt: the factor
 * for OPERAND of binary E (added to, or compared with, a time), ... */
static double binary_scale(const gen *G, const ast_node *e, const ast_node *operand)
{
    const ast_node *other = operand == e->first ? e->first->next : e->first;
    int additive = e->op == OP_ADD || e->op == OP_SUB || (e->op >= OP_LT && e->op <= OP_NE);
    return additive && is_plain(operand, 0) && is_time(other) ? G->tp->dt : 1;
}

/* ... and for an argument ARG of CALL, a time (uniform(), min(), ...). */
static double arg_scale(const gen *G, const ast_node *call, const ast_node *arg)
{
    return arg && is_plain(arg, 0) && is_time(call) ? G->tp->dt : 1;
}

/* The list a name stands for (a list parameter: the call's list, else its
 * default), or NULL. */
static const ast_node *list_of(const gen *G, const ast_node *v)
{
    const symbol *s = v->kind == AST_NAME ? v->sym : NULL;
    if (!s || s->kind != SYM_PARAM)
        return NULL;
    for (unsigned i = 0; s->owner == G->tp->def && i < G->tp->n_lists; i++)
        if (strcmp(G->tp->lists[i].name, s->name) == 0)
            return G->tp->lists[i].list;
    return s->value && s->value->kind == AST_LIST ? s->value : NULL;
}

/* The argument expressions of a call in order, with lists spread out
 * (choice(coh) of coh = [0, 6.4]) and named ones at their keyword's place
 * (normal(std = 0.5) is normal(0, 0.5)); a place no argument fills is NULL,
 * which stands for 0 (the one such default: normal's mean). */
static unsigned arg_nodes(const gen *G, const ast_node *call, const ast_node **out)
{
    const builtin *b = call->sym;
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_CALL_ARGS; i++)
        out[i] = NULL;
    for (const ast_node *k = call->first ? call->first->first : NULL; k; k = k->next) {
        const ast_node *v = k->kind == AST_NAMEDARG ? k->first : k;
        int place = k->kind == AST_NAMEDARG ? builtin_keyword_index(b, k->name) : -1;
        if (place >= 0 && place < MAX_CALL_ARGS) {
            out[place] = v;
            n = (unsigned)place + 1 > n ? (unsigned)place + 1 : n;
            continue;
        }
        if (list_of(G, v))
            v = list_of(G, v);
        if (v->kind == AST_LIST) {
            for (const ast_node *x = v->first; x && n < MAX_CALL_ARGS; x = x->next)
                out[n++] = x;
        } else if (n < MAX_CALL_ARGS) {
            out[n++] = v;
        }
    }
    return n;
}

static unsigned scalar_args(gen *G, const ast_node *call, double *out)
{
    const ast_node *nodes[MAX_CALL_ARGS];
    unsigned n = arg_nodes(G, call, nodes);
    for (unsigned i = 0; i < n; i++)
        out[i] = nodes[i] ? eval_scalar(G, nodes[i]) * arg_scale(G, call, nodes[i]) : 0;
    return n;
}

static double eval_scalar_call(gen *G, const ast_node *e)
{
    const builtin *b = e->sym;
    double a[MAX_CALL_ARGS], v = 0;
    unsigned n = scalar_args(G, e, a);
    if (b && b->cls == BI_RANDOM)
        return draw(G, e, a, n, call_stream(G, e, 0), 0);
    if (b && b->cls == BI_MATH && const_eval_math(e->name, a, n, &v))
        return v;
    fail(G, e, "'%s()' needs a value per step; it cannot be used where one number per trial "
               "is needed", e->name);
    return 0;
}

static double eval_scalar_name(gen *G, const ast_node *e)
{
    const symbol *s = e->sym;
    double v;
    if (!s) {
        const unit_def *u = unit_find(e->name);
        return u ? (u->per_step ? G->tp->dt : u->scale) : 0;
    }
    if (find_bound(G, s, &v))
        return v;
    if (s->kind == SYM_PARAM) {
        const const_binding *a = s->owner == G->tp->def ? find_arg(G->tp, s->name) : NULL;
        if (a)
            return a->value;
        if (const_value(s->value, &(const_env){G->tp->dt, G->tp->args, G->tp->n_args}, &v))
            return v;
    }
    if (s->kind == SYM_LET)
        return eval_scalar(G, s->value);
    if (s->kind == SYM_BUILTIN && strcmp(s->name, "dt") == 0)
        return G->tp->dt;
    if (s->kind == SYM_BUILTIN && strcmp(s->name, "trial") == 0)
        return (double)trial_number(G);
    fail(G, e, "'%s' changes from step to step; it cannot be used where one number per trial "
               "is needed", e->name);
    return 0;
}

static double eval_scalar(gen *G, const ast_node *e)
{
    double l, r, v = 0;
    switch (e->kind) {
    case AST_NUM: {
        const unit_def *u = e->name ? unit_find(e->name) : NULL;
        return e->num * (!u ? 1 : u->per_step ? G->tp->dt : u->scale);
    }
    case AST_NAME:
        return eval_scalar_name(G, e);
    case AST_UNARY:
        v = eval_scalar(G, e->first);
        return e->op == OP_NEG ? -v : e->op == OP_NOT ? (v == 0) : v;
    case AST_BINARY:
        l = eval_scalar(G, e->first) * binary_scale(G, e, e->first);
        r = eval_scalar(G, e->first->next) * binary_scale(G, e, e->first->next);
        if (!const_eval_binary(e->op, l, r, &v))
            fail(G, e, "the operator '%s' cannot be evaluated here", ast_op_text((ast_op)e->op));
        return v;
    case AST_CALL:
        return eval_scalar_call(G, e);
    default:
        fail(G, e, "this %s has no single value per trial", ast_kind_name((ast_kind)e->kind));
        return 0;
    }
}

/* A time as a number of steps: plain numbers count steps, times with a
 * unit are divided by dt. */
static long eval_steps(gen *G, const ast_node *e)
{
    double v = eval_scalar(G, e);
    if (e->dim.known && e->dim.e[DIM_TIME] == 1)
        v /= G->tp->dt;
    return lround(v);
}

/* ------------------------------------------------------------ signals */

static double *signal_new(gen *G)
{
    if (G->pool_used + G->T > G->pool_cap) {
        fail(G, NULL, "the task's expressions are nested too deeply");
        G->pool_used = 0;
    }
    double *s = G->pool + G->pool_used;
    G->pool_used += G->T;
    return s;
}

static double *signal_fill(gen *G, double v)
{
    double *s = signal_new(G);
    for (size_t t = 0; t < G->T; t++)
        s[t] = v;
    return s;
}

static const double *eval_signal(gen *G, const ast_node *e, size_t elem);

static const task_channel *channel_of(const gen *G, const symbol *s, int *index)
{
    *index = task_channel_index(G->tp, s->name);
    return *index >= 0 ? &G->tp->channels[*index] : NULL;
}

/* An index: a whole number, whatever was drawn. */
static long whole_index(gen *G, const ast_node *e)
{
    double v = eval_scalar(G, e);
    if (v != floor(v) || !isfinite(v)) {
        fail(G, e, "an index must be a whole number, and this one is %g", v);
        return 0;
    }
    return (long)v;
}

/* Channel C's element I as a signal (a copy: the channel may be written next). */
static const double *channel_signal(gen *G, const ast_node *at, const symbol *s, long i)
{
    double *out = signal_new(G);
    if (strcmp(s->name, "mask") == 0 && s->decl == NULL) {
        memcpy(out, G->mask, G->T * sizeof *out);
        return out;
    }
    int c;
    const task_channel *ch = channel_of(G, s, &c);
    if (!ch || i < 0 || (size_t)i >= ch->size) {
        fail(G, at, "'%s[%ld]' is out of range", s->name, i);
        return signal_fill(G, 0);
    }
    for (size_t t = 0; t < G->T; t++)
        out[t] = G->ch[c][t * ch->size + (size_t)i];
    return out;
}

/* latch(x, after = d): from d steps after each onset of x (a step where x
 * becomes a new non-zero value), the value x took there; 0 before any. */
static const double *eval_latch(gen *G, const ast_node *call, size_t elem)
{
    const ast_node *arg = call->first->first, *after = NULL;
    for (const ast_node *k = call->first->first; k; k = k->next)
        if (k->kind == AST_NAMEDARG && strcmp(k->name, "after") == 0)
            after = k->first;
    const double *x = eval_signal(G, arg, elem);
    long delay = after ? eval_steps(G, after) : 0;
    double *y = signal_fill(G, 0);
    for (size_t k = 0; k < G->T; k++) {
        int onset = x[k] != 0 && (k == 0 || x[k - 1] != x[k]);
        if (!onset)
            continue;
        for (size_t t = (size_t)(k + (delay > 0 ? (size_t)delay : 0)); t < G->T; t++)
            y[t] = x[k];
    }
    return y;
}

/* Whether A fits a channel of SIZE elements over T steps: [T, SIZE], or
 * [T] for one element. No column is dropped or made up. */
static int load_fits(const rt_array *a, size_t T, size_t size)
{
    if (a->ndim == 1)
        return a->shape[0] == T && size == 1;
    return a->ndim == 2 && a->shape[0] == T && a->shape[1] == size;
}

/* An array of one row per trial: [trials, steps] for a channel of one
 * element, [trials, steps, element] for any. */
static int load_per_trial(const rt_array *a, size_t T, size_t size)
{
    if (load_fits(a, T, size))
        return 0;
    return (a->ndim == 2 && size == 1 && a->shape[1] == T) ||
           (a->ndim == 3 && a->shape[1] == T && a->shape[2] == size);
}

static void refuse_load_shape(gen *G, const ast_node *call, const rt_array *a)
{
    char got[160];
    rt_shape_text(a->shape, a->ndim, got, sizeof got);
    size_t size = G->channel_size;
    if (size == 1)
        fail(G, call, "the loaded array has shape %s, and this assignment to a channel of 1 element needs "
                      "[%zu] or [%zu, 1] ([step] or [step, element])", got, G->T, G->T);
    else
        fail(G, call, "the loaded array has shape %s, and this assignment to a channel of %zu elements needs "
                      "[%zu, %zu] ([step, element])", got, size, G->T, size);
}

/* load("f.npy"): the file's column ELEM ([steps][size]), or all of it ([steps]). */
static const double *eval_load(gen *G, const ast_node *call, size_t elem)
{
    double *out = signal_fill(G, 0);
    for (unsigned i = 0; i < G->tp->n_loads; i++) {
        const rt_array *a = &G->tp->loads[i].a;
        if (G->tp->loads[i].call != call)
            continue;
        if (load_per_trial(a, G->T, G->channel_size)) {
            uint64_t row = trial_number(G), rows = a->shape[0];
            if (G->checking)   /* a trial made to check the task: any row */
                row %= rows;
            if (row >= rows) {
                fail(G, call, "the loaded array holds %llu trials, and this is trial %llu (trial counts the "
                     "training samples from 0, then the evaluation trials)", (unsigned long long)rows,
                     (unsigned long long)row);
                return out;
            }
            size_t cols = a->ndim == 3 ? a->shape[2] : 1;
            const double *base = a->data + row * G->T * cols;
            for (size_t t = 0; t < G->T; t++)
                out[t] = base[t * cols + elem];
            return out;
        }
        size_t cols = a->ndim == 2 ? a->shape[1] : 1;
        if (!load_fits(a, G->T, G->channel_size) || elem >= cols) {
            refuse_load_shape(G, call, a);
            return out;
        }
        for (size_t t = 0; t < G->T; t++)
            out[t] = a->data[t * cols + elem];
        return out;
    }
    fail(G, call, "load() was not read when the task was prepared");
    return out;
}

/* spike_times(load("f.npy")): at each step the number of the file's
 * spikes of element ELEM there, a spike at time s on step round(s / dt).
 * Rows (element, time in seconds) are every trial's spikes; rows (trial,
 * element, time) the spikes of that trial (trial counting as for load()),
 * a trial without rows silent. A row outside the channel, a negative time
 * or one past the trial's end is an error. */
static const double *eval_spike_times(gen *G, const ast_node *call, size_t elem)
{
    double *out = signal_fill(G, 0);
    const ast_node *file = call->first->first;
    const rt_array *a = NULL;
    for (unsigned i = 0; i < G->tp->n_loads && !a; i++)
        if (G->tp->loads[i].call == file)
            a = &G->tp->loads[i].a;
    if (!a) {
        fail(G, call, "load() was not read when the task was prepared");
        return out;
    }
    size_t cols = a->ndim == 2 ? a->shape[1] : 0;
    if (cols != 2 && cols != 3) {
        char got[160];
        rt_shape_text(a->shape, a->ndim, got, sizeof got);
        fail(G, file, "spike_times() reads rows (element, time) or (trial, element, time), and the loaded array "
                      "has shape %s", got);
        return out;
    }
    double trial = (double)trial_number(G), dt = G->tp->dt;
    for (size_t r = 0; r < a->shape[0]; r++) {
        const double *row = a->data + r * cols;
        double element = row[cols - 2], time = row[cols - 1], step = round(time / dt);
        if (!(element >= 0 && element < (double)G->channel_size && element == floor(element))) {
            fail(G, file, "row %zu of the spikes names element %g, and the channel has elements 0 to %zu", r,
                 element, G->channel_size - 1);
            return out;
        }
        if (!(time >= 0 && step < (double)G->T)) {
            fail(G, file, "row %zu of the spikes is at %g s, outside the trial's 0 to %g s", r, time,
                 (double)G->T * dt);
            return out;
        }
        if ((size_t)element == elem && (cols == 2 || row[0] == trial))
            out[(size_t)step] += 1;
    }
    return out;
}

/* peak(x): the largest |x| over the trial, at every step. */
static const double *eval_peak(gen *G, const ast_node *call, size_t elem)
{
    size_t mark = G->pool_used;
    const double *x = eval_signal(G, call->first->first, elem);
    double m = 0;
    for (size_t t = 0; t < G->T; t++)
        m = fabs(x[t]) > m ? fabs(x[t]) : m;
    G->pool_used = mark;   /* x's intermediate signals are done with */
    return signal_fill(G, m);
}

static const double *eval_signal_call(gen *G, const ast_node *e, size_t elem)
{
    const builtin *b = e->sym;
    if (b && b->cls == BI_FILE)
        return eval_load(G, e, elem);
    if (b && b->cls == BI_TASK && strcmp(e->name, "peak") == 0)
        return eval_peak(G, e, elem);
    if (b && b->cls == BI_TASK && strcmp(e->name, "spike_times") == 0)
        return eval_spike_times(G, e, elem);
    if (b && b->cls == BI_TASK && strcmp(e->name, "convolve") == 0) {   /* task_smooth.c */
        double *out = signal_new(G), w[2] = {0, 0};
        size_t mark = G->pool_used;
        const ast_node *x = e->first->first, *win = x->next;
        unsigned nw = 0;
        for (const ast_node *k = win->first->first; k && nw < 2; k = k->next, nw++) {
            const ast_node *v = k->kind == AST_NAMEDARG ? k->first : k;
            w[nw] = eval_scalar(G, v) / (v->dim.known && v->dim.e[DIM_TIME] == 1 ? G->tp->dt : 1);
        }
        char why[256];
        if (!task_convolve(eval_signal(G, x, elem), G->T, win->name, w, nw, out, why, sizeof why))
            fail(G, win, "%s", why);
        G->pool_used = mark;
        return out;
    }
    if (b && b->cls == BI_TASK)
        return eval_latch(G, e, elem);
    if (b && b->cls == BI_RANDOM) {
        double a[MAX_CALL_ARGS];
        unsigned n = scalar_args(G, e, a);
        double *s = signal_new(G);
        draw_signal(G, e, a, n, call_stream(G, e, elem), s);
        return s;
    }
    double *s = signal_new(G);
    size_t mark = G->pool_used;
    const double *args[MAX_CALL_ARGS];
    double scale[MAX_CALL_ARGS];
    unsigned n = 0;
    for (const ast_node *k = e->first ? e->first->first : NULL; k && n < MAX_CALL_ARGS; k = k->next) {
        const ast_node *v = k->kind == AST_NAMEDARG ? k->first : k;
        scale[n] = arg_scale(G, e, v);
        args[n++] = eval_signal(G, v, elem);
    }
    const_unary_fn fn = n == 1 ? const_math_unary(e->name) : NULL;   /* looked up once, not per step */
    for (size_t t = 0; fn && t < G->T; t++)
        s[t] = fn(scale[0] * args[0][t]);
    for (size_t t = 0; !fn && t < G->T && !G->failed; t++) {
        double v[MAX_CALL_ARGS];
        for (unsigned i = 0; i < n; i++)
            v[i] = scale[i] * args[i][t];
        if (!const_eval_math(e->name, v, n, &s[t]))
            fail(G, e, "'%s()' cannot be used in a task signal", e->name);
    }
    G->pool_used = mark;
    return s;
}

static const double *eval_signal_name(gen *G, const ast_node *e, size_t elem)
{
    const symbol *s = e->sym;
    if (s && s->kind == SYM_CHANNEL)
        return channel_signal(G, e, s, (long)elem);
    if (s && s->kind == SYM_BUILTIN && strcmp(s->name, "t") == 0) {
        double *out = signal_new(G);
        for (size_t t = 0; t < G->T; t++)   /* from the phase's start in a phase */
            out[t] = ((double)t - (double)G->origin) * G->tp->dt;
        return out;
    }
    if (s && s->kind == SYM_LET)
        return eval_signal(G, s->value, elem);
    return signal_fill(G, eval_scalar_name(G, e));
}

/* out[t] = (fa a[t]) OP (fb b[t]) as const_eval_binary computes it, with
 * the operator chosen once rather than per step (the task engine spends
 * its time in these loops); false for an operator it does not know. */
static bool binary_signal(int op, double fa, const double *a, double fb, const double *b, size_t T, double *out)
{
#define EACH_STEP(expr) for (size_t t = 0; t < T; t++) { double l = fa * a[t], r = fb * b[t]; out[t] = (expr); } break
    switch (op) {
    case OP_ADD: EACH_STEP(l + r);
    case OP_SUB: EACH_STEP(l - r);
    case OP_MUL: EACH_STEP(l * r);
    case OP_DIV: EACH_STEP(l / r);
    case OP_LT: EACH_STEP(l < r);
    case OP_LE: EACH_STEP(l <= r);
    case OP_GT: EACH_STEP(l > r);
    case OP_GE: EACH_STEP(l >= r);
    case OP_EQ: EACH_STEP(l == r);
    case OP_NE: EACH_STEP(l != r);
    default:
        for (size_t t = 0; t < T; t++)
            if (!const_eval_binary(op, fa * a[t], fb * b[t], &out[t]))
                return false;
    }
#undef EACH_STEP
    return true;
}

static const double *eval_signal(gen *G, const ast_node *e, size_t elem)
{
    switch (e->kind) {
    case AST_NAME:
        return eval_signal_name(G, e, elem);
    case AST_INDEX: {
        const symbol *s = e->first->sym;
        if (!s || s->kind != SYM_CHANNEL || e->first->next->kind == AST_SLICE) {
            fail(G, e, "only a channel element can be indexed here ('x[2]')");
            return signal_fill(G, 0);
        }
        return channel_signal(G, e, s, whole_index(G, e->first->next));
    }
    /* The result's signal comes first, so the operands' signals (and
     * theirs) can be handed back as soon as it is computed: an expression
     * needs scratch for its depth, not for its size. */
    case AST_UNARY: {
        double *out = signal_new(G);
        size_t mark = G->pool_used;
        const double *a = eval_signal(G, e->first, elem);
        for (size_t t = 0; t < G->T; t++)
            out[t] = e->op == OP_NEG ? -a[t] : e->op == OP_NOT ? (a[t] == 0) : a[t];
        G->pool_used = mark;
        return out;
    }
    case AST_BINARY: {
        double *out = signal_new(G);
        size_t mark = G->pool_used;
        const double *a = eval_signal(G, e->first, elem), *b = eval_signal(G, e->first->next, elem);
        double fa = binary_scale(G, e, e->first), fb = binary_scale(G, e, e->first->next);
        if (!binary_signal(e->op, fa, a, fb, b, G->T, out))
            fail(G, e, "the operator '%s' cannot be evaluated here", ast_op_text((ast_op)e->op));
        G->pool_used = mark;
        return out;
    }
    case AST_CALL:
        return eval_signal_call(G, e, elem);
    default:
        return signal_fill(G, eval_scalar(G, e));
    }
}

/* ------------------------------------------------------------ statements */

/* The elements [lo, hi) an lvalue names. */
static double *lvalue_target(gen *G, const ast_node *lv, size_t *size, long *lo, long *hi)
{
    const symbol *s = lv->sym;
    if (s && strcmp(s->name, "mask") == 0 && s->decl == NULL) {
        *size = 1;
        *lo = 0;
        *hi = 1;
        return G->mask;
    }
    int c;
    const task_channel *ch = s ? channel_of(G, s, &c) : NULL;
    if (!ch) {
        fail(G, lv, "'%s' is not a channel", lv->name);
        return NULL;
    }
    *size = ch->size;
    *lo = 0;
    *hi = (long)ch->size;
    const ast_node *idx = lv->first;
    if (idx && idx->kind == AST_SLICE) {
        const ast_node *k = idx->first;
        if (idx->op & 1) {
            *lo = whole_index(G, k);
            k = k->next;
        }
        if (idx->op & 2)
            *hi = whole_index(G, k);
    } else if (idx) {
        *lo = whole_index(G, idx);
        *hi = *lo + 1;
    }
    if (G->failed)
        return NULL;
    if (*lo < 0 || *hi > (long)ch->size || *lo > *hi) {
        if (idx && idx->kind != AST_SLICE)
            fail(G, lv, "%s[%ld] is out of range: %s has %zu element%s", lv->name, *lo, lv->name, ch->size,
                 ch->size == 1 ? "" : "s");
        else
            fail(G, lv, "%s[%ld:%ld] is out of range (size %zu)", lv->name, *lo, *hi, ch->size);
        return NULL;
    }
    return G->ch[c];
}

/* Elements [LO, HI) of DATA ([T][SIZE]) set (OP: or added to, ...) from E,
 * evaluated element by element. */
static void write_elements(gen *G, double *data, size_t size, long lo, long hi, int op, const ast_node *e)
{
    G->channel_size = size;
    for (long i = lo; data && i < hi && !G->failed; i++) {
        size_t mark = G->pool_used;
        const double *v = eval_signal(G, e, (size_t)i);
        for (size_t t = G->w0; t < G->w1; t++) {
            double *x = &data[t * size + (size_t)i];
            switch (op) {
            case OP_ADD_SET: *x += v[t]; break;
            case OP_SUB_SET: *x -= v[t]; break;
            case OP_MUL_SET: *x *= v[t]; break;
            default: *x = v[t]; break;
            }
        }
        G->pool_used = mark;
    }
}

static void run_assign(gen *G, const ast_node *n)
{
    size_t size;
    long lo, hi;
    double *data = lvalue_target(G, n->first, &size, &lo, &hi);
    write_elements(G, data, size, lo, hi, n->op, n->first->next);
}

/* 'condition e': the condition channel, where the statement stands (it sees
 * what the statements before it wrote). */
static void run_condition(gen *G, const ast_node *n)
{
    int c = task_condition_channel(G->tp);
    if (c >= 0)
        write_elements(G, G->ch[c], G->tp->channels[c].size, 0, (long)G->tp->channels[c].size, OP_SET,
                       n->first);
}

static void run_pulse(gen *G, const ast_node *n)
{
    const ast_node *lv = n->first, *value = lv->next, *onset = value->next, *width = onset->next;
    size_t size;
    long lo, hi;
    double *data = lvalue_target(G, lv, &size, &lo, &hi);
    double amplitude = eval_scalar(G, value);
    long from = (long)G->origin + eval_steps(G, onset), to = from + eval_steps(G, width);
    long first = from < (long)G->w0 ? (long)G->w0 : from, end = to < (long)G->w1 ? to : (long)G->w1;
    for (long i = lo; data && i < hi; i++)
        for (long t = first; t < end; t++)
            data[(size_t)t * size + (size_t)i] = amplitude;
}

static void run_items(gen *G, const ast_node *first);

/* A phase's duration in whole steps, rounded down as neurogym rounds
 * durations to multiples of dt (the 1e-9 keeps 100 ms / 20 ms at 5). */
static long duration_steps(const ast_node *e, double v, double dt)
{
    if (e->dim.known && e->dim.e[DIM_TIME] == 1)
        v /= dt;
    return isfinite(v) ? (long)floor(v + 1e-9) : LONG_MAX;
}

static unsigned phase_number(const task_program *tp, const ast_node *n)
{
    for (unsigned k = 0; k < tp->n_phases; k++)
        if (tp->phases[k].node == n)
            return k + 1;
    return 0;
}

/* A phase: from where the previous one ended, for its duration (or to the
 * end of the trial); its statements write only its steps, and count 't'
 * and pulse onsets from its start. */
static void run_phase(gen *G, const ast_node *n)
{
    const task_program *tp = G->tp;
    unsigned k = phase_number(tp, n);
    size_t start = G->cursor, end = G->T;
    if (n->op) {
        long steps = duration_steps(n->first, eval_scalar(G, n->first), tp->dt);
        if (G->failed)
            return;
        if (steps < 0) {
            fail(G, n->first, "phase '%s' would last %ld steps in this trial", n->name, steps);
            return;
        }
        if ((size_t)steps > G->T - start) {
            fail(G, n->first, "in this trial the phases last longer than the task's %zu steps: phase '%s' "
                              "would end at step %zu", G->T, n->name, start + (size_t)steps);
            return;
        }
        end = start + (size_t)steps;
    }
    size_t w0 = G->w0, w1 = G->w1, origin = G->origin;
    G->w0 = G->origin = start;
    G->w1 = end;
    run_items(G, n->last->first);
    G->w0 = w0;
    G->w1 = w1;
    G->origin = origin;
    int c = task_phase_channel(tp);
    for (size_t t = start; c >= 0 && t < end; t++)
        G->ch[c][t] = k;
    G->cursor = end;
}

static void run_for(gen *G, const ast_node *n)
{
    const ast_node *from = n->first, *to = from->next, *body = to->next;
    long a = lround(eval_scalar(G, from)), b = lround(eval_scalar(G, to));
    uint64_t outer = G->context;
    for (long i = a; i < b && !G->failed; i++) {
        G->context = rt_rng_stream(outer ^ ((uint64_t)n->loc.line << 32 | n->loc.col), (uint64_t)i);
        bind(G, n, (double)i);   /* the loop variable is declared by the for node */
        run_items(G, body->first);
    }
    G->context = outer;
}

static void run_if(gen *G, const ast_node *n)
{
    const ast_node *cond = n->first, *then = cond->next, *otherwise = then->next;
    if (eval_scalar(G, cond) != 0)
        run_items(G, then->first);
    else if (otherwise && otherwise->kind == AST_IF)
        run_if(G, otherwise);
    else if (otherwise)
        run_items(G, otherwise->kind == AST_BLOCK ? otherwise->first : otherwise);
}

static void run_item(gen *G, const ast_node *n)
{
    switch (n->kind) {
    case AST_DRAW:
        for (const ast_node *b = n->first; b; b = b->next)
            bind(G, b, eval_scalar(G, b->first));
        break;
    case AST_PULSE: run_pulse(G, n); break;
    case AST_ASSIGN: run_assign(G, n); break;
    case AST_CONDITION: run_condition(G, n); break;
    case AST_FOR: run_for(G, n); break;
    case AST_IF: run_if(G, n); break;
    case AST_BLOCK: run_items(G, n->first); break;
    case AST_FROZEN: {   /* drawn as one fixed trial: the same in every trial */
        uint64_t trial = G->trial;
        G->trial = TASK_FROZEN_TRIAL;
        run_items(G, n->first);
        G->trial = trial;
        break;
    }
    case AST_PHASE:
        run_phase(G, n);
        break;
    default:   /* channels, params, duration, let, accuracy: read by task_prepare */
        break;
    }
}

static void run_items(gen *G, const ast_node *first)
{
    for (const ast_node *n = first; n && !G->failed; n = n->next)
        run_item(G, n);
}

/* ------------------------------------------------------------ the program */

int task_channel_index(const task_program *tp, const char *name)
{
    for (unsigned c = 0; c < tp->n_channels; c++)
        if (!tp->channels[c].is_condition && !tp->channels[c].is_phase && strcmp(tp->channels[c].name, name) == 0)
            return (int)c;
    return -1;
}

int task_condition_channel(const task_program *tp)
{
    for (unsigned c = 0; c < tp->n_channels; c++)
        if (tp->channels[c].is_condition)
            return (int)c;
    return -1;
}

int task_phase_channel(const task_program *tp)
{
    for (unsigned c = 0; c < tp->n_channels; c++)
        if (tp->channels[c].is_phase)
            return (int)c;
    return -1;
}

/* The -D value sema gave parameter B of the task, or NULL: sema keeps the
 * default in B and puts an override in the parameter's symbol. */
static const ast_node *param_override(const task_program *tp, const ast_node *b)
{
    const symbol *s = tp->def->sym ? scope_lookup_local(tp->def->sym, b->name) : NULL;
    return s && s->decl == b && s->value && s->value != b->first ? s->value : NULL;
}

/* Each parameter's value: its -D override, else the call's argument, else
 * its default (which may use the parameters before it). -D wins over the
 * call because the command line is the last word (docs/language.md 16). */
static int prepare_params(task_program *tp, gen *G, const ast_node *call)
{
    const ast_node *header = tp->def->first;
    unsigned position = 0;
    for (const ast_node *b = header->first; b; b = b->next, position++) {
        const ast_node *given = NULL;
        unsigned i = 0;
        for (const ast_node *a = call && call->first ? call->first->first : NULL; a; a = a->next, i++)
            if (a->kind == AST_NAMEDARG ? strcmp(a->name, b->name) == 0 : i == position)
                given = a->kind == AST_NAMEDARG ? a->first : a;
        const ast_node *override = param_override(tp, b);
        if (override)
            given = NULL;
        const ast_node *chosen = override ? override : given;   /* -D or the call's, else NULL */
        int is_list = b->first->kind == AST_LIST || (chosen && chosen->kind == AST_LIST);
        if (is_list && chosen && chosen->kind != AST_LIST) {
            fail(G, chosen, "parameter '%s' of task '%s' is a list, like its default: give it as "
                            "[a, b, ...]", b->name, tp->def->name);
            return -1;
        }
        if (is_list && b->first->kind != AST_LIST) {
            fail(G, chosen, "parameter '%s' of task '%s' is a number, not a list", b->name, tp->def->name);
            return -1;
        }
        const ast_node *list = is_list ? (chosen ? chosen : b->first) : NULL;
        if (list && !list->first) {
            fail(G, list, "the list parameter '%s' of task '%s' is empty: give it at least one value",
                 b->name, tp->def->name);
            return -1;
        }
        if (is_list && given)
            tp->lists[tp->n_lists++] = (task_list_arg){b->name, given};
        if (is_list)
            continue;   /* its elements are read where it is used: choice(coh) */
        double v;
        const ast_node *value = override ? override : b->first;
        int ok = given ? const_value(given, &(const_env){.dt = tp->dt}, &v)
                       : const_value(value, &(const_env){tp->dt, tp->args, tp->n_args}, &v);
        if (!ok) {
            fail(G, given ? given : b, "parameter '%s' of task '%s' must be a constant number",
                 b->name, tp->def->name);
            return -1;
        }
        if (chosen && is_time(b->first) && is_plain(chosen, 0))
            v *= tp->dt;   /* a plain number for a time counts steps */
        if (tp->n_args == TASK_MAX_ARGS) {
            fail(G, b, "task '%s' has more than %d parameters", tp->def->name, TASK_MAX_ARGS);
            return -1;
        }
        tp->args[tp->n_args].name = b->name;
        tp->args[tp->n_args++].value = v;
    }
    return 0;
}

/* accuracy sign(y), argmax(y), mean_sign(y), threshold(y, level), each
 * optionally 'in PHASE' (resolved once every phase is known). */
static void prepare_accuracy(task_program *tp, gen *G, const ast_node *n)
{
    static const struct { const char *name; rt_accuracy_kind kind; } kinds[] = {
        {"sign", RT_ACCURACY_SIGN}, {"argmax", RT_ACCURACY_ARGMAX},
        {"mean_sign", RT_ACCURACY_MEAN_SIGN}, {"threshold", RT_ACCURACY_THRESHOLD}};
    const ast_node *e = n->first;
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (e->kind == AST_CALL && strcmp(e->name, kinds[k].name) == 0)
            tp->accuracy_kind = kinds[k].kind;
    if (tp->accuracy_kind == RT_ACCURACY_NONE) {
        fail(G, e, "'accuracy %s' is not a measure rnnc knows", e->name ? e->name : "");
        return;
    }
    if (tp->accuracy_kind == RT_ACCURACY_THRESHOLD)
        tp->accuracy_level = eval_scalar(G, e->first->first->next);
    tp->accuracy = e;
    tp->accuracy_target = e->first->first->name;
}

/* 'accuracy ... in PHASE': the phase's number. */
static void prepare_accuracy_phase(task_program *tp, gen *G)
{
    const ast_node *phase = tp->accuracy ? tp->accuracy->next : NULL;
    if (!phase)
        return;
    for (unsigned k = 0; k < tp->n_phases; k++)
        if (strcmp(tp->phases[k].name, phase->name) == 0)
            tp->accuracy_phase = k + 1;
    if (!tp->accuracy_phase)
        fail(G, phase, "task '%s' has no phase '%s'", tp->def->name, phase->name);
}

static void prepare_item(task_program *tp, gen *G, const ast_node *n)
{
    switch (n->kind) {
    case AST_CHANNELS:
        for (const ast_node *c = n->first; c; c = c->next) {
            if (tp->n_channels == RT_MAX_CHANNELS) {
                fail(G, c, "task '%s' has more than %d channels", tp->def->name, RT_MAX_CHANNELS);
                return;
            }
            double size = c->first ? eval_scalar(G, c->first) : 1;
            task_channel *ch = &tp->channels[tp->n_channels++];
            ch->name = c->name;
            ch->size = size >= 1 ? (size_t)size : 1;
            ch->is_target = n->op == OP_TARGET;
        }
        break;
    case AST_PHASE:
        if (tp->n_phases == RT_MAX_PHASES) {
            fail(G, n, "task '%s' has more than %d phases", tp->def->name, RT_MAX_PHASES);
            return;
        }
        tp->phase_names[tp->n_phases] = n->name;
        tp->phases[tp->n_phases++] = (task_phase){.node = n, .name = n->name, .open = !n->op};
        prepare_item(tp, G, n->last);
        break;
    case AST_DURATION: {
        tp->duration = n;
        long steps = eval_steps(G, n->first);
        tp->steps = (size_t)(steps > 0 ? steps : 0);
        if (steps < 1 && !G->failed) {   /* located here, not at the task's name */
            diag *g = fail(G, n->first, "the duration of task '%s' is shorter than one step, so a "
                                        "trial would have no step", tp->def->name);
            if (g)
                diag_hint(G->diag, g, "the step is dt = %g ms; give at least that", tp->dt * 1e3);
        }
        break;
    }
    case AST_ASSIGN:
        if (strcmp(n->first->name, "mask") == 0 && !tp->has_mask) {
            tp->has_mask = 1;
            tp->mask_stmt = n;
        }
        break;
    case AST_CONDITION:
        tp->condition = n->first;
        break;
    case AST_ACCURACY:
        tp->accuracy_stmt = n;
        prepare_accuracy(tp, G, n);
        break;
    case AST_BLOCK: case AST_FROZEN:   /* their children are statements */
        for (const ast_node *k = n->first; k; k = k->next)
            prepare_item(tp, G, k);
        break;
    case AST_FOR: case AST_IF:   /* bounds and conditions, then bodies */
        for (const ast_node *k = n->first; k; k = k->next)
            if (k->kind == AST_BLOCK || k->kind == AST_IF)
                prepare_item(tp, G, k);
        break;
    default:
        break;
    }
}

/* The width of condition E: the size of the channels it reads element by
 * element (directly or through a 'let'), WIDTH so far (0: none yet). */
static size_t condition_width(const task_program *tp, gen *G, const ast_node *e, size_t width, int depth)
{
    const symbol *s = e && e->kind == AST_NAME ? e->sym : NULL;
    if (!e || depth > 64 || e->kind == AST_INDEX)
        return width;
    if (s && s->kind == SYM_LET)
        return condition_width(tp, G, s->value, width, depth + 1);
    int c = s && s->kind == SYM_CHANNEL ? task_channel_index(tp, s->name) : -1;
    if (c >= 0 && width && tp->channels[c].size != width)
        fail(G, e, "the condition reads channels of sizes %zu and %zu element by element", width,
             tp->channels[c].size);
    if (c >= 0)
        return tp->channels[c].size;
    for (const ast_node *k = e->first; k && !G->failed; k = k->next)
        width = condition_width(tp, G, k, width, depth + 1);
    return width;
}

/* The condition as one more channel, after the declared ones. */
static void prepare_condition(task_program *tp, gen *G)
{
    if (!tp->condition)
        return;
    if (tp->n_channels == RT_MAX_CHANNELS) {
        fail(G, tp->condition, "task '%s' has %d channels, the most a task may have, and no room "
             "for its condition", tp->def->name, RT_MAX_CHANNELS);
        return;
    }
    size_t width = condition_width(tp, G, tp->condition, 0, 0);
    tp->channels[tp->n_channels++] = (task_channel){.name = "condition", .size = width ? width : 1,
                                                    .is_condition = 1};
}

/* Reads every load("f.npy") under N (a name relative to the model's folder). */
static void prepare_loads(task_program *tp, gen *G, const ast_node *n)
{
    for (; n && !G->failed; n = n->next) {
        const builtin *b = n->kind == AST_CALL ? n->sym : NULL;
        if (b && b->cls == BI_FILE && n->first && n->first->first) {
            char full[4096];
            frontend_load_path(tp->fe, n->first->first, full, sizeof full);
            if (tp->n_loads == TASK_MAX_LOADS) {
                fail(G, n, "a task may load at most %d files", TASK_MAX_LOADS);
                return;
            }
            task_load *l = &tp->loads[tp->n_loads];
            char why[300];
            if (rt_npy_read(full, &l->a, why, sizeof why) != 0) {
                fail(G, n, "%s", why);
                return;
            }
            l->call = n;
            l->spikes = 0;
            tp->n_loads++;
        }
        unsigned before = tp->n_loads;
        prepare_loads(tp, G, n->first);
        if (n->kind == AST_CALL && n->sym && ((const builtin *)n->sym)->cls == BI_TASK &&
            strcmp(n->name, "spike_times") == 0 && tp->n_loads > before)
            tp->loads[before].spikes = 1;
    }
}

/* Does N (or what follows it) read 'trial'? */
static int reads_trial(const ast_node *n)
{
    for (; n; n = n->next) {
        if (n->kind == AST_NAME && n->sym && ((const symbol *)n->sym)->kind == SYM_BUILTIN &&
            strcmp(n->name, "trial") == 0)
            return 1;
        if (reads_trial(n->first))
            return 1;
    }
    return 0;
}

/* Does the task load an array of one row per trial (load_per_trial's
 * shapes, whatever the channel)? Then its trials differ though it draws
 * nothing. */
static int loads_per_trial(const task_program *tp)
{
    for (unsigned i = 0; i < tp->n_loads; i++) {
        const rt_array *a = &tp->loads[i].a;
        if (tp->loads[i].spikes ? a->ndim == 2 && a->shape[1] == 3
                                : a->ndim == 3 || (a->ndim == 2 && a->shape[1] == tp->steps && a->shape[0] != tp->steps))
            return 1;
    }
    return 0;
}

/* Does N (or what follows it) draw anything outside a 'frozen' block? */
static int draws_per_trial(const ast_node *n)
{
    for (; n; n = n->next) {
        const builtin *b = n->kind == AST_CALL ? n->sym : NULL;
        if (b && b->cls == BI_RANDOM)
            return 1;
        if (n->kind != AST_FROZEN && draws_per_trial(n->first))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------ phase bounds */

typedef struct interval {
    double lo, hi;
} interval;

static int bound(gen *G, const ast_node *e, interval *out, int depth);

/* The range of a random draw, from the ranges of its arguments. */
static int bound_draw(gen *G, const ast_node *call, interval *out, int depth)
{
    const ast_node *arg[MAX_CALL_ARGS];
    unsigned n = arg_nodes(G, call, arg);
    interval a[MAX_CALL_ARGS];
    for (unsigned i = 0; i < n; i++) {
        if (!(arg[i] ? bound(G, arg[i], &a[i], depth + 1) : (a[i] = (interval){0, 0}, 1)))
            return 0;
        double f = arg_scale(G, call, arg[i]);
        a[i] = (interval){a[i].lo * f, a[i].hi * f};
    }
    switch (dist_of(call->name)) {
    case DIST_UNIFORM:
        *out = (interval){n > 0 ? a[0].lo : 0, n > 1 ? a[1].hi : 1};
        return 1;
    case DIST_RANDINT:
        *out = (interval){a[0].lo, a[1].hi};
        return 1;
    case DIST_CHOICE:
        *out = a[0];
        for (unsigned i = 1; i < n; i++)
            *out = (interval){fmin(out->lo, a[i].lo), fmax(out->hi, a[i].hi)};
        return 1;
    case DIST_TRUNC_EXP:
        *out = (interval){fmin(a[1].lo, a[2].lo), a[2].hi};
        return isfinite(out->hi);
    case DIST_BERNOULLI: case DIST_POISSON:
        *out = (interval){0, 1};
        return 1;
    default:
        return 0;   /* normal(): no bound */
    }
}

static interval interval_product(interval a, interval b)
{
    double p[4] = {a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi};
    interval r = {p[0], p[0]};
    for (int i = 1; i < 4; i++)
        r = (interval){fmin(r.lo, p[i]), fmax(r.hi, p[i])};
    return r;
}

/* The values E can take in any trial (in SI units, like eval_scalar), or 0
 * when they have no bound rnnc can tell: a phase duration that depends on
 * a normal() draw, say. */
static int bound(gen *G, const ast_node *e, interval *out, int depth)
{
    interval a, b;
    const symbol *s = e->kind == AST_NAME ? e->sym : NULL;
    if (depth > 64)
        return 0;
    switch (e->kind) {
    case AST_NUM:
        out->lo = out->hi = eval_scalar(G, e);
        return 1;
    case AST_NAME:
        if (s && (s->kind == SYM_DRAW || s->kind == SYM_LET) && s->value)
            return bound(G, s->value, out, depth + 1);
        if (s && s->kind != SYM_PARAM && s->kind != SYM_BUILTIN)
            return 0;
        out->lo = out->hi = eval_scalar(G, e);
        return !G->failed;
    case AST_UNARY:
        if (e->op != OP_NEG || !bound(G, e->first, &a, depth + 1))
            return 0;
        *out = (interval){-a.hi, -a.lo};
        return 1;
    case AST_BINARY:
        if (!bound(G, e->first, &a, depth + 1) || !bound(G, e->first->next, &b, depth + 1))
            return 0;
        {
            double fa = binary_scale(G, e, e->first), fb = binary_scale(G, e, e->first->next);
            a = (interval){a.lo * fa, a.hi * fa};
            b = (interval){b.lo * fb, b.hi * fb};
        }
        switch (e->op) {
        case OP_ADD: *out = (interval){a.lo + b.lo, a.hi + b.hi}; return 1;
        case OP_SUB: *out = (interval){a.lo - b.hi, a.hi - b.lo}; return 1;
        case OP_MUL: *out = interval_product(a, b); return 1;
        case OP_DIV:
            if (b.lo <= 0 && b.hi >= 0)
                return 0;
            *out = interval_product(a, (interval){1 / b.hi, 1 / b.lo});
            return 1;
        default: return 0;
        }
    case AST_CALL: {
        const builtin *bi = e->sym;
        if (bi && bi->cls == BI_RANDOM)
            return bound_draw(G, e, out, depth);
        int is_min = strcmp(e->name, "min") == 0, is_max = strcmp(e->name, "max") == 0;
        if (!bi || bi->cls != BI_MATH || !(is_min || is_max))
            return 0;
        const ast_node *arg[MAX_CALL_ARGS];
        unsigned n = arg_nodes(G, e, arg);
        for (unsigned i = 0; i < n; i++) {
            if (!arg[i] || !bound(G, arg[i], &a, depth + 1))
                return 0;
            *out = i == 0 ? a : is_min ? (interval){fmin(out->lo, a.lo), fmin(out->hi, a.hi)}
                                       : (interval){fmax(out->lo, a.lo), fmax(out->hi, a.hi)};
        }
        return n > 0;
    }
    default:
        return 0;
    }
}

static double steps_ms(double steps, double dt)
{
    return steps * dt * 1e3;
}

/* Each phase's shortest and longest duration, and the trial's length: the
 * task's 'duration', which every phase sequence must fit in, or else the
 * longest sequence (trials shorter than it are padded). */
static void prepare_phases(task_program *tp, gen *G)
{
    if (!tp->n_phases)
        return;
    long hi = 0;
    const task_phase *unbounded = NULL;
    for (unsigned k = 0; k < tp->n_phases && !G->failed; k++) {
        task_phase *ph = &tp->phases[k];
        if (ph->open)
            continue;
        interval r;
        ph->bounded = bound(G, ph->node->first, &r, 0);
        if (!ph->bounded) {
            unbounded = unbounded ? unbounded : ph;
            continue;
        }
        ph->min_steps = duration_steps(ph->node->first, r.lo, tp->dt);
        ph->max_steps = duration_steps(ph->node->first, r.hi, tp->dt);
        if (ph->min_steps < 0) {
            fail(G, ph->node->first, "phase '%s' can last %ld steps, and a duration cannot be negative",
                 ph->name, ph->min_steps);
            return;
        }
        hi = hi > LONG_MAX - ph->max_steps ? LONG_MAX : hi + ph->max_steps;
    }
    if (G->failed)
        return;
    if (!tp->duration && unbounded) {
        diag *g = fail(G, unbounded->node->first, "rnnc cannot tell how long phase '%s' can last, so it "
                       "cannot size the batch's trials", unbounded->name);
        diag_hint(G->diag, g, "draw the duration from a bounded distribution (uniform, choice, randint, "
                              "trunc_exp), or give the task a 'duration' that every trial fits in");
        return;
    }
    if (tp->duration && !unbounded && (size_t)hi > tp->steps) {
        diag *g = fail(G, tp->duration->first, "the phases of task '%s' can last %ld steps (%g ms), "
                       "longer than its duration of %zu steps (%g ms)", tp->def->name, hi,
                       steps_ms((double)hi, tp->dt), tp->steps, steps_ms((double)tp->steps, tp->dt));
        diag_hint(G->diag, g, "a phased task's 'duration' is the length every trial is padded to; "
                              "make it at least the longest sequence of phases, or remove it");
        return;
    }
    if (!tp->duration)
        tp->steps = (size_t)hi;
    if (tp->steps == 0)
        fail(G, tp->phases[0].node, "the phases of task '%s' last no step", tp->def->name);
}

/* The phase channel, after the condition: the phase number at each step. */
static void prepare_phase_channel(task_program *tp, gen *G)
{
    if (!tp->n_phases)
        return;
    if (tp->n_channels == RT_MAX_CHANNELS) {
        fail(G, tp->phases[0].node, "task '%s' has %d channels, the most a task may have, and no room "
             "for its phases", tp->def->name, RT_MAX_CHANNELS);
        return;
    }
    tp->channels[tp->n_channels++] = (task_channel){.name = "phase", .size = 1, .is_phase = 1};
}

/* What the leading 'frozen' blocks wrote with one seed: the mask, then
 * every channel, as a trial holds them. */
struct task_frozen {
    pthread_mutex_t lock;
    int kept;
    uint64_t seed;
    size_t count;                   /* values of a trial: the mask's, then every channel's */
    double *values;
};

enum { FROZEN_KEPT_MAX = 256 << 20 };   /* bytes: a larger trial computes them each time */

/* Whether N is a statement run_item runs (the others are declarations). */
static int is_statement(const ast_node *n)
{
    switch (n->kind) {
    case AST_DRAW: case AST_PULSE: case AST_ASSIGN: case AST_CONDITION: case AST_FOR: case AST_IF:
    case AST_BLOCK: case AST_FROZEN: case AST_PHASE:
        return 1;
    default:
        return 0;
    }
}

/* The leading 'frozen' blocks: they run before any draw, loop or phase,
 * so with the trial's arrays at their initial values, and they read only
 * the seed (their draws and 'trial' are those of the fixed frozen trial). */
static void prepare_frozen(task_program *tp)
{
    const ast_node *n = tp->def->first->next;
    int any = 0;
    for (; n && (!is_statement(n) || n->kind == AST_FROZEN); n = n->next)
        any |= n->kind == AST_FROZEN;
    size_t values = tp->steps;
    for (unsigned c = 0; c < tp->n_channels; c++)
        values += tp->steps * tp->channels[c].size;
    if (!any || (double)values * sizeof(double) > FROZEN_KEPT_MAX || !(tp->frozen = calloc(1, sizeof *tp->frozen)))
        return;
    pthread_mutex_init(&tp->frozen->lock, NULL);
    tp->frozen->count = values;
    tp->after_frozen = n;
}

void task_free(task_program *tp)
{
    for (unsigned i = 0; i < tp->n_loads; i++)
        rt_array_free(&tp->loads[i].a);
    tp->n_loads = 0;
    if (tp->frozen) {
        pthread_mutex_destroy(&tp->frozen->lock);
        free(tp->frozen->values);
        free(tp->frozen);
        tp->frozen = NULL;
    }
}

/* Copies the trial's mask and channels into or out of VALUES. */
static void copy_trial(const gen *G, double *values, int out)
{
    const task_program *tp = G->tp;
    size_t at = 0;
    for (unsigned c = 0; c <= tp->n_channels; c++) {
        double *a = c == 0 ? G->mask : G->ch[c - 1];
        size_t n = G->T * (c == 0 ? 1 : tp->channels[c - 1].size);
        memcpy(out ? values + at : a, out ? a : values + at, n * sizeof *a);
        at += n;
    }
}

/* The leading frozen blocks, from what an earlier trial of the seed kept
 * when there is one; the statement to go on from. */
static const ast_node *run_frozen(gen *G)
{
    const task_program *tp = G->tp;
    struct task_frozen *f = tp->frozen;
    if (!f || G->checking || G->T != tp->steps)
        return tp->def->first->next;
    pthread_mutex_lock(&f->lock);
    if (f->kept && f->seed == G->seed) {
        copy_trial(G, f->values, 0);
    } else {
        for (const ast_node *n = tp->def->first->next; n != tp->after_frozen && !G->failed; n = n->next)
            run_item(G, n);
        if (!f->values)
            f->values = malloc(f->count * sizeof *f->values);
        f->kept = !G->failed && f->values;
        f->seed = G->seed;
        if (f->kept)
            copy_trial(G, f->values, 1);
    }
    pthread_mutex_unlock(&f->lock);
    return tp->after_frozen;
}

/* The trial G describes: channels from 0, the mask from 1 (0 where the
 * task sets it), then the statements in order. */
static void run_trial(gen *G)
{
    const task_program *tp = G->tp;
    for (unsigned c = 0; c < tp->n_channels; c++)
        memset(G->ch[c], 0, G->T * tp->channels[c].size * sizeof(double));
    for (size_t t = 0; t < G->T; t++)
        G->mask[t] = tp->has_mask ? 0 : 1;
    G->w0 = G->origin = G->cursor = 0;
    G->w1 = G->T;
    run_items(G, run_frozen(G));
    if (!tp->n_phases)
        return;
    size_t end = G->cursor;   /* a shorter trial than the longest: padding from here */
    for (unsigned c = 0; c < tp->n_channels; c++)
        memset(G->ch[c] + end * tp->channels[c].size, 0, (G->T - end) * tp->channels[c].size * sizeof(double));
    memset(G->mask + end, 0, (G->T - end) * sizeof(double));
}

/* One trial (the first training sample's), generated once while the plan
 * is built: every error of the task's program that does not depend on what
 * is drawn is reported by rnnc check, located, instead of during a run. */
/* The bytes of one trial's arrays (task_trial_alloc's), in double so that
 * no length overflows. */
static double trial_bytes(const task_program *tp)
{
    double values = (double)tp->steps * (1 + TASK_SCRATCH_SIGNALS);
    for (unsigned c = 0; c < tp->n_channels; c++)
        values += (double)tp->steps * (double)tp->channels[c].size;
    return values * sizeof(double);
}

static void probe_trial(task_program *tp, gen *G, uint64_t seed)
{
    char why[256];
    if (rt_memory_fits(trial_bytes(tp), why, sizeof why) != 0) {
        const ast_node *at = tp->duration ? tp->duration->first : tp->n_phases ? tp->phases[0].node : tp->def;
        diag *g = fail(G, at, "a trial of task '%s' lasts %zu steps, and generating one needs %s", tp->def->name,
                       tp->steps, why);
        diag_hint(G->diag, g, "shorten the trial, or make dt longer (it is %g ms)", tp->dt * 1e3);
        return;
    }
    task_trial tr;
    if (task_trial_alloc(tp, &tr) != 0) {
        fail(G, tp->def, "out of memory while trying a trial of task '%s'", tp->def->name);
        return;
    }
    gen trial = {.tp = tp, .seed = seed, .trial = 0, .T = tp->steps, .ch = tr.channel, .mask = tr.mask,
                 .pool = tr.scratch, .pool_cap = TASK_SCRATCH_SIGNALS * tp->steps, .diag = G->diag};
    run_trial(&trial);
    if (trial.first && !tp->trial_invariant)   /* what was drawn may be why */
        diag_hint(G->diag, trial.first, "in the first training trial of task '%s' (seed %llu), made to try it",
                  tp->def->name, (unsigned long long)seed);
    G->failed += trial.failed;
    task_trial_free(&tr);
}

int task_trial_alloc(const task_program *tp, task_trial *tr)
{
    size_t T = tp->steps, values = T * (1 + TASK_SCRATCH_SIGNALS);
    for (unsigned c = 0; c < tp->n_channels; c++)
        values += T * tp->channels[c].size;
    memset(tr, 0, sizeof *tr);
    if (!(tr->mem = calloc(values, sizeof *tr->mem)))
        return -1;
    tr->mask = tr->mem;
    double *at = tr->mem + T;
    for (unsigned c = 0; c < tp->n_channels; c++) {
        tr->channel[c] = at;
        at += T * tp->channels[c].size;
    }
    tr->scratch = at;
    return 0;
}

int task_generate_check(const task_program *tp, uint64_t trial, const task_trial *tr, diag_ctx *dc)
{
    gen G = {.tp = tp, .seed = TASK_CHECK_SEED, .trial = trial, .T = tp->steps, .ch = tr->channel,
             .mask = tr->mask, .pool = tr->scratch, .pool_cap = TASK_SCRATCH_SIGNALS * tp->steps, .diag = dc,
             .checking = 1};
    run_trial(&G);
    if (!G.failed)
        return 0;
    if (G.first)
        diag_hint(dc, G.first, "in trial %llu of those (at most %d) of task '%s' made with seed %llu to check "
                  "it before training", (unsigned long long)trial, TASK_CHECK_TRIALS, tp->def->name,
                  (unsigned long long)TASK_CHECK_SEED);
    return -1;
}

void task_trial_free(task_trial *tr)
{
    free(tr->mem);
    tr->mem = NULL;
}

int task_prepare(task_program *tp, frontend *fe, const ast_node *task, double dt, uint64_t seed)
{
    memset(tp, 0, sizeof *tp);
    tp->fe = fe;
    tp->dt = dt;
    tp->def = frontend_find_def(fe, task->name);
    gen G = {.tp = tp, .diag = &fe->diag};
    if (!tp->def || tp->def->kind != AST_TASK) {
        fail(&G, task, "'%s' is not a task", task->name);
        return -1;
    }
    if (prepare_params(tp, &G, task->kind == AST_CALL ? task : NULL) != 0)
        return -1;
    for (const ast_node *n = tp->def->first->next; n; n = n->next)
        prepare_item(tp, &G, n);
    if (!G.failed)
        prepare_accuracy_phase(tp, &G);
    if (!G.failed)
        prepare_phases(tp, &G);
    if (!G.failed)
        prepare_condition(tp, &G);
    if (!G.failed)
        prepare_phase_channel(tp, &G);
    prepare_loads(tp, &G, tp->def->first->next);
    tp->trial_invariant = !draws_per_trial(tp->def->first->next) && !reads_trial(tp->def->first->next) &&
                          !loads_per_trial(tp);
    if (!G.failed && tp->steps == 0)
        fail(&G, tp->def, "task '%s' lasts no step: its duration is shorter than dt", tp->def->name);
    if (!G.failed)
        prepare_frozen(tp);
    if (!G.failed)
        probe_trial(tp, &G, seed);
    return G.failed ? -1 : 0;
}

int task_generate(const task_program *tp, uint64_t seed, uint64_t trial, double *const *channel_data,
                  double *mask, double *scratch, char *err, size_t err_size)
{
    gen G = {.tp = tp, .seed = seed, .trial = trial, .T = tp->steps, .ch = channel_data,
             .mask = mask, .err = err, .err_size = err_size};
    G.pool_cap = TASK_SCRATCH_SIGNALS * tp->steps;
    G.pool = scratch ? scratch : malloc(G.pool_cap * sizeof *G.pool);
    if (!G.pool) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    run_trial(&G);
    if (!scratch)
        free(G.pool);
    return G.failed ? -1 : 0;
}

