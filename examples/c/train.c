/* train.c -- librnnc from C: compile a model, train it with a progress
 * line, read its final weights and a record, and catch a model's errors.
 *
 *     make
 *     ./train ../../models/flipflop3.rnn epochs=1 samples=640
 *
 * Each NAME=VALUE after the model is a setting, as `rnnc run -D` takes it.
 * The results go to a temporary folder, removed at the end (see
 * docs/c_api.md for the rest of the API).
 */
#include <stdio.h>
#include <string.h>

#include <rnnc.h>

/* Called after every update, from the thread that called rnnc_run. */
static void show_progress(void *ctx, const rnnc_progress *p)
{
    (void)ctx;
    fprintf(stderr, "\rupdate %zu/%zu  loss %.4f  %.1f s", p->update, p->updates, p->loss, p->seconds);
    if (p->update == p->updates)
        fputc('\n', stderr);
}

/* A model with an error is refused with rnnc check's diagnostics; each
 * one's place is there too, for an editor to jump to. */
static void show_a_model_error(void)
{
    const char *broken = "import neurons.rate\n"
                         "network Net {\n"
                         "  pop h : TanhRate[-4]\n"
                         "}\n";
    rnnc_error *err = NULL;
    rnnc_model *m = rnnc_compile_text("broken.rnn", broken, NULL, &err);
    if (m) {   /* not expected: the population has a negative size */
        rnnc_model_free(m);
        return;
    }
    printf("a model with an error (status %d):\n%s\n", (int)rnnc_error_status(err), rnnc_error_message(err));
    for (size_t i = 0; i < rnnc_error_diagnostic_count(err); i++) {
        const char *file;
        unsigned line, column;
        const char *message = rnnc_error_diagnostic(err, i, &file, &line, &column);
        printf("  diagnostic %zu: %s, line %u, column %u: %s\n", i + 1, file ? file : "(no file)", line, column,
               message);
    }
    rnnc_error_free(err);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.rnn [NAME=VALUE]...\n", argv[0]);
        return 2;
    }
    /* NAME=VALUE arguments as -D settings: the strings stay argv's */
    rnnc_define defines[64];
    char names[64][128];
    size_t n = 0;
    for (int i = 2; i < argc && n < 64; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || (size_t)(eq - argv[i]) >= sizeof names[n]) {
            fprintf(stderr, "%s: '%s' is not NAME=VALUE\n", argv[0], argv[i]);
            return 2;
        }
        snprintf(names[n], sizeof names[n], "%.*s", (int)(eq - argv[i]), argv[i]);
        defines[n] = (rnnc_define){names[n], eq + 1};
        n++;
    }
    rnnc_options options = {.defines = defines, .define_count = n};

    rnnc_error *err = NULL;
    rnnc_model *m = rnnc_compile_file(argv[1], &options, &err);
    if (!m) {
        fprintf(stderr, "%s\n", rnnc_error_message(err));
        rnnc_error_free(err);
        return 1;
    }
    printf("compiled %s: %zu projections\n", rnnc_model_name(m), rnnc_model_projection_count(m));

    rnnc_run_options run = rnnc_run_defaults();   /* the model's seed, a temporary folder */
    run.progress = show_progress;
    rnnc_result *r = rnnc_run(m, &run, &err);
    if (!r) {
        fprintf(stderr, "%s\n", rnnc_error_message(err));
        rnnc_error_free(err);
        rnnc_model_free(m);
        return 1;
    }

    /* loss.csv's "loss" column: one value per update */
    rnnc_array loss;
    if (rnnc_result_loss(r, "loss", &loss, &err) == RNNC_OK && loss.shape[0] > 0) {
        const double *l = loss.data;
        printf("training loss: %.4f at the first update, %.4f at the last\n", l[0], l[loss.shape[0] - 1]);
        rnnc_array_free(&loss);
    }

    /* the first projection's trained weights, [post, pre] */
    const char *projection = rnnc_model_projection(m, 0);
    rnnc_array w;
    if (projection && rnnc_result_weights(r, projection, "final", &w, &err) == RNNC_OK) {
        printf("%s: final weights [%zu, %zu], w[0][0] = %.4f\n", projection, w.shape[0], w.shape[1],
               ((const double *)w.data)[0]);
        rnnc_array_free(&w);
    }

    /* the first record of the model's record line, [trial, step, neuron] */
    const char *record = rnnc_result_record_count(r) ? rnnc_result_record_name(r, 0) : NULL;
    rnnc_array a;
    if (record && rnnc_result_record(r, record, &a, &err) == RNNC_OK) {
        printf("record %s: %zu trials of %zu steps, %zu neurons\n", record, a.shape[0], a.shape[1], a.shape[2]);
        rnnc_array_free(&a);
    }
    if (err) {   /* a read above failed */
        fprintf(stderr, "%s\n", rnnc_error_message(err));
        rnnc_error_free(err);
        err = NULL;
    }
    rnnc_result_free(r);   /* removes the temporary folder */
    rnnc_model_free(m);

    show_a_model_error();
    return 0;
}
