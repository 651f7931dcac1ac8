/* rt_figures_outputs.c -- outputs.svg: the target and the network's
 * output of one trial, before training (the first batch's, from
 * initial_outputs.npy and initial_targets.npy) and after (the first
 * evaluation trial's), a row per readout channel drawn.
 *
 * A trial is shorter than its batch when its phases are (a drawn delay):
 * the network runs on through the padding after its end, and that is no
 * part of the trial. So the evaluation trial is drawn as task.svg draws
 * it (rt_figures_trial_backdrop: phases, the steps not in the loss,
 * padding) from eval_mask.npy and eval_phases.npy, and its curves stop at
 * its end. The values are steps: each holds for its whole step. Under a
 * cross-entropy loss the readouts are logits, compared with one-hot
 * targets through their softmax: the softmax is drawn, and said.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_figures.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_summary.h"

enum { MAX_CHANNELS_DRAWN = 4 };

static rt_style line_style(int colour, double width, int dashed, const char *label)
{
    return (rt_style){.colour = colour, .width = width, .dashed = dashed, .alpha = 1, .label = label};
}

static int out_of_memory(rt_fig *fig, char *err, size_t err_size)
{
    rt_fig_free(fig);
    return rt_error(err, err_size, "out of memory for %s", RT_FILE_OUTPUTS_SVG);
}

/* What outputs.svg draws besides the traces: the evaluation trials' mask
 * and phases ([trials, T], when the run wrote them) with the phases' names
 * (summary.json's "task_phases"), and whether the loss is cross-entropy
 * (summary.json's settings.loss), whose readouts are logits. */
typedef struct outputs_context {
    rt_array mask, phases;
    unsigned n_phases;
    const char *phase_names[RT_MAX_PHASES];
    char phase_text[RT_MAX_PHASES][64];
    int softmax;
} outputs_context;

static int outputs_context_read(const rt_figures *f, outputs_context *c, char *err, size_t err_size)
{
    memset(c, 0, sizeof *c);
    int rc = rt_figures_load(f, RT_FILE_EVAL_MASK, &c->mask, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_PHASES, &c->phases, err, err_size);
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *s = path ? rt_summary_load(path, why, sizeof why) : NULL;   /* none: no names, no softmax */
    free(path);
    c->n_phases = rt_figures_phase_names(s, c->phase_names, c->phase_text);
    const char *loss = rt_summary_string(json_object_get(s, "settings"), "loss");
    c->softmax = loss && strncmp(loss, "cross_entropy", strlen("cross_entropy")) == 0;
    json_decref(s);
    return rc;
}

static void outputs_context_free(outputs_context *c)
{
    rt_array_free(&c->mask);
    rt_array_free(&c->phases);
}

/* Trial I of a [trials, T, ch] array into OUT [T][ch]; with SOFTMAX, each
 * readout's elements (R's layout, or all channels as one) replaced by
 * their softmax at every step, as cross-entropy reads them. */
static void trial_values(const rt_array *a, size_t i, const rt_figures_readouts *r, int softmax, double *out)
{
    size_t T = a->shape[1], ch = a->shape[2], total = 0;
    memcpy(out, a->data + i * T * ch, T * ch * sizeof *out);
    for (unsigned k = 0; k < r->n; k++)
        total += r->size[k];
    for (size_t t = 0; softmax && t < T; t++)
        for (unsigned k = 0, at = 0; k < (total == ch ? r->n : 1); at += (unsigned)r->size[k], k++) {
            size_t n = total == ch ? r->size[k] : ch;
            double *v = out + t * ch + at, top = -INFINITY, sum = 0;
            for (size_t e = 0; e < n; e++)
                top = fmax(top, v[e]);
            for (size_t e = 0; e < n; e++)
                sum += v[e] = exp(v[e] - top);   /* shifted by the largest: no overflow */
            for (size_t e = 0; e < n; e++)
                v[e] /= sum;
        }
}

/* One panel of outputs.svg: channel C of the target TV and output YV
 * ([T][ch] of one trial), behind them the trial's phases, mask and padding
 * when TR has them; the curves stop at the trial's end. */
static void output_panel(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, const double *tv,
                         const double *yv, size_t ch, size_t c, int labels, int *masked, int *padded)
{
    size_t len = tr ? rt_figures_trial_backdrop(ax, p, tr, masked, padded) : p->steps;
    double dx = 1e3 * p->dt, lo = INFINITY, hi = -INFINITY;
    rt_figures_step_line(ax, len, 0, dx, tv + c, ch, line_style(-1, 1.4, 1, labels ? "target" : NULL));
    rt_figures_step_line(ax, len, 0, dx, yv + c, ch, line_style(0, 1.2, 0, labels ? "network" : NULL));
    for (size_t t = 0; t < len; t++)
        for (const double *v = tv; v; v = v == tv ? yv : NULL)
            if (isfinite(v[t * ch + c]))
                lo = fmin(lo, v[t * ch + c]), hi = fmax(hi, v[t * ch + c]);
    if (!(lo < hi))
        lo = lo <= hi ? lo - 0.5 : 0, hi = lo + 1;
    /* room below the curves for the mask strip, above them for the phase names */
    if (tr && tr->phase)
        rt_axes_ylim(ax, lo - 0.12 * (hi - lo), hi + 0.25 * (hi - lo));
    rt_axes_xlim(ax, 0, dx * (double)p->steps);
}

