/* rt_plastic_run.h -- the plasticity rules while a run trains (rt_train.c
 * and rt_plastic.c only). */
#ifndef RNNRT_PLASTIC_RUN_H
#define RNNRT_PLASTIC_RUN_H

#include "rt_pool.h"
#include "rt_run.h"

typedef struct rt_plastic rt_plastic;

/* The rules of D on NET (its batch size), run on POOL. NULL if out of memory. */
rt_plastic *rt_plastic_new(const rt_run_desc *d, rt_net *net, rt_pool *pool);
void rt_plastic_free(rt_plastic *p);

/* Every trace at its initial value: a sequence starts. */
void rt_plastic_begin(rt_plastic *p);

/* The rules after step T (rt_net_forward_stepwise's callback; CTX the rt_plastic). */
void rt_plastic_step(void *ctx, size_t t);

#endif
