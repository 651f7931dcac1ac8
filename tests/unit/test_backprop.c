/* test_backprop.c -- BPTT gradients equal finite differences, and the JIT's
 * kernels equal a plain evaluation of the same expressions.
 *
 * Each network is compiled from .rnn text by the real pipeline (front end,
 * lowering, symbolic adjoint, LLVM, runtime) in float64. With random
 * weights, inputs and targets, the gradient of the MSE with respect to
 * every weight and bias is compared with the central difference
 * (L(w + h) - L(w - h)) / 2h, h = 1e-5: its error is O(h^2) ~ 1e-10 plus
 * rounding: the loss sums up to ~5000 squared errors, each rounded at
 * ~1e-16, so ~1e-14 / h ~ 1e-9 (with h = 1e-6 that rounding reached
 * 1e-8, as large as the smallest gradients of the 2400-row network). A
 * relative agreement of 1e-6 (the bar) leaves a wide margin while
 * any mistake in a derivative or in the order of the passes is far larger.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_net_internal.h"
#include "rt_rng.h"

/* A model around NEURON (a stdlib or inline neuron), with a lagged
 * recurrent projection, an input projection and a readout with bias. */
static const char *model_text(const char *imports, const char *neuron_def, const char *neuron,
                              const char *readout, char *buf, size_t size)
{
    snprintf(buf, size,
             "%s\n%s\n"
             "task Noise(steps = 7) {\n  input x[3]\n  target y[2]\n  duration steps\n"
             "  x = normal()\n  y = normal()\n}\n"
             "network Net {\n  input x[3]\n  pop h : %s\n  readout y : %s[2]\n"
             "  connect x -> h : all_to_all, init normal(0, 1)\n"
             "  connect h -> h : all_to_all, init normal(0, 0.6)\n"
             "  connect h -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n}\n"
             "train Net on Noise { precision float64\n batch 3\n dt 1 ms }\n",
             imports, neuron_def, neuron, readout);
    return buf;
}

typedef struct fixture {
    frontend fe;
    frontend_options opts;
    plan p;
    rt_net *net;
    void *targets[1];
} fixture;

static int fixture_init(fixture *f, const char *text)
{
    memset(f, 0, sizeof *f);
    if (compile_net(&f->fe, &f->opts, &f->p, &f->net, text, 11) != 0)
        return -1;
    size_t B = f->p.settings.batch, T = f->p.task.steps;
    /* inputs (3 channels) and targets (2): fixed random numbers, in the
     * network's precision */
    void *x = rt_net_input(f->net, 0);
    f->targets[0] = malloc(T * B * 2 * sizeof(double));
    if (!f->targets[0])
        return -1;
    for (size_t i = 0; i < T * B * 3; i++) {
        double v = rt_rng_normal(5, 1, i);
        if (f->p.is_double)
            ((double *)x)[i] = v;
        else
            ((float *)x)[i] = (float)v;
    }
    for (size_t i = 0; i < T * B * 2; i++) {
        double v = rt_rng_normal(5, 2, i);
        if (f->p.is_double)
            ((double *)f->targets[0])[i] = v;
        else
            ((float *)f->targets[0])[i] = (float)v;
    }
    return 0;
}

static void fixture_free(fixture *f)
{
    free(f->targets[0]);
    rt_net_free(f->net);
    plan_free(&f->p);
    frontend_free(&f->fe);
}

static double loss_of(fixture *f)
{
    rt_net_forward(f->net);
    return rt_net_mse(f->net, (const void *const *)f->targets, NULL);
}

/* Every parameter's BPTT gradient against its central difference. */
static double worst_relative_error(fixture *f)
{
    loss_of(f);
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
                double up = loss_of(f);
                w[i] = keep - h;
                double down = loss_of(f);
                w[i] = keep;
                double fd = (up - down) / (2 * h);
                double err = fabs(fd - grad[i]) / fmax(fabs(fd), 1e-3);
                if (err > worst)
                    worst = err;
            }
            free(grad);
        }
    }
    return worst;
}

static void check_gradients(const char *label, const char *imports, const char *def, const char *neuron,
                            const char *readout)
{
    char text[4096];
    fixture f;
    if (fixture_init(&f, model_text(imports, def, neuron, readout, text, sizeof text)) != 0) {
        fprintf(stderr, "%s: the model did not compile\n", label);
        CHECK(0);
        fixture_free(&f);
        return;
    }
    double worst = worst_relative_error(&f);
    printf("%-34s worst relative gradient error %.2e\n", label, worst);
    CHECK(worst < 1e-6);
    fixture_free(&f);
}

