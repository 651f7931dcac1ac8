/* rt_plot.c -- figures as SVG (see rt_plot.h): the figure model, the
 * layout of its panels, and writing the figure out.
 *
 * The adders only record what to draw. Layout: the figure is cut into
 * equal cells. A 2-D panel's plot area is its cell less margins sized from
 * its tick labels, and margins are made equal along each grid column and
 * row, so stacked panels line up. The panels are then drawn by
 * rt_plot_2d.c and rt_plot_3d.c (rt_plot_internal.h lists the parts).
 */
#include "rt_plot.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rt_plot_internal.h"

//////// Colours ////////

/* Okabe & Ito (2008), "Color Universal Design": distinguishable with any
 * colour-vision deficiency. Yellow is late because it is faint on white. */
static const char *const palette[RT_PALETTE_SIZE] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#F0E442", "#000000"};

const char *rt_palette_colour(int i)
{
    if (i == RT_GREY)
        return "#999999";
    if (i < 0)
        return "#222222";
    return palette[i % RT_PALETTE_SIZE];
}

//////// The figure model ////////

enum { MAX_GRID = 32 };

rt_fig *rt_fig_new(int rows, int cols, double width_px, double height_px, const char *title)
{
    if (rows < 1 || cols < 1 || rows > MAX_GRID || cols > MAX_GRID || !(width_px >= 50) ||
        !(height_px >= 50) || width_px > 20000 || height_px > 20000) {
        errno = EINVAL;
        return NULL;
    }
    rt_fig *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->rows = rows;
    f->cols = cols;
    f->width = width_px;
    f->height = height_px;
    f->axes = calloc((size_t)rows * (size_t)cols, sizeof *f->axes);
    f->title = title ? strdup(title) : NULL;
    if (!f->axes || (title && !f->title)) {
        free(f->axes);
        free(f->title);
        free(f);
        errno = ENOMEM;
        return NULL;
    }
    for (int i = 0; i < rows * cols; i++) {
        f->axes[i].fig = f;
        f->axes[i].row = i / cols;
        f->axes[i].col = i % cols;
    }
    return f;
}

rt_axes *rt_fig_axes(rt_fig *f, int row, int col)
{
    if (!f || row < 0 || col < 0 || row >= f->rows || col >= f->cols)
        return NULL;
    return &f->axes[row * f->cols + col];
}

static void free_axes(rt_axes *a)
{
    for (size_t i = 0; i < a->n_series; i++) {
        free(a->series[i].x);
        free(a->series[i].y);
        free(a->series[i].z);
        free(a->series[i].label);
        free(a->series[i].text);
    }
    free(a->series);
    free(a->title);
    for (int k = 0; k < 3; k++)
        free(a->label[k]);
    free(a->image);
    free(a->colourbar_label);
}

void rt_fig_free(rt_fig *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->rows * f->cols; i++)
        free_axes(&f->axes[i]);
    free(f->axes);
    free(f->title);
    free(f);
}

/* Replaces *DST by a copy of SRC (NULL: keeps *DST). */
static void set_string(rt_axes *a, char **dst, const char *src)
{
    if (!src)
        return;
    char *copy = strdup(src);
    if (!copy) {
        a->fig->failed = 1;
        return;
    }
    free(*dst);
    *dst = copy;
}

void rt_axes_labels(rt_axes *a, const char *title, const char *xlabel, const char *ylabel)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    set_string(a, &a->title, title);
    set_string(a, &a->label[0], xlabel);
    set_string(a, &a->label[1], ylabel);
}

void rt_axes_log_y(rt_axes *a)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    a->log_y = 1;
}

void rt_axes_equal(rt_axes *a)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    a->equal = 1;
}

static void set_lim(rt_axes *a, int k, double lo, double hi)
{
    if (usable(lo) && usable(hi) && lo < hi) {
        a->has_lim[k] = 1;
        a->lim[k][0] = lo;
        a->lim[k][1] = hi;
    }
}

void rt_axes_xlim(rt_axes *a, double lo, double hi) { set_lim(a, 0, lo, hi); }
void rt_axes_ylim(rt_axes *a, double lo, double hi) { set_lim(a, 1, lo, hi); }
void rt_axes_zlim(rt_axes *a, double lo, double hi) { set_lim(a, 2, lo, hi); }

static rt_axes *x_group(rt_axes *a)
{
    while (a->share_x)
        a = a->share_x;
    return a;
}

void rt_axes_share_x(rt_axes *a, rt_axes *with)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    rt_axes *ra = x_group(a), *rb = x_group(with);
    if (ra != rb)
        ra->share_x = rb;
}

