/* test_npy.c -- .npy files and atomic results folders.
 *
 * A written array must read back bit for bit, its data must start at a
 * multiple of 64 bytes (the .npy 1.0 alignment rule), a full disk must be an
 * error, a results folder must appear only when committed, and loss.csv
 * must read back by its columns' names.
 */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rt_loss_csv.h"
#include "rt_npy.h"
#include "rt_outdir.h"

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
    char dir_template[] = "/tmp/rnnc-test-npy-XXXXXX";
    char *dir = mkdtemp(dir_template);
    CHECK(dir != NULL);
    if (!dir)
        return check_report();
    char path[512], err[512];

    /* float64 round trip, 2-D */
    double m[6] = {1.5, -2.25, 3e-300, 0, 1e300, -0.0};
    size_t shape[2] = {2, 3};
    snprintf(path, sizeof path, "%s/m.npy", dir);
    CHECK(rt_npy_write(path, m, RT_F64, shape, 2) == 0);
    CHECK((file_size(path) - 6 * 8) % 64 == 0);
    rt_array a;
    CHECK(rt_npy_read(path, &a, err, sizeof err) == 0);
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6);
    CHECK(a.data && memcmp(a.data, m, sizeof m) == 0);
    rt_array_free(&a);

    /* float32 round trip, 1-D, values exactly representable */
    float f[4] = {0.5f, -1.0f, 3.0f, 1024.0f};
    size_t n4 = 4;
    snprintf(path, sizeof path, "%s/f.npy", dir);
    CHECK(rt_npy_write(path, f, RT_F32, &n4, 1) == 0);
    CHECK(rt_npy_read(path, &a, err, sizeof err) == 0);
    CHECK(a.ndim == 1 && a.count == 4 && a.data && a.data[3] == 1024.0 && a.data[1] == -1.0);
    rt_array_free(&a);

    /* int64 round trip (conditions.npy's labels), negative values included */
    int64_t labels[3] = {-1, 7, 1234567890123};
    size_t n3 = 3;
    snprintf(path, sizeof path, "%s/i.npy", dir);
    CHECK(rt_npy_write(path, labels, RT_I64, &n3, 1) == 0);
    CHECK(rt_npy_read(path, &a, err, sizeof err) == 0);
    CHECK(a.count == 3 && a.data && a.data[0] == -1 && a.data[1] == 7 && a.data[2] == 1234567890123.0);
    rt_array_free(&a);

    /* Not a .npy file, and a missing one: clear messages, no crash. */
    snprintf(path, sizeof path, "%s/junk.npy", dir);
    FILE *fp = fopen(path, "w");
    fputs("hello", fp);
    fclose(fp);
    CHECK(rt_npy_read(path, &a, err, sizeof err) == -1 && strstr(err, "not a .npy file"));
    snprintf(path, sizeof path, "%s/absent.npy", dir);
    CHECK(rt_npy_read(path, &a, err, sizeof err) == -1 && strstr(err, "No such file"));

    /* rt_npy_shape reads the header only: the shape of m.npy (2 x 3, as
     * written above), no data to free. */
    snprintf(path, sizeof path, "%s/m.npy", dir);
    CHECK(rt_npy_shape(path, &a, err, sizeof err) == 0);
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && a.count == 6 && a.data == NULL);

    /* Only regular files are read, and the message says what the path is
     * instead (before, /dev/zero was "not a .npy file" and a FIFO blocked). */
    CHECK(rt_npy_read("/dev/zero", &a, err, sizeof err) == -1 &&
          strstr(err, "it is a character device, not a regular file"));
    CHECK(rt_npy_shape(dir, &a, err, sizeof err) == -1 && strstr(err, "it is a folder"));

    /* A version-2 header that claims 4 GiB in a 12-byte file is truncated,
     * said without first allocating what the header claims. */
    snprintf(path, sizeof path, "%s/huge_header.npy", dir);
    fp = fopen(path, "wb");
    fwrite("\x93NUMPY\x02\x00\xff\xff\xff\xff", 1, 12, fp);
    fclose(fp);
    CHECK(rt_npy_shape(path, &a, err, sizeof err) == -1 && strstr(err, "truncated header"));

    /* A write that cannot complete (a full disk) is an error and leaves no
     * short file. A file-size limit makes writes fail the same way on any
     * machine: past it, write() fails with EFBIG (SIGXFSZ ignored). */
    {
        static double big[4096];
        size_t big_shape = 4096;
        struct rlimit old_limit, small = {1024, 1024};
        getrlimit(RLIMIT_FSIZE, &old_limit);
        small.rlim_max = old_limit.rlim_max;
        signal(SIGXFSZ, SIG_IGN);
        CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
        snprintf(path, sizeof path, "%s/full.npy", dir);
        errno = 0;
        CHECK(rt_npy_write(path, big, RT_F64, &big_shape, 1) == -1 && errno == EFBIG);
        CHECK(access(path, F_OK) != 0);
        setrlimit(RLIMIT_FSIZE, &old_limit);
    }

    /* Results folder: invisible until committed, gone when aborted. */
    char final[300];
    snprintf(final, sizeof final, "%s/run/a", dir);
    rt_outdir o;
    CHECK(rt_outdir_begin(&o, final) == 0);
    CHECK(rt_outdir_write_text(&o, "summary.json", "{}\n") == 0);
    CHECK(access(final, F_OK) != 0);
    CHECK(rt_outdir_commit(&o) == 0);
    snprintf(path, sizeof path, "%s/summary.json", final);
    CHECK(file_size(path) == 3);
    CHECK(rt_outdir_begin(&o, final) == 0);
    rt_outdir_abort(&o);
    CHECK(file_size(path) == 3);

    /* loss.csv read back: names from the header, a number per column and
     * row (CRLF line ends too, as an editor on another system may save it);
     * a value that is no number is refused at its row and column; a folder
     * without one is said as such (1), not as an error. */
    rt_loss_csv t;
    snprintf(path, sizeof path, "%s/loss.csv", dir);
    FILE *csv = fopen(path, "w");
    CHECK(csv && fputs("update,epoch,loss\r\n1,1,0.5\r\n2,1,nan\r\n", csv) >= 0 && fclose(csv) == 0);
    CHECK(rt_loss_csv_read(path, &t, err, sizeof err) == 0);
    CHECK(t.n_columns == 3 && t.rows == 2 && rt_loss_csv_column(&t, "loss") == 2 && rt_loss_csv_column(&t, "x") < 0);
    CHECK(t.rows == 2 && t.values[2] == 0.5 && t.values[3] == 2 && isnan(t.values[5]));
    rt_loss_csv_free(&t);
    csv = fopen(path, "w");
    CHECK(csv && fputs("update,loss\n1,0.5\n2,oops\n", csv) >= 0 && fclose(csv) == 0);
    CHECK(rt_loss_csv_read(path, &t, err, sizeof err) == -1);
    CHECK(strstr(err, "row 2, column 2 (loss) is not a number") != NULL);
    csv = fopen(path, "w");
    CHECK(csv && fputs("update,loss\n", csv) >= 0 && fclose(csv) == 0);   /* an evaluation's: no rows */
    CHECK(rt_loss_csv_read(path, &t, err, sizeof err) == 0 && t.n_columns == 2 && t.rows == 0);
    rt_loss_csv_free(&t);
    snprintf(path, sizeof path, "%s/none.csv", dir);
    CHECK(rt_loss_csv_read(path, &t, err, sizeof err) == 1 && t.n_columns == 0);

    rt_remove_tree(dir);
    return check_report();
}
