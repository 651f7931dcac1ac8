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
2. A rule written in the model file, tests/data/plasticity/oja_pca.rnn:
   Oja's rule on a linear neuron whose two inputs have covariance
   [[1, .8], [.8, 1]] converges to the principal eigenvector (1, 1)/sqrt 2
   at unit length (Oja 1982). With eta = 0.002 the stationary wobble of the
   angle is about sqrt(eta l2 / (2 (l1 - l2))) = 0.6 degrees (l1 = 1.8,
   l2 = 0.2), so 3 degrees and 5 % of the length are five of them.
3. A three-factor rule (stdlib RewardSTDP, Izhikevich 2007) on one synapse,
   tests/data/plasticity/reward_stdp.rnn: a pre spike at step 100, a post
   spike at 110 set the synapse's eligibility trace to A+ exp(-10/tau+);
   it decays with tau_e, and a reward on the post neuron's port M for the one
   step 600 changes w by eta M e, e as it stood after step 599:
   eta A+ exp(-10/tau+) exp(-(600 - 1 - 110)/tau_e). Without the reward,
   not at all.
4. A rule and gradient learning in one network (stdp_with_bptt.rnn): STDP
   potentiates the input weights (A+ twice A-), within their bounds, while
   BPTT trains the readout: the loss falls well below its start (0.25, the
   zero readout against a target of 0.5).
5. Every rule of stdlib/plasticity/ checks and runs a short training on a
   network it suits, and changes the weights (finitely).
6. A change that is a product of a post-side and a pre-side factor (dw =
   eta post.r pre) is applied as an outer product, row by row, a row left
   alone where its post factor is 0; the same rule multiplied by
   where(w > -1e300, 1, 0) (1 for every finite weight, but it reads w) runs
   per synapse. Both must give the same weights, with a batch of 4 (the mean
   change) and of 1, within bounds that clip: in float64 they differ only by
   the rounding of adding the change to the weight before or after the
   batch's mean, far below 1e-12. summary.json says which form each took.
7. The published burstprop output (stdlib BurstProbOutput: the target
   nudges the burst probability, rho = rho_ref (1 + (T - lam)(1 - lam)))
   with BurstPropTeach (dW = eta (psi - rho_bar lam) pre on the target
   steps): with rho_bar starting at rho_ref, each target step changes the
   weights by eta lam rho_ref (T - lam)(1 - lam) pre, a delta rule on the
   squared error, so two output rates driven by fixed inputs converge to
   their targets (0.8 and 0.3): the last evaluation steps' rates within
   1e-6 of them, the loss below 1e-10 of its first 0.04.
"""
import json
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC, SOURCE = sys.argv[1], sys.argv[2]
DATA = os.path.join(SOURCE, "tests", "data", "plasticity")
def run(model, out, *defines):
    args = ["run", os.path.join(DATA, model), "--out", out]
    for d in defines:
        args += ["-D", d]
    run_rnnc(RNNC, *args)
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
    report(worst < 1e-9, "pair STDP's window at 10 pairings of each delta in -50..50 ms (worst relative error %.2g)" % worst)

    out = run("oja_pca.rnn", os.path.join(tmp, "oja"))
    w = np.load(os.path.join(out, "weights_final_x_y.npy"))[0]
    norm = float(np.linalg.norm(w))
    angle = math.degrees(math.acos(min(1.0, abs(w @ np.array([1.0, 1.0])) / math.sqrt(2) / norm)))
    report(angle < 3 and abs(norm - 1) < 0.05, "a rule written in the model (Oja's) finds the principal component: "
                                              "%.2f degrees off, length %.4f" % (angle, norm))

    for reward in (1, 0):
        out = run("reward_stdp.rnn", os.path.join(tmp, "reward%d" % reward), "Rewarded.reward=%d" % reward)
        w0 = np.load(os.path.join(out, "weights_initial_pre_post_I.npy"))[0, 0]
        w1 = np.load(os.path.join(out, "weights_final_pre_post_I.npy"))[0, 0]
        want = reward * 0.01 * math.exp(-10 / 20) * math.exp(-(600 - 1 - 110) / 1000)
        ok = abs((w1 - w0) - want) <= 1e-12 * max(abs(want), 1e-300) if reward else w1 == w0
        report(ok, "reward-modulated STDP, reward %d: dw %.15g, analytic %.15g" % (reward, w1 - w0, want))

    out = run("stdp_with_bptt.rnn", os.path.join(tmp, "mixed"))
    w0 = np.load(os.path.join(out, "weights_initial_x_h.npy"))
    w1 = np.load(os.path.join(out, "weights_final_x_h.npy"))
    with open(os.path.join(out, "loss.csv")) as f:
        losses = [float(r["loss"]) for r in csv.DictReader(f)]
    report(w1.mean() > w0.mean() + 0.01 and w1.min() >= 0 and w1.max() <= 0.1 + 1e-6,   # float32 0.1
          "STDP beside BPTT: input weights potentiated within bounds (mean %.4f -> %.4f)" % (w0.mean(), w1.mean()))
    report(losses[-1] < 0.5 * losses[0], "STDP beside BPTT: the trained readout's loss %.4f -> %.4f"
          % (losses[0], losses[-1]))

    # 5. each standard rule on a network it suits: spiking rules from Poisson
    # inputs onto LIF neurons, rate rules onto a rate unit, burstprop's onto
    # burst units; a rule added to stdlib/plasticity/ must be added here
    spiking = """import neurons.lif
