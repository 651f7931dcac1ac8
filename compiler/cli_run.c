/* cli_run.c -- rnnc run: compile a checked model, train and evaluate it,
 * and write its results folder; rnnc emit-llvm.
 *
 * The folder is written aside and renamed into place when complete (see
 * runtime/rt_outdir.h). An error leaves no partial folder; Ctrl-C stops
 * training between updates and the folder is written with what was done.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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

/* A growable text buffer for the JSON we write. */
typedef struct text {
    char *data;
    size_t len, cap;
    int failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->data && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *bigger = realloc(t->data, cap);
        if (!bigger) {
            t->failed = 1;
            return;
        }
        t->data = bigger;
        t->cap = cap;
    }
}

static void put_json_string(text *t, const char *s, size_t n)
{
    put(t, "\"");
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            put(t, "\\%c", c);
        else if (c < 0x20)
            put(t, "\\u%04x", c);
        else
            put(t, "%c", c);
    }
    put(t, "\"");
}

/* An expression as source text, however long and over however many lines. */
static void put_expr(text *t, const ast_node *e)
{
    char small[256];
    size_t n = ast_format(e, small, sizeof small);
    if (n < sizeof small) {
        put_json_string(t, small, n);
        return;
    }
    char *big = malloc(n + 1);
    if (!big) {
        t->failed = 1;
        return;
    }
    ast_format(e, big, n + 1);
    put_json_string(t, big, n);
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
    for (const ast_node *n = fe->root->first; n; n = n->next)
        if (n->kind == AST_TRAIN || n->kind == AST_EVALUATE)
            return n;
    return NULL;
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
    put(t, "  \"populations\": [");
    int first = 1;
    for (const ast_node *n = net->first; n; n = n->next) {
        if (n->kind != AST_POP)
            continue;
        double size = 0;
        const_eval(n->first->first, &size);
        put(t, "%s\n    {\"name\": ", first ? "" : ",");
        put_json_string(t, n->name, strlen(n->name));
        put(t, ", \"neuron\": ");
        put_json_string(t, n->first->name, strlen(n->first->name));
        put(t, ", \"size\": %.0f, \"readout\": %s}", size, n->op ? "true" : "false");
        first = 0;
    }
    put(t, "\n  ],\n");
}

