/* rt_figures.c -- the pictures of a results folder, drawn from its files.
 *
 * Every picture is made from what the folder holds (loss.csv, summary.json
 * and the .npy arrays, named in rt_files.h), not from the running network,
 * so 'rnnc run', 'rnnc analyze DIR' and the combined folder of '--seeds'
 * draw them the same way. A picture whose files are absent is skipped; a
 * file that is there but cannot be read, or a picture that cannot be
 * written, is an error (rt_figures.h). Reading the folder is
 * rt_figures_folder.c; the report is rt_figures_report.c.
 */
#include "rt_figures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_npy.h"
#include "rt_plot.h"
#include "rt_summary.h"

enum { TRAJECTORIES_DRAWN = 16 };

int rt_figures_save(rt_figures *f, rt_fig *fig, const char *name, const char *caption, char *err, size_t err_size)
{
    char *path = rt_figures_path(f->dir, name);
    int rc = 0;
    if (!path || !fig)
        rc = rt_error(err, err_size, "cannot draw %s/%s: out of memory", f->dir, name);
    else if (rt_fig_write(fig, path) != 0)
        rc = rt_error(err, err_size, "cannot write %s: %s", path, strerror(errno));
    else if (f->count < RT_FIGURES_MAX) {
        snprintf(f->names[f->count], sizeof f->names[0], "%s", name);
        snprintf(f->captions[f->count], sizeof f->captions[0], "%s", caption);
        f->count++;
    }
    free(path);
    rt_fig_free(fig);
    return rc;
}

static int out_of_memory(rt_fig *fig, const char *name, char *err, size_t err_size)
{
    rt_fig_free(fig);
    return rt_error(err, err_size, "out of memory for %s", name);
}

static rt_style line_style(int colour, double width, int dashed, const char *label)
{
    rt_style s = {.colour = colour, .width = width, .dashed = dashed, .marker = RT_MARK_NONE, .size = 0,
                  .alpha = 1, .label = label};
    return s;
}

static rt_style mark_style(int colour, int marker, double size, const char *label)
{
    rt_style s = {.colour = colour, .width = 1, .dashed = 0, .marker = marker, .size = size, .alpha = 1,
                  .label = label};
    return s;
}

/* ------------------------------------------------------------ loss */

static int draw_loss(rt_figures *f, char *err, size_t err_size)
{
    size_t rows;
    double *update, *loss, *rate;
    if (rt_figures_read_loss(f->dir, &rows, &update, &loss, &rate, err, err_size) != 0)
        return -1;
    if (rows == 0)
        return 0;
    int panels = rate ? 2 : 1;
    rt_fig *fig = rt_fig_new(panels, 1, 720, 280.0 * panels, "Training");
    rt_axes *ax = rt_fig_axes(fig, 0, 0);
    rt_axes_labels(ax, "Training loss", "update", "loss");
    rt_axes_log_y(ax);
    rt_axes_line(ax, rows, update, loss, 1, line_style(0, 1.2, 0, NULL));
    if (rate) {
        ax = rt_fig_axes(fig, 1, 0);
        rt_axes_labels(ax, "Mean firing rate", "update", "rate (Hz)");
        rt_axes_line(ax, rows, update, rate, 1, line_style(1, 1.2, 0, NULL));
    }
    const char *caption = rate ? "Training loss (log scale) and mean firing rate per update"
                               : "Training loss per update (log scale)";
    free(update);
    free(loss);
    free(rate);
    return rt_figures_save(f, fig, RT_FILE_LOSS_SVG, caption, err, err_size);
}

/* ------------------------------------------------------------ target vs output */

/* ------------------------------------------------------------ spikes */

/* Population POP's size and the steps of a trial, from summary.json; 0
 * where it does not say. */
static void pop_size_steps(const rt_figures *f, const char *pop, size_t *n, size_t *steps)
{
    *n = *steps = 0;
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *s = path ? rt_summary_load(path, why, sizeof why) : NULL, *p;
    free(path);
    unsigned long long v;
    if (rt_summary_unsigned(s, "steps", &v) == 0)
        *steps = (size_t)v;
    size_t i;
    json_array_foreach (json_object_get(s, "populations"), i, p) {
        const char *name = rt_summary_string(p, "name");
        if (name && strcmp(name, pop) == 0 && rt_summary_unsigned(p, "size", &v) == 0)
            *n = (size_t)v;
    }
    json_decref(s);
}

/* Neurons a raster shows at most: more are a grey wall, and the SVG grows
 * with every spike (Brunel 2000's figure 8 shows 50 of 10,000). */
enum { RASTER_NEURONS = 200, RATE_BINS = 2000 };

/* The spikes of evaluation trial 1 of POP's first RASTER_NEURONS neurons
 * and, below them, the population's rate over all its neurons in bins of
 * whole steps (at most RATE_BINS of them). */
