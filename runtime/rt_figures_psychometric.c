/* rt_figures_psychometric.c -- psychometric.svg: the fraction of trials
 * choosing the last option (argmax) or answering > 0 per condition value with the fitted logistic curve, and
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

/* What the summary says of the curve: the fit (its mu and s, ok when it
 * converged; else TITLE says why there is no curve) and what a choice is
 * (analysis.psychometric.choice, rt_analyze_batches.c: "last_option" for
 * argmax, "crosses_level" for threshold, "above_zero" for the sign kinds)
 * among how many options. */
typedef struct psychometric_info {
    int fitted;
    double mu, s;
    const char *ylabel;   /* what the fraction counts */
    size_t options;       /* chance is 1 / options */
} psychometric_info;

static void read_info(const rt_figures *f, psychometric_info *in, char *title, size_t size)
{
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *doc = path ? rt_summary_load(path, why, sizeof why) : NULL;
    free(path);
    json_t *psy = json_object_get(json_object_get(doc, "analysis"), "psychometric"), *fit = json_object_get(psy, "fit");
    const char *status = rt_summary_string(fit, "status"), *choice = rt_summary_string(psy, "choice");
    unsigned long long options = 2;
    in->mu = rt_summary_number(fit, "mu");
    in->s = rt_summary_number(fit, "s");
    in->fitted = status && strcmp(status, "converged") == 0 && isfinite(in->mu) && isfinite(in->s) && in->s != 0;
    if (!in->fitted && status)
        snprintf(title, size, "Choices (no logistic fit: %s)", status);
    in->ylabel = !choice                               ? "fraction choosing the last option or > 0"
                 : strcmp(choice, "last_option") == 0  ? "fraction choosing the last option"
                 : strcmp(choice, "crosses_level") == 0 ? "fraction crossing the level"
                                                        : "fraction answering > 0";
    if (rt_summary_unsigned(psy, "options", &options) != 0 || options < 2)
        options = 2;
    in->options = (size_t)options;
    json_decref(doc);
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

/* The x range of the values X[0] .. X[N-1] (sorted) with room on either
 * side, so the end points are not cut by the axes. */
static void padded_range(const double *x, size_t n, double *lo, double *hi)
{
    double span = x[n - 1] - x[0], pad = span > 0 ? 0.06 * span : fmax(1, fabs(x[0]) * 0.1);
    *lo = x[0] - pad;
    *hi = x[n - 1] + pad;
}

/* The accuracy panel: per value, with its trial count above the marker,
 * and chance, 1 / options (a guess among the readout's elements for
 * argmax, one of two answers otherwise). */
static void accuracy_panel(rt_axes *ax, const double *x, const double *acc, const double *trials, size_t n,
                           const psychometric_info *in)
{
    char label[96];
    rt_axes_labels(ax, "Accuracy per condition (n: trials)", "condition value", "accuracy (%)");
    rt_axes_ylim(ax, 0, 108);   /* room above 100% for the counts */
    snprintf(label, sizeof label, "chance (%.3g%%: 1 of %zu)", 100.0 / (double)in->options, in->options);
    rt_axes_hline(ax, 100.0 / (double)in->options,
                  (rt_style){.colour = RT_GREY, .width = 1, .dashed = RT_DASHED, .label = label});
    rt_axes_line(ax, n, x, acc, 1, (rt_style){.colour = 2, .width = 1.2});
    rt_axes_scatter(ax, n, x, acc, (rt_style){.colour = 2, .marker = RT_MARK_DOT, .size = 6});
    for (size_t i = 0; i < n; i++) {
        char count[32];
        snprintf(count, sizeof count, "%.0f", trials[i]);
        rt_axes_text(ax, x[i], acc[i], count, (rt_style){.colour = RT_BLACK});
    }
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
    double *x = malloc(4 * n * sizeof *x), *choice = x ? x + n : NULL, *acc = x ? x + 2 * n : NULL,
           *trials = x ? x + 3 * n : NULL;
    rt_fig *fig = rt_fig_new(1, 2, 960, 380, "Psychometric curve");
    if (!x || !fig) {
        free(x);
        rt_array_free(&a);
        rt_fig_free(fig);
        return rt_error(err, err_size, "out of memory for %s", RT_FILE_PSYCHOMETRIC_SVG);
    }
    for (size_t i = 0; i < n; i++) {   /* columns: value, trials, accuracy, choice */
        x[i] = a.data[4 * i];
        trials[i] = a.data[4 * i + 1];
        acc[i] = 100 * a.data[4 * i + 2];
        choice[i] = a.data[4 * i + 3];
    }
    rt_axes *ax = rt_fig_axes(fig, 0, 0);
    char title[96] = "Choices";
    psychometric_info in;
    double lo, hi;
    read_info(f, &in, title, sizeof title);
    padded_range(x, n, &lo, &hi);
    rt_axes_labels(ax, title, "condition value", in.ylabel);
    rt_axes_xlim(ax, lo, hi);
    rt_axes_ylim(ax, -0.04, 1.04);   /* markers at 0 and 1 whole */
    rt_axes_hline(ax, 0.5, (rt_style){.colour = RT_GREY, .width = 1, .dashed = RT_DASHED});
    if (in.fitted)
        draw_fit(ax, lo, hi, in.mu, in.s);
    rt_axes_scatter(ax, n, x, choice, (rt_style){.colour = 0, .marker = RT_MARK_DOT, .size = 7, .label = "trials"});
    ax = rt_fig_axes(fig, 0, 1);
    rt_axes_xlim(ax, lo, hi);
    accuracy_panel(ax, x, acc, trials, n, &in);
    free(x);
    rt_array_free(&a);
    return rt_figures_save(f, fig, RT_FILE_PSYCHOMETRIC_SVG,
                           "Psychometric curve: per condition value, the fraction of evaluation trials choosing "
                           "the last option (argmax) or answering above 0 (sign kinds), with the "
                           "maximum-likelihood logistic fit, and the accuracy with chance and the trial count",
                           err, err_size);
}
