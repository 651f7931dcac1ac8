"""A task's 'frozen' block (drawn once per seed) in every trial of a run.

The task engine keeps what the 'frozen' blocks a task starts with wrote in
its first trial of a seed, and starts the next trials of that seed from it
(compiler/plan/task_gen.c, run_frozen). Checked here, with two realisations
(--seeds 2) running at once in one process:
1. the frozen channel f is the same in every evaluation trial, while the
   per-trial noise n is not;
2. the two seeds froze different values;
3. the same task with its frozen block after another statement, so that
   it is not kept but computed afresh in each trial, gives f bit for bit:
   a draw depends on the seed, the trial (the fixed frozen one here) and
   the place of its call, and 'f = normal()' stays on the same line and
   column in both files.
"""
import os
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC = sys.argv[1]
MODEL = """import neurons.rate
task Frozen {
  input  f[3], n
  target y
  duration 20LATE
  frozen {
    f = normal()
  }
  EARLY
}
network Net {
  input   f[3], n
  pop     h : TanhRate[4]
  readout y : Linear[1]
  connect f -> h : all_to_all
  connect n -> h : all_to_all
  connect h -> y : all_to_all
}
train Net on Frozen { iterations 2; batch 4; trials 4 }
"""

with tempfile.TemporaryDirectory() as tmp:
    inputs = {}
    for kind, late, early in (("kept", "", "n = normal()"), ("afresh", "; n = normal()", "")):
        model = os.path.join(tmp, kind + ".rnn")
        with open(model, "w") as f:
            f.write(MODEL.replace("LATE", late).replace("EARLY", early))
        out = os.path.join(tmp, kind)
        run_rnnc(RNNC, "run", model, "--out", out, "--seeds", "2")
        inputs[kind] = [np.load(os.path.join(out, "seed-%d" % s, "eval_inputs.npy")) for s in (1, 2)]
    a = inputs["kept"][0]
    report(a.shape[0] >= 2 and all(np.array_equal(a[0, :, :3], a[k, :, :3]) for k in range(a.shape[0]))
           and not np.array_equal(a[0, :, 3], a[1, :, 3]),
           "the frozen channel is the same in each of the %d evaluation trials, the noise is not" % a.shape[0])
    report(not np.array_equal(a[0, :, :3], inputs["kept"][1][0, :, :3]), "the two seeds froze different values")
    report(all(np.array_equal(inputs["kept"][s][:, :, :3], inputs["afresh"][s][:, :, :3]) for s in (0, 1)),
           "kept and computed afresh in every trial, the frozen values are the same bits")

finish(os.path.basename(__file__))
