/* cli_seeds.c -- rnnc run MODEL --seeds K: K realisations side by side.
 *
 * Each realisation is an ordinary 'rnnc run --seed S' in a child process
 * (a fresh process: no JIT, BLAS or thread state is shared), writing its
 * folder seed-S inside the combined folder. As many run at once as there
 * are cores, each with cores / that many threads. The combined folder
 * adds summary.json (per_seed, and the mean, standard deviation, minimum
 * and maximum of every metric), the loss curve as a mean +- sd band over
 * seeds, the eigenvalue spectra side by side and report.html. It is
 * written aside and renamed when complete, like every results folder.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "rt_figures.h"
#include "rt_npy.h"
#include "rt_outdir.h"
#include "rt_plot.h"
#include "text.h"

enum { MAX_SEEDS = 1000, MAX_METRICS = 256, METRIC_NAME = 112, MAX_SPECTRA_SHOWN = 32 };
enum { NOT_STARTED = -1 };   /* the exit status of a realisation Ctrl-C kept from starting */

static volatile sig_atomic_t seeds_interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    seeds_interrupted = 1;   /* the children get the signal too and stop cleanly */
}

/* Starts 'rnnc run' for SEED into SUB, with THREADS threads. */
static pid_t start_child(const cli_run_options *r, const frontend_options *o, uint64_t seed, const char *sub,
                         int threads)
{
    char seed_text[32], threads_text[32];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    snprintf(threads_text, sizeof threads_text, "threads=%d", threads);
    const char *argv[16 + 2 * 256];
    int n = 0, user_threads = 0;
    argv[n++] = "rnnc";
    argv[n++] = "run";
    argv[n++] = r->model_path;
    argv[n++] = "--seed";
    argv[n++] = seed_text;
    argv[n++] = "--out";
    argv[n++] = sub;
    char *defs[256];
    unsigned nd = o->define_count < 256 ? o->define_count : 256;
    for (unsigned i = 0; i < nd; i++) {
        size_t len = strlen(o->defines[i].name) + strlen(o->defines[i].value) + 2;
        defs[i] = malloc(len);
        if (defs[i])
            snprintf(defs[i], len, "%s=%s", o->defines[i].name, o->defines[i].value);
        user_threads |= strcmp(o->defines[i].name, "threads") == 0;
        argv[n++] = "-D";
        argv[n++] = defs[i] ? defs[i] : "";
    }
    if (!user_threads) {
        argv[n++] = "-D";
        argv[n++] = threads_text;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("RNNC_QUIET", "1", 1);   /* no progress lines from several children at once */
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv("/proc/self/exe", (char *const *)argv);
        fprintf(stderr, "rnnc: cannot start a realisation: %s\n", strerror(errno));
        _exit(127);
    }
    for (unsigned i = 0; i < nd; i++)
        free(defs[i]);
    return pid;
}

/* Runs every seed, at most PARALLEL at a time; CODES gets each exit status
 * (NOT_STARTED for those an interruption kept from starting). */
static void run_children(const cli_run_options *r, const frontend_options *o, const char *work,
                         const uint64_t *seeds, unsigned k, unsigned parallel, int threads, int *codes)
{
    enum { RUNNING = -2 };
    pid_t *pids = calloc(k, sizeof *pids);
    unsigned next = 0, running = 0;
    int forwarded = 0;
    if (!pids) {
        fputs("rnnc: out of memory\n", stderr);
        return;
    }
    while (next < k || running > 0) {
        while (next < k && running < parallel && !seeds_interrupted) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/seed-%llu", work, (unsigned long long)seeds[next]);
            pids[next] = start_child(r, o, seeds[next], sub, threads);
            codes[next] = pids[next] > 0 ? RUNNING : 127;
            running += pids[next] > 0;
            next++;
        }
        if (running == 0)
            break;
        if (seeds_interrupted && !forwarded) {
            /* a terminal's Ctrl-C reaches the children already; a SIGTERM to us alone does not */
            for (unsigned i = 0; i < next; i++)
                if (codes[i] == RUNNING)
                    kill(pids[i], SIGTERM);
            forwarded = 1;
        }
        int status;
        pid_t done = wait(&status);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (unsigned i = 0; i < next; i++)
            if (pids[i] == done) {
                codes[i] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                running--;
            }
    }
    free(pids);
}

/* ------------------------------------------------------------ the combined summary */

typedef struct seed_metrics {
    unsigned count;
    char names[MAX_METRICS][METRIC_NAME];
    double values[MAX_METRICS];
    int ok;
} seed_metrics;

