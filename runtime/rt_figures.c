/* figures.c -- the pictures of a results folder, drawn from its files.
 *
 * Every picture is made from what the folder holds (loss.csv and the .npy
 * arrays), not from the running network, so 'rnnc run', 'rnnc analyze DIR'
 * and the combined folder of '--seeds' draw them the same way. A picture
 * whose files are absent is skipped.
 */
#include "rt_figures.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_npy.h"
#include "rt_plot.h"
#include "rt_report.h"
#include "rt_summary.h"

enum { MAX_CHANNELS_DRAWN = 4, MAX_FIGURES = 64, TRAJECTORIES_DRAWN = 16 };

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* NAME from DIR, or a zeroed array (ndim 0) when it is absent or unreadable. */
static rt_array load(const char *dir, const char *name)
{
    rt_array a;
    memset(&a, 0, sizeof a);
    char *path = join(dir, name), err[256];
    if (!path || rt_npy_read(path, &a, err, sizeof err) != 0)
        memset(&a, 0, sizeof a);
    free(path);
    return a;
}

int figures_save(figures *f, rt_fig *fig, const char *name, const char *caption)
{
    char *path = join(f->dir, name);
    int rc = path && fig ? rt_fig_write(fig, path) : -1;
    if (rc != 0)
        fprintf(stderr, "rnnc: cannot write %s/%s: %s\n", f->dir, name, strerror(errno));
    else if (f->count < FIGURES_MAX) {
        snprintf(f->names[f->count], sizeof f->names[0], "%s", name);
        snprintf(f->captions[f->count], sizeof f->captions[0], "%s", caption);
        f->count++;
    }
    free(path);
    rt_fig_free(fig);
    return rc;
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

/* ------------------------------------------------------------ loss.csv */

typedef struct loss_table {
    size_t rows;
    double *update, *loss, *rate;   /* rate NULL without a rate_hz column */
} loss_table;

static void loss_table_free(loss_table *t)
{
    free(t->update);
    free(t->loss);
    free(t->rate);
    memset(t, 0, sizeof *t);
}

/* The columns update, loss and (if there) rate_hz of DIR/loss.csv. */
int figures_read_loss(const char *dir, size_t *rows, double **update, double **loss, double **rate)
{
    char *path = join(dir, "loss.csv");
    FILE *in = path ? fopen(path, "r") : NULL;
    free(path);
    *rows = 0;
    *update = *loss = *rate = NULL;
    if (!in)
        return -1;
    char line[4096];
    int col_update = -1, col_loss = -1, col_rate = -1;
    if (fgets(line, sizeof line, in)) {
        int c = 0;
        for (char *tok = strtok(line, ",\n"); tok; tok = strtok(NULL, ",\n"), c++) {
            if (strcmp(tok, "update") == 0)
                col_update = c;
            else if (strcmp(tok, "loss") == 0)
                col_loss = c;
            else if (strcmp(tok, "rate_hz") == 0)
                col_rate = c;
        }
    }
    size_t cap = 0;
    while (col_update >= 0 && col_loss >= 0 && fgets(line, sizeof line, in)) {
        if (*rows == cap) {
            cap = cap ? 2 * cap : 1024;
            double *u = realloc(*update, cap * sizeof *u), *l = u ? realloc(*loss, cap * sizeof *l) : NULL;
            double *r = l ? realloc(*rate, cap * sizeof *r) : NULL;
            if (u)
                *update = u;
            if (l)
                *loss = l;
            if (r)
                *rate = r;
            if (!u || !l || !r)
                break;
        }
        double v[16] = {0};
        int c = 0;
        for (char *tok = strtok(line, ",\n"); tok && c < 16; tok = strtok(NULL, ",\n"), c++)
            v[c] = strtod(tok, NULL);
        (*update)[*rows] = v[col_update];
        (*loss)[*rows] = v[col_loss];
        (*rate)[*rows] = col_rate >= 0 ? v[col_rate] : NAN;
        (*rows)++;
    }
    fclose(in);
    if (col_rate < 0) {
        free(*rate);
        *rate = NULL;
    }
    return *rows > 0 ? 0 : -1;
}

static int draw_loss(figures *f)
{
    loss_table t = {0};
    if (figures_read_loss(f->dir, &t.rows, &t.update, &t.loss, &t.rate) != 0) {
        loss_table_free(&t);
        return 0;
    }
    int panels = t.rate ? 2 : 1;
    rt_fig *fig = rt_fig_new(panels, 1, 720, 280.0 * panels, "Training");
    rt_axes *ax = rt_fig_axes(fig, 0, 0);
    rt_axes_labels(ax, "Training loss", "update", "loss");
    rt_axes_log_y(ax);
    rt_axes_line(ax, t.rows, t.update, t.loss, 1, line_style(0, 1.2, 0, NULL));
    if (t.rate) {
        ax = rt_fig_axes(fig, 1, 0);
        rt_axes_labels(ax, "Mean firing rate", "update", "rate (Hz)");
        rt_axes_line(ax, t.rows, t.update, t.rate, 1, line_style(1, 1.2, 0, NULL));
    }
    const char *caption = t.rate ? "Training loss (log scale) and mean firing rate per update"
                                 : "Training loss per update (log scale)";
    loss_table_free(&t);
    return figures_save(f, fig, "loss.svg", caption);
}

/* ------------------------------------------------------------ target vs output */

/* Trial I's channel C of a [trials, T, ch] array into Y, against time in ms. */
static void trace(const rt_array *a, size_t i, size_t c, double *y)
{
    size_t T = a->shape[1], ch = a->shape[2];
    for (size_t t = 0; t < T; t++)
        y[t] = a->data[(i * T + t) * ch + c];
}

static double *time_axis_ms(size_t T, double dt)
{
    double *x = malloc((T + 1) * sizeof *x);
    for (size_t t = 0; x && t < T; t++)
        x[t] = 1e3 * dt * (double)(t + 1);
    return x;
}

static int draw_outputs(figures *f)
{
    rt_array y0 = load(f->dir, "initial_outputs.npy"), t0 = load(f->dir, "initial_targets.npy");
    rt_array y1 = load(f->dir, "eval_outputs.npy"), t1 = load(f->dir, "eval_targets.npy");
    int rc = 0;
    if (y1.ndim == 3 && t1.ndim == 3 && y1.count == t1.count) {
        int before = y0.ndim == 3 && t0.ndim == 3 && y0.count == t0.count && y0.shape[1] == y1.shape[1];
        size_t T = y1.shape[1], ch = y1.shape[2], rows = ch < MAX_CHANNELS_DRAWN ? ch : MAX_CHANNELS_DRAWN;
        rt_fig *fig = rt_fig_new((int)rows, before ? 2 : 1, before ? 960 : 720, 200.0 * (double)rows + 40,
                                 "Target and output");
        double *x = time_axis_ms(T, f->dt), *yt = malloc(T * sizeof *yt), *yo = malloc(T * sizeof *yo);
        for (size_t c = 0; x && yt && yo && c < rows; c++)
            for (int col = 0; col < 1 + before; col++) {
                const rt_array *ya = col == 0 && before ? &y0 : &y1, *ta = col == 0 && before ? &t0 : &t1;
                char title[128], ylabel[64];
                snprintf(title, sizeof title, "%s, output %zu",
                         col == 0 && before ? "Before training (first batch)" : "After training (evaluation)", c);
                snprintf(ylabel, sizeof ylabel, "y[%zu]", c);
                rt_axes *ax = rt_fig_axes(fig, (int)c, col);
                rt_axes_labels(ax, title, "time (ms)", ylabel);
                trace(ta, 0, c, yt);
                trace(ya, 0, c, yo);
                rt_axes_line(ax, T, x, yt, 1, line_style(-1, 1.4, 1, "target"));
                rt_axes_line(ax, T, x, yo, 1, line_style(0, 1.2, 0, "network"));
            }
        free(x);
        free(yt);
        free(yo);
        rc = figures_save(f, fig, "outputs.svg", before ? "Target (dashed) and network output (solid), trial 1: before "
                                                  "and after training"
                                                : "Target (dashed) and network output (solid), evaluation trial 1");
    }
    rt_array_free(&y0);
    rt_array_free(&t0);
    rt_array_free(&y1);
    rt_array_free(&t1);
    return rc;
}

/* ------------------------------------------------------------ spikes */

static int draw_raster(figures *f, const char *file)
{
    rt_array s = load(f->dir, file);
    int rc = 0;
    if (s.ndim == 2 && s.shape[1] == 3) {
        char pop[128], name[160], title[200];
        snprintf(pop, sizeof pop, "%.*s", (int)(strlen(file) - strlen("spikes_") - strlen(".npy")),
                 file + strlen("spikes_"));
        double *x = malloc((s.shape[0] + 1) * sizeof *x), *y = malloc((s.shape[0] + 1) * sizeof *y);
        size_t n = 0;
        for (size_t k = 0; x && y && k < s.shape[0]; k++)
            if (s.data[3 * k] == 0) {   /* the first trial */
                y[n] = s.data[3 * k + 1];
                x[n++] = 1e3 * f->dt * (s.data[3 * k + 2] + 1);
            }
        rt_fig *fig = rt_fig_new(1, 1, 900, 420, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        snprintf(title, sizeof title, "Spikes of %s, evaluation trial 1 (%zu spikes)", pop, n);
        rt_axes_labels(ax, title, "time (ms)", "neuron");
        rt_axes_scatter(ax, n, x, y, mark_style(-1, RT_MARK_TICK, 4, NULL));
        free(x);
        free(y);
        snprintf(name, sizeof name, "raster_%s.svg", pop);
        snprintf(title, sizeof title, "Spike raster of population %s", pop);
        rc = figures_save(f, fig, name, title);
    }
    rt_array_free(&s);
    return rc;
}

/* ------------------------------------------------------------ weights and spectra */

/* KIND_initial_PART.npy and KIND_final_PART.npy: before and after training. */
static void load_before_after(const figures *f, const char *kind, const char *part, rt_array *before,
                              rt_array *after)
{
    char name[320];
    snprintf(name, sizeof name, "%s_initial_%s.npy", kind, part);
    *before = load(f->dir, name);
    snprintf(name, sizeof name, "%s_final_%s.npy", kind, part);
    *after = load(f->dir, name);
}

static int draw_weights(figures *f, const char *part)
{
    char name[320], title[400];
    rt_array w0, w1;
    load_before_after(f, "weights", part, &w0, &w1);
    int rc = 0;
    /* a thin matrix (3 input channels, 1 readout) shows little as a heat map */
    if (w1.ndim == 2 && w1.shape[0] >= 8 && w1.shape[1] >= 8) {
        int both = w0.ndim == 2 && w0.count == w1.count;
        rt_fig *fig = rt_fig_new(1, both ? 2 : 1, both ? 960 : 520, 460, NULL);
        double big = 0;   /* one colour scale for before and after */
        for (size_t i = 0; i < w1.count; i++)
            big = fmax(big, fabs(w1.data[i]));
        for (size_t i = 0; both && i < w0.count; i++)
            big = fmax(big, fabs(w0.data[i]));
        for (int col = 0; col < 1 + both; col++) {
            const rt_array *w = col == 0 && both ? &w0 : &w1;
            rt_axes *ax = rt_fig_axes(fig, 0, col);
            snprintf(title, sizeof title, "%s training", col == 0 && both ? "Before" : "After");
            rt_axes_labels(ax, title, "presynaptic neuron", "postsynaptic neuron");
            rt_axes_image(ax, w->shape[0], w->shape[1], w->data, 1, "weight");
            if (big > 0)
                rt_axes_clim(ax, -big, big);
        }
        snprintf(name, sizeof name, "weights_%s.svg", part);
        snprintf(title, sizeof title, "Weights %s ([post, pre]) before and after training", part);
        rc = figures_save(f, fig, name, title);
    }
    rt_array_free(&w0);
    rt_array_free(&w1);
    return rc;
}

/* Eigenvalues [n, 2] on the complex plane, with the unit circle. */
void figures_spectrum(rt_axes *ax, const rt_array *e, rt_style s)
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

void figures_complex_plane(rt_axes *ax, const char *title)
{
    rt_axes_labels(ax, title, "Re \xce\xbb", "Im \xce\xbb");
    rt_axes_equal(ax);
    rt_axes_circle(ax, 0, 0, 1, line_style(RT_BLACK, 1, RT_DASHED, "unit circle"));
}

static int draw_eigen(figures *f, const char *part)
{
    char name[320], title[400];
    rt_array e0, e1;
    load_before_after(f, "eigen", part, &e0, &e1);
    int rc = 0;
    if (e1.ndim == 2 && e1.shape[1] == 2) {
        rt_fig *fig = rt_fig_new(1, 1, 560, 560, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        snprintf(title, sizeof title, "Eigenvalues of %s", part);
        figures_complex_plane(ax, title);
        if (e0.ndim == 2 && e0.shape[1] == 2)
            figures_spectrum(ax, &e0, mark_style(RT_GREY, RT_MARK_CIRCLE, 5, "before training"));
        figures_spectrum(ax, &e1, mark_style(0, RT_MARK_DOT, 4, "after training"));
        snprintf(name, sizeof name, "eigen_%s.svg", part);
        snprintf(title, sizeof title, "Eigenvalues of the weights %s in the complex plane", part);
        rc = figures_save(f, fig, name, title);
    }
    rt_array_free(&e0);
    rt_array_free(&e1);
    return rc;
}

/* ------------------------------------------------------------ PCA and fixed points */

/* The fixed points analyze.c placed in this space (WHAT_PART_fixed_points.npy,
 * [point, k], and their stability), if any: filled stable, open unstable. */
static void draw_fixed_points(figures *f, rt_axes *ax, const char *space, int three_d)
{
    char a[320], b[320];
    snprintf(a, sizeof a, "%s_fixed_points.npy", space);
    snprintf(b, sizeof b, "%s_fixed_points_stable.npy", space);
    rt_array y = load(f->dir, a), st = load(f->dir, b);
    if (y.ndim == 2 && y.shape[1] >= 2 && st.count == y.shape[0]) {
        size_t count = y.shape[0], k = y.shape[1];
        for (int stable = 1; stable >= 0; stable--) {
            double *p[3];
            size_t m = 0;
            for (int d = 0; d < 3; d++)
                p[d] = malloc((count + 1) * sizeof **p);
            for (size_t q = 0; p[0] && p[1] && p[2] && q < count; q++) {
                if ((st.data[q] != 0) != stable)
                    continue;
                for (size_t d = 0; d < 3; d++)
                    p[d][m] = d < k ? y.data[q * k + d] : 0;
                m++;
            }
            rt_style s = mark_style(RT_BLACK, stable ? RT_MARK_DOT : RT_MARK_CIRCLE, 9,
                                    stable ? "stable fixed point" : "unstable fixed point");
            if (p[0] && p[1] && p[2] && m > 0) {
                if (three_d)
                    rt_axes_scatter3(ax, m, p[0], p[1], p[2], s);
                else
                    rt_axes_scatter(ax, m, p[0], p[1], s);
            }
            for (int d = 0; d < 3; d++)
                free(p[d]);
        }
    }
    rt_array_free(&y);
    rt_array_free(&st);
}

/* Condition L's name: the signs of the targets at a step that has it,
 * "y: + - +" (conditions.npy holds only the label). */
static void condition_name(const rt_array *cond, const rt_array *targets, int l, char *buf, size_t size)
{
    snprintf(buf, size, "condition %d", l + 1);
    if (cond->ndim != 2 || targets->ndim != 3 || targets->shape[1] != cond->shape[1])
        return;
    size_t ch = targets->shape[2];
    for (size_t i = 0; i < cond->count && i < targets->shape[0] * targets->shape[1]; i++) {
        if (cond->data[i] != l)
            continue;
        size_t n = (size_t)snprintf(buf, size, "targets");
        for (size_t c = 0; c < ch && n + 4 < size; c++)
            n += (size_t)snprintf(buf + n, size - n, " %s", targets->data[i * ch + c] > 0 ? "+" : "\xe2\x88\x92");
        return;
    }
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

/* Trial I's trajectory, cut where its condition changes, each piece in its
 * condition's colour (grey where there is none). With ONLY >= 0, just the
 * first piece of that condition, labelled NAME (the legend, in order). */
static int trajectory(rt_axes *ax, const rt_array *proj, const rt_array *cond, size_t i, int three_d, int only,
                      const char *name)
{
    size_t T = proj->shape[1];
    for (size_t t0 = 0; t0 + 1 < T;) {
        double c = cond->ndim == 2 && cond->shape[1] == T ? cond->data[i * T + t0] : -1;
        size_t t1 = t0 + 1;
        while (t1 < T && c == (cond->ndim == 2 && cond->shape[1] == T ? cond->data[i * T + t1] : -1))
            t1++;
        size_t len = t1 < T ? t1 - t0 + 1 : t1 - t0;   /* overlap one step, so pieces join */
        rt_style s = line_style(c >= 0 ? (int)c : RT_GREY, 0.8, 0, only >= 0 ? name : NULL);
        s.alpha = 0.7;
        if (only < 0 || c == only) {
            trajectory_piece(ax, proj, i, t0, len, three_d, s);
            if (only >= 0)
                return 1;
        }
        t0 = t1;
    }
    return 0;
}

static int draw_pca(figures *f, const char *what, const char *part)
{
    char a[320], name[320], title[400];
    snprintf(a, sizeof a, "%s_%s_projections.npy", what, part);
    rt_array proj = load(f->dir, a), cond = load(f->dir, "conditions.npy");
    snprintf(a, sizeof a, "%s_%s_explained.npy", what, part);
    rt_array expl = load(f->dir, a);
    int rc = 0;
    if (proj.ndim == 3 && proj.shape[2] >= 2) {
        int three_d = proj.shape[2] >= 3;
        rt_fig *fig = rt_fig_new(1, 1, 720, 620, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        char lx[64], ly[64], lz[64];
        const char *pc = what[0] == 'p' ? "PC" : "SV";
        snprintf(lx, sizeof lx, "%s1 (%.0f%%)", pc, expl.count > 0 ? 100 * expl.data[0] : NAN);
        snprintf(ly, sizeof ly, "%s2 (%.0f%%)", pc, expl.count > 1 ? 100 * expl.data[1] : NAN);
        snprintf(lz, sizeof lz, "%s3 (%.0f%%)", pc, expl.count > 2 ? 100 * expl.data[2] : NAN);
        snprintf(title, sizeof title, "Trajectories (%s), %zu evaluation trials", part,
                 proj.shape[0] < TRAJECTORIES_DRAWN ? proj.shape[0] : (size_t)TRAJECTORIES_DRAWN);
        rt_axes_labels(ax, title, lx, ly);
        if (three_d)
            rt_axes_3d(ax, -50, 25, lz);
        rt_array targets = load(f->dir, "eval_targets.npy");
        for (int l = 0; l < 8; l++) {   /* one labelled piece per condition, in order, for the legend */
            char label[64];
            condition_name(&cond, &targets, l, label, sizeof label);
            for (size_t i = 0; i < proj.shape[0] && !trajectory(ax, &proj, &cond, i, three_d, l, label); i++)
                ;
        }
        rt_array_free(&targets);
        for (size_t i = 0; i < proj.shape[0] && i < TRAJECTORIES_DRAWN; i++)
            trajectory(ax, &proj, &cond, i, three_d, -1, NULL);
        char space[200];
        snprintf(space, sizeof space, "%s_%s", what, part);
        draw_fixed_points(f, ax, space, three_d);
        snprintf(name, sizeof name, "%s_%s.svg", what, part);
        snprintf(title, sizeof title, "%s of %s over evaluation trials, coloured by the targets' signs%s",
                 what[0] == 'p' ? "Principal components" : "Truncated SVD", part,
                 " (fixed points: filled stable, open unstable)");
        rc = figures_save(f, fig, name, title);
    }
    rt_array_free(&proj);
    rt_array_free(&cond);
    rt_array_free(&expl);
    return rc;
}

/* ------------------------------------------------------------ task, robustness */

/* Inputs and targets of the first evaluation trials: many input channels
 * (spike trains) as a raster, a few as traces. */
static int draw_task(figures *f)
{
    rt_array x = load(f->dir, "eval_inputs.npy"), y = load(f->dir, "eval_targets.npy");
    int rc = 0;
    if (x.ndim == 3 && y.ndim == 3 && x.shape[1] == y.shape[1]) {
        size_t trials = x.shape[0] < 2 ? x.shape[0] : 2, T = x.shape[1], nx = x.shape[2], ny = y.shape[2];
        rt_fig *fig = rt_fig_new(2, (int)trials, 480.0 * (double)trials, 520, "Task: evaluation trials");
        double *t = time_axis_ms(T, f->dt), *v = malloc((T * nx + 1) * sizeof *v),
               *w = malloc((T * nx + 1) * sizeof *w);
        for (size_t i = 0; t && v && w && i < trials; i++) {
            char title[64];
            rt_axes *ax = rt_fig_axes(fig, 0, (int)i);
            snprintf(title, sizeof title, "Inputs, trial %zu", i + 1);
            if (nx > 8) {
                size_t m = 0;
                for (size_t s = 0; s < T; s++)
                    for (size_t c = 0; c < nx; c++)
                        if (x.data[(i * T + s) * nx + c] != 0) {
                            v[m] = t[s];
                            w[m++] = (double)c;
                        }
                rt_axes_labels(ax, title, "time (ms)", "input channel");
                rt_axes_scatter(ax, m, v, w, mark_style(-1, RT_MARK_TICK, 3, NULL));
            } else {
                rt_axes_labels(ax, title, "time (ms)", "x");
                for (size_t c = 0; c < nx; c++) {
                    char label[32];
                    snprintf(label, sizeof label, "x[%zu]", c);
                    trace(&x, i, c, v);
                    rt_axes_line(ax, T, t, v, 1, line_style((int)c, 1.1, 0, i == 0 ? label : NULL));
                }
            }
            ax = rt_fig_axes(fig, 1, (int)i);
            snprintf(title, sizeof title, "Targets, trial %zu", i + 1);
            rt_axes_labels(ax, title, "time (ms)", "target");
            for (size_t c = 0; c < ny && c < 8; c++) {
                char label[32];
                snprintf(label, sizeof label, "y[%zu]", c);
                trace(&y, i, c, v);
                rt_axes_line(ax, T, t, v, 1, line_style((int)c, 1.1, 0, i == 0 ? label : NULL));
            }
        }
        free(t);
        free(v);
        free(w);
        rc = figures_save(f, fig, "task.svg", "Inputs and targets of the first evaluation trials");
    }
    rt_array_free(&x);
    rt_array_free(&y);
    return rc;
}

/* robustness.npy and degradation_POP.npy: rows (level, loss, accuracy). */
static int draw_curve(figures *f, const char *file, const char *xlabel, const char *what)
{
    rt_array a = load(f->dir, file);
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
        free(x);
        free(l);
        free(c);
        char name[200];
        snprintf(name, sizeof name, "%.*s.svg", (int)(strlen(file) - 4), file);
        rc = figures_save(f, fig, name, what);
    }
    rt_array_free(&a);
    return rc;
}

/* ------------------------------------------------------------ the folder */

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folder's file names, sorted (so the figures come in a fixed order). */
static size_t list_files(const char *dir, char **names, size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) && n < max;)
        if (e->d_name[0] != '.' && (names[n] = strdup(e->d_name)))
            n++;
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    return n;
}

/* The middle of NAME = PREFIX MIDDLE SUFFIX. */
static const char *middle(const char *name, const char *prefix, const char *suffix, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)(strlen(name) - strlen(prefix) - strlen(suffix)), name + strlen(prefix));
    return buf;
}

