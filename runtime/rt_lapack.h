/* rt_lapack.h -- the LAPACK routines the runtime calls, declared by hand.
 *
 * Debian's libopenblas-dev ships no LAPACK header (lapack.h and lapacke.h
 * belong to netlib's liblapacke-dev), but libopenblas exports the Fortran
 * routines; these are their reference LAPACK 3 signatures. Every argument
 * is passed by pointer. Each character argument is followed, after all the
 * others, by its length as a hidden size_t: the gfortran convention that
 * LAPACK's own lapack.h follows (LAPACK_FORTRAN_STRLEN_END).
 */
#ifndef RNNRT_LAPACK_H
#define RNNRT_LAPACK_H

#include <stddef.h>
#include <stdint.h>

#include <openblas_config.h> /* blasint: the integer width OpenBLAS's LAPACK was built with */

/* Whether a dimension fits LAPACK's integers. INT32_MAX: the bound of the
 * default 32-bit blasint, the common build. */
static inline int rt_lapack_fits(size_t n)
{
    return n <= INT32_MAX;
}

/* QR factorisation (rt_init.c: the orthogonal initialiser). */
void dgeqrf_(const blasint *m, const blasint *n, double *a, const blasint *lda, double *tau,
             double *work, const blasint *lwork, blasint *info);
void dorgqr_(const blasint *m, const blasint *n, const blasint *k, double *a, const blasint *lda,
             const double *tau, double *work, const blasint *lwork, blasint *info);

/* Eigenvalues of a general matrix, eigenpairs of a symmetric one
 * (rt_analysis.c: rt_eigen, rt_pca). */
void dgeev_(const char *jobvl, const char *jobvr, const blasint *n, double *a, const blasint *lda,
            double *wr, double *wi, double *vl, const blasint *ldvl, double *vr,
            const blasint *ldvr, double *work, const blasint *lwork, blasint *info,
            size_t jobvl_len, size_t jobvr_len);
void dsyevr_(const char *jobz, const char *range, const char *uplo, const blasint *n, double *a,
             const blasint *lda, const double *vl, const double *vu, const blasint *il,
             const blasint *iu, const double *abstol, blasint *m, double *w, double *z,
             const blasint *ldz, blasint *isuppz, double *work, const blasint *lwork,
             blasint *iwork, const blasint *liwork, blasint *info, size_t jobz_len,
             size_t range_len, size_t uplo_len);

/* Linear solves: general (LU) and symmetric positive definite (Cholesky)
 * (rt_fixed_points.c: damped Newton steps). */
void dgesv_(const blasint *n, const blasint *nrhs, double *a, const blasint *lda, blasint *ipiv,
            double *b, const blasint *ldb, blasint *info);
void dposv_(const char *uplo, const blasint *n, const blasint *nrhs, double *a, const blasint *lda,
            double *b, const blasint *ldb, blasint *info, size_t uplo_len);

#endif