/* A small reader of the JSON rnnc writes, enough to collect every number
 * of a realisation's summary.json under its dotted path ("eval_loss",
 * "analysis.eigen h -> h.final.spectral_radius", "analysis.robustness[2].loss").
 * Strings, true, false and null are skipped. */
static void skip_space(const char **s)
{
    while (**s == ' ' || **s == '\n' || **s == '\t' || **s == '\r')
        (*s)++;
}

static void skip_string(const char **s)
{
    for ((*s)++; **s && **s != '"'; (*s)++)
        if (**s == '\\' && (*s)[1])
            (*s)++;
    if (**s == '"')
        (*s)++;
}

static int walk_value(const char **s, const char *path, seed_metrics *m);

/* An array's elements as PATH[0], PATH[1], ... */
static int walk_array(const char **s, const char *path, seed_metrics *m)
{
    (*s)++;   /* '[' */
    for (unsigned i = 0;; i++) {
        skip_space(s);
        if (**s == ']') {
            (*s)++;
            return 0;
        }
        char child[METRIC_NAME];
        snprintf(child, sizeof child, "%s[%u]", path, i);
        if (walk_value(s, child, m) != 0)
            return -1;
        skip_space(s);
        if (**s == ',')
            (*s)++;
    }
}

static int walk_object(const char **s, const char *path, seed_metrics *m)
{
    (*s)++;   /* '{' */
    for (;;) {
        skip_space(s);
        if (**s == '}') {
            (*s)++;
            return 0;
        }
        if (**s != '"')
            return -1;
        const char *key = *s + 1;
        skip_string(s);
        char child[METRIC_NAME];
        snprintf(child, sizeof child, "%s%s%.*s", path, *path ? "." : "", (int)(*s - key - 1), key);
        skip_space(s);
        if (**s != ':')
            return -1;
        (*s)++;
        if (walk_value(s, child, m) != 0)
            return -1;
        skip_space(s);
        if (**s == ',')
            (*s)++;
    }
}

static int walk_value(const char **s, const char *path, seed_metrics *m)
{
    skip_space(s);
    if (**s == '{')
        return walk_object(s, path, m);
    if (**s == '[')
        return walk_array(s, path, m);
    if (**s == '"') {
        skip_string(s);
    } else if (strncmp(*s, "null", 4) == 0 || strncmp(*s, "true", 4) == 0) {
        *s += 4;
    } else if (strncmp(*s, "false", 5) == 0) {
        *s += 5;
    } else {
        char *end;
        double v = strtod(*s, &end);
        if (end == *s)
            return -1;
        *s = end;
        if (m->count < MAX_METRICS) {
            snprintf(m->names[m->count], METRIC_NAME, "%s", path);
            m->values[m->count++] = v;
        }
    }
    return 0;
}

/* Every number of a realisation's summary.json into M. */
static void read_metrics(const char *json, seed_metrics *m)
{
    const char *s = json;
    skip_space(&s);
    m->count = 0;
    m->ok = *s == '{' && walk_object(&s, "", m) == 0;
}

static double metric(const seed_metrics *m, const char *name)
{
    for (unsigned i = 0; i < m->count; i++)
        if (strcmp(m->names[i], name) == 0)
            return m->values[i];
    return NAN;
}

/* Metric NAME over the realisations that have it: mean, sample standard
 * deviation, minimum, maximum (NaN where undefined). */
static void metric_stats(const char *name, const seed_metrics *m, unsigned k, double out[4])
{
    double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    unsigned n = 0;
    for (unsigned s = 0; s < k; s++) {
        double v = m[s].ok ? metric(&m[s], name) : NAN;
        if (!isfinite(v))
            continue;
        sum += v;
        sq += v * v;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        n++;
    }
    out[0] = n ? sum / n : NAN;
    out[1] = n > 1 ? sqrt(fmax(0, (sq - n * out[0] * out[0]) / (n - 1))) : NAN;
    out[2] = n ? lo : NAN;
    out[3] = n ? hi : NAN;
}

static void put_stat(text *t, const char *name, const seed_metrics *m, unsigned k, int which)
{
    double st[4];
    metric_stats(name, m, k, st);
    text_json_string(t, name, strlen(name));
    text_put(t, ": ");
    text_json_number(t, st[which]);
}

/* The report's table: each metric that is not a timing or a setting, as
 * "mean ± sd (min to max)". */
