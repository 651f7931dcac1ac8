/* rt_net_f32.c -- rt_net's passes in float (the default precision). */
#define REAL float
#define SUF(name) name##_f32
#define GEMM cblas_sgemm
#include "rt_net_real.inc"
