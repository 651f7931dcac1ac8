/* rt_plot_3d.c -- a 3-D panel: an orthographic view of a box with shaded
 * back panes and three labelled axes, each with its own scale, and the
 * lines and markers inside it.
 */
#include <math.h>
#include <stdio.h>

#include "rt_plot_internal.h"

//////// Scales ////////

void rtp_setup_3d_scales(panel *p)
{
    rt_axes *a = p->a;
    extent e[3] = {EMPTY_EXTENT, EMPTY_EXTENT, EMPTY_EXTENT};
    for (size_t k = 0; k < a->n_series; k++) {
        const series *s = &a->series[k];
        if (s->kind != S_LINE3 && s->kind != S_SCATTER3)
            continue;
        for (size_t i = 0; i < s->n; i++) {
            if (usable(s->x[i]) && usable(s->y[i]) && usable(s->z[i])) {
                extend(&e[0], s->x[i]);
                extend(&e[1], s->y[i]);
                extend(&e[2], s->z[i]);
            }
        }
    }
    scale *sc[3] = {&p->x, &p->y, &p->z};
    for (int k = 0; k < 3; k++) {
        rtp_auto_limits(sc[k], e[k], 0, a->has_lim[k] ? a->lim[k] : NULL);
        rtp_make_ticks(sc[k], 4, 0);
    }
}

//////// Drawing: 3-D panels ////////

/* An orthographic view: E points at the viewer, R right and U up on the
 * screen (R x U = E); data are scaled into the cube [-1, 1]^3 first. */
typedef struct view3 {
    double e[3], r[3], u[3];
    double scale, ox, oy;
} view3;

static void project(const view3 *v, const double c[3], double *sx, double *sy)
{
    *sx = v->ox + v->scale * (c[0] * v->r[0] + c[1] * v->r[1] + c[2] * v->r[2]);
    *sy = v->oy - v->scale * (c[0] * v->u[0] + c[1] * v->u[1] + c[2] * v->u[2]);
}

static void cube_coords(const panel *p, double x, double y, double z, double c[3])
{
    c[0] = 2 * scale_pos(&p->x, x) - 1;
    c[1] = 2 * scale_pos(&p->y, y) - 1;
    c[2] = 2 * scale_pos(&p->z, z) - 1;
}

/* The view, scaled so the box fills the cell less room for labels (and
 * RESERVE_RIGHT px for the legend). */
static void view_setup(view3 *v, const panel *p, double reserve_right)
{
    double az = p->a->azimuth * M_PI / 180, el = p->a->elevation * M_PI / 180;
    *v = (view3){.e = {cos(el) * cos(az), cos(el) * sin(az), sin(el)},
                 .r = {-sin(az), cos(az), 0},
                 .u = {-sin(el) * cos(az), -sin(el) * sin(az), cos(el)},
                 .scale = 1};
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < 8; k++) {
        double c[3] = {k & 1 ? 1 : -1, k & 2 ? 1 : -1, k & 4 ? 1 : -1}, sx, sy;
        project(v, c, &sx, &sy);
        x0 = fmin(x0, sx), x1 = fmax(x1, sx), y0 = fmin(y0, sy), y1 = fmax(y1, sy);
    }
    double left = p->cell_x + 70, right = p->cell_x + p->cell_w - fmax(70, reserve_right);
    double top = p->cell_y + (p->a->title ? 34 : 16), bottom = p->cell_y + p->cell_h - 46;
    v->scale = fmax(fmin((right - left) / (x1 - x0), (bottom - top) / (y1 - y0)), 1);
    v->ox = (left + right) / 2 - v->scale * (x0 + x1) / 2;
    v->oy = (top + bottom) / 2 - v->scale * (y0 + y1) / 2;
}

static const int other_axes[3][2] = {{1, 2}, {0, 2}, {0, 1}};

static void put_cube_point(rt_text *t, const view3 *v, const double c[3], const char *cmd)
{
    double sx, sy;
    project(v, c, &sx, &sy);
    rt_text_printf(t, "%s%s %s", cmd, px(sx).s, px(sy).s);
}

/* The three faces turned away from the viewer, shaded, with grid lines at
 * the ticks: the box the data float in. */
