/* rt_figures_psychometric.c -- psychometric.svg: the fraction of trials
 * choosing "right" per condition value with the fitted logistic curve, and
 * the accuracy per condition value, from psychometric.npy and the fit in
 * summary.json (analysis.psychometric.fit), as the analysis wrote them
 * (runtime/rt_analyze.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_summary.h"

enum { CURVE_POINTS = 200 };

/* The fit's mu and s from the folder's summary: 1 when it converged;
 * else TITLE says why there is no curve. */
static int read_fit(const rt_figures *f, double *mu, double *s, char *title, size_t size)
{
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *doc = path ? rt_summary_load(path, why, sizeof why) : NULL;
    free(path);
    json_t *fit = json_object_get(json_object_get(json_object_get(doc, "analysis"), "psychometric"), "fit");
    const char *status = rt_summary_string(fit, "status");
    *mu = rt_summary_number(fit, "mu");
    *s = rt_summary_number(fit, "s");
    int ok = status && strcmp(status, "converged") == 0 && isfinite(*mu) && isfinite(*s) && *s != 0;
    if (!ok && status)
        snprintf(title, size, "Choices (no logistic fit: %s)", status);
    json_decref(doc);
    return ok;
}

/* The logistic curve over [LO, HI]. */
static void draw_fit(rt_axes *ax, double lo, double hi, double mu, double s)
{
    double x[CURVE_POINTS], p[CURVE_POINTS];
    for (size_t i = 0; i < CURVE_POINTS; i++) {
        x[i] = lo + (hi - lo) * (double)i / (CURVE_POINTS - 1);
        p[i] = 1 / (1 + exp(-(x[i] - mu) / s));
    }
    char label[96];
    snprintf(label, sizeof label, "logistic fit: mu %.3g, s %.3g", mu, s);
    rt_axes_line(ax, CURVE_POINTS, x, p, 1, (rt_style){.colour = 1, .width = 1.6, .label = label});
}

int rt_figures_draw_psychometric(rt_figures *f, char *err, size_t err_size)
{
    rt_array a;
    if (rt_figures_load(f, RT_FILE_PSYCHOMETRIC, &a, err, err_size) != 0)
        return -1;
    if (a.ndim != 2 || a.shape[1] != 4 || a.shape[0] == 0) {
        rt_array_free(&a);
        return 0;
    }
    size_t n = a.shape[0];
    double *x = malloc(3 * n * sizeof *x), *choice = x ? x + n : NULL, *acc = x ? x + 2 * n : NULL;
    rt_fig *fig = rt_fig_new(1, 2, 920, 360, "Psychometric curve");
    if (!x || !fig) {
        free(x);
        rt_array_free(&a);
        rt_fig_free(fig);
        return rt_error(err, err_size, "out of memory for %s", RT_FILE_PSYCHOMETRIC_SVG);
    }
    for (size_t i = 0; i < n; i++) {
        x[i] = a.data[4 * i];
        acc[i] = 100 * a.data[4 * i + 2];
        choice[i] = a.data[4 * i + 3];
    }
    rt_axes *ax = rt_fig_axes(fig, 0, 0);
    char title[96] = "Choices";
    double mu, s;
    int fitted = read_fit(f, &mu, &s, title, sizeof title);
    rt_axes_labels(ax, title, "condition value", "fraction choosing right");
    rt_axes_ylim(ax, 0, 1);
    rt_axes_hline(ax, 0.5, (rt_style){.colour = RT_GREY, .width = 1, .dashed = RT_DASHED});
    if (fitted)
        draw_fit(ax, x[0], x[n - 1], mu, s);
    rt_axes_scatter(ax, n, x, choice, (rt_style){.colour = 0, .marker = RT_MARK_DOT, .size = 7, .label = "trials"});
    ax = rt_fig_axes(fig, 0, 1);
    rt_axes_labels(ax, "Accuracy per condition", "condition value", "accuracy (%)");
    rt_axes_ylim(ax, 0, 100);
    rt_axes_line(ax, n, x, acc, 1, (rt_style){.colour = 2, .width = 1.2});
    rt_axes_scatter(ax, n, x, acc, (rt_style){.colour = 2, .marker = RT_MARK_DOT, .size = 6});
    free(x);
    rt_array_free(&a);
    return rt_figures_save(f, fig, RT_FILE_PSYCHOMETRIC_SVG,
                           "Psychometric curve: per condition value, the fraction of evaluation trials choosing "
                           "right (a positive readout, or the readout's last element for argmax) with the "
                           "maximum-likelihood logistic fit, and the accuracy",
                           err, err_size);
}
