/* rt_info.c -- the BLAS the runtime links, as it describes itself. */
#include "rt_info.h"

#include <stdio.h>

#include <cblas.h>

const char *rt_blas_describe(void)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s (%d threads)", openblas_get_config(), openblas_get_num_threads());
    return buf;
}
