/* test_loss.c -- the cross-entropy loss and the L2 regularisers through the
 * real pipeline (front end, plan, JIT, runtime), in float64.
 *
 *  - Gradients: with random weights and inputs, soft and one-hot targets,
 *    steps whose target is all zero, a mask of 0, 0.5 and 1, class weights,
 *    regularize l2 and l2_rate, the BPTT gradient of loss + regularisers
 *    with respect to every weight and bias equals the central difference
 *    (L(w + h) - L(w - h)) / 2h, h = 1e-5, to 1e-6 relative (its error is
 *    O(h^2) ~ 1e-10 plus rounding ~1e-14 / h ~ 1e-9; a missing term, such
 *    as the regularisers' gradient or the softmax's coupling between
 *    classes, is off by far more). Once with the AVX2 build and once with
 *    the baseline one; and with two readouts, each its own softmax.
 *  - Values: the loss equals the definition evaluated here directly from
 *    the network's outputs (softmax as exp(z_k) / sum exp(z), no shift),
 *    and the regularisers equal c mean(W^2) and c mean(h^2) computed here.
 *  - A value by hand: a readout with zero weights and bias (0, ln 3) gives
 *    p = (1/4, 3/4) at every step; with class weights (2, 1), R0 steps of
 *    class 0 and R1 of class 1 the loss is (2 R0 ln 4 + R1 ln 4/3) / (2 R0 +
 *    R1) -- PyTorch's CrossEntropyLoss(weight, reduction = 'mean').
 *  - Stability: logits (1000, 0) give the exact losses 0 and 1000 where a
 *    softmax without the shift by max z would overflow to NaN.
 *  - float32: the same network and weights give the float64 loss to 1e-5.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_net_internal.h"
#include "rt_rng.h"

enum { MAX_READOUTS = 2 };

typedef struct fixture {
    frontend fe;
    frontend_options opts;
    plan p;
    rt_net *net;
    size_t B, T;
    void *targets[MAX_READOUTS];
    double *mask;
} fixture;

/* A model: the task's targets only size the readouts (the test writes its
 * own); PRECISION float64 or float32, READOUTS and SETTINGS as given. */
static const char *model_text(const char *precision, const char *readouts, const char *connects,
                              const char *targets, const char *settings, char *buf, size_t size)
{
    snprintf(buf, size,
             "import neurons.rate\n"
             "task Soft(steps = 9) {\n  input x[3]\n  duration steps\n  x = normal()\n"
             "  draw c = choice(0, 1)\n%s}\n"
             "network Net {\n  input x[3]\n  pop h : TanhRate[5](tau = 3 ms)\n%s"
             "  connect x -> h : all_to_all, init normal(0, 1)\n"
             "  connect h -> h : all_to_all, init normal(0, 0.6)\n%s}\n"
             "train Net on Soft { precision %s\n batch 4\n loss %s }\n",
             targets, readouts, connects, precision, settings);
    return buf;
}

static const char one_readout[] = "  readout y : Linear[3]\n";
static const char one_connect[] = "  connect h -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n";
static const char one_target[] = "  target y[3]\n  y[c] = 1\n";

/* Targets of readout R (N elements): row by row, a soft target, a one-hot
 * one or all zero; the mask 0, 0.5 or 1. */
static void fill_targets(fixture *f, unsigned r, size_t n)
{
    for (size_t row = 0; row < f->T * f->B; row++) {
        unsigned kind = (unsigned)(rt_rng_uniform(3, 10 + r, row) * 3);
        double sum = 0, v[8];
        for (size_t k = 0; k < n; k++)
            sum += v[k] = rt_rng_uniform(3, 20 + r, row * n + k);
        for (size_t k = 0; k < n; k++) {
            double y = kind == 0 ? v[k] / sum : kind == 1 ? (double)(k == row % n) : 0;
            rt_real_put(f->p.is_double, f->targets[r], row * n + k, y);
        }
    }
}

