#!/usr/bin/env python3
"""Train the 3-bit flip-flop from Python and look at what it learnt.

From the source tree, after building (librnnc is found in build/):

    PYTHONPATH=python /usr/bin/python3 examples/python/train.py
    PYTHONPATH=python /usr/bin/python3 examples/python/train.py epochs=1 n=32   # quicker

Each NAME=VALUE argument is a define, as `rnnc run -D NAME=VALUE` takes it.
"""
import os
import sys

import numpy as np

import rnnc

model_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "flipflop3.rnn")
defines = dict(arg.split("=", 1) for arg in sys.argv[1:])

# Compiling checks the model and JIT-compiles its kernels; a mistake in it
# raises rnnc.ModelError, whose diagnostics say where.
model = rnnc.load(model_file, defines=defines)
print("compiled %s: projections %s" % (model.name, ", ".join(model.projections)))

# Training writes a results folder (here a temporary one, removed when the
# result is closed; give out="runs/mine" to keep it). Ctrl-C stops it
# between updates and raises KeyboardInterrupt, whose .result holds what was done.
def show_epoch(p):
    """Called after every update; prints the loss at the end of each epoch."""
    if p.update % p.updates_per_epoch == 0:
        print("epoch %d: loss %.4f (%.1f s)" % (p.update // p.updates_per_epoch, p.loss, p.seconds))


with model.run(seed=1, progress=show_epoch) as result:
    loss = result.loss["loss"]
    print("%d updates: training loss %.4f -> %.4f, evaluation loss %.4f"
          % (len(loss), loss[0], loss[-1], result.summary["eval_loss"]))

    # The trained recurrent weights, [post, pre], and their spectrum: a
    # flip-flop keeps its memories in modes near the unit circle.
    w = result.weights["h->h"]
    radius = np.abs(np.linalg.eigvals(w)).max()
    print("h->h is %d x %d, spectral radius %.3f (initially %.3f)"
          % (w.shape[0], w.shape[1], radius, np.abs(np.linalg.eigvals(result.initial_weights["h->h"])).max()))

    # The hidden rates of the evaluation trials, [trial, step, neuron]: the
    # share of their variance the first three principal components explain.
    rates = result.records["h.r"]
    flat = rates.reshape(-1, rates.shape[2])
    singular = np.linalg.svd(flat - flat.mean(axis=0), compute_uv=False)
    explained = (singular[:3] ** 2).sum() / (singular ** 2).sum()
    print("h.r is %s; 3 principal components explain %.0f%% of its variance" % (rates.shape, 100 * explained))

# A model with a mistake: the error says where, as `rnnc check` does.
try:
    rnnc.check("import neurons.rate\nnetwork N {\n  pop h : TanhRat[8]\n}\n", name="typo.rnn")
except rnnc.ModelError as e:
    d = e.diagnostics[0]
    print("typo.rnn, line %d, column %d: %s" % (d.line, d.column, d.message))
