/* main.c -- the rnnc command line.
 *
 *   rnnc check FILE...                      check models, report every error
 *   rnnc run FILE [--out DIR] [--seed N] [--seeds K [--resume]] [-D name=value]... [-v] [--no-cache]
 *   rnnc sweep FILE --grid NAME=V1,V2,... [--grid ...] [--seeds K] [--resume] [--out DIR] [-D name=value]...
 *   rnnc analyze DIR                        the model's analyses again on a finished run
 *   rnnc fmt [--check] FILE...              rewrite models in the canonical layout
 *   rnnc dump-ast FILE                      print the syntax tree
 *   rnnc emit-llvm FILE                     print the optimised LLVM IR of the kernels
 *   rnnc task show FILE TASK [--trials K] [--out DIR] [--dt TIME] [--seed N] [-D name=value]...
 *   rnnc --help | --version
 *
 * Exit status: 0 success, 1 the model has errors, 2 bad usage or an
 * unreadable file, 130 interrupted.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_internal.h"
#include "cli.h"
#include "cli_mpi.h"
#include "codegen.h"
#include "frontend.h"
#include "plan.h"
#include "rt_file.h"
#include "rt_info.h"
#include "rt_summary.h"
#include "stdlib_dir.h"

enum { EXIT_MODEL = 1, EXIT_USAGE = 2, MAX_DEFINES = 256, MAX_PATH_DIRS = 64, MAX_GRIDS = 16 };

static const char usage_text[] =
    "usage: rnnc COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  check FILE...        check models and report every error found\n"
    "  run FILE             check a model and run it, writing a results folder\n"
    "  sweep FILE           runs over every combination of --grid values (and --seeds), one table\n"
    "  analyze DIR          run a finished run's analyses again and redraw its report\n"
    "  fmt FILE...          rewrite models in the canonical layout (--check: name those not in it)\n"
    "  dump-ast FILE        print the syntax tree of a file\n"
    "  emit-llvm FILE       print the optimised LLVM IR of a model's compiled kernels\n"
    "  task show FILE TASK  draw sample trials of a task and save them as .npy\n"
    "\n"
    "options:\n"
    "  -D NAME=VALUE        set a parameter or setting (e.g. -D epochs=2, -D LIF.tau_m=20ms)\n"
    "  --out DIR            results folder for run, replaced if it holds a run (default runs/MODEL-SEED,\n"
    "                       never replaced: then runs/MODEL-SEED-2, -3, ...; task show: runs/task-TASK)\n"
    "  --seed N             random seed for run and task show (default: the model's, else 1)\n"
    "  --seeds K            run K realisations (seeds N .. N+K-1) and combine them\n"
    "  --resume             with --seeds or sweep: keep the runs the folder holds finished, run the rest\n"
    "  --grid NAME=V1,V2    sweep's values of a parameter or setting (any NAME -D takes)\n"
    "  --trials K           trials task show draws (default 4, at most 64)\n"
    "  --dt TIME            task show's step, e.g. 20ms (default: the model's, else 1ms)\n"
    "  -v, --verbose        print phase timings\n"
    "  --no-cache           compile the kernels even if the kernel cache has them (RNNC_KERNEL_CACHE=off)\n"
    "  -h, --help           print this help\n"
    "  --version            print the version and what it was built with\n"
    "\n"
    "environment:\n"
    "  RNNC_PATH            folders searched for imports, separated by ':'\n"
    "  RNNC_STDLIB          the standard library folder\n"
    "  NO_COLOR             plain diagnostics\n"
    "\n"
    "under mpirun or srun, run --seeds and sweep spread their runs over the ranks, and a plain run\n"
    "trains one network with every rank's share of each batch (docs/mpi.md)\n";

typedef struct cli {
    const char *command;
    const char *files[256];
    unsigned nfiles;
    frontend_define defines[MAX_DEFINES];
    unsigned ndefines;
    cli_run_options run;
    const char *path_dirs[MAX_PATH_DIRS];
    unsigned npath;
    char *path_copy;
    char *owned[MAX_DEFINES + 2];   /* strings made for 'analyze' (its -D values) */
    unsigned nowned;
    const char *trials, *dt;        /* task show's --trials and --dt, as given */
    const char *grids[MAX_GRIDS];   /* sweep's --grid NAME=V1,V2,... */
    unsigned ngrids;
} cli;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("rnnc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see 'rnnc --help')\n", stderr);
    return EXIT_USAGE;
}

