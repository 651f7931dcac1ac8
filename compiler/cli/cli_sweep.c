/* cli_sweep.c -- rnnc sweep MODEL --grid NAME=V1,V2,... [--grid ...] [--seeds K]
 *
 * The cartesian product of the grids' values (each grid a parameter or
 * setting as -D names it), times the seeds, as independent runs: point P
 * (the grids' values, the first grid varying slowest) with seed S is
 * 'rnnc run MODEL --seed S -D NAME=VALUE...' into point-P/seed-S of the
 * sweep's folder. The runs go through cli_jobs_run, as --seeds' do, so
 * under mpirun they are spread over the ranks. The folder adds sweep.csv
 * (one row per run: its settings, seed, exit status and the results of
 * its summary.json), summary.json (the grids and every run's numbers), a
 * picture per headline metric against each swept setting (mean +- sd over
 * the seeds, a line per combination of the other settings) and report.html.
 *
 * Before any work every value of every grid is checked by compiling the
 * model with it (the other grids at their first value), so a grid that
 * names no setting, or a value of the wrong unit, is refused as -D's error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_mpi.h"
#include "plan.h"
#include "rt_figures.h"
#include "rt_files.h"
#include "rt_outdir.h"
#include "rt_plot.h"
#include "rt_summary.h"
#include "run_folder.h"
#include "text.h"

enum { MAX_VALUES = 64, MAX_RUNS = 10000, MAX_LINES_LABELLED = 8 };

#define SWEEP_CSV "sweep.csv"

/* The metrics drawn against the settings (when the runs have them). */
static const char *const plotted[] = {"eval_loss", "eval_accuracy", "final_train_loss", "final_rate_hz"};

typedef struct grid {
    char *name;
    char *values[MAX_VALUES];
    unsigned n;
    int numeric;             /* every value a number with the same unit after it */
    double x[MAX_VALUES];    /* the values as numbers, or 0, 1, ... */
    char unit[32];
} grid;

typedef struct sweep {
    const frontend_options *base;
    const cli_run_options *r;
    grid grids[16];
    unsigned n_grids, points, seeds, runs;
    uint64_t first_seed;
    frontend_define *defines;      /* [points][define_count]: the user's, then the grids' */
    frontend_options *opts;        /* [points] */
    unsigned define_count;
    cli_job *jobs;                 /* [runs]: point-major */
    json_t **metrics;              /* [runs]: flattened summaries, NULL where none */
} sweep;

static void sweep_free(sweep *s)
{
    for (unsigned g = 0; g < s->n_grids; g++) {
        free(s->grids[g].name);
        for (unsigned v = 0; v < s->grids[g].n; v++)
            free(s->grids[g].values[v]);
    }
    for (unsigned j = 0; s->metrics && j < s->runs; j++)
        json_decref(s->metrics[j]);
    free(s->metrics);
    free(s->defines);
    free(s->opts);
    free(s->jobs);
}

