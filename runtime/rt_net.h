/* rt_net.h -- a network's forward pass and its backward pass through time.
 *
 * The runtime takes a plain description: populations, each with compiled
 * per-neuron kernels (a forward step and its adjoint, see
 * rt_kernel.h for their arguments), and dense or sparse projections
 * between them (sparse: CSR synapses by pre neuron, rt_connect.h,
 * propagated event by event), each with an optional delay in steps. All
 * arrays are time-major, [step][batch][neuron], in float or double. Both
 * passes run the batch in chunks of 64 sequences in parallel, each chunk
 * step by step through the whole network, so a step's data is still in
 * cache when it is next used (a batch of at most 4 sequences, one chunk, is
 * spread over the threads by blocks of neurons instead, each step):
 *   - dense projections are one OpenBLAS GEMM per step and chunk
 *     ([64 x n_pre] x [n_pre x n_post]); those with fewer than 8 units on
 *     a side (input channels, small readouts) are plain loops;
 *   - weight gradients are one GEMM per chunk and block of 16 steps
 *     ([n_post x 1024] x [1024 x n_pre]), summed over chunks in order.
 * (DESIGN section 4 asks for one GEMM over the whole sequence for input
 * projections and gradients; over 340 x 128 rows those arrays are 17 MB
 * each and such GEMMs ran at memory speed: 3.5-4.6 ms each for the 3-wide
 * ones, 20-25 ms for the 100 x 100 gradient against 17.6 ms in blocks of
 * 1024 rows; sgemm on one thread of this machine.)
 *
 * Update order within a step: populations in their order in the
 * description. A projection to a later population carries this step's
 * activity; one to the same or an earlier population carries the previous
 * step's ('lagged'), so h -> h is the recurrent W h[t-1]. A delay of D
 * steps carries the activity of step t - D in either case.
 */
#ifndef RNNRT_NET_H
#define RNNRT_NET_H

#include <stddef.h>
#include <stdint.h>

#include "rt_connect.h"
#include "rt_kernel.h"


/* Limits of one network, the same for the compiler and the runtime. */
enum { RT_MAX_POPS = 64, RT_MAX_INPUTS = 16, RT_MAX_PROJS = 256 };

/* A random number a population's kernel reads each step, per neuron:
 * uniform on [0, 1), standard normal, or a count of Poisson(MEAN) events. */
typedef enum rt_draw_kind { RT_DRAW_UNIFORM, RT_DRAW_NORMAL, RT_DRAW_POISSON } rt_draw_kind;
typedef struct rt_draw {
    rt_draw_kind kind;
    double mean;
} rt_draw;

typedef struct rt_pop {
    const char *name;
    size_t n;
    unsigned n_states, n_ports, n_outputs;   /* output 0 is what projections carry */
    /* the last N_DRAWS of the ports take no projection: the runtime fills
     * them with random numbers, a function of the seed, the sequence's
     * trial, the population, the draw, the step and the neuron alone
     * (rt_net_set_draws), so no thread count or batch changes them */
    unsigned n_draws;
    const rt_draw *draws;
    const double *state_init, *output_init;
    /* NULL, or per output the state whose history it is (the forward kernel
     * does not write it: output r = h is h), else -1 */
    const int *output_state;
    rt_kernel forward, adjoint;
    /* the same in double precision, for analyses that need it (fixed
     * points); NULL where none asks */
    rt_kernel forward64, adjoint64;
    /* a spiking neuron: state SPIKE_STATE is its spike (0 or 1 per step) */
    int spiking;
    unsigned spike_state;
    /* e-prop's firing-rate regulariser on output 0 (the spikes): with
     * f_j the mean of o_j over a sequence's steps, each sequence adds
     * rate_c / 2 * sum_j (f_j - rate_target)^2 to the loss (averaged over
     * the batch); rate_c 0: none. rate_target is per step (Hz times dt). */
    double rate_c, rate_target;
    /* the L2 firing-rate regulariser on output 0 (PsychRNN's L2_firing_rate):
     * rate_l2_c times the mean of o^2 over the batch, the steps and the
     * neurons; 0: none */
    double rate_l2_c;
} rt_pop;

