/* cli_jobs.c -- independent runs (the realisations of --seeds, the points
 * of a sweep) spread over MPI ranks and the cores of each.
 *
 * Without MPI there is one rank, and this is rnnc run --seeds as it always
 * was: the results folder is begun, every run is a child process writing
 * its folder inside it (cli_run_children), as many at once as there are
 * cores. Under mpirun each rank takes a contiguous share of the runs (the
 * same runs, with the same seeds and settings, as one machine would make:
 * a run's numbers do not depend on where it ran) into a folder of its own
 * -- rank 0 into the results folder, the others into a scratch folder of
 * their node's TMPDIR -- and then sends each finished run's folder to
 * rank 0 over MPI, so no shared filesystem is needed.
 */
#define _GNU_SOURCE   /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_mpi.h"

unsigned cli_jobs_cores(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned cores = online > 0 ? (unsigned)online : 1;
#ifdef __linux__
    /* a rank the launcher bound to some cores (Open MPI's default) has those */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int bound = CPU_COUNT(&set);
        if (bound > 0 && (unsigned)bound < cores)
            return (unsigned)bound;
    }
#endif
    /* unbound: the node's cores shared among the ranks on it */
    unsigned here = (unsigned)cli_mpi_node_size();
    return cores / here > 0 ? cores / here : 1;
}

/* Rank 0's folder is the results folder (begun here); another rank's is a
 * scratch folder in TMPDIR. 0, or 1 with the reason printed. */
static int begin_work(const char *dir, rt_outdir *out, char *scratch, size_t size)
{
    if (cli_mpi_rank() == 0) {
        if (rt_outdir_begin(out, dir) == 0)
            return 0;
        fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir,
                errno == EEXIST ? "it exists and is not an rnnc results folder" : strerror(errno));
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, size, "%s/rnnc-rank-%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", cli_mpi_rank());
    if (mkdtemp(scratch))
        return 0;
    fprintf(stderr, "rnnc: error: cannot make a scratch folder for this rank's runs in %s: %s\n",
            tmp && *tmp ? tmp : "/tmp", strerror(errno));
    return 1;
}

/* The runs of this rank, [LO, HI), with its cores; the line said first. */
static void run_share(const cli_run_options *r, const cli_job *jobs, unsigned lo, unsigned hi, const char *work,
                      const char *what, int *codes)
{
    unsigned cores = cli_jobs_cores(), share = hi - lo;
    unsigned parallel = cores < share ? cores : share;
    parallel = parallel ? parallel : 1;
    int threads = (int)(cores / parallel), ranks = cli_mpi_size();
    if (cli_mpi_rank() == 0) {
        if (ranks > 1)
            printf("rnnc: %s over %d MPI ranks; rank 0 runs %u, %u at a time with %d thread%s each\n", what,
                   ranks, share, parallel, threads, threads == 1 ? "" : "s");
        else
            printf("rnnc: %s, %u at a time with %d thread%s each\n", what, parallel, threads,
                   threads == 1 ? "" : "s");
        fflush(stdout);
    }
    if (share)
        cli_run_children(r, jobs + lo, share, work, parallel, threads, codes + lo);
}

/* A rank other than 0: its runs' folders to rank 0, then its scratch
 * folder removed; the rank's exit status. */
static int send_share(const cli_job *jobs, unsigned lo, unsigned hi, const char *work)
{
    int status = 0;
    char err[4600];
    for (unsigned i = lo; i < hi; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", work, jobs[i].folder);
        if (access(path, F_OK) != 0)
            continue;   /* a run that failed before it wrote anything */
        if (cli_mpi_send_folder(work, jobs[i].folder, err, sizeof err) != 0) {
            fprintf(stderr, "rnnc: error: %s; the results of %s are incomplete\n", err, jobs[i].label);
            status = 1;
        }
    }
    cli_mpi_send_end();
    rt_remove_tree(work);
    return status ? status : cli_stop ? 130 : 0;
}

int cli_jobs_run(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *dir, const char *what,
                 rt_outdir *out, int *codes, int *status)
{
    int rank = cli_mpi_rank(), ranks = cli_mpi_size();
    char scratch[4096] = "";
    unsigned char *mine = calloc(k, 1);
    int ready = mine ? begin_work(dir, out, scratch, sizeof scratch) : 1;
    if (!mine)
        fputs("rnnc: out of memory\n", stderr);
    *status = cli_mpi_agree(ready);   /* no rank starts unless every rank can */
    if (*status != 0) {
        if (ready == 0 && rank == 0)
            rt_outdir_abort(out);
        else if (ready == 0)
            rt_remove_tree(scratch);
        free(mine);
        return CLI_JOBS_DONE;
    }
    const char *work = rank == 0 ? out->work_path : scratch;
    unsigned lo = (unsigned)((unsigned long long)k * rank / ranks),
             hi = (unsigned)((unsigned long long)k * (rank + 1) / ranks);
    for (unsigned i = 0; i < k; i++) {
        codes[i] = CLI_NOT_STARTED;
        mine[i] = i >= lo && i < hi;
    }
    run_share(r, jobs, lo, hi, work, what, codes);
    int gathered = cli_mpi_gather_codes(codes, mine, k);
    free(mine);
    if (rank != 0) {
        *status = send_share(jobs, lo, hi, work);
        return CLI_JOBS_DONE;
    }
    for (int from = 1; from < ranks; from++) {
        char err[4600];
        if (cli_mpi_receive_folders(from, work, err, sizeof err) != 0)
            fprintf(stderr, "rnnc: error: %s; some of rank %d's results are missing from %s\n", err, from, dir);
    }
    if (gathered != 0)
        for (unsigned i = 0; i < k; i++)
            if (i >= hi)
                codes[i] = 127;   /* unknown: counted as failed */
    return CLI_JOBS_COMBINE;
}
