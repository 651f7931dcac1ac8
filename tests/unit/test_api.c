/* test_api.c -- librnnc through its public header alone (include/rnnc.h).
 *
 * A model with errors comes back as RNNC_MODEL_ERROR with the diagnostics
 * rnnc check prints (file:line:col, the line, a caret) and each one's
 * place; a missing file is RNNC_IO_ERROR; imports are found through the
 * options' search path. A short run of the 3-bit
 * flip-flop (2 updates of 16 trials, models/flipflop3.rnn with -D
 * settings, as tests/cli_test.sh makes it quick) is read back: loss.csv's
 * columns, the weights, a record, summary.json. Weights that are set are
 * the ones the run starts from. The stop flag ends a run with what was
 * done. Two models train at once in two threads and get what one alone
 * gets. A run without a folder gets a temporary one, removed with its
 * result. Through all of it the library writes nothing to stderr: the
 * test sends stderr to a file and checks that it stayed empty.
 *
 * argv[1] is the source tree (for models/ and stdlib/).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rnnc.h"

static char source_dir[4096], model_path[4200];
static char work[] = "/tmp/rnnc-test-api-XXXXXX";

/* The flip-flop made quick: 2 updates, a 16-trial evaluation, 16 units. */
static const rnnc_define quick[] = {{"epochs", "1"}, {"samples", "32"}, {"batch", "16"}, {"trials", "16"},
                                    {"FlipFlopNet.n", "16"}, {"threads", "1"}};