void rt_axes_3d(rt_axes *a, double azimuth_deg, double elevation_deg, const char *zlabel)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    a->is_3d = 1;
    a->azimuth = usable(azimuth_deg) ? azimuth_deg : -60;
    a->elevation = usable(elevation_deg) ? clamp(elevation_deg, -90, 90) : 30;
    set_string(a, &a->label[2], zlabel);
}

/* A copy of V[0], V[STRIDE], ... (N values); V NULL gives 0, 1, 2, ... */
static double *copy_values(rt_axes *a, const double *v, size_t n, size_t stride)
{
    double *c = n <= SIZE_MAX / sizeof *c ? malloc((n ? n : 1) * sizeof *c) : NULL;
    if (!c) {
        a->fig->failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = v ? v[i * stride] : (double)i;
    return c;
}

/* A style with nonsense fields (a NaN width, a marker out of range) set
 * back to their defaults. */
static rt_style checked_style(rt_style s)
{
    if (!(s.width > 0 && s.width <= 100))
        s.width = 0;
    if (!(s.size > 0 && s.size <= 1000))
        s.size = 0;
    s.alpha = s.alpha > 0 ? fmin(s.alpha, 1) : 0;
    if (s.marker < RT_MARK_NONE || s.marker > RT_MARK_TICK)
        s.marker = RT_MARK_DOT;
    return s;
}

static series *add_series(rt_axes *a, series_kind kind, size_t n, rt_style s)
{
    if (a->fig->failed)
        return NULL;
    if (a->n_series == a->cap_series) {
        size_t cap = a->cap_series ? 2 * a->cap_series : 8;
        series *p = realloc(a->series, cap * sizeof *p);
        if (!p) {
            a->fig->failed = 1;
            return NULL;
        }
        a->series = p;
        a->cap_series = cap;
    }
    series *sr = &a->series[a->n_series++];
    memset(sr, 0, sizeof *sr);
    sr->kind = kind;
    sr->n = n;
    sr->style = checked_style(s);
    sr->style.label = NULL;
    set_string(a, &sr->label, s.label);
    return sr;
}

/* The adders: copy the data; a failed copy marks the figure. */
static void add_xyz(rt_axes *a, series_kind kind, size_t n, const double *x, const double *y,
                    const double *z, size_t stride, rt_style s)
{
    series *sr = add_series(a, kind, n, s);
    if (!sr)
        return;
    sr->x = copy_values(a, x, n, stride);
    sr->y = copy_values(a, y, n, stride);
    if (z)
        sr->z = copy_values(a, z, n, stride);
}

void rt_axes_line(rt_axes *a, size_t n, const double *x, const double *y, size_t stride,
                  rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    /* X is contiguous (a time axis shared by the channels); only Y strides. */
    series *sr = add_series(a, S_LINE, n, s);
    if (!sr)
        return;
    sr->x = copy_values(a, x, n, 1);
    sr->y = copy_values(a, y, n, stride ? stride : 1);
}

void rt_axes_band(rt_axes *a, size_t n, const double *x, const double *lo, const double *hi,
                  rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    add_xyz(a, S_BAND, n, x, lo, hi, 1, s);
}

void rt_axes_scatter(rt_axes *a, size_t n, const double *x, const double *y, rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    add_xyz(a, S_SCATTER, n, x, y, NULL, 1, s);
}

void rt_axes_circle(rt_axes *a, double cx, double cy, double r, rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    add_xyz(a, S_CIRCLE, 1, &cx, &cy, &r, 1, s);
}

void rt_axes_hline(rt_axes *a, double y, rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    add_xyz(a, S_HLINE, 1, NULL, &y, NULL, 1, s);
}

void rt_axes_vline(rt_axes *a, double x, rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    add_xyz(a, S_VLINE, 1, &x, NULL, NULL, 1, s);
}

void rt_axes_line3(rt_axes *a, size_t n, const double *x, const double *y, const double *z,
                   size_t stride, rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    if (!a->is_3d)
        rt_axes_3d(a, -60, 30, NULL);
    add_xyz(a, S_LINE3, n, x, y, z, stride ? stride : 1, s);
}

void rt_axes_scatter3(rt_axes *a, size_t n, const double *x, const double *y, const double *z,
                      rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    if (!a->is_3d)
        rt_axes_3d(a, -60, 30, NULL);
    add_xyz(a, S_SCATTER3, n, x, y, z, 1, s);
}

void rt_axes_image(rt_axes *a, size_t rows, size_t cols, const double *m, int diverging,
                   const char *colourbar_label)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    free(a->image);
    a->image = NULL;
    a->image_rows = a->image_cols = 0;
    if (rows == 0 || cols == 0 || rows > SIZE_MAX / cols)
        return;
    a->image = copy_values(a, m, rows * cols, 1);
    if (!a->image)
        return;
    a->image_rows = rows;
    a->image_cols = cols;
    a->diverging = diverging;
    set_string(a, &a->colourbar_label, colourbar_label);
}

