/* rt_plot_scale.c -- an axis's limits and ticks: limits rounded out to a
 * nice step, ticks at 1, 2 or 5 x 10^k (whole decades on a log axis), and
 * the tick labels' text, with real minus signs and superscript exponents.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_plot_internal.h"

//////// Tick labels ////////

/* "2e-05" -> "2e-5", "2.5e+06" -> "2.5e6". */
static void compact_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1])
        src++;
    memmove(dst, src, strlen(src) + 1);
}

/* A real minus sign (U+2212), as typeset numbers have. */
static void with_minus_sign(const char *s, char *out, size_t size)
{
    snprintf(out, size, "%s%s", s[0] == '-' ? "\xe2\x88\x92" : "", s + (s[0] == '-'));
}

/* A tick label: the fewest decimals that tell ticks STEP apart (step 0.05:
 * two), or "2e-5" when EXP_FORM (very large or very small numbers). */
static void format_tick(double v, double step, int exp_form, char *out, size_t size)
{
    char tmp[48];
    if (v == 0) {
        snprintf(tmp, sizeof tmp, "0");
    } else if (exp_form) {
        double digits = floor(log10(fabs(v))) - floor(log10(step)) + 1;
        snprintf(tmp, sizeof tmp, "%.*g", (int)clamp(digits, 1, 15), v);
        compact_exponent(tmp);
    } else {
        int decimals = step >= 1 ? 0 : (int)clamp(ceil(-log10(step) - 1e-6), 0, 17);
        snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    }
    with_minus_sign(tmp, out, size);
}

/* "10⁻³": 10 and the exponent in Unicode superscripts. */
static void format_power_of_ten(int k, char *out, size_t size)
{
    static const char *const sup[10] = {"\xe2\x81\xb0", "\xc2\xb9", "\xc2\xb2", "\xc2\xb3",
                                        "\xe2\x81\xb4", "\xe2\x81\xb5", "\xe2\x81\xb6",
                                        "\xe2\x81\xb7", "\xe2\x81\xb8", "\xe2\x81\xb9"};
    char digits[16];
    snprintf(digits, sizeof digits, "%d", abs(k));
    snprintf(out, size, "10%s", k < 0 ? "\xe2\x81\xbb" : "");
    for (const char *d = digits; *d; d++)
        strncat(out, sup[*d - '0'], size - strlen(out) - 1);
}

/* Width of S in px at FONT_PX, from an average sans-serif glyph (0.6 em,
 * on the wide side so labels never collide): the layout needs no fonts. */
double rtp_text_width(const char *s, double font_px)
{
    size_t chars = 0;
    for (; s && *s; s++)
        chars += ((unsigned char)*s & 0xC0) != 0x80;   /* count UTF-8 lead bytes */
    return (double)chars * 0.6 * font_px;
}

//////// Limits and ticks ////////

/* How many ticks suit an axis LEN_PX long: one per ~70 px across, ~50 px up. */
int rtp_tick_target(double len_px, int horizontal)
{
    return (int)clamp(len_px / (horizontal ? 70 : 50), 3, 10);
}

/* The 1, 2 or 5 x 10^k step nearest to RANGE / TARGET (on a log scale).
 * Ranges too small or large for doubles to subdivide get a step anyway. */
