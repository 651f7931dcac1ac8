/* kernel_cache.c -- the on-disk cache of compiled kernels (see
 * kernel_cache.h). Plain POSIX file handling; LLVM is codegen.c's.
 *
 * An entry is one file, NAME.kc with NAME the key's hash in hex:
 *
 *   "RNNCKC01"                        8 bytes, the format
 *   key length, object length         two 64-bit little-endian numbers
 *   checksum                          FNV-1a (64-bit) of key and object
 *   key, object                       the bytes themselves
 *
 * The lengths must add up to the file's size and the checksum must match,
 * so a file cut short or changed on disk is caught before LLVM sees it.
 */
#include "kernel_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char MAGIC[8] = {'R', 'N', 'N', 'C', 'K', 'C', '0', '1'};
enum { HEADER_BYTES = 32 };
static const double DEFAULT_MAX_MB = 64;
static const time_t STALE_TEMP_SECONDS = 3600;   /* a writer that died long ago left it */

uint64_t kcache_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

int kcache_dir(char *dir, size_t size)
{
    const char *off = getenv("RNNC_KERNEL_CACHE");
    if (off && (strcmp(off, "0") == 0 || strcmp(off, "off") == 0 || strcmp(off, "no") == 0))
        return -1;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')   /* the XDG spec ignores a relative path */
        n = snprintf(dir, size, "%s/rnnc", xdg);
    else if (home && home[0])
        n = snprintf(dir, size, "%s/.cache/rnnc", home);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

void kcache_path(const char *dir, const char *key, size_t key_len, char *path, size_t size)
{
    snprintf(path, size, "%s/%016llx.kc", dir,
             (unsigned long long)kcache_fnv1a(KCACHE_FNV_BASIS, key, key_len));
}

static void put_u64(unsigned char *at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        at[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *at)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)at[i] << (8 * i);
    return v;
}

/* The whole of PATH in *DATA (malloc'd) and *SIZE; 0, 1 when it is not
 * there, -1 with why in WHY. */
static int read_all(const char *path, unsigned char **data, size_t *size, char *why, size_t why_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)   /* ENOTDIR: the folder's place is taken */
            return 1;
        snprintf(why, why_size, "cannot open it: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "it is not a regular file");
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size ? *size : 1);
    size_t got = 0;
    while (*data && got < *size) {
        ssize_t r = read(fd, *data + got, *size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!*data || got != *size) {
        snprintf(why, why_size, *data ? "it could not be read whole" : "out of memory");
        free(*data);
        return -1;
    }
    return 0;
}

int kcache_load(const char *dir, const char *key, size_t key_len, void **obj, size_t *len,
                char *why, size_t why_size)
{
    char path[4200];
    kcache_path(dir, key, key_len, path, sizeof path);
    unsigned char *data;
    size_t size;
    int rc = read_all(path, &data, &size, why, why_size);
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    uint64_t klen = size >= HEADER_BYTES ? get_u64(data + 8) : 0;
    uint64_t olen = size >= HEADER_BYTES ? get_u64(data + 16) : 0;
    if (size < HEADER_BYTES || memcmp(data, MAGIC, sizeof MAGIC) != 0 || klen > size || olen > size ||
        HEADER_BYTES + klen + olen != size) {
        snprintf(why, why_size, "its header does not match its size (%zu bytes)", size);
        free(data);
        return -1;
    }
    if (kcache_fnv1a(KCACHE_FNV_BASIS, data + HEADER_BYTES, size - HEADER_BYTES) != get_u64(data + 24)) {
        snprintf(why, why_size, "its checksum does not match its contents");
        free(data);
        return -1;
    }
    if (klen != key_len || memcmp(data + HEADER_BYTES, key, key_len) != 0) {
        free(data);   /* another module whose key has the same hash: a miss */
        return 0;
    }
    memmove(data, data + HEADER_BYTES + klen, olen);
    *obj = data;
    *len = olen;
    utimensat(AT_FDCWD, path, NULL, 0);   /* recently used: evicted last */
    return 1;
}

/* mkdir -p DIR. */
static int make_dirs(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef struct entry {
    char name[64];
    time_t used;
    off_t bytes;
} entry;

static int oldest_first(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->used < y->used ? -1 : x->used > y->used;
}

static double max_bytes(void)
{
    const char *s = getenv("RNNC_CACHE_MAX_MB");
    char *end;
    double mb = s ? strtod(s, &end) : DEFAULT_MAX_MB;
    if (!s || end == s || *end || !(mb >= 0))
        mb = DEFAULT_MAX_MB;
    return mb * 1024 * 1024;
}

/* Removes the least recently used entries until the folder's entries fit
 * under RNNC_CACHE_MAX_MB, and temporary files a writer left long ago. Two
 * runs may evict at once: a file already gone is skipped, and a file
 * removed while another run reads it stays readable to that run. */
static void evict(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    entry *list = NULL;
    size_t n = 0, cap = 0;
    double total = 0;
    time_t now = time(NULL);
    char path[4200];
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        int is_temp = strncmp(de->d_name, ".tmp-", 5) == 0, is_entry = len > 3 && strcmp(de->d_name + len - 3, ".kc") == 0;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if ((!is_temp && !is_entry) || len >= sizeof list->name || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (is_temp) {
            if (now - st.st_mtime > STALE_TEMP_SECONDS)
                unlink(path);
            continue;
        }
        if (n == cap) {
            entry *grown = realloc(list, (cap = cap ? 2 * cap : 64) * sizeof *list);
            if (!grown)
                break;
            list = grown;
        }
        memcpy(list[n].name, de->d_name, len + 1);   /* len < sizeof name, checked above */
        list[n].used = st.st_mtime;
        list[n++].bytes = st.st_size;
        total += (double)st.st_size;
    }
    closedir(d);
    double limit = max_bytes();
    if (total > limit && n > 1)
        qsort(list, n, sizeof *list, oldest_first);
    for (size_t i = 0; i < n && total > limit; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
        if (unlink(path) == 0 || errno == ENOENT)
            total -= (double)list[i].bytes;
    }
    free(list);
}

int kcache_store(const char *dir, const char *key, size_t key_len, const void *obj, size_t len,
                 char *why, size_t why_size)
{
    if (make_dirs(dir) != 0) {
        snprintf(why, why_size, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    char path[4200], temp[4200];
    kcache_path(dir, key, key_len, path, sizeof path);
    snprintf(temp, sizeof temp, "%s/.tmp-%ld-XXXXXX", dir, (long)getpid());
    int fd = mkstemp(temp);
    if (fd < 0) {
        snprintf(why, why_size, "cannot write in %s: %s", dir, strerror(errno));
        return -1;
    }
    unsigned char header[HEADER_BYTES];
    memcpy(header, MAGIC, sizeof MAGIC);
    put_u64(header + 8, key_len);
    put_u64(header + 16, len);
    put_u64(header + 24, kcache_fnv1a(kcache_fnv1a(KCACHE_FNV_BASIS, key, key_len), obj, len));
    int failed = write_all(fd, header, sizeof header) != 0 || write_all(fd, key, key_len) != 0 ||
                 write_all(fd, obj, len) != 0;
    int saved = errno;
    if (close(fd) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    /* rename replaces PATH whole: a reader sees the old file or the new one */
    if (failed || rename(temp, path) != 0) {
        snprintf(why, why_size, "cannot write %s: %s", path, strerror(failed ? saved : errno));
        unlink(temp);
        return -1;
    }
    evict(dir);
    return 0;
}
