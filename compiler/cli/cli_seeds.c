/* cli_seeds.c -- rnnc run MODEL --seeds K: K realisations side by side.
 *
 * Each realisation is an ordinary 'rnnc run --seed S' in a child process
 * (a fresh process: no JIT, BLAS or thread state is shared), writing its
 * folder seed-S inside the combined folder. As many run at once as there
 * are cores, each with cores / that many threads. The combined folder
 * adds summary.json (per_seed, and the mean, standard deviation, minimum,
 * maximum and count of every metric: rt_summary_combine), the loss curve
 * as a mean +- sd band over seeds, the eigenvalue spectra side by side and
 * report.html. It is written aside and renamed when complete, like every
 * results folder.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>   /* PR_SET_PDEATHSIG */
#endif

#include "cli.h"
#include "cli_mpi.h"
#include "rt_figures.h"
#include "rt_files.h"
#include "rt_npy.h"
#include "rt_outdir.h"
#include "rt_plot.h"
#include "rt_summary.h"
#include "text.h"

enum { MAX_SEEDS = 1000, MAX_SPECTRA_SHOWN = 32 };
enum { NOT_STARTED = CLI_NOT_STARTED };

/* In the child, before exec, with the stop signals still blocked (the
 * parent blocks them around fork): they stay blocked through exec until
 * the child's rnnc has its handler (cli_catch_stop_signals unblocks them),
 * so a signal at any moment stops the child cleanly. And the child dies
 * with its parent, so no realisation trains on for a parent that was killed. */
