/* api_internal.h -- what the files of librnnc share (compiler/api/): the
 * objects behind include/rnnc.h's opaque types, and the making of errors.
 * Nothing here is exported from librnnc.so (rnnc.map).
 */
#ifndef RNNC_API_INTERNAL_H
#define RNNC_API_INTERNAL_H

#include <stdarg.h>

#include "frontend.h"
#include "plan.h"
#include "rnnc.h"

typedef struct api_diagnostic {
    char *message, *file;
    unsigned line, column;
} api_diagnostic;

struct rnnc_error {
    rnnc_status status;
    char *message;
    size_t count;
    api_diagnostic *diagnostics;
};

struct rnnc_model {
    frontend fe;
    frontend_options fo;           /* the plan keeps a pointer to it */
    frontend_define *defines;
    char **owned;                  /* copies of the options' strings */
    size_t n_owned;
    const char **search;
    char *name, *path, *warnings;
    double check_ms;
    plan p;
    int planned;                   /* P holds a built plan (plan_free it) */
    int from_text;                 /* compiled from text: PATH is only its name */
    int broken;                    /* the memory ran out while compiling: only freed */
    size_t train_updates;          /* the plan's settings as built, restored before each run */
    int train, threads;
    char *projections[RT_MAX_PROJS];
    /* rnnc_model_set_weights: [post][pre] and [post] doubles, or NULL */
    double *set_weights[RT_MAX_PROJS], *set_bias[RT_MAX_PROJS];
};

/* Sets *ERR (when ERR is not NULL) to a new error of STATUS with the
 * message FMT; returns STATUS. */
rnnc_status api_fail(rnnc_error **err, rnnc_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error of STATUS whose message is TEXT (a stream's contents: every
 * line as the rnnc command prints it), its trailing newline dropped. */
rnnc_status api_fail_text(rnnc_error **err, rnnc_status status, const char *text);

/* NAMES listed for a message, "a, b, c" (cut with "..." to fit SIZE), in
 * BUF; "none" when COUNT is 0. */
const char *api_listed(const char *const *names, size_t count, char *buf, size_t size);

/* The plan of M for SEED (rebuilt when it was built for another seed),
 * with the weights set by rnnc_model_set_weights in it. 0, or a status
 * with *ERR. */
rnnc_status api_model_plan(rnnc_model *m, uint64_t seed, rnnc_error **err);

/* The projection named NAME ("h->h", "x->h.I_r", spaces allowed), or -1. */
int api_model_projection(const rnnc_model *m, const char *name);

/* NAME ("h -> h", "x->h.I_r") as a file stem ("h_h", "x_h_I_r") into BUF;
 * NULL when it names no projection (no "->"). */
const char *api_projection_stem(const char *name, char *buf, size_t size);

/* What the run that wrote R says of itself (rnnc_result_status and
 * _message; MESSAGE is taken, NULL for ""), and whether R's folder is a
 * temporary one that rnnc_result_free removes. */
void api_result_set_run(rnnc_result *r, rnnc_status status, char *message, int temporary);

/* The seed of R's run (its summary's). */
rnnc_status api_result_seed(const rnnc_result *r, unsigned long long *seed, rnnc_error **err);

/* R read again from its folder (after rnnc_reanalyze rewrote it). */
rnnc_status api_result_reread(rnnc_result *r, rnnc_error **err);

#endif
