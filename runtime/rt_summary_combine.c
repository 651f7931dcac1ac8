/* rt_summary_combine.c -- the realisations of --seeds side by side: per
 * dotted name, mean, spread and count over the seeds (see rt_summary.h). */
#include <math.h>
#include <string.h>

#include "rt_summary.h"

/* NAMES (an array of strings) and AT (each name's index in NAMES) with the
 * names of FLAT added but "seed": a new one right after the last name
 * before it in FLAT that NAMES holds, so that a keyed row one realisation
 * lacks ("conditions[value=-3.2]") keeps its place among the others. */
static int merge_names(json_t *names, json_t *at, json_t *flat)
{
    size_t next = json_array_size(names);   /* nothing of FLAT seen yet: at the end */
    const char *name;
    json_t *v;
    json_object_foreach (flat, name, v) {
        if (strcmp(name, "seed") == 0)
            continue;
        json_t *known = json_object_get(at, name);
        if (known) {
            next = (size_t)json_integer_value(known) + 1;
            continue;
        }
        if (json_array_insert_new(names, next, json_string(name)) != 0 ||
            json_object_set_new(at, name, json_integer((json_int_t)next)) != 0)
            return -1;
        for (size_t j = next + 1; j < json_array_size(names); j++)   /* those after it moved by one */
            json_integer_set(json_object_get(at, json_string_value(json_array_get(names, j))), (json_int_t)j);
        next++;
    }
    return 0;
}

/* Every name of the realisations, in order (see merge_names); NULL when
 * memory runs out. */
static json_t *all_names(json_t *const *flat, unsigned k)
{
    json_t *names = json_array(), *at = json_object();
    int bad = !names || !at;
    for (unsigned s = 0; s < k && !bad; s++)
        if (flat[s])
            bad = merge_names(names, at, flat[s]) != 0;
    json_decref(at);
    if (bad) {
        json_decref(names);
        return NULL;
    }
    return names;
}

enum { MEAN, STD, MIN, MAX, COUNT, N_STATS };
static const char *const stat_names[N_STATS] = {"mean", "std", "min", "max", "count"};   /* order of the enum */

/* NAME over the realisations with a finite number for it: mean, sample
 * standard deviation, minimum, maximum (NaN where undefined), count. */
static void name_stats(const char *name, json_t *const *flat, unsigned k, double out[N_STATS])
{
    double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
    unsigned n = 0;
    for (unsigned s = 0; s < k; s++) {
        double v = rt_summary_number(flat[s], name);
        if (!isfinite(v))
            continue;
        sum += v;
        sq += v * v;
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        n++;
    }
    out[MEAN] = n ? sum / n : NAN;
    out[STD] = n > 1 ? sqrt(fmax(0, (sq - n * out[MEAN] * out[MEAN]) / (n - 1))) : NAN;
    out[MIN] = n ? lo : NAN;
    out[MAX] = n ? hi : NAN;
    out[COUNT] = n;
}

json_t *rt_summary_combine(json_t *const *flat, unsigned k)
{
    json_t *names = all_names(flat, k), *c = json_object(), *stats[N_STATS];
    int bad = !names || !c;
    for (int w = 0; w < N_STATS; w++) {
        stats[w] = json_object();
        bad |= json_object_set_new(c, stat_names[w], stats[w]) != 0;
    }
    size_t i;
    json_t *name;
    json_array_foreach (names, i, name) {
        double st[N_STATS];
        name_stats(json_string_value(name), flat, k, st);
        for (int w = 0; w < N_STATS && !bad; w++)
            bad |= json_object_set_new(stats[w], json_string_value(name),
                                       w == COUNT ? json_integer((json_int_t)st[w]) : rt_json_number(st[w])) != 0;
    }
    json_decref(names);
    if (bad) {
        json_decref(c);
        return NULL;
    }
    return c;
}
