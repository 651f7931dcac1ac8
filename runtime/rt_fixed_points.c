/* rt_fixed_points.c -- fixed and slow points of a map h -> F(h): Adam,
 * damped Newton, selection, linearisation (see rt_analysis.h). */
#include "rt_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "rt_analysis_internal.h"
#include "rt_error.h"
#include "rt_lapack.h"

/* Adam (Kingma & Ba 2015) with PyTorch's defaults; the learning-rate cut of
 * PyTorch's ReduceLROnPlateau (relative threshold 1e-4) with FixedPointFinder's
 * factor and patience. */
static const double adam_beta1 = 0.9, adam_beta2 = 0.999, adam_eps = 1e-8;
static const double plateau_factor = 0.95, plateau_threshold = 1e-4;
static const unsigned plateau_patience = 2;
/* Every max(ADAM_CHECK, n) iterations a point whose best q has not halved
 * since the last check leaves Adam for damped Newton: gradient steps crawl
 * along the valleys of q where J - I is near singular (in random tanh
 * networks of gain > 1, for thousands of iterations that a few Newton
 * rounds replace). A Newton round costs a Jacobian, n vjp rows against 2
 * rows per Adam iteration, hence checks no more often than every n. */
enum { ADAM_CHECK = 100 };
/* Levenberg-Marquardt damping, relative to trace(A^T A) / n. */
static const double lm_lambda_min = 1e-9, lm_lambda_max = 1e6;
/* Jacobians are built for as many points at once as keep the vjp call's
 * arrays at about 2^20 doubles (8 MB) each. */
enum { JACOBIAN_BUDGET = 1 << 20 };

typedef struct fp_work {
    const rt_fp_system *sys;
    rt_fp_options opt;
    size_t n, count;               /* state dimension, initial states */
    /* Per initial state, indexed by its number. */
    double *best_h;                /* [count][n]: the lowest-q state visited */
    double *best_q;                /* [count] */
    double *ref_q, *check_q, *lr;  /* [count]: Adam's plateau reference, q at the last
                                      progress check, learning rate */
    unsigned *bad;                 /* [count]: iterations without a new ref_q */
    double *lm_lambda;             /* [count]: Levenberg-Marquardt damping */
    /* Adam: rows [0, active) are the running points, ORIGIN their numbers.
     * Damped Newton gathers its points into the same arrays. */
    double *h, *f, *e, *g, *m, *v; /* [count][n] */
    double *q_now;                 /* [count] */
    size_t *origin, *list;         /* [count] */
    size_t active, iterations;
    size_t check_every;            /* Adam iterations between progress checks */
    /* Jacobians of up to CHUNK points: vjp inputs and output, A^T A. */
    size_t chunk;
    double *rep, *unit, *jac, *ata; /* [chunk][n][n] */
    double *lm_scale;              /* [chunk] */
    size_t *trial_of;              /* [chunk] */
    unsigned char *lm_state;       /* [chunk] */
    double *scratch;               /* [n][n]: the matrix LAPACK factorises */
    blasint *ipiv;                 /* [n] */
    char *err;
    size_t err_size;
} fp_work;

static double half_sq_norm(const double *x, size_t n)
{
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += x[j] * x[j];
    return 0.5 * sum;
}

/* F at COUNT points H into F, then E = F - H. */
static int fp_residuals(fp_work *w, size_t count, const double *h, double *f, double *e)
{
    if (count == 0)
        return 0;
    if (w->sys->step(w->sys->ctx, count, h, f) != 0)
        return rt_error(w->err, w->err_size, "fixed points: the step callback failed");
    for (size_t i = 0; i < count * w->n; i++)
        e[i] = f[i] - h[i];
    return 0;
}

/* Jacobians J(h_p) of COUNT <= CHUNK points H into JAC[count][n][n]: row j
 * of J(h) is J(h)^T e_j, so one vjp call over count * n copies of the points
 * against unit vectors. */
