/* rt_plot_2d.c -- drawing a 2-D panel as SVG: series, frame, ticks,
 * labels, legend, heat map; the pens, markers and text the 3-D panel
 * draws with too.
 *
 * Data is mapped to pixels and written to 0.1 px (4 significant figures on
 * a figure up to 1000 px wide); a line of more than two points per pixel
 * column is thinned to the lowest and highest point of each column.
 * Clipping uses nested <svg> viewports, which clip by default, instead of
 * <clipPath>: the output holds no id attributes, so any number of figures
 * can be inlined in one HTML page.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rt_plot_internal.h"

/* Data units to pixels, on the panel's scales. */
static double map_x(const panel *p, double v)
{
    return p->px + p->pw * scale_pos(&p->x, v);
}

static double map_y(const panel *p, double v)
{
    double t = scale_pos(&p->y, v);
    return p->py + p->ph * (p->y.inverted ? t : 1 - t);
}

//////// Occupancy (for placing the legend) ////////

void rtp_occupy(panel *p, double x, double y)
{
    double fx = (x - p->occ_x) / p->occ_w * OCC_COLS, fy = (y - p->occ_y) / p->occ_h * OCC_ROWS;
    if (fx >= 0 && fx < OCC_COLS && fy >= 0 && fy < OCC_ROWS && p->occ[(int)fy][(int)fx] < UINT_MAX)
        p->occ[(int)fy][(int)fx]++;
}

static void occupy_segment(panel *p, double x0, double y0, double x1, double y1)
{
    double steps = fmax(fabs(x1 - x0) * OCC_COLS / p->occ_w, fabs(y1 - y0) * OCC_ROWS / p->occ_h);
    int n = (int)ceil(clamp(steps, 1, 4 * OCC_COLS));
    for (int k = 1; k <= n; k++)
        rtp_occupy(p, x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n);
}

static double occupied_in(const panel *p, double x, double y, double w, double h)
{
    int c0 = (int)clamp(floor((x - p->occ_x) / p->occ_w * OCC_COLS), 0, OCC_COLS - 1);
    int c1 = (int)clamp(floor((x + w - p->occ_x) / p->occ_w * OCC_COLS), 0, OCC_COLS - 1);
    int r0 = (int)clamp(floor((y - p->occ_y) / p->occ_h * OCC_ROWS), 0, OCC_ROWS - 1);
    int r1 = (int)clamp(floor((y + h - p->occ_y) / p->occ_h * OCC_ROWS), 0, OCC_ROWS - 1);
    double sum = 0;
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++)
            sum += p->occ[r][c];
    return sum;
}

//////// Drawing: styles, paths, markers ////////

static double style_alpha(const rt_style *s, double fallback)
{
    return s->alpha > 0 ? fmin(s->alpha, 1) : fallback;
}

static void put_line_style(rt_text *t, const rt_style *s)
{
    double w = s->width > 0 ? s->width : 1.5;
    rt_text_printf(t, " fill=\"none\" stroke=\"%s\" stroke-width=\"%g\" stroke-linejoin=\"round\""
                      " stroke-linecap=\"round\"", rt_palette_colour(s->colour), w);
    if (s->dashed == RT_DOTTED)
        rt_text_printf(t, " stroke-dasharray=\"0.01 %g\"", 2.5 * w);
    else if (s->dashed)
        rt_text_printf(t, " stroke-dasharray=\"%g %g\"", 4 * w, 3 * w);
    if (style_alpha(s, 1) < 1)
        rt_text_printf(t, " stroke-opacity=\"%g\"", style_alpha(s, 1));
}

/* <path d="D" + line style/>, nothing if D is empty; frees D. */
void rtp_emit_line_path(rt_text *t, rt_text *d, const rt_style *s)
{
    if (d->len) {
        rt_text_puts(t, "<path d=\"");
        rt_text_add(t, d->data, d->len);
        rt_text_puts(t, "\"");
        put_line_style(t, s);
        rt_text_puts(t, "/>\n");
    }
    if (d->failed)
        t->failed = 1;
    rt_text_free(d);
}

/* Opens a viewport clipping to the plot area (with 2 px to spare, so a line
 * along a limit keeps its full width); user units stay the figure's. */