typedef struct rt_proj {
    const char *name;               /* "x -> h", for messages */
    int pre_input;                  /* >= 0: a network input, else -1 */
    int pre_pop;                    /* >= 0: a population, else -1 */
    /* what a population sends: its output SEND_OUTPUT (0, the first, by
     * default), or with SEND_STATE k > 0 its state k - 1. The backward pass
     * (BPTT, e-prop) handles the first output only: the compiler allows
     * another only in runs that learn no gradient through it */
    unsigned send_output;
    int send_state;
    unsigned post_pop, port;
    int bias;                       /* a trainable bias on the post side */
    int trainable;
    /* changed between steps by a local rule (rt_net_forward_stepwise):
     * the passes read the weights themselves, never a transposed copy */
    int plastic;
    /* the backward pass: no_backprop stops the adjoint here, so the pre
     * population gets none through this projection (e-prop drops the
     * recurrent paths); feedback sends it through the matrix of
     * rt_net_feedback in place of the weights (e-prop's random B) */
    int no_backprop, feedback;
    /* the L2 weight regulariser (PsychRNN's L2_in, L2_rec, L2_out): l2_c
     * times the mean of the squared weights (not the bias); 0: none */
    double l2_c;
    /* NULL: dense weights [n_post][n_pre] (a rule's missing connections are
     * a mask of the weights). Else sparse: the synapses this rule makes,
     * built by rt_net_new (rt_connect.h), their weights NNZ values in CSR
     * order. Activity is then propagated event-driven: only the rows of
     * pre neurons whose activity is not 0 are added, in order of pre
     * neuron, which gives the bits of the dense few-rows path. Not with
     * plastic or feedback. */
    const struct rt_connect *sparse;
    /* a transmission delay in steps: what the pre side sends at step t
     * reaches the post side at step t + DELAY, whichever population is
     * updated first (before the first step, a population's initial output,
     * an input's 0); 0: this step's activity, or the last step's for a
     * projection onto the same or an earlier population (lagged) */
    unsigned delay;
    /* set by rt_net_new from the order of populations and the delay */
    int lagged;
    size_t n_pre, n_post;
} rt_proj;

/* Which of a population's histories are read whole, after or during a
 * forward pass (records, analyses, the loss): bit k of STATES, OUTPUTS and
 * PORTS for its state, output and input port k. SPIKES: its spikes are
 * read (the spike statistics, a raster), kept as bits when the spike state
 * itself is not (rt_net_spike_bits). See rt_net_desc.keep. */
typedef struct rt_keep {
    uint32_t states, outputs, ports;
    int spikes;
} rt_keep;

typedef struct rt_net_desc {
    unsigned n_inputs;
    const size_t *input_sizes;
    unsigned n_pops;
    const rt_pop *pops;
    unsigned n_projs;
    rt_proj *projs;
    unsigned n_readouts;            /* compared with the task's targets, in order */
    const unsigned *readouts;       /* population indices */
    int is_double;
    /* RT_LOSS_CROSS_ENTROPY's class weights: NULL (all 1), or per readout
     * NULL or a weight (>= 0) per element */
    const double *const *class_weights;
    /* set: rt_net_backward is never called (an evaluation), so no weight
     * gradients, adjoints or backward scratch are allocated; it does
     * nothing then */
    int forward_only;
    /* NULL (as a description that leaves it out): every history is kept
     * whole, [steps + 1][batch][n]. Else, in a forward_only network, per
     * population what is read (rt_run_keep makes it from a run): the other
     * histories are rings of the slots a step needs (2 of a state, 2 + the
     * longest delay of a projection that sends it of a state or output, 1
     * of a port), their *_history NULL. The readouts' first outputs, and
     * those of populations with a rate regulariser, are kept whole
     * whatever KEEP says: the loss reads them. */
    const rt_keep *keep;
} rt_net_desc;

typedef struct rt_net rt_net;

/* Buffers for BATCH sequences of STEPS steps; NULL if out of memory (or a
 * sparse projection's rule fails: rt_net_new_on says why). */
rt_net *rt_net_new(const rt_net_desc *d, size_t batch, size_t steps);
/* The same, the sparse projections' synapses built on POOL's threads
 * (NULL: the caller's), which the network then runs on; a failure is
 * described in ERR. */
struct rt_pool;
rt_net *rt_net_new_on(const rt_net_desc *d, size_t batch, size_t steps, struct rt_pool *pool, char *err,
                      size_t err_size);
void rt_net_free(rt_net *net);
const rt_net_desc *rt_net_description(const rt_net *net);

/* Parameters, in the network's precision: weights [n_post][n_pre] (a
 * sparse projection: [nnz] in the order of its synapses), bias [n_post];
 * gradients alike. NULL where a projection has no bias, and the gradients
 * NULL in a forward_only network. */
void *rt_net_weights(rt_net *net, unsigned proj);
void *rt_net_bias(rt_net *net, unsigned proj);
void *rt_net_weight_grad(rt_net *net, unsigned proj);
void *rt_net_bias_grad(rt_net *net, unsigned proj);
/* A sparse projection's synapses (rt_connect.h), or NULL for a dense one. */
const struct rt_csr *rt_net_synapses(const rt_net *net, unsigned proj);
/* How many weights PROJ has: n_post x n_pre dense, its synapses sparse. */
size_t rt_net_weight_count(const rt_net *net, unsigned proj);
/* A sparse projection's sign per synapse from DALE's per pre neuron (made
 * once and kept with the network: the optimiser's constraint reads it);
 * NULL if out of memory. */
const signed char *rt_net_synapse_signs(rt_net *net, unsigned proj, const signed char *dale);

/* The random draws of populations' neurons (rt_pop.draws) come from SEED,
 * sequence b of the batch being trial TRIALS[b] (NULL: trial b); by
 * default seed 0 and trial b. */
void rt_net_set_draws(rt_net *net, uint64_t seed, const uint64_t *trials);

/* Input I's buffer, [steps][batch][size], filled by the caller. */
void *rt_net_input(rt_net *net, unsigned input);