static void child_signals(pid_t parent)
{
#ifdef __linux__
    /* Linux only: SIGTERM when the parent dies, which the child handles as
     * any stop; the parent may have died before the call, hence getppid. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
    if (getppid() != parent)
        _exit(130);
}

/* Starts 'rnnc run' for SEED into SUB, with THREADS threads unless the
 * user's -D threads says otherwise. The threads go by CLI_SEEDS_THREADS,
 * not by a -D, which the realisation's summary would list among the
 * user's "defines" (and rnnc analyze repeat). */
static pid_t start_child(const cli_run_options *r, const frontend_options *o, uint64_t seed, const char *sub,
                         int threads)
{
    char seed_text[32], threads_text[32];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    snprintf(threads_text, sizeof threads_text, "%d", threads);
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
    argv[n] = NULL;
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();   /* the caller blocks the stop signals around this */
    if (pid == 0) {
        child_signals(parent);
        setenv("RNNC_QUIET", "1", 1);   /* no progress lines from several children at once */
        setenv(CLI_REALISATION, "1", 1);   /* no MPI rank, though it inherits the launcher's variables */
        if (user_threads)
            unsetenv(CLI_SEEDS_THREADS);
        else
            setenv(CLI_SEEDS_THREADS, threads_text, 1);
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

/* Runs every job, at most PARALLEL at a time; CODES gets each exit status
 * (NOT_STARTED for those an interruption kept from starting). */
void cli_run_children(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *work,
                      unsigned parallel, int threads, int *codes)
{
    enum { RUNNING = -2 };
    pid_t *pids = calloc(k, sizeof *pids);
    unsigned next = 0, running = 0;
    if (!pids) {
        fputs("rnnc: out of memory\n", stderr);
        return;
    }
    /* a terminal's Ctrl-C reaches the children already; a signal to us alone is passed on */
    cli_forward_stop_signals(pids, k);
    while (next < k || running > 0) {
        while (next < k && running < parallel && !cli_stop) {
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", work, jobs[next].folder);
            cli_block_stop_signals(1);   /* until its pid is in the list the handler reads */
            pids[next] = start_child(r, jobs[next].opts, jobs[next].seed, sub, threads);
            cli_block_stop_signals(0);
            codes[next] = pids[next] > 0 ? RUNNING : 127;
            running += pids[next] > 0;
            next++;
        }
        if (running == 0)
            break;
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
                pids[i] = 0;   /* reaped: its pid may be reused, so no more signals to it */
                running--;
            }
    }
    cli_forward_stop_signals(NULL, 0);
    free(pids);
}

/* ------------------------------------------------------------ the combined summary */

/* Each realisation's numbers under dotted names ("eval_loss",
 * "analysis.eigen h -> h.final.spectral_radius",
 * "analysis.robustness[2].loss"; see rt_summary_flatten): M[S], or NULL
 * where there is no summary. One that should be there and cannot be read
 * is said so; a realisation that failed or never started has none. */
static void read_metrics(const char *work, const uint64_t *seeds, const int *codes, unsigned k, json_t **m)
{
    for (unsigned s = 0; s < k; s++) {
        char path[4200], err[4400];
        snprintf(path, sizeof path, "%s/seed-%llu/%s", work, (unsigned long long)seeds[s], RT_FILE_SUMMARY);
        json_t *summary = rt_summary_load(path, err, sizeof err);
        m[s] = summary ? rt_summary_flatten(summary) : NULL;
        if (!m[s] && (codes[s] == 0 || access(path, F_OK) == 0))
            fprintf(stderr, "rnnc: %s; seed %llu is left out of the combined summary\n",
                    summary ? "out of memory" : err, (unsigned long long)seeds[s]);
        json_decref(summary);
    }
}

int cli_is_result(const char *name)
{
    return !strstr(name, "seconds") && !strstr(name, "_ms") && strncmp(name, "populations", 11) != 0 &&
           strcmp(name, "steps") != 0 && strcmp(name, "batch") != 0 && strcmp(name, "eval_trials") != 0;
}

/* The report's table: each result of COMBINED (rt_summary_combine's) as
 * "mean ± sd (min to max)", and "in N of K" when only N of the K
 * realisations with a summary have it. KEYS and VALUES hold a string per
 * name; stats_table_free. */
static int stats_table(const json_t *combined, unsigned with_summary, rt_figures_table *rows)
{
    const json_t *mean = json_object_get(combined, "mean"), *std = json_object_get(combined, "std"),
                 *lo = json_object_get(combined, "min"), *hi = json_object_get(combined, "max"),
                 *count = json_object_get(combined, "count");
    size_t max = json_object_size(mean);
    char **keys = calloc(max + 1, sizeof *keys), **values = calloc(max + 1, sizeof *values);
    *rows = (rt_figures_table){
        .caption = "Over the realisations: mean \xc2\xb1 standard deviation (smallest to largest)",
        .keys = (const char *const *)keys,
        .values = (const char *const *)values};
    if (!keys || !values)
        return -1;
    const char *name;
    json_t *v;
    json_object_foreach ((json_t *)mean, name, v) {
        if (!cli_is_result(name))
            continue;
        char buf[200], in[64] = "";
        double n = rt_summary_number(count, name);
        if (n < with_summary)
            snprintf(in, sizeof in, ", in %.0f of %u", n, with_summary);
        snprintf(buf, sizeof buf, "%.4g \xc2\xb1 %.2g (%.4g to %.4g)%s", rt_summary_number(mean, name),
                 rt_summary_number(std, name), rt_summary_number(lo, name), rt_summary_number(hi, name), in);
        keys[rows->n] = strdup(name);
        values[rows->n] = strdup(buf);
        if (!keys[rows->n] || !values[rows->n])
            return -1;
        rows->n++;
    }
    return 0;
}

static void stats_table_free(rt_figures_table *rows)
{
    char **keys = (char **)rows->keys, **values = (char **)rows->values;
    for (size_t i = 0; keys && values && (keys[i] || values[i]); i++) {
        free(keys[i]);
        free(values[i]);
    }
    free(keys);
    free(values);
}

/* {"seed": S, "exit_status": C, "folder": "seed-S", and METRICS but "seed"} */
static json_t *per_seed_entry(uint64_t seed, int code, const json_t *metrics)
{
    char folder[32];
    snprintf(folder, sizeof folder, "seed-%llu", (unsigned long long)seed);
    json_t *e = json_object();
    int bad = json_object_set_new(e, "seed", json_integer((json_int_t)seed));
    bad |= json_object_set_new(e, "exit_status", json_integer(code));
    bad |= json_object_set_new(e, "folder", json_string(folder));
    const char *name;
    json_t *v;
    json_object_foreach ((json_t *)metrics, name, v)
        if (strcmp(name, "seed") != 0)
            bad |= json_object_set(e, name, v);
    if (bad) {
        json_decref(e);
        return NULL;
    }
    return e;
}

/* The combined summary.json: the realisations, each one's numbers
 * (per_seed) and COMBINED's statistics, when any realisation has a summary. */
static json_t *combined_summary(const cli_run_options *r, const uint64_t *seeds, unsigned k, json_t *const *m,
                                const json_t *combined, const int *codes, const char *status)
{
    json_t *c = json_object(), *list = json_array(), *per_seed = json_array();
    int bad = json_object_set_new(c, "model_file", json_string(r->model_path));
    bad |= json_object_set_new(c, "realisations", json_integer(k));
    bad |= json_object_set_new(c, "status", json_string(status));
    for (unsigned s = 0; s < k; s++) {
        bad |= json_array_append_new(list, json_integer((json_int_t)seeds[s]));
        bad |= json_array_append_new(per_seed, per_seed_entry(seeds[s], codes[s], m[s]));
    }
    bad |= json_object_set_new(c, "seeds", list);
    bad |= json_object_set_new(c, "per_seed", per_seed);
    const char *stat;
    json_t *by_name;
    json_object_foreach ((json_t *)combined, stat, by_name)   /* mean, std, min, max, count */
        bad |= json_object_set(c, stat, by_name);
    if (bad) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* ------------------------------------------------------------ the combined pictures */

/* The loss over updates: the mean over seeds with a mean +- sd band (the
 * band's lower edge kept above the smallest seed's loss, for the log axis),
 * and each seed as a thin grey line. */
static int draw_loss_band(rt_figures *f, const char *work, const uint64_t *seeds, unsigned k, char *err,
                          size_t err_size)
{
    double *u[MAX_SEEDS] = {0}, *l[MAX_SEEDS] = {0}, *rate;
    size_t rows[MAX_SEEDS] = {0}, common = (size_t)-1;
    unsigned have = 0;
    for (unsigned s = 0; s < k; s++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/seed-%llu", work, (unsigned long long)seeds[s]);
        int rc = rt_figures_read_loss(dir, &rows[s], &u[s], &l[s], &rate, err, err_size);
        free(rate);
        if (rc != 0) {
            for (unsigned t = 0; t < s; t++) {
                free(u[t]);
                free(l[t]);
            }
            return -1;
        }
        if (rows[s] > 0) {
            have++;
            common = rows[s] < common ? rows[s] : common;
        }
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
        rc = rt_figures_save(f, fig, RT_FILE_LOSS_SVG,
                             "Training loss of every realisation (grey), their mean and a mean \xc2\xb1 sd band", err,
                             err_size);
    }
    for (unsigned s = 0; s < k; s++) {
        free(u[s]);
        free(l[s]);
    }
    return rc;
}

/* The spectra of PART (eigen_final_PART.npy) of every seed, one panel each. */
static int draw_spectra(rt_figures *f, const char *work, const uint64_t *seeds, unsigned k, const char *part,
                        char *err, size_t err_size)
{
    if (k > MAX_SPECTRA_SHOWN)
        k = MAX_SPECTRA_SHOWN;   /* the first 32 seeds: a page of panels, not hundreds */
    unsigned cols = k < 4 ? k : 4, rows = (k + cols - 1) / cols;
    rt_fig *fig = rt_fig_new((int)rows, (int)cols, 300.0 * cols, 300.0 * rows + 40, "Eigenvalues after training");
    for (unsigned s = 0; s < k; s++) {
        char path[4096], title[96], file[320], why[256];
        snprintf(path, sizeof path, "%s/seed-%llu/%s", work, (unsigned long long)seeds[s],
                 rt_file_name(file, sizeof file, RT_FILE_EIGEN, RT_WHEN_FINAL, part));
        rt_array e = {0};
        rt_axes *ax = rt_fig_axes(fig, (int)(s / cols), (int)(s % cols));
        snprintf(title, sizeof title, "seed %llu", (unsigned long long)seeds[s]);
        rt_figures_complex_plane(ax, title);
        /* a realisation that failed has no spectrum: its panel stays empty */
        if (rt_npy_read(path, &e, why, sizeof why) == 0 && e.ndim == 2 && e.shape[1] == 2)
            rt_figures_spectrum(ax, &e, (rt_style){.colour = 0, .marker = RT_MARK_DOT, .size = 4});
        rt_array_free(&e);
    }
    char name[256], caption[320];
    rt_file_name(name, sizeof name, RT_FILE_EIGEN_SVG, part);
    snprintf(caption, sizeof caption, "Eigenvalues of %s after training, one panel per seed%s", part,
             k == MAX_SPECTRA_SHOWN ? " (at most the first 32)" : "");
    return rt_figures_save(f, fig, name, caption, err, err_size);
}

/* Every projection whose spectrum the first realisation with a summary
 * has: its analyses "eigen PRE -> POST", each drawn from the seeds'
 * eigen_final_STEM.npy (STEM as the analysis gives it: h_h, h_h_I_z). */
static int draw_all_spectra(rt_figures *f, const char *work, const uint64_t *seeds, json_t *const *m, unsigned k,
                            char *err, size_t err_size)
{
    unsigned first = 0;
    while (first < k && !m[first])
        first++;
    if (first == k)
        return 0;
    char path[4200], why[4400];
    snprintf(path, sizeof path, "%s/seed-%llu/%s", work, (unsigned long long)seeds[first], RT_FILE_SUMMARY);
    json_t *summary = rt_summary_load(path, why, sizeof why);   /* its failure was told by read_metrics */
    const char *name;
    json_t *v;
    int rc = 0;
    json_object_foreach (json_object_get(summary, "analysis"), name, v) {
        const char *stem = rt_summary_string(v, "file_stem");
        if (rc == 0 && strncmp(name, "eigen ", 6) == 0 && stem)
            rc = draw_spectra(f, work, seeds, k, stem, err, err_size);
    }
    json_decref(summary);
    return rc;
}

/* The combined summary.json into OUT; 0, or -1 with a message printed. */
static int save_combined(const rt_outdir *out, const json_t *summary)
{
    char *path = rt_outdir_file(out, RT_FILE_SUMMARY), err[4400];
    int rc = 0;
    if (!path) {
        fputs("rnnc: out of memory for the combined summary\n", stderr);
        rc = -1;
    } else if (rt_summary_save(path, summary, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: cannot write the combined summary: %s\n", err);
        rc = -1;
    }
    free(path);
    return rc;
}

/* The combined folder's pictures and report.html (SUMMARY's metrics and
 * ROWS); 0, or -1 with a message in ERR. */
static int combined_pictures(const cli_run_options *r, const rt_outdir *out, const uint64_t *seeds, unsigned k,
                             json_t *const *m, const json_t *summary, const rt_figures_table *rows, char *err,
                             size_t err_size)
{
    rt_figures f = {.dir = out->work_path};
    if (draw_loss_band(&f, out->work_path, seeds, k, err, err_size) != 0 ||
        draw_all_spectra(&f, out->work_path, seeds, m, k, err, err_size) != 0)
        return -1;
    char title[320];
    snprintf(title, sizeof title, "%s: %u realisations", r->model_path, k);
    char *source = text_read_file(r->model_path);
    int rc = rt_figures_report(&f, title, summary, source, rows, err, err_size);
    free(source);
    return rc;
}

/* The combined folder's summary.json, pictures and report.html; 0, or -1
 * with a message printed. A picture that fails is told, and the results
 * are kept without it, as in a single run. */
static int write_combined(const cli_run_options *r, const rt_outdir *out, const uint64_t *seeds, unsigned k,
                          const int *codes, const char *status)
{
    json_t **m = calloc(k, sizeof *m), *combined = NULL, *summary = NULL;
    rt_figures_table rows = {0};
    char err[4400];
    int rc = -1;
    unsigned with_summary = 0;
    if (m) {
        read_metrics(out->work_path, seeds, codes, k, m);
        for (unsigned s = 0; s < k; s++)
            with_summary += m[s] != NULL;
        combined = with_summary ? rt_summary_combine(m, k) : json_object();
    }
    summary = combined ? combined_summary(r, seeds, k, m, combined, codes, status) : NULL;
    if (!summary || stats_table(combined, with_summary, &rows) != 0)
        fputs("rnnc: out of memory for the combined results\n", stderr);
    else
        rc = save_combined(out, summary);
    if (rc == 0 && combined_pictures(r, out, seeds, k, m, summary, &rows, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: error: %s\n", err);
        fputs(CLI_PICTURES_KEPT, stderr);
    }
    for (unsigned s = 0; m && s < k; s++)
        json_decref(m[s]);
    free(m);
    stats_table_free(&rows);
    json_decref(combined);
    json_decref(summary);
    return rc;
}

/* Whether the run in WORK/FOLDER wrote a summary.json whose "status" says
 * its training stopped before the end ("stopped: non-finite loss"): it
 * exited with 1, and its folder holds what it did. */
static int stopped_early(const char *work, const char *folder)
{
    char path[4200], err[4400];
    snprintf(path, sizeof path, "%s/%s/%s", work, folder, RT_FILE_SUMMARY);
    if (access(path, F_OK) != 0)
        return 0;
    json_t *summary = rt_summary_load(path, err, sizeof err);
    const char *status = json_string_value(json_object_get(summary, "status"));
    int stopped = status && strncmp(status, "stopped", 7) == 0;
    json_decref(summary);
    return stopped;
}

/* The combined "status": "trained" only when every realisation was. */
static const char *combined_status(unsigned trained, unsigned k, int interrupted, char *buf, size_t size)
{
    if (interrupted)
        return "interrupted";
    if (trained == k)
        return "trained";
    snprintf(buf, size, "incomplete: %u of %u realisations trained", trained, k);
    return buf;
}

cli_tally cli_tally_runs(const cli_job *jobs, const int *codes, unsigned k, const char *work)
{
    cli_tally t = {0};
    for (unsigned s = 0; s < k; s++) {
        t.trained += codes[s] == 0;
        t.stopped += codes[s] == 130 || codes[s] == NOT_STARTED;
        if (codes[s] == 0 || codes[s] == 130 || codes[s] == NOT_STARTED)
            continue;
        if (codes[s] == 1 && stopped_early(work, jobs[s].folder)) {
            t.unfinished++;   /* its own message said why */
            fprintf(stderr, "rnnc: %s stopped before the end of its training\n", jobs[s].label);
        } else {
            fprintf(stderr, "rnnc: %s failed (exit status %d)\n", jobs[s].label, codes[s]);
        }
    }
    return t;
}

int cli_run_seeds(const frontend_options *o, const cli_run_options *r, const char *dir, uint64_t first_seed)
{
    unsigned k = r->seeds;
    uint64_t *seeds = malloc(k * sizeof *seeds);
    int *codes = malloc(k * sizeof *codes);
    cli_job *jobs = calloc(k, sizeof *jobs);
    rt_outdir out;
    if (!seeds || !codes || !jobs) {
        free(seeds);
        free(codes);
        free(jobs);
        fputs("rnnc: out of memory\n", stderr);
        return 1;
    }
    for (unsigned s = 0; s < k; s++) {
        seeds[s] = first_seed + s;
        jobs[s].opts = o;
        jobs[s].seed = seeds[s];
        snprintf(jobs[s].folder, sizeof jobs[s].folder, "seed-%llu", (unsigned long long)seeds[s]);
        snprintf(jobs[s].label, sizeof jobs[s].label, "realisation with seed %llu", (unsigned long long)seeds[s]);
    }
    char what[4400];
    snprintf(what, sizeof what, "%u realisations of %s (seeds %llu to %llu)", k, r->model_path,
             (unsigned long long)seeds[0], (unsigned long long)seeds[k - 1]);
    int status = 0;
    if (cli_jobs_run(r, jobs, k, dir, what, &out, codes, &status) == CLI_JOBS_DONE) {
        free(seeds);
        free(codes);
        free(jobs);
        return status;
    }
    cli_tally t = cli_tally_runs(jobs, codes, k, out.work_path);
    unsigned trained = t.trained, stopped = t.stopped, unfinished = t.unfinished;
    int interrupted = cli_stop;   /* read once: the summary's status and the exit status agree */
    char combined[96];
    if (trained + stopped + unfinished == 0) {
        status = 1;   /* every realisation failed: nothing to combine */
    } else if (write_combined(r, &out, seeds, k, codes,
                              combined_status(trained, k, interrupted, combined, sizeof combined)) != 0) {
        status = 1;   /* the message is printed */
    } else if (rt_outdir_commit(&out) != 0) {
        fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
        status = 1;
    } else {
        char note[96] = "";
        if (unfinished)
            snprintf(note, sizeof note, " (%u stopped before the end; what %s had done is kept)", unfinished,
                     unfinished == 1 ? "it" : "they");
        printf("rnnc: %u of %u realisations trained%s%s; results in %s\n", trained, k, note,
               stopped ? " (Ctrl-C stopped the others; what they had done is kept)" : "", dir);
    }
    if (status)
        rt_outdir_abort(&out);
    else if (interrupted)
        status = 130;
    else if (trained < k)
        status = 1;
    free(seeds);
    free(codes);
    free(jobs);
    return status;
}
