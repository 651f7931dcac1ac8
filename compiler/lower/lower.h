/* lower.h -- a neuron's equations as expression graphs, with their adjoint.
 *
 * A population's neurons all follow one update per step,
 *
 *     s' = f(s, I)          (dx/dt = g: x' = x + dt g; or x <- g: x' = g)
 *     o  = G(s, I)          (the outputs, read from the new state s')
 *
 * where s are the states at the start of the step and I the input ports.
 * A spiking neuron's spike z is one more state (the last step's spike at
 * the start, this step's at the end), and its refractory count another:
 * z' = H(margin) with derivative psi * d margin, psi its surrogate, and
 * reset and refractoriness are part of f (see lower_spike).
 * Lowering turns the checked syntax tree into these expressions with every
 * parameter folded to a constant, and derives the adjoint step of BPTT
 * symbolically: given the loss's sensitivity to the outputs (a_o) and to the
 * new state (a_s'), the sensitivity to the inputs and the old state is
 *
 *     a_I = a_s' df/dI + a_o dG/dI,      a_s = a_s' df/ds + a_o dG/ds.
 *
 * Variables of the graph are numbered: states 0..K-1, ports K..K+P-1, then
 * (adjoint only) a_o K+P..K+P+O-1 and a_s' K+P+O..K+P+O+K-1.
 *
 * A neuron's random draws (uniform(), normal(), poisson(rate), ...) are
 * the last D of the P ports: each call in the neuron's text is a variable
 * that the runtime fills with a fresh number per neuron and step (a
 * uniform on [0, 1), a standard normal, or a Poisson count of a constant
 * mean), and the expression turns it into the draw asked for
 * (lo + (hi - lo) u, mean + std n, u < rate dt).
 */
#ifndef RNNC_LOWER_H
#define RNNC_LOWER_H

#include "ast.h"
#include "consteval.h"
#include "frontend.h"
#include "ir.h"

typedef enum draw_kind { DRAW_UNIFORM, DRAW_NORMAL, DRAW_POISSON } draw_kind;

typedef struct neuron_draw {
    draw_kind kind;
    double mean;                    /* DRAW_POISSON: events per step */
} neuron_draw;

typedef struct neuron_ir {
    const char *neuron;             /* the definition's name */
    ir_graph g;
    unsigned n_states, n_ports, n_outputs;
    const char **state_names, **port_names, **output_names;
    double *state_init;             /* initial value of each state (SI) */
    double *output_init;            /* the outputs before the first step */
    ir_ref *next;                   /* f: per state */
    ir_ref *out;                    /* G: per output */
    ir_ref *adj_state;              /* a_s: per state */
    ir_ref *adj_port;               /* a_I: per port */
    int spike_state;                /* the state that is the spike, or -1 */
    unsigned n_draws;               /* the last N_DRAWS ports are random draws */
    neuron_draw *draws;
    /* the unit each state and output is declared in (state V = -70 mV: mV),
     * for its records; NULL where it has none or no dimension, or where
     * the table has no unit of its dimension (DIM says which) */
    const unit_def **state_unit, **output_unit;
    dim_t *state_dim, *output_dim;
} neuron_ir;

/* Lowers neuron DEF with step DT (seconds) and the population's overrides
 * (parameter values that replace the definition's defaults).
 * Returns 0, or -1 with each error (e.g. a construct that cannot be compiled
 * yet) on DIAG at its place in the source (DIAG NULL: not reported). */
int lower_neuron(neuron_ir *out, const frontend *fe, const ast_node *def, double dt,
                 const const_binding *overrides, unsigned n_overrides, diag_ctx *diag);
void neuron_ir_free(neuron_ir *n);

/* A plasticity rule attached to a projection, as one graph for three
 * kernels: the presynaptic traces (one per pre neuron), the postsynaptic
 * ones (per post neuron) and the weight (per synapse). Every step of a
 * trial that learns, after the network has stepped, the rule runs
 *
 *   1. its equations: each trace's and the weight's (dx/dt = e by Euler,
 *      x <- e, dw = e as w + e), all reading the values before the step;
 *   2. 'on pre { ... }' where the presynaptic neuron spiked (for a network
 *      input: where its value is not 0), statements in order, each reading
 *      the values as the statements before it left them;
 *   3. 'on post { ... }' likewise, where the postsynaptic neuron spiked.
 *
 * pre.x and post.y read the neurons' values at the end of the step.
 * Variables, in this order: the weight (0), the synapse traces (K_syn, per
 * synapse like the weight, computed by its kernel), the pre values read (V_pre),
 * the pre spike, the pre traces (K_pre), then the same of the post side,
 * then the projection's bias (read by 'db = e' only).
 * The traces of one side depend only on that side (checked). */
typedef struct rule_side_ir {
    unsigned n_values, n_traces;
    const char **value_names;       /* the member read: "v", "r", "z" */
    const char **trace_names;
    double *trace_init;
    uint32_t first_value, spike, first_trace;   /* variable indices */
    ir_ref *trace_next;             /* per trace */
    int uses_spike;                 /* an 'on' block of this side */
} rule_side_ir;

typedef struct rule_ir {
    const char *rule;
    ir_graph g;
    rule_side_ir pre, post;
    rule_side_ir syn;               /* traces per synapse ('trace e = 0'): no values, no spike */
    uint32_t n_vars;
    ir_ref w_next;
    /* The change factorises, w_next = w + post_factor * pre_factor, the
     * first reading only the post side and constants, the second only the
     * pre side (burstprop's -eta E pre): the weights change by an outer
     * product, computed by the side kernels, and no kernel runs per
     * synapse. Never with synapse traces. */
    int factored;
    ir_ref post_factor, pre_factor;
    /* 'db = e': the projection's bias (the last variable) changes by e per
     * post neuron, computed with the post traces; b_next its new value */
    int has_bias;
    uint32_t bias_var;
    ir_ref b_next;
    const ast_node *bias_at;
} rule_ir;

/* The names of a side's neuron the rule may read (its states, its spike,
 * its outputs), and whether it spikes; a network input has none and its
 * spike is its value. */
typedef struct rule_side_info {
    const char *neuron;             /* NULL: a network input */
    const char *group;              /* the population or input, for messages */
    int spiking;
} rule_side_info;

/* Lowers rule DEF with step DT and the connect's OVERRIDES, attached at AT
 * (the connect's 'plasticity' option, where errors about the pair of
 * neurons are reported). 0, or -1 with errors on DIAG. */
int lower_rule(rule_ir *out, const frontend *fe, const ast_node *def, double dt, const const_binding *overrides,
               unsigned n_overrides, const rule_side_info *pre, const rule_side_info *post, const ast_node *at,
               diag_ctx *diag);
void rule_ir_free(rule_ir *r);

#endif
