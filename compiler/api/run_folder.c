/* run_folder.c -- a planned run into its results folder (see run_folder.h).
 *
 * The folder is written aside and renamed into place when complete (see
 * runtime/rt_outdir.h). An error leaves no partial folder; the stop flag
 * ends training between updates and the folder is written with what was
 * done. The training, the evaluation, the records and the analyses are the
 * runtime's (runtime/rt_run.h); this file adds what only the compiler
 * knows to summary.json (the model, its settings as written).
 */
#include "run_folder.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_figures.h"
#include "rt_files.h"
#include "rt_summary.h"
#include "sema.h"

#ifndef RNNC_VERSION
#define RNNC_VERSION "0.0.0"
#endif

/* An error at AT, written as every diagnostic is: file:line:col, the line, a caret. */
static void error_at(frontend *fe, const run_folder_info *info, const ast_node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error_at(frontend *fe, const run_folder_info *info, const ast_node *at, const char *fmt, ...)
{
    diag_ctx d;
    diag_init(&d, &fe->arena, &fe->sources);
    va_list ap;
    va_start(ap, fmt);
    diag_verror(&d, at ? at->loc : (src_loc){0}, fmt, ap);
    va_end(ap);
    diag_print(&d, info->messages, info->color);
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

/* The -D override of setting NAME, if one was given. */
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

/* Each record item as the model's record line writes it ("h.r") and its
 * file's name without ".npy" ("record_h_r"): a reader finds a record by
 * the name the model gives it, which the file name cannot give back. */
static json_t *records_json(const plan *p)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < p->n_records; i++) {
        char file[300];
        rt_file_name(file, sizeof file, RT_FILE_RECORD, p->records[i].name);
        file[strlen(file) - 4] = '\0';   /* ".npy" */
        json_t *o = json_object();
        json_object_set_new(o, "name", expr_json(p->record_at[i]));
        json_object_set_new(o, "file", json_string(file));
        json_object_set_new(o, "line", json_integer(p->record_at[i]->loc.line));   /* items drawn together */
        if (p->records[i].spikes)
            json_object_set_new(o, "spikes", json_true());
        if (p->records[i].training) {   /* also in the first and the last training update */
            rt_file_name(file, sizeof file, RT_FILE_TRAIN_RECORD, p->records[i].name);
            file[strlen(file) - 4] = '\0';
            json_object_set_new(o, "training_file", json_string(file));
        }
        if (p->records[i].unit)   /* the unit its values are written in; none for plain numbers and spikes */
            json_object_set_new(o, "unit", json_string(p->records[i].unit));
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

/* Each setting as it is in force: the -D override, else the threads the
 * caller gave, else the model's values; and the -D values as given. */
static void put_settings(json_t *doc, const frontend_options *o, const ast_node *run, int threads_given)
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
    snprintf(threads, sizeof threads, "%d", threads_given);
    if (threads_given > 0 && !setting_override(o, "threads"))
        json_object_set_new(settings, "threads", json_string(threads));
    for (unsigned i = 0; i < o->define_count; i++)
        json_object_set_new(defines, o->defines[i].name, json_string(o->defines[i].value));
    json_object_set_new(doc, "settings", settings);
    json_object_set_new(doc, "defines", defines);
}

const char *run_folder_model_name(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".rnn") == 0)
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, n ? base : "model");
    return buf;
}

double run_folder_compile_ms(double check_ms, const plan *p)
{
    return check_ms + p->build_ms;   /* lower and LLVM overlap (plan.h) */
}

