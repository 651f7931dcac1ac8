/* rt_summary.c -- summary.json through jansson (see rt_summary.h). */
#include "rt_summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rt_error.h"
#include "rt_file.h"
#include "rt_text.h"

/* Insertion order is jansson's own since 2.8 (JSON_PRESERVE_ORDER is a
 * no-op there); %.9g reals are what the earlier hand-written summaries held. */
#define SUMMARY_LAYOUT (JSON_INDENT(2) | JSON_REAL_PRECISION(9))

/* ------------------------------------------------------------ reading */

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    case JSON_OBJECT: break;
    }
    return "an object";
}

/* Line and column (from 1) of the first byte of TEXT that is not JSON
 * white space: where its top-level value starts. */
static void value_start(const char *text, size_t len, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < len && text[i] && strchr(" \t\r\n", text[i]); i++) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else {
            ++*column;
        }
    }
}

static void parse_error(const char *name, const json_error_t *e, char *err, size_t err_size)
{
    /* jansson's column counts the characters read on the line, so it is
     * the column (from 1) of the last one; 0 when the line was not begun,
     * and then its first column is where the input stopped. */
    int column = e->column > 0 ? e->column : 1;
    if (json_error_code(e) == json_error_premature_end_of_input)
        rt_error(err, err_size, "%s:%d:%d: unexpected end of input", name, e->line, column);
    else
        rt_error(err, err_size, "%s:%d:%d: %s", name, e->line, column, e->text);
}

