/* task_smooth.c -- convolve(x, window) for task signals (see task_smooth.h). */
#include "task_smooth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double TWO_PI = 6.283185307179586;

/* scipy.signal.windows.hann(n, sym=True): 0.5 - 0.5 cos(2 pi k / (n - 1)). */
static void hann(double *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        w[k] = n == 1 ? 1.0 : 0.5 - 0.5 * cos(TWO_PI * (double)k / (double)(n - 1));
}

/* scipy.signal.windows.gaussian(n, std, sym=True): exp(-m^2 / (2 std^2))
 * with m = k - (n - 1) / 2, so the peak is 1 at the centre. */
static void gaussian(double *w, size_t n, double std)
{
    for (size_t k = 0; k < n; k++) {
        double m = (double)k - (double)(n - 1) / 2.0;
        w[k] = exp(-m * m / (2.0 * std * std));
    }
}

/* The number of points ARG asks for, if it is a positive whole number. */
static bool window_points(const char *name, double arg, size_t *n, char *why, size_t why_size)
{
    /* 10 ms over a step of 0.1 ms is 100 points, up to rounding */
    double whole = round(arg);
    if (fabs(arg - whole) < 1e-9 * (whole > 1 ? whole : 1))
        arg = whole;
    if (!(arg >= 1) || arg != floor(arg) || arg > TASK_WINDOW_MAX_POINTS) {
        snprintf(why, why_size, "%s()'s number of points must be a positive whole number of steps "
                 "(at most %d), but it is %g", name, TASK_WINDOW_MAX_POINTS, arg);
        return false;
    }
    *n = (size_t)arg;
    return true;
}

bool task_window(const char *name, const double *args, unsigned n_args, double *w, size_t n,
                 char *why, size_t why_size)
{
    if (strcmp(name, "hann") == 0) {
        hann(w, n);
    } else if (strcmp(name, "gaussian") == 0) {
        double std = n_args > 1 ? args[1] : 0;
        if (!(std > 0) || !isfinite(std)) {
            snprintf(why, why_size, "gaussian()'s standard deviation must be positive, but it is %g", std);
            return false;
        }
        gaussian(w, n, std);
    } else if (strcmp(name, "boxcar") == 0) {
        for (size_t k = 0; k < n; k++)
            w[k] = 1.0;
    } else {
        snprintf(why, why_size, "'%s' is not a smoothing window", name);
        return false;
    }
    return true;
}

/* out[t] = sum_j w[j] x[t + centre - j] over the j that land in the trial,
 * summed over x's index i = t + centre - j upwards. The loops run over i
 * outside and t inside, so each out[t] receives its terms in that same
 * order (the same bits as summing each t on its own), while the inner loop
 * has no chain of additions through one accumulator: it vectorises, and a
 * boxcar over a whole trial (tasks.decision's WindowedIntegration: 961
 * points over 480 steps) costs a fraction of the time. */
void task_convolve_same(const double *x, size_t T, const double *w, size_t n, double *out)
{
    long centre = (long)(n - 1) / 2;
    for (size_t t = 0; t < T; t++)
        out[t] = 0;
    for (long i = 0; i < (long)T; i++) {
        /* the t whose window [t + centre - n + 1, t + centre] holds i */
        long lo = i - centre, hi = i - centre + (long)n - 1;
        lo = lo < 0 ? 0 : lo;
        hi = hi > (long)T - 1 ? (long)T - 1 : hi;
        const double xi = x[i], *wt = w + centre - i;
        for (long t = lo; t <= hi; t++)
            out[t] += wt[t] * xi;
    }
}

bool task_convolve(const double *x, size_t T, const char *name, const double *args, unsigned n_args,
                   double *out, char *why, size_t why_size)
{
    size_t n;
    if (!window_points(name, n_args ? args[0] : 0, &n, why, why_size))
        return false;
    double *w = malloc(n * sizeof *w);
    if (!w) {
        snprintf(why, why_size, "out of memory for a window of %zu points", n);
        return false;
    }
    bool ok = task_window(name, args, n_args, w, n, why, why_size);
    if (ok)
        task_convolve_same(x, T, w, n, out);
    free(w);
    return ok;
}
