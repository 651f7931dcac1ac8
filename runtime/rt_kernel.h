/* rt_kernel.h -- the one type of a compiled per-neuron loop.
 *
 * The JIT (compiler/jit/codegen.h) produces them and the runtime calls
 * them; a C program may also write them by hand. ARGS are arrays of COUNT
 * elements (float or double, as the network's precision):
 *   forward: prev_state[K] input[P] -> next_state[K] output[O]
 *   adjoint: prev_state[K] input[P] adj_output[O] adj_next[K] -> adj_prev[K] adj_input[P]
 * (the compiler derives both from a neuron's equations, in compiler/lower/.)
 */
#ifndef RNNRT_KERNEL_H
#define RNNRT_KERNEL_H

#include <stdint.h>

typedef void (*rt_kernel)(int64_t count, void *const *args);

#endif
