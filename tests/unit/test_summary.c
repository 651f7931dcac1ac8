/* test_summary.c -- summary.json's reader and writer (rt_summary.h).
 *
 * A saved summary must load back equal, nested objects and key order
 * included, with NaN as null and reals to 9 significant digits; any
 * indentation must read the same; a cut-short file and a top level that
 * is not an object must be refused at their line and column; a failed
 * write must leave no file; --seeds' dotted names must name every number,
 * the rows of a condition by their condition; and --seeds' combination
 * must pair rows by condition, not by place, when a seed lacks one.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "rt_outdir.h"
#include "rt_file.h"
#include "rt_summary.h"
#include "rt_text.h"

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(text, 1, len, fp);
        fclose(fp);
    }
}

/* A summary shaped like rnnc run's: strings, an integer, reals, a NaN, an
 * array of objects and objects nested three deep. Every real is exact in
 * binary and in 9 digits, so a round trip must give it back unchanged. */
static json_t *example(void)
{
    json_t *s = json_object(), *analysis = json_object(), *eigen = json_object(), *final = json_object();
    json_t *robustness = json_array();
    json_object_set_new(s, "model", json_string("tiny"));
    json_object_set_new(s, "seed", json_integer(7));
    json_object_set_new(s, "eval_loss", rt_json_number(0.375));
    json_object_set_new(s, "first_train_loss", rt_json_number(NAN));
    json_object_set_new(final, "spectral_radius", rt_json_number(0.96875));
    json_object_set_new(eigen, "final", final);
    json_object_set_new(analysis, "eigen h -> h", eigen);
    for (int i = 0; i < 2; i++) {
        json_t *row = json_object();
        json_object_set_new(row, "noise", rt_json_number(0.5 * i));
        json_object_set_new(row, "loss", rt_json_number(1.25 + i));
        json_array_append_new(robustness, row);
    }
    json_object_set_new(analysis, "robustness", robustness);
    json_object_set_new(s, "analysis", analysis);
    json_object_set_new(s, "rnnc_version", json_string("0.1.0"));
    return s;
}

/* The keys of OBJ, in order, joined by spaces. */
static void key_order(const json_t *obj, char *buf, size_t size)
{
    const char *key;
    json_t *v;
    buf[0] = '\0';
    json_object_foreach ((json_t *)obj, key, v) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "%s%s", n ? " " : "", key);
    }
}

/* TEXT with every line's leading spaces doubled: the 2-space layout
 * re-indented with 4, as an editor or python's json.dump(indent=4) would. */
static char *reindent_4(const char *text)
{
    rt_text t = {0};
    for (const char *line = text; *line;) {
        size_t spaces = strspn(line, " "), len = strcspn(line, "\n");
        for (size_t i = 0; i < spaces; i++)
            rt_text_puts(&t, " ");
        rt_text_add(&t, line, len);
        line += len;
        if (*line == '\n') {
            rt_text_puts(&t, "\n");
            line++;
        }
    }
    return t.data;
}

static void test_round_trip(const char *dir)
{
    char path[512], err[512], order[256];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_t *s = example();
    CHECK(rt_summary_save(path, s, err, sizeof err) == 0);
    json_t *back = rt_summary_load(path, err, sizeof err);
    CHECK(back != NULL);
    CHECK(json_equal(s, back));
    key_order(back, order, sizeof order);
    CHECK_STR(order, "model seed eval_loss first_train_loss analysis rnnc_version");
    key_order(json_object_get(back, "analysis"), order, sizeof order);
    CHECK_STR(order, "eigen h -> h robustness");
    /* NaN has no JSON spelling: it is written as null and reads as NaN */
    CHECK(json_is_null(json_object_get(back, "first_train_loss")));
    CHECK(isnan(rt_summary_number(back, "first_train_loss")));
    CHECK(rt_summary_number(back, "eval_loss") == 0.375);
    CHECK(isnan(rt_summary_number(back, "model")));   /* a string is not a number */
    CHECK(isnan(rt_summary_number(back, "absent")));
    CHECK_STR(rt_summary_string(back, "model"), "tiny");
    CHECK(rt_summary_string(back, "seed") == NULL);
    unsigned long long seed = 0;
    CHECK(rt_summary_unsigned(back, "seed", &seed) == 0 && seed == 7);
    CHECK(rt_summary_unsigned(back, "eval_loss", &seed) == -1);   /* 0.375 is not a whole number */
    CHECK(rt_summary_unsigned(back, "model", &seed) == -1);

    /* the layout: 2-space indentation, a newline at the end, and the
     * text saved is the text rt_summary_text gives (the report shows it) */
    char *text = rt_summary_text(s), *file = NULL;
    rt_text t = {0};
    CHECK(rt_text_load(&t, path, RT_FILE_MAX_SUMMARY, NULL, 0) == 0);
    file = t.data;
    CHECK(text && file && strcmp(text, file) == 0);
    const char *head = "{\n  \"model\": \"tiny\",\n  \"seed\": 7,\n";
    CHECK(text && strncmp(text, head, strlen(head)) == 0);
    CHECK(text && strstr(text, "\n    \"eigen h -> h\": {\n      \"final\": {\n"));
    CHECK(text && strstr(text, "\"first_train_loss\": null,"));
    CHECK(text && strcmp(text + strlen(text) - 3, "\n}\n") == 0);

    /* a file re-indented with 4 spaces reads as the same document */
    char *wide = text ? reindent_4(text) : NULL;
    CHECK(wide && strstr(wide, "\n        \"eigen h -> h\": {\n"));
    json_t *wide_doc = wide ? rt_summary_parse(wide, strlen(wide), "wide.json", err, sizeof err) : NULL;
    CHECK(wide_doc && json_equal(wide_doc, back));
    json_decref(wide_doc);
    free(wide);
    free(text);
    free(file);

    /* replacing "analysis" (what rnnc analyze does) keeps its place */
    json_object_set_new(back, "analysis", json_object());
    key_order(back, order, sizeof order);
    CHECK_STR(order, "model seed eval_loss first_train_loss analysis rnnc_version");
    json_decref(back);
    json_decref(s);
}

