/* cli_mpi.c -- rnnc started by an MPI launcher: see cli_mpi.h.
 *
 * Only here is mpi.h included (RNNC_HAVE_MPI, set by CMake when RNNC_MPI
 * is on). The ranks exchange three things: one agreement before any work
 * (so that a model error on one rank does not leave the others waiting),
 * the exit statuses of the runs, and the files of every results folder a
 * rank other than 0 wrote, which rank 0 writes into its own folder. No
 * shared filesystem is assumed.
 *
 * Every wait tests and sleeps instead of blocking: Open MPI's blocking
 * calls poll at full speed, and a rank that waits for another's runs would
 * take a core from the runs of its own node.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_mpi.h"

int cli_mpi_launched(void)
{
    const char *child = getenv(CLI_REALISATION);
    if (child && *child)
        return 0;
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

#ifndef RNNC_HAVE_MPI

int cli_mpi_built(void) { return 0; }

/* The ranks the launcher started, as its variables say: Open MPI's
 * OMPI_COMM_WORLD_SIZE, else PMI_SIZE; 0 when neither says (PMIx alone). */
static long launched_size(void)
{
    const char *names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = getenv(names[i]);
        char *end;
        long n = v && *v ? strtol(v, &end, 10) : -1;
        if (n >= 0 && !*end)
            return n;
    }
    return 0;
}

int cli_mpi_start(void)
{
    /* a launch of one rank is one process, which this build runs as it is */
    if (!cli_mpi_launched() || launched_size() == 1)
        return 0;
    fputs("rnnc: error: started by an MPI launcher (mpirun, srun), but this rnnc was built without MPI; "
          "install libopenmpi-dev and build again, or run it without the launcher\n", stderr);
    return 2;
}

int cli_mpi_rank(void) { return 0; }
int cli_mpi_size(void) { return 1; }
int cli_mpi_node_size(void) { return 1; }

static int agreed;

int cli_mpi_agree(int status)
{
    agreed = 1;
    return status;
}

int cli_mpi_agreed(void) { return agreed; }

int cli_mpi_gather_codes(int *codes, const unsigned char *mine, unsigned k)
{
    (void)codes, (void)mine, (void)k;
    return 0;
}

int cli_mpi_broadcast(void *data, size_t n)
{
    (void)data, (void)n;
    return 0;
}

int cli_mpi_send_folder(const char *work, const char *name, char *err, size_t err_size)
{
    (void)work, (void)name;
    snprintf(err, err_size, "this rnnc was built without MPI");
    return -1;
}

void cli_mpi_send_end(void) {}

int cli_mpi_receive_folders(int from, const char *work, char *err, size_t err_size)
{
    (void)from, (void)work;
    snprintf(err, err_size, "this rnnc was built without MPI");
    return -1;
}

int cli_mpi_sum(void *ctx, double *values, size_t n)
{
    (void)ctx, (void)values, (void)n;
    return 0;   /* one rank: the sum is what it holds */
}

unsigned long cli_mpi_sums(void) { return 0; }

int cli_mpi_finish(int status) { return status; }

#else /* RNNC_HAVE_MPI */

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <mpi.h>

enum { TAG_ENTRY = 1801, TAG_DATA = 1802 };
/* An entry: its kind (byte 0), a size (bytes 1..8, the file's length) and
 * a path relative to the receiver's folder, NUL-terminated. */
enum { ENTRY_END, ENTRY_FOLDER, ENTRY_FILE, ENTRY_ERROR };
enum { ENTRY_HEAD = 9, MAX_ENTRY = ENTRY_HEAD + 4096 + 1 };
/* A file goes in messages of at most 64 MiB: an MPI count is an int. */
#define CHUNK ((uint64_t)1 << 26)

static int rank_ = 0, size_ = 1, node_size_ = 1, started, agreed, agreed_status;
static FILE *held;        /* the messages of a rank other than 0 until the agreement */
static int real_stderr = -1;

int cli_mpi_built(void) { return 1; }
int cli_mpi_rank(void) { return rank_; }
int cli_mpi_size(void) { return size_; }
int cli_mpi_node_size(void) { return node_size_; }
int cli_mpi_agreed(void) { return agreed; }

