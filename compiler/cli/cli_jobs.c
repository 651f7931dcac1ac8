/* cli_jobs.c -- independent runs (the realisations of --seeds, the points
 * of a sweep) spread over MPI ranks and the cores of each.
 *
 * Without MPI there is one rank, and this is rnnc run --seeds as it always
 * was: the results folder is begun, every run is a child process writing
 * its folder inside it (cli_run_children), as many at once as there are
 * cores. Under mpirun each rank takes a contiguous share of the runs (the
 * same runs, with the same seeds and settings, as one machine would make:
 * a run's numbers do not depend on where it ran) into a folder of its own
 * -- rank 0 into the results folder, the others into a scratch folder of
 * their node's TMPDIR -- and then sends each finished run's folder to
 * rank 0 over MPI, so no shared filesystem is needed.
 *
 * With --resume, rank 0 first finds the runs the results folder holds
 * already, finished (summary.json's status "trained", "trained (early
 * stop)" or "evaluated") with the same seed, -D values and model source;
 * those are linked into the new folder and not run again, and the others
 * are spread over the ranks as usual.
 */
#define _GNU_SOURCE   /* sched_getaffinity, CPU_COUNT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_mpi.h"
#include "rt_files.h"
#include "rt_summary.h"
#include "text.h"

unsigned cli_jobs_cores(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned cores = online > 0 ? (unsigned)online : 1;
#ifdef __linux__
    /* a rank the launcher bound to some cores (Open MPI's default) has those */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int bound = CPU_COUNT(&set);
        if (bound > 0 && (unsigned)bound < cores)
            return (unsigned)bound;
    }
#endif
    /* unbound: the node's cores shared among the ranks on it */
    unsigned here = (unsigned)cli_mpi_node_size();
    return cores / here > 0 ? cores / here : 1;
}

/* Rank 0's folder is the results folder (begun here); another rank's is a
 * scratch folder in TMPDIR. 0, or 1 with the reason printed. */
static int begin_work(const char *dir, rt_outdir *out, char *scratch, size_t size)
{
    if (cli_mpi_rank() == 0) {
        if (rt_outdir_begin(out, dir) == 0)
            return 0;
        fprintf(stderr, "rnnc: cannot create the results folder '%s': %s\n", dir,
                errno == EEXIST ? "it exists and is not an rnnc results folder" : strerror(errno));
        return 1;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, size, "%s/rnnc-rank-%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", cli_mpi_rank());
    if (mkdtemp(scratch))
        return 0;
    fprintf(stderr, "rnnc: error: cannot make a scratch folder for this rank's runs in %s: %s\n",
            tmp && *tmp ? tmp : "/tmp", strerror(errno));
    return 1;
}

/* The runs of this rank, [LO, HI), with its cores; the line said first. */
static void run_share(const cli_run_options *r, const cli_job *jobs, unsigned lo, unsigned hi, const char *work,
                      const char *what, int *codes)
{
    unsigned cores = cli_jobs_cores(), share = hi - lo;
    unsigned parallel = cores < share ? cores : share;
    parallel = parallel ? parallel : 1;
    int threads = (int)(cores / parallel), ranks = cli_mpi_size();
    if (cli_mpi_rank() == 0) {
        if (ranks > 1)
            printf("rnnc: %s over %d MPI ranks; rank 0 runs %u, %u at a time with %d thread%s each\n", what,
                   ranks, share, parallel, threads, threads == 1 ? "" : "s");
        else
            printf("rnnc: %s, %u at a time with %d thread%s each\n", what, parallel, threads,
                   threads == 1 ? "" : "s");
        fflush(stdout);
    }
    if (share)
        cli_run_children(r, jobs + lo, share, work, parallel, threads, codes + lo);
}

/* A rank other than 0: its runs' folders to rank 0, then its scratch
 * folder removed; the rank's exit status. */
static int send_share(const cli_job *jobs, unsigned lo, unsigned hi, const char *work)
{
    int status = 0;
    char err[4600];
    for (unsigned i = lo; i < hi; i++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", work, jobs[i].folder);
        if (access(path, F_OK) != 0)
            continue;   /* a run that failed before it wrote anything */
        if (cli_mpi_send_folder(work, jobs[i].folder, err, sizeof err) != 0) {
            fprintf(stderr, "rnnc: error: %s; the results of %s are incomplete\n", err, jobs[i].label);
            status = 1;
        }
    }
    cli_mpi_send_end();
    rt_remove_tree(work);
    return status ? status : cli_stop ? 130 : 0;
}

/* ------------------------------------------------------------ --resume */

