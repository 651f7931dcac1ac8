/* rnnc.h -- the rnnc library: compile a model written in the rnnc language,
 * train or evaluate it, and read its results as arrays.
 *
 * This is the one public header of librnnc (shared and static, installed
 * with a pkg-config file: `pkg-config --cflags --libs rnnc`). The rnnc
 * command and the Python module (python/rnnc/) are written over it.
 *
 *     rnnc_error *err = NULL;
 *     rnnc_model *m = rnnc_compile_file("flipflop3.rnn", NULL, &err);
 *     if (!m) { fputs(rnnc_error_message(err), stderr); rnnc_error_free(err); return 1; }
 *     rnnc_run_options ro = rnnc_run_defaults();
 *     ro.seed = 1; ro.seed_given = 1;
 *     rnnc_result *r = rnnc_run(m, &ro, &err);
 *     rnnc_array w;
 *     if (r && rnnc_result_weights(r, "h->h", "final", &w, &err) == RNNC_OK) { ...; rnnc_array_free(&w); }
 *
 * Conventions:
 * - Every call that can fail takes `rnnc_error **err` (may be NULL). On
 *   failure it returns NULL or a status other than RNNC_OK, and sets *err
 *   to a new error (free it with rnnc_error_free); on success *err is left
 *   untouched. Nothing is printed and nothing exits: a model's diagnostics
 *   are in the error, as `rnnc check` would print them (file:line:col:
 *   error: message, the source line and a caret, no colour).
 * - Strings are UTF-8 and NUL-terminated; those returned are owned by the
 *   object they come from and live as long as it does.
 * - Separate models may be compiled and run from separate threads at the
 *   same time. One model (and its results) is used by one thread at a time.
 * - No signal handler is installed: stop a run through rnnc_run_options.stop.
 */
#ifndef RNNC_H
#define RNNC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RNNC_API_VERSION 1

/* The library's version ("0.1.0"), as `rnnc --version` prints it. */
const char *rnnc_version(void);

/* ------------------------------------------------------------------ errors */

typedef enum rnnc_status {
    RNNC_OK = 0,
    RNNC_MODEL_ERROR,     /* the model has errors: its diagnostics are in the message */
    RNNC_USAGE,           /* a bad argument: a NULL model, an unknown name, a wrong size */
    RNNC_IO_ERROR,        /* a file that cannot be read or written (a full disk) */
    RNNC_NO_MEMORY,       /* out of memory, or a network too big for it */
    RNNC_RUN_ERROR,       /* the run failed (a trial that fails, a kernel that cannot be compiled) */
    RNNC_INTERRUPTED,     /* stopped by the stop flag; what was done is kept */
    RNNC_NON_FINITE       /* training stopped at a NaN or infinity; what was done is kept */
} rnnc_status;

typedef struct rnnc_error rnnc_error;

rnnc_status rnnc_error_status(const rnnc_error *e);
/* The whole text: every diagnostic, or one line saying what failed. */
const char *rnnc_error_message(const rnnc_error *e);
/* The diagnostics one by one (errors and warnings, in order): their number,
 * and the I-th one's parts. FILE is NULL, LINE and COLUMN 0, for an error
 * that has no place in a source. */
size_t rnnc_error_diagnostic_count(const rnnc_error *e);
const char *rnnc_error_diagnostic(const rnnc_error *e, size_t i, const char **file, unsigned *line,
                                  unsigned *column);
void rnnc_error_free(rnnc_error *e);

/* --------------------------------------------------------------- compiling */

/* One -D setting: NAME=VALUE, NAME as `rnnc -D` takes it ("n", "FlipFlop.noise",
 * "LIF.tau_m") and VALUE an expression in the language ("20 ms", "[0, 6.4]"). */
typedef struct rnnc_define {
    const char *name;
    const char *value;
} rnnc_define;

