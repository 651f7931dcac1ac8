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