static int sweep_error(const char *fmt, const char *arg)
{
    fputs("rnnc: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

/* ------------------------------------------------------------ the grids */

/* A value as a number with a unit after it ("20ms" -> 20, "ms"); 0 if it is none. */
static int number_with_unit(const char *value, double *x, char *unit, size_t size)
{
    char *end;
    errno = 0;
    *x = strtod(value, &end);
    if (end == value || errno || !isfinite(*x))
        return 0;
    while (*end == ' ')
        end++;
    snprintf(unit, size, "%s", end);
    return 1;
}

/* How the values sit on a plot's x axis: as numbers when every value is
 * one with the same unit, else at 0, 1, ... */
static void place_values(grid *g)
{
    char first[32] = "", unit[32];
    g->numeric = 1;
    for (unsigned v = 0; v < g->n; v++) {
        if (!number_with_unit(g->values[v], &g->x[v], unit, sizeof unit) || (v && strcmp(unit, first) != 0))
            g->numeric = 0;
        if (v == 0)
            snprintf(first, sizeof first, "%s", unit);
    }
    snprintf(g->unit, sizeof g->unit, "%s", g->numeric ? first : "");
    for (unsigned v = 0; !g->numeric && v < g->n; v++)
        g->x[v] = v;
}

/* NAME=V1,V2,...: a comma inside parentheses belongs to its value
 * ("optimizer=adam(lr=1e-3, decay=1e-4),sgd(lr=0.1)"). */
static int parse_grid(const char *arg, grid *g)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return sweep_error("--grid needs NAME=V1,V2,..., got '%s'", arg);
    g->name = strndup(arg, (size_t)(eq - arg));
    const char *start = eq + 1;
    int depth = 0;
    for (const char *p = start;; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (*p && (*p != ',' || depth > 0))
            continue;
        while (start < p && *start == ' ')
            start++;
        size_t n = (size_t)(p - start);
        while (n && start[n - 1] == ' ')
            n--;
        if (n == 0)
            return sweep_error("--grid '%s' has an empty value", arg);
        if (g->n == MAX_VALUES)
            return sweep_error("--grid '%s' has too many values (limit is 64)", arg);
        g->values[g->n++] = strndup(start, n);
        if (!*p)
            break;
        start = p + 1;
    }
    for (unsigned a = 0; a < g->n; a++)
        for (unsigned b = 0; b < a; b++)
            if (strcmp(g->values[a], g->values[b]) == 0)
                return sweep_error("--grid '%s' gives a value twice", arg);
    place_values(g);
    return 0;
}

static int parse_grids(sweep *s, const char *const *args, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        s->n_grids = i + 1;
        if (parse_grid(args[i], &s->grids[i]) != 0)
            return 2;
        for (unsigned k = 0; k < i; k++)
            if (strcmp(s->grids[k].name, s->grids[i].name) == 0)
                return sweep_error("--grid %s is given twice; give its values in one --grid", s->grids[i].name);
        for (unsigned d = 0; d < s->base->define_count; d++)
            if (strcmp(s->base->defines[d].name, s->grids[i].name) == 0)
                return sweep_error("%s is given by -D and by --grid; give it once", s->grids[i].name);
    }
    s->points = 1;
    for (unsigned g = 0; g < s->n_grids; g++) {
        if (s->points * (unsigned long long)s->grids[g].n > MAX_RUNS)
            return sweep_error("the sweep has more than %s runs; split it", "10000");
        s->points *= s->grids[g].n;
    }
    s->seeds = s->r->seeds ? s->r->seeds : 1;
    if ((unsigned long long)s->points * s->seeds > MAX_RUNS)
        return sweep_error("the sweep has more than %s runs; split it", "10000");
    s->runs = s->points * s->seeds;
    return 0;
}

/* The value index of grid G at point P (the first grid varies slowest). */
static unsigned value_at(const sweep *s, unsigned p, unsigned g)
{
    for (unsigned k = s->n_grids; k-- > g + 1;)
        p /= s->grids[k].n;
    return p % s->grids[g].n;
}

/* The -D values of point P: the user's, then each grid's value. */
static void point_defines(const sweep *s, unsigned p, frontend_define *out)
{
    unsigned user = s->base->define_count;
    for (unsigned d = 0; d < user; d++)
        out[d] = (frontend_define){.name = s->base->defines[d].name, .value = s->base->defines[d].value};
    for (unsigned g = 0; g < s->n_grids; g++)
        out[user + g] = (frontend_define){.name = s->grids[g].name, .value = s->grids[g].values[value_at(s, p, g)]};
}

/* "AndNet.n=16, And.noise=0" for point P. */
static void point_label(const sweep *s, unsigned p, char *buf, size_t size, int skip)
{
    size_t at = 0;
    buf[0] = '\0';
    for (unsigned g = 0; g < s->n_grids && at < size; g++)
        if ((int)g != skip)
            at += (size_t)snprintf(buf + at, size - at, "%s%s=%s", at ? ", " : "", s->grids[g].name,
                                   s->grids[g].values[value_at(s, p, g)]);
}

