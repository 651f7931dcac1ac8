#!/bin/sh
# psychometric_test.sh RNNC
# 'analyze psychometric()' on a two-choice random-dots task written with
# today's language (epochs shaped by t, the answer the sign of a
# one-element readout, the trial's condition its signed coherence
# side * c), trained briefly (150 updates of a 16-unit network, well under
# a second).
#
# What must hold, and why:
# - psychometric.npy is [6, 4]: the six condition values +-3.2, +-12.8,
#   +-51.2 in increasing order (all six occur in 256 trials);
# - its trials add up to every evaluation trial (256, eight batches: all
#   evaluation batches are counted, not only the first);
# - every trial counts as many units (sign: the decision epoch's steps,
#   where the target is +-1; argmax below: one per trial), so the
#   trial-weighted mean of the per-condition accuracies is eval_accuracy;
# - the choice fraction rises with the signed coherence: the target is +1
#   exactly when side = +1, i.e. when the condition is positive, and a
#   trial's choice is whether the readout is positive on average over the
#   decision epoch; a network trained to an accuracy well above chance
#   (asserted: > 70 %, chance being 50 %) therefore chooses "right" on most
#   trials of positive condition and few of negative, most clearly at the
#   strongest coherence, where the evidence is largest against the noise;
# - the logistic fit is reported: converged with a rising slope (s > 0) and
#   a midpoint inside the values, or, should the network separate the
#   choices perfectly, "separable" with the switch around 0;
# - psychometric.svg is drawn and report.html shows it; its y label says
#   what a choice is ("fraction answering > 0" for the sign kinds,
#   "fraction choosing the last option" for argmax), it draws chance (1/2
#   here for every kind) and each value's trial count.
# The same on a task a user writes with phases (a drawn hold of 0, 100 or
# 200 ms, so trials of three lengths padded in one batch) and
# 'accuracy argmax(y) in decision' over two options: a trial's choice is
# then whether it chose y's last element ("right"), and a trial is correct
# exactly when it chose right on a positive condition or left on a
# negative one, so each row's accuracy is its choice fraction for positive
# values and one minus it for negative ones; and the same with
# 'accuracy mean_sign(y) in decision' on a one-element readout.
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
python=/usr/bin/python3

cat > "$work/dots.rnn" <<'MODEL'
import neurons.rate

task Dots(sigma = 1.0) {
  input  x[2]                  # evidence for left, for right
  target y                     # -1 left, +1 right, in the decision epoch
  duration 600 ms
  draw c = choice(3.2, 12.8, 51.2), side = choice(-1, 1)
  let stimulus = t < 400 ms
  x[0] = stimulus * (0.5 - side * c / 100)
  x[1] = stimulus * (0.5 + side * c / 100)
  x += stimulus * sigma * normal()
  y = side * (t >= 400 ms)
  mask = t >= 400 ms
  accuracy sign(y)
  condition side * c
}

network Net(n = 16) {
  input   x[2]
  pop     h : TanhRate[n](tau = 100 ms)
  readout y : Linear[1]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal(gain = 0.9)
  connect h -> y : all_to_all, init glorot_uniform, bias
}

train Net on Dots {
  loss       mse
  optimizer  adam(lr = 0.02)
  dt         20 ms
  iterations 150
  batch      32
  trials     256
  threads    2
}

analyze psychometric()
MODEL

expect 0 "rnnc check accepts what rnnc run runs" "$rnnc" check "$work/dots.rnn"
expect 0 "a short training with the psychometric analysis" nice -n 10 "$rnnc" run "$work/dots.rnn" --out "$work/run"

cat > "$work/check.py" <<'PY'
import json, sys
from npy import read   # tests/npy.py, on PYTHONPATH (expect.sh)
folder, kind = sys.argv[1], sys.argv[2]
failures = []

def check(ok, what):
    if not ok:
        failures.append(what)

def npy(name):
    return read(f"{folder}/{name}", "<f8")

summary = json.load(open(f"{folder}/summary.json"))
shape, flat = npy("psychometric.npy")
rows = [flat[4 * i:4 * i + 4] for i in range(shape[0])]
values = [r[0] for r in rows]
check(shape == (6, 4), f"psychometric.npy is {shape}, not (6, 4)")
check(values == [-51.2, -12.8, -3.2, 3.2, 12.8, 51.2], f"condition values {values}")
trials = sum(r[1] for r in rows)
check(summary["eval_trials"] == 256 and trials == 256, f"{trials} trials counted of {summary['eval_trials']}")
acc = summary["eval_accuracy"]
check(acc > 0.7, f"eval_accuracy {acc}: the network did not learn")
weighted = sum(r[1] * r[2] for r in rows) / trials
check(abs(weighted - acc) < 1e-6, f"trial-weighted accuracy {weighted} is not eval_accuracy {acc}")
choice = [r[3] for r in rows]
check(choice[0] < 0.2 and choice[-1] > 0.8, f"choices at -51.2 and 51.2: {choice[0]}, {choice[-1]}")
left, right = sum(choice[:3]) / 3, sum(choice[3:]) / 3
check(right - left > 0.5, f"mean choice {left} for negative conditions, {right} for positive")
psy = summary["analysis"]["psychometric"]
if kind in ("argmax", "mean_sign"):
    for v, n, a, c in rows:
        check(abs(a - (c if v > 0 else 1 - c)) < 1e-12, f"{kind} row {v}: accuracy {a}, choice {c}")
