/* cli_run.c -- rnnc run: compile a checked model, train and evaluate it,
 * and write its results folder; rnnc emit-llvm.
 *
 * The folder is written aside and renamed into place when complete (see
 * runtime/rt_outdir.h). An error leaves no partial folder; Ctrl-C stops
 * training between updates and the folder is written with what was done.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "cli.h"
#include "figures.h"
#include "text.h"
#include "plan.h"
#include "train.h"
#include "rt_outdir.h"
#include "sema.h"

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* An expression as source text, however long and over however many lines. */
static void put_expr(text *t, const ast_node *e)
{
    char small[256];
    size_t n = ast_format(e, small, sizeof small);
    if (n < sizeof small) {
        text_json_string(t, small, n);
        return;
    }
    char *big = malloc(n + 1);
    if (!big) {
        t->failed = 1;
        return;
    }
    ast_format(e, big, n + 1);
    text_json_string(t, big, n);
    free(big);
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

static void put_populations(text *t, const ast_node *net)
{
    text_put(t, "  \"populations\": [");
    int first = 1;
    for (const ast_node *n = net->first; n; n = n->next) {
        if (n->kind != AST_POP)
            continue;
        double size = 0;
        const_eval(n->first->first, &size);
        text_put(t, "%s\n    {\"name\": ", first ? "" : ",");
        text_json_string(t, n->name, strlen(n->name));
        text_put(t, ", \"neuron\": ");
        text_json_string(t, n->first->name, strlen(n->first->name));
        text_put(t, ", \"size\": %.0f, \"readout\": %s}", size, n->op ? "true" : "false");
        first = 0;
    }
    text_put(t, "\n  ],\n");
}

/* Each setting as it is in force: the -D override, else the model's values. */
static void put_settings(text *t, const frontend_options *o, const ast_node *run)
{
    text_put(t, "  \"settings\": {");
    int first = 1;
    for (const ast_node *s = run->first->next; s; s = s->next) {
        const frontend_define *d = setting_override(o, s->name);
        text_put(t, "%s\n    ", first ? "" : ",");
        text_json_string(t, s->name, strlen(s->name));
        text_put(t, ": ");
        if (d) {
            put_expr(t, d->expr);
        } else if (!s->first) {
            text_put(t, "true");
        } else if (!s->first->next) {
            put_expr(t, s->first);
        } else {
            text_put(t, "[");
            for (const ast_node *v = s->first; v; v = v->next) {
                put_expr(t, v);
                text_put(t, "%s", v->next ? ", " : "]");
            }
        }
        first = 0;
    }
    const char *names[64];
    unsigned count = sema_setting_names(names, 64);
    for (unsigned i = 0; i < count; i++) {
        const frontend_define *d = setting_override(o, names[i]);
        if (!d || find_setting(run, names[i]))
            continue;
        text_put(t, "%s\n    ", first ? "" : ",");
        text_json_string(t, names[i], strlen(names[i]));
        text_put(t, ": ");
        put_expr(t, d->expr);
        first = 0;
    }
    text_put(t, "\n  },\n  \"defines\": {");
    for (unsigned i = 0; i < o->define_count; i++) {
        text_put(t, "%s\n    ", i ? "," : "");
        text_json_string(t, o->defines[i].name, strlen(o->defines[i].name));
        text_put(t, ": ");
        text_json_string(t, o->defines[i].value, strlen(o->defines[i].value));
    }
    text_put(t, "\n  },\n");
}

/* --seed, else -D seed=..., else the model's 'seed', else 1. */
static uint64_t resolve_seed(const ast_node *run, const frontend_options *o, const cli_run_options *r)
{
    return r->seed_given ? r->seed : plan_model_seed(o, run);
}

static void put_number(text *t, const char *key, double v, int last)
{
    if (isfinite(v))
        text_put(t, "  \"%s\": %.9g%s\n", key, v, last ? "" : ",");
    else
        text_put(t, "  \"%s\": null%s\n", key, last ? "" : ",");
}

static const char *run_status(const plan *p, const train_result *res)
{
    if (res->interrupted)
        return "interrupted";
    if (res->stopped_by_nan)
        return "stopped: non-finite loss";
    if (!p->settings.train)
        return "evaluated";
    return res->early_stopped ? "trained (early stop)" : "trained";
}

static char *summary_json(const frontend *fe, const frontend_options *o, const cli_run_options *r,
                          const plan *p, const train_result *res, const char *model)
{
    text t = {0};
    const ast_node *run = p->run;
    const ast_node *net = frontend_find_def(fe, run->name);
    double compile_ms = r->check_ms + p->lower_ms + p->timings.build_ms + p->timings.optimize_ms +
                        p->timings.emit_ms;
    text_put(&t, "{\n  \"model\": ");
    text_json_string(&t, model, strlen(model));
    text_put(&t, ",\n  \"model_file\": ");
    text_json_string(&t, r->model_path, strlen(r->model_path));
    char *absolute = realpath(r->model_path, NULL);   /* for rnnc analyze from any folder */
    if (absolute) {
        text_put(&t, ",\n  \"model_path\": ");
        text_json_string(&t, absolute, strlen(absolute));
        free(absolute);
    }
    text_put(&t, ",\n  \"seed\": %llu,\n  \"status\": \"%s\",\n",
        (unsigned long long)p->settings.seed, run_status(p, res));
    if (res->message[0]) {
        text_put(&t, "  \"message\": ");
        text_json_string(&t, res->message, strlen(res->message));
        text_put(&t, ",\n");
    }
    text_put(&t, "  \"run\": \"%s\",\n  \"network\": ", run->kind == AST_TRAIN ? "train" : "evaluate");
    text_json_string(&t, run->name, strlen(run->name));
    text_put(&t, ",\n  \"task\": ");
    put_expr(&t, run->first);
    text_put(&t, ",\n");
    if (net)
        put_populations(&t, net);
    put_settings(&t, o, run);
    text_put(&t, "  \"precision\": \"%s\",\n  \"dt_seconds\": %.9g,\n  \"steps\": %zu,\n",
        p->is_double ? "float64" : "float32", p->dt, p->task.steps);
    text_put(&t, "  \"batch\": %zu,\n  \"updates\": %zu,\n  \"eval_trials\": %zu,\n",
        p->settings.batch, res->updates_done, p->settings.eval_trials);
    put_number(&t, "first_train_loss", res->first_loss, 0);
    put_number(&t, "final_train_loss", res->final_train_loss, 0);
    put_number(&t, "eval_loss", res->eval_loss, 0);
    if (isfinite(res->first_rate_hz)) {
        put_number(&t, "first_rate_hz", res->first_rate_hz, 0);
        put_number(&t, "final_rate_hz", res->final_rate_hz, 0);
    }
    put_number(&t, "eval_accuracy", res->eval_accuracy, 0);
    put_number(&t, "train_seconds", res->train_seconds, 0);
    put_number(&t, "seconds_per_update_median", res->seconds_per_update_median, 0);
    put_number(&t, "step_seconds_median", res->step_seconds_median, 0);
    text_put(&t, "  \"update_phases_ms\": {");
    for (int k = 0; k < TRAIN_PHASES; k++)
        text_put(&t, "%s\"%s\": %.3f", k ? ", " : "", train_phase_names[k], res->phase_ms[k]);
    text_put(&t, "},\n");
    if (res->analysis_json)
        text_put(&t, "%s", res->analysis_json);
    text_put(&t, "  \"compile_phases_ms\": {\"parse_and_check\": %.3f, \"lower\": %.3f, "
            "\"llvm_build\": %.3f, \"optimize\": %.3f, \"emit\": %.3f},\n",
        r->check_ms, p->lower_ms, p->timings.build_ms, p->timings.optimize_ms, p->timings.emit_ms);
    text_put(&t, "  \"compile_ms\": %.3f,\n  \"rnnc_version\": \"%s\"\n}\n", compile_ms, RNNC_VERSION);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

static int open_results(rt_outdir *out, const char *dir)
{
    if (rt_outdir_begin(out, dir) == 0)
        return 0;
    if (errno == EEXIST)
        fprintf(stderr, "rnnc: '%s' exists and is not an rnnc results folder (rnnc replaces only folders "
                        "it wrote, which hold " RT_OUTDIR_MARKER "); give run another --out\n", dir);
    else
        fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir, strerror(errno));
    return -1;
}

/* The model file as it was run (model.rnn), the pictures and report.html. */
static int write_pictures(const frontend *fe, const plan *p, const rt_outdir *out, const char *model,
                          const char *json)
{
    const char *source = fe->sources.files[p->run->loc.file].text;
    if (rt_outdir_write_text(out, "model.rnn", source) != 0) {
        fprintf(stderr, "rnnc: cannot write model.rnn: %s\n", strerror(errno));
        return -1;
    }
    figures f = {.dir = out->work_path, .dt = p->dt};
    char title[320];
    snprintf(title, sizeof title, "%s, seed %llu", model, (unsigned long long)p->settings.seed);
    if (figures_draw(&f) != 0)
        return -1;
    if (report_write(&f, title, json, source, NULL) != 0) {
        fprintf(stderr, "rnnc: cannot write report.html: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int write_results(frontend *fe, const frontend_options *o, const cli_run_options *r,
                         plan *p, const char *model, const char *dir, train_result *res)
{
    rt_outdir out;
    if (open_results(&out, dir) != 0)
        return 1;
    int status = 0;
    const char *quiet = getenv("RNNC_QUIET");   /* set for the realisations of --seeds */
    int progress = isatty(STDERR_FILENO) && !(quiet && *quiet);
    if (train_run(p, &out, &interrupted, progress, res) != 0) {
        status = 1;
    } else {
        char *json = summary_json(fe, o, r, p, res, model);
        if (!json || rt_outdir_write_text(&out, "summary.json", json) != 0) {
            fprintf(stderr, "rnnc: cannot write %s/summary.json: %s\n", dir,
                    json ? strerror(errno) : "out of memory");
            status = 1;
        } else {
            if (write_pictures(fe, p, &out, model, json) != 0)
                fputs("rnnc: not every picture could be written; the results are kept without them\n", stderr);
            if (rt_outdir_commit(&out) != 0) {
                fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
                status = 1;
            }
        }
        free(json);
    }
    if (status)
        rt_outdir_abort(&out);
    return status;
}

static void print_timings(const cli_run_options *r, const plan *p)
{
    if (!r->verbose)
        return;
    fprintf(stderr, "rnnc: lower to IR %.2f ms, LLVM IR %.2f ms, optimise %.2f ms, emit %.2f ms\n",
            p->lower_ms, p->timings.build_ms, p->timings.optimize_ms, p->timings.emit_ms);
}

int cli_emit_llvm(frontend *fe, const frontend_options *o, const cli_run_options *r)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: %s has nothing to compile: add 'train Network on Task { ... }'\n",
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

static void report(const cli_run_options *r, const plan *p, const train_result *res, const char *dir)
{
    if (res->message[0])
        fprintf(stderr, "rnnc: %s\n", res->message);
    if (res->interrupted)
        fprintf(stderr, "rnnc: interrupted after %zu updates; wrote what was done to %s\n",
                res->updates_done, dir);
    printf("rnnc: %s: %zu updates in %.1f s", r->model_path, res->updates_done, res->train_seconds);
    if (isfinite(res->final_train_loss))
        printf(", final training loss %.4g", res->final_train_loss);
    if (isfinite(res->eval_loss))
        printf(", evaluation loss %.4g", res->eval_loss);
    if (isfinite(res->eval_accuracy))
        printf(", accuracy %.2f%%", 100 * res->eval_accuracy);
    if (isfinite(res->final_rate_hz))
        printf(", rate %.3g Hz", res->final_rate_hz);
    printf("\nrnnc: results in %s (compiled in %.0f ms)\n", dir,
           r->check_ms + p->lower_ms + p->timings.build_ms + p->timings.optimize_ms + p->timings.emit_ms);
    if (r->verbose && res->updates_done) {
        fprintf(stderr, "rnnc: per update (mean):");
        for (int k = 0; k < TRAIN_PHASES; k++)
            fprintf(stderr, "%s %s %.2f ms", k ? "," : "", train_phase_names[k], res->phase_ms[k]);
        fputc('\n', stderr);
    }
}

int cli_run(frontend *fe, const frontend_options *o, const cli_run_options *r)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: %s has nothing to run: add 'train Network on Task { ... }'\n",
                r->model_path);
        return 1;
    }
    char model[256];
    model_name(r->model_path, model, sizeof model);
    uint64_t seed = resolve_seed(run, o, r);
    plan p;
    if (plan_build(&p, fe, o, run, seed, NULL) != 0 || analyze_check(&p) != 0) {
        plan_free(&p);
        return 1;
    }
    if (r->seeds > 1) {   /* the realisations build their own plans */
        plan_free(&p);
        const char *combined = r->out_dir ? r->out_dir
                                          : arena_printf(&fe->arena, "runs/%s-seeds-%llu-%llu", model,
                                                         (unsigned long long)seed,
                                                         (unsigned long long)(seed + r->seeds - 1));
        return combined ? cli_run_seeds(o, r, combined, seed) : 1;
    }
    char *dir = r->out_dir ? strdup(r->out_dir)
                           : arena_printf(&fe->arena, "runs/%s-%llu", model, (unsigned long long)seed);
    if (!dir) {
        fputs("rnnc: out of memory\n", stderr);
        plan_free(&p);
        return 1;
    }
    print_timings(r, &p);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    train_result res;
    memset(&res, 0, sizeof res);
    int status = write_results(fe, o, r, &p, model, dir, &res);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (status == 0) {
        report(r, &p, &res, dir);
        if (res.interrupted)
            status = 130;
    }
    free(res.analysis_json);
    plan_free(&p);
    if (r->out_dir)
        free(dir);
    return status;
}

