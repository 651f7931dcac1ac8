/* rt_analysis.h -- analysing a trained network: eigenvalues and what they
 * mean for a discrete-time map, PCA of trajectories, how far apart clusters
 * of states lie, and fixed and slow points. rt_analysis.c holds the first
 * three, rt_fixed_points.c the last.
 *
 * All in double precision, through OpenBLAS and its LAPACK. Every fallible
 * function returns 0 on success or -1 with a message in ERR (size ERR_SIZE;
 * ERR may be NULL): bad arguments, out of memory, a LAPACK failure, a
 * callback failure. Results are deterministic, bit for bit, whatever
 * OpenBLAS's thread count: no random numbers, every reduction runs in a
 * fixed order (OpenBLAS splits SYRK and GEMM over output blocks, so their
 * sums do not depend on threads), and LAPACK's eigensolvers and solvers,
 * whose threaded level-2 kernels add per-thread partial sums, run with
 * OpenBLAS switched to one thread and back. That switch is
 * process-wide: do not call these functions while another thread is inside
 * OpenBLAS. test_analysis checks rt_eigen and rt_pca on 1 and 2 threads.
 * rt_find_fixed_points is as deterministic as its callbacks: one that calls
 * a threaded GEMM may round differently with the thread count or with the
 * number of points per call, and the points found then differ in the last
 * bits (or, rarely, in which duplicate is kept).
 *
 * Matrices are row-major: element (i, j) of an R x C matrix is at [i * C + j].
 */
#ifndef RNNRT_ANALYSIS_H
#define RNNRT_ANALYSIS_H

#include <signal.h>
#include <stddef.h>

/* ---- Eigenvalues ---- */

/* The eigenvalues of the general real N x N matrix A (not modified), into
 * RE[N] and IM[N], by LAPACK dgeev. Sorted by |lambda| descending; equal
 * moduli by Re descending, then Im descending, so a complex-conjugate pair
 * comes as (a + bi, a - bi) with b > 0 first. N = 0 is allowed (nothing to
 * do). A non-finite entry is an error. */
int rt_eigen(const double *a, size_t n, double *re, double *im, char *err, size_t err_size);

/* What the spectrum of a discrete-time map h[t+1] = A h[t] says, one step
 * being DT_SECONDS long. For an eigenvalue lambda = r e^{i theta} one step
 * multiplies the mode by r and advances its phase by theta radians, so the
 * mode oscillates at |theta| / (2 pi) cycles per step: the "angle" frequency,
 * exact, in [0, 1/2] (1/2 = a negative real eigenvalue, flipping sign every
 * step).
 *
 * The "tan" frequency |Im lambda| / (2 pi |Re lambda|) = |tan theta| / (2 pi)
 * is the small-angle form of the same thing (tan theta ~ theta), the
 * project's definition of Jarne's "frequency" of the dominant eigenvalue
 * (Jarne 2024, 3-bit flip-flop tutorial; see shared/reference/tasks.md 1.3:
 * her code divides by pi, not 2 pi, and takes the eigenvalue of largest
 * |Re|, not of largest |lambda|). It agrees with the angle frequency to 1%
 * for |theta| < 0.17 rad and grows without bound as theta -> pi/2. Edge
 * cases: Im = 0 gives 0 (as her code), also for a negative real eigenvalue;
 * Re = 0 with Im != 0 gives INFINITY (theta = pi/2 exactly). */
/* An orthogonal matrix stored in float32 has eigenvalues 1 +- 1e-7: on
 * the circle, not outside it. Counting |lambda| > 1 + 1e-6 as outside keeps
 * such rounding from reporting dozens of growing modes. */
#define RT_UNIT_CIRCLE_TOLERANCE 1e-6

typedef struct rt_spectrum_summary {
    double radius;                      /* spectral radius, max |lambda| */
    double dominant_re, dominant_im;    /* the eigenvalue of largest |lambda|, ties broken as
                                           in rt_eigen, so Im >= 0 for a conjugate pair */
    size_t n_outside_unit;              /* eigenvalues with |lambda| > 1 + RT_UNIT_CIRCLE_TOLERANCE:
                                           growing modes */
    double freq_tan_per_step;           /* dominant: |Im| / (2 pi |Re|), cycles per step */
    double freq_tan_hz;                 /* freq_tan_per_step / dt_seconds */
    double freq_angle_per_step;         /* dominant: |arg lambda| / (2 pi), cycles per step */
    double freq_angle_hz;               /* freq_angle_per_step / dt_seconds */
} rt_spectrum_summary;