/* ------------------------------------------------------------ checks before any work */

/* The model compiled (front end and plan, as rnnc check) with DEFINES;
 * the errors printed. The run's seed in force into *SEED. */
static unsigned check_with(const sweep *s, frontend_define *defines, unsigned count, uint64_t *seed)
{
    frontend_options o = *s->base;
    o.defines = defines;
    o.define_count = count;
    frontend fe;
    frontend_init(&fe);
    unsigned errors = frontend_check_file(&fe, s->r->model_path, &o);
    const ast_node *run = errors ? NULL : plan_find_run(&fe);
    if (!errors && !run) {
        fprintf(stderr, "rnnc: error: %s has nothing to run: add 'train Network on Task { ... }'\n",
                s->r->model_path);
        errors = 1;
    } else if (run) {
        *seed = s->r->seed_given ? s->r->seed : plan_model_seed(&o, run);
        plan p;
        plan_prepare(&p, &fe, &o, run, *seed);
        plan_free(&p);
        errors = fe.diag.errors;
    }
    diag_print(&fe.diag, stderr, cli_use_color());
    frontend_free(&fe);
    return errors;
}

/* Every value of every grid, the other grids at their first value. */
static int check_grids(sweep *s)
{
    unsigned count = s->base->define_count + s->n_grids;
    frontend_define *defines = calloc(count, sizeof *defines);
    if (!defines)
        return sweep_error("%s", "out of memory");
    int status = 0;
    for (unsigned g = 0; g < s->n_grids && status == 0; g++)
        for (unsigned v = 0; v < s->grids[g].n && status == 0; v++) {
            if (g > 0 && v == 0)
                continue;   /* the first values together: checked already */
            point_defines(s, 0, defines);
            defines[s->base->define_count + g].value = s->grids[g].values[v];
            /* the error names the grid as -D NAME: a grid's values are -D values */
            if (check_with(s, defines, count, v == 0 && g == 0 ? &s->first_seed : &(uint64_t){0}) != 0)
                status = 1;
        }
    free(defines);
    return status;
}

/* The runs: point-major, each point's seeds together. */
static int make_jobs(sweep *s)
{
    s->define_count = s->base->define_count + s->n_grids;
    s->defines = calloc((size_t)s->points * s->define_count, sizeof *s->defines);
    s->opts = calloc(s->points, sizeof *s->opts);
    s->jobs = calloc(s->runs, sizeof *s->jobs);
    s->metrics = calloc(s->runs, sizeof *s->metrics);
    if (!s->defines || !s->opts || !s->jobs || !s->metrics)
        return -1;
    for (unsigned p = 0; p < s->points; p++) {
        frontend_define *d = s->defines + (size_t)p * s->define_count;
        point_defines(s, p, d);
        s->opts[p] = *s->base;
        s->opts[p].defines = d;
        s->opts[p].define_count = s->define_count;
        char label[200];   /* a long one is cut: the row of sweep.csv has every value */
        point_label(s, p, label, sizeof label, -1);
        for (unsigned k = 0; k < s->seeds; k++) {
            cli_job *j = &s->jobs[p * s->seeds + k];
            j->opts = &s->opts[p];
            j->seed = s->first_seed + k;
            snprintf(j->folder, sizeof j->folder, "point-%u/seed-%llu", p + 1, (unsigned long long)j->seed);
            snprintf(j->label, sizeof j->label, "run %.40s (%s, seed %llu)", j->folder, label,
                     (unsigned long long)j->seed);
        }
    }
    return 0;
}

/* ------------------------------------------------------------ sweep.csv and summary.json */

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(text *t, const char *f)
{
    if (!strpbrk(f, ",\"\n\r")) {
        text_put(t, "%s", f);
        return;
    }
    text_put(t, "\"");
    for (const char *c = f; *c; c++) {
        if (*c == '"')
            text_put(t, "\"\"");
        else
            text_put(t, "%c", *c);
    }
    text_put(t, "\"");
}

