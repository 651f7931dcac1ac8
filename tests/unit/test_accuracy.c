/* test_accuracy.c -- rt_accuracy_count on hand-made batches whose right
 * answer is plain from the arrays, one per kind of rt_run.h's
 * rt_accuracy_kind, and SIGN against the counting it replaced.
 *
 * Arrays are time-major, [T][B][n], as the runtime holds a batch: value
 * (t, i, k) is at (t * B + i) * n + k. Linked with librnnrt alone.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rt_accuracy.h"

static rt_accuracy_def def_of(rt_accuracy_kind kind, unsigned phase, double level)
{
    rt_accuracy_def d = {kind, phase, level};
    return d;
}

/* SIGN counts one unit per step of the window and element whose target is
 * non-zero. Trial 0: 4 unmasked steps, target +1, readout wrong at t = 3
 * only: 3 of 4. Trial 1: target -1; steps 0 and 1 masked, where the
 * readout is wrong (+1, +2); at steps 2 and 3 it is right: 2 of 2, the
 * masked steps ignored. Trial 2:
 * masked everywhere: an empty window, not counted, no choice. */
static void test_sign_mask(void)
{
    enum { T = 4, B = 3 };
    double y[T * B] = {
        1, 1, 5,     /* t = 0: trial 0, 1, 2 */
        2, 2, 5,
        3, -3, 5,
        -4, -4, 5,
    };
    double target[T * B] = {1, -1, -1, 1, -1, -1, 1, -1, -1, 1, -1, -1};
    double mask[T * B] = {1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0};
    rt_accuracy_def d = def_of(RT_ACCURACY_SIGN, 0, 0);
    rt_trial_accuracy tr[B];
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, NULL, &correct, &counted, tr);
    CHECK(counted == 6 && correct == 5);
    CHECK(tr[0].counted == 4 && tr[0].correct == 3);
    CHECK(tr[1].counted == 2 && tr[1].correct == 2);
    CHECK(tr[2].counted == 0 && tr[2].correct == 0 && tr[2].choice == -1);
    /* the choice is the sign of the mean readout over the window: trial 0's
     * mean is (1 + 2 + 3 - 4) / 4 > 0; trial 1's (-3 - 4) / 2 < 0 */
    CHECK(tr[0].choice == 1 && tr[1].choice == 0);
    /* the counters add to what they held */
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, NULL, &correct, &counted, NULL);
    CHECK(counted == 12 && correct == 10);
}

/* A phase window ignores the mask: the mask is on at steps 0-1, phase 2 is
 * steps 2-3. The readout is wrong at 0-1 and right at 2-3, so the mask's
 * window scores 0 of 2 and phase 2's window 2 of 2. Phase 3 never occurs
 * (and with no phase array a phase window is empty): nothing counted. */
static void test_phase_window(void)
{
    enum { T = 4, B = 1 };
    double y[T] = {-1, -1, 1, 1}, target[T] = {1, 1, 1, 1}, mask[T] = {1, 1, 0, 0}, phase[T] = {1, 1, 2, 2};
    double correct = 0, counted = 0;
    rt_accuracy_def d = def_of(RT_ACCURACY_SIGN, 0, 0);
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, phase, NULL, &correct, &counted, NULL);
    CHECK(correct == 0 && counted == 2);
    correct = counted = 0;
    d.phase = 2;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, phase, NULL, &correct, &counted, NULL);
    CHECK(correct == 2 && counted == 2);
    correct = counted = 0;
    d.phase = 3;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, phase, NULL, &correct, &counted, NULL);
    CHECK(counted == 0);
    d.phase = 2;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, NULL, &correct, &counted, NULL);
    CHECK(counted == 0);
}

