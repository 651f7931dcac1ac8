#!/usr/bin/env python3
"""python_model_test.py RNNC SOURCE_DIR -- rnnc.load, Model.run and the
weights calls of the Python module over librnnc (RNNC_LIBRARY names it).

What must hold, and why:
- rnnc.check of a good model is None; of a model with two mistakes it
  raises ModelError with both, at the places `rnnc check` reports them
  (6:11, the unknown neuron 'TanhRat'; 13:2, the unknown setting
  'epochz'), and str(e) is the text rnnc check prints;
- defines are written as the language reads them (32, 0.1, 1e-05,
  [0, 6.4], "20 ms" as it is), and a model compiles with a list and an
  exponent among them; the run's summary.json has the defines given;
- the flip-flop shortened by defines (n = 16, 256 samples in batches of
  32, 1 epoch, 32 evaluation trials of 340 steps) compiles with its three
  projections in declaration order, and its run is the run `rnnc run`
  makes with the same -D values and seed: the same loss.csv losses, to the
  last digit (the runs are deterministic, docs/language.md); loss has one
  row per update (8, summary.json's "updates"), the weights are [post,
  pre] and the records [trial, step, neuron];
- Model.weights("h->h", seed=1) are the weights that run started from,
  orthogonal as the model's init says (W W^T = I);
- set_weights round trip: weights set are read back (for any seed), and a
  run starts from them and from the bias set, an evaluation (evaluate_only)
  ends with them as it began and makes no update; a wrong shape or an unknown
  projection raises UsageError naming it; a results folder that exists is
  refused unless overwrite; arguments C cannot take (a negative seed, NaN
  weights, a text with a NUL, a bool as a define) are refused in Python, and
  so is a model used while it runs (one thread at a time) or once closed;
- reanalyze, as rnnc analyze, runs the analyses again on the folder's
  final weights: made c I, h->h's eigenvalues are all c, for the run's own
  Result (c = 0.5) and for one rnnc.open made (c = 0.25);
- progress is called once per update, 1 to 8; an exception it raises
  stops the run and reaches the caller; SIGINT during a run stops it
  through the stop flag: KeyboardInterrupt (python's own, so that python
  exits with 130 as rnnc run does; a child python checks it) with the
  result of what was done, its status "interrupted", fewer updates;
- a network that blows up at its first update (h <- 1e10 h) returns its
  Result, "stopped: non-finite loss", the message naming the update and the
  population, the initial weights kept (as rnnc run reports it);
- a run into a temporary folder keeps it until the Result is closed, or
  until python exits.
"""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
rnnc_command, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
sys.path.insert(0, os.path.join(source_dir, "python"))
import numpy as np  # noqa: E402
import rnnc  # noqa: E402
from python_checks import check, finish, raises  # noqa: E402


flipflop = os.path.join(source_dir, "models", "flipflop3.rnn")
short = {"epochs": 1, "samples": 256, "batch": 32, "trials": 32, "n": 16, "threads": 1}
work = tempfile.mkdtemp()
atexit.register(shutil.rmtree, work, True)

# 1. Checking text.
good = open(flipflop).read()
check(rnnc.check(good, name="flipflop3.rnn") is None, "check of a good model")
bad = """import neurons.rate
import tasks.flipflop

network Net {
  input x[3]
  pop h : TanhRat[8]
  readout y : Linear[3]
  connect x -> h : all_to_all
  connect h -> y : all_to_all
}
train Net on FlipFlop { batch 4
 samples 8
 epochz 2 }
"""
e = raises(rnnc.ModelError, rnnc.check, bad, name="bad.rnn")
check(e is not None, "check of a bad model raised no ModelError")
if e is not None:
    places = [(d.file, d.line, d.column) for d in e.diagnostics]
    check(places == [("bad.rnn", 6, 11), ("bad.rnn", 13, 2)], "diagnostics at %s" % places)
    check("'TanhRat'" in e.diagnostics[0].message and "'epochz'" in e.diagnostics[1].message,
          "diagnostic messages %s" % [d.message for d in e.diagnostics])
    bad_file = os.path.join(work, "bad.rnn")
    with open(bad_file, "w") as f:
        f.write(bad)
    printed = subprocess.run([rnnc_command, "check", "bad.rnn"], cwd=work, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, NO_COLOR="1")).stderr
    check(str(e).strip() == printed.strip(), "str(e) is not what rnnc check prints:\n%s\n---\n%s" % (e, printed))
    e = raises(rnnc.ModelError, rnnc.load, bad_file)
    check(e is not None and e.diagnostics[0][:3] == (bad_file, 6, 11), "load of a bad file: %r" % e)

