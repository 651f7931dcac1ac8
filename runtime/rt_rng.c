/* rt_rng.c -- Philox4x32-10 and the draws built on it (see rt_rng.h). */
#include "rt_rng.h"

#include <math.h>
#include <string.h>

/* Philox4x32 multipliers and key schedule (Weyl sequence) constants, from
 * Salmon et al. 2011, section 5, as in Random123's philox.h. */
enum {
    PHILOX_ROUNDS = 10,
};
static const uint32_t philox_m0 = 0xD2511F53u;
static const uint32_t philox_m1 = 0xCD9E8D57u;
static const uint32_t philox_w0 = 0x9E3779B9u; /* golden ratio */
static const uint32_t philox_w1 = 0xBB67AE85u; /* sqrt(3) - 1 */

static const double two_pi = 6.28318530717958647692528676655900577;
static const double two_pow_minus_53 = 1.0 / 9007199254740992.0;

/* One round: two 32x32->64 multiplies, their high halves xor-ed with the
 * other words and the key, then the words permuted (Random123's
 * _philox4x32round). */
static void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)philox_m0 * c[0];
    uint64_t p1 = (uint64_t)philox_m1 * c[2];
    uint32_t next[4] = {
        (uint32_t)(p1 >> 32) ^ c[1] ^ k[0],
        (uint32_t)p1,
        (uint32_t)(p0 >> 32) ^ c[3] ^ k[1],
        (uint32_t)p0,
    };
    memcpy(c, next, sizeof next);
}

void rt_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        if (round > 0) { /* the key is bumped between rounds, not before the first */
            k[0] += philox_w0;
            k[1] += philox_w1;
        }
        philox_round(c, k);
    }
    memcpy(out, c, sizeof c);
}

static void split_key(uint64_t seed, uint32_t key[2])
{
    key[0] = (uint32_t)seed;
    key[1] = (uint32_t)(seed >> 32);
}

/* The block for (seed, stream, counter): counter in words 0-1, stream in 2-3. */
static void rng_block(uint64_t seed, uint64_t stream, uint64_t counter, uint32_t out[4])
{
    uint32_t key[2];
    split_key(seed, key);
    const uint32_t ctr[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), (uint32_t)stream,
                             (uint32_t)(stream >> 32)};
    rt_philox4x32_10(ctr, key, out);
}

static uint64_t block_word(const uint32_t b[4], int half)
{
    return (uint64_t)b[2 * half] | (uint64_t)b[2 * half + 1] << 32;
}

uint64_t rt_rng_bits(uint64_t seed, uint64_t stream, uint64_t counter)
{
    uint32_t b[4];
    rng_block(seed, stream, counter, b);
    return block_word(b, 0);
}

/* The top 53 bits as a double: every multiple of 2^-53 in [0, 1) equally likely. */
static double unit_interval(uint64_t bits)
{
    return (double)(bits >> 11) * two_pow_minus_53;
}

double rt_rng_uniform(uint64_t seed, uint64_t stream, uint64_t counter)
{
    return unit_interval(rt_rng_bits(seed, stream, counter));
}

enum { LANES = 16 };

/* The ten rounds of LANES blocks at once, word W of block L in cW[L]:
 * philox_round lane by lane, in loops the compiler turns into vector
 * multiplies (32 x 32 -> 64 bits, two or four to an instruction). */
static void philox_lanes_body(uint32_t *restrict c0, uint32_t *restrict c1, uint32_t *restrict c2,
                              uint32_t *restrict c3, const uint32_t key[2])
{
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        if (round > 0) {
            k0 += philox_w0;
            k1 += philox_w1;
        }
        for (int l = 0; l < LANES; l++) {
            uint64_t p0 = (uint64_t)c0[l] * philox_m0;
            uint64_t p1 = (uint64_t)c2[l] * philox_m1;
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[l] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[l] ^ k1;
            c1[l] = (uint32_t)p1;
            c3[l] = (uint32_t)p0;
            c0[l] = n0;
            c2[l] = n2;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The same rounds in AVX-512 where the CPU has it, all sixteen lanes of a
 * word in one register: integer arithmetic, so the same bits. The 32 x 32
 * -> 64-bit products of the even lanes and of the odd lanes (swapped down)
 * are merged into their low and high halves by dword swaps (the shuffle
 * port), leaving the multiplier's port to the products. */
__attribute__((target("avx512f"))) static void philox_lanes_avx512(uint32_t *restrict c0, uint32_t *restrict c1,
                                                                    uint32_t *restrict c2, uint32_t *restrict c3,
                                                                    const uint32_t key[2])
{
    _Static_assert(LANES == 16, "one AVX-512 register of 32-bit lanes");
    const __m512i m0 = _mm512_set1_epi64(philox_m0), m1 = _mm512_set1_epi64(philox_m1);
    const __mmask16 odd = 0xAAAA, even = 0x5555;
    __m512i x0 = _mm512_loadu_si512(c0), x1 = _mm512_loadu_si512(c1);
    __m512i x2 = _mm512_loadu_si512(c2), x3 = _mm512_loadu_si512(c3);
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        if (round > 0) {
            k0 += philox_w0;
            k1 += philox_w1;
        }
        __m512i e0 = _mm512_mul_epu32(x0, m0), o0 = _mm512_mul_epu32(_mm512_shuffle_epi32(x0, _MM_PERM_CDAB), m0);
        __m512i e1 = _mm512_mul_epu32(x2, m1), o1 = _mm512_mul_epu32(_mm512_shuffle_epi32(x2, _MM_PERM_CDAB), m1);
        __m512i lo0 = _mm512_mask_shuffle_epi32(e0, odd, o0, _MM_PERM_CDAB);
        __m512i hi0 = _mm512_mask_shuffle_epi32(o0, even, e0, _MM_PERM_CDAB);
        __m512i lo1 = _mm512_mask_shuffle_epi32(e1, odd, o1, _MM_PERM_CDAB);
        __m512i hi1 = _mm512_mask_shuffle_epi32(o1, even, e1, _MM_PERM_CDAB);
        __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(hi1, x1), _mm512_set1_epi32((int)k0));
        __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(hi0, x3), _mm512_set1_epi32((int)k1));
        x1 = lo1;
        x3 = lo0;
        x0 = n0;
        x2 = n2;
    }
    _mm512_storeu_si512(c0, x0);
    _mm512_storeu_si512(c1, x1);
    _mm512_storeu_si512(c2, x2);
    _mm512_storeu_si512(c3, x3);
}
#endif

