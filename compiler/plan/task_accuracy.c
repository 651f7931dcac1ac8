/* task_accuracy.c -- whether a task's mask, accuracy and condition can mean
 * what they say, judged on a few trials generated with a fixed seed.
 *
 * A mask that is 0 at every step leaves nothing to learn. An accuracy is
 * measured over a window (a phase's steps, or the steps the mask counts);
 * one whose window is always empty measures nothing, and one a constant
 * readout would pass measures nothing either: 'accuracy sign(y)' (and
 * mean_sign) on targets of one sign -- 0/1 or one-hot targets -- where a
 * readout positive everywhere scores 100 %; 'threshold(y, level)' on a
 * target always above (or always below) the level; 'argmax(y)' on a target
 * whose largest element is always the same one. A condition is one of a
 * finite set (the runtime tells RT_MAX_CONDITIONS apart): one that takes
 * more values than that in these trials is a continuous quantity.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_gen.h"

/* At most TASK_CHECK_TRIALS (task_gen.h) trials: enough that a target of
 * both signs shows both even in short trials where a sign is rare (a
 * flip-flop of 60 steps, whose first pulses are mostly later, showed no
 * negative target in 8 trials), and twice the conditions the runtime tells
 * apart, so that a condition drawn once per trial from a continuous
 * distribution shows more values than that.
 *
 * Fewer are made when fewer decide the same (issue 19: 128 trials of a
 * 5,000-step Poisson task took 460 ms, the whole of the time to compile
 * the model). Every statistic here only grows with more trials, so once a
 * check has seen what makes it pass (a counted mask step, targets of both
 * signs, ...) no later trial can make it fail; the loop stops when every
 * check the task has is passed, and a check that would fail still sees all
 * 128 trials, so each verdict is the one 128 trials give. The condition
 * check is the exception (more values can only make it fail): a task with a
 * condition always makes the 128. What the early stop gives up is an error
 * in the generation itself (an index or a phase length out of range for
 * some draws) shown by a later check trial; those are the task engine's
 * errors in every trial of the run as well, located at the statement
 * like these, so the run stops at its first batch with the same message.
 * To keep them where they are cheap, at least TASK_CHECK_VALUES values
 * (steps times channel elements) are generated: all 128 trials of a
 * flip-flop or a decision task, 4 of a 5,000-step drive of 50 Poisson
 * inputs (about 15 ms; the kernels compile meanwhile, plan.c, and a re-run
 * that finds them in the kernel cache waits for these trials alone), one
 * of a trial four times as long. A branch taken in one trial in six is
 * then seen with a probability of 1 - (5/6)^4 = 0.52 at the least, in the
 * longest shipped tasks; at once in a short one. */
enum { TASK_CHECK_VALUES = 1 << 20 };

typedef struct trial_stats {
    unsigned trials;
    size_t mask_steps;              /* steps the mask counts */
    unsigned window_trials;         /* trials whose accuracy window has a step */
    size_t counted, negative, positive;   /* sign: steps; mean_sign: trial elements */
    size_t above, below;            /* threshold: trial elements that cross the level, or not */
    int argmax_first, argmax_varies;      /* argmax: the first trial's answer, and whether it changes */
    double conditions[RT_MAX_CONDITIONS + 1][RT_MAX_CHANNELS];   /* distinct condition tuples */
    unsigned n_conditions;
    size_t condition_size;
} trial_stats;

static int in_window(const task_program *tp, const task_trial *b, size_t t)
{
    int ph = task_phase_channel(tp);
    return tp->accuracy_phase ? ph >= 0 && b->channel[ph][t] == tp->accuracy_phase : b->mask[t] != 0;
}

static void count_condition(const task_program *tp, const task_trial *b, trial_stats *s)
{
    int c = task_condition_channel(tp);
    if (c < 0)
        return;
    size_t size = tp->channels[c].size;
    s->condition_size = size;
    for (size_t t = 0; t < tp->steps && s->n_conditions <= RT_MAX_CONDITIONS; t++) {
        const double *v = b->channel[c] + t * size;
        int none = 0;
        for (size_t k = 0; k < size; k++)
            none |= v[k] == 0;
        unsigned i = 0;
        while (!none && i < s->n_conditions && memcmp(s->conditions[i], v, size * sizeof *v) != 0)
            i++;
        if (!none && i == s->n_conditions)
            memcpy(s->conditions[s->n_conditions++], v, size * sizeof *v);
    }
}

