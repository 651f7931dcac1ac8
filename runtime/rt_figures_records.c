/* rt_figures_records.c -- record_NAME.svg: the items of one 'record' line
 * drawn together, channel by channel, so that a line such as
 * 'record y.rate, target_rate in training' shows an output against its
 * target. A column per trial recorded: the first and the last training
 * trial (record_train_*.npy, for a line 'in training') and the first
 * evaluation trial (record_*.npy). Where a trial's loss counts few of its
 * steps (a target shown now and then), those steps are dots on every
 * curve. The items and their lines come from summary.json's "records";
 * a line with a spike variable is left to the raster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_summary.h"

enum { MAX_ITEMS = 8, MAX_ROWS = 3, MAX_COLUMNS = 3 };

typedef struct record_line {
    unsigned n;
    const char *name[MAX_ITEMS];    /* as the model writes them: "y.rate" */
    const char *file[MAX_ITEMS];    /* record_y_rate */
    const char *train_file[MAX_ITEMS];
} record_line;

/* The dots: the steps MASK ([T]) counts, when they are few (at most a
 * quarter of the trial's); their count, 0 for none to draw. */
static size_t sparse_steps(const double *mask, size_t T)
{
    size_t n = 0;
    for (size_t t = 0; mask && t < T; t++)
        n += mask[t] > 0;
    return n <= T / 4 ? n : 0;
}

