/* cli.h -- pieces of the rnnc command line shared between its files. */
#ifndef RNNC_CLI_H
#define RNNC_CLI_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "frontend.h"
#include "rt_outdir.h"

typedef struct cli_run_options {
    const char *model_path;
    const char *out_dir;         /* NULL: runs/<model>-<seed> */
    uint64_t seed;
    int seed_given;
    unsigned seeds;              /* --seeds K: K realisations (0: one run) */
    int resume;                  /* --resume: the runs out_dir holds finished are not run again */
    int verbose;
    double check_ms;             /* time the front end took */
} cli_run_options;

/* rnnc task show FILE TASK: the options as given. */
typedef struct cli_task_options {
    const char *file, *task;
    size_t trials;               /* --trials K (default 4) */
    const char *out_dir;         /* NULL: runs/task-TASK */
    double dt;                   /* --dt in seconds; 0: the model's run's, else 1 ms */
    uint64_t seed;
    int seed_given;
} cli_task_options;

/* Draws and saves K sample trials of a task of a checked file
 * (cli_task.c); returns the exit status. */
int cli_task_show(frontend *fe, const frontend_options *fopts, const cli_task_options *topts);

/* Begins the results folder DIR as rnnc run does (rt_outdir_begin); 0, or
 * -1 with the reason printed. */
int cli_open_results(rt_outdir *out, const char *dir);

/* Writes the run folder for a checked model; returns the exit status. */
int cli_run(frontend *fe, const frontend_options *fopts, const cli_run_options *ropts);

/* rnnc analyze DIR: the model's analyses again on the trained weights in
 * DIR (a results folder of rnnc run), which is rewritten atomically with the
 * new analyses, pictures and report; returns the exit status. */
int cli_analyze(frontend *fe, const frontend_options *fopts, const cli_run_options *ropts, const char *dir);

/* rnnc run --seeds K: K realisations from FIRST_SEED on, each in a child
 * process, combined in DIR; returns the exit status. */
int cli_run_seeds(const frontend_options *fopts, const cli_run_options *ropts, const char *dir,
                  uint64_t first_seed);

/* One of several independent runs (--seeds, sweep): 'rnnc run --seed SEED'
 * with the -D values of OPTS, into FOLDER inside the combined folder. */
typedef struct cli_job {
    const frontend_options *opts;
    uint64_t seed;
    char folder[256];            /* "seed-3", "point-2/seed-3" */
    char label[512];             /* how messages name it: "realisation with seed 3" */
} cli_job;

/* The exit status of a run an interruption kept from starting. */
#define CLI_NOT_STARTED (-1)

/* Runs JOBS[K] into WORK/FOLDER, each in a child process, at most PARALLEL
 * at a time with THREADS threads each; CODES gets each exit status
 * (cli_seeds.c). */
void cli_run_children(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *work,
                      unsigned parallel, int threads, int *codes);

/* How JOBS[K] ended, told on stderr: the runs that failed, and those that
 * stopped before the end of their training. */
typedef struct cli_tally {
    unsigned trained, stopped, unfinished;   /* stopped: by Ctrl-C, or never started */
} cli_tally;
/* Whether a flattened summary name (rt_summary_flatten) is a result:
 * settings, sizes and timings are not (cli_seeds.c). */
int cli_is_result(const char *name);

cli_tally cli_tally_runs(const cli_job *jobs, const int *codes, unsigned k, const char *work);

/* The runs JOBS[K] into the results folder DIR (cli_jobs.c): spread over
 * the MPI ranks when started by mpirun (each rank's share sent to rank 0),
 * and over the cores of each. WHAT names the work in the line printed
 * first ("12 realisations of and.rnn (seeds 1 to 12)"). At rank 0 returns
 * CLI_JOBS_COMBINE with OUT begun (for the caller to finish and commit or
 * abort) and CODES[K] filled; else CLI_JOBS_DONE with *STATUS the exit
 * status (an error before any work is printed). */
enum { CLI_JOBS_COMBINE, CLI_JOBS_DONE };
int cli_jobs_run(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *dir, const char *what,
                 rt_outdir *out, int *codes, int *status);

/* The cores this process may use for its runs: those it is bound to, or
 * the node's shared among its MPI ranks (cli_jobs.c). */
unsigned cli_jobs_cores(void);

/* rnnc sweep MODEL --grid NAME=V1,V2,... [--seeds K]: the cartesian product
 * of the grids' values times the seeds as independent runs into one folder
 * (cli_sweep.c); returns the exit status. */
int cli_sweep(const frontend_options *fopts, const cli_run_options *ropts, const char *const *grids,
              unsigned n_grids);

/* Set by SIGINT, SIGTERM or SIGHUP once cli_catch_stop_signals has run
 * (cli_signals.c): the run stops cleanly, keeps what was done and exits 130. */
extern volatile sig_atomic_t cli_stop;
/* Installs the handler and unblocks the three signals. */
void cli_catch_stop_signals(void);
/* Blocks (1) or unblocks (0) the three signals: around a fork. */
void cli_block_stop_signals(int block);
/* The signals are passed on to PIDS[COUNT] (entries <= 0 skipped) from
 * now on; NULL stops that. */
void cli_forward_stop_signals(pid_t *pids, unsigned count);

/* The environment variable by which --seeds gives each realisation its
 * share of the cores (when the user gave no -D threads): the setting
 * 'threads' in force, over the model's, but no define of the user's, so
 * not in the summary's "defines". Results do not depend on it. */
#define CLI_SEEDS_THREADS "RNNC_SEEDS_THREADS"

/* Said after the error of a picture or report.html that could not be
 * written: a run's results are kept without them. */
#define CLI_PICTURES_KEPT "rnnc: not every picture could be written; the results are kept without them\n"

/* Whether diagnostics on stderr are coloured (a terminal, NO_COLOR unset). */
int cli_use_color(void);

/* rnnc fmt [--check] FILE...: ARGV holds what follows 'fmt' (cli_fmt.c);
 * returns the exit status. */
int cli_fmt(int argc, char **argv);

/* Prints the optimised LLVM IR of the model's kernels; returns the exit status. */
int cli_emit_llvm(frontend *fe, const frontend_options *fopts, const cli_run_options *ropts);

#endif
