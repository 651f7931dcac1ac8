/* cli_run.c -- rnnc run: compile a checked model to the runtime's run
 * description, run it, and write its results folder; rnnc analyze DIR;
 * rnnc emit-llvm.
 *
 * The folder is written aside and renamed into place when complete (see
 * runtime/rt_outdir.h). An error leaves no partial folder; Ctrl-C stops
 * training between updates and the folder is written with what was done.
 * The training, the evaluation, the records and the analyses are the
 * runtime's (runtime/rt_run.h); this file adds what only the compiler
 * knows to summary.json (the model, its settings as written) and prints.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "plan.h"
#include "rt_figures.h"
#include "rt_files.h"
#include "rt_outdir.h"
#include "rt_run.h"
#include "rt_summary.h"
#include "sema.h"

/* An error at AT, printed as every diagnostic is: file:line:col, the line, a caret. */
static void error_at(frontend *fe, const ast_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void error_at(frontend *fe, const ast_node *at, const char *fmt, ...)
{
    diag_ctx d;
    diag_init(&d, &fe->arena, &fe->sources);
    va_list ap;
    va_start(ap, fmt);
    diag_verror(&d, at ? at->loc : (src_loc){0}, fmt, ap);
    va_end(ap);
    diag_print(&d, stderr, cli_use_color());
}

/* ------------------------------------------------------------ summary.json */

/* An expression as source text, however long and over however many lines. */
static json_t *expr_json(const ast_node *e)
{
    char small[256];
    size_t n = ast_format(e, small, sizeof small);
    if (n < sizeof small)
        return json_stringn(small, n);
    char *big = malloc(n + 1);
    if (!big)
        return json_null();
    ast_format(e, big, n + 1);
    json_t *s = json_stringn(big, n);
    free(big);
    return s;
}

/* The -D override of setting NAME, if the command line gave one. */
static const frontend_define *setting_override(const frontend_options *o, const char *name)
{
    for (unsigned i = 0; i < o->define_count; i++)
        if (o->defines[i].expr && strcmp(o->defines[i].name, name) == 0)
            return &o->defines[i];
    return NULL;
}

static const ast_node *find_setting(const ast_node *run, const char *name)
{
    for (const ast_node *s = run->first->next; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static const ast_node *find_run(const frontend *fe)
{
    return plan_find_run(fe);
}

static const char *model_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".rnn") == 0)
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, base);
    return buf;
}

static json_t *inputs_json(const plan *p)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < p->n_inputs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p->input_names[i]));
        json_object_set_new(o, "size", json_integer((json_int_t)p->input_sizes[i]));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *populations_json(const plan *p)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < p->n_pops; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p->pops[i].name));
        json_object_set_new(o, "neuron", json_string(p->neurons[i].neuron));
        json_object_set_new(o, "size", json_integer((json_int_t)p->pops[i].n));
        json_object_set_new(o, "readout", json_boolean(p->pop_readout[i]));
        json_array_append_new(a, o);
    }
    return a;
}

/* A setting's value as written: its expression, true for a flag, a list. */
static json_t *setting_json(const ast_node *s)
{
    if (!s->first)
        return json_true();
    if (!s->first->next)
        return expr_json(s->first);
    json_t *a = json_array();
    for (const ast_node *v = s->first; v; v = v->next)
        json_array_append_new(a, expr_json(v));
    return a;
}

/* The threads --seeds gave this realisation (CLI_SEEDS_THREADS), or 0. */
static int seeds_threads(void)
{
    const char *text = getenv(CLI_SEEDS_THREADS);
    char *end;
    long n = text ? strtol(text, &end, 10) : 0;
    return text && *text && !*end && n > 0 && n <= 4096 ? (int)n : 0;
}

/* Each setting as it is in force: the -D override, else the threads
 * --seeds gave, else the model's values; and the -D values as given. */