# Defines as the language's text: repr keeps a float's digits, lists are [a, b].
from rnnc.model import define_value  # noqa: E402
for value, text in ((32, "32"), (0.1, "0.1"), (1e-5, "1e-05"), (np.float32(0.5), "0.5"), ("20 ms", "20 ms"),
                    ([0, 6.4, 12.8], "[0, 6.4, 12.8]"), ((1, "2 ms"), "[1, 2 ms]")):
    check(define_value(value) == text, "define %r is %r" % (value, define_value(value)))
e = raises(rnnc.ModelError, rnnc.load, os.path.join(source_dir, "models", "perceptual_dm.rnn"),
           defines={"PerceptualDecisionMaking.coh": [0, 6.4], "PerceptualDecisionMaking.sigma": 1e-5})
check(e is None, "a list and 1e-05 as defines: %s" % e)

# 2. Loading and running, against the rnnc command.
m = rnnc.load(flipflop, defines=short)
check(m.name == "flipflop3", "name %r" % m.name)
check(m.projections == ["x->h", "h->h", "h->y"], "projections %s" % m.projections)
updates = []
r = m.run(seed=1, progress=lambda p: updates.append((p.update, p.updates)))
check(r.status == "trained", "status %r" % r.status)
check(r.summary["defines"] == {k: str(v) for k, v in short.items()}, "defines %s" % r.summary["defines"])
check(updates == [(u, 8) for u in range(1, 9)], "progress %s" % updates)
check(r.summary["updates"] == 8 and r.loss["loss"].shape == (8,), "loss rows %s" % (r.loss["loss"].shape,))
cli = os.path.join(work, "cli")
subprocess.run([rnnc_command, "run", flipflop, "--seed", "1", "--out", cli]
               + sum((["-D", "%s=%s" % kv] for kv in short.items()), []),
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
cli_loss = np.loadtxt(os.path.join(cli, "loss.csv"), delimiter=",", skiprows=1)[:, 2]
check(np.array_equal(r.loss["loss"], cli_loss), "the API's losses differ from rnnc run's")
for name, shape in {"x->h": (16, 3), "h->h": (16, 16), "h->y": (3, 16)}.items():
    check(r.weights[name].shape == shape, "%s shape %s" % (name, r.weights[name].shape))
check(r.biases["h->y"].shape == (3,), "bias shape")
check(r.records["h.r"].shape == (32, 340, 16), "h.r shape %s" % (r.records["h.r"].shape,))
check(r.records["y"].shape == (32, 340, 3), "y shape")
w0 = m.weights("h->h", seed=1)
check(w0.shape == (16, 16) and np.array_equal(w0, r.initial_weights["h->h"].astype(w0.dtype)),
      "Model.weights is not what the run started from")
check(np.abs(w0.astype(np.float64) @ w0.T - np.eye(16)).max() < 1e-5, "initial h->h is not orthogonal")
temporary = r.dir
check(os.path.isdir(temporary), "no temporary folder")
r.close()
check(not os.path.exists(temporary), "the temporary folder outlived close()")
script = "import rnnc, sys; r = rnnc.load(sys.argv[1], defines=%r).run(); print(r.dir)" % short
left = subprocess.run([sys.executable, "-B", "-c", script, flipflop], stdout=subprocess.PIPE, text=True,
                      env=dict(os.environ, PYTHONPATH=os.path.join(source_dir, "python"))).stdout.strip()
check(left != "" and not os.path.exists(left), "a temporary folder never closed outlived python: %r" % left)

# 3. set_weights.
rng = np.random.default_rng(7)
w = rng.normal(0, 0.25, (16, 16))
bias = np.array([0.5, -0.25, 0.125])
m.set_weights("h->h", w)
m.set_weights("h->y", m.weights("h->y"), bias=bias)
got = m.weights("h->h", seed=5)
check(np.allclose(got, w, atol=1e-7), "set_weights then weights: %g" % np.abs(got - w).max())
out = os.path.join(work, "set")
r = m.run(seed=2, out=out)
check(np.allclose(r.initial_weights["h->h"], w, atol=1e-7), "the run did not start from the weights set")
check(np.allclose(r.initial_biases["h->y"], bias), "bias set: %s" % r.initial_biases.get("h->y"))
check(np.abs(r.weights["h->h"] - w).max() > 1e-6, "training did not move the weights set")
check(rnnc.open(out).summary == r.summary, "rnnc.open of the run's folder")
e = raises(rnnc.UsageError, m.run, out=out)
check(e is not None and "overwrite" in str(e), "an existing folder was not refused: %r" % e)
check(m.run(seed=2, out=out, overwrite=True).summary["seed"] == 2, "overwrite")
r = m.run(seed=3, evaluate_only=True)
check(r.summary["updates"] == 0 and r.loss.get("loss", np.zeros(0)).shape == (0,), "an evaluation trained")
check(np.allclose(r.initial_weights["h->h"], w, atol=1e-7) and np.array_equal(r.weights["h->h"],
      r.initial_weights["h->h"]), "an evaluation did not keep the weights set")
check(np.allclose(r.biases["h->y"], bias), "an evaluation's bias")
check(np.isfinite(r.summary["eval_loss"]), "an evaluation has no eval_loss")
e = raises(rnnc.UsageError, m.set_weights, "h->h", np.zeros((16, 15)))
check(e is not None, "a 16x15 matrix for h->h was accepted")
e = raises(rnnc.UsageError, m.weights, "h->z")
check(e is not None and "h->z" in str(e), "unknown projection: %r" % e)
e = raises(rnnc.UsageError, m.set_weights, "h->z", w)
check(e is not None and "h->z" in str(e), "set_weights of an unknown projection: %r" % e)

# reanalyze: the analyses again on the weights in the folder, as rnnc analyze. With h->h made
# c I, every eigenvalue is c (real): the spectral radius c, none outside the unit circle.
again = rnnc.load(flipflop, defines=short)
folder = os.path.join(work, "again")
r = again.run(seed=1, out=folder)
check(abs(r.summary["analysis"]["eigen h -> h"]["final"]["spectral_radius"] - 0.5) > 1e-3, "radius 0.5 already")
for target, c in ((r, 0.5), (rnnc.open(folder), 0.25)):   # the run's own Result, and one rnnc.open made
    np.save(os.path.join(folder, "weights_final_h_h.npy"), c * np.eye(16))
    target.files["eigen_final_h_h"]                       # read before: reread must forget it
    again.reanalyze(target)
    eigen = target.summary["analysis"]["eigen h -> h"]["final"]
    check(abs(eigen["spectral_radius"] - c) < 1e-6 and eigen["outside_unit_circle"] == 0, "reanalyzed %s" % eigen)
    check(np.allclose(target.files["eigen_final_h_h"], [[c, 0]] * 16), "eigen_final_h_h after reanalyze")

# Bad arguments are refused before they reach the library, by what is wrong with them.
bad_calls = [
    (ValueError, m.weights, ("h->h",), {"seed": -1}),               # a seed is unsigned, 64 bits
    (TypeError, m.weights, ("h->h",), {"seed": 1.5}),
    (TypeError, m.weights, (3,), {}),
    (rnnc.UsageError, m.set_weights, ("h->h", np.full((16, 16), np.nan)), {}),
    (TypeError, m.set_weights, ("h->h", "abc"), {}),
    (ValueError, m.run, (), {"threads": 0}),
    (ValueError, rnnc.check, ("network N {}\0 the rest",), {}),   # C would see the text cut short
    (TypeError, rnnc.check, (b"network N {}",), {}),
    (TypeError, rnnc.load, (flipflop,), {"defines": {"n": True}}),
    (TypeError, rnnc.load, (flipflop,), {"defines": {"n": {}}}),
    (ValueError, rnnc.load, (flipflop,), {"defines": {"n": float("nan")}}),
]
for exception, f, args, kw in bad_calls:
    check(raises(exception, f, *args, **kw) is not None, "%s%s %s did not raise %s" % (f.__name__, args, kw,
                                                                                      exception.__name__))
busy = rnnc.load(flipflop, defines=short)   # one thread at a time: not even the run's own progress
e = raises(rnnc.UsageError, busy.run, progress=lambda p: busy.weights("h->h"))
check(e is not None and "in use" in str(e), "a model used during its own run: %r" % e)
check(busy.weights("h->h").shape == (16, 16), "the model stays usable after")
closed = rnnc.load(flipflop, defines=short)
closed.close()
e = raises(rnnc.UsageError, closed.weights, "h->h")
check(e is not None and "closed" in str(e), "a closed model: %r" % e)

# 4. Stopping: an exception in progress, and SIGINT.
long = dict(short, samples=6400)     # 200 updates


def fail_at_3(p):
    if p.update == 3:
        raise ValueError("stop here")


e = raises(ValueError, rnnc.load(flipflop, defines=long).run, progress=fail_at_3)
check(e is not None and str(e) == "stop here", "progress's exception: %r" % e)


def sigint_at_2(p):
    if p.update == 2:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.3)         # the main thread sets the stop flag meanwhile


