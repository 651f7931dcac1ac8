/* test_plot.c -- figures as SVG (rt_plot) and the HTML report (rt_report).
 *
 * Draws every kind of figure rnnc makes, from synthetic data: a loss curve
 * over seeds on a log axis, a spike raster, target and output traces in
 * stacked panels, weight matrices as heat maps, eigenvalue spectra in the
 * complex plane, PCA trajectories in 3-D with fixed points, and task
 * trials. Each file must be well-formed XML (a small checker below), carry
 * its labels, escape markup in them, hold no NaN or infinity among its
 * numbers, and keep long lines small without losing their extremes. The
 * report built from them must be one well-formed page with unique ids and
 * nothing fetched from elsewhere. Writes that cannot succeed return -1.
 * Then rt_figures draws a results folder's pictures and report from its
 * files: its failures come back as messages, the PCA legend names the
 * task's conditions from conditions_values.npy, and a network with two
 * readouts has both drawn, each channel by its readout's name.
 *
 * Usage: test_plot [DIR]. With DIR, the figures and report.html are left
 * there (report_render_test.sh renders them); without, they go to a
 * temporary folder that is removed unless RNNC_KEEP_PLOTS is set.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rt_figures.h"
#include "rt_files.h"
#include "rt_npy.h"
#include "rt_outdir.h"
#include "rt_plot.h"
#include "rt_report.h"
#include "rt_rng.h"
#include "rt_summary.h"

enum { SEEDS = 5, UPDATES = 3000, NEURONS = 100, STEPS = 1000, CONDITIONS = 8 };

static const char *out_dir;

static char *path_of(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", out_dir, name);
    return buf;
}

static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, fp) == (size_t)n) {
        s[n] = '\0';
    } else {
        free(s);
        s = NULL;
    }
    fclose(fp);
    return s;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static double normal(uint64_t stream, uint64_t i)
{
    return rt_rng_normal(7, stream, i);
}

//////// A small XML checker ////////

static int is_void_element(const char *name, size_t n)
{
    static const char *const names[] = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && strncmp(names[i], name, n) == 0)
            return 1;
    return 0;
}

/* The '>' that ends the tag starting at S, skipping quoted values. */
static const char *tag_end(const char *s)
{
    char quote = 0;
    for (; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
        } else if (*s == '"' || *s == '\'') {
            quote = *s;
        } else if (*s == '>') {
            return s;
        }
    }
    return NULL;
}

static int malformed(const char *why, const char *where)
{
    fprintf(stderr, "not well-formed: %s at \"%.60s\"\n", why, where);
    return 0;
}

/* Every & starts a character reference: &name; or &#digits;. */
static int references_ok(const char *s)
{
    for (const char *p = s; (p = strchr(p, '&')); p++) {
        const char *q = p + 1;
        if (*q == '#')
            q++;
        size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (n == 0 || q[n] != ';')
            return malformed("a bare &", p);
    }
    return 1;
}

/* Tags balanced and properly nested, attributes quoted (tag_end finds the
 * end), references complete. HTML: void elements need no end tag, and
 * <style> holds raw text. */
static int well_formed(const char *s, int html)
{
    const char *stack[64];
    size_t len[64];
    int depth = 0;
    if (!references_ok(s))
        return 0;
    for (const char *p = s; (p = strchr(p, '<'));) {
        const char *end = NULL;
        if (strncmp(p, "<!--", 4) == 0)
            end = strstr(p, "-->");
        else if (p[1] == '?' || p[1] == '!')
            end = strchr(p, '>');
        if (end || p[1] == '?' || p[1] == '!') {
            if (!end)
                return malformed("unterminated declaration", p);
            p = end + 1;
            continue;
        }
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " \t\n/>");
        end = tag_end(name);
        if (n == 0 || !isalpha((unsigned char)name[0]) || !end)
            return malformed("a broken tag", p);
        if (closing) {
            if (depth == 0 || len[depth - 1] != n || strncmp(stack[depth - 1], name, n) != 0)
                return malformed("an end tag that closes nothing open", p);
            depth--;
        } else if (end[-1] != '/' && !(html && is_void_element(name, n))) {
            if (depth == 64)
                return malformed("nesting too deep", p);
            stack[depth] = name;
            len[depth++] = n;
            if (html && n == 5 && strncmp(name, "style", 5) == 0)
                end = strstr(end, "</style>") - 1;
        }
        p = end + 1;
    }
    if (depth)
        return malformed("an element never closed", stack[depth - 1]);
    return 1;
}

/* No "nan" or "inf" inside any tag (so in no coordinate or size), except
 * in data: URIs, whose base64 may spell anything. Text is free to. */
static int numbers_finite(const char *s)
{
    for (const char *p = s; (p = strchr(p, '<'));) {
        const char *end = tag_end(p);
        if (!end)
            return 0;
        for (const char *q = p; q < end; q++) {
            if (strncmp(q, "\"data:", 6) == 0) {
                q = strchr(q + 1, '"');
                continue;
            }
            if (strncasecmp(q, "nan", 3) == 0 || strncasecmp(q, "inf", 3) == 0) {
                fprintf(stderr, "non-finite number in \"%.80s\"\n", p);
                return 0;
            }
        }
        p = end + 1;
    }
    return 1;
}

/* Checks every SVG file must pass; returns the text (to free) for more. */
static char *check_svg_file(const char *name)
{
    char *svg = read_all(path_of(name));
    CHECK(svg != NULL);
    if (!svg)
        return NULL;
    CHECK(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    CHECK(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\"") != NULL);
    CHECK(strstr(svg, " viewBox=\"0 0 ") != NULL && strstr(svg, " width=\"") != NULL);
    CHECK(strstr(svg, " id=") == NULL);   /* none, so any number inline on one page */
    CHECK(well_formed(svg, 0));
    CHECK(numbers_finite(svg));
    return svg;
}

