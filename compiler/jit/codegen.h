/* codegen.h -- expression graphs to machine code through LLVM.
 *
 * A kernel is one loop over the COUNT = batch x n neurons of a population:
 * for each i it reads variable v from args[v][i], evaluates the graph, and
 * writes output j to args[n_vars + j][i] (none where outs[j] is
 * KERNEL_NO_STORE; the argument is still there). Arrays are float or double.
 * The loop body is straight-line code, so LLVM vectorises it for the host
 * CPU.
 */
#ifndef RNNC_CODEGEN_H
#define RNNC_CODEGEN_H

#include <stdint.h>
#include <stdio.h>

#include "ir.h"

#include "rt_kernel.h"

#define KERNEL_NO_STORE ((ir_ref)UINT32_MAX)

typedef struct kernel_spec {
    const char *name;              /* symbol name, unique in one compilation */
    const ir_graph *g;
    uint32_t n_vars;
    const ir_ref *outs;
    uint32_t n_outs;
    /* NULL, or per variable: 1 where its argument is one value for every i
     * (args[v][0]: a postsynaptic neuron's value along a row of synapses) */
    const unsigned char *broadcast;
} kernel_spec;

/* Whether the kernels came from the kernel cache (kernel_cache.h). */
typedef enum codegen_cache {
    CODEGEN_CACHE_OFF,     /* off (RNNC_KERNEL_CACHE=off, --no-cache) or not used (emit-llvm) */
    CODEGEN_CACHE_HIT,     /* found: LLVM only linked them */
    CODEGEN_CACHE_MISS,    /* compiled, and stored if the folder could be written */
} codegen_cache;

/* "off", "hit" or "miss", as summary.json's kernel_cache says it. */
const char *codegen_cache_name(codegen_cache c);

typedef struct codegen_timings {
    double build_ms, optimize_ms, emit_ms;   /* emit: code generation and linking, or loading on a hit */
    codegen_cache cache;
    char warning[5120];   /* a damaged or unwritable cache, when not "" (the kernels are still made) */
} codegen_timings;

typedef struct codegen codegen;

/* Compiles the kernels, or loads them from the kernel cache when it holds
 * them; FNS[i] receives kernel i. EMIT_IR, if not NULL, receives the
 * optimised LLVM IR as text (and the cache is not used). NULL on failure
 * (message in ERR). */
codegen *codegen_compile(const kernel_spec *kernels, unsigned n, int is_double, rt_kernel *fns,
                         FILE *emit_ir, codegen_timings *timings, char *err, size_t err_size);
void codegen_free(codegen *c);

/* "LLVM 19.1.7, target x86_64-pc-linux-gnu (znver3)" and the like. */
const char *jit_describe(char *buf, unsigned size);

#endif