/* The accuracy's target over one trial's window, as the measure sees it. */
static void count_accuracy(const task_program *tp, const task_trial *b, trial_stats *s)
{
    int c = tp->accuracy ? task_channel_index(tp, tp->accuracy_target) : -1;
    if (c < 0)
        return;
    size_t size = tp->channels[c].size, steps = 0;
    const double *y = b->channel[c];
    double mean[RT_MAX_CHANNELS * 64] = {0};
    int crosses[RT_MAX_CHANNELS * 64] = {0};
    size_t tracked = size < sizeof mean / sizeof mean[0] ? size : sizeof mean / sizeof mean[0];
    for (size_t t = 0; t < tp->steps; t++) {
        if (!in_window(tp, b, t))
            continue;
        steps++;
        for (size_t k = 0; k < size; k++) {
            double v = y[t * size + k];
            if (tp->accuracy_kind == RT_ACCURACY_SIGN && v != 0) {
                s->counted++;
                s->negative += v < 0;
                s->positive += v > 0;
            }
            if (k < tracked) {
                mean[k] += v;
                crosses[k] |= v > tp->accuracy_level;
            }
        }
    }
    if (!steps)
        return;
    s->window_trials++;
    int best = 0;
    for (size_t k = 0; k < tracked; k++) {
        best = mean[k] > mean[best] ? (int)k : best;
        if (tp->accuracy_kind == RT_ACCURACY_MEAN_SIGN && mean[k] != 0) {
            s->counted++;
            s->negative += mean[k] < 0;
            s->positive += mean[k] > 0;
        }
        s->above += crosses[k] != 0;
        s->below += crosses[k] == 0;
    }
    if (s->window_trials == 1)
        s->argmax_first = best;
    s->argmax_varies |= best != s->argmax_first;
}

/* The trials worth TASK_CHECK_VALUES values, at least one. */
static unsigned fewest_trials(const task_program *tp)
{
    double values = tp->steps;   /* the mask */
    for (unsigned c = 0; c < tp->n_channels; c++)
        values += (double)tp->steps * (double)tp->channels[c].size;
    double trials = TASK_CHECK_VALUES / (values > 0 ? values : 1);
    return trials < 1 ? 1 : trials > TASK_CHECK_TRIALS ? TASK_CHECK_TRIALS : (unsigned)trials;
}

/* Whether every check task_check_trials makes would pass on S, whatever
 * later trials show (see the top of this file). */
static int all_pass(const task_program *tp, const trial_stats *s)
{
    if (task_condition_channel(tp) >= 0 || (tp->has_mask && !s->mask_steps))
        return 0;
    if (!tp->accuracy)
        return 1;
    if (!s->window_trials)
        return 0;
    switch (tp->accuracy_kind) {
    case RT_ACCURACY_SIGN: case RT_ACCURACY_MEAN_SIGN: return s->negative && s->positive;
    case RT_ACCURACY_THRESHOLD: return s->above && s->below;
    case RT_ACCURACY_ARGMAX: return s->argmax_varies;
    default: return 1;
    }
}

/* The statistics of the check trials; -1 with the error on DC when one
 * cannot be made. */
static int gather(const task_program *tp, trial_stats *s, diag_ctx *dc)
{
    task_trial b;
    if (task_trial_alloc(tp, &b) != 0) {
        diag_error(dc, tp->def->loc, "out of memory while making the trials that check task '%s'", tp->def->name);
        return -1;
    }
    int rc = 0;
    unsigned most = tp->trial_invariant ? 1 : TASK_CHECK_TRIALS, least = fewest_trials(tp);
    for (s->trials = 0; s->trials < most && rc == 0; s->trials++) {
        if (s->trials >= least && all_pass(tp, s))
            break;
        rc = task_generate_check(tp, s->trials, &b, dc);
        if (rc != 0)
            break;
        for (size_t t = 0; t < tp->steps; t++)
            s->mask_steps += b.mask[t] != 0;
        count_accuracy(tp, &b, s);
        count_condition(tp, &b, s);
    }
    task_trial_free(&b);
    return rc;
}

static const char *plural(unsigned n)
{
    return n == 1 ? "" : "s";
}

/* The window's description for messages. */
static const char *window_text(const task_program *tp, char *buf, size_t size)
{
    if (tp->accuracy_phase)
        snprintf(buf, size, "in phase '%s'", tp->phases[tp->accuracy_phase - 1].name);
    else
        snprintf(buf, size, "where the mask is on");
    return buf;
}