static int draw_raster(rt_figures *f, const rt_figures_readouts *r, const char *pop, char *err, size_t err_size)
{
    (void)r;
    char name[320], title[400];
    rt_array s;
    if (rt_figures_load(f, rt_file_name(name, sizeof name, RT_FILE_SPIKES, pop), &s, err, err_size) != 0)
        return -1;
    if (s.ndim != 2 || s.shape[1] != 3) {
        rt_array_free(&s);
        return 0;
    }
    size_t size, steps;
    pop_size_steps(f, pop, &size, &steps);
    size_t bin = steps > RATE_BINS ? (steps + RATE_BINS - 1) / RATE_BINS : 1, bins = steps ? (steps + bin - 1) / bin : 0;
    int rate = size > 0 && bins > 1;
    double *x = malloc((s.shape[0] + 1) * sizeof *x), *y = malloc((s.shape[0] + 1) * sizeof *y);
    double *count = calloc(bins + 1, sizeof *count), *at = malloc((bins + 1) * sizeof *at);
    size_t n = 0, all = 0;
    for (size_t k = 0; x && y && count && k < s.shape[0]; k++)
        if (s.data[3 * k] == 0) {   /* the first trial */
            size_t step = (size_t)s.data[3 * k + 2];
            all++;
            if (step / bin < bins)
                count[step / bin]++;
            if (s.data[3 * k + 1] >= RASTER_NEURONS)
                continue;
            y[n] = s.data[3 * k + 1];
            x[n++] = 1e3 * f->dt * (s.data[3 * k + 2] + 1);
        }
    rt_fig *fig = rt_fig_new(rate ? 2 : 1, 1, 900, rate ? 600 : 420, NULL);
    rt_axes *ax = rt_fig_axes(fig, 0, 0);
    if (size > RASTER_NEURONS)
        snprintf(title, sizeof title, "Spikes of %s, evaluation trial 1: neurons 0-%d of %zu (%zu spikes of %zu)",
                 pop, RASTER_NEURONS - 1, size, n, all);
    else
        snprintf(title, sizeof title, "Spikes of %s, evaluation trial 1 (%zu spikes)", pop, n);
    rt_axes_labels(ax, title, rate ? NULL : "time (ms)", "neuron");
    rt_axes_scatter(ax, n, x, y, mark_style(-1, RT_MARK_TICK, 4, NULL));
    if (rate && count && at) {
        rt_axes *ar = rt_fig_axes(fig, 1, 0);
        for (size_t b = 0; b < bins; b++) {
            size_t width = b + 1 < bins ? bin : steps - b * bin;
            count[b] /= (double)size * (double)width * f->dt;
            at[b] = 1e3 * f->dt * ((double)(b * bin) + 0.5 * (double)width);
        }
        snprintf(title, sizeof title, "Population rate of %s (all %zu neurons, bins of %.3g ms)", pop, size,
                 1e3 * f->dt * (double)bin);
        rt_axes_labels(ar, title, "time (ms)", "rate (Hz)");
        rt_axes_line(ar, bins, at, count, 1, line_style(0, 1, 0, NULL));
        rt_axes_share_x(ar, ax);
    }
    int ok = x && y && count && at;
    free(x);
    free(y);
    free(count);
    free(at);
    rt_array_free(&s);
    rt_file_name(name, sizeof name, RT_FILE_RASTER_SVG, pop);
    snprintf(title, sizeof title, rate ? "Spike raster of population %s and its population rate"
                                       : "Spike raster of population %s", pop);
    return ok ? rt_figures_save(f, fig, name, title, err, err_size) : out_of_memory(fig, name, err, err_size);
}

/* ------------------------------------------------------------ weights and spectra */

/* FORMAT (RT_FILE_WEIGHTS, RT_FILE_EIGEN) of STEM before and after training. */
static int load_before_after(const rt_figures *f, const char *format, const char *stem, rt_array *before,
                             rt_array *after, char *err, size_t err_size)
{
    char name[320];
    memset(after, 0, sizeof *after);
    const char *initial = rt_file_name(name, sizeof name, format, RT_WHEN_INITIAL, stem);
    if (rt_figures_load(f, initial, before, err, err_size) == 0 &&
        rt_figures_load(f, rt_file_name(name, sizeof name, format, RT_WHEN_FINAL, stem), after, err, err_size) == 0)
        return 0;
    rt_array_free(before);
    return -1;
}

/* The largest magnitude in A and, when BOTH, B: one colour scale for both. */
static double largest_magnitude(const rt_array *a, const rt_array *b, int both)
{
    double big = 0;
    for (size_t i = 0; i < a->count; i++)
        big = fmax(big, fabs(a->data[i]));
    for (size_t i = 0; both && i < b->count; i++)
        big = fmax(big, fabs(b->data[i]));
    return big;
}

