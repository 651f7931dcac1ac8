/* run_folder.h -- a planned run carried out into its results folder: the
 * one implementation behind `rnnc run`, `rnnc analyze` and librnnc's
 * rnnc_run and rnnc_reanalyze.
 *
 * The runtime trains and writes the arrays (runtime/rt_run.h); this adds
 * what only the compiler knows (summary.json's model, settings as written,
 * the names of the records), the model's copy and the pictures, and commits
 * the folder atomically (runtime/rt_outdir.h). Nothing here prints to the
 * terminal or exits: every message goes to the caller's stream, as the
 * rnnc command prints it (stderr there, a memory stream in the library).
 */
#ifndef RNNC_RUN_FOLDER_H
#define RNNC_RUN_FOLDER_H

#include <signal.h>
#include <stdio.h>

#include "plan.h"
#include "rt_outdir.h"
#include "rt_run.h"

typedef struct run_folder_info {
    const char *model_path;     /* the model file as given: summary.json's model_file */
    int from_text;              /* MODEL_PATH only names source text (rnnc_compile_text): no
                                   model_path, the absolute file, in the summary */
    const char *model;          /* its name ("flipflop3"): summary's model, the report's title */
    double check_ms;            /* the front end's time */
    int threads;                /* > 0: threads given over the model's setting (not by -D), shown in
                                   the summary's settings; results do not depend on it */
    FILE *messages;             /* where every error and note goes */
    int color;                  /* located errors coloured (a terminal) */
    int progress_line;          /* a progress line is on MESSAGES: end it when training stops early */
} run_folder_info;

/* The model's name from its file's: no folder, no ".rnn" ("flipflop3"), in BUF. */
const char *run_folder_model_name(const char *path, char *buf, size_t size);

/* The time from the source to compiled kernels, as summary.json's compile_ms. */
double run_folder_compile_ms(double check_ms, const plan *p);

/* Begins the results folder DIR (rt_outdir_begin); 0, or -1 with the
 * reason on MESSAGES. */
int run_folder_open(rt_outdir *out, const char *dir, FILE *messages);

/* Trains (or evaluates) P and writes DIR whole: the runtime's arrays,
 * summary.json, model.rnn, the pictures and report.html; STOP and
 * PROGRESS (may be NULL) as rt_run_train takes them. RES gets the numbers
 * (rt_run_result_free it). 0, or 1 when nothing was written (DIR is as it
 * was), with the errors on INFO's messages; *IO_FAILED then says whether a
 * file or folder could not be written, not the run itself failing. */
int run_folder_train(frontend *fe, const frontend_options *o, plan *p, const run_folder_info *info,
                     const char *dir, volatile sig_atomic_t *stop, const rt_progress *progress,
                     rt_run_result *res, int *io_failed);

/* DIR's summary.json, parsed; NULL with the reason on MESSAGES. */
json_t *run_folder_load_summary(const char *dir, FILE *messages);

/* The model's analyses again on the trained weights in DIR, a results
 * folder of a run of P's model whose summary is DOC (run_folder_load_summary;
 * its "analysis" is replaced), rewritten atomically with the new analyses,
 * summary, pictures and report. 0, 1 on an error, 130 when STOP stopped it
 * (DIR is then as it was), with the messages on INFO's stream. */
int run_folder_reanalyze(frontend *fe, plan *p, const run_folder_info *info, const char *dir, json_t *doc,
                         volatile sig_atomic_t *stop, rt_run_result *res);

#endif