static int fixture_init(fixture *f, const char *text)
{
    memset(f, 0, sizeof *f);
    if (compile_net(&f->fe, &f->opts, &f->p, &f->net, text, 11) != 0)
        return -1;
    f->B = f->p.settings.batch;
    f->T = f->p.task.steps;
    size_t elem = f->p.is_double ? sizeof(double) : sizeof(float);
    void *x = rt_net_input(f->net, 0);
    for (size_t i = 0; i < f->T * f->B * 3; i++)
        rt_real_put(f->p.is_double, x, i, rt_rng_normal(5, 1, i));
    for (unsigned r = 0; r < f->p.n_readouts; r++) {
        size_t n = f->p.pops[f->p.readouts[r]].n;
        if (!(f->targets[r] = malloc(f->T * f->B * n * elem)))
            return -1;
        fill_targets(f, r, n);
    }
    if (!(f->mask = malloc(f->T * f->B * sizeof *f->mask)))
        return -1;
    for (size_t row = 0; row < f->T * f->B; row++)
        f->mask[row] = (double)(row % 3) / 2;
    return 0;
}

static void fixture_free(fixture *f)
{
    for (unsigned r = 0; r < MAX_READOUTS; r++)
        free(f->targets[r]);
    free(f->mask);
    rt_net_free(f->net);
    plan_free(&f->p);
    frontend_free(&f->fe);
}

/* The loss rnnc trains on: the cross-entropy plus the regularisers. */
static double total_loss(fixture *f)
{
    rt_net_forward(f->net);
    return rt_net_loss(f->net, RT_LOSS_CROSS_ENTROPY, (const void *const *)f->targets, f->mask) +
           rt_net_reg_loss(f->net);
}

/* Every parameter's BPTT gradient against its central difference. */
static double worst_relative_error(fixture *f)
{
    total_loss(f);
    rt_net_backward(f->net);
    double worst = 0;
    for (unsigned j = 0; j < f->p.n_projs; j++) {
        const rt_proj *rp = &f->p.rt_projs[j];
        for (int which = 0; which < 1 + rp->bias; which++) {
            double *w = which ? rt_net_bias(f->net, j) : rt_net_weights(f->net, j);
            const double *g = which ? rt_net_bias_grad(f->net, j) : rt_net_weight_grad(f->net, j);
            size_t count = which ? rp->n_post : rp->n_post * rp->n_pre;
            double *grad = malloc(count * sizeof *grad);
            memcpy(grad, g, count * sizeof *grad);
            for (size_t i = 0; i < count; i++) {
                double keep = w[i], h = 1e-5;
                w[i] = keep + h;
                double up = total_loss(f);
                w[i] = keep - h;
                double down = total_loss(f);
                w[i] = keep;
                double fd = (up - down) / (2 * h);
                worst = fmax(worst, fabs(fd - grad[i]) / fmax(fabs(fd), 1e-3));
            }
            free(grad);
        }
    }
    return worst;
}

/* The cross-entropy from its definition, over the network's outputs now. */
static double cross_entropy_by_definition(fixture *f)
{
    double sum = 0, norm = 0;
    for (unsigned r = 0; r < f->p.n_readouts; r++) {
        size_t n = f->p.pops[f->p.readouts[r]].n;
        const double *z = rt_net_output_history(f->net, f->p.readouts[r], 0), *y = f->targets[r];
        const double *w = f->p.desc.net.class_weights ? f->p.desc.net.class_weights[r] : NULL;
        for (size_t row = 0; row < f->T * f->B; row++) {
            double partition = 0;
            for (size_t k = 0; k < n; k++)
                partition += exp(z[row * n + k]);
            for (size_t k = 0; k < n; k++) {
                double wk = w ? w[k] : 1;
                sum -= f->mask[row] * wk * y[row * n + k] * log(exp(z[row * n + k]) / partition);
                norm += f->mask[row] * wk * y[row * n + k];
            }
        }
    }
    return sum / norm;
}

