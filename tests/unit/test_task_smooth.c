/* test_task_smooth.c -- convolve(x, window) in tasks, against SciPy's
 * definitions worked out by hand (tasks.md sections 2 and 3 use them):
 *
 * 1. hann(n) is scipy.signal.windows.hann(n) (symmetric): 0.5 - 0.5
 *    cos(2 pi k / (n - 1)); hann(10) sums to 4.5 (the cosines over a full
 *    period sum to 0, plus the last point's 1: 10 * 0.5 - 0.5 * 1).
 * 2. convolve(x, w) is scipy.signal.convolve(x, w, mode='same'): on a
 *    20-step pulse at step 10, divided by the window's sum (Jarne's
 *    'convolve(..., win, mode='same') / sum(win)'), the first pulse step is
 *    exactly 0.5 (the centre (n-1)/2 = 4 puts points 0..4 on the pulse, half
 *    of the symmetric window), steps 14..25 are 1 (the whole window on the
 *    pulse), step 30 (the first after it) is 0.5 again by symmetry, step 9
 *    holds points 0..3 and step 34 none. Inside the pulse this equals SciPy
 *    on the 20-step slice alone, which is how Jarne's code calls it.
 * 3. gaussian(n, std) is scipy.signal.windows.gaussian: exp(-m^2/(2 std^2)),
 *    m = k - (n-1)/2; its points may be given as times (20 ms at dt 1 ms).
 * 4. boxcar(n) convolve() sums x over n steps: a window longer than twice
 *    the trial gives the pulse's total (20) at every step.
 * 5. In a phase, the statement writes only the phase's steps: the smoothed
 *    pulse is SciPy's convolution of the 20-step slice alone, 0 on either
 *    side (steps 9 and 30 are 0 here, where the whole-trial convolution of 2.
 *    is not); its last step, 29, holds points 4..9: all but points 0..3.
 * 6. A window whose size is a parameter that is not a whole number is
 *    refused when the task is prepared, at the window.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "task_gen.h"
#include "task_smooth.h"

static frontend_options opts = {.stdlib_dir = RNNC_STDLIB_DIR};

static const char *const net =
    "network Net {\n  input x\n  pop h : TanhRate[4]\n  readout y : Linear[1]\n"
    "  connect x -> h : all_to_all\n  connect h -> y : all_to_all\n}\n";

/* Checks TEXT and prepares the task of its 'train' (dt 1 ms): 0, or -1. */
static int prepare(frontend *fe, task_program *tp, const char *task, int quiet)
{
    char text[2048];
    snprintf(text, sizeof text, "import neurons.rate\n%s%strain Net on Smooth\n", task, net);
    frontend_init(fe);
    if (frontend_check_text(fe, "test.rnn", text, strlen(text), &opts) != 0) {
        if (!quiet)
            diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    const ast_node *run = NULL;
    for (const ast_node *n = fe->root->first; n && !run; n = n->next)
        if (n->kind == AST_TRAIN)
            run = n;
    if (!run || task_prepare(tp, fe, run->first, 1e-3, 1) != 0) {
        if (!quiet)
            diag_print(&fe->diag, stderr, 0);
        return -1;
    }
    return 0;
}

/* Trial 0 of a one-element x and y: x into X, y into Y (T values each). */
static int generate(const char *task, double *X, double *Y, size_t T)
{
    frontend fe;
    task_program tp;
    if (prepare(&fe, &tp, task, 0) != 0)
        return -1;
    int ok = tp.steps == T;
    double *mem = calloc(T * (1 + tp.n_channels), sizeof(double)), *ch[RT_MAX_CHANNELS];
    for (unsigned c = 0; c < tp.n_channels && mem; c++)
        ch[c] = mem + T * (1 + c);
    char err[512];
    if (!mem || !ok || task_generate(&tp, 7, 0, ch, mem, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "task_generate failed\n");
        ok = 0;
    } else {
        memcpy(X, ch[task_channel_index(&tp, "x")], T * sizeof *X);
        memcpy(Y, ch[task_channel_index(&tp, "y")], T * sizeof *Y);
    }
    free(mem);
    task_free(&tp);
    frontend_free(&fe);
    return ok ? 0 : -1;
}

static void test_hann_window(void)
{
    double w[10], sum = 0;
    char why[200];
    CHECK(task_window("hann", (double[]){10}, 1, w, 10, why, sizeof why));
    for (int k = 0; k < 10; k++)
        sum += w[k];
    CHECK_NEAR(sum, 4.5, 1e-12);
    CHECK(w[0] == 0 && w[9] < 1e-15);          /* symmetric: both ends 0 */
    CHECK_NEAR(w[3], 0.75, 1e-12);             /* 0.5 - 0.5 cos(2 pi / 3) */
    CHECK_NEAR(w[2], w[7], 1e-12);
}

static void test_hann_pulse_same_centring(void)
{
    double x[40], y[40];
    CHECK(generate("task Smooth {\n  input x\n  target y\n  duration 40\n"
                   "  pulse x = 1 at 10 for 20\n  y = x\n  x = convolve(x, hann(10)) / 4.5\n}\n",
                   x, y, 40) == 0);
    CHECK(y[10] == 1 && y[9] == 0);            /* the pulse before smoothing */
    CHECK_NEAR(x[10], 0.5, 1e-12);
    for (int t = 14; t <= 25; t++)
        CHECK_NEAR(x[t], 1.0, 1e-12);
    CHECK_NEAR(x[30], 0.5, 1e-12);
    double w3 = 0;
    for (int k = 0; k < 4; k++)
        w3 += 0.5 - 0.5 * cos(2 * 3.141592653589793 * k / 9);
    CHECK_NEAR(x[9], w3 / 4.5, 1e-12);
    CHECK(x[5] == 0 && x[34] == 0);
}

static void test_gaussian_in_ms_and_boxcar(void)
{
    double x[40], y[40];
    CHECK(generate("task Smooth {\n  input x\n  target y\n  duration 40\n"
                   "  pulse x = 1 at 10 for 20\n  y = convolve(x, boxcar(81))\n"
                   "  x = 0.04 * convolve(x, gaussian(20 ms, std = 12))\n}\n",
                   x, y, 40) == 0);
    /* Step 19: the centre (20-1)/2 = 9 puts points k = 0..19 on steps
     * 28..9, so every point lands on the pulse except k = 19 (step 9). */
    double expect = 0;
    for (int k = 0; k < 19; k++) {
        double m = k - 9.5;
        expect += 0.04 * exp(-m * m / (2 * 12.0 * 12.0));
    }
    CHECK_NEAR(x[19], expect, 1e-12);
    for (int t = 0; t < 40; t++)
        CHECK_NEAR(y[t], 20.0, 1e-12);
}

static void test_phase_is_the_slice(void)
{
    double x[40], y[40];
    CHECK(generate("task Smooth {\n  input x\n  target y\n  phase wait 10 {}\n"
                   "  phase stimulus 20 {\n    x = 1\n    x = convolve(x, hann(10)) / 4.5\n  }\n"
                   "  phase rest 10 {}\n  y = x\n}\n", x, y, 40) == 0);
    CHECK(x[9] == 0 && x[30] == 0);
    CHECK_NEAR(x[10], 0.5, 1e-12);
    double w03 = 0;
    for (int k = 0; k < 4; k++)
        w03 += 0.5 - 0.5 * cos(2 * 3.141592653589793 * k / 9);
    CHECK_NEAR(x[29], (4.5 - w03) / 4.5, 1e-12);
    CHECK_NEAR(x[20], 1.0, 1e-12);
}

static void test_fractional_size_refused(void)
{
    frontend fe;
    task_program tp;
    CHECK(prepare(&fe, &tp, "task Smooth(n = 2.5) {\n  input x\n  target y\n  duration 40\n"
                  "  pulse x = 1 at 10 for 20\n  y = convolve(x, hann(n))\n}\n", 1) != 0);
    CHECK(fe.diag.errors > 0);
    task_free(&tp);
    frontend_free(&fe);
}

int main(void)
{
    test_hann_window();
    test_hann_pulse_same_centring();
    test_gaussian_in_ms_and_boxcar();
    test_phase_is_the_slice();
    test_fractional_size_refused();
    return check_report();
}
