/* rt_file.c -- opening only regular files of bounded size (see rt_file.h). */
#include "rt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_error.h"

/* What a file that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

static double mib(size_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

/* Refuses what is not a regular file of at most MAX_BYTES; 0 if it is one. */
static int refuse_irregular(const struct stat *st, size_t max_bytes, char *why, size_t why_size)
{
    if (S_ISDIR(st->st_mode)) {
        errno = EISDIR;
        return rt_error(why, why_size, "it is a folder");
    }
    if (!S_ISREG(st->st_mode)) {
        errno = EINVAL;
        return rt_error(why, why_size, "it is %s, not a regular file", file_kind(st->st_mode));
    }
    if ((unsigned long long)st->st_size > max_bytes) {
        errno = EFBIG;
        return rt_error(why, why_size, "it is %.0f MiB; the limit is %.0f MiB",
                        mib((size_t)st->st_size), mib(max_bytes));
    }
    return 0;
}

FILE *rt_file_open(const char *path, size_t max_bytes, size_t *size, char *why, size_t why_size)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not wait for one. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        rt_error(why, why_size, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        rt_error(why, why_size, "%s", strerror(saved));
        close(fd);
        errno = saved;
        return NULL;
    }
    if (refuse_irregular(&st, max_bytes, why, why_size) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        int saved = errno;
        rt_error(why, why_size, "%s", strerror(saved));
        close(fd);
        errno = saved;
        return NULL;
    }
    if (size)
        *size = (size_t)st.st_size;
    return fp;
}
