/* rt_summary.h -- summary.json, the results file of a run: its one reader
 * and its one writer.
 *
 * A summary is a JSON object (jansson's json_t). A writer builds it with
 * json_object() and json_object_set_new(), numbers through rt_json_number,
 * and saves it; a reader loads it and asks for members by name:
 *
 *     json_t *s = json_object();
 *     json_object_set_new(s, "seed", json_integer(7));
 *     json_object_set_new(s, "eval_loss", rt_json_number(loss));
 *     if (rt_summary_save("summary.json", s, err, sizeof err) != 0) ...
 *     json_decref(s);
 *
 *     json_t *s = rt_summary_load("runs/x/summary.json", err, sizeof err);
 *     double loss = s ? rt_summary_number(s, "eval_loss") : NAN;
 *
 * Keys stay in the order they were set, on load and on save; setting a key
 * that is already there (json_object_set_new(s, "analysis", new)) replaces
 * its value in place. The layout is fixed here: 2-space indentation, reals
 * to 9 significant digits, a newline at the end. Any layout reads the same.
 */
#ifndef RNNRT_SUMMARY_H
#define RNNRT_SUMMARY_H

#include <stddef.h>

#include <jansson.h>

/* The object in the file at PATH (a new reference: json_decref it), or
 * NULL with a message in ERR: "PATH: No such file or directory", or
 * "PATH:LINE:COLUMN: ..." for a file that is not JSON or whose top level
 * is not an object. */
json_t *rt_summary_load(const char *path, char *err, size_t err_size);

/* The same for LEN bytes of TEXT; NAME stands for the file in messages. */
json_t *rt_summary_parse(const char *text, size_t len, const char *name, char *err, size_t err_size);

/* SUMMARY as the text rt_summary_save writes (malloc'd, free() it), or
 * NULL when memory runs out or SUMMARY is not an object. */
char *rt_summary_text(const json_t *summary);

/* Writes SUMMARY to PATH as rt_summary_text lays it out; 0, or -1 with
 * "PATH: <errno's text>" in ERR. A write that fails removes the
 * half-written file. */
int rt_summary_save(const char *path, const json_t *summary, char *err, size_t err_size);

/* V as a JSON real, or null for NaN and infinities (JSON has neither). */
json_t *rt_json_number(double v);

/* Member KEY of OBJ: its number (integer or real), or NAN when it is
 * absent or not a number (null included). */
double rt_summary_number(const json_t *obj, const char *key);
/* Its string, or NULL when absent or not a string; OBJ owns it. */
const char *rt_summary_string(const json_t *obj, const char *key);
/* Its value as a whole number from 0: 0 with *VALUE set, or -1 when it is
 * absent, negative or not an integer. */
int rt_summary_unsigned(const json_t *obj, const char *key, unsigned long long *value);

/* Every number inside SUMMARY, nested ones included, as a new object of
 * dotted names to numbers, in document order: {"eval_loss": 0.1,
 * "analysis.eigen h -> h.final.spectral_radius": 0.9,
 * "analysis.robustness[2].loss": 0.3, ...}. A list's entries are named by
 * their place, but those of the lists whose entries each name a condition
 * (rt_summary.c's keyed_lists) are named by it:
 * "analysis.psychometric.conditions[value=-12.8].choice",
 * "analysis.fixed_points h.groups[condition=1,-1].stable". Strings,
 * booleans and nulls are left out. NULL when memory runs out. */
json_t *rt_summary_flatten(const json_t *summary);

/* The numbers of K realisations side by side (rnnc run --seeds): FLAT[S]
 * is realisation S's rt_summary_flatten, NULL for one without a summary.
 * A new object {"mean": {...}, "std": {...}, "min": {...}, "max": {...},
 * "count": {...}}, each by dotted name ("seed" left out): over the
 * realisations with a number under that name, their mean, sample standard
 * deviation, smallest and largest (null where undefined) and how many they
 * are. So a condition value that only some seeds' evaluations showed is
 * combined over those seeds, and its count says how many. The names come
 * in the order they first appear, one that a realisation lacks placed
 * after the name before it in one that has it. NULL when memory runs out. */
json_t *rt_summary_combine(json_t *const *flat, unsigned k);

#endif
