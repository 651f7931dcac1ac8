/* test_draws.c -- BPTT through a neuron that draws random numbers.
 *
 * A rate unit with private input noise, dx/dt = (-x + I + sigma normal()) / tau,
 * and a stochastic gate, x' *= (1 - 0.5 bernoulli(0.3)), trained on an MSE:
 * the backward pass must read the very numbers the forward pass drew (they
 * are inputs of the kernel, kept in the port's history), so the gradient
 * of every weight equals central differences of the loss (float64,
 * relative 1e-6 as test_backprop.c argues), each difference two forward
 * passes that draw the same numbers again (they are a function of the
 * seed, the trial, the step and the neuron). A backward pass that took
 * other numbers, or none, misses by the noise's share of the loss, which
 * sigma = 0.5 makes large; a forward pass that drew afresh would make the
 * differences noise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compile_net.h"
#include "plan.h"
#include "rt_net_internal.h"
#include "rt_rng.h"

static const char text[] =
    "import neurons.rate\n"
    "neuron Noisy(tau = 5 ms, sigma = 0.5) {\n  state x = 0\n  input I\n"
    "  let gate = 1 - 0.5 * bernoulli(0.3)\n"
    "  x <- gate * (x + dt * (-x + tanh(I) + sigma * normal()) / tau)\n  output r = x\n}\n"
    "task Noise(steps = 15) {\n  input x[6]\n  target y[2]\n  duration steps\n  x = normal()\n  y = normal()\n}\n"
    "network Net {\n  input x[6]\n  pop h : Noisy[12]\n  readout y : Linear[2]\n"
    "  connect x -> h : all_to_all, init normal(0, 1)\n"
    "  connect h -> h : all_to_all, init normal(0, 0.5)\n"
    "  connect h -> y : all_to_all, init normal(0, 1), bias normal(0, 1)\n}\n"
    "train Net on Noise { precision float64\n batch 3\n dt 1 ms }\n";

static double loss(rt_net *net, const void *const *targets)
{
    rt_net_forward(net);
    return rt_net_mse(net, targets, NULL);
}

int main(void)
{
    frontend fe;
    frontend_options opts = {0};
    plan p;
    rt_net *net = NULL;
    memset(&p, 0, sizeof p);
    int ok = compile_net(&fe, &opts, &p, &net, text, 3) == 0;
    CHECK(ok);
    if (ok) {
        CHECK(p.pops[0].n_draws == 2);
        uint64_t trials[3] = {7, 8, 9};
        rt_net_set_draws(net, 5, trials);
        size_t T = p.task.steps, B = 3;
        double *x = rt_net_input(net, 0), *target = malloc(T * B * 2 * sizeof *target);
        for (size_t i = 0; i < T * B * 6; i++)
            x[i] = rt_rng_normal(6, 1, i);
        for (size_t i = 0; i < T * B * 2; i++)
            target[i] = rt_rng_normal(6, 2, i);
        const void *targets[1] = {target};
        double base = loss(net, targets);
        CHECK(loss(net, targets) == base);   /* the same numbers drawn again */
        double worst = fd_worst_error(net, p.n_projs, targets);
        /* the noise matters: other trials draw other numbers, another loss */
        uint64_t others[3] = {1, 2, 3};
        rt_net_set_draws(net, 5, others);
        double other = loss(net, targets);
        printf("BPTT through drawn noise: worst relative error %.2e against finite differences; loss %.6f, "
               "%.6f with other trials' noise\n", worst, base, other);
        CHECK(worst < 1e-6);
        CHECK(fabs(other - base) > 1e-3 * base);
        free(target);
    }
    rt_net_free(net);
    plan_free(&p);
    frontend_free(&fe);
    return check_report();
}