/* Summarises N eigenvalues (in any order). DT_SECONDS must be > 0 for the Hz
 * fields; otherwise they are NaN. N = 0 gives all zeros. */
void rt_spectrum_summarise(const double *re, const double *im, size_t n, double dt_seconds,
                           rt_spectrum_summary *out);

/* ---- PCA and truncated SVD ---- */

/* The top K principal axes of X (ROWS samples x COLS features), as
 * sklearn's PCA (CENTER = 1) or TruncatedSVD (CENTER = 0, no centring).
 *
 * Method: G = Xc^T Xc, Xc = X minus MEAN (or X itself when CENTER = 0),
 * summed with dsyrk over blocks of rows (so no centred copy of X is ever
 * held), then its top K eigenpairs by dsyevr. Cost ~ ROWS COLS^2 / 2 flops:
 * under a second for 30000 x 1000. G's eigenvalues are the squared
 * singular values of Xc, so for every k:
 *   singular[k]        = sqrt(lambda_k(G))            (sklearn singular_values_)
 *   variance[k]        = lambda_k(G) / (ROWS - 1)     (PCA: sklearn explained_variance_)
 *   explained_ratio[k] = lambda_k(G) / trace(G)
 * trace(G) is the total variance times ROWS - 1 with centring, the total sum
 * of squares without. (sklearn's TruncatedSVD instead divides the variance
 * of each projection by the summed variance of the columns; on uncentred
 * data with an offset its ratios differ from these.) Ratios are 0 when
 * trace(G) = 0 (constant data).
 *
 * Each component's sign is chosen so its entry of largest |.| (the first
 * such) is positive. Components of equal variance are not unique; any
 * orthonormal basis of their span may come back. */
typedef struct rt_pca_result {
    size_t rows, cols, k;
    double *mean;            /* [cols]: column means; zeros when CENTER = 0 */
    double *components;      /* [k][cols]: orthonormal rows, largest variance first */
    double *variance;        /* [k]: lambda_k(G) / (rows - 1) */
    double *singular;        /* [k]: sqrt(lambda_k(G)) */
    double *explained_ratio; /* [k]: lambda_k(G) / trace(G) */
    double total_variance;   /* trace(G) / (rows - 1) */
    double *projections;     /* [rows][k]: (x - mean) . component */
} rt_pca_result;

/* Fills OUT (every pointer malloc'd; all NULL after a failure). Needs
 * ROWS >= 2 and 1 <= K <= COLS, and finite X. */
int rt_pca(const double *x, size_t rows, size_t cols, size_t k, int center, rt_pca_result *out,
           char *err, size_t err_size);

/* Frees what rt_pca allocated and zeroes OUT; safe on a zeroed struct. */
void rt_pca_free(rt_pca_result *out);

/* ---- Cluster separation ---- */

/* Points grouped by label, e.g. the flip-flop's 8 memory states in PCA
 * space: well-separated clusters have min_centroid_distance much larger
 * than max_spread. */
typedef struct rt_cluster_stats_result {
    size_t n_labels, dim;
    size_t *count;                /* [n_labels]: points with each label */
    double *centroid;             /* [n_labels][dim]: mean point; zeros for an empty label */
    double *spread;               /* [n_labels]: RMS distance to the centroid; 0 if empty */
    size_t n_nonempty;            /* labels with at least one point */
    double min_centroid_distance; /* over pairs of non-empty labels; INFINITY if < 2 */
    size_t closest_a, closest_b;  /* that pair (a < b); both 0 if there is none */
    double max_spread;            /* over all labels */
} rt_cluster_stats_result;

/* POINTS is ROWS x DIM; LABELS[ROWS] are in [0, N_LABELS) or -1 (the row is
 * ignored); any other label is an error. Needs DIM >= 1 and N_LABELS >= 1. */
int rt_cluster_stats(const double *points, size_t rows, size_t dim, const int *labels,
                     size_t n_labels, rt_cluster_stats_result *out, char *err, size_t err_size);

/* Frees what rt_cluster_stats allocated and zeroes OUT. */
void rt_cluster_stats_free(rt_cluster_stats_result *out);

