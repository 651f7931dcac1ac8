/* rt_accuracy.c -- a task's accuracy over a batch (see rt_accuracy.h).
 *
 * ARGMAX is PsychRNN's accuracy of its decision tasks (the element of the
 * largest mean output over the masked steps against the same of the
 * target: PerceptualDiscrimination.accuracy_function), over a window that
 * may also be a phase, as neurogym scores the decision period.
 */
#include "rt_accuracy.h"

#include <math.h>

#include "rt_net.h"

/* The arrays of one batch, as rt_accuracy_count takes them. */
typedef struct batch_view {
    const rt_accuracy_def *def;
    int is_double;
    size_t T, B, n;
    const void *y, *target;
    const double *mask, *phase, *condition;
} batch_view;

static int in_window(const batch_view *v, size_t t, size_t i)
{
    size_t row = t * v->B + i;
    if (v->def->phase == 0)
        return v->mask[row] != 0;
    return v->phase && v->phase[row] == (double)v->def->phase;
}

static double at(const batch_view *v, const void *base, size_t t, size_t i, size_t k)
{
    return rt_real_get(v->is_double, base, (t * v->B + i) * v->n + k);
}

static int sign_of(double x)
{
    return (x > 0) - (x < 0);
}

/* Element K's mean readout and mean target over trial I's window (W steps). */
static void window_means(const batch_view *v, size_t i, size_t k, size_t w, double *y, double *target)
{
    double sy = 0, st = 0;
    for (size_t t = 0; t < v->T; t++)
        if (in_window(v, t, i)) {
            sy += at(v, v->y, t, i, k);
            st += at(v, v->target, t, i, k);
        }
    *y = sy / (double)w;
    *target = st / (double)w;
}

/* Whether element K of BASE rises above the level somewhere in trial I's window. */
static int crosses(const batch_view *v, const void *base, size_t i, size_t k)
{
    for (size_t t = 0; t < v->T; t++)
        if (in_window(v, t, i) && at(v, base, t, i, k) > v->def->level)
            return 1;
    return 0;
}

static void count_sign(const batch_view *v, size_t i, rt_trial_accuracy *r)
{
    for (size_t t = 0; t < v->T; t++) {
        if (!in_window(v, t, i))
            continue;
        for (size_t k = 0; k < v->n; k++) {
            int want = sign_of(at(v, v->target, t, i, k));
            if (want == 0)
                continue;
            r->counted += 1;
            r->correct += sign_of(at(v, v->y, t, i, k)) == want;
        }
    }
}

/* The elements of the largest mean readout and mean target; the target's
 * is -1 when two elements share its largest mean. */
static void count_argmax(const batch_view *v, size_t i, size_t w, rt_trial_accuracy *r)
{
    size_t chosen = 0, truth = 0;
    double best_y = -INFINITY, best_target = -INFINITY;
    int tie = 0;
    for (size_t k = 0; k < v->n; k++) {
        double y, target;
        window_means(v, i, k, w, &y, &target);
        if (y > best_y || k == 0) {
            best_y = y;
            chosen = k;
        }
        if (target > best_target || k == 0) {
            best_target = target;
            truth = k;
            tie = 0;
        } else if (target == best_target) {
            tie = 1;
        }
    }
    r->choice = chosen == v->n - 1;
    if (tie)
        return;
    r->counted = 1;
    r->correct = chosen == truth;
}

static void count_mean_sign(const batch_view *v, size_t i, size_t w, rt_trial_accuracy *r)
{
    for (size_t k = 0; k < v->n; k++) {
        double y, target;
        window_means(v, i, k, w, &y, &target);
        if (k == 0)
            r->choice = y > 0;
        if (sign_of(target) == 0)
            continue;
        r->counted += 1;
        r->correct += sign_of(y) == sign_of(target);
    }
}

static void count_threshold(const batch_view *v, size_t i, rt_trial_accuracy *r)
{
    for (size_t k = 0; k < v->n; k++) {
        int y = crosses(v, v->y, i, k);
        if (k == 0)
            r->choice = y;
        r->counted += 1;
        r->correct += y == crosses(v, v->target, i, k);
    }
}

/* Trial I's outcome; its window has W > 0 steps. */
static void count_trial(const batch_view *v, size_t i, size_t w, rt_trial_accuracy *r)
{
    switch (v->def->kind) {
    case RT_ACCURACY_SIGN: {
        count_sign(v, i, r);
        double y, target;
        window_means(v, i, 0, w, &y, &target);
        r->choice = y > 0;
        break;
    }
    case RT_ACCURACY_ARGMAX: count_argmax(v, i, w, r); break;
    case RT_ACCURACY_MEAN_SIGN: count_mean_sign(v, i, w, r); break;
    case RT_ACCURACY_THRESHOLD: count_threshold(v, i, r); break;
    default: break;
    }
}

void rt_accuracy_count(const rt_accuracy_def *def, int is_double, size_t T, size_t B, size_t n, const void *outputs,
                       const void *targets, const double *mask, const double *phase, const double *condition,
                       double *correct, double *counted, rt_trial_accuracy *trials)
{
    batch_view v = {def, is_double, T, B, n, outputs, targets, mask, phase, condition};
    for (size_t i = 0; i < B; i++) {
        rt_trial_accuracy r = {0, 0, -1, 0, 0};
        size_t w = 0;
        for (size_t t = 0; t < T; t++)
            if (in_window(&v, t, i)) {
                w++;
                if (condition && isfinite(condition[t * B + i])) {
                    r.condition = condition[t * B + i];
                    r.has_condition = 1;
                }
            }
        if (w > 0 && n > 0 && def->kind != RT_ACCURACY_NONE)
            count_trial(&v, i, w, &r);
        else
            r.condition = 0, r.has_condition = 0;
        *correct += r.correct;
        *counted += r.counted;
        if (trials)
            trials[i] = r;
    }
}
