"""Synapses written in the language (stdlib/synapses/, issue 16), against analytic results.

One input spike at t0 = 10 ms (dt = 0.1 ms, float64), weight w = 100 pA:
1. LIFExp's current synapse: I_syn(t) = w exp(-(t - t0) / tau_syn) on the
   step grid (the decay is exact: I_syn <- I_syn exp(-dt/tau_syn) + I), to
   1e-12 relative over the 50 ms after the spike, 0 before it; the membrane
   rises above E_L and returns towards it.
2. LIFAlpha's alpha synapse: I_syn(t) = w (t - t0)/tau_syn exp(1 - (t - t0)/tau_syn),
   from its two linear states (exact on the grid), peak w at tau_syn = 2 ms
   (20 steps) after the spike, to 1e-12.
3. LIFCondExp's inhibitory conductance (20 nS per step from 20 ms on, E_i =
   -80 mV): g_i follows g <- g exp(-dt/tau_i) + 20 nS, and the membrane falls
   towards the reversal potential without passing it (more than 79 mV below
   0 at the end, never below -80 mV): a conductance, unlike a current,
   cannot drive V past its reversal potential.
"""
import os
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC = sys.argv[1]
MODEL = """import synapses.current
import synapses.conductance
import neurons.rate
task Pulse {
  input  x, inh
  target y
  duration 60 ms
  x = abs(t - 10 ms) < 0.05 ms
  inh = t > 20 ms
}
network Net {
  input   x, inh
  pop     e : LIFExp[1](V_th = 100 mV, tau_syn = 5 ms)
  pop     a : LIFAlpha[1](V_th = 100 mV, tau_syn = 2 ms)
  pop     c : LIFCondExp[1](tau_i = 10 ms)
  readout y : Linear[1]
  connect x -> e : all_to_all, init constant(100 pA), frozen
  connect x -> a : all_to_all, init constant(100 pA), frozen
  connect inh -> c.G_I : all_to_all, init constant(20 nS), frozen
  connect x -> c.E : all_to_all, init constant(0 nS), frozen
  connect e -> y : all_to_all, init zeros, frozen
}
evaluate Net on Pulse { trials 1; dt 0.1 ms; precision float64 }
record e.I_syn, e.V, a.I_syn
record c.V, c.g_i
"""

with tempfile.TemporaryDirectory() as tmp:
    model = os.path.join(tmp, "synapses.rnn")
    with open(model, "w") as f:
        f.write(MODEL)
    out = os.path.join(tmp, "out")
    run_rnnc(RNNC, "run", model, "--out", out)
    rec = {n: np.load(os.path.join(out, "record_%s.npy" % n))[0, :, 0] for n in ("e_I_syn", "e_V", "a_I_syn", "c_V", "c_g_i")}
    dt, w, k0 = 0.1, 100.0, 100   # ms, pA; the spike's step: t = 10 ms
    s = (np.arange(len(rec["e_I_syn"])) - k0) * dt   # ms since the spike
    after = s >= 0
    want = np.where(after, w * np.exp(-np.maximum(s, 0) / 5.0), 0)
    err = np.abs(rec["e_I_syn"] - want).max() / w
    v = rec["e_V"]
    report(err < 1e-12 and v.max() > -69 and v[-1] < v.max() and v[:k0].max() == -70,
           "exponential current synapse: I_syn = w exp(-t/tau) to %.2g; the PSP peaks at %.3f mV" % (err, v.max()))
    want = np.where(after, w * np.maximum(s, 0) / 2.0 * np.exp(1 - np.maximum(s, 0) / 2.0), 0)
    err = np.abs(rec["a_I_syn"] - want).max() / w
    peak = int(np.argmax(rec["a_I_syn"])) - k0
    report(err < 1e-12 and peak == 20, "alpha current synapse: I_syn = w t/tau e^(1 - t/tau) to %.2g, peak %d "
           "steps after the spike" % (err, peak))
    g = np.zeros_like(rec["c_g_i"])
    for k in range(1, len(g)):   # inh is on for t > 20 ms, the steps from 201
        g[k] = g[k - 1] * np.exp(-dt / 10.0) + (20.0 if k * dt > 20 + 1e-9 else 0.0)
    gerr = np.abs(rec["c_g_i"] - g).max() / g.max()
    vc = rec["c_V"]
    report(gerr < 1e-12 and vc.min() >= -80 and vc[-1] < -79,
           "conductance synapse: g_i as its recursion to %.2g; V ends at %.3f mV, never below E_i = -80 mV (min %.3f)"
           % (gerr, vc[-1], vc.min()))

finish(os.path.basename(__file__))
