/* rt_outdir.c -- atomic results folders (see rt_outdir.h). */
#include "rt_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>   /* flock: BSD and Linux, not POSIX (whose fcntl locks need a file open for writing) */
#include <sys/stat.h>
#include <unistd.h>

#define MARKER_TEXT "written by rnnc; a later run may replace this folder\n"
/* then the names of the folder's files, one a line (a marker without it
 * is an older rnnc's, whose files are not known) */
#define MARKER_LIST "files:\n"

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* mkdir -p for the parents of PATH; *MADE is the length of the first one
 * created (0 when none was). */
static int make_parents(const char *path, size_t *made)
{
    char *copy = strdup(path);
    *made = 0;
    if (!copy)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(copy, 0777);
        if (rc != 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        if (rc == 0 && *made == 0)
            *made = (size_t)(p - copy);
        *p = '/';
    }
    free(copy);
    return 0;
}

/* The parents of PATH that make_parents created (from the deepest up to
 * the one of length MADE), as far as they are empty. */
static void remove_parents(const char *path, size_t made)
{
    char *copy = made ? strdup(path) : NULL;
    for (char *slash; copy && (slash = strrchr(copy, '/')) && (size_t)(slash - copy) >= made;) {
        *slash = '\0';
        if (rmdir(copy) != 0)
            break;
    }
    free(copy);
}

/* PATH without its trailing slashes (malloc'd; "/" stays "/"). */
static char *strip_slashes(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return strndup(path, n);
}

/* A folder that may be replaced: empty, or made by an earlier run (it has
 * the marker). Anything else is someone's data and is never deleted. */
static int replaceable(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        return 0;
    int empty = 1, marked = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        empty = 0;
        if (strcmp(e->d_name, RT_OUTDIR_MARKER) == 0)
            marked = 1;
    }
    closedir(dir);
    return empty || marked;
}

/* The form of PATH (trailing slashes stripped): a message in WHY, or NULL. */
static const char *bad_form(const char *path, const char *given, char *why, size_t why_size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!given[0])
        snprintf(why, why_size, "the results folder given is empty; give a folder name such as runs/NAME");
    else if (strcmp(path, "/") == 0)
        snprintf(why, why_size, "'%s' is the root folder, which a run cannot replace; give a folder name such as "
                 "runs/NAME", given);
    else if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        snprintf(why, why_size, "'%s' names the %s folder, which a run cannot replace; give a folder name such as "
                 "runs/NAME", given, base[1] ? "parent" : "current");
    else
        return NULL;
    return why;
}

/* The marker of DIR, read whole (malloc'd), or NULL. */
static char *read_marker(const char *dir)
{
    char *path = join(dir, RT_OUTDIR_MARKER), *text = NULL;
    FILE *fp = path ? fopen(path, "r") : NULL;
    free(path);
    if (!fp)
        return NULL;
    size_t len = 0, n;
    char buf[4096];
    FILE *mem = open_memstream(&text, &len);
    while (mem && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(fp);
    if (mem)
        fclose(mem);
    return text;
}

/* Whether NAME is a line of LIST. */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

static void add_name(FILE *names, unsigned *count, const char *dir, const char *name)
{
    if ((*count)++ < 8)
        fprintf(names, "%s%s/%s", *count > 1 ? ", " : "", dir, name);
}

/* Into NAMES, the entries of the results folder DIR (and of the folders
 * it lists, those of --seeds) that its marker does not list: files a user
 * put there, which a replacement would delete. Their count. */
static unsigned unknown_files(const char *dir, FILE *names, unsigned *count)
{
    char *marker = read_marker(dir), *list = marker ? strstr(marker, "\n" MARKER_LIST) : NULL;
    DIR *d = list ? opendir(dir) : NULL;   /* no list: an older rnnc's folder, whose files are not known */
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, RT_OUTDIR_MARKER) == 0)
            continue;
        char *path = join(dir, e->d_name);
        struct stat st;
        if (!listed(list + 1 + strlen(MARKER_LIST), e->d_name))
            add_name(names, count, dir, e->d_name);
        else if (path && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            unknown_files(path, names, count);
        free(path);
    }
    if (d)
        closedir(d);
    free(marker);
    return *count;
}

