/* rt_plot.h -- figures drawn as SVG by our own code.
 *
 * A figure is a grid of panels ("axes"). Each panel is given series --
 * lines, shaded bands, markers, a heat map, or a 3-D projection -- and
 * rt_fig_write draws the whole figure as one standalone SVG file. The same
 * text is valid inline in HTML5 (no ids, no scripts, no external
 * resources), so rt_report can inline it into a page.
 *
 * Data is copied when a series is added: the caller may free its arrays at
 * once. A NULL panel (of a figure rt_fig_new could not make) is ignored by
 * every rt_axes_ function. Non-finite values (and values <= 0 on a log axis) are skipped and
 * break a line there. The adders return nothing: an allocation failure is
 * remembered and reported by rt_fig_write (-1, errno ENOMEM).
 *
 * Axis limits are automatic unless set: rounded out to a nice step (0..999
 * gives 0..1000), with a little headroom above and below lines; ticks at
 * 1, 2 or 5 x 10^k. Labels and units are the caller's: pass them to
 * rt_axes_labels, e.g. "time (ms)". Series with a label get a legend, put
 * in the corner of the panel where the least is drawn (beside the box in
 * 3-D). Text is real SVG text in a sans-serif font, 11-13 px.
 *
 *     rt_fig *f = rt_fig_new(1, 1, 640, 400, NULL);
 *     rt_axes *a = rt_fig_axes(f, 0, 0);
 *     rt_axes_labels(a, "Training", "update", "loss (MSE)");
 *     rt_axes_log_y(a);
 *     rt_axes_line(a, n, NULL, loss, 1, (rt_style){.colour = 0, .label = "seed 1"});
 *     if (rt_fig_write(f, "loss.svg") != 0)
 *         perror("loss.svg");
 *     rt_fig_free(f);
 */
#ifndef RNNRT_PLOT_H
#define RNNRT_PLOT_H

#include <stddef.h>

#include "rt_text.h"

typedef struct rt_fig rt_fig;
typedef struct rt_axes rt_axes;

/* ---- figures ---- */

/* A figure of ROWS x COLS equal panels (each 1..32), WIDTH_PX x HEIGHT_PX
 * in all (each 50..20000), with an optional TITLE (NULL: none) across the
 * top. Panels that stack in a column line up: their margins are made
 * equal. NULL with errno EINVAL (sizes) or ENOMEM. */
rt_fig *rt_fig_new(int rows, int cols, double width_px, double height_px, const char *title);
/* The panel at ROW, COL (from the top left); NULL if outside the grid. */
rt_axes *rt_fig_axes(rt_fig *f, int row, int col);
/* Writes the figure as an SVG file (with an <?xml?> prolog); 0, or -1 with
 * errno set. A full disk is reported (the half-written file is removed). */
int rt_fig_write(const rt_fig *f, const char *path);
/* The SVG text without the prolog, for inlining (malloc'd; *LEN gets its
 * length if LEN is not NULL); NULL with errno ENOMEM. */
char *rt_fig_svg(const rt_fig *f, size_t *len);
void rt_fig_free(rt_fig *f);

/* ---- a panel's frame ---- */

/* Title above the panel, and the axis labels (with units); NULL keeps one
 * unset. Text is escaped: any characters may be used. */
void rt_axes_labels(rt_axes *a, const char *title, const char *xlabel, const char *ylabel);
/* A logarithmic y axis, limits rounded out to whole decades: ticks at 10^k
 * labelled "10⁻³", minor ticks at 2..9 x 10^k (2 and 5 x 10^k labelled
 * too when the axis spans fewer than two decades). Values <= 0 are
 * skipped. */
void rt_axes_log_y(rt_axes *a);
/* One data unit is as long on x as on y (the complex plane): the shorter
 * range is widened to fill the panel, both axes are ticked at the same
 * step, and the panel is boxed. Ignored with a log axis. */
void rt_axes_equal(rt_axes *a);
/* Fixed limits instead of automatic ones (lo < hi; on a log axis lo > 0). */
void rt_axes_xlim(rt_axes *a, double lo, double hi);
void rt_axes_ylim(rt_axes *a, double lo, double hi);
/* A and WITH show the same x range (the union of their data, or a limit
 * set on either). In a column of panels stacked this way only the lowest
 * one labels its x ticks. */
void rt_axes_share_x(rt_axes *a, rt_axes *with);

/* ---- series ---- */

/* Markers, drawn centred on each point. */
typedef enum rt_marker {
    RT_MARK_NONE,
    RT_MARK_DOT,     /* filled disc */
    RT_MARK_CIRCLE,  /* open circle (white inside): e.g. an unstable fixed point */
    RT_MARK_SQUARE,  /* filled square */
    RT_MARK_CROSS,   /* x */
    RT_MARK_TICK     /* vertical bar, for spike rasters; default height fills one y unit */
} rt_marker;

enum { RT_PALETTE_SIZE = 8 };   /* colours before the palette repeats */
enum { RT_BLACK = -1, RT_GREY = -2 };   /* colours outside the palette */
enum { RT_SOLID = 0, RT_DASHED = 1, RT_DOTTED = 2 };

/* How a series looks. Zero fields mean the default, so
 * (rt_style){.colour = 2, .label = "output"} is a complete style. */
