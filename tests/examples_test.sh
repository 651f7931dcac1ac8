#!/bin/sh
# examples_test.sh RNNC SRC
# examples/ stays a set of teaching models that work (issue 17):
#  - at least 12 examples, each opening with "# Teaches:" (the one idea it
#    teaches) and with a "# Run:" line saying how to run it;
#  - examples/README.md lists exactly the examples there are;
#  - data/make_data.py writes the arrays in data/ again byte for byte, so
#    the shipped .npy files are what the script says they are;
#  - the claims a header makes that a quick run can check: seeds.rnn with
#    --seeds 2 combines two realisations; load_weights.rnn's bump stays at
#    its cue's neuron after the cue is gone (the loaded ring connectome
#    holds it: a network without it would decay to a flat profile);
#    adex_neuron.rnn records its membrane in mV, between the reset
#    (-70.6 mV) and the spike cut (V_T + 5 Delta_T = -40.4 mV), and fires;
#    dale_law.rnn's trained recurrent weights keep their source's sign
#    (40 excitatory columns >= 0, 10 inhibitory <= 0); plasticity_rule.rnn's
#    STDP leaves the 20 synchronous inputs' weights above twice the others'
#    (they started alike, uniform in [0, 0.02)).
# tests/models_run_test.sh runs every example (shortened by -D).
set -u
rnnc=$1 src=$2
. "$src/tests/expect.sh"
python=/usr/bin/python3
ex=$src/examples
export NO_COLOR=1

count=0
for f in "$ex"/*.rnn; do
  name=$(basename "$f")
  count=$((count + 1))
  head -1 "$f" | grep -q '^# Teaches: ' && passes=$((passes + 1)) ||
    { echo "FAIL: $name does not open with '# Teaches: ...'"; failures=$((failures + 1)); }
  grep -q '^# Run: ' "$f" && passes=$((passes + 1)) ||
    { echo "FAIL: $name has no '# Run: ...' line"; failures=$((failures + 1)); }
  grep -qF "[$name]($name)" "$ex/README.md" && passes=$((passes + 1)) ||
    { echo "FAIL: examples/README.md does not list $name"; failures=$((failures + 1)); }
done
[ "$count" -ge 12 ] && passes=$((passes + 1)) || { echo "FAIL: only $count examples"; failures=$((failures + 1)); }
for listed in $(grep -o '^| \[[a-z_0-9]*\.rnn\]' "$ex/README.md" | sed 's/^| \[//; s/\]$//'); do
  [ -f "$ex/$listed" ] && passes=$((passes + 1)) ||
    { echo "FAIL: examples/README.md lists $listed, which does not exist"; failures=$((failures + 1)); }
done

mkdir "$work/data"
"$python" -B "$ex/data/make_data.py" "$work/data"
for f in "$ex"/data/*.npy; do
  cmp -s "$f" "$work/data/$(basename "$f")" && passes=$((passes + 1)) ||
    { echo "FAIL: data/make_data.py does not write $(basename "$f") as shipped"; failures=$((failures + 1)); }
done

expect 0 "seeds.rnn --seeds 2" "$rnnc" run "$ex/seeds.rnn" --seeds 2 -D iterations=5 --out "$work/seeds"
expect_line "$work/seeds/summary.json" '"realisations": 2' "two realisations combined"

expect 0 "load_weights.rnn runs" "$rnnc" run "$ex/load_weights.rnn" --out "$work/ring"
expect 0 "adex_neuron.rnn runs" "$rnnc" run "$ex/adex_neuron.rnn" --out "$work/adex"
expect 0 "dale_law.rnn runs" "$rnnc" run "$ex/dale_law.rnn" -D iterations=20 --out "$work/dale"
expect 0 "plasticity_rule.rnn runs" "$rnnc" run "$ex/plasticity_rule.rnn" --out "$work/stdp"
"$python" - "$work" > "$work/claims" 2>&1 <<'PY'
import json, sys
from npy import read
w = sys.argv[1]
# the ring: each trial's bump (the largest rate) at the cue's neuron
# (the largest input at step 0) at the end of the trial, 800 ms after the
# cue; and a bump, not a flat profile (the smallest rate about 0)
(trials, T, n), r = read(w + '/ring/record_h_r.npy')
_, x = read(w + '/ring/eval_inputs.npy')
for i in range(trials):
    cue = [x[(i * T) * n + k] for k in range(n)]
    end = [r[(i * T + T - 1) * n + k] for k in range(n)]
    assert end.index(max(end)) == cue.index(max(cue)), (i, end, cue)
    assert max(end) > 1 and min(end) < 1e-6, (i, end)
# AdEx: mV, within [reset, cut], and spikes
_, v = read(w + '/adex/record_n_V.npy')
assert -70.61 < min(v) and max(v) < -40.39, (min(v), max(v))
(spikes, _), _ = read(w + '/adex/spikes_n.npy')
assert spikes > 0, spikes
assert {r['name']: r.get('unit') for r in json.load(open(w + '/adex/summary.json'))['records']}['n.V'] == 'mV'
# Dale: column j is source neuron j of [post, pre]
(post, pre), m = read(w + '/dale/weights_final_h_h.npy')
cols = [[m[i * pre + j] for i in range(post)] for j in range(pre)]
assert all(min(c) >= 0 for c in cols[:40]) and all(max(c) <= 0 for c in cols[40:])
assert any(max(c) > 0 for c in cols[:40]) and any(min(c) < 0 for c in cols[40:])
# STDP: the 20 synchronous inputs (columns 0..19) end above twice the others
(post, pre), m = read(w + '/stdp/weights_final_x_h.npy')
sync = sum(m[i * pre + j] for i in range(post) for j in range(20)) / (20 * post)
rest = sum(m[i * pre + j] for i in range(post) for j in range(20, pre)) / ((pre - 20) * post)
assert sync > 2 * rest, (sync, rest)
print('ok')
PY
expect_line "$work/claims" ok "the headers' claims hold: the ring's bump, AdEx in mV, Dale's signs, STDP's synchronous inputs"

finish