static void put_settings(json_t *doc, const frontend_options *o, const ast_node *run)
{
    json_t *settings = json_object(), *defines = json_object();
    for (const ast_node *s = run->first->next; s; s = s->next) {
        const frontend_define *d = setting_override(o, s->name);
        json_object_set_new(settings, s->name, d ? expr_json(d->expr) : setting_json(s));
    }
    const char *names[64];
    unsigned count = sema_setting_names(names, 64);
    for (unsigned i = 0; i < count; i++) {
        const frontend_define *d = setting_override(o, names[i]);
        if (d && !find_setting(run, names[i]))
            json_object_set_new(settings, names[i], expr_json(d->expr));
    }
    char threads[32];
    snprintf(threads, sizeof threads, "%d", seeds_threads());
    if (seeds_threads() && !setting_override(o, "threads"))
        json_object_set_new(settings, "threads", json_string(threads));
    for (unsigned i = 0; i < o->define_count; i++)
        json_object_set_new(defines, o->defines[i].name, json_string(o->defines[i].value));
    json_object_set_new(doc, "settings", settings);
    json_object_set_new(doc, "defines", defines);
}

/* --seed, else -D seed=..., else the model's 'seed', else 1. */
static uint64_t resolve_seed(const ast_node *run, const frontend_options *o, const cli_run_options *r)
{
    return r->seed_given ? r->seed : plan_model_seed(o, run);
}

static double compile_ms(const cli_run_options *r, const plan *p)
{
    return r->check_ms + p->lower_ms + p->timings.build_ms + p->timings.optimize_ms + p->timings.emit_ms;
}

static json_t *summary_json(const frontend_options *o, const cli_run_options *r, const plan *p,
                            const rt_run_result *res, const char *model)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "model", json_string(model));
    json_object_set_new(doc, "model_file", json_string(r->model_path));
    char *absolute = realpath(r->model_path, NULL);   /* for rnnc analyze from any folder */
    if (absolute)
        json_object_set_new(doc, "model_path", json_string(absolute));
    free(absolute);
    json_object_set_new(doc, "seed", json_integer((json_int_t)p->settings.seed));
    json_object_set_new(doc, "run", json_string(p->run->kind == AST_TRAIN ? "train" : "evaluate"));
    json_object_set_new(doc, "network", json_string(p->run->name));
    json_object_set_new(doc, "task", expr_json(p->run->first));
    json_object_set_new(doc, "inputs", inputs_json(p));
    if (p->desc.task.n_phases > 0) {   /* the names of eval_phases.npy's values 1, 2, ..., for task.svg */
        json_t *phases = json_array();
        for (unsigned k = 0; k < p->desc.task.n_phases; k++)
            json_array_append_new(phases, json_string(p->desc.task.phase_names[k]));
        json_object_set_new(doc, "task_phases", phases);
    }
    json_object_set_new(doc, "populations", populations_json(p));
    put_settings(doc, o, p->run);
    rt_run_summary(&p->desc, res, doc);
    json_t *phases = json_object();
    json_object_set_new(phases, "parse_and_check", json_real(r->check_ms));
    json_object_set_new(phases, "lower", json_real(p->lower_ms));
    json_object_set_new(phases, "llvm_build", json_real(p->timings.build_ms));
    json_object_set_new(phases, "optimize", json_real(p->timings.optimize_ms));
    json_object_set_new(phases, "emit", json_real(p->timings.emit_ms));
    json_object_set_new(doc, "compile_phases_ms", phases);
    json_object_set_new(doc, "compile_ms", json_real(compile_ms(r, p)));
    json_object_set_new(doc, "rnnc_version", json_string(RNNC_VERSION));
    return doc;
}