/* The result names of every run, in the order they first appear. */
static json_t *result_names(const sweep *s)
{
    json_t *names = json_array(), *seen = json_object();
    for (unsigned j = 0; j < s->runs; j++) {
        const char *name;
        json_t *v;
        json_object_foreach (s->metrics[j], name, v)
            if (cli_is_result(name) && strcmp(name, "seed") != 0 && !json_object_get(seen, name)) {
                json_object_set_new(seen, name, json_true());
                json_array_append_new(names, json_string(name));
            }
    }
    json_decref(seen);
    return names;
}

static int write_csv(const sweep *s, const rt_outdir *out, const int *codes, const json_t *names)
{
    text t = {0};
    text_put(&t, "folder");
    for (unsigned g = 0; g < s->n_grids; g++) {
        text_put(&t, ",");
        csv_field(&t, s->grids[g].name);
    }
    text_put(&t, ",seed,exit_status");
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        text_put(&t, ",");
        csv_field(&t, json_string_value(name));
    }
    text_put(&t, "\n");
    for (unsigned j = 0; j < s->runs; j++) {
        unsigned p = j / s->seeds;
        text_put(&t, "%s", s->jobs[j].folder);
        for (unsigned g = 0; g < s->n_grids; g++) {
            text_put(&t, ",");
            csv_field(&t, s->grids[g].values[value_at(s, p, g)]);
        }
        text_put(&t, ",%llu,%d", (unsigned long long)s->jobs[j].seed, codes[j]);
        json_array_foreach (names, i, name) {
            double v = rt_summary_number(s->metrics[j], json_string_value(name));
            if (isfinite(v))
                text_put(&t, ",%.9g", v);
            else
                text_put(&t, ",");   /* empty: the run has no such result */
        }
        text_put(&t, "\n");
    }
    int rc = t.failed ? -1 : rt_outdir_write_text(out, SWEEP_CSV, t.data);
    if (rc != 0)
        fprintf(stderr, "rnnc: error: cannot write %s: %s\n", SWEEP_CSV, t.failed ? "out of memory" : strerror(errno));
    free(t.data);
    return rc;
}

/* {"model_file", "grid": [{"name", "values"}], "seeds", "runs", "status", "per_run": [...]} */
static json_t *sweep_summary(const sweep *s, const int *codes, const char *status)
{
    json_t *doc = json_object(), *grids = json_array(), *seeds = json_array(), *per_run = json_array();
    json_object_set_new(doc, "model_file", json_string(s->r->model_path));
    for (unsigned g = 0; g < s->n_grids; g++) {
        json_t *values = json_array();
        for (unsigned v = 0; v < s->grids[g].n; v++)
            json_array_append_new(values, json_string(s->grids[g].values[v]));
        json_array_append_new(grids, json_pack("{s:s, s:o}", "name", s->grids[g].name, "values", values));
    }
    for (unsigned k = 0; k < s->seeds; k++)
        json_array_append_new(seeds, json_integer((json_int_t)(s->first_seed + k)));
    for (unsigned j = 0; j < s->runs; j++) {
        json_t *settings = json_object(), *e = json_object();
        for (unsigned g = 0; g < s->n_grids; g++)
            json_object_set_new(settings, s->grids[g].name,
                                json_string(s->grids[g].values[value_at(s, j / s->seeds, g)]));
        json_object_set_new(e, "folder", json_string(s->jobs[j].folder));
        json_object_set_new(e, "settings", settings);
        json_object_set_new(e, "seed", json_integer((json_int_t)s->jobs[j].seed));
        json_object_set_new(e, "exit_status", json_integer(codes[j]));
        const char *name;
        json_t *v;
        json_object_foreach (s->metrics[j], name, v)
            if (strcmp(name, "seed") != 0)
                json_object_set(e, name, v);
        json_array_append_new(per_run, e);
    }
    json_object_set_new(doc, "grid", grids);
    json_object_set_new(doc, "seeds", seeds);
    json_object_set_new(doc, "runs", json_integer(s->runs));
    json_object_set_new(doc, "status", json_string(status));
    json_object_set_new(doc, "per_run", per_run);
    return doc;
}