static int draw_weights(rt_figures *f, const rt_figures_readouts *r, const char *stem, char *err, size_t err_size)
{
    (void)r;
    char name[320], title[400];
    rt_array w0, w1;
    if (load_before_after(f, RT_FILE_WEIGHTS, stem, &w0, &w1, err, err_size) != 0)
        return -1;
    int rc = 0;
    /* a thin matrix (3 input channels, 1 readout) shows little as a heat map,
     * and one with a side of thousands is a pixel or less a neuron */
    if (w1.ndim == 2 && w1.shape[0] >= 8 && w1.shape[1] >= 8 && w1.shape[0] <= RT_DENSE_WEIGHTS_MAX_SIDE &&
        w1.shape[1] <= RT_DENSE_WEIGHTS_MAX_SIDE) {
        int both = w0.ndim == 2 && w0.count == w1.count, same = both;
        for (size_t i = 0; same && i < w1.count; i++)
            same = w0.data[i] == w1.data[i];
        both = both && !same;   /* unchanged (frozen, an evaluation): one panel */
        rt_fig *fig = rt_fig_new(1, both ? 2 : 1, both ? 960 : 520, 460, NULL);
        double big = largest_magnitude(&w1, &w0, both);
        for (int col = 0; col < 1 + both; col++) {
            const rt_array *w = col == 0 && both ? &w0 : &w1;
            rt_axes *ax = rt_fig_axes(fig, 0, col);
            snprintf(title, sizeof title, "%s", same ? "Unchanged by the run" : col == 0 && both ? "Before training"
                                                                                             : "After training");
            rt_axes_labels(ax, title, "presynaptic neuron", "postsynaptic neuron");
            rt_axes_image(ax, w->shape[0], w->shape[1], w->data, 1, "weight");
            if (big > 0)
                rt_axes_clim(ax, -big, big);
        }
        snprintf(title, sizeof title, same ? "Weights %s ([post, pre])" : "Weights %s ([post, pre]) before and after "
                 "training", stem);
        rc = rt_figures_save(f, fig, rt_file_name(name, sizeof name, RT_FILE_WEIGHTS_SVG, stem), title, err,
                             err_size);
    }
    rt_array_free(&w0);
    rt_array_free(&w1);
    return rc;
}

/* Eigenvalues [n, 2] on the complex plane, with the unit circle. */
void rt_figures_spectrum(rt_axes *ax, const rt_array *e, rt_style s)
{
    size_t n = e->shape[0];
    double *re = malloc((n + 1) * sizeof *re), *im = malloc((n + 1) * sizeof *im);
    for (size_t i = 0; re && im && i < n; i++) {
        re[i] = e->data[2 * i];
        im[i] = e->data[2 * i + 1];
    }
    if (re && im)
        rt_axes_scatter(ax, n, re, im, s);
    free(re);
    free(im);
}

void rt_figures_complex_plane(rt_axes *ax, const char *title)
{
    rt_axes_labels(ax, title, "Re \xce\xbb", "Im \xce\xbb");
    rt_axes_equal(ax);
    rt_axes_circle(ax, 0, 0, 1, line_style(RT_BLACK, 1, RT_DASHED, "unit circle"));
}

