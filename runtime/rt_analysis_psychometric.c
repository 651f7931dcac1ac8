/* rt_analysis_psychometric.c -- a psychometric curve: choices per
 * condition value and a maximum-likelihood logistic fit (rt_analysis.h).
 *
 * How it relates to what users know. neurogym's psychometric plots (its
 * ngym_usage notebooks, after Britten et al. 1992) fit a probit,
 * 0.5 (1 + erf((beta x + alpha) / sqrt 2)), to the trials' choices with
 * scipy's curve_fit, i.e. by least squares; here the curve is a logistic
 * P(x) = 1 / (1 + exp(-(x - mu) / s)) fitted by maximum likelihood over
 * the trials (binomial counts per value), by Newton's method (IRLS). The
 * two curves are close for the same data: a logistic of scale s is within
 * 0.01 of a probit of standard deviation 1.70 s, and mu is in both the
 * value chosen half the time. PsychRNN reports accuracy only (the argmax
 * of the mean masked output per trial: rt_accuracy.c's ARGMAX).
 *
 * When the choices are perfectly separated by the value -- every trial
 * below some value chose 0 and every one above chose 1, as a well trained
 * network does on a noiseless task -- the likelihood grows without bound
 * as s -> 0 and no maximum exists; curve_fit then returns an arbitrary
 * huge slope. Here that case is found before fitting and reported as
 * "separable", with the two values between which the choice switches,
 * and no mu or s.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_accuracy.h"
#include "rt_analysis.h"
#include "rt_error.h"

_Static_assert((int)RT_PSYCHOMETRIC_MAX_ROWS == (int)RT_MAX_CONDITIONS, "a row per task condition");

/* ------------------------------------------------------------ rows */

typedef struct tally {
    double value, trials, correct, counted, chose;
} tally;

/* The tally of VALUE in the sorted ROWS (N of them), added if new; NULL
 * when there is no room. */
static tally *tally_of(tally *rows, size_t *n, double value)
{
    size_t at = 0;
    while (at < *n && rows[at].value < value)
        at++;
    if (at < *n && rows[at].value == value)
        return &rows[at];
    if (*n == RT_PSYCHOMETRIC_MAX_ROWS)
        return NULL;
    memmove(rows + at + 1, rows + at, (*n - at) * sizeof *rows);
    memset(&rows[at], 0, sizeof rows[at]);
    rows[at].value = value;
    (*n)++;
    return &rows[at];
}

int rt_psychometric_rows(const struct rt_trial_accuracy *t, size_t n, rt_psychometric_row *rows, size_t *n_rows,
                         char *err, size_t err_size)
{
    tally tallies[RT_PSYCHOMETRIC_MAX_ROWS];
    size_t m = 0;
    *n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].choice < 0 || !t[i].has_condition)
            continue;
        tally *r = tally_of(tallies, &m, t[i].condition);
        if (!r)
            return rt_error(err, err_size, "the trials have more than %d distinct condition values",
                            RT_PSYCHOMETRIC_MAX_ROWS);
        r->trials += 1;
        r->correct += t[i].correct;
        r->counted += t[i].counted;
        r->chose += t[i].choice == 1;
    }
    for (size_t j = 0; j < m; j++)
        rows[j] = (rt_psychometric_row){tallies[j].value, (size_t)tallies[j].trials,
                                        tallies[j].counted > 0 ? tallies[j].correct / tallies[j].counted : NAN,
                                        tallies[j].chose / tallies[j].trials};
    *n_rows = m;
    return 0;
}

/* ------------------------------------------------------------ the logistic fit */

const char *rt_fit_status_name(rt_fit_status s)
{
    switch (s) {
    case RT_FIT_CONVERGED: return "converged";
    case RT_FIT_NOT_CONVERGED: return "not converged";
    case RT_FIT_SEPARABLE: return "separable";
    case RT_FIT_ONE_CHOICE: return "one choice";
    case RT_FIT_ONE_CONDITION: return "one condition";
    case RT_FIT_FLAT: return "flat";
    }
    return "unknown";
}

/* log(1 + e^u), without overflow. */
static double softplus(double u)
{
    return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u));
}

static double sigmoid(double u)
{
    return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u));
}

/* The points in standard units (z = (x - centre) / scale), for the fit. */
typedef struct points {
    const double *z, *k, *n;
    size_t m;
} points;

static double log_likelihood(const points *p, double a, double b)
{
    double ll = 0;
    for (size_t i = 0; i < p->m; i++) {
        double u = a + b * p->z[i];
        ll += p->k[i] * u - p->n[i] * softplus(u);
    }
    return ll;
}

/* One Newton step for (a, b) from the gradient and the 2 x 2 information
 * matrix; 0 when that matrix is singular. */
