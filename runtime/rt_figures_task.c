/* rt_figures_task.c -- a task's sample trials as one picture (rt_figures.h).
 *
 * Drawn from plain arrays, so 'rnnc task show' (trials made by the task
 * engine) and a run's task.svg (its evaluation files) draw them alike.
 * Each trial is one panel, as in Jarne 2024, Fig. 3: the inputs in
 * colour, the targets in grey, and behind them what a reader of a task
 * needs to see: its phases, the steps that are not in the loss and the
 * padding of a trial shorter than the batch's.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_figures.h"

enum { MAX_PANELS = 32, PANEL_PX = 190, FIGURE_PX = 1000 };

/* The look of what is drawn behind the lines. */
#define PHASE_ALPHA 0.13
#define MASK_ALPHA 0.45
#define PADDING_ALPHA 0.3
#define MASK_STRIP 0.05   /* of the panel's height, along its bottom */

static rt_style style(int colour, double width, int dashed, double alpha, const char *label)
{
    return (rt_style){.colour = colour, .width = width, .dashed = dashed, .alpha = alpha, .label = label};
}

static int drawn_role(rt_channel_role r)
{
    return r == RT_CHANNEL_INPUT || r == RT_CHANNEL_TARGET;
}

static int is_wide(const rt_channel *c)
{
    return drawn_role(c->role) && c->size > RT_TASK_LINES_MAX;
}

/* The trial's own steps: as given, else up to its last step with a phase. */
static size_t trial_length(const rt_task_picture *p, const rt_task_trial *tr)
{
    if (tr->length > 0 && tr->length <= p->steps)
        return tr->length;
    if (!tr->phase)
        return p->steps;
    size_t n = p->steps;
    while (n > 0 && tr->phase[n - 1] == 0)
        n--;
    return n > 0 ? n : p->steps;
}

/* Time in ms of step T's start (or T itself when dt is unknown). */
static double time_of(const rt_task_picture *p, double t)
{
    return p->dt > 0 ? 1e3 * p->dt * t : t;
}

/* "x[2]", also for a channel of one element (as the run's other pictures
 * name a readout's channels). */
static void element_name(const rt_channel *c, size_t k, char *buf, size_t size)
{
    snprintf(buf, size, "%s[%zu]", c->name, k);
}

/* The smallest and largest value drawn as a line in trial TR. */
static void line_range(const rt_task_picture *p, const rt_task_trial *tr, size_t len, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (unsigned c = 0; c < p->n_channels; c++) {
        const rt_channel *ch = &p->channels[c];
        if (!drawn_role(ch->role) || is_wide(ch))
            continue;
        for (size_t i = 0; i < len * ch->size; i++)
            if (isfinite(tr->channels[c][i])) {
                *lo = fmin(*lo, tr->channels[c][i]);
                *hi = fmax(*hi, tr->channels[c][i]);
            }
    }
    if (!(*lo <= *hi))
        *lo = 0, *hi = 1;
    if (*hi - *lo < 1e-12)
        *lo -= 0.5, *hi += 0.5;
}

void rt_figures_step_line(rt_axes *ax, size_t n, double x0, double dx, const double *y, size_t stride,
                          rt_style s)
{
    double *xs = malloc((2 * n + 1) * sizeof *xs), *ys = malloc((2 * n + 1) * sizeof *ys);
    for (size_t t = 0; xs && ys && t < n; t++) {
        xs[2 * t] = x0 + dx * (double)t;
        xs[2 * t + 1] = x0 + dx * (double)(t + 1);
        ys[2 * t] = ys[2 * t + 1] = y[t * stride];
    }
    if (xs && ys)
        rt_axes_line(ax, 2 * n, xs, ys, 1, s);
    free(xs);
    free(ys);
}

/* Every target element a grey line, then every input element a coloured
 * one over it (a fixation input equal to its target stays visible), over
 * the trial's own LEN steps, as steps (a value holds for its whole step);
 * labelled when LABELS. */
static void trial_lines(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, size_t len, int labels)
{
    int colour = 0, target = 0;
    for (int inputs = 0; inputs < 2; inputs++)
        for (unsigned c = 0; c < p->n_channels; c++) {
            const rt_channel *ch = &p->channels[c];
            if (!drawn_role(ch->role) || is_wide(ch) || (ch->role == RT_CHANNEL_INPUT) != inputs)
                continue;
            for (size_t k = 0; k < ch->size; k++) {
                char name[160];
                element_name(ch, k, name, sizeof name);
                rt_style s = inputs ? style(colour++, 1.3, RT_SOLID, 1, NULL)
                                    : style(RT_GREY, 2.6, target++ % 3, 0.9, NULL);
                s.label = labels ? name : NULL;
                rt_figures_step_line(ax, len, 0, time_of(p, 1), tr->channels[c] + k, ch->size, s);
            }
        }
}

