/* train.h -- the training and evaluation loop of 'rnnc run'.
 *
 * Batches come from the task engine (trial ids: training samples 0..S-1,
 * shuffled per epoch; evaluation trials from 2^40 on, never trained on);
 * each update is forward, loss, BPTT or e-prop and an optimiser step. Results are
 * written into the run's (partial) results folder.
 */
#ifndef RNNC_TRAIN_H
#define RNNC_TRAIN_H

#include <signal.h>

#include "plan.h"
#include "rt_npy.h"
#include "rt_outdir.h"

enum { TRAIN_PHASE_TASK, TRAIN_PHASE_FORWARD, TRAIN_PHASE_LOSS, TRAIN_PHASE_BACKWARD, TRAIN_PHASE_OPTIM,
       TRAIN_PHASES };
extern const char *const train_phase_names[TRAIN_PHASES];

typedef struct train_result {
    size_t updates_done;
    double first_loss, final_train_loss;
    /* spiking populations: mean rate in Hz over the first and the last
     * update's batch (NAN when nothing spikes) */
    double first_rate_hz, final_rate_hz;
    double eval_loss, eval_accuracy;  /* accuracy: NAN when the task defines none */
    double train_seconds;
    double seconds_per_update_median;  /* the whole update, task generation included */
    double step_seconds_median;        /* forward, loss, backward and optimiser: the batch given */
    /* mean milliseconds per update: task generation, forward pass, loss,
     * backward pass, optimiser step (the TRAIN_PHASE_* order) */
    double phase_ms[5];
    int stopped_by_nan, interrupted, early_stopped;
    char message[512];              /* why training stopped early, if it did */
    char *analysis_json;            /* "analysis": {...}, for summary.json, or NULL; free() it */
} train_result;

/* Trains and evaluates; writes loss.csv, weights and evaluation arrays
 * into OUT. STOP is polled between updates (Ctrl-C). Returns 0, or -1 on an
 * error that leaves no useful result (message on stderr). */
int train_run(plan *p, const rt_outdir *out, volatile sig_atomic_t *stop, int progress,
              train_result *res);

/* rnnc analyze: the trained weights of an earlier run (weights_final_*.npy
 * and bias_final_*.npy in WEIGHTS_DIR) are evaluated again and the model's
 * analyses run on them, writing into OUT; RES gets the evaluation loss,
 * accuracy and analysis_json. 0, or -1 with a message on stderr. */
int train_analyze(plan *p, const char *weights_dir, const rt_outdir *out, train_result *res);

/* DATA as NAME.npy in OUT; 0, or -1 with a message on stderr. */
int train_write_npy(const rt_outdir *out, const char *name, const void *data, rt_dtype type,
                    const size_t *shape, int ndim);

/* Which population, and which state (or else output) of its neuron, a
 * recorded or analysed expression (h, h.v, h.r) names; -1 for anything
 * else (a network input). */
int train_signal(const plan *p, const ast_node *e, unsigned *pop, int *state, unsigned *output);
/* The same for an expression that may select neurons (h.v[0:10], h.v[3]):
 * also the first neuron LO and how many, WIDTH. 0; 1 when E is not a
 * population's (a network input); -1 when the selection is out of range
 * (message printed). */
int train_signal_range(const plan *p, const ast_node *e, unsigned *pop, int *state, unsigned *output,
                       size_t *lo, size_t *width);

#endif
