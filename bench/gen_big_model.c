/* gen_big_model.c -- writes a large, valid .rnn model for front-end timing.
 *
 *   gen_big_model LINES > big.rnn
 *
 * The model repeats the shapes real models have (neurons with ODEs and
 * spikes, networks with connects, tasks with loops and phases) with fresh
 * names, so every line is parsed and checked; it ends with a train block.
 */
#include <stdio.h>
#include <stdlib.h>

static int neuron(int i)
{
    printf("# an adaptive LIF variant, number %d\n", i);
    printf("neuron ALIF%d(tau_m = %d ms, tau_a = 200 ms, v_th = 0.03, beta = 1.7) {\n", i, 20 + i % 10);
    printf("  param gamma = 0.3, v_reset = 0\n");
    printf("  state v = 0, a = 0\n");
    printf("  input I\n");
    printf("  let A = v_th + beta * a\n");
    printf("  v <- exp(-dt / tau_m) * v + I - z * v_th\n");
    printf("  a <- exp(-dt / tau_a) * a + z\n");
    printf("  spike z when v > A\n");
    printf("  surrogate z = gamma / v_th * max(0, 1 - abs((v - A) / v_th))\n");
    printf("  output r = z\n");
    printf("}\n\n");
    return 13;
}

static int task(int i)
{
    printf("task Pulses%d(bits = 3, width = 20, noise = 0.1) {\n", i);
    printf("  input x[bits]\n  target y[bits]\n  duration 340 steps\n");
    printf("  for c in 0 .. bits {\n");
    printf("    draw t1 = randint(10, 100), a1 = choice(-1, 1)\n");
    printf("    pulse x[c] = a1 at t1 for width\n");
    printf("    y[c] = latch(x[c], after = width + 20)\n");
    printf("  }\n  x += noise * normal()\n}\n\n");
    return 12;
}

static int network(int i, int neuron_index)
{
    printf("network Net%d(n = 100) {\n", i);
    printf("  input x[3]\n");
    printf("  pop h : ALIF%d[n](tau_m = 25 ms)\n", neuron_index);
    printf("  readout y : ALIF%d[3]\n", neuron_index);
    printf("  connect x -> h : all_to_all, init normal(0, 1 / sqrt(fan_in))\n");
    printf("  connect h -> h : fixed_probability(0.1), init normal(0, 0.1), no_autapses, dale(exc = 0.8)\n");
    printf("  connect h -> y : all_to_all, init glorot_uniform, bias\n");
    printf("}\n\n");
    return 9;
}

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 10000;
    long lines = 0;
    int i = 0;
    while (lines < want - 10) {
        lines += neuron(i);
        lines += task(i);
        lines += network(i, i);
        i++;
    }
    printf("train Net0 on Pulses0(bits = 3) {\n  learn bptt\n  loss mse\n"
           "  optimizer adam(lr = 1e-3)\n  epochs 1\n  batch 16\n}\n");
    return 0;
}
