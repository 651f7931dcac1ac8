/* rt_figures.h -- the pictures of a results folder (SVG) and its report.
 *
 * rt_figures_draw reads the folder's loss.csv, summary.json and .npy files
 * (names in rt_files.h) and writes, for what it finds: loss.svg,
 * outputs.svg (target vs output before and after training, each readout's
 * channels by name), raster_POP.svg, pca_SIGNAL.svg (with fixed points),
 * eigen_PRE_POST.svg, weights_PRE_POST.svg, task.svg (the first
 * evaluation trials, drawn by rt_figures_task below as rnnc task show
 * draws them), robustness.svg and degradation_POP.svg. rt_figures_report then puts them, the metrics, the
 * settings and the model source into one self-contained report.html.
 *
 * Every fallible function returns 0, or -1 with a message in ERR (see
 * rt_error.h); nothing is printed.
 *
 *     rt_figures f = {.dir = "runs/x", .dt = 1e-3};
 *     if (rt_figures_draw(&f, err, sizeof err) != 0 ||
 *         rt_figures_report(&f, "x, seed 1", summary, source, NULL, err, sizeof err) != 0)
 *         fprintf(stderr, "rnnc: error: %s\n", err);
 */
#ifndef RNNRT_FIGURES_H
#define RNNRT_FIGURES_H

#include <stddef.h>

#include <jansson.h>

#include "rt_npy.h"
#include "rt_plot.h"
#include "rt_run.h"

enum { RT_FIGURES_MAX = 64 };

typedef struct rt_figures {
    const char *dir;                 /* the folder, read and written */
    double dt;                       /* seconds per step, for time axes */
    size_t count;                    /* the figures written, in order */
    char names[RT_FIGURES_MAX][128];
    char captions[RT_FIGURES_MAX][256];
} rt_figures;

/* Draws every picture the folder's files allow; a picture whose files are
 * absent is skipped. 0, or -1 with a message ("cannot write DIR/NAME:
 * ...", "cannot read DIR/NAME: ...") at the first picture that fails. */
int rt_figures_draw(rt_figures *f, char *err, size_t err_size);

/* Writes FIG as NAME in F's folder, lists it (with CAPTION) for the report
 * and frees it (a NULL FIG, of an rt_fig_new that failed, is an error). */
int rt_figures_save(rt_figures *f, rt_fig *fig, const char *name, const char *caption, char *err,
                    size_t err_size);

/* A panel for eigenvalues: TITLE, Re and Im axes at one scale, the unit
 * circle; rt_figures_spectrum marks the eigenvalues E ([n, 2]: real,
 * imaginary) on it. */
void rt_figures_complex_plane(rt_axes *ax, const char *title);
void rt_figures_spectrum(rt_axes *ax, const rt_array *e, rt_style s);

/* DIR/loss.csv's update and loss columns, and rate_hz (NULL when absent):
 * malloc'd arrays of *ROWS values, *ROWS 0 (and NULLs) when there is no
 * such file or it has no rows. -1 when it cannot be read, lacks the
 * update or loss column, or memory runs out. */
int rt_figures_read_loss(const char *dir, size_t *rows, double **update, double **loss, double **rate, char *err,
                         size_t err_size);

/* A table of N rows KEYS[i] -> VALUES[i] under CAPTION, for the report. */
typedef struct rt_figures_table {
    const char *caption;
    size_t n;
    const char *const *keys, *const *values;
} rt_figures_table;

/* DIR/report.html: TITLE, EXTRA (NULL: none; e.g. the mean and spread over
 * seeds), the metrics of SUMMARY (its top-level numbers, strings and
 * booleans), F's pictures, the settings (SUMMARY's text, as
 * rt_summary_text lays it out) and MODEL_SOURCE. SUMMARY and MODEL_SOURCE
 * may be NULL. A picture that cannot be read back is left out of a page
 * that is still written, and reported. */
int rt_figures_report(const rt_figures *f, const char *title, const json_t *summary, const char *model_source,
                      const rt_figures_table *extra, char *err, size_t err_size);

/* ---- a task's trials (rt_figures_task.c) ---- */

/* One trial as plain arrays: CHANNELS[c] is the picture's channel c as
 * [steps][size], MASK [steps] (how much each step counts in the loss),
 * PHASE [steps] the phase of each step (k = 1 .. n_phases, 0 on padding)
 * or NULL; LENGTH the trial's own steps, the rest padding (0: up to the
 * last step with a phase, or every step without phases). */
typedef struct rt_task_trial {
    const double *const *channels;
    const double *mask;
    const double *phase;
    size_t length;
} rt_task_trial;

typedef struct rt_task_picture {
    const char *title;                /* NULL: none */
    double dt;                        /* seconds per step; 0: unknown, time in steps */
    size_t steps;
    unsigned n_channels;              /* inputs and targets are drawn, other roles skipped */
    const rt_channel *channels;
    unsigned n_phases;
    const char *const *phase_names;   /* phase k is phase_names[k - 1] */
    size_t n_trials;
    const rt_task_trial *trials;
} rt_task_picture;

enum { RT_TASK_LINES_MAX = 8 };   /* a channel wider than this is a strip, not lines */

/* The trials of P stacked, one panel each (after Jarne 2024, Fig. 3):
 * every input element a coloured line, every target element a grey line
 * (solid, dashed, dotted), the phases as alternating shaded bands named at
 * the top, the steps that are not in the loss (mask 0) as a dark strip
 * along the bottom, the padding after a shorter trial greyed, a legend
 * beside the first panel naming each element ("x[0]"). A channel of more than RT_TASK_LINES_MAX
 * elements gets a panel of its own under its trial's: a raster when it
 * holds only 0 and 1 (spikes), else a heat map. As many trials as fit in
 * 32 panels are drawn: *DRAWN. NULL with errno when memory runs out or
 * there is nothing to draw (EINVAL). */
rt_fig *rt_figures_task(const rt_task_picture *p, size_t *drawn);

/* What rt_figures_task draws behind a trial's lines, for other pictures of
 * the same trials (outputs.svg): TR's phases as bands named at the top,
 * its steps with mask 0 as a strip along the bottom (*MASKED set to 1 if
 * any) and the padding after its end greyed (*PADDED set to 1 if any), on
 * P's time axis (P's dt, steps and phase names; its channels are not
 * read). The trial's own length in steps. */
size_t rt_figures_trial_backdrop(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, int *masked,
                                 int *padded);
/* Legend entries (empty spans) for the mask strip and the padding. */
void rt_figures_trial_legend(rt_axes *ax, int masked, int padded);

/* A piecewise-constant signal as steps: Y[t * STRIDE] (t < N) holds from
 * X0 + t DX to X0 + (t + 1) DX, so a value that changes at a phase's
 * start is drawn changing there, not one step before. */
void rt_figures_step_line(rt_axes *ax, size_t n, double x0, double dx, const double *y, size_t stride,
                          rt_style s);

#endif
