/* rt_loss_csv.c -- loss.csv read back (see rt_loss_csv.h). */
#include "rt_loss_csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_file.h"
#include "rt_text.h"

/* The header LINE (LEN bytes) split at commas into T's names; -1 when memory runs out. */
static int read_names(rt_loss_csv *t, const char *line, size_t len)
{
    while (len > 0 && line[len - 1] == '\r')
        len--;
    for (size_t at = 0; len > 0 && at <= len;) {
        size_t n = strcspn(line + at, ",\r\n");
        if (n > len - at)
            n = len - at;
        char **grown = realloc(t->names, (t->n_columns + 1) * sizeof *grown);
        if (!grown)
            return -1;
        t->names = grown;
        if (!(t->names[t->n_columns] = strndup(line + at, n)))
            return -1;
        t->n_columns++;
        at += n + 1;
    }
    return 0;
}

/* The rows after the header, from AT: a number per column each. */
static int read_rows(rt_loss_csv *t, const char *at, const char *path, char *err, size_t err_size)
{
    size_t rows = 0;
    for (const char *c = at; *c; c++)
        rows += *c == '\n' && c[1] && c[1] != '\n';
    rows += *at && *at != '\n';
    t->values = malloc((rows * t->n_columns + 1) * sizeof *t->values);
    if (!t->values)
        return rt_error(err, err_size, "out of memory for %s", path);
    while (*at && t->rows < rows) {
        for (size_t k = 0; k < t->n_columns; k++) {
            char *next;
            t->values[t->rows * t->n_columns + k] = strtod(at, &next);
            if (next == at || (*next != ',' && *next != '\r' && *next != '\n' && *next != '\0') ||
                ((*next == ',') != (k + 1 < t->n_columns)))
                return rt_error(err, err_size, "%s: row %zu, column %zu (%s) is not a number", path, t->rows + 1,
                                k + 1, t->names[k]);
            at = *next == ',' ? next + 1 : next;
        }
        at += strspn(at, "\r\n");
        t->rows++;
    }
    return 0;
}

int rt_loss_csv_read(const char *path, rt_loss_csv *t, char *err, size_t err_size)
{
    memset(t, 0, sizeof *t);
    char why[512];
    rt_text file = {0};
    if (rt_text_load(&file, path, RT_FILE_MAX_SUMMARY, why, sizeof why) != 0) {
        int missing = errno == ENOENT;
        rt_text_free(&file);
        return missing ? 1 : rt_error(err, err_size, "cannot read %s: %s", path, why);
    }
    const char *text = file.data ? file.data : "";
    size_t header = strcspn(text, "\n");
    int rc = read_names(t, text, header) != 0 ? rt_error(err, err_size, "out of memory for %s", path)
             : text[header] ? read_rows(t, text + header + 1, path, err, err_size)
                            : 0;
    rt_text_free(&file);
    if (rc != 0)
        rt_loss_csv_free(t);
    return rc;
}

int rt_loss_csv_column(const rt_loss_csv *t, const char *name)
{
    for (size_t k = 0; name && k < t->n_columns; k++)
        if (strcmp(t->names[k], name) == 0)
            return (int)k;
    return -1;
}

double *rt_loss_csv_values(const rt_loss_csv *t, int k)
{
    double *v = malloc((t->rows + 1) * sizeof *v);
    for (size_t i = 0; v && i < t->rows; i++)
        v[i] = t->values[i * t->n_columns + (size_t)k];
    return v;
}

void rt_loss_csv_free(rt_loss_csv *t)
{
    for (size_t k = 0; k < t->n_columns; k++)
        free(t->names[k]);
    free(t->names);
    free(t->values);
    memset(t, 0, sizeof *t);
}
