/* rt_run.h -- a run as plain data, and the runtime that carries it out.
 *
 * This is the line between compiling and running. The compiler (or any C
 * program: tests/unit/test_run_library.c trains a network with
 * hand-written kernels) fills an rt_run_desc: the network (rt_net.h), how
 * each projection's weights start and are kept, the settings, where trials
 * come from (a callback), what to record and which analyses to run. The
 * runtime trains and evaluates it, records, analyses, and writes the
 * results folder's arrays. It never sees a syntax tree, and it returns its
 * errors (rt_error.h) instead of printing them.
 *
 * The results folder's file names are in rt_files.h.
 */
#ifndef RNNRT_RUN_H
#define RNNRT_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rt_init.h"
#include "rt_net.h"
#include "rt_optim.h"
#include "rt_outdir.h"
#include "rt_plastic.h"
#include "rt_spike_stats.h"

/* Limits of one run besides the network's (rt_net.h), the same for the
 * compiler and the runtime. */
enum {
    RT_MAX_CHANNELS = 16,
    RT_MAX_RECORDS = 64,
    RT_MAX_ANALYSES = 32,
    RT_MAX_LEVELS = 64,          /* noise levels or fractions of one analysis */
    RT_MAX_CONDITIONS = 64,      /* distinct task conditions told apart */
    RT_MAX_PHASES = 32,          /* phases of a task */
    RT_TRIALS_SAVED = 64,        /* evaluation trials kept in the [trial, ...] files */
};

/* How a projection's weights start and which values they may take. */
typedef struct rt_weights_desc {
    const char *file_stem;          /* "x_h", "x_h_I_r": names its files (rt_files.h) */
    rt_init init;
    const char *init_file;          /* else: a .npy file of [post, pre] */
    rt_init bias_init;              /* where the projection has a bias */
    const char *bias_file;          /* else: a .npy file of [post] (or [post, 1]) */
    const unsigned char *mask;      /* NULL, or [post][pre]: 0 = no connection */
    const signed char *dale;        /* NULL, or a sign per pre neuron (Dale's law) */
    double lo, hi;                  /* bounds; -INFINITY, INFINITY for none */
    double spectral_radius;         /* > 0: the initial weights, masked and signed, scaled so that
                                       their largest |eigenvalue| is this (square only); 0: not */
    /* Given starting values (a C program's, librnnc's rnnc_model_set_weights),
     * in place of INIT or INIT_FILE: [post][pre] doubles, then treated as a
     * loaded file is (Dale's signs, spectral radius, mask, bounds); and
     * [post] in place of BIAS_INIT. NULL: the initialisers. */
    const double *init_values;
    const double *bias_values;
} rt_weights_desc;

/* ------------------------------------------------------------ trials */

/* A channel's role. A PHASE channel (one element) holds, at each step, the
 * number of the task phase the step is in (1 for the first phase, in the
 * task's order), and 0 on the padding steps after a trial that is shorter
 * than the batch's (trials of random length: the mask is 0 there too). A
 * task without phases has no phase channel. */
typedef enum rt_channel_role { RT_CHANNEL_INPUT, RT_CHANNEL_TARGET, RT_CHANNEL_CONDITION,
                               RT_CHANNEL_PHASE } rt_channel_role;

typedef struct rt_channel {
    const char *name;
    size_t size;
    rt_channel_role role;
} rt_channel;

/* Where trials come from. GENERATE writes trial TRIAL (of the run's seed)
 * into CHANNELS[c] ([steps][size] doubles per channel) and MASK ([steps]:
 * how much each step counts in the loss), using SCRATCH (scratch_doubles,
 * the caller's, reused between trials). It is called from several threads
 * at once, so it must depend only on its arguments: a trial is the same
 * whatever the batch or thread. 0, or -1 with a message in ERR. */
typedef struct rt_trial_source {
    size_t steps;
    unsigned n_channels;
    const rt_channel *channels;
    size_t scratch_doubles;
    int trial_invariant;            /* every trial is the same: generated once */
    void *ctx;
    int (*generate)(void *ctx, uint64_t seed, uint64_t trial, double *const *channels, double *mask,
                    double *scratch, char *err, size_t err_size);
    unsigned n_phases;              /* phases of the task (0: none), their names in order */
    const char *const *phase_names; /* phase k (k = 1 .. n_phases) is phase_names[k - 1] */
} rt_trial_source;

/* The trial ids GENERATE is given: training samples are 0 .. S-1 (shuffled
 * per epoch), evaluation trial i is RT_EVAL_TRIAL_BASE + i (the eval_
 * files hold the first ones; rnnc task show draws the same). */
