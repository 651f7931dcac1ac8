#!/bin/sh
# rnnc analyze refuses weights of the wrong shape even when they hold as many
# values: a transposed [pre, post] matrix of the non-square x -> h (3 inputs,
# 4 neurons: [4, 3] expected) and a bias of [1, 3] for [3]. Both shapes are
# printed, and the folder is left as it was.
# Usage: analyze_weights_test.sh RNNC
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"

cat > "$work/net.rnn" <<'RNN'
import neurons.rate
import tasks.flipflop
network Net {
  input x[3]
  pop h : TanhRate[4]
  readout y : Linear[3]
  connect x -> h : all_to_all
  connect h -> y : all_to_all, bias
}
train Net on FlipFlop(steps = 300) {
  batch 4
  samples 4
  trials 4
}
RNN

# reshape FILE SHAPE: the same values under another shape in the header (the
# header keeps its length, so the data stays where it was)
reshape() {
  python3 - "$1" "$2" <<'PY'
import ast, sys
import npy   # tests/npy.py
npy.reshape(sys.argv[1], ast.literal_eval(sys.argv[2]))
PY
}

expect 0 "the run" "$rnnc" run "$work/net.rnn" --out "$work/w"
cp -r "$work/w" "$work/b"
expect 0 "rnnc analyze of the run as written" "$rnnc" analyze "$work/w"

reshape "$work/w/weights_final_x_h.npy" "(3, 4)"
expect 1 "rnnc analyze of transposed weights" "$rnnc" analyze "$work/w"
expect_line "$work/err" "weights_final_x_h.npy has shape [3, 4]; the model's x -> h needs weights of shape [4, 3] ([post, pre]" \
  "transposed weights: both shapes"

reshape "$work/b/bias_final_h_y.npy" "(1, 3)"
expect 1 "rnnc analyze of a bias of [1, 3]" "$rnnc" analyze "$work/b"
expect_line "$work/err" "bias_final_h_y.npy has shape [1, 3]; the model's h -> y needs a bias of shape [3] ([post]" \
  "bias of the wrong shape: both shapes"
finish
