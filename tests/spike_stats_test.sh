#!/bin/sh
# spike_stats_test.sh RNNC SOURCE_DIR
# Issue 16: every run's summary.json gives, per spiking population, the mean
# rate over the evaluation and the mean CV of its spike trains' inter-spike
# intervals, and the evaluation's simulation seconds. tests/data/spike_clocks.rnn
# has populations whose numbers are known by hand (its header): a clock at
# exactly 100 Hz with CV 0, and one whose intervals alternate 15 and 5 steps.
# The second's CV is also computed here, independently, from its recorded
# spikes (record_a_z.npy holds every one of the 4 evaluation trials, which
# fit in one batch), with each train's intervals' sd (ddof 0) over their
# mean, averaged over the trains.
set -u
rnnc=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! NO_COLOR=1 "$rnnc" run "$src/tests/data/spike_clocks.rnn" --out "$work/run" > "$work/log" 2>&1; then
  cat "$work/log"; echo "FAIL: the clocks do not run"; exit 1
fi
/usr/bin/python3 -B - "$src/tests" "$work/run" <<'PY'
import json, math, sys
sys.path.insert(0, sys.argv[1])
from npy import read
s = json.load(open(sys.argv[2] + '/summary.json'))
fail = []
sp = s.get('spiking', {})
if not s.get('eval_simulation_seconds', -1) >= 0:
    fail.append(f"eval_simulation_seconds is {s.get('eval_simulation_seconds')!r}")
c = sp.get('c', {})
if c.get('rate_hz') != 100.0 or c.get('cv_isi') != 0.0 or c.get('trains_with_intervals') != 12:
    fail.append(f'the clock: {c}, expected 100 Hz, CV 0 over 3 neurons x 4 trials')
(trials, steps, n), z = read(sys.argv[2] + '/record_a_z.npy')
cvs, spikes = [], 0
for i in range(trials):
    for j in range(n):
        times = [t for t in range(steps) if z[(i * steps + t) * n + j] > 0.5]
        spikes += len(times)
        isi = [b - a for a, b in zip(times, times[1:])]
        if len(isi) >= 2:
            m = sum(isi) / len(isi)
            cvs.append(math.sqrt(sum((x - m) ** 2 for x in isi) / len(isi)) / m)
a = sp.get('a', {})
rate = spikes / (trials * n * steps * 1e-3)
cv = sum(cvs) / len(cvs)
print(f"alternating: rnnc {a}, here rate {rate} Hz, CV {cv:.9g} over {len(cvs)} trains")
if not (abs(a.get('rate_hz', 0) - rate) < 1e-9 and abs(a.get('cv_isi', 0) - cv) < 1e-7 and 0.45 < cv < 0.55):
    fail.append('the alternating population differs from its spikes')
for f in fail:
    print('FAIL:', f)
sys.exit(1 if fail else 0)
PY
