/* rt_init.h -- weight initialisers.
 *
 * A weight matrix is row-major [rows = post][cols = pre], so fan_in = cols
 * and fan_out = rows. Random values come from rt_rng keyed by (seed, stream,
 * element index): the same call always writes the same matrix.
 */
#ifndef RNNRT_INIT_H
#define RNNRT_INIT_H

#include <stddef.h>
#include <stdint.h>

typedef enum rt_init_kind {
    RT_INIT_ZEROS,
    RT_INIT_CONSTANT,
    RT_INIT_NORMAL,
    RT_INIT_UNIFORM,
    RT_INIT_GLOROT_UNIFORM,
    RT_INIT_ORTHOGONAL,
} rt_init_kind;

/* CONSTANT: a = value. NORMAL: a = mean, b = standard deviation.
 * UNIFORM: a = lo, b = hi. ORTHOGONAL: a = gain (0 means 1). */
typedef struct rt_init {
    rt_init_kind kind;
    double a, b;
} rt_init;

/* Fills W (ROWS x COLS doubles). 0 on success, else -1 with a message in ERR
 * (size ERR_SIZE; ERR may be NULL). */
int rt_init_fill(double *w, size_t rows, size_t cols, const rt_init *init, uint64_t seed,
                 uint64_t stream, char *err, size_t err_size);

/* Whether INIT draws each element on its own (every kind but ORTHOGONAL),
 * and element INDEX (row * COLS + col) of the ROWS x COLS matrix that
 * rt_init_fill writes with it: a sparse projection's weights are those of
 * the dense matrix at its synapses. */
int rt_init_elementwise(const rt_init *init);
double rt_init_value(const rt_init *init, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                     size_t index);
/* OUT[i] = rt_init_value(..., INDEX[i]) for i < N, the uniform kinds
 * sixteen at a time (rt_rng_uniform_at). */
void rt_init_values(const rt_init *init, size_t rows, size_t cols, uint64_t seed, uint64_t stream,
                    const uint64_t *index, size_t n, double *out);

/* The spectral radius (largest |eigenvalue|) of the square W ([n][n]), by
 * LAPACK dgeev (rt_eigen). 0 when below 1e-12 of W's Frobenius norm: the
 * rounding noise of a zero or triangular nilpotent matrix, which must not be
 * rescaled into a radius (a dense nilpotent one gets eigenvalues of about
 * 1e-16^(1/n) from dgeev, which no threshold tells from a radius). -1 with a
 * message in ERR on failure. */
double rt_spectral_radius(const double *w, size_t n, char *err, size_t err_size);

#endif