static int fp_jacobians(fp_work *w, const double *h, size_t count)
{
    size_t n = w->n;
    for (size_t p = 0; p < count; p++)
        for (size_t j = 0; j < n; j++)
            memcpy(w->rep + (p * n + j) * n, h + p * n, n * sizeof *h);
    if (w->sys->vjp(w->sys->ctx, count * n, w->rep, w->unit, w->jac) != 0)
        return rt_error(w->err, w->err_size, "fixed points: the vjp callback failed");
    return 0;
}

/* ---- Adam on all points ---- */

/* Records a running row's q; 1 when its point leaves Adam: converged,
 * diverged, or too slow. */
static int fp_track(fp_work *w, size_t row, double q)
{
    size_t o = w->origin[row], n = w->n;
    if (!isfinite(q))
        return 1;
    if (q < w->best_q[o]) {
        w->best_q[o] = q;
        memcpy(w->best_h + o * n, w->h + row * n, n * sizeof *w->h);
    }
    if (q <= w->opt.tol_q)
        return 1;
    if (w->iterations % w->check_every == 0) {
        if (w->iterations > 0 && w->best_q[o] > 0.5 * w->check_q[o])
            return 1; /* crawling: damped Newton's turn */
        w->check_q[o] = w->best_q[o];
    }
    if (q < w->ref_q[o] * (1 - plateau_threshold)) {
        w->ref_q[o] = q;
        w->bad[o] = 0;
    } else if (++w->bad[o] > plateau_patience) {
        w->lr[o] *= plateau_factor;
        w->bad[o] = 0;
    }
    return 0;
}

/* Drops running row ROW: the last running row takes its place. */
static void fp_retire(fp_work *w, size_t row)
{
    size_t last = --w->active, n = w->n;
    if (row == last)
        return;
    double *rows[] = {w->h, w->e, w->m, w->v};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        memcpy(rows[i] + row * n, rows[i] + last * n, n * sizeof *w->h);
    w->origin[row] = w->origin[last];
}

/* One Adam step on every running row; G holds J^T e, so grad q = G - E. */
static void fp_adam_update(fp_work *w)
{
    double t = (double)(w->iterations + 1);
    double c1 = 1 - pow(adam_beta1, t), c2 = 1 - pow(adam_beta2, t);
    size_t n = w->n;
    for (size_t row = 0; row < w->active; row++) {
        double lr = w->lr[w->origin[row]];
        for (size_t i = row * n; i < (row + 1) * n; i++) {
            double grad = w->g[i] - w->e[i];
            w->m[i] = adam_beta1 * w->m[i] + (1 - adam_beta1) * grad;
            w->v[i] = adam_beta2 * w->v[i] + (1 - adam_beta2) * grad * grad;
            w->h[i] -= lr * (w->m[i] / c1) / (sqrt(w->v[i] / c2) + adam_eps);
        }
    }
}

/* -1 with the error "interrupted" when the caller's stop flag is set. */
static int fp_stopped(fp_work *w)
{
    if (w->opt.stop && *w->opt.stop)
        return rt_error(w->err, w->err_size, "fixed points: interrupted");
    return 0;
}

static int fp_adam(fp_work *w)
{
    while (w->active > 0 && w->iterations < w->opt.max_iters) {
        if (fp_stopped(w) != 0)
            return -1;
        if (fp_residuals(w, w->active, w->h, w->f, w->e) != 0)
            return -1;
        /* From the top down, so a row moved into a retired one was already seen. */
        for (size_t row = w->active; row-- > 0;)
            if (fp_track(w, row, half_sq_norm(w->e + row * w->n, w->n)))
                fp_retire(w, row);
        if (w->active == 0)
            break;
        if (w->sys->vjp(w->sys->ctx, w->active, w->h, w->e, w->g) != 0)
            return rt_error(w->err, w->err_size, "fixed points: the vjp callback failed");
        fp_adam_update(w);
        w->iterations++;
    }
    return 0;
}

/* ---- Damped Newton (Levenberg-Marquardt) ---- */

