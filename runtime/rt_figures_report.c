/* rt_figures_report.c -- report.html of a results folder: the metrics of
 * its summary, the pictures rt_figures_draw wrote, the settings and the
 * model source on one page (rt_report.h builds it; see rt_figures.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_figures.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_report.h"
#include "rt_summary.h"

enum { MAX_METRIC_ROWS = 128 };

/* V, a number, string, boolean or null, as the report's table shows it
 * (into BUF when it has to be formatted); NULL for an object or array,
 * which the settings show instead. */
static const char *scalar_text(const json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.9g", json_real_value(v));   /* as rt_summary_save writes it */
    else if (json_is_boolean(v) || json_is_null(v))
        return json_is_null(v) ? "null" : json_is_true(v) ? "true" : "false";
    else
        return NULL;
    return buf;
}

/* The top-level scalars of SUMMARY as table rows in KEYS and VALUES (SUMMARY
 * owns the strings); their count, at most MAX_METRIC_ROWS. */
static size_t metric_rows(const json_t *summary, const char **keys, char (*values)[64], const char **shown)
{
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)summary, key, v) {
        const char *text = n < MAX_METRIC_ROWS ? scalar_text(v, values[n], sizeof values[0]) : NULL;
        if (text) {
            keys[n] = key;
            shown[n++] = text;
        }
    }
    return n;
}

/* The Results section: EXTRA, then SUMMARY's metrics. */
static void report_results(rt_report *r, const json_t *summary, const rt_figures_table *extra)
{
    const char *keys[MAX_METRIC_ROWS], *shown[MAX_METRIC_ROWS];
    char values[MAX_METRIC_ROWS][64];
    size_t n = summary ? metric_rows(summary, keys, values, shown) : 0;
    const char *key_of_pop;
    rt_report_heading(r, "Results");
    if (extra)
        rt_report_table(r, extra->caption, extra->n, extra->keys, extra->values);
    rt_report_table(r, "From " RT_FILE_SUMMARY, n, keys, shown);
    /* the spiking populations' rate and irregularity over the evaluation */
    json_t *spiking = json_object_get(summary, "spiking"), *pop;
    const char *names[MAX_METRIC_ROWS], *texts[MAX_METRIC_ROWS];
    size_t k = 0;
    json_object_foreach (spiking, key_of_pop, pop) {
        if (k == MAX_METRIC_ROWS)
            break;
        double rate = json_number_value(json_object_get(pop, "rate_hz"));
        json_t *cv = json_object_get(pop, "cv_isi");
        if (json_is_number(cv))
            snprintf(values[k], sizeof values[0], "%.4g Hz, CV of intervals %.3g", rate, json_number_value(cv));
        else
            snprintf(values[k], sizeof values[0], "%.4g Hz", rate);
        names[k] = key_of_pop;
        texts[k] = values[k];
        k++;
    }
    if (k)
        rt_report_table(r, "Spiking populations: mean rate and CV of the inter-spike intervals over the evaluation",
                        k, names, texts);
}

/* The Figures section; 0, or -1 naming the first picture that could not
 * be read back (the others are still shown). */
static int report_figures(rt_report *r, const rt_figures *f, char *err, size_t err_size)
{
    int rc = 0;
    rt_report_heading(r, "Figures");
    for (size_t i = 0; i < f->count; i++) {
        char *path = rt_figures_path(f->dir, f->names[i]);
        if (!path || rt_report_svg_file(r, path, f->captions[i]) != 0) {
            if (rc == 0)
                rt_error(err, err_size, "%s/%s is not in the report: %s", f->dir, f->names[i],
                         path ? strerror(errno) : "out of memory");
            rc = -1;
        }
        free(path);
    }
    return rc;
}

/* The page itself, written to DIR/report.html. */
static int report_page(rt_report *r, const rt_figures *f, const json_t *summary, const char *model_source,
                       const rt_figures_table *extra, char *err, size_t err_size)
{
    char *text = summary ? rt_summary_text(summary) : NULL;
    if (summary && !text)
        return rt_error(err, err_size, "out of memory for %s/%s", f->dir, RT_FILE_REPORT);
    report_results(r, summary, extra);
    int rc = report_figures(r, f, err, err_size);
    if (text) {
        rt_report_heading(r, "Settings and metrics");
        rt_report_code(r, RT_FILE_SUMMARY, text);
    }
    free(text);
    if (model_source) {
        rt_report_heading(r, "Model");
        rt_report_code(r, "The model file", model_source);
    }
    char *path = rt_figures_path(f->dir, RT_FILE_REPORT);
    if (!path || rt_report_write(r, path) != 0)
        rc = rt_error(err, err_size, "cannot write %s/%s: %s", f->dir, RT_FILE_REPORT,
                      path ? strerror(errno) : "out of memory");
    free(path);
    return rc;
}

int rt_figures_report(const rt_figures *f, const char *title, const json_t *summary, const char *model_source,
                      const rt_figures_table *extra, char *err, size_t err_size)
{
    rt_report *r = rt_report_new(title);
    int rc = r ? report_page(r, f, summary, model_source, extra, err, err_size)
               : rt_error(err, err_size, "out of memory for %s/%s", f->dir, RT_FILE_REPORT);
    rt_report_free(r);
    return rc;
}