static void write_and_free(rt_fig *f, const char *name)
{
    CHECK(f != NULL);
    CHECK(rt_fig_write(f, path_of(name)) == 0);
    rt_fig_free(f);
}

//////// The figures ////////

/* Loss over 3000 updates for 5 seeds on a log axis: the seeds thin and
 * grey, mean +- sd as a band, the mean on top. One seed has a NaN (a break)
 * and a 0 (not drawable on a log axis), both to be skipped. The loss runs
 * from about 0.5 down to about 0.02, so the axis spans 10^-2 .. 10^0. */
static void loss_figure(void)
{
    static double loss[SEEDS][UPDATES], mean[UPDATES], lo[UPDATES], hi[UPDATES], update[UPDATES];
    for (int s = 0; s < SEEDS; s++)
        for (int u = 0; u < UPDATES; u++)
            loss[s][u] = (0.5 * exp(-u / 600.0) + 0.02) * exp(0.15 * normal((uint64_t)s, (uint64_t)u));
    loss[2][1500] = NAN;
    loss[3][10] = 0;
    for (int u = 0; u < UPDATES; u++) {
        double sum = 0, sq = 0;
        int n = 0;
        for (int s = 0; s < SEEDS; s++) {
            if (isfinite(loss[s][u]) && loss[s][u] > 0) {
                sum += loss[s][u];
                sq += loss[s][u] * loss[s][u];
                n++;
            }
        }
        update[u] = u + 1;
        mean[u] = sum / n;
        double sd = sqrt(fmax(sq / n - mean[u] * mean[u], 0));
        lo[u] = mean[u] - sd;
        hi[u] = mean[u] + sd;
    }
    rt_fig *f = rt_fig_new(1, 1, 720, 380, NULL);
    rt_axes *a = rt_fig_axes(f, 0, 0);
    rt_axes_labels(a, "Training loss, 5 seeds", "Adam update", "loss (MSE)");
    rt_axes_log_y(a);
    for (int s = 0; s < SEEDS; s++)
        rt_axes_line(a, UPDATES, update, loss[s], 1,
                     (rt_style){.colour = RT_GREY, .width = 0.6, .alpha = 0.5});
    rt_axes_band(a, UPDATES, update, lo, hi, (rt_style){.colour = 0, .label = "mean \xc2\xb1 1 sd"});
    rt_axes_line(a, UPDATES, update, mean, 1, (rt_style){.colour = 0, .width = 2, .label = "mean of 5 seeds"});
    write_and_free(f, "loss.svg");
    char *svg = check_svg_file("loss.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">Adam update</text>") && strstr(svg, ">loss (MSE)</text>"));
    CHECK(strstr(svg, ">10\xe2\x81\xbb\xc2\xb2</text>"));   /* "10⁻²" */
    CHECK(strstr(svg, ">10\xe2\x81\xbb\xc2\xb9</text>"));   /* "10⁻¹" */
    CHECK(strstr(svg, ">10\xe2\x81\xb0</text>"));           /* "10⁰" */
    CHECK(strstr(svg, ">mean of 5 seeds</text>") && strstr(svg, ">mean \xc2\xb1 1 sd</text>"));
    free(svg);
}

/* 100 neurons x 1000 steps of 1 ms, each spiking with probability 0.03 per
 * step: about 3000 spikes, drawn as ticks (about 16 bytes each). */
static void raster_figure(void)
{
    static double t[NEURONS * STEPS], id[NEURONS * STEPS];
    size_t n = 0;
    for (int i = 0; i < NEURONS; i++) {
        for (int k = 0; k < STEPS; k++) {
            if (rt_rng_uniform(11, (uint64_t)i, (uint64_t)k) < 0.03) {
                t[n] = k;
                id[n++] = i;
            }
        }
    }
    CHECK(n > 2700 && n < 3300);
    rt_fig *f = rt_fig_new(1, 1, 900, 420, "Spikes");
    rt_axes *a = rt_fig_axes(f, 0, 0);
    rt_axes_labels(a, NULL, "time (ms)", "neuron");
    rt_axes_scatter(a, n, t, id, (rt_style){.colour = RT_BLACK, .marker = RT_MARK_TICK});
    write_and_free(f, "raster.svg");
    char *svg = check_svg_file("raster.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">time (ms)</text>") && strstr(svg, ">neuron</text>"));
    CHECK(count(svg, "v") >= n);   /* a "v" per tick */
    CHECK(strlen(svg) < 80000);
    free(svg);
}

/* Three output channels in stacked panels sharing x: target dashed, output
 * solid. Only the lowest panel labels its x ticks, so "1000" appears once.
 * A '<' in a label must arrive as "&lt;". */
static void traces_figure(void)
{
    enum { T = 500, C = 3 };
    static double time_ms[T], target[T][C], output[T][C];
    for (int k = 0; k < T; k++) {
        time_ms[k] = 2.0 * k;
        for (int c = 0; c < C; c++) {
            target[k][c] = (k / (100 + 40 * c)) % 2 ? 1 : -1;
            output[k][c] = 0.8 * target[k][c] + 0.1 * normal(100 + (uint64_t)c, (uint64_t)k);
        }
    }
    rt_fig *f = rt_fig_new(C, 1, 720, 520, "Outputs");
    for (int c = 0; c < C; c++) {
        rt_axes *a = rt_fig_axes(f, c, 0);
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "channel %d (|y| < 1.5)", c + 1);
        rt_axes_labels(a, NULL, c == C - 1 ? "time (ms)" : NULL, ylabel);
        if (c)
            rt_axes_share_x(a, rt_fig_axes(f, 0, 0));
        rt_axes_line(a, T, time_ms, &target[0][c], C,
                     (rt_style){.colour = RT_BLACK, .dashed = RT_DASHED, .label = c ? NULL : "target"});
        rt_axes_line(a, T, time_ms, &output[0][c], C, (rt_style){.colour = c, .label = c ? NULL : "output"});
    }
    write_and_free(f, "traces.svg");
    char *svg = check_svg_file("traces.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">channel 1 (|y| &lt; 1.5)</text>") != NULL);
    CHECK(strstr(svg, "(|y| < 1.5)") == NULL);
    CHECK(count(svg, ">1000</text>") == 1);
    CHECK(strstr(svg, ">target</text>") && strstr(svg, ">output</text>"));
    CHECK(strstr(svg, "stroke-dasharray=") != NULL);
    free(svg);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t base64_decode(const char *s, unsigned char *out, size_t cap)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s && *s != '"' && *s != '=' && n < cap; s++) {
        const char *d = strchr(digits, *s);
        if (!d)
            return 0;
        acc = acc << 6 | (uint32_t)(d - digits);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return n;
}

/* CRC-32 as PNG defines it, written independently of the library's. */
static uint32_t crc32_table_driven(const unsigned char *p, size_t n)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return ~c;
}

/* The heat map's PNG: signature, a 100 x 100 8-bit palette IHDR with the
 * right CRC, and a palette whose middle entry (weight 0 on a diverging
 * scale) is RdBu's near-white #f7f7f7. */
static void check_heat_map_png(const char *svg)
{
    const char *b64 = strstr(svg, "data:image/png;base64,");
    CHECK(b64 != NULL);
    if (!b64)
        return;
    static unsigned char png[100000];
    size_t n = base64_decode(b64 + 22, png, sizeof png);
    CHECK(n > 8 + 25 + 780 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    CHECK(be32(png + 8) == 13 && memcmp(png + 12, "IHDR", 4) == 0);
    CHECK(be32(png + 16) == 100 && be32(png + 20) == 100 && png[24] == 8 && png[25] == 3);
    CHECK(be32(png + 29) == crc32_table_driven(png + 12, 17));
    const unsigned char *plte = png + 33;
    CHECK(be32(plte) == 768 && memcmp(plte + 4, "PLTE", 4) == 0);
    CHECK(plte[8 + 3 * 127] == 0xf7 && plte[8 + 3 * 127 + 1] == 0xf7 && plte[8 + 3 * 127 + 2] == 0xf7);
}

/* 100 x 100 weights before (random, sd 0.1) and after training (a ring of
 * excitation, inhibition elsewhere), on one diverging scale. */
static void weights_figure(void)
{
    static double before[100 * 100], after[100 * 100];
    for (int i = 0; i < 100; i++) {
        for (int j = 0; j < 100; j++) {
            int d = abs(i - j) < 50 ? abs(i - j) : 100 - abs(i - j);
            before[i * 100 + j] = 0.1 * normal(200, (uint64_t)(i * 100 + j));
            after[i * 100 + j] = 0.6 * exp(-d * d / 50.0) - 0.1 + before[i * 100 + j] / 2;
        }
    }
    after[5 * 100 + 7] = NAN;   /* shown grey, not a crash */
    rt_fig *f = rt_fig_new(1, 2, 960, 460, "Recurrent weights");
    for (int k = 0; k < 2; k++) {
        rt_axes *a = rt_fig_axes(f, 0, k);
        rt_axes_labels(a, k ? "after training" : "before training", "presynaptic neuron",
                       "postsynaptic neuron");
        rt_axes_image(a, 100, 100, k ? after : before, 1, "weight");
        rt_axes_clim(a, -0.6, 0.6);
    }
    write_and_free(f, "weights.svg");
    char *svg = check_svg_file("weights.svg");
    if (!svg)
        return;
    CHECK(count(svg, "data:image/png;base64,") == 4);   /* 2 maps, 2 colour bars */
    CHECK(strstr(svg, ">presynaptic neuron</text>") && strstr(svg, ">weight</text>"));
    CHECK(strstr(svg, "image-rendering:pixelated") != NULL);
    check_heat_map_png(svg);
    CHECK(strlen(svg) < 100000);
    free(svg);
}

/* Eigenvalues of three random networks (circular law: uniform in a disc of
 * radius 0.9, plus two outliers), one panel per seed, equal axes and the
 * unit circle. */
static void eigen_figure(void)
{
    enum { N = 100 };
    rt_fig *f = rt_fig_new(1, 3, 900, 330, "Eigenvalues after training");
    for (int s = 0; s < 3; s++) {
        double re[N + 2], im[N + 2];
        for (int i = 0; i < N; i++) {
            double r = 0.9 * sqrt(rt_rng_uniform(300, (uint64_t)s, (uint64_t)i));
            double th = 2 * M_PI * rt_rng_uniform(301, (uint64_t)s, (uint64_t)i);
            re[i] = r * cos(th);
            im[i] = r * sin(th);
        }
        re[N] = 1.05 + 0.05 * s, im[N] = 0;
        re[N + 1] = -0.2, im[N + 1] = NAN;
        rt_axes *a = rt_fig_axes(f, 0, s);
        char title[32];
        snprintf(title, sizeof title, "seed %d", s + 1);
        rt_axes_labels(a, title, "Re \xce\xbb", "Im \xce\xbb");
        rt_axes_equal(a);
        rt_axes_circle(a, 0, 0, 1, (rt_style){.colour = RT_GREY, .width = 1, .dashed = RT_DASHED});
        rt_axes_scatter(a, N + 2, re, im, (rt_style){.colour = 0, .size = 4, .alpha = 0.8});
    }
    write_and_free(f, "eigenvalues.svg");
    char *svg = check_svg_file("eigenvalues.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">Re \xce\xbb</text>") && strstr(svg, ">seed 3</text>"));
    free(svg);
}

/* Trajectories of 8 conditions in the space of the first three principal
 * components, each settling on its own point of a ring; the ring's points
 * are stable fixed points (filled), two saddles between them unstable
 * (open). */
static void pca_figure(void)
{
    enum { T = 200 };
    static double pcs[CONDITIONS][T][3];
    double fx[CONDITIONS], fy[CONDITIONS], fz[CONDITIONS];
    for (int c = 0; c < CONDITIONS; c++) {
        double angle = 2 * M_PI * c / CONDITIONS;
        fx[c] = 3 * cos(angle), fy[c] = 3 * sin(angle), fz[c] = 0.5 * sin(2 * angle);
        for (int k = 0; k < T; k++) {
            double decay = exp(-k / 40.0), swirl = k / 15.0;
            pcs[c][k][0] = fx[c] * (1 - decay) + decay * cos(swirl + angle);
            pcs[c][k][1] = fy[c] * (1 - decay) + decay * sin(swirl + angle);
            pcs[c][k][2] = fz[c] * (1 - decay) + 2 * decay;
        }
    }
    rt_fig *f = rt_fig_new(1, 1, 640, 520, NULL);
    rt_axes *a = rt_fig_axes(f, 0, 0);
    rt_axes_3d(a, -60, 25, "PC3");
    rt_axes_labels(a, "Population activity, 8 conditions", "PC1", "PC2");
    for (int c = 0; c < CONDITIONS; c++) {
        char label[32];
        snprintf(label, sizeof label, "condition %d", c + 1);
        rt_axes_line3(a, T, &pcs[c][0][0], &pcs[c][0][1], &pcs[c][0][2], 3,
                      (rt_style){.colour = c, .width = 1.3, .label = label});
    }
    double sx[2] = {3 * cos(M_PI / 8), 3 * cos(5 * M_PI / 8)}, sy[2] = {3 * sin(M_PI / 8), 3 * sin(5 * M_PI / 8)};
    double sz[2] = {0, 0};
    rt_axes_scatter3(a, CONDITIONS, fx, fy, fz,
                     (rt_style){.colour = RT_BLACK, .marker = RT_MARK_DOT, .size = 8, .label = "stable"});
    rt_axes_scatter3(a, 2, sx, sy, sz,
                     (rt_style){.colour = RT_BLACK, .marker = RT_MARK_CIRCLE, .size = 9, .label = "unstable"});
    write_and_free(f, "pca.svg");
    char *svg = check_svg_file("pca.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">PC1</text>") && strstr(svg, ">PC2</text>") && strstr(svg, ">PC3</text>"));
    CHECK(strstr(svg, ">condition 8</text>") && strstr(svg, ">unstable</text>"));
    CHECK(strstr(svg, "fill=\"#fff\" stroke=\"#222222\"") != NULL);   /* open circles */
    free(svg);
}

/* Three sample trials of a delayed-response task: inputs above (fixation,
 * stimulus), the target below, x shared down each column. */
static void task_figure(void)
{
    enum { T = 300 };
    double t[T], fix[T], stim[T], target[T];
    rt_fig *f = rt_fig_new(2, 3, 960, 420, "Task: sample trials");
    for (int trial = 0; trial < 3; trial++) {
        double sign = trial == 1 ? -1 : 1, onset = 50 + 20 * trial;
        for (int k = 0; k < T; k++) {
            t[k] = k * 2.0;
            fix[k] = k < 200 ? 1 : 0;
            stim[k] = k >= onset && k < onset + 50 ? sign * 0.8 : 0;
            target[k] = k >= 200 ? sign : 0;
        }
        rt_axes *in = rt_fig_axes(f, 0, trial), *out = rt_fig_axes(f, 1, trial);
        char title[32];
        snprintf(title, sizeof title, "trial %d", trial + 1);
        rt_axes_labels(in, title, NULL, trial ? NULL : "input");
        rt_axes_labels(out, NULL, "time (ms)", trial ? NULL : "target");
        rt_axes_share_x(out, in);
        rt_axes_line(in, T, t, fix, 1, (rt_style){.colour = RT_GREY, .label = trial ? NULL : "fixation"});
        rt_axes_line(in, T, t, stim, 1, (rt_style){.colour = 1, .label = trial ? NULL : "stimulus"});
        rt_axes_vline(in, onset * 2.0, (rt_style){.colour = RT_GREY, .width = 0.8, .dashed = RT_DOTTED});
        rt_axes_line(out, T, t, target, 1, (rt_style){.colour = 2});
        rt_axes_ylim(out, -1.2, 1.2);
    }
    write_and_free(f, "task.svg");
    char *svg = check_svg_file("task.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, ">trial 3</text>") && strstr(svg, ">fixation</text>"));
    CHECK(count(svg, ">time (ms)</text>") == 3);
    free(svg);
}

//////// Edge cases ////////

/* An empty panel, a line whose points are all the same, one that is all
 * NaN, and a log axis with nothing positive: all draw, with finite numbers. */
static rt_fig *edge_case_figure(void)
{
    double same[4] = {3, 3, 3, 3}, nan[3] = {NAN, NAN, INFINITY}, negative[2] = {-1, 0};
    rt_fig *f = rt_fig_new(2, 2, 600, 400, "Edge cases: <empty> & \"odd\"");
    rt_axes_labels(rt_fig_axes(f, 0, 0), "empty", "x", "y");
    rt_axes_line(rt_fig_axes(f, 0, 1), 4, same, same, 1, (rt_style){.label = "constant"});
    rt_axes_line(rt_fig_axes(f, 1, 0), 3, nan, nan, 1, (rt_style){.marker = RT_MARK_CROSS});
    rt_axes *a = rt_fig_axes(f, 1, 1);
    rt_axes_log_y(a);
    rt_axes_line(a, 2, NULL, negative, 1, (rt_style){0});
    rt_axes_scatter(a, 0, NULL, NULL, (rt_style){0});
    rt_axes_image(rt_fig_axes(f, 1, 1), 0, 0, NULL, 1, NULL);   /* an empty image is none */
    return f;
}

static void test_edge_cases(void)
{
    rt_fig *f = edge_case_figure();
    CHECK(rt_fig_write(f, path_of("edge.svg")) == 0);
    rt_fig_free(f);
    char *svg = check_svg_file("edge.svg");
    if (!svg)
        return;
    CHECK(strstr(svg, "&lt;empty&gt; &amp; &quot;odd&quot;") != NULL);
    CHECK(strstr(svg, ">constant</text>") != NULL);
    free(svg);
    CHECK(rt_fig_new(0, 1, 100, 100, NULL) == NULL);
    CHECK(rt_fig_new(1, 1, NAN, 100, NULL) == NULL);
    f = rt_fig_new(1, 2, 300, 200, NULL);
    CHECK(rt_fig_axes(f, 0, 2) == NULL && rt_fig_axes(f, 1, 0) == NULL && rt_fig_axes(f, 0, 1) != NULL);
    rt_fig_free(f);
}

/* 100000 samples of a sine with one spike to 10 in a 400 px panel: the
 * line is thinned to a few points per pixel column (so the file is small)
 * yet reaches the top of the axis, where the tick labelled "10" is. */
static void test_thinning_keeps_extremes(void)
{
    enum { N = 100000 };
    static double y[N];
    for (int i = 0; i < N; i++)
        y[i] = sin(i / 3000.0);
    y[N / 3] = 10;
    rt_fig *f = rt_fig_new(1, 1, 400, 300, NULL);
    rt_axes_line(rt_fig_axes(f, 0, 0), N, NULL, y, 1, (rt_style){.width = 1});
    size_t n;
    char *svg = rt_fig_svg(f, &n);
    rt_fig_free(f);
    CHECK(svg != NULL && n < 30000);
    if (!svg)
        return;
    const char *d = strstr(svg, "<path d=\"M");
    const char *tick = strstr(svg, ">10</text>");
    CHECK(d && tick);
    if (!d || !tick)
        goto done;
    double top = INFINITY;
    char *p = (char *)d + 10;
    for (int k = 0; *p != '"'; k++) {
        double v = strtod(p, &p);
        if (k % 2)
            top = fmin(top, v);
    }
    const char *ty = tick;
    while (strncmp(ty, " y=\"", 4) != 0)
        ty--;
    CHECK_NEAR(top, strtod(ty + 4, NULL) - 4, 0.11);   /* labels sit 4 px below their tick */
done:
    free(svg);
}

static void test_unwritable(void)
{
    rt_fig *f = rt_fig_new(1, 1, 200, 200, NULL);
    errno = 0;
    CHECK(rt_fig_write(f, "/nonexistent-rnnc-dir/x.svg") == -1 && errno == ENOENT);
    struct stat st;
    if (stat("/dev/full", &st) == 0) {   /* a full disk: the error shows when the data is flushed */
        errno = 0;
        CHECK(rt_fig_write(f, "/dev/full") == -1 && errno == ENOSPC);
        CHECK(stat("/dev/full", &st) == 0);   /* a device is never removed */
    }
    rt_fig_free(f);
    rt_report *r = rt_report_new("x");
    CHECK(rt_report_svg_file(r, "/nonexistent-rnnc-dir/x.svg", NULL) == -1);
    CHECK(rt_report_write(r, "/nonexistent-rnnc-dir/x.html") == -1 && errno == ENOENT);
    rt_report_free(r);
}

//////// A results folder's pictures and report (rt_figures) ////////

/* NAME inside out_dir, made as an empty folder; its path. */
static const char *folder(const char *name)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", out_dir, name);
    rt_remove_tree(buf);
    mkdir(buf, 0777);
    return buf;
}

static void put_npy(const char *dir, const char *name, const double *data, const size_t *shape, int ndim)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECK(rt_npy_write(path, data, RT_F64, shape, ndim) == 0);
}

static void put_text(const char *dir, const char *name, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static char *read_in(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return read_all(path);
}

/* [trials, T, channels] of value trial + step / T + channel: any numbers do */
static void put_signal(const char *dir, const char *name, size_t trials, size_t T, size_t channels)
{
    double *a = malloc(trials * T * channels * sizeof *a);
    for (size_t i = 0; a && i < trials * T * channels; i++)
        a[i] = (double)(i / (T * channels)) + (double)(i / channels % T) / (double)T + (double)(i % channels);
    size_t shape[3] = {trials, T, channels};
    if (a)
        put_npy(dir, name, a, shape, 3);
    free(a);
}

/* Every failure is a message naming the file and the reason (strerror's
 * text on glibc), and nothing is printed: the caller decides. */
static void test_figures_errors(void)
{
    char err[4400], want[4400];
    rt_figures none = {.dir = "/nonexistent-rnnc-dir", .dt = 1e-3};
    CHECK(rt_figures_draw(&none, err, sizeof err) == -1);
    CHECK_STR(err, "cannot read the folder /nonexistent-rnnc-dir: No such file or directory");

    /* outputs.svg cannot be written where a folder of that name stands
     * (root may write anywhere, so a read-only folder would not fail) */
    const char *dir = folder("figures-unwritable");
    put_signal(dir, RT_FILE_EVAL_OUTPUTS, 1, 5, 1);
    put_signal(dir, RT_FILE_EVAL_TARGETS, 1, 5, 1);
    char blocked[4200];
    snprintf(blocked, sizeof blocked, "%s/%s", dir, RT_FILE_OUTPUTS_SVG);
    mkdir(blocked, 0777);
    rt_figures f = {.dir = dir, .dt = 1e-3};
    CHECK(rt_figures_draw(&f, err, sizeof err) == -1);
    snprintf(want, sizeof want, "cannot write %s/outputs.svg: Is a directory", dir);
    CHECK_STR(err, want);
    CHECK(f.count == 0);   /* a picture not written is not listed for the report */

    /* report.html, likewise; the page's pictures are kept as they were */
    snprintf(blocked, sizeof blocked, "%s/%s", dir, RT_FILE_REPORT);
    mkdir(blocked, 0777);
    CHECK(rt_figures_report(&f, "x", NULL, NULL, NULL, err, sizeof err) == -1);
    snprintf(want, sizeof want, "cannot write %s/report.html: Is a directory", dir);
    CHECK_STR(err, want);

    /* a file that is there but not an array is an error, not a missing picture */
    dir = folder("figures-corrupt");
    put_text(dir, RT_FILE_EVAL_OUTPUTS, "not an array\n");
    f = (rt_figures){.dir = dir, .dt = 1e-3};
    CHECK(rt_figures_draw(&f, err, sizeof err) == -1);
    snprintf(want, sizeof want, "cannot read %s/eval_outputs.npy: not a .npy file", dir);
    CHECK_STR(err, want);

    dir = folder("figures-loss-columns");
    put_text(dir, RT_FILE_LOSS, "epoch,seconds\n1,0.5\n");
    f = (rt_figures){.dir = dir, .dt = 1e-3};
    CHECK(rt_figures_draw(&f, err, sizeof err) == -1);
    snprintf(want, sizeof want, "%s/loss.csv has no update and loss columns", dir);
    CHECK_STR(err, want);

    /* an empty folder has nothing to draw, and that is no error */
    dir = folder("figures-empty");
    f = (rt_figures){.dir = dir, .dt = 1e-3};
    CHECK(rt_figures_draw(&f, err, sizeof err) == 0 && f.count == 0);

    /* a listed picture that is gone: the page is still written, the loss told */
    f.count = 1;
    snprintf(f.names[0], sizeof f.names[0], "gone.svg");
    CHECK(rt_figures_report(&f, "x", NULL, NULL, NULL, err, sizeof err) == -1);
    snprintf(want, sizeof want, "%s/gone.svg is not in the report: No such file or directory", dir);
    CHECK_STR(err, want);
    char *html = read_in(dir, RT_FILE_REPORT);
    CHECK(html && well_formed(html, 1));
    free(html);
}

/* pca_h.svg of DIR, drawn again with condition VALUES ([2, K], NULL: no
 * file); its text (to free). */
static char *pca_legend(const char *dir, const double *values, size_t k)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, RT_FILE_CONDITION_VALUES);
    remove(path);
    size_t shape[2] = {2, k};
    if (values)
        put_npy(dir, RT_FILE_CONDITION_VALUES, values, shape, 2);
    rt_figures f = {.dir = dir, .dt = 1e-3};
    char err[4400] = "";
    CHECK(rt_figures_draw(&f, err, sizeof err) == 0);
    if (err[0])
        fprintf(stderr, "%s\n", err);
    return read_in(dir, "pca_h.svg");
}

/* The legend names each condition by the task's own condition values, as
 * rt_analyze.c writes them: label l is row l of conditions_values.npy. */
static void test_condition_legend(void)
{
    const char *dir = folder("figures-conditions");
    enum { TRIALS = 2, T = 6 };
    double proj[TRIALS * T * 3], cond[TRIALS * T];
    for (size_t i = 0; i < TRIALS * T * 3; i++)
        proj[i] = sin(0.7 * (double)i);
    for (size_t i = 0; i < TRIALS * T; i++)
        cond[i] = i % T < 2 ? -1 : i % T < 4 ? 0 : 1;   /* none yet, then labels 0 and 1 */
    size_t s_proj[3] = {TRIALS, T, 3}, s_cond[2] = {TRIALS, T};
    put_npy(dir, "pca_h_projections.npy", proj, s_proj, 3);
    put_npy(dir, RT_FILE_CONDITIONS, cond, s_cond, 2);

    /* the flip-flop's condition sign(y): all +-1, shown as signs */
    static const double signs[6] = {1, -1, 1, -1, -1, 1};
    char *svg = pca_legend(dir, signs, 3);
    CHECK(svg && strstr(svg, ">condition + \xe2\x88\x92 +</text>") &&
          strstr(svg, ">condition \xe2\x88\x92 \xe2\x88\x92 +</text>"));
    free(svg);
    /* condition 1 + side: its values, and 1 is "= 1", not "+", beside a 2;
     * "=" so that a value does not read as the condition's number */
    static const double sides[2] = {1, 2};
    svg = pca_legend(dir, sides, 1);
    CHECK(svg && strstr(svg, ">condition = 1</text>") && strstr(svg, ">condition = 2</text>"));
    CHECK(svg && !strstr(svg, ">condition +</text>"));
    free(svg);
    static const double other[4] = {0.5, 2, 3, -1};
    svg = pca_legend(dir, other, 2);
    CHECK(svg && strstr(svg, ">condition = (0.5, 2)</text>") && strstr(svg, ">condition = (3, -1)</text>"));
    free(svg);
    static const double odd[2] = {3, 5};
    svg = pca_legend(dir, odd, 1);
    CHECK(svg && strstr(svg, ">condition = 3</text>") && strstr(svg, ">condition = 5</text>"));
    free(svg);
    /* without the file: the label's number from 1, marked as a number */
    svg = pca_legend(dir, NULL, 0);
    CHECK(svg && strstr(svg, ">condition #1</text>") && strstr(svg, ">condition #2</text>"));
    free(svg);
}

/* A folder of a network with readouts y[NY] and z[1] (summary.json lists
 * them, with a population h that is not one), T steps. */
static const char *two_readouts(const char *name, size_t ny, int with_summary)
{
    const char *dir = folder(name);
    char summary[512];
    snprintf(summary, sizeof summary,
             "{\"populations\": [{\"name\": \"h\", \"size\": 4, \"readout\": false},\n"
             "  {\"name\": \"y\", \"size\": %zu, \"readout\": true},\n"
             "  {\"name\": \"z\", \"size\": 1, \"readout\": true}]}\n", ny);
    if (with_summary)
        put_text(dir, RT_FILE_SUMMARY, summary);
    put_signal(dir, RT_FILE_INITIAL_OUTPUTS, 2, 20, ny + 1);
    put_signal(dir, RT_FILE_INITIAL_TARGETS, 2, 20, ny + 1);
    put_signal(dir, RT_FILE_EVAL_OUTPUTS, 2, 20, ny + 1);
    put_signal(dir, RT_FILE_EVAL_TARGETS, 2, 20, ny + 1);
    put_signal(dir, RT_FILE_EVAL_INPUTS, 2, 20, 2);
    rt_figures f = {.dir = dir, .dt = 1e-3};
    char err[4400] = "";
    CHECK(rt_figures_draw(&f, err, sizeof err) == 0 && f.count == 2);
    if (err[0])
        fprintf(stderr, "%s\n", err);
    return dir;
}

/* The readout files hold every readout side by side (y's columns, then
 * z's): the pictures name each column by its readout, and at most 4 rows
 * of outputs.svg take the first channel of every readout before the
 * second of any, so z is drawn even beside a wide y. */
static void test_two_readouts(void)
{
    char name[64];
    two_readouts("figures-two-readouts", 2, 1);
    snprintf(name, sizeof name, "figures-two-readouts/%s", RT_FILE_OUTPUTS_SVG);
    char *svg = check_svg_file(name);
    CHECK(svg && strstr(svg, ">Before training (first batch), z[0]</text>") &&
          strstr(svg, ">After training (evaluation), y[1]</text>") && strstr(svg, ">z[0]</text>"));
    CHECK(svg && !strstr(svg, "y[2]"));   /* the third column is z's */
    free(svg);
    snprintf(name, sizeof name, "figures-two-readouts/%s", RT_FILE_TASK_SVG);
    svg = check_svg_file(name);
    CHECK(svg && strstr(svg, ">y[0]</text>") && strstr(svg, ">y[1]</text>") && strstr(svg, ">z[0]</text>"));
    CHECK(svg && !strstr(svg, "y[2]"));
    free(svg);

    /* y[5] and z[1]: rows y[0], y[1], y[2] and z[0] */
    const char *dir = two_readouts("figures-wide-readout", 5, 1);
    svg = read_in(dir, RT_FILE_OUTPUTS_SVG);
    CHECK(svg && strstr(svg, ">After training (evaluation), z[0]</text>") &&
          strstr(svg, ">After training (evaluation), y[2]</text>") && !strstr(svg, "y[3]"));
    free(svg);

    /* without summary.json the columns are y[0] .. y[2], as they always were */
    dir = two_readouts("figures-no-summary", 2, 0);
    svg = read_in(dir, RT_FILE_OUTPUTS_SVG);
    CHECK(svg && strstr(svg, ">After training (evaluation), y[2]</text>") && !strstr(svg, "z[0]"));
    free(svg);
}

/* The report's table holds the summary's top-level scalars as saved, and
 * the settings its whole text (rt_summary_text's layout), nested parts too. */
static void test_figures_report(void)
{
    const char *dir = two_readouts("figures-report", 2, 1);
    rt_figures f = {.dir = dir, .dt = 1e-3};
    char err[4400];
    CHECK(rt_figures_draw(&f, err, sizeof err) == 0);
    json_t *s = json_object();
    json_object_set_new(s, "status", json_string("trained"));
    json_object_set_new(s, "eval_loss", rt_json_number(0.125));
    json_object_set_new(s, "updates", json_integer(30));
    json_object_set_new(s, "analysis", json_pack("{s:{s:i}}", "pca h_r", "components", 3));
    rt_figures_table extra = {.caption = "Over seeds", .n = 1, .keys = (const char *const[]){"eval_loss"},
                              .values = (const char *const[]){"0.1 \xc2\xb1 0.01"}};
    CHECK(rt_figures_report(&f, "two <readouts>", s, "network Two {}\n", &extra, err, sizeof err) == 0);
    json_decref(s);
    char *html = read_in(dir, RT_FILE_REPORT);
    CHECK(html && well_formed(html, 1));
    CHECK(html && strstr(html, "<caption>From summary.json</caption>"));
    CHECK(html && strstr(html, "<tr><th scope=\"row\">eval_loss</th><td>0.125</td></tr>"));
    CHECK(html && strstr(html, "<tr><th scope=\"row\">updates</th><td>30</td></tr>"));
    CHECK(html && strstr(html, "<tr><th scope=\"row\">status</th><td>trained</td></tr>"));
    CHECK(html && !strstr(html, "<th scope=\"row\">analysis</th>"));   /* an object: in the settings */
    CHECK(html && strstr(html, "  &quot;analysis&quot;: {\n    &quot;pca h_r&quot;: {\n"
                               "      &quot;components&quot;: 3"));
    CHECK(html && strstr(html, "<td>0.1 \xc2\xb1 0.01</td>") && strstr(html, "network Two {}"));
    CHECK(html && count(html, "<figure class=\"plot\"") == 2);   /* outputs.svg and task.svg */
    free(html);
}

//////// The report ////////

/* An SVG as other tools write it: a prolog, a DOCTYPE, ids and references. */
static void write_foreign_svg(void)
{
    FILE *fp = fopen(path_of("foreign.svg"), "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fputs("<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
          "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
          "width=\"200\" height=\"60\" viewBox=\"0 0 200 60\">\n"
          "<defs><clipPath id=\"c\"><rect width=\"100\" height=\"60\"/></clipPath>"
          "<path id=\"p\" d=\"M0 30h200\"/></defs>\n"
          "<g clip-path=\"url(#c)\"><use xlink:href=\"#p\" stroke=\"#D55E00\" stroke-width=\"20\"/></g>\n"
          "</svg>\n<!-- trailing comment -->\n", fp);
    CHECK(fclose(fp) == 0);
}

/* Every id once; every url(#x) and href="#x" names one of them. */
static void check_ids(const char *html)
{
    enum { MAX_IDS = 256 };
    static char ids[MAX_IDS][64];
    int n = 0, unique = 1;
    for (const char *p = html; (p = strstr(p, " id=\"")) && n < MAX_IDS; p += 5) {
        size_t len = strcspn(p + 5, "\"");
        snprintf(ids[n], sizeof ids[n], "%.*s", (int)len, p + 5);
        for (int k = 0; k < n; k++)
            unique &= strcmp(ids[k], ids[n]) != 0;
        n++;
    }
    CHECK(unique);
    const char *refs[] = {"url(#", "href=\"#"};
    for (int r = 0; r < 2; r++) {
        for (const char *p = html; (p = strstr(p, refs[r])); p++) {
            const char *name = p + strlen(refs[r]);
            size_t len = strcspn(name, ")\"");
            int found = 0;
            for (int k = 0; k < n; k++)
                found |= strlen(ids[k]) == len && strncmp(ids[k], name, len) == 0;
            CHECK(found);
        }
    }
}

static void check_self_contained(const char *html)
{
    CHECK(strstr(html, "<script") == NULL && strstr(html, "<link") == NULL);
    CHECK(strstr(html, " src=") == NULL && strstr(html, "@import") == NULL);
    for (const char *p = html; (p = strstr(p, "http")); p++)   /* only namespace names */
        CHECK(strncmp(p, "http://www.w3.org/", 18) == 0);
}

static void build_report(void)
{
    static const char *const keys[] = {"model", "seed", "optimiser", "learning rate", "note"};
    static const char *const values[] = {"flipflop3.rnn", "7", "Adam", "0.001", "a < b & c > d"};
    write_foreign_svg();
    rt_report *r = rt_report_new("rnnc report: flip-flop <test>");
    rt_report_heading(r, "Training");
    rt_report_paragraph(r, "Loss fell by 20x; 5 < 6 & 7 > 3.\n\nA second paragraph.");
    CHECK(rt_report_svg_file(r, path_of("loss.svg"), "Loss over updates, mean \xc2\xb1 sd over seeds.") == 0);
    rt_report_table(r, "Settings", 5, keys, values);
    rt_report_heading(r, "Activity and outputs");
    CHECK(rt_report_svg_file(r, path_of("raster.svg"), "Spike raster.") == 0);
    CHECK(rt_report_svg_file(r, path_of("traces.svg"), "Targets (dashed) and outputs.") == 0);
    rt_report_heading(r, "Weights and dynamics");
    CHECK(rt_report_svg_file(r, path_of("weights.svg"), "Weights before and after training.") == 0);
    CHECK(rt_report_svg_file(r, path_of("eigenvalues.svg"), "Eigenvalues and the unit circle.") == 0);
    CHECK(rt_report_svg_file(r, path_of("pca.svg"), "Trajectories and fixed points.") == 0);
    rt_report_heading(r, "Task");
    CHECK(rt_report_svg_file(r, path_of("task.svg"), "Sample trials.") == 0);
    rt_report_heading(r, "Odds and ends");
    CHECK(rt_report_svg_file(r, path_of("foreign.svg"), "An SVG from another tool.") == 0);
    CHECK(rt_report_svg_file(r, path_of("foreign.svg"), "The same again: its ids must not clash.") == 0);
    rt_fig *edge = edge_case_figure();
    CHECK(rt_report_figure(r, edge, "Edge cases, inlined from memory.") == 0);
    rt_fig_free(edge);
    CHECK(rt_report_svg_file(r, path_of("report-not-there.svg"), NULL) == -1);
    rt_report_code(r, "model source",
                   "neuron lif {\n  dv/dt = (-v + i) / tau_m   # tau_m = 20 ms\n"
                   "  spike when v > v_th && t < 5 ms\n}\n");
    CHECK(rt_report_write(r, path_of("report.html")) == 0);
    rt_report_free(r);

    char *html = read_all(path_of("report.html"));
    CHECK(html != NULL);
    if (!html)
        return;
    CHECK(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
    CHECK(well_formed(html, 1));
    CHECK(numbers_finite(html));
    CHECK(strstr(html, "<?xml") == NULL && strstr(html, "<!DOCTYPE svg") == NULL);
    CHECK(strstr(html, "trailing comment") == NULL);
    CHECK(count(html, "<svg xmlns=") == 10);
    CHECK(strstr(html, "<title>rnnc report: flip-flop &lt;test&gt;</title>") != NULL);
    CHECK(strstr(html, "<p>Loss fell by 20x; 5 &lt; 6 &amp; 7 &gt; 3.</p>\n<p>A second paragraph.</p>"));
    CHECK(strstr(html, "v &gt; v_th &amp;&amp; t &lt; 5 ms") != NULL);
    CHECK(strstr(html, "<td>a &lt; b &amp; c &gt; d</td>") != NULL);
    CHECK(strstr(html, "<a href=\"#sec-5\">Odds and ends</a>") != NULL);
    CHECK(strstr(html, "<b>Figure 10.</b> Edge cases") != NULL);
    CHECK(strstr(html, "id=\"f8-c\"") && strstr(html, "id=\"f9-c\"") && strstr(html, "url(#f9-c)"));
    CHECK(strstr(html, "xlink:href=\"#f8-p\"") != NULL);
    check_ids(html);
    check_self_contained(html);
    free(html);
}

int main(int argc, char **argv)
{
    char tmp[] = "/tmp/rnnc-plot-XXXXXX";
    if (argc > 1) {
        out_dir = argv[1];
        mkdir(out_dir, 0777);
    } else {
        out_dir = mkdtemp(tmp);
        if (!out_dir) {
            perror("mkdtemp");
            return 1;
        }
    }
    loss_figure();
    raster_figure();
    traces_figure();
    weights_figure();
    eigen_figure();
    pca_figure();
    task_figure();
    test_edge_cases();
    test_thinning_keeps_extremes();
    test_unwritable();
    test_figures_errors();
    test_condition_legend();
    test_two_readouts();
    test_figures_report();
    build_report();
    if (argc > 1 || getenv("RNNC_KEEP_PLOTS"))
        printf("figures and report.html are in %s\n", out_dir);
    else
        rt_remove_tree(out_dir);
    return check_report();
}
