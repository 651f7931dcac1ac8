"""models/burstprop_temporal.rnn and burst-dependent plasticity without targets (issue 15).

1. The model, shortened by -D to a 100-50-3 network and 3 learning epochs of
   2000 steps plus the test epoch (its data, weights and teaching schedule
   come from the seed, so every run here sees the same ones):
   - loss.csv has one row per 100-step block of the learning epochs: 3 x 20,
     blocks 1..20 in each, none for the test epoch;
   - learning lowers the loss: in epochs 2 and 3 the block-loss mean is below
     0.95 times that of the same run with both rates 0 (same data, same target
     steps, weights fixed); measured 0.0128 and 0.0116 against 0.0152 and 0.0140;
   - generate mode drives the second half of the test epoch: against the run
     with -D generate_mode=0, the recorded output rate is bit-identical up to
     step 1001 and differs from step 1002 on (the hidden rate is replaced by
     the burst rate at steps t > 1000, and the output layer reads the hidden
     rate of the step before: reference burstprop.md section 1.8).
   - the model's 'record y.rate, target_rate in training' keeps the first
     and the last learning epochs: the target rate is the same frozen
     sinusoids in both and in the test epoch; the teaching mask counts about
     5 % of the steps; and the last epoch's block losses in loss.csv are
     recomputed from the record alone: the loss at a target step t is
     (target_t - lam_{t-1})^2 (section 1.8: d = t - lam of the step before,
     nudged or not), lam_{t-1} being y.rate recorded at step t - 1 (blocks 2
     to 20: in block 1 the output layer's start-up gap keeps d from a step
     before). The report draws them in record_y_rate.svg, with dots at the
     target steps.
2. tests/data/burstprop/steady.rnn: a constant input and a constant apical
   input (so the burst probability rho is constant), no target.
   - BurstDelta (the 2017 rule) changes nothing: its error is 0 on every step
     without a target, so weights and bias stay bit-identical.
   - BurstProp (dW = eta (psi - rho_bar lam) pre = eta lam (rho - rho_bar) pre)
     changes the weights while rho_bar converges, then stops:
     rho - rho_bar shrinks by (1 - dt/tau_avg) per step, so after T steps one
     step changes a weight by at most eta * pre * (1 - dt/tau_avg)^T (lam,
     rho <= 1; pre = 0.5 at steady state) plus the rounding of w + dw (an ulp of
     |w|). Over the K = 10 steps after T = 300 (tau_avg = 5 steps) that bound
     is 10 (0.25 * 0.8^300 + 2.2e-16 max|w|) ~ 4e-15, while over steps 10..19
     the change must be above 1e-3 (the analytic change there is about
     0.1 lam rho), so a rule that does not settle fails.
"""
import csv
import os
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC, SOURCE = sys.argv[1], sys.argv[2]
MODEL = os.path.join(SOURCE, "models", "burstprop_temporal.rnn")
STEADY = os.path.join(SOURCE, "tests", "data", "burstprop", "steady.rnn")
SMALL = ["-D", "n_in=100", "-D", "n_h=50", "-D", "n_epochs=4"]
def run(model, out, *defines):
    run_rnnc(RNNC, "run", model, "--out", out, *defines)
    return out


def epoch_means(out):
    with open(os.path.join(out, "loss.csv")) as f:
        rows = list(csv.DictReader(f))
    means = {}
    for r in rows:
        means.setdefault(int(r["update"]), []).append(float(r["loss"]))
    return rows, {k: float(np.mean(v)) for k, v in means.items()}


