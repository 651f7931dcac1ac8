/* api_run.c -- librnnc's runs: rnnc_run and rnnc_reanalyze (include/rnnc.h).
 *
 * A run is the rnnc command's (compiler/api/run_folder.c writes the folder
 * for both); its messages, which the command prints, are kept in a memory
 * stream and become the error or the result's message.
 */
#define _GNU_SOURCE   /* mkdtemp's prototype with strict C17 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api_internal.h"
#include "rt_run.h"
#include "run_folder.h"

/* The caller's stop flag is polled as the runtime's. */
_Static_assert(_Generic((sig_atomic_t)0, int: 1, default: 0), "the stop flag's int must be a sig_atomic_t");

/* Messages kept as the rnnc command would print them. */
typedef struct messages {
    char *text;
    size_t size;
    FILE *fp;
} messages;

static int messages_open(messages *ms)
{
    memset(ms, 0, sizeof *ms);
    ms->fp = open_memstream(&ms->text, &ms->size);
    return ms->fp ? 0 : -1;
}

/* The text so far (owned by MS); "" when none. */
static const char *messages_text(messages *ms)
{
    fflush(ms->fp);
    return ms->text ? ms->text : "";
}

static void messages_close(messages *ms)
{
    fclose(ms->fp);
    free(ms->text);
}

/* How M's results folder is written, its messages kept in MESSAGES. */
static run_folder_info folder_info(const rnnc_model *m, FILE *messages)
{
    return (run_folder_info){.model_path = m->path, .from_text = m->from_text, .model = m->name,
                             .check_ms = m->check_ms, .messages = messages};
}

rnnc_run_options rnnc_run_defaults(void)
{
    rnnc_run_options o;
    memset(&o, 0, sizeof o);
    return o;
}

/* rt_progress's call as rnnc_progress's. */
typedef struct progress_relay {
    const rnnc_run_options *options;
} progress_relay;

static void relay_progress(void *ctx, size_t update, size_t updates, size_t per_epoch, double loss,
                           double seconds)
{
    const progress_relay *r = ctx;
    rnnc_progress p = {update + 1, updates, per_epoch, loss, seconds};
    r->options->progress(r->options->progress_ctx, &p);
}

/* A new folder for a run with no OUT_DIR: $TMPDIR/rnnc-MODEL-XXXXXX. */
static char *temporary_folder(const rnnc_model *m)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = NULL;
    if (asprintf(&dir, "%s/rnnc-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", m->name) < 0)
        return NULL;
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* The status of a run that could not be written, from what failed. */
static rnnc_status failure_status(int io_failed, const char *text)
{
    if (strstr(text, "out of memory") || strstr(text, "needs more memory"))
        return RNNC_NO_MEMORY;
    /* the runtime's own failures to write its files (a full disk) say so */
    return io_failed || strstr(text, "cannot write") ? RNNC_IO_ERROR : RNNC_RUN_ERROR;
}

/* The result of a run that wrote DIR. */
static rnnc_result *opened(const char *dir, int temporary, const rt_run_result *res, const char *text,
                           rnnc_error **err)
{
    rnnc_result *r = rnnc_result_open(dir, err);
    if (!r)
        return NULL;
    rnnc_status status = res->status == RT_RUN_INTERRUPTED          ? RNNC_INTERRUPTED
                         : res->status == RT_RUN_STOPPED_NON_FINITE ? RNNC_NON_FINITE
                                                                    : RNNC_OK;
    char *message = NULL;
    int n = (int)strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        n--;
    /* the run's own words first, then the messages (an analysis that failed) */
    char first[600] = "";
    if (status == RNNC_INTERRUPTED)
        snprintf(first, sizeof first, "interrupted after %zu updates", res->updates_done);
    else if (status == RNNC_NON_FINITE)
        snprintf(first, sizeof first, "%s", res->message);
    if (asprintf(&message, "%s%s%.*s", first, *first && n ? "\n" : "", n, text) < 0)
        message = NULL;
    api_result_set_run(r, status, message, temporary);
    return r;
}

