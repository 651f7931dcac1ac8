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

/* Each element of ARRAY under NAME[I]. */
static int flatten_array(json_t *flat, const json_t *array, rt_text *name)
{
    size_t at = name->len, i;
    json_t *element;
    json_array_foreach (array, i, element) {
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
