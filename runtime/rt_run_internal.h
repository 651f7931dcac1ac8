/* rt_run_internal.h -- what the files of the run share (rt_train.c,
 * rt_results.c, rt_weights.c, rt_analyze.c, rt_analyze_batches.c,
 * rt_fixed_point_map.c); not for users of the library. */
#ifndef RNNRT_RUN_INTERNAL_H
#define RNNRT_RUN_INTERNAL_H

#include "rt_accuracy.h"
#include "rt_npy.h"
#include "rt_plastic_run.h"
#include "rt_pool.h"
#include "rt_run.h"
#include "rt_spike_stats.h"

/* What one batch needs besides the network's own buffers. */
typedef struct rt_batch {
    size_t B, T;
    void *targets[RT_MAX_POPS];     /* per readout: [T][B][size], network precision */
    double *mask;                   /* [T][B] */
    double *conditions;             /* [T][B][size of the condition], or NULL without one */
    double *phases;                 /* [T][B]: the phase channel, or NULL without phases */
    size_t per_trial;               /* doubles of one trial's mask and channels */
    double *channels;               /* [B][per_trial]: each trial as generated */
    double *scratch;                /* a generator's scratch per block of trials */
    int filled;                     /* holds a batch already (of a task whose trials are all alike) */
} rt_batch;

/* A training or an analysis while it runs: the threads, the network with
 * its weights, a batch's buffers. */
typedef struct rt_session {
    const rt_run_desc *d;
    rt_pool *pool;
    rt_net *net;
    rt_batch b;
    volatile sig_atomic_t *stop;    /* NULL, or set by a signal: the analyses end early */
    /* NULL, or where each evaluation batch's spikes are counted (the run's
     * own evaluation, not the analyses' noisy ones) */
    rt_spike_stats *spikes;
    double forward_seconds;         /* the evaluation batches' forward passes, summed */
    rt_plastic *plastic;            /* the plasticity rules of a training run, or NULL */
} rt_session;

/* Whether the run was asked to stop (Ctrl-C, SIGTERM, SIGHUP). */
static inline int rt_session_stopped(const rt_session *s)
{
    return s->stop && *s->stop;
}

int rt_session_open(rt_session *s, const rt_run_desc *d, char *err, size_t err_size);
void rt_session_close(rt_session *s);

/* Evaluation batch K (trials from RT_EVAL_TRIAL_BASE on) through the
 * forward pass, with Gaussian noise of standard deviation SIGMA added to
 * every input (stream KEY; none when SIGMA is 0). */
int rt_session_eval_batch(rt_session *s, size_t k, double sigma, uint64_t key, char *err, size_t err_size);
/* Every evaluation batch: the mean loss and the accuracy (NAN without
 * one). With OUT, the first batch's arrays and records are written. 1 when
 * the session's stop flag ended it early (LOSS and ACCURACY are then NAN). */
int rt_session_eval_all(rt_session *s, double sigma, uint64_t key, const rt_outdir *out, double *loss,
                        double *accuracy, char *err, size_t err_size);
/* The same, with each evaluation trial's outcome (rt_accuracy.h) in
 * TRIALS ([settings.eval_trials], or NULL), in trial order. */
int rt_session_eval_trials(rt_session *s, double sigma, uint64_t key, const rt_outdir *out, double *loss,
                           double *accuracy, rt_trial_accuracy *trials, char *err, size_t err_size);


/* ---- rt_weights.c */

/* Projection J's weights as the optimiser sees them, with their constraints. */
rt_tensor rt_weights_tensor(const rt_run_desc *d, rt_net *net, unsigned j);
/* The weights_final_ and bias_final_ files of DIR into NET. */
int rt_weights_load(const rt_run_desc *d, rt_net *net, const char *dir, char *err, size_t err_size);

/* ---- rt_results.c */

/* DATA as NAME in OUT. */
int rt_results_npy(const rt_outdir *out, const char *name, const void *data, rt_dtype type,
                   const size_t *shape, int ndim, char *err, size_t err_size);
/* Projection J's weights as dense [post][pre] doubles (a sparse one's
 * missing synapses 0), malloc'd; NULL if out of memory. */
double *rt_results_dense_weights(const rt_run_desc *d, rt_net *net, unsigned j);
/* Whether sparse projection J keeps its initial synapses and weights (an
 * evaluation, or frozen): its synapses_final_ files are then not written,
 * the synapses_initial_ ones holding them. */
int rt_results_synapses_unchanged(const rt_run_desc *d, unsigned j);
/* Whether its synapses_ files are written: unless they are unchanged and
 * expected to be more than RT_SYNAPSES_WRITTEN_MAX (rt_connect_density)
 * without 'save_synapses all' (the seed rebuilds them: rt_weights_load
 * keeps the network's own then; summary.json lists them). */
int rt_results_synapses_written(const rt_run_desc *d, unsigned j);
/* weights_WHEN_STEM.npy and bias_WHEN_STEM.npy of every projection; a
 * sparse one's synapses_ files (not the final ones when unchanged), and its
 * weights_ only when small (rt_files.h). */
int rt_results_weights(const rt_run_desc *d, rt_net *net, const rt_outdir *out, const char *when, char *err,
                       size_t err_size);
/* COUNT time-major [T][B][n_i] arrays side by side as NAME, [trials, T, sum n_i]. */
int rt_results_side_by_side(const rt_run_desc *d, const rt_outdir *out, const char *name,
                            const void *const *arrays, const size_t *n, unsigned count, size_t T, size_t B,
                            size_t trials, char *err, size_t err_size);
/* The readouts of the batch in NET and their targets, as OUTPUTS and TARGETS. */
int rt_results_readouts(rt_session *s, const rt_outdir *out, const char *outputs, const char *targets,
                        size_t trials, char *err, size_t err_size);
/* The first evaluation batch's inputs, readouts, targets and records. */
int rt_results_eval(rt_session *s, const rt_outdir *out, char *err, size_t err_size);

/* The records 'in training' (rt_record_desc.training) of the first
 * sequence of the first and of the last training update, and that
 * sequence's loss mask: kept after each update's forward pass (update U),
 * written at the end as record_train_NAME.npy [2, step, neuron] and
 * record_train_mask.npy [2, step]. NULL when out of memory; a run without
 * such records keeps and writes nothing. */
typedef struct rt_train_records rt_train_records;
rt_train_records *rt_train_records_new(rt_session *s);
void rt_train_records_keep(rt_train_records *r, rt_session *s, size_t u);
int rt_train_records_write(const rt_train_records *r, rt_session *s, const rt_outdir *out, char *err,
                           size_t err_size);
void rt_train_records_free(rt_train_records *r);

/* ---- rt_analyze.c */

/* Every analysis of D on the session's network (trained weights; the
 * initial ones read back from OUT), writing their files into OUT and their
 * numbers into *ANALYSIS (a new object). On failure, *FAILED is the index
 * of the analysis that failed, and *WRITE_FAILED says whether a file could
 * not be written. When the session's stop flag is set, 1: the analyses
 * done are in *ANALYSIS and its "not_done" lists the others' keys. NET's
 * weights are as before when it returns. */
int rt_analyze(rt_session *s, const rt_outdir *out, json_t **analysis, int *failed, int *write_failed, char *err,
               size_t err_size);

#endif
