/* text.h -- the growable text buffer rnnc writes JSON and reports with:
 * the runtime's rt_text (rt_text.h) under the compiler's names.
 *
 * Writes never fail midway: an allocation failure sets 'failed' and later
 * writes do nothing, so a caller checks once at the end. 'data' is
 * NUL-terminated once anything is written; free() it.
 */
#ifndef RNNC_TEXT_H
#define RNNC_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include "rt_file.h"
#include "rt_text.h"

typedef rt_text text;

__attribute__((format(printf, 2, 3))) static inline void text_put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_text_vprintf(t, fmt, ap);
    va_end(ap);
}

/* S (at most N bytes) as a JSON string literal, quotes included. */
static inline void text_json_string(text *t, const char *s, size_t n)
{
    rt_text_json_string(t, s, n);
}

/* V as a JSON number, with null for NaN and infinities (JSON has neither). */
static inline void text_json_number(text *t, double v)
{
    rt_text_json_number(t, v);
}

/* The whole file at PATH as a malloc'd string, or NULL with errno. */
static inline char *text_read_file(const char *path)
{
    text t = {0};
    if (rt_text_load(&t, path, RT_FILE_MAX_SOURCE, NULL, 0) != 0) {
        free(t.data);
        return NULL;
    }
    return t.data ? t.data : calloc(1, 1);
}

#endif