static void clip_open(rt_text *t, const panel *p)
{
    rt_text_puts(t, "<svg");
    put_rect_attrs(t, p->px - 2, p->py - 2, p->pw + 4, p->ph + 4);
    rt_text_printf(t, " viewBox=\"%s %s %s %s\" overflow=\"hidden\">\n", px(p->px - 2).s,
                   px(p->py - 2).s, px(p->pw + 4).s, px(p->ph + 4).s);
}

static void pen_emit(pen *pn, double x, double y)
{
    rt_text_printf(pn->d, "%s%s %s", pn->open ? " " : "M", px(x).s, px(y).s);
    if (pn->open)
        occupy_segment(pn->p, pn->last_x, pn->last_y, x, y);
    else
        rtp_occupy(pn->p, x, y);
    pn->open = 1;
    pn->last_x = x;
    pn->last_y = y;
}

static void pen_flush(pen *pn)
{
    if (!pn->run_n)
        return;
    int a = pn->run_i[0] <= pn->run_i[1] ? 0 : 1;
    pen_emit(pn, pn->run_x[a], pn->run_y[a]);
    if (pn->run_i[0] != pn->run_i[1])
        pen_emit(pn, pn->run_x[1 - a], pn->run_y[1 - a]);
    pn->run_n = 0;
}

void rtp_pen_point(pen *pn, double x, double y)
{
    if (!pn->thin) {
        pen_emit(pn, x, y);
        return;
    }
    long col = (long)floor(clamp(x, -1e5, 1e5));
    if (!pn->run_n || col != pn->col) {
        pen_flush(pn);
        pn->col = col;
        pn->run_x[0] = pn->run_x[1] = x;
        pn->run_y[0] = pn->run_y[1] = y;
        pn->run_i[0] = pn->run_i[1] = 0;
        pn->run_n = 1;
        return;
    }
    size_t i = pn->run_n++;
    int slot = y < pn->run_y[0] ? 0 : y > pn->run_y[1] ? 1 : -1;
    if (slot >= 0) {
        pn->run_x[slot] = x;
        pn->run_y[slot] = y;
        pn->run_i[slot] = i;
    }
}

void rtp_pen_break(pen *pn)
{
    pen_flush(pn);
    pn->open = 0;
}

rt_marker rtp_marker_of(const series *s)
{
    return s->style.marker != RT_MARK_NONE ? s->style.marker : RT_MARK_DOT;
}

/* Marker size in px: the style's, else one y unit for ticks (a raster's
 * rows just touch), else 5. */
double rtp_marker_size(const panel *p, const rt_style *s, rt_marker m)
{
    if (s->size > 0)
        return s->size;
    if (m == RT_MARK_TICK && !p->a->is_3d && !p->y.log)
        return clamp(0.9 * p->ph / (p->y.hi - p->y.lo), 2, 12);
    return m == RT_MARK_TICK ? 8 : 5;
}

/* Appends one marker of SIZE px at (X, Y) to path data D. */
void rtp_marker_add(rt_text *d, rt_marker m, double size, double x, double y)
{
    px_text r = px(size / 2), s = px(size);   /* radius, diameter */
    switch (m) {
    case RT_MARK_CIRCLE:   /* two half-circle arcs */
        rt_text_printf(d, "M%s %sa%s %s 0 1 0 %s 0a%s %s 0 1 0 -%s 0", px(x - size / 2).s, px(y).s,
                       r.s, r.s, s.s, r.s, r.s, s.s);
        break;
    case RT_MARK_CROSS:
        rt_text_printf(d, "M%s %sl%s %sm0 -%sl-%s %s", px(x - size / 2).s, px(y - size / 2).s, s.s,
                       s.s, s.s, s.s, s.s);
        break;
    case RT_MARK_TICK:
        rt_text_printf(d, "M%s %sv%s", px(x).s, px(y - size / 2).s, s.s);
        break;
    default:   /* dot, square: a zero-length segment drawn with a round or square cap */
        rt_text_printf(d, "M%s %sh0", px(x).s, px(y).s);
    }
}

