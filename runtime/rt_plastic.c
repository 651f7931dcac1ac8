/* rt_plastic.c -- the plasticity rules of a run, step by step (see rt_plastic.h). */
#include "rt_plastic_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_optim.h"
#include "rt_pool.h"

/* Rows of synapses per parallel task: cut by the data, so every thread
 * count gives the same bits. A rule with fewer synapse updates a step than
 * SERIAL_WORK runs its tasks on the caller: waking the pool's threads every
 * step cost more than the work (the 500 x 200 burstprop rule: a quarter of
 * the run in the kernel's wake-ups). */
enum { ROWS_PER_TASK = 16, MAX_RULE_VARS = 64, SERIAL_WORK = 1 << 18 };

typedef struct rule_state {
    const rt_plastic_desc *r;
    const rt_proj *proj;
    size_t n_pre, n_post;
    unsigned n_vars;
    void *pre_traces[2], *post_traces[2];   /* [K][B][n], double-buffered */
    void *syn_traces;                       /* [K][B][n_post][n_pre] */
    int cur;                                /* which buffer holds the traces now */
    void *scratch;                          /* [tasks][1 + K][n_pre]: a row's new weights, then synapse traces */
    void *bias_new;                         /* [n_post]: the new bias ('db') */
    double *acc;                            /* [tasks][n_pre] the batch's mean change (B > 1) */
    void *factor[2];                        /* factored: Q [B][n_pre] and P [B][n_post] */
    int constrained;                        /* bounds, Dale's signs or a mask to apply */
} rule_state;

struct rt_plastic {
    const rt_run_desc *d;
    rt_net *net;
    rt_pool *pool;
    size_t B, elem;
    unsigned n;
    rule_state *rules;
    size_t t;                               /* the step the callback is at */
    unsigned rule;                          /* the rule its tasks work on */
};

