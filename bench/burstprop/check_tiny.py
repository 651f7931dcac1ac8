#!/usr/bin/python3
"""Hand-computed first steps of a 2-2-1 network against bench/burstprop/burstprop_2017.py.

All weights and biases start at 0, Y = 0, the input is the constant (0.4, 0.8) and the target
the constant 0.9; targets are shown at steps 1, 3 and 4 of epoch 0 only (200 steps = 2 blocks;
epoch 1 is the test).  Then every sigmoid before the first hidden update is sigma(0) = 1/2, and the
numbers below follow from §1.3-§1.8 of /work/shared/reference/burstprop.md by hand:

  step 0: nothing runs.                                   lam1 = 0 (states start at 0, §1.8)
  step 1: target shown but time < 2: no nudge, no update; the loss attribute is still 0 and
          counts once.  soma: x~ = (0.2, 0.4), lam0 = 1/2.      lam1 = 0
  step 2: lam0~ = (0 + 1/2)/2 = 1/4, lam1 = sigma(0) = 1/2.     lam1 = 1/2
  step 3: target: lam0~ = 3/8, lam1 = (1/2 + 0.9)/2 = 0.7; loss = (0.9 - 1/2)^2 = 0.16;
          E1 = (0.7 - 1/2)(-1/4) = -0.05, W1 = 0.01 * 0.05 * 3/8 = 1.875e-4 (each), b1 = 5e-4.
          The apical does not run yet (time > 3 fails).
  step 4: target: lam1_prev = 0.7 so loss = (0.9 - 0.7)^2 = 0.04.  x~ = (0.375, 0.75).
          First apical step: rho0 = 1/2, rho0_prev = 0, psi0 = 1/4, psi0_prev = 0, and the
          hidden update for the target of step 3 runs with lam0_prev = 1/2:
            3cd91fb: E0 = (1/2 - 0)(-1/4) = -1/8     -> b0 = 5/8,  W0 rows = 5/8 x~
            fd8336a: E0 = 1/2 (1/4 - 0)(-1/4) = -1/32 -> b0 = 5/32, W0 rows = 5/32 x~
  block 0 loss = (0 + 0.16 + 0.04) / 3; blocks with no target report 0.
  steps 5-6: lam0(5) = sigma(W0 x~(5) + b0), x~(5) = (0.3875, 0.775); lam1(6) reads it through
          lam0~(6) = (lam0~(5) + lam0(5))/2 with lam0~(5) = (7/16 + 1/2)/2.
  epoch 1, steps 0-1: the output layer does not run and nothing is reset, so lam1 keeps its
          value from the last step of epoch 0.
Prints one line per check and exits non-zero if one fails.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import burstprop_2017  # noqa: E402


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def tiny_arrays():
    steps = 200
    teach = np.zeros((2, steps), dtype=np.uint8)
    teach[0, [1, 3, 4]] = 1
    return {"x_set": np.tile([0.4, 0.8], (steps, 1)), "t_set": np.full((steps, 1), 0.9),
            "W0": np.zeros((2, 2)), "b0": np.zeros(2), "Y": np.zeros((2, 1)),
            "W1": np.zeros((1, 2)), "b1": np.zeros(1), "teach": teach}


def by_hand(variant):
    """lam1 at step 6 of epoch 0, from the hand values above."""
    w1, b1 = 0.01 * 0.05 * 3 / 8, 0.01 * 0.05            # after step 3
    lam0_tr4 = (3 / 8 + 1 / 2) / 2                         # 7/16
    lam1_4 = sigma(2 * w1 * lam0_tr4 + b1)
    E1 = ((lam1_4 + 0.9) / 2 - 0.7) * -0.7 * 0.3           # step 4, lam1 nudged
    w1, b1 = w1 - 0.01 * E1 * lam0_tr4, b1 - 0.01 * E1
    scale = 5 / 8 if variant == "3cd91fb" else 5 / 32      # -eta0 E0 at step 4
    x4, x5 = (0.375, 0.75), (0.3875, 0.775)
    lam0_5 = sigma(scale * (x4[0] * x5[0] + x4[1] * x5[1]) + scale)
    lam0_tr6 = ((lam0_tr4 + 1 / 2) / 2 + lam0_5) / 2
    return sigma(2 * w1 * lam0_tr6 + b1)


def main():
    failures = 0

    def check(what, got, want, tol=1e-15):
        nonlocal failures
        ok = abs(got - want) <= tol * max(1.0, abs(want))
        failures += not ok
        print("%s %s: port %.17g, expected %.17g" % ("ok  " if ok else "FAIL", what, got, want))

    for variant in ("fd8336a", "3cd91fb"):
        losses, outputs, _ = burstprop_2017.run(tiny_arrays(), variant, 5.0, 0.01)
        for step, want in enumerate([0.0, 0.0, 0.5, 0.7]):
            check("%s lam1 step %d" % (variant, step), outputs[0, step, 0], want)
        check(variant + " block 0 loss", losses[0], (0.0 + 0.16 + 0.04) / 3)
        check(variant + " block 1 loss (no target)", np.abs(losses[1:]).max(), 0.0)
        check(variant + " lam1 step 6", outputs[0, 6, 0], by_hand(variant))
        for step in (0, 1):
            check("%s epoch 1 step %d keeps lam1" % (variant, step),
                  outputs[1, step, 0], outputs[0, -1, 0], 0.0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
