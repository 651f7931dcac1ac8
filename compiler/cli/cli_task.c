/* cli_task.c -- rnnc task show FILE TASK: a task's sample trials, drawn
 * and saved, without a network or a training.
 *
 * The trials are the task engine's (compiler/plan/task_gen.h), the first K
 * evaluation trials of the seed (rt_run.h's RT_EVAL_TRIAL_BASE on), so
 * they are those a run of the same seed is evaluated on and pictures in
 * its task.svg. They go into a results folder written as rnnc run
 * writes one (runtime/rt_outdir.h: aside, then renamed; never over a
 * folder rnnc did not make): the picture (runtime/rt_figures_task.c) and
 * one .npy array per channel, the mask and the phases.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan.h"
#include "rt_figures.h"
#include "rt_files.h"
#include "rt_npy.h"
#include "rt_outdir.h"
#include "task_gen.h"

enum { EXIT_MODEL = 1, EXIT_USAGE = 2, MAX_TASK_NAMES = 256 };

/* The K trials as generated: per trial the mask, then each channel. */
typedef struct samples {
    size_t K, T, per_trial;
    double *data;                       /* [K][per_trial] */
    double *channel[RT_MAX_CHANNELS];   /* channel c as [K][T][size] */
    double *mask;                       /* [K][T] */
} samples;

/* The first train or evaluate of the root file whose task is NAME. */
static const ast_node *run_of_task(const frontend *fe, const char *name)
{
    for (const ast_node *n = fe->root ? fe->root->first : NULL; n; n = n->next)
        if ((n->kind == AST_TRAIN || n->kind == AST_EVALUATE) && n->first && strcmp(n->first->name, name) == 0)
            return n;
    return NULL;
}

/* The definition of task NAME, or NULL with an error naming the tasks there are. */
static const ast_node *find_task(frontend *fe, const char *file, const char *name)
{
    const ast_node *def = frontend_find_def(fe, name);
    if (def && def->kind == AST_TASK)
        return def;
    const char *names[MAX_TASK_NAMES];
    unsigned n = 0;
    for (uint32_t i = 0; i < fe->defs.len && n < MAX_TASK_NAMES; i++) {
        const ast_node *d = fe->defs.items[i];
        if (d->kind == AST_TASK)
            names[n++] = d->name;
    }
    diag *g = diag_error(&fe->diag, (src_loc){0, 0, 0, 0}, "%s %s task '%s'%s", file,
                         def ? "defines no" : "has no", name, def ? ": it names something else" : "");
    if (n == 0)
        diag_hint(&fe->diag, g, "the file neither defines nor imports a task");
    else if (closest_name(name, names, n))
        diag_suggest(&fe->diag, g, name, names, n);
    else {
        char list[512] = "";
        for (unsigned i = 0, at = 0; i < n && at < sizeof list - 1; i++)
            at += (unsigned)snprintf(list + at, sizeof list - at, "%s%s", i ? ", " : "", names[i]);
        diag_hint(&fe->diag, g, "the tasks it knows: %s", list);
    }
    return NULL;
}

/* dt: --dt, else that of a train or evaluate of TASK (with its -D), else
 * 1 ms; *FROM says which. -1 when the run's dt is no constant time. */
static int resolve_dt(const frontend_options *o, const cli_task_options *t, const ast_node *run, double *dt,
                      const char **from)
{
    *dt = 1e-3;
    *from = "the default: give --dt to change it";
    if (t->dt > 0) {
        *dt = t->dt;
        *from = "--dt";
        return 0;
    }
    if (!run)
        return 0;
    plan *p = calloc(1, sizeof *p);   /* plan_setting reads a setting and its -D */
    if (!p)
        return -1;
    p->opts = o;
    p->run = run;
    const ast_node *e = plan_setting(p, "dt");
    free(p);
    if (!e)
        return 0;
    double v;
    if (!const_value(e, NULL, &v) || !(v > 0))
        return -1;
    *dt = v;
    *from = run->kind == AST_TRAIN ? "the train of the model" : "the evaluate of the model";
    return 0;
}

static int samples_make(samples *s, const task_program *tp, size_t K)
{
    memset(s, 0, sizeof *s);
    s->K = K;
    s->T = tp->steps;
    s->per_trial = s->T;
    for (unsigned c = 0; c < tp->n_channels; c++)
        s->per_trial += s->T * tp->channels[c].size;
    s->data = calloc(K * s->per_trial, sizeof *s->data);
    s->mask = calloc(K * s->T, sizeof *s->mask);
    for (unsigned c = 0; c < tp->n_channels; c++)
        s->channel[c] = calloc(K * s->T * tp->channels[c].size + 1, sizeof(double));
    int ok = s->data && s->mask;
    for (unsigned c = 0; c < tp->n_channels; c++)
        ok &= s->channel[c] != NULL;
    return ok ? 0 : -1;
}

static void samples_free(samples *s)
{
    free(s->data);
    free(s->mask);
    for (unsigned c = 0; c < RT_MAX_CHANNELS; c++)
        free(s->channel[c]);
}