/* ARGMAX: one unit per trial, over the window's means. Three elements, two
 * steps, the mask on at step 1 only (step 0 holds a misleading readout,
 * which must not count). Trial 0: readout largest at 2, target one-hot at
 * 2: correct, chose the last element. Trial 1: readout largest at 0,
 * target at 1: wrong, choice 0. Trial 2: the target ties (0.5, 0.5, 0): no
 * right answer, not counted, but a choice (element 2, the last). Trial 3:
 * the readout ties between 1 and 2: the lowest wins (1), which is the
 * target's: correct, choice 0. */
static void test_argmax(void)
{
    enum { T = 2, B = 4, N = 3 };
    double y[T * B * N] = {
        /* t = 0 (masked): the opposite of step 1 */
        9, 0, 0,   0, 9, 0,   9, 0, 0,   9, 0, 0,
        /* t = 1 */
        0.1, 0.2, 0.9,   0.8, 0.1, 0.3,   0, 0, 1,   0, 0.7, 0.7,
    };
    double target[T * B * N] = {
        0, 0, 0,   0, 0, 0,   0, 0, 0,   0, 0, 0,
        0, 0, 1,   0, 1, 0,   0.5, 0.5, 0,   0, 1, 0,
    };
    double mask[T * B] = {0, 0, 0, 0, 1, 1, 1, 1};
    rt_accuracy_def d = def_of(RT_ACCURACY_ARGMAX, 0, 0);
    rt_trial_accuracy tr[B];
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 1, T, B, N, y, target, mask, NULL, NULL, &correct, &counted, tr);
    CHECK(counted == 3 && correct == 2);
    CHECK(tr[0].correct == 1 && tr[0].choice == 1);
    CHECK(tr[1].correct == 0 && tr[1].counted == 1 && tr[1].choice == 0);
    CHECK(tr[2].counted == 0 && tr[2].choice == 1);
    CHECK(tr[3].correct == 1 && tr[3].choice == 0);
}

/* MEAN_SIGN: per element, the sign of the mean readout over the window
 * against the sign of the mean target. Element 0: readout (-1, 3), mean 1
 * > 0, target +1: correct although wrong at step 0. Element 1: target mean
 * (1 - 1) / 2 = 0: not counted. Element 2: readout mean -0.5, target +1:
 * wrong. 1 of 2; the choice is element 0's mean > 0. */
static void test_mean_sign(void)
{
    enum { T = 2, B = 1, N = 3 };
    double y[T * N] = {-1, 5, -2, 3, 5, 1}, target[T * N] = {1, 1, 1, 1, -1, 1}, mask[T] = {1, 1};
    rt_accuracy_def d = def_of(RT_ACCURACY_MEAN_SIGN, 0, 0);
    rt_trial_accuracy tr;
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 1, T, B, N, y, target, mask, NULL, NULL, &correct, &counted, &tr);
    CHECK(counted == 2 && correct == 1);
    CHECK(tr.choice == 1);
}

/* THRESHOLD 0.5, per trial and element: correct when the readout rises
 * above the level in the window exactly when the target does. Three steps,
 * the last masked. Trial 0: readout 0.6 at step 1, target 1 at step 1:
 * correct, choice 1. Trial 1: the readout rises above only at the masked
 * step, the target never: correct (it did not cross in the window), choice
 * 0. Trial 2: target crosses, readout reaches exactly 0.5 (not above):
 * wrong. Computed in float, the run's other precision. */
static void test_threshold(void)
{
    enum { T = 3, B = 3 };
    float y[T * B] = {0, 0, 0, 0.6f, 0.2f, 0.5f, 0, 0.9f, 0};
    float target[T * B] = {0, 0, 0, 1, 0, 1, 0, 0, 0};
    double mask[T * B] = {1, 1, 1, 1, 1, 1, 0, 0, 0};
    rt_accuracy_def d = def_of(RT_ACCURACY_THRESHOLD, 0, 0.5);
    rt_trial_accuracy tr[B];
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 0, T, B, 1, y, target, mask, NULL, NULL, &correct, &counted, tr);
    CHECK(counted == 3 && correct == 2);
    CHECK(tr[0].correct == 1 && tr[0].choice == 1);
    CHECK(tr[1].correct == 1 && tr[1].choice == 0);
    CHECK(tr[2].correct == 0 && tr[2].choice == 0);
}

