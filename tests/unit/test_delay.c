/* test_delay.c -- transmission delays: the forward pass delivers D steps
 * late, and BPTT carries the gradient back the same D steps.
 *
 *   - A ring of relay neurons (each fires on the step its input exceeds
 *     0.5, then forgets) fed by one input spike at step T0: x -> a (delay
 *     D1), a -> b (D2), b -> c (D3) arrive in the step they are sent, plus
 *     their delays; c -> a (D4) goes back to an earlier population, which
 *     without a delay would take one step, and with D4 >= 1 takes D4
 *     steps like the others (a delay counts from the spike, whatever the
 *     order of the populations). By hand: a fires at T0 + D1, b at
 *     T0 + D1 + D2, c at T0 + D1 + D2 + D3, and the ring repeats with
 *     period D2 + D3 + D4; every other step is silent. Dense and sparse
 *     storage alike.
 *   - The gradient of an MSE through delayed input and recurrent
 *     projections, dense and sparse, against central differences in
 *     float64 (relative 1e-6, as test_backprop.c argues). A backward pass
 *     that ignored the delay would route the adjoint to the wrong steps
 *     and miss by far more.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_net_internal.h"
#include "rt_rng.h"

enum { T0 = 3, D1 = 2, D2 = 0, D3 = 4, D4 = 2, STEPS = 40 };

static const char ring_text[] =
    "import neurons.rate\n"
    "neuron Relay {\n  state v = 0\n  input I\n  v <- I\n  spike z when v > 0.5\n  reset v = 0\n"
    "  surrogate z = 1\n  output s = z\n}\n"
    "task Quiet(steps = 40) {\n  input x[1]\n  target y[1]\n  duration steps\n  x = 0\n  y = 0\n}\n"
    "network Ring {\n  input x[1]\n  pop a : Relay[4]\n  pop b : Relay[4]\n  pop c : Relay[4]\n"
    "  readout y : Linear[1]\n"
    "  connect x -> a : all_to_all, init constant(1), delay %d ms\n"
    "  connect a -> b : one_to_one, init constant(1), delay %d, storage %s\n"
    "  connect b -> c : one_to_one, init constant(1), delay %d, storage %s\n"
    "  connect c -> a : one_to_one, init constant(1), delay %d, storage %s\n"
    "  connect c -> y : all_to_all, init constant(0)\n}\n"
    "train Ring on Quiet { precision float64\n batch 1\n dt 1 ms }\n";

/* Whether population P fires (every neuron) exactly at the steps FIRST,
 * FIRST + PERIOD, ... and never otherwise. */
static int fires_at(rt_net *net, unsigned p, int first, int period)
{
    const double *z = rt_net_output_history(net, p, 0);
    for (int t = 0; t < STEPS; t++) {
        int want = t >= first && (t - first) % period == 0;
        for (int i = 0; i < 4; i++)
            if ((z[t * 4 + i] != 0) != want) {
                fprintf(stderr, "population %u neuron %d at step %d: %g, expected %d\n", p, i, t, z[t * 4 + i],
                        want);
                return 0;
            }
    }
    return 1;
}

static void check_ring(const char *storage)
{
    char text[2048];
    snprintf(text, sizeof text, ring_text, D1, D2, storage, D3, storage, D4, storage);
    frontend fe;
    frontend_options opts = {0};
    plan p;
    rt_net *net = NULL;
    memset(&p, 0, sizeof p);
    int ok = compile_net(&fe, &opts, &p, &net, text, 1) == 0;
    CHECK(ok);
    if (ok) {
        CHECK(p.rt_projs[1].delay == D2 && p.rt_projs[2].delay == D3 && p.rt_projs[3].delay == D4);
        CHECK((p.rt_projs[1].sparse != NULL) == (strcmp(storage, "sparse") == 0));
        double *x = rt_net_input(net, 0);
        memset(x, 0, STEPS * sizeof *x);
        x[T0] = 1;
        rt_net_forward(net);
        int period = D2 + D3 + D4;
        CHECK(fires_at(net, 0, T0 + D1, period));
        CHECK(fires_at(net, 1, T0 + D1 + D2, period));
        CHECK(fires_at(net, 2, T0 + D1 + D2 + D3, period));
        printf("ring of delays (%s): a at %d, b at %d, c at %d, period %d\n", storage, T0 + D1, T0 + D1 + D2,
               T0 + D1 + D2 + D3, period);
    }
    rt_net_free(net);
    plan_free(&p);
    frontend_free(&fe);
}

static const char rate_text[] =
    "import neurons.rate\n"
    "task Noise(steps = 12) {\n  input x[30]\n  target y[2]\n  duration steps\n  x = normal()\n  y = normal()\n}\n"
    "network Net {\n  input x[30]\n  pop h : TanhRate[30]\n  readout y : Linear[2]\n"
    "  connect x -> h : fixed_probability(0.3), init normal(0, 1), delay 1, storage %s\n"
    "  connect h -> h : fixed_probability(0.3), init normal(0, 0.8), delay 3, storage %s\n"
    "  connect h -> y : all_to_all, init normal(0, 1), delay 2 ms, bias normal(0, 1)\n}\n"
    "train Net on Noise { precision float64\n batch 2\n dt 1 ms }\n";

static void check_gradients(const char *storage)
{
    char text[2048];
    snprintf(text, sizeof text, rate_text, storage, storage);
    frontend fe;
    frontend_options opts = {0};
    plan p;
    rt_net *net = NULL;
    memset(&p, 0, sizeof p);
    int ok = compile_net(&fe, &opts, &p, &net, text, 4) == 0;
    CHECK(ok);
    if (!ok) {
        rt_net_free(net);
        plan_free(&p);
        frontend_free(&fe);
        return;
    }
    size_t T = p.task.steps, B = p.settings.batch;
    double *x = rt_net_input(net, 0), *target = malloc(T * B * 2 * sizeof *target);
    for (size_t i = 0; i < T * B * 30; i++)
        x[i] = rt_rng_normal(6, 1, i);
    for (size_t i = 0; i < T * B * 2; i++)
        target[i] = rt_rng_normal(6, 2, i);
    const void *targets[1] = {target};
    double worst = fd_worst_error(net, p.n_projs, targets);
    printf("BPTT through delays (%s): worst relative error %.2e against finite differences\n", storage, worst);
    CHECK(worst < 1e-6);
    free(target);
    rt_net_free(net);
    plan_free(&p);
    frontend_free(&fe);
}

int main(void)
{
    check_ring("dense");
    check_ring("sparse");
    check_gradients("dense");
    check_gradients("sparse");
    return check_report();
}