static void stats_table(const seed_metrics *m, unsigned k, report_rows *rows, char **keys, char **values,
                        size_t max)
{
    const seed_metrics *first = NULL;
    for (unsigned s = 0; s < k && !first; s++)
        if (m[s].ok)
            first = &m[s];
    rows->n = 0;
    for (unsigned i = 0; first && i < first->count && rows->n < max; i++) {
        const char *name = first->names[i];
        if (strstr(name, "seconds") || strstr(name, "_ms") || strcmp(name, "seed") == 0 ||
            strncmp(name, "populations", 11) == 0 ||
            strcmp(name, "steps") == 0 || strcmp(name, "batch") == 0 || strcmp(name, "eval_trials") == 0)
            continue;
        double st[4];
        metric_stats(name, m, k, st);
        char buf[160];
        snprintf(buf, sizeof buf, "%.4g \xc2\xb1 %.2g (%.4g to %.4g)", st[0], st[1], st[2], st[3]);
        keys[rows->n] = strdup(name);
        values[rows->n] = strdup(buf);
        if (keys[rows->n] && values[rows->n])
            rows->n++;
        else {
            free(keys[rows->n]);
            free(values[rows->n]);
        }
    }
    rows->keys = (const char *const *)keys;
    rows->values = (const char *const *)values;
    rows->caption = "Over the realisations: mean \xc2\xb1 standard deviation (smallest to largest)";
}

