/* rt_net_f32_avx2.c -- rt_net's float passes compiled for AVX2 with FMA
 * (x86-64 only; rt_net.c uses them when the CPU has both). The thin
 * projections, dot products and elementwise loops run 8 floats wide
 * instead of SSE2's 4, with fused multiply-adds. */
#define REAL float
#define SUF(name) name##_f32_avx2
#define GEMM cblas_sgemm
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* YB[LOCAL[s]] += A W[s] for s < N, 16 synapses at a time by gather and
 * scatter: a row's posts are distinct, so no lane writes what another
 * reads, and each input gets the one fused multiply-add of the scalar
 * loop, the same bits. */
__attribute__((target("avx512f"))) static void add_row_avx512(float *restrict yb, const uint16_t *restrict local,
                                                                const float *restrict w, size_t n, float a)
{
    __m512 va = _mm512_set1_ps(a);
    size_t s = 0;
    for (; s + 16 <= n; s += 16) {
        __m512i idx = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(local + s)));
        __m512 y = _mm512_i32gather_ps(idx, yb, 4);
        _mm512_i32scatter_ps(yb, idx, _mm512_fmadd_ps(va, _mm512_loadu_ps(w + s), y), 4);
    }
    for (; s < n; s++)
        yb[local[s]] = __builtin_fmaf(a, w[s], yb[local[s]]);
}
#define ADD_ROW_WIDE(yb, local, w, n, a) add_row_avx512(yb, local, w, n, a)
#include "rt_net_real.inc"
