/* rt_accuracy.h -- counting a task's accuracy over a batch of trials, as
 * rt_run.h's rt_accuracy_kind defines it: a pure function of plain arrays,
 * so the evaluation (rt_train.c), the analyses that report an accuracy
 * (robustness, degradation, psychometric: rt_analyze.c) and the unit test
 * (tests/unit/test_accuracy.c) count it one way.
 *
 * A trial's window is the steps where its phase is accuracy_phase (PHASE
 * [T][B], the task's phase channel), or, for accuracy_phase 0, the steps
 * where its mask is non-zero. The units counted are, per trial:
 *   SIGN       one per step of the window and element whose target is non-zero;
 *   ARGMAX     one, when the window is not empty and the target's mean over it
 *              has a single largest element (a tie there names no answer);
 *   MEAN_SIGN  one per element whose target's mean over the window is non-zero;
 *   THRESHOLD  one per element;
 * none when the window is empty. eval_accuracy is the correct units over
 * the counted units of every evaluation trial.
 */
#ifndef RNNRT_ACCURACY_H
#define RNNRT_ACCURACY_H

#include <stddef.h>

#include "rt_run.h"

/* How the accuracy is counted (rt_run_desc's accuracy, accuracy_phase and
 * accuracy_level). */
typedef struct rt_accuracy_def {
    rt_accuracy_kind kind;
    unsigned phase;                 /* 0: the mask's non-zero steps; k: phase k's steps */
    double level;                   /* THRESHOLD */
} rt_accuracy_def;

/* One trial's outcome. Its choice is what a psychometric curve counts:
 * ARGMAX, whether the largest mean readout is the readout's last element
 * (the "right" or last option; a tie goes to the lowest element, as
 * numpy's argmax); SIGN and MEAN_SIGN, whether element 0's mean readout
 * over the window is > 0; THRESHOLD, whether element 0 rises above the
 * level in the window. -1 when the window is empty. */
typedef struct rt_trial_accuracy {
    double correct, counted;        /* the trial's units, as above */
    int choice;                     /* 1, 0, or -1 */
    double condition;               /* the condition at the window's last step (0 is a value
                                       here: the 0 % coherence of a decision task) */
    int has_condition;              /* a condition was given and the window has a step */
} rt_trial_accuracy;

/* Adds batch's correct and counted units to *CORRECT and *COUNTED (they
 * are not reset). OUTPUTS and TARGETS are the readout and its target,
 * [T][B][N] in the run's precision (IS_DOUBLE: double, else float); MASK
 * [T][B]; PHASE [T][B] or NULL (a task without phases: a phase window is
 * then empty); CONDITION [T][B] (a one-element condition) or NULL. With
 * TRIALS ([B], or NULL), each trial's outcome. A kind of NONE counts
 * nothing. */
void rt_accuracy_count(const rt_accuracy_def *def, int is_double, size_t T, size_t B, size_t n, const void *outputs,
                       const void *targets, const double *mask, const double *phase, const double *condition,
                       double *correct, double *counted, rt_trial_accuracy *trials);

#endif
