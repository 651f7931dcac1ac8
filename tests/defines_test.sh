#!/bin/sh
# -D on a task's or a neuron's parameter takes effect, also over the value
# the model gives it where it is used, FlipFlop(noise = 0.1) or
# TanhRate[n](tau = tau): the command line wins (docs/language.md 16).
# Usage: defines_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
ff="$src/models/flipflop3.rnn"      # calls FlipFlop(bits = 3, delay = 20, noise = 0.1)
sine="$src/models/eprop_sine.rnn"   # calls SineSum(n_in = 100, rate = 50 Hz, steps = 1000)
short="-D iterations=1 -D batch=4 -D trials=4 -D samples=4 -D threads=1"

# shape and values of an .npy array (float64, C order), by tests/npy.py
npy() {  # npy FILE -> "shape=(a, b, c) distinct=N zeros=Z"
  python3 - "$1" <<'PY'
import sys
from npy import read
shape, values = read(sys.argv[1], '<f8')
print('shape=%s distinct=%d zeros=%d' % (shape, len(set(values)), values.count(0.0)))
PY
}

expect 0 "flip-flop as the model says" "$rnnc" run "$ff" $short -D n=8 --out "$work/ff"
expect 0 "flip-flop with -D FlipFlop.noise=0" "$rnnc" run "$ff" $short -D n=8 -D FlipFlop.noise=0 --out "$work/ff0"
expect 0 "flip-flop with -D FlipFlop.steps=100" "$rnnc" run "$ff" $short -D n=8 -D FlipFlop.steps=100 --out "$work/ff100"

# The call's noise = 0.1 adds a normal draw at every step: inputs of all
# but equal values. Without noise the inputs are the pulses' -1, 0 and +1.
npy "$work/ff/eval_inputs.npy" > "$work/a"
npy "$work/ff0/eval_inputs.npy" > "$work/b"
expect_line "$work/b" "distinct=3 " "-D FlipFlop.noise=0: the inputs are the pulses alone"
cmp -s "$work/a" "$work/b" && { echo "FAIL: -D FlipFlop.noise=0 left the inputs as they were"; failures=$((failures + 1)); }
# eval_inputs.npy is [trials, steps, bits]: 4 trials of 100 steps of 3 bits
npy "$work/ff100/eval_inputs.npy" > "$work/c"
npy "$work/ff100/eval_targets.npy" > "$work/d"
expect_line "$work/c" "shape=(4, 100, 3)" "-D FlipFlop.steps=100: inputs of 100 steps"
expect_line "$work/d" "shape=(4, 100, 3)" "-D FlipFlop.steps=100: targets of 100 steps"
expect_line "$work/ff100/summary.json" '"steps": 100,' "-D FlipFlop.steps=100 in summary.json"

# SineSum's inputs are Poisson spikes (0 or 1) at 'rate': at 0 Hz there is none.
expect 0 "sine with -D SineSum.rate=0Hz" "$rnnc" run "$sine" $short -D SineSum.steps=50 -D SineSum.rate=0Hz \
  -D n=10 --out "$work/s0"
npy "$work/s0/eval_inputs.npy" > "$work/e"
expect_line "$work/e" "shape=(4, 50, 100) distinct=1 zeros=20000" "-D SineSum.rate=0Hz: no input spike"

# flipflop3's population is TanhRate[n](tau = tau), tau = 5 ms: a -D on the
# neuron's tau must reach it, and a tau ten times longer changes the outputs.
expect 0 "flip-flop with -D TanhRate.tau=50ms" "$rnnc" run "$ff" $short -D n=8 -D TanhRate.tau=50ms --out "$work/tau"
cmp -s "$work/ff/eval_outputs.npy" "$work/tau/eval_outputs.npy" &&
  { echo "FAIL: -D TanhRate.tau=50ms left the outputs as they were"; failures=$((failures + 1)); }
finish
