/* test_figures_task.c -- the picture of a task's trials (rt_figures_task),
 * from hand-made arrays: two trials of a three-phase task of 100 steps,
 * the second 70 steps long and padded; a fixation input, two evidence
 * inputs, a target of two elements, a mask that is 0 before the decision
 * phase, and a 12-element input drawn as a strip.
 *
 * The SVG must name every phase (at the top of its band), the input and
 * target elements in the legend, say "not in the loss" because the mask
 * has zeros, say "padding" because a trial is shorter than the batch, and
 * hold the heat map of the wide channel as an image; a task without phases
 * and mask shows none of those words (so they cannot come from elsewhere).
 * A trial of 0/1 values only is drawn as a raster (tick marks), not an
 * image. With more trials than 32 panels hold, fewer are drawn and said.
 *
 * Signals are drawn as steps (rt_figures_step_line): a value holds for
 * its whole step, so a target that switches on at a phase's start rises
 * there, straight up, not along a slant from the step before. And the
 * backdrop other pictures share (rt_figures_trial_backdrop, outputs.svg's)
 * draws the phases, the mask strip and the padding alone, with the trial's
 * length.
 *
 * Usage: test_figures_task [DIR]: with DIR the SVGs are left there, to be
 * looked at (tests/figures_task_render.sh renders them).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rt_figures.h"
#include "rt_outdir.h"
#include "rt_plot.h"

enum { T = 100, WIDE = 12 };

static const char *const phase_names[] = {"fixation", "stimulus", "decision"};

static double fix[2][T], ev[2][T][2], y[2][T][2], wide[2][T][WIDE], mask[2][T], phase[2][T];

/* Trial I of LEN steps: fixation 0..29, stimulus 30..LEN-21, decision the last 20. */
static void make_trial(int i, size_t len)
{
    for (size_t t = 0; t < T; t++) {
        int k = t >= len ? 0 : t < 30 ? 1 : t + 20 < len ? 2 : 3;
        phase[i][t] = k;
        fix[i][t] = k == 1 || k == 2;
        ev[i][t][0] = k == 2 ? 0.6 + 0.1 * (double)(t % 3) : 0;
        ev[i][t][1] = k == 2 ? 0.4 - 0.1 * (double)(t % 2) : 0;
        y[i][t][0] = k == 3 ? 1 : 0;
        y[i][t][1] = k == 1 || k == 2 ? 1 : 0;
        mask[i][t] = k == 3;
        for (int e = 0; e < WIDE; e++)
            wide[i][t][e] = k ? 0.1 * e + 0.01 * (double)t : 0;
    }
}

static const rt_channel channels[] = {
    {"fix", 1, RT_CHANNEL_INPUT},
    {"ev", 2, RT_CHANNEL_INPUT},
    {"y", 2, RT_CHANNEL_TARGET},
    {"ring", WIDE, RT_CHANNEL_INPUT},
    {"phase", 1, RT_CHANNEL_PHASE},   /* not drawn as a line */
};

static char *svg_of(const rt_task_picture *p, size_t *drawn)
{
    rt_fig *f = rt_figures_task(p, drawn);
    CHECK(f != NULL);
    char *s = f ? rt_fig_svg(f, NULL) : NULL;
    CHECK(s != NULL);
    rt_fig_free(f);
    return s;
}

static void save(const char *dir, const char *name, const rt_task_picture *p)
{
    size_t drawn;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    rt_fig *f = rt_figures_task(p, &drawn);
    CHECK(f && rt_fig_write(f, path) == 0);
    rt_fig_free(f);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *at = s; (at = strstr(at, what)); at += strlen(what))
        n++;
    return n;
}

static rt_task_trial trials[2];
static const double *chan[2][5];

static rt_task_picture phased_picture(void)
{
    make_trial(0, T);
    make_trial(1, 70);
    for (int i = 0; i < 2; i++) {
        chan[i][0] = fix[i];
        chan[i][1] = &ev[i][0][0];
        chan[i][2] = &y[i][0][0];
        chan[i][3] = &wide[i][0][0];
        chan[i][4] = phase[i];
        trials[i] = (rt_task_trial){.channels = chan[i], .mask = mask[i], .phase = phase[i], .length = 0};
    }
    return (rt_task_picture){.title = "Task: PhasedDM", .dt = 0.02, .steps = T, .n_channels = 5,
                             .channels = channels, .n_phases = 3, .phase_names = phase_names, .n_trials = 2,
                             .trials = trials};
}