/* A = J - I column-major, in place of the row-major J it is built from (a
 * transpose), then ATA = A^T A (upper triangle), GRAD = A^T e = grad q,
 * and the damping scale trace(A^T A) / n, which makes lambda unit-free. */
static double lm_prepare(size_t n, double *a, double *ata, const double *e, double *grad)
{
    for (size_t r = 0; r < n; r++) {
        for (size_t c = 0; c < r; c++) {
            double t = a[r * n + c];
            a[r * n + c] = a[c * n + r];
            a[c * n + r] = t;
        }
        a[r * n + r] -= 1;
    }
    memset(ata, 0, n * n * sizeof *ata);
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (blasint)n, (blasint)n, 1.0, a,
                (blasint)n, 0.0, ata, (blasint)n);
    /* A^T e by hand: OpenBLAS's threaded dgemv (transposed) gave other bits
     * on two threads than on one for n = 100, 140, 180. */
    for (size_t c = 0; c < n; c++) {
        grad[c] = 0;
        for (size_t r = 0; r < n; r++)
            grad[c] += a[c * n + r] * e[r];
    }
    double trace = 0;
    for (size_t r = 0; r < n; r++)
        trace += ata[r * n + r];
    return trace / (double)n;
}

/* The step for damping LAMBDA into DELTA: Newton's -A^-1 e at 0 (dgesv),
 * else -(A^T A + lambda s I)^-1 A^T e (dposv), which tends to a short
 * gradient step as lambda grows. 0 when the matrix is singular. */
static int lm_step(fp_work *w, const double *a, const double *ata, double scale, const double *e,
                   const double *grad, double lambda, double *delta)
{
    size_t n = w->n;
    blasint nn = (blasint)n, one = 1, info = 0;
    int threads = serial_blas_begin();
    if (lambda == 0) {
        memcpy(w->scratch, a, n * n * sizeof *a);
        for (size_t r = 0; r < n; r++)
            delta[r] = -e[r];
        dgesv_(&nn, &one, w->scratch, &nn, w->ipiv, delta, &nn, &info);
    } else {
        memcpy(w->scratch, ata, n * n * sizeof *ata);
        for (size_t r = 0; r < n; r++) {
            w->scratch[r * n + r] += lambda * scale;
            delta[r] = -grad[r];
        }
        dposv_("U", &nn, &one, w->scratch, &nn, delta, &nn, &info, 1);
    }
    serial_blas_end(threads);
    return info == 0 && first_non_finite(delta, n) == n;
}

enum { LM_PENDING, LM_MOVED, LM_STATIONARY };

/* A refused step: ten times the damping; past lm_lambda_max the point is
 * stationary (a minimum of q, to the precision of F). */
static void lm_refused(fp_work *w, size_t o, unsigned char *state)
{
    w->lm_lambda[o] = w->lm_lambda[o] == 0 ? lm_lambda_min : 10 * w->lm_lambda[o];
    if (w->lm_lambda[o] > lm_lambda_max) {
        w->lm_lambda[o] = 0;
        *state = LM_STATIONARY;
    }
}

/* Trial steps from every pending point of the chunk (gathered rows P0...)
 * into M, then one step call; a step is taken if q falls. */
static int lm_try(fp_work *w, size_t p0, size_t cc)
{
    size_t n = w->n, trials = 0;
    for (size_t p = 0; p < cc; p++) {
        size_t i = p0 + p, o = w->list[i];
        if (w->lm_state[p] != LM_PENDING)
            continue;
        double *t = w->m + trials * n;
        if (!lm_step(w, w->jac + p * n * n, w->ata + p * n * n, w->lm_scale[p], w->e + i * n,
                     w->g + i * n, w->lm_lambda[o], t)) {
            lm_refused(w, o, &w->lm_state[p]);
            continue;
        }
        for (size_t j = 0; j < n; j++)
            t[j] += w->h[i * n + j];
        w->trial_of[trials++] = p;
    }
    if (fp_residuals(w, trials, w->m, w->f, w->v) != 0)
        return -1;
    for (size_t k = 0; k < trials; k++) {
        size_t p = w->trial_of[k], i = p0 + p, o = w->list[i];
        double q = half_sq_norm(w->v + k * n, n);
        if (!(q < w->q_now[i])) {
            lm_refused(w, o, &w->lm_state[p]);
            continue;
        }
        w->lm_state[p] = LM_MOVED;
        w->best_q[o] = q;
        memcpy(w->best_h + o * n, w->m + k * n, n * sizeof *w->m);
        w->lm_lambda[o] = w->lm_lambda[o] / 10 < lm_lambda_min ? 0 : w->lm_lambda[o] / 10;
    }
    return 0;
}

