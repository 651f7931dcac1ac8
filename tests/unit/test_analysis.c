/* test_analysis.c -- eigenvalues, PCA, cluster separation and fixed points
 * (rt_analysis.h) against answers known in closed form.
 *
 * Matrices with a known spectrum are built as S D S^-1 with D block
 * diagonal and S^-1 known exactly, so the expected eigenvalues are D's, not
 * another solver's. PCA runs on data whose principal axes are chosen (a
 * rational rotation), either exactly (symmetric points: the sample
 * covariance is known in closed form) or statistically (normal draws from
 * rt_rng with fixed seeds, tolerances of 5 standard errors). Fixed points
 * are checked on systems whose fixed points are known independently of the
 * finder: linear maps (h* chosen first, b derived from it), tanh(w h)
 * (roots found here by bisection), and a saddle-node ghost (a slow point);
 * on a coupled tanh network, whose fixed points are not known, what is
 * found is checked for consistency (q and the Jacobian's eigenvalues
 * recomputed here).
 */
#include <stdint.h>
#include <stdlib.h>

#include <cblas.h>

#include "check.h"
#include "rt_analysis.h"
#include "rt_rng.h"

static const double pi = 3.14159265358979323846;

/* ---- helpers ---- */

/* C = A B, all N x N row-major. */
static void matmul(const double *a, const double *b, double *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < n; k++)
                s += a[i * n + k] * b[k * n + j];
            c[i * n + j] = s;
        }
}

/* The 3 x 3 rotation of the quaternion (4, 2, 1, 0), (1/21) [[19, 4, 8],
 * [4, 13, -16], [-8, 16, 11]]: rational and orthogonal (each row has norm
 * 441 / 441), its rows are the principal axes used below. Each row's
 * largest |entry| is unique; row 1's is negative. */
static const double rotation3[3][3] = {{19 / 21.0, 4 / 21.0, 8 / 21.0},
                                       {4 / 21.0, 13 / 21.0, -16 / 21.0},
                                       {-8 / 21.0, 16 / 21.0, 11 / 21.0}};

/* A = S Q D Q S^-1 for N x N D, with Q = I - 2 v v^T / (v.v) (a Householder
 * reflection, its own inverse) and S = I + u e_0^T, u_0 = 0 (so S^-1 =
 * I - u e_0^T exactly): a non-normal matrix with D's eigenvalues. */
static void similar_matrix(const double *d, size_t n, double *a)
{
    double q[36], s[36], s_inv[36], t1[36], t2[36], vv = 0;
    for (size_t i = 0; i < n; i++)
        vv += (double)((i + 1) * (i + 1));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double u_i = i == 0 ? 0 : 0.3 * (double)i - 0.5, id = i == j;
            q[i * n + j] = id - 2.0 * (double)((i + 1) * (j + 1)) / vv;
            s[i * n + j] = id + (j == 0 ? u_i : 0);
            s_inv[i * n + j] = id - (j == 0 ? u_i : 0);
        }
    matmul(s, q, t1, n);
    matmul(t1, d, t2, n);
    matmul(t2, q, t1, n);
    matmul(t1, s_inv, a, n);
}

/* R [[cos t, -sin t], [sin t, cos t]] at rows and columns (AT, AT + 1) of
 * the N x N matrix D: eigenvalues r e^{+-i t}. */
static void rotation_block(double *d, size_t n, size_t at, double r, double t)
{
    d[at * n + at] = r * cos(t);
    d[at * n + at + 1] = -r * sin(t);
    d[(at + 1) * n + at] = r * sin(t);
    d[(at + 1) * n + at + 1] = r * cos(t);
}

static int eigen_near(const double *re, const double *im, const double *want_re,
                      const double *want_im, size_t n, double tol)
{
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        ok &= fabs(re[i] - want_re[i]) <= tol && fabs(im[i] - want_im[i]) <= tol;
    return ok;
}

/* ---- eigenvalues ---- */

/* D = diag(1.5, rotation 0.9 e^{+-0.3i}, -0.5, 0.2): sorted by modulus the
 * spectrum is 1.5, then the pair (+Im first), -0.5, 0.2. The dominant
 * eigenvalue is real, so both frequencies are 0, and only 1.5 lies outside
 * the unit circle. */
static void test_eigen_similarity(void)
{
    enum { N = 5 };
    double d[N * N] = {0}, a[N * N], re[N], im[N];
    d[0] = 1.5;
    rotation_block(d, N, 1, 0.9, 0.3);
    d[3 * N + 3] = -0.5;
    d[4 * N + 4] = 0.2;
    similar_matrix(d, N, a);
    double a_before[N * N];
    memcpy(a_before, a, sizeof a);
    CHECK(rt_eigen(a, N, re, im, NULL, 0) == 0);
    CHECK(memcmp(a, a_before, sizeof a) == 0); /* A is not modified */
    double c = 0.9 * cos(0.3), s = 0.9 * sin(0.3);
    double want_re[N] = {1.5, c, c, -0.5, 0.2}, want_im[N] = {0, s, -s, 0, 0};
    CHECK(eigen_near(re, im, want_re, want_im, N, 1e-12));
    rt_spectrum_summary sum;
    rt_spectrum_summarise(re, im, N, 0.001, &sum);
    CHECK_NEAR(sum.radius, 1.5, 1e-12);
    CHECK(sum.n_outside_unit == 1);
    CHECK(sum.freq_tan_per_step == 0 && sum.freq_angle_per_step == 0);
}

/* D = diag(rotation 1.1 e^{+-0.3i}, 0.5, -0.2, 0.95): the dominant
 * eigenvalue is 1.1 e^{0.3i}. One step turns its mode by 0.3 rad, so it
 * oscillates at 0.3 / (2 pi) cycles per step; the small-angle form gives
 * Im / (2 pi Re) = tan(0.3) / (2 pi), 3% higher. With dt = 1 ms, Hz =
 * 1000 x per step. Both halves of the pair are outside the unit circle. */
