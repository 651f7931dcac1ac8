/* rt_rng.h -- counter-based random numbers (Philox4x32-10).
 *
 * Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11. Every value is a pure function of (seed, stream, counter): no state,
 * so a draw never depends on how many threads ran or in which order.
 *
 * One (seed, stream, counter) gives one value. The draws share the same
 * 128-bit block, so asking for rt_rng_uniform and rt_rng_normal at the same
 * triple gives correlated numbers: give each use its own counter or stream.
 */
#ifndef RNNRT_RNG_H
#define RNNRT_RNG_H

#include <stddef.h>
#include <stdint.h>

/* The raw bijection: ten Philox rounds of CTR under KEY (Random123's
 * philox4x32_10, bit for bit). */
void rt_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* 64 random bits. Philox key = SEED, Philox counter = (COUNTER, STREAM),
 * low 32-bit words first. */
uint64_t rt_rng_bits(uint64_t seed, uint64_t stream, uint64_t counter);

/* Uniform on [0, 1): a multiple of 2^-53. */
double rt_rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter);

/* OUT[i] = rt_rng_uniform(SEED, STREAM, COUNTER + i) for i < N, bit for
 * bit, sixteen blocks at a time (the compiler's vector instructions do
 * the rounds of several blocks together). */
void rt_rng_uniform_many(uint64_t seed, uint64_t stream, uint64_t counter, size_t n, double *out);

/* OUT[i] = rt_rng_uniform(SEED, STREAM, COUNTERS[i]) for i < N, bit for
 * bit, as rt_rng_uniform_many but at any counters. */
void rt_rng_uniform_at(uint64_t seed, uint64_t stream, const uint64_t *counters, size_t n, double *out);

/* Standard normal N(0, 1) by Box-Muller from one 128-bit block; finite
 * always (|z| <= 8.6). */
double rt_rng_normal(uint64_t seed, uint64_t stream, uint64_t counter);

/* Two independent N(0, 1) from one block; OUT[0] equals rt_rng_normal()'s. */
void rt_rng_normal_pair(uint64_t seed, uint64_t stream, uint64_t counter, double out[2]);

/* Uniform on the integers [LO, HI), exactly unbiased; LO when HI <= LO. */
int64_t rt_rng_randint(uint64_t seed, uint64_t stream, uint64_t counter, int64_t lo, int64_t hi);

/* Poisson(MEAN) events (MEAN >= 0), from (SEED, STREAM, COUNTER): the
 * CDF inverted from one uniform u, the count the number of k with
 * F(k) <= u, F summed term by term (p_k = p_(k-1) MEAN / k) until adding
 * a term changes it no more; a mean above RT_POISSON_PIECE is the sum of
 * equal pieces below it (a sum of independent Poissons is Poisson), piece
 * j > 0 drawn on stream rt_rng_stream(STREAM, j). rt_poisson_prepare
 * makes the table of F once for every draw of one mean (at most
 * RT_POISSON_TABLE entries, which a piece's mean never needs). */
enum { RT_POISSON_PIECE = 64, RT_POISSON_PIECES = 65536, RT_POISSON_TABLE = 256 };
#define RT_POISSON_MAX_MEAN ((double)RT_POISSON_PIECE * RT_POISSON_PIECES)   /* larger means draw this */
typedef struct rt_poisson {
    double cdf[RT_POISSON_TABLE];   /* F(0), F(1), ... of one piece */
    uint8_t guide[RT_POISSON_TABLE];   /* guide[g]: the entries at or below g / RT_POISSON_TABLE */
    unsigned n_cdf, pieces;
} rt_poisson;
rt_poisson rt_poisson_prepare(double mean);
int64_t rt_rng_poisson_prepared(uint64_t seed, uint64_t stream, uint64_t counter, const rt_poisson *p);
int64_t rt_rng_poisson(uint64_t seed, uint64_t stream, uint64_t counter, double mean);
/* OUT[i] = rt_rng_poisson_prepared(SEED, STREAM, COUNTER + i, P) for i < N;
 * SCRATCH holds N doubles. */
void rt_rng_poisson_many(uint64_t seed, uint64_t stream, uint64_t counter, size_t n, const rt_poisson *p,
                         double *scratch, double *out);

/* One stream id from two ids, e.g. (trial, statement). Pairs that differ in
 * one id only never collide; pairs that differ in both collide with
 * probability about 2^-64. */
uint64_t rt_rng_stream(uint64_t a, uint64_t b);

/* The random streams of a run, keyed with its seed: every id in one place,
 * so no two uses share one. The values are ASCII tags ("shuf", "weig", ...)
 * and must not change: they fix what a seed gives. Task draws are keyed by
 * the trial and the draw's place in the source (compiler/plan/task_gen.c). */
typedef enum rt_stream_id {
    RT_STREAM_SHUFFLE = 0x73687566,       /* training samples' order, per epoch */
    RT_STREAM_WEIGHTS = 0x77656967,       /* initial weights, per projection */
    RT_STREAM_BIAS = 0x62696173,          /* initial biases, per projection */
    RT_STREAM_FEEDBACK = 0x66656564,      /* feedback weights (e-prop's B), per feedback */
    RT_STREAM_MASK = 0x6d61736b,          /* connection rules' masks, per projection */
    RT_STREAM_FP_INITS = 0x6670,          /* fixed points: which states start the search */
    RT_STREAM_ROBUSTNESS = 0x726f62,      /* robustness: the added input noise, per level */
    RT_STREAM_DEGRADATION = 0x646567,     /* degradation: which units are silenced, per draw */
    RT_STREAM_NEURON = 0x6e657572,        /* a neuron's random draws, per trial, population and draw */
} rt_stream_id;

#endif
