/* test_accuracy.c -- rt_accuracy_count on hand-made batches whose right
 * answer is plain from the arrays, one per kind of rt_run.h's
 * rt_accuracy_kind, and SIGN against the counting it replaced; then the
 * psychometric curve's rows and logistic fit (rt_analysis.h) on data whose
 * answer is known.
 *
 * Arrays are time-major, [T][B][n], as the runtime holds a batch: value
 * (t, i, k) is at (t * B + i) * n + k. Linked with librnnrt alone.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rt_accuracy.h"
#include "rt_analysis.h"

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

/* A trial's condition is the one at its window's last step, 0 included (a
 * 0 % coherence is a condition value): trial 0's window is steps 0-2, whose
 * conditions are 3, -2, 0, so 0; step 3 (7) is outside. Trial 1's window is
 * steps 0-2 with conditions 0, 0, 0: the condition 0. Without a condition
 * array no trial has one. */
static void test_condition(void)
{
    enum { T = 4, B = 2 };
    double y[T * B] = {1, 1, 1, 1, 1, 1, 1, 1}, target[T * B] = {1, 1, 1, 1, 1, 1, 1, 1};
    double mask[T * B] = {1, 1, 1, 1, 1, 1, 0, 0}, cond[T * B] = {3, 0, -2, 0, 0, 0, 7, 5};
    rt_accuracy_def d = def_of(RT_ACCURACY_SIGN, 0, 0);
    rt_trial_accuracy tr[B];
    double correct = 0, counted = 0;
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, cond, &correct, &counted, tr);
    CHECK(tr[0].condition == 0 && tr[0].has_condition);
    CHECK(tr[1].condition == 0 && tr[1].has_condition);
    double cond2[T * B] = {3, 0, -2, 0, 0, 4, 7, 5};
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, cond2, &correct, &counted, tr);
    CHECK(tr[0].condition == 0 && tr[1].condition == 4);
    rt_accuracy_count(&d, 1, T, B, 1, y, target, mask, NULL, NULL, &correct, &counted, tr);
    CHECK(!tr[0].has_condition && !tr[1].has_condition);
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

/* ------------------------------------------------------------ psychometric */

static double logistic(double x, double mu, double s)
{
    return 1 / (1 + exp(-(x - mu) / s));
}

/* Counts that are exactly the expected ones of a logistic with mu 0.5 and
 * s 1.5 (k = n P(x), fractional): the likelihood's score equations,
 * sum (k - n P) (1, x) = 0, hold at the true parameters, so the maximum
 * is there and the fit must find it to rounding. With the slope reversed
 * (s = -4, choices falling with x) likewise, at values of another scale. */
static void test_fit_exact(void)
{
    double x[5] = {-2, -1, 0, 1, 2}, n[5] = {1000, 500, 2000, 500, 1000}, k[5];
    for (int i = 0; i < 5; i++)
        k[i] = n[i] * logistic(x[i], 0.5, 1.5);
    rt_logistic_fit fit;
    rt_logistic_fit_choices(x, k, n, 5, &fit);
    CHECK(fit.status == RT_FIT_CONVERGED);
    CHECK_NEAR(fit.mu, 0.5, 1e-9);
    CHECK_NEAR(fit.s, 1.5, 1e-9);
    CHECK(fit.iterations > 0 && fit.iterations < RT_LOGISTIC_MAX_ITERATIONS);
    double xs[4] = {-51.2, -12.8, 12.8, 51.2}, ns[4] = {40, 40, 40, 40}, ks[4];
    for (int i = 0; i < 4; i++)
        ks[i] = ns[i] * logistic(xs[i], 3, -4);
    rt_logistic_fit_choices(xs, ks, ns, 4, &fit);
    CHECK(fit.status == RT_FIT_CONVERGED);
    CHECK_NEAR(fit.mu, 3, 1e-8);
    CHECK_NEAR(fit.s, -4, 1e-8);
}

/* Whole counts: a fit is a maximum where the score is zero; check that the
 * fitted curve's expected choices add up to the observed ones, overall and
 * weighted by x (the two score equations). */
static void test_fit_score(void)
{
    double x[4] = {-3, -1, 1, 3}, n[4] = {10, 10, 10, 10}, k[4] = {1, 4, 5, 9};
    rt_logistic_fit fit;
    rt_logistic_fit_choices(x, k, n, 4, &fit);
    CHECK(fit.status == RT_FIT_CONVERGED && fit.s > 0);
    double s0 = 0, s1 = 0;
    for (int i = 0; i < 4; i++) {
        double r = k[i] - n[i] * logistic(x[i], fit.mu, fit.s);
        s0 += r;
        s1 += r * x[i];
    }
    CHECK_NEAR(s0, 0, 1e-8);
    CHECK_NEAR(s1, 0, 1e-8);
}

