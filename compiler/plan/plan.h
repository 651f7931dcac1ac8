/* plan.h -- a checked 'train' or 'evaluate' as the runtime needs it.
 *
 * The plan resolves everything the model file says into numbers and compiled
 * kernels: the step, the populations (lowered and JIT-compiled), the
 * projections with their initialisers, masks and constraints, the task
 * program and how its channels meet the network, and the training settings
 * (with -D overrides applied).
 */
#ifndef RNNC_PLAN_H
#define RNNC_PLAN_H

#include <stdio.h>

#include "codegen.h"
#include "frontend.h"
#include "lower.h"
#include "rt_init.h"
#include "rt_net.h"
#include "rt_optim.h"
#include "task_gen.h"

enum { PLAN_MAX_POPS = 64, PLAN_MAX_PROJS = 256, PLAN_MAX_INPUTS = 16 };

typedef struct plan_proj {
    const char *pre_name, *post_name, *port_name;
    rt_init init;
    const char *init_file;          /* init load("...") */
    int bias;
    rt_init bias_init;
    unsigned char *mask;            /* NULL: every connection exists */
    signed char *dale;              /* NULL, or a sign per pre neuron */
    double lo, hi;                  /* weight bounds */
    int trainable;
} plan_proj;

typedef struct plan_settings {
    uint64_t seed;
    size_t batch, updates, updates_per_epoch, eval_trials;
    rt_optim_config optim;
    double early_stop;              /* 0: none */
    int threads;
    int train;                      /* 'train' (1) or 'evaluate' (0) */
    const char *learn, *loss;
    rt_loss loss_kind;
    const char *feedback;           /* e-prop's learning-signal path: "random" or "symmetric" */
    double rate_c, rate_f_target;   /* regularize rate(c, f_target): f_target in Hz; c 0: none */
} plan_settings;

typedef struct plan {
    frontend *fe;
    const frontend_options *opts;
    const ast_node *run, *net;
    double dt;
    int is_double;
    /* the network */
    unsigned n_inputs;
    const char *input_names[PLAN_MAX_INPUTS];
    size_t input_sizes[PLAN_MAX_INPUTS];
    unsigned n_pops;
    neuron_ir neurons[PLAN_MAX_POPS];
    rt_pop pops[PLAN_MAX_POPS];
    int pop_readout[PLAN_MAX_POPS];
    unsigned n_projs;
    plan_proj projs[PLAN_MAX_PROJS];
    rt_proj rt_projs[PLAN_MAX_PROJS];
    unsigned n_readouts;
    unsigned readouts[PLAN_MAX_POPS];
    /* feedback projections (weights [post][pre] as declared: B of y -> h is
     * [n_h][n_y]), and which one each projection's backward pass uses (-1: none) */
    unsigned n_feedback;
    plan_proj feedback[PLAN_MAX_PROJS];
    rt_proj rt_feedback[PLAN_MAX_PROJS];
    int proj_feedback[PLAN_MAX_PROJS];
    /* the task and how it meets the network */
    task_program task;
    int input_channel[PLAN_MAX_INPUTS];   /* task channel of each network input */
    int target_channel[PLAN_MAX_POPS];    /* task channel of each readout */
    plan_settings settings;
    /* compiled kernels */
    codegen *cg;
    kernel_fn kernels[2 * PLAN_MAX_POPS];
    codegen_timings timings;
    double lower_ms;
} plan;

/* Builds the plan of RUN with everything but its kernels: settings,
 * populations (lowered), projections, the task (with one trial generated
 * to try it), refusing every construct this version cannot run. This is
 * what rnnc check adds to the front end's checks. 0, or -1 with each error
 * on fe->diag, located like the front end's; several when independent. */
int plan_prepare(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run,
                 uint64_t seed);

/* plan_prepare, then the kernels compiled; with EMIT_IR the optimised LLVM
 * IR is printed to it as well. 0, or -1 with the errors on fe->diag. */
int plan_build(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run,
               uint64_t seed, FILE *emit_ir);
void plan_free(plan *p);

/* The description the runtime takes. */
rt_net_desc plan_net_desc(plan *p);

/* Fills every weight and bias of NET from the initialisers (seeded by the
 * run's seed), then applies masks and constraints. 0, or -1 with a message. */
int plan_init_weights(plan *p, rt_net *net, char *err, size_t err_size);

/* The constraints of projection J as the optimiser enforces them. */
rt_tensor plan_weight_tensor(plan *p, rt_net *net, unsigned j);

/* Element I of an array in the network's precision (float or double). */
static inline double plan_get_real(const plan *p, const void *base, size_t i)
{
    return p->is_double ? ((const double *)base)[i] : (double)((const float *)base)[i];
}

static inline void plan_put_real(const plan *p, void *base, size_t i, double v)
{
    if (p->is_double)
        ((double *)base)[i] = v;
    else
        ((float *)base)[i] = (float)v;
}

/* The root file's 'train' or 'evaluate' (a model has one), or NULL. */
const ast_node *plan_find_run(const frontend *fe);

/* The seed a run of RUN uses unless --seed says otherwise: -D seed=...,
 * else the run's 'seed', else 1. */
uint64_t plan_model_seed(const frontend_options *opts, const ast_node *run);

/* The setting NAME in force: its -D override, else the run's value (NULL if neither). */
const ast_node *plan_setting(const plan *p, const char *name);

#endif
