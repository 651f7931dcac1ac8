/* rt_text.c -- a growing string (see rt_text.h). */
#include "rt_text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_error.h"
#include "rt_file.h"

/* Room for EXTRA more bytes and the NUL; 0 (and FAILED set) if there is none. */
static int text_reserve(rt_text *t, size_t extra)
{
    if (t->failed)
        return 0;
    if (t->cap > t->len && extra < t->cap - t->len)
        return 1;
    size_t need = t->len + extra + 1, cap = t->cap ? t->cap : 256;
    while (cap < need && cap <= SIZE_MAX / 2)
        cap *= 2;
    char *p = need > extra && cap >= need ? realloc(t->data, cap) : NULL;
    if (!p) {
        t->failed = 1;
        return 0;
    }
    t->data = p;
    t->cap = cap;
    return 1;
}

void rt_text_add(rt_text *t, const char *s, size_t n)
{
    if (!text_reserve(t, n))
        return;
    if (n)
        memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

void rt_text_puts(rt_text *t, const char *s)
{
    rt_text_add(t, s, strlen(s));
}

void rt_text_vprintf(rt_text *t, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);   /* a long result is formatted twice */
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        t->failed = 1;
    } else if ((size_t)n < sizeof small) {
        rt_text_add(t, small, (size_t)n);
    } else if (text_reserve(t, (size_t)n)) {
        vsnprintf(t->data + t->len, (size_t)n + 1, fmt, again);
        t->len += (size_t)n;
    }
    va_end(again);
}

void rt_text_printf(rt_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_text_vprintf(t, fmt, ap);
    va_end(ap);
}

void rt_text_escaped(rt_text *t, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *ref = NULL;
        switch (*s) {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
                ref = " ";   /* XML 1.0 has no way to write these */
        }
        if (ref) {
            rt_text_add(t, run, (size_t)(s - run));
            rt_text_puts(t, ref);
            run = s + 1;
        }
    }
    rt_text_add(t, run, (size_t)(s - run));
}

void rt_text_json_string(rt_text *t, const char *s, size_t n)
{
    rt_text_add(t, "\"", 1);
    size_t run = 0, i = 0;   /* s[run..i) is plain text not yet added */
    for (; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        if (i > run)
            rt_text_add(t, s + run, i - run);
        if (c < 0x20)
            rt_text_printf(t, "\\u%04x", c);
        else
            rt_text_add(t, c == '"' ? "\\\"" : "\\\\", 2);
        run = i + 1;
    }
    if (i > run)
        rt_text_add(t, s + run, i - run);
    rt_text_add(t, "\"", 1);
}

void rt_text_json_number(rt_text *t, double v)
{
    if (isfinite(v))
        rt_text_printf(t, "%.9g", v);
    else
        rt_text_puts(t, "null");
}

int rt_text_save(const rt_text *t, const char *path)
{
    if (t->failed) {
        errno = ENOMEM;
        return -1;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = t->len == 0 || fwrite(t->data, 1, t->len, fp) == t->len;
    return rt_text_finish_file(fp, path, ok);
}

int rt_text_finish_file(FILE *fp, const char *path, int ok)
{
    int saved = errno;   /* the failed write's */
    /* Only a regular file is removed on failure: never a device such as
     * /dev/full, which a test (run as root) may write to. */
    struct stat st;
    int regular = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
    if (fclose(fp) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (ok)
        return 0;
    if (regular)
        remove(path);
    errno = saved ? saved : EIO;
    return -1;
}

void rt_text_free(rt_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

int rt_text_load(rt_text *t, const char *path, size_t max_bytes, char *why, size_t why_size)
{
    FILE *in = rt_file_open(path, max_bytes, NULL, why, why_size);
    if (!in)
        return -1;
    char buf[1 << 14];
    size_t total = 0;
    for (size_t n; total <= max_bytes && (n = fread(buf, 1, sizeof buf, in)) > 0; total += n)
        rt_text_add(t, buf, n);
    int bad = ferror(in);
    fclose(in);
    if (bad || total > max_bytes) {   /* it grew past the limit while being read */
        errno = bad ? EIO : EFBIG;
        return rt_error(why, why_size, "%s", strerror(errno));
    }
    if (t->failed) {
        errno = ENOMEM;
        return rt_error(why, why_size, "%s", strerror(errno));
    }
    return 0;
}