/* No finite maximum, so no fit: choices all 0 below 0 and all 1 above
 * (separable, switching between -1 and 1); overlapping at one value only
 * (quasi-separation, also unbounded: the choice switches at 0); every
 * trial alike; a single value; and choices that ignore the value, whose
 * maximum has slope 0 (flat). */
static void test_fit_degenerate(void)
{
    double x[4] = {-3, -1, 1, 3}, n[4] = {10, 10, 10, 10};
    rt_logistic_fit fit;
    double separable[4] = {0, 0, 10, 10};
    rt_logistic_fit_choices(x, separable, n, 4, &fit);
    CHECK(fit.status == RT_FIT_SEPARABLE && fit.gap_lo == -1 && fit.gap_hi == 1);
    CHECK(isnan(fit.mu) && isnan(fit.s));
    double quasi[5] = {0, 0, 4, 10, 10}, xq[5] = {-2, -1, 0, 1, 2}, nq[5] = {10, 10, 10, 10, 10};
    rt_logistic_fit_choices(xq, quasi, nq, 5, &fit);
    CHECK(fit.status == RT_FIT_SEPARABLE && fit.gap_lo == 0 && fit.gap_hi == 0);
    double falling[4] = {10, 10, 0, 0};
    rt_logistic_fit_choices(x, falling, n, 4, &fit);
    CHECK(fit.status == RT_FIT_SEPARABLE && fit.gap_lo == -1 && fit.gap_hi == 1);
    double none[4] = {0, 0, 0, 0};
    rt_logistic_fit_choices(x, none, n, 4, &fit);
    CHECK(fit.status == RT_FIT_ONE_CHOICE);
    double one_x[1] = {2}, one_n[1] = {10}, one_k[1] = {4};
    rt_logistic_fit_choices(one_x, one_k, one_n, 1, &fit);
    CHECK(fit.status == RT_FIT_ONE_CONDITION);
    double half[4] = {5, 5, 5, 5};
    rt_logistic_fit_choices(x, half, n, 4, &fit);
    CHECK(fit.status == RT_FIT_FLAT && isnan(fit.mu));
    CHECK_STR(rt_fit_status_name(RT_FIT_SEPARABLE), "separable");
}

/* Rows by value, in increasing order: trials without a condition (0) or
 * without a window (choice -1) are left out; accuracy is the correct over
 * the counted units of a value's trials (NAN when none was counted). */
static void test_rows(void)
{
    rt_trial_accuracy t[7] = {
        {3, 4, 1, 12.8, 1}, {1, 4, 0, -6.4, 1}, {4, 4, 1, 12.8, 1}, {0, 0, -1, 12.8, 1},
        {2, 2, 1, 0, 0},    {0, 4, 0, -6.4, 1}, {0, 0, 1, 3.2, 1},
    };
    rt_psychometric_row rows[RT_PSYCHOMETRIC_MAX_ROWS];
    size_t m;
    char err[128];
    CHECK(rt_psychometric_rows(t, 7, rows, &m, err, sizeof err) == 0);
    CHECK(m == 3);
    CHECK(rows[0].value == -6.4 && rows[0].trials == 2 && rows[0].accuracy == 1.0 / 8 && rows[0].choice == 0);
    CHECK(rows[1].value == 3.2 && rows[1].trials == 1 && isnan(rows[1].accuracy) && rows[1].choice == 1);
    CHECK(rows[2].value == 12.8 && rows[2].trials == 2 && rows[2].accuracy == 7.0 / 8 && rows[2].choice == 1);
    /* one value more than there is room for is refused, with the limit */
    static rt_trial_accuracy many[RT_PSYCHOMETRIC_MAX_ROWS + 1];
    for (int i = 0; i <= RT_PSYCHOMETRIC_MAX_ROWS; i++)
        many[i] = (rt_trial_accuracy){1, 1, 1, i + 1, 1};
    CHECK(rt_psychometric_rows(many, RT_PSYCHOMETRIC_MAX_ROWS, rows, &m, err, sizeof err) == 0);
    CHECK(rt_psychometric_rows(many, RT_PSYCHOMETRIC_MAX_ROWS + 1, rows, &m, err, sizeof err) != 0);
    CHECK(strstr(err, "more than 64 distinct condition values") != NULL);
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
    test_fit_exact();
    test_fit_score();
    test_fit_degenerate();
    test_rows();
    return check_report();
}
