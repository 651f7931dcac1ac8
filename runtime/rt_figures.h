/* rt_figures.h -- the pictures of a results folder (SVG) and its report.
 *
 * rt_figures_draw reads the folder's loss.csv, summary.json and .npy files
 * (names in rt_files.h) and writes, for what it finds: loss.svg,
 * outputs.svg (target vs output before and after training, each readout's
 * channels by name), raster_POP.svg, pca_SIGNAL.svg (with fixed points),
 * eigen_PRE_POST.svg, weights_PRE_POST.svg, task.svg, robustness.svg and
 * degradation_POP.svg. rt_figures_report then puts them, the metrics, the
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

#endif
