/* test_run_library.c -- the runtime is a library: a C program trains,
 * evaluates, records and analyses a network through runtime/rt_run.h
 * alone, with hand-written kernels and its own trial source. This program
 * links only librnnrt (tests/CMakeLists.txt): no front end, no LLVM.
 *
 * The network: x[1] -> h (4 leaky tanh units, h' = h + a (tanh(I) - h),
 * a = 0.5) -> h (recurrent) -> y (linear readout, y = I). Each trial shows
 * a sign s = +-1 on the input for its first 3 steps only; the target is s
 * from step 5 to the end (step 20; mask 0 before). The untrained network
 * forgets s as h decays, so it must learn to hold it in its recurrent
 * weights (a 1-bit memory, as in the flip-flop): a working backward pass
 * through time and optimiser bring the loss far down; a wrong sign or a
 * missing term in the gradient does not.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rt_files.h"
#include "rt_npy.h"
#include "rt_rng.h"
#include "rt_run.h"

enum { N_H = 4, STEPS = 20, PULSE = 3, WARMUP = 5 };
static const double ALPHA = 0.5;

/* forward: prev h, I -> next h, r (r is h: not written) */
static void tanh_forward(int64_t count, void *const *args)
{
    const double *h = args[0], *in = args[1];
    double *next = args[2];
    for (int64_t i = 0; i < count; i++)
        next[i] = h[i] + ALPHA * (tanh(in[i]) - h[i]);
}

/* adjoint: prev h, I, a_r, a_h' -> a_h, a_I. r reads the new state, so its
 * sensitivity joins a_h': g = a_h' + a_r; a_h = g (1 - a); a_I = g a (1 - tanh(I)^2). */
static void tanh_adjoint(int64_t count, void *const *args)
{
    const double *in = args[1], *a_r = args[2], *a_next = args[3];
    double *a_h = args[4], *a_in = args[5];
    for (int64_t i = 0; i < count; i++) {
        double g = a_next[i] + a_r[i], t = tanh(in[i]);
        a_h[i] = g * (1 - ALPHA);
        a_in[i] = g * ALPHA * (1 - t * t);
    }
}

/* a readout without states: y = I */
static void linear_forward(int64_t count, void *const *args)
{
    memcpy(args[1], args[0], (size_t)count * sizeof(double));
}

static void linear_adjoint(int64_t count, void *const *args)
{
    memcpy(args[2], args[1], (size_t)count * sizeof(double));
}

/* The trial source: channel 0 the input x, channel 1 the target y. */
static int make_trial(void *ctx, uint64_t seed, uint64_t trial, double *const *channels, double *mask,
                      double *scratch, char *err, size_t err_size)
{
    (void)ctx, (void)scratch, (void)err, (void)err_size;
    double s = rt_rng_uniform(seed, 7, trial) < 0.5 ? -1 : 1;
    for (size_t t = 0; t < STEPS; t++) {
        channels[0][t] = t < PULSE ? s : 0;
        channels[1][t] = s;
        mask[t] = t >= WARMUP;
    }
    return 0;
}

static const double zero[N_H] = {0};
static const int h_output_is_state[1] = {0};

typedef struct fixture {
    rt_pop pops[2];
    rt_proj projs[3];
    rt_weights_desc weights[3];
    rt_channel channels[2];
    size_t input_sizes[1];
    unsigned readouts[1];
    int input_channel[1], target_channel[1];
    rt_record_desc record;
    rt_analysis_desc analyses[2];
    rt_run_desc d;
} fixture;