/* Ranks other than 0 hold their messages back (stderr goes to a temporary
 * file) and print nothing on stdout: the runs' lines are rank 0's. */
static void hold_messages(void)
{
    fflush(stdout);
    fflush(stderr);
    if (!freopen("/dev/null", "w", stdout))
        clearerr(stdout);
    held = tmpfile();
    if (held && (real_stderr = dup(STDERR_FILENO)) >= 0 && dup2(fileno(held), STDERR_FILENO) >= 0)
        return;
    if (held)
        fclose(held);
    held = NULL;
}

/* Gives stderr back; with REPLAY, prints what was held, each line named by the rank. */
static void release_messages(int replay)
{
    if (!held)
        return;
    fflush(stderr);
    dup2(real_stderr, STDERR_FILENO);
    close(real_stderr);
    rewind(held);
    char line[4096];
    while (replay && fgets(line, sizeof line, held))
        fprintf(stderr, "rnnc: rank %d: %s", rank_, strncmp(line, "rnnc: ", 6) == 0 ? line + 6 : line);
    fclose(held);
    held = NULL;
}

int cli_mpi_start(void)
{
    if (!cli_mpi_launched())
        return 0;
    if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
        fputs("rnnc: error: MPI_Init failed under the MPI launcher\n", stderr);
        return 2;
    }
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &node_size_);
        MPI_Comm_free(&node);
    }
    if (rank_ != 0)
        hold_messages();
    return 0;
}