/* One round for CC gathered points from row P0: their Jacobians, then
 * trials with growing damping until each has moved or is stationary. */
static int lm_chunk(fp_work *w, size_t p0, size_t cc, unsigned char *moved)
{
    size_t n = w->n;
    if (fp_jacobians(w, w->h + p0 * n, cc) != 0)
        return -1;
    for (size_t p = 0; p < cc; p++) {
        w->lm_scale[p] = lm_prepare(n, w->jac + p * n * n, w->ata + p * n * n,
                                    w->e + (p0 + p) * n, w->g + (p0 + p) * n);
        w->lm_state[p] = LM_PENDING;
    }
    for (int pending = 1; pending;) {
        if (lm_try(w, p0, cc) != 0)
            return -1;
        pending = 0;
        for (size_t p = 0; p < cc; p++)
            pending |= w->lm_state[p] == LM_PENDING;
    }
    for (size_t p = 0; p < cc; p++)
        moved[p0 + p] = w->lm_state[p] == LM_MOVED;
    return 0;
}

/* Whether a point that moved from q = BEFORE to AFTER gets another round.
 * Near a fixed point q falls by orders of magnitude per round. Slower
 * progress means a minimum of q with q > 0 (Gauss-Newton converges only
 * linearly there) or a long valley. Above q_slow the point is followed
 * while q falls by 20% a round: on random tanh networks (n = 100, gain 1.2
 * to 3) asking for 50% found half the fixed points that 20 unconditional
 * rounds found, 20% two thirds, at a third of the cost. At or below q_slow
 * it is a slow point, followed while q falls by 0.1% a round, which brings
 * it to about sqrt(1e-3 q / curvature) from the minimum. */
static int lm_continues(const fp_work *w, double before, double after, double floor)
{
    if (after <= floor)
        return 0;
    return after <= 0.8 * before || (after <= w->opt.q_slow && after < (1 - 1e-3) * before);
}

/* One round on the LEN points numbered in LIST; keeps in LIST those that
 * moved and lm_continues. */
static int lm_round(fp_work *w, size_t *len, double floor, unsigned char *moved)
{
    size_t n = w->n, kept = 0;
    for (size_t i = 0; i < *len; i++)
        memcpy(w->h + i * n, w->best_h + w->list[i] * n, n * sizeof *w->h);
    if (fp_residuals(w, *len, w->h, w->f, w->e) != 0)
        return -1;
    for (size_t i = 0; i < *len; i++)
        w->q_now[i] = half_sq_norm(w->e + i * n, n);
    for (size_t p0 = 0; p0 < *len; p0 += w->chunk)
        if (lm_chunk(w, p0, *len - p0 < w->chunk ? *len - p0 : w->chunk, moved) != 0)
            return -1;
    for (size_t i = 0; i < *len; i++)
        if (moved[i] && lm_continues(w, w->q_now[i], w->best_q[w->list[i]], floor))
            w->list[kept++] = w->list[i];
    *len = kept;
    return 0;
}

/* Rounds on the LEN points numbered in LIST, each point until it is
 * stationary or has q <= FLOOR. */
