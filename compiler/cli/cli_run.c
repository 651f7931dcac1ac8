/* cli_run.c -- rnnc run: compile a checked model to the runtime's run
 * description, run it into its results folder, and print how it went;
 * rnnc analyze DIR; rnnc emit-llvm.
 *
 * The folder itself is written by the library's code (compiler/api/
 * run_folder.h), as rnnc_run writes it; this file adds the command's
 * progress line, its default folder names and what it prints.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_mpi.h"
#include "plan.h"
#include "rt_files.h"
#include "run_folder.h"

static const ast_node *find_run(const frontend *fe)
{
    return plan_find_run(fe);
}

/* The threads --seeds gave this realisation (CLI_SEEDS_THREADS), or 0. */
static int seeds_threads(void)
{
    const char *text = getenv(CLI_SEEDS_THREADS);
    char *end;
    long n = text ? strtol(text, &end, 10) : 0;
    return text && *text && !*end && n > 0 && n <= 4096 ? (int)n : 0;
}

/* The -D override of setting NAME, if the command line gave one. */
static int has_override(const frontend_options *o, const char *name)
{
    for (unsigned i = 0; i < o->define_count; i++)
        if (o->defines[i].expr && strcmp(o->defines[i].name, name) == 0)
            return 1;
    return 0;
}

/* --seed, else -D seed=..., else the model's 'seed', else 1. */
static uint64_t resolve_seed(const ast_node *run, const frontend_options *o, const cli_run_options *r)
{
    return r->seed_given ? r->seed : plan_model_seed(o, run);
}

int cli_open_results(rt_outdir *out, const char *dir)
{
    return run_folder_open(out, dir, stderr);
}

