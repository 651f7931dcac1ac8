/* rt_analysis.c -- eigenvalues, PCA and cluster separation (see
 * rt_analysis.h; the fixed-point finder is in rt_fixed_points.c). */
#include "rt_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "rt_analysis_internal.h"
#include "rt_error.h"
#include "rt_lapack.h"

static const double two_pi = 6.283185307179586476925286766559;

/* ---- Eigenvalues ---- */

typedef struct eigenvalue {
    double re, im;
} eigenvalue;

/* rt_eigen's order: |lambda| descending, then Re descending, then Im
 * descending. hypot(a, b) = hypot(a, -b) exactly, so the two halves of a
 * conjugate pair tie on modulus and the +Im half comes first. */
static int compare_eigenvalues(const void *pa, const void *pb)
{
    const eigenvalue *a = pa, *b = pb;
    double ma = hypot(a->re, a->im), mb = hypot(b->re, b->im);
    if (ma != mb)
        return ma > mb ? -1 : 1;
    if (a->re != b->re)
        return a->re > b->re ? -1 : 1;
    if (a->im != b->im)
        return a->im > b->im ? -1 : 1;
    return 0;
}

static int sort_eigenvalues(double *re, double *im, size_t n, char *err, size_t err_size)
{
    eigenvalue *pairs = malloc(n * sizeof *pairs);
    if (!pairs)
        return rt_error(err, err_size, "eigenvalues: out of memory");
    for (size_t i = 0; i < n; i++)
        pairs[i] = (eigenvalue){re[i], im[i]};
    qsort(pairs, n, sizeof *pairs, compare_eigenvalues);
    for (size_t i = 0; i < n; i++) {
        re[i] = pairs[i].re;
        im[i] = pairs[i].im;
    }
    free(pairs);
    return 0;
}

/* dgeev without eigenvectors on A (N x N, column-major, overwritten). */
static int lapack_eigenvalues(double *a, blasint n, double *re, double *im, char *err,
                              size_t err_size)
{
    blasint info = 0, query = -1, one = 1;
    double work_size = 1, no_vectors = 0;
    dgeev_("N", "N", &n, a, &n, re, im, &no_vectors, &one, &no_vectors, &one, &work_size, &query,
           &info, 1, 1);
    blasint lwork = (blasint)fmax(work_size, 3.0 * n);
    double *work = alloc_doubles((size_t)lwork);
    if (!work)
        return rt_error(err, err_size, "eigenvalues: out of memory");
    int threads = serial_blas_begin();
    dgeev_("N", "N", &n, a, &n, re, im, &no_vectors, &one, &no_vectors, &one, work, &lwork, &info,
           1, 1);
    serial_blas_end(threads);
    free(work);
    if (info != 0)
        return rt_error(err, err_size, "eigenvalues: LAPACK dgeev failed (info %ld)", (long)info);
    return 0;
}

int rt_eigen(const double *a, size_t n, double *re, double *im, char *err, size_t err_size)
{
    if (n == 0)
        return 0;
    if (!rt_lapack_fits(n) || !product_fits(n, n))
        return rt_error(err, err_size, "eigenvalues: a %zu x %zu matrix is too large", n, n);
    size_t bad = first_non_finite(a, n * n);
    if (bad < n * n)
        return rt_error(err, err_size, "eigenvalues: entry (%zu, %zu) is not finite (%g)",
                        bad / n, bad % n, a[bad]);
    double *copy = alloc_doubles(n * n);
    if (!copy)
        return rt_error(err, err_size, "eigenvalues: out of memory");
    /* dgeev reads column-major, so it sees A^T: the same eigenvalues. */
    memcpy(copy, a, n * n * sizeof *copy);
    int rc = lapack_eigenvalues(copy, (blasint)n, re, im, err, err_size);
    free(copy);
    return rc == 0 ? sort_eigenvalues(re, im, n, err, err_size) : -1;
}

/* |Im| / (2 pi |Re|) = |tan theta| / (2 pi): 0 for a real eigenvalue (as
 * Jarne's code), INFINITY on the imaginary axis. */
static double tan_frequency(double re, double im)
{
    if (im == 0)
        return 0;
    if (re == 0)
        return INFINITY;
    return fabs(im) / (two_pi * fabs(re));
}

