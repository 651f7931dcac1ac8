#!/usr/bin/env python3
"""python_open_test.py RNNC SOURCE_DIR -- rnnc.open (python/rnnc/) on
results folders the rnnc command writes; needs numpy, not librnnc.

What must hold, and why:
- a short flip-flop run (n = 16, 256 samples in batches of 32, 1 epoch,
  32 evaluation trials of 340 steps): loss.csv has one row per update,
  256 / 32 = 8, as summary.json's "updates" says, numbered 1 to 8; its
  first and last losses are summary.json's first_train_loss and
  final_train_loss, and the last is the one rnnc printed (4 digits);
- the weights are [post, pre] by the names the model gives them: h->h
  16x16, x->h 16x3, h->y 3x16 and its bias 3; h->h's initial weights are
  orthogonal (the model's init), so W W^T is the identity to float32's
  precision, and training moved them;
- the records are [trial, step, neuron]: h.r 32x340x16 and y 32x340x3;
  y is the readout's output, the same values as eval_outputs.npy;
- files holds every .npy of the folder by its name, read lazily;
- a connect to a port (examples/gated_unit.rnn, x -> h.I_z) and a record
  of a subset (models/eprop_sine.rnn, h.v[0:10]) get the names users write,
  from summary.json's "records" and, in a folder written before it had
  them, from the files' names;
  the spiking run's loss.csv has its rate_hz column;
- an unknown projection is a KeyError naming the known ones; a folder that
  is missing, has no summary.json, a broken one or a loss.csv row that is
  not numbers raises rnnc.FileError;
- python/rnnc/_lib.py declares exactly the functions include/rnnc.h does;
- with RNNC_LIBRARY naming a file that is not there, rnnc.open still works
  and rnnc.load raises LibraryNotFound naming the file it tried.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
rnnc_command, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
sys.path.insert(0, os.path.join(source_dir, "python"))
import numpy as np  # noqa: E402
import rnnc  # noqa: E402
from python_checks import check, finish, message as message_of  # noqa: E402


def run(model, out, *defines):
    args = [rnnc_command, "run", os.path.join(source_dir, model), "--out", out]
    for d in defines:
        args += ["-D", d]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, NO_COLOR="1"))
    if p.returncode != 0:
        sys.exit("FAIL: %s did not run:\n%s" % (model, p.stdout))
    return p.stdout


work = tempfile.mkdtemp()
try:
    # 1. The flip-flop: loss, weights, records, files.
    ff = os.path.join(work, "ff")
    printed = run("models/flipflop3.rnn", ff, "epochs=1", "samples=256", "batch=32", "trials=32", "n=16",
                  "threads=1")
    r = rnnc.open(ff)
    check(r.dir == os.path.abspath(ff), "dir %s" % r.dir)
    check(r.status == "trained", "status %r" % r.status)
    check(r.summary["updates"] == 8, "summary updates %r" % r.summary.get("updates"))
    check(list(r.loss) == ["update", "epoch", "loss", "grad_norm", "seconds"], "loss columns %s" % list(r.loss))
    check(r.loss["loss"].shape == (8,), "loss rows %s" % (r.loss["loss"].shape,))
    check(np.array_equal(r.loss["update"], np.arange(1, 9)), "update column %s" % r.loss["update"])
    check(abs(r.loss["loss"][0] - r.summary["first_train_loss"]) < 1e-6, "first loss")
    check(abs(r.loss["loss"][-1] - r.summary["final_train_loss"]) < 1e-6, "final loss")
    m = re.search(r"final training loss ([0-9.]+)", printed)
    check(m and abs(r.loss["loss"][-1] - float(m.group(1))) < 5e-5, "printed loss %s" % printed)

    check(sorted(r.weights) == ["h->h", "h->y", "x->h"], "projections %s" % list(r.weights))
    shapes = {"h->h": (16, 16), "x->h": (16, 3), "h->y": (3, 16)}
    for name, shape in shapes.items():
        check(r.weights[name].shape == shape, "final %s shape %s" % (name, r.weights[name].shape))
        check(r.initial_weights[name].shape == shape, "initial %s shape" % name)
    check(list(r.biases) == ["h->y"] and r.biases["h->y"].shape == (3,), "biases %s" % list(r.biases))
    check(r.initial_biases["h->y"].shape == (3,), "initial bias")
    w0 = r.initial_weights["h->h"]
    check(np.abs(w0 @ w0.T - np.eye(16)).max() < 1e-5, "initial h->h is not orthogonal")
    check(np.abs(r.weights["h->h"] - w0).max() > 1e-6, "training did not move h->h")
    check(r.weights["h -> h"] is r.weights["h->h"], "a name with spaces, or a second read, is another array")

    check(sorted(r.records) == ["h.r", "y"], "records %s" % list(r.records))
    check(r.records["h.r"].shape == (32, 340, 16), "h.r shape %s" % (r.records["h.r"].shape,))
    check(np.abs(r.records["h.r"]).max() < 1, "a tanh rate outside (-1, 1)")
    check(np.array_equal(r.records["y"], r.files["eval_outputs"]), "y is not eval_outputs")

    npy = sorted(f[:-4] for f in os.listdir(ff) if f.endswith(".npy"))
    check(sorted(r.files) == npy, "files %s" % sorted(r.files))
    check(r.files["eigen_final_h_h"].shape == (16, 2), "eigen file shape")
    check("model.rnn" not in r.files and "FlipFlopNet" in r.model_text, "model text")

    message = message_of(KeyError, lambda: r.weights["a->b"])
    check(message and "'a->b'" in message and "h->h, h->y, x->h" in message, "unknown projection: %s" % message)
    check(message_of(KeyError, lambda: r.biases["h->h"]) is not None, "h->h has no bias")
    check("h->h" in r.weights and "a->b" not in r.weights, "in")

    # 2. Ports and subsets.
    gru = os.path.join(work, "gru")
    run("examples/gated_unit.rnn", gru, "iterations=2", "batch=4", "trials=4", "samples=8", "n=8")
    g = rnnc.open(gru)
    check(sorted(g.weights) == ["h->h.I_h", "h->h.I_z", "h->y", "x->h.I_h", "x->h.I_z"], "ports %s" % list(g.weights))
    check(g.weights["x->h.I_z"].shape == (8, 3), "port weights shape")
    sine = os.path.join(work, "sine")
    run("models/eprop_sine.rnn", sine, "iterations=2", "batch=4", "trials=4", "samples=8")
    s = rnnc.open(sine)
    check(sorted(s.records) == ["h.v[0:10]", "h.z", "y"], "records %s" % list(s.records))
    check(s.records["h.v[0:10]"].shape[::2] == (4, 10), "subset shape %s" % (s.records["h.v[0:10]"].shape,))
    check("rate_hz" in s.loss and s.loss["rate_hz"].shape == (2,), "rate_hz %s" % list(s.loss))
    check(s.files["spikes_h"].shape[1] == 3, "spike rows (trial, neuron, step)")
    # A folder from before summary.json listed its records: the names come from the files'.
    older = os.path.join(work, "older")
    shutil.copytree(sine, older)
    with open(os.path.join(older, "summary.json")) as f:
        summary = json.load(f)
    check(summary.pop("records", None) is not None, "summary.json lists no records")
    with open(os.path.join(older, "summary.json"), "w") as f:
        json.dump(summary, f)
    check(sorted(rnnc.open(older).records) == ["h.v[0:10]", "h.z", "y"], "records of an older folder")

    # 3. Not a results folder.
    check(message_of(rnnc.FileError, rnnc.open, os.path.join(work, "none")) is not None, "a missing folder")
    os.mkdir(os.path.join(work, "empty"))
    message = message_of(rnnc.FileError, rnnc.open, os.path.join(work, "empty"))
    check(message and "summary.json" in message, "no summary.json: %s" % message)
    broken = os.path.join(work, "broken")
    shutil.copytree(ff, broken)
    with open(os.path.join(broken, "summary.json"), "w") as f:
        f.write('{"status": ')
    message = message_of(rnnc.FileError, rnnc.open, broken)
    check(message and "JSON" in message, "broken summary.json: %s" % message)
    shutil.copy(os.path.join(ff, "summary.json"), broken)
    with open(os.path.join(broken, "loss.csv"), "a") as f:
        f.write("9,1,not-a-number,0.5,0.1\n")
    message = message_of(rnnc.FileError, rnnc.open, broken)
    check(message and "loss.csv" in message, "a broken loss.csv: %s" % message)
    # 4. The ctypes declarations follow the header: the same functions, none missing or extra.
    from rnnc import _lib
    with open(os.path.join(source_dir, "include", "rnnc.h")) as f:
        header = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)      # the comments show calls too
    declared = set(re.findall(r"\b(rnnc_\w+)\s*\(", header))
    check(len(declared) > 30 and declared == set(_lib.SIGNATURES),
          "header and _lib.py differ: %s" % sorted(declared ^ set(_lib.SIGNATURES)))

    # 5. Without the library: rnnc.open works, rnnc.load says what it tried.
    script = ("import rnnc, sys\nprint(rnnc.open(sys.argv[1]).weights['h->h'].shape)\n"
              "try:\n    rnnc.load('model.rnn')\nexcept rnnc.LibraryNotFound as e:\n    print(e)\n")
    missing = os.path.join(work, "no", "librnnc.so")
    p = subprocess.run([sys.executable, "-B", "-c", script, ff], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=dict(os.environ, RNNC_LIBRARY=missing,
                                           PYTHONPATH=os.path.join(source_dir, "python")))
    lines = p.stdout.splitlines()
    check(p.returncode == 0 and lines[:1] == ["(16, 16)"], "rnnc.open without the library: %s" % p.stdout)
    check(len(lines) > 2 and lines[1] == "cannot load librnnc; tried:" and lines[2].startswith("  " + missing),
          "LibraryNotFound: %s" % p.stdout)
finally:
    shutil.rmtree(work)

finish("python_open")