import neurons.rate
import plasticity.stdp
task Drive {
  input  x[20]
  target y
  duration 400 ms
  x = poisson(40 Hz)
}
network Net {
  input   x[20]
  pop     h : LIF[10]
  readout y : Linear[1]
  connect x -> h : all_to_all, init uniform(0, 0.05), plasticity RULE
  connect h -> y : all_to_all
}
train Net on Drive { learn local; iterations 3; batch 1 }
"""
    rate = """import neurons.rate
import plasticity.hebbian
task Drive {
  input  x[4]
  target y
  duration 200
  x = 0.5 + 0.5 * normal()
}
network Net {
  input   x[4]
  pop     h : TanhRate[3](tau = 1 step)
  readout y : Linear[1]
  connect x -> h : all_to_all, init uniform(0, 0.5), plasticity RULE
  connect h -> y : all_to_all
}
train Net on Drive { learn local; iterations 3; batch 1 }
"""
    burst = """import neurons.burst
import neurons.rate
import plasticity.burstprop
task Drive {
  input  x[4], on
  target y
  duration 200
  x = 0.5 + 0.2 * sin(t / (10 ms))
  on = 1
}
network Net {
  input   x[4], on
  pop     xs : HalfTrace[4]
  pop     h : BurstHidden[5]
  readout y : Linear[1]
  connect x -> xs.I : one_to_one, init constant(1)
  connect on -> xs.G : all_to_all, init constant(1)
  connect xs -> h.I : all_to_all, init uniform(-1, 1), bias constant(0.1), plasticity RULE
  connect h -> h.A : all_to_all, init uniform(-1, 1)
  connect on -> h.soma : all_to_all, init constant(1)
  connect on -> h.apical : all_to_all, init constant(1)
  connect on -> h.shown : all_to_all, init constant(1)
  connect h -> y : all_to_all
}
train Net on Drive { learn local; iterations 3; batch 1 }
"""
    suits = {"STDP": spiking, "TripletSTDP": spiking, "Oja": rate, "BCM": rate, "BurstDelta": burst,
             "BurstProp": burst, "BurstPropTeach": burst, "RewardSTDP": None}   # None: run by its own test above
    folder = os.path.join(SOURCE, "stdlib", "plasticity")
    rules = [m for f in sorted(os.listdir(folder)) if f.endswith(".rnn")
             for m in re.findall(r"^plasticity (\w+)", open(os.path.join(folder, f)).read(), re.M)]
    report(set(rules) == set(suits), "the test knows every standard rule: %s" % ", ".join(rules))
    for rule in rules:
        if not suits.get(rule):
            continue
        model = os.path.join(tmp, "rule_%s.rnn" % rule)
        with open(model, "w") as f:
            f.write(suits[rule].replace("RULE", rule))
        out = os.path.join(tmp, "rule_%s" % rule)
        p = subprocess.run([RNNC, "run", model, "--out", out], capture_output=True, text=True)
        if p.returncode != 0:
            report(False, "rule %s runs:\n%s" % (rule, p.stderr))
            continue
        stem = "xs_h_I" if suits[rule] is burst else "x_h"
        w0 = np.load(os.path.join(out, "weights_initial_%s.npy" % stem))
        w1 = np.load(os.path.join(out, "weights_final_%s.npy" % stem))
        report(np.all(np.isfinite(w1)) and np.abs(w1 - w0).max() > 0,
              "rule %s runs and changes the weights (largest change %.3g)" % (rule, np.abs(w1 - w0).max()))

    # 6. the outer-product form against the per-synapse form of one rule
    outer = """import neurons.rate