static int draw_eigen(rt_figures *f, const rt_figures_readouts *r, const char *stem, char *err, size_t err_size)
{
    (void)r;
    char name[320], title[400];
    rt_array e0, e1;
    if (load_before_after(f, RT_FILE_EIGEN, stem, &e0, &e1, err, err_size) != 0)
        return -1;
    int rc = 0;
    if (e1.ndim == 2 && e1.shape[1] == 2) {
        rt_fig *fig = rt_fig_new(1, 1, 560, 560, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        snprintf(title, sizeof title, "Eigenvalues of %s", stem);
        rt_figures_complex_plane(ax, title);
        if (e0.ndim == 2 && e0.shape[1] == 2)
            rt_figures_spectrum(ax, &e0, mark_style(RT_GREY, RT_MARK_CIRCLE, 5, "before training"));
        rt_figures_spectrum(ax, &e1, mark_style(0, RT_MARK_DOT, 4, "after training"));
        snprintf(title, sizeof title, "Eigenvalues of the weights %s in the complex plane", stem);
        rc = rt_figures_save(f, fig, rt_file_name(name, sizeof name, RT_FILE_EIGEN_SVG, stem), title, err,
                             err_size);
    }
    rt_array_free(&e0);
    rt_array_free(&e1);
    return rc;
}

/* ------------------------------------------------------------ PCA and fixed points */

/* The fixed points with stability STABLE (Y [point, k], ST [point]) and,
 * when COND has an entry per point, of condition C (-1: of none) as
 * markers in style S. */
static void fixed_point_set(rt_axes *ax, const rt_array *y, const rt_array *st, const rt_array *cond, double c,
                            int stable, int three_d, rt_style s)
{
    size_t count = y->shape[0], k = y->shape[1], m = 0;
    double *p[3];
    for (int d = 0; d < 3; d++)
        p[d] = malloc((count + 1) * sizeof **p);
    for (size_t q = 0; p[0] && p[1] && p[2] && q < count; q++) {
        if ((st->data[q] != 0) != stable || (cond->count == count && cond->data[q] != c))
            continue;
        for (size_t d = 0; d < 3; d++)
            p[d][m] = d < k ? y->data[q * k + d] : 0;
        m++;
    }
    if (p[0] && p[1] && p[2] && m > 0) {
        if (three_d)
            rt_axes_scatter3(ax, m, p[0], p[1], p[2], s);
        else
            rt_axes_scatter(ax, m, p[0], p[1], s);
    }
    for (int d = 0; d < 3; d++)
        free(p[d]);
}

/* The fixed points of stability STABLE: black; or, found per condition
 * (COND, [point]), each in its condition's colour (grey for none) over a
 * black rim, so they stand out from the trajectories of that colour. */
static void fixed_point_markers(rt_axes *ax, const rt_array *y, const rt_array *st, const rt_array *cond,
                                int stable, int three_d)
{
    int marker = stable ? RT_MARK_DOT : RT_MARK_CIRCLE;
    const char *label = stable ? "stable fixed point" : "unstable fixed point";
    if (cond->count != y->shape[0]) {
        fixed_point_set(ax, y, st, cond, 0, stable, three_d, mark_style(RT_BLACK, marker, 9, label));
        return;
    }
    for (int c = -1; c < RT_MAX_CONDITIONS; c++) {
        int seen = 0;
        for (size_t q = 0; q < cond->count && !seen; q++)
            seen = cond->data[q] == c;
        if (!seen)
            continue;
        rt_style rim = mark_style(RT_BLACK, marker, 12, label), dot = mark_style(c >= 0 ? c : RT_GREY, marker, 8, NULL);
        rim.width = dot.width = 2;
        fixed_point_set(ax, y, st, cond, c, stable, three_d, rim);
        fixed_point_set(ax, y, st, cond, c, stable, three_d, dot);
        label = NULL;   /* one legend entry */
    }
}

/* PART (RT_PART_*) of the KIND (RT_KIND_*) analysis of NAME into *A. */
static int load_part(const rt_figures *f, const char *kind, const char *name, const char *part, rt_array *a,
                     char *err, size_t err_size)
{
    char file[320];
    return rt_figures_load(f, rt_file_name(file, sizeof file, RT_FILE_COMPONENTS, kind, name, part), a, err,
                           err_size);
}

/* The fixed points rt_analyze.c placed in the space of KIND's NAME
 * (KIND_NAME_fixed_points.npy, [point, k], and their stability), if any:
 * filled stable, open unstable. */
static int draw_fixed_points(const rt_figures *f, rt_axes *ax, const char *kind, const char *name, int three_d,
                             char *err, size_t err_size)
{
    rt_array y, st = {0}, cond = {0};
    int rc = load_part(f, kind, name, RT_PART_FIXED_POINTS, &y, err, err_size);
    rc = rc ? rc : load_part(f, kind, name, RT_PART_FIXED_POINTS_STABLE, &st, err, err_size);
    rc = rc ? rc : load_part(f, kind, name, RT_PART_FIXED_POINTS_CONDITION, &cond, err, err_size);
    if (rc == 0 && y.ndim == 2 && y.shape[1] >= 2 && st.count == y.shape[0])
        for (int stable = 1; stable >= 0; stable--)
            fixed_point_markers(ax, &y, &st, &cond, stable, three_d);
    rt_array_free(&y);
    rt_array_free(&st);
    rt_array_free(&cond);
    return rc;
}

/* Condition L's name from VALUES (conditions_values.npy, [label, size]:
 * the values of the task's condition expression): "condition + − +" when
 * every value in the file is +-1 (the flip-flop's condition sign(y)), else
 * its values, "condition = 2" or "condition = (1, 0.5)", so a value is
 * not read as a count of conditions; "condition #L+1" (the label's
 * number) without them. */
static void condition_name(const rt_array *values, int l, char *buf, size_t size)
{
    snprintf(buf, size, "condition #%d", l + 1);
    if (values->ndim != 2 || (size_t)l >= values->shape[0] || values->shape[1] == 0)
        return;
    size_t k = values->shape[1], n;
    const double *v = values->data + (size_t)l * k;
    int signs = 1;
    for (size_t i = 0; i < values->count; i++)
        signs &= fabs(values->data[i]) == 1;
    n = (size_t)snprintf(buf, size, signs ? "condition" : k > 1 ? "condition = (" : "condition =");
    for (size_t c = 0; c < k && n < size; c++) {
        const char *sep = c == 0 ? (k > 1 && !signs ? "" : " ") : signs ? " " : ", ";
        if (signs)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, v[c] > 0 ? "+" : "\xe2\x88\x92");
        else
            n += (size_t)snprintf(buf + n, size - n, "%s%g", sep, v[c]);
    }
    if (!signs && k > 1 && n < size)
        snprintf(buf + n, size - n, ")");
}