/* The files a user added to the results folder PATH, named in WHY, or NULL. */
static const char *foreign_files(const char *path, const char *given, char *why, size_t why_size)
{
    char *names = NULL;
    size_t len = 0;
    unsigned count = 0;
    FILE *fp = open_memstream(&names, &len);
    if (fp) {
        unknown_files(path, fp, &count);
        fclose(fp);
    }
    if (count)
        snprintf(why, why_size, "'%s' is a results folder with %u file%s rnnc did not write (%s%s), which a new "
                 "run would delete; move %s out or give run another --out", given, count, count == 1 ? "" : "s",
                 names ? names : "", count > 8 ? ", ..." : "", count == 1 ? "it" : "them");
    free(names);
    return count ? why : NULL;
}

/* What is at PATH, if anything, that a run cannot replace: a message in WHY, or NULL. */
static const char *bad_target(const char *path, const char *given, char *why, size_t why_size)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return NULL;
    if (S_ISLNK(st.st_mode))
        snprintf(why, why_size, "'%s' is a symbolic link; a run would replace the link, not the folder it "
                 "points to: give that folder's own path", given);
    else if (!S_ISDIR(st.st_mode))
        snprintf(why, why_size, "'%s' is a file, not a folder; give run another --out", given);
    else if (!replaceable(path))
        snprintf(why, why_size, "'%s' exists and is not an rnnc results folder (rnnc replaces only folders it "
                 "wrote, which hold " RT_OUTDIR_MARKER "); give run another --out", given);
    else
        return foreign_files(path, given, why, why_size);
    return why;
}

int rt_outdir_check(const char *path, char *why, size_t why_size)
{
    char *stripped = strip_slashes(path);
    if (!stripped) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    int bad = bad_form(stripped, path, why, why_size) || bad_target(stripped, path, why, why_size);
    free(stripped);
    return bad ? -1 : 0;
}

int rt_outdir_begin(rt_outdir *o, const char *final_path)
{
    memset(o, 0, sizeof *o);
    char why[512];
    o->final_path = strip_slashes(final_path);
    if (o->final_path && bad_form(o->final_path, final_path, why, sizeof why)) {
        free(o->final_path);
        memset(o, 0, sizeof *o);
        errno = EINVAL;
        return -1;
    }
    struct stat st;
    if (o->final_path && lstat(o->final_path, &st) == 0 &&
        (!S_ISDIR(st.st_mode) || !replaceable(o->final_path))) {
        /* Refuse before any work is done, not after. */
        free(o->final_path);
        memset(o, 0, sizeof *o);
        errno = EEXIST;
        return -1;
    }
    size_t n = o->final_path ? strlen(o->final_path) : 0;
    o->work_path = o->final_path ? malloc(n + 16) : NULL;
    if (!o->final_path || !o->work_path) {
        free(o->final_path);
        free(o->work_path);
        memset(o, 0, sizeof *o);
        errno = ENOMEM;
        return -1;
    }
    snprintf(o->work_path, n + 16, "%s.partial-XXXXXX", o->final_path);
    int parents = make_parents(o->final_path, &o->made_parents) == 0;
    int made = parents && mkdtemp(o->work_path) != NULL;
    if (!made || rt_outdir_write_text(o, RT_OUTDIR_MARKER, MARKER_TEXT) != 0) {
        int saved = errno;
        if (made)
            rt_remove_tree(o->work_path);
        remove_parents(o->final_path, o->made_parents);
        free(o->final_path);
        free(o->work_path);
        memset(o, 0, sizeof *o);
        errno = saved;
        return -1;
    }
    return 0;
}

char *rt_outdir_file(const rt_outdir *o, const char *name)
{
    return join(o->work_path, name);
}