static void test_spectrum_frequencies(void)
{
    enum { N = 5 };
    double d[N * N] = {0}, a[N * N], re[N], im[N];
    rotation_block(d, N, 0, 1.1, 0.3);
    d[2 * N + 2] = 0.5;
    d[3 * N + 3] = -0.2;
    d[4 * N + 4] = 0.95;
    similar_matrix(d, N, a);
    CHECK(rt_eigen(a, N, re, im, NULL, 0) == 0);
    rt_spectrum_summary sum;
    rt_spectrum_summarise(re, im, N, 0.001, &sum);
    CHECK_NEAR(sum.radius, 1.1, 1e-12);
    CHECK_NEAR(sum.dominant_re, 1.1 * cos(0.3), 1e-12);
    CHECK_NEAR(sum.dominant_im, 1.1 * sin(0.3), 1e-12); /* the +Im half */
    CHECK(sum.n_outside_unit == 2);
    CHECK_NEAR(sum.freq_angle_per_step, 0.3 / (2 * pi), 1e-12);
    /* float32 rounding of an orthogonal matrix moves |lambda| by ~1e-7: still on the circle */
    double on_re[2] = {1 + 2e-7, -(1 - 3e-7)}, on_im[2] = {0, 0};
    rt_spectrum_summary on;
    rt_spectrum_summarise(on_re, on_im, 2, 0.001, &on);
    CHECK(on.n_outside_unit == 0);
    CHECK_NEAR(sum.freq_angle_hz, 1000 * 0.3 / (2 * pi), 1e-9);
    CHECK_NEAR(sum.freq_tan_per_step, tan(0.3) / (2 * pi), 1e-12);
    CHECK_NEAR(sum.freq_tan_hz, 1000 * tan(0.3) / (2 * pi), 1e-9);
    /* Order of the input does not matter; an invalid dt gives NaN Hz. */
    double rev_re[N], rev_im[N];
    for (int i = 0; i < N; i++) {
        rev_re[i] = re[N - 1 - i];
        rev_im[i] = im[N - 1 - i];
    }
    rt_spectrum_summary again;
    rt_spectrum_summarise(rev_re, rev_im, N, 0, &again);
    CHECK(again.dominant_re == sum.dominant_re && again.dominant_im == sum.dominant_im);
    CHECK(isnan(again.freq_angle_hz) && isnan(again.freq_tan_hz));
}

/* Edge cases of the frequencies: lambda = -0.9 (theta = pi) turns by half
 * a cycle per step, while the tan form, 0 for a real eigenvalue, says 0;
 * lambda = +-2i (theta = pi/2) is a quarter cycle per step, and tan is
 * infinite there. */
static void test_spectrum_edge_cases(void)
{
    double re1[] = {-0.9, 0.1}, im1[] = {0, 0};
    rt_spectrum_summary s;
    rt_spectrum_summarise(re1, im1, 2, 0.01, &s);
    CHECK_NEAR(s.freq_angle_per_step, 0.5, 1e-15);
    CHECK_NEAR(s.freq_angle_hz, 50, 1e-12);
    CHECK(s.freq_tan_per_step == 0);
    double re2[] = {0, 0}, im2[] = {-2, 2};
    rt_spectrum_summarise(re2, im2, 2, 1, &s);
    CHECK(s.dominant_im == 2);
    CHECK_NEAR(s.freq_angle_per_step, 0.25, 1e-15);
    CHECK(isinf(s.freq_tan_per_step));
    rt_spectrum_summarise(re2, im2, 0, 1, &s);
    CHECK(s.radius == 0 && s.n_outside_unit == 0);
}

/* Ties in modulus. diag(-2, 2) is already triangular, so dgeev returns its
 * eigenvalues exactly and they tie at modulus 2: Re descending puts 2
 * first. The halves of a conjugate pair (here +-i from [[0, -1], [1, 0]])
 * always tie exactly: Im descending puts +i first. */
static void test_eigen_ties(void)
{
    enum { N = 5 };
    double a[N * N] = {0}, re[N], im[N];
    a[0] = -2;
    a[1 * N + 1] = 2;
    a[2 * N + 3] = -1;
    a[3 * N + 2] = 1;
    a[4 * N + 4] = 0.5;
    CHECK(rt_eigen(a, N, re, im, NULL, 0) == 0);
    double want_re[N] = {2, -2, 0, 0, 0.5}, want_im[N] = {0, 0, 1, -1, 0};
    CHECK(eigen_near(re, im, want_re, want_im, N, 1e-15));
}

/* A 200 x 200 random matrix's eigenvalues, on one OpenBLAS thread and on
 * two: the same bits (rt_analysis.h: LAPACK runs on one thread). */
static void test_eigen_thread_independent(void)
{
    enum { N = 200 };
    double *a = malloc(N * N * sizeof *a), *e = malloc(4 * N * sizeof *e);
    for (size_t i = 0; i < N * N; i++)
        a[i] = rt_rng_normal(5, 1, i) / 14;
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    CHECK(rt_eigen(a, N, e, e + N, NULL, 0) == 0);
    openblas_set_num_threads(2);
    CHECK(rt_eigen(a, N, e + 2 * N, e + 3 * N, NULL, 0) == 0);
    CHECK(openblas_get_num_threads() == 2); /* restored */
    openblas_set_num_threads(threads);
    CHECK(memcmp(e, e + 2 * N, 2 * N * sizeof *e) == 0);
    free(a);
    free(e);
}

/* The companion matrix of p(x) = (x - 2)(x + 0.8)(x - 0.5)(x^2 - 1.2x +
 * 0.72) has p's roots as eigenvalues: 2, 0.6 +- 0.6i (modulus 0.849), -0.8,
 * 0.5, in that order. Coefficients are multiplied out here. */
