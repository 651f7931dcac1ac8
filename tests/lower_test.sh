#!/bin/sh
# lower_test.sh RNNC
# Lowering is linear in the size of the expression DAG: a neuron whose lets
# chain 60 deep (let a1 = a0 * a0 + h, let a2 = a1 * a1 + h, ...), each using
# the one before twice, and one whose update calls 40 nested functions
# (f_k(x, h) = f_{k-1}(x, h) * f_{k-1}(x, h) + h), check and run in well under
# a second. Lowering every use of a let again doubled the work per level
# (2^60 visits); the memo of lowered definitions makes it one visit each.
# Each command runs under 'timeout 20' so a regression fails instead of hanging.
# The graphs' node count (rnnc -v) is asserted, not a time: each level adds a
# product, a sum and their derivatives (about 7 nodes, adjoint included) to a
# base of some 30, so 20 per level is a bound a linear graph meets with room
# and an expanded tree (2^levels) cannot.
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1

# chain_model KIND LEVELS: a small trainable flip-flop whose neuron is the chain
chain_model() {
  echo "import tasks.flipflop"
  if [ "$1" = functions ]; then
    echo "function f0(x, h) = x * x + h"
    i=1; while [ $i -lt "$2" ]; do
      echo "function f$i(x, h) = f$((i - 1))(x, h) * f$((i - 1))(x, h) + h"; i=$((i + 1)); done
  fi
  echo "neuron Chain(tau = 5 step) {"
  echo "  state h = 0"
  echo "  input I"
  if [ "$1" = lets ]; then
    echo "  let a0 = tanh(I)"
    i=1; while [ $i -le "$2" ]; do echo "  let a$i = a$((i - 1)) * a$((i - 1)) + h"; i=$((i + 1)); done
    echo "  dh/dt = (-h + tanh(a$2)) / tau"
  else
    echo "  dh/dt = (-h + tanh(f$(($2 - 1))(tanh(I), h))) / tau"
  fi
  cat <<'END'
  output r = h
}
neuron Lin {
  input I
  output y = I
}
network Net(n = 8) {
  input   x[3]
  pop     h : Chain[n]
  readout y : Lin[3]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init normal(0, 1 / sqrt(fan_in)), bias
}
train Net on FlipFlop(bits = 3, delay = 20, noise = 0.1) {
  learn     bptt
  loss      mse
  optimizer adam(lr = 1e-3)
  epochs    1
  batch     4
  samples   8
  seed      1
}
END
}

# nodes_at_most FILE LIMIT WHAT: the '(N nodes)' that -v printed is at most LIMIT
nodes_at_most() {
  n=$(sed -n 's/.*lower to IR [0-9.]* ms (\([0-9]*\) nodes).*/\1/p' "$1")
  if [ -n "$n" ] && [ "$n" -le "$2" ]; then passes=$((passes + 1)); else
    echo "FAIL: $3: ${n:-no} nodes, expected at most $2"; cat "$1"; failures=$((failures + 1)); fi
}

for case in "lets 60" "functions 40"; do
  set -- $case
  chain_model "$1" "$2" > "$work/$1.rnn"
  expect 0 "check of $2 chained $1" timeout 20 "$rnnc" check "$work/$1.rnn"
  expect 0 "run of $2 chained $1" timeout 20 "$rnnc" run -v --out "$work/$1.out" "$work/$1.rnn"
  nodes_at_most "$work/err" $((20 * $2)) "the graph of $2 chained $1"
  expect_line "$work/out" "2 updates" "$2 chained $1 train their two updates"
done
finish