static int fp_newton(fp_work *w, size_t len, double floor)
{
    unsigned char *moved = malloc(w->count);
    if (!moved)
        return rt_error(w->err, w->err_size, "fixed points: out of memory");
    int rc = 0;
    for (unsigned round = 0; rc == 0 && round < w->opt.newton_steps && len > 0; round++)
        rc = fp_stopped(w) != 0 ? -1 : lm_round(w, &len, floor, moved);
    free(moved);
    return rc;
}

/* Every point Adam left above tol_q. */
static int fp_polish_all(fp_work *w)
{
    size_t len = 0;
    for (size_t o = 0; o < w->count; o++)
        if (w->best_q[o] > w->opt.tol_q && isfinite(w->best_q[o]))
            w->list[len++] = o;
    return fp_newton(w, len, w->opt.tol_q);
}

/* ---- Selection: q, outliers, duplicates ---- */

typedef struct fp_candidate {
    const double *h;
    double q;
    size_t n, origin;
    int fixed;
} fp_candidate;

static int compare_lexicographic(const fp_candidate *a, const fp_candidate *b)
{
    for (size_t j = 0; j < a->n; j++)
        if (a->h[j] != b->h[j])
            return a->h[j] < b->h[j] ? -1 : 1;
    return a->origin < b->origin ? -1 : a->origin > b->origin;
}

/* De-duplication order: lowest q first. */
static int compare_by_q(const void *pa, const void *pb)
{
    const fp_candidate *a = pa, *b = pb;
    if (a->q != b->q)
        return a->q < b->q ? -1 : 1;
    return compare_lexicographic(a, b);
}

/* Output order: fixed points by coordinates, then slow points by q. */
static int compare_for_output(const void *pa, const void *pb)
{
    const fp_candidate *a = pa, *b = pb;
    if (a->fixed != b->fixed)
        return a->fixed ? -1 : 1;
    return a->fixed ? compare_lexicographic(a, b) : compare_by_q(a, b);
}

/* The initial states' centroid C[n] and their RMS distance to it. */
static double init_spread(const double *inits, size_t count, size_t n, double *c)
{
    column_means(inits, count, n, c);
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += squared_distance(inits + i * n, c, n);
    return sqrt(sum / (double)count);
}

/* Candidates that pass the q and distance tests, counted into OUT. */
static size_t fp_filter(fp_work *w, const double *inits, double *centroid, fp_candidate *cand,
                        rt_fp_result *out)
{
    size_t n = w->n, kept = 0;
    double rms = init_spread(inits, w->count, n, centroid);
    double limit = w->opt.outlier_scale * rms;
    for (size_t o = 0; o < w->count; o++) {
        double q = w->best_q[o];
        const double *h = w->best_h + o * n;
        out->n_converged += q <= w->opt.tol_q;
        if (!(q <= w->opt.q_slow))
            out->n_dropped_q++;
        else if (rms > 0 && sqrt(squared_distance(h, centroid, n)) > limit)
            out->n_outliers++;
        else
            cand[kept++] = (fp_candidate){h, q, n, o, q <= w->opt.tol_q};
    }
    return kept;
}

/* Keeps, in order of increasing q, the candidates at least tol_unique from
 * every one kept before. */
static size_t fp_unique(fp_work *w, fp_candidate *cand, size_t count, rt_fp_result *out)
{
    double tol2 = w->opt.tol_unique * w->opt.tol_unique;
    size_t kept = 0;
    qsort(cand, count, sizeof *cand, compare_by_q);
    for (size_t i = 0; i < count; i++) {
        int duplicate = 0;
        for (size_t j = 0; j < kept && !duplicate; j++)
            duplicate = squared_distance(cand[i].h, cand[j].h, w->n) < tol2;
        if (duplicate)
            out->n_duplicates++;
        else
            cand[kept++] = cand[i];
    }
    return kept;
}

/* The kept fixed points, polished to nearly the precision of F: tol_q =
 * 1e-12 leaves a point up to |F(h) - h| / |1 - lambda| ~ 1e-6 from the true
 * one, Newton converges quadratically from there, and it stops at q <=
 * tol_q 1e-16 (|F(h) - h| 1e-8 times smaller). Slow points are already
 * where damped Newton stopped. */
