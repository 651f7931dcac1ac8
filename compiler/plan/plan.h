/* plan.h -- a checked 'train' or 'evaluate' as the runtime needs it.
 *
 * The plan resolves everything the model file says into numbers and compiled
 * kernels: the step, the populations (lowered and JIT-compiled), the
 * projections with their initialisers, masks and constraints, the task
 * program and how its channels meet the network, the training settings
 * (with -D overrides applied), the records and the analyses. Its product is
 * RUN, the runtime's plain description (runtime/rt_run.h); the task engine
 * is that description's trial source.
 */
#ifndef RNNC_PLAN_H
#define RNNC_PLAN_H

#include <stdio.h>

#include "codegen.h"
#include "frontend.h"
#include "lower.h"
#include "rt_run.h"
#include "task_gen.h"


typedef struct plan_proj {
    const char *pre_name, *post_name, *port_name;
    const char *named_port;         /* the port the connect names (x -> h.I_r), or NULL */
    rt_init init;
    const char *init_file;          /* init load("...") */
    int bias;
    rt_init bias_init;
    const char *bias_file;          /* bias load("...") */
    unsigned char *mask;            /* NULL: every connection exists */
    signed char *dale;              /* NULL, or a sign per pre neuron */
    double spectral_radius;         /* > 0: the initial weights rescaled to it; 0: not */
    double lo, hi;                  /* weight bounds */
    int trainable;
    const ast_node *training_at;    /* the connect's 'frozen' or 'trainable', or NULL */
    const ast_node *plasticity;     /* the connect's 'plasticity RULE' option, or NULL */
    /* the connection rule (rt_connect.h): the synapses of a sparse
     * projection (rt_proj.sparse points here), the mask of a dense one */
    rt_connect connect;
    uint32_t *list;                 /* load("pre.npy", "post.npy"): the pre then post indices, malloc'd */
    int storage;                    /* PLAN_STORAGE_* */
    const ast_node *storage_at;     /* the 'storage' option, or NULL */
} plan_proj;

/* How a projection's weights are kept: 'storage' given, or picked by the
 * plan (plan.c: pick_storage). */
enum { PLAN_STORAGE_AUTO, PLAN_STORAGE_DENSE, PLAN_STORAGE_SPARSE };

/* Plasticity rules in one run, at most. */
enum { RT_MAX_PLASTIC = 32 };

typedef struct plan_settings {
    uint64_t seed;
    size_t batch, updates, updates_per_epoch, eval_trials;
    rt_optim_config optim;
    double early_stop;              /* 0: none */
    int threads;
    int continuous;                 /* 'sequence continuous' */
    int save_synapses;              /* 'save_synapses all' */
    size_t loss_every;              /* 'loss_every': steps; 0: a row per update */
    size_t update_every;            /* 'update_every' (e-prop online): steps; 0: once per batch */
    int train;                      /* 'train' (1) or 'evaluate' (0) */
    const char *learn, *loss;
    rt_loss loss_kind;
    const char *feedback;           /* e-prop's learning-signal path: "random" or "symmetric" */
    double rate_c, rate_f_target;   /* regularize rate(c, f_target): f_target in Hz; c 0: none */
    double l2_c, l2_rate_c;         /* regularize l2(c), l2_rate(c); 0: none */
    /* cross_entropy(weights = [...]): the class weights (NULL: none), and
     * for each readout the weights it uses (task_loss.c) */
    const double *class_weights;
    size_t n_class_weights;
    const ast_node *class_weights_at;
    const double *readout_class_weights[RT_MAX_POPS];
} plan_settings;