rnnc_result *rnnc_run(rnnc_model *m, const rnnc_run_options *options, rnnc_error **err)
{
    rnnc_run_options defaults = rnnc_run_defaults();
    const rnnc_run_options *o = options ? options : &defaults;
    if (!m) {
        api_fail(err, RNNC_USAGE, "rnnc_run: no model given");
        return NULL;
    }
    if (api_model_plan(m, o->seed_given ? o->seed : plan_model_seed(&m->fo, m->p.run), err) != RNNC_OK)
        return NULL;
    if (o->evaluate_only) {   /* as an evaluate block is planned: no updates */
        m->p.desc.settings.train = 0;
        m->p.desc.settings.updates = 0;
    }
    if (o->threads)
        m->p.desc.settings.threads = (int)o->threads;
    struct stat st;
    if (o->out_dir && !o->overwrite && lstat(o->out_dir, &st) == 0) {
        api_fail(err, RNNC_USAGE, "the results folder '%s' exists; set overwrite to replace an earlier run's folder",
                 o->out_dir);
        return NULL;
    }
    char why[4400];
    if (o->out_dir && rt_outdir_check(o->out_dir, why, sizeof why) != 0) {
        api_fail(err, RNNC_USAGE, "%s", why);
        return NULL;
    }
    char *temporary = o->out_dir ? NULL : temporary_folder(m);
    if (!o->out_dir && !temporary) {
        api_fail(err, RNNC_IO_ERROR, "cannot make a temporary results folder: %s", strerror(errno));
        return NULL;
    }
    messages ms;
    if (messages_open(&ms) != 0) {
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        free(temporary);
        return NULL;
    }
    const char *dir = o->out_dir ? o->out_dir : temporary;
    run_folder_info info = folder_info(m, ms.fp);
    info.threads = (int)o->threads;
    progress_relay relay = {o};
    rt_progress progress = {&relay, relay_progress};
    volatile sig_atomic_t never = 0;
    rt_run_result res;
    memset(&res, 0, sizeof res);
    int io_failed = 0;
    int failed = run_folder_train(&m->fe, &m->fo, &m->p, &info, dir, o->stop ? o->stop : &never,
                                  o->progress ? &progress : NULL, &res, &io_failed);
    rnnc_result *r = NULL;
    if (failed) {
        const char *text = messages_text(&ms);
        api_fail_text(err, failure_status(io_failed, text), text);
        if (temporary)
            rmdir(temporary);   /* empty again: the run's partial folder was beside it */
    } else {
        r = opened(dir, temporary != NULL && !o->keep, &res, messages_text(&ms), err);
    }
    rt_run_result_free(&res);
    messages_close(&ms);
    free(temporary);
    return r;
}

rnnc_status rnnc_reanalyze(rnnc_model *m, rnnc_result *r, rnnc_error **err)
{
    if (!m || !r)
        return api_fail(err, RNNC_USAGE, "rnnc_reanalyze: %s", m ? "no result given" : "no model given");
    const char *dir = rnnc_result_dir(r);
    messages ms;
    if (messages_open(&ms) != 0)
        return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    unsigned long long seed = 0;
    rnnc_status status = api_result_seed(r, &seed, err);
    json_t *doc = status == RNNC_OK ? run_folder_load_summary(dir, ms.fp) : NULL;
    if (status == RNNC_OK && !doc)
        status = api_fail_text(err, RNNC_IO_ERROR, messages_text(&ms));
    if (status == RNNC_OK)
        status = api_model_plan(m, seed, err);
    if (status == RNNC_OK) {
        run_folder_info info = folder_info(m, ms.fp);
        volatile sig_atomic_t never = 0;
        rt_run_result res;
        memset(&res, 0, sizeof res);
        if (run_folder_reanalyze(&m->fe, &m->p, &info, dir, doc, &never, &res) != 0)
            status = api_fail_text(err, RNNC_RUN_ERROR, messages_text(&ms));
        rt_run_result_free(&res);
    }
    if (status == RNNC_OK)
        status = api_result_reread(r, err);
    json_decref(doc);
    messages_close(&ms);
    return status;
}