static int fp_polish_kept(fp_work *w, fp_candidate *cand, size_t count)
{
    size_t len = 0;
    for (size_t i = 0; i < count; i++)
        if (cand[i].fixed)
            w->list[len++] = cand[i].origin;
    if (fp_newton(w, len, w->opt.tol_q * 1e-16) != 0)
        return -1;
    for (size_t i = 0; i < count; i++)
        cand[i].q = w->best_q[cand[i].origin];
    return 0;
}

/* ---- Output: the kept points and their linearisations ---- */

static int fp_alloc_result(rt_fp_result *out, size_t count, size_t n)
{
    out->count = count;
    out->points = alloc_doubles(count * n);
    out->q = alloc_doubles(count);
    out->is_fixed = malloc(count ? count : 1);
    out->eig_re = alloc_doubles(count * n);
    out->eig_im = alloc_doubles(count * n);
    out->n_unstable = malloc((count ? count : 1) * sizeof *out->n_unstable);
    out->stable = malloc(count ? count : 1);
    return out->points && out->q && out->is_fixed && out->eig_re && out->eig_im &&
                   out->n_unstable && out->stable
               ? 0
               : -1;
}

/* Point I's eigenvalues from its Jacobian JAC, and their verdict. */
static int fp_classify(fp_work *w, const double *jac, size_t i, rt_fp_result *out)
{
    size_t n = w->n;
    double *re = out->eig_re + i * n, *im = out->eig_im + i * n;
    if (rt_eigen(jac, n, re, im, w->err, w->err_size) != 0)
        return -1;
    out->n_unstable[i] = 0;
    for (size_t j = 0; j < n; j++)
        out->n_unstable[i] += hypot(re[j], im[j]) > 1;
    out->stable[i] = hypot(re[0], im[0]) < 1; /* sorted: the largest modulus first */
    return 0;
}

static int fp_output(fp_work *w, const fp_candidate *cand, size_t count, rt_fp_result *out)
{
    size_t n = w->n;
    if (fp_alloc_result(out, count, n) != 0)
        return rt_error(w->err, w->err_size, "fixed points: out of memory");
    for (size_t i = 0; i < count; i++) {
        memcpy(out->points + i * n, cand[i].h, n * sizeof *cand[i].h);
        out->q[i] = cand[i].q;
        out->is_fixed[i] = (unsigned char)cand[i].fixed;
    }
    for (size_t p0 = 0; p0 < count; p0 += w->chunk) {
        size_t cc = count - p0 < w->chunk ? count - p0 : w->chunk;
        if (fp_jacobians(w, out->points + p0 * n, cc) != 0)
            return -1;
        for (size_t p = 0; p < cc; p++)
            if (fp_classify(w, w->jac + p * n * n, p0 + p, out) != 0)
                return -1;
    }
    return 0;
}

/* ---- Options, work space, driver ---- */

rt_fp_options rt_fp_default_options(void)
{
    return (rt_fp_options){.tol_q = 1e-12,
                           .tol_unique = 1e-3,
                           .max_iters = 5000,
                           .learning_rate = 0.1,
                           .outlier_scale = 10,
                           .q_slow = 1e-6,
                           .newton_steps = 20};
}

/* GIVEN replaces *FIELD unless it is 0; it must be > 0, and finite unless
 * INFINITE_OK. */
static int take_option(double given, double *field, int infinite_ok, const char *name,
                       char *err, size_t err_size)
{
    if (given == 0)
        return 0;
    if (!(given > 0) || (!infinite_ok && isinf(given)))
        return rt_error(err, err_size, "fixed points: option %s must be > 0%s (got %g)",
                        name, infinite_ok ? "" : " and finite", given);
    *field = given;
    return 0;
}