void rt_spectrum_summarise(const double *re, const double *im, size_t n, double dt_seconds,
                           rt_spectrum_summary *out)
{
    *out = (rt_spectrum_summary){0};
    if (n == 0)
        return;
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (hypot(re[i], im[i]) > 1 + RT_UNIT_CIRCLE_TOLERANCE)
            out->n_outside_unit++;
        eigenvalue a = {re[i], im[i]}, b = {re[best], im[best]};
        if (compare_eigenvalues(&a, &b) < 0)
            best = i;
    }
    out->radius = hypot(re[best], im[best]);
    out->dominant_re = re[best];
    out->dominant_im = im[best];
    out->freq_tan_per_step = tan_frequency(re[best], im[best]);
    out->freq_angle_per_step = fabs(atan2(im[best], re[best])) / two_pi;
    int dt_ok = dt_seconds > 0 && isfinite(dt_seconds);
    out->freq_tan_hz = dt_ok ? out->freq_tan_per_step / dt_seconds : NAN;
    out->freq_angle_hz = dt_ok ? out->freq_angle_per_step / dt_seconds : NAN;
}

/* ---- PCA and truncated SVD ---- */

/* Rows of X handled at once: the centred block is 512 x COLS doubles (4 MB
 * at 1000 columns), and the sum over blocks runs in a fixed order. */
enum { PCA_BLOCK_ROWS = 512 };

/* Rows [R0, R0 + NR) of X minus MEAN, into BLOCK (NR x COLS). */
static void centred_block(const double *x, size_t cols, const double *mean, size_t r0, size_t nr,
                          double *block)
{
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < cols; c++)
            block[r * cols + c] = x[(r0 + r) * cols + c] - mean[c];
}

/* G = Xc^T Xc into the upper triangle of G (COLS x COLS, column-major). A
 * row-major block NR x COLS is the column-major COLS x NR matrix Y = its
 * transpose, so each block adds Y Y^T. */
static void gram_matrix(const double *x, size_t rows, size_t cols, const double *mean,
                        double *block, double *g)
{
    memset(g, 0, cols * cols * sizeof *g);
    for (size_t r0 = 0; r0 < rows; r0 += PCA_BLOCK_ROWS) {
        size_t nr = rows - r0 < PCA_BLOCK_ROWS ? rows - r0 : PCA_BLOCK_ROWS;
        centred_block(x, cols, mean, r0, nr, block);
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (blasint)cols, (blasint)nr, 1.0,
                    block, (blasint)cols, 1.0, g, (blasint)cols);
    }
}

/* dsyevr's eigenpairs IL..IU (1-based, ascending) of G (upper triangle,
 * overwritten) into W[n] and Z (column-major N x M). */
static int lapack_top_eigenpairs(double *g, blasint n, blasint m, double *w, double *z,
                                 char *err, size_t err_size)
{
    blasint il = n - m + 1, iu = n, found = 0, info = 0, query = -1, iwork_size = 1;
    double unused = 0, abstol = 0, work_size = 1;
    blasint *isuppz = malloc(2 * (size_t)m * sizeof *isuppz);
    if (!isuppz)
        return rt_error(err, err_size, "PCA: out of memory");
    dsyevr_("V", "I", "U", &n, g, &n, &unused, &unused, &il, &iu, &abstol, &found, w, z, &n,
            isuppz, &work_size, &query, &iwork_size, &query, &info, 1, 1, 1);
    blasint lwork = (blasint)fmax(work_size, 26.0 * n), liwork = iwork_size > 10 * n ? iwork_size
                                                                                     : 10 * n;
    double *work = alloc_doubles((size_t)lwork);
    blasint *iwork = malloc((size_t)liwork * sizeof *iwork);
    int ok = work && iwork;
    if (ok) {
        int threads = serial_blas_begin();
        dsyevr_("V", "I", "U", &n, g, &n, &unused, &unused, &il, &iu, &abstol, &found, w, z, &n,
                isuppz, work, &lwork, iwork, &liwork, &info, 1, 1, 1);
        serial_blas_end(threads);
    }
    free(work);
    free(iwork);
    free(isuppz);
    if (!ok)
        return rt_error(err, err_size, "PCA: out of memory");
    if (info != 0 || found != m)
        return rt_error(err, err_size,
                        "PCA: LAPACK dsyevr failed (info %ld, %ld of %ld eigenpairs)",
                        (long)info, (long)found, (long)m);
    return 0;
}

/* Flips COMPONENT (N entries) so its first entry of largest |.| is positive. */
static void fix_sign(double *component, size_t n)
{
    size_t top = 0;
    for (size_t j = 1; j < n; j++)
        if (fabs(component[j]) > fabs(component[top]))
            top = j;
    if (component[top] < 0)
        for (size_t j = 0; j < n; j++)
            component[j] = -component[j];
}