static void test_phases_mask_padding(const char *dir)
{
    rt_task_picture p = phased_picture();
    size_t drawn = 0;
    char *s = svg_of(&p, &drawn);
    if (!s)
        return;
    CHECK(drawn == 2);
    /* each phase named once per trial, at the top of its band */
    CHECK(count(s, ">fixation<") == 2);
    CHECK(count(s, ">stimulus<") == 2);
    CHECK(count(s, ">decision<") == 2);
    CHECK(strstr(s, "not in the loss") != NULL);
    CHECK(strstr(s, "padding (after the trial)") != NULL);
    CHECK(strstr(s, "then padding") != NULL);   /* trial 2's title: 70 steps of 100 */
    CHECK(strstr(s, "Trial 2 (1400 ms, then padding)") != NULL);   /* 70 steps of 20 ms */
    /* the legend names elements by channel and index, as the run's other pictures do */
    CHECK(strstr(s, ">fix[0]<") != NULL && strstr(s, ">ev[0]<") && strstr(s, ">ev[1]<"));
    CHECK(strstr(s, ">y[0]<") != NULL && strstr(s, ">y[1]<"));
    CHECK(strstr(s, "inputs in colour, targets in grey") != NULL);   /* the title says which lines are targets */
    CHECK(strstr(s, ">phase[0]<") == NULL);   /* the phase channel is shading, not a line */
    /* the 12-element input is a heat map, one per trial (an image and its colour bar's), with its name */
    CHECK(count(s, "<image") == 4);
    CHECK(strstr(s, "ring (element)") != NULL);
    CHECK(strstr(s, "time (ms)") != NULL);
    CHECK(strstr(s, "nan") == NULL && strstr(s, "inf") == NULL);
    free(s);
    if (dir)
        save(dir, "task_phased.svg", &p);
}

static void test_plain_task(const char *dir)
{
    rt_task_picture p = phased_picture();
    for (int i = 0; i < 2; i++) {
        trials[i].phase = NULL;
        trials[i].mask = NULL;
        trials[i].length = T;
    }
    p.n_phases = 0;
    p.phase_names = NULL;
    p.dt = 0;
    p.n_channels = 3;   /* no wide channel */
    size_t drawn = 0;
    char *s = svg_of(&p, &drawn);
    if (!s)
        return;
    CHECK(strstr(s, "fixation") == NULL && strstr(s, "decision") == NULL);
    CHECK(strstr(s, "not in the loss") == NULL);
    CHECK(strstr(s, "padding") == NULL);
    CHECK(strstr(s, "<image") == NULL);
    CHECK(strstr(s, "time (steps)") != NULL);   /* dt unknown: the axis counts steps */
    free(s);
    if (dir)
        save(dir, "task_plain.svg", &p);
}

static void test_spikes_raster(void)
{
    static double spikes[T][WIDE], target[T];
    for (size_t t = 0; t < T; t++) {
        target[t] = (double)t / T;
        for (int e = 0; e < WIDE; e++)
            spikes[t][e] = (t * 7 + (size_t)e * 3) % 11 == 0;
    }
    static const rt_channel ch[] = {{"x", WIDE, RT_CHANNEL_INPUT}, {"y", 1, RT_CHANNEL_TARGET}};
    const double *data[] = {&spikes[0][0], target};
    rt_task_trial tr = {.channels = data, .mask = NULL, .phase = NULL, .length = T};
    rt_task_picture p = {.dt = 1e-3, .steps = T, .n_channels = 2, .channels = ch, .n_trials = 1, .trials = &tr};
    size_t drawn = 0;
    char *s = svg_of(&p, &drawn);
    if (!s)
        return;
    CHECK(strstr(s, "<image") == NULL);   /* 0/1 values: a raster of ticks, not a heat map */
    CHECK(strstr(s, "x (element)") != NULL);
    free(s);
}

static void test_limits(void)
{
    rt_task_picture p = phased_picture();
    rt_task_trial many[40];
    for (int i = 0; i < 40; i++)
        many[i] = trials[i % 2];
    p.trials = many;
    p.n_trials = 40;
    size_t drawn = 0;
    rt_fig *f = rt_figures_task(&p, &drawn);
    CHECK(f != NULL);
    CHECK(drawn == 16);   /* two panels a trial (lines and the strip), 32 panels at most */
    rt_fig_free(f);
    p.n_trials = 0;
    errno = 0;
    CHECK(rt_figures_task(&p, &drawn) == NULL && errno == EINVAL);
}

