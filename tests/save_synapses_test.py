"""Large synapses the run leaves unchanged are rebuilt from the seed, not written (issue 16).

A frozen projection of 1,200 x 1,200 neurons with fixed in-degree 1,000
(1.2 million synapses, expected above the limit of 1,000,000) in an
evaluate run: its synapses_initial_ files are absent and summary.json
lists it under synapses_not_written; with '-D save_synapses=all' the three
files are there with its 1.2 million entries. 'rnnc analyze' on the
folder without them rebuilds the network from the model and the seed and
reproduces the spikes of the run bit for bit (re-analysing evaluates
again), which it could not do if the rebuilt synapses differed. A small
frozen projection (the input's, 100 x 1,200 with probability 1: 120,000) is
written either way.
"""
import json
import os
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC = sys.argv[1]
MODEL = """import neurons.generators
neuron Delta(tau = 20 ms) {
  state v = 0
  input I
  v <- exp(-dt / tau) * v + I
  spike z when v > 1
  reset v = 0
  output s = z
}
task Free {
  duration 200 ms
}
network Net {
  pop g : PoissonGenerator[100](rate = 20 Hz)
  pop e : Delta[1200]
  connect g -> e : fixed_probability(1), init constant(0.05), storage sparse, frozen
  connect e -> e : fixed_indegree(1000), init uniform(-0.004, 0.002), storage sparse, frozen
}
evaluate Net on Free { trials 1 }
record e.z
"""

with tempfile.TemporaryDirectory() as tmp:
    model = os.path.join(tmp, "big.rnn")
    with open(model, "w") as f:
        f.write(MODEL)
    auto, every = os.path.join(tmp, "auto"), os.path.join(tmp, "all")
    run_rnnc(RNNC, "run", model, "--out", auto)
    run_rnnc(RNNC, "run", model, "--out", every, "-D", "save_synapses=all")
    with open(os.path.join(auto, "summary.json")) as f:
        unwritten = json.load(f).get("synapses_not_written")
    files = sorted(n for n in os.listdir(auto) if n.startswith("synapses_"))
    report(unwritten == ["e -> e"] and files == ["synapses_initial_g_e_%s.npy" % p for p in ("post", "pre", "w")],
           "auto: e -> e not written (summary: %s), g -> e written (%d files)" % (unwritten, len(files)))
    pre = np.load(os.path.join(every, "synapses_initial_e_e_pre.npy"))
    with open(os.path.join(every, "summary.json")) as f:
        listed = "synapses_not_written" in json.load(f)
    report(len(pre) == 1200 * 1000 and not listed, "save_synapses all: e -> e written, %d synapses" % len(pre))
    spikes = np.load(os.path.join(auto, "spikes_e.npy"))
    report(np.array_equal(spikes, np.load(os.path.join(every, "spikes_e.npy"))) and len(spikes) > 0,
           "the same network either way: %d spikes, identical" % len(spikes))
    run_rnnc(RNNC, "analyze", auto)
    report(np.array_equal(spikes, np.load(os.path.join(auto, "spikes_e.npy"))),
           "rnnc analyze rebuilds the unwritten synapses from the seed: the same spikes again")

finish(os.path.basename(__file__))