#define RT_EVAL_TRIAL_BASE ((uint64_t)1 << 40)

/* How the evaluation's accuracy is counted (eval_accuracy), over a trial's
 * window: the steps of phase accuracy_phase, or (accuracy_phase 0) the
 * steps where the mask is non-zero. A trial with an empty window is not
 * counted.
 *   SIGN: per step and element of the window where the target is non-zero,
 *     correct when the readout has the target's sign;
 *   ARGMAX: per trial, correct when the element with the largest mean
 *     readout over the window is the one with the largest mean target;
 *   MEAN_SIGN: per trial and element, correct when the readout's mean over
 *     the window has the sign of the target's mean there (elements whose
 *     target mean is 0 are not counted);
 *   THRESHOLD: per trial and element, correct when the readout rises above
 *     accuracy_level somewhere in the window exactly when the target does. */
typedef enum rt_accuracy_kind {
    RT_ACCURACY_NONE,
    RT_ACCURACY_SIGN,
    RT_ACCURACY_ARGMAX,
    RT_ACCURACY_MEAN_SIGN,
    RT_ACCURACY_THRESHOLD,
} rt_accuracy_kind;

/* ------------------------------------------------------------ settings */

/* Data-parallel training of one network by several processes (rnnc
 * under mpirun: docs/mpi.md); the runtime never sees the transport. Each
 * process trains on rows [row_lo, row_hi) of every batch of
 * settings.batch trials -- the trial ids one process would use -- and SUM
 * adds N doubles over all the processes in place, every process getting
 * the same sums. rt_train.c calls it twice per update, in the same order
 * in every process: once for the losses and flags (so that every process
 * takes the same decisions: stop, non-finite, early stop) and once for
 * the gradients, each process's weighted by its share of what the loss
 * divides by, so that every optimiser step uses the whole batch's
 * gradient and the processes' weights stay the same. Only the process
 * with EVALUATE set evaluates and analyses (with the whole batch); the
 * others return after training. row_hi 0: one process, as usual. SUM
 * returns 0, or -1 when the processes cannot reach each other. */
typedef struct rt_data_parallel {
    size_t row_lo, row_hi;
    int evaluate;
    void *ctx;
    int (*sum)(void *ctx, double *values, size_t n);
} rt_data_parallel;

typedef struct rt_train_settings {
    uint64_t seed;
    int train;                      /* 0: evaluate only */
    size_t batch;
    size_t updates, updates_per_epoch;   /* training samples: updates_per_epoch x batch */
    size_t eval_trials;             /* a multiple of batch */
    rt_loss loss;
    rt_optim_config optim;
    double early_stop;              /* stop when the training loss is below; 0: never */
    int threads;                    /* 0: every core */
    /* the trials are one sequence (batch 1): each starts where the last
     * ended (states, outputs, plasticity traces), the training samples run
     * in order (not shuffled), and the evaluation goes on after them */
    int continuous;
    /* > 0: loss.csv has a row per block of this many steps of each
     * update's trials (column 'block'), the loss (mse) of those steps */
    size_t loss_every;
    /* > 0: e-prop's online updates: an optimiser step after every this
     * many steps of the batch's sequences (and at their end), each with the
     * gradient of the steps since the last, the eligibility traces carried
     * on (learn eprop only; without the rate regulariser) */
    size_t update_every;
    /* write the synapses of every sparse projection, also of an unchanged
     * one with more than RT_SYNAPSES_WRITTEN_MAX (rt_results_synapses_written) */
    int save_synapses;
} rt_train_settings;

/* ------------------------------------------------------------ records and analyses */

/* A population's state (or output, when STATE is -1), or a network
 * input, over the first evaluation trials: neurons LO .. LO + WIDTH, every EVERY-th step, as
 * record_NAME.npy [trial, step, neuron]; a spike variable (SPIKES) also as
 * spikes_POP.npy, one row (trial, neuron, step) per spike. */
typedef struct rt_record_desc {
    const char *name;               /* "h_v", "h_v_0_10" */
    unsigned pop;
    int is_input;                   /* 1: network input INPUT's channels, not population POP */
    unsigned input;
    int state;
    unsigned output;
    size_t lo, width, every;
    int spikes;
    /* the values are written divided by UNIT_SCALE (its unit in SI: 1e-3
     * for "mV"), so in the unit the model declares; 0 or 1: as they are.
     * UNIT names it in summary.json, NULL for none */
    double unit_scale;
    const char *unit;
    /* also in the first sequence of the first and of the last training
     * update: record_train_NAME.npy [2, step, neuron] */
    int training;
} rt_record_desc;

