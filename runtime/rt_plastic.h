/* rt_plastic.h -- local plasticity rules: weights that change between the
 * steps of a trial.
 *
 * A projection with a rule is 'plastic' (rt_proj.plastic): during the
 * trials that learn, the network runs one step at a time
 * (rt_net_forward_stepwise) and after every step the rule's three compiled
 * kernels run:
 *   - the weights, one call per postsynaptic neuron i and sequence b, over
 *     the row of n_pre synapses: the postsynaptic arguments are single
 *     values (the kernel reads element 0 of them);
 *   - the presynaptic traces, over [B][n_pre], and the postsynaptic ones
 *     over [B][n_post].
 * The weights kernel reads the traces as they were before the step, so it
 * runs first. A factored rule (rt_plastic_desc.factored) has no weights
 * kernel: its side kernels also write the factors of the outer product,
 * and the rows change after them. With several sequences in a batch the weights change by the
 * mean of each sequence's change. After the change the weights are clamped
 * to their bounds, and Dale's signs and the mask are applied again, as
 * after an optimiser step.
 *
 * Kernel arguments (network precision), in the order of the rule's
 * variables (compiler/lower/lower.h, rule_ir): the weight; the traces kept
 * per synapse (like the weight, [B][n_post][n_pre]); the pre side's
 * values, its spike, its traces; the post side's values, its spike, its
 * traces; the projection's bias; then the outputs: the new weights and
 * synapse traces, or the side's new traces (and the post side's, the new
 * bias).
 * Every kernel takes all the variables, and the ones it does not read may
 * point anywhere.
 */
#ifndef RNNRT_PLASTIC_H
#define RNNRT_PLASTIC_H

#include <stddef.h>

#include "rt_kernel.h"

/* What a rule reads of a side's neurons, at the end of each step: a state
 * or an output of the population, what an input port of it received this
 * step (a third factor, such as a reward), or (a network input) the
 * input's value. */
typedef enum rt_value_kind { RT_VALUE_STATE, RT_VALUE_OUTPUT, RT_VALUE_INPUT, RT_VALUE_PORT } rt_value_kind;

typedef struct rt_value_ref {
    rt_value_kind kind;
    unsigned index;                 /* the state or output */
} rt_value_ref;

typedef struct rt_rule_side {
    unsigned n_values;
    const rt_value_ref *values;
    /* the side's spike: a population's spike state, or a network input's
     * value (an event where it is not 0) */
    rt_value_ref spike;
    unsigned n_traces;
    const double *trace_init;       /* each trace's value when a sequence starts */
    rt_kernel traces;               /* NULL when the side has no trace */
} rt_rule_side;

typedef struct rt_plastic_desc {
    unsigned proj;                  /* the plastic projection */
    const char *rule;               /* the rule's name, for messages */
    rt_rule_side pre, post;
    rt_kernel weights;              /* NULL when factored */
    /* The weights change by an outer product, w_ij += P_i Q_j (the mean
     * over the batch's sequences): the pre side's kernel writes Q after
     * its traces, the post side's P after its traces and bias; a row whose
     * P is 0 in every sequence stays as it is. */
    int factored;
    unsigned n_syn_traces;          /* traces per synapse, and their initial values */
    const double *syn_trace_init;
    /* the rule changes the projection's bias ('db'): the post side's
     * kernel (run even without post traces) also writes the new bias,
     * after its traces; batches of one sequence only */
    int bias;
} rt_plastic_desc;

#endif
