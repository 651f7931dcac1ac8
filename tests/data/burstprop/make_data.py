#!/usr/bin/python3
"""Data, initial weights and teaching schedule for the burstprop reference models.

Writes into FOLDER the arrays that tests/data/burstprop/*.rnn and
bench/burstprop/burstprop_2017.py load (shapes as in issue 15):

    x_set.npy [steps, n_in]  t_set.npy [steps, n_out]   float64
    W0.npy [n_h, n_in]  b0.npy [n_h]  Y.npy [n_h, n_out]  W1.npy [n_out, n_h]  b1.npy [n_out]
    teach.npy [epochs, steps] uint8: 1 where the target is shown

Section numbers are those of /work/shared/reference/burstprop.md.  The 2017 code drew
everything from NumPy's global stream; here one np.random.default_rng(seed) (PCG64, whose
stream NumPy keeps stable across versions) is drawn in the same order: data (inputs, then
targets), W0, Y, W1, then the teaching schedule.  Run with /usr/bin/python3.
"""
import argparse
import os

import numpy as np

W_RANGE = 0.1     # §1.1: W ~ U(-0.1, 0.1)
Y_RANGE = 10.0    # §1.1: Y ~ U(-10, 10)
BIAS = 0.1        # §1.1: b = 0.1
TEACH_PROB = 0.05  # §1.1: target shown when U(0, 1) >= 1 - 0.05


def sinusoids(rng, n_units, steps):
    """§1.2: per unit, 0.2 + 0.5(sin(a t + phi) + 1)A + 0.5(cos(b t + theta) + 1)B.

    The six parameters are drawn unit by unit in the 2017 order (a, phi, A, b, theta, B)."""
    low = np.array([0.01, 0.0, 0.1, 0.01, 0.0, 0.1])
    high = np.array([0.04, 20.0, 0.3, 0.05, 20.0, 0.3])
    a, phi, amp_a, b, theta, amp_b = rng.uniform(low, high, size=(n_units, 6)).T
    t = np.arange(steps, dtype=np.float64)[:, None]
    return (0.2 + 0.5 * (np.sin(a * t + phi) + 1.0) * amp_a
            + 0.5 * (np.cos(b * t + theta) + 1.0) * amp_b)


def make(seed, n_in, n_h, n_out, steps, epochs):
    rng = np.random.default_rng(seed)
    arrays = {"x_set": sinusoids(rng, n_in, steps), "t_set": sinusoids(rng, n_out, steps)}
    arrays["W0"] = W_RANGE * rng.uniform(-1.0, 1.0, size=(n_h, n_in))
    arrays["b0"] = np.full(n_h, BIAS)
    arrays["Y"] = Y_RANGE * rng.uniform(-1.0, 1.0, size=(n_h, n_out))
    arrays["W1"] = W_RANGE * rng.uniform(-1.0, 1.0, size=(n_out, n_h))
    arrays["b1"] = np.full(n_out, BIAS)
    # §1.8: one draw per step of every learning epoch; the last epoch (the test) shows none.
    teach = np.zeros((epochs, steps), dtype=np.uint8)
    teach[:-1] = rng.uniform(0.0, 1.0, size=(epochs - 1, steps)) >= 1.0 - TEACH_PROB
    arrays["teach"] = teach
    return arrays


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--n-in", type=int, default=500)
    p.add_argument("--n-h", type=int, default=200)
    p.add_argument("--n-out", type=int, default=3)
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=100)
    a = p.parse_args()
    if a.epochs < 1:
        p.error("--epochs must be at least 1 (the last epoch is the test)")
    os.makedirs(a.folder, exist_ok=True)
    for name, value in make(a.seed, a.n_in, a.n_h, a.n_out, a.steps, a.epochs).items():
        np.save(os.path.join(a.folder, name + ".npy"), value)


if __name__ == "__main__":
    main()
