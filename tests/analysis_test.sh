#!/bin/sh
# Analyses, pictures and the report of real runs (issue 5):
#  - e-prop: the report shows what the e-prop sine figure shows (spike
#    raster, loss over iterations, target vs output before and after
#    training), self-contained, and renders in headless Chromium;
#  - --seeds: K realisations, a combined summary with per_seed and the
#    mean/std/min/max of each metric, a loss band, the spectra side by side;
#  - rnnc analyze DIR: the same analyses again from the saved weights give
#    the same numbers, and the folder is rewritten whole;
#  - a small flip-flop network, trained here: its 8 memory states form 8
#    clusters in the top 3 PCs whose centroids lie farther apart than their
#    spread; robustness and degradation at level 0 equal the evaluation;
#  - three latching tanh units: the 27 fixed points known in closed form,
#    their stability and Jacobian eigenvalues, found through rnnc run;
#  - two readouts: outputs.svg and task.svg draw both, by name, and the
#    PCA legend names the task's conditions by their values.
# Usage: analysis_test.sh RNNC SOURCE_DIR RENDER_SCRIPT
set -u
rnnc=$1
root=$2
render=$3
python=/usr/bin/python3
PYTHONPATH=$root/tests; export PYTHONPATH PYTHONDONTWRITEBYTECODE=1   # tests/npy.py, without a __pycache__ in the tree
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A value from a JSON file: json FILE EXPR, EXPR in terms of d.
json() { "$python" -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- e-prop: the literature's figure, in report.html
ep=$work/eprop
"$rnnc" run "$root/models/eprop_sine.rnn" -D iterations=40 --out "$ep" > "$work/ep.log" 2>&1 ||
  { cat "$work/ep.log"; fail "eprop run"; }
for f in loss.svg raster_h.svg outputs.svg task.svg weights_h_h.svg report.html model.rnn; do
  [ -s "$ep/$f" ] || fail "eprop: no $f"
done
cmp -s "$ep/model.rnn" "$root/models/eprop_sine.rnn" || fail "model.rnn is not the model file"
grep -q "Before training" "$ep/outputs.svg" && grep -q "After training" "$ep/outputs.svg" ||
  fail "outputs.svg lacks the before/after panels"
grep -q "time (ms)" "$ep/raster_h.svg" && grep -q ">neuron<" "$ep/raster_h.svg" || fail "raster axes unlabelled"
[ "$(grep -o '<svg' "$ep/report.html" | wc -l)" -ge 5 ] || fail "report.html inlines fewer than 5 figures"
if grep -qiE '<script|src="http|href="http|<link ' "$ep/report.html"; then
  fail "report.html is not self-contained"
fi
grep -q "regularize rate" "$ep/report.html" || fail "report.html lacks the model source"
sh "$render" --page "$ep/report.html" || fail "the e-prop report does not render"

# ---- --seeds: realisations and their combination
sd=$work/seeds
"$rnnc" run "$root/models/eprop_sine.rnn" -D iterations=15 --seeds 3 --out "$sd" > "$work/sd.log" 2>&1 ||
  { cat "$work/sd.log"; fail "--seeds run"; }
[ "$(json "$sd/summary.json" 'len(d["per_seed"])')" = 3 ] || fail "per_seed has not 3 entries"
[ "$(json "$sd/summary.json" '[s["seed"] for s in d["per_seed"]]')" = "[1, 2, 3]" ] || fail "seeds are not 1, 2, 3"
# the mean is the mean of the realisations' own summaries
"$python" - "$sd" <<'EOF' || fail "combined mean and spread"
import json, statistics, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
own = [json.load(open(f"{d}/seed-{k}/summary.json"))["final_train_loss"] for k in (1, 2, 3)]
assert abs(s["mean"]["final_train_loss"] - statistics.mean(own)) < 1e-6 * abs(statistics.mean(own)), own
assert abs(s["std"]["final_train_loss"] - statistics.stdev(own)) < 1e-6 * statistics.stdev(own) + 1e-12, own
assert s["min"]["final_train_loss"] == min(own) or abs(s["min"]["final_train_loss"] - min(own)) < 1e-9 * min(own)
assert len(set(own)) == 3, "the realisations are not independent: " + str(own)
# nested numbers (the analyses) are combined too, under dotted names
key = "analysis.eigen h -> h.final.spectral_radius"
radii = [json.load(open(f"{d}/seed-{k}/summary.json"))["analysis"]["eigen h -> h"]["final"]["spectral_radius"]
         for k in (1, 2, 3)]
assert abs(s["max"][key] - max(radii)) <= 1e-9 * max(radii), (s["max"].get(key), radii)
assert all(key in p for p in s["per_seed"]), s["per_seed"][0].keys()
EOF
for k in 1 2 3; do [ -s "$sd/seed-$k/report.html" ] || fail "seed-$k has no report"; done
grep -q "mean" "$sd/loss.svg" || fail "the combined loss has no mean band"
[ -s "$sd/report.html" ] || fail "no combined report"

# ---- the flip-flop: PCA clusters and fixed points
ff=$work/flipflop
"$rnnc" run "$root/tests/data/flipflop_small.rnn" --out "$ff" > "$work/ff.log" 2>&1 ||
  { cat "$work/ff.log"; fail "flip-flop run"; }
"$python" - "$ff/summary.json" <<'EOF' || fail "flip-flop analyses"
import json, sys
d = json.load(open(sys.argv[1]))
a = d["analysis"]
print("eval accuracy", d["eval_accuracy"])
pca = a["pca h_r"]
print("pca", pca)
assert pca["conditions"] == 8, pca
assert pca["min_centroid_distance"] > pca["max_spread"], pca
# Its memories are slow points at this stage of training, not yet exact
# fixed points (flipflop3.rnn's, after 6000 updates, are): here only that
# the finder ran on the trained network and kept points it could check.
fp = a["fixed_points h"]
print("fixed points", fp)
assert fp["found"] >= 1 and fp["max_q"] <= 1e-6, fp
eig = a["eigen h -> h"]
assert eig["final"]["spectral_radius"] > 0
# Robustness and degradation at level 0 are the evaluation itself (the same
# trials, nothing added or removed), so their accuracy is eval_accuracy
# exactly; noise of twice the signal and half the units removed must hurt.
rob, deg = a["robustness"], a["degradation h"]
print("robustness", rob, "degradation", deg)
assert rob[0]["noise"] == 0 and rob[0]["accuracy"] == d["eval_accuracy"], rob
assert abs(rob[0]["loss"] - d["eval_loss"]) <= 1e-9 * d["eval_loss"], rob
assert rob[-1]["accuracy"] < rob[0]["accuracy"] - 0.05, rob
assert deg[0]["fraction"] == 0 and deg[0]["accuracy"] == d["eval_accuracy"], deg
assert deg[-1]["accuracy"] < deg[0]["accuracy"] - 0.05, deg
EOF
for f in pca_h_r.svg eigen_h_h.svg weights_h_h.svg robustness.svg degradation_h.svg pca_h_r_fixed_points.npy; do [ -s "$ff/$f" ] || fail "flip-flop: no $f"; done

# ---- fixed points with a known answer, found through the whole pipeline
# (compiled step and adjoint): see tests/data/fixed_points_known.rnn.
fk=$work/known
"$rnnc" run "$root/tests/data/fixed_points_known.rnn" --out "$fk" > "$work/fk.log" 2>&1 ||
  { cat "$work/fk.log"; fail "known fixed points run"; }
"$python" - "$fk" <<'EOF' || fail "known fixed points"
import json, math, sys
import npy as npy_file   # tests/npy.py, on PYTHONPATH
d = sys.argv[1]

def npy(path):
    """A .npy file (float64 or uint8, C order) as (shape, flat list)."""
    assert npy_file.header(path)[0]["descr"] in ("<f8", "|u1"), path
    shape, values = npy_file.read(path)
    return shape, list(values)

# h* solves h = tanh(2 h): bisection on [0.5, 1], independent of the finder
lo, hi = 0.5, 1.0
for _ in range(200):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if math.tanh(2 * mid) > mid else (lo, mid)
hstar = lo
s = json.load(open(d + "/summary.json"))["analysis"]["fixed_points h"]
assert s["found"] == 27 and s["fixed"] == 27 and s["stable"] == 8 and s["one_unstable_mode"] == 12, s
(count, dim), x = npy(d + "/fixed_points_h.npy")
_, stable = npy(d + "/fixed_points_h_stable.npy")
_, eig = npy(d + "/fixed_points_h_eigen.npy")
seen = set()
for p in range(count):
    pt = x[p * dim:(p + 1) * dim]
    zeros = 0
    for v in pt:   # every coordinate is 0 or +-h*
        assert abs(v) < 1e-9 or abs(abs(v) - hstar) < 1e-9, pt
        zeros += abs(v) < 1e-9
    seen.add(tuple(round(v, 6) for v in pt))
    moduli = sorted(math.hypot(eig[(p * dim + i) * 2], eig[(p * dim + i) * 2 + 1]) for i in range(dim))
    want = sorted([2.0] * zeros + [2 * (1 - hstar * hstar)] * (dim - zeros))
    assert all(abs(a - b) < 1e-9 for a, b in zip(moduli, want)), (pt, moduli, want)
    assert stable[p] == (zeros == 0), (pt, stable[p])
assert len(seen) == 27
print("27 fixed points at {0, +-%.9f}^3, 8 stable, Jacobian eigenvalues 2 and %.9f" % (hstar, 2 * (1 - hstar * hstar)))
EOF

# ---- an analysis that cannot run is refused before training, not after it
cat > "$work/spiking_fp.rnn" <<'EOF'
import neurons.lif
import neurons.rate
import tasks.sine
network S {
  input   x[10]
  pop     h : LIF[8]
  readout y : LeakyReadout[1]
  connect x -> h : all_to_all, init normal(0, 0.3)
  connect h -> h : all_to_all, init normal(0, 0.3)
  connect h -> y : all_to_all, init normal(0, 0.3)
}
train S on SineSum(n_in = 10, steps = 50) { iterations 100000; batch 1; trials 1 }
analyze fixed_points(h)
EOF
start=$(date +%s)
"$rnnc" run "$work/spiking_fp.rnn" --out "$work/sfp" > /dev/null 2> "$work/sfp.err" && fail "fixed_points of a spiking population ran"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "the refusal came after training"
grep -q "spiking_fp.rnn:13:22: .*'h' spikes; fixed points are defined for rate populations" "$work/sfp.err" || { cat "$work/sfp.err"; fail "unclear refusal of spiking fixed points"; }
[ -e "$work/sfp" ] && fail "a refused run left a folder"

# ---- two readouts: both drawn, each column by its readout's name
# eval_outputs.npy holds y[2] then z[1] side by side; the task's condition
# 1 + (a > 0) has the values 1 and 2, which the PCA legend shows as numbers.
cat > "$work/two.rnn" <<'MODEL'
import neurons.rate
task TwoOut(steps = 60) {
  input  x[2]
  target y[2]
  target z[1]
  duration steps
  draw a = choice(-1, 1), b = choice(-1, 1)
  pulse x[0] = a at 5 for 5
  pulse x[1] = b at 20 for 5
  y[0] = latch(x[0], after = 10)
  y[1] = latch(x[1], after = 10)
  z[0] = 0.5 * latch(x[0], after = 10)
  condition 1 + (a > 0)
}
network Two(n = 16) {
  input   x[2]
  pop     h : TanhRate[n](tau = 5 ms)
  readout y : Linear[2]
  readout z : Linear[1]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init glorot_uniform, bias
  connect h -> z : all_to_all, init glorot_uniform, bias
}
train Two on TwoOut() { iterations 20; batch 8; trials 16; seed 1 }
record h.r
analyze pca(h.r, 2)
MODEL
two=$work/two
"$rnnc" run "$work/two.rnn" --out "$two" > "$work/two.log" 2>&1 || { cat "$work/two.log"; fail "two-readout run"; }
for label in "Before training (first batch), z[0]" "After training (evaluation), y[1]" \
             "After training (evaluation), z[0]"; do
  grep -qF ">$label<" "$two/outputs.svg" || fail "outputs.svg lacks '$label'"
done
grep -qF "y[2]" "$two/outputs.svg" && fail "outputs.svg calls z's column y[2]"
grep -qF ">z[0]<" "$two/task.svg" || fail "task.svg lacks the target z[0]"
grep -qF ">condition = 1<" "$two/pca_h_r.svg" && grep -qF ">condition = 2<" "$two/pca_h_r.svg" ||
  fail "the PCA legend does not name the conditions 1 and 2"
grep -q "not every picture" "$work/two.log" && { cat "$work/two.log"; fail "a picture of the two-readout run failed"; }

# ---- rnnc analyze: the same numbers again, from the saved weights
cp "$ff/summary.json" "$work/before.json"
"$rnnc" analyze "$ff" > "$work/an.log" 2>&1 || { cat "$work/an.log"; fail "rnnc analyze"; }
"$python" - "$work/before.json" "$ff/summary.json" <<'EOF' || fail "rnnc analyze differs from the run"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["analysis"] == b["analysis"], (a["analysis"], b["analysis"])
assert a["eval_loss"] == b["eval_loss"]
EOF
ls "$ff".partial-* > /dev/null 2>&1 && fail "rnnc analyze left a partial folder"
"$rnnc" analyze "$work/nowhere" > /dev/null 2> "$work/an2.log" && fail "analyze of a missing folder succeeded"
grep -q "is '$work/nowhere' a results folder" "$work/an2.log" || { cat "$work/an2.log"; fail "analyze: unclear message"; }

[ $failures -eq 0 ] && echo "all analysis checks passed"
[ $failures -eq 0 ]
