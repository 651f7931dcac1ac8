/* task_smooth.h -- smoothing of task signals: convolve(x, window).
 *
 * The windows are SciPy's symmetric ones (scipy.signal.windows.hann,
 * .gaussian, .boxcar) and the convolution is scipy.signal.convolve(x, w,
 * mode='same'): the result has x's length and is centred on the full
 * convolution, out[t] = sum_j w[j] x[t + (n-1)/2 - j], x being 0 outside the
 * trial. These are what Jarne's task generators call (tasks.md sections 2
 * and 3), so the stdlib tasks reproduce her smoothed pulses step for step.
 */
#ifndef RNNC_TASK_SMOOTH_H
#define RNNC_TASK_SMOOTH_H

#include <stdbool.h>
#include <stddef.h>

enum { TASK_WINDOW_MAX_POINTS = 1 << 20 };

/* The window NAME ("hann", "gaussian", "boxcar") of ARGS[0] points (and,
 * for gaussian, standard deviation ARGS[1]), both in steps, convolved with
 * X[0..T) into OUT[0..T). False, with a sentence in WHY, when the window's
 * arguments are not usable (a size that is not a positive whole number, a
 * standard deviation that is not positive). */
bool task_convolve(const double *x, size_t T, const char *name, const double *args, unsigned n_args,
                   double *out, char *why, size_t why_size);

/* Fills W[0..n) with the window's points; the same conditions. */
bool task_window(const char *name, const double *args, unsigned n_args, double *w, size_t n,
                 char *why, size_t why_size);

/* scipy.signal.convolve(x, w, mode='same') for x of T values and w of N; OUT must not overlap X. */
void task_convolve_same(const double *x, size_t T, const double *w, size_t n, double *out);

#endif