static void test_eigen_companion(void)
{
    enum { N = 5 };
    double factors[4][3] = {{1, -2, 0}, {1, 0.8, 0}, {1, -0.5, 0}, {1, -1.2, 0.72}};
    double coef[N + 1] = {1}; /* coef[i]: x^(N - i); built by multiplying the factors */
    size_t degree = 0;
    for (int f = 0; f < 4; f++) {
        size_t fd = f == 3 ? 2 : 1;
        double next[N + 1] = {0};
        for (size_t i = 0; i <= degree; i++)
            for (size_t j = 0; j <= fd; j++)
                next[i + j] += coef[i] * factors[f][j];
        degree += fd;
        memcpy(coef, next, sizeof coef);
    }
    double a[N * N] = {0}, re[N], im[N];
    for (size_t j = 0; j < N; j++)
        a[j] = -coef[j + 1]; /* first row: -c_{N-1} ... -c_0 */
    for (size_t i = 1; i < N; i++)
        a[i * N + i - 1] = 1;
    CHECK(rt_eigen(a, N, re, im, NULL, 0) == 0);
    double want_re[N] = {2, 0.6, 0.6, -0.8, 0.5}, want_im[N] = {0, 0.6, -0.6, 0, 0};
    CHECK(eigen_near(re, im, want_re, want_im, N, 1e-10));
}

static void test_eigen_errors(void)
{
    char err[256] = "";
    double a[4] = {1, 2, NAN, 4}, re[2], im[2];
    CHECK(rt_eigen(a, 2, re, im, err, sizeof err) == -1);
    CHECK(strstr(err, "(1, 0) is not finite") != NULL);
    CHECK(rt_eigen(a, 0, re, im, err, sizeof err) == 0); /* nothing to do */
}

/* ---- PCA and truncated SVD ---- */

/* Six points mu +- a_i q_i (q_i = rotation3's rows, a = 3, 2, 1): the
 * mean is mu, the centred Gram matrix is exactly sum 2 a_i^2 q_i q_i^T, so
 * its eigenvalues are 18, 8, 2 (variance / 5 with 6 rows, ratios / 28) and
 * its eigenvectors q_i. Sign rule: q_1's largest entry is -16/21, so the
 * second component is -q_1 and its projections flip. */
static void test_pca_exact(void)
{
    enum { ROWS = 6, COLS = 3 };
    const double mu[COLS] = {1.5, -2, 0.25}, amp[COLS] = {3, 2, 1};
    double x[ROWS * COLS];
    for (int i = 0; i < COLS; i++)
        for (int c = 0; c < COLS; c++) {
            x[(2 * i) * COLS + c] = mu[c] + amp[i] * rotation3[i][c];
            x[(2 * i + 1) * COLS + c] = mu[c] - amp[i] * rotation3[i][c];
        }
    const double sign[COLS] = {1, -1, 1}, lambda[COLS] = {18, 8, 2};
    for (size_t k = 2; k <= 3; k++) {
        rt_pca_result r;
        CHECK(rt_pca(x, ROWS, COLS, k, 1, &r, NULL, 0) == 0);
        int ok = r.k == k;
        for (size_t c = 0; c < COLS; c++)
            ok &= fabs(r.mean[c] - mu[c]) <= 1e-12;
        for (size_t i = 0; i < k; i++) {
            ok &= fabs(r.variance[i] - lambda[i] / 5) <= 1e-12;
            ok &= fabs(r.singular[i] - sqrt(lambda[i])) <= 1e-12;
            ok &= fabs(r.explained_ratio[i] - lambda[i] / 28) <= 1e-12;
            for (size_t c = 0; c < COLS; c++)
                ok &= fabs(r.components[i * COLS + c] - sign[i] * rotation3[i][c]) <= 1e-12;
            for (size_t row = 0; row < ROWS; row++) {
                double want = row / 2 == i ? sign[i] * amp[i] * (row % 2 ? -1 : 1) : 0;
                ok &= fabs(r.projections[row * k + i] - want) <= 1e-12;
            }
        }
        CHECK(ok);
        CHECK_NEAR(r.total_variance, 28.0 / 5, 1e-12);
        rt_pca_free(&r);
        CHECK(r.mean == NULL && r.projections == NULL);
    }
}

/* x_r = mu + sum_i s_i z_ri q_i in 5 dimensions, q_i the rows of a
 * Householder reflection, s = 3, 2, 1, 0.5, 0.25, z ~ N(0, 1), 200000
 * rows. The sample axes scatter around the true ones: component i's error
 * has E|d_i|^2 = (1/N) sum_{j != i} l_i l_j / (l_i - l_j)^2 (Anderson 1963),
 * at most 1.97 / N here (i = 1), an RMS error of 0.0031, so 0.016 is 5 of
 * them. A sample variance has relative standard error sqrt(2 / N) = 0.0032,
 * so ratios are checked to 2% (relative); each mean coordinate has standard
 * error at most sqrt(14.3 / N) = 0.0085. Exact identities hold regardless:
 * orthonormal components, projections = (x - mean).component, and each
 * projection's sample variance = variance[i]. */
