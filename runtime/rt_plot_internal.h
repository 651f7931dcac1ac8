/* rt_plot_internal.h -- what the rt_plot*.c files share (nothing else
 * includes it): the figure model's structs, scales, the panel being drawn,
 * and the functions one part calls in another.
 *
 *     rt_plot.c        the model (figures, panels, series), layout, writing
 *     rt_plot_scale.c  limits and ticks, and the tick labels' text
 *     rt_plot_2d.c     SVG drawing of 2-D panels: pens, markers, text, legend
 *     rt_plot_3d.c     3-D panels: a projected box and its series
 *     rt_plot_png.c    heat maps: colour maps, palette PNG images
 *
 * Shared functions carry the prefix rtp_ (the library is linked into
 * programs with names of their own); the rest of each file is static.
 */
#ifndef RNNRT_PLOT_INTERNAL_H
#define RNNRT_PLOT_INTERNAL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt_plot.h"
#include "rt_text.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

//////// Numbers ////////

/* Finite and not absurd: NaN and +-Inf fail, and so do values whose ranges
 * would overflow when subtracted. */
static inline int usable(double v)
{
    return fabs(v) <= 1e300;
}

/* V held inside [LO, HI]; NaN gives LO, so the result can always be
 * converted to an integer. */
static inline double clamp(double v, double lo, double hi)
{
    return !(v >= lo) ? lo : v > hi ? hi : v;
}

/* A pixel coordinate as text, to 0.1 px and without a trailing ".0":
 * printf("%s", px(v).s). Points far outside the figure are held at
 * +-1e5 px, where the clip hides them. */
typedef struct px_text {
    char s[24];
} px_text;

static inline px_text px(double v)
{
    px_text out;
    int tenths = (int)lround(clamp(v, -1e5, 1e5) * 10), a = abs(tenths);
    const char *sign = tenths < 0 ? "-" : "";
    if (a % 10)
        snprintf(out.s, sizeof out.s, "%s%d.%d", sign, a / 10, a % 10);
    else
        snprintf(out.s, sizeof out.s, "%s%d", sign, a / 10);
    return out;
}

/* " x=.. y=.. width=.. height=.." of a rectangle. */
static inline void put_rect_attrs(rt_text *t, double x, double y, double w, double h)
{
    rt_text_printf(t, " x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"", px(x).s, px(y).s, px(w).s,
                   px(h).s);
}

//////// The figure model ////////

typedef enum series_kind {
    S_LINE, S_BAND, S_SCATTER, S_CIRCLE, S_HLINE, S_VLINE, S_LINE3, S_SCATTER3,
    S_XSPAN,  /* x from x[0] to x[1], the panel's height from fraction y[0] to y[1] */
    S_TEXT    /* text just above the point (x[0], y[0]) */
} series_kind;

/* One thing drawn in a panel; the data are the series' own copies. */
typedef struct series {
    series_kind kind;
    size_t n;
    double *x, *y, *z;   /* band: y low, z high; circle: centre x, y, radius z */
    rt_style style;      /* style.label is LABEL below */
    char *label;
    char *text;          /* S_XSPAN: written at its top, or NULL; S_TEXT: the text */
} series;

struct rt_axes {
    rt_fig *fig;
    int row, col;
    char *title, *label[3];   /* label: x, y, z */
    int log_y, equal, is_3d;
    double azimuth, elevation;
    int has_lim[3];
    double lim[3][2];
    rt_axes *share_x;         /* towards the group's representative; NULL: is one */
    series *series;
    size_t n_series, cap_series;
    double *image;
    size_t image_rows, image_cols;
    int diverging, has_clim;
    double clim[2];
    char *colourbar_label;
    int image_x;              /* the image stretched over x image_x0 .. image_x1 */
    double image_x0, image_x1;
    int legend_outside;       /* the legend right of the plot area */
};

struct rt_fig {
    int rows, cols;
    double width, height;
    char *title;
    rt_axes *axes;
    int failed;   /* an allocation failed; rt_fig_write reports it */
};

/* V can be drawn on A's y axis (a log axis has no place for v <= 0). */
static inline int y_ok(const rt_axes *a, double v)
{
    return usable(v) && (!a->log_y || v > 0);
}

//////// Scales and ticks (rt_plot_scale.c) ////////

enum { MAX_TICKS = 32, MAX_MINOR = 128, LABEL_SIZE = 40 };

typedef struct scale {
    double lo, hi;     /* the axis limits, lo < hi (> 0 on a log axis) */
    int log;
    int inverted;      /* lo at the top (image rows) */
    int n, n_minor;
    double step;       /* between linear ticks */
    double tick[MAX_TICKS];
    char label[MAX_TICKS][LABEL_SIZE];
    double minor[MAX_MINOR];
} scale;

