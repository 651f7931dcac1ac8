/* task_accuracy.c -- whether a task's accuracy measure can mean what it says.
 *
 * 'accuracy sign(y)' counts the steps where the mask and the target y are
 * non-zero, and calls a step correct when the readout has y's sign. On
 * targets of one sign -- 0/1 or one-hot targets, 1 on the chosen channel and
 * 0 elsewhere -- every counted step is positive, so a readout that is
 * positive everywhere scores 100 % while choosing nothing. Such a task is
 * refused before training: a few trials are generated, and y must take both
 * signs on the steps that count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_gen.h"

/* Fixed, so the verdict is the same for every run seed, and enough that a
 * target of both signs shows both even in short trials where a sign is
 * rare (a flip-flop of 60 steps, whose first pulses are mostly later,
 * showed no negative target in 8 trials); 64 trials of 340 steps take
 * about 2 ms. */
enum { CHECK_TRIALS = 64 };
#define CHECK_SEED UINT64_C(0)

typedef struct sign_count {
    size_t counted, negative, positive;
} sign_count;

/* Channel C's values on the counted steps of trials 0 .. N-1, by sign.
 * 0, or -1 with task_generate's message in ERR. */
static int count_signs(const task_program *tp, int c, unsigned n, sign_count *out, char *err,
                       size_t err_size)
{
    size_t T = tp->steps, per_trial = T;
    for (unsigned k = 0; k < tp->n_channels; k++)
        per_trial += T * tp->channels[k].size;
    double *mem = malloc((per_trial + TASK_SCRATCH_SIGNALS * T) * sizeof *mem);
    if (!mem) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    double *mask = mem, *channel[RT_MAX_CHANNELS];
    size_t at = T;
    for (unsigned k = 0; k < tp->n_channels; k++) {
        channel[k] = mem + at;
        at += T * tp->channels[k].size;
    }
    int rc = 0;
    size_t size = tp->channels[c].size;
    for (unsigned trial = 0; trial < n && rc == 0; trial++) {
        rc = task_generate(tp, CHECK_SEED, trial, channel, mask, mem + per_trial, err, err_size);
        for (size_t i = 0; rc == 0 && i < T * size; i++) {
            double v = channel[c][i];
            if (mask[i / size] == 0 || v == 0)
                continue;
            out->counted++;
            out->negative += v < 0;
            out->positive += v > 0;
        }
    }
    free(mem);
    return rc;
}

int task_check_accuracy(const task_program *tp, diag_ctx *dc)
{
    if (!tp->accuracy)
        return 0;
    int c = task_channel_index(tp, tp->accuracy_target);
    if (c < 0)
        return 0;   /* sema made sure it is a target */
    unsigned trials = tp->trial_invariant ? 1 : CHECK_TRIALS;
    sign_count s = {0};
    char err[1024];
    src_loc at = tp->accuracy_stmt->loc;
    if (count_signs(tp, c, trials, &s, err, sizeof err) != 0) {
        diag_error(dc, at, "the trials that check the accuracy cannot be made: %s", err);
        return -1;
    }
    if (s.negative && s.positive)
        return 0;
    const char *y = tp->accuracy_target;
    diag *g;
    if (!s.counted) {
        g = diag_error(dc, at, "'accuracy sign(%s)' counts no step: in %u trial%s of task '%s', %s is 0 "
                                 "wherever the mask is on", y, trials, trials > 1 ? "s" : "", tp->def->name, y);
        diag_hint(dc, g, "it counts the steps where the mask is on and the target is non-zero, and needs "
                           "targets of both signs there");
    } else {
        g = diag_error(dc, at, "'accuracy sign(%s)' needs a target of both signs, but in %u trial%s of task "
                                 "'%s', %s is never %s on the steps it counts", y, trials, trials > 1 ? "s" : "",
                       tp->def->name, y, s.negative ? "positive" : "negative");
        diag_hint(dc, g, "on 0/1 or one-hot targets a readout that is %s everywhere would score 100 %%; "
                           "'accuracy argmax(%s)' is not available yet", s.negative ? "negative" : "positive", y);
    }
    return -1;
}