/* ------------------------------------------------------------ pictures and report */

/* Mean and sample sd of METRIC over point P's seeds that have it; the count. */
static unsigned point_stats(const sweep *s, unsigned p, const char *metric, double *mean, double *sd)
{
    double sum = 0, sq = 0;
    unsigned n = 0;
    for (unsigned k = 0; k < s->seeds; k++) {
        double v = rt_summary_number(s->metrics[p * s->seeds + k], metric);
        if (isfinite(v)) {
            sum += v;
            sq += v * v;
            n++;
        }
    }
    *mean = n ? sum / n : NAN;
    *sd = n > 1 ? sqrt(fmax(0, (sq - n * *mean * *mean) / (n - 1))) : 0;
    return n;
}

/* The panel of METRIC against grid G: a line per combination of the other
 * grids' values (the points where G is at its first value start them). */
static void draw_panel(const sweep *s, rt_axes *ax, const char *metric, unsigned g)
{
    const grid *gr = &s->grids[g];
    char xlabel[600];
    size_t at = (size_t)snprintf(xlabel, sizeof xlabel, "%s%s%s%s", gr->name, gr->unit[0] ? " (" : "", gr->unit,
                                 gr->unit[0] ? ")" : "");
    for (unsigned v = 0; !gr->numeric && v < gr->n && at < sizeof xlabel; v++)
        at += (size_t)snprintf(xlabel + at, sizeof xlabel - at, "%s%u: %s%s", v ? ", " : " (", v, gr->values[v],
                               v + 1 == gr->n ? ")" : "");
    rt_axes_labels(ax, NULL, xlabel, metric);
    double lo = gr->x[0], hi = gr->x[0];
    for (unsigned v = 1; v < gr->n; v++) {
        lo = fmin(lo, gr->x[v]);
        hi = fmax(hi, gr->x[v]);
    }
    double margin = hi > lo ? 0.06 * (hi - lo) : 1;   /* the first and last error bars clear of the frame */
    rt_axes_xlim(ax, lo - margin, hi + margin);
    unsigned line = 0, lines = s->points / gr->n;
    for (unsigned p = 0; p < s->points; p++) {
        if (value_at(s, p, g) != 0)
            continue;
        double x[MAX_VALUES], y[MAX_VALUES];
        unsigned stride = 1;
        for (unsigned k = s->n_grids; k-- > g + 1;)
            stride *= s->grids[k].n;   /* the next value of G, the others the same */
        for (unsigned v = 0; v < gr->n; v++) {
            double sd;
            x[v] = gr->x[v];
            point_stats(s, p + v * stride, metric, &y[v], &sd);
            double bar_x[2] = {x[v], x[v]}, bar_y[2] = {y[v] - sd, y[v] + sd};
            if (sd > 0)
                rt_axes_line(ax, 2, bar_x, bar_y, 1, (rt_style){.colour = (int)(line % 8), .width = 1});
        }
        char label[400];
        point_label(s, p, label, sizeof label, (int)g);
        const char *shown = lines == 1 ? "mean \xc2\xb1 sd over seeds" : line < MAX_LINES_LABELLED ? label : NULL;
        rt_axes_line(ax, gr->n, x, y, 1,
                     (rt_style){.colour = (int)(line % 8), .marker = RT_MARK_DOT, .size = 6, .label = shown});
        line++;
    }
}

