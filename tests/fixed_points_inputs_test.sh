#!/bin/sh
# fixed_points(h, inputs = PHASE) (issue 14: fixed points per condition).
#  1. A two-context task (tests/data/fixed_points_contexts.rnn: fixation,
#     stimulus, delay; a context input on all trial; condition 1 + ctx),
#     trained for a second: the files' shapes and group indices agree with
#     summary.json; each group's held input is the mean of its trials'
#     inputs over the delay, computed here from eval_inputs.npy,
#     eval_phases.npy and conditions.npy; each fixed point is one of the
#     tanh map with its group's input (q recomputed here from the saved
#     weights), and not one with the other group's input or with 0 (the
#     held input is what makes it fixed); the PCA picture's points carry
#     their group's condition.
#  2. A linear unit with tau = 1 step, h[t+1] = W h[t] + W_in u, evaluated
#     with fixed weights: its one fixed point with u held is known in closed
#     form, x* = (I - W)^-1 W_in u, different in each context.
# Usage: fixed_points_inputs_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# tests/npy.py reads the .npy files (f8, i8 and u1 here; numpy is not a test dependency)
PYTHONPATH=$root/tests; export PYTHONPATH PYTHONDONTWRITEBYTECODE=1

# ---- 1. the trained two-context network
ctx=$work/ctx
"$rnnc" run "$root/tests/data/fixed_points_contexts.rnn" --out "$ctx" > "$work/ctx.log" 2>&1 ||
  { cat "$work/ctx.log"; fail "two-context run"; }
"$python" - "$ctx" <<'EOF_PY' || fail "fixed points per context"
import json, math, sys
from npy import load
d = sys.argv[1]
fp = json.load(open(d + "/summary.json"))["analysis"]["fixed_points h"]
print("fixed points h:", json.dumps(fp))
assert fp["inputs"] == "delay", fp
groups = fp["groups"]
# condition 1 + ctx with ctx drawn from {0, 1}: two groups, in order of the value
assert [g["condition"] for g in groups] == [[1.0], [2.0]], groups
(P, dim), pts = load(d + "/fixed_points_h.npy")
(Pg,), grp = load(d + "/fixed_points_h_group.npy")
(Pq,), q = load(d + "/fixed_points_h_q.npy")
(Ps,), stable = load(d + "/fixed_points_h_stable.npy")
(G, width), held = load(d + "/fixed_points_h_inputs.npy")
(Gc, cols), cvals = load(d + "/fixed_points_h_conditions.npy")
assert dim == 12 and P == Pg == Pq == Ps == fp["found"], (P, dim, Pg, Pq, Ps)
assert (G, width, Gc, cols) == (2, 2, 2, 1) and list(cvals) == [1.0, 2.0], (G, width, Gc, cols, cvals)
assert list(grp) == sorted(grp) and set(grp) <= {0, 1}, grp          # every group's points, in order
for k, g in enumerate(groups):
    mine = [i for i in range(P) if grp[i] == k]
    assert g["found"] == len(mine) and g["stable"] == sum(stable[i] for i in mine), (k, g)
    assert g["initial_states"] == 64 and g["found"] >= 1 and g["stable"] >= 1, g
assert fp["initial_states"] == 128 and sum(g["trials"] for g in groups) == 32, fp

# the held inputs, independently: each trial's group is its condition at the
# last step of the delay (phase 3); the mean over every delay step of the group
(B, T, nin), x = load(d + "/eval_inputs.npy")
_, ph = load(d + "/eval_phases.npy")
_, lab = load(d + "/conditions.npy")
_, labvals = load(d + "/conditions_values.npy")
assert B == 32 and nin == 2, (B, T, nin)          # the whole evaluation batch is in the files
sums, steps, trials = [[0.0, 0.0], [0.0, 0.0]], [0, 0], [0, 0]
for i in range(B):
    delay = [t for t in range(T) if ph[i * T + t] == 3]
    k = int(labvals[lab[i * T + delay[-1]]]) - 1
    trials[k] += 1
    for t in delay:
        steps[k] += 1
        for e in range(2):
            sums[k][e] += x[(i * T + t) * 2 + e]
for k in range(2):
    want = [s / steps[k] for s in sums[k]]
    got = held[k * 2:k * 2 + 2]
    assert all(abs(a - b) <= 1e-12 for a, b in zip(want, got)), (k, want, got)
    assert groups[k]["trials"] == trials[k], (groups[k], trials)
    # the stimulus is off in the delay and the context input is 2 ctx - 1
    assert got[0] == 0 and got[1] == (-1 if k == 0 else 1), got
print("held inputs", held)

