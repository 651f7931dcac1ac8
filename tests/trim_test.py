"""Histories trimmed in an evaluation (issue 16): the same results in a fraction of the memory.

An evaluate run keeps whole only the histories something reads after the
step (the readouts, the records, the analyses, the spike statistics,
which read spikes kept as bits); every other state, output and port is a
ring of the slots a step needs (2, or 2 + the longest delay of a
projection it sends through). RNNC_KEEP_HISTORIES=1 runs the same model
with every history whole, as before, so the two runs must agree bit for
bit: the network has delays (3 ms within e, 5 ms from e to i, the rings
of 5 and 7 slots), a noisy and a spiking population, a recorded state
of a few neurons and a readout; a ring slot read at the wrong step would
change the spikes. The untrimmed run holds 3 states (v, the spike, the
refractory count) and 3 ports (I and the two draws) of 4,000 neurons over
4,000 steps in float64 (about 770 MB); the
trimmed one keeps the spikes as bits and the 10 recorded neurons, so its
peak memory must be below half the untrimmed one's.
"""
import filecmp
import json
import os
import resource
import subprocess
import sys
import tempfile

from python_checks import finish, report

RNNC = sys.argv[1]
MODEL = """import neurons.rate
neuron Noisy(tau = 20 ms) {
  state v = 0
  input I
  v <- exp(-dt / tau) * v + I + 0.05 * normal() + 0.05 * poisson_count(1000 Hz)
  spike z when v > 1
  reset v = 0
  refractory 2 ms
  output s = z
}
task Free {
  target y
  duration 4000 ms
}
network Net {
  pop     e : Noisy[3000]
  pop     i : Noisy[1000]
  readout y : Linear[1]
  connect e -> e : fixed_indegree(100), init uniform(0, 0.01), delay 3 ms, frozen
  connect e -> i : fixed_indegree(100), init uniform(0, 0.012), delay 5 ms, frozen
  connect i -> e : fixed_indegree(50), init constant(-0.02), frozen
  connect e -> y : all_to_all, init constant(0.001), frozen
}
evaluate Net on Free { trials 1; dt 1 ms; precision float64 }
record e.v[0:10], e.z, y
"""


def run(out, keep):
    env = dict(os.environ, RNNC_KEEP_HISTORIES="1" if keep else "0")
    p = subprocess.run([RNNC, "run", model, "--out", out], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("rnnc failed:\n" + p.stderr)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # MB, the largest child so far


with tempfile.TemporaryDirectory() as tmp:
    model = os.path.join(tmp, "trim.rnn")
    with open(model, "w") as f:
        f.write(MODEL)
    trimmed, whole = os.path.join(tmp, "trimmed"), os.path.join(tmp, "whole")
    small = run(trimmed, False)   # the smaller first: ru_maxrss is the largest child's
    big = run(whole, True)
    files = ["record_e_v_0_10.npy", "record_e_z.npy", "record_y.npy", "spikes_e.npy", "eval_outputs.npy"]
    same = [f for f in files if filecmp.cmp(os.path.join(trimmed, f), os.path.join(whole, f), shallow=False)]
    stats = []
    for d in (trimmed, whole):
        with open(os.path.join(d, "summary.json")) as f:
            s = json.load(f)
        stats.append((s["spiking"], s["eval_loss"]))
    report(same == files and stats[0] == stats[1] and stats[0][0]["e"]["rate_hz"] > 1,
           "trimmed and whole histories give the same files (%s) and statistics (e %.2f Hz, i %.2f Hz)"
           % (", ".join(same), stats[0][0]["e"]["rate_hz"], stats[0][0]["i"]["rate_hz"]))
    report(small < 0.5 * big, "peak memory %.0f MB trimmed, %.0f MB whole" % (small, big))

finish(os.path.basename(__file__))