/* Where V falls along the axis, 0 at lo and 1 at hi. */
static inline double scale_pos(const scale *s, double v)
{
    if (s->log)
        return (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
    return (v - s->lo) / (s->hi - s->lo);
}

typedef struct extent {
    double lo, hi;   /* lo > hi while empty */
} extent;

#define EMPTY_EXTENT ((extent){INFINITY, -INFINITY})

static inline void extend(extent *e, double v)
{
    if (usable(v)) {
        e->lo = fmin(e->lo, v);
        e->hi = fmax(e->hi, v);
    }
}

/* How many ticks suit an axis LEN_PX long: one per ~70 px across, ~50 px up. */
int rtp_tick_target(double len_px, int horizontal);
/* Ticks at the multiples of STEP inside the limits, labelled. */
void rtp_ticks_every(scale *s, double step);
/* Ticks at multiples of a nice step (at least MIN_STEP) inside the limits. */
void rtp_linear_ticks(scale *s, int target, double min_step);
/* Ticks for the scale's limits; FIT_PX > 0 asks for labels written side
 * by side along FIT_PX pixels, so fewer ticks until they fit. */
void rtp_make_ticks(scale *s, int target, double fit_px);
/* Limits (LIM if set, else rounded from the extent), ticks left to rtp_make_ticks. */
void rtp_auto_limits(scale *s, extent e, int log, const double *lim);
/* Widens the scale around its centre to RANGE (equal aspect). */
void rtp_widen(scale *s, double range);
/* Width of S in px at FONT_PX, estimated without fonts; and of the widest
 * of a scale's tick labels. */
double rtp_text_width(const char *s, double font_px);
double rtp_widest_label(const scale *s, double font_px);

//////// The panel being drawn ////////

enum { OCC_COLS = 24, OCC_ROWS = 16 };
enum { TICK_PX = 11 };   /* tick label font size (the root's); labels 12, titles 13 */

/* A panel being drawn: its scales, where it goes, and a coarse map of how
 * much is drawn where, from which the legend picks the emptiest corner. */
typedef struct panel {
    rt_axes *a;
    scale x, y, z, c;          /* z: 3-D only; c: the colour bar */
    double cell_x, cell_y, cell_w, cell_h;
    double m_left, m_right, m_top, m_bottom;
    double px, py, pw, ph;     /* the plot area */
    int hide_x_labels;
    double occ_x, occ_y, occ_w, occ_h;
    unsigned occ[OCC_ROWS][OCC_COLS];
} panel;

//////// Drawing (rt_plot_2d.c), used by the 3-D panel too ////////

/* A pen turns points into path data: a NaN breaks the line (rtp_pen_break),
 * and with THIN, consecutive points in one pixel column are reduced to the
 * lowest and the highest, in their order: the column looks the same, and a
 * one-sample spike stays. */
typedef struct pen {
    rt_text *d;
    panel *p;
    int thin, open;
    double last_x, last_y;
    long col;
    size_t run_n;
    double run_x[2], run_y[2];   /* lowest and highest y (on the screen) */
    size_t run_i[2];
} pen;

void rtp_pen_point(pen *pn, double x, double y);
void rtp_pen_break(pen *pn);
/* Counts a point drawn at (X, Y) px in the panel's occupancy map. */
void rtp_occupy(panel *p, double x, double y);
/* <path d="D" + line style/>, nothing if D is empty; frees D. */
void rtp_emit_line_path(rt_text *t, rt_text *d, const rt_style *s);
rt_marker rtp_marker_of(const series *s);
/* Marker size in px: the style's, else one y unit for ticks (a raster's
 * rows just touch), else 5. */
double rtp_marker_size(const panel *p, const rt_style *s, rt_marker m);
/* Appends one marker of SIZE px at (X, Y) to path data D. */
void rtp_marker_add(rt_text *d, rt_marker m, double size, double x, double y);
/* <path> of the markers in D (nothing if empty); frees D. */
void rtp_emit_markers(rt_text *t, rt_text *d, const rt_style *s, rt_marker m, double size);
/* <text> of S (escaped) at X, Y with extra ATTRS; rotated by DEGREES
 * and centred. */
void rtp_text_at(rt_text *t, double x, double y, const char *attrs, const char *s);
void rtp_rotated_text(rt_text *t, double x, double y, int degrees, const char *attrs,
                      const char *s);
/* The size of the legend box; 0 if no series has a label. */
size_t rtp_legend_size(const rt_axes *a, double *w, double *h);
void rtp_draw_legend_at(rt_text *t, const panel *p, double x, double y, double w, double h);
void rtp_draw_panel_2d(rt_text *t, panel *p);

//////// 3-D panels (rt_plot_3d.c) ////////

/* Limits and ticks of the three axes. */
void rtp_setup_3d_scales(panel *p);
void rtp_draw_panel_3d(rt_text *t, panel *p);

//////// Heat maps (rt_plot_png.c) ////////

enum { LEVELS = 255, NAN_LEVEL = 255 };   /* palette entries: 255 colours, then grey */

/* The 256-colour palette of a heat map: LEVELS steps of RdBu (DIVERGING)
 * or viridis, then grey for NAN_LEVEL. */
void rtp_colour_map(int diverging, unsigned char pal[256][3]);
/* The palette index of V on a scale from LO to HI. */
unsigned char rtp_colour_level(double v, double lo, double hi);
/* An <image> of palette indices stretched over X, Y, W, H; PIXELATED keeps
 * cells sharp when scaled up (CSS for browsers, optimizeSpeed for others). */
void rtp_image_element(rt_text *t, const unsigned char *index, size_t cols, size_t rows,
                       unsigned char pal[256][3], double x, double y, double w, double h,
                       int pixelated);

#endif
