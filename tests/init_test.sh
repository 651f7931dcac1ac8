#!/bin/sh
# Initialisers and connect constraints, read back from a run's
# weights_initial_*.npy (issue 14):
#  1. named arguments are taken by name: normal(std = 0.1) has mean 0 and
#     std 0.1 (it was read as mean 0.1, std 1), normal(std = 2, mean = 3)
#     has mean 3 and std 2 (it was read as mean 2, std 3), and
#     orthogonal(gain = 0.5) gives W W^T = 0.25 I.
# Usage: init_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
. "$root/tests/expect.sh"

# An .npy file's shape and values (float64 or uint8, C order), without numpy.
cat > "$work/npy.py" <<'PY'
import ast, struct
def load(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<H', b[8:10])[0]
    h = ast.literal_eval(b[10:10 + n].decode())
    data = b[10 + n:]
    if h['descr'] == '<f8':
        return h['shape'], struct.unpack('<%dd' % (len(data) // 8), data)
    return h['shape'], tuple(data)
def matrix(path):
    (rows, cols), v = load(path)
    return [list(v[r * cols:(r + 1) * cols]) for r in range(rows)]
def mean_std(v):
    m = sum(v) / len(v)
    return m, (sum((x - m) ** 2 for x in v) / len(v)) ** 0.5
PY
# a python check: prints one line per failure, "ok" when all hold
check() {  # check DESCRIPTION SCRIPT
  what=$1
  PYTHONPATH="$work" "$python" -c "$2" > "$work/check" 2>&1
  if [ "$(cat "$work/check")" = ok ]; then passes=$((passes + 1)); else
    echo "FAIL: $what:"; cat "$work/check"; failures=$((failures + 1)); fi
}

# ---- 1. named arguments of initialisers
cat > "$work/named.rnn" <<'RNN'
import neurons.rate
import tasks.flipflop

network Net(n = 200) {
  input   x[3]
  pop     h : TanhRate[n](tau = 5 ms)
  pop     g : TanhRate[n](tau = 5 ms)
  readout y : Linear[3]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init normal(std = 0.1)
  connect h -> g : all_to_all, init orthogonal(gain = 0.5)
  connect g -> y : all_to_all, init normal(std = 2, mean = 3)
}

train Net on FlipFlop(bits = 3, steps = 150) {
  iterations 1
  batch 4
  trials 4
  threads 1
}
RNN
expect 0 "a run with named initialiser arguments" nice -n 10 "$rnnc" run "$work/named.rnn" --out "$work/named"
# 200 x 200 = 40000 draws: the mean's standard error is 0.1 / 200 = 0.0005
# and the std's about 0.1 / sqrt(2 * 40000) = 0.00035, so 0.005 and 3 % are
# 10 and 8 standard errors. 3 x 200 = 600 draws of N(3, 2^2): standard
# errors 0.08 and 0.06, so 0.5 and 0.3 are 6 and 5. The old readings
# (mean 0.1, std 1; mean 2, std 3) are far outside.
check "normal(std = 0.1) is N(0, 0.1^2)" "
from npy import *
m, s = mean_std([x for row in matrix('$work/named/weights_initial_h_h.npy') for x in row])
print('ok' if abs(m) < 0.005 and abs(s / 0.1 - 1) < 0.03 else 'mean %g std %g' % (m, s))"
check "normal(std = 2, mean = 3) is N(3, 2^2)" "
from npy import *
m, s = mean_std([x for row in matrix('$work/named/weights_initial_g_y.npy') for x in row])
print('ok' if abs(m - 3) < 0.5 and abs(s - 2) < 0.3 else 'mean %g std %g' % (m, s))"
# W W^T = gain^2 I for an orthogonal W; float32 weights hold it to ~1e-7
# per entry, so 1e-5 is loose enough for the sums of 200 products.
check "orthogonal(gain = 0.5) has W W^T = 0.25 I" "
from npy import *
w = matrix('$work/named/weights_initial_h_g.npy')
worst = max(abs(sum(a * b for a, b in zip(w[i], w[j])) - (0.25 if i == j else 0))
            for i in range(len(w)) for j in range(len(w)))
print('ok' if worst < 1e-5 else 'W W^T is off 0.25 I by %g' % worst)"

finish
