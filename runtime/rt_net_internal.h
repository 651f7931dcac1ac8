/* rt_net_internal.h -- the buffers behind rt_net (rt_net.c and
 * rt_net_real.inc only). */
#ifndef RNNRT_NET_INTERNAL_H
#define RNNRT_NET_INTERNAL_H

#include "rt_connect.h"
#include "rt_net.h"

enum { RT_MAX_VARS = 16 };

/* Parallel work is cut by the data, never by the thread count, so every
 * thread count gives the same bits: the batch in chunks of RT_CHUNK_ROWS
 * sequences, each running every step of the network on its own. */
enum { RT_CHUNK_ROWS = 64 };

/* The backward pass keeps a block of RT_BLOCK_STEPS steps of each chunk's
 * input adjoints and presynaptic activity in cache, and adds their product
 * to the chunk's own weight gradients as one GEMM; the chunks' gradients
 * are summed in chunk order at the end. */
enum { RT_BLOCK_STEPS = 16 };

/* A projection narrower than this on either side (3 input channels, a
 * 3-unit readout) is computed by plain loops: a GEMM call costs more than
 * its work there. */
enum { RT_THIN = 8 };

/* A chunk of at most this many sequences (e-prop's batch of 1) projects
 * row by row, skipping zero inputs: spikes are sparse, and a GEMM call's
 * overhead is most of its time at one row. */
enum { RT_FEW_ROWS = 4 };

/* A batch of at most RT_FEW_ROWS sequences is one chunk; its forward pass
 * is spread over the threads by cutting each population's step into blocks
 * of neurons, one per thread and at least this many (rt_net.block): inputs
 * gathered and kernel run per block. Every neuron's input gets its terms in
 * the same order in a block as in the whole, so the bits do not depend on
 * the blocks, nor on the threads. */
enum { RT_NEURON_BLOCK = 2048 };

/* Neurons' random draws are made this many at a time (rt_net_real.inc). */
enum { RT_DRAW_PIECE = 256 };

/* How many slots of [B][n] each history of a population has (rt_net_desc.keep):
 * 0 for the whole history ([T + 1] of a state or output, [T] of a port),
 * else a ring whose slot s is s mod that many. SPIKE_BITS: its spikes are
 * kept as bits (rt_net_spike_bits). */
typedef struct rt_history_slots {
    unsigned state[RT_MAX_VARS], output[RT_MAX_VARS], port[RT_MAX_VARS];
    int spike_bits;
} rt_history_slots;

/* Population P's slots in a network of STEPS steps, as rt_net_new
 * allocates them (and rt_memory.c counts them). */
void rt_history_slots_of(const rt_net_desc *d, unsigned p, size_t steps, rt_history_slots *slots);

typedef struct pop_buffers {
    void *state[RT_MAX_VARS];          /* [(T+1)][B][n]; slot 0: initial */
    void *output[RT_MAX_VARS];         /* [(T+1)][B][n]; slot 0: before the first step */
    void *input[RT_MAX_VARS];          /* [T][B][n] */
    rt_history_slots slots;            /* ... or rings of fewer slots */
    uint8_t *spikes;                   /* NULL, or [T][B][spike_row_bytes]: the spikes as bits */
    size_t spike_row_bytes;
    void *adj_state[2][RT_MAX_VARS];   /* [B][n], the carry, double-buffered */
    /* output 0's adjoint, a ring of RING [B][n] slabs: output slot s
     * (step s - 1's result) in slab (s - 1) mod RING; RING is 2 + the
     * longest delay of a projection from the population */
    void *adj_out;
    unsigned ring;
} pop_buffers;

/* One chunk's scratch for the backward pass. */
typedef struct chunk_buffers {
    void *adj_input[RT_MAX_POPS][RT_MAX_VARS];   /* [RT_BLOCK_STEPS][rows][n] */
    /* presynaptic activity of the block, per source (NULL: sends nothing):
     * position s holds output slot tb + s of a population (s <= RT_BLOCK_STEPS),
     * or step tb + s of a network input */
    void *pre_pop[RT_MAX_POPS], *pre_input[RT_MAX_INPUTS];   /* [RT_BLOCK_STEPS + 1][rows][n] */
    void *gw[RT_MAX_PROJS], *gb[RT_MAX_PROJS];
} chunk_buffers;

