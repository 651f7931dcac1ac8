/* rt_net.c -- buffers of a network and the precision-independent parts of
 * its passes (see rt_net.h). The arithmetic is in rt_net_real.inc, compiled
 * once for float and once for double. */
#include "rt_net.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_net_internal.h"
#include "rt_pool.h"
#include "rt_rng.h"

static void *alloc_real(const rt_net *net, size_t count)
{
    size_t bytes = (count ? count : 1) * net->elem;
    bytes = (bytes + 63) / 64 * 64;   /* aligned_alloc wants a multiple of the alignment */
    void *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

/* Whether the loss reads population P's first output over every step: a
 * readout's, or one with a rate regulariser. */
static int read_by_loss(const rt_net_desc *d, unsigned p)
{
    for (unsigned r = 0; r < d->n_readouts; r++)
        if (d->readouts[r] == p)
            return 1;
    return d->pops[p].rate_c > 0 || d->pops[p].rate_l2_c > 0;
}

/* A step reads slot t of each state and writes slot t + 1; a projection
 * reads its pre's slot t + 1 (t lagged) DELAY slots earlier: 2 + DELAY
 * slots hold every slot a step reads while it writes the next. */
void rt_history_slots_of(const rt_net_desc *d, unsigned p, size_t steps, rt_history_slots *s)
{
    memset(s, 0, sizeof *s);
    if (!d->forward_only || !d->keep)
        return;
    const rt_pop *pop = &d->pops[p];
    rt_keep keep = d->keep[p];
    if (read_by_loss(d, p))
        keep.outputs |= 1;
    unsigned state_ring[RT_MAX_VARS], output_ring[RT_MAX_VARS];
    for (unsigned v = 0; v < RT_MAX_VARS; v++)
        state_ring[v] = output_ring[v] = 2;
    /* an output that is a state is that state's buffer: kept, it keeps the state */
    for (unsigned o = 0; pop->output_state && o < pop->n_outputs; o++)
        if (pop->output_state[o] >= 0 && (keep.outputs >> o & 1))
            keep.states |= 1u << pop->output_state[o];
    for (unsigned j = 0; j < d->n_projs; j++) {
        const rt_proj *pr = &d->projs[j];
        if (pr->pre_pop != (int)p)
            continue;
        int k = pr->send_state > 0 ? pr->send_state - 1 : pop->output_state ? pop->output_state[pr->send_output] : -1;
        unsigned *ring = k >= 0 ? &state_ring[k] : &output_ring[pr->send_output];
        *ring = pr->delay + 2 > *ring ? pr->delay + 2 : *ring;
    }
    for (unsigned k = 0; k < pop->n_states; k++)   /* a ring as long as the history is the history */
        s->state[k] = (keep.states >> k & 1) || state_ring[k] >= steps + 1 ? 0 : state_ring[k];
    for (unsigned o = 0; o < pop->n_outputs; o++) {
        int k = pop->output_state ? pop->output_state[o] : -1;
        s->output[o] = k >= 0 ? s->state[k] : (keep.outputs >> o & 1) || output_ring[o] >= steps + 1 ? 0 : output_ring[o];
    }
    for (unsigned q = 0; q < pop->n_ports; q++)
        s->port[q] = (keep.ports >> q & 1) || steps <= 1 ? 0 : 1;
    s->spike_bits = pop->spiking && keep.spikes && s->state[pop->spike_state] != 0;
}

static int alloc_pop(rt_net *net, unsigned p)
{
    const rt_pop *pop = &net->d.pops[p];
    pop_buffers *b = &net->pop[p];
    size_t slab = net->batch * pop->n, T = net->steps;
    int ok = 1;
    rt_history_slots_of(&net->d, p, T, &b->slots);
    for (unsigned k = 0; k < pop->n_states; k++) {
        ok &= (b->state[k] = alloc_real(net, (b->slots.state[k] ? b->slots.state[k] : T + 1) * slab)) != NULL;
        if (net->d.forward_only)
            continue;
        ok &= (b->adj_state[0][k] = alloc_real(net, slab)) != NULL;
        ok &= (b->adj_state[1][k] = alloc_real(net, slab)) != NULL;
    }
    for (unsigned q = 0; q < pop->n_ports; q++)
        ok &= (b->input[q] = alloc_real(net, (b->slots.port[q] ? b->slots.port[q] : T) * slab)) != NULL;
    for (unsigned o = 0; o < pop->n_outputs; o++) {
        int k = pop->output_state ? pop->output_state[o] : -1;
        if (k >= 0)
            b->output[o] = b->state[k];
        else
            ok &= (b->output[o] = alloc_real(net, (b->slots.output[o] ? b->slots.output[o] : T + 1) * slab)) != NULL;
    }
    if (b->slots.spike_bits) {
        b->spike_row_bytes = (pop->n + 7) / 8;
        ok &= (b->spikes = calloc(T * net->batch * b->spike_row_bytes + 1, 1)) != NULL;
    }
    b->ring = 2;
    for (unsigned j = 0; j < net->d.n_projs; j++)
        if (net->d.projs[j].pre_pop == (int)p && net->d.projs[j].delay + 2 > b->ring)
            b->ring = net->d.projs[j].delay + 2;
    if (!net->d.forward_only)
        ok &= (b->adj_out = alloc_real(net, b->ring * slab)) != NULL;
    return ok ? 0 : -1;
}

static int alloc_proj(rt_net *net, unsigned j, struct rt_pool *pool, char *err, size_t err_size)
{
    rt_proj *pr = &net->d.projs[j];
    pr->n_post = net->d.pops[pr->post_pop].n;
    pr->n_pre = pr->pre_pop >= 0 ? net->d.pops[pr->pre_pop].n : net->d.input_sizes[pr->pre_input];
    /* lagged: the pre population is updated at or after the post one, so
     * without a delay it carries the last step's activity; a delay of D
     * steps carries the activity of D steps before in either order */
    pr->lagged = pr->pre_pop >= 0 && (unsigned)pr->pre_pop >= pr->post_pop && pr->delay == 0;
    proj_buffers *b = &net->proj[j];
    if (pr->sparse && (pr->feedback || pr->plastic))
        return rt_error(err, err_size, "%s: a sparse projection cannot carry feedback or plasticity", pr->name);
    if (pr->sparse) {
        if (rt_connect_build(pr->sparse, pr->n_pre, pr->n_post, pool, &b->csr, err, err_size) != 0)
            return -1;
        int ok = (b->w = alloc_real(net, b->csr.nnz)) != NULL &&
                 (net->d.forward_only || (b->gw = alloc_real(net, b->csr.nnz)) != NULL);
        if (pr->bias)
            ok = ok && (b->b = alloc_real(net, pr->n_post)) != NULL &&
                 (net->d.forward_only || (b->gb = alloc_real(net, pr->n_post)) != NULL);
        return ok ? 0 : rt_error(err, err_size, "out of memory for the %zu synapses of %s", b->csr.nnz, pr->name);
    }
    size_t count = pr->n_post * pr->n_pre;
    int ok = (b->w = alloc_real(net, count)) != NULL && (b->wt = alloc_real(net, count)) != NULL &&
             (net->d.forward_only || (b->gw = alloc_real(net, count)) != NULL);
    if (pr->bias)
        ok = ok && (b->b = alloc_real(net, pr->n_post)) != NULL &&
             (net->d.forward_only || (b->gb = alloc_real(net, pr->n_post)) != NULL);
    if (pr->feedback)
        ok = ok && (b->fb = alloc_real(net, count)) != NULL && (b->fbt = alloc_real(net, count)) != NULL;
    return ok ? 0 : rt_error(err, err_size, "out of memory for the weights of %s", pr->name);
}

/* Chunk C's backward scratch: blocks of input adjoints and presynaptic
 * activity, and its share of the gradients. */
static int alloc_chunk(rt_net *net, chunk_buffers *c)
{
    size_t rows = RT_BLOCK_STEPS * RT_CHUNK_ROWS;
    int ok = 1;
    for (unsigned p = 0; p < net->d.n_pops; p++)
        for (unsigned q = 0; q < net->d.pops[p].n_ports; q++)
            ok &= (c->adj_input[p][q] = alloc_real(net, rows * net->d.pops[p].n)) != NULL;
    for (unsigned j = 0; j < net->d.n_projs; j++) {
        const rt_proj *pr = &net->d.projs[j];
        void **pre = pr->pre_pop >= 0 ? &c->pre_pop[pr->pre_pop] : &c->pre_input[pr->pre_input];
        if (!*pre)
            ok &= (*pre = alloc_real(net, rows * pr->n_pre + RT_CHUNK_ROWS * pr->n_pre)) != NULL;
        ok &= (c->gw[j] = alloc_real(net, rt_net_weight_count(net, j))) != NULL;
        if (pr->bias)
            ok &= (c->gb[j] = alloc_real(net, pr->n_post)) != NULL;
    }
    return ok ? 0 : -1;
}

static void free_chunk(chunk_buffers *c)
{
    for (unsigned p = 0; p < RT_MAX_POPS; p++)
        for (unsigned q = 0; q < RT_MAX_VARS; q++)
            free(c->adj_input[p][q]);
    for (unsigned p = 0; p < RT_MAX_POPS; p++)
        free(c->pre_pop[p]);
    for (unsigned i = 0; i < RT_MAX_INPUTS; i++)
        free(c->pre_input[i]);
    for (unsigned j = 0; j < RT_MAX_PROJS; j++) {
        free(c->gw[j]);
        free(c->gb[j]);
    }
}

static int valid(const rt_net_desc *d)
{
    if (d->n_pops > RT_MAX_POPS || d->n_inputs > RT_MAX_INPUTS || d->n_projs > RT_MAX_PROJS ||
        d->n_readouts > RT_MAX_POPS)
        return 0;
    for (unsigned p = 0; p < d->n_pops; p++)
        if (d->pops[p].n_states > RT_MAX_VARS || d->pops[p].n_ports > RT_MAX_VARS ||
            d->pops[p].n_outputs > RT_MAX_VARS || d->pops[p].n_outputs == 0)
            return 0;
    for (unsigned p = 0; p < d->n_pops; p++)
        for (unsigned o = 0; d->pops[p].output_state && o < d->pops[p].n_outputs; o++)
            if (d->pops[p].output_state[o] >= (int)d->pops[p].n_states)
                return 0;
    for (unsigned p = 0; p < d->n_pops; p++)
        if (d->pops[p].n_draws > d->pops[p].n_ports || (d->pops[p].n_draws && !d->pops[p].draws))
            return 0;
    for (unsigned j = 0; j < d->n_projs; j++)   /* a draw takes no projection */
        if (d->projs[j].post_pop < d->n_pops &&
            d->projs[j].port >= d->pops[d->projs[j].post_pop].n_ports - d->pops[d->projs[j].post_pop].n_draws)
            return 0;
    return 1;
}

void rt_net_set_draws(rt_net *net, uint64_t seed, const uint64_t *trials)
{
    net->draw_seed = seed;
    for (size_t b = 0; b < net->batch; b++)
        net->draw_stream[b] = rt_rng_stream(RT_STREAM_NEURON, trials ? trials[b] : b);
}

/* The first synapse of sorted ROW[0 .. len) onto a post neuron >= POST. */
static size_t first_onto(const uint32_t *row, size_t len, size_t post)
{
    size_t lo = 0, hi = len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (row[mid] < post)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* plan_blocks' cut of one projection's rows, CUT_ROWS rows a task */
enum { CUT_ROWS = 256 };
typedef struct cut {
    proj_buffers *b;
    size_t block;
} cut;

static void cut_task(void *ctx, unsigned task)
{
    const cut *c = ctx;
    proj_buffers *b = c->b;
    size_t lo = (size_t)task * CUT_ROWS, hi = lo + CUT_ROWS < b->csr.n_pre ? lo + CUT_ROWS : b->csr.n_pre;
    for (size_t k = lo; k < hi; k++) {   /* each row is sorted by post */
        uint32_t *sp = b->split + k * (b->blocks + 1);
        const uint32_t *post = b->csr.post + b->csr.row[k];
        size_t len = b->csr.row[k + 1] - b->csr.row[k];
        for (size_t blk = 0; blk <= b->blocks; blk++)
            sp[blk] = (uint32_t)first_onto(post, len, blk * c->block);
        for (size_t blk = 0; b->local && blk < b->blocks; blk++)
            for (size_t s = sp[blk]; s < sp[blk + 1]; s++)
                b->local[b->csr.row[k] + s] = (uint16_t)(post[s] - blk * c->block);
    }
}

/* Cuts the widest population into one block of neurons per thread of
 * POOL (at least RT_NEURON_BLOCK neurons each), and each sparse row at the
 * blocks' bounds (proj_buffers.split). The cut follows the threads, the
 * bits do not: every input gets its terms in the same order whatever the
 * blocks (rt_net_real.inc: step_block). -1, the old cut kept, when memory
 * runs out. */
static int plan_blocks(rt_net *net, struct rt_pool *pool)
{
    size_t threads = pool ? (size_t)rt_pool_threads(pool) : 1, widest = rt_widest(&net->d);
    size_t block = (widest + threads - 1) / threads;
    block = block < RT_NEURON_BLOCK ? RT_NEURON_BLOCK : (block + 15) / 16 * 16;
    if (block == net->block)
        return 0;
    uint32_t *split[RT_MAX_PROJS] = {0};
    uint16_t *local[RT_MAX_PROJS] = {0};
    for (unsigned j = 0; j < net->d.n_projs; j++) {
        const rt_proj *pr = &net->d.projs[j];
        size_t blocks = (pr->n_post + block - 1) / block;
        int ok = 1;
        if (pr->sparse && blocks > 1) {
            ok = (split[j] = malloc(pr->n_pre * (blocks + 1) * sizeof *split[j] + 1)) != NULL;
            if (ok && block <= 1u << 16)
                ok = (local[j] = malloc(net->proj[j].csr.nnz * sizeof *local[j] + 1)) != NULL;
        }
        if (!ok) {
            for (unsigned i = 0; i <= j; i++) {
                free(split[i]);
                free(local[i]);
            }
            return -1;
        }
    }
    net->block = block;
    for (unsigned j = 0; j < net->d.n_projs; j++) {
        const rt_proj *pr = &net->d.projs[j];
        proj_buffers *b = &net->proj[j];
        if (!pr->sparse)
            continue;
        free(b->split);
        free(b->local);
        b->split = split[j];
        b->local = local[j];
        b->blocks = (pr->n_post + block - 1) / block;
        cut c = {b, block};
        if (b->split)
            rt_pool_run(pool, (unsigned)((pr->n_pre + CUT_ROWS - 1) / CUT_ROWS), cut_task, &c);
    }
    return 0;
}

rt_net *rt_net_new(const rt_net_desc *d, size_t batch, size_t steps)
{
    return rt_net_new_on(d, batch, steps, NULL, NULL, 0);
}

rt_net *rt_net_new_on(const rt_net_desc *d, size_t batch, size_t steps, struct rt_pool *pool, char *err,
                      size_t err_size)
{
    if (!valid(d)) {
        rt_error(err, err_size, "the network's description exceeds the runtime's limits");
        return NULL;
    }
    rt_net *net = calloc(1, sizeof *net);
    if (!net) {
        rt_error(err, err_size, "out of memory");
        return NULL;
    }
    net->d = *d;
    if (d->keep) {   /* the caller's array may go before the network */
        memcpy(net->keep, d->keep, d->n_pops * sizeof *d->keep);
        net->d.keep = net->keep;
    }
    net->pool = pool;
    net->batch = batch;
    net->steps = steps;
    net->elem = d->is_double ? sizeof(double) : sizeof(float);
    int ok = 1;
    for (unsigned p = 0; p < d->n_pops && ok; p++)
        ok = alloc_pop(net, p) == 0;
    for (unsigned j = 0; j < d->n_projs && ok; j++)
        ok = alloc_proj(net, j, pool, err, err_size) == 0;
    int said = !ok;   /* alloc_proj's message stands */
    for (unsigned i = 0; i < d->n_inputs && ok; i++)
        ok = (net->input[i] = alloc_real(net, steps * batch * d->input_sizes[i])) != NULL;
    size_t widest = rt_widest(d);
    for (unsigned i = 0; i < d->n_inputs; i++)
        widest = d->input_sizes[i] > widest ? d->input_sizes[i] : widest;
    ok = ok && (net->zeros = alloc_real(net, batch * widest)) != NULL;
    for (unsigned r = 0; r < d->n_readouts && ok; r++)
        ok = (net->dloss[r] = alloc_real(net, steps * batch * d->pops[d->readouts[r]].n)) != NULL;
    for (unsigned p = 0; p < d->n_pops && ok; p++)
        if (d->pops[p].rate_c > 0)
            ok = (net->dreg[p] = alloc_real(net, batch * d->pops[p].n)) != NULL;
    ok = ok && (net->chunk = calloc(rt_chunks(net), sizeof *net->chunk)) != NULL && plan_blocks(net, pool) == 0;
    ok = ok && (net->draw_stream = malloc((batch ? batch : 1) * sizeof *net->draw_stream)) != NULL;
    if (ok)
        rt_net_set_draws(net, 0, NULL);
    for (unsigned c = 0; ok && !d->forward_only && c < rt_chunks(net); c++)
        ok = alloc_chunk(net, &net->chunk[c]) == 0;
    if (!ok) {
        if (!said)
            rt_error(err, err_size, "out of memory for a batch of %zu sequences of %zu steps", batch, steps);
        rt_net_free(net);
        return NULL;
    }
#if RT_NET_AVX2
    net->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return net;
}

size_t rt_widest(const rt_net_desc *d)
{
    size_t n = 1;
    for (unsigned p = 0; p < d->n_pops; p++)
        if (d->pops[p].n > n)
            n = d->pops[p].n;
    return n;
}

void rt_net_free(rt_net *net)
{
    if (!net)
        return;
    for (unsigned p = 0; p < net->d.n_pops; p++) {
        pop_buffers *b = &net->pop[p];
        for (unsigned k = 0; k < RT_MAX_VARS; k++) {
            free(b->state[k]);
            free(b->adj_state[0][k]);
            free(b->adj_state[1][k]);
            free(b->input[k]);
            if (!net->d.pops[p].output_state || k >= net->d.pops[p].n_outputs ||
                net->d.pops[p].output_state[k] < 0)
                free(b->output[k]);
        }
        free(b->adj_out);
        free(b->spikes);
    }
    if (net->chunk)
        for (unsigned c = 0; c < rt_chunks(net); c++)
            free_chunk(&net->chunk[c]);
    free(net->chunk);
    free(net->draw_stream);
    for (unsigned r = 0; r < RT_MAX_POPS; r++) {
        free(net->dloss[r]);
        free(net->dreg[r]);
    }
    for (unsigned j = 0; j < net->d.n_projs; j++) {
        free(net->proj[j].w);
        free(net->proj[j].wt);
        free(net->proj[j].gw);
        free(net->proj[j].b);
        free(net->proj[j].gb);
        free(net->proj[j].fb);
        free(net->proj[j].fbt);
        rt_csr_free(&net->proj[j].csr);
        free(net->proj[j].sign);
        free(net->proj[j].split);
        free(net->proj[j].local);
    }
    for (unsigned i = 0; i < net->d.n_inputs; i++)
        free(net->input[i]);
    free(net->zeros);
    free(net);
}

const rt_net_desc *rt_net_description(const rt_net *net) { return &net->d; }
void *rt_net_weights(rt_net *net, unsigned j) { return net->proj[j].w; }
void *rt_net_bias(rt_net *net, unsigned j) { return net->proj[j].b; }
void *rt_net_weight_grad(rt_net *net, unsigned j) { return net->proj[j].gw; }
void *rt_net_bias_grad(rt_net *net, unsigned j) { return net->proj[j].gb; }

const rt_csr *rt_net_synapses(const rt_net *net, unsigned j)
{
    return net->d.projs[j].sparse ? &net->proj[j].csr : NULL;
}

size_t rt_net_weight_count(const rt_net *net, unsigned j)
{
    const rt_proj *pr = &net->d.projs[j];
    return pr->sparse ? net->proj[j].csr.nnz : pr->n_post * pr->n_pre;
}
void *rt_net_input(rt_net *net, unsigned i) { return net->input[i]; }
void *rt_net_feedback(rt_net *net, unsigned j) { return net->proj[j].fb; }
double rt_net_reg_loss(const rt_net *net) { return net->reg_loss; }
size_t rt_net_batch(const rt_net *net) { return net->batch; }

/* A pool of another size cuts the blocks again; the old cut stands if
 * memory runs out (slower, the same bits). */
void rt_net_set_pool(rt_net *net, struct rt_pool *pool)
{
    net->pool = pool;
    (void)plan_blocks(net, pool);
}

void rt_net_continue(rt_net *net, int on) { net->carry = on; }
struct rt_pool *rt_net_pool(const rt_net *net) { return net->pool; }

const signed char *rt_net_synapse_signs(rt_net *net, unsigned j, const signed char *dale)
{
    proj_buffers *b = &net->proj[j];
    if (b->sign || !dale)
        return b->sign;
    if (!(b->sign = malloc(b->csr.nnz + 1)))
        return NULL;
    for (size_t k = 0; k < b->csr.n_pre; k++)
        for (size_t s = b->csr.row[k]; s < b->csr.row[k + 1]; s++)
            b->sign[s] = dale[k];
    return b->sign;
}
size_t rt_net_steps(const rt_net *net) { return net->steps; }

/* Slot t + 1 holds step t's result. */
const void *rt_net_state_history(const rt_net *net, unsigned p, unsigned k)
{
    if (net->pop[p].slots.state[k])
        return NULL;
    return (const char *)net->pop[p].state[k] + net->batch * net->d.pops[p].n * net->elem;
}

const void *rt_net_port_history(const rt_net *net, unsigned p, unsigned q)
{
    return net->pop[p].slots.port[q] ? NULL : net->pop[p].input[q];
}

const void *rt_net_output_history(const rt_net *net, unsigned p, unsigned o)
{
    if (net->pop[p].slots.output[o])
        return NULL;
    return (const char *)net->pop[p].output[o] + net->batch * net->d.pops[p].n * net->elem;
}

const uint8_t *rt_net_spike_bits(const rt_net *net, unsigned p, size_t *row_bytes)
{
    *row_bytes = net->pop[p].spike_row_bytes;
    return net->pop[p].spikes;
}

/* The passes for the network's precision, in the widest build the CPU runs. */
#if RT_NET_AVX2
#define PASS(net, name, ...)                                                                   \
    ((net)->d.is_double ? ((net)->avx2 ? name##_f64_avx2(__VA_ARGS__) : name##_f64(__VA_ARGS__)) \
                        : ((net)->avx2 ? name##_f32_avx2(__VA_ARGS__) : name##_f32(__VA_ARGS__)))
#else
#define PASS(net, name, ...) ((net)->d.is_double ? name##_f64(__VA_ARGS__) : name##_f32(__VA_ARGS__))
#endif

void rt_net_forward(rt_net *net)
{
    PASS(net, rt_forward, net);
}

void rt_net_weights_changed(rt_net *net)
{
    PASS(net, rt_transpose, net);
}

size_t rt_net_limit_steps(rt_net *net, size_t steps)
{
    size_t before = net->steps;
    net->steps = steps;
    return before;
}

void rt_net_forward_stepwise(rt_net *net, void (*after_step)(void *ctx, size_t t), void *ctx)
{
    PASS(net, rt_forward_stepwise, net, after_step, ctx);
}

double rt_net_loss(rt_net *net, rt_loss kind, const void *const *targets, const double *mask)
{
    return PASS(net, rt_loss, net, kind, targets, mask);
}

double rt_net_mse(rt_net *net, const void *const *targets, const double *mask)
{
    return rt_net_loss(net, RT_LOSS_MSE, targets, mask);
}

void rt_net_backward(rt_net *net)
{
    if (net->d.forward_only)
        return;
    PASS(net, rt_backward, net);
}