/* Top K eigenpairs of G, largest first, into OUT's components and spectra. */
static int pca_axes(double *g, size_t rows, size_t cols, size_t k, rt_pca_result *out,
                    char *err, size_t err_size)
{
    double trace = 0;
    for (size_t c = 0; c < cols; c++)
        trace += g[c * cols + c];
    double *w = alloc_doubles(cols), *z = alloc_doubles(cols * k);
    int rc = w && z ? lapack_top_eigenpairs(g, (blasint)cols, (blasint)k, w, z, err, err_size)
                    : rt_error(err, err_size, "PCA: out of memory");
    for (size_t i = 0; rc == 0 && i < k; i++) {
        size_t from = k - 1 - i; /* dsyevr sorts ascending */
        double lambda = fmax(w[from], 0.0); /* rounding can leave -1e-17 for a null direction */
        memcpy(out->components + i * cols, z + from * cols, cols * sizeof *z);
        fix_sign(out->components + i * cols, cols);
        out->singular[i] = sqrt(lambda);
        out->variance[i] = lambda / (double)(rows - 1);
        out->explained_ratio[i] = trace > 0 ? lambda / trace : 0;
    }
    out->total_variance = trace / (double)(rows - 1);
    free(w);
    free(z);
    return rc;
}

/* projections = (X - mean) components^T, block by block, on one thread:
 * with k as narrow as 10, OpenBLAS on some CPUs (Intel Xeon with AVX-512)
 * takes another kernel at two threads than at one, and the bits differ. */
static void pca_project(const double *x, rt_pca_result *out, double *block)
{
    size_t rows = out->rows, cols = out->cols, k = out->k;
    int threads = serial_blas_begin();
    for (size_t r0 = 0; r0 < rows; r0 += PCA_BLOCK_ROWS) {
        size_t nr = rows - r0 < PCA_BLOCK_ROWS ? rows - r0 : PCA_BLOCK_ROWS;
        centred_block(x, cols, out->mean, r0, nr, block);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)nr, (blasint)k,
                    (blasint)cols, 1.0, block, (blasint)cols, out->components, (blasint)cols, 0.0,
                    out->projections + r0 * k, (blasint)k);
    }
    serial_blas_end(threads);
}

static int pca_check(const double *x, size_t rows, size_t cols, size_t k, char *err,
                     size_t err_size)
{
    if (k == 0 || k > cols)
        return rt_error(err, err_size,
                        "PCA: asked for %zu components of %zu columns; need 1 <= k <= %zu",
                        k, cols, cols);
    if (rows < 2)
        return rt_error(err, err_size, "PCA: need at least 2 rows (samples), got %zu", rows);
    if (!rt_lapack_fits(cols) || !product_fits(cols, cols) || !product_fits(rows, cols))
        return rt_error(err, err_size, "PCA: %zu x %zu data is too large", rows, cols);
    size_t bad = first_non_finite(x, rows * cols);
    if (bad < rows * cols)
        return rt_error(err, err_size, "PCA: x[%zu][%zu] is not finite (%g)", bad / cols,
                        bad % cols, x[bad]);
    return 0;
}

static int pca_alloc(rt_pca_result *out, size_t rows, size_t cols, size_t k)
{
    *out = (rt_pca_result){.rows = rows, .cols = cols, .k = k};
    out->mean = alloc_doubles(cols);
    out->components = alloc_doubles(k * cols);
    out->variance = alloc_doubles(k);
    out->singular = alloc_doubles(k);
    out->explained_ratio = alloc_doubles(k);
    out->projections = alloc_doubles(rows * k);
    return out->mean && out->components && out->variance && out->singular &&
                   out->explained_ratio && out->projections
               ? 0
               : -1;
}

int rt_pca(const double *x, size_t rows, size_t cols, size_t k, int center, rt_pca_result *out,
           char *err, size_t err_size)
{
    *out = (rt_pca_result){0};
    if (pca_check(x, rows, cols, k, err, err_size) != 0)
        return -1;
    double *g = alloc_doubles(cols * cols);
    double *block = alloc_doubles(PCA_BLOCK_ROWS * cols);
    int rc = g && block && pca_alloc(out, rows, cols, k) == 0
                 ? 0
                 : rt_error(err, err_size, "PCA: out of memory");
    if (rc == 0) {
        if (center)
            column_means(x, rows, cols, out->mean);
        else
            memset(out->mean, 0, cols * sizeof *out->mean);
        gram_matrix(x, rows, cols, out->mean, block, g);
        rc = pca_axes(g, rows, cols, k, out, err, err_size);
    }
    if (rc == 0)
        pca_project(x, out, block);
    free(g);
    free(block);
    if (rc != 0)
        rt_pca_free(out);
    return rc;
}

