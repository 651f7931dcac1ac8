#!/bin/sh
# rnnc task show FILE TASK (issue 14): sample trials of a task as a picture
# and .npy arrays. On stdlib's flip-flop (a library of tasks: no network, no
# train) the arrays have the shapes [trials, steps, elements] the task
# declares, --trials, -D and --dt change what they should, the same seed
# gives the same bytes and another seed other trials, and the trials are
# the ones a run of that seed is evaluated on; the model
# examples/perceptual_dm.rnn gives its train's dt (20 ms) and a mask with
# zeros, which the picture names, as a run's task.svg does; a task with
# phases of random length gives phases.npy (1, 2, 3 in order, then 0 on the
# padding), names its phases in the picture, and its run writes
# eval_phases.npy and names them in summary.json and task.svg; bad input is refused with a clear message
# and the status of bad usage (2) or of a bad model (1), and a folder that
# rnnc did not write is never written into.
# Usage: task_show_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
ff="$src/stdlib/tasks/flipflop.rnn"
dm="$src/examples/perceptual_dm.rnn"

# "shape=(a, b, c) zeros=Z" of a float64 .npy array, with python3's standard library
npy() {
  python3 - "$1" <<'PY'
import ast, struct, sys
data = open(sys.argv[1], 'rb').read()
n = struct.unpack('<H', data[8:10])[0]
header = ast.literal_eval(data[10:10 + n].decode())
assert header['descr'] == '<f8' and not header['fortran_order'], header
values = struct.unpack('<%dd' % ((len(data) - 10 - n) // 8), data[10 + n:])
print('shape=%s zeros=%d' % (header['shape'], values.count(0.0)))
PY
}
expect_shape() {  # expect_shape FILE SHAPE DESCRIPTION
  got=$(npy "$1" 2>&1 | sed 's/ zeros=.*//')
  if [ "$got" = "shape=$2" ]; then passes=$((passes + 1)); else
    echo "FAIL: $3: $1 has $got, expected shape=$2"; failures=$((failures + 1)); fi
}
# The picture is XML a strict parser reads, with an <svg> root.
expect_svg() {  # expect_svg FILE DESCRIPTION
  if python3 -c "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(r.tag != '{http://www.w3.org/2000/svg}svg')" "$1"; then
    passes=$((passes + 1)); else echo "FAIL: $2: $1 is not a well-formed SVG"; failures=$((failures + 1)); fi
}
expect_no_line() {  # expect_no_line FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then echo "FAIL: $3: '$2' in $1"; failures=$((failures + 1)); else
    passes=$((passes + 1)); fi
}

# ---- the flip-flop of stdlib: 4 trials of 340 steps of 3 bits by default
expect 0 "task show of stdlib's FlipFlop" "$rnnc" task show "$ff" FlipFlop --out "$work/ff"
expect_line "$work/out" "4 trials of 340 steps, dt 1 ms (the default" "dt without a run or --dt is 1 ms, and said"
expect_line "$work/out" "x.npy" "the files written are listed"
expect_shape "$work/ff/x.npy" "(4, 340, 3)" "the input x[bits]"
expect_shape "$work/ff/y.npy" "(4, 340, 3)" "the target y[bits]"
expect_shape "$work/ff/mask.npy" "(4, 340)" "the mask"
expect_svg "$work/ff/task_FlipFlop.svg" "the flip-flop's picture"
expect_line "$work/ff/task_FlipFlop.svg" ">Trial 4 (340 ms)<" "a panel per trial, its length in ms"
expect_line "$work/ff/task_FlipFlop.svg" ">y[2]<" "the legend names the target elements"
# the flip-flop has no mask statement: every step counts, and no strip says otherwise
expect_no_line "$work/ff/task_FlipFlop.svg" "not in the loss" "no mask legend without masked steps"
[ -f "$work/ff/phases.npy" ] && { echo "FAIL: phases.npy without phases"; failures=$((failures + 1)); }

# the same seed gives the same trials; another seed, others
expect 0 "the same seed again" "$rnnc" task show "$ff" FlipFlop --out "$work/ff_again"
expect 0 "another seed" "$rnnc" task show "$ff" FlipFlop --seed 2 --out "$work/ff_seed2"
if cmp -s "$work/ff/x.npy" "$work/ff_again/x.npy" && cmp -s "$work/ff/y.npy" "$work/ff_again/y.npy"; then
  passes=$((passes + 1)); else echo "FAIL: the same seed gave other trials"; failures=$((failures + 1)); fi
if cmp -s "$work/ff/x.npy" "$work/ff_seed2/x.npy"; then
  echo "FAIL: --seed 2 gave the trials of seed 1"; failures=$((failures + 1)); else passes=$((passes + 1)); fi

# --trials, -D on a task parameter, --dt
expect 0 "--trials 2 -D FlipFlop.bits=2 --dt 10ms" "$rnnc" task show "$ff" FlipFlop --trials 2 -D FlipFlop.bits=2 \
  --dt 10ms --out "$work/ff2"
expect_line "$work/out" "dt 10 ms (--dt)" "--dt is the step, and said"
expect_shape "$work/ff2/x.npy" "(2, 340, 2)" "two trials of two bits"
expect_line "$work/ff2/task_FlipFlop.svg" ">Trial 2 (3400 ms)<" "340 steps of 10 ms"

# ---- a model: the train's dt, its call's arguments, a mask with zeros
expect 0 "task show of a model's task" "$rnnc" task show "$dm" PerceptualDM --trials 1 --out "$work/dm"
expect_line "$work/out" "dt 20 ms (the train of the model)" "the dt of the train that uses the task"
expect_shape "$work/dm/x.npy" "(1, 110, 3)" "2200 ms of 20 ms steps, three inputs"
zeros=$(npy "$work/dm/mask.npy" | sed 's/.*zeros=//')
if [ "$zeros" -gt 0 ]; then passes=$((passes + 1)); else echo "FAIL: the mask has no zeros"; failures=$((failures + 1)); fi
expect_line "$work/dm/task_PerceptualDM.svg" "not in the loss (mask 0)" "masked steps have a legend entry"

# ---- a run's task.svg is the same picture, from the evaluation's files (eval_mask.npy among them)
expect 0 "a short run of the model" "$rnnc" run "$dm" -D iterations=1 -D batch=4 -D trials=4 -D threads=1 \
  --out "$work/dmrun"
expect_shape "$work/dmrun/eval_mask.npy" "(4, 110)" "the evaluation's mask, [trial, step]"
expect_svg "$work/dmrun/task.svg" "the run's task.svg"
expect_line "$work/dmrun/task.svg" "not in the loss (mask 0)" "the run's task.svg marks the masked steps"
expect_line "$work/dmrun/task.svg" ">Trial 3 (2200 ms)<" "three evaluation trials, 110 steps of 20 ms"
[ -f "$work/dmrun/eval_phases.npy" ] && { echo "FAIL: eval_phases.npy for a task without phases"; failures=$((failures + 1)); }

# ---- a task with phases of random length: trials padded to the longest, phases numbered and named
cat > "$work/phased.rnn" <<'EOF'
import neurons.rate

# A delayed response with a random delay (100 to 300 ms): 30 to 50 steps of 10 ms.
task Delayed(sigma = 0.1) {
  input  x[2]
  target y
  draw side = choice(-1, 1), wait = uniform(100 ms, 300 ms)
  phase cue 100 ms { x[0] = side; x[1] = 1 }
  phase delay wait { x[1] = 1 }
  phase respond 100 ms { y = side; mask = 1 }
  x += sigma * normal()
}

network Net(n = 4) {
  input   x[2]
  pop     h : TanhRate[n](tau = 20 ms)
  readout y : Linear[1]
  connect x -> h : all_to_all, init normal(0, 1 / sqrt(fan_in))
  connect h -> h : all_to_all, init normal(0, 1 / sqrt(fan_in))
  connect h -> y : all_to_all, init normal(0, 1 / sqrt(fan_in)), bias
}

train Net on Delayed(sigma = 0.2) {
  dt 10 ms
  iterations 1
  batch 4
  trials 4
  threads 1
}
EOF
expect 0 "task show of a phased task" "$rnnc" task show "$work/phased.rnn" Delayed --out "$work/ph"
expect_shape "$work/ph/phases.npy" "(4, 50)" "the phase of each step, padded to the longest trial"
# each trial: 10 steps of phase 1, then some of 2, then 10 of 3, then 0 (padding) to the end
if python3 - "$work/ph/phases.npy" <<'PY'
import ast, struct, sys
data = open(sys.argv[1], 'rb').read()
n = struct.unpack('<H', data[8:10])[0]
shape = ast.literal_eval(data[10:10 + n].decode())['shape']
v = struct.unpack('<%dd' % (shape[0] * shape[1]), data[10 + n:])
for i in range(shape[0]):
    row = list(v[i * shape[1]:(i + 1) * shape[1]])
    own = [k for k in row if k != 0]
    assert own == sorted(own) and own[:10] == [1] * 10 and own[-10:] == [3] * 10 and 2 in own, row
    assert row[:len(own)] == own, row   # the padding comes after the trial
PY
then passes=$((passes + 1)); else echo "FAIL: phases.npy is not 1.., 2.., 3.., 0.."; failures=$((failures + 1)); fi
for phase in cue delay respond; do
  expect_line "$work/ph/task_Delayed.svg" ">$phase<" "the phase $phase named in the picture"
done
expect 0 "a run of the phased model" "$rnnc" run "$work/phased.rnn" --out "$work/phrun"
expect_shape "$work/phrun/eval_phases.npy" "(4, 50)" "the run writes the evaluation trials' phases"
expect_line "$work/phrun/summary.json" '"task_phases"' "summary.json names the phases"
expect_line "$work/phrun/task.svg" ">respond<" "the run's task.svg names the phases"
# task show draws the run's evaluation trials: the same targets (+-1 from each trial's draw), mask and phases
for pair in "y.npy eval_targets.npy" "mask.npy eval_mask.npy" "phases.npy eval_phases.npy"; do
  set -- $pair
  if cmp -s "$work/ph/$1" "$work/phrun/$2"; then passes=$((passes + 1)); else
    echo "FAIL: task show's $1 is not the run's $2"; failures=$((failures + 1)); fi
done

# ... and with the call's sigma = 0.2, not the definition's 0.1: the inputs agree to float32's precision
if python3 - "$work/ph/x.npy" "$work/phrun/eval_inputs.npy" <<'PY'
import ast, struct, sys
def load(path):
    data = open(path, 'rb').read()
    n = struct.unpack('<H', data[8:10])[0]
    return struct.unpack('<%dd' % ((len(data) - 10 - n) // 8), data[10 + n:])
a, b = load(sys.argv[1]), load(sys.argv[2])
assert len(a) == len(b) and max(abs(p - q) for p, q in zip(a, b)) < 1e-6
PY
then passes=$((passes + 1)); else echo "FAIL: task show's x.npy is not the run's eval_inputs.npy"; failures=$((failures + 1)); fi

# ---- bad input
expect 2 "an unknown task" "$rnnc" task show "$ff" FlipFlp --out "$work/bad"
expect_line "$work/err" "error: $ff has no task 'FlipFlp'" "the unknown task is named"
expect_line "$work/err" "did you mean 'FlipFlop'?" "with a suggestion"
printf 'task Broken(n = 3) {\n  input x[n]\n  target y[n\n}\n' > "$work/broken.rnn"
expect 1 "a file that does not parse" "$rnnc" task show "$work/broken.rnn" Broken --out "$work/bad"
expect_line "$work/err" "broken.rnn:" "the parse error is located"
expect 2 "--trials 0" "$rnnc" task show "$ff" FlipFlop --trials 0 --out "$work/bad"
expect_line "$work/err" "--trials takes a whole number from 1 to 64, got '0'" "bad --trials said"
expect 2 "--trials many" "$rnnc" task show "$ff" FlipFlop --trials 3x --out "$work/bad"
expect 2 "--dt without a unit" "$rnnc" task show "$ff" FlipFlop --dt 5 --out "$work/bad"
expect_line "$work/err" "--dt takes a positive time with its unit" "bad --dt said"
expect 2 "no task name" "$rnnc" task show "$ff"
expect_line "$work/err" "usage: rnnc task show FILE TASK" "usage given"
expect 2 "no subcommand" "$rnnc" task
expect 2 "a bad subcommand" "$rnnc" task draw "$ff" FlipFlop
expect_line "$work/err" "unknown task command 'draw'" "the bad subcommand named"
expect 2 "--trials given to run" "$rnnc" run "$ff" --trials 2
[ -e "$work/bad" ] && { echo "FAIL: a refused command wrote $work/bad"; failures=$((failures + 1)); }

# a folder with someone's file is refused before any work, and left as it was
mkdir "$work/mine" && echo keep > "$work/mine/notes.txt"
expect 2 "--out onto a folder rnnc did not write" "$rnnc" task show "$ff" FlipFlop --out "$work/mine"
expect_line "$work/mine/notes.txt" "keep" "the user's file is untouched"
[ -e "$work/mine/x.npy" ] && { echo "FAIL: trials written into a user's folder"; failures=$((failures + 1)); }
# a folder of an earlier task show is replaced whole
expect 0 "--out onto an earlier task show" "$rnnc" task show "$ff" FlipFlop --trials 1 --out "$work/ff"
expect_shape "$work/ff/x.npy" "(1, 340, 3)" "the earlier trials replaced"
finish