int rt_outdir_write_text(const rt_outdir *o, const char *name, const char *text)
{
    char *path = rt_outdir_file(o, name);
    if (!path)
        return -1;
    FILE *fp = fopen(path, "w");
    free(path);
    if (!fp)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, fp) == n;
    int saved = errno;
    if (fclose(fp) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    errno = saved;
    return ok ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int rt_remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *read_marker(const char *dir);
static int listed(const char *list, const char *name);

/* Whether DIR has an entry NAME. */
static int in_folder(const char *dir, const char *name)
{
    char *path = join(dir, name);
    struct stat st;
    int there = path && lstat(path, &st) == 0;
    free(path);
    return there;
}

/* The marker again, with the name of every entry of the finished folder
 * below its first line: what rt_outdir_check later knows as rnnc's own. */
static int write_marker_list(const rt_outdir *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    DIR *dir = fp ? opendir(o->work_path) : NULL;
    if (!dir) {
        if (fp)
            fclose(fp);
        free(text);
        return -1;
    }
    /* a file the folder replaced held and did not list (rnnc analyze copies
     * them) stays unlisted: it is still the user's */
    char *before = read_marker(o->final_path), *known = before ? strstr(before, "\n" MARKER_LIST) : NULL;
    fputs(MARKER_TEXT MARKER_LIST, fp);
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_name[0] != '.' && !strchr(e->d_name, '\n') &&
            !(known && !listed(known + 1 + strlen(MARKER_LIST), e->d_name) && in_folder(o->final_path, e->d_name)))
            fprintf(fp, "%s\n", e->d_name);
    closedir(dir);
    free(before);
    int rc = fclose(fp) == 0 ? rt_outdir_write_text(o, RT_OUTDIR_MARKER, text) : -1;
    free(text);
    return rc;
}

/* The folder holding PATH, opened and locked (flock, exclusive) so that
 * runs into the same DIR replace it one at a time: a lock on the folder
 * itself leaves no lock file behind. The fd, or -1 with errno. */
static int lock_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *parent = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!parent)
        return -1;
    int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(parent);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;   /* a signal: it is polled after the commit */
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Renames the finished folder into place, the older DIR aside into *OLD
 * (malloc'd; NULL when there was none). Run under lock_parent's lock. */
static int replace(rt_outdir *o, char **old)
{
    struct stat st;
    *old = NULL;
    if (lstat(o->final_path, &st) == 0) {
        if (!S_ISDIR(st.st_mode) || !replaceable(o->final_path)) {
            errno = EEXIST;
            return -1;
        }
        size_t n = strlen(o->final_path) + 16;
        *old = malloc(n);
        if (!*old)
            return -1;
        snprintf(*old, n, "%s.old-XXXXXX", o->final_path);
        if (!mkdtemp(*old) || rename(o->final_path, *old) != 0) {
            int saved = errno;
            if ((*old)[0])
                rmdir(*old);
            free(*old);
            *old = NULL;
            errno = saved;
            return -1;
        }
    }
    if (rename(o->work_path, o->final_path) != 0) {
        int saved = errno;
        if (*old)
            rename(*old, o->final_path);   /* put the previous results back */
        free(*old);
        *old = NULL;
        errno = saved;
        return -1;
    }
    return 0;
}

int rt_outdir_commit(rt_outdir *o)
{
    if (write_marker_list(o) != 0)
        return -1;
    int lock = lock_parent(o->final_path);
    if (lock < 0)
        return -1;
    char *old;
    int rc = replace(o, &old);
    int saved = errno;
    close(lock);   /* releases the lock */
    if (rc != 0) {
        errno = saved;
        return -1;
    }
    if (old) {
        rt_remove_tree(old);
        free(old);
    }
    free(o->final_path);
    free(o->work_path);
    memset(o, 0, sizeof *o);
    return 0;
}

void rt_outdir_abort(rt_outdir *o)
{
    if (o->work_path)
        rt_remove_tree(o->work_path);
    if (o->final_path)
        remove_parents(o->final_path, o->made_parents);
    free(o->final_path);
    free(o->work_path);
    memset(o, 0, sizeof *o);
}