/* A trial's condition is the one at the last step of its window where it
 * is non-zero: trial 0's window is steps 0-2, whose conditions are 3, -2,
 * 0, so -2; step 3 (7) is outside. Trial 1's window has condition 0
 * throughout: none. */
static void test_condition(void)
{
    enum { T = 4, B = 2 };
    double y[T * B] = {1, 1, 1, 1, 1, 1, 1, 1}, target[T * B] = {1, 1, 1, 1, 1, 1, 1, 1};
    double mask[T * B] = {1, 1, 1, 1, 1, 1, 0, 0}, cond[T * B] = {3, 0, -2, 0, 0, 0, 7, 5};
    rt_accuracy_def d = def_of(RT_ACCURACY_SIGN, 0, 0);
    rt_trial_accuracy tr[B];
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, cond, &correct, &counted, tr);
    CHECK(tr[0].condition == -2);
    CHECK(tr[1].condition == 0);
}

/* ------------------------------------------------------------ SIGN as it was */

/* The sign accuracy rt_train.c counted before rt_accuracy.c (kept here as
 * the reference): over the rows where the mask is non-zero, per element
 * whose target is non-zero, correct when the readout has its sign. */
static void sign_before(size_t rows, size_t n, const float *y, const float *target, const double *mask,
                        double *correct, double *counted)
{
    for (size_t row = 0; row < rows; row++) {
        if (mask[row] == 0)
            continue;
        for (size_t k = 0; k < n; k++) {
            double want = (target[row * n + k] > 0) - (target[row * n + k] < 0);
            double got = y[row * n + k];
            if (want == 0)
                continue;
            *counted += 1;
            *correct += ((got > 0) - (got < 0)) == want;
        }
    }
}

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* Random batches with zeros in the readout and target and masks of 0, 1
 * and 0.5: the new counting gives the same numbers, bit for bit, over
 * several batches added up. */
static void test_sign_as_before(void)
{
    enum { T = 17, B = 9, N = 3 };
    static float y[T * B * N], target[T * B * N];
    static double mask[T * B];
    uint64_t seed = 12345;
    double c0 = 0, n0 = 0, c1 = 0, n1 = 0;
    rt_accuracy_def d = def_of(RT_ACCURACY_SIGN, 0, 0);
    for (int batch = 0; batch < 20; batch++) {
        for (size_t i = 0; i < T * B * N; i++) {
            y[i] = (float)((double)(next(&seed) % 7) - 3) * 0.25f;
            target[i] = (float)((double)(next(&seed) % 3) - 1);
        }
        for (size_t i = 0; i < T * B; i++)
            mask[i] = (double)(next(&seed) % 3) * 0.5;
        sign_before(T * B, N, y, target, mask, &c0, &n0);
        rt_accuracy_count(&d, 0, T, B, N, y, target, mask, NULL, NULL, &c1, &n1, NULL);
    }
    CHECK(n0 > 0 && n0 == n1 && c0 == c1);
    CHECK(c0 / n0 == c1 / n1);
}

/* NONE counts nothing and leaves the counters alone. */
static void test_none(void)
{
    double y[1] = {1}, target[1] = {1}, mask[1] = {1}, correct = 0, counted = 0;
    rt_accuracy_def d = def_of(RT_ACCURACY_NONE, 0, 0);
    rt_trial_accuracy tr;
    rt_accuracy_count(&d, 1, 1, 1, 1, y, target, mask, NULL, NULL, &correct, &counted, &tr);
    CHECK(correct == 0 && counted == 0 && tr.choice == -1);
}

int main(void)
{
    test_sign_mask();
    test_phase_window();
    test_argmax();
    test_mean_sign();
    test_threshold();
    test_condition();
    test_sign_as_before();
    test_none();
    return check_report();
}
