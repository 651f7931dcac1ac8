/* cli_sweep.c -- rnnc sweep (placeholder while the MPI runs are built). */
#include <stdio.h>

#include "cli.h"

int cli_sweep(const frontend_options *o, const cli_run_options *r, const char *const *grids, unsigned n_grids)
{
    (void)o, (void)r, (void)grids, (void)n_grids;
    fputs("rnnc: error: sweep is not built yet\n", stderr);
    return 1;
}
