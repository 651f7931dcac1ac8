/* api_result.c -- a results folder read back as arrays (include/rnnc.h):
 * summary.json, loss.csv's columns, weights, records and any .npy file.
 *
 * The names are rt_files.h's: the projection "h->h" has the files
 * weights_initial_h_h.npy and weights_final_h_h.npy ("x->h.I_r": x_h_I_r);
 * a record's name as the model writes it ("h.r") is found in summary.json's
 * "records", or, in a folder written before it listed them, as the stem
 * of its record_STEM.npy file. Every array comes back as float64, as
 * runtime/rt_npy.c reads it; loss.csv is read by runtime/rt_loss_csv.c.
 */
#define _GNU_SOURCE   /* strndup, scandir's prototypes with strict C17 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_internal.h"
#include "rt_file.h"
#include "rt_files.h"
#include "rt_loss_csv.h"
#include "rt_npy.h"
#include "rt_outdir.h"
#include "rt_summary.h"
#include "rt_text.h"

typedef struct name_list {
    size_t count;
    char **names;
} name_list;

struct rnnc_result {
    char *dir;
    int temporary;                  /* removed by rnnc_result_free */
    rnnc_status status;
    char *message;
    char *summary;
    json_t *doc;
    rt_loss_csv loss;
    name_list files;                /* the .npy files, without ".npy", sorted */
    name_list records, record_files;
};

/* ------------------------------------------------------------ names */