static void test_pca_statistical(void)
{
    enum { ROWS = 200000, COLS = 5 };
    const double s[COLS] = {3, 2, 1, 0.5, 0.25}, mu[COLS] = {1, -2, 3, 0, 5};
    double q[COLS * COLS], vv = 0;
    for (int i = 0; i < COLS; i++)
        vv += (i + 1.0) * (i + 1.0);
    for (int i = 0; i < COLS; i++)
        for (int j = 0; j < COLS; j++)
            q[i * COLS + j] = (i == j) - 2.0 * (i + 1) * (j + 1) / vv;
    double *x = malloc((size_t)ROWS * COLS * sizeof *x);
    for (size_t r = 0; r < ROWS; r++) {
        double z[COLS];
        for (int i = 0; i < COLS; i++)
            z[i] = rt_rng_normal(7, (uint64_t)i, r);
        for (int c = 0; c < COLS; c++) {
            x[r * COLS + c] = mu[c];
            for (int i = 0; i < COLS; i++)
                x[r * COLS + c] += s[i] * z[i] * q[i * COLS + c];
        }
    }
    rt_pca_result r;
    CHECK(rt_pca(x, ROWS, COLS, COLS, 1, &r, NULL, 0) == 0);
    double total = 0;
    for (int i = 0; i < COLS; i++)
        total += s[i] * s[i];
    int axes = 1, ratios = 1, means = 1, orthonormal = 1, projections = 1, variances = 1;
    for (int i = 0; i < COLS; i++) {
        double dot = 0, err2 = 0, proj_sq = 0;
        for (int c = 0; c < COLS; c++)
            dot += r.components[i * COLS + c] * q[i * COLS + c];
        for (int c = 0; c < COLS; c++) {
            double d = r.components[i * COLS + c] - (dot < 0 ? -1 : 1) * q[i * COLS + c];
            err2 += d * d;
        }
        axes &= sqrt(err2) <= 0.016;
        ratios &= fabs(r.explained_ratio[i] / (s[i] * s[i] / total) - 1) <= 0.02;
        means &= fabs(r.mean[i] - mu[i]) <= 5 * 0.0085;
        for (int j = 0; j < COLS; j++) {
            double g = 0;
            for (int c = 0; c < COLS; c++)
                g += r.components[i * COLS + c] * r.components[j * COLS + c];
            orthonormal &= fabs(g - (i == j)) <= 1e-12;
        }
        for (size_t row = 0; row < ROWS; row++) {
            double p = 0;
            for (int c = 0; c < COLS; c++)
                p += (x[row * COLS + c] - r.mean[c]) * r.components[i * COLS + c];
            projections &= fabs(r.projections[row * COLS + i] - p) <= 1e-10;
            proj_sq += r.projections[row * COLS + i] * r.projections[row * COLS + i];
        }
        variances &= fabs(proj_sq / (ROWS - 1) / r.variance[i] - 1) <= 1e-9;
    }
    CHECK(axes);
    CHECK(ratios);
    CHECK(means);
    CHECK(orthonormal);
    CHECK(projections);
    CHECK(variances);
    rt_pca_free(&r);
    free(x);
}

/* Truncated SVD (no centring) of c +- d, c +- 2d, with c = 5 q_0 and d = q_1
 * orthogonal: X^T X = 4 c c^T + 10 d d^T, so the top axis is the offset's,
 * q_0, with singular value 10 and ratio 100 / 110 of the sum of squares,
 * then -q_1 (sign rule) with sqrt(10). PCA of the same data removes the
 * offset: one axis, -q_1, with variance 10 / 3 and ratio 1. */
static void test_svd_offset(void)
{
    enum { ROWS = 4, COLS = 3 };
    const double mult[ROWS] = {1, -1, 2, -2};
    double x[ROWS * COLS];
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++)
            x[r * COLS + c] = 5 * rotation3[0][c] + mult[r] * rotation3[1][c];
    rt_pca_result svd, pca;
    CHECK(rt_pca(x, ROWS, COLS, 2, 0, &svd, NULL, 0) == 0);
    CHECK(rt_pca(x, ROWS, COLS, 1, 1, &pca, NULL, 0) == 0);
    int ok = 1;
    for (int c = 0; c < COLS; c++) {
        ok &= svd.mean[c] == 0;
        ok &= fabs(svd.components[c] - rotation3[0][c]) <= 1e-12;
        ok &= fabs(svd.components[COLS + c] + rotation3[1][c]) <= 1e-12;
        ok &= fabs(pca.components[c] + rotation3[1][c]) <= 1e-12;
    }
    for (int r = 0; r < ROWS; r++) {
        ok &= fabs(svd.projections[r * 2] - 5) <= 1e-12;
        ok &= fabs(svd.projections[r * 2 + 1] + mult[r]) <= 1e-12;
    }
    CHECK(ok);
    CHECK_NEAR(svd.singular[0], 10, 1e-12);
    CHECK_NEAR(svd.singular[1], sqrt(10), 1e-12);
    CHECK_NEAR(svd.explained_ratio[0], 100.0 / 110, 1e-12);
    CHECK_NEAR(svd.explained_ratio[1], 10.0 / 110, 1e-12);
    CHECK_NEAR(svd.variance[0], 100.0 / 3, 1e-12);
    CHECK_NEAR(pca.variance[0], 10.0 / 3, 1e-12);
    CHECK_NEAR(pca.explained_ratio[0], 1, 1e-12);
    rt_pca_free(&svd);
    rt_pca_free(&pca);
}

/* The same 30000 x 200 PCA on one OpenBLAS thread and on two gives the same
 * bits: the Gram matrix is summed block by block in a fixed order, OpenBLAS
 * splits SYRK and GEMM over output blocks, not over samples, and dsyevr
 * runs on one thread. */
static void test_pca_thread_independent(void)
{
    enum { ROWS = 30000, COLS = 200, K = 10 };
    double *x = malloc((size_t)ROWS * COLS * sizeof *x);
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++)
        x[i] = rt_rng_normal(11, i % COLS, i / COLS) * (1 + (double)(i % COLS) / 50);
    int threads = openblas_get_num_threads();
    rt_pca_result one, two;
    openblas_set_num_threads(1);
    CHECK(rt_pca(x, ROWS, COLS, K, 1, &one, NULL, 0) == 0);
    openblas_set_num_threads(2);
    CHECK(rt_pca(x, ROWS, COLS, K, 1, &two, NULL, 0) == 0);
    openblas_set_num_threads(threads);
    CHECK(memcmp(one.components, two.components, K * COLS * sizeof(double)) == 0);
    CHECK(memcmp(one.variance, two.variance, K * sizeof(double)) == 0);
    CHECK(memcmp(one.projections, two.projections, (size_t)ROWS * K * sizeof(double)) == 0);
    rt_pca_free(&one);
    rt_pca_free(&two);
    free(x);
}