static void philox_lanes(uint32_t *restrict c0, uint32_t *restrict c1, uint32_t *restrict c2, uint32_t *restrict c3,
                         const uint32_t key[2])
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx512f"))
        return philox_lanes_avx512(c0, c1, c2, c3, key);
#endif
    philox_lanes_body(c0, c1, c2, c3, key);
}

/* OUT[l] = rt_rng_uniform(SEED, STREAM, K[l]) for the LANES counters K. */
static void uniform_lanes(const uint32_t key[2], uint64_t stream, const uint64_t *k, double *out)
{
    uint32_t c0[LANES], c1[LANES], c2[LANES], c3[LANES];
    for (int l = 0; l < LANES; l++) {
        c0[l] = (uint32_t)k[l];
        c1[l] = (uint32_t)(k[l] >> 32);
        c2[l] = (uint32_t)stream;
        c3[l] = (uint32_t)(stream >> 32);
    }
    philox_lanes(c0, c1, c2, c3, key);
    for (int l = 0; l < LANES; l++)
        out[l] = unit_interval((uint64_t)c0[l] | (uint64_t)c1[l] << 32);
}

void rt_rng_uniform_many(uint64_t seed, uint64_t stream, uint64_t counter, size_t n, double *out)
{
    uint32_t key[2];
    split_key(seed, key);
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        uint64_t k[LANES];
        for (int l = 0; l < LANES; l++)
            k[l] = counter + i + (uint64_t)l;
        uniform_lanes(key, stream, k, out + i);
    }
    for (; i < n; i++)
        out[i] = rt_rng_uniform(seed, stream, counter + i);
}

void rt_rng_uniform_at(uint64_t seed, uint64_t stream, const uint64_t *counters, size_t n, double *out)
{
    uint32_t key[2];
    split_key(seed, key);
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        uniform_lanes(key, stream, counters + i, out + i);
    for (; i < n; i++)
        out[i] = rt_rng_uniform(seed, stream, counters[i]);
}

/* Box & Muller 1958: sqrt(-2 ln u1) cos(2 pi u2) is N(0, 1) for independent
 * uniform u1, u2. u1 is shifted to (0, 1] so the log never sees 0; the
 * smallest u1, 2^-53, bounds |z| by sqrt(106 ln 2) = 8.57. */
