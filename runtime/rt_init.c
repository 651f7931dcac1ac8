/* rt_init.c -- weight initialisers (see rt_init.h). */
#include "rt_init.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rt_analysis.h"
#include "rt_error.h"
#include "rt_lapack.h"
#include "rt_rng.h"

static void fill_constant(double *w, size_t n, double value)
{
    for (size_t i = 0; i < n; i++)
        w[i] = value;
}

static void fill_normal(double *w, size_t n, double mean, double std, uint64_t seed,
                        uint64_t stream)
{
    for (size_t i = 0; i < n; i++)
        w[i] = mean + std * rt_rng_normal(seed, stream, i);
}

static void fill_uniform(double *w, size_t n, double lo, double hi, uint64_t seed,
                         uint64_t stream)
{
    for (size_t i = 0; i < n; i++)
        w[i] = lo + (hi - lo) * rt_rng_uniform(seed, stream, i);
}

/* Overwrites A (M x K, column-major, M >= K) with the Q of its QR
 * factorisation and sets SIGN[j] = sign(R[j][j]) (+1 for 0, which has
 * probability 0). TAU has K entries. */
static int householder_q(double *a, blasint m, blasint k, double *tau, double *sign, char *err,
                         size_t err_size)
{
    blasint info = 0, query = -1;
    double geqrf_size = 1, orgqr_size = 1; /* workspace queries (lwork = -1) */
    dgeqrf_(&m, &k, a, &m, tau, &geqrf_size, &query, &info);
    dorgqr_(&m, &k, &k, a, &m, tau, &orgqr_size, &query, &info);
    blasint lwork = (blasint)fmax(1, fmax(geqrf_size, orgqr_size));
    double *work = malloc((size_t)lwork * sizeof *work);
    if (!work)
        return rt_error(err, err_size, "orthogonal initialiser: out of memory");
    dgeqrf_(&m, &k, a, &m, tau, work, &lwork, &info);
    for (blasint j = 0; info == 0 && j < k; j++)
        sign[j] = a[j + (size_t)j * (size_t)m] < 0 ? -1.0 : 1.0;
    if (info == 0)
        dorgqr_(&m, &k, &k, a, &m, tau, work, &lwork, &info);
    free(work);
    if (info != 0)
        return rt_error(err, err_size, "orthogonal initialiser: LAPACK QR failed (info %ld)",
                        (long)info);
    return 0;
}

/* Saxe, McClelland & Ganguli, ICLR 2014, as Keras's Orthogonal: QR of an
 * m x k standard normal matrix (m = max(rows, cols), k = min), Q's column j
 * multiplied by sign(R[j][j]) so Q is Haar-distributed (Mezzadri 2007), then
 * transposed when rows < cols. The result has orthonormal columns (tall or
 * square) or rows (wide), times GAIN. Draw counters are the row-major index
 * in the m x k matrix, as numpy draws it. */
static int fill_orthogonal(double *w, size_t rows, size_t cols, double gain, uint64_t seed,
                           uint64_t stream, char *err, size_t err_size)
{
    size_t m = rows > cols ? rows : cols, k = rows > cols ? cols : rows;
    /* rows * cols was checked by the caller, so m * k does not overflow. */
    if (!rt_lapack_fits(m) || m * k > SIZE_MAX / sizeof(double) - 2 * k)
        return rt_error(err, err_size, "orthogonal initialiser: %zu x %zu is too large",
                        rows, cols);
    double *a = malloc((m * k + 2 * k) * sizeof *a);
    if (!a)
        return rt_error(err, err_size, "orthogonal initialiser: out of memory");
    double *tau = a + m * k, *sign = tau + k;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            a[i + j * m] = rt_rng_normal(seed, stream, i * k + j);
    int rc = householder_q(a, (blasint)m, (blasint)k, tau, sign, err, err_size);
    for (size_t r = 0; rc == 0 && r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t i = rows >= cols ? r : c, j = rows >= cols ? c : r;
            w[r * cols + c] = gain * sign[j] * a[i + j * m];
        }
    free(a);
    return rc;
}