static void test_pca_errors(void)
{
    char err[256] = "";
    double x[6] = {1, 2, 3, 4, 5, 6};
    rt_pca_result r;
    CHECK(rt_pca(x, 3, 2, 3, 1, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "asked for 3 components of 2 columns") != NULL);
    CHECK(r.components == NULL && r.projections == NULL);
    CHECK(rt_pca(x, 3, 2, 0, 1, &r, err, sizeof err) == -1);
    CHECK(rt_pca(x, 1, 6, 1, 1, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "at least 2 rows") != NULL);
    x[3] = INFINITY;
    CHECK(rt_pca(x, 3, 2, 1, 1, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "x[1][1] is not finite") != NULL);
}

/* ---- cluster separation ---- */

/* Label 0: (0,0), (2,0): centroid (1,0), both at distance 1, spread 1.
 * Label 1: (10,0), (10,2), (10,4): centroid (10,2), distances 2, 0, 2, RMS
 * sqrt(8/3). Label 2: empty. Label 3: (1,5) alone, spread 0. The -1 row is
 * ignored. Centroid distances: 0-1 sqrt(85), 0-3 5, 1-3 sqrt(90). */
static void test_cluster_stats(void)
{
    const double pts[][2] = {{0, 0}, {10, 0}, {2, 0}, {100, 100}, {10, 2}, {1, 5}, {10, 4}};
    const int labels[] = {0, 1, 0, -1, 1, 3, 1};
    rt_cluster_stats_result s;
    CHECK(rt_cluster_stats(&pts[0][0], 7, 2, labels, 4, &s, NULL, 0) == 0);
    CHECK(s.count[0] == 2 && s.count[1] == 3 && s.count[2] == 0 && s.count[3] == 1);
    CHECK(s.centroid[0] == 1 && s.centroid[1] == 0 && s.centroid[2] == 10 &&
          s.centroid[3] == 2 && s.centroid[6] == 1 && s.centroid[7] == 5);
    CHECK_NEAR(s.spread[0], 1, 1e-15);
    CHECK_NEAR(s.spread[1], sqrt(8.0 / 3), 1e-15);
    CHECK(s.spread[2] == 0 && s.spread[3] == 0);
    CHECK(s.n_nonempty == 3);
    CHECK_NEAR(s.min_centroid_distance, 5, 1e-15);
    CHECK(s.closest_a == 0 && s.closest_b == 3);
    CHECK_NEAR(s.max_spread, sqrt(8.0 / 3), 1e-15);
    rt_cluster_stats_free(&s);

    char err[256] = "";
    const int bad[] = {0, 1, 4, 0, 0, 0, 0};
    CHECK(rt_cluster_stats(&pts[0][0], 7, 2, bad, 4, &s, err, sizeof err) == -1);
    CHECK(strstr(err, "label 4 of row 2 is outside [0, 4)") != NULL);
    CHECK(s.count == NULL);
}

/* ---- fixed points ---- */

/* F(h) = A h + b. */
typedef struct linear_map {
    size_t n;
    const double *a, *b;
} linear_map;

static int linear_step(void *ctx, size_t count, const double *h, double *f)
{
    const linear_map *m = ctx;
    for (size_t p = 0; p < count; p++)
        for (size_t i = 0; i < m->n; i++) {
            double s = m->b[i];
            for (size_t j = 0; j < m->n; j++)
                s += m->a[i * m->n + j] * h[p * m->n + j];
            f[p * m->n + i] = s;
        }
    return 0;
}

/* J = A, so J^T v = A^T v. */
static int linear_vjp(void *ctx, size_t count, const double *h, const double *v, double *out)
{
    const linear_map *m = ctx;
    (void)h;
    for (size_t p = 0; p < count; p++)
        for (size_t j = 0; j < m->n; j++) {
            double s = 0;
            for (size_t i = 0; i < m->n; i++)
                s += m->a[i * m->n + j] * v[p * m->n + i];
            out[p * m->n + j] = s;
        }
    return 0;
}

/* A = S Q D Q S^-1 with D's spectrum, b = (I - A) h* for a chosen h*, so
 * h* is the only fixed point and J = A has D's eigenvalues. With
 * |lambda| < 1 everywhere it is stable; with 1.5 in D it has one unstable
 * mode. 16 initial states around it all reach it: 1 point, 15 duplicates. */
static void check_linear_fixed_point(double lead, size_t want_unstable)
{
    enum { N = 5, INITS = 16 };
    double d[N * N] = {0}, a[N * N], b[N], want_re[N], want_im[N];
    const double h_star[N] = {0.3, -1.2, 0.7, 2.0, -0.4};
    d[0] = lead;
    rotation_block(d, N, 1, 0.9, 0.4);
    d[3 * N + 3] = -0.3;
    d[4 * N + 4] = 0.1;
    similar_matrix(d, N, a);
    CHECK(rt_eigen(d, N, want_re, want_im, NULL, 0) == 0); /* D's, sorted; exact (block diagonal) */
    for (size_t i = 0; i < N; i++) {
        b[i] = h_star[i];
        for (size_t j = 0; j < N; j++)
            b[i] -= a[i * N + j] * h_star[j];
    }
    linear_map map = {N, a, b};
    rt_fp_system sys = {N, &map, linear_step, linear_vjp};
    double inits[INITS * N];
    for (size_t i = 0; i < INITS * N; i++)
        inits[i] = h_star[i % N] + rt_rng_normal(3, 0, i);
    rt_fp_result r;
    CHECK(rt_find_fixed_points(&sys, inits, INITS, NULL, &r, NULL, 0) == 0);
    CHECK(r.count == 1 && r.n_duplicates == INITS - 1 && r.n_converged == INITS);
    if (r.count == 1) {
        int ok = 1;
        for (size_t i = 0; i < N; i++)
            ok &= fabs(r.points[i] - h_star[i]) <= 1e-9;
        CHECK(ok);
        CHECK(r.is_fixed[0] && r.q[0] <= 1e-12);
        CHECK(eigen_near(r.eig_re, r.eig_im, want_re, want_im, N, 1e-9));
        CHECK(r.n_unstable[0] == want_unstable);
        CHECK(r.stable[0] == (want_unstable == 0));
    }
    rt_fp_free(&r);
}