static rnnc_options quick_options(void)
{
    return (rnnc_options){.defines = quick, .define_count = sizeof quick / sizeof *quick};
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The quick flip-flop compiled, or NULL with the error shown. */
static rnnc_model *compile_quick(void)
{
    rnnc_options o = quick_options();
    rnnc_error *err = NULL;
    rnnc_model *m = rnnc_compile_file(model_path, &o, &err);
    CHECK(m != NULL && err == NULL);
    if (!m)
        printf("%s\n", rnnc_error_message(err));
    rnnc_error_free(err);
    return m;
}

/* ------------------------------------------------------------ errors */

/* The message is what `rnnc check bad.rnn` prints: the unknown neuron at
 * line 3, column 11 (after "  pop h : "), its line, a caret under the
 * name, and the suggestion. */
static void test_model_error(void)
{
    const char *text = "import neurons.rate\n"
                       "network N {\n"
                       "  pop h : TanhRat[4]\n"
                       "}\n";
    rnnc_error *err = NULL;
    rnnc_model *m = rnnc_compile_text("bad.rnn", text, NULL, &err);
    CHECK(m == NULL);
    CHECK(rnnc_error_status(err) == RNNC_MODEL_ERROR);
    const char *expected = "bad.rnn:3:11: error: unknown neuron 'TanhRat'\n"
                           "    3 |   pop h : TanhRat[4]\n"
                           "      |           ^~~~~~~\n"
                           "      = hint: did you mean 'TanhRate'?";
    CHECK_STR(rnnc_error_message(err), expected);
    if (strcmp(rnnc_error_message(err), expected) != 0)
        printf("got:\n%s\n", rnnc_error_message(err));
    CHECK(rnnc_error_diagnostic_count(err) == 1);
    const char *file = NULL;
    unsigned line = 0, column = 0;
    const char *message = rnnc_error_diagnostic(err, 0, &file, &line, &column);
    CHECK(message && strcmp(message, "unknown neuron 'TanhRat'") == 0);
    CHECK(file && strcmp(file, "bad.rnn") == 0);
    CHECK(line == 3 && column == 11);
    CHECK(rnnc_error_diagnostic(err, 1, &file, &line, &column) == NULL && file == NULL && line == 0);
    rnnc_error_free(err);

    /* the same text through rnnc_check_text, which checks without compiling */
    err = NULL;
    CHECK(rnnc_check_text("bad.rnn", text, NULL, &err) == RNNC_MODEL_ERROR);
    CHECK(err && strcmp(rnnc_error_message(err), expected) == 0);
    rnnc_error_free(err);

    /* a file of definitions alone checks on its own, and has nothing to run */
    const char *library = "import neurons.rate\n";
    err = NULL;
    CHECK(rnnc_check_text("lib.rnn", library, NULL, &err) == RNNC_OK && err == NULL);
    CHECK(rnnc_compile_text("lib.rnn", library, NULL, &err) == NULL);
    CHECK(rnnc_error_status(err) == RNNC_MODEL_ERROR);
    CHECK(err && strstr(rnnc_error_message(err), "lib.rnn has nothing to run"));
    rnnc_error_free(err);

    /* imports are searched in the options' folders: "import rate" is
     * stdlib/neurons/rate.rnn only with stdlib/neurons on the search path */
    const char *importer = "import rate\nnetwork N {\n  pop h : TanhRate[4]\n}\n";
    char neurons[4200];
    snprintf(neurons, sizeof neurons, "%s/stdlib/neurons", source_dir);
    const char *const folders[] = {neurons};
    rnnc_options searched = {.search_path = folders, .search_count = 1};
    err = NULL;
    CHECK(rnnc_check_text("imports.rnn", importer, &searched, &err) == RNNC_OK && err == NULL);
    CHECK(rnnc_check_text("imports.rnn", importer, NULL, &err) == RNNC_MODEL_ERROR);
    CHECK(err && strstr(rnnc_error_message(err), "imports.rnn:1:") == rnnc_error_message(err));
    rnnc_error_free(err);

    /* a missing file is an I/O error, said with the system's reason */
    err = NULL;
    CHECK(rnnc_compile_file("/nonexistent/model.rnn", NULL, &err) == NULL);
    CHECK(rnnc_error_status(err) == RNNC_IO_ERROR);
    CHECK(err && strcmp(rnnc_error_message(err),
                        "cannot read '/nonexistent/model.rnn': No such file or directory") == 0);
    CHECK(rnnc_error_diagnostic_count(err) == 0);
    rnnc_error_free(err);

    /* a -D of an unknown setting is the model's error, located at no line */
    rnnc_define typo = {"epochz", "2"};
    rnnc_options o = {.defines = &typo, .define_count = 1};
    err = NULL;
    CHECK(rnnc_compile_file(model_path, &o, &err) == NULL);
    CHECK(rnnc_error_status(err) == RNNC_MODEL_ERROR);
    CHECK(err && strstr(rnnc_error_message(err), "no parameter or setting is named 'epochz'"));
    rnnc_error_free(err);

    /* the error argument may be NULL */
    CHECK(rnnc_compile_file("/nonexistent/model.rnn", NULL, NULL) == NULL);
}

/* ------------------------------------------------------------ a run, read back */

static void count_updates(void *ctx, const rnnc_progress *p)
{
    size_t *calls = ctx;
    (*calls)++;
    CHECK(p->update == *calls && p->updates == 2 && p->updates_per_epoch == 2);
}

static void test_run(void)
{
    rnnc_model *m = compile_quick();
    if (!m)
        return;
    rnnc_error *err = NULL;
    CHECK_STR(rnnc_model_name(m), "flipflop3");
    /* the network's three connects, in declaration order */
    CHECK(rnnc_model_projection_count(m) == 3);
    CHECK_STR(rnnc_model_projection(m, 0), "x->h");
    CHECK_STR(rnnc_model_projection(m, 1), "h->h");
    CHECK_STR(rnnc_model_projection(m, 2), "h->y");
    CHECK(rnnc_model_projection(m, 3) == NULL);

    char out[4200];
    snprintf(out, sizeof out, "%s/run", work);
    rnnc_run_options ro = rnnc_run_defaults();
    ro.out_dir = out;
    size_t calls = 0;
    ro.progress = count_updates;
    ro.progress_ctx = &calls;
    rnnc_result *r = rnnc_run(m, &ro, &err);
    CHECK(r != NULL && err == NULL);
    if (!r) {
        printf("%s\n", rnnc_error_message(err));
        rnnc_error_free(err);
        rnnc_model_free(m);
        return;
    }
    CHECK(calls == 2);   /* once per update */
    CHECK(rnnc_result_status(r) == RNNC_OK);
    CHECK_STR(rnnc_result_message(r), "");
    CHECK_STR(rnnc_result_dir(r), out);
    /* the summary names the model and its seed (the model's own, 1) */
    const char *summary = rnnc_result_summary(r);
    CHECK(summary && strstr(summary, "\"model\": \"flipflop3\"") && strstr(summary, "\"seed\": 1,"));

    /* loss.csv: update, epoch, loss, grad_norm, seconds; one row per update */
    CHECK(rnnc_result_loss_column_count(r) == 5);
    CHECK_STR(rnnc_result_loss_column(r, 0), "update");
    rnnc_array a;
    CHECK(rnnc_result_loss(r, "update", &a, &err) == RNNC_OK);
    CHECK(a.dtype == RNNC_F64 && a.ndim == 1 && a.shape[0] == 2 && rnnc_array_size(&a) == 2);
    CHECK(a.data && ((double *)a.data)[0] == 1 && ((double *)a.data)[1] == 2);
    rnnc_array_free(&a);
    CHECK(rnnc_result_loss(r, "loss", &a, &err) == RNNC_OK);
    CHECK(a.data && ((double *)a.data)[1] > 0);   /* an MSE of a network that has not learned */
    rnnc_array_free(&a);
    CHECK(rnnc_result_loss(r, "los", &a, &err) == RNNC_USAGE);
    CHECK(err && strstr(rnnc_error_message(err), "no column 'los'"));
    rnnc_error_free(err);
    err = NULL;

    /* weights [post, pre]; the readout's bias [post]; spaces in the name allowed */
    CHECK(rnnc_result_weights(r, "x->h", "final", &a, &err) == RNNC_OK);
    CHECK(a.ndim == 2 && a.shape[0] == 16 && a.shape[1] == 3);
    rnnc_array_free(&a);
    CHECK(rnnc_result_weights(r, "h -> h", "initial", &a, &err) == RNNC_OK);
    CHECK(a.ndim == 2 && a.shape[0] == 16 && a.shape[1] == 16);
    rnnc_array_free(&a);
    CHECK(rnnc_result_bias(r, "h->y", "final", &a, &err) == RNNC_OK);
    CHECK(a.ndim == 1 && a.shape[0] == 3);
    rnnc_array_free(&a);
    CHECK(rnnc_result_bias(r, "h->h", "final", &a, &err) == RNNC_USAGE);   /* h -> h has no bias */
    CHECK(err && strstr(rnnc_error_message(err), "has no bias"));
    rnnc_error_free(err);
    err = NULL;
    CHECK(rnnc_result_weights(r, "h->h", "middle", &a, &err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;
    CHECK(rnnc_result_weights(r, "y->h", "final", &a, &err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;

    /* the records by the model's names (record h.r, y): [trial, step, neuron],
     * the 16 evaluation trials of the flip-flop's 340 steps */
    CHECK(rnnc_result_record_count(r) == 2);
    CHECK_STR(rnnc_result_record_name(r, 0), "h.r");
    CHECK_STR(rnnc_result_record_name(r, 1), "y");
    CHECK(rnnc_result_record(r, "h.r", &a, &err) == RNNC_OK);
    CHECK(a.ndim == 3 && a.shape[0] == 16 && a.shape[1] == 340 && a.shape[2] == 16);
    rnnc_array_free(&a);
    CHECK(rnnc_result_record(r, "h.v", &a, &err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;

    /* any array by its file name, listed in order */
    size_t files = rnnc_result_file_count(r), found = 0;
    for (size_t i = 0; i < files; i++)
        found += strcmp(rnnc_result_file_name(r, i), "eval_outputs") == 0;
    CHECK(found == 1);
    CHECK(rnnc_result_file(r, "eval_outputs", &a, &err) == RNNC_OK);
    CHECK(a.ndim == 3 && a.shape[0] == 16 && a.shape[2] == 3);
    rnnc_array_free(&a);

    /* the folder opens again as rnnc run wrote it, and rnnc_run refuses to
     * write over it unless told to */
    rnnc_result *again = rnnc_result_open(out, &err);
    CHECK(again && rnnc_result_status(again) == RNNC_OK && rnnc_result_record_count(again) == 2);
    rnnc_result_free(again);
    CHECK(rnnc_run(m, &ro, &err) == NULL && rnnc_error_status(err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;
    ro.overwrite = 1;
    ro.progress = NULL;
    again = rnnc_run(m, &ro, &err);
    CHECK(again != NULL);
    rnnc_result_free(again);

    /* an evaluation alone: no update, so loss.csv has its columns and no
     * rows, and the weights end as they began */
    ro.evaluate_only = 1;
    again = rnnc_run(m, &ro, &err);
    CHECK(again != NULL);
    if (again) {
        CHECK(rnnc_result_loss(again, "loss", &a, &err) == RNNC_OK && a.ndim == 1 && a.shape[0] == 0);
        rnnc_array_free(&a);
        rnnc_array before, after;
        CHECK(rnnc_result_weights(again, "h->h", "initial", &before, &err) == RNNC_OK);
        CHECK(rnnc_result_weights(again, "h->h", "final", &after, &err) == RNNC_OK);
        CHECK(before.data && after.data && memcmp(before.data, after.data, 256 * sizeof(double)) == 0);
        rnnc_array_free(&before);
        rnnc_array_free(&after);
        CHECK(strstr(rnnc_result_summary(again), "\"status\": \"evaluated\"") != NULL);
        rnnc_result_free(again);
    }
    ro.evaluate_only = 0;
    again = rnnc_run(m, &ro, &err);   /* trained again: the folder reanalysed below is a training's */
    rnnc_result_free(again);

    /* a folder that cannot be made is an I/O error, and nothing is run */
    ro.out_dir = "/proc/rnnc-test-api/run";   /* /proc takes no new folder, whoever asks */
    CHECK(rnnc_run(m, &ro, &err) == NULL && rnnc_error_status(err) == RNNC_IO_ERROR);
    CHECK(err && strstr(rnnc_error_message(err), "cannot create the results folder '/proc/rnnc-test-api/run'"));
    rnnc_error_free(err);
    err = NULL;
    ro.out_dir = out;

    /* the analyses again on the trained weights */
    CHECK(rnnc_reanalyze(m, r, &err) == RNNC_OK);
    CHECK(rnnc_result_record_count(r) == 2);
    rnnc_error_free(err);
    rnnc_result_free(r);
    CHECK(exists(out));   /* a folder the caller named stays */

    err = NULL;
    CHECK(rnnc_result_open("/nonexistent/run", &err) == NULL && rnnc_error_status(err) == RNNC_IO_ERROR);
    rnnc_error_free(err);
    rnnc_model_free(m);
}

/* ------------------------------------------------------------ weights */

/* Weights that are set are the ones a run starts from: 0.25 on h -> h's
 * diagonal, a number no initialiser of the model draws; read back from the
 * model and from the run's weights_initial_h_h.npy. */
static void test_set_weights(void)
{
    rnnc_model *m = compile_quick();
    if (!m)
        return;
    rnnc_error *err = NULL;
    /* the initial weights are the seed's: two seeds differ, one seed twice is the same */
    rnnc_array w1, w2, w3;
    CHECK(rnnc_model_weights(m, "h->h", 1, &w1, &err) == RNNC_OK);
    CHECK(rnnc_model_weights(m, "h->h", 2, &w2, &err) == RNNC_OK);
    CHECK(rnnc_model_weights(m, "h->h", 1, &w3, &err) == RNNC_OK);
    CHECK(w1.ndim == 2 && w1.shape[0] == 16 && w1.shape[1] == 16);
    CHECK(w1.data && w2.data && w3.data && memcmp(w1.data, w2.data, 256 * sizeof(double)) != 0);
    CHECK(w1.data && w3.data && memcmp(w1.data, w3.data, 256 * sizeof(double)) == 0);
    rnnc_array_free(&w1);
    rnnc_array_free(&w2);
    rnnc_array_free(&w3);

    float diagonal[16 * 16] = {0};
    for (int i = 0; i < 16; i++)
        diagonal[i * 16 + i] = 0.25f;
    rnnc_array set = {.dtype = RNNC_F32, .ndim = 2, .shape = {16, 16}, .data = diagonal};
    CHECK(rnnc_model_set_weights(m, "h->h", &set, NULL, &err) == RNNC_OK);
    CHECK(rnnc_model_weights(m, "h->h", 7, &w1, &err) == RNNC_OK);
    int same = w1.data != NULL;
    for (int i = 0; same && i < 256; i++)
        same = ((double *)w1.data)[i] == diagonal[i];
    CHECK(same);
    rnnc_array_free(&w1);

    /* a wrong shape, a wrong dtype, a bias where there is none, a name that is none */
    rnnc_array wrong = {.dtype = RNNC_F32, .ndim = 2, .shape = {16, 3}, .data = diagonal};
    CHECK(rnnc_model_set_weights(m, "h->h", &wrong, NULL, &err) == RNNC_USAGE);
    CHECK(err && strstr(rnnc_error_message(err), "must be [16, 16]"));
    rnnc_error_free(err);
    err = NULL;
    int ints[256] = {0};
    rnnc_array as_ints = {.dtype = RNNC_I32, .ndim = 2, .shape = {16, 16}, .data = ints};
    CHECK(rnnc_model_set_weights(m, "h->h", &as_ints, NULL, &err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;
    rnnc_array bias = {.dtype = RNNC_F32, .ndim = 1, .shape = {16}, .data = diagonal};
    CHECK(rnnc_model_set_weights(m, "h->h", &set, &bias, &err) == RNNC_USAGE);
    rnnc_error_free(err);
    err = NULL;
    CHECK(rnnc_model_set_weights(m, "h->q", &set, NULL, &err) == RNNC_USAGE);
    CHECK(err && strstr(rnnc_error_message(err), "its projections: x->h, h->h, h->y"));
    rnnc_error_free(err);
    err = NULL;

    /* the run starts from them (no folder given: a temporary one) */
    rnnc_run_options ro = rnnc_run_defaults();
    ro.seed = 3;
    ro.seed_given = 1;
    rnnc_result *r = rnnc_run(m, &ro, &err);
    CHECK(r != NULL);
    if (r) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", rnnc_result_dir(r));
        CHECK(exists(dir));
        CHECK(strstr(rnnc_result_summary(r), "\"seed\": 3,") != NULL);
        CHECK(rnnc_result_weights(r, "h->h", "initial", &w1, &err) == RNNC_OK);
        same = w1.data != NULL;
        for (int i = 0; same && i < 256; i++)
            same = ((double *)w1.data)[i] == diagonal[i];
        CHECK(same);
        rnnc_array_free(&w1);
        rnnc_result_free(r);
        CHECK(!exists(dir));   /* the temporary folder went with its result */
    }
    rnnc_error_free(err);
    rnnc_model_free(m);
}

/* ------------------------------------------------------------ the stop flag */

/* Set from the progress callback after the first of the two updates: the
 * run ends there, and its folder holds that one update. */
static void stop_after_first(void *ctx, const rnnc_progress *p)
{
    volatile int *stop = ctx;
    if (p->update == 1)
        *stop = 1;
}

static void test_stop(void)
{
    rnnc_model *m = compile_quick();
    if (!m)
        return;
    rnnc_error *err = NULL;
    volatile int stop = 0;
    rnnc_run_options ro = rnnc_run_defaults();
    ro.stop = &stop;
    ro.progress = stop_after_first;
    ro.progress_ctx = (void *)&stop;
    ro.keep = 1;   /* a temporary folder kept */
    rnnc_result *r = rnnc_run(m, &ro, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK(rnnc_result_status(r) == RNNC_INTERRUPTED);
        CHECK(strstr(rnnc_result_message(r), "interrupted after 1 updates") != NULL);
        rnnc_array a;
        CHECK(rnnc_result_loss(r, "loss", &a, &err) == RNNC_OK && a.shape[0] == 1);
        rnnc_array_free(&a);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", rnnc_result_dir(r));
        rnnc_result_free(r);
        CHECK(exists(dir));   /* kept */
        rnnc_result *again = rnnc_result_open(dir, &err);
        CHECK(again && rnnc_result_status(again) == RNNC_INTERRUPTED);
        rnnc_result_free(again);
        char command[4200];
        snprintf(command, sizeof command, "rm -rf '%s'", dir);
        CHECK(system(command) == 0);
    }
    rnnc_error_free(err);
    rnnc_model_free(m);
}

/* ------------------------------------------------------------ two threads */

typedef struct threaded {
    uint64_t seed;
    double *weights;   /* h->h's final weights, 256 */
    rnnc_status status;
} threaded;

static void *compile_and_run(void *arg)
{
    threaded *t = arg;
    rnnc_options o = quick_options();
    rnnc_error *err = NULL;
    rnnc_model *m = rnnc_compile_file(model_path, &o, &err);
    rnnc_run_options ro = rnnc_run_defaults();
    ro.seed = t->seed;
    ro.seed_given = 1;
    rnnc_result *r = m ? rnnc_run(m, &ro, &err) : NULL;
    rnnc_array w = {0};
    t->status = r ? rnnc_result_weights(r, "h->h", "final", &w, &err) : rnnc_error_status(err);
    t->weights = w.data;
    rnnc_result_free(r);
    rnnc_model_free(m);
    rnnc_error_free(err);
    return NULL;
}

/* Two models at once, seeds 4 and 5, then seed 4 alone: the threads'
 * results are each what the seed gives, whatever runs beside it. */
static void test_threads(void)
{
    threaded t[3] = {{.seed = 4}, {.seed = 5}, {.seed = 4}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&th[i], NULL, compile_and_run, &t[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    compile_and_run(&t[2]);
    for (int i = 0; i < 3; i++)
        CHECK(t[i].status == RNNC_OK && t[i].weights != NULL);
    if (t[0].weights && t[1].weights && t[2].weights) {
        CHECK(memcmp(t[0].weights, t[2].weights, 256 * sizeof(double)) == 0);
        CHECK(memcmp(t[0].weights, t[1].weights, 256 * sizeof(double)) != 0);
    }
    for (int i = 0; i < 3; i++)
        free(t[i].weights);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_api SOURCE_DIR\n");
        return 2;
    }
    snprintf(source_dir, sizeof source_dir, "%s", argv[1]);
    snprintf(model_path, sizeof model_path, "%s/models/flipflop3.rnn", source_dir);
    char stdlib_dir[4096];
    snprintf(stdlib_dir, sizeof stdlib_dir, "%s/stdlib", argv[1]);
    setenv("RNNC_STDLIB", stdlib_dir, 1);
    unsetenv("RNNC_PATH");
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 2;
    }
    /* stderr to a file, to see that the library writes nothing there */
    char captured[4200];
    snprintf(captured, sizeof captured, "%s/stderr", work);
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = fopen(captured, "w+");
    if (saved < 0 || !capture || dup2(fileno(capture), 2) < 0) {
        perror("capturing stderr");
        return 2;
    }
    CHECK_STR(rnnc_version(), RNNC_EXPECTED_VERSION);
    test_model_error();
    test_run();
    test_set_weights();
    test_stop();
    test_threads();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char text[4096];
    rewind(capture);
    size_t n = fread(text, 1, sizeof text - 1, capture);
    text[n] = '\0';
    fclose(capture);
    CHECK(n == 0);   /* the library printed nothing (a failed CHECK above would show here too) */
    if (n)
        fprintf(stderr, "written to stderr:\n%s", text);
    char command[4200];
    snprintf(command, sizeof command, "rm -rf '%s'", work);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", work);
    return check_report();
}