/* ---- Fixed and slow points ----
 *
 * Sussillo & Barak 2013 (Neural Comput. 25:626): the points where the speed
 * q(h) = 1/2 |F(h) - h|^2 of the map h -> F(h) is zero (fixed points) or
 * small (slow points), found by minimising q from many initial states, then
 * linearised. As FixedPointFinder (Golub & Sussillo 2018, JOSS 3:1003),
 * with a second-order stage added:
 *
 *  1. Adam on all initial states together: one batched step and one batched
 *     vjp call per iteration, over the points still running. The gradient is
 *     exact: grad q = (J - I)^T e with e = F(h) - h, i.e. vjp(h, e) - e.
 *     Each point has its own Adam moments and learning rate, cut by 0.95
 *     after 3 iterations without a new best q (PyTorch's ReduceLROnPlateau
 *     as FixedPointFinder's PyTorch back end sets it), so a point's result
 *     does not depend on the other initial states. A point leaves Adam at
 *     q <= tol_q, when its best q has not halved over the last max(100, n)
 *     iterations (gradient steps crawl where J - I is near singular), or at
 *     max_iters; it keeps the best state it visited.
 *  2. Damped Newton (Levenberg-Marquardt) for every point with q > tol_q:
 *     J built row by row from vjp calls with unit vectors (one call for many
 *     points), A = J - I, the step -A^-1 e (dgesv) or, when that does not
 *     lower q, -(A^T A + lambda I)^-1 A^T e with growing lambda (dposv), so
 *     a step is taken only if q decreases. Rounds go on while q falls by 20%
 *     a round (0.1% at or below q_slow), for newton_steps rounds at most. A
 *     slow point, a minimum of q above 0, is left where no step lowers q.
 *  3. Points with q > q_slow (or not finite) are dropped; so are distance
 *     outliers: farther from the centroid of the initial states than
 *     outlier_scale times the initial states' RMS distance to it
 *     (FixedPointFinder divides by the mean distance instead; skipped when
 *     that RMS distance is 0).
 *  4. De-duplication: in order of increasing q, a point within tol_unique
 *     (Euclidean norm) of one already kept is a duplicate (FixedPointFinder
 *     compares each coordinate with tol_unique instead).
 *  5. Kept fixed points get more Newton rounds, to q <= 1e-16 tol_q, so
 *     they are exact to about the precision of F rather than to
 *     sqrt(2 tol_q) / |1 - lambda| (then de-duplicated again: with a loose
 *     tol_q polishing can bring points together). Then each kept point's
 *     Jacobian and its eigenvalues (rt_eigen): stable when max |lambda| < 1,
 *     the discrete-time criterion.
 *
 * Cost: an Adam iteration is one step and one vjp row per running point; a
 * Newton round or a Jacobian is n vjp rows per point plus O(n^3) flops.
 * With n = 100 and 1024 initial states: 0.02 to 0.05 s for the 2-D and 3-D
 * tanh grids of test_analysis, 2.5 to 5 s for dense random tanh networks
 * (most of it in the callbacks, plain cblas_dgemm here). */

typedef struct rt_fp_system {
    size_t n;  /* state dimension */
    void *ctx; /* passed to the callbacks */
    /* F for COUNT points: h[count][n] -> f[count][n]; returns 0, or -1 to abort. */
    int (*step)(void *ctx, size_t count, const double *h, double *f);
    /* Vector-Jacobian products for COUNT points: out_i = J(h_i)^T v_i, J = dF/dh,
     * all [count][n]; returns 0, or -1 to abort. */
    int (*vjp)(void *ctx, size_t count, const double *h, const double *v, double *out);
} rt_fp_system;

/* A zero field means its default; a negative or NaN one is an error. */
typedef struct rt_fp_options {
    double tol_q;         /* a fixed point has q <= tol_q; default 1e-12 (FixedPointFinder) */
    double tol_unique;    /* duplicates lie closer than this; default 1e-3 (FixedPointFinder) */
    size_t max_iters;     /* Adam iterations at most; default 5000 (FixedPointFinder) */
    double learning_rate; /* Adam's initial step, in state units; default 0.1 */
    double outlier_scale; /* default 10 (FixedPointFinder); INFINITY keeps all points */
    double q_slow;        /* slow points have tol_q < q <= q_slow; default 1e-6, a speed of
                             1.4e-3 state units per step; any q_slow <= tol_q keeps fixed
                             points only */
    unsigned newton_steps; /* damped Newton rounds at most, per stage; default 20 */
    volatile sig_atomic_t *stop; /* NULL, or polled every iteration and Newton round: when
                                    set, the search ends with the error "interrupted" */
} rt_fp_options;

/* The defaults above. */
rt_fp_options rt_fp_default_options(void);

