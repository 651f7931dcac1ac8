#!/bin/sh
# The results folder keeps every projection, channel, readout and record
# item apart (issue 12's defects), and rnnc analyze reproduces a run:
#  - a gated unit with two input ports fed from the same populations
#    (x -> h.I_z, x -> h.I_h, h -> h.I_z, h -> h.I_h) writes one weights
#    file per projection, named by its port, and they hold different
#    matrices; eigen(h -> h.I_h) names one of them;
#  - two record items over subsets of one variable write two files;
#  - two input channels and two readouts: eval_inputs, eval_targets,
#    eval_outputs and initial_* hold them side by side, in declaration
#    order, with the values the task gives each channel;
#  - rnnc analyze of the gated network's folder gives back exactly the
#    run's evaluation loss and analysis numbers;
#  - a membrane written in mV is recorded in mV, not in volts (issue 17),
#    and summary.json's "records" says so; spikes have no unit.
# Usage: results_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
. "$root/tests/expect.sh"

# ---- a gated unit: projections to two ports of one population
cat > "$work/gated.rnn" <<'EOF'
import neurons.rate
import tasks.flipflop

neuron MinimalGRU {
  state h = 0
  input I_z, I_h
  let z = sigmoid(I_z)
  h <- (1 - z) * h + z * tanh(I_h)
  output r = h
}

network GatedNet {
  input   x[3]
  pop     h : MinimalGRU[8]
  readout y : Linear[3]
  connect x -> h.I_z : all_to_all, init glorot_uniform
  connect x -> h.I_h : all_to_all, init glorot_uniform
  connect h -> h.I_z : all_to_all, init orthogonal
  connect h -> h.I_h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init glorot_uniform, bias
}

train GatedNet on FlipFlop(bits = 3, steps = 120) {
  iterations 20
  batch 16
  trials 32
}
record h.r[0:4], h.r[4:8]
analyze eigen(h -> h.I_h), pca(h.r, 2), fixed_points(h, n = 16)
EOF
expect 0 "the gated network runs" "$rnnc" run "$work/gated.rnn" --out "$work/gated"
for f in x_h_I_z x_h_I_h h_h_I_z h_h_I_h h_y; do
  for when in initial final; do
    [ -f "$work/gated/weights_${when}_$f.npy" ] && passes=$((passes + 1)) ||
      { echo "FAIL: no weights_${when}_$f.npy"; failures=$((failures + 1)); }
  done
done
[ -f "$work/gated/weights_final_x_h.npy" ] && { echo "FAIL: a port-less weights file beside the port ones"; failures=$((failures + 1)); }
"$python" - "$work" > "$work/gated.check" 2>&1 <<'EOF'
import sys
from npy import load   # tests/npy.py, on PYTHONPATH (expect.sh)
d = sys.argv[1] + '/gated/'
# the two projections from x are different matrices (the port names keep them apart)
_, a = load(d + 'weights_final_x_h_I_z.npy')
_, b = load(d + 'weights_final_x_h_I_h.npy')
assert a != b, 'x -> h.I_z and x -> h.I_h hold the same weights'
# eigen(h -> h.I_h) reads its own projection: an orthogonal matrix (stored in float32) has its
# eigenvalues on the unit circle, to float rounding
s, e = load(d + 'eigen_initial_h_h_I_h.npy')
assert s == (8, 2), s
assert all(abs((e[2 * i] ** 2 + e[2 * i + 1] ** 2) ** 0.5 - 1) < 1e-6 for i in range(8)), e
# two subsets of one variable, two files of 4 neurons each
for part in ('0_4', '4_8'):
    s, _ = load(d + 'record_h_r_%s.npy' % part)
    assert s[2] == 4, (part, s)
print('ok')
EOF
expect_line "$work/gated.check" ok "the gated network's files"

# rnnc analyze reads back the port-named weights and repeats the run's numbers
cp "$work/gated/summary.json" "$work/run-summary.json"
expect 0 "rnnc analyze of the gated network" "$rnnc" analyze "$work/gated"
"$python" - "$work/run-summary.json" "$work/gated/summary.json" > "$work/same.check" 2>&1 <<'EOF'
import json, sys
run, again = (json.load(open(p)) for p in sys.argv[1:3])
assert run['eval_loss'] == again['eval_loss'], (run['eval_loss'], again['eval_loss'])
def numbers(x, at=''):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from numbers(v, at + '.' + k)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from numbers(v, '%s[%d]' % (at, i))
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        yield at, x
a, b = dict(numbers(run['analysis'])), dict(numbers(again['analysis']))
assert a == b, [k for k in a if a[k] != b.get(k)]
print('ok', len(a))
EOF
expect_line "$work/same.check" ok "rnnc analyze repeats the run's numbers"

