#!/bin/sh
# pictures_padding_test.sh RNNC
# The pictures of a run whose trials are padded: a two-choice task with
# phases and a drawn hold (0, 100 or 200 ms), so the trials of a batch have
# three lengths and the shorter ones are padded (phase 0) to the longest;
# trained with cross-entropy on a two-element readout, answered by argmax,
# with 'record h.r', 'pca(h.r, 3)' and 'psychometric()'. Seed 2 makes the
# first evaluation trial (the one outputs.svg draws) a padded one; the test
# asserts that, so a change of the draws shows here rather than silently
# weakening the checks. 60 updates of 16 units: well under a second.
#
# What must hold, and why:
# - outputs.svg draws the evaluation trial over the task's phases (their
#   names at the top of the bands), the mask strip with its legend and the
#   padding after the trial's end, as task.svg does;
# - no point of the network's curve (the first palette colour, #0072B2)
#   lies right of the padding's start: the curves stop at the trial's end,
#   so the network idling through the padding is not drawn as trial;
# - under cross-entropy the readouts are logits: outputs.svg draws their
#   softmax and its titles say so ("softmax y[0]", "cross-entropy");
# - the PCA fit leaves the padding out: pca_h_r_mean.npy is the mean of
#   h.r over the steps with a phase (record_h_r.npy holds the same first
#   evaluation batch), not over every step (the two differ here by more
#   than 1e-3, checked, so the test tells them apart);
# - pca_h_r.svg draws no grey trajectory: grey is the colour of steps
#   without a condition, which in this task are exactly the padding
#   steps; its legend names the conditions by their values
#   ("condition = -51.2"), not by number;
# - psychometric.svg says what a choice is for argmax ("fraction choosing
#   the last option"), draws chance at 1/2 (two readout elements) with its
#   label, and writes each condition value's trial count, as the summary's
#   analysis.psychometric.choice and options say.
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
python=/usr/bin/python3
TESTS_DIR=$(cd "$(dirname "$0")" && pwd); export TESTS_DIR PYTHONDONTWRITEBYTECODE=1

cat > "$work/padded.rnn" <<'MODEL'
import neurons.rate

task Dots3(sigma = 0.5) {
  input  x[2]                  # evidence for left, for right
  target y[2]                  # choose left, choose right
  draw c = choice(12.8, 51.2), side = choice(-1, 1)
  draw wait = choice(0 ms, 100 ms, 200 ms)
  phase stimulus 200 ms {
    x[0] = 0.5 - side * c / 100
    x[1] = 0.5 + side * c / 100
    x += sigma * normal()
  }
  phase hold wait { }
  phase decision 100 ms {
    y[0] = side < 0
    y[1] = side > 0
    mask = t >= 40 ms
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

train Net on Dots3 {
  loss       cross_entropy
  optimizer  adam(lr = 0.02)
  dt         20 ms
  iterations 60
  batch      32
  trials     64
  threads    2
  seed       2
}

record h.r
analyze psychometric(), pca(h.r, 3)
MODEL

expect 0 "a short cross-entropy run with padded trials" nice -n 10 "$rnnc" run "$work/padded.rnn" --out "$work/run"

cat > "$work/check.py" <<'PY'
import json, os, re, sys
sys.path.insert(0, os.environ["TESTS_DIR"])
from npy import read
folder = sys.argv[1]
failures = []

def check(ok, what):
    if not ok:
        failures.append(what)

def npy(name):
    return read(f"{folder}/{name}", "<f8")

(trials, T), phases = npy("eval_phases.npy")
first = phases[:T]
length = max(t + 1 for t in range(T) if first[t] != 0)
check(length < T, f"evaluation trial 1 is not padded (its {length} steps of {T}): pick another seed")

# outputs.svg: phases, mask, padding; the curves stop at the trial's end
out = open(f"{folder}/outputs.svg").read()
for name in ("stimulus", "hold", "decision"):
    check(f">{name}<" in out, f"outputs.svg does not name the phase {name}")
check("not in the loss (mask 0)" in out, "outputs.svg has no mask legend")
check("padding (after the trial)" in out, "outputs.svg has no padding legend")
pads = [(float(x), float(w)) for x, w in
        re.findall(r'<rect x="([-\d.]+)" y="[-\d.]+" width="([-\d.]+)" height="[-\d.]+" fill="#999999"[^>]*stroke="none"', out)]
check(len(pads) == 2, f"{len(pads)} padding spans in outputs.svg, not one per readout element (2)")
start = min(x for x, w in pads) if pads else 0
beyond = []
for d in re.findall(r'<path d="([^"]*)" fill="none" stroke="#0072B2"', out):
    if "h" in d:
        continue   # a legend sample
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    beyond += [x for x in nums[0::2] if x > start + 0.5]
check(pads and not beyond, f"network curve points right of the padding's start ({start} px): {beyond[:5]}")
check("softmax y[0]" in out and "softmax y[1]" in out, "outputs.svg's titles do not say softmax")
check("cross-entropy" in out, "outputs.svg does not say why it draws a softmax")

# the PCA fit: the mean of the trial steps, not of every step
(n_rec, T_rec, n), rec = npy("record_h_r.npy")
_, mean = npy("pca_h_r_mean.npy")
rows = [i * T + t for i in range(n_rec) for t in range(T) if phases[i * T + t] != 0]
def mean_over(rs):
    return [sum(rec[r * n + j] for r in rs) / len(rs) for j in range(n)]
trial_mean, all_mean = mean_over(rows), mean_over(range(n_rec * T))
check(n_rec == trials and T_rec == T and len(mean) == n, "record_h_r.npy is not the evaluation batch")
check(max(abs(a - b) for a, b in zip(trial_mean, mean)) < 1e-9, "the PCA mean is not the mean over the trials' steps")
check(max(abs(a - b) for a, b in zip(all_mean, trial_mean)) > 1e-3, "padding makes no difference here: the test cannot tell")

pca = open(f"{folder}/pca_h_r.svg").read()
check('stroke="#999999"' not in pca, "pca_h_r.svg draws grey (padding) trajectories")
for v in ("-51.2", "-12.8", "12.8", "51.2"):
    check(f">condition = {v}<" in pca, f"pca_h_r.svg's legend does not name the condition {v}")

# psychometric.svg
summary = json.load(open(f"{folder}/summary.json"))
psy = summary["analysis"]["psychometric"]
check(psy.get("choice") == "last_option" and psy.get("options") == 2, f"summary's choice {psy.get('choice')}, options {psy.get('options')}")
svg = open(f"{folder}/psychometric.svg").read()
check("fraction choosing the last option" in svg, "psychometric.svg's y label")
check("chance (50%: 1 of 2)" in svg, "psychometric.svg has no chance line label")
for row in psy["conditions"]:
    check(f">{row['trials']}</text>" in svg, f"psychometric.svg does not write the trial count {row['trials']}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
if "$python" "$work/check.py" "$work/run"; then passes=$((passes + 1)); else failures=$((failures + 1)); fi
finish
