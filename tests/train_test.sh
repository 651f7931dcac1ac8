#!/bin/sh
# Training end to end, through the rnnc command: a short flip-flop training
# lowers the loss; the same seed gives the same loss.csv, with 1 thread or 2;
# a network that blows up stops with a message naming the update and the
# population and keeps its last good weights; Ctrl-C writes what was done.
# Usage: train_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passes=0
failures=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
model="$src/models/flipflop3.rnn"
# batch 96: two chunks of the runtime's 64 rows, so 1 and 2 threads really differ in who runs what
short="-D epochs=1 -D samples=9600 -D batch=96 -D trials=64 -D n=32"

# 1. The loss falls: 100 Adam updates on the flip-flop take the MSE from
#    about 0.66 (an untrained network's output is near 0 while the target is
#    +-1 on ~2/3 of the steps) well below its start. Single batches are
#    noisy, so the first ten updates' mean is compared with the last ten's.
"$rnnc" run "$model" $short -D threads=1 --out "$work/a" > "$work/out" 2>&1 || bad "short training failed: $(cat "$work/out")"
first=$(awk -F, 'NR >= 2 && NR <= 11 { s += $3 } END { print s / 10 }' "$work/a/loss.csv")
final=$(awk -F, '{ l[NR] = $3 } END { for (i = NR - 9; i <= NR; i++) s += l[i]; print s / 10 }' "$work/a/loss.csv")
awk -v a="$first" -v b="$final" 'BEGIN { exit !(b < 0.85 * a) }' && ok || bad "the loss did not fall: $first -> $final"
for f in loss.csv weights_initial_h_h.npy weights_final_h_h.npy eval_inputs.npy eval_targets.npy \
         eval_outputs.npy record_h_r.npy summary.json; do
  [ -f "$work/a/$f" ] && ok || bad "no $f in the results"
done
head -1 "$work/a/loss.csv" | grep -q '^update,epoch,loss' && ok || bad "loss.csv header"

# 2. Same seed, same results; 1 thread or 2 (the seconds column aside).
"$rnnc" run "$model" $short -D threads=1 --out "$work/b" > /dev/null 2>&1
"$rnnc" run "$model" $short -D threads=2 --out "$work/c" > /dev/null 2>&1
cut -d, -f1-4 "$work/a/loss.csv" > "$work/la"
cut -d, -f1-4 "$work/b/loss.csv" > "$work/lb"
cut -d, -f1-4 "$work/c/loss.csv" > "$work/lc"
cmp -s "$work/la" "$work/lb" && ok || bad "two runs with the same seed differ"
cmp -s "$work/la" "$work/lc" && ok || bad "1 and 2 threads differ"
cmp -s "$work/a/weights_final_h_h.npy" "$work/c/weights_final_h_h.npy" && ok || bad "final weights differ between 1 and 2 threads"

# 3. A network that blows up: the message names the update and the population.
cat > "$work/explode.rnn" <<'RNN'
import neurons.rate
import tasks.flipflop
neuron Explode {
  state h = 1
  input I
  h <- 1e10 * h + I
  output r = h
}
network Net {
  input x[3]
  pop h : Explode[4]
  readout y : Linear[3]
  connect x -> h : all_to_all
  connect h -> y : all_to_all
}
train Net on FlipFlop { batch 4
 samples 8 }
RNN
"$rnnc" run "$work/explode.rnn" --out "$work/e" > "$work/out" 2>&1
grep -q "update 1: the loss is .* (population 'h' went non-finite first)" "$work/out" && ok || bad "NaN message: $(cat "$work/out")"
grep -q '"status": "stopped: non-finite loss"' "$work/e/summary.json" && ok || bad "NaN status in summary.json"

# 4. Ctrl-C: training stops between updates, the folder holds what was done.
"$rnnc" run "$model" -D epochs=50 -D threads=1 --out "$work/i" > "$work/out" 2>&1 &
pid=$!
sleep 3
kill -INT $pid
wait $pid
status=$?
[ "$status" -eq 130 ] && ok || bad "Ctrl-C exit status $status (expected 130)"
grep -q '"status": "interrupted"' "$work/i/summary.json" 2>/dev/null && ok || bad "no interrupted summary.json"
[ "$(wc -l < "$work/i/loss.csv")" -gt 1 ] && ok || bad "loss.csv of the interrupted run is empty"

# 5. emit-llvm prints the kernels.
"$rnnc" emit-llvm "$model" > "$work/ir" 2>&1 && grep -q 'define void @rnnc_h_TanhRate_forward' "$work/ir" && ok \
  || bad "emit-llvm: $(head -3 "$work/ir")"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