static int fp_take_options(const rt_fp_options *given, rt_fp_options *opt, char *err,
                           size_t err_size)
{
    if (take_option(given->tol_q, &opt->tol_q, 0, "tol_q", err, err_size) != 0 ||
        take_option(given->tol_unique, &opt->tol_unique, 0, "tol_unique", err, err_size) != 0 ||
        take_option(given->learning_rate, &opt->learning_rate, 0, "learning_rate", err,
                    err_size) != 0 ||
        take_option(given->outlier_scale, &opt->outlier_scale, 1, "outlier_scale", err,
                    err_size) != 0 ||
        take_option(given->q_slow, &opt->q_slow, 0, "q_slow", err, err_size) != 0)
        return -1;
    opt->max_iters = given->max_iters ? given->max_iters : opt->max_iters;
    opt->newton_steps = given->newton_steps ? given->newton_steps : opt->newton_steps;
    opt->stop = given->stop;
    return 0;
}

static int fp_options(const rt_fp_options *given, rt_fp_options *opt, char *err,
                      size_t err_size)
{
    *opt = rt_fp_default_options();
    if (given && fp_take_options(given, opt, err, err_size) != 0)
        return -1;
    /* q_slow below tol_q (say a tol_q raised from the defaults): no slow points. */
    opt->q_slow = fmax(opt->q_slow, opt->tol_q);
    return 0;
}

static void fp_work_free(fp_work *w)
{
    void *blocks[] = {w->best_h, w->best_q,  w->ref_q,    w->check_q,  w->lr,       w->bad,
                      w->lm_lambda, w->h,    w->f,        w->e,        w->g,        w->m,
                      w->v,      w->q_now,   w->origin,   w->list,     w->rep,      w->unit,
                      w->jac,    w->ata,     w->lm_scale, w->trial_of, w->lm_state, w->scratch,
                      w->ipiv};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        free(blocks[i]);
}

static int fp_work_alloc(fp_work *w)
{
    size_t n = w->n, count = w->count, rows = count * n;
    w->chunk = JACOBIAN_BUDGET / (n * n) ? JACOBIAN_BUDGET / (n * n) : 1;
    size_t per_chunk = w->chunk * n * n;
    double **by_row[] = {&w->best_h, &w->h, &w->f, &w->e, &w->g, &w->m, &w->v};
    double **by_point[] = {&w->best_q, &w->ref_q, &w->check_q, &w->lr, &w->lm_lambda, &w->q_now};
    double **by_chunk[] = {&w->rep, &w->unit, &w->jac, &w->ata};
    int ok = 1;
    for (size_t i = 0; i < sizeof by_row / sizeof *by_row; i++)
        ok &= (*by_row[i] = alloc_doubles(rows)) != NULL;
    for (size_t i = 0; i < sizeof by_point / sizeof *by_point; i++)
        ok &= (*by_point[i] = alloc_doubles(count)) != NULL;
    for (size_t i = 0; i < sizeof by_chunk / sizeof *by_chunk; i++)
        ok &= (*by_chunk[i] = alloc_doubles(per_chunk)) != NULL;
    ok &= (w->bad = calloc(count, sizeof *w->bad)) != NULL;
    ok &= (w->origin = malloc(count * sizeof *w->origin)) != NULL;
    ok &= (w->list = malloc(count * sizeof *w->list)) != NULL;
    ok &= (w->lm_scale = alloc_doubles(w->chunk)) != NULL;
    ok &= (w->trial_of = malloc(w->chunk * sizeof *w->trial_of)) != NULL;
    ok &= (w->lm_state = malloc(w->chunk)) != NULL;
    ok &= (w->scratch = alloc_doubles(n * n)) != NULL;
    ok &= (w->ipiv = malloc(n * sizeof *w->ipiv)) != NULL;
    return ok ? 0 : -1;
}

