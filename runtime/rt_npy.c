/* rt_npy.c -- reading and writing .npy files (see rt_npy.h).
 * Format: numpy's NEP 1 ("A simple file format for NumPy arrays"), version 1.0. */
#include "rt_npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_file.h"
#include "rt_text.h"

static const char magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

static size_t dtype_size(rt_dtype t)
{
    return t == RT_F32 || t == RT_U32 ? 4 : t == RT_U8 ? 1 : 8;
}

static const char *dtype_descr(rt_dtype t)
{
    switch (t) {
    case RT_F32: return "<f4";
    case RT_F64: return "<f8";
    case RT_I64: return "<i8";
    case RT_U32: return "<u4";
    default: return "|u1";
    }
}

int rt_npy_write(const char *path, const void *data, rt_dtype dtype, const size_t *shape, int ndim)
{
    if (ndim < 0 || ndim > RT_NPY_MAX_DIMS) {
        errno = EINVAL;
        return -1;
    }
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     dtype_descr(dtype));
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%zu,%s", shape[i],
                      i + 1 < ndim ? " " : "");
        if (shape[i] && count > SIZE_MAX / 8 / shape[i]) {
            errno = EOVERFLOW;
            return -1;
        }
        count *= shape[i];
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* Pad with spaces so the data starts at a multiple of 64 bytes, then '\n'. */
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t header_len = padded - 10;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    unsigned char head[10];
    memcpy(head, magic, 6);
    head[6] = 1;
    head[7] = 0;
    head[8] = (unsigned char)(header_len & 0xff);
    head[9] = (unsigned char)(header_len >> 8);
    int ok = fwrite(head, 1, 10, fp) == 10 && fwrite(dict, 1, (size_t)n, fp) == (size_t)n;
    for (size_t i = (size_t)n; ok && i + 1 < header_len; i++)
        ok = fputc(' ', fp) != EOF;
    ok = ok && fputc('\n', fp) != EOF;
    ok = ok && (count == 0 || fwrite(data, dtype_size(dtype), count, fp) == count);
    return rt_text_finish_file(fp, path, ok);   /* removes a half-written file */
}

void rt_array_free(rt_array *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

static int fail(char *err, size_t size, const char *path, const char *what)
{
    snprintf(err, size, "%s: %s", path, what);
    return -1;
}

/* Parses "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }". */
static int parse_header(const char *h, rt_array *out, int *elem_size, int *is_f32)
{
    const char *d = strstr(h, "'descr'");
    const char *f = strstr(h, "'fortran_order'");
    const char *s = strstr(h, "'shape'");
    if (!d || !f || !s)
        return -1;
    d = strchr(d + 7, '\'');
    if (!d)
        return -1;
    if (strncmp(d, "'<f8'", 5) == 0)
        *elem_size = 8, *is_f32 = 0;
    else if (strncmp(d, "'<f4'", 5) == 0)
        *elem_size = 4, *is_f32 = 1;
    else if (strncmp(d, "'<i8'", 5) == 0)   /* labels, counts: *is_f32 2 marks an integer */
        *elem_size = 8, *is_f32 = 2;
    else if (strncmp(d, "'<u4'", 5) == 0)   /* synapse indices: *is_f32 3 */
        *elem_size = 4, *is_f32 = 3;
    else if (strncmp(d, "'|u1'", 5) == 0 || strncmp(d, "'|b1'", 5) == 0)   /* spikes, masks */
        *elem_size = 1, *is_f32 = 0;
    else
        return -2;
    f = strchr(f + 15, ':');
    if (!f || strncmp(f + 1 + strspn(f + 1, " "), "False", 5) != 0)
        return -3;
    s = strchr(s + 7, '(');
    if (!s)
        return -1;
    s++;
    out->ndim = 0;
    out->count = 1;
    while (*s && *s != ')') {
        s += strspn(s, " ,");
        if (*s == ')')
            break;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s || out->ndim == RT_NPY_MAX_DIMS)
            return -1;
        out->shape[out->ndim++] = (size_t)v;
        if (v && out->count > SIZE_MAX / 16 / v)
            return -1;
        out->count *= (size_t)v;
        s = end;
    }
    return *s == ')' ? 0 : -1;
}