/* DOC as summary.json in OUT. */
static int save_summary(const rt_outdir *out, const json_t *doc)
{
    char err[1024], *path = rt_outdir_file(out, RT_FILE_SUMMARY);
    if (!path || rt_summary_save(path, doc, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: error: cannot write %s: %s\n", RT_FILE_SUMMARY, path ? err : "out of memory");
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

/* ------------------------------------------------------------ the results folder */

int cli_open_results(rt_outdir *out, const char *dir)
{
    if (rt_outdir_begin(out, dir) == 0)
        return 0;
    char why[4400];
    if (errno == EEXIST || errno == EINVAL)
        fprintf(stderr, "rnnc: error: %s\n", rt_outdir_check(dir, why, sizeof why) != 0 ? why : strerror(errno));
    else
        fprintf(stderr, "rnnc: error: cannot create the results folder '%s': %s\n", dir, strerror(errno));
    return -1;
}

/* The model file as it was run (model.rnn), the pictures and report.html
 * (SUMMARY's metrics and settings); 0, or -1 with a message printed. */
static int write_pictures(const frontend *fe, const plan *p, const rt_outdir *out, const char *model,
                          const json_t *summary)
{
    const char *source = fe->sources.files[p->run->loc.file].text;
    if (rt_outdir_write_text(out, RT_FILE_MODEL, source) != 0) {
        fprintf(stderr, "rnnc: error: cannot write %s: %s\n", RT_FILE_MODEL, strerror(errno));
        return -1;
    }
    rt_figures f = {.dir = out->work_path, .dt = p->dt};
    char title[320], err[4400];
    snprintf(title, sizeof title, "%s, seed %llu", model, (unsigned long long)p->settings.seed);
    if (rt_figures_draw(&f, err, sizeof err) != 0 ||
        rt_figures_report(&f, title, summary, source, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: error: %s\n", err);
        return -1;
    }
    return 0;
}

/* The analysis that failed, at its line in the model. */
static void report_analysis_failure(frontend *fe, const plan *p, const rt_run_result *res, const char *then)
{
    if (res->failed_analysis < 0)
        return;
    const ast_node *at = p->analysis_at[res->failed_analysis];
    error_at(fe, at, "analyze %s(...): %s", at->name, res->analysis_error);
    if (*then)
        fprintf(stderr, "rnnc: %s\n", then);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The progress line of a training on a terminal: at most twice a second. */
static void show_progress(void *ctx, size_t u, size_t updates, size_t per_epoch, double loss, double seconds)
{
    double *last_shown = ctx, now = now_s();
    if (now - *last_shown < 0.5 && u + 1 < updates)
        return;
    *last_shown = now;
    double rate = (double)(u + 1) / seconds, eta = (double)(updates - u - 1) / rate;
    fprintf(stderr, "\r\033[Kepoch %zu/%zu  update %zu/%zu  loss %.5g  %.1f updates/s  ETA %.0fs", u / per_epoch + 1,
            (updates + per_epoch - 1) / per_epoch, u + 1, updates, loss, rate, eta);
    if (u + 1 == updates)
        fputc('\n', stderr);
    fflush(stderr);
}

static int write_results(frontend *fe, const frontend_options *o, const cli_run_options *r, plan *p,
                         const char *model, const char *dir, rt_run_result *res)
{
    rt_outdir out;
    if (cli_open_results(&out, dir) != 0)
        return 1;
    const char *quiet = getenv("RNNC_QUIET");   /* set for the realisations of --seeds */
    double last_shown = 0;
    rt_progress progress = {&last_shown, show_progress};
    int on_terminal = isatty(STDERR_FILENO) && !(quiet && *quiet);
    char err[1024];
    int status = 0;
    int failed = rt_run_train(&p->desc, &out, &cli_stop, on_terminal ? &progress : NULL, res, err, sizeof err);
    if (on_terminal && res->updates_done && res->updates_done < p->settings.updates)
        fputc('\n', stderr);   /* the progress line stopped early */
    if (failed) {
        fprintf(stderr, "rnnc: error: %s\n", err);
        status = 1;
    } else if (res->analysis_write_failed) {   /* a full disk: the folder would be incomplete */
        if (res->failed_analysis < 0)   /* after every analysis ran: the fixed points placed in a PCA's space */
            fprintf(stderr, "rnnc: error: %s\n", res->analysis_error);
        report_analysis_failure(fe, p, res, "");
        status = 1;
    } else {
        report_analysis_failure(fe, p, res, "the analyses stopped with an error; the trained network's results "
                                            "are kept without them");
        json_t *doc = summary_json(o, r, p, res, model);
        if (!doc || save_summary(&out, doc) != 0 || write_pictures(fe, p, &out, model, doc) != 0) {
            status = 1;
        } else if (rt_outdir_commit(&out) != 0) {
            fprintf(stderr, "rnnc: error: cannot move the results into '%s': %s\n", dir, strerror(errno));
            status = 1;
        }
        json_decref(doc);
    }
    if (status) {   /* nothing half-written replaces what DIR held */
        rt_outdir_abort(&out);
        fprintf(stderr, "rnnc: no results were written; '%s' is as it was\n", dir);
    }
    return status;
}

static void print_timings(const cli_run_options *r, const plan *p)
{
    if (!r->verbose)
        return;
    unsigned long nodes = 0;   /* the expression graphs' size: linear in the model's, never more */
    for (unsigned i = 0; i < p->n_pops; i++)
        nodes += p->neurons[i].g.count;
    fprintf(stderr, "rnnc: lower to IR %.2f ms (%lu nodes), LLVM IR %.2f ms, optimise %.2f ms, "
                    "emit %.2f ms\n",
            p->lower_ms, nodes, p->timings.build_ms, p->timings.optimize_ms, p->timings.emit_ms);
}

int cli_emit_llvm(frontend *fe, const frontend_options *o, const cli_run_options *r)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: error: %s has nothing to compile: add 'train Network on Task { ... }'\n",
                r->model_path);
        return 1;
    }
    plan p;
    int rc = plan_build(&p, fe, o, run, resolve_seed(run, o, r), stdout);
    if (rc == 0)
        print_timings(r, &p);
    plan_free(&p);
    return rc ? 1 : 0;
}

static void report(const cli_run_options *r, const plan *p, const rt_run_result *res, const char *dir)
{
    if (res->message[0])
        fprintf(stderr, "rnnc: %s\n", res->message);
    if (res->status == RT_RUN_INTERRUPTED)
        fprintf(stderr, "rnnc: interrupted after %zu updates; wrote what was done to %s\n", res->updates_done, dir);
    json_t *not_done = json_object_get(res->analysis, "not_done");
    if (json_array_size(not_done))
        fprintf(stderr, "rnnc: the analyses were interrupted; %zu not done (summary.json lists them under "
                        "analysis.not_done)\n", json_array_size(not_done));
    printf("rnnc: %s: %zu updates in %.1f s", r->model_path, res->updates_done, res->train_seconds);
    if (isfinite(res->final_train_loss))
        printf(", final training loss %.4g", res->final_train_loss);
    if (isfinite(res->eval_loss))
        printf(", evaluation loss %.4g", res->eval_loss);
    if (isfinite(res->eval_accuracy))
        printf(", accuracy %.2f%%", 100 * res->eval_accuracy);
    if (isfinite(res->final_rate_hz))
        printf(", rate %.3g Hz", res->final_rate_hz);
    printf("\nrnnc: results in %s (compiled in %.0f ms)\n", dir, compile_ms(r, p));
    if (r->verbose && res->updates_done) {
        fprintf(stderr, "rnnc: per update (mean):");
        for (int k = 0; k < RT_PHASES; k++)
            fprintf(stderr, "%s %s %.2f ms", k ? "," : "", rt_phase_names[k], res->phase_ms[k]);
        fputc('\n', stderr);
    }
}

/* ------------------------------------------------------------ the default folder */

/* The default results folder (BASE, runs/MODEL-SEED) is never an earlier
 * run's: the first of BASE, BASE-2, BASE-3, ... that does not exist,
 * reserved by creating it empty (mkdir is atomic, so runs started at once
 * take different names). The finished run replaces the empty folder
 * (rt_outdir_commit); release_default_dir removes it after a failure.
 * *MADE_RUNS says whether runs/ was created here. NULL with errno. */
static const char *fresh_default_dir(frontend *fe, const char *base, int *made_runs)
{
    *made_runs = mkdir("runs", 0777) == 0;
    if (!*made_runs && errno != EEXIST)
        return NULL;
    for (unsigned k = 1; k < 100000; k++) {
        const char *dir = k == 1 ? base : arena_printf(&fe->arena, "%s-%u", base, k);
        if (!dir)
            return NULL;
        if (mkdir(dir, 0777) == 0) {
            if (k > 1)
                fprintf(stderr, "rnnc: %s holds an earlier run, kept; this one goes to %s "
                                "(--out DIR chooses the folder)\n", base, dir);
            return dir;
        }
        if (errno != EEXIST)
            return NULL;
    }
    errno = EEXIST;
    return NULL;
}

/* After a run into a reserved default folder: the folder (and runs/, if
 * made for it) removed when the run wrote nothing there, which rmdir
 * alone does (a results folder is never empty). Returns STATUS. */
static int release_default_dir(const char *dir, int made_runs, int status)
{
    if (dir && rmdir(dir) == 0 && made_runs)
        rmdir("runs");
    return status;
}

static int run_into(frontend *fe, const frontend_options *o, const cli_run_options *r, const ast_node *run,
                    const char *model, uint64_t seed, const char *dir);

int cli_run(frontend *fe, const frontend_options *o, const cli_run_options *r)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: error: %s has nothing to run: add 'train Network on Task { ... }'\n", r->model_path);
        return 1;
    }
    char model[256];
    model_name(r->model_path, model, sizeof model);
    uint64_t seed = resolve_seed(run, o, r);
    const char *dir = r->out_dir ? r->out_dir
                      : r->seeds > 1 ? arena_printf(&fe->arena, "runs/%s-seeds-%llu-%llu", model,
                                                    (unsigned long long)seed,
                                                    (unsigned long long)(seed + r->seeds - 1))
                                     : arena_printf(&fe->arena, "runs/%s-%llu", model, (unsigned long long)seed);
    if (!dir) {
        fputs("rnnc: error: out of memory\n", stderr);
        return 1;
    }
    if (r->out_dir)   /* asked for by name: replaces the earlier run there (docs/language.md, section 18) */
        return run_into(fe, o, r, run, model, seed, dir);
    int made_runs;
    const char *fresh = fresh_default_dir(fe, dir, &made_runs);
    if (!fresh) {
        fprintf(stderr, "rnnc: error: cannot create the results folder '%s': %s\n", dir, strerror(errno));
        return 2;
    }
    return release_default_dir(fresh, made_runs, run_into(fe, o, r, run, model, seed, fresh));
}

