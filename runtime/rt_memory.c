/* rt_memory.c -- a run's memory, counted from its description (see
 * rt_memory.h). Each count mirrors an allocation: rt_net.c's alloc_pop,
 * alloc_proj, alloc_chunk and rt_net_new; rt_train.c's batch_init,
 * params_init and loop_open; rt_optim.c's moments; rt_analyze.c's and
 * rt_results.c's arrays of doubles. Sizes are in doubles
 * (no overflow for any size_t inputs) and rounded as aligned_alloc does. */
#include "rt_memory.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "rt_error.h"
#include "rt_files.h"
#include "rt_net_internal.h"

/* rt_net.c rounds each buffer up to 64 bytes */
static double buffer(double count, double elem)
{
    return ceil((count > 0 ? count : 1) * elem / 64) * 64;
}

static double pop_size(const rt_net_desc *n, unsigned p)
{
    return (double)n->pops[p].n;
}

static double pre_size(const rt_net_desc *n, const rt_proj *pr)
{
    return pr->pre_pop >= 0 ? pop_size(n, (unsigned)pr->pre_pop) : (double)n->input_sizes[pr->pre_input];
}

/* rt_net.c: alloc_pop, the inputs, d loss / d y and the rate regulariser */
static double histories(const rt_net_desc *n, double B, double T, double elem)
{
    double sum = 0;
    for (unsigned p = 0; p < n->n_pops; p++) {
        const rt_pop *pop = &n->pops[p];
        double slab = B * pop_size(n, p);
        double adjoints = n->forward_only ? 0 : 2 * buffer(slab, elem);
        rt_history_slots slots;   /* whole (0) or trimmed to a ring (rt_net_desc.keep) */
        rt_history_slots_of(n, p, (size_t)T, &slots);
        for (unsigned k = 0; k < pop->n_states; k++)
            sum += buffer((slots.state[k] ? slots.state[k] : T + 1) * slab, elem) + adjoints;
        for (unsigned q = 0; q < pop->n_ports; q++)
            sum += buffer((slots.port[q] ? slots.port[q] : T) * slab, elem);
        for (unsigned o = 0; o < pop->n_outputs; o++)
            if (!pop->output_state || pop->output_state[o] < 0)
                sum += buffer((slots.output[o] ? slots.output[o] : T + 1) * slab, elem);
        if (slots.spike_bits)   /* rt_net_spike_bits */
            sum += T * B * ceil(pop_size(n, p) / 8);
        double ring = 2;   /* rt_net.c's ring of output adjoints: 2 + the longest delay from P */
        for (unsigned j = 0; j < n->n_projs; j++)
            if (n->projs[j].pre_pop == (int)p && n->projs[j].delay + 2.0 > ring)
                ring = n->projs[j].delay + 2.0;
        sum += n->forward_only ? 0 : buffer(ring * slab, elem);
        if (pop->rate_c > 0)
            sum += buffer(slab, elem);
    }
    for (unsigned i = 0; i < n->n_inputs; i++)
        sum += buffer(T * B * (double)n->input_sizes[i], elem);
    for (unsigned r = 0; r < n->n_readouts; r++)
        sum += buffer(T * B * pop_size(n, n->readouts[r]), elem);
    return sum + buffer(B * (double)rt_widest(n), elem);
}

/* The weights projection PR keeps: n_post x n_pre dense, the expected
 * number of synapses sparse (rt_connect_density). */
static double weight_count(const rt_net_desc *n, const rt_proj *pr)
{
    double cells = pop_size(n, pr->post_pop) * pre_size(n, pr);
    return pr->sparse ? cells * rt_connect_density(pr->sparse, (size_t)pre_size(n, pr),
                                                   (size_t)pop_size(n, pr->post_pop))
                      : cells;
}

/* Projection J's parameters: rt_net.c's w, wt, gw (b, gb; fb, fbt; a sparse
 * one's w, gw and synapse indices, no wt) and, when trained, rt_train.c's
 * backup and the optimiser's moments; no gradients in a forward_only net. */
static double projection(const rt_run_desc *d, const rt_proj *pr, double elem)
{
    double count = weight_count(&d->net, pr), post = pop_size(&d->net, pr->post_pop);
    int adam = d->settings.optim.kind == RT_OPTIM_ADAM;
    int trained = d->settings.train && pr->trainable;
    int moments = !trained ? 0 : adam ? 2 : d->settings.optim.momentum > 0;
    int grads = !d->net.forward_only;
    double copies = (pr->sparse ? 1 : 2) + grads + (pr->feedback ? 2 : 0) + (trained ? 1 + moments : 0);
    double bias = pr->bias ? (1 + grads + (trained ? 1 + moments : 0)) * post : 0;
    /* the post indices, 32-bit and block-local 16-bit (rt_net.c plan_blocks), and the row offsets */
    double synapses = pr->sparse ? buffer(count, sizeof(uint32_t) + sizeof(uint16_t)) +
                                       (pre_size(&d->net, pr) + 1) * sizeof(size_t)
                                 : 0;
    return copies * buffer(count, elem) + bias * elem + synapses;
}

