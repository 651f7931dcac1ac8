#!/bin/sh
# accuracy_test.sh RNNC
# 'accuracy sign(y)' counts the steps where the mask and the target are
# non-zero. On 0/1 targets every counted step is positive, so a readout that
# is positive everywhere would score 100 %: 'rnnc run' refuses such a task
# before training, at the accuracy statement. The refusal comes from the
# plan (a few generated trials), which 'rnnc check' does not build yet, so
# this is a shell test of 'rnnc run' rather than a golden error test.
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1

# A two-choice task; TARGET and MASK are filled in per case. Line 14 is the
# accuracy statement the message must point at.
model() {  # model FILE TARGET-OF-SIDE-0 TARGET-OF-SIDE-1 MASK-LINE
  cat > "$1" <<MODEL
import neurons.rate

task Choice(steps = 40) {
  input  x[2]
  target y[2]
  duration steps
  draw side = choice(0, 1)
  x[0] = 1 - side
  x[1] = side
  x += 0.5 * normal()
  y[0] = $2 * (1 - side) + $3 * side
  y[1] = $3 * (1 - side) + $2 * side
  $4
  accuracy sign(y)
}

network Net(n = 8) {
  input   x[2]
  pop     h : TanhRate[n]
  readout y : Linear[2]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init glorot_uniform, bias
}

train Net on Choice { iterations 1; batch 4; trials 4; threads 1 }
MODEL
}

# One-hot 0/1 targets: the chosen channel is 1, the other 0. Refused.
model "$work/onehot.rnn" 1 0 ""
expect 1 "0/1 targets are refused" "$rnnc" run "$work/onehot.rnn" --out "$work/onehot-run"
expect_line "$work/err" "onehot.rnn:14:3: error: 'accuracy sign(y)' needs a target of both signs, but in 128 trials of task 'Choice', y is never negative where the mask is on" "the refusal points at the accuracy statement"
expect_line "$work/err" "= hint: on 0/1 or one-hot targets a readout that is positive everywhere would score 100 %; measure them with 'accuracy threshold(y, 0.5)' or 'accuracy argmax(y)'" "the refusal's hint"
[ ! -e "$work/onehot-run" ] && passes=$((passes + 1)) || { echo "FAIL: a refused run left a results folder"; failures=$((failures + 1)); }

# All-negative targets are as meaningless as all-positive ones.
model "$work/negative.rnn" -1 0 ""
expect 1 "targets of one negative sign are refused" "$rnnc" run "$work/negative.rnn" --out "$work/negative-run"
expect_line "$work/err" "y is never positive where the mask is on" "the refusal names the missing sign"

# The mask is off everywhere: no step is counted at all.
model "$work/masked.rnn" 1 -1 "mask = 0"
expect 1 "a task whose accuracy counts no step is refused" "$rnnc" run "$work/masked.rnn" --out "$work/masked-run"
expect_line "$work/err" "masked.rnn:13:3: error: the mask of task 'Choice' is 0 at every step of 128 trials: no step would count in the loss" "a mask that masks everything"
expect_line "$work/err" "masked.rnn:14:3: error: 'accuracy sign(y)' has no step to measure: in 128 trials of task 'Choice' no step is where the mask is on" "the no-step refusal"

# The same task with -1/+1 targets has both signs and runs.
model "$work/signed.rnn" 1 -1 ""
expect 0 "+1/-1 targets run" "$rnnc" run "$work/signed.rnn" --out "$work/signed-run"
expect_line "$work/signed-run/summary.json" '"eval_accuracy"' "a signed task reports its accuracy"

finish
