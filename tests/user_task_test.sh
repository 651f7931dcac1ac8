#!/bin/sh
# user_task_test.sh RNNC SOURCE_DIR
# Issue 14: a task a user writes in the model file (tests/data/user_phases.rnn:
# phases of drawn durations, a condition, an argmax accuracy over a phase)
# trains with nothing but the language. It checks that
#  - the trials are padded to the longest possible phase sequence:
#    fixation randint(2, 5) + cue 5 + delay choice(5, 10, 15) + response 5
#    = at most 30 steps, and at least one evaluation trial is shorter, its
#    padding 0 in every input and target;
#  - the network learned: the cue is right (the largest mean output over the
#    response phase, tests/decision_choices.py) on at least 80 % of the 32
#    evaluation trials written, and the task's own accuracy (eval_accuracy,
#    the same argmax over all 64 evaluation trials) is at least 80 % too. Three choices, so chance is 1/3 (sd 8
#    points over 32 trials; the untrained network scores 34 %), and a
#    network that only fixates scores 0.
set -u
rnnc=$1 src=$2
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

out=$work/user
if ! NO_COLOR=1 "$rnnc" run "$src/tests/data/user_phases.rnn" --out "$out" > "$work/log" 2>&1; then
  cat "$work/log"; echo "FAIL: the user's task does not run"; exit 1
fi
steps=$("$python" -c "import json, sys; print(json.load(open(sys.argv[1]))['steps'])" "$out/summary.json")
[ "$steps" = 30 ] || fail "trials of $steps steps, expected 30 (5 + 5 + 15 + 5)"
"$python" -B - "$src/tests" "$out" <<'PY' || fail "padding"
import sys
sys.path.insert(0, sys.argv[1])
from npy import read


def load(path):
    return read(path, "<f8")


(n, T, nx), x = load(sys.argv[2] + "/eval_inputs.npy")
(_, _, ny), y = load(sys.argv[2] + "/eval_targets.npy")
shorter = 0
for i in range(n):
    # the response sets a cue target; the trial ends with the last such step
    last = max(s for s in range(T) if any(y[(i * T + s) * ny + c] for c in range(1, ny)))
    pad = range(last + 1, T)
    shorter += len(pad) > 0
    if any(x[(i * T + s) * nx + c] for s in pad for c in range(nx)) or \
       any(y[(i * T + s) * ny + c] for s in pad for c in range(ny)):
        sys.exit(f"trial {i}: padding after step {last} is not 0")
if shorter == 0:
    sys.exit("no trial is shorter than 30 steps: the draws do not vary the length")
PY
set -- $("$python" "$src/tests/decision_choices.py" "$out" - 1,2,3)
echo "user task: $1 trials, network $3 (chance 1/3)"
awk -v a="$3" 'BEGIN { exit !(a >= 0.8) }' || fail "network accuracy $3, expected at least 0.8"
accuracy=$("$python" -c "import json, sys; print(json.load(open(sys.argv[1]))['eval_accuracy'])" "$out/summary.json")
echo "user task: eval_accuracy $accuracy"
awk -v a="$accuracy" 'BEGIN { exit !(a + 0 == a && a >= 0.8) }' || fail "eval_accuracy $accuracy, expected at least 0.8"
[ "$failures" -eq 0 ] && echo "the user's task trains" || { echo "$failures failed"; exit 1; }