int figures_draw(figures *f)
{
    char *names[1024], part[160];
    size_t n = list_files(f->dir, names, 1024);
    int rc = draw_loss(f);
    rc = rc ? rc : draw_outputs(f);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (has_prefix(names[i], "spikes_") && has_suffix(names[i], ".npy"))
            rc = draw_raster(f, names[i]);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (has_prefix(names[i], "pca_") && has_suffix(names[i], "_projections.npy"))
            rc = draw_pca(f, "pca", middle(names[i], "pca_", "_projections.npy", part, sizeof part));
        else if (has_prefix(names[i], "svd_") && has_suffix(names[i], "_projections.npy"))
            rc = draw_pca(f, "svd", middle(names[i], "svd_", "_projections.npy", part, sizeof part));
    for (size_t i = 0; i < n && rc == 0; i++)
        if (has_prefix(names[i], "eigen_final_") && has_suffix(names[i], ".npy"))
            rc = draw_eigen(f, middle(names[i], "eigen_final_", ".npy", part, sizeof part));
    for (size_t i = 0; i < n && rc == 0; i++)
        if (has_prefix(names[i], "weights_final_") && has_suffix(names[i], ".npy"))
            rc = draw_weights(f, middle(names[i], "weights_final_", ".npy", part, sizeof part));
    rc = rc ? rc : draw_task(f);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (strcmp(names[i], "robustness.npy") == 0)
            rc = draw_curve(f, names[i], "input noise (standard deviation)", "Robustness to input noise");
        else if (has_prefix(names[i], "degradation_") && has_suffix(names[i], ".npy"))
            rc = draw_curve(f, names[i], "fraction of units removed", "Degradation: units removed");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

/* ------------------------------------------------------------ report.html */

/* The top-level numbers, strings and booleans of a summary.json text, as
 * table rows (objects and arrays are in the text shown below the table).
 * The text is one rnnc has just written: if it did not parse, the table
 * would be empty and the text still shown. */
static size_t summary_rows(const char *json, char **keys, char **values, size_t max)
{
    json_t *s = rt_summary_parse(json, strlen(json), "summary.json", NULL, 0);
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach (s, key, v) {
        if (n == max)
            break;
        char number[32];
        const char *value = json_string_value(v);
        if (json_is_integer(v))
            snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v))
            snprintf(number, sizeof number, "%.9g", json_real_value(v));   /* as saved */
        else if (json_is_boolean(v) || json_is_null(v))
            value = json_is_null(v) ? "null" : json_is_true(v) ? "true" : "false";
        else if (!value)
            continue;   /* an object or an array */
        keys[n] = strdup(key);
        values[n] = strdup(value ? value : number);
        if (keys[n] && values[n])
            n++;
        else {
            free(keys[n]);
            free(values[n]);
        }
    }
    json_decref(s);
    return n;
}

int report_write(const figures *f, const char *title, const char *summary_json, const char *model_source,
                 const report_rows *extra)
{
    rt_report *r = rt_report_new(title);
    char *keys[128], *values[128];
    size_t n = summary_json ? summary_rows(summary_json, keys, values, 128) : 0;
    rt_report_heading(r, "Results");
    if (extra)
        rt_report_table(r, extra->caption, extra->n, extra->keys, extra->values);
    rt_report_table(r, "From summary.json", n, (const char *const *)keys, (const char *const *)values);
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
        free(values[i]);
    }
    rt_report_heading(r, "Figures");
    for (size_t i = 0; i < f->count; i++) {
        char *path = join(f->dir, f->names[i]);
        if (path)
            rt_report_svg_file(r, path, f->captions[i]);
        free(path);
    }
    if (summary_json) {
        rt_report_heading(r, "Settings and metrics");
        rt_report_code(r, "summary.json", summary_json);
    }
    if (model_source) {
        rt_report_heading(r, "Model");
        rt_report_code(r, "The model file", model_source);
    }
    char *path = join(f->dir, "report.html");
    int rc = path ? rt_report_write(r, path) : -1;
    free(path);
    rt_report_free(r);
    return rc;
}