typedef enum rt_analysis_kind {
    RT_ANALYSIS_EIGEN,              /* eigenvalues of a projection's weights, before and after */
    RT_ANALYSIS_PCA,                /* principal components of a signal over the evaluation batch */
    RT_ANALYSIS_SVD,                /* the same, not centred */
    RT_ANALYSIS_FIXED_POINTS,       /* fixed and slow points of a population, inputs at 0 or held */
    RT_ANALYSIS_ROBUSTNESS,         /* loss and accuracy against input noise */
    RT_ANALYSIS_DEGRADATION,        /* loss and accuracy with units silenced */
    RT_ANALYSIS_PSYCHOMETRIC,       /* choices and accuracy per condition value, a logistic fit */
    RT_ANALYSIS_KINDS
} rt_analysis_kind;

typedef struct rt_analysis_desc {
    rt_analysis_kind kind;
    const char *name;               /* names its files and its summary key: "h_h", "h_r_0_8", "h" */
    unsigned proj;                  /* EIGEN */
    unsigned pop;                   /* the signal's (PCA, SVD) or the population (FIXED_POINTS, DEGRADATION) */
    int state;                      /* PCA, SVD: the state, or -1 for OUTPUT */
    unsigned output;
    size_t lo, width;               /* PCA, SVD: the neurons */
    size_t k;                       /* PCA, SVD: components */
    size_t n_points;                /* FIXED_POINTS: initial states */
    double tol;                     /* FIXED_POINTS: q below which a point is fixed; 0: the default */
    unsigned inputs_phase;          /* FIXED_POINTS: 0, the inputs held at 0; k, per condition at their
                                       mean over task phase k (from 1) */
    size_t n_levels;                /* ROBUSTNESS: noise levels; DEGRADATION: fractions */
    double levels[RT_MAX_LEVELS];
} rt_analysis_desc;

/* ------------------------------------------------------------ the run */

typedef struct rt_run_desc {
    rt_net_desc net;                /* populations with kernels, projections, readouts */
    const rt_weights_desc *weights; /* per projection of NET */
    /* feedback projections (e-prop's B): PROJ_FEEDBACK[j] is the one
     * projection j's learning signal goes through (-1: none); its weights
     * [post][pre] as declared (B of y -> h is [n_h][n_y]) */
    unsigned n_feedback;
    const rt_proj *feedback;
    const rt_weights_desc *feedback_weights;
    const int *proj_feedback;
    double dt;                      /* seconds per step */
    rt_trial_source task;
    const int *input_channel;       /* the task channel of each network input */
    const int *target_channel;      /* the task channel of each readout */
    int condition_channel;          /* the task's condition, or -1 */
    int phase_channel;              /* the task's phase channel (RT_CHANNEL_PHASE), or -1 */
    rt_accuracy_kind accuracy;
    int accuracy_readout;           /* the readout whose target accuracy compares, or -1 */
    unsigned accuracy_phase;        /* 0: the steps where the mask is non-zero; k: phase k's steps */
    double accuracy_level;          /* THRESHOLD's level */
    rt_train_settings settings;
    unsigned n_records;
    const rt_record_desc *records;
    unsigned n_analyses;
    const rt_analysis_desc *analyses;
    /* the projections' plasticity rules (rt_plastic.h): they change their
     * weights between the steps of the training trials, never during the
     * evaluation */
    unsigned n_plastic;
    const rt_plastic_desc *plastic;
    rt_data_parallel parallel;      /* row_hi 0 (as zeroed): trained by this process alone */
} rt_run_desc;

/* ------------------------------------------------------------ results */

enum { RT_PHASE_TASK, RT_PHASE_FORWARD, RT_PHASE_LOSS, RT_PHASE_BACKWARD, RT_PHASE_OPTIM, RT_PHASES };
extern const char *const rt_phase_names[RT_PHASES];

typedef enum rt_run_status {
    RT_RUN_TRAINED,
    RT_RUN_EARLY_STOPPED,
    RT_RUN_EVALUATED,
    RT_RUN_STOPPED_NON_FINITE,
    RT_RUN_INTERRUPTED,
} rt_run_status;

