/* source.c -- loading source text and finding its lines (see source.h). */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_file.h"

void source_table_init(source_table *t)
{
    memset(t, 0, sizeof *t);
}

void source_table_free(source_table *t)
{
    for (uint32_t i = 0; i < t->count; i++) {
        free(t->files[i].text);
        free((char *)t->files[i].path);
        free((char *)t->files[i].module);
    }
    free(t->files);
    memset(t, 0, sizeof *t);
}

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int push_file(source_table *t, const char *path, const char *module,
                     char *text, size_t size)
{
    if (t->count == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 8;
        source_file *files = realloc(t->files, cap * sizeof *files);
        if (!files) {
            free(text);
            errno = ENOMEM;
            return -1;
        }
        t->files = files;
        t->cap = cap;
    }
    source_file *f = &t->files[t->count];
    f->path = dup_or_null(path);
    f->module = dup_or_null(module);
    f->text = text;
    f->size = size;
    return (int)t->count++;
}

int source_add_text(source_table *t, const char *path, const char *text, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(copy, text, size);
    copy[size] = '\0';
    return push_file(t, path, NULL, copy, size);
}

/* Reads all of FP, at most MAX bytes (a file may grow after it was opened);
 * NULL with errno set on failure. */
static char *read_bounded(FILE *fp, size_t size_hint, size_t max, size_t *size)
{
    size_t cap = size_hint + 2, got = 0;
    char *text = malloc(cap);
    while (text) {
        size_t n = fread(text + got, 1, cap - got - 1, fp);
        got += n;
        if (n == 0 || got > max)
            break;
        if (got + 1 == cap) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger)
                free(text);
            text = bigger;
            cap *= 2;
        }
    }
    if (!text) {
        errno = ENOMEM;
        return NULL;
    }
    if (ferror(fp) || got > max) {
        free(text);
        errno = got > max ? EFBIG : EIO;
        return NULL;
    }
    text[got] = '\0';
    *size = got;
    return text;
}

int source_load(source_table *t, const char *path, const char *module, char *why, size_t why_size)
{
    size_t hint = 0;
    FILE *fp = rt_file_open(path, RT_FILE_MAX_SOURCE, &hint, why, why_size);
    if (!fp)
        return -1;
    size_t size = 0;
    char *text = read_bounded(fp, hint, RT_FILE_MAX_SOURCE, &size);
    int saved = errno;
    fclose(fp);
    if (!text) {
        rt_error(why, why_size, "%s", saved == EFBIG ? "it grew past the 64 MiB limit while being read"
                                                     : strerror(saved));
        errno = saved;
        return -1;
    }
    return push_file(t, path, module, text, size);
}

/* The start of the line after the one P is on (END if none): a line ends at
 * "\n", "\r\n" or a lone "\r", as the lexer counts lines. */
static const char *next_line(const char *p, const char *end)
{
    while (p < end && *p != '\n' && *p != '\r')
        p++;
    if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
        p++;
    return p < end ? p + 1 : end;
}

const char *source_line(const source_table *t, src_loc loc, size_t *len)
{
    *len = 0;
    if (loc.file >= t->count || loc.line == 0)
        return "";
    const source_file *f = &t->files[loc.file];
    const char *p = f->text, *end = f->text + f->size;
    for (uint32_t line = 1; line < loc.line && p < end; line++)
        p = next_line(p, end);
    const char *q = p;
    while (q < end && *q != '\n' && *q != '\r' && *q != '\0')
        q++;
    *len = (size_t)(q - p);
    return p;
}