/* sweep_METRIC.svg: METRIC against each swept setting, a panel each. */
static int draw_metric(const sweep *s, rt_figures *f, const char *metric, char *err, size_t err_size)
{
    unsigned cols = s->n_grids < 4 ? s->n_grids : 4, rows = (s->n_grids + cols - 1) / cols;
    char title[200], name[200], caption[256];
    snprintf(title, sizeof title, "%s over %u seed%s (mean \xc2\xb1 sd)", metric, s->seeds, s->seeds == 1 ? "" : "s");
    rt_fig *fig = rt_fig_new((int)rows, (int)cols, 420.0 * cols, 320.0 * rows + 40, title);
    for (unsigned g = 0; g < s->n_grids; g++)
        draw_panel(s, rt_fig_axes(fig, (int)(g / cols), (int)(g % cols)), metric, g);
    snprintf(name, sizeof name, "sweep_%s.svg", metric);
    snprintf(caption, sizeof caption, "%s against each swept setting: the mean over the seeds, \xc2\xb1 one sd", metric);
    return rt_figures_save(f, fig, name, caption, err, err_size);
}

/* The report's table: each point's settings and its headline metrics. */
static void point_rows(const sweep *s, char **keys, char **values)
{
    for (unsigned p = 0; p < s->points; p++) {
        char key[600], value[600];
        size_t at = 0;
        snprintf(key, sizeof key, "point-%u: ", p + 1);
        point_label(s, p, key + strlen(key), sizeof key - strlen(key), -1);
        value[0] = '\0';
        for (size_t m = 0; m < sizeof plotted / sizeof *plotted && at < sizeof value; m++) {
            double mean, sd;
            unsigned n = point_stats(s, p, plotted[m], &mean, &sd);
            if (n)
                at += (size_t)snprintf(value + at, sizeof value - at, "%s%s %.4g \xc2\xb1 %.2g", at ? ", " : "",
                                       plotted[m], mean, sd);
        }
        keys[p] = strdup(key);
        values[p] = strdup(value);
    }
}

static int sweep_pictures(const sweep *s, const rt_outdir *out, const json_t *summary, char *err, size_t err_size)
{
    rt_figures f = {.dir = out->work_path};
    for (size_t m = 0; m < sizeof plotted / sizeof *plotted; m++) {
        double mean, sd;
        unsigned have = 0;
        for (unsigned p = 0; p < s->points; p++)
            have += point_stats(s, p, plotted[m], &mean, &sd);
        if (have && draw_metric(s, &f, plotted[m], err, err_size) != 0)
            return -1;
    }
    char **keys = calloc(s->points + 1, sizeof *keys), **values = calloc(s->points + 1, sizeof *values);
    int rc = -1;
    if (keys && values) {
        point_rows(s, keys, values);
        rt_figures_table rows = {.caption = "Each point of the grid: mean \xc2\xb1 sd over its seeds",
                                 .n = s->points, .keys = (const char *const *)keys,
                                 .values = (const char *const *)values};
        char title[600];
        snprintf(title, sizeof title, "%s: a sweep of %u runs (%u points \xc3\x97 %u seed%s)", s->r->model_path,
                 s->runs, s->points, s->seeds, s->seeds == 1 ? "" : "s");
        char *source = text_read_file(s->r->model_path);
        rc = rt_figures_report(&f, title, summary, source, &rows, err, err_size);
        free(source);
    } else {
        snprintf(err, err_size, "out of memory for the report");
    }
    for (unsigned p = 0; keys && values && p < s->points; p++) {
        free(keys[p]);
        free(values[p]);
    }
    free(keys);
    free(values);
    return rc;
}

/* ------------------------------------------------------------ the sweep */

static void read_metrics(sweep *s, const char *work, const int *codes)
{
    for (unsigned j = 0; j < s->runs; j++) {
        char path[4600], err[4800];
        snprintf(path, sizeof path, "%s/%s/%s", work, s->jobs[j].folder, RT_FILE_SUMMARY);
        json_t *summary = rt_summary_load(path, err, sizeof err);
        s->metrics[j] = summary ? rt_summary_flatten(summary) : NULL;
        if (!summary && codes[j] == 0)
            fprintf(stderr, "rnnc: %s; %s is left out of %s\n", err, s->jobs[j].label, SWEEP_CSV);
        json_decref(summary);
    }
}