double rt_rng_normal(uint64_t seed, uint64_t stream, uint64_t counter)
{
    uint32_t b[4];
    rng_block(seed, stream, counter, b);
    double u1 = (double)((block_word(b, 0) >> 11) + 1) * two_pow_minus_53;
    double u2 = unit_interval(block_word(b, 1));
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

/* The same pair's other half, sqrt(-2 ln u1) sin(2 pi u2), is independent of
 * the first (Box & Muller 1958), so one block gives two normals. */
void rt_rng_normal_pair(uint64_t seed, uint64_t stream, uint64_t counter, double out[2])
{
    uint32_t b[4];
    rng_block(seed, stream, counter, b);
    double u1 = (double)((block_word(b, 0) >> 11) + 1) * two_pow_minus_53;
    double u2 = unit_interval(block_word(b, 1));
    double r = sqrt(-2.0 * log(u1));
    out[0] = r * cos(two_pi * u2);
    out[1] = r * sin(two_pi * u2);
}

/* The full 128-bit product a*b: high half returned, low half in *lo. Done in
 * 32-bit pieces because unsigned __int128 is not C17. */
static uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *lo)
{
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t p00 = a_lo * b_lo, p01 = a_lo * b_hi, p10 = a_hi * b_lo, p11 = a_hi * b_hi;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10; /* < 3 * 2^32: no overflow */
    *lo = mid << 32 | (uint32_t)p00;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* LO + OFFSET where the true sum lies in [LO, HI) and so fits int64_t; done
 * in unsigned arithmetic (wraps, defined) and converted back without relying
 * on the implementation-defined unsigned-to-signed conversion. */
static int64_t add_offset(int64_t lo, uint64_t offset)
{
    uint64_t u = (uint64_t)lo + offset;
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}

/* Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1),
 * 2019: the high half of x * range is the draw; x is rejected when the low
 * half falls below 2^64 mod range, which leaves every result with exactly
 * floor(2^64 / range) accepted x. The block gives two candidates; if both are
 * rejected (probability < (range / 2^64)^2) the block is passed through Philox
 * again, so the result stays a function of (seed, stream, counter) alone. */
int64_t rt_rng_randint(uint64_t seed, uint64_t stream, uint64_t counter, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    uint64_t range = (uint64_t)hi - (uint64_t)lo;
    uint64_t threshold = (0 - range) % range; /* = 2^64 mod range */
    uint32_t key[2], b[4];
    split_key(seed, key);
    rng_block(seed, stream, counter, b);
    for (;;) {
        for (int half = 0; half < 2; half++) {
            uint64_t low, draw = mul_64x64(block_word(b, half), range, &low);
            if (low >= threshold)
                return add_offset(lo, draw);
        }
        uint32_t next[4];
        rt_philox4x32_10(b, key, next);
        memcpy(b, next, sizeof next);
    }
}

rt_poisson rt_poisson_prepare(double mean)
{
    rt_poisson p = {.n_cdf = 0, .pieces = 1};
    if (!(mean > 0))
        return p;   /* no entry: every count is 0 */
    mean = mean < RT_POISSON_MAX_MEAN ? mean : RT_POISSON_MAX_MEAN;
    double pieces = ceil(mean / RT_POISSON_PIECE);
    p.pieces = pieces < 1 ? 1 : (unsigned)pieces;
    double piece = mean / p.pieces, term = exp(-piece), f = term;
    p.cdf[p.n_cdf++] = f;
    for (unsigned k = 1; k < RT_POISSON_TABLE; k++) {
        term *= piece / k;
        if (f + term == f)
            break;
        f += term;
        p.cdf[p.n_cdf++] = f;
    }
    /* Chen & Asau's guide table: where the search for a u of [g, g + 1) / 256 starts */
    unsigned k = 0;
    for (unsigned g = 0; g < RT_POISSON_TABLE; g++) {
        while (k < p.n_cdf && p.cdf[k] <= (double)g / RT_POISSON_TABLE)
            k++;
        p.guide[g] = (uint8_t)k;
    }
    return p;
}

/* The number of entries of P's table at or below U: the smallest k with
 * U < F(k) (the table is increasing), searched from the guide's entry. */
static int64_t poisson_inverse(double u, const rt_poisson *p)
{
    unsigned k = p->guide[(unsigned)(u * RT_POISSON_TABLE)];
    while (k < p->n_cdf && p->cdf[k] <= u)
        k++;
    return k;
}

int64_t rt_rng_poisson_prepared(uint64_t seed, uint64_t stream, uint64_t counter, const rt_poisson *p)
{
    if (p->n_cdf == 0)
        return 0;
    int64_t k = poisson_inverse(rt_rng_uniform(seed, stream, counter), p);
    for (unsigned j = 1; j < p->pieces; j++)
        k += poisson_inverse(rt_rng_uniform(seed, rt_rng_stream(stream, j), counter), p);
    return k;
}

void rt_rng_poisson_many(uint64_t seed, uint64_t stream, uint64_t counter, size_t n, const rt_poisson *p,
                         double *scratch, double *out)
{
    if (p->n_cdf == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
        return;
    }
    for (unsigned j = 0; j < p->pieces; j++) {
        rt_rng_uniform_many(seed, j ? rt_rng_stream(stream, j) : stream, counter, n, scratch);
        for (size_t i = 0; i < n; i++) {
            double k = (double)poisson_inverse(scratch[i], p);
            out[i] = j ? out[i] + k : k;
        }
    }
}

int64_t rt_rng_poisson(uint64_t seed, uint64_t stream, uint64_t counter, double mean)
{
    rt_poisson p = rt_poisson_prepare(mean);
    return rt_rng_poisson_prepared(seed, stream, counter, &p);
}

/* SplitMix64's finaliser (Steele, Lea & Flood, OOPSLA 2014; constants from
 * Stafford's "Mix13"): a bijection on 64 bits with full avalanche. */
static uint64_t splitmix64_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* mix(a ^ mix(b + golden)) is a bijection in a for fixed b and in b for fixed
 * a, hence the no-collision promise in rt_rng.h. The golden-ratio offset keeps
 * (0, 0) away from stream 0. */
uint64_t rt_rng_stream(uint64_t a, uint64_t b)
{
    return splitmix64_mix(a ^ splitmix64_mix(b + 0x9E3779B97F4A7C15u));
}