# q of each point under the map TanhRate(tau = 2 ms) at dt = 1 ms:
# F(h) = h + dt / tau (-h + tanh(W h + W_in u)), no bias into h
(n, _), W = load(d + "/weights_final_h_h.npy")
_, Win = load(d + "/weights_final_x_h.npy")
def q_of(h, u):
    qq = 0.0
    for a in range(n):
        I = sum(W[a * n + b] * h[b] for b in range(n)) + sum(Win[a * 2 + e] * u[e] for e in range(2))
        f = h[a] + 0.5 * (-h[a] + math.tanh(I))
        qq += 0.5 * (f - h[a]) ** 2
    return qq
for i in range(P):
    h, k = pts[i * dim:(i + 1) * dim], grp[i]
    mine, other, zero = q_of(h, held[2 * k:2 * k + 2]), q_of(h, held[2 * (1 - k):2 * (1 - k) + 2]), q_of(h, [0, 0])
    print("point %d (group %d): q %.3g (file %.3g), with the other group's input %.3g, with 0 %.3g" % (i, k, mine, q[i], other, zero))
    assert mine <= 1e-12 and q[i] <= 1e-12, (i, mine, q[i])
    assert other > 1e-4 and zero > 1e-4, (i, other, zero)

# the PCA's copy of the points carries each point's condition (conditions.npy's numbering)
(Pc,), colour = load(d + "/pca_h_r_fixed_points_condition.npy")
want = [int(labvals.index(cvals[k])) for k in grp]
assert Pc == P and list(colour) == want, (colour, want)
EOF_PY
grep -q 'stable fixed point' "$ctx/pca_h_r.svg" || fail "the PCA picture lost its fixed points"

# ---- 2. a linear unit: the fixed point with u held, in closed form
cat > "$work/linear.rnn" <<'EOF_RNN'
task TwoContexts {
  input  x[2]
  target y
  draw ctx = choice(0, 1), s = choice(-1, 1)
  x[1] = 2 * ctx - 1
  phase fixation 5 { mask = 0 }
  phase stimulus 10 { x[0] = s }
  phase delay 15 { y = s; mask = 1 }
  condition 1 + ctx
}

# h[t+1] = W h[t] + W_in u[t]
neuron LinearStep {
  state h = 0
  input I
  h <- I
  output r = h
}

neuron Readout {
  input I
  output y = I
}

network Lin {
  input   x[2]
  pop     h : LinearStep[2]
  readout y : Readout[1]
  connect x -> h : one_to_one, init constant(1)
  connect h -> h : all_to_all, init constant(0.25)
  connect h -> y : all_to_all, init constant(1)
}

evaluate Lin on TwoContexts { trials 16; batch 16; seed 2 }
analyze fixed_points(h, n = 8, inputs = delay)
EOF_RNN
"$rnnc" run "$work/linear.rnn" --out "$work/lin" > "$work/lin.log" 2>&1 || { cat "$work/lin.log"; fail "linear run"; }
"$python" - "$work/lin" <<'EOF_PY' || fail "linear fixed points in closed form"
import json, sys
from npy import load
d = sys.argv[1]
fp = json.load(open(d + "/summary.json"))["analysis"]["fixed_points h"]
# W = [[.25, .25], [.25, .25]], W_in = I: I - W has determinant 0.5, and
# (I - W)^-1 = [[1.5, .5], [.5, 1.5]]; the delay's u is (0, -1) in context 1
# and (0, +1) in context 2, so x* = -+(0.5, 1.5): one point per context.
(G, _), held = load(d + "/fixed_points_h_inputs.npy")
(P, dim), pts = load(d + "/fixed_points_h.npy")
_, grp = load(d + "/fixed_points_h_group.npy")
assert G == 2 and list(held) == [0, -1, 0, 1], held
assert (P, dim) == (2, 2) and list(grp) == [0, 1], (P, dim, grp)
_, W = load(d + "/weights_final_h_h.npy")
_, Win = load(d + "/weights_final_x_h.npy")
for k in range(2):
    b = [Win[0] * held[2 * k] + Win[1] * held[2 * k + 1], Win[2] * held[2 * k] + Win[3] * held[2 * k + 1]]
    a = [[1 - W[0], -W[1]], [-W[2], 1 - W[3]]]
    det = a[0][0] * a[1][1] - a[0][1] * a[1][0]
    want = [(a[1][1] * b[0] - a[0][1] * b[1]) / det, (a[0][0] * b[1] - a[1][0] * b[0]) / det]
    got = pts[2 * k:2 * k + 2]
    print("context %d: u %s, x* %s, found %s" % (k + 1, held[2 * k:2 * k + 2], want, got))
    assert all(abs(g - w) <= 1e-9 for g, w in zip(got, want)), (k, got, want)
assert [g["fixed"] for g in fp["groups"]] == [1, 1] and fp["stable"] == 2, fp
EOF_PY

[ "$failures" -eq 0 ] || exit 1
echo "fixed_points(h, inputs = delay): per-context held inputs, points and their closed form all check"