static json_t *summary_json(const frontend_options *o, const run_folder_info *info, const plan *p,
                            const rt_run_result *res)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "model", json_string(info->model));
    json_object_set_new(doc, "model_file", json_string(info->model_path));
    char *absolute = info->from_text ? NULL : realpath(info->model_path, NULL);   /* for rnnc analyze anywhere */
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
    if (p->n_records)
        json_object_set_new(doc, "records", records_json(p));
    put_settings(doc, o, p->run, info->threads);
    rt_run_summary(&p->desc, res, doc);
    json_t *phases = json_object();
    json_object_set_new(phases, "parse_and_check", json_real(info->check_ms));
    json_object_set_new(phases, "lower", json_real(p->lower_ms));
    json_object_set_new(phases, "llvm_build", json_real(p->timings.build_ms));
    json_object_set_new(phases, "optimize", json_real(p->timings.optimize_ms));
    json_object_set_new(phases, "emit", json_real(p->timings.emit_ms));
    json_object_set_new(doc, "compile_phases_ms", phases);
    json_object_set_new(doc, "kernel_cache", json_string(codegen_cache_name(p->timings.cache)));
    json_object_set_new(doc, "compile_ms", json_real(run_folder_compile_ms(info->check_ms, p)));
    json_object_set_new(doc, "rnnc_version", json_string(RNNC_VERSION));
    return doc;
}

/* DOC as summary.json in OUT. */
static int save_summary(const rt_outdir *out, const json_t *doc, FILE *messages)
{
    char err[1024], *path = rt_outdir_file(out, RT_FILE_SUMMARY);
    if (!path || rt_summary_save(path, doc, err, sizeof err) != 0) {
        fprintf(messages, "rnnc: error: cannot write %s: %s\n", RT_FILE_SUMMARY, path ? err : "out of memory");
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

/* ------------------------------------------------------------ the results folder */

int run_folder_open(rt_outdir *out, const char *dir, FILE *messages)
{
    if (rt_outdir_begin(out, dir) == 0)
        return 0;
    char why[4400];
    if (errno == EEXIST || errno == EINVAL)
        fprintf(messages, "rnnc: error: %s\n", rt_outdir_check(dir, why, sizeof why) != 0 ? why : strerror(errno));
    else
        fprintf(messages, "rnnc: error: cannot create the results folder '%s': %s\n", dir, strerror(errno));
    return -1;
}

/* The model file as it was run (model.rnn), the pictures and report.html
 * (SUMMARY's metrics and settings); 0, or -1 with a message. */
static int write_pictures(const frontend *fe, const plan *p, const rt_outdir *out, const run_folder_info *info,
                          const json_t *summary)
{
    const char *source = fe->sources.files[p->run->loc.file].text;
    if (rt_outdir_write_text(out, RT_FILE_MODEL, source) != 0) {
        fprintf(info->messages, "rnnc: error: cannot write %s: %s\n", RT_FILE_MODEL, strerror(errno));
        return -1;
    }
    rt_figures f = {.dir = out->work_path, .dt = p->dt};
    char title[320], err[4400];
    snprintf(title, sizeof title, "%s, seed %llu", info->model, (unsigned long long)p->settings.seed);
    if (rt_figures_draw(&f, err, sizeof err) != 0 ||
        rt_figures_report(&f, title, summary, source, NULL, err, sizeof err) != 0) {
        fprintf(info->messages, "rnnc: error: %s\n", err);
        return -1;
    }
    return 0;
}

/* The analysis that failed, at its line in the model. */
static void report_analysis_failure(frontend *fe, const run_folder_info *info, const plan *p,
                                    const rt_run_result *res, const char *then)
{
    if (res->failed_analysis < 0)
        return;
    const ast_node *at = p->analysis_at[res->failed_analysis];
    error_at(fe, info, at, "analyze %s(...): %s", at->name, res->analysis_error);
    if (*then)
        fprintf(info->messages, "rnnc: %s\n", then);
}

int run_folder_train(frontend *fe, const frontend_options *o, plan *p, const run_folder_info *info,
                     const char *dir, volatile sig_atomic_t *stop, const rt_progress *progress,
                     rt_run_result *res, int *io_failed)
{
    FILE *messages = info->messages;
    rt_outdir out;
    *io_failed = 1;
    if (run_folder_open(&out, dir, messages) != 0)
        return 1;
    char err[1024];
    int status = 0;
    int failed = rt_run_train(&p->desc, &out, stop, progress, res, err, sizeof err);
    if (info->progress_line && res->updates_done && res->updates_done < p->settings.updates)
        fputc('\n', messages);   /* the progress line stopped early */
    if (failed) {
        fprintf(messages, "rnnc: error: %s\n", err);
        *io_failed = 0;
        status = 1;
    } else if (res->analysis_write_failed) {   /* a full disk: the folder would be incomplete */
        if (res->failed_analysis < 0)   /* after every analysis ran: the fixed points placed in a PCA's space */
            fprintf(messages, "rnnc: error: %s\n", res->analysis_error);
        report_analysis_failure(fe, info, p, res, "");
        status = 1;
    } else {
        report_analysis_failure(fe, info, p, res, "the analyses stopped with an error; the trained network's "
                                                  "results are kept without them");
        json_t *doc = summary_json(o, info, p, res);
        if (!doc || save_summary(&out, doc, messages) != 0 || write_pictures(fe, p, &out, info, doc) != 0) {
            status = 1;
        } else if (rt_outdir_commit(&out) != 0) {
            fprintf(messages, "rnnc: error: cannot move the results into '%s': %s\n", dir, strerror(errno));
            status = 1;
        }
        json_decref(doc);
    }
    if (status) {   /* nothing half-written replaces what DIR held */
        rt_outdir_abort(&out);
        fprintf(messages, "rnnc: no results were written; '%s' is as it was\n", dir);
    } else {
        *io_failed = 0;
    }
    return status;
}

/* ------------------------------------------------------------ the analyses again */

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
static int copy_run_files(const char *dir, const rt_outdir *out, FILE *messages)
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
            fprintf(messages, "rnnc: error: %s is not a file of a run; rnnc analyze leaves a folder with other "
                              "things in it alone\n", from);
            rc = -1;
        } else {
            rc = from && to ? copy_file(from, to) : -1;
            if (rc != 0)
                fprintf(messages, "rnnc: error: cannot copy %s/%s: %s\n", dir, e->d_name, strerror(errno));
        }
        free(from);
        free(to);
    }
    closedir(d);
    return rc;
}