/* Waits for RQ, sleeping between tests; 0, or -1 if MPI reports an error. */
static int wait_quietly(MPI_Request *rq, MPI_Status *st)
{
    struct timespec nap = {0, 500 * 1000};   /* 0.5 ms */
    for (unsigned tries = 0;; tries++) {
        int done = 0;
        if (MPI_Test(rq, &done, st ? st : MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return -1;
        if (done)
            return 0;
        if (tries > 100)
            nanosleep(&nap, NULL);
    }
}

int cli_mpi_agree(int status)
{
    if (agreed)
        return agreed_status;
    agreed = 1;
    if (!started)
        return agreed_status = status;
    /* the worst status and rank 0's: rank 0 has printed its own reason */
    int worst = status, first = status;
    MPI_Request rq;
    MPI_Iallreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &rq);
    wait_quietly(&rq, NULL);
    MPI_Ibcast(&first, 1, MPI_INT, 0, MPI_COMM_WORLD, &rq);
    wait_quietly(&rq, NULL);
    agreed_status = first ? first : worst;
    release_messages(status != 0 && first == 0);
    return agreed_status;
}

int cli_mpi_gather_codes(int *codes, const unsigned char *mine, unsigned k)
{
    if (!started)
        return 0;
    int *send = malloc((k ? k : 1) * sizeof *send), rc = 0;
    if (!send) {
        fputs("rnnc: out of memory\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);   /* the others would wait for this rank for ever */
        return -1;
    }
    for (unsigned i = 0; i < k; i++)
        send[i] = mine[i] ? codes[i] : INT_MIN;   /* exactly one rank gives each entry */
    MPI_Request rq;
    MPI_Ireduce(send, rank_ == 0 ? codes : NULL, (int)k, MPI_INT, MPI_MAX, 0, MPI_COMM_WORLD, &rq);
    if (wait_quietly(&rq, NULL) != 0) {
        fputs("rnnc: error: the ranks could not exchange the runs' exit statuses\n", stderr);
        rc = -1;
    }
    free(send);
    return rc;
}

int cli_mpi_broadcast(void *data, size_t n)
{
    if (!started)
        return 0;
    MPI_Request rq;
    if (n > INT_MAX || MPI_Ibcast(data, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD, &rq) != MPI_SUCCESS ||
        wait_quietly(&rq, NULL) != 0) {
        fputs("rnnc: error: the ranks could not share which runs are done already\n", stderr);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ sending */

static void send_entry(int kind, uint64_t size, const char *path)
{
    char entry[MAX_ENTRY];
    size_t n = strlen(path);
    if (n > MAX_ENTRY - ENTRY_HEAD - 1)
        n = MAX_ENTRY - ENTRY_HEAD - 1;
    entry[0] = (char)kind;
    memcpy(entry + 1, &size, sizeof size);   /* both ends are one build of rnnc */
    memcpy(entry + ENTRY_HEAD, path, n);
    entry[ENTRY_HEAD + n] = '\0';
    MPI_Request rq;
    MPI_Isend(entry, (int)(ENTRY_HEAD + n + 1), MPI_BYTE, 0, TAG_ENTRY, MPI_COMM_WORLD, &rq);
    wait_quietly(&rq, NULL);
}

/* The reason of a failure, to rank 0 and into ERR (the first one kept). */
static int send_error(const char *what, char *err, size_t err_size, int *failed)
{
    send_entry(ENTRY_ERROR, 0, what);
    if (!*failed)
        snprintf(err, err_size, "%s", what);
    *failed = 1;
    return -1;
}

/* The whole file PATH (read first, so that rank 0 gets all of it or an error). */
static void send_file(const char *path, const char *rel, char *err, size_t err_size, int *failed)
{
    char why[5000];
    FILE *fp = fopen(path, "rb");
    struct stat st;
    if (!fp || fstat(fileno(fp), &st) != 0) {
        snprintf(why, sizeof why, "cannot read %s: %s", path, strerror(errno));
        if (fp)
            fclose(fp);
        send_error(why, err, err_size, failed);
        return;
    }
    uint64_t size = (uint64_t)st.st_size;
    char *data = malloc(size ? size : 1);
    if (!data || fread(data, 1, size, fp) != size) {
        snprintf(why, sizeof why, "cannot read %s: %s", path, data ? "a read failed" : "out of memory");
        free(data);
        fclose(fp);
        send_error(why, err, err_size, failed);
        return;
    }
    fclose(fp);
    send_entry(ENTRY_FILE, size, rel);
    for (uint64_t at = 0; at < size; at += CHUNK) {
        uint64_t n = size - at < CHUNK ? size - at : CHUNK;
        MPI_Request rq;
        MPI_Isend(data + at, (int)n, MPI_BYTE, 0, TAG_DATA, MPI_COMM_WORLD, &rq);
        wait_quietly(&rq, NULL);
    }
    free(data);
}

/* WORK/REL and what is in it, folders before their contents. */
static void send_tree(const char *work, const char *rel, char *err, size_t err_size, int *failed)
{
    char path[4400], why[4600];
    snprintf(path, sizeof path, "%s/%s", work, rel);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(why, sizeof why, "cannot read the folder %s: %s", path, strerror(errno));
        send_error(why, err, err_size, failed);
        return;
    }
    send_entry(ENTRY_FOLDER, 0, rel);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char child[4400], child_path[4800];
        snprintf(child, sizeof child, "%s/%s", rel, e->d_name);
        snprintf(child_path, sizeof child_path, "%s/%s", work, child);
        struct stat st;
        if (lstat(child_path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            send_tree(work, child, err, err_size, failed);
        else if (S_ISREG(st.st_mode))
            send_file(child_path, child, err, err_size, failed);
    }
    closedir(d);
}

int cli_mpi_send_folder(const char *work, const char *name, char *err, size_t err_size)
{
    int failed = 0;
    send_tree(work, name, err, err_size, &failed);
    return failed ? -1 : 0;
}

void cli_mpi_send_end(void)
{
    if (started && rank_ != 0)
        send_entry(ENTRY_END, 0, "");
}

/* ------------------------------------------------------------ receiving */

/* A path another rank may write: relative, without "..", no empty part. */
static int safe_path(const char *rel)
{
    if (!*rel || rel[0] == '/')
        return 0;
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
            return 0;
        p += n + (slash != NULL);
    }
    return 1;
}

/* WORK/REL with its parents inside WORK; 0 or -1 with errno. */
static int make_folders(const char *work, const char *rel)
{
    char path[4400];
    int n = snprintf(path, sizeof path, "%s/%s", work, rel);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + strlen(work) + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = c;
            if (!c)
                return 0;
        }
    }
}

/* The SIZE bytes of a file from FROM into PATH (NULL: read and dropped). */
static int receive_file(int from, const char *path, uint64_t size)
{
    FILE *fp = path ? fopen(path, "wb") : NULL;
    int ok = fp != NULL || !path;
    char *buf = malloc(size < CHUNK ? (size ? size : 1) : CHUNK);
    if (!buf) {
        fputs("rnnc: out of memory receiving results\n", stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (uint64_t at = 0; at < size; at += CHUNK) {
        uint64_t n = size - at < CHUNK ? size - at : CHUNK;
        MPI_Request rq;
        MPI_Irecv(buf, (int)n, MPI_BYTE, from, TAG_DATA, MPI_COMM_WORLD, &rq);
        wait_quietly(&rq, NULL);
        if (fp && ok && fwrite(buf, 1, n, fp) != n)
            ok = 0;
    }
    free(buf);
    if (fp && fclose(fp) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int cli_mpi_receive_folders(int from, const char *work, char *err, size_t err_size)
{
    char entry[MAX_ENTRY + 1], path[4400];
    int failed = 0;
    for (;;) {
        MPI_Request rq;
        MPI_Status st;
        int n = 0;
        MPI_Irecv(entry, MAX_ENTRY, MPI_BYTE, from, TAG_ENTRY, MPI_COMM_WORLD, &rq);
        if (wait_quietly(&rq, &st) != 0 || MPI_Get_count(&st, MPI_BYTE, &n) != MPI_SUCCESS || n < ENTRY_HEAD + 1) {
            snprintf(err, err_size, "the results of rank %d could not be received", from);
            return -1;
        }
        entry[n] = '\0';
        int kind = entry[0];
        uint64_t size;
        memcpy(&size, entry + 1, sizeof size);
        const char *rel = entry + ENTRY_HEAD;
        if (kind == ENTRY_END)
            return failed ? -1 : 0;
        int bad = kind != ENTRY_ERROR && !safe_path(rel);
        snprintf(path, sizeof path, "%s/%s", work, rel);
        if (kind == ENTRY_FILE) {
            bad = receive_file(from, bad || failed ? NULL : path, size) != 0 || bad;
        } else if (kind == ENTRY_FOLDER) {
            bad = bad || (!failed && make_folders(work, rel) != 0);
        }
        if (!failed && (bad || kind == ENTRY_ERROR)) {
            if (kind == ENTRY_ERROR)
                snprintf(err, err_size, "rank %d: %s", from, rel);
            else
                snprintf(err, err_size, "cannot write %s from rank %d: %s", path, from,
                         safe_path(rel) ? strerror(errno) : "not a path inside the results folder");
            failed = 1;
        }
    }
}

/* ------------------------------------------------------------ data-parallel training */

static unsigned long sums;

int cli_mpi_sum(void *ctx, double *values, size_t n)
{
    (void)ctx;
    sums++;
    if (!started)
        return 0;
    /* in pieces of at most 2^26 doubles: an MPI count is an int */
    for (size_t at = 0; at < n; at += (size_t)CHUNK) {
        size_t piece = n - at < (size_t)CHUNK ? n - at : (size_t)CHUNK;
        MPI_Request rq;
        if (MPI_Iallreduce(MPI_IN_PLACE, values + at, (int)piece, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &rq) !=
                MPI_SUCCESS ||
            wait_quietly(&rq, NULL) != 0)
            return -1;
    }
    return 0;
}

unsigned long cli_mpi_sums(void) { return sums; }

int cli_mpi_finish(int status)
{
    if (!started)
        return status;
    if (!agreed)
        status = cli_mpi_agree(status);
    release_messages(0);
    /* every rank done before any leaves: MPI_Finalize's own wait may poll
     * at full speed, beside rank 0 still evaluating a data-parallel training */
    MPI_Request rq;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &rq) == MPI_SUCCESS)
        wait_quietly(&rq, NULL);
    MPI_Finalize();
    return status;
}

#endif /* RNNC_HAVE_MPI */