/* <path> of the markers in D (nothing if empty); frees D. */
void rtp_emit_markers(rt_text *t, rt_text *d, const rt_style *s, rt_marker m, double size)
{
    if (d->len) {
        const char *colour = rt_palette_colour(s->colour);
        double alpha = style_alpha(s, 1), w = s->width > 0 ? s->width : m == RT_MARK_TICK ? 1 : 1.3;
        rt_text_puts(t, "<path d=\"");
        rt_text_add(t, d->data, d->len);
        if (m == RT_MARK_DOT || m == RT_MARK_SQUARE)
            rt_text_printf(t, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%g\" stroke-linecap=\"%s\"",
                           colour, m == RT_MARK_DOT ? size : 0.85 * size,
                           m == RT_MARK_DOT ? "round" : "square");
        else
            rt_text_printf(t, "\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%g\"",
                           m == RT_MARK_CIRCLE ? "#fff" : "none", colour, w);
        if (alpha < 1)
            rt_text_printf(t, " stroke-opacity=\"%g\" fill-opacity=\"%g\"", alpha, alpha);
        rt_text_puts(t, "/>\n");
    }
    if (d->failed)
        t->failed = 1;
    rt_text_free(d);
}

//////// Drawing: 2-D series ////////

static void draw_line(rt_text *t, panel *p, const series *s)
{
    rt_text d = {0};
    pen pn = {.d = &d, .p = p, .thin = (double)s->n > 2 * p->pw};
    for (size_t i = 0; i < s->n; i++) {
        if (usable(s->x[i]) && y_ok(p->a, s->y[i]))
            rtp_pen_point(&pn, map_x(p, s->x[i]), map_y(p, s->y[i]));
        else
            rtp_pen_break(&pn);
    }
    rtp_pen_break(&pn);
    clip_open(t, p);
    rtp_emit_line_path(t, &d, &s->style);
    rt_text_puts(t, "</svg>\n");
}

/* Markers inside the plot area (half a pixel to spare); the rest are
 * outside the limits and not drawn. Markers are not clipped, so one on
 * the edge is drawn whole. */
static void draw_scatter(rt_text *t, panel *p, const series *s)
{
    rt_marker m = rtp_marker_of(s);
    double size = rtp_marker_size(p, &s->style, m);
    rt_text d = {0};
    for (size_t i = 0; i < s->n; i++) {
        if (!usable(s->x[i]) || !y_ok(p->a, s->y[i]))
            continue;
        double x = map_x(p, s->x[i]), y = map_y(p, s->y[i]);
        if (x < p->px - 0.5 || x > p->px + p->pw + 0.5 || y < p->py - 0.5 || y > p->py + p->ph + 0.5)
            continue;
        rtp_marker_add(&d, m, size, x, y);
        rtp_occupy(p, x, y);
    }
    rtp_emit_markers(t, &d, &s->style, m, size);
}

/* One closed polygon: along the tops, back along the bottoms. */
static void band_polygon(rt_text *d, panel *p, const double *x, const double *top,
                         const double *bottom, size_t m)
{
    if (m < 2)
        return;
    for (size_t i = 0; i < m; i++) {
        rt_text_printf(d, "%s%s %s", i ? " " : "M", px(x[i]).s, px(top[i]).s);
        rtp_occupy(p, x[i], top[i]);
    }
    for (size_t i = m; i-- > 0;) {
        rt_text_printf(d, " %s %s", px(x[i]).s, px(bottom[i]).s);
        rtp_occupy(p, x[i], bottom[i]);
    }
    rt_text_puts(d, "Z");
}