plasticity Product(eta = 0.004) {
  dw = eta * post.r * pre * GATE
}
task Drive {
  input  x[6]
  target y
  duration 50
  x = 0.5 + 0.5 * normal()
}
network Net {
  input   x[6]
  pop     h : TanhRate[5](tau = 2 step)
  readout y : Linear[1]
  connect x -> h : all_to_all, init uniform(-0.2, 0.2), bounds(-0.3, 0.3), plasticity Product
  connect h -> y : all_to_all
}
train Net on Drive { learn local; iterations 4; batch 4; precision float64 }
"""
    for batch in (4, 1):
        finals, forms = [], []
        for gate in ("1", "where(w > -1e300, 1, 0)"):
            model = os.path.join(tmp, "outer.rnn")
            with open(model, "w") as f:
                f.write(outer.replace("GATE", gate))
            out = os.path.join(tmp, "outer_%d_%d" % (batch, len(finals)))
            run_rnnc(RNNC, "run", model, "--out", out, "-D", "batch=%d" % batch)
            finals.append(np.load(os.path.join(out, "weights_final_x_h.npy")))
            forms.append(json.load(open(os.path.join(out, "summary.json")))["plasticity"]["x -> h"]["update"])
        w0 = np.load(os.path.join(out, "weights_initial_x_h.npy"))
        diff = np.abs(finals[0] - finals[1]).max()
        report(forms == ["outer product", "per synapse"] and diff < 1e-12 and np.abs(finals[0] - w0).max() > 0.01
               and np.abs(finals[0]).max() <= 0.3 and (np.abs(finals[0]) == 0.3).any(),
               "batch %d: the outer-product form (%s) equals the per-synapse form (%s) to %.2g" % (batch, forms[0],
                                                                                               forms[1], diff))

    # 7. the published burstprop output layer learns its target rates
    teach = """import neurons.burst
import plasticity.burstprop
task Teach {
  input  x[4], target_rate[2], shown, on
  target y[2]
  duration 400
  x[0] = 1
  x[1] = 0.5
  x[2] = 0.2
  x[3] = 0.8
  target_rate[0] = 0.8
  target_rate[1] = 0.3
  shown = bernoulli(0.1)
  on = 1
  mask = shown
}
network Net {
  input   x[4], target_rate[2], shown, on
  pop     xs : HalfTrace[4]
  readout y : BurstProbOutput[2]
  connect x -> xs.I : one_to_one, init constant(1)
  connect on -> xs.G : all_to_all, init constant(1)
  connect xs -> y.I : all_to_all, init uniform(-0.5, 0.5), plasticity BurstPropTeach(eta = 2, rho_bar0 = 0.2)
  connect target_rate -> y.T : one_to_one, init constant(1)
  connect shown -> y.shown : all_to_all, init constant(1)
}
train Net on Teach { learn local; sequence continuous; samples 30; epochs 1; batch 1; precision float64 }
record y.rate
"""
    model = os.path.join(tmp, "teach.rnn")
    with open(model, "w") as f:
        f.write(teach)
    out = os.path.join(tmp, "teach")
    run_rnnc(RNNC, "run", model, "--out", out)
    with open(os.path.join(out, "loss.csv")) as f:
        losses = [float(r["loss"]) for r in csv.DictReader(f)]
    rate = np.load(os.path.join(out, "record_y_rate.npy"))[0, -1]
    report(np.abs(rate - [0.8, 0.3]).max() < 1e-6 and losses[-1] < 1e-10 < losses[0],
           "BurstProbOutput with BurstPropTeach: rates %.7f, %.7f for targets 0.8, 0.3; loss %.3g -> %.3g"
           % (rate[0], rate[1], losses[0], losses[-1]))

finish(os.path.basename(__file__))