static char *combined_summary(const cli_run_options *r, const uint64_t *seeds, unsigned k,
                              const seed_metrics *m, const int *codes, int interrupted)
{
    text t = {0};
    text_put(&t, "{\n  \"model_file\": ");
    text_json_string(&t, r->model_path, strlen(r->model_path));
    text_put(&t, ",\n  \"realisations\": %u,\n  \"status\": \"%s\",\n  \"seeds\": [", k,
             interrupted ? "interrupted" : "trained");
    for (unsigned s = 0; s < k; s++)
        text_put(&t, "%s%llu", s ? ", " : "", (unsigned long long)seeds[s]);
    text_put(&t, "],\n  \"per_seed\": [");
    for (unsigned s = 0; s < k; s++) {
        text_put(&t, "%s\n    {\"seed\": %llu, \"exit_status\": %d, \"folder\": \"seed-%llu\"", s ? "," : "",
                 (unsigned long long)seeds[s], codes[s], (unsigned long long)seeds[s]);
        for (unsigned i = 0; m[s].ok && i < m[s].count; i++) {
            if (strcmp(m[s].names[i], "seed") == 0)
                continue;
            text_put(&t, ", ");
            text_json_string(&t, m[s].names[i], strlen(m[s].names[i]));
            text_put(&t, ": ");
            text_json_number(&t, m[s].values[i]);
        }
        text_put(&t, "}");
    }
    text_put(&t, "\n  ]");
    static const char *const stats[4] = {"mean", "std", "min", "max"};
    const seed_metrics *first = NULL;
    for (unsigned s = 0; s < k && !first; s++)
        if (m[s].ok)
            first = &m[s];
    for (int w = 0; w < 4 && first; w++) {
        text_put(&t, ",\n  \"%s\": {", stats[w]);
        int any = 0;
        for (unsigned i = 0; i < first->count; i++) {
            if (strcmp(first->names[i], "seed") == 0)
                continue;
            text_put(&t, "%s", any++ ? ", " : "");
            put_stat(&t, first->names[i], m, k, w);
        }
        text_put(&t, "}");
    }
    text_put(&t, "\n}\n");
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

/* ------------------------------------------------------------ the combined pictures */

/* The loss over updates: the mean over seeds with a mean +- sd band (the
 * band's lower edge kept above the smallest seed's loss, for the log axis),
 * and each seed as a thin grey line. */
static int draw_loss_band(figures *f, const char *work, const uint64_t *seeds, unsigned k)
{
    double *u[MAX_SEEDS] = {0}, *l[MAX_SEEDS] = {0}, *rate;
    size_t rows[MAX_SEEDS] = {0}, common = (size_t)-1;
    unsigned have = 0;
    for (unsigned s = 0; s < k; s++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/seed-%llu", work, (unsigned long long)seeds[s]);
        if (figures_read_loss(dir, &rows[s], &u[s], &l[s], &rate) == 0) {
            have++;
            common = rows[s] < common ? rows[s] : common;
        }
        free(rate);
    }
    int rc = 0;
    if (have > 0 && common != (size_t)-1 && common > 0) {
        double *mean = calloc(common, sizeof *mean), *lo = calloc(common, sizeof *lo),
               *hi = calloc(common, sizeof *hi), *x = NULL;
        rt_fig *fig = rt_fig_new(1, 1, 760, 360, NULL);
        rt_axes *ax = rt_fig_axes(fig, 0, 0);
        char title[128];
        snprintf(title, sizeof title, "Training loss over %u seeds (mean \xc2\xb1 sd)", have);
        rt_axes_labels(ax, title, "update", "loss");
        rt_axes_log_y(ax);
        for (unsigned s = 0; s < k; s++)
            if (l[s]) {
                rt_axes_line(ax, common, u[s], l[s], 1, (rt_style){.colour = RT_GREY, .width = 0.6, .alpha = 0.6});
                x = x ? x : u[s];
            }
        for (size_t i = 0; mean && lo && hi && i < common; i++) {
            double sum = 0, sq = 0, least = INFINITY;
            for (unsigned s = 0; s < k; s++)
                if (l[s]) {
                    sum += l[s][i];
                    sq += l[s][i] * l[s][i];
                    least = fmin(least, l[s][i]);
                }
            mean[i] = sum / have;
            double sd = have > 1 ? sqrt(fmax(0, (sq - have * mean[i] * mean[i]) / (have - 1))) : 0;
            lo[i] = fmax(mean[i] - sd, least);
            hi[i] = mean[i] + sd;
        }
        if (mean && lo && hi && x) {
            rt_axes_band(ax, common, x, lo, hi, (rt_style){.colour = 0, .label = "mean \xc2\xb1 sd"});
            rt_axes_line(ax, common, x, mean, 1, (rt_style){.colour = 0, .width = 1.6, .label = "mean"});
        }
        free(mean);
        free(lo);
        free(hi);
        rc = figures_save(f, fig, "loss.svg",
                          "Training loss of every realisation (grey), their mean and a mean \xc2\xb1 sd band");
    }
    for (unsigned s = 0; s < k; s++) {
        free(u[s]);
        free(l[s]);
    }
    return rc;
}

/* The spectra of PART (eigen_final_PART.npy) of every seed, one panel each. */
static int draw_spectra(figures *f, const char *work, const uint64_t *seeds, unsigned k, const char *part)
{
    if (k > MAX_SPECTRA_SHOWN)
        k = MAX_SPECTRA_SHOWN;   /* the first 32 seeds: a page of panels, not hundreds */
    unsigned cols = k < 4 ? k : 4, rows = (k + cols - 1) / cols;
    rt_fig *fig = rt_fig_new((int)rows, (int)cols, 300.0 * cols, 300.0 * rows + 40, "Eigenvalues after training");
    for (unsigned s = 0; s < k; s++) {
        char path[4096], title[96];
        snprintf(path, sizeof path, "%s/seed-%llu/eigen_final_%s.npy", work, (unsigned long long)seeds[s], part);
        rt_array e = {0};
        char err[128];
        rt_axes *ax = rt_fig_axes(fig, (int)(s / cols), (int)(s % cols));
        snprintf(title, sizeof title, "seed %llu", (unsigned long long)seeds[s]);
        figures_complex_plane(ax, title);
        if (rt_npy_read(path, &e, err, sizeof err) == 0 && e.ndim == 2 && e.shape[1] == 2)
            figures_spectrum(ax, &e, (rt_style){.colour = 0, .marker = RT_MARK_DOT, .size = 4});
        rt_array_free(&e);
    }
    char name[256], caption[320];
    snprintf(name, sizeof name, "eigen_%s.svg", part);
    snprintf(caption, sizeof caption, "Eigenvalues of %s after training, one panel per seed%s", part,
             k == MAX_SPECTRA_SHOWN ? " (at most the first 32)" : "");
    int rc = figures_save(f, fig, name, caption);
    return rc;
}

/* Every projection whose spectrum the first realisation has. */
static int draw_all_spectra(figures *f, const char *work, const uint64_t *seeds, unsigned k)
{
    int rc = 0;
    char path[4200];
    snprintf(path, sizeof path, "%s/seed-%llu/summary.json", work, (unsigned long long)seeds[0]);
    char *json = text_read_file(path);
    /* "eigen PRE -> POST": each becomes eigen_final_PRE_POST.npy */
    for (const char *p = json ? strstr(json, "\"eigen ") : NULL; p && rc == 0; p = strstr(p + 1, "\"eigen ")) {
        char pre[100], post[100], part[210];
        if (sscanf(p, "\"eigen %99s -> %99[^\"]\"", pre, post) == 2) {
            snprintf(part, sizeof part, "%s_%s", pre, post);
            rc = draw_spectra(f, work, seeds, k, part);
        }
    }
    free(json);
    return rc;
}

static int write_combined(const cli_run_options *r, const rt_outdir *out, const uint64_t *seeds, unsigned k,
                          const int *codes, int interrupted)
{
    seed_metrics *m = calloc(k, sizeof *m);
    if (!m)
        return -1;
    for (unsigned s = 0; s < k; s++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/seed-%llu/summary.json", out->work_path, (unsigned long long)seeds[s]);
        char *json = text_read_file(path);
        if (json)
            read_metrics(json, &m[s]);
        free(json);
    }
    char *json = combined_summary(r, seeds, k, m, codes, interrupted);
    char *keys[MAX_METRICS], *values[MAX_METRICS];
    report_rows rows;
    stats_table(m, k, &rows, keys, values, MAX_METRICS);
    free(m);
    int rc = json ? rt_outdir_write_text(out, "summary.json", json) : -1;
    figures f = {.dir = out->work_path};
    rc = rc ? rc : draw_loss_band(&f, out->work_path, seeds, k);
    rc = rc ? rc : draw_all_spectra(&f, out->work_path, seeds, k);
    if (rc == 0) {
        char title[320];
        snprintf(title, sizeof title, "%s: %u realisations", r->model_path, k);
        char *source = text_read_file(r->model_path);
        rc = report_write(&f, title, json, source, &rows);
        free(source);
    }
    for (size_t i = 0; i < rows.n; i++) {
        free(keys[i]);
        free(values[i]);
    }
    free(json);
    return rc;
}

int cli_run_seeds(const frontend_options *o, const cli_run_options *r, const char *dir, uint64_t first_seed)
{
    unsigned k = r->seeds;
    uint64_t *seeds = malloc(k * sizeof *seeds);
    int *codes = malloc(k * sizeof *codes);
    for (unsigned s = 0; codes && s < k; s++)
        codes[s] = NOT_STARTED;
    rt_outdir out;
    if (!seeds || !codes) {
        free(seeds);
        free(codes);
        fputs("rnnc: out of memory\n", stderr);
        return 1;
    }
    for (unsigned s = 0; s < k; s++)
        seeds[s] = first_seed + s;
    if (rt_outdir_begin(&out, dir) != 0) {
        fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir,
                errno == EEXIST ? "it exists and is not an rnnc results folder" : strerror(errno));
        free(seeds);
        free(codes);
        return 1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned parallel = cores > 0 ? (unsigned)cores : 1;
    if (parallel > k)
        parallel = k;
    int threads = cores > 0 ? (int)(cores / parallel) : 1;
    printf("rnnc: %u realisations of %s (seeds %llu to %llu), %u at a time with %d thread%s each\n", k,
           r->model_path, (unsigned long long)seeds[0], (unsigned long long)seeds[k - 1], parallel, threads,
           threads == 1 ? "" : "s");
    fflush(stdout);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    run_children(r, o, out.work_path, seeds, k, parallel, threads, codes);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    unsigned trained = 0, stopped = 0;
    for (unsigned s = 0; s < k; s++) {
        trained += codes[s] == 0;
        stopped += codes[s] == 130 || codes[s] == NOT_STARTED;
        if (codes[s] != 0 && codes[s] != 130 && codes[s] != NOT_STARTED)
            fprintf(stderr, "rnnc: realisation with seed %llu failed (exit status %d)\n",
                    (unsigned long long)seeds[s], codes[s]);
    }
    int status = 0;
    if (trained + stopped == 0) {
        status = 1;   /* every realisation failed: nothing to combine */
    } else if (write_combined(r, &out, seeds, k, codes, seeds_interrupted) != 0) {
        fprintf(stderr, "rnnc: cannot write the combined results: %s\n", strerror(errno));
        status = 1;
    } else if (rt_outdir_commit(&out) != 0) {
        fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
        status = 1;
    } else {
        printf("rnnc: %u of %u realisations trained%s; results in %s\n", trained, k,
               stopped ? " (Ctrl-C stopped the others; what they had done is kept)" : "", dir);
    }
    if (status)
        rt_outdir_abort(&out);
    else if (seeds_interrupted)
        status = 130;
    else if (trained < k)
        status = 1;
    free(seeds);
    free(codes);
    return status;
}