static void fixture_init(fixture *f, uint64_t seed, size_t updates)
{
    memset(f, 0, sizeof *f);
    f->pops[0] = (rt_pop){.name = "h", .n = N_H, .n_states = 1, .n_ports = 1, .n_outputs = 1, .state_init = zero,
                          .output_init = zero, .output_state = h_output_is_state, .forward = tanh_forward,
                          .adjoint = tanh_adjoint, .forward64 = tanh_forward, .adjoint64 = tanh_adjoint};
    f->pops[1] = (rt_pop){.name = "y", .n = 1, .n_states = 0, .n_ports = 1, .n_outputs = 1, .output_init = zero,
                          .forward = linear_forward, .adjoint = linear_adjoint};
    f->projs[0] = (rt_proj){.name = "x -> h", .pre_input = 0, .pre_pop = -1, .post_pop = 0, .trainable = 1};
    f->projs[1] = (rt_proj){.name = "h -> h", .pre_input = -1, .pre_pop = 0, .post_pop = 0, .trainable = 1};
    f->projs[2] = (rt_proj){.name = "h -> y", .pre_input = -1, .pre_pop = 0, .post_pop = 1, .bias = 1,
                            .trainable = 1};
    const char *stems[3] = {"x_h", "h_h", "h_y"};
    for (int j = 0; j < 3; j++)
        f->weights[j] = (rt_weights_desc){.file_stem = stems[j], .init = {RT_INIT_NORMAL, 0, 0.5},
                                          .bias_init = {RT_INIT_ZEROS, 0, 0}, .lo = -INFINITY, .hi = INFINITY};
    f->channels[0] = (rt_channel){"x", 1, RT_CHANNEL_INPUT};
    f->channels[1] = (rt_channel){"y", 1, RT_CHANNEL_TARGET};
    f->input_sizes[0] = 1;
    f->readouts[0] = 1;
    f->input_channel[0] = 0;
    f->target_channel[0] = 1;
    f->record = (rt_record_desc){.name = "h", .pop = 0, .state = 0, .lo = 0, .width = N_H, .every = 1};
    f->analyses[0] = (rt_analysis_desc){.kind = RT_ANALYSIS_EIGEN, .name = "h_h", .proj = 1, .state = -1};
    f->analyses[1] = (rt_analysis_desc){.kind = RT_ANALYSIS_PCA, .name = "h", .pop = 0, .state = 0, .width = N_H,
                                        .k = 2};
    rt_run_desc *d = &f->d;
    d->net = (rt_net_desc){1, f->input_sizes, 2, f->pops, 3, f->projs, 1, f->readouts, 1, NULL, 0, NULL};
    d->weights = f->weights;
    d->dt = 1e-3;
    d->task = (rt_trial_source){.steps = STEPS, .n_channels = 2, .channels = f->channels, .generate = make_trial};
    d->input_channel = f->input_channel;
    d->target_channel = f->target_channel;
    d->condition_channel = -1;
    d->phase_channel = -1;
    d->accuracy = RT_ACCURACY_SIGN;
    d->accuracy_readout = 0;
    d->settings = (rt_train_settings){.seed = seed, .train = 1, .batch = 16, .updates = updates,
                                      .updates_per_epoch = 8, .eval_trials = 32, .loss = RT_LOSS_MSE,
                                      .optim = {RT_OPTIM_ADAM, 0.02, 0, 0.9, 0.999, 1e-8, 0, 0}, .threads = 2};
    d->n_records = 1;
    d->records = &f->record;
    d->n_analyses = 2;
    d->analyses = f->analyses;
}

/* The loss of NET's current weights on its current batch. */
static double loss_now(rt_net *net, const void *const *targets)
{
    rt_net_forward(net);
    return rt_net_loss(net, RT_LOSS_MSE, targets, NULL);
}

/* The backward pass through the hand-written adjoints against central
 * differences of the loss, for every weight of h -> h: the kernels and
 * the runtime's BPTT agree (to 1e-6 relative) or neither can be trusted. */