static void draw_band(rt_text *t, panel *p, const series *s)
{
    size_t n = s->n;
    double *x = n < SIZE_MAX / 24 ? malloc(3 * (n ? n : 1) * sizeof *x) : NULL;
    if (!x) {
        t->failed = 1;
        return;
    }
    double *top = x + n, *bottom = top + n;
    int thin = (double)n > 2 * p->pw;
    rt_text d = {0};
    size_t m = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && usable(s->x[i]) && y_ok(p->a, s->y[i]) && y_ok(p->a, s->z[i])) {
            double px = map_x(p, s->x[i]), a = map_y(p, s->y[i]), b = map_y(p, s->z[i]);
            if (thin && m && floor(px) == floor(x[m - 1])) {
                top[m - 1] = fmin(top[m - 1], fmin(a, b));   /* the column's full range */
                bottom[m - 1] = fmax(bottom[m - 1], fmax(a, b));
            } else {
                x[m] = px, top[m] = fmin(a, b), bottom[m] = fmax(a, b);
                m++;
            }
            continue;
        }
        band_polygon(&d, p, x, top, bottom, m);
        m = 0;
    }
    free(x);
    clip_open(t, p);
    if (d.len) {
        rt_text_puts(t, "<path d=\"");
        rt_text_add(t, d.data, d.len);
        rt_text_printf(t, "\" fill=\"%s\" fill-opacity=\"%g\" stroke=\"none\"/>\n",
                       rt_palette_colour(s->style.colour), style_alpha(&s->style, 0.25));
    }
    t->failed |= d.failed;
    rt_text_free(&d);
    rt_text_puts(t, "</svg>\n");
}

/* A circle in data units: 180 segments through the pen, so it is right on
 * any axes (an ellipse unless equal, a distorted one on a log axis). */
static void draw_circle(rt_text *t, panel *p, const series *s)
{
    double cx = s->x[0], cy = s->y[0], r = s->z[0];
    if (!usable(cx) || !usable(cy) || !usable(r))
        return;
    rt_text d = {0};
    pen pn = {.d = &d, .p = p};
    for (int k = 0; k <= 180; k++) {
        double a = 2 * M_PI * k / 180, x = cx + r * cos(a), y = cy + r * sin(a);
        if (y_ok(p->a, y))
            rtp_pen_point(&pn, map_x(p, x), map_y(p, y));
        else
            rtp_pen_break(&pn);
    }
    clip_open(t, p);
    rtp_emit_line_path(t, &d, &s->style);
    rt_text_puts(t, "</svg>\n");
}

static void draw_rule(rt_text *t, panel *p, const series *s)
{
    rt_text d = {0};
    pen pn = {.d = &d, .p = p};
    if (s->kind == S_HLINE && y_ok(p->a, s->y[0])) {
        rtp_pen_point(&pn, p->px, map_y(p, s->y[0]));
        rtp_pen_point(&pn, p->px + p->pw, map_y(p, s->y[0]));
    } else if (s->kind == S_VLINE && usable(s->x[0])) {
        rtp_pen_point(&pn, map_x(p, s->x[0]), p->py);
        rtp_pen_point(&pn, map_x(p, s->x[0]), p->py + p->ph);
    }
    clip_open(t, p);
    rtp_emit_line_path(t, &d, &s->style);
    rt_text_puts(t, "</svg>\n");
}

/* A span's text at its top: across it when it fits, upright when only a
 * letter's width does, else none. The text counts as drawn for the legend. */
static void span_text(rt_text *t, panel *p, const series *s, double x0, double x1, double top)
{
    double w = rtp_text_width(s->text, 10), room = x1 - x0;
    if (room >= w + 4) {
        rtp_text_at(t, (x0 + x1) / 2, top + 11, " text-anchor=\"middle\" font-size=\"10\" fill=\"#555\"",
                    s->text);
        for (double x = (x0 + x1 - w) / 2; x <= (x0 + x1 + w) / 2; x += 4)
            rtp_occupy(p, x, top + 6);
    } else if (room >= 11) {
        rt_text_printf(t, "<text transform=\"translate(%s %s) rotate(-90)\" text-anchor=\"end\" font-size=\"10\""
                          " fill=\"#555\">", px((x0 + x1) / 2 + 3.5).s, px(top + 3).s);
        rt_text_escaped(t, s->text);
        rt_text_puts(t, "</text>\n");
        for (double y = top; y <= top + w; y += 4)
            rtp_occupy(p, (x0 + x1) / 2, y);
    }
}