/* Steps T0 .. T0 + LEN of trial I's trajectory as one line. */
static void trajectory_piece(rt_axes *ax, const rt_array *proj, size_t i, size_t t0, size_t len, int three_d,
                             rt_style s)
{
    size_t T = proj->shape[1], k = proj->shape[2];
    const double *base = proj->data + (i * T + t0) * k;
    if (three_d) {
        rt_axes_line3(ax, len, base, base + 1, base + 2, k, s);
        return;
    }
    double *x = malloc(len * sizeof *x);   /* x is contiguous in rt_axes_line */
    for (size_t j = 0; x && j < len; j++)
        x[j] = base[j * k];
    if (x)
        rt_axes_line(ax, len, x, base + 1, k, s);
    free(x);
}

/* The condition of trial I at step T (conditions.npy), -1 for none. */
static double condition_at(const rt_array *cond, size_t i, size_t T, size_t t)
{
    return cond->ndim == 2 && cond->shape[1] == T && i < cond->shape[0] ? cond->data[i * T + t] : -1;
}

/* Trial I's own steps: up to its last step with a phase (PHASES,
 * eval_phases.npy [trial, step], 0 on the padding after a trial's end),
 * or all T without phases (no padding then). */
static size_t trial_steps(const rt_array *phases, size_t i, size_t T)
{
    if (phases->ndim != 2 || phases->shape[1] != T || i >= phases->shape[0])
        return T;
    size_t n = T;
    while (n > 0 && phases->data[i * T + n - 1] == 0)
        n--;
    return n > 0 ? n : T;
}

/* Trial I's trajectory over its own LEN steps (not the padding after its
 * end), cut where its condition changes, each piece in its condition's
 * colour (grey where there is none). With ONLY >= 0, just the first piece
 * of that condition, labelled NAME (the legend, in order). */
static int trajectory(rt_axes *ax, const rt_array *proj, const rt_array *cond, size_t i, size_t len, int three_d,
                      int only, const char *name)
{
    size_t T = proj->shape[1];
    for (size_t t0 = 0; t0 + 1 < len;) {
        double c = condition_at(cond, i, T, t0);
        size_t t1 = t0 + 1;
        while (t1 < len && c == condition_at(cond, i, T, t1))
            t1++;
        size_t n = t1 < len ? t1 - t0 + 1 : t1 - t0;   /* overlap one step, so pieces join */
        rt_style s = line_style(c >= 0 ? (int)c : RT_GREY, 0.8, 0, only >= 0 ? name : NULL);
        s.alpha = 0.7;
        if (only < 0 || c == only) {
            trajectory_piece(ax, proj, i, t0, n, three_d, s);
            if (only >= 0)
                return 1;
        }
        t0 = t1;
    }
    return 0;
}

/* The panel's title and axes: the share of variance on each component. */
static void components_axes(rt_axes *ax, const char *kind, const char *name, const rt_array *proj,
                            const rt_array *expl, int three_d)
{
    char title[400], lx[64], ly[64], lz[64];
    const char *pc = strcmp(kind, RT_KIND_PCA) == 0 ? "PC" : "SV";
    snprintf(lx, sizeof lx, "%s1 (%.0f%%)", pc, expl->count > 0 ? 100 * expl->data[0] : NAN);
    snprintf(ly, sizeof ly, "%s2 (%.0f%%)", pc, expl->count > 1 ? 100 * expl->data[1] : NAN);
    snprintf(lz, sizeof lz, "%s3 (%.0f%%)", pc, expl->count > 2 ? 100 * expl->data[2] : NAN);
    snprintf(title, sizeof title, "Trajectories (%s), %zu evaluation trials", name,
             proj->shape[0] < TRAJECTORIES_DRAWN ? proj->shape[0] : (size_t)TRAJECTORIES_DRAWN);
    rt_axes_labels(ax, title, lx, ly);
    if (three_d)
        rt_axes_3d(ax, -50, 25, lz);
}

/* The trajectories of the first trials, one labelled piece per condition
 * first (for the legend, in order of the conditions). */
static void trajectories(rt_axes *ax, const rt_array *proj, const rt_array *cond, const rt_array *values,
                         const rt_array *phases, int three_d)
{
    size_t T = proj->shape[1];
    for (int l = 0; l < RT_PALETTE_SIZE; l++) {
        char label[128];
        condition_name(values, l, label, sizeof label);
        for (size_t i = 0; i < proj->shape[0] &&
                           !trajectory(ax, proj, cond, i, trial_steps(phases, i, T), three_d, l, label);
             i++)
            ;
    }
    for (size_t i = 0; i < proj->shape[0] && i < TRAJECTORIES_DRAWN; i++)
        trajectory(ax, proj, cond, i, trial_steps(phases, i, T), three_d, -1, NULL);
}