static int add_name(name_list *l, const char *name, size_t len)
{
    char **grown = realloc(l->names, (l->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    l->names = grown;
    l->names[l->count] = strndup(name, len);
    return l->names[l->count] ? (int)l->count++ : -1;
}

static void free_names(name_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof *l);
}

static long find_name(const name_list *l, const char *name)
{
    for (size_t i = 0; name && i < l->count; i++)
        if (strcmp(l->names[i], name) == 0)
            return (long)i;
    return -1;
}

const char *api_projection_stem(const char *name, char *buf, size_t size)
{
    size_t n = 0;
    int arrow = 0;
    for (const char *c = name; c && *c && n + 1 < size; c++) {
        if (*c == ' ')
            continue;
        if (c[0] == '-' && c[1] == '>') {
            arrow++;
            c++;
            buf[n++] = '_';
        } else {
            buf[n++] = *c == '.' ? '_' : *c;
        }
    }
    buf[n] = '\0';
    return arrow == 1 && n > 2 && buf[0] != '_' && buf[n - 1] != '_' ? buf : NULL;
}

/* ------------------------------------------------------------ reading the folder */

/* loss.csv's columns (none when there is no loss.csv). */
static rnnc_status read_loss(rnnc_result *r, rnnc_error **err)
{
    char path[4400], why[4400];
    snprintf(path, sizeof path, "%s/%s", r->dir, RT_FILE_LOSS);
    if (rt_loss_csv_read(path, &r->loss, why, sizeof why) < 0)
        return api_fail(err, strstr(why, "out of memory") ? RNNC_NO_MEMORY : RNNC_IO_ERROR, "%s", why);
    return RNNC_OK;
}

static int is_npy(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && e->d_name[0] != '.' && strcmp(e->d_name + n - 4, ".npy") == 0;
}

static rnnc_status read_files(rnnc_result *r, rnnc_error **err)
{
    struct dirent **entries;
    int n = scandir(r->dir, &entries, is_npy, alphasort);
    if (n < 0)
        return api_fail(err, RNNC_IO_ERROR, "cannot list the results folder '%s': %s", r->dir, strerror(errno));
    rnnc_status status = RNNC_OK;
    for (int i = 0; i < n; i++) {
        if (status == RNNC_OK && add_name(&r->files, entries[i]->d_name, strlen(entries[i]->d_name) - 4) < 0)
            status = api_fail(err, RNNC_NO_MEMORY, "out of memory");
        free(entries[i]);
    }
    free(entries);
    return status;
}

/* The records: summary.json's list, else the record_ files' stems. */
static rnnc_status read_records(rnnc_result *r, rnnc_error **err)
{
    const json_t *list = json_object_get(r->doc, "records");
    size_t i;
    const json_t *item;
    json_array_foreach (list, i, item) {
        const char *name = rt_summary_string(item, "name"), *file = rt_summary_string(item, "file");
        if (!name || !file || find_name(&r->files, file) < 0)
            continue;
        if (add_name(&r->records, name, strlen(name)) < 0 || add_name(&r->record_files, file, strlen(file)) < 0)
            return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    }
    static const char prefix[] = "record_";
    for (size_t k = 0; !json_is_array(list) && k < r->files.count; k++) {
        const char *file = r->files.names[k];
        if (strncmp(file, prefix, sizeof prefix - 1) != 0)
            continue;
        if (add_name(&r->records, file + sizeof prefix - 1, strlen(file + sizeof prefix - 1)) < 0 ||
            add_name(&r->record_files, file, strlen(file)) < 0)
            return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    }
    return RNNC_OK;
}

/* The run's status as its summary says it ("interrupted", "stopped: ..."). */
static void read_status(rnnc_result *r)
{
    const char *status = rt_summary_string(r->doc, "status"), *message = rt_summary_string(r->doc, "message");
    r->status = !status                                  ? RNNC_OK
                : strcmp(status, "interrupted") == 0     ? RNNC_INTERRUPTED
                : strncmp(status, "stopped", 7) == 0     ? RNNC_NON_FINITE
                                                         : RNNC_OK;
    free(r->message);
    r->message = strdup(r->status == RNNC_OK ? "" : message ? message : status);
}

static void clear(rnnc_result *r)
{
    free(r->summary);
    json_decref(r->doc);
    rt_loss_csv_free(&r->loss);
    free_names(&r->files);
    free_names(&r->records);
    free_names(&r->record_files);
    r->summary = NULL;
    r->doc = NULL;
}

static rnnc_status read_folder(rnnc_result *r, rnnc_error **err)
{
    char path[4400], why[4400];
    snprintf(path, sizeof path, "%s/%s", r->dir, RT_FILE_SUMMARY);
    rt_text text = {0};
    if (rt_text_load(&text, path, RT_FILE_MAX_SUMMARY, why, sizeof why) != 0) {
        rt_text_free(&text);
        return api_fail(err, RNNC_IO_ERROR, "cannot read %s: %s (is '%s' a results folder of rnnc run?)", path, why,
                        r->dir);
    }
    r->summary = text.data ? text.data : strdup("");   /* taken: rt_text_free would free it */
    if (!r->summary)
        return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    r->doc = rt_summary_parse(r->summary, strlen(r->summary), RT_FILE_SUMMARY, why, sizeof why);
    if (!r->doc)
        return api_fail(err, RNNC_IO_ERROR, "%s/%s", r->dir, why);
    rnnc_status status = read_loss(r, err);
    if (status == RNNC_OK)
        status = read_files(r, err);
    if (status == RNNC_OK)
        status = read_records(r, err);
    read_status(r);
    return status;
}

rnnc_result *rnnc_result_open(const char *dir, rnnc_error **err)
{
    struct stat st;
    if (!dir) {
        api_fail(err, RNNC_USAGE, "rnnc_result_open: no folder given");
        return NULL;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        api_fail(err, RNNC_IO_ERROR, "cannot open the results folder '%s': %s", dir,
                 errno && !S_ISDIR(st.st_mode) ? strerror(errno) : "it is not a folder");
        return NULL;
    }
    rnnc_result *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = strdup(dir))) {
        free(r);
        api_fail(err, RNNC_NO_MEMORY, "out of memory");
        return NULL;
    }
    if (read_folder(r, err) != RNNC_OK) {
        rnnc_result_free(r);
        return NULL;
    }
    return r;
}

void api_result_set_run(rnnc_result *r, rnnc_status status, char *message, int temporary)
{
    r->status = status;
    free(r->message);
    r->message = message ? message : strdup("");
    r->temporary = temporary;
}