static double nice_step(double range, int target)
{
    double raw = clamp(range / target, 1e-290, 1e290);
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* Data extent E rounded out to a tenth of the range, in a nice step (so
 * 0..999 gives 0..1000, and -1.15..1.15 gives -1.5..1.5). An empty extent
 * gives 0..1, and a single value a range around it (never 0 wide). */
static void nice_limits(scale *s, extent e)
{
    if (!(e.lo <= e.hi))
        e = (extent){0, 1};
    if (e.hi - e.lo <= 1e-12 * fmax(fabs(e.lo), fabs(e.hi))) {
        double pad = e.lo != 0 ? fabs(e.lo) * 0.1 : 1;
        e.lo -= pad;
        e.hi += pad;
    }
    double step = nice_step(e.hi - e.lo, 10);
    s->lo = floor(e.lo / step + 1e-6) * step;
    s->hi = ceil(e.hi / step - 1e-6) * step;
}

/* A positive extent rounded out to whole decades (at least one). */
static void log_limits(scale *s, extent e)
{
    if (!(e.lo <= e.hi && e.lo > 0))
        e = (extent){1, 10};
    double a = clamp(floor(log10(e.lo) + 1e-9), -300, 299), b = clamp(ceil(log10(e.hi) - 1e-9), -300, 300);
    if (b <= a)
        b = a + 1;
    s->lo = pow(10, a);
    s->hi = pow(10, b);
}

/* Ticks at the multiples of STEP inside the limits, labelled. */
void rtp_ticks_every(scale *s, double step)
{
    double first = ceil(s->lo / step - 1e-6) * step;
    s->step = step;
    s->n = s->n_minor = 0;
    for (int k = 0; s->n < MAX_TICKS; k++) {
        double v = first + k * step;
        if (v > s->hi + 1e-6 * step)
            break;
        s->tick[s->n++] = fabs(v) < 1e-9 * step ? 0 : v;
    }
    double big = fmax(fabs(s->lo), fabs(s->hi));
    int exp_form = big >= 1e6 || step < 1e-4;
    for (int i = 0; i < s->n; i++)
        format_tick(s->tick[i], step, exp_form, s->label[i], LABEL_SIZE);
}

/* Ticks at multiples of a nice step (at least MIN_STEP) inside the limits. */
void rtp_linear_ticks(scale *s, int target, double min_step)
{
    rtp_ticks_every(s, fmax(nice_step(s->hi - s->lo, target), min_step));
}

static void add_log_tick(scale *s, double v, const char *label)
{
    if (s->n < MAX_TICKS) {
        s->tick[s->n] = v;
        snprintf(s->label[s->n++], LABEL_SIZE, "%s", label);
    }
}

/* Decades labelled 10^k (every other one or sparser when there are more
 * than MAX_LABELS), minor ticks at 2..9 x 10^k; when the axis shows less
 * than two decades, 2 and 5 x 10^k are labelled too, as plain numbers. */
static void log_ticks(scale *s, int max_labels)
{
    int a = (int)clamp(ceil(log10(s->lo) - 1e-6), -330, 310);
    int b = (int)clamp(floor(log10(s->hi) + 1e-6), -330, 310);
    int every = 1;
    while ((b - a) / every + 1 > max_labels)
        every++;
    s->n = s->n_minor = 0;
    char label[LABEL_SIZE];
    for (int k = a; k <= b; k++) {
        if ((k - a) % every == 0) {
            format_power_of_ten(k, label, sizeof label);
            add_log_tick(s, pow(10, k), label);
        } else if (s->n_minor < MAX_MINOR) {
            s->minor[s->n_minor++] = pow(10, k);
        }
    }
    int sparse = b - a < 2;
    for (int k = a - 1; k <= b && b - a <= 12; k++) {
        for (int m = 2; m <= 9; m++) {
            double v = m * pow(10, k);
            if (v < s->lo * (1 - 1e-9) || v > s->hi * (1 + 1e-9))
                continue;
            if (sparse && (m == 2 || m == 5)) {
                char plain[LABEL_SIZE];
                snprintf(plain, sizeof plain, "%g", v);
                compact_exponent(plain);
                add_log_tick(s, v, plain);
            } else if (s->n_minor < MAX_MINOR) {
                s->minor[s->n_minor++] = v;
            }
        }
    }
}

double rtp_widest_label(const scale *s, double font_px)
{
    double w = 0;
    for (int i = 0; i < s->n; i++)
        w = fmax(w, rtp_text_width(s->label[i], font_px));
    return w;
}

static int labels_fit(const scale *s, double len_px)
{
    return s->n * (rtp_widest_label(s, 11) + 10) <= len_px;
}

/* Ticks for the scale's limits; FIT_PX > 0 asks for labels written side
 * by side along FIT_PX pixels, so fewer ticks until they fit. */
void rtp_make_ticks(scale *s, int target, double fit_px)
{
    if (s->log) {
        log_ticks(s, target + 1);
        return;
    }
    do
        rtp_linear_ticks(s, target, 0);
    while (fit_px > 0 && --target >= 2 && !labels_fit(s, fit_px));
}

/* Limits (LIM if set, else rounded from the extent), ticks left to rtp_make_ticks. */
void rtp_auto_limits(scale *s, extent e, int log, const double *lim)
{
    memset(s, 0, sizeof *s);
    s->log = log;
    if (lim && (!log || lim[0] > 0)) {
        s->lo = lim[0];
        s->hi = lim[1];
    } else if (log) {
        log_limits(s, e);
    } else {
        nice_limits(s, e);
    }
}

/* Widens the scale around its centre to RANGE (equal aspect). */
void rtp_widen(scale *s, double range)
{
    double c = (s->lo + s->hi) / 2;
    s->lo = c - range / 2;
    s->hi = c + range / 2;
}
