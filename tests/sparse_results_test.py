"""sparse_results_test.py RNNC SOURCE_DIR -- a sparse projection's results files and their reader.

An evaluation of a network with a sparse recurrent projection of 40 and one
of 1200 neurons (fixed_probability(0.1)): rnnc.open(...).synapses gives each
synapse's (pre, post, w); for the 40-neuron one these must be exactly the
non-zero entries of its dense weights_ [post, pre] matrix (the same network
written two ways), the 1200-neuron one has no dense file (more than 1,000
on a side: not readable as a picture), an evaluation writes no
synapses_final_ files (nothing changed them), and the count of synapses
lies within 5 standard deviations of the binomial mean 0.1 n^2.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

rnnc, source = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(source, "python"))
import rnnc as rn  # noqa: E402

MODEL = """import neurons.rate

task Noise(steps = 5) {
  input  x[2]
  target y[1]
  duration steps
  x = normal()
  y = 0
}

network Net {
  input   x[2]
  pop     a : TanhRate[40]
  pop     b : TanhRate[1200]
  readout y : Linear[1]
  connect x -> a : all_to_all
  connect x -> b : all_to_all
  connect a -> a : fixed_probability(0.1), init normal(0, 1), storage sparse
  connect b -> b : fixed_probability(0.1), init normal(0, 1)
  connect b -> y : all_to_all
}

evaluate Net on Noise {
  trials 1
}
"""
failed = 0


def check(ok, what):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    failed += not ok


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "sparse.rnn")
    with open(path, "w") as f:
        f.write(MODEL)
    out = os.path.join(tmp, "out")
    p = subprocess.run([rnnc, "run", path, "--out", out], capture_output=True, text=True)
    check(p.returncode == 0, "rnnc run exits 0" + ("" if p.returncode == 0 else ": " + p.stderr))
    r = rn.open(out)
    check(sorted(r.synapses) == ["a->a", "b->b"], "synapses of both sparse projections: %s" % sorted(r.synapses))
    pre, post, w = r.synapses["a->a"]
    dense = r.weights["a->a"]
    mask = np.zeros(dense.shape, bool)
    mask[post, pre] = True
    check(dense.shape == (40, 40) and np.array_equal(dense[post, pre], w.astype(np.float64)),
          "a->a: each synapse's weight is the dense matrix's at [post, pre]")
    check(not dense[~mask].any(), "a->a: the dense matrix is 0 where there is no synapse")
    check("b->b" not in r.weights, "b->b (1200 neurons): no dense weights file")
    bpre, bpost, bw = r.synapses["b->b"]
    n = 1200 * 1200
    check(abs(len(bw) - 0.1 * n) < 5 * np.sqrt(n * 0.1 * 0.9), "b->b: %d synapses, about 0.1 n^2" % len(bw))
    check(len(bpre) == len(bpost) == len(bw) and bpre.dtype == np.uint32 and bw.dtype == np.float32,
          "b->b: uint32 indices and float32 weights, one each per synapse")
    check(np.all(np.diff(bpre.astype(np.int64)) >= 0), "b->b: stored by pre neuron")
    check(not any(f.startswith("synapses_final_") for f in os.listdir(out)), "an evaluation writes no synapses_final_")
sys.exit(1 if failed else 0)
