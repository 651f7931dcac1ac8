/* rt_fp_map.h -- one population of a run as a map x -> F(x), for the
 * fixed-point finder (rt_analysis.h: rt_fp_system).
 *
 * The network's inputs are held at zero, or (rt_fp_map_hold_inputs) at
 * constant values u, which add the current W_in u of the input projections
 * to the ports they feed, like a bias. x holds the neuron's states and,
 * when its output 0 is not itself a state, the output too, so F can feed
 * it back through the recurrent weights: F(s, r) = (f(s, W r + b),
 * G(f(s, W r + b))). Its fixed points are those of s -> f(s, W G(s) + b),
 * and its Jacobian has the same non-zero eigenvalues (those of AB and BA
 * agree), plus zeros. F and its vector-Jacobian product come from the
 * population's double-precision kernels (rt_pop.forward64, adjoint64): the
 * run may be float32, and fixed points need q near 1e-12, below float's
 * rounding.
 */
#ifndef RNNRT_FP_MAP_H
#define RNNRT_FP_MAP_H

#include "rt_run.h"

enum { RT_FP_MAX_ARGS = 256 };

typedef struct rt_fp_map {
    unsigned pop;
    size_t n, K, P, O, dim;
    int r_state;                    /* the state output 0 is, or -1 (x carries r) */
    rt_kernel forward, adjoint;     /* double precision */
    size_t n_rec;
    double *w[RT_MAX_PROJS];        /* recurrent weights [n][n], per projection */
    unsigned port[RT_MAX_PROJS];
    double *bias;                   /* [P][n]: every bias into the population, plus W_in u when held */
    double *trained_bias;           /* [P][n]: the biases alone (the inputs at 0) */
    double *buf;                    /* scratch, grown on demand */
    size_t buf_points;
} rt_fp_map;

/* Population I of D with NET's weights; refuses a population fed by another
 * (its fixed points are those of the pair). 0, or -1 with a message. */
int rt_fp_map_init(rt_fp_map *m, const rt_run_desc *d, rt_net *net, unsigned i, char *err, size_t err_size);
void rt_fp_map_free(rt_fp_map *m);

/* The network's inputs held at U (every input's elements side by side, in
 * the order of D's inputs, as eval_inputs.npy's columns) from now on: each
 * port's bias becomes the trained biases plus W_in U summed over the
 * projections from the inputs into it. U NULL: back at 0. */
void rt_fp_map_hold_inputs(rt_fp_map *m, const rt_run_desc *d, rt_net *net, const double *u);

/* F at COUNT points X ([count][dim]) into OUT; RES = J^T V at X. */
int rt_fp_map_step(void *ctx, size_t count, const double *x, double *out);
int rt_fp_map_vjp(void *ctx, size_t count, const double *x, const double *v, double *res);

#endif
