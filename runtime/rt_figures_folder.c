/* rt_figures_folder.c -- what the pictures read from a results folder:
 * its .npy files, loss.csv, the readouts summary.json lists and its file
 * names (rt_figures_internal.h, rt_figures.h). A file that is absent is
 * no error (its picture is skipped); one that is there but cannot be read
 * is. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_error.h"
#include "rt_figures.h"
#include "rt_figures_internal.h"
#include "rt_files.h"
#include "rt_loss_csv.h"
#include "rt_npy.h"
#include "rt_summary.h"

/* ------------------------------------------------------------ files */

char *rt_figures_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* NAME from F's folder into *A: 0 with A loaded, or zeroed (ndim 0) when
 * the file is absent; -1 when it is there but cannot be read. */
int rt_figures_load(const rt_figures *f, const char *name, rt_array *a, char *err, size_t err_size)
{
    memset(a, 0, sizeof *a);
    char *path = rt_figures_path(f->dir, name), why[512];
    int rc = 0;
    if (!path)
        rc = rt_error(err, err_size, "out of memory");
    else if (exists(path) && rt_npy_read(path, a, why, sizeof why) != 0) {
        memset(a, 0, sizeof *a);
        rc = rt_error(err, err_size, "cannot read %s", why);   /* WHY names the file */
    }
    free(path);
    return rc;
}

/* ------------------------------------------------------------ loss.csv */