/* Parameters that would silently give NaN or nonsense are refused. */
static int check_params(const rt_init *init, char *err, size_t err_size)
{
    switch (init->kind) {
    case RT_INIT_ZEROS:
    case RT_INIT_CONSTANT:
    case RT_INIT_GLOROT_UNIFORM:
        return 0;
    case RT_INIT_NORMAL:
        if (!isfinite(init->a) || !isfinite(init->b) || init->b < 0)
            return rt_error(err, err_size,
                            "normal initialiser needs a finite mean and a standard "
                            "deviation >= 0 (got mean %g, std %g)", init->a, init->b);
        return 0;
    case RT_INIT_UNIFORM:
        if (!isfinite(init->b - init->a) || init->a > init->b)
            return rt_error(err, err_size,
                            "uniform initialiser needs finite lo <= hi (got lo %g, hi %g)",
                            init->a, init->b);
        return 0;
    case RT_INIT_ORTHOGONAL:
        if (!isfinite(init->a))
            return rt_error(err, err_size, "orthogonal initialiser needs a finite gain (got %g)",
                            init->a);
        return 0;
    }
    return rt_error(err, err_size, "unknown initialiser kind %d", (int)init->kind);
}

int rt_init_fill(double *w, size_t rows, size_t cols, const rt_init *init, uint64_t seed,
                 uint64_t stream, char *err, size_t err_size)
{
    if (check_params(init, err, err_size) != 0)
        return -1;
    if (rows == 0 || cols == 0)
        return 0;
    if (rows > SIZE_MAX / sizeof(double) / cols)
        return rt_error(err, err_size, "initialiser: %zu x %zu matrix is too large", rows, cols);
    size_t n = rows * cols;
    switch (init->kind) {
    case RT_INIT_ZEROS: fill_constant(w, n, 0.0); return 0;
    case RT_INIT_CONSTANT: fill_constant(w, n, init->a); return 0;
    case RT_INIT_NORMAL: fill_normal(w, n, init->a, init->b, seed, stream); return 0;
    case RT_INIT_UNIFORM: fill_uniform(w, n, init->a, init->b, seed, stream); return 0;
    case RT_INIT_GLOROT_UNIFORM: {
        /* Glorot & Bengio 2010, eq. 16, as Keras: U(-l, l), l = sqrt(6 / (fan_in + fan_out)),
         * giving variance l^2 / 3 = 2 / (fan_in + fan_out). */
        double limit = sqrt(6.0 / ((double)cols + (double)rows));
        fill_uniform(w, n, -limit, limit, seed, stream);
        return 0;
    }
    case RT_INIT_ORTHOGONAL:
        return fill_orthogonal(w, rows, cols, init->a == 0 ? 1.0 : init->a, seed, stream, err,
                               err_size);
    }
    return -1; /* unreachable: check_params refused other kinds */
}

int rt_init_elementwise(const rt_init *init)
{
    return init->kind != RT_INIT_ORTHOGONAL;
}

/* The uniform kinds' U(LO, LO + WIDTH): 0 for the other kinds. */
static int uniform_range(const rt_init *init, size_t rows, size_t cols, double *lo, double *width)
{
    if (init->kind == RT_INIT_UNIFORM) {
        *lo = init->a;
        *width = init->b - init->a;
        return 1;
    }
    if (init->kind == RT_INIT_GLOROT_UNIFORM) {
        double limit = sqrt(6.0 / ((double)cols + (double)rows));
        *lo = -limit;
        *width = 2 * limit;
        return 1;
    }
    return 0;
}

/* As fill_constant, fill_normal and fill_uniform draw element INDEX. */
double rt_init_value(const rt_init *init, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                     size_t index)
{
    double lo, width;
    if (uniform_range(init, rows, cols, &lo, &width))
        return lo + width * rt_rng_uniform(seed, stream, index);
    switch (init->kind) {
    case RT_INIT_CONSTANT: return init->a;
    case RT_INIT_NORMAL: return init->a + init->b * rt_rng_normal(seed, stream, index);
    default: return 0;
    }
}

void rt_init_values(const rt_init *init, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                    const uint64_t *index, size_t n, double *out)
{
    double lo, width;
    if (!uniform_range(init, rows, cols, &lo, &width)) {
        for (size_t i = 0; i < n; i++)
            out[i] = rt_init_value(init, rows, cols, seed, stream, index[i]);
        return;
    }
    rt_rng_uniform_at(seed, stream, index, n, out);
    for (size_t i = 0; i < n; i++)
        out[i] = lo + width * out[i];
}

double rt_spectral_radius(const double *w, size_t n, char *err, size_t err_size)
{
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / 2 / sizeof(double))
        return rt_error(err, err_size, "spectral radius: %zu is too large", n);
    double *eig = malloc(2 * n * sizeof *eig);
    if (!eig)
        return rt_error(err, err_size, "spectral radius: out of memory");
    int rc = rt_eigen(w, n, eig, eig + n, err, err_size);   /* largest |lambda| first */
    double radius = rc == 0 ? hypot(eig[0], eig[n]) : -1, norm = 0;
    free(eig);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < n * n; i++)
        norm = hypot(norm, w[i]);
    return radius > 1e-12 * norm ? radius : 0;
}
