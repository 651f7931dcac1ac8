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
} task_load;

/* A channel of the trial: an input, a target, or the task's condition
 * ('condition EXPR'), which is neither and which the network never sees. */
typedef struct task_channel {
    const char *name;
    size_t size;
    int is_target;
    int is_condition;
} task_channel;

typedef struct task_program {
    frontend *fe;
    const ast_node *def;
    double dt;
    size_t steps;
    const_binding args[TASK_MAX_ARGS];    /* every parameter's value */
    unsigned n_args;
    task_channel channels[RT_MAX_CHANNELS];   /* in declaration order, the condition last */
    unsigned n_channels;
    int has_mask;                   /* 'mask = ...' appears: unset steps count 0 */
    const ast_node *accuracy;       /* the accuracy expression, or NULL */
    const char *accuracy_target;    /* the target it reads */
    const ast_node *accuracy_stmt;  /* the 'accuracy' statement, for messages */
    const ast_node *condition;      /* the condition expression, or NULL */
    task_load loads[TASK_MAX_LOADS];
    unsigned n_loads;
    int trial_invariant;            /* no random draw outside 'frozen': all trials are the same */
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

/* The index of input or target NAME, or -1 (the condition channel is not
 * found by name: a task may also declare a channel called 'condition'). */
int task_channel_index(const task_program *tp, const char *name);

/* The index of the condition channel, or -1 when the task has none. At each
 * step the condition is the tuple of the channel's elements; a step where
 * one of them is 0 has no condition. */
int task_condition_channel(const task_program *tp);

/* Refuses an 'accuracy sign(y)' that cannot mean what it says: y must take
 * both signs on the steps that count (mask and y non-zero) in a few trials
 * generated with a fixed seed (task_accuracy.c). 0, or -1 with the error
on DC, at the 'accuracy' statement. */
int task_check_accuracy(const task_program *tp, diag_ctx *dc);

/* The accuracy measure applied to one value of the target's channel
 * (sign(y)). Returns 0 on success. */
int task_accuracy_value(const task_program *tp, double value, double *out);

#endif