int rt_figures_read_loss(const char *dir, size_t *rows, double **update, double **loss, double **rate, char *err,
                         size_t err_size)
{
    *rows = 0;
    *update = *loss = *rate = NULL;
    char *path = rt_figures_path(dir, RT_FILE_LOSS);
    if (!path)
        return rt_error(err, err_size, "out of memory");
    rt_loss_csv t;
    int rc = rt_loss_csv_read(path, &t, err, err_size);
    int u = rt_loss_csv_column(&t, "update"), l = rt_loss_csv_column(&t, "loss"), r = rt_loss_csv_column(&t, "rate_hz");
    if (rc == 0 && (u < 0 || l < 0))
        rc = rt_error(err, err_size, "%s has no update and loss columns", path);
    if (rc == 0 && t.rows > 0) {
        *update = rt_loss_csv_values(&t, u);
        *loss = rt_loss_csv_values(&t, l);
        *rate = r >= 0 ? rt_loss_csv_values(&t, r) : NULL;
        if (!*update || !*loss || (r >= 0 && !*rate)) {
            free(*update);
            free(*loss);
            free(*rate);
            *update = *loss = *rate = NULL;
            rc = rt_error(err, err_size, "out of memory for %s", path);
        } else {
            *rows = t.rows;
            /* rows per block of steps (loss_every): block k of B in update u at u - 1 + k / B */
            int k = rt_loss_csv_column(&t, "block");
            double *block = k >= 0 ? rt_loss_csv_values(&t, k) : NULL, blocks = 1;
            for (size_t i = 0; block && i < t.rows; i++)
                blocks = block[i] > blocks ? block[i] : blocks;
            for (size_t i = 0; block && i < t.rows; i++)
                (*update)[i] += block[i] / blocks - 1;
            free(block);
        }
    }
    rt_loss_csv_free(&t);
    free(path);
    return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ the rt_figures_readouts' channels */

/* F's rt_figures_readouts; none without a summary.json (the names then fall back). */
int rt_figures_read_readouts(const rt_figures *f, rt_figures_readouts *r, char *err, size_t err_size)
{
    r->n = 0;
    char *path = rt_figures_path(f->dir, RT_FILE_SUMMARY), why[512];
    json_t *s = NULL, *pop;
    int rc = 0;
    if (!path)
        rc = rt_error(err, err_size, "out of memory");
    else if (exists(path) && !(s = rt_summary_load(path, why, sizeof why)))
        rc = rt_error(err, err_size, "cannot read %s", why);   /* WHY names the file */
    free(path);
    size_t i;
    json_array_foreach (json_object_get(s, "populations"), i, pop) {
        const char *name = rt_summary_string(pop, "name");
        unsigned long long size;
        if (r->n < RT_FIGURES_MAX_READOUTS && name && json_is_true(json_object_get(pop, "readout")) &&
            rt_summary_unsigned(pop, "size", &size) == 0) {
            snprintf(r->name[r->n], sizeof r->name[0], "%s", name);
            r->size[r->n++] = (size_t)size;
        }
    }
    json_decref(s);
    return rc;
}

/* R, if its channels add up to CHANNELS; else one readout "y" of them all. */
static const rt_figures_readouts *layout(const rt_figures_readouts *r, size_t channels, rt_figures_readouts *one)
{
    size_t total = 0;
    for (unsigned k = 0; k < r->n; k++)
        total += r->size[k];
    if (r->n > 0 && total == channels)
        return r;
    one->n = 1;
    snprintf(one->name[0], sizeof one->name[0], "y");
    one->size[0] = channels;
    return one;
}

/* Column C of CHANNELS by its readout's name: "y[0]", "y[1]", "z[0]". */
const char *rt_figures_channel_name(const rt_figures_readouts *r, size_t channels, size_t c, char *buf, size_t size)
{
    rt_figures_readouts one;
    r = layout(r, channels, &one);
    size_t at = 0;
    unsigned k = 0;
    while (k + 1 < r->n && c >= at + r->size[k])
        at += r->size[k++];
    snprintf(buf, size, "%s[%zu]", r->name[k], c - at);
    return buf;
}

/* At most MAX of CHANNELS columns into DRAWN, in column order: the first
 * of every readout, then the second of every one, ..., so a wide readout
 * does not crowd a second one out of the picture. Their count. */
size_t rt_figures_channels_drawn(const rt_figures_readouts *r, size_t channels, size_t max, size_t *drawn)
{
    rt_figures_readouts one;
    r = layout(r, channels, &one);
    size_t n = 0;
    for (size_t j = 0; n < max && n < channels; j++) {
        size_t at = 0;
        for (unsigned k = 0; k < r->n && n < max; at += r->size[k], k++)
            if (j < r->size[k]) {
                size_t i = n++;
                for (; i > 0 && drawn[i - 1] > at + j; i--)
                    drawn[i] = drawn[i - 1];
                drawn[i] = at + j;
            }
    }
    return n;
}

/* ------------------------------------------------------------ the task's phases */

unsigned rt_figures_phase_names(const json_t *s, const char *names[RT_MAX_PHASES], char text[RT_MAX_PHASES][64])
{
    unsigned n = 0;
    size_t i;
    json_t *name;
    json_array_foreach (json_object_get(s, "task_phases"), i, name) {
        if (n == RT_MAX_PHASES)
            break;
        snprintf(text[n], 64, "%s", json_is_string(name) ? json_string_value(name) : "?");
        names[n] = text[n];
        n++;
    }
    return n;
}

const double *rt_figures_trial_row(const rt_array *a, const rt_array *x, size_t i)
{
    int fits = a->ndim == 2 && a->shape[0] == x->shape[0] && a->shape[1] == x->shape[1];
    return fits ? a->data + i * a->shape[1] : NULL;
}

/* ------------------------------------------------------------ the folder */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void rt_figures_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* DIR's file names, sorted (so the figures come in a fixed order), into
 * *NAMES (malloc'd, rt_figures_list_free) and *N. */
int rt_figures_list(const char *dir, char ***names, size_t *n, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    if (!d)
        return rt_error(err, err_size, "cannot read the folder %s: %s", dir, strerror(errno));
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char **grown = *n < cap ? *names : realloc(*names, (cap = 2 * cap + 64) * sizeof *grown);
        if (grown)
            *names = grown;
        if (!grown || !((*names)[*n] = strdup(e->d_name)))
            rc = rt_error(err, err_size, "out of memory listing %s", dir);
        else
            (*n)++;
    }
    closedir(d);
    if (rc == 0 && *n > 1)
        qsort(*names, *n, sizeof **names, cmp_names);
    return rc;
}

/* Whether NAME is PATTERN (a file name with at most one %s) with a
 * non-empty middle in place of the %s; the middle into BUF. */
int rt_figures_match(const char *name, const char *pattern, char *buf, size_t size)
{
    const char *hole = strstr(pattern, "%s");
    buf[0] = '\0';
    if (!hole)
        return strcmp(name, pattern) == 0;
    size_t pre = (size_t)(hole - pattern), post = strlen(hole + 2), n = strlen(name);
    if (n <= pre + post || n - pre - post >= size || strncmp(name, pattern, pre) != 0 ||
        strcmp(name + n - post, hole + 2) != 0)
        return 0;
    snprintf(buf, size, "%.*s", (int)(n - pre - post), name + pre);
    return 1;
}