/* Trial I's channel C as generated: [T][size]. */
static double *generated(const samples *s, const task_program *tp, size_t i, unsigned c)
{
    double *at = s->data + i * s->per_trial + s->T;
    for (unsigned k = 0; k < c; k++)
        at += s->T * tp->channels[k].size;
    return at;
}

/* The first K evaluation trials of SEED, then gathered per channel. 0, or -1 with the
 * task engine's located message printed. */
static int generate(samples *s, const task_program *tp, uint64_t seed)
{
    for (size_t i = 0; i < s->K; i++) {
        double *ch[RT_MAX_CHANNELS];
        char err[2048];
        for (unsigned c = 0; c < tp->n_channels; c++)
            ch[c] = generated(s, tp, i, c);
        if (task_generate(tp, seed, RT_EVAL_TRIAL_BASE + i, ch, s->data + i * s->per_trial, NULL, err, sizeof err) !=
            0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
        memcpy(s->mask + i * s->T, s->data + i * s->per_trial, s->T * sizeof(double));
        for (unsigned c = 0; c < tp->n_channels; c++)
            memcpy(s->channel[c] + i * s->T * tp->channels[c].size, ch[c],
                   s->T * tp->channels[c].size * sizeof(double));
    }
    return 0;
}

/* The role a channel of the task engine plays for the runtime. */
static rt_channel_role role_of(const task_channel *c)
{
    return c->is_condition ? RT_CHANNEL_CONDITION
           : c->is_phase   ? RT_CHANNEL_PHASE
           : c->is_target  ? RT_CHANNEL_TARGET
                           : RT_CHANNEL_INPUT;
}

/* The picture of the trials, as NAME in OUT. */
static int write_picture(const rt_outdir *out, const char *name, const task_program *tp, const samples *s, double dt,
                         const char *title, size_t *drawn)
{
    rt_channel channels[RT_MAX_CHANNELS];
    for (unsigned c = 0; c < tp->n_channels; c++)
        channels[c] = (rt_channel){tp->channels[c].name, tp->channels[c].size, role_of(&tp->channels[c])};
    int ph = task_phase_channel(tp);
    rt_task_trial *trials = calloc(s->K, sizeof *trials);
    const double **data = calloc(s->K * tp->n_channels + 1, sizeof *data);
    rt_fig *fig = NULL;
    if (trials && data) {
        for (size_t i = 0; i < s->K; i++) {
            for (unsigned c = 0; c < tp->n_channels; c++)
                data[i * tp->n_channels + c] = generated(s, tp, i, c);
            trials[i] = (rt_task_trial){.channels = data + i * tp->n_channels, .mask = s->mask + i * s->T,
                                        .phase = ph >= 0 ? generated(s, tp, i, (unsigned)ph) : NULL};
        }
        rt_task_picture pic = {.title = title, .dt = dt, .steps = s->T, .n_channels = tp->n_channels,
                               .channels = channels, .n_phases = tp->n_phases, .phase_names = tp->phase_names,
                               .n_trials = s->K, .trials = trials};
        fig = rt_figures_task(&pic, drawn);
    }
    char *path = rt_outdir_file(out, name);
    int rc = fig && path && rt_fig_write(fig, path) == 0 ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "rnnc: error: cannot write %s: %s\n", name, strerror(errno));
    free(path);
    rt_fig_free(fig);
    free(trials);
    free(data);
    return rc;
}

/* DATA of NDIM dimensions SHAPE as NAME in OUT, and its line in LIST. */
static int write_array(const rt_outdir *out, const char *name, const double *data, const size_t *shape, int ndim,
                       FILE *list)
{
    char *path = rt_outdir_file(out, name);
    int rc = path ? rt_npy_write(path, data, RT_F64, shape, ndim) : -1;
    if (rc != 0)
        fprintf(stderr, "rnnc: error: cannot write %s: %s\n", name, path ? strerror(errno) : "out of memory");
    free(path);
    fprintf(list, "rnnc:   %-22s [%zu, %zu", name, shape[0], shape[1]);
    if (ndim == 3)
        fprintf(list, ", %zu", shape[2]);
    fputs("]\n", list);
    return rc;
}

/* Every input and target channel [K, T, size], the mask [K, T] and, with
 * phases, the phase of each step [K, T]. */
static int write_arrays(const rt_outdir *out, const task_program *tp, const samples *s, FILE *list)
{
    char name[300];
    for (unsigned c = 0; c < tp->n_channels; c++) {
        const task_channel *ch = &tp->channels[c];
        rt_channel_role role = role_of(ch);
        if (role != RT_CHANNEL_INPUT && role != RT_CHANNEL_TARGET)
            continue;
        size_t shape[3] = {s->K, s->T, ch->size};
        if (write_array(out, rt_file_name(name, sizeof name, RT_FILE_TASK_CHANNEL, ch->name), s->channel[c], shape, 3,
                        list) != 0)
            return -1;
    }
    size_t shape[2] = {s->K, s->T};
    if (write_array(out, RT_FILE_TASK_MASK, s->mask, shape, 2, list) != 0)
        return -1;
    int ph = task_phase_channel(tp);
    return ph >= 0 ? write_array(out, RT_FILE_TASK_PHASES, s->channel[ph], shape, 2, list) : 0;
}