check(psy["trials"] == 256, f"summary's trials {psy['trials']}")
check([c["value"] for c in psy["conditions"]] == values, "the summary's rows are psychometric.npy's")
fit = psy["fit"]
if fit["status"] == "converged":
    check(fit["s"] > 0 and -51.2 < fit["mu"] < 51.2, f"fit {fit}")
else:
    check(fit["status"] == "separable" and fit["switches_between"][0] < 0 < fit["switches_between"][1], f"fit {fit}")
svg = open(f"{folder}/psychometric.svg").read()
label = "fraction choosing the last option" if kind == "argmax" else "fraction answering &gt; 0"
check("<svg" in svg and "condition value" in svg and label in svg, f"psychometric.svg's axes: no '{label}'")
# what a choice is, as the summary says it for the picture; chance is 1/2 for
# every kind here (argmax over y's two elements, else the sign of one)
want = ("last_option" if kind == "argmax" else "above_zero", 2)
check((psy.get("choice"), psy.get("options")) == want, f"summary's choice and options {psy.get('choice')}, {psy.get('options')}")
check("chance (50%: 1 of 2)" in svg, "psychometric.svg has no chance line")
check(all(f">{int(r[1])}</text>" in svg for r in rows), "psychometric.svg does not write each value's trial count")
check("Psychometric curve: per condition value" in open(f"{folder}/report.html").read(),
      "report.html shows psychometric.svg (inlined, with its caption)")
for f in failures:
    print("FAIL:", f)
print(f"eval_accuracy {acc}, choices {choice}, fit {fit}")
sys.exit(1 if failures else 0)
PY
if "$python" "$work/check.py" "$work/run" sign; then passes=$((passes + 1)); else failures=$((failures + 1)); fi

cat > "$work/phases.rnn" <<'MODEL'
import neurons.rate

task Dots2(sigma = 1.0) {
  input  x[2]                  # evidence for left, for right
  target y[2]                  # choose left, choose right
  draw c = choice(3.2, 12.8, 51.2), side = choice(-1, 1)
  draw wait = choice(0 ms, 100 ms, 200 ms)
  phase stimulus 400 ms {
    x[0] = 0.5 - side * c / 100
    x[1] = 0.5 + side * c / 100
    x += sigma * normal()
  }
  phase hold wait { }
  phase decision 200 ms {
    y[0] = side < 0
    y[1] = side > 0
    mask = 1
  }
  accuracy argmax(y) in decision
  condition side * c
}

network Net(n = 16) {
  input   x[2]
  pop     h : TanhRate[n](tau = 100 ms)
  readout y : Linear[2]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal(gain = 0.9)
  connect h -> y : all_to_all, init glorot_uniform, bias
}

train Net on Dots2 {
  loss       mse
  optimizer  adam(lr = 0.02)
  dt         20 ms
  iterations 200
  batch      32
  trials     256
  threads    2
}

analyze psychometric()
MODEL
expect 0 "rnnc check accepts the phases and argmax model" "$rnnc" check "$work/phases.rnn"
expect 0 "a short training with phases and argmax" nice -n 10 "$rnnc" run "$work/phases.rnn" --out "$work/phases"
if "$python" "$work/check.py" "$work/phases" argmax; then passes=$((passes + 1)); else failures=$((failures + 1)); fi

# The same trials answered by the sign of one readout's mean over the
# decision phase (mean_sign): a trial's choice is whether that mean is
# positive, and it is correct exactly when that sign is side's, so the
# rows relate accuracy and choice as argmax's do.
sed -e 's/^  target y\[2\].*/  target y/' -e 's/^    y\[0\] = side < 0$/    y = side/' -e '/^    y\[1\] = side > 0$/d' \
    -e 's/^  accuracy argmax(y) in decision$/  accuracy mean_sign(y) in decision/' \
    -e 's/^  readout y : Linear\[2\]$/  readout y : Linear[1]/' "$work/phases.rnn" > "$work/mean_sign.rnn"
expect 0 "a short training with mean_sign in a phase" nice -n 10 "$rnnc" run "$work/mean_sign.rnn" --out "$work/mean_sign"
expect_line "$work/mean_sign/model.rnn" "accuracy mean_sign(y) in decision" "the mean_sign variant is what ran"
if "$python" "$work/check.py" "$work/mean_sign" mean_sign; then passes=$((passes + 1)); else failures=$((failures + 1)); fi

finish
