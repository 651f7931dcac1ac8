#!/bin/sh
# eval_accuracy_test.sh RNNC SOURCE_DIR
# The flip-flop's 'accuracy sign(y)' after accuracy counting moved into
# runtime/rt_accuracy.c: a short run's eval_accuracy must be what the sign
# count always was, recomputed here from the evaluation's own arrays
# (eval_outputs.npy and eval_targets.npy hold every evaluation trial when
# there are at most 64; the flip-flop has no mask, so every step counts):
# the fraction of (trial, step, element) with a non-zero target where the
# readout has the target's sign. The robustness analysis at noise 0 runs
# the same trials through the same counting, so its accuracy must equal
# eval_accuracy exactly, and silencing units (degradation) must report an
# accuracy in [0, 1].
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
python=/usr/bin/python3
TESTS_DIR=$(cd "$(dirname "$0")" && pwd); export TESTS_DIR PYTHONDONTWRITEBYTECODE=1   # npy_f64.py, without a __pycache__ in the tree

sed 's/^analyze .*/analyze robustness(noise = [0, 0.2]), degradation(h, fractions = [0.2])/' \
  "$src/models/flipflop3.rnn" > "$work/ff.rnn"
expect 0 "a short flip-flop run" nice -n 10 "$rnnc" run "$work/ff.rnn" -D epochs=1 -D batch=32 -D samples=10 \
  -D trials=1 -D threads=2 --out "$work/ff"

if "$python" - "$work/ff" <<'PY'
import json, os, sys
sys.path.insert(0, os.environ["TESTS_DIR"])
import npy_f64
folder = sys.argv[1]

def npy(name):
    return npy_f64.read(f"{folder}/{name}")

summary = json.load(open(f"{folder}/summary.json"))
shape, y = npy("eval_outputs.npy")
tshape, target = npy("eval_targets.npy")
assert shape == tshape and shape[0] == summary["eval_trials"], (shape, tshape, summary["eval_trials"])
sign = lambda v: (v > 0) - (v < 0)
counted = correct = 0
for got, want in zip(y, target):
    if sign(want) == 0:
        continue
    counted += 1
    correct += sign(got) == sign(want)
acc = summary["eval_accuracy"]
ok = True
if not abs(acc - correct / counted) <= 5e-9:   # summary.json keeps 9 significant digits
    print(f"FAIL: eval_accuracy {acc} is not the sign count {correct}/{counted} = {correct / counted}")
    ok = False
robust = summary["analysis"]["robustness"]
if robust[0]["noise"] != 0 or robust[0]["accuracy"] != acc:
    print(f"FAIL: robustness at noise 0 reports {robust[0]}, not eval_accuracy {acc}")
    ok = False
degraded = summary["analysis"]["degradation h"][0]["accuracy"]
if not 0 <= degraded <= 1:
    print(f"FAIL: degradation's accuracy {degraded} is not a fraction")
    ok = False
sys.exit(0 if ok else 1)
PY
then passes=$((passes + 1)); else failures=$((failures + 1)); fi

finish
