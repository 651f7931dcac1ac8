/* cli_mpi.h -- rnnc started by an MPI launcher (mpirun, srun): which rank
 * this is, the ranks' one agreement before any work, and the transfer of
 * results to rank 0 (cli_mpi.c, the only file that includes mpi.h).
 *
 * Without a launcher every function here acts as for one rank of one, so
 * callers need no second path. A build without MPI refuses a launch.
 */
#ifndef RNNC_CLI_MPI_H
#define RNNC_CLI_MPI_H

#include <stddef.h>

/* Set in the environment of every realisation --seeds or sweep starts: a
 * child run is no rank of its own, though it inherits the launcher's
 * variables. */
#define CLI_REALISATION "RNNC_REALISATION"

/* Whether this process was started by an MPI launcher: Open MPI's mpirun
 * (OMPI_COMM_WORLD_SIZE), MPICH's or Slurm's PMI (PMI_SIZE), PMIx
 * (PMIX_RANK); never for a realisation (CLI_REALISATION). */
int cli_mpi_launched(void);

/* Whether this rnnc was built with MPI. */
int cli_mpi_built(void);

/* Starts MPI when launched, else does nothing; 0, or the exit status 2
 * with a one-line message (a launch of a build without MPI). The messages
 * of ranks other than 0 are held back until cli_mpi_agree: every rank
 * checks the same command line and model, and one copy of an error is
 * enough. */
int cli_mpi_start(void);

/* This rank (0 without MPI) and the number of ranks (1 without MPI). */
int cli_mpi_rank(void);
int cli_mpi_size(void);
/* The ranks on this rank's node (1 without MPI). */
int cli_mpi_node_size(void);

/* Every rank gives its STATUS (0: ready to work); returns the first
 * non-zero status in rank order, 0 when every rank is ready. A rank whose
 * failure rank 0 did not share prints the messages it held back, named by
 * its rank. Once per process; later calls return the first result. */
int cli_mpi_agree(int status);
/* Whether cli_mpi_agree has been called. */
int cli_mpi_agreed(void);

/* Rank 0 gets CODES[K], each entry given by the one rank whose MINE[i] is
 * set (the others' entries are ignored); 0, or -1 (message printed). */
int cli_mpi_gather_codes(int *codes, const unsigned char *mine, unsigned k);

/* Rank 0's DATA[N] to every rank; 0, or -1 (message printed). */
int cli_mpi_broadcast(void *data, size_t n);

/* Sends the folder WORK/NAME and everything in it to rank 0 as NAME;
 * 0, or -1 with the reason in ERR (rank 0 is told too). */
int cli_mpi_send_folder(const char *work, const char *name, char *err, size_t err_size);
/* Ends what this rank sends to rank 0. */
void cli_mpi_send_end(void);
/* At rank 0: every folder rank FROM sends, written under WORK, until its
 * end; 0, or -1 with the first reason in ERR (the rest is still received,
 * so the ranks stay in step). */
int cli_mpi_receive_folders(int from, const char *work, char *err, size_t err_size);

/* Data-parallel training's sum (rt_data_parallel.sum; CTX unused):
 * VALUES[N] summed over every rank in place with MPI_Allreduce, each rank
 * getting the same sums; 0, or -1 (MPI reported an error). */
int cli_mpi_sum(void *ctx, double *values, size_t n);
/* How many sums this rank has taken part in. */
unsigned long cli_mpi_sums(void);

/* Ends MPI if it was started (after cli_mpi_agree(STATUS) if no agreement
 * was made yet, so no rank waits for one that left); returns STATUS, or
 * the agreed status when the ranks never started work. */
int cli_mpi_finish(int status);

#endif