/* KIND_NAME.svg from KIND_NAME_projections.npy ([trial, step, k]). */
static int draw_components(rt_figures *f, const char *kind, const char *name, char *err, size_t err_size)
{
    char a[320], title[400];
    rt_array proj = {0}, expl = {0}, cond = {0}, values = {0}, phases = {0};
    int rc = load_part(f, kind, name, RT_PART_PROJECTIONS, &proj, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_PHASES, &phases, err, err_size);
    rc = rc ? rc : load_part(f, kind, name, RT_PART_EXPLAINED, &expl, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_CONDITIONS, &cond, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_CONDITION_VALUES, &values, err, err_size);
    if (rc == 0 && proj.ndim == 3 && proj.shape[2] >= 2) {
        int three_d = proj.shape[2] >= 3;
        rt_fig *fig = rt_fig_new(1, 1, 720, 620, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        components_axes(ax, kind, name, &proj, &expl, three_d);
        trajectories(ax, &proj, &cond, &values, &phases, three_d);
        rc = draw_fixed_points(f, ax, kind, name, three_d, err, err_size);
        snprintf(title, sizeof title,
                 "%s of %s over evaluation trials, coloured by the task's condition (fixed points: filled stable, "
                 "open unstable)",
                 strcmp(kind, RT_KIND_PCA) == 0 ? "Principal components" : "Truncated SVD", name);
        rt_file_name(a, sizeof a, RT_FILE_COMPONENTS_SVG, kind, name);
        if (rc == 0)
            rc = rt_figures_save(f, fig, a, title, err, err_size);
        else
            rt_fig_free(fig);
    }
    rt_array_free(&proj);
    rt_array_free(&expl);
    rt_array_free(&cond);
    rt_array_free(&values);
    rt_array_free(&phases);
    return rc;
}

static int draw_pca(rt_figures *f, const rt_figures_readouts *r, const char *name, char *err, size_t err_size)
{
    (void)r;
    return draw_components(f, RT_KIND_PCA, name, err, err_size);
}

static int draw_svd(rt_figures *f, const rt_figures_readouts *r, const char *name, char *err, size_t err_size)
{
    (void)r;
    return draw_components(f, RT_KIND_SVD, name, err, err_size);
}

/* ------------------------------------------------------------ task, robustness */

/* The task's channels in the evaluation files, and its phases' names:
 * the network's inputs side by side in eval_inputs.npy (summary.json's
 * "inputs"), the readouts' targets in eval_targets.npy, the phase names
 * as summary.json's "task_phases". Names are copied into NAMES. */
typedef struct task_layout {
    unsigned n;
    rt_channel ch[2 * RT_FIGURES_MAX_READOUTS];
    size_t column[2 * RT_FIGURES_MAX_READOUTS];   /* the first column in its file */
    char names[2 * RT_FIGURES_MAX_READOUTS][64];
    unsigned n_phases;
    const char *phase_names[RT_MAX_PHASES];
    char phase_text[RT_MAX_PHASES][64];
} task_layout;

static void add_channel(task_layout *l, const char *name, size_t size, size_t column, rt_channel_role role)
{
    if (l->n == sizeof l->ch / sizeof *l->ch)
        return;
    snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
    l->ch[l->n] = (rt_channel){l->names[l->n], size, role};
    l->column[l->n++] = column;
}

/* The inputs of summary.json S, if they add up to NX columns; else one "x". */
static void input_channels(task_layout *l, const json_t *s, size_t nx)
{
    size_t i, total = 0;
    json_t *in;
    unsigned first = l->n;
    json_array_foreach (json_object_get(s, "inputs"), i, in) {
        unsigned long long size;
        const char *name = rt_summary_string(in, "name");
        if (!name || rt_summary_unsigned(in, "size", &size) != 0)
            break;
        add_channel(l, name, (size_t)size, total, RT_CHANNEL_INPUT);
        total += (size_t)size;
    }
    if (total != nx) {
        l->n = first;
        add_channel(l, "x", nx, 0, RT_CHANNEL_INPUT);
    }
}


static int task_layout_read(const rt_figures *f, const rt_figures_readouts *r, size_t nx, size_t ny,
                            task_layout *l, char *err, size_t err_size)
{
    memset(l, 0, sizeof *l);
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *s = NULL;
    FILE *exists = path ? fopen(path, "rb") : NULL;
    int rc = 0;
    if (!path)
        rc = rt_error(err, err_size, "out of memory");
    else if (exists && !(s = rt_summary_load(path, why, sizeof why)))
        rc = rt_error(err, err_size, "cannot read %s", why);   /* WHY names the file */
    if (exists)
        fclose(exists);
    free(path);
    input_channels(l, s, nx);
    size_t total = 0;
    for (unsigned k = 0; k < r->n; k++)
        total += r->size[k];
    for (unsigned k = 0, at = 0; total == ny && k < r->n; at += (unsigned)r->size[k], k++)
        add_channel(l, r->name[k], r->size[k], at, RT_CHANNEL_TARGET);
    if (total != ny || r->n == 0)
        add_channel(l, "y", ny, 0, RT_CHANNEL_TARGET);
    l->n_phases = rt_figures_phase_names(s, l->phase_names, l->phase_text);
    json_decref(s);
    return rc;
}

/* Channel C of trial I of A ([trials, T, columns]) as [T][size] into OUT. */
static void channel_of(const rt_array *a, size_t i, size_t column, size_t size, double *out)
{
    size_t T = a->shape[1], n = a->shape[2];
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < size; k++)
            out[t * size + k] = a->data[(i * T + t) * n + column + k];
}