/* c mean(W^2) over the trained projections, c mean(h^2) over h's outputs. */
static double regularisers_by_definition(fixture *f, double l2_c, double l2_rate_c)
{
    double reg = 0;
    for (unsigned j = 0; j < f->p.n_projs; j++) {
        const rt_proj *rp = &f->p.rt_projs[j];
        const double *w = rt_net_weights(f->net, j);
        double sum = 0;
        for (size_t i = 0; i < rp->n_post * rp->n_pre; i++)
            sum += w[i] * w[i];
        reg += l2_c * sum / (double)(rp->n_post * rp->n_pre);
    }
    const double *h = rt_net_output_history(f->net, 0, 0);
    size_t count = f->T * f->B * f->p.pops[0].n;
    double sum = 0;
    for (size_t i = 0; i < count; i++)
        sum += h[i] * h[i];
    return reg + l2_rate_c * sum / (double)count;
}

static void check_weighted_regularised(int baseline)
{
    char text[4096];
    fixture f;
    const char *settings = "cross_entropy(weights = [0.5, 2, 1])\n regularize l2(c = 0.3), l2_rate(c = 0.2)";
    if (fixture_init(&f, model_text("float64", one_readout, one_connect, one_target, settings, text,
                                    sizeof text)) != 0) {
        CHECK(0);
        fixture_free(&f);
        return;
    }
    if (baseline)
        f.net->avx2 = 0;
    rt_net_forward(f.net);
    double loss = rt_net_loss(f.net, RT_LOSS_CROSS_ENTROPY, (const void *const *)f.targets, f.mask);
    double reg = rt_net_reg_loss(f.net);
    double want_loss = cross_entropy_by_definition(&f), want_reg = regularisers_by_definition(&f, 0.3, 0.2);
    printf("%-44s loss %.12f (by definition %.12f), reg %.12f (%.12f)\n",
           baseline ? "weights, mask, soft targets, l2, baseline" : "weights, mask, soft targets, l2",
           loss, want_loss, reg, want_reg);
    CHECK_NEAR(loss, want_loss, 1e-12 * want_loss);
    CHECK_NEAR(reg, want_reg, 1e-12 * want_reg);
    CHECK(reg > 0.05);   /* large enough that a missing gradient shows */
    double worst = worst_relative_error(&f);
    printf("%-44s worst relative gradient error %.2e\n", "", worst);
    CHECK(worst < 1e-6);
    fixture_free(&f);
}

/* Two readouts, y[3] and u[2]: each its own softmax, one normaliser. */
static void check_two_readouts(void)
{
    char text[4096];
    fixture f;
    const char *readouts = "  readout y : Linear[3]\n  readout u : Linear[2]\n";
    const char *connects = "  connect h -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n"
                           "  connect h -> u : all_to_all, init normal(0, 1)\n";
    const char *targets = "  target y[3], u[2]\n  y[c] = 1\n  u[c] = 1\n";
    if (fixture_init(&f, model_text("float64", readouts, connects, targets, "cross_entropy", text,
                                    sizeof text)) != 0) {
        CHECK(0);
        fixture_free(&f);
        return;
    }
    rt_net_forward(f.net);
    double loss = rt_net_loss(f.net, RT_LOSS_CROSS_ENTROPY, (const void *const *)f.targets, f.mask);
    double want = cross_entropy_by_definition(&f);
    double worst = worst_relative_error(&f);
    printf("%-44s loss %.12f (by definition %.12f), gradient error %.2e\n", "two readouts, two softmaxes",
           loss, want, worst);
    CHECK_NEAR(loss, want, 1e-12 * want);
    CHECK(worst < 1e-6);
    fixture_free(&f);
}

/* The readout y[2] with zero weights and bias B0, B1: z = (B0, B1) at every
 * step. Even rows are class 0, odd rows class 1, mask 1. */