static void draw_span(rt_text *t, panel *p, const series *s)
{
    if (!usable(s->x[0]) || !usable(s->x[1]))
        return;
    double x0 = clamp(map_x(p, s->x[0]), p->px, p->px + p->pw), x1 = clamp(map_x(p, s->x[1]), p->px, p->px + p->pw);
    double top = p->py + p->ph * (1 - s->y[1]), bottom = p->py + p->ph * (1 - s->y[0]);
    if (x1 - x0 <= 0 || bottom - top <= 0)
        return;
    rt_text_puts(t, "<rect");
    put_rect_attrs(t, x0, top, x1 - x0, bottom - top);
    rt_text_printf(t, " fill=\"%s\" fill-opacity=\"%g\" stroke=\"none\"/>\n", rt_palette_colour(s->style.colour),
                   style_alpha(&s->style, 0.25));
    if (s->text)
        span_text(t, p, s, x0, x1, top);
}

static void draw_text(rt_text *t, panel *p, const series *s)
{
    if (!usable(s->x[0]) || !y_ok(p->a, s->y[0]) || !s->text)
        return;
    double x = map_x(p, s->x[0]), y = map_y(p, s->y[0]) - 7;
    char attrs[96];
    snprintf(attrs, sizeof attrs, " text-anchor=\"middle\" font-size=\"9\" fill=\"%s\"",
             rt_palette_colour(s->style.colour));
    rtp_text_at(t, x, y, attrs, s->text);
    rtp_occupy(p, x, y - 3);
}

static void draw_series_2d(rt_text *t, panel *p, const series *s)
{
    switch (s->kind) {
    case S_LINE:
        draw_line(t, p, s);
        if (s->style.marker != RT_MARK_NONE)
            draw_scatter(t, p, s);
        break;
    case S_BAND: draw_band(t, p, s); break;
    case S_SCATTER: draw_scatter(t, p, s); break;
    case S_CIRCLE: draw_circle(t, p, s); break;
    case S_HLINE:
    case S_VLINE: draw_rule(t, p, s); break;
    case S_XSPAN: break;   /* drawn first, under the rest */
    case S_TEXT: draw_text(t, p, s); break;
    default: break;   /* 3-D series in a 2-D panel: nothing to draw */
    }
}

//////// Drawing: text, frame, ticks ////////

void rtp_text_at(rt_text *t, double x, double y, const char *attrs, const char *s)
{
    rt_text_printf(t, "<text x=\"%s\" y=\"%s\"%s>", px(x).s, px(y).s, attrs);
    rt_text_escaped(t, s);
    rt_text_puts(t, "</text>\n");
}

void rtp_rotated_text(rt_text *t, double x, double y, int degrees, const char *attrs,
                      const char *s)
{
    rt_text_printf(t, "<text transform=\"translate(%s %s) rotate(%d)\" text-anchor=\"middle\"%s>",
                   px(x).s, px(y).s, degrees, attrs);
    rt_text_escaped(t, s);
    rt_text_puts(t, "</text>\n");
}

static void draw_grid(rt_text *t, const panel *p)
{
    rt_text_puts(t, "<path fill=\"none\" stroke=\"#ebebeb\" stroke-width=\"1\" d=\"");
    for (int i = 0; i < p->x.n; i++)
        rt_text_printf(t, "M%s %sV%s", px(map_x(p, p->x.tick[i])).s, px(p->py).s, px(p->py + p->ph).s);
    for (int i = 0; i < p->y.n; i++)
        rt_text_printf(t, "M%s %sH%s", px(p->px).s, px(map_y(p, p->y.tick[i])).s, px(p->px + p->pw).s);
    rt_text_puts(t, "\"/>\n");
}

/* Spines (left and bottom; a full box for images and equal axes) and ticks. */
static void draw_frame(rt_text *t, const panel *p)
{
    double x0 = p->px, y0 = p->py, x1 = p->px + p->pw, y1 = p->py + p->ph;
    int boxed = p->a->image || p->a->equal;
    rt_text_printf(t, "<path fill=\"none\" stroke=\"#333\" stroke-width=\"1\" d=\"M%s %sV%sH%s",
                   px(x0).s, px(y0).s, px(y1).s, px(x1).s);
    if (boxed)
        rt_text_printf(t, "V%sZ", px(y0).s);
    for (int i = 0; i < p->x.n + p->x.n_minor; i++) {   /* majors 4 px long, minors 2 */
        int major = i < p->x.n;
        double x = map_x(p, major ? p->x.tick[i] : p->x.minor[i - p->x.n]);
        rt_text_printf(t, "M%s %sv%d", px(x).s, px(y1).s, major ? 4 : 2);
    }
    for (int i = 0; i < p->y.n + p->y.n_minor; i++) {
        int major = i < p->y.n;
        double y = map_y(p, major ? p->y.tick[i] : p->y.minor[i - p->y.n]);
        rt_text_printf(t, "M%s %sh%d", px(x0).s, px(y).s, major ? -4 : -2);
    }
    rt_text_puts(t, "\"/>\n");
}