static void test_gradient(void)
{
    fixture f;
    fixture_init(&f, 3, 0);
    size_t B = 2;
    rt_net *net = rt_net_new(&f.d.net, B, STEPS);
    char err[256];
    CHECK(net && rt_weights_init(&f.d, net, err, sizeof err) == 0);
    if (!net)
        return;
    double *x = rt_net_input(net, 0), target[STEPS * 2];
    for (size_t t = 0; t < STEPS; t++)
        for (size_t i = 0; i < B; i++) {
            x[t * B + i] = i ? -1.0 : 0.7;
            target[t * B + i] = i ? 0.3 : -0.5;
        }
    const void *targets[1] = {target};
    loss_now(net, targets);
    rt_net_backward(net);
    double *w = rt_net_weights(net, 1), *g = rt_net_weight_grad(net, 1), worst = 0;
    for (size_t k = 0; k < N_H * N_H; k++) {
        double analytic = g[k], keep = w[k], eps = 1e-6;
        w[k] = keep + eps;
        double up = loss_now(net, targets);
        w[k] = keep - eps;
        double down = loss_now(net, targets);
        w[k] = keep;
        double numeric = (up - down) / (2 * eps);
        worst = fmax(worst, fabs(numeric - analytic) / fmax(1e-8, fabs(numeric) + fabs(analytic)));
    }
    CHECK(worst < 1e-6);
    rt_net_free(net);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    if (buf && fread(buf, 1, (1 << 20) - 1, fp) == 0 && ferror(fp)) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

static int exists(const char *dir, const char *name)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Trains for UPDATES into a results folder under TMP; RES gets the numbers. */
static int train(const char *tmp, const char *name, uint64_t seed, size_t updates, rt_run_result *res)
{
    fixture f;
    fixture_init(&f, seed, updates);
    char dir[4200], err[512];
    snprintf(dir, sizeof dir, "%s/%s", tmp, name);
    rt_outdir out;
    if (rt_outdir_begin(&out, dir) != 0)
        return -1;
    int rc = rt_run_train(&f.d, &out, NULL, NULL, res, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "rt_run_train: %s\n", err);
    json_t *doc = json_object();
    rt_run_summary(&f.d, res, doc);
    char *text = json_dumps(doc, JSON_INDENT(2));
    if (rc == 0 && (!text || rt_outdir_write_text(&out, RT_FILE_SUMMARY, text) != 0))
        rc = -1;
    free(text);
    json_decref(doc);
    if (rc == 0)
        rc = rt_outdir_commit(&out);
    else
        rt_outdir_abort(&out);
    return rc;
}

static void test_training(const char *tmp)
{
    rt_run_result a, b;
    CHECK(train(tmp, "a", 5, 300, &a) == 0);
    CHECK(a.status == RT_RUN_TRAINED && a.updates_done == 300);
    /* untrained, h halves every step once the pulse is gone: most of s is lost by step 5 */
    printf("first loss %.4g, final %.4g, eval %.4g\n", a.first_loss, a.final_train_loss, a.eval_loss);
    CHECK(a.first_loss > 0.3);
    CHECK(a.final_train_loss < 0.05 * a.first_loss);
    CHECK(a.eval_loss < 0.05 * a.first_loss);
    CHECK(a.eval_accuracy == 1.0);   /* every counted step has the target's sign */
    CHECK(a.failed_analysis == -1 && a.analysis != NULL);
    json_t *eigen = a.analysis ? json_object_get(a.analysis, "eigen h -> h") : NULL;
    CHECK(eigen && json_object_get(eigen, "initial") && json_object_get(eigen, "final"));
    json_t *pca = a.analysis ? json_object_get(a.analysis, "pca h") : NULL;
    CHECK(pca && json_integer_value(json_object_get(pca, "components")) == 2);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/a", tmp);
    const char *files[] = {RT_FILE_LOSS, "weights_initial_x_h.npy", "weights_final_h_h.npy", "bias_final_h_y.npy",
                           RT_FILE_EVAL_OUTPUTS, RT_FILE_EVAL_TARGETS, RT_FILE_EVAL_INPUTS, "record_h.npy",
                           "eigen_final_h_h.npy", "pca_h_projections.npy", RT_FILE_SUMMARY};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        int found = exists(dir, files[i]);
        if (!found)
            fprintf(stderr, "missing %s\n", files[i]);
        CHECK(found);
    }
    /* record_h.npy is [trial, step, neuron] of the first evaluation trials */
    char path[4200], e[256];
    snprintf(path, sizeof path, "%s/record_h.npy", dir);
    rt_array rec = {0};
    CHECK(rt_npy_read(path, &rec, e, sizeof e) == 0 && rec.ndim == 3 && rec.shape[0] == 16 &&
          rec.shape[1] == STEPS && rec.shape[2] == N_H);
    rt_array_free(&rec);
    /* the same seed gives the same bits (loss.csv differs only in its seconds) */
    CHECK(train(tmp, "b", 5, 300, &b) == 0);
    CHECK(a.final_train_loss == b.final_train_loss && a.eval_loss == b.eval_loss);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *summary = read_text(path);
    CHECK(summary && strstr(summary, "\"status\": \"trained\"") && strstr(summary, "\"eval_loss\""));
    free(summary);
    rt_run_result_free(&a);
    rt_run_result_free(&b);
}

int main(void)
{
    char tmp[] = "/tmp/test_run_library.XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    test_gradient();
    test_training(tmp);
    if (!getenv("KEEP")) rt_remove_tree(tmp); else printf("kept %s\n", tmp);
    return check_report();
}