/* The phases as alternating bands, each named at the top. */
static void phase_bands(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, size_t len)
{
    for (size_t t0 = 0; tr->phase && t0 < len;) {
        double k = tr->phase[t0];
        size_t t1 = t0 + 1;
        while (t1 < len && tr->phase[t1] == k)
            t1++;
        if (k >= 1 && k <= p->n_phases && k == floor(k)) {
            unsigned i = (unsigned)k;
            rt_axes_xspan(ax, time_of(p, (double)t0), time_of(p, (double)t1), 0, 1,
                          p->phase_names ? p->phase_names[i - 1] : NULL,
                          /* sky blue and yellow, so that grey is only the padding's */
                          style(i % 2 ? 4 : 6, 0, 0, i % 2 ? PHASE_ALPHA : 1.6 * PHASE_ALPHA, NULL));
        }
        t0 = t1;
    }
}

/* The runs of steps with mask 0 as a strip along the bottom; 1 if any. */
static int mask_strip(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, size_t len)
{
    int any = 0;
    for (size_t t0 = 0; tr->mask && t0 < len;) {
        if (tr->mask[t0] != 0) {
            t0++;
            continue;
        }
        size_t t1 = t0 + 1;
        while (t1 < len && tr->mask[t1] == 0)
            t1++;
        rt_axes_xspan(ax, time_of(p, (double)t0), time_of(p, (double)t1), 0, MASK_STRIP, NULL,
                      style(RT_BLACK, 0, 0, MASK_ALPHA, NULL));
        any = 1;
        t0 = t1;
    }
    return any;
}

void rt_figures_trial_legend(rt_axes *ax, int masked, int padded)
{
    if (masked)
        rt_axes_xspan(ax, 0, 0, 0, MASK_STRIP, NULL, style(RT_BLACK, 0, 0, MASK_ALPHA, "not in the loss (mask 0)"));
    if (padded)
        rt_axes_xspan(ax, 0, 0, 0, 1, NULL, style(RT_GREY, 0, 0, PADDING_ALPHA, "padding (after the trial)"));
}

/* Whether channel C holds only 0 and 1 in the trials drawn (spikes), and
 * its smallest and largest finite value there. */
static int is_binary(const rt_task_picture *p, unsigned c, size_t trials, double *lo, double *hi)
{
    size_t n = p->steps * p->channels[c].size;
    int binary = 1;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < trials; i++)
        for (size_t k = 0; k < n; k++) {
            double v = p->trials[i].channels[c][k];
            binary &= v == 0 || v == 1;
            if (isfinite(v)) {
                *lo = fmin(*lo, v);
                *hi = fmax(*hi, v);
            }
        }
    return binary;
}

/* A wide channel C of trial TR in a panel of its own: a raster of its
 * spikes, or a heat map [element][step] (padding grey). */
