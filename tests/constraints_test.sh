#!/bin/sh
# Connect constraints hold in the saved weights after training (issue 14).
# A rate network trains 40 Adam updates at a high learning rate (so that
# weights move and some would cross zero), with
#   h -> h : fixed_probability(0.3), dale(exc = 0.8), no_autapses
#   g -> g : mask load("m.npy"), dale(exc = 0.75)
#   x -> h : frozen
# and weights_initial_* and weights_final_* are read back:
#  - every weight is 0 where the mask is 0, before and after training (the
#    rule's mask, unknown to the test, is where the normal initialiser gave
#    0: it never does otherwise; about 70 % of the pairs, and the diagonal,
#    no_autapses, which the initial weights must show);
#  - each presynaptic neuron keeps one sign: column j of [post, pre] is all
#    >= 0 for the first round(f n) neurons and all <= 0 for the others, so
#    32 of 40 and 30 of 40 columns have positive weights, the rest negative;
#  - training changed most allowed weights, and held some at 0 that an
#    update pushed across it (so the checks above could fail);
#  - the frozen x -> h is the same bit for bit.
# Usage: constraints_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
. "$root/tests/expect.sh"

cat > "$work/constrained.py" <<'PY'
from npy import matrix
def check(dir, name, allowed, n_exc):
    """Failures of projection NAME's initial and final weights in DIR: a weight
    where ALLOWED[i][j] is false, a column of the wrong sign, too few
    weights changed by training."""
    out = []
    w0 = matrix(dir + 'weights_initial_%s.npy' % name)
    w1 = matrix(dir + 'weights_final_%s.npy' % name)
    n = len(w0[0])
    for when, w in ('initial', w0), ('final', w1):
        outside = sum(w[i][j] != 0 for i in range(len(w)) for j in range(n) if not allowed[i][j])
        if outside:
            out.append('%s %s: %d weights where the mask is 0' % (name, when, outside))
        cols = list(zip(*w))
        wrong = [j for j in range(n) if any(x < 0 for x in cols[j]) if j < n_exc] + \
                [j for j in range(n) if any(x > 0 for x in cols[j]) if j >= n_exc]
        if wrong:
            out.append('%s %s: columns %s have weights of the wrong sign' % (name, when, wrong))
        exc = sum(any(x > 0 for x in c) for c in cols)
        inh = sum(any(x < 0 for x in c) for c in cols)
        if (exc, inh) != (n_exc, n - n_exc):
            out.append('%s %s: %d excitatory and %d inhibitory columns' % (name, when, exc, inh))
    pairs = [(i, j) for i in range(len(w0)) for j in range(n) if allowed[i][j]]
    changed = sum(w0[i][j] != w1[i][j] for i, j in pairs) / len(pairs)
    if changed < 0.5:
        out.append('%s: training changed only %.0f %% of the weights' % (name, 100 * changed))
    held = sum(w0[i][j] != 0 and w1[i][j] == 0 for i, j in pairs)
    if held == 0:
        out.append('%s: no weight was held at 0, so no update pushed one across it' % name)
    return out
PY

# m.npy allows [i, j] where (i + 3 j) % 4 != 0: three quarters of the pairs.
PYTHONPATH="$root/tests:$work" "$python" -B -c "
from npy import save_u8
save_u8('$work/m.npy', [[int((i + 3 * j) % 4 != 0) for j in range(40)] for i in range(40)])"
cat > "$work/dale.rnn" <<'RNN'
import neurons.rate
import tasks.flipflop

network Constrained(n = 40) {
  input   x[3]
  pop     h : TanhRate[n](tau = 5 ms)
  pop     g : TanhRate[n](tau = 5 ms)
  readout y : Linear[3]
  connect x -> h : all_to_all, init normal(0, 1), frozen
  connect h -> h : fixed_probability(0.3), init normal(0, 1 / sqrt(fan_in)), dale(exc = 0.8),
                   no_autapses
  connect h -> g : all_to_all, init normal(0, 1 / sqrt(fan_in))
  connect g -> g : mask load("m.npy"), init normal(0, 1 / sqrt(fan_in)), dale(exc = 0.75)
  connect g -> y : all_to_all, init normal(0, 1 / sqrt(fan_in)), bias
}

train Constrained on FlipFlop(bits = 3, steps = 150) {
  optimizer  adam(lr = 0.02)
  iterations 40
  batch      16
  trials     16
  threads    1
}
RNN
expect 0 "the constrained network trains" nice -n 10 "$rnnc" run "$work/dale.rnn" --out "$work/dale"
expect_line "$work/dale/summary.json" '"updates": 40' "40 updates were made"
PYTHONPATH="$root/tests:$work" "$python" -B -c "
from npy import matrix
from constrained import check
d = '$work/dale/'
w0 = matrix(d + 'weights_initial_h_h.npy')
rule = [[x != 0 for x in row] for row in w0]
kept = sum(map(sum, rule)) / 1600
out = [] if 0.23 < kept < 0.37 else ['fixed_probability(0.3) kept %g of the pairs' % kept]
autapses = [i for i in range(40) if w0[i][i] != 0]
out += ['no_autapses, yet neurons %s connect to themselves' % autapses] if autapses else []
out += check(d, 'h_h', rule, 32)
out += check(d, 'g_g', [[(i + 3 * j) % 4 != 0 for j in range(40)] for i in range(40)], 30)
print('\n'.join(out) or 'ok')" > "$work/check" 2>&1
if [ "$(cat "$work/check")" = ok ]; then passes=$((passes + 1)); else
  echo "FAIL: the constraints after training:"; cat "$work/check"; failures=$((failures + 1)); fi
# 1600 pairs kept with probability 0.3: a standard error of 0.0115, so
# [0.23, 0.37] is 6 of them either side.
if cmp -s "$work/dale/weights_initial_x_h.npy" "$work/dale/weights_final_x_h.npy"; then
  passes=$((passes + 1)); else echo "FAIL: the frozen x -> h changed in training"; failures=$((failures + 1)); fi
finish