static int parse_define(cli *c, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return usage_error("-D needs NAME=VALUE, got '%s'", arg);
    if (c->ndefines == MAX_DEFINES)
        return usage_error("too many -D options (limit is %s)", "256");
    size_t n = (size_t)(eq - arg);
    for (unsigned i = 0; i < c->ndefines; i++)
        if (strlen(c->defines[i].name) == n && memcmp(c->defines[i].name, arg, n) == 0) {
            char twice[512];
            snprintf(twice, sizeof twice, "-D %.*s is given twice (%s=%s, then %s); give it once",
                     (int)n, arg, c->defines[i].name, c->defines[i].value, arg);
            return usage_error("%s", twice);
        }
    frontend_define *d = &c->defines[c->ndefines++];
    char *name = malloc(n + 1);
    if (!name)
        return usage_error("%s", "out of memory");
    memcpy(name, arg, n);
    name[n] = '\0';
    d->name = name;
    d->value = eq + 1;
    return 0;
}

static int parse_seed(cli *c, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-')
        return usage_error("--seed takes a whole number from 0, got '%s'", arg);
    c->run.seed = v;
    c->run.seed_given = 1;
    return 0;
}

static int parse_seeds(cli *c, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 1000)
        return usage_error("--seeds takes a whole number from 1 to 1000, got '%s'", arg);
    c->run.seeds = (unsigned)v;
    return 0;
}

