/* rt_net_f64.c -- rt_net's passes in double (precision float64). */
#define REAL double
#define SUF(name) name##_f64
#define GEMM cblas_dgemm
#include "rt_net_real.inc"