typedef struct plan {
    frontend *fe;
    const frontend_options *opts;
    const ast_node *run, *net;
    double dt;
    int is_double;
    /* the network */
    unsigned n_inputs;
    const char *input_names[RT_MAX_INPUTS];
    size_t input_sizes[RT_MAX_INPUTS];
    unsigned n_pops;
    neuron_ir neurons[RT_MAX_POPS];
    rt_pop pops[RT_MAX_POPS];
    int pop_readout[RT_MAX_POPS];
    unsigned n_projs;
    plan_proj projs[RT_MAX_PROJS];
    rt_proj rt_projs[RT_MAX_PROJS];
    unsigned n_readouts;
    unsigned readouts[RT_MAX_POPS];
    /* feedback projections (weights [post][pre] as declared: B of y -> h is
     * [n_h][n_y]), and which one each projection's backward pass uses (-1: none) */
    unsigned n_feedback;
    plan_proj feedback[RT_MAX_PROJS];
    rt_proj rt_feedback[RT_MAX_PROJS];
    int proj_feedback[RT_MAX_PROJS];
    /* the task and how it meets the network */
    task_program task;
    int input_channel[RT_MAX_INPUTS];   /* task channel of each network input */
    int target_channel[RT_MAX_POPS];    /* task channel of each readout */
    plan_settings settings;
    /* records and analyses, each with the model line it comes from */
    unsigned n_records, n_analyses;
    rt_record_desc records[RT_MAX_RECORDS];
    rt_analysis_desc analyses[RT_MAX_ANALYSES];
    const ast_node *record_at[RT_MAX_RECORDS], *analysis_at[RT_MAX_ANALYSES];
    int wants_f64[RT_MAX_POPS];   /* an analysis needs double-precision kernels */
    /* compiled kernels; CG64 the double-precision ones of a float32 run */
    codegen *cg, *cg64;
    rt_kernel kernels[2 * RT_MAX_POPS + 3 * RT_MAX_PLASTIC], kernels64[2 * RT_MAX_POPS];
    /* the plasticity rules, one per plastic projection (plan_plastic.c) */
    unsigned n_plastic;
    rule_ir rules[RT_MAX_PLASTIC];
    rt_plastic_desc plastic[RT_MAX_PLASTIC];
    codegen_timings timings;
    double lower_ms;
    /* plan_build: the kernels compile on a thread of their own while the
     * task is checked; BUILD_MS is the time from the plan's start to its
     * kernels (the phases above overlap, so they add up to more) */
    struct kernel_job *job;
    double build_ms;
    /* the runtime's description of it all */
    rt_weights_desc weights[RT_MAX_PROJS], feedback_weights[RT_MAX_PROJS];
    rt_channel channels[RT_MAX_CHANNELS];
    rt_run_desc desc;
} plan;

/* Builds the plan of RUN with everything but its kernels: settings,
 * populations (lowered), projections, the task (with one trial generated
 * to try it), refusing every construct this version cannot run. This is
 * what rnnc check adds to the front end's checks. 0, or -1 with each error
 * on fe->diag, located like the front end's; several when independent. */
int plan_prepare(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run,
                 uint64_t seed);

/* For a file without a run (a library of tasks): each task it defines,
 * prepared at dt = 1 ms (rnnc task show's default) with its trials tried as
 * a run would try them, so rnnc check refuses what a run or rnnc task show
 * of the task would. 0, or -1 with each error on fe->diag. */
int plan_check_tasks(frontend *fe);

/* What rnnc check adds to the front end's checks, for the rnnc command and
 * librnnc alike: the plan of the root file's run without compiling its
 * kernels (what rnnc run refuses before it starts), or, for a file without
 * a run, its tasks on their own (plan_check_tasks). The errors are on
 * fe->diag. */
void plan_check(frontend *fe, const frontend_options *opts);

/* plan_prepare, then the kernels compiled; with EMIT_IR the optimised LLVM
 * IR is printed to it as well. 0, or -1 with the errors on fe->diag. */
int plan_build(plan *p, frontend *fe, const frontend_options *opts, const ast_node *run,
               uint64_t seed, FILE *emit_ir);
void plan_free(plan *p);


/* The root file's 'train' or 'evaluate' (a model has one), or NULL. */
const ast_node *plan_find_run(const frontend *fe);

/* The seed a run of RUN uses unless --seed says otherwise: -D seed=...,
 * else the run's 'seed', else 1. */
uint64_t plan_model_seed(const frontend_options *opts, const ast_node *run);

/* The setting NAME in force: its -D override, else the run's value (NULL if neither). */
const ast_node *plan_setting(const plan *p, const char *name);

#endif