/* The numbers of the first path drawn in palette colour 0 (#0072B2), as
 * (x, y) pairs into XY; their count of pairs. */
static size_t path_points(const char *svg, double *xy, size_t max)
{
    const char *at = strstr(svg, "stroke=\"#0072B2\"");
    const char *d = at ? svg : NULL;
    for (const char *p = svg; p && p < at; p = strstr(p + 1, "<path d=\""))
        d = p;
    if (!d || !(d = strstr(d, "d=\"")))
        return 0;
    d += 3;
    size_t n = 0;
    char *end;
    while (n < 2 * max) {
        while (*d == ' ' || *d == 'L' || *d == 'M')
            d++;
        double v = strtod(d, &end);
        if (end == d)
            break;
        xy[n++] = v;
        d = end;
    }
    return n / 2;
}

static void test_step_line(void)
{
    /* 0 on steps 0 and 1, 1 on steps 2 and 3, of 10 ms each: the line holds
     * 0 until 20 ms, rises straight up there and holds 1 until 40 ms */
    static const double y[4] = {0, 0, 1, 1};
    rt_fig *f = rt_fig_new(1, 1, 400, 300, NULL);
    rt_axes *ax = rt_fig_axes(f, 0, 0);
    rt_axes_xlim(ax, 0, 40);
    rt_axes_ylim(ax, 0, 1);
    rt_figures_step_line(ax, 4, 0, 10, y, 1, (rt_style){.colour = 0});
    char *s = rt_fig_svg(f, NULL);
    CHECK(s != NULL);
    double xy[32];
    size_t n = s ? path_points(s, xy, 16) : 0;
    CHECK(n >= 4);
    /* the rise: two consecutive points at one x, the lower at y = 0 (larger px) */
    int rises = 0, slants = 0;
    for (size_t i = 1; i < n; i++) {
        double dx = xy[2 * i] - xy[2 * i - 2], dy = xy[2 * i + 1] - xy[2 * i - 1];
        rises += fabs(dx) < 0.05 && dy < -1;
        slants += fabs(dx) > 0.05 && fabs(dy) > 0.05;
    }
    CHECK(rises == 1);
    CHECK(slants == 0);
    /* and it rises at 20 ms: halfway between the first and the last x */
    for (size_t i = 1; i < n; i++)
        if (fabs(xy[2 * i] - xy[2 * i - 2]) < 0.05 && xy[2 * i + 1] < xy[2 * i - 1] - 1)
            CHECK(fabs(xy[2 * i] - (xy[0] + xy[2 * n - 2]) / 2) < 0.2);
    free(s);
    rt_fig_free(f);
}

static void test_backdrop(void)
{
    rt_task_picture p = phased_picture();
    rt_fig *f = rt_fig_new(1, 1, 600, 300, NULL);
    rt_axes *ax = rt_fig_axes(f, 0, 0);
    int masked = 0, padded = 0;
    rt_axes_xlim(ax, 0, 2000);   /* 100 steps of 20 ms */
    CHECK(rt_figures_trial_backdrop(ax, &p, &p.trials[1], &masked, &padded) == 70);   /* trial 2: 70 steps */
    CHECK(masked == 1 && padded == 1);
    rt_figures_trial_legend(ax, masked, padded);
    rt_axes_line(ax, 2, (double[]){0, 1000}, (double[]){0, 1}, 1, (rt_style){.colour = 0});
    char *s = rt_fig_svg(f, NULL);
    CHECK(s && strstr(s, ">fixation<") && strstr(s, ">stimulus<") && strstr(s, ">decision<"));
    CHECK(s && strstr(s, "not in the loss (mask 0)") && strstr(s, "padding (after the trial)"));
    free(s);
    rt_fig_free(f);
    /* a full trial: no padding */
    f = rt_fig_new(1, 1, 600, 300, NULL);
    masked = padded = 0;
    CHECK(rt_figures_trial_backdrop(rt_fig_axes(f, 0, 0), &p, &p.trials[0], &masked, &padded) == T);
    CHECK(masked == 1 && padded == 0);
    rt_fig_free(f);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    if (dir)
        mkdir(dir, 0777);
    test_phases_mask_padding(dir);
    test_plain_task(dir);
    test_spikes_raster();
    test_limits();
    test_step_line();
    test_backdrop();
    return check_report();
}