void rt_axes_xspan(rt_axes *a, double x0, double x1, double y0, double y1, const char *text,
                   rt_style s)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    double x[2] = {fmin(x0, x1), fmax(x0, x1)}, y[2] = {clamp(fmin(y0, y1), 0, 1), clamp(fmax(y0, y1), 0, 1)};
    add_xyz(a, S_XSPAN, 2, x, y, NULL, 1, s);
    if (!a->fig->failed)
        set_string(a, &a->series[a->n_series - 1].text, text);
}

void rt_axes_text(rt_axes *a, double x, double y, const char *text, rt_style s)
{
    if (!a || !text)
        return;   /* the panel of a figure that could not be made */
    s.label = NULL;
    add_xyz(a, S_TEXT, 1, &x, &y, NULL, 1, s);
    if (!a->fig->failed)
        set_string(a, &a->series[a->n_series - 1].text, text);
}

void rt_axes_image_x(rt_axes *a, double x0, double x1)
{
    if (!a || !(usable(x0) && usable(x1) && x0 < x1))
        return;
    a->image_x = 1;
    a->image_x0 = x0;
    a->image_x1 = x1;
}

void rt_axes_legend_outside(rt_axes *a)
{
    if (a)
        a->legend_outside = 1;
}

void rt_axes_clim(rt_axes *a, double lo, double hi)
{
    if (!a)
        return;   /* the panel of a figure that could not be made */
    if (usable(lo) && usable(hi) && lo < hi) {
        a->has_clim = 1;
        a->clim[0] = lo;
        a->clim[1] = hi;
    }
}

//////// Panels: layout ////////

/* Grows EX and EY by what series S draws. */
static void series_extent(const rt_axes *a, const series *s, extent *ex, extent *ey)
{
    const double *x = s->x, *y = s->y, *z = s->z;
    for (size_t i = 0; i < s->n; i++) {
        switch (s->kind) {
        case S_LINE:
        case S_SCATTER:
            if (usable(x[i]) && y_ok(a, y[i])) {
                extend(ex, x[i]);
                extend(ey, y[i]);
            }
            break;
        case S_BAND:
            for (int k = 0; k < 2; k++) {
                double v = k ? z[i] : y[i];
                if (usable(x[i]) && y_ok(a, v)) {
                    extend(ex, x[i]);
                    extend(ey, v);
                }
            }
            break;
        case S_CIRCLE:
            if (usable(x[0]) && usable(y[0]) && usable(z[0]) && y_ok(a, y[0] - z[0])) {
                extend(ex, x[0] - z[0]);
                extend(ex, x[0] + z[0]);
                extend(ey, y[0] - z[0]);
                extend(ey, y[0] + z[0]);
            }
            break;
        case S_HLINE:
            if (y_ok(a, y[0]))
                extend(ey, y[0]);
            break;
        case S_VLINE:
            extend(ex, x[0]);
            break;
        default:
            break;
        }
    }
}

static void setup_image_scales(panel *p, double est_w, double est_h, const double *xlim)
{
    rt_axes *a = p->a;
    p->x = (scale){.lo = -0.5, .hi = (double)a->image_cols - 0.5};
    p->y = (scale){.lo = -0.5, .hi = (double)a->image_rows - 0.5, .inverted = 1};
    if (a->image_x) {   /* a time axis, shared with the panels of its group */
        rtp_auto_limits(&p->x, (extent){xlim[0], xlim[1]}, 0, xlim);
        rtp_make_ticks(&p->x, rtp_tick_target(est_w, 1), est_w);
    } else {
        rtp_linear_ticks(&p->x, 5, 1);
    }
    rtp_linear_ticks(&p->y, a->image_x ? rtp_tick_target(est_h, 0) : 5, 1);
    extent e = EMPTY_EXTENT;
    for (size_t i = 0; i < a->image_rows * a->image_cols; i++)
        extend(&e, a->image[i]);
    if (a->has_clim)
        e = (extent){a->clim[0], a->clim[1]};
    if (a->diverging) {
        double m = fmax(fabs(e.lo), fabs(e.hi));
        if (!(usable(m) && m > 0))
            m = 1;
        e = (extent){-m, m};
    } else if (!(e.lo < e.hi)) {
        e = e.lo <= e.hi ? (extent){e.lo - 0.5, e.hi + 0.5} : (extent){0, 1};
    }
    p->c = (scale){.lo = e.lo, .hi = e.hi};
    rtp_make_ticks(&p->c, rtp_tick_target(est_h, 1), 0);   /* sparser than a y axis: the bar is short */
}