enum { TASK_TRIALS_DRAWN = 3 };

/* task.svg: the first evaluation trials, as rnnc task show draws them. */
static int draw_task_trials(rt_figures *f, const task_layout *l, const rt_array *x, const rt_array *y,
                            const rt_array *mask, const rt_array *phases, char *err, size_t err_size)
{
    size_t trials = x->shape[0] < TASK_TRIALS_DRAWN ? x->shape[0] : TASK_TRIALS_DRAWN, T = x->shape[1];
    rt_task_trial tr[TASK_TRIALS_DRAWN];
    const double *data[TASK_TRIALS_DRAWN][2 * RT_FIGURES_MAX_READOUTS];
    double *copy = malloc((trials * T * (x->shape[2] + y->shape[2]) + 1) * sizeof *copy), *at = copy;
    if (!copy)
        return rt_error(err, err_size, "out of memory for %s", RT_FILE_TASK_SVG);
    for (size_t i = 0; i < trials; i++) {
        for (unsigned c = 0; c < l->n; c++) {
            channel_of(l->ch[c].role == RT_CHANNEL_INPUT ? x : y, i, l->column[c], l->ch[c].size, at);
            data[i][c] = at;
            at += T * l->ch[c].size;
        }
        tr[i] = (rt_task_trial){.channels = data[i], .mask = rt_figures_trial_row(mask, x, i), .phase = rt_figures_trial_row(phases, x, i)};
    }
    rt_task_picture p = {.title = "Task: evaluation trials", .dt = f->dt, .steps = T, .n_channels = l->n,
                         .channels = l->ch, .n_phases = l->n_phases, .phase_names = l->phase_names,
                         .n_trials = trials, .trials = tr};
    size_t drawn = 0;
    rt_fig *fig = rt_figures_task(&p, &drawn);
    free(copy);
    if (!fig)
        return out_of_memory(fig, RT_FILE_TASK_SVG, err, err_size);
    char caption[160];
    snprintf(caption, sizeof caption, "Inputs (colours) and targets (grey) of the first %zu evaluation trials%s",
             drawn, phases->ndim == 2 ? ", phases shaded" : "");
    return rt_figures_save(f, fig, RT_FILE_TASK_SVG, caption, err, err_size);
}

static int draw_task(rt_figures *f, const rt_figures_readouts *r, char *err, size_t err_size)
{
    rt_array x = {0}, y = {0}, mask = {0}, phases = {0};
    int rc = rt_figures_load(f, RT_FILE_EVAL_INPUTS, &x, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_TARGETS, &y, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_MASK, &mask, err, err_size);
    rc = rc ? rc : rt_figures_load(f, RT_FILE_EVAL_PHASES, &phases, err, err_size);
    if (rc == 0 && x.ndim == 3 && y.ndim == 3 && x.shape[0] == y.shape[0] && x.shape[1] == y.shape[1] &&
        x.shape[0] > 0 && x.shape[1] > 0) {
        task_layout l;
        rc = task_layout_read(f, r, x.shape[2], y.shape[2], &l, err, err_size);
        rc = rc ? rc : draw_task_trials(f, &l, &x, &y, &mask, &phases, err, err_size);
    }
    rt_array_free(&x);
    rt_array_free(&y);
    rt_array_free(&mask);
    rt_array_free(&phases);
    return rc;
}