static int wide_panel(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, size_t len, unsigned c,
                      int binary, double lo, double hi)
{
    const rt_channel *ch = &p->channels[c];
    size_t T = p->steps, n = ch->size;
    char ylabel[160];
    snprintf(ylabel, sizeof ylabel, "%s (element)", ch->name);
    rt_axes_labels(ax, NULL, NULL, ylabel);
    double *a = malloc((T * n + 1) * sizeof *a), *b = malloc((T * n + 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return -1;
    }
    if (binary) {
        size_t m = 0;
        for (size_t t = 0; t < len; t++)
            for (size_t k = 0; k < n; k++)
                if (tr->channels[c][t * n + k] != 0) {
                    a[m] = time_of(p, (double)t);
                    b[m++] = (double)k;
                }
        rt_axes_scatter(ax, m, a, b, (rt_style){.colour = RT_BLACK, .marker = RT_MARK_TICK, .width = 1});
        rt_axes_ylim(ax, -0.5, (double)n - 0.5);
    } else {
        for (size_t k = 0; k < n; k++)
            for (size_t t = 0; t < T; t++)
                a[k * T + t] = t < len ? tr->channels[c][t * n + k] : NAN;
        rt_axes_image(ax, n, T, a, 0, ch->role == RT_CHANNEL_TARGET ? "target" : "input");
        rt_axes_image_x(ax, 0, time_of(p, (double)T));
        if (lo < hi)   /* one colour scale for every trial */
            rt_axes_clim(ax, lo, hi);
    }
    free(a);
    free(b);
    for (size_t t = 1; tr->phase && t < len; t++)   /* where the phases of the panel above change */
        if (tr->phase[t] != tr->phase[t - 1])
            rt_axes_vline(ax, time_of(p, (double)t), style(RT_GREY, 1.5, RT_DASHED, 1, NULL));
    return 0;
}

size_t rt_figures_trial_backdrop(rt_axes *ax, const rt_task_picture *p, const rt_task_trial *tr, int *masked,
                                 int *padded)
{
    size_t len = trial_length(p, tr);
    phase_bands(ax, p, tr, len);
    *masked |= mask_strip(ax, p, tr, len);
    if (len < p->steps) {
        rt_axes_xspan(ax, time_of(p, (double)len), time_of(p, (double)p->steps), 0, 1, "padding",
                      style(RT_GREY, 0, 0, PADDING_ALPHA, NULL));
        *padded = 1;
    }
    return len;
}

/* Trial I's main panel: bands, strips, lines, a title with its length. */
static void trial_panel(rt_axes *ax, const rt_task_picture *p, size_t i, int labels, int *masked, int *padded)
{
    const rt_task_trial *tr = &p->trials[i];
    size_t len = trial_length(p, tr);
    char title[96];
    if (p->dt > 0)
        snprintf(title, sizeof title, "Trial %zu (%g ms%s)", i + 1, time_of(p, (double)len),
                 len < p->steps ? ", then padding" : "");
    else
        snprintf(title, sizeof title, "Trial %zu (%zu steps%s)", i + 1, len, len < p->steps ? ", then padding" : "");
    rt_axes_labels(ax, title, NULL, "value");
    rt_axes_legend_outside(ax);
    rt_figures_trial_backdrop(ax, p, tr, masked, padded);
    trial_lines(ax, p, tr, len, labels);
    double lo, hi;
    line_range(p, tr, len, &lo, &hi);
    /* room below the lines for the mask strip, above them for the phase names */
    rt_axes_ylim(ax, lo - 0.12 * (hi - lo), hi + (tr->phase ? 0.25 : 0.08) * (hi - lo));
}

static int has_lines(const rt_task_picture *p)
{
    for (unsigned c = 0; c < p->n_channels; c++)
        if (drawn_role(p->channels[c].role) && !is_wide(&p->channels[c]))
            return 1;
    return 0;
}

rt_fig *rt_figures_task(const rt_task_picture *p, size_t *drawn)
{
    unsigned wide = 0;
    for (unsigned c = 0; c < p->n_channels; c++)
        wide += is_wide(&p->channels[c]);
    int lines = has_lines(p);
    size_t per_trial = (size_t)lines + wide, trials = p->n_trials;
    if (per_trial == 0 || trials == 0 || p->steps == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (trials * per_trial > MAX_PANELS)
        trials = MAX_PANELS / per_trial;
    *drawn = trials;
    int rows = (int)(trials * per_trial);
    char title[512];   /* the key to the lines, where every reader sees it */
    snprintf(title, sizeof title, "%s%sinputs in colour, targets in grey", p->title ? p->title : "",
             p->title ? "; " : "");
    rt_fig *fig = rt_fig_new(rows, 1, FIGURE_PX, PANEL_PX * rows + 32, title);
    if (!fig) {
        errno = ENOMEM;
        return NULL;
    }
    int masked = 0, padded = 0, failed = 0;
    rt_axes *first = rt_fig_axes(fig, 0, 0);
    for (size_t i = 0; i < trials && !failed; i++) {
        int row = (int)(i * per_trial);
        if (lines)
            trial_panel(rt_fig_axes(fig, row++, 0), p, i, i == 0, &masked, &padded);
        for (unsigned c = 0; c < p->n_channels && !failed; c++) {
            double lo, hi;
            if (!is_wide(&p->channels[c]))
                continue;
            int binary = is_binary(p, c, trials, &lo, &hi);
            failed = wide_panel(rt_fig_axes(fig, row++, 0), p, &p->trials[i], trial_length(p, &p->trials[i]), c,
                                binary, lo, hi) != 0;
        }
    }
    rt_axes_labels(rt_fig_axes(fig, rows - 1, 0), NULL, p->dt > 0 ? "time (ms)" : "time (steps)", NULL);
    for (int r = 0; r < rows; r++) {
        rt_axes_xlim(rt_fig_axes(fig, r, 0), 0, time_of(p, (double)p->steps));
        if (r > 0)
            rt_axes_share_x(rt_fig_axes(fig, r, 0), first);
    }
    if (lines)
        rt_figures_trial_legend(first, masked, padded);
    if (failed) {
        rt_fig_free(fig);
        errno = ENOMEM;
        return NULL;
    }
    return fig;
}
