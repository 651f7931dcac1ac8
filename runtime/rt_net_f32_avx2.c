/* rt_net_f32_avx2.c -- rt_net's float passes compiled for AVX2 with FMA
 * (x86-64 only; rt_net.c uses them when the CPU has both). The thin
 * projections, dot products and elementwise loops run 8 floats wide
 * instead of SSE2's 4, with fused multiply-adds. */
#define REAL float
#define SUF(name) name##_f32_avx2
#define GEMM cblas_sgemm
#include "rt_net_real.inc"