json_t *run_folder_load_summary(const char *dir, FILE *messages)
{
    size_t len = strlen(dir) + sizeof RT_FILE_SUMMARY + 1;
    char *path = malloc(len), err[1024];
    if (!path)
        return NULL;
    snprintf(path, len, "%s/%s", dir, RT_FILE_SUMMARY);
    json_t *doc = rt_summary_load(path, err, sizeof err);
    if (!doc)
        fprintf(messages, "rnnc: error: %s\n", err);
    free(path);
    return doc;
}

/* The analysis again on DIR's weights, into OUT, with DOC's "analysis" replaced. */
static int reanalyse(frontend *fe, plan *p, const run_folder_info *info, const char *dir, const rt_outdir *out,
                     json_t *doc, volatile sig_atomic_t *stop, rt_run_result *res)
{
    char err[1024];
    if (copy_run_files(dir, out, info->messages) != 0)
        return -1;
    if (rt_run_reanalyze(&p->desc, dir, out, stop, res, err, sizeof err) != 0) {
        fprintf(info->messages, "rnnc: error: %s\n", err);
        return -1;
    }
    if (res->failed_analysis >= 0) {
        report_analysis_failure(fe, info, p, res, "the folder is left as it was");
        return -1;
    }
    if (*stop)
        return -1;
    if (res->analysis)
        json_object_set(doc, "analysis", res->analysis);
    else
        json_object_del(doc, "analysis");
    return save_summary(out, doc, info->messages) != 0 || write_pictures(fe, p, out, info, doc) != 0 ? -1 : 0;
}

int run_folder_reanalyze(frontend *fe, plan *p, const run_folder_info *info, const char *dir, json_t *doc,
                         volatile sig_atomic_t *stop, rt_run_result *res)
{
    rt_outdir out;
    int status = run_folder_open(&out, dir, info->messages) != 0 ? 1 : 0;
    if (status == 0 && (reanalyse(fe, p, info, dir, &out, doc, stop, res) != 0 || rt_outdir_commit(&out) != 0)) {
        fprintf(info->messages, "rnnc: the analysis of '%s' %s; the folder is as it was\n", dir,
                *stop ? "was interrupted" : "failed");
        rt_outdir_abort(&out);
        status = *stop ? 130 : 1;
    }
    return status;
}