static int newton_step(const points *p, double a, double b, double *da, double *db, double *grad)
{
    double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
    for (size_t i = 0; i < p->m; i++) {
        double q = sigmoid(a + b * p->z[i]), w = p->n[i] * q * (1 - q), r = p->k[i] - p->n[i] * q;
        g0 += r;
        g1 += r * p->z[i];
        h00 += w;
        h01 += w * p->z[i];
        h11 += w * p->z[i] * p->z[i];
    }
    double det = h00 * h11 - h01 * h01;
    *grad = fmax(fabs(g0), fabs(g1));
    if (!(det > 0))
        return 0;
    *da = (h11 * g0 - h01 * g1) / det;
    *db = (h00 * g1 - h01 * g0) / det;
    return 1;
}

/* Newton's method from (0, 0), each step halved until the likelihood does
 * not fall (it is concave, so a maximum that exists is found). */
static void newton(const points *p, double total, double *a, double *b, rt_logistic_fit *fit)
{
    double ll = log_likelihood(p, *a, *b);
    fit->status = RT_FIT_NOT_CONVERGED;
    for (size_t it = 1; it <= RT_LOGISTIC_MAX_ITERATIONS; it++) {
        double da, db, grad;
        fit->iterations = it;
        if (!newton_step(p, *a, *b, &da, &db, &grad))
            break;
        double step = 1, next = log_likelihood(p, *a + da, *b + db);
        while (next < ll && step > 1e-10) {
            step /= 2;
            next = log_likelihood(p, *a + step * da, *b + step * db);
        }
        *a += step * da;
        *b += step * db;
        ll = next;
        if (grad <= 1e-10 * total || fabs(step * da) + fabs(step * db) <= 1e-12 * (1 + fabs(*a) + fabs(*b))) {
            fit->status = RT_FIT_CONVERGED;
            break;
        }
    }
    fit->log_likelihood = ll;
}

/* Whether the choices are separated: every trial that chose 0 at a value
 * at most every value where a trial chose 1, or the reverse. In one
 * dimension that is exactly when the maximum-likelihood slope is infinite
 * (complete or quasi-complete separation; Albert & Anderson 1984). */
static int separated(const double *x, const double *k, const double *n, size_t m, rt_logistic_fit *fit)
{
    double max0 = -INFINITY, min0 = INFINITY, max1 = -INFINITY, min1 = INFINITY;
    for (size_t i = 0; i < m; i++) {
        if (k[i] < n[i]) {
            max0 = fmax(max0, x[i]);
            min0 = fmin(min0, x[i]);
        }
        if (k[i] > 0) {
            max1 = fmax(max1, x[i]);
            min1 = fmin(min1, x[i]);
        }
    }
    if (max0 <= min1) {
        fit->gap_lo = max0;
        fit->gap_hi = min1;
        return 1;
    }
    if (max1 <= min0) {
        fit->gap_lo = max1;
        fit->gap_hi = min0;
        return 1;
    }
    return 0;
}

/* Which case the points are before any fitting: 1 when a fit can run. */
static int fittable(const double *x, const double *k, const double *n, size_t m, rt_logistic_fit *fit)
{
    double chose = 0, total = 0;
    int distinct = 0;
    for (size_t i = 0; i < m; i++) {
        chose += k[i];
        total += n[i];
        distinct |= x[i] != x[0];
    }
    if (!distinct)
        fit->status = RT_FIT_ONE_CONDITION;
    else if (chose == 0 || chose == total)
        fit->status = RT_FIT_ONE_CHOICE;
    else if (separated(x, k, n, m, fit))
        fit->status = RT_FIT_SEPARABLE;
    else
        return 1;
    return 0;
}

void rt_logistic_fit_choices(const double *x, const double *k, const double *n, size_t m, rt_logistic_fit *fit)
{
    *fit = (rt_logistic_fit){RT_FIT_ONE_CONDITION, NAN, NAN, NAN, NAN, NAN, 0};
    if (m == 0 || !fittable(x, k, n, m, fit))
        return;
    double total = 0, centre = 0, spread = 0;
    for (size_t i = 0; i < m; i++) {
        total += n[i];
        centre += n[i] * x[i];
    }
    centre /= total;
    for (size_t i = 0; i < m; i++)
        spread += n[i] * (x[i] - centre) * (x[i] - centre);
    double scale = sqrt(spread / total), a = 0, b = 0;
    double *z = malloc(m * sizeof *z);
    if (!z) {
        fit->status = RT_FIT_NOT_CONVERGED;
        return;
    }
    for (size_t i = 0; i < m; i++)
        z[i] = (x[i] - centre) / scale;
    points p = {z, k, n, m};
    newton(&p, total, &a, &b, fit);
    free(z);
    if (fit->status != RT_FIT_CONVERGED)
        return;
    if (fabs(b) < 1e-12) {
        fit->status = RT_FIT_FLAT;
        return;
    }
    /* a + b z = (x - mu) / s with z = (x - centre) / scale */
    fit->s = scale / b;
    fit->mu = centre - a * scale / b;
}