static int has_lines(const rt_axes *a)
{
    for (size_t i = 0; i < a->n_series; i++)
        if (a->series[i].kind == S_LINE || a->series[i].kind == S_BAND || a->series[i].kind == S_CIRCLE)
            return 1;
    return 0;
}

/* Limits and ticks of a 2-D panel, for a plot area of about EST_W x EST_H. */
static void setup_2d_scales(const rt_fig *f, panel *p, double est_w, double est_h)
{
    rt_axes *a = p->a, *group = x_group(a);
    extent ex = EMPTY_EXTENT, ey = EMPTY_EXTENT, ignored = EMPTY_EXTENT;
    const double *xlim = NULL;
    for (int i = 0; i < f->rows * f->cols; i++) {
        rt_axes *b = &f->axes[i];
        if (x_group(b) != group)
            continue;
        for (size_t k = 0; k < b->n_series; k++)
            series_extent(b, &b->series[k], &ex, b == a ? &ey : &ignored);
        if (b->image && b->image_x) {
            extend(&ex, b->image_x0);
            extend(&ex, b->image_x1);
        }
        if (b->has_lim[0] && !xlim)
            xlim = b->lim[0];
        if (b != a && b->col == a->col && b->row > a->row)
            p->hide_x_labels = 1;   /* a panel below shows the same x ticks */
    }
    if (a->image) {
        double group_x[2] = {ex.lo, ex.hi};
        setup_image_scales(p, est_w, est_h, xlim ? xlim : group_x);
        return;
    }
    if (has_lines(a) && ey.lo < ey.hi && !a->log_y) {
        /* Headroom, so a line does not run along the frame (markers are
         * drawn whole at the edge anyway). x is left alone: time axes
         * should start where the data start. */
        double pad = 0.02 * (ey.hi - ey.lo);
        ey.lo -= pad;
        ey.hi += pad;
    }
    rtp_auto_limits(&p->x, ex, 0, xlim);
    rtp_make_ticks(&p->x, rtp_tick_target(est_w, 1), est_w);
    rtp_auto_limits(&p->y, ey, a->log_y, a->has_lim[1] ? a->lim[1] : NULL);
    rtp_make_ticks(&p->y, rtp_tick_target(est_h, 0), 0);
}

/* Room around the plot area for tick labels, axis labels, title, colour bar. */
static void panel_margins(panel *p)
{
    const rt_axes *a = p->a;
    double ytick_w = rtp_widest_label(&p->y, TICK_PX);
    p->m_left = ytick_w + (a->label[1] ? 30 : 12);
    if (p->hide_x_labels)
        p->m_bottom = a->label[0] ? 24 : 8;
    else
        p->m_bottom = a->label[0] ? 40 : 22;
    p->m_top = a->title ? 26 : 10;
    double last = p->x.n ? rtp_text_width(p->x.label[p->x.n - 1], TICK_PX) / 2 + 4 : 0;
    p->m_right = fmax(12, last);
    if (a->image)
        p->m_right = 29 + rtp_widest_label(&p->c, TICK_PX) + (a->colourbar_label ? 22 : 0) + 6;
    double lw, lh;
    if (a->legend_outside && rtp_legend_size(a, &lw, &lh))
        p->m_right = fmax(p->m_right, lw + 16);
}

/* Shrinks the plot area to square cells, centred. */
static void fit_image(panel *p)
{
    double cols = (double)p->a->image_cols, rows = (double)p->a->image_rows;
    double cell = fmin(p->pw / cols, p->ph / rows);
    p->px += (p->pw - cell * cols) / 2;
    p->py += (p->ph - cell * rows) / 2;
    p->pw = cell * cols;
    p->ph = cell * rows;
}

/* One data unit as long on x as on y: rtp_widen the range that is short, and
 * tick both axes at the same step (the coarser of the two). */
