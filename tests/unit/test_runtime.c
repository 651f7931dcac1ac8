/* test_runtime.c -- random numbers, initialisers and optimisers of librnnrt.
 *
 * Philox must match Random123's known answers bit for bit; the draws built on
 * it must have the right moments; initialisers must give the distributions
 * and orthogonality they promise; one or two optimiser steps must equal the
 * update rule worked by hand, in float32 and float64; constraints must hold
 * after a step whose gradients push against them.
 *
 * Statistical checks use fixed seeds, so they are not flaky: each passes or
 * fails forever. Their tolerances are 5 standard errors, so a correct
 * generator passes with any seed (a 5-sigma miss has probability 6e-7), and a
 * wrong formula is off by far more than that.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "rt_init.h"
#include "rt_optim.h"
#include "rt_rng.h"

enum { MOMENT_DRAWS = 1000000 };

/* ---- Philox4x32-10 ---- */

/* Random123 1.14, examples/kat_vectors, "philox4x32 10" lines. */
static void test_philox_known_answers(void)
{
    static const uint32_t ctr[3][4] = {{0, 0, 0, 0},
                                       {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                                       {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {0xffffffff, 0xffffffff},
                                       {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int v = 0; v < 3; v++) {
        uint32_t out[4];
        rt_philox4x32_10(ctr[v], key[v], out);
        CHECK(memcmp(out, want[v], sizeof out) == 0);
    }
    /* The third vector through rt_rng_bits pins the layout promised in rt_rng.h:
     * key = seed (low word first), counter words = (counter, stream), and the
     * 64 bits are output words 0 and 1. */
    CHECK(rt_rng_bits(0x299f31d0a4093822u, 0x0370734413198a2eu, 0x85a308d3243f6a88u) ==
          0x94fdccebd16cfe09u);
}

/* A pure function: the same triple gives the same bits, and each argument matters. */
static void test_rng_is_a_function(void)
{
    uint64_t x = rt_rng_bits(42, 7, 1000);
    CHECK(rt_rng_bits(42, 7, 1000) == x);
    CHECK(rt_rng_bits(43, 7, 1000) != x);
    CHECK(rt_rng_bits(42, 8, 1000) != x);
    CHECK(rt_rng_bits(42, 7, 1001) != x);
}

/* rt_rng_uniform_many and rt_rng_uniform_at draw 16 counters at a time
 * (in AVX-512 where the CPU has it, else in portable C): each must be the
 * number rt_rng_uniform gives for its counter, bit for bit, whatever the
 * path, including a tail shorter than 16 and counters in any order. */
static void test_uniform_lanes(void)
{
    enum { N = 1000 + 7 };
    static double many[N], at[N];
    static uint64_t counters[N];
    rt_rng_uniform_many(99, 5, 123456789, N, many);
    for (size_t i = 0; i < N; i++)
        counters[i] = (uint64_t)i * 0x9E3779B97F4A7C15u;   /* scattered over 2^64 */
    rt_rng_uniform_at(99, 5, counters, N, at);
    size_t wrong = 0;
    for (size_t i = 0; i < N; i++)
        wrong += many[i] != rt_rng_uniform(99, 5, 123456789 + i) || at[i] != rt_rng_uniform(99, 5, counters[i]);
    CHECK(wrong == 0);
}

/* Uniform on [0, 1): mean 1/2, variance 1/12. Standard errors over n = 1e6:
 * mean sqrt(1/12 / n) = 2.9e-4; variance sqrt(Var((U - 1/2)^2) / n) with
 * Var = 1/80 - 1/144 = 1/180, so 7.5e-5. */
static void test_uniform_moments(void)
{
    double sum = 0, sum_sq = 0, lo = 1, hi = 0;
    for (uint64_t i = 0; i < MOMENT_DRAWS; i++) {
        double u = rt_rng_uniform(2024, 1, i);
        sum += u;
        sum_sq += (u - 0.5) * (u - 0.5);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    CHECK(lo >= 0 && hi < 1);
    CHECK_NEAR(sum / MOMENT_DRAWS, 0.5, 5 * 2.9e-4);
    CHECK_NEAR(sum_sq / MOMENT_DRAWS, 1.0 / 12, 5 * 7.5e-5);
}

/* N(0, 1): E z = 0, E z^2 = 1, E z^3 = 0, E z^4 = 3. Variances of z, z^2,
 * z^3, z^4 are 1, 2, 15, 96 (from E z^(2k) = (2k-1)!!), so the standard
 * errors over n = 1e6 are 1e-3, 1.4e-3, 3.9e-3, 9.8e-3. */
static void test_normal_moments(void)
{
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0, largest = 0;
    for (uint64_t i = 0; i < MOMENT_DRAWS; i++) {
        double z = rt_rng_normal(2024, 2, i);
        m1 += z;
        m2 += z * z;
        m3 += z * z * z;
        m4 += z * z * z * z;
        largest = fmax(largest, fabs(z));
    }
    CHECK(isfinite(largest) && largest <= 8.58); /* the bound rt_rng.h promises */
    CHECK_NEAR(m1 / MOMENT_DRAWS, 0.0, 5 * 1.0e-3);
    CHECK_NEAR(m2 / MOMENT_DRAWS, 1.0, 5 * 1.4e-3);
    CHECK_NEAR(m3 / MOMENT_DRAWS, 0.0, 5 * 3.9e-3);
    CHECK_NEAR(m4 / MOMENT_DRAWS, 3.0, 5 * 9.8e-3);
}

/* The pair's second half: the same moments, and uncorrelated with the
 * first (E z0 z1 = 0 with variance 1: standard error 1e-3 over 1e6); the
 * first half is rt_rng_normal's value. */
static void test_normal_pair(void)
{
    double m1 = 0, m2 = 0, m4 = 0, cross = 0;
    int first_is_normal = 1;
    for (uint64_t i = 0; i < MOMENT_DRAWS; i++) {
        double z[2];
        rt_rng_normal_pair(2024, 3, i, z);
        if (i < 1000)
            first_is_normal &= z[0] == rt_rng_normal(2024, 3, i);
        m1 += z[1];
        m2 += z[1] * z[1];
        m4 += z[1] * z[1] * z[1] * z[1];
        cross += z[0] * z[1];
    }
    CHECK(first_is_normal);
    CHECK_NEAR(m1 / MOMENT_DRAWS, 0.0, 5 * 1.0e-3);
    CHECK_NEAR(m2 / MOMENT_DRAWS, 1.0, 5 * 1.4e-3);
    CHECK_NEAR(m4 / MOMENT_DRAWS, 3.0, 5 * 9.8e-3);
    CHECK_NEAR(cross / MOMENT_DRAWS, 0.0, 5 * 1.0e-3);
}

/* Seven values, 70000 draws: each count is Binomial(70000, 1/7), standard
 * error sqrt(70000 * 1/7 * 6/7) = 92.6 around 10000. */
static void test_randint_small_range(void)
{
    int64_t counts[7] = {0};
    int in_range = 1;
    for (uint64_t i = 0; i < 70000; i++) {
        int64_t x = rt_rng_randint(5, 3, i, -3, 4);
        in_range &= x >= -3 && x < 4;
        if (x >= -3 && x < 4)
            counts[x + 3]++;
    }
    CHECK(in_range);
    for (int k = 0; k < 7; k++)
        CHECK_NEAR(counts[k], 10000, 5 * 92.6);
}

/* range = 3 * 2^62 is where shortcuts show their bias: x % range makes
 * offsets below 2^62 twice as likely (P = 1/2, not 1/3), and Lemire's
 * multiply without rejection makes offsets = 0 mod 3 twice as likely (again
 * 1/2). Unbiased draws give 1/3 for both, with standard error
 * sqrt(2/9 / 1e5) = 1.5e-3. A quarter of candidates are rejected here, so the
 * retry path runs. lo = INT64_MIN puts results on both sides of zero. */
static void test_randint_unbiased(void)
{
    const int64_t lo = INT64_MIN, hi = INT64_C(1) << 62; /* hi - lo = 2^62 + 2^63 */
    const int n = 100000;
    int low_third = 0, multiple_of_3 = 0, in_range = 1;
    for (int i = 0; i < n; i++) {
        int64_t x = rt_rng_randint(9, 4, (uint64_t)i, lo, hi);
        uint64_t offset = (uint64_t)x - (uint64_t)lo;
        in_range &= x < hi;
        low_third += offset < (1ull << 62);
        multiple_of_3 += offset % 3 == 0;
    }
    CHECK(in_range);
    CHECK_NEAR((double)low_third / n, 1.0 / 3, 5 * 1.5e-3);
    CHECK_NEAR((double)multiple_of_3 / n, 1.0 / 3, 5 * 1.5e-3);
}

static void test_randint_edges(void)
{
    CHECK(rt_rng_randint(1, 1, 1, 5, 6) == 5);  /* one value */
    CHECK(rt_rng_randint(1, 1, 1, 5, 5) == 5);  /* empty: LO, as documented */
    CHECK(rt_rng_randint(1, 1, 1, INT64_MIN, INT64_MAX) < INT64_MAX); /* range 2^64 - 1 */
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* 64 x 64 (trial, statement) pairs give 4096 distinct streams, and the
 * mixing is not symmetric in its arguments. */
static void test_stream_ids_distinct(void)
{
    static uint64_t ids[64 * 64];
    for (uint64_t a = 0; a < 64; a++)
        for (uint64_t b = 0; b < 64; b++)
            ids[a * 64 + b] = rt_rng_stream(a, b);
    qsort(ids, 64 * 64, sizeof ids[0], compare_u64);
    int distinct = 1;
    for (int i = 1; i < 64 * 64; i++)
        distinct &= ids[i] != ids[i - 1];
    CHECK(distinct);
    CHECK(rt_rng_stream(1, 2) != rt_rng_stream(2, 1));
}

/* ---- initialisers ---- */

static double mean_of(const double *w, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i];
    return s / (double)n;
}

static double mean_square_about(const double *w, size_t n, double centre)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (w[i] - centre) * (w[i] - centre);
    return s / (double)n;
}

static void test_init_constant_and_errors(void)
{
    double w[6] = {1, 1, 1, 1, 1, 1};
    char err[256] = "";
    CHECK(rt_init_fill(w, 2, 3, &(rt_init){RT_INIT_ZEROS, 0, 0}, 1, 1, err, sizeof err) == 0);
    CHECK(w[0] == 0 && w[5] == 0);
    CHECK(rt_init_fill(w, 2, 3, &(rt_init){RT_INIT_CONSTANT, 0.25, 0}, 1, 1, err, sizeof err) == 0);
    CHECK(w[0] == 0.25 && w[5] == 0.25);
    CHECK(rt_init_fill(w, 2, 3, &(rt_init){RT_INIT_NORMAL, 0, -1}, 1, 1, err, sizeof err) == -1);
    CHECK(strstr(err, "standard deviation >= 0") != NULL);
    CHECK(rt_init_fill(w, 2, 3, &(rt_init){RT_INIT_UNIFORM, 2, 1}, 1, 1, err, sizeof err) == -1);
    CHECK(strstr(err, "lo <= hi") != NULL);
    CHECK(rt_init_fill(w, 2, 3, &(rt_init){(rt_init_kind)6, 0, 0}, 1, 1, err, sizeof err) == -1);
    CHECK(strstr(err, "unknown initialiser kind 6") != NULL);
}

/* 1e5 draws. NORMAL(1, 2): mean's standard error 2 / 316 = 6.3e-3; the
 * variance's is sqrt(2) * 4 / 316 = 0.018. UNIFORM(-3, 5): mean 1, standard
 * error (8 / sqrt(12)) / 316 = 7.3e-3. */
static void test_init_normal_uniform(void)
{
    enum { ROWS = 500, COLS = 200, N = ROWS * COLS };
    static double w[N];
    CHECK(rt_init_fill(w, ROWS, COLS, &(rt_init){RT_INIT_NORMAL, 1, 2}, 7, 1, NULL, 0) == 0);
    CHECK_NEAR(mean_of(w, N), 1.0, 5 * 6.3e-3);
    CHECK_NEAR(mean_square_about(w, N, 1.0), 4.0, 5 * 0.018);
    CHECK(rt_init_fill(w, ROWS, COLS, &(rt_init){RT_INIT_UNIFORM, -3, 5}, 7, 1, NULL, 0) == 0);
    int in_range = 1;
    for (size_t i = 0; i < N; i++)
        in_range &= w[i] >= -3 && w[i] < 5;
    CHECK(in_range);
    CHECK_NEAR(mean_of(w, N), 1.0, 5 * 7.3e-3);
}

/* Keras's glorot_uniform for a 200 x 300 matrix: limit l = sqrt(6 / 500);
 * variance l^2 / 3 = 2 / 500. The mean of w^2 has standard error
 * sqrt(4 l^4 / 45 / 6e4) = 1.22e-3 l^2, i.e. 0.37% of l^2 / 3. */
static void test_init_glorot(void)
{
    enum { ROWS = 200, COLS = 300, N = ROWS * COLS };
    static double w[N];
    CHECK(rt_init_fill(w, ROWS, COLS, &(rt_init){RT_INIT_GLOROT_UNIFORM, 0, 0}, 3, 2, NULL, 0) ==
          0);
    double limit = sqrt(6.0 / (ROWS + COLS)), largest = 0;
    for (size_t i = 0; i < N; i++)
        largest = fmax(largest, fabs(w[i]));
    CHECK(largest <= limit && largest > 0.99 * limit);
    CHECK_NEAR(mean_square_about(w, N, 0.0) / (limit * limit / 3), 1.0, 5 * 3 * 1.22e-3);
}

/* Largest |(G - gain^2 I)[i][j]| for the Gram matrix G of W's columns (tall
 * or square) or rows (wide). */
static double orthogonality_error(const double *w, size_t rows, size_t cols, double gain)
{
    int by_columns = rows >= cols;
    size_t k = by_columns ? cols : rows, len = by_columns ? rows : cols;
    double worst = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double dot = 0;
            for (size_t e = 0; e < len; e++)
                dot += by_columns ? w[e * cols + i] * w[e * cols + j]
                                  : w[i * cols + e] * w[j * cols + e];
            worst = fmax(worst, fabs(dot - (i == j ? gain * gain : 0)));
        }
    return worst;
}

/* W must be GAIN times the Q of the draws rt_init.c documents (A[i][j] =
 * normal(seed, stream, i k + j), m x k) with R's diagonal made positive, the
 * sign fix that makes Q Haar-distributed: Q^T A = R is then upper triangular
 * with a positive diagonal. A is O(1) and m <= 100, so rounding in the
 * below-diagonal zeros is far under 1e-10. */
static int is_sign_fixed_q_of_draws(const double *w, size_t rows, size_t cols, double gain,
                                    uint64_t seed, uint64_t stream)
{
    int tall = rows >= cols, ok = 1;
    size_t m = tall ? rows : cols, k = tall ? cols : rows;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b <= a; b++) {
            double r = 0; /* R[a][b] = sum_i Q[i][a] A[i][b] */
            for (size_t i = 0; i < m; i++)
                r += (tall ? w[i * cols + a] : w[a * cols + i]) / gain *
                     rt_rng_normal(seed, stream, i * k + b);
            ok &= a == b ? r > 0 : fabs(r) < 1e-10;
        }
    return ok;
}

/* Householder QR is backward stable: Q is orthonormal to a few ulp times the
 * size (Golub & Van Loan, Matrix Computations, section 5.2), so 1e-12 holds
 * with room for 100 x 100. The same seed must give the same bits; another
 * seed another matrix. */
static void check_orthogonal(size_t rows, size_t cols, double gain)
{
    double *w = malloc(rows * cols * sizeof *w), *again = malloc(rows * cols * sizeof *w);
    rt_init init = {RT_INIT_ORTHOGONAL, gain, 0};
    double effective_gain = gain == 0 ? 1 : gain;
    char err[256] = "";
    CHECK(rt_init_fill(w, rows, cols, &init, 11, 5, err, sizeof err) == 0);
    CHECK(orthogonality_error(w, rows, cols, effective_gain) <= 1e-12);
    CHECK(is_sign_fixed_q_of_draws(w, rows, cols, effective_gain, 11, 5));
    CHECK(rt_init_fill(again, rows, cols, &init, 11, 5, err, sizeof err) == 0);
    CHECK(memcmp(w, again, rows * cols * sizeof *w) == 0);
    CHECK(rt_init_fill(again, rows, cols, &init, 12, 5, err, sizeof err) == 0);
    CHECK(memcmp(w, again, rows * cols * sizeof *w) != 0);
    free(w);
    free(again);
}

static void test_init_orthogonal(void)
{
    check_orthogonal(100, 100, 0); /* gain 0 means 1 */
    check_orthogonal(7, 3, 1);     /* tall: orthonormal columns */
    check_orthogonal(3, 7, 2.5);   /* wide: orthonormal rows, each of norm 2.5 */
}

/* ---- optimisers, in float32 and float64 ---- */

enum { MAX_PARAM = 8 };

/* One tensor's weights and gradients in either precision. Not to be copied:
 * the tensor points into it. */
typedef struct test_param {
    union { float f[MAX_PARAM]; double d[MAX_PARAM]; } w, g;
    rt_tensor t;
} test_param;

static void store(void *p, size_t i, double x, int is_double)
{
    if (is_double)
        ((double *)p)[i] = x;
    else
        ((float *)p)[i] = (float)x;
}

static double load(const void *p, size_t i, int is_double)
{
    return is_double ? ((const double *)p)[i] : ((const float *)p)[i];
}

static void set_grads(test_param *p, const double *g, int is_double)
{
    for (size_t i = 0; i < p->t.count; i++)
        store(&p->g, i, g[i], is_double);
}

static void param_init(test_param *p, const double *w, const double *g, size_t n, int is_double)
{
    memset(p, 0, sizeof *p);
    p->t = (rt_tensor){.data = &p->w, .grad = &p->g, .count = n, .lo = -INFINITY, .hi = INFINITY};
    for (size_t i = 0; i < n; i++)
        store(&p->w, i, w[i], is_double);
    set_grads(p, g, is_double);
}

/* Weights of order 1 come out within a few ulp of the exact update: ulp(1)
 * is 2.2e-16 in float64, 1.2e-7 in float32. */
static double tolerance(int is_double)
{
    return is_double ? 4e-15 : 1e-6;
}

static void check_weights(const test_param *p, const double *want, int is_double)
{
    for (size_t i = 0; i < p->t.count; i++)
        CHECK_NEAR(load(&p->w, i, is_double), want[i], tolerance(is_double));
}

/* An optimiser for P alone, after its first step; NULL (a failed check) if
 * it could not be made. */
static rt_optim *optim_first_step(const rt_optim_config *cfg, test_param *p, int is_double)
{
    rt_optim *o = rt_optim_new(cfg, &p->t, 1, is_double);
    CHECK(o != NULL);
    if (o)
        rt_optim_step(o, &p->t, 1);
    return o;
}

/* Adam's step 1 has m_hat = g and v_hat = g^2 exactly (the bias corrections
 * undo the (1 - beta) factors), so each weight moves by lr g / (|g| + eps).
 * g = 1e-8 = eps shows where eps goes: outside the root the move is lr / 2;
 * inside it (sqrt(g^2 + eps)) it would be 1e-6 lr. Step 2 is Kingma & Ba's
 * Algorithm 1 written out with t = 2. */
static void test_adam_two_steps(int is_double)
{
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const double w0[4] = {1.0, -2.0, 0.5, 3.0}, g1[4] = {0.3, -0.7, 1e-8, 2.0},
                 g2[4] = {-0.1, -0.7, 0.5, 1.0};
    test_param p;
    param_init(&p, w0, g1, 4, is_double);
    rt_optim_config cfg = {.kind = RT_OPTIM_ADAM, .lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps};
    rt_optim *o = optim_first_step(&cfg, &p, is_double);
    if (!o)
        return;
    double w1[4], w2[4];
    for (int i = 0; i < 4; i++)
        w1[i] = w0[i] - lr * g1[i] / (fabs(g1[i]) + eps);
    CHECK_NEAR(load(&p.w, 2, is_double), 0.5 - lr / 2, tolerance(is_double));
    check_weights(&p, w1, is_double);
    set_grads(&p, g2, is_double);
    rt_optim_step(o, &p.t, 1);
    for (int i = 0; i < 4; i++) {
        double m = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
        double v = b2 * (1 - b2) * g1[i] * g1[i] + (1 - b2) * g2[i] * g2[i];
        double m_hat = m / (1 - b1 * b1), v_hat = v / (1 - b2 * b2);
        w2[i] = w1[i] - lr * m_hat / (sqrt(v_hat) + eps);
    }
    check_weights(&p, w2, is_double);
    rt_optim_free(o);
}

/* Two SGD steps from w0 = (1, -1) with the gradients g1 = (0.5, 2), then
 * g2 = (-0.2, 1): the weights must be W1, then W2. */
static void check_sgd_two_steps(const rt_optim_config *cfg, const double w1[2], const double w2[2],
                                int is_double)
{
    const double w0[2] = {1, -1}, g1[2] = {0.5, 2}, g2[2] = {-0.2, 1};
    test_param p;
    param_init(&p, w0, g1, 2, is_double);
    rt_optim *o = optim_first_step(cfg, &p, is_double);
    if (!o)
        return;
    check_weights(&p, w1, is_double);
    set_grads(&p, g2, is_double);
    rt_optim_step(o, &p.t, 1);
    check_weights(&p, w2, is_double);
    rt_optim_free(o);
}

/* PyTorch's momentum SGD, lr 0.1, mu 0.9. Step 1: buf = g1 = (0.5, 2), so
 * w = (1, -1) - 0.1 buf = (0.95, -1.2). Step 2: buf = 0.9 g1 + g2 =
 * (0.45 - 0.2, 1.8 + 1) = (0.25, 2.8), so w = (0.95 - 0.025, -1.2 - 0.28). */
static void test_sgd_momentum_two_steps(int is_double)
{
    const double w1[2] = {0.95, -1.2}, w2[2] = {0.925, -1.48};
    rt_optim_config cfg = {.kind = RT_OPTIM_SGD, .lr = 0.1, .momentum = 0.9};
    check_sgd_two_steps(&cfg, w1, w2, is_double);
}

/* Inverse-time decay, lr 0.1 and decay 0.5, plain SGD: update 0 moves by
 * 0.1 g1 = (0.05, 0.2), update 1 by 0.1 / (1 + 0.5) g2 = (-0.2, 1) / 15. */
static void test_sgd_decay(int is_double)
{
    const double w1[2] = {0.95, -1.2}, w2[2] = {0.95 + 0.2 / 15, -1.2 - 1.0 / 15};
    rt_optim_config cfg = {.kind = RT_OPTIM_SGD, .lr = 0.1, .decay = 0.5};
    check_sgd_two_steps(&cfg, w1, w2, is_double);
}

/* Two tensors with gradients (3, 0, [100 masked]) and (4): the global norm is
 * 5, the masked entry not counting. Clipped to 1 the gradients become
 * (0.6, 0) and (0.8), and plain SGD with lr 1 moves the weights by exactly
 * those. With clip_norm 10 nothing is scaled. */
static rt_optim *clipping_step(test_param p[2], rt_tensor t[2], double clip_norm, int is_double)
{
    static const unsigned char mask[3] = {1, 1, 0};
    const double zeros[3] = {0, 0, 0}, ga[3] = {3, 0, 100}, gb[1] = {4};
    param_init(&p[0], zeros, ga, 3, is_double);
    param_init(&p[1], zeros, gb, 1, is_double);
    p[0].t.mask = mask;
    t[0] = p[0].t;
    t[1] = p[1].t;
    rt_optim_config cfg = {.kind = RT_OPTIM_SGD, .lr = 1, .clip_norm = clip_norm};
    rt_optim *o = rt_optim_new(&cfg, t, 2, is_double);
    CHECK(o != NULL);
    if (o) {
        CHECK(rt_optim_grad_norm(o, t, 2) == 5);
        rt_optim_step(o, t, 2);
    }
    return o;
}

static void test_clipping(int is_double)
{
    test_param p[2];
    rt_tensor t[2];
    rt_optim *o = clipping_step(p, t, 10, is_double);
    CHECK(load(&p[1].g, 0, is_double) == 4); /* under the bound: untouched */
    check_weights(&p[1], (const double[]){-4}, is_double);
    rt_optim_free(o);
    o = clipping_step(p, t, 1, is_double);
    CHECK(o && fabs(rt_optim_grad_norm(o, t, 2) - 1) <= tolerance(is_double));
    check_weights(&p[0], (const double[]){-0.6, 0, 0}, is_double);
    check_weights(&p[1], (const double[]){-0.8}, is_double);
    rt_optim_free(o);
}

/* A 2 x 3 matrix (columns = pre neurons with Dale signs +, -, +), bounds
 * [-0.5, 0.5], entry 3 masked, plain SGD with lr 1 so w -= g:
 *   0: + column, 0.01 - 0.5 = -0.49, wrong sign      -> 0
 *   1: - column, -0.01 + 0.5 = 0.49, wrong sign      -> 0
 *   2: 0.45 + 0.3 = 0.75, above hi                    -> 0.5
 *   3: masked, 0 + 1 = 1                              -> 0
 *   4: - column, -0.2 - 0.9 = -1.1, below lo          -> -0.5
 *   5: + column, 0.3 - 0.1 = 0.2, violates nothing    -> 0.2 */
static void test_constraints_after_step(int is_double)
{
    static const unsigned char mask[6] = {1, 1, 1, 0, 1, 1};
    static const signed char dale[3] = {+1, -1, +1};
    const double w0[6] = {0.01, -0.01, 0.45, 0, -0.2, 0.3}, g[6] = {0.5, -0.5, -0.3, -1, 0.9, 0.1};
    const double want[6] = {0, 0, 0.5, 0, -0.5, 0.2};
    test_param p;
    param_init(&p, w0, g, 6, is_double);
    p.t.mask = mask;
    p.t.dale = dale;
    p.t.cols = 3;
    p.t.lo = -0.5;
    p.t.hi = 0.5;
    rt_optim_config cfg = {.kind = RT_OPTIM_SGD, .lr = 1};
    rt_optim *o = optim_first_step(&cfg, &p, is_double);
    if (!o)
        return;
    check_weights(&p, want, is_double);
    rt_optim_free(o);
}

/* A NaN weight survives the sign and bound constraints, so a diverged run
 * is seen; masking still zeroes it. */
static void test_constrain_keeps_nan(void)
{
    static const unsigned char mask[2] = {1, 0};
    static const signed char dale[1] = {+1};
    double w[2] = {NAN, NAN}, g[2] = {0, 0};
    rt_tensor t = {.data = w, .grad = g, .count = 2, .lo = -1, .hi = 1, .mask = mask,
                   .dale = dale, .cols = 1};
    rt_constrain(&t, 1);
    CHECK(isnan(w[0]) && w[1] == 0);
}

static void test_invalid_configs(void)
{
    rt_tensor t = {.count = 0};
    CHECK(rt_optim_new(&(rt_optim_config){.kind = RT_OPTIM_ADAM, .lr = 1, .beta1 = 1}, &t, 1, 1) ==
          NULL);
    CHECK(rt_optim_new(&(rt_optim_config){.kind = RT_OPTIM_SGD, .lr = -1}, &t, 1, 1) == NULL);
    CHECK(rt_optim_new(&(rt_optim_config){.kind = RT_OPTIM_SGD, .lr = NAN}, &t, 1, 1) == NULL);
}

int main(void)
{
    test_philox_known_answers();
    test_rng_is_a_function();
    test_uniform_lanes();
    test_uniform_moments();
    test_normal_moments();
    test_normal_pair();
    test_randint_small_range();
    test_randint_unbiased();
    test_randint_edges();
    test_stream_ids_distinct();
    test_init_constant_and_errors();
    test_init_normal_uniform();
    test_init_glorot();
    test_init_orthogonal();
    for (int is_double = 0; is_double <= 1; is_double++) {
        test_adam_two_steps(is_double);
        test_sgd_momentum_two_steps(is_double);
        test_sgd_decay(is_double);
        test_clipping(is_double);
        test_constraints_after_step(is_double);
    }
    test_constrain_keeps_nan();
    test_invalid_configs();
    return check_report();
}