/* ------------------------------------------------------------ rnnc analyze DIR */

/* What an analysis regenerates: not copied from the earlier folder. */
static int regenerated(const char *name)
{
    static const char *const prefixes[] = {"eigen_", "pca_", "svd_", "fixed_points_", "degradation_",
                                           "robustness", "conditions.npy", "report.html", "summary.json",
                                           "model.rnn", RT_OUTDIR_MARKER};
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
        size_t plen = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(plen);
        struct stat st;
        if (path)
            snprintf(path, plen, "%s/%s", dir, e->d_name);
        int is_file = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
        free(path);
        if (!is_file) {
            fprintf(stderr, "rnnc: %s/%s is not a file of a run; rnnc analyze leaves a folder with other "
                            "things in it alone\n", dir, e->d_name);
            rc = -1;
            break;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *from = malloc(len), *to = rt_outdir_file(out, e->d_name);
        if (from)
            snprintf(from, len, "%s/%s", dir, e->d_name);
        rc = from && to ? copy_file(from, to) : -1;
        if (rc != 0)
            fprintf(stderr, "rnnc: cannot copy %s/%s: %s\n", dir, e->d_name, strerror(errno));
        free(from);
        free(to);
    }
    closedir(d);
    return rc;
}

/* OLD summary.json with its "analysis" object (a block of lines from
 * '  "analysis": {' to '  },', as summary_json writes it) replaced by
 * ANALYSIS, or removed when that is NULL. */