/* rt_net.c's alloc_chunk, for one chunk */
static double chunk(const rt_net_desc *n, double elem, double *proj_share, unsigned largest)
{
    double rows = RT_BLOCK_STEPS * RT_CHUNK_ROWS, sum = 0;
    unsigned char pre_seen[RT_MAX_POPS + RT_MAX_INPUTS] = {0};
    for (unsigned p = 0; p < n->n_pops; p++)
        sum += n->pops[p].n_ports * buffer(rows * pop_size(n, p), elem);
    for (unsigned j = 0; j < n->n_projs; j++) {
        const rt_proj *pr = &n->projs[j];
        unsigned pre = pr->pre_pop >= 0 ? (unsigned)pr->pre_pop : RT_MAX_POPS + (unsigned)pr->pre_input;
        if (!pre_seen[pre]++)
            sum += buffer((rows + RT_CHUNK_ROWS) * pre_size(n, pr), elem);
        double gw = buffer(weight_count(n, pr), elem);
        sum += gw + (pr->bias ? buffer(pop_size(n, pr->post_pop), elem) : 0);
        if (j == largest)
            *proj_share = gw;
    }
    return sum;
}

/* rt_train.c's batch_init */
static double trials(const rt_run_desc *d, double B, double T, double elem)
{
    double per_trial = T, sum = 0;
    for (unsigned c = 0; c < d->task.n_channels; c++)
        per_trial += T * (double)d->task.channels[c].size;
    for (unsigned r = 0; r < d->net.n_readouts; r++)
        sum += T * B * pop_size(&d->net, d->net.readouts[r]) * elem;
    if (d->condition_channel >= 0)
        sum += T * B * (double)d->task.channels[d->condition_channel].size * sizeof(double);
    double blocks = (double)((d->settings.batch + 7) / 8);   /* TRIALS_PER_TASK */
    return sum + T * B * sizeof(double) + B * per_trial * sizeof(double) +
           blocks * (double)d->task.scratch_doubles * sizeof(double);
}

/* One analysis' arrays, in doubles: a PCA's (step, trial) rows of its
 * neurons and their projections (rt_analyze.c signal_rows, rt_pca), an
 * eigen analysis' matrix read back and LAPACK's copy, degradation's saved
 * weights. Fixed points work on a few states at a time: not counted. */
static double analysis(const rt_run_desc *d, const rt_analysis_desc *an, double B, double T)
{
    const rt_net_desc *n = &d->net;
    double sum = 0;
    switch (an->kind) {
    case RT_ANALYSIS_PCA:
    case RT_ANALYSIS_SVD:
        return T * B * ((double)(an->width + an->k) * 8 + sizeof(int));
    case RT_ANALYSIS_EIGEN:
        return 2 * pop_size(n, n->projs[an->proj].post_pop) * pre_size(n, &n->projs[an->proj]) * 8;
    case RT_ANALYSIS_DEGRADATION:
        for (unsigned j = 0; j < n->n_projs; j++)
            if (n->projs[j].pre_pop == (int)an->pop)
                sum += pop_size(n, n->projs[j].post_pop) * pre_size(n, &n->projs[j]) * 8;
        return sum;
    default:
        return 0;
    }
}

/* The largest analysis, or the results' copy of the largest weights in doubles. */
static double analyses(const rt_run_desc *d, double B, double T)
{
    double most = 0;
    for (unsigned j = 0; j < d->net.n_projs; j++) {   /* a big sparse projection: its pre indices */
        const rt_proj *pr = &d->net.projs[j];
        double w = pop_size(&d->net, pr->post_pop) * pre_size(&d->net, pr) * 8;
        if (pr->sparse && (pop_size(&d->net, pr->post_pop) > RT_DENSE_WEIGHTS_MAX_SIDE ||
                           pre_size(&d->net, pr) > RT_DENSE_WEIGHTS_MAX_SIDE))
            w = weight_count(&d->net, pr) * sizeof(uint32_t);
        most = w > most ? w : most;
    }
    for (unsigned k = 0; k < d->n_analyses; k++) {
        double a = analysis(d, &d->analyses[k], B, T);
        most = a > most ? a : most;
    }
    return most;
}