/* The forward kernel against ir_eval of the same graph, on many points. */
static void check_jit_equals_eval(const char *label, const char *imports, const char *def,
                                  const char *neuron)
{
    char text[4096];
    fixture f;
    if (fixture_init(&f, model_text(imports, def, neuron, "Linear", text, sizeof text)) != 0) {
        CHECK(0);
        fixture_free(&f);
        return;
    }
    const neuron_ir *n = &f.p.neurons[0];
    enum { COUNT = 257 };   /* not a multiple of the vector width: the loop's tail runs too */
    unsigned nv = n->n_states + n->n_ports, no = n->n_states + n->n_outputs;
    double vars[16][COUNT], outs[16][COUNT];
    void *args[32];
    for (unsigned v = 0; v < nv; v++) {
        for (unsigned i = 0; i < COUNT; i++)
            vars[v][i] = 3 * rt_rng_normal(9, v, i);
        args[v] = vars[v];
    }
    for (unsigned o = 0; o < no; o++)
        args[nv + o] = outs[o];
    f.p.pops[0].forward(COUNT, args);
    double worst = 0;
    for (unsigned i = 0; i < COUNT; i++) {
        double point[16];
        for (unsigned v = 0; v < nv; v++)
            point[v] = vars[v][i];
        for (unsigned o = 0; o < no; o++) {
            ir_ref e = o < n->n_states ? n->next[o] : n->out[o - n->n_states];
            /* an output that is a state is not stored: it is read from the state's array */
            int shared = o < n->n_states ? -1 : f.p.pops[0].output_state[o - n->n_states];
            double got = shared >= 0 ? outs[shared][i] : outs[o][i];
            double want = ir_eval(&n->g, e, point);
            double err = fabs(got - want) / fmax(fabs(want), 1e-300);
            if (err > worst)
                worst = err;
        }
    }
    printf("%-34s worst relative JIT-vs-eval difference %.2e\n", label, worst);
    /* exp/tanh are our own polynomials, and the JIT fuses a * b + c into one
     * FMA where ir_eval rounds twice: a few ulps, grown up to ~100 where an
     * argument cancels (tanh(a - b) with a near b); a wrong expression is off
     * by far more */
    CHECK(worst < 1e-13);
    fixture_free(&f);
}

/* The float32 kernels' own tanh against the C library's double tanh, over
 * |x| from 1e-4 to 20 (both branches: the Taylor series below 1/8, the
 * exponential above): float has 24 bits, so 4 ulp is 2.4e-7 relative. The
 * forward kernel of TanhRate with tau = 1 step computes h + (tanh(I) - h),
 * exact for h = 0. */
static void check_float_tanh(void)
{
    static const char text[] =
        "import neurons.rate\n"
        "task Noise(steps = 3) {\n  input x[3]\n  target y[2]\n  duration steps\n"
        "  x = normal()\n  y = normal()\n}\n"
        "network Net {\n  input x[3]\n  pop h : TanhRate[1]\n  readout y : Linear[2]\n"
        "  connect x -> h : all_to_all\n  connect h -> y : all_to_all\n}\n"
        "train Net on Noise { precision float32\n batch 1\n dt 1 ms }\n";
    fixture f;
    if (fixture_init(&f, text) != 0) {
        CHECK(0);
        fixture_free(&f);
        return;
    }
    enum { COUNT = 2001 };
    static float h[COUNT], in[COUNT], next[COUNT], out[COUNT];
    for (int i = 0; i < COUNT; i++)
        in[i] = (float)((i % 2 ? -1 : 1) * 1e-4 * pow(2e5, (double)i / (COUNT - 1)));
    void *args[4] = {h, in, next, out};
    f.p.pops[0].forward(COUNT, args);
    double worst = 0;
    for (int i = 0; i < COUNT; i++) {
        double want = tanh((double)in[i]);
        worst = fmax(worst, fabs(next[i] - want) / fabs(want));
    }
    printf("%-34s worst relative error %.2e\n", "float32 tanh", worst);
    CHECK(worst < 2.4e-7);
    fixture_free(&f);
}

/* A neuron that exists only here: two states, a division and a sigmoid, so
 * nothing in the compiler can be special-cased for the stdlib's neurons. */
static const char test_neuron[] =
    "neuron Odd(tau = 3 ms, g = 0.7) {\n"
    "  state a = 0.1, b = -0.2\n  input I\n"
    "  da/dt = (-a + sigmoid(I + g * b)) / tau\n"
    "  b <- 0.5 * b + a * a / (1 + b * b)\n"
    "  output r = tanh(a - b)\n}\n";

/* Two states integrated exactly ('method exact'): a is linear in itself
 * (coefficient -1/tau) with a nonlinear input held over the step, c is
 * linear in itself with a coefficient from a parameter and a drive from a;
 * the adjoint is derived from the exact step like any other update. */
static const char exact_neuron[] =
    "neuron ExactPair(tau = 3 ms, k = 0.4) {\n"
    "  method exact\n"
    "  state a = 0.1, c = -0.2\n  input I\n"
    "  da/dt = (-a + tanh(I + c)) / tau\n"
    "  dc/dt = -k * c / 1 ms + a * a / 1 ms\n"
    "  output r = a - c\n}\n";

