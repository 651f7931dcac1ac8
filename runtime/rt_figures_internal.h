/* rt_figures_internal.h -- what the files of the figures module share:
 * reading a results folder (rt_figures_folder.c) for the pictures
 * (rt_figures.c) and the report (rt_figures_report.c). Every function
 * that can fail returns 0, or -1 with a message in ERR. */
#ifndef RNNRT_FIGURES_INTERNAL_H
#define RNNRT_FIGURES_INTERNAL_H

#include <stddef.h>

#include "rt_figures.h"
#include "rt_npy.h"

enum { RT_FIGURES_MAX_READOUTS = 32 };

/* DIR/NAME, malloc'd; NULL when memory runs out. */
char *rt_figures_path(const char *dir, const char *name);

/* NAME from F's folder into *A: 0 with A loaded, or zeroed (ndim 0) when
 * the file is absent; -1 when it is there but cannot be read. */
int rt_figures_load(const rt_figures *f, const char *name, rt_array *a, char *err, size_t err_size);

/* DIR's file names, sorted (so the figures come in a fixed order), into
 * *NAMES (malloc'd; rt_figures_list_free) and *N. */
int rt_figures_list(const char *dir, char ***names, size_t *n, char *err, size_t err_size);
void rt_figures_list_free(char **names, size_t n);

/* Whether NAME is PATTERN (a file name of rt_files.h with at most one %s
 * left) with a non-empty middle in place of the %s; the middle into BUF. */
int rt_figures_match(const char *name, const char *pattern, char *buf, size_t size);

/* The readouts of the run, in declaration order, as summary.json lists them
 * ("populations" with "readout": true): eval_outputs.npy, eval_targets.npy
 * and the initial_ pair hold their channels side by side in that order. */
typedef struct rt_figures_readouts {
    unsigned n;
    char name[RT_FIGURES_MAX_READOUTS][64];
    size_t size[RT_FIGURES_MAX_READOUTS];
} rt_figures_readouts;

/* F's readouts from its summary.json; none without one (the names then
 * fall back to "y[C]"). */
int rt_figures_read_readouts(const rt_figures *f, rt_figures_readouts *r, char *err, size_t err_size);

/* Column C of a readout file's CHANNELS by its readout's name: "y[0]",
 * "y[1]", "z[0]"; "y[C]" when R does not add up to CHANNELS. BUF. */
const char *rt_figures_channel_name(const rt_figures_readouts *r, size_t channels, size_t c, char *buf, size_t size);

/* At most MAX of CHANNELS columns into DRAWN, in column order: the first
 * of every readout, then the second of every one, ..., so a wide readout
 * does not crowd a second one out of a picture. Their count. */
size_t rt_figures_channels_drawn(const rt_figures_readouts *r, size_t channels, size_t max, size_t *drawn);

/* Summary S's "task_phases" (NULL: none) into NAMES, the text copied
 * into TEXT; their count. */
unsigned rt_figures_phase_names(const json_t *s, const char *names[RT_MAX_PHASES], char text[RT_MAX_PHASES][64]);

/* Row I of A, a [trials, T] array (eval_mask.npy, eval_phases.npy), if it
 * has the trials and steps of X ([trials, T, ...]); else NULL. */
const double *rt_figures_trial_row(const rt_array *a, const rt_array *x, size_t i);

/* outputs.svg, target and output before and after training
 * (rt_figures_outputs.c); nothing without the evaluation files. */
int rt_figures_draw_outputs(rt_figures *f, const rt_figures_readouts *r, char *err, size_t err_size);

/* record_NAME.svg per 'record' line, from summary.json's "records"
 * (rt_figures_records.c). */
int rt_figures_draw_records(rt_figures *f, char *err, size_t err_size);

/* psychometric.svg from psychometric.npy and the fit in summary.json;
 * nothing without the file (rt_figures_psychometric.c). */
int rt_figures_draw_psychometric(rt_figures *f, char *err, size_t err_size);

#endif