/* The run of RUN into DIR; the exit status. */
static int run_into(frontend *fe, const frontend_options *o, const cli_run_options *r, const ast_node *run,
                    const char *model, uint64_t seed, const char *dir)
{
    char why[4400];
    if (rt_outdir_check(dir, why, sizeof why) != 0) {   /* before any work, not after the training */
        fprintf(stderr, "rnnc: error: %s\n", why);
        return 2;
    }
    plan p;
    if (plan_build(&p, fe, o, run, seed, NULL) != 0) {
        plan_free(&p);
        return 1;
    }
    diag_print(&fe->diag, stderr, cli_use_color());   /* the plan's warnings, before the training */
    diag_forget(&fe->diag);
    if (r->seeds > 1) {   /* the realisations build their own plans */
        plan_free(&p);
        return cli_run_seeds(o, r, dir, seed);
    }
    if (seeds_threads() && !setting_override(o, "threads"))
        p.desc.settings.threads = seeds_threads();
    print_timings(r, &p);
    rt_run_result res;
    memset(&res, 0, sizeof res);
    int status = write_results(fe, o, r, &p, model, dir, &res);
    if (status == 0) {
        report(r, &p, &res, dir);
        if (res.status == RT_RUN_INTERRUPTED)
            status = 130;
        else if (res.status == RT_RUN_STOPPED_NON_FINITE)
            status = 1;   /* training did not finish; its folder says how far it got */
    }
    rt_run_result_free(&res);
    plan_free(&p);
    return status;
}

