#!/bin/sh
# task_check_trials_test.sh RNNC
# How many trials 'rnnc check' makes of a task (issue 19, task_accuracy.c):
# it stops once every check has passed, after at least 2^20 generated
# values, so a long trial is checked on a few trials, not 128. What that
# gives up is an error that only a rarer draw shows; the run's own trials
# must then refuse it with the same located message and write nothing.
#  - Task Rare draws an index k = randint(0, 80) into x[50]: k >= 50 (one
#    trial in 1.6) is out of range. Its 6,000 steps of 51 values make 3
#    check trials; whether they show it or not, 'rnnc run' must stop with
#    the error at the assignment, exit 1 and leave no results folder.
#  - With randint(0, 5000) nearly every trial is out of range: 'rnnc check'
#    refuses it at the assignment, with the note naming the trial (the
#    first training trial, which check tries before its own).
. "$(dirname "$0")/expect.sh"
rnnc=$1
model() {  # model FILE HI: the Rare model with randint(0, HI)
  cat > "$1" <<MODEL
import neurons.rate

task Rare(n = 50) {
  input  x[n]
  target y[1]
  duration 6000 ms
  draw k = randint(0, $2)
  x[k] = 1
}

network Net {
  input   x[50]
  pop     h : TanhRate[8]
  readout y : Linear[1]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> y : all_to_all, init glorot_uniform
}

train Net on Rare {
  learn      bptt
  loss       mse
  batch      4
  iterations 3
}
MODEL
}
model "$work/rare.rnn" 80
expect 1 "a run whose trials draw an index out of range" "$rnnc" run "$work/rare.rnn" --out "$work/bad"
expect_line "$work/err" "rare.rnn:8:3: error: x[" "the run's error is located at the assignment"
expect_line "$work/err" "is out of range: x has 50 elements" "the run's error says what is wrong"
[ ! -e "$work/bad" ] && passes=$((passes + 1)) || { echo "FAIL: the refused run wrote $work/bad"; failures=$((failures + 1)); }
model "$work/often.rnn" 5000
expect 1 "rnnc check of a task that is out of range in most trials" "$rnnc" check "$work/often.rnn"
expect_line "$work/err" "often.rnn:8:3: error: x[" "check's error is located at the assignment"
expect_line "$work/err" "= hint: in the first training trial of task 'Rare'" "check's note says which trial showed it"
finish
