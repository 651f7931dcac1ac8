#!/bin/sh
# memory_test.sh RNNC SRCDIR [SANITIZED]
# A run that cannot fit in memory is refused before anything is allocated
# and before its results folder exists: exit 1 at once, with a message at
# the setting or population that makes it big, naming the need and the limit
# (rt_memory.c counts the histories, weights, scratch and trials from the
# run's description). Each was, before: killed by the kernel with no message
# and a .partial folder left (batch 100000000: 340 steps x 1e8 trials x 100
# units make one float history of 12 TB), or refused only after
# allocating for a long time, blaming the batch for the weights.
# Every command runs under 'timeout 20' and, so that a regression cannot
# take the machine's memory, in a subshell with 'ulimit -v' of 4 GB; except
# in a sanitized build (SANITIZED 1), whose shadow memory needs terabytes of
# address space: there the limit is left off and the case that tests it skipped.
set -u
rnnc=$1 src=$2 sanitized=${3:-0}
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
model="$src/models/flipflop3.rnn"

# limited KB COMMAND...: COMMAND with an address-space limit of KB kilobytes
limited() {
  kb=$1; shift
  if [ "$sanitized" = 1 ]; then timeout 20 "$@"; else (ulimit -v "$kb" && exec timeout 20 "$@"); fi
}
# no_folder DIR WHAT: neither DIR nor a DIR.partial-* folder was made
no_folder() {
  if [ -e "$1" ] || ls -d "$1".partial-* > /dev/null 2>&1; then
    echo "FAIL: $2: a results folder was left"; ls -a "$(dirname "$1")"; failures=$((failures + 1))
  else passes=$((passes + 1)); fi
}

# A batch of 1e8 trials: its histories are terabytes, more than any limit.
expect 1 "batch 100000000 is refused" limited 4000000 "$rnnc" run --out "$work/huge" -D batch=100000000 "$model"
expect_line "$work/err" "error: this run needs about" "the batch's refusal says what the run needs"
expect_line "$work/err" "the network's histories take" "the batch's refusal names the histories"
expect_line "$work/err" "for a batch of 100000000 trials of 340 steps" "the batch's refusal names the batch"
no_folder "$work/huge" "batch 100000000"
# rnnc check refuses it too, at the -D that set it.
expect 1 "rnnc check refuses batch 100000000" limited 4000000 "$rnnc" check -D batch=100000000 "$model"
expect_line "$work/err" "-D batch:1:11: error: this run needs about" "the check's error is at -D batch"

# 100000 units: h -> h alone has 1e10 weights (37 GB of floats; with their
# transpose, gradient and a mask's byte each, 121 GB), so the population is
# blamed, not the batch of 128.
sed 's/FlipFlopNet(n = 100,/FlipFlopNet(n = 100000,/' "$model" > "$work/wide.rnn"
expect 1 "a population of 100000 is refused" limited 4000000 "$rnnc" run --out "$work/wide" "$work/wide.rnn"
expect_line "$work/err" "wide.rnn:16:11: error: the weights of 'h -> h' alone are 100000 x 100000, which need about" \
  "the refusal is at the population and names the weights"
expect_line "$work/err" "hint: a smaller population 'h'" "the hint names the population"
no_folder "$work/wide" "a population of 100000"
# With no_autapses the plan makes a [post][pre] mask (10 GB here): refused
# before it is allocated, not "out of memory" with no place (or killed).
sed 's/SineGenerator(n = 100)/SineGenerator(n = 100000)/' "$src/models/eprop_sine.rnn" > "$work/eprop_wide.rnn"
expect 1 "e-prop with 100000 units is refused" limited 4000000 "$rnnc" check "$work/eprop_wide.rnn"
expect_line "$work/err" "eprop_wide.rnn:11:12: error: the weights of 'h -> h' alone are 100000 x 100000" \
  "the masked projection's refusal is at the population"

# A task whose trial alone cannot fit (10^9 steps of a 1-element input and
# target, 66 doubles a step with the engine's scratch: about 500 GB) is
# refused at its duration before the first trial is made: rnnc check used
# to try to allocate it (a mutant found it, under AddressSanitizer).
cat > "$work/long.rnn" <<'EOF2'
import neurons.rate
task Long {
  input x
  target y
  duration 100000 s
  x = 1
  y = 1
}
network N {
  input x
  pop h : TanhRate[4]
  readout y : Linear[1]
  connect x -> h : all_to_all
  connect h -> y : all_to_all
}
train N on Long { dt 0.1 ms }
EOF2
expect 1 "a trial of 10^9 steps is refused" "$rnnc" check "$work/long.rnn"
expect_line "$work/err" "long.rnn:5:12: error: a trial of task 'Long' lasts 1000000000 steps, and generating one needs about 49" \
  "the refusal is at the duration, with the size (about 499 GB with what the process already uses)"

if [ "$sanitized" != 1 ]; then
  # Under ulimit -v 1 GB, a batch of 4096 needs about 2.8 GB (1.1 GB of
  # histories, 1.1 GB of PCA rows): refused against the limit, named as such.
  expect 1 "batch 4096 under ulimit -v 1 GB is refused" limited 1000000 "$rnnc" run --out "$work/limited" \
    -D batch=4096 -D iterations=1 "$model"
  expect_line "$work/err" "more than the address-space limit (ulimit -v) allows (976.6 MB)" "the limit is named"
  no_folder "$work/limited" "batch 4096 under ulimit -v"
  # ... and the model's own batch of 128 fits in that same limit and runs.
  expect 0 "batch 128 under ulimit -v 1 GB runs" limited 1000000 "$rnnc" run --out "$work/fits" \
    -D iterations=1 -D trials=128 "$model"
fi
finish