/* ------------------------------------------------------------ rnnc analyze DIR */

/* What an analysis regenerates: not copied from the earlier folder. */
static int regenerated(const char *name)
{
    /* the parts of rt_files.h's names before their first argument */
    static const char *const prefixes[] = {"eigen_", RT_KIND_PCA "_", RT_KIND_SVD "_", "fixed_points_",
                                           "degradation_", RT_FILE_ROBUSTNESS, RT_FILE_CONDITIONS,
                                           RT_FILE_CONDITION_VALUES, RT_FILE_REPORT, RT_FILE_SUMMARY,
                                           RT_FILE_MODEL, RT_OUTDIR_MARKER};
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".svg") == 0)
        return 1;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* A copy, not a hard link: a file rewritten in the new folder must not
 * change the old one, which stays the result until the rename. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[1 << 16];
    int rc = in && out ? 0 : -1;
    for (size_t n; rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0;)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        rc |= ferror(in) ? -1 : 0, fclose(in);
    if (out)
        rc |= fclose(out) != 0 ? -1 : 0;
    return rc;
}

/* The earlier folder's files (weights, recordings, loss.csv) into OUT. */
static int copy_run_files(const char *dir, const rt_outdir *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.' || regenerated(e->d_name))
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *from = malloc(len), *to = rt_outdir_file(out, e->d_name);
        struct stat st;
        if (from)
            snprintf(from, len, "%s/%s", dir, e->d_name);
        if (from && stat(from, &st) == 0 && !S_ISREG(st.st_mode)) {
            fprintf(stderr, "rnnc: error: %s is not a file of a run; rnnc analyze leaves a folder with other "
                            "things in it alone\n", from);
            rc = -1;
        } else {
            rc = from && to ? copy_file(from, to) : -1;
            if (rc != 0)
                fprintf(stderr, "rnnc: error: cannot copy %s/%s: %s\n", dir, e->d_name, strerror(errno));
        }
        free(from);
        free(to);
    }
    closedir(d);
    return rc;
}

