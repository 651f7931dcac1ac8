/* lower_internal.h -- the lowering context that lower.c (neurons) and
 * lower_rule.c (plasticity rules) share; not for the lowering's users. */
#ifndef RNNC_LOWER_INTERNAL_H
#define RNNC_LOWER_INTERNAL_H

#include "lower.h"
#include "lower_memo.h"
#include "sema.h"

enum { NO_REF = UINT32_MAX, MAX_ARGS = 64, MAX_REPORTED = 32 };

/* Which value of a state a name means: the step's start (equations, lets)
 * or its end (outputs). */
typedef enum phase { PHASE_START, PHASE_END } phase;

/* A function's arguments while its body is lowered. */
typedef struct arg_frame {
    const ast_node *function;
    ir_ref values[MAX_ARGS];
    unsigned count;
    const struct arg_frame *outer;
} arg_frame;

/* What the names of a plasticity rule stand for while it is lowered: its
 * traces and the weight have a current value, which the rule's statements
 * change one after another, and pre.x / post.y are variables of the graph. */
typedef struct rule_names {
    const symbol **traces;          /* by trace index */
    unsigned n_traces;
    const ir_ref *trace_now;        /* each trace's current value */
    ir_ref w_now;                   /* the weight's */
    /* the variable of pre.NAME (POST 0) or post.NAME (POST 1) */
    ir_ref (*member)(void *ctx, int post, const char *name);
    void *ctx;
} rule_names;

typedef struct lowering {
    ir_graph *g;
    const_env env;                  /* dt, and the population's parameter overrides */
    const frontend *fe;             /* for user-defined functions; may be NULL */
    const ast_node *neuron;         /* the neuron or rule lowered; NULL for a constant outside one */
    const symbol **states, **ports; /* by variable index */
    unsigned n_states, n_ports;
    const ast_node **draws;         /* a neuron's random calls, each the variable after the ports */
    double *draw_mean;              /* poisson_count's events per step, per draw */
    unsigned n_draws;
    const ir_ref *next;             /* the end-of-step states, once known */
    int spike, refractory;          /* state indices of the spike and the refractory count, or -1 */
    const rule_names *rule;         /* lowering a plasticity rule, else NULL */
    diag_ctx *diag;                 /* where errors go; NULL: only 'failed' tells */
    lower_memo memo;                /* lets, outputs, parameters and applications already lowered */
    const ast_node *reported[MAX_REPORTED];   /* a let or an output is lowered more than once */
    unsigned n_reported;
    int failed;
} lowering;

/* An error at AT, once per place; the diagnostic for a hint, or NULL. */
diag *lower_fail(lowering *L, const ast_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* E lowered with the names' values at the step's start (for a rule: the
 * current values of its traces and weight). */
ir_ref lower_expression(lowering *L, const ast_node *e);

/* The graph and the end-of-step states names are lowered against; the memo
 * is forgotten (call it whenever what a name means changes). */
void lower_set_context(lowering *L, ir_graph *g, const ir_ref *next);

/* x' for dx/dt = RHS over one step of X, variable I of G (Euler, or EXACT). */
ir_ref lower_integrate(lowering *L, const ast_node *item, ir_graph *g, unsigned i, ir_ref rhs, int exact);

void *lower_calloc(size_t n, size_t size);

#endif