/* Every point starts at its initial state, with zero moments and the full rate. */
static void fp_work_start(fp_work *w, const double *inits)
{
    size_t n = w->n, rows = w->count * n;
    memcpy(w->h, inits, rows * sizeof *w->h);
    memcpy(w->best_h, inits, rows * sizeof *w->h);
    memset(w->m, 0, rows * sizeof *w->m);
    memset(w->v, 0, rows * sizeof *w->v);
    for (size_t o = 0; o < w->count; o++) {
        w->best_q[o] = w->ref_q[o] = w->check_q[o] = INFINITY;
        w->lr[o] = w->opt.learning_rate;
        w->lm_lambda[o] = 0;
        w->origin[o] = o;
    }
    w->active = w->count;
    w->check_every = w->n > ADAM_CHECK ? w->n : ADAM_CHECK;
    memset(w->unit, 0, w->chunk * n * n * sizeof *w->unit);
    for (size_t p = 0; p < w->chunk; p++)
        for (size_t j = 0; j < n; j++)
            w->unit[(p * n + j) * n + j] = 1;
}

static int fp_check(const rt_fp_system *sys, const double *inits, size_t n_inits, char *err,
                    size_t err_size)
{
    if (!sys || !sys->step || !sys->vjp || sys->n == 0)
        return rt_error(err, err_size,
                        "fixed points: the system needs n >= 1, a step and a vjp callback");
    if (n_inits == 0)
        return rt_error(err, err_size, "fixed points: no initial states");
    if (!rt_lapack_fits(sys->n) || !product_fits(n_inits, sys->n) ||
        !product_fits(sys->n, sys->n))
        return rt_error(err, err_size, "fixed points: %zu initial states of %zu is too many",
                        n_inits, sys->n);
    size_t bad = first_non_finite(inits, n_inits * sys->n);
    if (bad < n_inits * sys->n)
        return rt_error(err, err_size, "fixed points: inits[%zu][%zu] is not finite (%g)",
                        bad / sys->n, bad % sys->n, inits[bad]);
    return 0;
}

/* Adam, Newton, selection, linearisation (see rt_analysis.h). */
static int fp_run(fp_work *w, const double *inits, rt_fp_result *out)
{
    if (fp_adam(w) != 0 || fp_polish_all(w) != 0)
        return -1;
    fp_candidate *cand = malloc(w->count * sizeof *cand);
    double *centroid = alloc_doubles(w->n);
    int rc = -1;
    if (!cand || !centroid) {
        rt_error(w->err, w->err_size, "fixed points: out of memory");
    } else {
        size_t kept = fp_filter(w, inits, centroid, cand, out);
        kept = fp_unique(w, cand, kept, out);
        rc = fp_polish_kept(w, cand, kept);
        if (rc == 0) {
            kept = fp_unique(w, cand, kept, out); /* polishing may have moved points together */
            qsort(cand, kept, sizeof *cand, compare_for_output);
            rc = fp_output(w, cand, kept, out);
        }
    }
    free(cand);
    free(centroid);
    return rc;
}

int rt_find_fixed_points(const rt_fp_system *sys, const double *inits, size_t n_inits,
                         const rt_fp_options *opt, rt_fp_result *out, char *err,
                         size_t err_size)
{
    *out = (rt_fp_result){0};
    fp_work w = {.sys = sys, .err = err, .err_size = err_size};
    if (fp_check(sys, inits, n_inits, err, err_size) != 0 ||
        fp_options(opt, &w.opt, err, err_size) != 0)
        return -1;
    w.n = sys->n;
    w.count = n_inits;
    int rc = fp_work_alloc(&w);
    if (rc != 0)
        rt_error(err, err_size, "fixed points: out of memory");
    if (rc == 0) {
        fp_work_start(&w, inits);
        out->n = w.n;
        out->n_inits = n_inits;
        rc = fp_run(&w, inits, out);
        out->iterations = w.iterations;
    }
    fp_work_free(&w);
    if (rc != 0)
        rt_fp_free(out);
    return rc;
}

void rt_fp_free(rt_fp_result *out)
{
    free(out->points);
    free(out->q);
    free(out->is_fixed);
    free(out->eig_re);
    free(out->eig_im);
    free(out->n_unstable);
    free(out->stable);
    *out = (rt_fp_result){0};
}