/* 9 significant digits, the precision of the summaries rnnc always wrote:
 * 1/3 = 0.333333333 (and no more), 2^-30 = 9.31322575e-10. */
static void test_precision(void)
{
    json_t *s = json_object();
    json_object_set_new(s, "third", rt_json_number(1.0 / 3));
    json_object_set_new(s, "tiny", rt_json_number(0x1p-30));
    json_object_set_new(s, "infinite", rt_json_number(INFINITY));
    char *text = rt_summary_text(s);
    CHECK(text && strstr(text, "\"third\": 0.333333333,"));
    CHECK(text && strstr(text, "\"tiny\": 9.31322575e-10,"));
    CHECK(text && strstr(text, "\"infinite\": null\n"));
    free(text);
    json_decref(s);
}

static void test_refused(const char *dir)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/cut.json", dir);
    /* Cut short after line 3's "7": jansson stops at the end of the input,
     * on line 3, whose 11 characters '  "seed": 7' it has read. */
    const char *cut = "{\n  \"model\": \"tiny\",\n  \"seed\": 7";
    write_file(path, cut, strlen(cut));
    err[0] = '\0';
    CHECK(rt_summary_load(path, err, sizeof err) == NULL);
    char want[600];
    snprintf(want, sizeof want, "%s:3:11: unexpected end of input", path);
    CHECK_STR(err, want);

    /* Cut at the end of a line: nothing of line 3 was read, so the place
     * is its first column. */
    const char *at_newline = "{\n  \"model\": \"tiny\",\n";
    CHECK(rt_summary_parse(at_newline, strlen(at_newline), "s.json", err, sizeof err) == NULL);
    CHECK_STR(err, "s.json:3:1: unexpected end of input");

    /* An empty file: cut short before anything. */
    CHECK(rt_summary_parse("", 0, "empty.json", err, sizeof err) == NULL);
    CHECK_STR(err, "empty.json:1:1: unexpected end of input");

    /* Valid JSON that is not an object: the array begins on line 2, column 3. */
    const char *array = "\n  [1, 2]\n";
    CHECK(rt_summary_parse(array, strlen(array), "a.json", err, sizeof err) == NULL);
    CHECK_STR(err, "a.json:2:3: expected an object ({...}) at the top level, found an array");

    /* Something after the object: the 'x' is at line 1, column 10. */
    const char *trailing = "{\"a\": 1} x";
    CHECK(rt_summary_parse(trailing, strlen(trailing), "t.json", err, sizeof err) == NULL);
    CHECK(strncmp(err, "t.json:1:10: ", 13) == 0 && strstr(err, "'x'"));

    snprintf(path, sizeof path, "%s/absent.json", dir);
    CHECK(rt_summary_load(path, err, sizeof err) == NULL);
    CHECK(strstr(err, path) == err && strstr(err, ": No such file or directory"));
}

/* A write that cannot complete is an error and leaves no file: past a
 * file-size limit write() fails with EFBIG on any machine (SIGXFSZ
 * ignored), as a full disk would. */