/* How the run folder is written for the command: messages on stderr. */
static run_folder_info folder_info(const cli_run_options *r, const char *model)
{
    return (run_folder_info){.model_path = r->model_path, .model = model, .check_ms = r->check_ms,
                             .threads = seeds_threads(), .messages = stderr, .color = cli_use_color()};
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

/* P trained into DIR, with the progress line on a terminal; the exit status. */
static int write_results(frontend *fe, const frontend_options *o, const cli_run_options *r, plan *p,
                         const char *model, const char *dir, rt_run_result *res)
{
    const char *quiet = getenv("RNNC_QUIET");   /* set for the realisations of --seeds */
    double last_shown = 0;
    rt_progress progress = {&last_shown, show_progress};
    int on_terminal = isatty(STDERR_FILENO) && !(quiet && *quiet), io_failed;
    run_folder_info info = folder_info(r, model);
    info.progress_line = on_terminal;
    return run_folder_train(fe, o, p, &info, dir, &cli_stop, on_terminal ? &progress : NULL, res, &io_failed);
}

static void print_timings(const cli_run_options *r, const plan *p)
{
    if (!r->verbose)
        return;
    unsigned long nodes = 0;   /* the expression graphs' size: linear in the model's, never more */
    for (unsigned i = 0; i < p->n_pops; i++)
        nodes += p->neurons[i].g.count;
    fprintf(stderr, "rnnc: lower to IR %.2f ms (%lu nodes), LLVM IR %.2f ms, optimise %.2f ms, "
                    "emit %.2f ms, kernel cache %s\n",
            p->lower_ms, nodes, p->timings.build_ms, p->timings.optimize_ms, p->timings.emit_ms,
            codegen_cache_name(p->timings.cache));
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
    const rt_run_desc *d = &p->desc;
    if (d->settings.train)
        printf("rnnc: %s: %zu updates in %.1f s", r->model_path, res->updates_done, res->train_seconds);
    else   /* an evaluate: what was simulated, and how fast */
        printf("rnnc: %s: evaluated %zu trial%s of %zu steps (%.4g s each) in %.3g s", r->model_path,
               d->settings.eval_trials, d->settings.eval_trials == 1 ? "" : "s", d->task.steps,
               (double)d->task.steps * d->dt, res->eval_forward_seconds);
    if (isfinite(res->final_train_loss))
        printf(", final training loss %.4g", res->final_train_loss);
    if (isfinite(res->eval_loss))
        printf(", evaluation loss %.4g", res->eval_loss);
    if (isfinite(res->eval_accuracy))
        printf(", accuracy %.2f%%", 100 * res->eval_accuracy);
    if (isfinite(res->final_rate_hz))
        printf(", rate %.3g Hz", res->final_rate_hz);
    for (unsigned i = 0; !d->settings.train && i < d->net.n_pops; i++) {
        double rate = rt_spike_stats_rate_hz(&res->spikes, i), cv = rt_spike_stats_cv(&res->spikes, i);
        if (!d->net.pops[i].spiking || !isfinite(rate))
            continue;
        printf(", %s %.3g Hz", d->net.pops[i].name, rate);
        if (isfinite(cv))
            printf(" (CV %.2f)", cv);
    }
    printf("\nrnnc: results in %s (compiled in %.0f ms)\n", dir, run_folder_compile_ms(r->check_ms, p));
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
static int follow_data_parallel(frontend *fe, const frontend_options *o, const ast_node *run, uint64_t seed);

/* ------------------------------------------------------------ data-parallel training */

/* Whether this run is one network trained by every MPI rank (a plain
 * 'rnnc run' under mpirun: docs/mpi.md); --seeds shares realisations instead. */
static int data_parallel(const cli_run_options *r)
{
    return cli_mpi_size() > 1 && r->seeds <= 1;
}

/* P's run description made this rank's share of the data-parallel
 * training: rank R of N takes rows [B R / N, B (R + 1) / N) of every batch
 * of B, with the cores it has; 0, or 2 with the one-line reason printed
 * (what cannot be shared). Every rank checks the same plan. */
static int share_training(plan *p, const frontend_options *o)
{
    rt_run_desc *d = &p->desc;
    size_t ranks = (size_t)cli_mpi_size(), rank = (size_t)cli_mpi_rank(), batch = d->settings.batch;
    if (!d->settings.train) {
        fprintf(stderr, "rnnc: error: %d MPI ranks for a run with nothing to train ('evaluate'): start it without "
                        "mpirun, or share realisations with --seeds K\n", cli_mpi_size());
        return 2;
    }
    if (ranks > batch) {
        fprintf(stderr, "rnnc: error: %zu MPI ranks for a batch of %zu trials: data-parallel training gives each "
                        "rank a share of every batch; start at most %zu (mpirun -n %zu) or raise the batch "
                        "(-D batch=N)\n", ranks, batch, batch, batch);
        return 2;
    }
    for (unsigned j = 0; j < d->net.n_projs; j++)
        if (d->net.projs[j].plastic) {   /* a local rule changes each rank's weights by its own trials */
            fprintf(stderr, "rnnc: error: data-parallel training of the plastic projection %s is not built yet; "
                            "start it without mpirun\n", d->net.projs[j].name);
            return 2;
        }
    if (d->settings.update_every) {
        fprintf(stderr, "rnnc: error: data-parallel training with 'update_every' (online e-prop) is not built yet; "
                        "start it without mpirun\n");
        return 2;
    }
    d->parallel = (rt_data_parallel){.row_lo = batch * rank / ranks, .row_hi = batch * (rank + 1) / ranks,
                                     .evaluate = rank == 0, .sum = cli_mpi_sum};
    if (!has_override(o, "threads"))
        d->settings.threads = (int)cli_jobs_cores();
    return 0;
}

/* After this rank's part of a data-parallel training ended in FAILED: a
 * rank that failed before the training's first sum takes part in it with
 * its failure, so that the others stop instead of waiting for it. */
static void leave_data_parallel(const plan *p, int failed)
{
    if (failed && cli_mpi_sums() == 0)
        rt_data_parallel_fail(&p->desc.parallel);
}

/* A rank other than 0 of a data-parallel training: the plan built and
 * checked as rank 0 builds it, then its share of every batch trained into
 * a scratch folder in TMPDIR, removed afterwards (rank 0 writes the
 * results). The exit status. */
static int follow_data_parallel(frontend *fe, const frontend_options *o, const ast_node *run, uint64_t seed)
{
    plan p;
    int status = plan_build(&p, fe, o, run, seed, NULL) != 0 ? 1 : 0;
    diag_print(&fe->diag, stderr, cli_use_color());   /* held back by cli_mpi until the agreement */
    diag_forget(&fe->diag);
    status = status ? status : share_training(&p, o);
    const char *tmp = getenv("TMPDIR");
    char scratch[4096], folder[4200];
    snprintf(scratch, sizeof scratch, "%s/rnnc-rank-%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", cli_mpi_rank());
    if (status == 0 && !mkdtemp(scratch)) {
        fprintf(stderr, "rnnc: error: cannot make a scratch folder for this rank's training in %s: %s\n",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        status = 1;
    }
    int made = status == 0;
    status = cli_mpi_agree(status);   /* no rank starts unless every rank can */
    int agreed = status == 0;
    rt_outdir out;
    snprintf(folder, sizeof folder, "%s/run", scratch);
    if (status == 0 && rt_outdir_begin(&out, folder) != 0) {
        fprintf(stderr, "rnnc: rank %d: error: cannot write in the scratch folder %s: %s\n", cli_mpi_rank(),
                scratch, strerror(errno));
        status = 1;
    } else if (status == 0) {
        rt_run_result res;
        char err[1024];
        if (rt_run_train(&p.desc, &out, &cli_stop, NULL, &res, err, sizeof err) != 0) {
            fprintf(stderr, "rnnc: rank %d: error: %s\n", cli_mpi_rank(), err);
            status = 1;
        } else {
            status = res.status == RT_RUN_INTERRUPTED ? 130 : res.status == RT_RUN_STOPPED_NON_FINITE ? 1 : 0;
        }
        rt_run_result_free(&res);
        rt_outdir_abort(&out);
    }
    leave_data_parallel(&p, agreed && status != 0);
    if (made)
        rmdir(scratch);
    plan_free(&p);
    return status;
}

int cli_run(frontend *fe, const frontend_options *o, const cli_run_options *r)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: error: %s has nothing to run: add 'train Network on Task { ... }'\n", r->model_path);
        return 1;
    }
    char model[256];
    run_folder_model_name(r->model_path, model, sizeof model);
    uint64_t seed = resolve_seed(run, o, r);
    if (data_parallel(r) && cli_mpi_rank() != 0)
        return follow_data_parallel(fe, o, run, seed);
    const char *dir = r->out_dir ? r->out_dir
                      : r->seeds > 1 ? arena_printf(&fe->arena, "runs/%s-seeds-%llu-%llu", model,
                                                    (unsigned long long)seed,
                                                    (unsigned long long)(seed + r->seeds - 1))
                                     : arena_printf(&fe->arena, "runs/%s-%llu", model, (unsigned long long)seed);
    if (!dir) {
        fputs("rnnc: error: out of memory\n", stderr);
        return 1;
    }
    /* asked for by name, or resumed (--resume: the default folder itself): replaces the earlier run there
     * (docs/language.md, section 18) */
    if (r->out_dir || r->resume)
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
    if (seeds_threads() && !has_override(o, "threads"))
        p.desc.settings.threads = seeds_threads();
    int shared = data_parallel(r);
    if (shared) {   /* rank 0 of a data-parallel training: the others are in follow_data_parallel */
        int rc = cli_mpi_agree(share_training(&p, o));
        if (rc != 0) {
            plan_free(&p);
            return rc;
        }
        size_t ranks = (size_t)cli_mpi_size(), batch = p.desc.settings.batch, least = batch / ranks;
        char share[64];
        snprintf(share, sizeof share, batch % ranks ? "%zu or %zu" : "%zu", least, least + 1);
        printf("rnnc: data-parallel training over %zu MPI ranks, each with %s of every batch of %zu trials; "
               "rank 0 evaluates\n", ranks, share, batch);
        fflush(stdout);
    }
    print_timings(r, &p);
    rt_run_result res;
    memset(&res, 0, sizeof res);
    int status = write_results(fe, o, r, &p, model, dir, &res);
    if (shared)
        leave_data_parallel(&p, status != 0);
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

int cli_analyze(frontend *fe, const frontend_options *o, const cli_run_options *r, const char *dir)
{
    const ast_node *run = find_run(fe);
    if (!run) {
        fprintf(stderr, "rnnc: error: %s has nothing to analyse: it has no 'train' or 'evaluate'\n", r->model_path);
        return 1;
    }
    json_t *doc = run_folder_load_summary(dir, stderr);
    plan p;
    if (!doc || plan_build(&p, fe, o, run, resolve_seed(run, o, r), NULL) != 0) {
        if (doc)
            plan_free(&p);
        json_decref(doc);
        return 1;
    }
    print_timings(r, &p);
    rt_run_result res;
    memset(&res, 0, sizeof res);
    char model[256];
    run_folder_info info = folder_info(r, run_folder_model_name(r->model_path, model, sizeof model));
    int status = run_folder_reanalyze(fe, &p, &info, dir, doc, &cli_stop, &res);
    if (status == 0 && isfinite(res.eval_loss))
        printf("rnnc: analysed %s again (evaluation loss %.4g); report in %s/%s\n", dir, res.eval_loss, dir,
               RT_FILE_REPORT);
    else if (status == 0)
        printf("rnnc: analysed %s again; report in %s/%s\n", dir, dir, RT_FILE_REPORT);
    rt_run_result_free(&res);
    json_decref(doc);
    plan_free(&p);
    return status;
}