/* A channel whose file would be the mask's or the phases'. */
static int refuse_clashing_names(const task_program *tp)
{
    char a[300];
    for (unsigned c = 0; c < tp->n_channels; c++) {
        rt_file_name(a, sizeof a, RT_FILE_TASK_CHANNEL, tp->channels[c].name);
        if (strcmp(a, RT_FILE_TASK_MASK) == 0 || strcmp(a, RT_FILE_TASK_PHASES) == 0) {
            fprintf(stderr, "rnnc: error: task '%s' has a channel '%s', whose file %s would be the %s's; rename "
                            "the channel\n", tp->def->name, tp->channels[c].name, a,
                    strcmp(a, RT_FILE_TASK_MASK) == 0 ? "mask" : "phases");
            return -1;
        }
    }
    return 0;
}

/* The folder: the picture and the arrays, written aside and moved into DIR. */
static int write_folder(const char *dir, const char *svg, const task_program *tp, const samples *s, double dt,
                        const char *title)
{
    rt_outdir out;
    if (cli_open_results(&out, dir) != 0)
        return EXIT_MODEL;
    char *listing = NULL;
    size_t listing_len = 0, drawn = 0;
    FILE *list = open_memstream(&listing, &listing_len);
    int rc = list ? 0 : -1;
    rc = rc ? rc : write_picture(&out, svg, tp, s, dt, title, &drawn);
    if (rc == 0)
        fprintf(list, "rnnc:   %-22s %zu trial%s drawn\n", svg, drawn, drawn == 1 ? "" : "s");
    rc = rc ? rc : write_arrays(&out, tp, s, list);
    if (list)
        fclose(list);
    if (rc == 0 && rt_outdir_commit(&out) != 0) {
        fprintf(stderr, "rnnc: error: cannot move the trials into '%s': %s\n", dir, strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        rt_outdir_abort(&out);
        fprintf(stderr, "rnnc: nothing was written; '%s' is as it was\n", dir);
    } else {
        printf("rnnc: wrote %s:\n%s", dir, listing ? listing : "");
    }
    free(listing);
    return rc ? EXIT_MODEL : 0;
}

int cli_task_show(frontend *fe, const frontend_options *o, const cli_task_options *t)
{
    const ast_node *def = find_task(fe, t->file, t->task);
    if (!def)
        return EXIT_USAGE;
    const ast_node *run = run_of_task(fe, t->task);
    double dt;
    const char *dt_from;
    if (resolve_dt(o, t, run, &dt, &dt_from) != 0) {
        fprintf(stderr, "rnnc: error: the dt of the model's run is not a positive constant time\n");
        return EXIT_MODEL;
    }
    uint64_t seed = t->seed_given ? t->seed : run ? plan_model_seed(o, run) : 1;
    const char *dir = t->out_dir ? t->out_dir : arena_printf(&fe->arena, "runs/task-%s", t->task);
    const char *svg = arena_printf(&fe->arena, RT_FILE_TASK_SHOW_SVG, t->task);
    char why[4400];
    if (!dir || !svg) {
        fputs("rnnc: error: out of memory\n", stderr);
        return EXIT_MODEL;
    }
    if (rt_outdir_check(dir, why, sizeof why) != 0) {   /* before any work, as rnnc run */
        fprintf(stderr, "rnnc: error: %s\n", why);
        return EXIT_USAGE;
    }
    task_program tp;
    /* the train's call (its arguments) when a run uses the task, else the definition's defaults */
    if (task_prepare(&tp, fe, run ? run->first : def, dt, seed) != 0 || refuse_clashing_names(&tp) != 0) {
        task_free(&tp);
        return EXIT_MODEL;
    }
    samples s;
    int rc = samples_make(&s, &tp, t->trials) != 0 ? (fputs("rnnc: error: out of memory\n", stderr), EXIT_MODEL)
             : generate(&s, &tp, seed) != 0   ? EXIT_MODEL
                                              : 0;
    if (rc == 0) {
        char title[400];
        snprintf(title, sizeof title, "Task %s: %zu sample trial%s (seed %llu)", t->task, t->trials,
                 t->trials == 1 ? "" : "s", (unsigned long long)seed);
        printf("rnnc: task %s of %s: %zu trial%s of %zu steps, dt %g ms (%s), seed %llu\n", t->task, t->file,
               t->trials, t->trials == 1 ? "" : "s", tp.steps, 1e3 * dt, dt_from, (unsigned long long)seed);
        rc = write_folder(dir, svg, &tp, &s, dt, title);
    }
    samples_free(&s);
    task_free(&tp);
    return rc;
}