static void test_failed_write(const char *dir)
{
    char path[512], err[512];
    json_t *s = json_object();
    for (int i = 0; i < 200; i++) {
        char key[32];
        snprintf(key, sizeof key, "metric_%d", i);
        json_object_set_new(s, key, rt_json_number(i / 7.0));
    }
    snprintf(path, sizeof path, "%s/full.json", dir);
    struct rlimit old_limit, small = {1024, 1024};
    getrlimit(RLIMIT_FSIZE, &old_limit);
    small.rlim_max = old_limit.rlim_max;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    err[0] = '\0';
    CHECK(rt_summary_save(path, s, err, sizeof err) == -1);
    setrlimit(RLIMIT_FSIZE, &old_limit);
    CHECK(access(path, F_OK) != 0);
    CHECK(strstr(err, path) == err && strstr(err, strerror(EFBIG)));

    snprintf(path, sizeof path, "%s/no/such/folder/summary.json", dir);
    CHECK(rt_summary_save(path, s, err, sizeof err) == -1 && strstr(err, "No such file or directory"));
    json_t *array = json_array();
    CHECK(rt_summary_save(path, array, err, sizeof err) == -1 && strstr(err, "not an array"));
    json_decref(array);
    json_decref(s);
}

/* The dotted names of --seeds' combined summary: every number, nested
 * ones by their path, array elements by index, in document order; the
 * string, the null and the boolean are not numbers. */
static void test_flatten(void)
{
    json_t *s = example();
    json_object_set_new(s, "interrupted", json_false());
    json_t *flat = rt_summary_flatten(s);
    char order[512];
    key_order(flat, order, sizeof order);
    CHECK_STR(order, "seed eval_loss analysis.eigen h -> h.final.spectral_radius analysis.robustness[0].noise "
                     "analysis.robustness[0].loss analysis.robustness[1].noise analysis.robustness[1].loss");
    CHECK(rt_summary_number(flat, "analysis.eigen h -> h.final.spectral_radius") == 0.96875);
    CHECK(rt_summary_number(flat, "analysis.robustness[1].loss") == 2.25);
    CHECK(json_is_integer(json_object_get(flat, "seed")));   /* stays a whole number */
    json_decref(flat);
    json_decref(s);
}

/* A hand-made summary (TEXT) flattened; NULL (and a failed check) when it
 * is not JSON. */
static json_t *flat_of(const char *text)
{
    char err[256];
    json_t *s = rt_summary_parse(text, strlen(text), "test", err, sizeof err);
    CHECK(s != NULL);
    json_t *flat = s ? rt_summary_flatten(s) : NULL;
    json_decref(s);
    return flat;
}

/* Psychometric rows are named by their "value" and fixed-point groups by
 * their "condition" (its numbers joined by ','), as the summary writes
 * them (%.9g: -12.8 reads "-12.8" in every seed). A list whose key is
 * missing or repeated, or a group of no condition (null: the run had
 * none), keeps its entries by place, so no two entries share a name. */
static void test_flatten_keyed(void)
{
    json_t *flat = flat_of(
        "{\"analysis\": {\"psychometric\": {\"conditions\": ["
        "  {\"value\": -12.8, \"trials\": 3, \"choice\": 0.25}, {\"value\": 3.2, \"trials\": 5, \"choice\": 0.5}]},"
        " \"fixed_points h\": {\"groups\": [{\"condition\": [1, -1], \"stable\": 2}, {\"condition\": [2, 0.5], \"stable\": 1}]},"
        " \"fixed_points g\": {\"groups\": [{\"condition\": null, \"stable\": 4}]},"
        " \"other\": {\"conditions\": [{\"value\": 1, \"n\": 1}, {\"value\": 1, \"n\": 2}]}}}");
    char order[2048];
    key_order(flat, order, sizeof order);
    CHECK_STR(order, "analysis.psychometric.conditions[value=-12.8].value analysis.psychometric.conditions[value=-12.8].trials "
                     "analysis.psychometric.conditions[value=-12.8].choice analysis.psychometric.conditions[value=3.2].value "
                     "analysis.psychometric.conditions[value=3.2].trials analysis.psychometric.conditions[value=3.2].choice "
                     "analysis.fixed_points h.groups[condition=1,-1].condition[0] "
                     "analysis.fixed_points h.groups[condition=1,-1].condition[1] "
                     "analysis.fixed_points h.groups[condition=1,-1].stable "
                     "analysis.fixed_points h.groups[condition=2,0.5].condition[0] "
                     "analysis.fixed_points h.groups[condition=2,0.5].condition[1] "
                     "analysis.fixed_points h.groups[condition=2,0.5].stable "
                     "analysis.fixed_points g.groups[0].stable "
                     "analysis.other.conditions[0].value analysis.other.conditions[0].n "
                     "analysis.other.conditions[1].value analysis.other.conditions[1].n");
    json_decref(flat);
}

