/* rt_analysis_internal.h -- what the two halves of rt_analysis.h share
 * (nothing else includes it):
 *
 *     rt_analysis.c      eigenvalues, PCA, cluster separation
 *     rt_fixed_points.c  fixed and slow points, which linearises with rt_eigen
 *
 * Small helpers for sizes, allocation and distances, and the switch that
 * runs LAPACK on one OpenBLAS thread.
 */
#ifndef RNNRT_ANALYSIS_INTERNAL_H
#define RNNRT_ANALYSIS_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

/* Some of OpenBLAS's threaded kernels add per-thread partial sums, so their
 * last bits change with the thread count: both eigensolvers (level-2 BLAS
 * inside their reductions) differed between one and two threads. LAPACK
 * calls run on one thread, between these two. The setting is process-wide
 * (see rt_analysis.h). */
static inline int serial_blas_begin(void)
{
    int threads = openblas_get_num_threads();
    if (threads != 1)
        openblas_set_num_threads(1);
    return threads;
}

static inline void serial_blas_end(int threads)
{
    if (threads != 1)
        openblas_set_num_threads(threads);
}

/* COUNT doubles (at least one, so a NULL is always out of memory); NULL
 * also when the byte count would overflow. */
static inline double *alloc_doubles(size_t count)
{
    if (count > SIZE_MAX / sizeof(double))
        return NULL;
    return malloc((count ? count : 1) * sizeof(double));
}

/* A * B fits in size_t with room for 8 such arrays of doubles. */
static inline int product_fits(size_t a, size_t b)
{
    return b == 0 || a <= SIZE_MAX / 64 / b;
}

/* The first non-finite of COUNT values, or COUNT when all are finite. */
static inline size_t first_non_finite(const double *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i]))
            return i;
    return count;
}

static inline double squared_distance(const double *a, const double *b, size_t n)
{
    double sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += (a[j] - b[j]) * (a[j] - b[j]);
    return sum;
}

/* MEAN[cols] = the column means of X (ROWS x COLS), summed in row order. */
static inline void column_means(const double *x, size_t rows, size_t cols, double *mean)
{
    memset(mean, 0, cols * sizeof *mean);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            mean[c] += x[r * cols + c];
    for (size_t c = 0; c < cols; c++)
        mean[c] /= (double)rows;
}

#endif