static void test_fixed_points_linear(void)
{
    check_linear_fixed_point(0.5, 0);
    check_linear_fixed_point(1.5, 1);
}

/* F(h) = tanh(W h), W = w I, coordinates independent. */
typedef struct tanh_map {
    size_t n;
    double w;
    size_t calls;
} tanh_map;

static int tanh_step(void *ctx, size_t count, const double *h, double *f)
{
    tanh_map *m = ctx;
    m->calls++;
    for (size_t i = 0; i < count * m->n; i++)
        f[i] = tanh(m->w * h[i]);
    return 0;
}

/* dF_i/dh_i = w (1 - tanh^2(w h_i)), diagonal. */
static int tanh_vjp(void *ctx, size_t count, const double *h, const double *v, double *out)
{
    tanh_map *m = ctx;
    m->calls++;
    for (size_t i = 0; i < count * m->n; i++) {
        double t = tanh(m->w * h[i]);
        out[i] = m->w * (1 - t * t) * v[i];
    }
    return 0;
}

/* The positive root of tanh(w h) = h for w > 1, by bisection on [0.5, 1]:
 * tanh(w h) - h is positive at 0.5 (tanh(1) > 0.76 for w = 2) and negative
 * at 1 (tanh < 1). */
static double tanh_root(double w)
{
    double lo = 0.5, hi = 1;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (tanh(w * mid) - mid > 0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* F(h) = tanh(2h) from 41 initial states on [-2, 2]: fixed points -h*, 0,
 * h* (h* = 0.957504), in that (lexicographic) order. J = 2 (1 - h^2): 2 at
 * 0 (unstable), 2 (1 - h*^2) = 0.1664 at +-h* (stable). */
static void test_fixed_points_tanh_1d(void)
{
    double inits[41], h_star = tanh_root(2);
    for (int i = 0; i < 41; i++)
        inits[i] = -2 + 0.1 * i;
    tanh_map map = {1, 2, 0};
    rt_fp_system sys = {1, &map, tanh_step, tanh_vjp};
    rt_fp_result r;
    CHECK_NEAR(h_star, 0.957504, 1e-6);
    CHECK(rt_find_fixed_points(&sys, inits, 41, NULL, &r, NULL, 0) == 0);
    CHECK(r.count == 3 && r.n_converged == 41 && r.n_duplicates == 38);
    if (r.count == 3) {
        double want[3] = {-h_star, 0, h_star}, lambda = 2 * (1 - h_star * h_star);
        for (int i = 0; i < 3; i++) {
            CHECK_NEAR(r.points[i], want[i], 1e-12);
            CHECK(r.is_fixed[i]);
            CHECK_NEAR(r.eig_re[i], i == 1 ? 2 : lambda, 1e-9);
            CHECK(r.stable[i] == (i != 1) && r.n_unstable[i] == (i == 1));
        }
    }
    rt_fp_free(&r);
}

/* How many coordinates of a fixed point are +-h* (the others are 0). */
static size_t nonzero_coordinates(const double *h, size_t n)
{
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        k += fabs(h[j]) > 0.5;
    return k;
}

/* F(h) = tanh(2h) in N dimensions from a grid of PER_AXIS^N initial states
 * on [-2, 2]^N (the grid holds 0, so every root of every coordinate has
 * initial states near it): each coordinate is independently -h*, 0 or h*,
 * so there are 3^N fixed points. J is diagonal, 2 (1 - h_j^2): a point with
 * z zero coordinates has z unstable modes (lambda = 2), so it is stable
 * only when z = 0 (2^N points); for N = 2: 4 stable, 4 saddles with one
 * unstable mode, 1 fully unstable. Reversing the initial states changes
 * nothing, bit for bit: each point's optimisation is its own. */
static void check_tanh_grid(size_t n, size_t per_axis)
{
    size_t count = 1, want = 1;
    for (size_t j = 0; j < n; j++) {
        count *= per_axis;
        want *= 3;
    }
    double *inits = malloc(count * n * sizeof *inits), *rev = malloc(count * n * sizeof *rev);
    for (size_t p = 0; p < count; p++)
        for (size_t j = 0, rest = p; j < n; j++, rest /= per_axis)
            inits[p * n + j] = -2 + 4.0 * (double)(rest % per_axis) / (double)(per_axis - 1);
    for (size_t p = 0; p < count; p++)
        memcpy(rev + p * n, inits + (count - 1 - p) * n, n * sizeof *rev);
    tanh_map map = {n, 2, 0};
    rt_fp_system sys = {n, &map, tanh_step, tanh_vjp};
    rt_fp_result r, r_rev;
    CHECK(rt_find_fixed_points(&sys, inits, count, NULL, &r, NULL, 0) == 0);
    CHECK(rt_find_fixed_points(&sys, rev, count, NULL, &r_rev, NULL, 0) == 0);
    CHECK(r.count == want && r.n_duplicates == count - want && r.n_converged == count);
    CHECK(r_rev.count == r.count &&
          memcmp(r.points, r_rev.points, r.count * n * sizeof(double)) == 0);
    double h_star = tanh_root(2);
    size_t by_unstable[4] = {0};
    int ok = 1;
    for (size_t i = 0; i < r.count; i++) {
        size_t nz = nonzero_coordinates(r.points + i * n, n);
        for (size_t j = 0; j < n; j++) {
            double x = fabs(r.points[i * n + j]);
            ok &= x <= 1e-12 || fabs(x - h_star) <= 1e-12;
        }
        ok &= r.n_unstable[i] == n - nz && r.stable[i] == (nz == n);
        ok &= r.is_fixed[i];
        by_unstable[r.n_unstable[i] < 4 ? r.n_unstable[i] : 3]++;
    }
    CHECK(ok);
    if (n == 2)
        CHECK(by_unstable[0] == 4 && by_unstable[1] == 4 && by_unstable[2] == 1);
    rt_fp_free(&r);
    rt_fp_free(&r_rev);
    free(inits);
    free(rev);
}

static void test_fixed_points_tanh_grid(void)
{
    check_tanh_grid(2, 21);
    check_tanh_grid(3, 9);
}

/* F(h) = h + eps + h^2 (eps = 1e-4) has no fixed point: F(h) - h =
 * eps + h^2 > 0. Its speed is least at h = 0, q = eps^2 / 2 = 5e-9: a slow
 * point (the ghost of a saddle-node), where J = 1 + 2h = 1. Newton cannot
 * move it (J - I = 0 there), so it stays where Adam left it. With q_slow
 * below 5e-9 it is dropped; with tol_q above it, it counts as fixed. */
static int ghost_step(void *ctx, size_t count, const double *h, double *f)
{
    (void)ctx;
    for (size_t i = 0; i < count; i++)
        f[i] = h[i] + 1e-4 + h[i] * h[i];
    return 0;
}

static int ghost_vjp(void *ctx, size_t count, const double *h, const double *v, double *out)
{
    (void)ctx;
    for (size_t i = 0; i < count; i++)
        out[i] = (1 + 2 * h[i]) * v[i];
    return 0;
}

static void test_slow_point(void)
{
    double inits[11];
    for (int i = 0; i < 11; i++)
        inits[i] = -0.5 + 0.1 * i;
    rt_fp_system sys = {1, NULL, ghost_step, ghost_vjp};
    rt_fp_result r;
    CHECK(rt_find_fixed_points(&sys, inits, 11, NULL, &r, NULL, 0) == 0);
    CHECK(r.count == 1 && r.n_converged == 0);
    if (r.count == 1) {
        CHECK(!r.is_fixed[0]);
        CHECK_NEAR(r.points[0], 0, 1e-3);
        CHECK_NEAR(r.q[0], 5e-9, 1e-12);
        CHECK_NEAR(r.eig_re[0], 1, 2e-3);
    }
    rt_fp_free(&r);
    rt_fp_options opt = {.q_slow = 1e-9};
    CHECK(rt_find_fixed_points(&sys, inits, 11, &opt, &r, NULL, 0) == 0);
    CHECK(r.count == 0 && r.n_dropped_q == 11);
    rt_fp_free(&r);
    /* tol_q = 0.05 over the defaults (q_slow = 1e-6 below it is no error):
     * every initial state (q <= 0.031) is "fixed" at once. Polishing then
     * draws them together towards 0, yet what comes back is still unique. */
    opt = rt_fp_default_options();
    opt.tol_q = 0.05;
    CHECK(rt_find_fixed_points(&sys, inits, 11, &opt, &r, NULL, 0) == 0);
    CHECK(r.count >= 1 && r.n_converged == 11 && r.count + r.n_duplicates == 11);
    int unique = 1;
    for (size_t i = 0; i < r.count; i++)
        for (size_t j = 0; j < i; j++)
            unique &= fabs(r.points[i] - r.points[j]) >= 1e-3;
    CHECK(unique);
    rt_fp_free(&r);
}

/* F(h) = h/2 + 500 has its fixed point at 1000, far beyond 10 times the
 * initial states' RMS spread (about 0.6) around their centroid (0): an
 * outlier, unless outlier_scale is INFINITY. */
static void test_outliers(void)
{
    double a = 0.5, b = 500, inits[11];
    for (int i = 0; i < 11; i++)
        inits[i] = -1 + 0.2 * i;
    linear_map map = {1, &a, &b};
    rt_fp_system sys = {1, &map, linear_step, linear_vjp};
    rt_fp_result r;
    CHECK(rt_find_fixed_points(&sys, inits, 11, NULL, &r, NULL, 0) == 0);
    CHECK(r.count == 0 && r.n_outliers == 11);
    rt_fp_free(&r);
    rt_fp_options opt = {.outlier_scale = INFINITY, .max_iters = 100};
    CHECK(rt_find_fixed_points(&sys, inits, 11, &opt, &r, NULL, 0) == 0);
    CHECK(r.count == 1 && r.n_outliers == 0);
    if (r.count == 1)
        CHECK_NEAR(r.points[0], 1000, 1e-9);
    rt_fp_free(&r);
}

/* F(h) = tanh(W h + b), with plain loops (so each row's bits do not depend
 * on the thread count or on the other rows of a call). */
typedef struct tanh_net {
    size_t n;
    const double *w, *b;
} tanh_net;

static void tanh_net_pre(const tanh_net *m, const double *h, double *pre)
{
    for (size_t i = 0; i < m->n; i++) {
        pre[i] = m->b[i];
        for (size_t j = 0; j < m->n; j++)
            pre[i] += m->w[i * m->n + j] * h[j];
    }
}

static int tanh_net_step(void *ctx, size_t count, const double *h, double *f)
{
    const tanh_net *m = ctx;
    for (size_t p = 0; p < count; p++) {
        tanh_net_pre(m, h + p * m->n, f + p * m->n);
        for (size_t i = 0; i < m->n; i++)
            f[p * m->n + i] = tanh(f[p * m->n + i]);
    }
    return 0;
}

/* J = diag(d) W with d = 1 - tanh^2(pre), so J^T v = W^T (d * v). The rows
 * of a Jacobian call share their h: d is computed once per run of them. */
static int tanh_net_vjp(void *ctx, size_t count, const double *h, const double *v, double *out)
{
    const tanh_net *m = ctx;
    double d[64];
    for (size_t p = 0; p < count; p++) {
        const double *hp = h + p * m->n;
        if (p == 0 || memcmp(hp, hp - m->n, m->n * sizeof *hp) != 0) {
            tanh_net_pre(m, hp, d);
            for (size_t i = 0; i < m->n; i++)
                d[i] = 1 - tanh(d[i]) * tanh(d[i]);
        }
        for (size_t j = 0; j < m->n; j++) {
            out[p * m->n + j] = 0;
            for (size_t i = 0; i < m->n; i++)
                out[p * m->n + j] += m->w[i * m->n + j] * d[i] * v[p * m->n + i];
        }
    }
    return 0;
}

/* A coupled network, F(h) = tanh(W h + b) with W = 1.5 N(0, 1) / sqrt(60):
 * gain 1.5, several fixed points (two found from these 48 states). Whatever
 * is found must be consistent: each reported q is F's own at the point,
 * and the eigenvalues are those of J = diag(1 - tanh^2(W h + b)) W formed
 * here by hand. One OpenBLAS thread or two give the same bits (with
 * callbacks that do). Adam is cut at 200 iterations to keep the test
 * quick under the sanitizers; damped Newton does the rest. */
static void test_fixed_points_coupled(void)
{
    enum { N = 60, INITS = 48 };
    double *w = malloc(N * N * sizeof *w), b[N], *inits = malloc(INITS * N * sizeof *inits);
    for (size_t i = 0; i < N * N; i++)
        w[i] = 1.5 * rt_rng_normal(21, 0, i) / sqrt(N);
    for (size_t i = 0; i < N; i++)
        b[i] = 0.1 * rt_rng_normal(21, 1, i);
    for (size_t i = 0; i < INITS * N; i++)
        inits[i] = 0.5 * rt_rng_normal(21, 2, i);
    tanh_net net = {N, w, b};
    rt_fp_system sys = {N, &net, tanh_net_step, tanh_net_vjp};
    rt_fp_result r, r2;
    rt_fp_options opt = {.max_iters = 200};
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    CHECK(rt_find_fixed_points(&sys, inits, INITS, &opt, &r, NULL, 0) == 0);
    openblas_set_num_threads(2);
    CHECK(rt_find_fixed_points(&sys, inits, INITS, &opt, &r2, NULL, 0) == 0);
    openblas_set_num_threads(threads);
    CHECK(r.count >= 1 && r.count == r2.count);
    CHECK(r.count + r.n_dropped_q + r.n_outliers + r.n_duplicates == INITS);
    if (r.count >= 1 && r.count == r2.count) {
        CHECK(memcmp(r.points, r2.points, r.count * N * sizeof(double)) == 0);
        CHECK(memcmp(r.eig_re, r2.eig_re, r.count * N * sizeof(double)) == 0);
    }
    double *jac = malloc(N * N * sizeof *jac), f[N], pre[N], re[N], im[N];
    int q_ok = 1, eig_ok = 1;
    for (size_t k = 0; k < r.count; k++) {
        const double *h = r.points + k * N;
        tanh_net_step(&net, 1, h, f);
        double q = 0;
        for (size_t i = 0; i < N; i++)
            q += 0.5 * (f[i] - h[i]) * (f[i] - h[i]);
        q_ok &= q == r.q[k] && (r.is_fixed[k] ? q <= 1e-12 : q <= 1e-6);
        tanh_net_pre(&net, h, pre);
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < N; j++)
                jac[i * N + j] = (1 - tanh(pre[i]) * tanh(pre[i])) * w[i * N + j];
        CHECK(rt_eigen(jac, N, re, im, NULL, 0) == 0);
        eig_ok &= eigen_near(r.eig_re + k * N, r.eig_im + k * N, re, im, N, 1e-9);
    }
    CHECK(q_ok);
    CHECK(eig_ok);
    rt_fp_free(&r);
    rt_fp_free(&r2);
    free(jac);
    free(w);
    free(inits);
}

static int failing_step(void *ctx, size_t count, const double *h, double *f)
{
    (void)ctx, (void)count, (void)h, (void)f;
    return -1;
}

static void test_fixed_point_errors(void)
{
    char err[256] = "";
    double inits[2] = {0, 1};
    rt_fp_result r;
    rt_fp_system sys = {1, NULL, failing_step, ghost_vjp};
    CHECK(rt_find_fixed_points(&sys, inits, 2, NULL, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "step callback failed") != NULL);
    CHECK(r.points == NULL);
    sys.step = ghost_step;
    CHECK(rt_find_fixed_points(&sys, inits, 0, NULL, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "no initial states") != NULL);
    rt_fp_options opt = {.tol_q = -1};
    CHECK(rt_find_fixed_points(&sys, inits, 2, &opt, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "tol_q must be > 0") != NULL);
    opt = (rt_fp_options){.learning_rate = INFINITY};
    CHECK(rt_find_fixed_points(&sys, inits, 2, &opt, &r, err, sizeof err) == -1);
    CHECK(strstr(err, "learning_rate must be > 0 and finite") != NULL);
}

int main(void)
{
    test_eigen_similarity();
    test_spectrum_frequencies();
    test_spectrum_edge_cases();
    test_eigen_ties();
    test_eigen_thread_independent();
    test_eigen_companion();
    test_eigen_errors();
    test_pca_exact();
    test_pca_statistical();
    test_svd_offset();
    test_pca_thread_independent();
    test_pca_errors();
    test_cluster_stats();
    test_fixed_points_linear();
    test_fixed_points_tanh_1d();
    test_fixed_points_tanh_grid();
    test_fixed_points_coupled();
    test_slow_point();
    test_outliers();
    test_fixed_point_errors();
    return check_report();
}
