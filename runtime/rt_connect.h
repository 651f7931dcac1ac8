/* rt_connect.h -- connection rules and the compact (CSR) synapses they make.
 *
 * A rule draws which pre neurons connect to which post neurons from
 * counter-based random numbers (rt_rng.h) keyed by (seed, projection
 * stream, neuron): each neuron's connections are a pure function of those,
 * so the network is the same whatever the number of threads building it.
 *   - fixed_probability(p) and fixed_outdegree(k) draw per pre neuron:
 *     the gaps between its targets (geometric, so the cost is the number
 *     of synapses, not n_pre x n_post), or k distinct targets (Floyd's
 *     sampling, Bentley & Floyd, CACM 30(9), 1987);
 *   - fixed_indegree(k) draws k distinct pre neurons per post neuron;
 *   - one_to_one connects pre i to post i; a list gives the pairs.
 * Without autapses (a population onto itself), no neuron connects to
 * itself: the k of a fixed degree are drawn among the n - 1 others.
 *
 * The synapses are stored by pre neuron (compressed sparse rows): those of
 * pre k are ROW[k] .. ROW[k + 1] - 1, each with its post neuron POST[s],
 * in ascending order of post within a row. Weights and their gradients
 * are arrays of NNZ values in the same order (rt_net.h).
 */
#ifndef RNNRT_CONNECT_H
#define RNNRT_CONNECT_H

#include <stddef.h>
#include <stdint.h>

typedef enum rt_connect_kind {
    RT_CONNECT_ALL,
    RT_CONNECT_ONE_TO_ONE,
    RT_CONNECT_FIXED_PROBABILITY,
    RT_CONNECT_FIXED_INDEGREE,
    RT_CONNECT_FIXED_OUTDEGREE,
    RT_CONNECT_LIST,
} rt_connect_kind;

typedef struct rt_connect {
    rt_connect_kind kind;
    double p;                   /* FIXED_PROBABILITY */
    size_t k;                   /* FIXED_INDEGREE, FIXED_OUTDEGREE */
    int autapses;               /* 0: pre i never connects to post i */
    const uint32_t *list_pre, *list_post;   /* LIST: LIST_N pairs */
    size_t list_n;
    uint64_t seed, stream;
} rt_connect;

typedef struct rt_csr {
    size_t n_pre, n_post, nnz;
    size_t *row;                /* [n_pre + 1] */
    uint32_t *post;             /* [nnz] */
} rt_csr;

struct rt_pool;

/* The synapses of rule C between N_PRE and N_POST neurons, built on POOL's
 * threads (NULL: the caller's). 0, or -1 with a message in ERR (out of
 * memory; a list with a pair out of range or given twice). */
int rt_connect_build(const rt_connect *c, size_t n_pre, size_t n_post, struct rt_pool *pool, rt_csr *out,
                     char *err, size_t err_size);
void rt_csr_free(rt_csr *csr);

/* The number of synapses rule C makes on average, over n_pre x n_post:
 * what the compiler picks the storage by. */
double rt_connect_density(const rt_connect *c, size_t n_pre, size_t n_post);

#endif