/* Three seeds' psychometric rows and fixed-point groups, the second seed's
 * evaluation having shown no trial of -3.2 nor of condition 2: its row 1
 * is 3.2 and its only group is condition 1. Combined by key, -3.2's choice
 * is the mean of the first and third seeds' (0.25 and 0.75: 0.5, sd
 * sqrt(0.125)) with a count of 2, and 3.2's the mean of all three (0.5,
 * 0.75, 1: 0.75); by place, row 1 would have mixed -3.2 with the second
 * seed's 3.2 (mean 0.5833). The realisation without a summary (NULL)
 * counts nowhere; "seed" is each realisation's own, not combined. The
 * rows keep their order even though the first seed to show them lacks
 * one: -3.2 comes between -12.8 and 3.2. */
static void test_combine_by_key(void)
{
    json_t *flat[4];
    flat[0] = flat_of("{\"seed\": 2, \"analysis\": {\"psychometric\": {\"conditions\": ["
                      "{\"value\": -12.8, \"choice\": 0}, {\"value\": 3.2, \"choice\": 0.75}]},"
                      " \"fixed_points h\": {\"groups\": [{\"condition\": [1], \"stable\": 2}]}}}");
    flat[1] = NULL;
    flat[2] = flat_of("{\"seed\": 1, \"analysis\": {\"psychometric\": {\"conditions\": ["
                      "{\"value\": -12.8, \"choice\": 0}, {\"value\": -3.2, \"choice\": 0.25},"
                      " {\"value\": 3.2, \"choice\": 0.5}]},"
                      " \"fixed_points h\": {\"groups\": [{\"condition\": [1], \"stable\": 1},"
                      " {\"condition\": [2], \"stable\": 3}]}}}");
    flat[3] = flat_of("{\"seed\": 3, \"analysis\": {\"psychometric\": {\"conditions\": ["
                      "{\"value\": -12.8, \"choice\": 0.5}, {\"value\": -3.2, \"choice\": 0.75},"
                      " {\"value\": 3.2, \"choice\": 1}]},"
                      " \"fixed_points h\": {\"groups\": [{\"condition\": [1], \"stable\": 3},"
                      " {\"condition\": [2], \"stable\": 5}]}}}");
    json_t *c = rt_summary_combine(flat, 4);
    CHECK(c != NULL);
    const json_t *mean = json_object_get(c, "mean"), *std = json_object_get(c, "std"),
                 *count = json_object_get(c, "count"), *lo = json_object_get(c, "min");
    const char *minus = "analysis.psychometric.conditions[value=-3.2].choice",
               *plus = "analysis.psychometric.conditions[value=3.2].choice",
               *two = "analysis.fixed_points h.groups[condition=2].stable",
               *one = "analysis.fixed_points h.groups[condition=1].stable";
    CHECK_NEAR(rt_summary_number(mean, minus), 0.5, 1e-12);
    CHECK_NEAR(rt_summary_number(std, minus), sqrt(0.125), 1e-12);
    CHECK(rt_summary_number(count, minus) == 2);
    CHECK_NEAR(rt_summary_number(mean, plus), 0.75, 1e-12);
    CHECK(rt_summary_number(count, plus) == 3);
    CHECK(rt_summary_number(lo, plus) == 0.5);
    CHECK(rt_summary_number(mean, two) == 4 && rt_summary_number(count, two) == 2);
    CHECK(rt_summary_number(mean, one) == 2 && rt_summary_number(count, one) == 3);
    CHECK(json_object_get(mean, "seed") == NULL);
    char order[2048];
    key_order(mean, order, sizeof order);
    CHECK_STR(order, "analysis.psychometric.conditions[value=-12.8].value analysis.psychometric.conditions[value=-12.8].choice "
                     "analysis.psychometric.conditions[value=-3.2].value analysis.psychometric.conditions[value=-3.2].choice "
                     "analysis.psychometric.conditions[value=3.2].value analysis.psychometric.conditions[value=3.2].choice "
                     "analysis.fixed_points h.groups[condition=1].condition[0] "
                     "analysis.fixed_points h.groups[condition=1].stable "
                     "analysis.fixed_points h.groups[condition=2].condition[0] "
                     "analysis.fixed_points h.groups[condition=2].stable");
    key_order(c, order, sizeof order);
    CHECK_STR(order, "mean std min max count");
    json_decref(c);
    for (int s = 0; s < 4; s++)
        json_decref(flat[s]);
}

int main(void)
{
    char dir_template[] = "/tmp/rnnc-test-summary-XXXXXX";
    char *dir = mkdtemp(dir_template);
    CHECK(dir != NULL);
    if (!dir)
        return check_report();
    test_round_trip(dir);
    test_precision();
    test_refused(dir);
    test_failed_write(dir);
    test_flatten();
    test_flatten_keyed();
    test_combine_by_key();
    rt_remove_tree(dir);
    return check_report();
}