static double constant_logits_loss(fixture *f, double b0, double b1, unsigned class_of_all)
{
    unsigned j = f->p.n_projs - 1;   /* h -> y */
    memset(rt_net_weights(f->net, j), 0, f->p.rt_projs[j].n_post * f->p.rt_projs[j].n_pre * sizeof(double));
    double *bias = rt_net_bias(f->net, j);
    bias[0] = b0;
    bias[1] = b1;
    double *y = f->targets[0];
    for (size_t row = 0; row < f->T * f->B; row++) {
        unsigned c = class_of_all < 2 ? class_of_all : (unsigned)(row % 2);
        y[2 * row] = c == 0;
        y[2 * row + 1] = c == 1;
        f->mask[row] = 1;
    }
    rt_net_forward(f->net);
    return rt_net_loss(f->net, RT_LOSS_CROSS_ENTROPY, (const void *const *)f->targets, f->mask);
}

static void check_by_hand(void)
{
    char text[4096];
    fixture f;
    if (fixture_init(&f, model_text("float64", "  readout y : Linear[2]\n", one_connect, "  target y[2]\n  y[c] = 1\n",
                                    "cross_entropy(weights = [2, 1])", text, sizeof text)) != 0) {
        CHECK(0);
        fixture_free(&f);
        return;
    }
    double loss = constant_logits_loss(&f, 0, log(3), 2);
    double rows = (double)(f.T * f.B), r0 = ceil(rows / 2), r1 = rows - r0;
    double want = (2 * r0 * log(4) + r1 * log(4.0 / 3)) / (2 * r0 + r1);
    printf("%-44s loss %.15f, by hand %.15f\n", "p = (1/4, 3/4), weights (2, 1)", loss, want);
    CHECK_NEAR(loss, want, 1e-14);
    /* logits (1000, 0): class 0 costs -log p0 = log(1 + e^-1000) = 0 to
     * double precision, class 1 costs 1000 + log(1 + e^-1000) = 1000 */
    double right = constant_logits_loss(&f, 1000, 0, 0), wrong = constant_logits_loss(&f, 1000, 0, 1);
    printf("%-44s loss %g and %g\n", "logits (1000, 0), class 0 then class 1", right, wrong);
    CHECK(right == 0);
    CHECK_NEAR(wrong, 1000, 1e-9);
    fixture_free(&f);
}

/* The float32 passes against the float64 ones on the same weights. */
static void check_float32(void)
{
    char text64[4096], text32[4096];
    fixture f64, f32;
    const char *settings = "cross_entropy(weights = [0.5, 2, 1])\n regularize l2(c = 0.3), l2_rate(c = 0.2)";
    int ok = fixture_init(&f64, model_text("float64", one_readout, one_connect, one_target, settings, text64,
                                           sizeof text64)) == 0;
    ok &= fixture_init(&f32, model_text("float32", one_readout, one_connect, one_target, settings, text32,
                                        sizeof text32)) == 0;
    CHECK(ok);
    if (ok) {
        for (unsigned j = 0; j < f64.p.n_projs; j++) {
            const rt_proj *rp = &f64.p.rt_projs[j];
            for (size_t i = 0; i < rp->n_post * rp->n_pre; i++)
                rt_real_put(0, rt_net_weights(f32.net, j), i, ((double *)rt_net_weights(f64.net, j))[i]);
            for (size_t i = 0; rp->bias && i < rp->n_post; i++)
                rt_real_put(0, rt_net_bias(f32.net, j), i, ((double *)rt_net_bias(f64.net, j))[i]);
        }
        double l64 = total_loss(&f64), l32 = total_loss(&f32);
        printf("%-44s float64 %.9f, float32 %.9f\n", "the same in float32", l64, l32);
        CHECK_NEAR(l32, l64, 1e-5 * l64);
    }
    fixture_free(&f64);
    fixture_free(&f32);
}

int main(void)
{
    check_weighted_regularised(0);
    check_weighted_regularised(1);
    check_two_readouts();
    check_by_hand();
    check_float32();
    return check_report();
}