/* The shapes the runtime treats apart (rt_net_internal.h): the readout is
 * declared first, so the projections into it carry the previous step
 * (lagged); a and b feed each other; 70 trials make two chunks (64 + 6
 * rows) and 300 steps make 19 gradient blocks, the last one short. */
static void check_runtime_shapes(int baseline)
{
    static const char text[] =
        "import neurons.rate\n"
        "task Long(steps = 300) {\n  input x[3]\n  target y[2]\n  duration steps\n"
        "  x = normal()\n  y = normal()\n}\n"
        "network Net {\n  input x[3]\n  readout y : Linear[2]\n"
        "  pop a : TanhRate[4]\n  pop b : TanhRate[3](tau = 3 ms)\n"
        "  connect x -> a : all_to_all, init normal(0, 1)\n"
        "  connect a -> b : all_to_all, init normal(0, 0.6)\n"
        "  connect b -> a : all_to_all, init normal(0, 0.6)\n"
        "  connect a -> y : all_to_all, init normal(0, 1)\n"
        "  connect b -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n}\n"
        "train Net on Long { precision float64\n batch 70\n dt 1 ms }\n";
    fixture f;
    if (fixture_init(&f, text) != 0) {
        fprintf(stderr, "group shapes: the model did not compile\n");
        CHECK(0);
        fixture_free(&f);
        return;
    }
    if (baseline)
        f.net->avx2 = 0;   /* the passes built for every x86-64 (or any CPU), not for AVX2 */
    double worst = worst_relative_error(&f);
    printf("%-34s worst relative gradient error %.2e\n",
           baseline ? "the same, baseline build" : "lagged readout, 2 pops, 2 chunks", worst);
    CHECK(worst < 1e-6);
    fixture_free(&f);
}

/* A GRU cell (PyTorch's nn.GRU form, docs/extending.md 1.2): four ports,
 * and a product of two of them (r * H_n), so the adjoint of a port
 * depends on another port's value. */
static void check_gru(void)
{
    static const char text[] =
        "import neurons.rate\n"
        "neuron GRUCell {\n  state h = 0\n  input I_r, I_z, I_n, H_n\n"
        "  let r = sigmoid(I_r), z = sigmoid(I_z)\n  let n = tanh(I_n + r * H_n)\n"
        "  h <- (1 - z) * n + z * h\n  output y = h\n}\n"
        "task Noise(steps = 7) {\n  input x[3]\n  target y[2]\n  duration steps\n"
        "  x = normal()\n  y = normal()\n}\n"
        "network Net {\n  input x[3]\n  pop h : GRUCell[5]\n  readout y : Linear[2]\n"
        "  connect x -> h.I_r : all_to_all, init normal(0, 1)\n"
        "  connect x -> h.I_z : all_to_all, init normal(0, 1)\n"
        "  connect x -> h.I_n : all_to_all, init normal(0, 1), bias normal(0, 1)\n"
        "  connect h -> h.I_r : all_to_all, init normal(0, 0.6)\n"
        "  connect h -> h.I_z : all_to_all, init normal(0, 0.6)\n"
        "  connect h -> h.H_n : all_to_all, init normal(0, 0.6), bias normal(0, 1)\n"
        "  connect h -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n}\n"
        "train Net on Noise { precision float64\n batch 3\n dt 1 ms }\n";
    fixture f;
    if (fixture_init(&f, text) != 0) {
        fprintf(stderr, "GRU: the model did not compile\n");
        CHECK(0);
        fixture_free(&f);
        return;
    }
    double worst = worst_relative_error(&f);
    printf("%-34s worst relative gradient error %.2e\n", "GRUCell (4 ports) + Linear", worst);
    CHECK(worst < 1e-6);
    fixture_free(&f);
}

int main(void)
{
    check_gru();
    check_runtime_shapes(0);
    check_runtime_shapes(1);
    check_gradients("TanhRate + Linear", "import neurons.rate", "", "TanhRate[5]", "Linear");
    check_gradients("TanhRate(tau = 4 ms) + LeakyReadout", "import neurons.rate", "",
                    "TanhRate[5](tau = 4 ms)", "LeakyReadout");
    check_gradients("ReluRate + Linear", "import neurons.rate", "", "ReluRate[5]", "Linear");
    check_gradients("Odd (test-only neuron) + Linear", "import neurons.rate", test_neuron, "Odd[5]", "Linear");
    check_gradients("ExactPair (method exact) + Linear", "import neurons.rate", exact_neuron, "ExactPair[5]",
                    "Linear");
    check_float_tanh();
    check_jit_equals_eval("TanhRate", "import neurons.rate", "", "TanhRate[5]");
    check_jit_equals_eval("Odd", "import neurons.rate", test_neuron, "Odd[5]");
    check_jit_equals_eval("ExactPair", "import neurons.rate", exact_neuron, "ExactPair[5]");
    return check_report();
}