rnnc_status api_result_seed(const rnnc_result *r, unsigned long long *seed, rnnc_error **err)
{
    if (rt_summary_unsigned(r->doc, "seed", seed) != 0)
        return api_fail(err, RNNC_IO_ERROR, "%s/%s: \"seed\" is missing or not a whole number from 0", r->dir,
                        RT_FILE_SUMMARY);
    return RNNC_OK;
}

rnnc_status api_result_reread(rnnc_result *r, rnnc_error **err)
{
    rnnc_status status = r->status;
    char *message = r->message ? strdup(r->message) : NULL;
    clear(r);
    rnnc_status rc = read_folder(r, err);
    api_result_set_run(r, status, message, r->temporary);   /* the run's own verdict, not the folder's */
    return rc;
}

void rnnc_result_free(rnnc_result *r)
{
    if (!r)
        return;
    if (r->temporary)
        rt_remove_tree(r->dir);
    clear(r);
    free(r->message);
    free(r->dir);
    free(r);
}

/* ------------------------------------------------------------ what it holds */

rnnc_status rnnc_result_status(const rnnc_result *r)
{
    return r ? r->status : RNNC_USAGE;
}

const char *rnnc_result_message(const rnnc_result *r)
{
    return r && r->message ? r->message : "";
}

const char *rnnc_result_dir(const rnnc_result *r)
{
    return r ? r->dir : NULL;
}

const char *rnnc_result_summary(const rnnc_result *r)
{
    return r ? r->summary : NULL;
}

size_t rnnc_result_loss_column_count(const rnnc_result *r)
{
    return r ? r->loss.n_columns : 0;
}

const char *rnnc_result_loss_column(const rnnc_result *r, size_t i)
{
    return r && i < r->loss.n_columns ? r->loss.names[i] : NULL;
}

size_t rnnc_result_record_count(const rnnc_result *r)
{
    return r ? r->records.count : 0;
}

const char *rnnc_result_record_name(const rnnc_result *r, size_t i)
{
    return r && i < r->records.count ? r->records.names[i] : NULL;
}

size_t rnnc_result_file_count(const rnnc_result *r)
{
    return r ? r->files.count : 0;
}

const char *rnnc_result_file_name(const rnnc_result *r, size_t i)
{
    return r && i < r->files.count ? r->files.names[i] : NULL;
}

/* ------------------------------------------------------------ arrays */

size_t rnnc_array_size(const rnnc_array *a)
{
    if (!a || !a->data)
        return 0;
    size_t n = 1;
    for (size_t i = 0; i < a->ndim; i++)
        n *= a->shape[i];
    return n;
}