/* Whether SUMMARY's "defines" are exactly the -D values of OPTS. */
static int same_defines(const json_t *summary, const frontend_options *opts)
{
    const json_t *defines = json_object_get(summary, "defines");
    if (json_object_size(defines) != opts->define_count)
        return 0;
    for (unsigned d = 0; d < opts->define_count; d++) {
        const char *value = json_string_value(json_object_get(defines, opts->defines[d].name));
        if (!value || strcmp(value, opts->defines[d].value) != 0)
            return 0;
    }
    return 1;
}

/* Whether DIR/JOB's folder holds JOB finished: its summary's status says
 * so, with JOB's seed and -D values, and its model.rnn is MODEL_TEXT. */
static int run_done(const char *dir, const cli_job *job, const char *model_text)
{
    char path[4400], err[4600];
    snprintf(path, sizeof path, "%s/%s/%s", dir, job->folder, RT_FILE_SUMMARY);
    if (access(path, F_OK) != 0)
        return 0;
    json_t *summary = rt_summary_load(path, err, sizeof err);
    const char *status = rt_summary_string(summary, "status");
    unsigned long long seed;
    int done = summary && status &&
               (strcmp(status, "trained") == 0 || strcmp(status, "trained (early stop)") == 0 ||
                strcmp(status, "evaluated") == 0) &&
               rt_summary_unsigned(summary, "seed", &seed) == 0 && seed == job->seed && same_defines(summary, job->opts);
    json_decref(summary);
    if (done) {
        snprintf(path, sizeof path, "%s/%s/%s", dir, job->folder, RT_FILE_MODEL);
        char *saved = text_read_file(path);
        done = saved && model_text && strcmp(saved, model_text) == 0;
        free(saved);
    }
    return done;
}

/* FROM's file into TO: a hard link (FROM's folder is replaced when the new
 * one is committed, TO's name keeps the data), else a copy. 0 or -1. */
static int link_or_copy(const char *from, const char *to)
{
    if (link(from, to) == 0)
        return 0;
    int in = open(from, O_RDONLY), out = in >= 0 ? open(to, O_WRONLY | O_CREAT | O_EXCL, 0666) : -1, rc = 0;
    char buf[1 << 16];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        rc |= write(out, buf, (size_t)n) != n;
    rc |= in < 0 || out < 0 || close(out) != 0;
    if (in >= 0)
        close(in);
    return rc ? -1 : 0;
}

/* The tree FROM as TO (folders made, files linked); 0 or -1. */
static int link_tree(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d || mkdir(to, 0777) != 0) {
        if (d)
            closedir(d);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char a[4400], b[4400];
        struct stat st;
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        if (lstat(a, &st) != 0)
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = link_tree(a, b);
        else if (S_ISREG(st.st_mode))
            rc = link_or_copy(a, b);
    }
    closedir(d);
    return rc;
}

/* WORK/JOB's folder made, with its parents ("point-2/seed-1"): the
 * parents only, the last part made by link_tree. 0 or -1. */
static int make_parents(const char *work, const char *folder)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", work, folder);
    for (char *p = path + strlen(work) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return 0;
}

/* The folders a resumed run looks in, FROM[*N]: DIR, then the partial
 * folders beside it (DIR.partial-XXXXXX) that runs into DIR killed outright
 * left behind (not WORK, this run's own); NULL-terminated, malloc'd. */
static char **resume_sources(const char *dir, const char *work, unsigned *n)
{
    char parent[4096], prefix[4200];
    const char *slash = strrchr(dir, '/');
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - dir) : 1, slash ? dir : ".");
    snprintf(prefix, sizeof prefix, "%s.partial-", slash ? slash + 1 : dir);
    char **from = calloc(66, sizeof *from);
    *n = 0;
    if (!from)
        return NULL;
    from[(*n)++] = strdup(dir);
    DIR *d = opendir(parent[0] ? parent : "/");
    struct dirent *e;
    const char *own = strrchr(work, '/') ? strrchr(work, '/') + 1 : work;
    while (d && *n < 65 && (e = readdir(d))) {
        char path[8400];
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strcmp(e->d_name, own) != 0)
            from[(*n)++] = strdup(path);
    }
    if (d)
        closedir(d);
    return from;
}

static void free_sources(char **from)
{
    for (unsigned i = 0; from && from[i]; i++)
        free(from[i]);
    free(from);
}

/* At rank 0: DONE[i] set for each of JOBS[K] that DIR (or a partial
 * folder beside it, resume_sources) holds finished, whose folder is then
 * linked into WORK; how many, said on stdout. */