/* Each setting as it is in force: the -D override, else the model's values. */
static void put_settings(text *t, const frontend_options *o, const ast_node *run)
{
    put(t, "  \"settings\": {");
    int first = 1;
    for (const ast_node *s = run->first->next; s; s = s->next) {
        const frontend_define *d = setting_override(o, s->name);
        put(t, "%s\n    ", first ? "" : ",");
        put_json_string(t, s->name, strlen(s->name));
        put(t, ": ");
        if (d) {
            put_expr(t, d->expr);
        } else if (!s->first) {
            put(t, "true");
        } else if (!s->first->next) {
            put_expr(t, s->first);
        } else {
            put(t, "[");
            for (const ast_node *v = s->first; v; v = v->next) {
                put_expr(t, v);
                put(t, "%s", v->next ? ", " : "]");
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
        put(t, "%s\n    ", first ? "" : ",");
        put_json_string(t, names[i], strlen(names[i]));
        put(t, ": ");
        put_expr(t, d->expr);
        first = 0;
    }
    put(t, "\n  },\n  \"defines\": {");
    for (unsigned i = 0; i < o->define_count; i++) {
        put(t, "%s\n    ", i ? "," : "");
        put_json_string(t, o->defines[i].name, strlen(o->defines[i].name));
        put(t, ": ");
        put_json_string(t, o->defines[i].value, strlen(o->defines[i].value));
    }
    put(t, "\n  },\n");
}

/* --seed, else -D seed=..., else the model's 'seed', else 1. */
static uint64_t resolve_seed(const ast_node *run, const frontend_options *o, const cli_run_options *r)
{
    if (r->seed_given)
        return r->seed;
    const frontend_define *d = setting_override(o, "seed");
    const ast_node *s = find_setting(run, "seed");
    const ast_node *value = d ? d->expr : s ? s->first : NULL;
    double v;
    return value && const_eval(value, &v) ? (uint64_t)v : 1;
}

static void put_number(text *t, const char *key, double v, int last)
{
    if (isfinite(v))
        put(t, "  \"%s\": %.9g%s\n", key, v, last ? "" : ",");
    else
        put(t, "  \"%s\": null%s\n", key, last ? "" : ",");
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
    put(&t, "{\n  \"model\": ");
    put_json_string(&t, model, strlen(model));
    put(&t, ",\n  \"model_file\": ");
    put_json_string(&t, r->model_path, strlen(r->model_path));
    put(&t, ",\n  \"seed\": %llu,\n  \"status\": \"%s\",\n",
        (unsigned long long)p->settings.seed, run_status(p, res));
    if (res->message[0]) {
        put(&t, "  \"message\": ");
        put_json_string(&t, res->message, strlen(res->message));
        put(&t, ",\n");
    }
    put(&t, "  \"run\": \"%s\",\n  \"network\": ", run->kind == AST_TRAIN ? "train" : "evaluate");
    put_json_string(&t, run->name, strlen(run->name));
    put(&t, ",\n  \"task\": ");
    put_expr(&t, run->first);
    put(&t, ",\n");
    if (net)
        put_populations(&t, net);
    put_settings(&t, o, run);
    put(&t, "  \"precision\": \"%s\",\n  \"dt_seconds\": %.9g,\n  \"steps\": %zu,\n",
        p->is_double ? "float64" : "float32", p->dt, p->task.steps);
    put(&t, "  \"batch\": %zu,\n  \"updates\": %zu,\n  \"eval_trials\": %zu,\n",
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
    put(&t, "  \"update_phases_ms\": {");
    for (int k = 0; k < TRAIN_PHASES; k++)
        put(&t, "%s\"%s\": %.3f", k ? ", " : "", train_phase_names[k], res->phase_ms[k]);
    put(&t, "},\n");
    put(&t, "  \"compile_phases_ms\": {\"parse_and_check\": %.3f, \"lower\": %.3f, "
            "\"llvm_build\": %.3f, \"optimize\": %.3f, \"emit\": %.3f},\n",
        r->check_ms, p->lower_ms, p->timings.build_ms, p->timings.optimize_ms, p->timings.emit_ms);
    put(&t, "  \"compile_ms\": %.3f,\n  \"rnnc_version\": \"%s\"\n}\n", compile_ms, RNNC_VERSION);
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
        fprintf(stderr, "rnnc: '%s' exists and is not an rnnc results folder; choose another --out "
                        "(rnnc replaces only folders it wrote)\n", dir);
    else
        fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir, strerror(errno));
    return -1;
}

static int write_results(frontend *fe, const frontend_options *o, const cli_run_options *r,
                         plan *p, const char *model, const char *dir, train_result *res)
{
    rt_outdir out;
    if (open_results(&out, dir) != 0)
        return 1;
    int status = 0;
    if (train_run(p, &out, &interrupted, isatty(STDERR_FILENO), res) != 0) {
        status = 1;
    } else {
        char *json = summary_json(fe, o, r, p, res, model);
        if (!json || rt_outdir_write_text(&out, "summary.json", json) != 0) {
            fprintf(stderr, "rnnc: cannot write %s/summary.json: %s\n", dir,
                    json ? strerror(errno) : "out of memory");
            status = 1;
        } else if (rt_outdir_commit(&out) != 0) {
            fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
            status = 1;
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
    char *dir = r->out_dir ? strdup(r->out_dir)
                           : arena_printf(&fe->arena, "runs/%s-%llu", model, (unsigned long long)seed);
    if (!dir) {
        fputs("rnnc: out of memory\n", stderr);
        return 1;
    }

    plan p;
    if (plan_build(&p, fe, o, run, seed, NULL) != 0) {
        plan_free(&p);
        if (r->out_dir)
            free(dir);
        return 1;
    }
    print_timings(r, &p);
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    train_result res;
    int status = write_results(fe, o, r, &p, model, dir, &res);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (status == 0) {
        report(r, &p, &res, dir);
        if (res.interrupted)
            status = 130;
    }
    plan_free(&p);
    if (r->out_dir)
        free(dir);
    return status;
}