/* FILE's rows (level, loss, accuracy) as SVG: loss, and accuracy when known. */
static int draw_curve(rt_figures *f, const char *file, const char *svg, const char *xlabel, const char *what,
                      char *err, size_t err_size)
{
    rt_array a;
    if (rt_figures_load(f, file, &a, err, err_size) != 0)
        return -1;
    int rc = 0;
    if (a.ndim == 2 && a.shape[1] == 3) {
        size_t n = a.shape[0];
        double *x = malloc((n + 1) * sizeof *x), *l = malloc((n + 1) * sizeof *l), *c = malloc((n + 1) * sizeof *c);
        int has_acc = 0;
        for (size_t i = 0; x && l && c && i < n; i++) {
            x[i] = a.data[3 * i];
            l[i] = a.data[3 * i + 1];
            c[i] = 100 * a.data[3 * i + 2];
            has_acc |= isfinite(c[i]);
        }
        rt_fig *fig = rt_fig_new(1, has_acc ? 2 : 1, has_acc ? 900 : 480, 340, what);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        rt_axes_labels(ax, "Evaluation loss", xlabel, "loss");
        rt_axes_line(ax, n, x, l, 1, line_style(0, 1.4, 0, NULL));
        rt_axes_scatter(ax, n, x, l, mark_style(0, RT_MARK_DOT, 5, NULL));
        if (has_acc) {
            ax = rt_fig_axes(fig, 0, 1);
            rt_axes_labels(ax, "Evaluation accuracy", xlabel, "accuracy (%)");
            rt_axes_line(ax, n, x, c, 1, line_style(1, 1.4, 0, NULL));
            rt_axes_scatter(ax, n, x, c, mark_style(1, RT_MARK_DOT, 5, NULL));
        }
        int ok = x && l && c;
        free(x);
        free(l);
        free(c);
        rc = ok ? rt_figures_save(f, fig, svg, what, err, err_size) : out_of_memory(fig, svg, err, err_size);
    }
    rt_array_free(&a);
    return rc;
}

static int draw_degradation(rt_figures *f, const rt_figures_readouts *r, const char *pop, char *err, size_t err_size)
{
    (void)r;
    char file[320], svg[320];
    return draw_curve(f, rt_file_name(file, sizeof file, RT_FILE_DEGRADATION, pop),
                      rt_file_name(svg, sizeof svg, RT_FILE_DEGRADATION_SVG, pop), "fraction of units removed",
                      "Degradation: units removed", err, err_size);
}

static int draw_robustness(rt_figures *f, const rt_figures_readouts *r, const char *none, char *err, size_t err_size)
{
    (void)r;
    (void)none;
    return draw_curve(f, RT_FILE_ROBUSTNESS, RT_FILE_ROBUSTNESS_SVG, "input noise (standard deviation)",
                      "Robustness to input noise", err, err_size);
}

/* ------------------------------------------------------------ the folder */

typedef int (*file_drawer)(rt_figures *f, const rt_figures_readouts *r, const char *middle, char *err, size_t err_size);

/* A picture for each file whose name is PATTERN (one %s), by name. */
static int draw_each(rt_figures *f, const rt_figures_readouts *r, char *const *names, size_t n, const char *pattern,
                     file_drawer draw, char *err, size_t err_size)
{
    char middle[256];
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (rt_figures_match(names[i], pattern, middle, sizeof middle))
            rc = draw(f, r, middle, err, err_size);
    return rc;
}

/* The pictures in the order the report shows them. */
static int draw_all(rt_figures *f, const rt_figures_readouts *r, char *const *names, size_t n, char *err,
                    size_t err_size)
{
    char p[5][128];
    const struct {
        const char *pattern;
        file_drawer draw;
    } per_file[] = {
        {rt_file_name(p[0], sizeof p[0], RT_FILE_SPIKES, "%s"), draw_raster},
        {rt_file_name(p[1], sizeof p[1], RT_FILE_COMPONENTS, RT_KIND_PCA, "%s", RT_PART_PROJECTIONS), draw_pca},
        {rt_file_name(p[2], sizeof p[2], RT_FILE_COMPONENTS, RT_KIND_SVD, "%s", RT_PART_PROJECTIONS), draw_svd},
        {rt_file_name(p[3], sizeof p[3], RT_FILE_EIGEN, RT_WHEN_FINAL, "%s"), draw_eigen},
        {rt_file_name(p[4], sizeof p[4], RT_FILE_WEIGHTS, RT_WHEN_FINAL, "%s"), draw_weights},
    };
    int rc = draw_loss(f, err, err_size);
    rc = rc ? rc : rt_figures_draw_outputs(f, r, err, err_size);
    rc = rc ? rc : rt_figures_draw_records(f, err, err_size);
    for (size_t k = 0; k < sizeof per_file / sizeof *per_file && rc == 0; k++)
        rc = draw_each(f, r, names, n, per_file[k].pattern, per_file[k].draw, err, err_size);
    rc = rc ? rc : draw_task(f, r, err, err_size);
    rc = rc ? rc : draw_each(f, r, names, n, RT_FILE_DEGRADATION, draw_degradation, err, err_size);
    rc = rc ? rc : draw_each(f, r, names, n, RT_FILE_ROBUSTNESS, draw_robustness, err, err_size);
    rc = rc ? rc : rt_figures_draw_psychometric(f, err, err_size);
    return rc;
}

int rt_figures_draw(rt_figures *f, char *err, size_t err_size)
{
    char **names;
    size_t n;
    rt_figures_readouts r;
    int rc = rt_figures_list(f->dir, &names, &n, err, err_size);
    rc = rc ? rc : rt_figures_read_readouts(f, &r, err, err_size);
    rc = rc ? rc : draw_all(f, &r, names, n, err, err_size);
    rt_figures_list_free(names, n);
    return rc;
}