/* Runs the sequence from the initial state. */
void rt_net_forward(rt_net *net);

/* The same, the whole batch one step at a time: AFTER_STEP(CTX, T) runs
 * after step T of every sequence, before step T + 1, and may change the
 * weights and biases of the projections marked plastic (local learning
 * rules), which the next step then uses. */
void rt_net_forward_stepwise(rt_net *net, void (*after_step)(void *ctx, size_t t), void *ctx);

/* The weights changed between steps of rt_net_forward_stepwise (an
 * optimiser step inside a sequence): the next steps use the new ones. */
void rt_net_weights_changed(rt_net *net);

/* The loss and the backward pass see the first STEPS steps only (at most
 * the network's); returns the number before. Online learning calls it
 * between steps, on the steps run so far. */
size_t rt_net_limit_steps(rt_net *net, size_t steps);

/* The feedback matrix of projection PROJ ([n_post][n_pre], like its
 * weights: B transposed for a feedback y -> h of B [n_h][n_y]), or NULL
 * where the projection has no 'feedback' flag. Filled by the caller. */
void *rt_net_feedback(rt_net *net, unsigned proj);

/* The loss of the readouts against TARGETS[r] ([steps][batch][size],
 * network precision) where MASK ([steps][batch], doubles; NULL: all ones)
 * is non-zero, summed over readouts:
 *   RT_LOSS_MSE: sum m (y - y*)^2 / (size * sum m), the mean squared error;
 *   RT_LOSS_SUM_SQUARED: sum m (y - y*)^2 / (2 batch), half the squared
 *     error summed over steps and elements, averaged over the batch (the
 *     loss of e-prop's pattern generation, Bellec et al. 2020);
 *   RT_LOSS_CROSS_ENTROPY: y holds logits; at each step and trial, each
 *     readout's softmax p = exp(y) / sum exp(y) against the class
 *     probabilities y* (one-hot or soft, >= 0) with the readout's class
 *     weights w: l = -sum_k w_k y*_k log p_k, and the loss is
 *     sum m l / sum m sum_k w_k y*_k over steps, trials and readouts.
 *     A step whose target is all zero counts nothing. For one-hot targets
 *     this is PyTorch's CrossEntropyLoss(weight = w, reduction = 'mean')
 *     over the steps that count; for soft targets without weights, its
 *     mean over them too.
 * Also seeds the backward pass with d loss / d y, and with the gradients of
 * the regularisers (the populations' rate and L2 firing-rate regularisers,
 * the projections' L2 weight regularisers), whose summed value
 * rt_net_reg_loss gives. */
typedef enum rt_loss { RT_LOSS_MSE, RT_LOSS_SUM_SQUARED, RT_LOSS_CROSS_ENTROPY } rt_loss;
double rt_net_loss(rt_net *net, rt_loss kind, const void *const *targets, const double *mask);
double rt_net_mse(rt_net *net, const void *const *targets, const double *mask);
double rt_net_reg_loss(const rt_net *net);

/* Gradients of the last loss with respect to every weight and bias. */
void rt_net_backward(rt_net *net);

/* Histories: state K or output O of population P, [steps][batch][n], slot 0
 * being step 0's result (the initial values are not included). NULL where
 * the history is not kept whole (rt_net_desc.keep): never a ring. */
const void *rt_net_state_history(const rt_net *net, unsigned pop, unsigned state);
const void *rt_net_output_history(const rt_net *net, unsigned pop, unsigned output);
/* Input port Q of population P: what it received at each step, [steps][batch][n]
 * (NULL as above). */
const void *rt_net_port_history(const rt_net *net, unsigned pop, unsigned port);
/* A spiking population's spikes where its spike state's history is not
 * kept whole and rt_keep.spikes asks for them, else NULL: [steps][batch]
 * rows of *ROW_BYTES bytes, neuron i's spike (its spike state > 0.5) bit
 * i % 8 of byte i / 8. The spike state is 0 or 1 (rt_pop.spiking), so the
 * bits are the state. */
const uint8_t *rt_net_spike_bits(const rt_net *net, unsigned pop, size_t *row_bytes);

/* Runs the passes on POOL's threads (see rt_pool.h); NULL: on the caller's.
 * The results are the same either way. */
struct rt_pool;
void rt_net_set_pool(rt_net *net, struct rt_pool *pool);
struct rt_pool *rt_net_pool(const rt_net *net);

size_t rt_net_batch(const rt_net *net);

/* ON: each forward pass after the first starts from the states and
 * outputs the last one ended with (one long sequence cut into trials),
 * not from the initial values. */
void rt_net_continue(rt_net *net, int on);

/* Element I of an array in the network's precision, as a double. */
static inline double rt_real_get(int is_double, const void *base, size_t i)
{
    return is_double ? ((const double *)base)[i] : (double)((const float *)base)[i];
}

static inline void rt_real_put(int is_double, void *base, size_t i, double v)
{
    if (is_double)
        ((double *)base)[i] = v;
    else
        ((float *)base)[i] = (float)v;
}
size_t rt_net_steps(const rt_net *net);

#endif
