/* mpi_refusal_test.c -- a build of rnnc without MPI, started by an MPI
 * launcher (issue 18), refuses with one line before any work, and runs a
 * launch of one rank as the one process it is.
 *
 * The test compiles compiler/cli/cli_mpi.c itself with RNNC_HAVE_MPI
 * undefined, so it checks that path in every build, with MPI or without
 * (mpi_seeds_test.sh checks the rnnc program built without MPI, when it
 * is). The launcher is imitated by its variables: Open MPI's mpirun sets
 * OMPI_COMM_WORLD_SIZE in every rank, Slurm's and MPICH's PMI PMI_SIZE,
 * PMIx PMIX_RANK (without a size); a realisation of --seeds inherits them
 * but is marked by RNNC_REALISATION and is no rank.
 */
#undef RNNC_HAVE_MPI
#include "../compiler/cli/cli_mpi.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

/* cli_mpi_start's status and what it printed on stderr, in ERR. */
static int start(char *err, size_t size)
{
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *tmp = tmpfile();
    if (saved < 0 || !tmp || dup2(fileno(tmp), STDERR_FILENO) < 0) {
        fputs("cannot capture stderr\n", stdout);
        exit(1);
    }
    int status = cli_mpi_start();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, size - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    return status;
}

static void clear(void)
{
    unsetenv("OMPI_COMM_WORLD_SIZE");
    unsetenv("PMI_SIZE");
    unsetenv("PMIX_RANK");
    unsetenv(CLI_REALISATION);
}

/* Launched with NAME=VALUE: refused (REFUSED) with exactly one line naming
 * the reason, or started as one rank of one with nothing printed. */
static void check(const char *name, const char *value, int refused)
{
    char err[4096];
    clear();
    setenv(name, value, 1);
    int status = start(err, sizeof err);
    const char *newline = strchr(err, '\n');
    int one_line = newline && newline[1] == '\0';
    int ok = refused ? status == 2 && one_line && strstr(err, "rnnc: error: ") == err &&
                           strstr(err, "this rnnc was built without MPI")
                     : status == 0 && err[0] == '\0' && cli_mpi_size() == 1 && cli_mpi_rank() == 0;
    printf("%s: %s=%s: %s\n", ok ? "ok" : "FAIL", name, value, refused ? "refused with one line" : "runs as one process");
    if (!ok) {
        printf("  status %d, stderr: %s\n", status, err);
        failures++;
    }
}

int main(void)
{
    check("OMPI_COMM_WORLD_SIZE", "2", 1);
    check("PMI_SIZE", "4", 1);
    check("PMIX_RANK", "0", 1);            /* PMIx gives no size: a launch all the same */
    check("OMPI_COMM_WORLD_SIZE", "1", 0); /* mpirun -n 1: one process, run as it is */
    /* a realisation of --seeds under mpirun inherits the variables and is no rank */
    clear();
    setenv(CLI_REALISATION, "1", 1);
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    char err[4096];
    int status = start(err, sizeof err);
    int ok = status == 0 && err[0] == '\0';
    printf("%s: a realisation under a launch of 2 runs\n", ok ? "ok" : "FAIL");
    failures += !ok;
    clear();
    ok = start(err, sizeof err) == 0 && err[0] == '\0' && !cli_mpi_built();
    printf("%s: no launcher: one process\n", ok ? "ok" : "FAIL");
    failures += !ok;
    return failures ? 1 : 0;
}