void rnnc_array_free(rnnc_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

static const char *listed(const name_list *l, char *buf, size_t size)
{
    return api_listed((const char *const *)l->names, l->count, buf, size);
}

/* The folder's file NAME (no ".npy") as a float64 array. */
static rnnc_status read_array(const rnnc_result *r, const char *name, rnnc_array *out, rnnc_error **err)
{
    char path[4400], why[4400];
    snprintf(path, sizeof path, "%s/%s.npy", r->dir, name);
    rt_array a;
    if (rt_npy_read(path, &a, why, sizeof why) != 0)
        return api_fail(err, RNNC_IO_ERROR, "%s", why);
    memset(out, 0, sizeof *out);
    out->dtype = RNNC_F64;
    out->ndim = (size_t)a.ndim;
    for (int i = 0; i < a.ndim && i < RNNC_MAX_DIMS; i++)
        out->shape[i] = a.shape[i];
    out->data = a.data;   /* taken: rt_array_free would free it */
    return RNNC_OK;
}

/* A reading call CALL given no result or no array: RNNC_USAGE with *ERR; else RNNC_OK. */
static rnnc_status unusable(const rnnc_result *r, const rnnc_array *out, const char *call, rnnc_error **err)
{
    if (r && out)
        return RNNC_OK;
    return api_fail(err, RNNC_USAGE, "%s: %s", call, r ? "no array to fill" : "no result given");
}

rnnc_status rnnc_result_file(const rnnc_result *r, const char *name, rnnc_array *out, rnnc_error **err)
{
    if (unusable(r, out, "rnnc_result_file", err) != RNNC_OK)
        return RNNC_USAGE;
    if (find_name(&r->files, name) < 0) {
        char names[512];
        return api_fail(err, RNNC_USAGE, "the results folder '%s' has no file '%s.npy' (it has %s)", r->dir,
                        name ? name : "", listed(&r->files, names, sizeof names));
    }
    return read_array(r, name, out, err);
}

rnnc_status rnnc_result_loss(const rnnc_result *r, const char *column, rnnc_array *out, rnnc_error **err)
{
    if (unusable(r, out, "rnnc_result_loss", err) != RNNC_OK)
        return RNNC_USAGE;
    int k = rt_loss_csv_column(&r->loss, column);
    if (k < 0) {
        char names[512];
        name_list columns = {r->loss.n_columns, r->loss.names};
        return api_fail(err, RNNC_USAGE, "%s has no column '%s' (its columns: %s)", RT_FILE_LOSS,
                        column ? column : "", listed(&columns, names, sizeof names));
    }
    double *data = rt_loss_csv_values(&r->loss, k);
    if (!data)
        return api_fail(err, RNNC_NO_MEMORY, "out of memory");
    *out = (rnnc_array){.dtype = RNNC_F64, .ndim = 1, .shape = {r->loss.rows}, .data = data};
    return RNNC_OK;
}

/* weights_WHEN_STEM or bias_WHEN_STEM of PROJECTION. */
static rnnc_status read_parameter(const rnnc_result *r, const char *format, const char *projection, const char *when,
                                  rnnc_array *out, rnnc_error **err)
{
    const char *what = format[0] == 'w' ? "weights" : "bias";
    if (unusable(r, out, format[0] == 'w' ? "rnnc_result_weights" : "rnnc_result_bias", err) != RNNC_OK)
        return RNNC_USAGE;
    char stem[300], file[400];
    if (!when || (strcmp(when, RT_WHEN_INITIAL) != 0 && strcmp(when, RT_WHEN_FINAL) != 0))
        return api_fail(err, RNNC_USAGE, "the %s are \"initial\" or \"final\", not \"%s\"", what, when ? when : "");
    if (!projection || !api_projection_stem(projection, stem, sizeof stem))
        return api_fail(err, RNNC_USAGE, "'%s' is not a projection's name, PRE->POST (\"h->h\")",
                        projection ? projection : "");
    rt_file_name(file, sizeof file, format, when, stem);
    file[strlen(file) - 4] = '\0';   /* ".npy" */
    if (find_name(&r->files, file) >= 0)
        return read_array(r, file, out, err);
    rt_file_name(file, sizeof file, RT_FILE_WEIGHTS, when, stem);
    file[strlen(file) - 4] = '\0';
    if (format[0] == 'b' && find_name(&r->files, file) >= 0)
        return api_fail(err, RNNC_USAGE, "the projection '%s' has no bias", projection);
    return api_fail(err, RNNC_USAGE, "the run in '%s' has no projection '%s'", r->dir, projection);
}

rnnc_status rnnc_result_weights(const rnnc_result *r, const char *projection, const char *when, rnnc_array *out,
                                rnnc_error **err)
{
    return read_parameter(r, RT_FILE_WEIGHTS, projection, when, out, err);
}

rnnc_status rnnc_result_bias(const rnnc_result *r, const char *projection, const char *when, rnnc_array *out,
                             rnnc_error **err)
{
    return read_parameter(r, RT_FILE_BIAS, projection, when, out, err);
}

rnnc_status rnnc_result_record(const rnnc_result *r, const char *name, rnnc_array *out, rnnc_error **err)
{
    if (unusable(r, out, "rnnc_result_record", err) != RNNC_OK)
        return RNNC_USAGE;
    long k = find_name(&r->records, name);
    if (k < 0) {
        char names[512];
        return api_fail(err, RNNC_USAGE, "the run recorded no '%s' (its records: %s)", name ? name : "",
                        listed(&r->records, names, sizeof names));
    }
    return read_array(r, r->record_files.names[k], out, err);
}