static void draw_tick_labels(rt_text *t, const panel *p)
{
    if (!p->hide_x_labels) {
        rt_text_puts(t, "<g text-anchor=\"middle\">\n");
        for (int i = 0; i < p->x.n; i++)
            rtp_text_at(t, map_x(p, p->x.tick[i]), p->py + p->ph + 16, "", p->x.label[i]);
        rt_text_puts(t, "</g>\n");
    }
    rt_text_puts(t, "<g text-anchor=\"end\">\n");
    for (int i = 0; i < p->y.n; i++)
        rtp_text_at(t, p->px - 7, map_y(p, p->y.tick[i]) + 4, "", p->y.label[i]);
    rt_text_puts(t, "</g>\n");
}

static void draw_axis_labels(rt_text *t, const panel *p)
{
    const rt_axes *a = p->a;
    if (a->label[0])
        rtp_text_at(t, p->px + p->pw / 2, p->py + p->ph + (p->hide_x_labels ? 17 : 34),
                    " text-anchor=\"middle\" font-size=\"12\"", a->label[0]);
    if (a->label[1])
        rtp_rotated_text(t, p->px - 13 - rtp_widest_label(&p->y, TICK_PX), p->py + p->ph / 2, -90,
                         " font-size=\"12\"", a->label[1]);
    if (a->title)
        rtp_text_at(t, p->px + p->pw / 2, p->py - 9,
                    " text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"", a->title);
}

//////// Drawing: legend ////////

static void legend_sample(rt_text *t, const panel *p, const series *s, double x, double y)
{
    const rt_style *st = &s->style;
    if (s->kind == S_BAND || s->kind == S_XSPAN) {
        rt_text_puts(t, "<rect");
        put_rect_attrs(t, x, y - 5, 24, 10);
        rt_text_printf(t, " fill=\"%s\" fill-opacity=\"%g\"/>\n", rt_palette_colour(st->colour),
                       style_alpha(st, 0.25));
        return;
    }
    int markers_only = s->kind == S_SCATTER || s->kind == S_SCATTER3;
    if (!markers_only) {
        rt_text d = {0};
        rt_text_printf(&d, "M%s %sh24", px(x).s, px(y).s);
        rtp_emit_line_path(t, &d, st);
    }
    if (markers_only || st->marker != RT_MARK_NONE) {
        rt_marker m = rtp_marker_of(s);
        double size = m == RT_MARK_TICK ? 10 : fmin(rtp_marker_size(p, st, m), 12);
        rt_text d = {0};
        rtp_marker_add(&d, m, size, x + 12, y);
        rtp_emit_markers(t, &d, st, m, size);
    }
}

/* The size of the legend box; 0 if no series has a label. */
size_t rtp_legend_size(const rt_axes *a, double *w, double *h)
{
    size_t n = 0;
    double text_w = 0;
    for (size_t i = 0; i < a->n_series; i++) {
        if (a->series[i].label) {
            n++;
            text_w = fmax(text_w, rtp_text_width(a->series[i].label, TICK_PX));
        }
    }
    *w = 8 + 24 + 6 + text_w + 8;
    *h = 6 + 16.0 * (double)n;
    return n;
}

void rtp_draw_legend_at(rt_text *t, const panel *p, double x, double y, double w, double h)
{
    rt_text_puts(t, "<g>\n<rect");
    put_rect_attrs(t, x, y, w, h);
    rt_text_puts(t, " rx=\"3\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n");
    y += 3 + 8;
    for (size_t i = 0; i < p->a->n_series; i++) {
        const series *s = &p->a->series[i];
        if (!s->label)
            continue;
        legend_sample(t, p, s, x + 8, y);
        rtp_text_at(t, x + 38, y + 4, "", s->label);
        y += 16;
    }
    rt_text_puts(t, "</g>\n");
}

/* A legend of the labelled series in the corner of the plot area where the
 * least is drawn (top right first on a tie). */
static void draw_legend(rt_text *t, const panel *p)
{
    double w, h, best = INFINITY, bx = 0, by = 0;
    if (!rtp_legend_size(p->a, &w, &h))
        return;
    if (p->a->legend_outside) {
        rtp_draw_legend_at(t, p, p->px + p->pw + 10, p->py, w, h);
        return;
    }
    for (int c = 0; c < 4; c++) {
        double x = c % 2 == 0 ? p->occ_x + p->occ_w - w - 6 : p->occ_x + 6;
        double y = c < 2 ? p->occ_y + 6 : p->occ_y + p->occ_h - h - 6;
        double score = occupied_in(p, x, y, w, h);
        if (score < best)
            best = score, bx = x, by = y;
    }
    rtp_draw_legend_at(t, p, bx, by, w, h);
}

//////// Drawing: heat maps ////////

static void draw_colour_bar(rt_text *t, const panel *p, unsigned char pal[256][3])
{
    unsigned char levels[LEVELS];
    for (int i = 0; i < LEVELS; i++)
        levels[i] = (unsigned char)(LEVELS - 1 - i);   /* the top is the largest */
    double x = p->px + p->pw + 10, y1 = p->py + p->ph;
    rtp_image_element(t, levels, 1, LEVELS, pal, x, p->py, 12, p->ph, 0);
    rt_text_printf(t, "<path fill=\"none\" stroke=\"#333\" d=\"M%s %sh12V%sh-12Z", px(x).s, px(p->py).s,
                   px(y1).s);
    for (int i = 0; i < p->c.n; i++)
        rt_text_printf(t, "M%s %sh4", px(x + 12).s, px(y1 - p->ph * scale_pos(&p->c, p->c.tick[i])).s);
    rt_text_puts(t, "\"/>\n");
    for (int i = 0; i < p->c.n; i++)
        rtp_text_at(t, x + 19, y1 - p->ph * scale_pos(&p->c, p->c.tick[i]) + 4, "", p->c.label[i]);
    if (p->a->colourbar_label)
        rtp_rotated_text(t, x + 19 + rtp_widest_label(&p->c, TICK_PX) + 16, p->py + p->ph / 2, -90,
                         " font-size=\"12\"", p->a->colourbar_label);
}

static void draw_image(rt_text *t, const panel *p)
{
    const rt_axes *a = p->a;
    size_t n = a->image_rows * a->image_cols;
    unsigned char pal[256][3], *index = malloc(n);
    if (!index) {
        t->failed = 1;
        return;
    }
    rtp_colour_map(a->diverging, pal);
    for (size_t i = 0; i < n; i++)
        index[i] = rtp_colour_level(a->image[i], p->c.lo, p->c.hi);
    double x0 = p->px, w = p->pw;
    if (a->image_x) {   /* stretched over its time range */
        x0 = map_x(p, a->image_x0);
        w = map_x(p, a->image_x1) - x0;
    }
    rtp_image_element(t, index, a->image_cols, a->image_rows, pal, x0, p->py, w, p->ph, 1);
    free(index);
    draw_colour_bar(t, p, pal);
}

//////// A 2-D panel ////////

void rtp_draw_panel_2d(rt_text *t, panel *p)
{
    if (p->a->image)
        draw_image(t, p);
    else
        draw_grid(t, p);
    for (size_t i = 0; i < p->a->n_series; i++)
        if (p->a->series[i].kind == S_XSPAN)
            draw_span(t, p, &p->a->series[i]);
    for (size_t i = 0; i < p->a->n_series; i++)
        draw_series_2d(t, p, &p->a->series[i]);
    draw_frame(t, p);
    draw_tick_labels(t, p);
    draw_axis_labels(t, p);
    draw_legend(t, p);
}
