/* api.c -- librnnc's errors, compiling and checking, and the model's
 * names and weights (include/rnnc.h).
 *
 * A model is the front end's checked tree and its plan (compiler/plan):
 * the runtime's run description with its kernels compiled. Diagnostics
 * stay on the front end's context and become an error's text as the rnnc
 * command would print them, without colour; nothing is printed.
 */
#define _GNU_SOURCE   /* dladdr: the library's own file, to find the standard library beside it */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_internal.h"
#include "rt_file.h"
#include "rt_net.h"
#include "run_folder.h"
#include "stdlib_dir.h"

#ifndef RNNC_VERSION
#define RNNC_VERSION "0.0.0"
#endif

const char *rnnc_version(void)
{
    return RNNC_VERSION;
}

/* ------------------------------------------------------------------ errors */

static rnnc_error *new_error(rnnc_status status, char *message)
{
    rnnc_error *e = calloc(1, sizeof *e);
    if (!e) {
        free(message);
        return NULL;
    }
    e->status = status;
    e->message = message ? message : strdup("out of memory");
    return e;
}

rnnc_status api_fail(rnnc_error **err, rnnc_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    *err = new_error(status, text);
    return status;
}

rnnc_status api_fail_text(rnnc_error **err, rnnc_status status, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    while (n > 0 && text[n - 1] == '\n')
        n--;
    return api_fail(err, status, "%.*s", (int)n, n ? text : "the run failed");
}

rnnc_status rnnc_error_status(const rnnc_error *e)
{
    return e ? e->status : RNNC_OK;
}

const char *rnnc_error_message(const rnnc_error *e)
{
    return e ? e->message : "";
}

size_t rnnc_error_diagnostic_count(const rnnc_error *e)
{
    return e ? e->count : 0;
}

const char *rnnc_error_diagnostic(const rnnc_error *e, size_t i, const char **file, unsigned *line,
                                  unsigned *column)
{
    const api_diagnostic *d = e && i < e->count ? &e->diagnostics[i] : NULL;
    if (file)
        *file = d ? d->file : NULL;
    if (line)
        *line = d ? d->line : 0;
    if (column)
        *column = d ? d->column : 0;
    return d ? d->message : NULL;
}

void rnnc_error_free(rnnc_error *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->count; i++) {
        free(e->diagnostics[i].message);
        free(e->diagnostics[i].file);
    }
    free(e->diagnostics);
    free(e->message);
    free(e);
}

const char *api_listed(const char *const *names, size_t count, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && n + 8 < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", names[i]);
    if (n >= size)
        snprintf(buf + size - 5, 5, "...");
    return count ? buf : "none";
}

/* Every diagnostic of D as text, as rnnc check prints it without colour
 * (malloc'd; NULL when out of memory). */
static char *diagnostics_text(diag_ctx *d)
{
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem)
        return NULL;
    diag_print(d, mem, 0);   /* sorts D's list into source order, as the diagnostics are listed */
    if (fclose(mem) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* The model's diagnostics as an error: the text and each one's place. */
static rnnc_status fail_diagnostics(rnnc_error **err, rnnc_status status, diag_ctx *d)
{
    char *text = diagnostics_text(d);
    api_fail_text(err, status, text ? text : "out of memory");
    free(text);
    if (!err || !*err)
        return status;
    size_t n = 0;
    for (const diag *g = d->first; g; g = g->next)
        n++;
    rnnc_error *e = *err;
    e->diagnostics = calloc(n ? n : 1, sizeof *e->diagnostics);
    for (const diag *g = d->first; e->diagnostics && g; g = g->next) {
        api_diagnostic *a = &e->diagnostics[e->count++];
        a->message = strdup(g->message);
        if (g->loc.line > 0 && g->loc.file < d->sources->count) {
            a->file = strdup(d->sources->files[g->loc.file].path);
            a->line = g->loc.line;
            a->column = g->loc.col;
        }
    }
    return status;
}

/* --------------------------------------------------------------- compiling */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *own(rnnc_model *m, const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (copy)
        m->owned[m->n_owned++] = copy;
    return copy;
}

/* The folders of RNNC_PATH (':'-separated) or of OPTIONS, and the -D
 * settings, copied into M's front-end options. */
static rnnc_status set_options(rnnc_model *m, const rnnc_options *o, rnnc_error **err)
{
    const char *env = o && o->search_path ? NULL : getenv("RNNC_PATH");
    size_t n_env = 0;
    for (const char *s = env; s && *s; s++)
        n_env += *s == ':';
    size_t n_search = o && o->search_path ? o->search_count : env && *env ? n_env + 1 : 0;
    size_t n_defines = o ? o->define_count : 0;
    m->owned = calloc(n_search + 2 * n_defines + 1, sizeof *m->owned);
    m->search = calloc(n_search + 1, sizeof *m->search);
    m->defines = calloc(n_defines + 1, sizeof *m->defines);
    if (!m->owned || !m->search || !m->defines)
        return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    char *copy = env && *env ? own(m, env) : NULL;
    char *rest = NULL;   /* strtok_r: models are compiled in several threads at once */
    for (char *p = copy ? strtok_r(copy, ":", &rest) : NULL; p; p = strtok_r(NULL, ":", &rest))
        m->search[m->fo.search_count++] = p;
    for (size_t i = 0; o && o->search_path && i < o->search_count; i++)
        if (o->search_path[i])
            m->search[m->fo.search_count++] = own(m, o->search_path[i]);
    for (size_t i = 0; i < n_defines; i++) {
        const rnnc_define *d = &o->defines[i];
        if (!d->name || !*d->name || !d->value || !*d->value)
            return api_fail(err, RNNC_USAGE, "define %zu needs a name and a value", i);
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->defines[k].name, d->name) == 0)
                return api_fail(err, RNNC_USAGE, "-D %s is given twice (%s=%s, then %s=%s); give it once",
                                d->name, d->name, o->defines[k].value, d->name, d->value);
        m->defines[i].name = own(m, d->name);
        m->defines[i].value = own(m, d->value);
        if (!m->defines[i].name || !m->defines[i].value)
            return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    }
    m->fo.search_path = m->search;
    m->fo.defines = m->defines;
    m->fo.define_count = (unsigned)n_defines;
    m->fo.stdlib_dir = o && o->stdlib_dir ? own(m, o->stdlib_dir) : stdlib_default_dir();
    return RNNC_OK;
}