# ---- two input channels and two readouts
cat > "$work/channels.rnn" <<'EOF'
import neurons.rate

task Two {
  input  a[2], b
  target y[2], z
  duration 30
  a[0] = 1
  a[1] = -1
  b = 0.5
  y[0] = 0.25
  y[1] = -0.25
  z = 0.75
}

network Net {
  input   a[2], b
  pop     h : TanhRate[6]
  readout y : Linear[2]
  readout z : Linear[1]
  connect a -> h : all_to_all
  connect b -> h : all_to_all
  connect h -> h : all_to_all
  connect h -> y : all_to_all
  connect h -> z : all_to_all
}

train Net on Two { iterations 3; batch 4; trials 4 }
EOF
expect 0 "two channels and two readouts run" "$rnnc" run "$work/channels.rnn" --out "$work/channels"
"$python" - "$work" > "$work/channels.check" 2>&1 <<'EOF'
import sys
from npy import load   # tests/npy.py, on PYTHONPATH (expect.sh)
d = sys.argv[1] + '/channels/'
s, x = load(d + 'eval_inputs.npy')
assert s == (4, 30, 3), s
assert x[:3] == (1.0, -1.0, 0.5), x[:3]           # a[0], a[1], then b
for f in ('eval_targets.npy', 'initial_targets.npy'):
    s, t = load(d + f)
    assert s == (4, 30, 3), (f, s)
    assert t[:3] == (0.25, -0.25, 0.75), (f, t[:3])   # y[0], y[1], then z
for f in ('eval_outputs.npy', 'initial_outputs.npy'):
    s, _ = load(d + f)
    assert s == (4, 30, 3), (f, s)
print('ok')
EOF
expect_line "$work/channels.check" ok "every channel and readout kept, side by side"

# ---- records in the unit the model declares
# A neuron at rest: no input, so V stays at its initial -70 mV. In mV the
# record holds -70 (float32: within 1e-4); in SI it would hold -0.07. The
# state w has no unit written in its initial value but a current's
# dimension (from its equation), so it is recorded in the table's pA,
# rising from 0 towards 2 pA (in SI it would be about 1e-12).
cat > "$work/units.rnn" <<'EOF'
import neurons.rate

task Quiet {
  input  x
  target y
  duration 20 ms
  x = 0
}

neuron Resting(tau_m = 10 ms, E_L = -70 mV, V_th = -50 mV) {
  state V = -70 mV, w = 0
  input I
  dV/dt = (E_L - V) / tau_m
  dw/dt = (2 pA - w) / tau_m
  spike z when V > V_th
  reset V = E_L
  surrogate z = max(0, 1 - abs(V - V_th) / (5 mV)) / (5 mV)
  output s = z
}

network Cell {
  input   x
  pop     h : Resting[3]
  readout y : Linear[1]
  connect x -> h : all_to_all, frozen
  connect h -> y : all_to_all, frozen
}

evaluate Cell on Quiet { trials 2; batch 2; dt 1 ms }
record h.V, h.w, h.z
EOF
expect 0 "a model in mV runs" "$rnnc" run "$work/units.rnn" --out "$work/units"
"$python" - "$work" > "$work/units.check" 2>&1 <<'EOF'
import json, sys
from npy import load
d = sys.argv[1] + '/units/'
s, v = load(d + 'record_h_V.npy')
assert s == (2, 20, 3), s
assert all(abs(x + 70) < 1e-4 for x in v), (min(v), max(v))
s, w = load(d + 'record_h_w.npy')
assert 0.1 < max(w) < 2 and min(w) >= 0, (min(w), max(w))
records = json.load(open(d + 'summary.json'))['records']
line = records[0]['line']   # the record line's, which draws its items together
assert records == [{'name': 'h.V', 'file': 'record_h_V', 'line': line, 'unit': 'mV'},
                   {'name': 'h.w', 'file': 'record_h_w', 'line': line, 'unit': 'pA'},
                   {'name': 'h.z', 'file': 'record_h_z', 'line': line, 'spikes': True}], records
print('ok')
EOF
expect_line "$work/units.check" ok "records in the declared unit, named in summary.json"

finish