void rt_pca_free(rt_pca_result *out)
{
    free(out->mean);
    free(out->components);
    free(out->variance);
    free(out->singular);
    free(out->explained_ratio);
    free(out->projections);
    *out = (rt_pca_result){0};
}

/* ---- Cluster separation ---- */

static int cluster_check(size_t rows, size_t dim, const int *labels, size_t n_labels, char *err,
                         size_t err_size)
{
    if (dim == 0 || n_labels == 0)
        return rt_error(err, err_size,
                        "cluster stats: need dim >= 1 and n_labels >= 1 (got %zu, %zu)", dim,
                        n_labels);
    if (!product_fits(rows, dim) || !product_fits(n_labels, dim))
        return rt_error(err, err_size, "cluster stats: %zu x %zu points is too many", rows, dim);
    for (size_t r = 0; r < rows; r++)
        if (labels[r] < -1 || (labels[r] >= 0 && (size_t)labels[r] >= n_labels))
            return rt_error(err, err_size,
                            "cluster stats: label %d of row %zu is outside [0, %zu) and "
                            "not -1", labels[r], r, n_labels);
    return 0;
}

static void cluster_centroids(const double *points, size_t rows, size_t dim, const int *labels,
                              rt_cluster_stats_result *out)
{
    for (size_t r = 0; r < rows; r++) {
        if (labels[r] < 0)
            continue;
        size_t l = (size_t)labels[r];
        out->count[l]++;
        for (size_t j = 0; j < dim; j++)
            out->centroid[l * dim + j] += points[r * dim + j];
    }
    for (size_t l = 0; l < out->n_labels; l++)
        for (size_t j = 0; out->count[l] && j < dim; j++)
            out->centroid[l * dim + j] /= (double)out->count[l];
}

/* Second pass, after the centroids: RMS distances. */
static void cluster_spreads(const double *points, size_t rows, size_t dim, const int *labels,
                            rt_cluster_stats_result *out)
{
    for (size_t r = 0; r < rows; r++)
        if (labels[r] >= 0)
            out->spread[labels[r]] += squared_distance(points + r * dim,
                                                       out->centroid + (size_t)labels[r] * dim,
                                                       dim);
    for (size_t l = 0; l < out->n_labels; l++) {
        out->spread[l] = out->count[l] ? sqrt(out->spread[l] / (double)out->count[l]) : 0;
        out->max_spread = fmax(out->max_spread, out->spread[l]);
        out->n_nonempty += out->count[l] > 0;
    }
}

static void cluster_closest_pair(rt_cluster_stats_result *out)
{
    size_t dim = out->dim;
    out->min_centroid_distance = INFINITY;
    for (size_t a = 0; a < out->n_labels; a++)
        for (size_t b = a + 1; out->count[a] && b < out->n_labels; b++) {
            if (!out->count[b])
                continue;
            double d = sqrt(squared_distance(out->centroid + a * dim, out->centroid + b * dim,
                                             dim));
            if (d < out->min_centroid_distance) {
                out->min_centroid_distance = d;
                out->closest_a = a;
                out->closest_b = b;
            }
        }
}

int rt_cluster_stats(const double *points, size_t rows, size_t dim, const int *labels,
                     size_t n_labels, rt_cluster_stats_result *out, char *err, size_t err_size)
{
    *out = (rt_cluster_stats_result){0};
    if (cluster_check(rows, dim, labels, n_labels, err, err_size) != 0)
        return -1;
    out->n_labels = n_labels;
    out->dim = dim;
    out->count = calloc(n_labels, sizeof *out->count);
    out->centroid = calloc(n_labels * dim, sizeof *out->centroid);
    out->spread = calloc(n_labels, sizeof *out->spread);
    if (!out->count || !out->centroid || !out->spread) {
        rt_cluster_stats_free(out);
        return rt_error(err, err_size, "cluster stats: out of memory");
    }
    cluster_centroids(points, rows, dim, labels, out);
    cluster_spreads(points, rows, dim, labels, out);
    cluster_closest_pair(out);
    return 0;
}

void rt_cluster_stats_free(rt_cluster_stats_result *out)
{
    free(out->count);
    free(out->centroid);
    free(out->spread);
    *out = (rt_cluster_stats_result){0};
}