typedef struct rt_style {
    int colour;         /* palette index (Okabe & Ito's colour-blind-safe 8:
                           blue, vermillion, green, purple, sky blue, orange,
                           yellow, black), or RT_BLACK / RT_GREY */
    double width;       /* line width in px; 0: 1.5 (markers' outlines 1.3,
                           tick markers 1) */
    int dashed;         /* RT_SOLID, RT_DASHED or RT_DOTTED */
    rt_marker marker;   /* on each point; RT_MARK_NONE for a line alone */
    double size;        /* marker diameter (tick: height) in px; 0: 5 (a
                           tick fills one y unit, so raster rows touch) */
    double alpha;       /* opacity in (0, 1]; 0: 1 (0.25 for bands) */
    const char *label;  /* legend entry, or NULL for none */
} rt_style;

/* The colour of palette index I (or RT_BLACK, RT_GREY) as "#rrggbb". */
const char *rt_palette_colour(int i);

/* A line through N points (X[i], Y[i * STRIDE]); X NULL means 0, 1, ...
 * STRIDE lets Y be one column of a row-major [N][STRIDE] matrix (one
 * channel of outputs[time][channel]); X is always contiguous. A line of
 * more than two points per pixel column is thinned to the lowest and the
 * highest point of each column: it looks the same, and spikes stay. */
void rt_axes_line(rt_axes *a, size_t n, const double *x, const double *y, size_t stride,
                  rt_style s);
/* A shaded area between LO[i] and HI[i] (e.g. mean +- sd across seeds);
 * X NULL means 0, 1, ... Drawn in the style's colour at alpha 0.25. */
void rt_axes_band(rt_axes *a, size_t n, const double *x, const double *lo, const double *hi,
                  rt_style s);
/* Markers at (X[i], Y[i]) (a dot unless the style names a marker). */
void rt_axes_scatter(rt_axes *a, size_t n, const double *x, const double *y, rt_style s);
/* A circle of radius R around (CX, CY) in data units (an ellipse unless
 * the axes are equal), e.g. the unit circle. */
void rt_axes_circle(rt_axes *a, double cx, double cy, double r, rt_style s);
/* TEXT written small (9 px) just above the point (X, Y), centred on it,
 * in the style's colour, e.g. the trial count of a marker; 2-D panels
 * only. It does not widen the limits, and has no legend entry. */
void rt_axes_text(rt_axes *a, double x, double y, const char *text, rt_style s);
/* Lines across the whole panel at Y, or at X. */
void rt_axes_hline(rt_axes *a, double y, rt_style s);
void rt_axes_vline(rt_axes *a, double x, rt_style s);

/* A ROWS x COLS row-major matrix M as a heat map: row 0 at the top, like a
 * weight matrix [post][pre]; square cells; a colour bar with
 * COLOURBAR_LABEL (NULL: none) on the right. DIVERGING: a scale symmetric
 * around 0, blue (negative) - white - red (positive), from ColorBrewer's
 * RdBu; otherwise viridis from the smallest to the largest value.
 * Non-finite entries are grey. One image per panel; a later call replaces
 * it. Lines and markers added to the same panel are drawn over it in
 * cell coordinates: x = column index, y = row index. */
void rt_axes_image(rt_axes *a, size_t rows, size_t cols, const double *m, int diverging,
                   const char *colourbar_label);
/* Fixed colour limits for the image (e.g. the same scale for the weights
 * before and after training); for a diverging image, +-max(|lo|, |hi|). */
void rt_axes_clim(rt_axes *a, double lo, double hi);

/* ---- time series: spans, stretched images, a legend outside ---- */

/* A shaded span from X0 to X1 (data units) over the fraction Y0 .. Y1 of
 * the panel's height (0 the bottom, 1 the top): a task's phase (0, 1), a
 * strip along the bottom (0, 0.06). Spans are drawn under everything else
 * in the style's colour (alpha 0: 0.25) and do not widen the limits. TEXT
 * (NULL: none) is written small at the top of the span: across it when it
 * fits, else upright, and not at all in a span narrower than a letter. A
 * label gives a legend entry (a filled box). */
void rt_axes_xspan(rt_axes *a, double x0, double x1, double y0, double y1, const char *text,
                   rt_style s);
/* The panel's image (rt_axes_image) stretched over X0 .. X1 on the x axis,
 * a data axis then (time), and over the panel's height: the cells are no
 * longer square, rows stay rows (row 0 at the top). */
void rt_axes_image_x(rt_axes *a, double x0, double x1);
/* The legend right of the plot area, outside it, instead of in a corner
 * over the data; the panels of a grid column keep one width. */
void rt_axes_legend_outside(rt_axes *a);

/* ---- 3-D panels ---- */

/* Makes the panel a 3-D view: a box with back panes and three labelled
 * axes (x and y labels from rt_axes_labels, ZLABEL here), seen from
 * AZIMUTH_DEG around the z axis and ELEVATION_DEG above the x-y plane
 * (matplotlib's default view is -60, 30). Each axis has its own scale. */
void rt_axes_3d(rt_axes *a, double azimuth_deg, double elevation_deg, const char *zlabel);
void rt_axes_zlim(rt_axes *a, double lo, double hi);
/* A line through (X[i*STRIDE], Y[i*STRIDE], Z[i*STRIDE]), e.g. the first
 * three columns of a [time][k] matrix of principal components with STRIDE
 * k. Makes the panel 3-D (default view) if it is not already. */
void rt_axes_line3(rt_axes *a, size_t n, const double *x, const double *y, const double *z,
                   size_t stride, rt_style s);
/* Markers at (X[i], Y[i], Z[i]), e.g. fixed points over trajectories. */
void rt_axes_scatter3(rt_axes *a, size_t n, const double *x, const double *y, const double *z,
                      rt_style s);

#endif