static rnnc_model *new_model(const char *name, const rnnc_options *o, rnnc_error **err)
{
    rnnc_model *m = calloc(1, sizeof *m);
    if (!m) {
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        return NULL;
    }
    frontend_init(&m->fe);
    if (set_options(m, o, err) != RNNC_OK) {
        rnnc_model_free(m);
        return NULL;
    }
    char stem[256];
    m->path = strdup(name);
    m->name = strdup(run_folder_model_name(name, stem, sizeof stem));
    if (!m->path || !m->name) {
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        rnnc_model_free(m);
        return NULL;
    }
    return m;
}

/* "h->h", "x->h.I_r": the names rnnc_model_projection gives. */
static int name_projections(rnnc_model *m)
{
    for (unsigned j = 0; j < m->p.n_projs; j++) {
        const plan_proj *pp = &m->p.projs[j];
        if (asprintf(&m->projections[j], pp->named_port ? "%s->%s.%s" : "%s->%s", pp->pre_name, pp->post_name,
                     pp->named_port) < 0) {
            m->projections[j] = NULL;
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ guarded front-end work */

/* The front end's work on a model, with what it needs and what it gives. */
typedef struct front_work {
    void (*run)(rnnc_model *m, struct front_work *w);
    const char *text;
    uint64_t seed;
    unsigned result;
} front_work;

/* W done on M with the arenas' running out of memory brought back here
 * (arena.h) instead of exiting: 0, or -1 with M broken (what was being
 * built is abandoned; only its arena is freed). */
static int guarded(rnnc_model *m, front_work *w)
{
    jmp_buf jump, *outer = arena_oom_jump;
    if (setjmp(jump) != 0) {
        arena_oom_jump = outer;
        m->broken = 1;
        return -1;
    }
    arena_oom_jump = &jump;
    w->run(m, w);
    arena_oom_jump = outer;
    return 0;
}

static void check_file(rnnc_model *m, front_work *w)
{
    w->result = frontend_check_file(&m->fe, m->path, &m->fo);
}

static void check_text(rnnc_model *m, front_work *w)
{
    w->result = frontend_check_text(&m->fe, m->path, w->text, strlen(w->text), &m->fo);
}

/* What rnnc check adds to the front end's checks (plan_check). */
static void check_plan(rnnc_model *m, front_work *w)
{
    (void)w;
    plan_check(&m->fe, &m->fo);
}

static void build_plan(rnnc_model *m, front_work *w)
{
    unsigned before = m->fe.diag.errors;
    w->result = plan_build(&m->p, &m->fe, &m->fo, plan_find_run(&m->fe), w->seed, NULL) != 0 ||
                m->fe.diag.errors > before;
    if (w->result)
        plan_free(&m->p);
}

static rnnc_status fail_broken(rnnc_error **err)
{
    return api_fail(err, RNNC_NO_MEMORY, "out of memory while compiling the model");
}

rnnc_status api_model_plan(rnnc_model *m, uint64_t seed, rnnc_error **err)
{
    if (m->broken)
        return fail_broken(err);
    if (!m->planned || m->p.settings.seed != seed) {
        if (m->planned)
            plan_free(&m->p);
        m->planned = 0;
        front_work w = {.run = build_plan, .seed = seed};
        if (guarded(m, &w) != 0)
            return fail_broken(err);
        if (w.result)
            return fail_diagnostics(err, RNNC_MODEL_ERROR, &m->fe.diag);
        m->planned = 1;
        m->train = m->p.desc.settings.train;
        m->train_updates = m->p.desc.settings.updates;
        m->threads = m->p.desc.settings.threads;
    }
    m->p.desc.settings.train = m->train;
    m->p.desc.settings.updates = m->train_updates;
    m->p.desc.settings.threads = m->threads;
    for (unsigned j = 0; j < m->p.n_projs; j++) {
        m->p.weights[j].init_values = m->set_weights[j];
        m->p.weights[j].bias_values = m->set_bias[j];
    }
    return RNNC_OK;
}

/* The front end's verdict on M, then its plan with kernels: M, or NULL
 * with *ERR (M freed). */
static rnnc_model *compile(rnnc_model *m, front_work *w, rnnc_error **err)
{
    double start = now_ms();
    if (guarded(m, w) != 0) {
        fail_broken(err);
        rnnc_model_free(m);
        return NULL;
    }
    m->check_ms = now_ms() - start;
    unsigned errors = w->result;
    const ast_node *run = errors ? NULL : plan_find_run(&m->fe);
    if (!errors && !run) {
        diag_error(&m->fe.diag, (src_loc){0},
                   "%s has nothing to run: add 'train Network on Task { ... }'", m->path);
        errors = 1;
    }
    if (errors || api_model_plan(m, plan_model_seed(&m->fo, run), err) != RNNC_OK) {
        if (errors)
            fail_diagnostics(err, RNNC_MODEL_ERROR, &m->fe.diag);
        rnnc_model_free(m);
        return NULL;
    }
    if (name_projections(m) != 0) {
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        rnnc_model_free(m);
        return NULL;
    }
    if (m->fe.diag.warnings)
        m->warnings = diagnostics_text(&m->fe.diag);
    return m;
}

rnnc_model *rnnc_compile_file(const char *path, const rnnc_options *options, rnnc_error **err)
{
    if (!path) {
        api_fail(err, RNNC_USAGE, "rnnc_compile_file: no file given");
        return NULL;
    }
    char why[256];
    FILE *fp = rt_file_open(path, RT_FILE_MAX_SOURCE, NULL, why, sizeof why);
    if (!fp) {
        api_fail(err, RNNC_IO_ERROR, "cannot read '%s': %s%s", path, why, errno == EISDIR ? "; give a .rnn file" : "");
        return NULL;
    }
    fclose(fp);
    rnnc_model *m = new_model(path, options, err);
    if (!m)
        return NULL;
    front_work w = {.run = check_file};
    return compile(m, &w, err);
}

rnnc_model *rnnc_compile_text(const char *name, const char *text, const rnnc_options *options, rnnc_error **err)
{
    if (!text) {
        api_fail(err, RNNC_USAGE, "rnnc_compile_text: no text given");
        return NULL;
    }
    rnnc_model *m = new_model(name ? name : "model", options, err);
    if (!m)
        return NULL;
    m->from_text = 1;
    front_work w = {.run = check_text, .text = text};
    return compile(m, &w, err);
}

rnnc_status rnnc_check_text(const char *name, const char *text, const rnnc_options *options, rnnc_error **err)
{
    if (!text)
        return api_fail(err, RNNC_USAGE, "rnnc_check_text: no text given");
    rnnc_model *m = new_model(name ? name : "model", options, err);
    if (!m)
        return err && *err ? (*err)->status : RNNC_NO_MEMORY;
    front_work check = {.run = check_text, .text = text}, plan = {.run = check_plan};
    rnnc_status status = RNNC_OK;
    if (guarded(m, &check) != 0 || (!check.result && guarded(m, &plan) != 0))
        status = fail_broken(err);
    else if (m->fe.diag.errors)
        status = fail_diagnostics(err, RNNC_MODEL_ERROR, &m->fe.diag);
    rnnc_model_free(m);
    return status;
}

void rnnc_model_free(rnnc_model *m)
{
    if (!m)
        return;
    if (m->planned)
        plan_free(&m->p);
    frontend_free(&m->fe);
    for (size_t i = 0; i < m->n_owned; i++)
        free(m->owned[i]);
    for (unsigned j = 0; j < RT_MAX_PROJS; j++) {
        free(m->projections[j]);
        free(m->set_weights[j]);
        free(m->set_bias[j]);
    }
    free(m->owned);
    free(m->search);
    free(m->defines);
    free(m->name);
    free(m->path);
    free(m->warnings);
    free(m);
}

const char *rnnc_model_warnings(const rnnc_model *m)
{
    return m ? m->warnings : NULL;
}

const char *rnnc_model_name(const rnnc_model *m)
{
    return m ? m->name : NULL;
}

size_t rnnc_model_projection_count(const rnnc_model *m)
{
    return m ? m->p.n_projs : 0;
}

const char *rnnc_model_projection(const rnnc_model *m, size_t i)
{
    return m && i < m->p.n_projs ? m->projections[i] : NULL;
}