static void draw_panes(rt_text *t, const panel *p, const view3 *v)
{
    const scale *sc[3] = {&p->x, &p->y, &p->z};
    rt_text grid = {0};
    rt_text_puts(t, "<path fill=\"#f2f2f2\" stroke=\"#c8c8c8\" stroke-linejoin=\"round\" d=\"");
    for (int k = 0; k < 3; k++) {
        for (int side = -1; side <= 1; side += 2) {
            if (side * v->e[k] >= 0)
                continue;   /* faces the viewer */
            int j = other_axes[k][0], l = other_axes[k][1];
            static const double corner[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
            for (int q = 0; q < 4; q++) {
                double c[3];
                c[k] = side, c[j] = corner[q][0], c[l] = corner[q][1];
                put_cube_point(t, v, c, q ? "L" : "M");
            }
            rt_text_puts(t, "Z");
            for (int g = 0; g < 2; g++) {
                int along = g ? l : j, across = g ? j : l;
                for (int i = 0; i < sc[along]->n; i++) {
                    double c[3];
                    c[k] = side, c[along] = 2 * scale_pos(sc[along], sc[along]->tick[i]) - 1;
                    c[across] = -1;
                    put_cube_point(&grid, v, c, "M");
                    c[across] = 1;
                    put_cube_point(&grid, v, c, "L");
                }
            }
        }
    }
    rt_text_puts(t, "\"/>\n");
    if (grid.len) {
        rt_text_puts(t, "<path fill=\"none\" stroke=\"#dedede\" d=\"");
        rt_text_add(t, grid.data, grid.len);
        rt_text_puts(t, "\"/>\n");
    }
    t->failed |= grid.failed;
    rt_text_free(&grid);
}

/* Where axis K is drawn: the x and y axes along the bottom edges nearest
 * the viewer, z up the edge at the left of the box. C[K] is left to vary. */
static void axis_edge(const view3 *v, int k, double c[3])
{
    double bottom = v->e[2] >= 0 ? -1 : 1;
    if (k == 0)
        c[1] = v->e[1] >= 0 ? 1 : -1, c[2] = bottom;
    else if (k == 1)
        c[0] = v->e[0] >= 0 ? 1 : -1, c[2] = bottom;
    else
        c[0] = v->r[0] >= 0 ? -1 : 1, c[1] = v->r[1] >= 0 ? -1 : 1;
    c[k] = 0;
}

static const char *anchor_for(double dx)
{
    return dx < -0.35 ? " text-anchor=\"end\"" : dx > 0.35 ? " text-anchor=\"start\"" : " text-anchor=\"middle\"";
}

/* Axis K: its edge, ticks and labels pointing away from the box's centre. */
static void draw_axis_3d(rt_text *t, const panel *p, const view3 *v, int k)
{
    const scale *sc = k == 0 ? &p->x : k == 1 ? &p->y : &p->z;
    double c[3] = {0, 0, 0}, ox, oy, mx, my;
    project(v, c, &ox, &oy);
    axis_edge(v, k, c);
    project(v, c, &mx, &my);
    double len = hypot(mx - ox, my - oy);
    double dx = len > 1e-9 ? (mx - ox) / len : 0, dy = len > 1e-9 ? (my - oy) / len : 1;
    rt_text_puts(t, "<path fill=\"none\" stroke=\"#333\" d=\"");
    c[k] = -1;
    put_cube_point(t, v, c, "M");
    c[k] = 1;
    put_cube_point(t, v, c, "L");
    for (int i = 0; i < sc->n; i++) {
        c[k] = 2 * scale_pos(sc, sc->tick[i]) - 1;
        put_cube_point(t, v, c, "M");
        rt_text_printf(t, "l%s %s", px(5 * dx).s, px(5 * dy).s);
    }
    rt_text_puts(t, "\"/>\n");
    for (int i = 0; i < sc->n; i++) {
        double sx, sy;
        c[k] = 2 * scale_pos(sc, sc->tick[i]) - 1;
        project(v, c, &sx, &sy);
        rtp_text_at(t, sx + 12 * dx, sy + 12 * dy + 4, anchor_for(dx), sc->label[i]);
    }
    if (!p->a->label[k])
        return;
    double off = 30 + fabs(dx) * rtp_widest_label(sc, TICK_PX);
    if (k == 2 && fabs(dx) > fabs(dy)) {   /* left of an upright axis: upright, like a y label */
        rtp_rotated_text(t, mx + off * dx + 4, my, -90, " font-size=\"12\"", p->a->label[k]);
        return;
    }
    char attrs[64];
    snprintf(attrs, sizeof attrs, "%s font-size=\"12\"", anchor_for(dx));
    rtp_text_at(t, mx + off * dx, my + off * dy + 4, attrs, p->a->label[k]);
}

static void draw_series_3d(rt_text *t, panel *p, const view3 *v, const series *s)
{
    int line = s->kind == S_LINE3;
    rt_marker m = rtp_marker_of(s);
    double size = rtp_marker_size(p, &s->style, m);
    rt_text d = {0};
    pen pn = {.d = &d, .p = p, .thin = (double)s->n > 2 * p->cell_w};
    for (size_t i = 0; i < s->n; i++) {
        double c[3], sx, sy;
        if (!usable(s->x[i]) || !usable(s->y[i]) || !usable(s->z[i])) {
            rtp_pen_break(&pn);
            continue;
        }
        cube_coords(p, s->x[i], s->y[i], s->z[i], c);
        project(v, c, &sx, &sy);
        if (line) {
            rtp_pen_point(&pn, sx, sy);
        } else {
            rtp_marker_add(&d, m, size, sx, sy);
            rtp_occupy(p, sx, sy);
        }
    }
    rtp_pen_break(&pn);
    if (line)
        rtp_emit_line_path(t, &d, &s->style);
    else
        rtp_emit_markers(t, &d, &s->style, m, size);
}

/* A 3-D panel; its legend goes top right, beside the box rather than over it. */
void rtp_draw_panel_3d(rt_text *t, panel *p)
{
    view3 v;
    double legend_w, legend_h;
    int legend = rtp_legend_size(p->a, &legend_w, &legend_h) > 0;
    view_setup(&v, p, legend ? legend_w + 40 : 0);
    draw_panes(t, p, &v);
    for (size_t i = 0; i < p->a->n_series; i++) {
        const series *s = &p->a->series[i];
        if (s->kind == S_LINE3 || s->kind == S_SCATTER3)
            draw_series_3d(t, p, &v, s);
    }
    for (int k = 0; k < 3; k++)
        draw_axis_3d(t, p, &v, k);
    if (p->a->title)
        rtp_text_at(t, p->cell_x + p->cell_w / 2, p->cell_y + 20,
                    " text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\"", p->a->title);
    if (legend)
        rtp_draw_legend_at(t, p, p->cell_x + p->cell_w - legend_w - 6, p->cell_y + (p->a->title ? 34 : 8),
                           legend_w, legend_h);
}