/* sign and mean_sign need targets of both signs in the window. */
static int check_signs(const task_program *tp, const trial_stats *s, diag_ctx *dc)
{
    if (s->negative && s->positive)
        return 0;
    const char *y = tp->accuracy_target, *m = tp->accuracy->name;
    char w[96];
    window_text(tp, w, sizeof w);
    diag *g;
    src_loc at = tp->accuracy_stmt->loc;
    if (!s->counted) {
        g = diag_error(dc, at, "'accuracy %s(%s)' counts nothing: in %u trial%s of task '%s', %s is 0 %s",
                       m, y, s->trials, plural(s->trials), tp->def->name, y, w);
        diag_hint(dc, g, "it counts the %s where the target is non-zero, and needs targets of both signs "
                         "there", tp->accuracy_kind == RT_ACCURACY_SIGN ? "steps" : "trials");
    } else {
        g = diag_error(dc, at, "'accuracy %s(%s)' needs a target of both signs, but in %u trial%s of task "
                               "'%s', %s is never %s %s", m, y, s->trials, plural(s->trials), tp->def->name, y,
                       s->negative ? "positive" : "negative", w);
        diag_hint(dc, g, "on 0/1 or one-hot targets a readout that is %s everywhere would score 100 %%; "
                         "measure them with 'accuracy threshold(%s, 0.5)' or 'accuracy argmax(%s)'",
                  s->negative ? "negative" : "positive", y, y);
    }
    return -1;
}

static int check_accuracy(const task_program *tp, const trial_stats *s, diag_ctx *dc)
{
    if (!tp->accuracy)
        return 0;
    const char *y = tp->accuracy_target, *m = tp->accuracy->name;
    src_loc at = tp->accuracy_stmt->loc;
    char w[96];
    window_text(tp, w, sizeof w);
    if (!s->window_trials) {
        diag *g = diag_error(dc, at, "'accuracy %s(%s)' has no step to measure: in %u trial%s of task '%s' "
                                     "no step is %s", m, y, s->trials, plural(s->trials), tp->def->name, w);
        if (!tp->accuracy_phase)
            diag_hint(dc, g, "without 'in PHASE' the accuracy is measured where the mask is non-zero");
        return -1;
    }
    switch (tp->accuracy_kind) {
    case RT_ACCURACY_SIGN: case RT_ACCURACY_MEAN_SIGN:
        return check_signs(tp, s, dc);
    case RT_ACCURACY_THRESHOLD:
        if (s->above && s->below)
            return 0;
        {
            diag *g = diag_error(dc, at, "'accuracy threshold(%s, %g)' needs targets on both sides of %g, but "
                                         "in %u trial%s of task '%s' %s %s %g %s", y, tp->accuracy_level,
                                 tp->accuracy_level, s->trials, plural(s->trials), tp->def->name, y,
                                 s->above ? "always rises above" : "never rises above", tp->accuracy_level, w);
            diag_hint(dc, g, "a readout that is %s would score 100 %%; choose a level between the target's "
                             "values", s->above ? "always high" : "always low");
        }
        return -1;
    case RT_ACCURACY_ARGMAX: {
        int c = task_channel_index(tp, y);
        if (c >= 0 && tp->channels[c].size < 2) {
            diag *g = diag_error(dc, at, "'accuracy argmax(%s)' compares the elements of %s, which has one",
                                 y, y);
            diag_hint(dc, g, "for one output use 'accuracy sign(%s)', 'mean_sign(%s)' or "
                             "'threshold(%s, level)'", y, y, y);
            return -1;
        }
        if (s->argmax_varies)
            return 0;
        diag *g = diag_error(dc, at, "'accuracy argmax(%s)': in %u trial%s of task '%s' the largest element "
                                     "of %s %s is always %s[%d]", y, s->trials, plural(s->trials),
                             tp->def->name, y, w, y, s->argmax_first);
        diag_hint(dc, g, "a readout that always answers %d would score 100 %%", s->argmax_first);
        return -1;
    }
    default:
        return 0;
    }
}

int task_check_trials(const task_program *tp, diag_ctx *dc)
{
    trial_stats s = {0};
    if (gather(tp, &s, dc) != 0)
        return -1;
    int rc = 0;
    if (tp->has_mask && !s.mask_steps) {
        diag *g = diag_error(dc, tp->mask_stmt->loc, "the mask of task '%s' is 0 at every step of %u trial%s: "
                             "no step would count in the loss", tp->def->name, s.trials, plural(s.trials));
        diag_hint(dc, g, "steps where 'mask' is never set count 0; set it to 1 where the output matters");
        rc = -1;
    }
    if (check_accuracy(tp, &s, dc) != 0)
        rc = -1;
    if (s.n_conditions > RT_MAX_CONDITIONS) {
        diag *g = diag_error(dc, tp->condition->loc, "the condition of task '%s' takes more than %d values in "
                             "%u trials: a condition is one of a finite set", tp->def->name,
                             RT_MAX_CONDITIONS, s.trials);
        diag_hint(dc, g, "group trials by what was drawn from a finite set, e.g. a choice(...) draw, not by "
                         "a continuous value");
        rc = -1;
    }
    return rc;
}