/* DIR's summary.json, parsed; NULL with a message. */
static json_t *load_summary(const char *dir)
{
    size_t len = strlen(dir) + sizeof RT_FILE_SUMMARY + 1;
    char *path = malloc(len), err[1024];
    if (!path)
        return NULL;
    snprintf(path, len, "%s/%s", dir, RT_FILE_SUMMARY);
    json_t *doc = rt_summary_load(path, err, sizeof err);
    if (!doc)
        fprintf(stderr, "rnnc: error: %s\n", err);
    free(path);
    return doc;
}

/* The analysis again on DIR's weights, into OUT, with DOC's "analysis" replaced. */
static int reanalyse(frontend *fe, plan *p, const char *dir, const rt_outdir *out, json_t *doc, const char *model,
                     rt_run_result *res)
{
    char err[1024];
    if (copy_run_files(dir, out) != 0)
        return -1;
    if (rt_run_reanalyze(&p->desc, dir, out, &cli_stop, res, err, sizeof err) != 0) {
        fprintf(stderr, "rnnc: error: %s\n", err);
        return -1;
    }
    if (res->failed_analysis >= 0) {
        report_analysis_failure(fe, p, res, "the folder is left as it was");
        return -1;
    }
    if (cli_stop)
        return -1;
    if (res->analysis)
        json_object_set(doc, "analysis", res->analysis);
    else
        json_object_del(doc, "analysis");
    return save_summary(out, doc) != 0 || write_pictures(fe, p, out, model, doc) != 0 ? -1 : 0;
}

int cli_analyze(frontend *fe, const frontend_options *o, const cli_run_options *r, const char *dir)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: error: %s has nothing to analyse: it has no 'train' or 'evaluate'\n", r->model_path);
        return 1;
    }
    json_t *doc = load_summary(dir);
    plan p;
    if (!doc || plan_build(&p, fe, o, run, resolve_seed(run, o, r), NULL) != 0) {
        if (doc)
            plan_free(&p);
        json_decref(doc);
        return 1;
    }
    print_timings(r, &p);
    rt_outdir out;
    rt_run_result res;
    memset(&res, 0, sizeof res);
    int status = cli_open_results(&out, dir) != 0 ? 1 : 0;
    if (status == 0) {
        char model[256];
        model_name(r->model_path, model, sizeof model);
        if (reanalyse(fe, &p, dir, &out, doc, model, &res) != 0 || rt_outdir_commit(&out) != 0) {
            fprintf(stderr, "rnnc: the analysis of '%s' %s; the folder is as it was\n", dir,
                    cli_stop ? "was interrupted" : "failed");
            rt_outdir_abort(&out);
            status = cli_stop ? 130 : 1;
        } else {
            printf("rnnc: analysed %s again (evaluation loss %.4g); report in %s/%s\n", dir, res.eval_loss, dir,
                   RT_FILE_REPORT);
        }
    }
    rt_run_result_free(&res);
    json_decref(doc);
    plan_free(&p);
    return status;
}
