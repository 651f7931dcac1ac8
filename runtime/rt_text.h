/* rt_text.h -- a growing string, for the text the runtime and the compiler
 * write: SVG figures, HTML reports, JSON summaries.
 *
 * A failed allocation sets FAILED and later additions are ignored, so a
 * writer checks once at the end. Zero-initialise to start:
 *
 *     rt_text t = {0};
 *     rt_text_printf(&t, "{\"loss\": ");
 *     rt_text_json_number(&t, loss);
 *     rt_text_puts(&t, "}\n");
 *     if (rt_text_save(&t, "summary.json") != 0)
 *         perror("summary.json");
 *     rt_text_free(&t);
 */
#ifndef RNNRT_TEXT_H
#define RNNRT_TEXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct rt_text {
    char *data;     /* NUL-terminated once anything is added (may also hold
                       bytes, with LEN); NULL before; free() it or rt_text_free */
    size_t len, cap;
    int failed;
} rt_text;

void rt_text_add(rt_text *t, const char *s, size_t n);
void rt_text_puts(rt_text *t, const char *s);
void rt_text_printf(rt_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rt_text_vprintf(rt_text *t, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;
/* S with & < > " ' as character references: safe in XML and HTML text and
 * in quoted attributes. Control characters other than tab, newline and
 * carriage return (not allowed in XML) become spaces. */
void rt_text_escaped(rt_text *t, const char *s);
/* S (at most N bytes, up to a NUL) as a JSON string literal, quotes
 * included: " and \ escaped, control characters as \u00xx. */
void rt_text_json_string(rt_text *t, const char *s, size_t n);
/* V as a JSON number (%.9g: a double to 9 significant digits), or null
 * for NaN and infinities (JSON has neither). */
void rt_text_json_number(rt_text *t, double v);
/* Writes the text to PATH; 0, or -1 with errno (ENOMEM if building it
 * failed). A half-written regular file is removed. */
int rt_text_save(const rt_text *t, const char *path);
void rt_text_free(rt_text *t);
/* Appends the whole file at PATH, a regular file of at most MAX_BYTES bytes
 * (see rt_file.h); 0, or -1 with errno and what is wrong in WHY (the text is
 * then as it was, or marked failed when memory ran out). */
int rt_text_load(rt_text *t, const char *path, size_t max_bytes, char *why, size_t why_size);

/* Finishes a file written through FP at PATH (rt_text_save's and
 * rt_npy_write's last step): closes it; if a write failed (OK 0) or the
 * close does, removes the half-written file -- a regular file only, never
 * a device such as /dev/full -- and returns -1 with errno from the failure
 * (EIO if none was set). 0 on success. Call it straight after the last
 * write, while errno is still that write's. */
int rt_text_finish_file(FILE *fp, const char *path, int ok);

#endif