size_t rt_run_memory(const rt_run_desc *d, rt_memory_parts *parts)
{
    rt_memory_parts m = {{0}, 0, 0};
    const rt_net_desc *n = &d->net;
    double B = (double)d->settings.batch, T = (double)d->task.steps;
    double elem = n->is_double ? sizeof(double) : sizeof(float);
    double chunks = (double)((d->settings.batch + RT_CHUNK_ROWS - 1) / RT_CHUNK_ROWS);
    rt_keep keep[RT_MAX_POPS];
    rt_net_desc trimmed = rt_run_net_desc(d, keep);   /* the network rt_run_train makes */
    m.bytes[RT_MEM_HISTORIES] = histories(&trimmed, B, T, elem);
    for (unsigned j = 0; j < n->n_projs; j++) {
        double w = projection(d, &n->projs[j], elem);
        m.bytes[RT_MEM_WEIGHTS] += w;
        if (w > m.largest_proj_bytes) {
            m.largest_proj_bytes = w;
            m.largest_proj = j;
        }
    }
    for (unsigned f = 0; f < d->n_feedback; f++)   /* rt_weights.c's B and its transpose, in doubles */
        m.bytes[RT_MEM_WEIGHTS] += 2 * pop_size(n, d->feedback[f].post_pop) * pre_size(n, &d->feedback[f]) * 8;
    double share = 0;
    m.bytes[RT_MEM_CHUNKS] = n->forward_only ? 0 : chunks * chunk(n, elem, &share, m.largest_proj);
    m.largest_proj_bytes += chunks * share;
    m.bytes[RT_MEM_TRIALS] = trials(d, B, T, elem);
    double U = (double)d->settings.updates;
    m.bytes[RT_MEM_BOOKKEEPING] = (double)d->settings.updates_per_epoch * B * 8 + B * 8 + 2 * (U + 1) * 8;
    m.bytes[RT_MEM_ANALYSES] = analyses(d, B, T);
    double total = 0;
    for (int k = 0; k < RT_MEM_PARTS; k++)
        total += m.bytes[k];
    if (parts)
        *parts = m;
    return total >= (double)SIZE_MAX ? SIZE_MAX : (size_t)total;
}

/* An address-space limit (ulimit -v) in force, in *BYTES. */
static int address_limit(size_t *bytes)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    *bytes = (size_t)rl.rlim_cur;
    return 1;
}

size_t rt_memory_limit(const char **what)
{
    size_t bytes;
    if (address_limit(&bytes)) {
        if (what)
            *what = "the address-space limit (ulimit -v)";
        return bytes;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (what)
        *what = "the physical memory";
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
}

const char *rt_memory_part_name(rt_memory_part p)
{
    static const char *const names[RT_MEM_PARTS] = {
        "the network's histories", "the weights with their gradients and optimiser state",
        "the backward pass's scratch per 64 trials", "the batch's trials", "the epoch's bookkeeping",
        "the largest analysis",
    };
    return p < RT_MEM_PARTS ? names[p] : "?";
}

/* BYTES as "12.5 GB" (powers of 1024, as free(1) and ulimit count) */
static const char *human(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

/* What the process takes already (the compiler, LLVM, the kernels), as
 * the limit counts it: its address space under RLIMIT_AS, else resident. */
static double in_use(int address_space)
{
    unsigned long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            size = resident = 0;
        fclose(f);
    }
    return (double)(address_space ? size : resident) * (double)sysconf(_SC_PAGE_SIZE);
}

int rt_memory_fits(double bytes, char *err, size_t err_size)
{
    const char *what;
    size_t limit = rt_memory_limit(&what), unused;
    double total = bytes + in_use(address_limit(&unused));
    if (total <= (double)limit)
        return 0;
    char a[32], b[32];
    return rt_error(err, err_size, "about %s of memory, more than %s allows (%s)", human(total, a, sizeof a),
                    what, human((double)limit, b, sizeof b));
}

int rt_run_memory_check(const rt_run_desc *d, rt_memory_parts *parts, char *err, size_t err_size)
{
    rt_memory_parts m;
    double need = (double)rt_run_memory(d, &m);
    if (parts)
        *parts = m;
    char over[200];
    if (rt_memory_fits(need, over, sizeof over) == 0)
        return 0;
    int first = 0, second = -1;   /* the two biggest parts */
    for (int k = 1; k < RT_MEM_PARTS; k++)
        if (m.bytes[k] > m.bytes[first])
            first = k;
    for (int k = 0; k < RT_MEM_PARTS; k++)
        if (k != first && (second < 0 || m.bytes[k] > m.bytes[second]))
            second = k;
    char c[32], e[32];
    return rt_error(err, err_size, "this run needs %s: %s take %s and %s %s", over,
                    rt_memory_part_name((rt_memory_part)first), human(m.bytes[first], c, sizeof c),
                    rt_memory_part_name((rt_memory_part)second), human(m.bytes[second], e, sizeof e));
}