static size_t tasks_of(const rule_state *s)
{
    return (s->n_post + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
}

rt_plastic *rt_plastic_new(const rt_run_desc *d, rt_net *net, rt_pool *pool)
{
    rt_plastic *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->d = d;
    p->net = net;
    p->pool = pool;
    p->B = rt_net_batch(net);
    p->elem = d->net.is_double ? sizeof(double) : sizeof(float);
    p->n = d->n_plastic;
    p->rules = calloc(p->n ? p->n : 1, sizeof *p->rules);
    int ok = p->rules != NULL;
    for (unsigned k = 0; ok && k < p->n; k++) {
        rule_state *s = &p->rules[k];
        s->r = &d->plastic[k];
        s->proj = &d->net.projs[s->r->proj];
        s->n_pre = s->proj->n_pre;
        s->n_post = s->proj->n_post;
        s->n_vars = 1 + s->r->n_syn_traces + s->r->pre.n_values + 1 + s->r->pre.n_traces + s->r->post.n_values +
                    1 + s->r->post.n_traces + 1;
        ok &= s->n_vars <= MAX_RULE_VARS;
        for (int b = 0; b < 2; b++) {
            ok &= (s->pre_traces[b] = calloc(s->r->pre.n_traces * p->B * s->n_pre + 1, p->elem)) != NULL;
            ok &= (s->post_traces[b] = calloc(s->r->post.n_traces * p->B * s->n_post + 1, p->elem)) != NULL;
        }
        ok &= (s->scratch = calloc(tasks_of(s) * (1 + s->r->n_syn_traces) * s->n_pre + 1, p->elem)) != NULL;
        ok &= (s->syn_traces = calloc(s->r->n_syn_traces * p->B * s->n_post * s->n_pre + 1, p->elem)) != NULL;
        ok &= (s->bias_new = calloc(s->n_post + 1, p->elem)) != NULL;
        for (int side = 0; side < 2 && s->r->factored; side++)
            ok &= (s->factor[side] = calloc(p->B * (side ? s->n_post : s->n_pre), p->elem)) != NULL;
        if (p->B > 1)
            ok &= (s->acc = calloc(tasks_of(s) * s->n_pre + 1, sizeof(double))) != NULL;
        const rt_weights_desc *wd = &d->weights[s->r->proj];
        s->constrained = wd->mask || wd->dale || isfinite(wd->lo) || isfinite(wd->hi);
    }
    if (!ok) {
        rt_plastic_free(p);
        return NULL;
    }
    return p;
}

void rt_plastic_free(rt_plastic *p)
{
    if (!p)
        return;
    for (unsigned k = 0; p->rules && k < p->n; k++) {
        rule_state *s = &p->rules[k];
        for (int b = 0; b < 2; b++) {
            free(s->pre_traces[b]);
            free(s->post_traces[b]);
        }
        free(s->scratch);
        free(s->syn_traces);
        free(s->bias_new);
        free(s->acc);
        free(s->factor[0]);
        free(s->factor[1]);
    }
    free(p->rules);
    free(p);
}

static void fill_traces(void *buf, const rt_rule_side *side, size_t count, int is_double)
{
    for (unsigned k = 0; k < side->n_traces; k++)
        for (size_t i = 0; i < count; i++)
            rt_real_put(is_double, buf, k * count + i, side->trace_init[k]);
}

void rt_plastic_begin(rt_plastic *p)
{
    for (unsigned k = 0; k < p->n; k++) {
        rule_state *s = &p->rules[k];
        s->cur = 0;
        fill_traces(s->pre_traces[0], &s->r->pre, p->B * s->n_pre, p->d->net.is_double);
        fill_traces(s->post_traces[0], &s->r->post, p->B * s->n_post, p->d->net.is_double);
        size_t per = p->B * s->n_post * s->n_pre;
        for (unsigned j = 0; j < s->r->n_syn_traces; j++)
            for (size_t i = 0; i < per; i++)
                rt_real_put(p->d->net.is_double, s->syn_traces, j * per + i, s->r->syn_trace_init[j]);
    }
}

/* The [B][n] array of value V at step T: a state or output of population
 * POP, or network input INPUT (POP -1). */
static char *value_at(const rt_plastic *p, int pop, int input, rt_value_ref v, size_t t, size_t n)
{
    const void *base = pop < 0 ? rt_net_input(p->net, (unsigned)input)
                     : v.kind == RT_VALUE_OUTPUT ? rt_net_output_history(p->net, (unsigned)pop, v.index)
                     : v.kind == RT_VALUE_PORT   ? rt_net_port_history(p->net, (unsigned)pop, v.index)
                                                 : rt_net_state_history(p->net, (unsigned)pop, v.index);
    return (char *)base + t * p->B * n * p->elem;
}

/* The side's arguments for sequence B at step T, element OFFSET of each
 * [B][n] array: its values, its spike, its traces (in buffer CUR). */
static unsigned side_args(const rt_plastic *p, const rule_state *s, int post, size_t t, size_t b, size_t offset,
                          void **args)
{
    const rt_rule_side *side = post ? &s->r->post : &s->r->pre;
    size_t n = post ? s->n_post : s->n_pre;
    int pop = post ? (int)s->proj->post_pop : s->proj->pre_pop, input = post ? -1 : s->proj->pre_input;
    size_t at = (b * n + offset) * p->elem;
    unsigned a = 0;
    for (unsigned v = 0; v < side->n_values; v++)
        args[a++] = value_at(p, pop, input, side->values[v], t, n) + at;
    args[a++] = value_at(p, pop, input, side->spike, t, n) + at;
    char *traces = post ? s->post_traces[s->cur] : s->pre_traces[s->cur];
    for (unsigned k = 0; k < side->n_traces; k++)
        args[a++] = traces + k * p->B * n * p->elem + at;
    return a;
}

/* Rows [task * ROWS_PER_TASK, ...) of the rule's weights. */
static void weights_task(void *ctx, unsigned task)
{
    rt_plastic *p = ctx;
    rule_state *s = &p->rules[p->rule];
    int is_double = p->d->net.is_double;
    char *w = rt_net_weights(p->net, s->r->proj);
    unsigned K = s->r->n_syn_traces;
    size_t row_bytes = s->n_pre * p->elem, per = p->B * s->n_post * s->n_pre;
    char *row_new = (char *)s->scratch + (size_t)task * (1 + K) * row_bytes;   /* then K synapse traces' rows */
    double *acc = s->acc ? s->acc + (size_t)task * s->n_pre : NULL;
    const rt_weights_desc *wd = &p->d->weights[s->r->proj];
    size_t i_end = ((size_t)task + 1) * ROWS_PER_TASK < s->n_post ? ((size_t)task + 1) * ROWS_PER_TASK : s->n_post;
    for (size_t i = (size_t)task * ROWS_PER_TASK; i < i_end; i++) {
        char *row = w + i * s->n_pre * p->elem;
        if (acc)
            memset(acc, 0, s->n_pre * sizeof *acc);
        for (size_t b = 0; b < p->B; b++) {
            void *args[2 * MAX_RULE_VARS];
            unsigned a = 0;
            char *syn = (char *)s->syn_traces + ((b * s->n_post + i) * s->n_pre) * p->elem;
            args[a++] = row;
            for (unsigned k = 0; k < K; k++)
                args[a++] = syn + k * per * p->elem;
            a += side_args(p, s, 0, p->t, b, 0, args + a);
            a += side_args(p, s, 1, p->t, b, i, args + a);
            args[a++] = row_new;   /* the bias: not read */
            for (unsigned k = 0; k <= K; k++)
                args[a++] = row_new + k * row_bytes;
            s->r->weights((int64_t)s->n_pre, args);
            for (unsigned k = 0; k < K; k++)   /* each sequence keeps its own */
                memcpy(syn + k * per * p->elem, row_new + (k + 1) * row_bytes, row_bytes);
            for (size_t j = 0; acc && j < s->n_pre; j++)
                acc[j] += rt_real_get(is_double, row_new, j) - rt_real_get(is_double, row, j);
        }
        if (acc)
            for (size_t j = 0; j < s->n_pre; j++)
                rt_real_put(is_double, row, j, rt_real_get(is_double, row, j) + acc[j] / (double)p->B);
        else
            memcpy(row, row_new, s->n_pre * p->elem);
        if (s->constrained) {
            rt_tensor t = {row, NULL, s->n_pre, wd->lo, wd->hi, wd->mask ? wd->mask + i * s->n_pre : NULL,
                           wd->dale, s->n_pre};
            rt_constrain(&t, is_double);
        }
    }
}

/* One side's traces over the whole [B][n], into the other buffer. */
static void side_traces(rt_plastic *p, rule_state *s, int post)
{
    const rt_rule_side *side = post ? &s->r->post : &s->r->pre;
    int bias = post && s->r->bias;
    if ((!side->n_traces && !bias && !s->r->factored) || !side->traces)
        return;
    size_t n = post ? s->n_post : s->n_pre;
    void *args[MAX_RULE_VARS + 8];
    unsigned a = 0;
    args[a++] = s->scratch;   /* the weight and the synapse traces: not read */
    for (unsigned k = 0; k < s->r->n_syn_traces; k++)
        args[a++] = s->scratch;
    if (post) {
        for (unsigned v = 0; v < s->r->pre.n_values + 1 + s->r->pre.n_traces; v++)
            args[a++] = s->scratch;
    }
    a += side_args(p, s, post, p->t, 0, 0, args + a);
    if (!post) {
        for (unsigned v = 0; v < s->r->post.n_values + 1 + s->r->post.n_traces; v++)
            args[a++] = s->scratch;
    }
    void *b = bias ? rt_net_bias(p->net, s->r->proj) : NULL;
    args[a++] = b ? b : s->scratch;
    char *next = post ? s->post_traces[!s->cur] : s->pre_traces[!s->cur];
    for (unsigned k = 0; k < side->n_traces; k++)
        args[a++] = next + k * p->B * n * p->elem;
    if (bias)
        args[a++] = s->bias_new;
    if (s->r->factored)
        args[a++] = s->factor[post];
    side->traces((int64_t)(p->B * n), args);
    if (bias)
        memcpy(b, s->bias_new, s->n_post * p->elem);
}

/* Rows [task * ROWS_PER_TASK, ...) of a factored rule's weights: w_ij +=
 * the mean over the sequences of P_bi Q_bj. */
static void outer_task(void *ctx, unsigned task)
{
    rt_plastic *p = ctx;
    rule_state *s = &p->rules[p->rule];
    int is_double = p->d->net.is_double;
    char *w = rt_net_weights(p->net, s->r->proj);
    const rt_weights_desc *wd = &p->d->weights[s->r->proj];
    double *acc = s->acc ? s->acc + (size_t)task * s->n_pre : NULL;
    size_t n = s->n_pre, i_end = ((size_t)task + 1) * ROWS_PER_TASK < s->n_post ? ((size_t)task + 1) * ROWS_PER_TASK
                                                                                : s->n_post;
    for (size_t i = (size_t)task * ROWS_PER_TASK; i < i_end; i++) {
        int changed = 0;
        for (size_t b = 0; b < p->B; b++)
            changed |= rt_real_get(is_double, s->factor[1], b * s->n_post + i) != 0;
        if (!changed)
            continue;
        char *row = w + i * n * p->elem;
        if (acc) {
            memset(acc, 0, n * sizeof *acc);
            for (size_t b = 0; b < p->B; b++) {
                double a = rt_real_get(is_double, s->factor[1], b * s->n_post + i);
                for (size_t j = 0; j < n; j++)
                    acc[j] += a * rt_real_get(is_double, s->factor[0], b * n + j);
            }
            for (size_t j = 0; j < n; j++)
                rt_real_put(is_double, row, j, rt_real_get(is_double, row, j) + acc[j] / (double)p->B);
        } else if (is_double) {
            double a = ((const double *)s->factor[1])[i], *r = (double *)row;
            const double *q = s->factor[0];
            for (size_t j = 0; j < n; j++)
                r[j] += a * q[j];
        } else {
            float a = ((const float *)s->factor[1])[i], *r = (float *)row;
            const float *q = s->factor[0];
            for (size_t j = 0; j < n; j++)
                r[j] += a * q[j];
        }
        if (s->constrained) {
            rt_tensor t = {row, NULL, n, wd->lo, wd->hi, wd->mask ? wd->mask + i * n : NULL, wd->dale, n};
            rt_constrain(&t, is_double);
        }
    }
}

void rt_plastic_step(void *ctx, size_t t)
{
    rt_plastic *p = ctx;
    p->t = t;
    for (unsigned k = 0; k < p->n; k++) {
        rule_state *s = &p->rules[k];
        p->rule = k;
        void (*rows)(void *, unsigned) = weights_task;
        if (s->r->factored) {   /* the factors and new traces from the old ones, then the rows */
            side_traces(p, s, 0);
            side_traces(p, s, 1);
            rows = outer_task;
        }
        if (s->n_post * s->n_pre * p->B < SERIAL_WORK)
            for (unsigned task = 0; task < tasks_of(s); task++)
                rows(p, task);
        else
            rt_pool_run(p->pool, (unsigned)tasks_of(s), rows, p);
        if (!s->r->factored) {
            side_traces(p, s, 0);
            side_traces(p, s, 1);
        }
        s->cur = !s->cur;
    }
}