static char *replace_analysis(const char *old, const char *analysis)
{
    text t = {0};
    const char *start = strstr(old, "  \"analysis\": {\n");
    const char *end = start ? strstr(start, "\n  },\n") : NULL;
    const char *rest = old;
    if (start && end) {
        text_put(&t, "%.*s", (int)(start - old), old);
        rest = end + strlen("\n  },\n");
    }
    const char *at = strstr(rest, "  \"compile_phases_ms\"");
    if (!at)
        at = rest + strlen(rest);
    text_put(&t, "%.*s%s%s", (int)(at - rest), rest, analysis ? analysis : "", at);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

int cli_analyze(frontend *fe, const frontend_options *o, const cli_run_options *r, const char *dir)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: %s has nothing to analyse: it has no 'train' or 'evaluate'\n", r->model_path);
        return 1;
    }
    size_t len = strlen(dir) + 16;
    char *summary_path = malloc(len);
    if (!summary_path)
        return 1;
    snprintf(summary_path, len, "%s/summary.json", dir);
    char *old = text_read_file(summary_path);
    free(summary_path);
    plan p;
    if (!old || plan_build(&p, fe, o, run, resolve_seed(run, o, r), NULL) != 0 || analyze_check(&p) != 0) {
        if (!old)
            fprintf(stderr, "rnnc: cannot read %s/summary.json\n", dir);
        else
            plan_free(&p);
        free(old);
        return 1;
    }
    print_timings(r, &p);
    rt_outdir out;
    train_result res;
    memset(&res, 0, sizeof res);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int status = open_results(&out, dir) != 0 ? 1 : 0;
    if (status == 0) {
        char *json = NULL, model[256];
        model_name(r->model_path, model, sizeof model);
        if (copy_run_files(dir, &out) != 0 || train_analyze(&p, dir, &out, &res) != 0 ||
            interrupted || !(json = replace_analysis(old, res.analysis_json)) ||
            rt_outdir_write_text(&out, "summary.json", json) != 0 ||
            write_pictures(fe, &p, &out, model, json) != 0 || rt_outdir_commit(&out) != 0) {
            fprintf(stderr, "rnnc: the analysis of '%s' %s; the folder is as it was\n", dir,
                    interrupted ? "was interrupted" : "failed");
            rt_outdir_abort(&out);
            status = interrupted ? 130 : 1;
        } else {
            printf("rnnc: analysed %s again (evaluation loss %.4g); report in %s/report.html\n", dir,
                   res.eval_loss, dir);
        }
        free(json);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(res.analysis_json);
    free(old);
    plan_free(&p);
    return status;
}
