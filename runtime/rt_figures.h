/* figures.h -- the pictures of a results folder (SVG) and its report.
 *
 * figures_draw reads the folder's loss.csv and .npy files and writes, for
 * what it finds: loss.svg, outputs.svg (target vs output before and after
 * training), raster_POP.svg, pca_SIGNAL.svg (with fixed points),
 * eigen_PRE_POST.svg, weights_PRE_POST.svg, task.svg, robustness.svg and
 * degradation_POP.svg. report_write then puts them, the metrics, the
 * settings and the model source into one self-contained report.html.
 */
#ifndef RNNC_FIGURES_H
#define RNNC_FIGURES_H

#include <stddef.h>

#include "rt_npy.h"
#include "rt_plot.h"

enum { FIGURES_MAX = 64 };

typedef struct figures {
    const char *dir;                 /* the folder, read and written */
    double dt;                       /* seconds per step, for time axes */
    size_t count;                    /* the figures written, in order */
    char names[FIGURES_MAX][128];
    char captions[FIGURES_MAX][256];
} figures;

/* Draws every picture the folder's files allow; 0, or -1 (message printed)
 * when a picture cannot be written. */
int figures_draw(figures *f);

/* Writes FIG as NAME in F's folder, lists it (with CAPTION) for the report
 * and frees it. 0, or -1 with a message printed. */
int figures_save(figures *f, rt_fig *fig, const char *name, const char *caption);

/* A panel for eigenvalues: TITLE, Re and Im axes at one scale, the unit
 * circle; figures_spectrum marks the eigenvalues E ([n, 2]: real,
 * imaginary) on it. */
void figures_complex_plane(rt_axes *ax, const char *title);
void figures_spectrum(rt_axes *ax, const rt_array *e, rt_style s);

/* DIR/loss.csv's update and loss columns, and rate_hz (NULL when absent):
 * malloc'd arrays of ROWS values. 0, or -1 when there is no such file. */
int figures_read_loss(const char *dir, size_t *rows, double **update, double **loss, double **rate);

/* DIR/report.html: TITLE, the metrics of SUMMARY_JSON (its top-level
 * numbers and strings), F's pictures, the settings (SUMMARY_JSON itself)
 * and MODEL_SOURCE. 0, or -1 with errno. */
typedef struct report_rows {
    const char *caption;
    size_t n;
    const char *const *keys, *const *values;
} report_rows;
/* EXTRA (NULL: none) is a table shown before the metrics, e.g. the mean and
 * spread over seeds. */
int report_write(const figures *f, const char *title, const char *summary_json, const char *model_source,
                 const report_rows *extra);

#endif