static void fit_equal(panel *p)
{
    double ux = p->pw / (p->x.hi - p->x.lo), uy = p->ph / (p->y.hi - p->y.lo);
    if (ux > uy)
        rtp_widen(&p->x, p->pw / uy);
    else
        rtp_widen(&p->y, p->ph / ux);
    rtp_make_ticks(&p->x, rtp_tick_target(p->pw, 1), p->pw);
    rtp_make_ticks(&p->y, rtp_tick_target(p->ph, 0), 0);
    double step = fmax(p->x.step, p->y.step);
    rtp_ticks_every(&p->x, step);
    rtp_ticks_every(&p->y, step);
}

static void set_occupancy_area(panel *p, double x, double y, double w, double h)
{
    p->occ_x = x;
    p->occ_y = y;
    p->occ_w = fmax(w, 1);
    p->occ_h = fmax(h, 1);
}

static void layout(const rt_fig *f, panel *ps)
{
    int n = f->rows * f->cols;
    double title_h = f->title ? 32 : 0;
    double cw = f->width / f->cols, ch = (f->height - title_h) / f->rows;
    double col_l[MAX_GRID] = {0}, col_r[MAX_GRID] = {0}, row_t[MAX_GRID] = {0}, row_b[MAX_GRID] = {0};
    for (int i = 0; i < n; i++) {
        panel *p = &ps[i];
        p->a = &f->axes[i];
        p->cell_x = p->a->col * cw;
        p->cell_y = title_h + p->a->row * ch;
        p->cell_w = cw;
        p->cell_h = ch;
        if (p->a->is_3d) {
            rtp_setup_3d_scales(p);
            set_occupancy_area(p, p->cell_x, p->cell_y, cw, ch);
            continue;
        }
        setup_2d_scales(f, p, cw - 80, ch - 60);
        panel_margins(p);
        int c = p->a->col, r = p->a->row;
        col_l[c] = fmax(col_l[c], p->m_left);
        col_r[c] = fmax(col_r[c], p->m_right);
        row_t[r] = fmax(row_t[r], p->m_top);
        row_b[r] = fmax(row_b[r], p->m_bottom);
    }
    for (int i = 0; i < n; i++) {
        panel *p = &ps[i];
        if (p->a->is_3d)
            continue;
        int c = p->a->col, r = p->a->row;
        p->px = p->cell_x + col_l[c];
        p->py = p->cell_y + row_t[r];
        p->pw = fmax(cw - col_l[c] - col_r[c], 10);
        p->ph = fmax(ch - row_t[r] - row_b[r], 10);
        if (p->a->image && !p->a->image_x)
            fit_image(p);
        else if (p->a->equal && !p->a->log_y)
            fit_equal(p);
        set_occupancy_area(p, p->px, p->py, p->pw, p->ph);
    }
}

//////// Writing ////////

static void svg_open(rt_text *t, const rt_fig *f)
{
    rt_text_printf(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%g\" height=\"%g\" "
                      "viewBox=\"0 0 %g %g\" font-family=\"Helvetica, Arial, 'DejaVu Sans', "
                      "'Liberation Sans', sans-serif\" font-size=\"11\" fill=\"#222\">\n",
                   f->width, f->height, f->width, f->height);
    if (f->title) {
        rt_text_puts(t, "<title>");
        rt_text_escaped(t, f->title);
        rt_text_puts(t, "</title>\n");
    }
    rt_text_puts(t, "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    if (f->title)
        rtp_text_at(t, f->width / 2, 22, " text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\"",
                    f->title);
}

static int render(const rt_fig *f, rt_text *t)
{
    size_t n = (size_t)f->rows * (size_t)f->cols;
    panel *ps = f->failed ? NULL : calloc(n, sizeof *ps);
    if (!ps) {
        errno = ENOMEM;
        return -1;
    }
    layout(f, ps);
    svg_open(t, f);
    for (size_t i = 0; i < n; i++) {
        if (ps[i].a->is_3d)
            rtp_draw_panel_3d(t, &ps[i]);
        else
            rtp_draw_panel_2d(t, &ps[i]);
    }
    rt_text_puts(t, "</svg>\n");
    free(ps);
    if (t->failed) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

char *rt_fig_svg(const rt_fig *f, size_t *len)
{
    rt_text t = {0};
    if (render(f, &t) != 0) {
        rt_text_free(&t);
        errno = ENOMEM;
        return NULL;
    }
    if (len)
        *len = t.len;
    return t.data;   /* ownership passes to the caller */
}

int rt_fig_write(const rt_fig *f, const char *path)
{
    rt_text t = {0};
    rt_text_puts(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    int rc = render(f, &t) == 0 ? rt_text_save(&t, path) : -1;
    int saved = errno;
    rt_text_free(&t);
    errno = saved;
    return rc;
}