/* Opens PATH and reads its header into OUT (shape and count, no data);
 * returns the stream positioned at the data, or NULL with a message in ERR. */
static FILE *open_header(const char *path, rt_array *out, int *elem_size, int *is_f32,
                         char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    char why[256];
    size_t file_size = 0;
    FILE *fp = rt_file_open(path, RT_FILE_MAX_NPY, &file_size, why, sizeof why);
    if (!fp) {
        fail(err, err_size, path, why);
        return NULL;
    }
    unsigned char head[12];
    const char *bad = NULL;
    size_t header_len = 0;
    if (fread(head, 1, 10, fp) != 10 || memcmp(head, magic, 6) != 0)
        bad = "not a .npy file";
    else if (head[6] == 1)
        header_len = head[8] | (size_t)head[9] << 8;
    else if (head[6] != 2 && head[6] != 3)
        bad = "unsupported .npy version";
    else if (fread(head + 10, 1, 2, fp) != 2)
        bad = "truncated header";
    else
        header_len = head[8] | (size_t)head[9] << 8 | (size_t)head[10] << 16 | (size_t)head[11] << 24;
    if (!bad && header_len > file_size)   /* no allocation the file cannot fill */
        bad = "truncated header";
    char *header = bad ? NULL : malloc(header_len + 1);
    if (!bad && (!header || fread(header, 1, header_len, fp) != header_len))
        bad = "truncated header";
    if (!bad) {
        header[header_len] = '\0';
        int rc = parse_header(header, out, elem_size, is_f32);
        bad = rc == 0 ? NULL
            : rc == -2 ? "only float32, float64, int64, uint32, uint8 and bool arrays can be read"
            : rc == -3 ? "Fortran-ordered arrays are not supported"
                       : "malformed header";
    }
    free(header);
    if (bad) {
        fclose(fp);
        fail(err, err_size, path, bad);
        return NULL;
    }
    return fp;
}

int rt_npy_shape(const char *path, rt_array *out, char *err, size_t err_size)
{
    int elem_size, is_f32;
    FILE *fp = open_header(path, out, &elem_size, &is_f32, err, err_size);
    if (!fp)
        return -1;
    fclose(fp);
    return 0;
}

int rt_npy_read(const char *path, rt_array *out, char *err, size_t err_size)
{
    int elem_size, is_f32;
    FILE *fp = open_header(path, out, &elem_size, &is_f32, err, err_size);
    if (!fp)
        return -1;
    /* Believe the header only as far as the file goes: no allocation larger
     * than the data that is really there. */
    long here = ftell(fp);
    if (here < 0 || fseek(fp, 0, SEEK_END) != 0) {
        fclose(fp);
        return fail(err, err_size, path, "cannot read the data");
    }
    long end = ftell(fp);
    if (end < here || fseek(fp, here, SEEK_SET) != 0 ||
        (size_t)(end - here) / (size_t)elem_size < out->count) {
        fclose(fp);
        snprintf(err, err_size, "%s: truncated data: the header promises %zu values", path, out->count);
        return -1;
    }
    out->data = malloc((out->count ? out->count : 1) * sizeof *out->data);
    unsigned char *raw = malloc((out->count ? out->count : 1) * (size_t)elem_size);
    if (!out->data || !raw || fread(raw, (size_t)elem_size, out->count, fp) != out->count) {
        free(raw);
        fclose(fp);
        rt_array_free(out);
        return fail(err, err_size, path, "truncated data");
    }
    fclose(fp);
    for (size_t i = 0; i < out->count; i++) {
        if (elem_size == 1) {
            out->data[i] = raw[i];
        } else if (is_f32 == 2) {
            int64_t v;
            memcpy(&v, raw + 8 * i, 8);
            out->data[i] = (double)v;
        } else if (is_f32 == 3) {
            uint32_t v;
            memcpy(&v, raw + 4 * i, 4);
            out->data[i] = v;
        } else if (is_f32) {
            float v;
            memcpy(&v, raw + 4 * i, 4);
            out->data[i] = v;
        } else {
            memcpy(&out->data[i], raw + 8 * i, 8);
        }
    }
    free(raw);
    return 0;
}

const char *rt_shape_text(const size_t *shape, int ndim, char *buf, size_t size)
{
    size_t at = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%zu", i ? ", " : "", shape[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
    return buf;
}
