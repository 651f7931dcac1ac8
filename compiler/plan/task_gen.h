/* task_gen.h -- trials from a task definition, deterministically.
 *
 * The task's statements run in order, each over the whole trial: a pulse
 * sets its window, an assignment sets (or adds to, ...) a channel at every
 * step, so `y[c] = latch(x[c], ...)` sees the pulses written before it and
 * not the noise added after it. Random values come from a counter-based
 * generator keyed by (seed, trial, the call's place in the source, loop
 * variables, element, step): a trial is the same whatever the batch or the
 * thread that makes it.
 */
#ifndef RNNC_TASK_GEN_H
#define RNNC_TASK_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "consteval.h"
#include "frontend.h"
#include "rt_npy.h"
#include "rt_run.h"

enum { TASK_MAX_ARGS = 64, TASK_MAX_LOADS = 16 };   /* channels: RT_MAX_CHANNELS (rt_run.h) */

/* A load("f.npy") of the task, read once: [steps] or [steps][size]. */
typedef struct task_load {
    const ast_node *call;
    rt_array a;
    int spikes;                     /* spike_times()'s file: rows of spikes, not a signal */
} task_load;

/* A channel of the trial: an input, a target, or the task's condition
 * ('condition EXPR'), which is neither and which the network never sees. */
typedef struct task_channel {
    const char *name;
    size_t size;
    int is_target;
    int is_condition;
    int is_phase;                   /* the phase channel: k on phase k's steps, 0 on padding */
} task_channel;

/* A phase of the task, in order: its statement and how long it can last
 * (in steps; open: it lasts to the end of the trial). */
typedef struct task_phase {
    const ast_node *node;
    const char *name;
    long min_steps, max_steps;
    int bounded, open;
} task_phase;

/* A list parameter given in the task's call: coh = [0, 6.4, 12.8]. */
typedef struct task_list_arg {
    const char *name;
    const ast_node *list;
} task_list_arg;

typedef struct task_program {
    frontend *fe;
    const ast_node *def;
    double dt;
    size_t steps;
    const_binding args[TASK_MAX_ARGS];    /* every parameter's value */
    unsigned n_args;
    task_channel channels[RT_MAX_CHANNELS];   /* in declaration order, then the condition, then the phase */
    unsigned n_channels;
    task_list_arg lists[TASK_MAX_ARGS];
    unsigned n_lists;
    task_phase phases[RT_MAX_PHASES];
    unsigned n_phases;
    const char *phase_names[RT_MAX_PHASES];
    const ast_node *duration;       /* the 'duration' statement, or NULL */
    int has_mask;                   /* 'mask = ...' appears: unset steps count 0 */
    const ast_node *mask_stmt;      /* the first 'mask = ...' */
    const ast_node *accuracy;       /* the accuracy expression, or NULL */
    const char *accuracy_target;    /* the target it reads */
    const ast_node *accuracy_stmt;  /* the 'accuracy' statement, for messages */
    rt_accuracy_kind accuracy_kind;
    unsigned accuracy_phase;        /* 'in PHASE': its number (from 1); 0: the mask's steps */
    double accuracy_level;          /* threshold(y, level) */
    const ast_node *condition;      /* the condition expression, or NULL */
    task_load loads[TASK_MAX_LOADS];
    unsigned n_loads;
    int trial_invariant;            /* no random draw outside 'frozen', no 'trial': all trials are the same */
    /* training samples per epoch of the run: 'trial' numbers the
     * evaluation trials after them (0 until the run sets it) */
    uint64_t samples;
    /* The 'frozen' blocks the task's statements start with are the same
     * in every trial of a seed: the first trial keeps what they wrote, and
     * the next ones start from it (NULL: nothing to keep). */
    const ast_node *after_frozen;   /* the first statement after them */
    struct task_frozen *frozen;
} task_program;

/* Prepares TASK (a NAME or a CALL with arguments, as after 'train N on')
 * with step DT, reading the files it loads, and generates one trial with
 * SEED to try its program. 0, or -1 with each error on fe's diagnostics,
 * located (among them the constructs the engine cannot run yet). */
int task_prepare(task_program *tp, frontend *fe, const ast_node *task, double dt, uint64_t seed);
void task_free(task_program *tp);

/* One trial: CHANNEL_DATA[c] receives channel c as [steps][size] doubles,
 * MASK [steps]. SCRATCH holds TASK_SCRATCH_SIGNALS * steps doubles for the
 * engine's intermediate signals, reusable from trial to trial (NULL: the
 * call allocates its own). 0, or -1 with the error in ERR, written as a
 * diagnostic (place, message, source line and caret). */
enum { TASK_SCRATCH_SIGNALS = 64 };
int task_generate(const task_program *tp, uint64_t seed, uint64_t trial, double *const *channel_data,
                  double *mask, double *scratch, char *err, size_t err_size);

/* One trial's arrays in one block, for task_generate: the mask [steps],
 * each channel [steps][size] and the engine's scratch. */
typedef struct task_trial {
    double *mem, *mask, *channel[RT_MAX_CHANNELS], *scratch;
} task_trial;

/* 0, or -1 when out of memory; the arrays start at 0. */
int task_trial_alloc(const task_program *tp, task_trial *tr);
void task_trial_free(task_trial *tr);

/* Trial TRIAL of the checks before training (seed TASK_CHECK_SEED) into TR;
 * an error goes on DC as a diagnostic at its place, with a note saying
 * which trial showed it. 0, or -1. */
int task_generate_check(const task_program *tp, uint64_t trial, const task_trial *tr, diag_ctx *dc);

/* The trials that checks before training generate (task_accuracy.c,
 * task_loss.c): fixed, so a verdict does not depend on the run's seed; see
 * task_accuracy.c for why 128. */
enum { TASK_CHECK_TRIALS = 2 * RT_MAX_CONDITIONS };
#define TASK_CHECK_SEED UINT64_C(0)

/* The index of input or target NAME, or -1 (the condition channel is not
 * found by name: a task may also declare a channel called 'condition'). */
int task_channel_index(const task_program *tp, const char *name);

/* The index of the condition channel, or -1 when the task has none. At each
 * step the condition is the tuple of the channel's elements; a step where
 * one of them is 0 has no condition. */
int task_condition_channel(const task_program *tp);

/* The index of the phase channel, or -1 when the task has no phases. */
int task_phase_channel(const task_program *tp);

/* Refuses, from a few trials generated with a fixed seed (task_accuracy.c),
 * what cannot mean what it says: a mask that is 0 at every step, an
 * accuracy whose window is always empty or that a constant readout would
 * pass (sign or mean_sign of a target of one sign, threshold of a target
 * always on one side, argmax of a target that always names one element),
 * and a condition that is not one of a finite set. 0, or -1 with each error
 * on DC, at its statement. */
int task_check_trials(const task_program *tp, diag_ctx *dc);

#endif
