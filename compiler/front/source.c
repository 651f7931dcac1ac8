/* source.c -- loading source text and finding its lines (see source.h). */
#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int source_load(source_table *t, const char *path, const char *module)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 8192, size = 0;
    char *text = malloc(cap);
    while (text) {
        size_t got = fread(text + size, 1, cap - size - 1, fp);
        size += got;
        if (got == 0)
            break;
        if (cap - size - 1 == 0) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
    }
    int read_error = ferror(fp);
    fclose(fp);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    if (read_error) {
        free(text);
        errno = EIO;
        return -1;
    }
    text[size] = '\0';
    return push_file(t, path, module, text, size);
}

const char *source_line(const source_table *t, src_loc loc, size_t *len)
{
    *len = 0;
    if (loc.file >= t->count || loc.line == 0)
        return "";
    const source_file *f = &t->files[loc.file];
    const char *p = f->text, *end = f->text + f->size;
    for (uint32_t line = 1; line < loc.line && p < end; p++)
        if (*p == '\n')
            line++;
    const char *q = p;
    while (q < end && *q != '\n' && *q != '\0')
        q++;
    if (q > p && q[-1] == '\r')
        q--;
    *len = (size_t)(q - p);
    return p;
}
