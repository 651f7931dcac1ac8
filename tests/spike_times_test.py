"""spike_times(load(...)): spike-time generators as task inputs (issue 16).

A relay network (v <- I, one_to_one weight 1) replays the files' spikes,
so each recorded input is what the file says, checked against spikes
placed by hand (dt 1 ms, 20 ms trials):
1. rows (element, time in s), the same in every trial: element 0 at 5 and
   12 ms, element 2 twice at 5 ms (a count of 2 on step 5);
2. rows (trial, element, time): trial 0 has element 1 at 3 ms; trial 1
   element 1 at 7 ms and element 0 at 9.9 ms (rounded to step 10); trial 2
   has no row and is silent. An evaluate run's trials count from 0;
3. the relay population's state follows its input exactly;
4. an element outside the channel and a time past the trial's end are
   errors at the load, with the row named.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC = sys.argv[1]
MODEL = """task Replay {
  input x[3], p[2]
  duration 20 ms
  x = spike_times(load("all.npy"))
  p = spike_times(load("%s"))
}
neuron Relay {
  state v = 0
  input I
  v <- I
  output r = v
}
network Net {
  input x[3], p[2]
  pop h : Relay[3]
  pop q : Relay[2]
  connect x -> h : one_to_one, init constant(1), frozen
  connect p -> q : one_to_one, init constant(1), frozen
}
evaluate Net on Replay { trials 3 }
record x, p, h.v
"""


def placed(shape, spikes):
    a = np.zeros(shape)
    for tr, t, i, v in spikes:
        a[tr, t, i] = v
    return a


with tempfile.TemporaryDirectory() as tmp:
    np.save(os.path.join(tmp, "all.npy"), np.array([[0, 0.005], [0, 0.012], [2, 0.005], [2, 0.005]]))
    np.save(os.path.join(tmp, "per.npy"), np.array([[0, 1, 0.003], [1, 1, 0.007], [1, 0, 0.0099]]))
    np.save(os.path.join(tmp, "outside.npy"), np.array([[0, 0, 0.001], [0, 2, 0.002]]))
    np.save(os.path.join(tmp, "late.npy"), np.array([[1, 0.001], [0, 0.025]]))
    for name, file in (("good", "per.npy"), ("outside", "outside.npy"), ("late", "late.npy")):
        with open(os.path.join(tmp, name + ".rnn"), "w") as f:
            f.write(MODEL % file)
    out = os.path.join(tmp, "out")
    run_rnnc(RNNC, "run", os.path.join(tmp, "good.rnn"), "--out", out)
    x, p, v = (np.load(os.path.join(out, "record_%s.npy" % n)) for n in ("x", "p", "h_v"))
    want_x = placed(x.shape, [(tr, t, i, c) for tr in range(3) for t, i, c in ((5, 0, 1), (12, 0, 1), (5, 2, 2))])
    want_p = placed(p.shape, [(0, 3, 1, 1), (1, 7, 1, 1), (1, 10, 0, 1)])
    report(np.array_equal(x, want_x), "the same spikes every trial: %d events, a double one at 5 ms" % x.sum())
    report(np.array_equal(p, want_p), "per-trial spikes: trial 0 %d, trial 1 %d, trial 2 %d" %
           tuple(p[k].sum() for k in range(3)))
    report(np.array_equal(v, x), "the relay neurons follow their inputs")
    for name, want in (("outside", "row 1 of the spikes names element 2, and the channel has elements 0 to 1"),
                       ("late", "row 1 of the spikes is at 0.025 s, outside the trial's 0 to 0.02 s")):
        r = subprocess.run([RNNC, "check", os.path.join(tmp, name + ".rnn")], capture_output=True, text=True)
        report(r.returncode != 0 and want in r.stderr and "5:19" in r.stderr,
               "%s: refused at the load (%s)" % (name, r.stderr.splitlines()[0] if r.stderr else "no message"))

finish(os.path.basename(__file__))
