/* rt_info.h -- what the runtime was built with. */
#ifndef RNNRT_INFO_H
#define RNNRT_INFO_H

/* "OpenBLAS 0.3.21 ... (2 threads)": a static string. */
const char *rt_blas_describe(void);

#endif
