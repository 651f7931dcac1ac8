/* rt_memory.h -- what a run will allocate, known before it allocates.
 *
 * A run's memory is dominated by a few arrays whose sizes the description
 * fixes: the network's histories ([steps][batch][n] per state, output and
 * port, rt_net.c), its weights with their gradients, transposes and the
 * optimiser's moments, the backward pass's scratch per chunk of 64 trials,
 * the batch of trials (rt_train.c), and the arrays of the largest analysis
 * (a PCA's rows, an eigen analysis' matrix). rt_run_memory adds them up, so a run
 * that cannot fit is refused at once, with its biggest parts named, rather
 * than allocating for minutes or being killed by the kernel.
 */
#ifndef RNNRT_MEMORY_H
#define RNNRT_MEMORY_H

#include <stddef.h>

#include "rt_run.h"

typedef enum rt_memory_part {
    RT_MEM_HISTORIES,               /* states, outputs, ports, inputs, d loss / d y, adjoints */
    RT_MEM_WEIGHTS,                 /* weights, transposes, gradients, feedback, moments, backups */
    RT_MEM_CHUNKS,                  /* the backward pass's blocks and gradient shares per chunk */
    RT_MEM_TRIALS,                  /* the batch's channels, targets, mask, conditions, scratch */
    RT_MEM_BOOKKEEPING,             /* the epoch's permutation, timings */
    RT_MEM_ANALYSES,                /* the largest analysis' arrays (one runs at a time) */
    RT_MEM_PARTS
} rt_memory_part;

typedef struct rt_memory_parts {
    double bytes[RT_MEM_PARTS];
    unsigned largest_proj;          /* the projection with the most weights (n_projs > 0) */
    double largest_proj_bytes;      /* its share of RT_MEM_WEIGHTS and RT_MEM_CHUNKS */
} rt_memory_parts;

/* The bytes D's run allocates (saturating at SIZE_MAX); PARTS (may be NULL)
 * gets them by part. The compiler, LLVM and the libraries are not counted. */
size_t rt_run_memory(const rt_run_desc *d, rt_memory_parts *parts);

/* The memory a run may use: the address-space limit (RLIMIT_AS) when one
 * is set, else the physical memory. *WHAT (may be NULL) says which. */
size_t rt_memory_limit(const char **what);

/* What part P is, for messages: "the network's histories". */
const char *rt_memory_part_name(rt_memory_part p);

/* 0 if BYTES more fit in rt_memory_limit with what the process takes
 * already (the compiler, LLVM, the kernels), else -1 with "about 12.5 GB of
 * memory, more than the physical memory allows (7.6 GB)" in ERR. */
int rt_memory_fits(double bytes, char *err, size_t err_size);

/* 0 if D's run fits in rt_memory_limit less what the process takes already
 * (the compiler, LLVM, the kernels), else -1 with a message naming the
 * need, the limit and the two biggest parts. PARTS (may be NULL) as above. */
int rt_run_memory_check(const rt_run_desc *d, rt_memory_parts *parts, char *err, size_t err_size);

#endif
