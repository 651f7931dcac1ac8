/* rt_net_f64_avx2.c -- rt_net's double passes compiled for AVX2 with FMA
 * (see rt_net_f32_avx2.c). */
#define REAL double
#define SUF(name) name##_f64_avx2
#define GEMM cblas_dgemm
#include "rt_net_real.inc"