json_t *rt_summary_parse(const char *text, size_t len, const char *name, char *err, size_t err_size)
{
    json_error_t e;
    /* DECODE_ANY: a top level that is not an object is ours to name. */
    json_t *doc = json_loadb(text, len, JSON_DECODE_ANY, &e);
    if (!doc) {
        parse_error(name, &e, err, err_size);
        return NULL;
    }
    if (!json_is_object(doc)) {
        int line, column;
        value_start(text, len, &line, &column);
        rt_error(err, err_size, "%s:%d:%d: expected an object ({...}) at the top level, found %s", name,
                 line, column, type_name(doc));
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *rt_summary_load(const char *path, char *err, size_t err_size)
{
    rt_text t = {0};
    char why[256];
    if (rt_text_load(&t, path, RT_FILE_MAX_SUMMARY, why, sizeof why) != 0) {
        rt_error(err, err_size, "%s: %s", path, why);
        rt_text_free(&t);
        return NULL;
    }
    json_t *doc = rt_summary_parse(t.data ? t.data : "", t.len, path, err, err_size);
    rt_text_free(&t);
    return doc;
}

/* ------------------------------------------------------------ writing */

static int append_to_text(const char *buffer, size_t size, void *data)
{
    rt_text *t = data;
    rt_text_add(t, buffer, size);
    return t->failed ? -1 : 0;
}

char *rt_summary_text(const json_t *summary)
{
    if (!json_is_object(summary))
        return NULL;
    rt_text t = {0};
    if (json_dump_callback(summary, append_to_text, &t, SUMMARY_LAYOUT) != 0)
        t.failed = 1;
    rt_text_puts(&t, "\n");
    if (t.failed) {
        rt_text_free(&t);
        return NULL;
    }
    return t.data;
}

int rt_summary_save(const char *path, const json_t *summary, char *err, size_t err_size)
{
    if (!json_is_object(summary))
        return rt_error(err, err_size, "%s: a summary is a JSON object, not %s", path,
                        summary ? type_name(summary) : "nothing");
    char *data = rt_summary_text(summary);
    if (!data)
        return rt_error(err, err_size, "%s: out of memory", path);
    rt_text t = {.data = data, .len = strlen(data), .cap = strlen(data) + 1};
    int rc = rt_text_save(&t, path);   /* removes a half-written file */
    int saved = errno;
    rt_text_free(&t);
    return rc == 0 ? 0 : rt_error(err, err_size, "%s: %s", path, strerror(saved));
}

json_t *rt_json_number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* ------------------------------------------------------------ members */

double rt_summary_number(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rt_summary_string(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int rt_summary_unsigned(const json_t *obj, const char *key, unsigned long long *value)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *value = (unsigned long long)json_integer_value(v);
    return 0;
}

/* ------------------------------------------------------------ dotted names */

static int flatten_value(json_t *flat, const json_t *value, rt_text *name);

/* VALUE under NAME with its part added, then NAME as it was (AT bytes). */
static int flatten_part(json_t *flat, const json_t *value, rt_text *name, size_t at)
{
    int rc = flatten_value(flat, value, name);
    name->len = at;
    if (name->data)
        name->data[at] = '\0';
    return rc;
}

/* Each member of OBJ under NAME.KEY (KEY alone at the top level). */
static int flatten_object(json_t *flat, const json_t *obj, rt_text *name)
{
    size_t at = name->len;
    const char *key;
    json_t *member;
    /* jansson's iteration takes a non-const object; nothing is changed. */
    json_object_foreach ((json_t *)obj, key, member) {
        rt_text_printf(name, "%s%s", at ? "." : "", key);
        int rc = flatten_part(flat, member, name, at);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Lists whose entries are told apart by a member of theirs, not by their
 * place: each seed's evaluation shows the condition values its own trials
 * drew, so entry k of one seed need not be entry k of another. */
static const struct keyed_list {
    const char *list;   /* the list's own name, the last part of its path */
    const char *key;    /* the member naming each entry */
} keyed_lists[] = {
    {"conditions", "value"},   /* analysis.psychometric.conditions: one row per condition value */
    {"groups", "condition"},   /* analysis.fixed_points H.groups: one per condition (a list of numbers) */
};

/* The key member of the lists named LIST (the part of NAME after its last
 * '.'), or NULL for a list of entries by place. */
static const char *list_key(const rt_text *name)
{
    const char *path = name->data ? name->data : "", *dot = strrchr(path, '.');
    const char *list = dot ? dot + 1 : path;
    for (size_t i = 0; i < sizeof keyed_lists / sizeof *keyed_lists; i++)
        if (strcmp(list, keyed_lists[i].list) == 0)
            return keyed_lists[i].key;
    return NULL;
}

/* Entry E's KEY=TEXT into NAME: its number as the summary writes it (%.9g,
 * so the same value reads the same in every seed), a list's numbers
 * joined by ','; -1 (NAME unchanged in length) when E has no such member
 * or it is neither a number nor a list of numbers. */
static int key_text(rt_text *name, const json_t *e, const char *key)
{
    const json_t *v = json_object_get(e, key), *item;
    size_t at = name->len, i = 0;
    rt_text_printf(name, "[%s=", key);
    if (json_is_number(v))
        rt_text_printf(name, "%.9g", json_number_value(v));
    else if (json_is_array(v) && json_array_size(v) > 0)
        json_array_foreach (v, i, item) {
            if (!json_is_number(item))
                break;
            rt_text_printf(name, "%s%.9g", i ? "," : "", json_number_value(item));
        }
    int ok = json_is_number(v) || (json_is_array(v) && json_array_size(v) > 0 && i == json_array_size(v));
    rt_text_puts(name, "]");
    if (!ok) {
        name->len = at;
        if (name->data)
            name->data[at] = '\0';
    }
    return ok ? 0 : -1;
}

/* Whether every element of ARRAY has a KEY of its own, none the same:
 * only then are its entries named by key. */
static int keys_distinct(const json_t *array, const char *key, rt_text *name)
{
    json_t *seen = json_object();
    size_t at = name->len, i;
    json_t *element;
    int ok = seen != NULL;
    json_array_foreach (array, i, element) {
        if (!ok || key_text(name, element, key) != 0 || name->failed ||
            json_object_get(seen, name->data + at) || json_object_set_new(seen, name->data + at, json_true()))
            ok = 0;
        name->len = at;
        if (name->data)
            name->data[at] = '\0';
    }
    json_decref(seen);
    return ok;
}

/* Each element of ARRAY under NAME[I], or NAME[KEY=VALUE] for a keyed list
 * ("analysis.psychometric.conditions[value=-12.8].choice"). */
static int flatten_array(json_t *flat, const json_t *array, rt_text *name)
{
    size_t at = name->len, i;
    const char *key = list_key(name);
    int keyed = key && keys_distinct(array, key, name);
    json_t *element;
    json_array_foreach (array, i, element) {
        if (!keyed || key_text(name, element, key) != 0)
            rt_text_printf(name, "[%zu]", i);
        int rc = flatten_part(flat, element, name, at);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int flatten_value(json_t *flat, const json_t *value, rt_text *name)
{
    if (name->failed)
        return -1;
    if (json_is_object(value))
        return flatten_object(flat, value, name);
    if (json_is_array(value))
        return flatten_array(flat, value, name);
    if (json_is_number(value))   /* an integer stays one */
        return json_object_set_new(flat, name->data ? name->data : "", json_deep_copy(value));
    return 0;
}

json_t *rt_summary_flatten(const json_t *summary)
{
    json_t *flat = json_object();
    rt_text name = {0};
    if (!flat || flatten_value(flat, summary, &name) != 0) {
        json_decref(flat);
        flat = NULL;
    }
    rt_text_free(&name);
    return flat;
}