typedef struct rt_run_result {
    rt_run_status status;
    size_t updates_done;
    double first_loss, final_train_loss;
    double first_rate_hz, final_rate_hz;  /* spiking populations' mean rate; NAN when none spikes */
    double first_reg_loss, final_reg_loss;   /* the regularisers' sum; NAN without a regulariser */
    double eval_loss, eval_accuracy;      /* accuracy: NAN without one */
    double train_seconds;
    double seconds_per_update_median;     /* the whole update, task generation included */
    double step_seconds_median;           /* forward, loss, backward and optimiser */
    double phase_ms[RT_PHASES];           /* mean per update */
    char message[512];                    /* why training stopped early, if it did */
    char non_finite[16];                  /* RT_RUN_STOPPED_NON_FINITE: "loss", "gradient" or "weights" */
    json_t *analysis;                     /* the analyses' numbers, or NULL; rt_run_result_free */
    int failed_analysis;                  /* the analysis that failed (its index), or -1 */
    int analysis_write_failed;            /* ... because a file could not be written (a full disk) */
    char analysis_error[512];
    /* the evaluation: its forward passes' seconds (the simulation), and
     * each spiking population's rate and CV of inter-spike intervals */
    double eval_forward_seconds;
    rt_spike_stats spikes;
} rt_run_result;

void rt_run_result_free(rt_run_result *r);

/* Called after each update: for a progress line. */
typedef struct rt_progress {
    void *ctx;
    void (*update)(void *ctx, size_t update, size_t updates, size_t updates_per_epoch, double loss,
                   double seconds);
} rt_progress;

/* Trains (unless settings.train is 0) and evaluates D, writing into OUT:
 * loss.csv, the weights before and after, the first training batch's and
 * the evaluation's arrays, the records, the analyses' files; RES gets the
 * numbers. STOP is polled between updates, evaluation batches and the
 * analyses' steps (Ctrl-C): the run then ends early with what was done and
 * RES's status RT_RUN_INTERRUPTED. PROGRESS may be NULL. A failing analysis does
 * not fail the run: RES says which and why. 0, or -1 with a message in ERR
 * (out of memory, a file that cannot be written, a trial that fails). */
int rt_run_train(const rt_run_desc *d, const rt_outdir *out, volatile sig_atomic_t *stop,
                 const rt_progress *progress, rt_run_result *res, char *err, size_t err_size);

/* For a process of a data-parallel training (D.parallel) that
 * fails before rt_run_train's first sum (its model or folder could not be
 * set up): takes part in that sum with a failure, so that the others stop
 * with an error instead of waiting for it. 0, or -1 as DP's sum. */
int rt_data_parallel_fail(const rt_data_parallel *dp);

/* The trained weights of an earlier run (its weights_final_ and bias_final_
 * files in WEIGHTS_DIR) evaluated again and analysed, into OUT. STOP (may
 * be NULL) is polled as rt_run_train polls it: RES's status is then
 * RT_RUN_INTERRUPTED. 0, or -1 with a message in ERR. */
int rt_run_reanalyze(const rt_run_desc *d, const char *weights_dir, const rt_outdir *out,
                     volatile sig_atomic_t *stop, rt_run_result *res, char *err, size_t err_size);

/* RES's numbers added to the summary object DOC, in the order a reader
 * expects them: status, message, sizes, losses, rates, timings, analysis. */
int rt_run_summary(const rt_run_desc *d, const rt_run_result *res, json_t *doc);

/* Every weight, bias and feedback matrix of NET (made from D.net) from D's
 * initialisers, seeded by the run's seed, with masks and constraints
 * applied: what rt_run_train starts from. 0, or -1 with a message. */
int rt_weights_init(const rt_run_desc *d, rt_net *net, char *err, size_t err_size);

/* What D's run reads of its network's histories, per population into
 * KEEP ([net.n_pops], see rt_net_desc.keep): the readouts, the records,
 * the PCA, SVD and fixed-point analyses, the spike statistics (every
 * spiking population's spikes) and the plasticity rules. 0, or -1 when
 * every history is to be kept whole: a network that is not forward_only
 * (its backward pass reads them all), or RNNC_KEEP_HISTORIES set (and not
 * 0) in the environment, which runs the same model with whole histories
 * to check that trimming them changes no result. rt_run_train and
 * rt_run_memory use it where D's net.keep is NULL. */
int rt_run_keep(const rt_run_desc *d, rt_keep *keep);
/* The network rt_run_train makes of D: D's net, with KEEP
 * ([RT_MAX_POPS], the caller's) filled by rt_run_keep where it has no keep. */
rt_net_desc rt_run_net_desc(const rt_run_desc *d, rt_keep *keep);

/* Whether record RD is of a spike state (or an output that is it), which
 * a forward_only run records from the spike bits (rt_net_spike_bits). */
int rt_run_spike_record(const rt_run_desc *d, const rt_record_desc *rd);

/* Whether population I's first output is a spike train that is counted in
 * the firing rate (a spiking population that is not a readout). */
int rt_run_spiking(const rt_run_desc *d, unsigned i);

#endif