static int draw_line(rt_figures *f, const record_line *L, char *err, size_t err_size)
{
    rt_array train[MAX_ITEMS] = {{0}}, eval[MAX_ITEMS] = {{0}}, tmask = {0}, emask = {0};
    int rc = 0, training = L->train_file[0] != NULL;
    char name[320];
    for (unsigned i = 0; i < L->n && rc == 0; i++) {
        snprintf(name, sizeof name, "%s.npy", L->file[i]);
        rc = rt_figures_load(f, name, &eval[i], err, err_size);
        if (rc == 0 && L->train_file[i]) {
            snprintf(name, sizeof name, "%s.npy", L->train_file[i]);
            rc = rt_figures_load(f, name, &train[i], err, err_size);
        }
    }
    rc = rc ? rc : rt_figures_load(f, RT_FILE_TRAIN_RECORD_MASK, &tmask, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_MASK, &emask, err, err_size);
    size_t rows = 0, T = eval[0].ndim == 3 ? eval[0].shape[1] : 0;
    for (unsigned i = 0; i < L->n; i++) {
        if (eval[i].ndim != 3 || eval[i].shape[0] == 0 || eval[i].shape[1] != T ||
            (training && (train[i].ndim != 3 || train[i].shape[0] != 2 || train[i].shape[1] != T)))
            T = 0;   /* not all there, or of other steps: no picture */
        else if (eval[i].shape[2] > rows)
            rows = eval[i].shape[2];
    }
    rows = rows < MAX_ROWS ? rows : MAX_ROWS;
    if (rc == 0 && T > 0 && rows > 0) {
        int cols = training ? 3 : 1;
        size_t every = T == emask.shape[1] || emask.ndim != 2 ? 1 : (emask.shape[1] + T - 1) / T;
        char title[400], items[200] = "";
        for (unsigned i = 0; i < L->n; i++)
            snprintf(items + strlen(items), sizeof items - strlen(items), "%s%s", i ? ", " : "", L->name[i]);
        snprintf(title, sizeof title, "Recorded %s", items);
        rt_fig *fig = rt_fig_new((int)rows, cols, cols == 1 ? 860 : 1260, 200.0 * (double)rows + 40, title);
        double *x = malloc(T * sizeof *x), *dx = malloc(T * sizeof *dx), *dy = malloc(T * sizeof *dy);
        for (size_t t = 0; x && t < T; t++)
            x[t] = 1e3 * f->dt * (double)(t * every);
        int any_dots = 0;   /* the key names the dots, in the last column, when a column has them */
        for (int c = 0; c < cols; c++) {
            const rt_array *m = training && c < 2 ? &tmask : &emask;
            size_t mT = m->ndim == 2 ? m->shape[1] : 0, row = training && c < 2 ? (size_t)c : 0;
            any_dots |= mT && sparse_steps(m->data + row * mT, mT) > 0;
        }
        for (int c = 0; fig && x && dx && dy && c < cols; c++) {
            const char *when = !training || c == 2 ? "evaluation trial 1" : c == 0 ? "first training trial"
                                                                                    : "last training trial";
            /* the loss mask of that trial, one value per recorded step */
            const rt_array *m = training && c < 2 ? &tmask : &emask;
            size_t mT = m->ndim == 2 ? m->shape[1] : 0, mrow = training && c < 2 ? (size_t)c : 0;
            double *mask = mT ? calloc(T, sizeof *mask) : NULL;
            for (size_t t = 0; mask && t < T && t * every < mT; t++)
                mask[t] = m->data[mrow * mT + t * every];
            for (size_t r = 0; r < rows; r++) {
                rt_axes *ax = rt_fig_axes(fig, (int)r, c);
                char panel[200], ylabel[64];
                snprintf(panel, sizeof panel, "%s, element %zu", when, r);
                snprintf(ylabel, sizeof ylabel, "[%zu]", r);
                rt_axes_labels(ax, panel, "time (ms)", ylabel);
                for (unsigned i = 0; i < L->n; i++) {
                    const rt_array *a = training && c < 2 ? &train[i] : &eval[i];
                    size_t w = a->shape[2], row = training && c < 2 ? (size_t)c : 0;
                    if (r >= w)
                        continue;
                    const double *y = a->data + row * T * w + r;
                    rt_axes_line(ax, T, x, y, w, (rt_style){.colour = (int)i, .width = 1.2, .dashed = i > 0,
                                                             .label = r == 0 && c == cols - 1 ? L->name[i] : NULL});
                    size_t n = 0;
                    if (sparse_steps(mask, T))
                        for (size_t t = 0; t < T; t++)
                            if (mask[t] > 0) {
                                dx[n] = x[t];
                                dy[n++] = y[t * w];
                            }
                    rt_axes_scatter(ax, n, dx, dy, (rt_style){.colour = (int)i, .size = 4,
                                                              .label = r == 0 && c == cols - 1 && i == 0 && any_dots
                                                                           ? "steps the loss counts" : NULL});
                }
                if (r == 0 && c == cols - 1)
                    rt_axes_legend_outside(ax);
            }
            free(mask);
        }
        int ok = fig && x && dx && dy;
        free(x);
        free(dx);
        free(dy);
        char caption[512];
        snprintf(caption, sizeof caption, "Recorded %s (first solid, the others dashed), %s", items,
                 training ? "in the first and last training trials and evaluation trial 1" : "in evaluation trial 1");
        snprintf(name, sizeof name, "%s.svg", L->file[0]);
        if (ok)
            rc = rt_figures_save(f, fig, name, caption, err, err_size);
        else {
            rt_fig_free(fig);
            rc = rt_error(err, err_size, "cannot draw %s/%s: out of memory", f->dir, name);
        }
    }
    for (unsigned i = 0; i < L->n; i++) {
        rt_array_free(&train[i]);
        rt_array_free(&eval[i]);
    }
    rt_array_free(&tmask);
    rt_array_free(&emask);
    return rc;
}

int rt_figures_draw_records(rt_figures *f, char *err, size_t err_size)
{
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *s = path ? rt_summary_load(path, why, sizeof why) : NULL;   /* none: no record pictures */
    free(path);
    const json_t *records = json_object_get(s, "records");
    size_t count = json_array_size(records);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        json_int_t line = json_integer_value(json_object_get(json_array_get(records, i), "line"));
        int first = 1, spikes = 0;
        record_line L = {0};
        for (size_t k = 0; k < count; k++) {
            const json_t *r = json_array_get(records, k);
            if (json_integer_value(json_object_get(r, "line")) != line)
                continue;
            first &= k >= i;
            spikes |= json_is_true(json_object_get(r, "spikes"));
            if (L.n < MAX_ITEMS) {
                L.name[L.n] = rt_summary_string(r, "name");
                L.file[L.n] = rt_summary_string(r, "file");
                L.train_file[L.n++] = rt_summary_string(r, "training_file");
            }
        }
        int named = 1;
        for (unsigned k = 0; k < L.n; k++)
            named &= L.name[k] && L.file[k];
        if (first && !spikes && named)   /* each line once, at its first item */
            rc = draw_line(f, &L, err, err_size);
    }
    json_decref(s);
    return rc;
}