static int parse_args(cli *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (strcmp(a, "-D") == 0) {
            if (++i == argc)
                return usage_error("%s needs NAME=VALUE", a);
            rc = parse_define(c, argv[i]);
        } else if (strncmp(a, "-D", 2) == 0) {
            rc = parse_define(c, a + 2);
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--seeds") == 0) {
            if (++i == argc)
                return usage_error("%s needs a value", a);
            if (a[2] == 'o')
                c->run.out_dir = argv[i];
            else if (a[6] == 's')
                rc = parse_seeds(c, argv[i]);
            else
                rc = parse_seed(c, argv[i]);
        } else if (strcmp(a, "--grid") == 0) {
            if (++i == argc)
                return usage_error("%s needs NAME=V1,V2,...", a);
            if (c->ngrids == MAX_GRIDS)
                return usage_error("too many --grid options (limit is %s)", "16");
            c->grids[c->ngrids++] = argv[i];
        } else if (strcmp(a, "--trials") == 0 || strcmp(a, "--dt") == 0) {
            if (++i == argc)
                return usage_error("%s needs a value", a);
            *(a[2] == 't' ? &c->trials : &c->dt) = argv[i];
        } else if (strcmp(a, "--resume") == 0) {
            c->run.resume = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            c->run.verbose = 1;
        } else if (strcmp(a, "--no-cache") == 0) {
            /* through the environment, so the realisations of --seeds and sweep's runs inherit it */
            if (setenv("RNNC_KERNEL_CACHE", "off", 1) != 0)
                return usage_error("%s", "cannot set RNNC_KERNEL_CACHE");
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!c->command) {
            c->command = a;
        } else if (c->nfiles < 256) {
            c->files[c->nfiles++] = a;
        } else {
            return usage_error("too many files (limit is %s)", "256");
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* A model file that cannot be read, or is no regular file (a folder, a
 * device, a FIFO), is bad usage: exit 2 before the front end sees it. */
static int check_readable(const char *path)
{
    char why[256];
    FILE *fp = rt_file_open(path, RT_FILE_MAX_SOURCE, NULL, why, sizeof why);
    if (!fp) {
        fprintf(stderr, "rnnc: cannot read '%s': %s%s\n", path, why,
                errno == EISDIR ? "; give a .rnn file" : "");
        return EXIT_USAGE;
    }
    fclose(fp);
    return 0;
}

static void front_options(cli *c, frontend_options *o)
{
    memset(o, 0, sizeof *o);
    const char *env = getenv("RNNC_PATH");
    if (env && *env) {
        c->path_copy = strdup(env);
        for (char *p = c->path_copy ? strtok(c->path_copy, ":") : NULL; p && c->npath < MAX_PATH_DIRS;
             p = strtok(NULL, ":"))
            c->path_dirs[c->npath++] = p;
    }
    o->search_path = c->path_dirs;
    o->search_count = c->npath;
    o->stdlib_dir = stdlib_default_dir();
    o->defines = c->defines;
    o->define_count = c->ndefines;
}

int cli_use_color(void)
{
    const char *no = getenv("NO_COLOR");
    return isatty(STDERR_FILENO) && !(no && *no);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* rnnc check FILE... : every file is checked, every error reported. */
static int cmd_check(cli *c, const frontend_options *o)
{
    if (c->nfiles == 0)
        return usage_error("%s needs at least one file", "check");
    int status = 0;
    for (unsigned i = 0; i < c->nfiles; i++) {
        int rc = check_readable(c->files[i]);
        if (rc) {
            status = EXIT_USAGE;
            continue;
        }
        frontend fe;
        frontend_init(&fe);
        double start = now_ms();
        unsigned errors = frontend_check_file(&fe, c->files[i], o);
        double checked = now_ms();
        if (!errors) {   /* what rnnc run refuses before it starts, rnnc check refuses too */
            plan_check(&fe, o);
            errors = fe.diag.errors;
        }
        double planned = now_ms();
        diag_print(&fe.diag, stderr, cli_use_color());
        if (c->run.verbose)
            fprintf(stderr, "rnnc: %s: parse and check %.2f ms (%u files), plan %.2f ms\n", c->files[i],
                    checked - start, fe.files.len, planned - checked);
        if (errors && status == 0)
            status = EXIT_MODEL;
        frontend_free(&fe);
    }
    return status;
}

static int cmd_dump_ast(cli *c, const frontend_options *o)
{
    if (c->nfiles != 1)
        return usage_error("%s takes one file", "dump-ast");
    int rc = check_readable(c->files[0]);
    if (rc)
        return rc;
    frontend_options parse_only = *o;
    parse_only.parse_only = 1;
    frontend fe;
    frontend_init(&fe);
    unsigned errors = frontend_check_file(&fe, c->files[0], &parse_only);
    diag_print(&fe.diag, stderr, cli_use_color());
    if (!errors)
        ast_dump(fe.root, stdout, 0);
    frontend_free(&fe);
    return errors ? EXIT_MODEL : 0;
}

/* rnnc run FILE, rnnc emit-llvm FILE: check, then compile (and run). */
static int cmd_run(cli *c, const frontend_options *o, int emit_llvm)
{
    if (c->nfiles != 1)
        return usage_error("%s takes one model file", emit_llvm ? "emit-llvm" : "run");
    int rc = check_readable(c->files[0]);
    if (rc)
        return rc;
    if (!emit_llvm)
        cli_catch_stop_signals();   /* a signal while compiling stops the run before its first update */
    frontend fe;
    frontend_init(&fe);
    double start = now_ms();
    unsigned errors = frontend_check_file(&fe, c->files[0], o);
    c->run.check_ms = now_ms() - start;
    diag_print(&fe.diag, stderr, cli_use_color());
    diag_forget(&fe.diag);   /* printed: what follows is the plan's */
    if (errors) {
        frontend_free(&fe);
        return EXIT_MODEL;
    }
    if (c->run.verbose)
        fprintf(stderr, "rnnc: parse and check %.2f ms\n", c->run.check_ms);
    c->run.model_path = c->files[0];
    rc = emit_llvm ? cli_emit_llvm(&fe, o, &c->run) : cli_run(&fe, o, &c->run);
    diag_print(&fe.diag, stderr, cli_use_color());   /* the plan's errors, if it had any */
    frontend_free(&fe);
    return rc;
}

/* Each -D NAME=VALUE the earlier run was given (its summary's "defines"),
 * as if given again. */
static int read_defines(cli *c, const json_t *defines, const char *path)
{
    if (!defines)
        return 0;
    if (!json_is_object(defines)) {
        fprintf(stderr, "rnnc: %s: \"defines\" is not an object\n", path);
        return EXIT_USAGE;
    }
    const char *name;
    json_t *value;
    json_object_foreach ((json_t *)defines, name, value) {
        const char *text = json_string_value(value);
        if (!text) {
            fprintf(stderr, "rnnc: %s: the define '%s' is not a string\n", path, name);
            return EXIT_USAGE;
        }
        if (c->nowned == MAX_DEFINES)
            return usage_error("too many -D options (limit is %s)", "256");
        size_t n = strlen(name) + strlen(text) + 2;
        char *def = malloc(n);
        if (!def)
            return usage_error("%s", "out of memory");
        snprintf(def, n, "%s=%s", name, text);
        c->owned[c->nowned++] = def;
        int rc = parse_define(c, def);
        if (rc)
            return rc;
    }
    return 0;
}

/* The model file (model_path is absolute; model_file as given, and older
 * runs have only that), seed and -D values of the run summarised by S. */
static int read_run_summary(cli *c, const json_t *s, const char *path, const char *dir, char *model_path,
                            size_t size)
{
    if (json_object_get(s, "per_seed")) {
        fprintf(stderr, "rnnc: %s holds several realisations; analyse each seed-S folder in it\n", dir);
        return EXIT_USAGE;
    }
    const char *model = rt_summary_string(s, "model_path");
    if (!model)
        model = rt_summary_string(s, "model_file");
    if (!model || !*model) {
        fprintf(stderr, "rnnc: %s names no model file\n", path);
        return EXIT_USAGE;
    }
    snprintf(model_path, size, "%s", model);
    /* without them the run's settings are unknown: evaluating with the model's defaults would be another run */
    unsigned long long seed;
    if (rt_summary_unsigned(s, "seed", &seed) != 0) {
        fprintf(stderr, "rnnc: %s: \"seed\" is %s\n", path,
                json_object_get(s, "seed") ? "not a whole number from 0" : "missing: the run's seed is unknown");
        return EXIT_USAGE;
    }
    c->run.seed = seed;
    c->run.seed_given = 1;
    if (!json_object_get(s, "defines")) {
        fprintf(stderr, "rnnc: %s: \"defines\" is missing: the run's -D values are unknown\n", path);
        return EXIT_USAGE;
    }
    return read_defines(c, json_object_get(s, "defines"), path);
}

/* From DIR/summary.json of an earlier run: its model file, seed and -D values. */
static int read_run(cli *c, const char *dir, char *model_path, size_t size)
{
    char path[4096], err[4096 + 256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_t *s = rt_summary_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "rnnc: %s (is '%s' a results folder of rnnc run?)\n", err, dir);
        return EXIT_USAGE;
    }
    int rc = read_run_summary(c, s, path, dir, model_path, size);
    json_decref(s);
    return rc;
}

/* rnnc analyze DIR: the model file of the run (its saved copy model.rnn
 * when the original is gone or has changed since). */
static int cmd_analyze(cli *c, frontend_options *o)
{
    if (c->nfiles != 1)
        return usage_error("%s takes one results folder", "analyze");
    if (c->ndefines || c->run.seed_given || c->run.out_dir || c->run.seeds)
        return usage_error("%s uses the run's own model, seed and -D values; it takes no -D, --seed, "
                           "--seeds or --out", "analyze");
    const char *dir = c->files[0];
    static char model[4096], saved[4160];
    int rc = read_run(c, dir, model, sizeof model);
    if (rc)
        return rc;
    o->defines = c->defines;
    o->define_count = c->ndefines;
    snprintf(saved, sizeof saved, "%s/model.rnn", dir);
    FILE *a = fopen(model, "rb"), *b = fopen(saved, "rb");
    int same = a && b;
    for (int x = 0, y = 0; same && (x != EOF || y != EOF);) {
        x = fgetc(a);
        y = fgetc(b);
        same = x == y;
    }
    if (a)
        fclose(a);
    if (b)
        fclose(b);
    const char *use = model;
    if (!same && access(saved, R_OK) == 0) {
        fprintf(stderr, "rnnc: note: %s %s; using the copy saved with the run, %s\n", model,
                access(model, R_OK) == 0 ? "has changed since the run" : "cannot be read", saved);
        use = saved;
    }
    rc = check_readable(use);
    if (rc)
        return rc;
    cli_catch_stop_signals();
    frontend fe;
    frontend_init(&fe);
    unsigned errors = frontend_check_file(&fe, use, o);
    diag_print(&fe.diag, stderr, cli_use_color());
    diag_forget(&fe.diag);   /* printed: what follows is the plan's */
    if (!errors) {
        c->run.model_path = use;
        rc = cli_analyze(&fe, o, &c->run, dir);
        diag_print(&fe.diag, stderr, cli_use_color());
    }
    frontend_free(&fe);
    return errors ? EXIT_MODEL : rc;
}

/* --trials K: 1 .. 64 trials. */
static int parse_trials(const char *arg, size_t *k)
{
    char *end;
    errno = 0;
    unsigned long v = arg ? strtoul(arg, &end, 10) : 4;
    if (arg && (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 64))
        return usage_error("--trials takes a whole number from 1 to 64, got '%s'", arg);
    *k = v;
    return 0;
}

/* --dt TIME: a positive time with its unit (20ms, 0.5 ms, 1e-3s, 100us). */
static int parse_dt(const char *arg, double *dt)
{
    static const struct { const char *unit; double seconds; } units[] = {{"s", 1}, {"ms", 1e-3}, {"us", 1e-6}};
    char *end;
    *dt = 0;
    if (!arg)
        return 0;
    double v = strtod(arg, &end);
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (end != arg && strcmp(end, units[i].unit) == 0 && v > 0 && isfinite(v)) {
            *dt = v * units[i].seconds;
            return 0;
        }
    return usage_error("--dt takes a positive time with its unit (e.g. 20ms, 0.5ms, 1e-3s), got '%s'", arg);
}

/* rnnc task show FILE TASK: check FILE (a library of tasks or a model),
 * then draw and save the trials. */
static int cmd_task(cli *c, const frontend_options *o)
{
    if (c->nfiles == 0 || strcmp(c->files[0], "show") != 0)
        return usage_error(c->nfiles ? "unknown task command '%s'; usage: rnnc task show FILE TASK [--trials K] "
                                       "[--out DIR] [--dt TIME] [--seed N] [-D NAME=VALUE]..."
                                     : "task needs a command%s; usage: rnnc task show FILE TASK [--trials K] "
                                       "[--out DIR] [--dt TIME] [--seed N] [-D NAME=VALUE]...",
                           c->nfiles ? c->files[0] : "");
    if (c->nfiles != 3)
        return usage_error("task show takes a file and a task name%s; usage: rnnc task show FILE TASK [--trials K] "
                           "[--out DIR] [--dt TIME] [--seed N] [-D NAME=VALUE]...",
                           c->nfiles < 3 ? "" : ", nothing more");
    if (c->run.seeds || c->run.verbose)
        return usage_error("%s takes no --seeds or -v", "task show");
    cli_task_options t = {.file = c->files[1], .task = c->files[2], .out_dir = c->run.out_dir,
                          .seed = c->run.seed, .seed_given = c->run.seed_given};
    int rc = parse_trials(c->trials, &t.trials);
    rc = rc ? rc : parse_dt(c->dt, &t.dt);
    rc = rc ? rc : check_readable(t.file);
    if (rc)
        return rc;
    frontend fe;
    frontend_init(&fe);
    unsigned errors = frontend_check_file(&fe, t.file, o);
    diag_print(&fe.diag, stderr, cli_use_color());
    diag_forget(&fe.diag);   /* printed: what follows is the task engine's */
    if (!errors) {
        rc = cli_task_show(&fe, o, &t);
        diag_print(&fe.diag, stderr, cli_use_color());
    }
    frontend_free(&fe);
    return errors ? EXIT_MODEL : rc;
}

/* rnnc sweep FILE --grid ...: the grids are checked against the model in cli_sweep. */
static int cmd_sweep(cli *c, const frontend_options *o)
{
    if (c->nfiles != 1)
        return usage_error("%s takes one model file", "sweep");
    if (c->ngrids == 0)
        return usage_error("%s needs at least one --grid NAME=V1,V2,...", "sweep");
    int rc = check_readable(c->files[0]);
    if (rc)
        return rc;
    cli_catch_stop_signals();
    c->run.model_path = c->files[0];
    return cli_sweep(o, &c->run, c->grids, c->ngrids);
}

/* Under several MPI ranks only run and sweep have work to share: run
 * --seeds K a realisation for every rank, a plain run the rows of its
 * batches (data-parallel training; its batch is checked with the plan,
 * cli_run.c), sweep its runs (checked in cli_sweep). */
static int check_ranks(const cli *c)
{
    int ranks = cli_mpi_size();
    if (ranks == 1 || strcmp(c->command, "sweep") == 0)
        return 0;
    if (strcmp(c->command, "run") != 0) {
        fprintf(stderr, "rnnc: error: 'rnnc %s' runs in one process; start it without mpirun (or with -n 1)\n",
                c->command);
        return EXIT_USAGE;
    }
    unsigned work = c->run.seeds;
    if (work > 1 && (unsigned)ranks > work) {
        fprintf(stderr, "rnnc: error: %d MPI ranks for %u realisation%s: start at most %u (mpirun -n %u) or ask "
                        "for more (--seeds K)\n", ranks, work, work == 1 ? "" : "s", work, work);
        return EXIT_USAGE;
    }
    return 0;
}

static void print_version(void)
{
    char jit[256];
    printf("rnnc %s\n", rnnc_version());
    printf("  jit:  %s\n", jit_describe(jit, sizeof jit));
    printf("  blas: %s\n", rt_blas_describe());
    printf("  mpi:  %s\n", cli_mpi_built() ? "yes (run, run --seeds and sweep under mpirun)" : "no");
}

int main(int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            print_version();
            return 0;
        }
    }
    if (argc > 1 && strcmp(argv[1], "fmt") == 0)
        return cli_fmt(argc - 2, argv + 2);   /* its own options: --check, '-' */
    int rc = cli_mpi_start();
    if (rc)
        return rc;
    rc = parse_args(&c, argc, argv);
    if (rc == 0 && (c.trials || c.dt) && !(c.command && strcmp(c.command, "task") == 0))
        rc = usage_error("%s is an option of 'rnnc task show'", c.trials ? "--trials" : "--dt");
    if (rc == 0 && c.ngrids && !(c.command && strcmp(c.command, "sweep") == 0))
        rc = usage_error("%s is an option of 'rnnc sweep'", "--grid");
    if (rc == 0 && c.run.resume && !(c.command && (strcmp(c.command, "sweep") == 0 ||
                                                   (strcmp(c.command, "run") == 0 && c.run.seeds > 1))))
        rc = usage_error("%s is an option of 'rnnc run --seeds K' and 'rnnc sweep'", "--resume");
    if (rc == 0 && c.command)
        rc = check_ranks(&c);
    if (rc == 0) {
        frontend_options o;
        front_options(&c, &o);
        if (!c.command) {
            fputs(usage_text, stderr);
            rc = EXIT_USAGE;
        } else if (strcmp(c.command, "check") == 0) {
            rc = cmd_check(&c, &o);
        } else if (strcmp(c.command, "run") == 0) {
            rc = cmd_run(&c, &o, 0);
        } else if (strcmp(c.command, "sweep") == 0) {
            rc = cmd_sweep(&c, &o);
        } else if (strcmp(c.command, "emit-llvm") == 0) {
            rc = cmd_run(&c, &o, 1);
        } else if (strcmp(c.command, "analyze") == 0) {
            rc = cmd_analyze(&c, &o);
        } else if (strcmp(c.command, "dump-ast") == 0) {
            rc = cmd_dump_ast(&c, &o);
        } else if (strcmp(c.command, "task") == 0) {
            rc = cmd_task(&c, &o);
        } else {
            rc = usage_error("unknown command '%s'", c.command);
        }
    }
    /* what went to stdout (emit-llvm's IR, dump-ast, the run's lines) must have arrived */
    errno = 0;
    int flushed = fflush(stdout) == 0;
    if (!flushed || ferror(stdout)) {
        fprintf(stderr, "rnnc: error: cannot write the output: %s\n",
                !flushed && errno ? strerror(errno) : "a write to it failed (is the disk full?)");
        if (rc == 0)
            rc = EXIT_MODEL;
    }
    for (unsigned i = 0; i < c.ndefines; i++)
        free((char *)c.defines[i].name);
    for (unsigned i = 0; i < c.nowned; i++)
        free(c.owned[i]);
    free(c.path_copy);
    return cli_mpi_finish(rc);
}