typedef struct proj_buffers {
    void *w, *gw;                      /* [n_post][n_pre]; sparse: [nnz] */
    rt_csr csr;                        /* a sparse projection's synapses (rt_connect.h) */
    signed char *sign;                 /* NULL, or Dale's sign of each synapse */
    /* sparse, more than rt_net.block post neurons: where each pre row's
     * synapses onto each block of post neurons start, relative to the row,
     * [n_pre][blocks + 1] */
    uint32_t *split;
    size_t blocks;
    /* with split, where blocks hold at most 65,536 post neurons: each
     * synapse's post neuron less its block's first, [nnz]. The forward
     * pass reads these 2 bytes instead of csr.post's 4: it is bound by the
     * bytes of synapses it reads. NULL otherwise. */
    uint16_t *local;
    void *wt;                          /* [n_pre][n_post]: w transposed at each forward pass */
    void *b, *gb;                      /* [n_post] or NULL */
    void *fb, *fbt;                    /* feedback [n_post][n_pre] and its transpose, or NULL */
} proj_buffers;

struct rt_net {
    rt_net_desc d;
    rt_keep keep[RT_MAX_POPS];         /* d.keep's copy, d.keep pointing here (or NULL) */
    size_t batch, steps, elem;
    pop_buffers pop[RT_MAX_POPS];
    proj_buffers proj[RT_MAX_PROJS];
    void *input[RT_MAX_INPUTS];        /* [T][B][size] */
    void *zeros;                       /* [B][widest n, input or population]: adjoints of unused outputs,
                                          a delayed input before the first step */
    void *dloss[RT_MAX_POPS];          /* readout r: d loss / d y, [T][B][n] */
    void *dreg[RT_MAX_POPS];           /* population p: d reg / d o at every step, [B][n], or NULL */
    double reg_loss;
    chunk_buffers *chunk;              /* [rt_chunks()] */
    struct rt_pool *pool;              /* NULL: everything on the calling thread */
    size_t block;                      /* neurons per block of a step (RT_NEURON_BLOCK) */
    int avx2;                          /* run the AVX2 + FMA build of the passes */
    int carry, ran;                    /* rt_net_continue; a forward pass has run */
    uint64_t draw_seed;                /* the neurons' random draws (rt_net_set_draws) */
    uint64_t *draw_stream;             /* [batch]: per sequence, its trial's stream */
};

static inline unsigned rt_chunks(const rt_net *net)
{
    return (unsigned)((net->batch + RT_CHUNK_ROWS - 1) / RT_CHUNK_ROWS);
}

size_t rt_widest(const rt_net_desc *d);

#if RT_NET_AVX2
void rt_forward_f32_avx2(rt_net *net);
void rt_forward_f64_avx2(rt_net *net);
void rt_transpose_f32_avx2(rt_net *net);
void rt_transpose_f64_avx2(rt_net *net);
void rt_forward_stepwise_f32_avx2(rt_net *net, void (*after_step)(void *, size_t), void *ctx);
void rt_forward_stepwise_f64_avx2(rt_net *net, void (*after_step)(void *, size_t), void *ctx);
double rt_loss_f32_avx2(rt_net *net, rt_loss kind, const void *const *targets, const double *mask);
double rt_loss_f64_avx2(rt_net *net, rt_loss kind, const void *const *targets, const double *mask);
void rt_backward_f32_avx2(rt_net *net);
void rt_backward_f64_avx2(rt_net *net);
#endif
void rt_forward_f32(rt_net *net);
void rt_forward_f64(rt_net *net);
void rt_transpose_f32(rt_net *net);
void rt_transpose_f64(rt_net *net);
void rt_forward_stepwise_f32(rt_net *net, void (*after_step)(void *, size_t), void *ctx);
void rt_forward_stepwise_f64(rt_net *net, void (*after_step)(void *, size_t), void *ctx);
double rt_loss_f32(rt_net *net, rt_loss kind, const void *const *targets, const double *mask);
double rt_loss_f64(rt_net *net, rt_loss kind, const void *const *targets, const double *mask);
void rt_backward_f32(rt_net *net);
void rt_backward_f64(rt_net *net);

#endif
