#!/bin/sh
# A training stopped by a non-finite number keeps the weights it says it
# keeps: after a NaN at update 1, the initial ones; after a NaN at update u,
# those after update u - 1 (finite, and equal to a run of u - 1 updates);
# a step that makes a weight non-finite is undone. summary.json counts the
# updates made and says what went non-finite. A training that stopped is
# exit status 1 (README), its folder written all the same, also by --seeds.
# Usage: train_stop_test.sh RNNC
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"

# The values of .npy files (tests/npy.py): "same" when every pair
# FINAL/INITIAL holds equal arrays, "finite" when all of FINAL's are finite.
npy_compare() {  # npy_compare DIR -> "same finite", "differ finite", ...
  python3 - "$1" <<'PY'
import glob, math, sys
import npy
def values(path):
    assert npy.header(path)[0]['descr'] in ('<f4', '<f8'), path
    return npy.read(path)[1]
finals = sorted(glob.glob(sys.argv[1] + '/*_final_*.npy'))
same = all(values(f) == values(f.replace('_final_', '_initial_')) for f in finals)
finite = all(math.isfinite(v) for f in finals for v in values(f))
print('%s %s %d' % ('same' if same else 'differ', 'finite' if finite else 'non-finite', len(finals)))
PY
}

cat > "$work/net.rnn" <<'RNN'
import neurons.rate
import tasks.flipflop
param tau_h = 5 ms
network Net {
  input x[3]
  pop h : TanhRate[4](tau = tau_h)
  readout y : Linear[3]
  connect x -> h : all_to_all
  connect h -> h : all_to_all
  connect h -> y : all_to_all, bias
}
train Net on FlipFlop(steps = 300) {
  batch 4
  samples 8
  trials 4
}
RNN

# 1. tau = 0 ms divides by zero: the loss of update 1 is NaN, no step is
#    taken, and the final weights are the initial ones (4 files: three
#    weight matrices and a bias).
expect 1 "NaN at update 1: exit status" "$rnnc" run "$work/net.rnn" -D tau_h=0ms --out "$work/nan1"
cat "$work/out" "$work/err" > "$work/all" && mv "$work/all" "$work/out"
expect_line "$work/out" "update 1: the loss is NaN (population 'h' went non-finite first); training stopped and the initial weights were kept" \
  "NaN at update 1: the message"
npy_compare "$work/nan1" > "$work/cmp"
expect_line "$work/cmp" "same finite 4" "NaN at update 1: weights_final equal weights_initial"
expect_line "$work/nan1/summary.json" '"updates": 0,' "NaN at update 1: no update made"
expect_line "$work/nan1/summary.json" '"status": "stopped: non-finite loss"' "NaN at update 1: the status"

# 2. sgd with lr = 1e30: update 1's step is finite but huge, and update 2's
#    gradient is NaN while its loss is finite. The weights kept are those
#    after update 1: finite, and the final weights of a run of 1 update
#    (same seed, same trials, so the same first step).
expect 1 "huge step: exit status" "$rnnc" run "$work/net.rnn" -D "optimizer=sgd(lr = 1e30)" --out "$work/big"
cat "$work/out" "$work/err" > "$work/all" && mv "$work/all" "$work/out"
"$rnnc" run "$work/net.rnn" -D "optimizer=sgd(lr = 1e30)" -D iterations=1 --out "$work/one" > /dev/null 2>&1
expect_line "$work/out" "update 2: the loss is " "huge step: the update named"
expect_line "$work/out" "but the gradient of the weights x -> h is NaN; training stopped and the weights after update 1 were kept" \
  "huge step: the gradient, not the loss, and the weights kept"
npy_compare "$work/big" > "$work/cmp"
expect_line "$work/cmp" "differ finite 4" "huge step: the kept weights are finite and not the initial ones"
for f in "$work"/one/*_final_*.npy; do
  cmp -s "$f" "$work/big/$(basename "$f")" && passes=$((passes + 1)) ||
    { echo "FAIL: huge step: $(basename "$f") is not that of a run of 1 update"; failures=$((failures + 1)); }
done
expect_line "$work/big/summary.json" '"updates": 1,' "huge step: one update made"
expect_line "$work/big/summary.json" '"status": "stopped: non-finite gradient"' "huge step: the status names the gradient"

# 3. lr = 1e45 overflows the weights at the first step: it is undone.
expect 1 "overflowing step: exit status" "$rnnc" run "$work/net.rnn" -D "optimizer=sgd(lr = 1e45)" --out "$work/inf"
cat "$work/out" "$work/err" > "$work/all" && mv "$work/all" "$work/out"
expect_line "$work/out" "update 1: the optimiser's step made the weights x -> h infinite, so it was undone; training stopped and the initial weights were kept" \
  "overflowing step: the message"
npy_compare "$work/inf" > "$work/cmp"
expect_line "$work/cmp" "same finite 4" "overflowing step: weights_final equal weights_initial"
expect_line "$work/inf/summary.json" '"status": "stopped: non-finite weights"' "overflowing step: the status"

# 4. --seeds 2 of runs that both stop at update 1: neither counts as trained,
#    the combined folder is written (with both seeds' folders) and says so.
expect 1 "--seeds of stopped runs: exit status" "$rnnc" run "$work/net.rnn" -D tau_h=0ms --seeds 2 --out "$work/seeds"
expect_line "$work/out" "rnnc: 0 of 2 realisations trained (2 stopped before the end" "--seeds of stopped runs: the count"
expect_line "$work/seeds/summary.json" '"status": "incomplete: 0 of 2 realisations trained"' "--seeds of stopped runs: the status"
expect_line "$work/seeds/seed-2/summary.json" '"status": "stopped: non-finite loss"' "--seeds of stopped runs: a seed's folder"
finish