/* A panel's title: when, which channel, and "softmax" when the curves are
 * the readout's softmax (the figure's title says why). */
static void output_title(rt_axes *ax, int before, int softmax, const char *channel)
{
    char title[200], ylabel[128];
    snprintf(title, sizeof title, "%s, %s%s", before ? "Before training (first batch)" : "After training (evaluation)",
             softmax ? "softmax " : "", channel);
    snprintf(ylabel, sizeof ylabel, softmax ? "softmax %s" : "%s", channel);
    rt_axes_labels(ax, title, "time (ms)", ylabel);
}

/* outputs.svg: a row per channel drawn, a column before training (Y0
 * against T0, when they are there) and one after (Y1 against T1), the
 * latter over the evaluation trial's phases, mask and padding. */
static int draw_output_traces(rt_figures *f, const rt_figures_readouts *r, const rt_array *y0, const rt_array *t0,
                              const rt_array *y1, const rt_array *t1, const outputs_context *c, char *err,
                              size_t err_size)
{
    size_t T = y1->shape[1], ch = y1->shape[2], drawn[MAX_CHANNELS_DRAWN];
    size_t rows = rt_figures_channels_drawn(r, ch, MAX_CHANNELS_DRAWN, drawn);
    int before = y0->ndim == 3 && t0->ndim == 3 && y0->count == t0->count && y0->shape[1] == T &&
                 y0->shape[2] == ch;
    if (rows == 0)
        return 0;
    rt_fig *fig = rt_fig_new((int)rows, before ? 2 : 1, before ? 1200 : 860, 200.0 * (double)rows + 40,
                             c->softmax ? "Target and output (the softmax of each readout: the loss is "
                                          "cross-entropy, the readouts are logits)"
                                        : "Target and output");
    size_t n = T * ch + 1;
    double *buf = malloc(4 * n * sizeof *buf);
    if (!fig || !buf) {
        free(buf);
        return out_of_memory(fig, err, err_size);
    }
    double *v[4] = {buf, buf + n, buf + 2 * n, buf + 3 * n};   /* targets, outputs: before, after */
    if (before) {
        trial_values(t0, 0, r, 0, v[0]);
        trial_values(y0, 0, r, c->softmax, v[1]);
    }
    trial_values(t1, 0, r, 0, v[2]);
    trial_values(y1, 0, r, c->softmax, v[3]);
    rt_task_picture p = {.dt = f->dt, .steps = T, .n_phases = c->n_phases, .phase_names = c->phase_names};
    rt_task_trial tr = {.mask = rt_figures_trial_row(&c->mask, y1, 0), .phase = rt_figures_trial_row(&c->phases, y1, 0)};
    int masked = 0, padded = 0;
    for (size_t i = 0; i < rows; i++)
        for (int col = 0; col < 1 + before; col++) {
            int first_batch = col == 0 && before;
            char channel[96];
            rt_figures_channel_name(r, ch, drawn[i], channel, sizeof channel);
            rt_axes *ax = rt_fig_axes(fig, (int)i, col);
            output_title(ax, first_batch, c->softmax, channel);
            if (!first_batch)   /* the key to the backdrop, beside the curves */
                rt_axes_legend_outside(ax);
            output_panel(ax, &p, first_batch ? NULL : &tr, v[first_batch ? 0 : 2], v[first_batch ? 1 : 3], ch,
                         drawn[i], i == 0, &masked, &padded);
        }
    rt_figures_trial_legend(rt_fig_axes(fig, 0, before), masked, padded);
    free(buf);
    char caption[256];
    snprintf(caption, sizeof caption, "Target (dashed) and network output%s (solid), %s%s",
             c->softmax ? " as the softmax of each readout" : "",
             before ? "trial 1: before and after training" : "evaluation trial 1",
             tr.phase || tr.mask ? "; after training over the trial's phases, mask and padding" : "");
    return rt_figures_save(f, fig, RT_FILE_OUTPUTS_SVG, caption, err, err_size);
}

int rt_figures_draw_outputs(rt_figures *f, const rt_figures_readouts *r, char *err, size_t err_size)
{
    rt_array y0 = {0}, t0 = {0}, y1 = {0}, t1 = {0};
    outputs_context c;
    int rc = outputs_context_read(f, &c, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_INITIAL_OUTPUTS, &y0, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_INITIAL_TARGETS, &t0, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_OUTPUTS, &y1, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_TARGETS, &t1, err, err_size);
    if (rc == 0 && y1.ndim == 3 && t1.ndim == 3 && y1.count == t1.count && y1.shape[0] > 0)
        rc = draw_output_traces(f, r, &y0, &t0, &y1, &t1, &c, err, err_size);
    outputs_context_free(&c);
    rt_array_free(&y0);
    rt_array_free(&t0);
    rt_array_free(&y1);
    rt_array_free(&t1);
    return rc;
}
