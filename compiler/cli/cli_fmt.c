/* cli_fmt.c -- rnnc fmt [--check] FILE... : models in the canonical layout.
 *
 * Each file is parsed first; one with a syntax error is reported as rnnc
 * check reports it and left untouched. The formatted text is parsed again
 * and must give the same syntax tree, else the file is left as it was: a
 * bug in the formatter may refuse a file but never change a model. A file
 * that changes is replaced atomically (written beside itself under a
 * temporary name, then renamed over), so it is never seen half written.
 * '-' reads standard input and writes standard output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "format.h"
#include "parse_driver.h"
#include "rt_file.h"

enum { FMT_OK = 0, FMT_CHANGED = 1, FMT_USAGE = 2 };

static const char fmt_usage[] = "usage: rnnc fmt [--check] FILE... ('-' for standard input)";

/* The 1-based line of the first byte where A and B differ. */
static unsigned first_difference(const char *a, size_t na, const char *b, size_t nb)
{
    unsigned line = 1;
    for (size_t i = 0; i < na && i < nb && a[i] == b[i]; i++)
        line += a[i] == '\n';
    return line;
}

/* Writes TEXT over PATH (the file a symbolic link names, if it is one)
 * through a temporary file in the same folder; 0, or -1 with the reason
 * printed and PATH untouched. */
static int write_atomically(const char *path, const char *text, size_t len)
{
    char *real = realpath(path, NULL);
    const char *target = real ? real : path;
    struct stat st;
    mode_t mode = stat(target, &st) == 0 ? st.st_mode & 07777 : 0644;
    size_t n = strlen(target) + 16;
    char *tmp = malloc(n);
    if (tmp)
        snprintf(tmp, n, "%s.fmt-XXXXXX", target);
    errno = 0;
    int fd = tmp ? mkstemp(tmp) : -1;
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    int ok = out && fchmod(fd, mode) == 0 && fwrite(text, 1, len, out) == len &&
             fflush(out) == 0 && fsync(fd) == 0;
    int err = errno;
    if (out && fclose(out) != 0 && ok) {
        ok = 0;
        err = errno;
    } else if (!out && fd >= 0) {
        close(fd);
    }
    if (ok && rename(tmp, target) != 0) {
        ok = 0;
        err = errno;
    }
    if (!ok && fd >= 0)
        unlink(tmp);
    if (!ok)
        fprintf(stderr, "rnnc: cannot write '%s': %s; it is left as it was\n", path,
                err ? strerror(err) : "out of memory");
    free(tmp);
    free(real);
    return ok ? 0 : -1;
}

/* Standard input, whole, as a source file of the table; its index or -1. */
static int read_stdin(source_table *sources)
{
    size_t len = 0, cap = 1 << 16;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, stdin);
        len += got;
        if (got == 0 || len > RT_FILE_MAX_SOURCE)
            break;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    int idx = -1;
    if (!buf || ferror(stdin))
        fprintf(stderr, "rnnc: cannot read standard input: %s\n", buf ? strerror(errno) : "out of memory");
    else if (len > RT_FILE_MAX_SOURCE)
        fprintf(stderr, "rnnc: standard input is larger than a model may be (%zu MiB)\n",
                RT_FILE_MAX_SOURCE >> 20);
    else
        idx = source_add_text(sources, "<stdin>", buf, len);
    free(buf);
    return idx;
}

/* The formatted text of file IDX (malloc'd), or NULL with the reason
 * printed: a syntax error, or a formatter that would change the tree. */
static char *format_file(frontend *fe, int idx, const char *label, size_t *len)
{
    ast_node *tree = parse_file(&fe->arena, &fe->diag, (uint32_t)idx);
    if (fe->diag.errors) {
        diag_print(&fe->diag, stderr, cli_use_color());
        fprintf(stderr, "rnnc: %s has errors; it is left as it was\n", label);
        return NULL;
    }
    char *text = format_source(&fe->arena, &fe->diag, (uint32_t)idx, tree, len);
    int again = source_add_text(&fe->sources, label, text, *len);
    ast_node *tree2 = again >= 0 ? parse_file(&fe->arena, &fe->diag, (uint32_t)again) : NULL;
    if (!tree2 || fe->diag.errors || !format_same_tree(tree, tree2)) {
        fprintf(stderr, "rnnc: internal error: formatting %s would change its syntax tree; "
                        "it is left as it was (please report this)\n", label);
        free(text);
        return NULL;
    }
    return text;
}

/* Formats one file (or standard input for "-"); returns its exit status. */
static int format_one(const char *path, int check)
{
    int from_stdin = strcmp(path, "-") == 0;
    const char *label = from_stdin ? "<stdin>" : path;
    frontend fe;
    frontend_init(&fe);
    char why[256];
    int idx = from_stdin ? read_stdin(&fe.sources) : source_load(&fe.sources, path, NULL, why, sizeof why);
    if (idx < 0) {
        if (!from_stdin)
            fprintf(stderr, "rnnc: cannot read '%s': %s\n", path, why);
        frontend_free(&fe);
        return FMT_USAGE;
    }
    size_t len;
    char *text = format_file(&fe, idx, label, &len);
    int rc = text ? FMT_OK : FMT_CHANGED;
    const source_file *f = &fe.sources.files[idx];
    int same = text && len == f->size && memcmp(text, f->text, len) == 0;
    if (text && check && !same) {
        unsigned line = first_difference(f->text, f->size, text, len);
        if (from_stdin)
            fprintf(stderr, "rnnc: %s is not formatted (from line %u)\n", label, line);
        else
            fprintf(stderr, "rnnc: %s is not formatted (from line %u; 'rnnc fmt %s' formats it)\n",
                    label, line, path);
        rc = FMT_CHANGED;
    } else if (text && !check && from_stdin) {
        fwrite(text, 1, len, stdout);
    } else if (text && !check && !same && write_atomically(path, text, len) != 0) {
        rc = FMT_CHANGED;
    }
    free(text);
    frontend_free(&fe);
    return rc;
}

int cli_fmt(int argc, char **argv)
{
    int check = 0, files = 0, stdin_given = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "rnnc: unknown option '%s' of fmt; %s\n", argv[i], fmt_usage);
            return FMT_USAGE;
        } else if (strcmp(argv[i], "-") == 0 && stdin_given++) {
            fprintf(stderr, "rnnc: '-' (standard input) is given twice; %s\n", fmt_usage);
            return FMT_USAGE;
        } else {
            files++;
        }
    }
    if (files == 0) {
        fprintf(stderr, "rnnc: fmt needs at least one file; %s\n", fmt_usage);
        return FMT_USAGE;
    }
    int status = FMT_OK;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0)
            continue;
        int rc = format_one(argv[i], check);
        if (rc > status)
            status = rc;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "rnnc: error: cannot write the output: %s\n", strerror(errno));
        if (status == FMT_OK)
            status = FMT_CHANGED;
    }
    return status;
}