with tempfile.TemporaryDirectory() as tmp:
    learn = run(MODEL, os.path.join(tmp, "learn"), *SMALL)
    fixed = run(MODEL, os.path.join(tmp, "fixed"), *SMALL, "-D", "eta_hidden=0", "-D", "eta_output=0")
    nogen = run(MODEL, os.path.join(tmp, "nogen"), *SMALL, "-D", "generate_mode=0")

    rows, learned = epoch_means(learn)
    report(len(rows) == 60 and [int(r["block"]) for r in rows] == list(range(1, 21)) * 3,
          "loss.csv: %d rows, blocks 1..20 of each of the 3 learning epochs" % len(rows))
    _, frozen = epoch_means(fixed)
    for k in (2, 3):
        report(learned[k] < 0.95 * frozen[k], "epoch %d: mean block loss %.4g learning, %.4g with the weights fixed"
              % (k, learned[k], frozen[k]))

    gen = np.load(os.path.join(learn, "record_y_rate.npy"))[0]
    plain = np.load(os.path.join(nogen, "record_y_rate.npy"))[0]
    differs = np.flatnonzero((gen != plain).any(axis=1))
    first = int(differs[0]) if differs.size else -1
    report(first == 1002 and np.abs(gen[1002:] - plain[1002:]).max() > 1e-3,
          "generate mode: the test epoch's output first differs at step %d (want 1002), by up to %.3g"
          % (first, np.abs(gen - plain).max()))

    train_y = np.load(os.path.join(learn, "record_train_y_rate.npy"))
    train_t = np.load(os.path.join(learn, "record_train_target_rate.npy"))
    mask = np.load(os.path.join(learn, "record_train_mask.npy"))
    test_t = np.load(os.path.join(learn, "record_target_rate.npy"))[0]
    report(train_y.shape == (2, 2000, 3) and mask.shape == (2, 2000) and np.array_equal(train_t[0], train_t[1])
           and np.array_equal(train_t[0], test_t) and 0.03 < mask.mean() < 0.07,
           "record in training: first and last learning epochs kept, the same target, %.1f %% of steps taught"
           % (100 * mask.mean()))
    last = [r for r in rows if int(r["update"]) == 3]
    worst = 0.0
    for r in last[1:]:
        b = int(r["block"]) - 1
        steps = [t for t in range(100 * b, 100 * b + 100) if mask[1, t] > 0]
        want = np.mean([np.mean((train_t[1, t] - train_y[1, t - 1]) ** 2) for t in steps]) if steps else 0.0
        worst = max(worst, abs(want - float(r["loss"])) / max(abs(want), 1e-300))
    report(len(last) == 20 and worst < 1e-9,
           "the last learning epoch's block losses from the recorded rate and target (worst relative error %.2g)" % worst)
    svg = open(os.path.join(learn, "record_y_rate.svg")).read()
    report("target_rate" in svg and "y.rate" in svg and "steps the loss counts" in svg,
           "record_y_rate.svg draws the rate against target_rate, with dots at the target steps")

    def weights(steps, name):
        out = os.path.join(tmp, "steady%d" % steps)
        if not os.path.isdir(out):
            run(STEADY, out, "-D", "steps=%d" % steps)
        return np.load(os.path.join(out, name + ".npy"))

    report(np.array_equal(weights(310, "weights_final_xs_hd_I"), weights(310, "weights_initial_xs_hd_I"))
          and np.array_equal(weights(310, "bias_final_xs_hd_I"), weights(310, "bias_initial_xs_hd_I")),
          "BurstDelta without a target: weights and bias bit-identical after 310 steps")
    early = np.abs(weights(20, "weights_final_xs_hp_I") - weights(10, "weights_final_xs_hp_I")).max()
    late = np.abs(weights(310, "weights_final_xs_hp_I") - weights(300, "weights_final_xs_hp_I")).max()
    w_max = np.abs(weights(310, "weights_final_xs_hp_I")).max()
    bound = 10 * (0.5 * 0.5 * 0.8 ** 300 + np.finfo(float).eps * w_max)
    report(early > 1e-3, "BurstProp: steps 10..19 change a weight by up to %.3g (rho_bar still converging)" % early)
    report(late <= bound, "BurstProp: steps 300..309 change a weight by up to %.3g, bound %.3g" % (late, bound))

finish(os.path.basename(__file__))
