#!/bin/sh
# loss_test.sh RNNC
# 'loss cross_entropy' and the L2 regularisers through 'rnnc run': a
# two-choice decision (the side of a noisy input, answered in the last 8
# steps, the mask off before) trains with a softmax readout. A network that
# knows nothing gives p = 1/2 to each side, a loss of ln 2 = 0.693 (chance);
# the trained one must fall well below it, to under a quarter of its first
# loss. The regularisers' loss goes to loss.csv's reg_loss column and to
# summary.json, equal in both; e-prop takes the same loss, and -D sets it.
set -u
rnnc=$1
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1

cat > "$work/choice.rnn" <<'MODEL'
import neurons.rate

task Choice(steps = 20) {
  input  x[2]
  target y[2]
  duration steps
  draw side = choice(0, 1)
  x[side] = 0.5
  x += 0.5 * normal()
  y[side] = 1
  mask = t >= 12 ms
}

network Net(n = 16) {
  input   x[2]
  pop     h : TanhRate[n](tau = 3 ms)
  readout y : Linear[2]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init glorot_uniform, bias
}

train Net on Choice {
  loss       cross_entropy
  regularize l2(c = 1e-3), l2_rate(c = 1e-3)
  optimizer  adam(lr = 1e-2)
  iterations 200
  batch      16
  trials     64
  threads    1
}
MODEL

expect 0 "cross_entropy with l2 and l2_rate trains" nice -n 10 "$rnnc" run "$work/choice.rnn" --out "$work/run"
expect_line "$work/run/loss.csv" "update,epoch,loss,grad_norm,seconds,reg_loss" "loss.csv has the regularisers' column and no rate (nothing spikes)"
python3 - "$work/run" <<'PY' || failures=$((failures + 1))
import csv, json, math, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
rows = list(csv.DictReader(open(d + "/loss.csv")))
first, final = s["first_train_loss"], s["final_train_loss"]
print(f"cross_entropy: first {first:.4f}, final {final:.4f}, eval {s['eval_loss']:.4f} (chance ln 2 = {math.log(2):.4f})")
assert final < 0.25 * first, (first, final)
assert s["eval_loss"] < 0.5 * math.log(2), s["eval_loss"]   # held-out trials, far below chance
# the regularisers' loss: positive, the same in loss.csv and summary.json
assert float(rows[0]["reg_loss"]) > 0
assert abs(s["first_reg_loss"] - float(rows[0]["reg_loss"])) <= 1e-8 * s["first_reg_loss"], s["first_reg_loss"]
assert abs(s["final_reg_loss"] - float(rows[-1]["reg_loss"])) <= 1e-8 * s["final_reg_loss"], s["final_reg_loss"]
PY
passes=$((passes + 1))

# e-prop seeds its learning signals with the same d loss / d y.
expect 0 "e-prop trains with cross_entropy" nice -n 10 "$rnnc" run "$work/choice.rnn" --out "$work/eprop" \
  -D "learn=eprop(feedback=symmetric)"
python3 - "$work/eprop" <<'PY' || failures=$((failures + 1))
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
print(f"e-prop: first {s['first_train_loss']:.4f}, final {s['final_train_loss']:.4f}")
assert s["final_train_loss"] < 0.7 * s["first_train_loss"], s
PY

# -D sets the loss with its class weights; without regularisers there is no reg_loss.
expect 0 "-D sets cross_entropy's class weights" "$rnnc" run "$work/choice.rnn" --out "$work/weighted" \
  -D "loss=cross_entropy(weights=[1, 3])" -D "regularize=rate(c=0)" -D iterations=2
expect_line "$work/weighted/summary.json" '"loss": "cross_entropy(weights=[1, 3])"' "the summary records the loss given"
expect_line "$work/weighted/loss.csv" "update,epoch,loss,grad_norm,seconds" "the header"
if grep -q reg_loss "$work/weighted/loss.csv"; then
  echo "FAIL: a run without a regulariser has a reg_loss column"; failures=$((failures + 1))
fi
expect 1 "-D refuses a class weight per element missing" "$rnnc" run "$work/choice.rnn" --out "$work/bad" \
  -D "loss=cross_entropy(weights=[1])"
expect_line "$work/err" "error: cross_entropy has 1 class weight, but readout 'y' has 2 elements" "the count is checked"
finish