static void find_done(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *dir,
                          const char *work, unsigned char *done)
{
    char *model_text = text_read_file(r->model_path);
    unsigned n = 0, sources = 0, *taken = NULL;
    char **from_dirs = resume_sources(dir, work, &sources);
    if (from_dirs)
        taken = calloc(sources, sizeof *taken);
    for (unsigned i = 0; i < k; i++) {
        char from[4400], to[4400];
        unsigned src = 0;
        done[i] = 0;
        while (from_dirs && taken && src < sources && !(done[i] = run_done(from_dirs[src], &jobs[i], model_text)))
            src++;
        if (!done[i])
            continue;
        snprintf(from, sizeof from, "%s/%s", from_dirs[src], jobs[i].folder);
        snprintf(to, sizeof to, "%s/%s", work, jobs[i].folder);
        if (make_parents(work, jobs[i].folder) != 0 || link_tree(from, to) != 0) {
            fprintf(stderr, "rnnc: cannot take %s over from %s (%s); it runs again\n", jobs[i].label,
                    from_dirs[src], strerror(errno));
            rt_remove_tree(to);
            done[i] = 0;
            continue;
        }
        taken[src]++;
        n++;
    }
    printf("rnnc: resuming %s: %u of %u runs are done already\n", dir, n, k);
    for (unsigned src = 1; taken && src < sources; src++)
        if (taken[src])
            printf("rnnc: %u of them from %s, left by a run that was killed (remove it when this one is done)\n",
                   taken[src], from_dirs[src]);
    free(taken);
    free_sources(from_dirs);
    free(model_text);
}

/* ------------------------------------------------------------ the runs */

int cli_jobs_run(const cli_run_options *r, const cli_job *jobs, unsigned k, const char *dir, const char *what,
                 rt_outdir *out, int *codes, int *status)
{
    int rank = cli_mpi_rank(), ranks = cli_mpi_size();
    char scratch[4096] = "";
    unsigned char *mine = calloc(k, 1);
    int ready = mine ? begin_work(dir, out, scratch, sizeof scratch) : 1;
    if (!mine)
        fputs("rnnc: out of memory\n", stderr);
    *status = cli_mpi_agree(ready);   /* no rank starts unless every rank can */
    if (*status != 0) {
        if (ready == 0 && rank == 0)
            rt_outdir_abort(out);
        else if (ready == 0)
            rt_remove_tree(scratch);
        free(mine);
        return CLI_JOBS_DONE;
    }
    const char *work = rank == 0 ? out->work_path : scratch;
    /* --resume: the runs left to do, TODO[LEFT], found by rank 0 and told to every rank */
    unsigned char *done = calloc(k, 1);
    cli_job *todo = malloc(k * sizeof *todo);
    int *todo_codes = malloc(k * sizeof *todo_codes);
    unsigned *index = malloc(k * sizeof *index), left = 0;
    if (!done || !todo || !todo_codes || !index) {
        fputs("rnnc: out of memory\n", stderr);
        exit(1);
    }
    if (r->resume && rank == 0)
        find_done(r, jobs, k, dir, work, done);
    if (cli_mpi_broadcast(done, k) != 0)
        exit(1);   /* the message is printed; the ranks cannot be kept in step */
    for (unsigned i = 0; i < k; i++)
        if (!done[i]) {
            todo[left] = jobs[i];
            index[left++] = i;
        }
    unsigned lo = (unsigned)((unsigned long long)left * rank / ranks),
             hi = (unsigned)((unsigned long long)left * (rank + 1) / ranks);
    for (unsigned i = 0; i < k; i++) {
        codes[i] = CLI_NOT_STARTED;
        mine[i] = 0;
    }
    for (unsigned t = 0; t < left; t++)
        todo_codes[t] = CLI_NOT_STARTED;
    if (left > 0)
        run_share(r, todo, lo, hi, work, what, todo_codes);
    for (unsigned t = lo; t < hi; t++) {
        codes[index[t]] = todo_codes[t];
        mine[index[t]] = 1;
    }
    int gathered = cli_mpi_gather_codes(codes, mine, k);
    for (unsigned i = 0; i < k; i++)
        if (done[i])
            codes[i] = 0;   /* trained before, by the run this one resumes */
    free(mine);
    free(todo_codes);
    if (rank != 0) {
        *status = send_share(todo, lo, hi, work);
        free(done);
        free(todo);
        free(index);
        return CLI_JOBS_DONE;
    }
    for (int from = 1; from < ranks; from++) {
        char err[4600];
        if (cli_mpi_receive_folders(from, work, err, sizeof err) != 0)
            fprintf(stderr, "rnnc: error: %s; some of rank %d's results are missing from %s\n", err, from, dir);
    }
    if (gathered != 0)
        for (unsigned t = hi; t < left; t++)
            codes[index[t]] = 127;   /* unknown: counted as failed */
    free(done);
    free(todo);
    free(index);
    return CLI_JOBS_COMBINE;
}