/* COUNT unique points. Fixed points (q <= tol_q) come first, in lexicographic
 * order of their coordinates, then slow points by increasing q. Every
 * initial state ends in exactly one of: a kept point, n_dropped_q,
 * n_outliers, n_duplicates. */
typedef struct rt_fp_result {
    size_t n, count;
    double *points;              /* [count][n] */
    double *q;                   /* [count]: 1/2 |F(h) - h|^2 */
    unsigned char *is_fixed;     /* [count]: q <= tol_q (else a slow point) */
    double *eig_re, *eig_im;     /* [count][n]: eigenvalues of J = dF/dh, as rt_eigen sorts */
    size_t *n_unstable;          /* [count]: eigenvalues with |lambda| > 1 */
    unsigned char *stable;       /* [count]: max |lambda| < 1 */
    size_t n_inits;
    size_t n_converged;          /* initial states that reached q <= tol_q */
    size_t n_dropped_q;          /* ended with q > q_slow, or q not finite */
    size_t n_outliers;           /* dropped as distance outliers */
    size_t n_duplicates;         /* within tol_unique of a kept point of lower q */
    size_t iterations;           /* Adam iterations run */
} rt_fp_result;

/* Minimises q from the N_INITS initial states INITS[n_inits][sys->n]. OPT
 * may be NULL (all defaults). OUT is filled (malloc'd arrays; all NULL after
 * a failure). */
int rt_find_fixed_points(const rt_fp_system *sys, const double *inits, size_t n_inits,
                         const rt_fp_options *opt, rt_fp_result *out, char *err,
                         size_t err_size);

/* Frees what rt_find_fixed_points allocated and zeroes OUT. */
void rt_fp_free(rt_fp_result *out);

/* ---- Psychometric curve (rt_analysis_psychometric.c) ----
 *
 * A decision task's trials grouped by their condition value (a signed
 * coherence, say): per value, how many trials, their accuracy and the
 * fraction that chose the "right" option (rt_accuracy.h says what a
 * choice is per accuracy kind), and a maximum-likelihood logistic curve of
 * the choice against the value. */

typedef struct rt_psychometric_row {
    double value;                   /* the condition value */
    size_t trials;                  /* trials with a choice at this value */
    double accuracy;                /* their correct units over their counted units; NAN when none counted */
    double choice;                  /* the fraction of them whose choice is 1 */
} rt_psychometric_row;

/* The rows of the N trial outcomes T whose condition is non-zero and
 * whose window is not empty (choice >= 0), in increasing order of value,
 * into ROWS (room for RT_PSYCHOMETRIC_MAX_ROWS), their count in *N_ROWS.
 * More distinct values than that is an error. */
enum { RT_PSYCHOMETRIC_MAX_ROWS = 64 };
struct rt_trial_accuracy;
int rt_psychometric_rows(const struct rt_trial_accuracy *t, size_t n, rt_psychometric_row *rows, size_t *n_rows,
                         char *err, size_t err_size);

typedef enum rt_fit_status {
    RT_FIT_CONVERGED,               /* Newton's steps converged to the maximum */
    RT_FIT_NOT_CONVERGED,           /* they did not, in RT_LOGISTIC_MAX_ITERATIONS */
    RT_FIT_SEPARABLE,               /* the choices are separated by a value: no finite maximum */
    RT_FIT_ONE_CHOICE,              /* every trial chose alike: no curve to fit */
    RT_FIT_ONE_CONDITION,           /* one condition value: no slope to fit */
    RT_FIT_FLAT,                    /* the maximum has slope 0: the choice ignores the value */
} rt_fit_status;

enum { RT_LOGISTIC_MAX_ITERATIONS = 100 };

typedef struct rt_logistic_fit {
    rt_fit_status status;
    double mu, s;                   /* P(x) = 1 / (1 + exp(-(x - mu) / s)); NAN unless CONVERGED */
    double gap_lo, gap_hi;          /* SEPARABLE: the values between which the choice switches */
    double log_likelihood;          /* at the fit (CONVERGED, NOT_CONVERGED); NAN otherwise */
    size_t iterations;
} rt_logistic_fit;

/* "converged", "not converged", "separable", ... for the summary. */
const char *rt_fit_status_name(rt_fit_status s);

/* The maximum-likelihood logistic fit of choices to values: at X[i], K[i]
 * of N[i] trials chose 1 (binomial counts, M points, N[i] > 0). */
void rt_logistic_fit_choices(const double *x, const double *k, const double *n, size_t m, rt_logistic_fit *fit);

#endif
