/* cli_run.c -- rnnc run: the results folder of a checked model.
 *
 * The folder is written aside and renamed into place when complete (see
 * runtime/rt_outdir.h); Ctrl-C or an error leaves no partial folder. This
 * version stops after checking: it records the resolved configuration in
 * summary.json and says plainly that nothing was trained.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static char *summary_json(const frontend *fe, const frontend_options *o, const cli_run_options *r,
                          const ast_node *run, const char *model, uint64_t seed)
{
    text t = {0};
    const ast_node *net = frontend_find_def(fe, run->name);
    put(&t, "{\n  \"model\": ");
    put_json_string(&t, model, strlen(model));
    put(&t, ",\n  \"model_file\": ");
    put_json_string(&t, r->model_path, strlen(r->model_path));
    put(&t, ",\n  \"seed\": %llu,\n  \"status\": \"checked\",\n", (unsigned long long)seed);
    put(&t, "  \"note\": \"this version of rnnc checks the model and records its configuration; "
            "it does not train yet\",\n");
    put(&t, "  \"run\": \"%s\",\n  \"network\": ", run->kind == AST_TRAIN ? "train" : "evaluate");
    put_json_string(&t, run->name, strlen(run->name));
    put(&t, ",\n  \"task\": ");
    put_expr(&t, run->first);
    put(&t, ",\n");
    if (net)
        put_populations(&t, net);
    put_settings(&t, o, run);
    put(&t, "  \"compile_ms\": %.3f,\n  \"rnnc_version\": \"%s\"\n}\n", r->check_ms, RNNC_VERSION);
    if (t.failed) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

static int write_results(frontend *fe, const frontend_options *o, const cli_run_options *r,
                         const ast_node *run, const char *model, uint64_t seed, const char *dir)
{
    rt_outdir out;
    if (rt_outdir_begin(&out, dir) != 0) {
        if (errno == EEXIST)
            fprintf(stderr, "rnnc: '%s' exists and is not an rnnc results folder; choose another --out "
                            "(rnnc replaces only folders it wrote)\n", dir);
        else
            fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    char *json = summary_json(fe, o, r, run, model, seed);
    int status = 0;
    if (!json || rt_outdir_write_text(&out, "summary.json", json) != 0) {
        fprintf(stderr, "rnnc: cannot write %s/summary.json: %s\n", dir,
                json ? strerror(errno) : "out of memory");
        status = 1;
    } else if (interrupted) {
        fprintf(stderr, "rnnc: interrupted; no results folder was written\n");
        status = 130;
    } else if (rt_outdir_commit(&out) != 0) {
        fprintf(stderr, "rnnc: cannot move the results into '%s': %s\n", dir, strerror(errno));
        status = 1;
    }
    free(json);
    if (status)
        rt_outdir_abort(&out);
    return status;
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

    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int status = write_results(fe, o, r, run, model, seed, dir);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (status == 0) {
        printf("rnnc: %s is a valid model (%s %s on %s)\n", r->model_path,
               run->kind == AST_TRAIN ? "train" : "evaluate", run->name, run->first->name);
        printf("rnnc: this version checks models but does not train yet: nothing was trained\n");
        printf("rnnc: wrote the checked configuration to %s/summary.json\n", dir);
    }
    if (r->out_dir)
        free(dir);
    return status;
}
