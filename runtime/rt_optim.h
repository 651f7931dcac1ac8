/* rt_optim.h -- optimisers (SGD with momentum, Adam) and weight constraints.
 *
 * Parameters are a list of tensors, all float32 or all float64 (IS_DOUBLE).
 * A step clips the global gradient norm, updates every weight, then enforces
 * each tensor's constraints with rt_constrain.
 */
#ifndef RNNRT_OPTIM_H
#define RNNRT_OPTIM_H

#include <stddef.h>

typedef enum rt_optim_kind { RT_OPTIM_SGD, RT_OPTIM_ADAM } rt_optim_kind;

typedef struct rt_optim_config {
    rt_optim_kind kind;
    double lr;           /* learning rate */
    double momentum;     /* SGD only; 0 = plain SGD */
    double beta1, beta2; /* Adam only: moment decay rates, in [0, 1) */
    double eps;          /* Adam only: added to sqrt(v_hat) */
    double clip_norm;    /* bound on the global gradient L2 norm; 0 = no clipping */
    double decay;        /* step k (from 0) uses lr / (1 + decay k), Keras' 'decay'; 0 = constant */
} rt_optim_config;

typedef struct rt_tensor {
    void *data;                /* COUNT floats or doubles */
    void *grad;                /* same type and count; a step may scale it (clipping) */
    size_t count;
    double lo, hi;             /* bounds; -INFINITY / INFINITY when none */
    const unsigned char *mask; /* NULL, or COUNT entries: 0 = fixed at zero */
    const signed char *dale;   /* NULL, or COLS signs (+1 / -1), one per column (pre neuron) */
    size_t cols;               /* columns of the row-major matrix; used with DALE */
} rt_tensor;

/* Holds the step counter and the moment buffers, in the tensors' precision. */
typedef struct rt_optim rt_optim;

/* An optimiser for the N tensors (only their counts are read now). NULL when
 * out of memory or CFG is invalid (unknown kind, negative lr, momentum, eps
 * clip_norm or decay, a beta outside [0, 1)). */
rt_optim *rt_optim_new(const rt_optim_config *cfg, const rt_tensor *tensors, size_t n,
                       int is_double);

/* The L2 norm of all gradients together. Masked-out entries do not count:
 * their weights are fixed, so their gradients are taken as zero. */
double rt_optim_grad_norm(const rt_optim *o, const rt_tensor *t, size_t n);

/* One step over the tensors given to rt_optim_new (same N and counts, same
 * order): scale all gradients so their global norm is at most clip_norm,
 * update (SGD or Adam), then rt_constrain every tensor. */
void rt_optim_step(rt_optim *o, rt_tensor *t, size_t n);

void rt_optim_free(rt_optim *o);

/* The one place constraints are enforced, in this order: w clamped to
 * [lo, hi]; with DALE, w := s * max(0, s * w) for the column's sign s (Song,
 * Yang & Wang 2016, PLoS Comput Biol, "rectified" sign constraint); masked
 * entries := 0. The bounds come first so that a bound which excludes 0
 * cannot give a missing connection a weight or a neuron the wrong sign.
 * NaN stays NaN so a diverged run is seen, not hidden. */
void rt_constrain(rt_tensor *t, int is_double);

#endif
