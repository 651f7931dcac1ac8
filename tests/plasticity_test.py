"""Local plasticity rules against analytic results (issue 15).

1. Pair STDP (stdlib synapses.stdp, Song, Miller & Abbott 2000) on one
   synapse, tests/data/plasticity/stdp_window.rnn: a presynaptic spike and a
   forced postsynaptic spike DELTA apart, 10 pairings 250 ms apart, for DELTA
   in -50 .. 50 ms. The traces decay exactly over each step, so the weight
   change is the all-to-all sum of the exponential window over every pair of
   spikes, computed here from the spike times alone:
       dw = A+ sum_{post q} sum_{pre p <= q} exp(-(q - p) / tau+)
          - A- sum_{pre p} sum_{post q < p} exp(-(p - q) / tau-)
   (a pre and a post spike on the same step count as pre before post).
   Float64, so the two agree to rounding.
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

RNNC, SOURCE = sys.argv[1], sys.argv[2]
DATA = os.path.join(SOURCE, "tests", "data", "plasticity")
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    failures += 0 if ok else 1


def run(model, out, *defines):
    args = [RNNC, "run", os.path.join(DATA, model), "--out", out]
    for d in defines:
        args += ["-D", d]
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("rnnc failed: %s\n%s" % (" ".join(args), p.stderr))
    return out


def stdp_expected(delta_ms, pairings=10, a_plus=0.005, a_minus=0.00525, tau_plus=16.8, tau_minus=33.7):
    pre = [100 + 250 * k for k in range(pairings)]
    post = [p + delta_ms for p in pre]
    dw = 0.0
    for q in post:
        dw += sum(a_plus * math.exp(-(q - p) / tau_plus) for p in pre if p <= q)
    for p in pre:
        dw -= sum(a_minus * math.exp(-(p - q) / tau_minus) for q in post if q < p)
    return dw


with tempfile.TemporaryDirectory() as tmp:
    worst = 0.0
    for delta in range(-50, 51, 10):
        out = run("stdp_window.rnn", os.path.join(tmp, "stdp%d" % delta), "Pairing.delta=%dms" % delta)
        w0 = np.load(os.path.join(out, "weights_initial_pre_post.npy"))[0, 0]
        w1 = np.load(os.path.join(out, "weights_final_pre_post.npy"))[0, 0]
        want = stdp_expected(delta)
        err = abs((w1 - w0) - want) / abs(want)
        worst = max(worst, err)
        print("  delta %+3d ms: dw %.12f, analytic %.12f" % (delta, w1 - w0, want))
    check(worst < 1e-9, "pair STDP's window at 10 pairings of each delta in -50..50 ms (worst relative error %.2g)" % worst)

sys.exit(1 if failures else 0)
