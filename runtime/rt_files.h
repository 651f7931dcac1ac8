/* rt_files.h -- the names of a results folder's files, in one place.
 *
 * Each name is a printf format; its arguments are given beside it. A
 * projection's STEM is "PRE_POST", or "PRE_POST_PORT" when the connect
 * names a port of the post population (a GRU's x -> h.I_r is x_h_I_r), so
 * every projection has files of its own. docs/language.md sections 12 and
 * 18 describe the files for users; the writers are runtime/rt_train.c,
 * rt_results.c and rt_analyze.c, the readers rnnc analyze and the figures.
 */
#ifndef RNNRT_FILES_H
#define RNNRT_FILES_H

#include <stdio.h>

#define RT_FILE_SUMMARY "summary.json"
#define RT_FILE_LOSS "loss.csv"
#define RT_FILE_MODEL "model.rnn"
#define RT_FILE_REPORT "report.html"

/* WHEN ("initial", "final"), STEM: [post, pre] and [post] */
#define RT_FILE_WEIGHTS "weights_%s_%s.npy"
#define RT_FILE_BIAS "bias_%s_%s.npy"
#define RT_WHEN_INITIAL "initial"
/* WHEN, STEM, PART (RT_SYN_*): a sparse projection's synapses, [nnz] each,
 * in the order of its storage (by pre neuron, then post): the pre and post
 * neurons (uint32) and the weights (the network's precision). Its
 * weights_ [post, pre] file is written too when neither side has more than
 * RT_DENSE_WEIGHTS_MAX_SIDE neurons (a matrix that is readable as a picture). */
#define RT_FILE_SYNAPSES "synapses_%s_%s_%s.npy"
#define RT_SYN_PRE "pre"
#define RT_SYN_POST "post"
#define RT_SYN_W "w"
enum { RT_DENSE_WEIGHTS_MAX_SIDE = 1000 };
/* The synapses of a projection the run leaves as they were built (frozen,
 * or an evaluation) are a function of the model and the seed: above this
 * many they are written only with 'save_synapses all' (120 MB for 10^7). */
enum { RT_SYNAPSES_WRITTEN_MAX = 1000000 };
#define RT_WHEN_FINAL "final"

/* [trial, step, channel]: every input channel (or readout) side by side,
 * in declaration order */
#define RT_FILE_INITIAL_OUTPUTS "initial_outputs.npy"
#define RT_FILE_INITIAL_TARGETS "initial_targets.npy"
#define RT_FILE_EVAL_INPUTS "eval_inputs.npy"
#define RT_FILE_EVAL_TARGETS "eval_targets.npy"
#define RT_FILE_EVAL_OUTPUTS "eval_outputs.npy"

/* [trial, step] of the same trials: the mask (how much each step counts
 * in the loss) and, for a task with phases, the phase of each step
 * (1 .. n in the task's order, 0 on padding) */
#define RT_FILE_EVAL_MASK "eval_mask.npy"
#define RT_FILE_EVAL_PHASES "eval_phases.npy"

/* NAME of the record item: [trial, step, neuron]; POP: rows (trial, neuron, step) */
#define RT_FILE_RECORD "record_%s.npy"
#define RT_FILE_TRAIN_RECORD "record_train_%s.npy"
#define RT_FILE_TRAIN_RECORD_MASK "record_train_mask.npy"
#define RT_FILE_SPIKES "spikes_%s.npy"

/* [trial, step]: the task condition of each step, -1 for none */
#define RT_FILE_CONDITIONS "conditions.npy"
/* [condition, size]: the task's condition values of each label */
#define RT_FILE_CONDITION_VALUES "conditions_values.npy"

/* WHEN, STEM: [n, 2] (real, imaginary), largest modulus first */
#define RT_FILE_EIGEN "eigen_%s_%s.npy"
/* KIND (RT_KIND_*), NAME of the signal, PART (RT_PART_*) */
#define RT_FILE_COMPONENTS "%s_%s_%s.npy"
#define RT_KIND_PCA "pca"
#define RT_KIND_SVD "svd"
#define RT_PART_COMPONENTS "components"
#define RT_PART_EXPLAINED "explained"
#define RT_PART_MEAN "mean"
#define RT_PART_PROJECTIONS "projections"
#define RT_PART_FIXED_POINTS "fixed_points"
#define RT_PART_FIXED_POINTS_STABLE "fixed_points_stable"
/* with the inputs held per condition: each point's condition (as conditions.npy numbers them), -1 for none */
#define RT_PART_FIXED_POINTS_CONDITION "fixed_points_condition"
/* POP, PART ("" for the points, "_output", "_q", "_stable", "_eigen"; with
 * the inputs held, also "_group" [point], "_inputs" [group, input element]
 * and "_conditions" [group, condition element]) */
#define RT_FILE_FIXED_POINTS "fixed_points_%s%s.npy"
#define RT_FILE_ROBUSTNESS "robustness.npy"
/* POP: rows (fraction, loss, accuracy) */
#define RT_FILE_DEGRADATION "degradation_%s.npy"
/* [condition, 4]: rows (condition value, trials, accuracy, fraction choosing 1), by value */
#define RT_FILE_PSYCHOMETRIC "psychometric.npy"

/* The pictures, drawn from the files above (runtime/rt_figures.c) */
#define RT_FILE_LOSS_SVG "loss.svg"
#define RT_FILE_OUTPUTS_SVG "outputs.svg"
#define RT_FILE_TASK_SVG "task.svg"
#define RT_FILE_ROBUSTNESS_SVG "robustness.svg"
#define RT_FILE_PSYCHOMETRIC_SVG "psychometric.svg"
/* POP */
#define RT_FILE_RASTER_SVG "raster_%s.svg"
#define RT_FILE_DEGRADATION_SVG "degradation_%s.svg"
/* STEM */
#define RT_FILE_WEIGHTS_SVG "weights_%s.svg"
#define RT_FILE_EIGEN_SVG "eigen_%s.svg"
/* KIND, NAME of the signal */
#define RT_FILE_COMPONENTS_SVG "%s_%s.svg"

/* rnnc task show's folder: TASK's picture; per input or target channel
 * NAME [trial, step, element]; the mask and the phases [trial, step] */
#define RT_FILE_TASK_SHOW_SVG "task_%s.svg"
#define RT_FILE_TASK_CHANNEL "%s.npy"
#define RT_FILE_TASK_MASK "mask.npy"
#define RT_FILE_TASK_PHASES "phases.npy"

/* A name from one of the formats above, into BUF; BUF. */
#define rt_file_name(buf, size, ...) (snprintf((buf), (size), __VA_ARGS__), (const char *)(buf))

#endif