typedef struct rnnc_options {
    const rnnc_define *defines;
    size_t define_count;
    /* Folders searched by `import` after the model's own folder, before the
     * standard library; NULL: the RNNC_PATH environment variable's. */
    const char *const *search_path;
    size_t search_count;
    /* The standard library's folder; NULL: RNNC_STDLIB, else the one installed
     * with this library (found from the library's own location). */
    const char *stdlib_dir;
} rnnc_options;

typedef struct rnnc_model rnnc_model;

/* Parses, checks and plans a model (what `rnnc check` does, and what `rnnc
 * run` does before it trains); OPTIONS may be NULL. The kernels are
 * JIT-compiled here too, so that a model that compiles runs. */
rnnc_model *rnnc_compile_file(const char *path, const rnnc_options *options, rnnc_error **err);
/* The same for source text; NAME is its file name in diagnostics, and
 * imports and load("...") are relative to the current folder. */
rnnc_model *rnnc_compile_text(const char *name, const char *text, const rnnc_options *options,
                              rnnc_error **err);
/* `rnnc check` of source text: RNNC_OK, or the diagnostics in *err. A
 * model file that runs compiles; a file of definitions alone (no train or
 * evaluate) is checked on its own. */
rnnc_status rnnc_check_text(const char *name, const char *text, const rnnc_options *options,
                            rnnc_error **err);
void rnnc_model_free(rnnc_model *m);

/* The warnings the model compiled with (rnnc check prints them), or NULL. */
const char *rnnc_model_warnings(const rnnc_model *m);
/* The model's name: the file name without ".rnn" ("model" for text). */
const char *rnnc_model_name(const rnnc_model *m);

/* The network's projections, named "PRE->POST" ("h->h", "x->h.I_r" for a
 * port), in declaration order. */
size_t rnnc_model_projection_count(const rnnc_model *m);
const char *rnnc_model_projection(const rnnc_model *m, size_t i);

/* ----------------------------------------------------------------- arrays */

typedef enum rnnc_dtype { RNNC_F32, RNNC_F64, RNNC_I32, RNNC_I64, RNNC_U8 } rnnc_dtype;

#define RNNC_MAX_DIMS 8

/* A C-ordered (row-major) array that the caller owns: rnnc_array_free. */
typedef struct rnnc_array {
    rnnc_dtype dtype;
    size_t ndim;
    size_t shape[RNNC_MAX_DIMS];
    void *data;
} rnnc_array;

size_t rnnc_array_size(const rnnc_array *a);   /* the number of elements */
void rnnc_array_free(rnnc_array *a);           /* frees data; A may be reused */

/* ---------------------------------------------------------------- weights */

/* The initial weights of PROJECTION ([post, pre]) that a run with SEED
 * starts from: its initialiser, mask and constraints applied, or the
 * weights set with rnnc_model_set_weights. */
rnnc_status rnnc_model_weights(rnnc_model *m, const char *projection, uint64_t seed, rnnc_array *out,
                               rnnc_error **err);
/* Replaces PROJECTION's initial weights (and bias, when BIAS is not NULL)
 * in every later run: W is [post, pre] float32 or float64, BIAS [post]. The
 * projection's mask and constraints (Dale's law, bounds) still hold. A
 * wrong shape or dtype is RNNC_USAGE. */
rnnc_status rnnc_model_set_weights(rnnc_model *m, const char *projection, const rnnc_array *w,
                                   const rnnc_array *bias, rnnc_error **err);

/* ------------------------------------------------------------------ running */

typedef struct rnnc_progress {
    size_t update, updates, updates_per_epoch;
    double loss;        /* the update's training loss */
    double seconds;     /* since training began */
} rnnc_progress;