e = raises(KeyboardInterrupt, rnnc.load(flipflop, defines=long).run, progress=sigint_at_2)
check(type(e) is KeyboardInterrupt and hasattr(e, "result"), "Ctrl-C raised %r" % e)
if e is not None and hasattr(e, "result"):
    check(e.result.status == "interrupted", "interrupted status %r" % e.result.status)
    done = e.result.summary.get("updates", 0)
    check(2 <= done < 200 and e.result.loss["loss"].shape == (done,), "interrupted after %s updates" % done)
    e.result.close()
# Uncaught, it ends python as Ctrl-C does (killed by SIGINT: status 130 in a shell), the folder written.
stopped = os.path.join(work, "stopped")
script = ("import os, rnnc, signal, sys, time\n"
          "def at_2(p):\n"
          "    if p.update == 2:\n"
          "        os.kill(os.getpid(), signal.SIGINT)\n"
          "        time.sleep(0.3)\n"
          "rnnc.load(sys.argv[1], defines=%r).run(out=sys.argv[2], progress=at_2)\n" % long)
child = subprocess.run([sys.executable, "-B", "-c", script, flipflop, stopped], stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, PYTHONPATH=os.path.join(source_dir, "python")))
check(child.returncode == -signal.SIGINT, "python ended with %s: %s" % (child.returncode, child.stderr))
check(os.path.isdir(stopped) and rnnc.open(stopped).status == "interrupted", "no interrupted folder")

# 5. A network that blows up: a Result that says so, not an exception.
explode = rnnc.load_text("""import neurons.rate
import tasks.flipflop
neuron Explode {
  state h = 1
  input I
  h <- 1e10 * h + I
  output r = h
}
network Net {
  input x[3]
  pop h : Explode[4]
  readout y : Linear[3]
  connect x -> h : all_to_all
  connect h -> y : all_to_all
}
train Net on FlipFlop { batch 4
 samples 8 }
""", name="explode.rnn")
r = explode.run()
check(r.status == "stopped: non-finite loss" and r.summary["updates"] == 0, "non-finite status %r" % r.status)
check("update 1" in r.message and "'h'" in r.message, "non-finite message %r" % r.message)
check(np.array_equal(r.weights["x->h"], r.initial_weights["x->h"]), "the initial weights were not kept")

finish("python_model")