/* At rank 0: the table, summary, pictures and report; then the commit. */
static int finish(sweep *s, rt_outdir *out, const char *dir, const int *codes)
{
    cli_tally t = cli_tally_runs(s->jobs, codes, s->runs, out->work_path);
    if (t.trained + t.stopped + t.unfinished == 0) {
        fputs("rnnc: every run of the sweep failed; no results were written\n", stderr);
        rt_outdir_abort(out);
        return 1;
    }
    char status_text[96];
    const char *status = cli_stop ? "interrupted" : t.trained == s->runs ? "trained" : status_text;
    snprintf(status_text, sizeof status_text, "incomplete: %u of %u runs trained", t.trained, s->runs);
    read_metrics(s, out->work_path, codes);
    json_t *names = result_names(s), *summary = sweep_summary(s, codes, status);
    char *path = rt_outdir_file(out, RT_FILE_SUMMARY), err[4400];
    int rc = write_csv(s, out, codes, names);
    if (rc == 0 && (!path || rt_summary_save(path, summary, err, sizeof err) != 0)) {
        fprintf(stderr, "rnnc: error: cannot write the sweep's summary: %s\n", path ? err : "out of memory");
        rc = -1;
    }
    if (rc == 0 && sweep_pictures(s, out, summary, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: error: %s\n", err);
        fputs(CLI_PICTURES_KEPT, stderr);
    }
    free(path);
    json_decref(names);
    json_decref(summary);
    if (rc == 0 && rt_outdir_commit(out) != 0) {
        fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        rt_outdir_abort(out);
        return 1;
    }
    printf("rnnc: %u of %u runs trained; %s and report.html in %s\n", t.trained, s->runs, SWEEP_CSV, dir);
    return cli_stop ? 130 : t.trained < s->runs ? 1 : 0;
}

static const char *default_folder(const char *model_path, char *buf, size_t size)
{
    char model[256];
    snprintf(buf, size, "runs/%s-sweep", run_folder_model_name(model_path, model, sizeof model));
    return buf;
}

int cli_sweep(const frontend_options *o, const cli_run_options *r, const char *const *grids, unsigned n_grids)
{
    sweep s = {.base = o, .r = r};
    char folder[4200], why[4400];
    const char *dir = r->out_dir ? r->out_dir : default_folder(r->model_path, folder, sizeof folder);
    int status = parse_grids(&s, grids, n_grids);
    if (status == 0 && (unsigned)cli_mpi_size() > s.runs) {
        fprintf(stderr, "rnnc: error: %d MPI ranks for %u runs: start at most %u (mpirun -n %u) or sweep more\n",
                cli_mpi_size(), s.runs, s.runs, s.runs);
        status = 2;
    }
    if (status == 0 && rt_outdir_check(dir, why, sizeof why) != 0) {
        fprintf(stderr, "rnnc: error: %s\n", why);
        status = 2;
    }
    if (status == 0)
        status = check_grids(&s);
    if (status == 0 && make_jobs(&s) != 0)
        status = sweep_error("%s", "out of memory");
    if (status != 0) {
        sweep_free(&s);
        return status;
    }
    char what[4600];
    snprintf(what, sizeof what, "%u runs of %s (%u points \xc3\x97 %u seed%s from %llu)", s.runs, r->model_path,
             s.points, s.seeds, s.seeds == 1 ? "" : "s", (unsigned long long)s.first_seed);
    int *codes = calloc(s.runs, sizeof *codes);
    rt_outdir out;
    if (!codes)
        status = sweep_error("%s", "out of memory");
    else if (cli_jobs_run(r, s.jobs, s.runs, dir, what, &out, codes, &status) == CLI_JOBS_COMBINE)
        status = finish(&s, &out, dir, codes);
    free(codes);
    sweep_free(&s);
    return status;
}