typedef struct rnnc_run_options {
    uint64_t seed;
    int seed_given;       /* 0: the model's own seed (its `seed` setting, else 1) */
    /* The results folder, written atomically as `rnnc run` writes it. NULL:
     * a new temporary folder, removed by rnnc_result_free unless KEEP. An
     * existing folder is refused unless OVERWRITE. */
    const char *out_dir;
    int keep;
    int overwrite;
    int evaluate_only;    /* 1: skip training (as an `evaluate` block does) */
    unsigned threads;     /* 0: the model's setting */
    /* Called after each update (may be NULL), from the calling thread. */
    void (*progress)(void *ctx, const rnnc_progress *p);
    void *progress_ctx;
    /* Polled between updates, evaluation batches and analysis steps: set
     * it non-zero (from any thread or a signal handler) to stop; the run
     * ends with what was done and status RNNC_INTERRUPTED. May be NULL. */
    volatile int *stop;
} rnnc_run_options;

/* Zeroes, with the defaults: the model's seed, a temporary folder. */
rnnc_run_options rnnc_run_defaults(void);

typedef struct rnnc_result rnnc_result;

/* Trains (or evaluates) M, then records and analyses as the model says, and
 * writes the results folder. NULL, with *err, when nothing could be run or
 * written. A run stopped early (RNNC_INTERRUPTED, RNNC_NON_FINITE) returns a
 * result that says so (rnnc_result_status) with what was done. */
rnnc_result *rnnc_run(rnnc_model *m, const rnnc_run_options *options, rnnc_error **err);

/* Opens the results folder DIR of an earlier run (by rnnc run or rnnc_run). */
rnnc_result *rnnc_result_open(const char *dir, rnnc_error **err);

/* RNNC_OK, RNNC_INTERRUPTED or RNNC_NON_FINITE (with the reason in the message). */
rnnc_status rnnc_result_status(const rnnc_result *r);
const char *rnnc_result_message(const rnnc_result *r);   /* "" when it finished */
const char *rnnc_result_dir(const rnnc_result *r);
/* summary.json as text: settings, seed, losses, accuracy, timings, analyses. */
const char *rnnc_result_summary(const rnnc_result *r);

/* loss.csv: its columns' names, and one column (float64 [rows]). */
size_t rnnc_result_loss_column_count(const rnnc_result *r);
const char *rnnc_result_loss_column(const rnnc_result *r, size_t i);
rnnc_status rnnc_result_loss(const rnnc_result *r, const char *column, rnnc_array *out, rnnc_error **err);

/* The weights of PROJECTION ("h->h") WHEN "initial" or "final": [post, pre];
 * its bias [post] (RNNC_USAGE when it has none). */
rnnc_status rnnc_result_weights(const rnnc_result *r, const char *projection, const char *when,
                                rnnc_array *out, rnnc_error **err);
rnnc_status rnnc_result_bias(const rnnc_result *r, const char *projection, const char *when,
                             rnnc_array *out, rnnc_error **err);

/* A recorded signal by the name the model's `record` line gives it ("h.r",
 * "y", "h.z" for spikes): [trial, step, neuron]. */
size_t rnnc_result_record_count(const rnnc_result *r);
const char *rnnc_result_record_name(const rnnc_result *r, size_t i);
rnnc_status rnnc_result_record(const rnnc_result *r, const char *name, rnnc_array *out, rnnc_error **err);

/* Any array file of the folder by its name without ".npy" ("eval_outputs",
 * "eigen_final_h_h", "pca_h.r_projections"): what docs/language.md lists
 * for a results folder. */
size_t rnnc_result_file_count(const rnnc_result *r);
const char *rnnc_result_file_name(const rnnc_result *r, size_t i);
rnnc_status rnnc_result_file(const rnnc_result *r, const char *name, rnnc_array *out, rnnc_error **err);

/* The model's analyses again on the trained weights of R (`rnnc analyze
 * DIR`), with M the model R was run from: R's folder is rewritten
 * atomically with the new analyses and the result reread. */
rnnc_status rnnc_reanalyze(rnnc_model *m, rnnc_result *r, rnnc_error **err);

void rnnc_result_free(rnnc_result *r);

#ifdef __cplusplus
}
#endif

#endif
