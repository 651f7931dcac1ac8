#!/usr/bin/python3
"""Run the original 2017 network.py itself on a data folder and compare with the NumPy port.

    git -C TDL show fd8336a:network.py > /tmp/network_fd8336a.py   # TDL: a clone of
    /usr/bin/python3 bench/burstprop/check_original.py /tmp/network_fd8336a.py DATA \
        --variant fd8336a                                          # jordan-g/Temporal-Deep-Learning

The original is imported unchanged; only its surroundings are replaced: matplotlib by a mock
(its plots are not needed), its data files by DATA's x_set/t_set (transposed to its [n, steps]
layout, float64), its random weights by DATA's (set on the layers after construction), and
its teaching draws `np.random.uniform(0, 1)` by values that reproduce DATA's teach.npy.  It is
then trained as train.py does (f_etas = [5.0, 0.01], no feedback learning, plot_activity and
generate_activity on).  With float64 inputs its float32 zero states are promoted to float64
on their first update, so the run is float64.  Prints the worst relative difference of the
block losses and the worst absolute difference of the output rates (all epochs, the test
epoch's generate mode included) against bench/burstprop/burstprop_2017.py.
"""
import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from unittest import mock

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import burstprop_2017  # noqa: E402


def run_original(network_py, arrays):
    sys.modules["matplotlib"] = mock.MagicMock()
    sys.modules["matplotlib.pyplot"] = mock.MagicMock()
    import torch
    teach = arrays["teach"]
    epochs, steps = teach.shape
    # the original draws one uniform per step of each learning epoch, shown when >= 0.95
    draws = iter(np.where(teach[:-1].ravel() == 1, 1.0, 0.0))
    real_uniform = np.random.uniform

    def uniform(low=0.0, high=1.0, size=None):
        return next(draws) if size is None else real_uniform(low, high, size)

    with tempfile.TemporaryDirectory() as cwd:
        os.chdir(cwd)  # the original loads x_set.npy and t_set.npy from the working folder
        np.save("x_set.npy", arrays["x_set"].T.copy())
        np.save("t_set.npy", arrays["t_set"].T.copy())
        spec = importlib.util.spec_from_file_location("network_2017", network_py)
        net_mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(net_mod)
        net_mod.sequence_length = steps
        n = [arrays["W0"].shape[1], arrays["W0"].shape[0], arrays["W1"].shape[0]]
        net = net_mod.Network(n=n)
        hidden, out = net.l
        hidden.W = torch.from_numpy(arrays["W0"].copy())
        hidden.b = torch.from_numpy(arrays["b0"][:, None].copy())
        hidden.Y = torch.from_numpy(arrays["Y"].copy())
        out.W = torch.from_numpy(arrays["W1"].copy())
        out.b = torch.from_numpy(arrays["b1"][:, None].copy())
        with mock.patch("numpy.random.uniform", uniform):
            losses = net.train([5.0, 0.01], [0.1], epochs, plot_activity=True, weight_decay=0.0,
                               update_b_weights=False, generate_activity=True)
    return losses[-1], net.outputs.reshape(epochs, steps, -1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("network_py")
    p.add_argument("data")
    p.add_argument("--variant", choices=["fd8336a", "3cd91fb"], required=True)
    p.add_argument("--time", choices=["float64", "float32"],
                   help="instead: time the original on epoch 1 plus the test epoch, 5 runs")
    a = p.parse_args()
    arrays = burstprop_2017.load(a.data)
    if a.time:
        arrays["teach"] = arrays["teach"][:2]
        if a.time == "float32":  # the original's own precision
            arrays = {k: v.astype(np.float32) if v.dtype == np.float64 else v
                      for k, v in arrays.items()}
        seconds = []
        for _ in range(5):
            start = time.perf_counter()
            run_original(os.path.abspath(a.network_py), arrays)
            seconds.append(time.perf_counter() - start)
        print("original network.py, %s, one learning + one test epoch: median %.3f s (%s)"
              % (a.time, statistics.median(seconds), " ".join("%.3f" % s for s in seconds)))
        return
    port_losses, port_outputs, _ = burstprop_2017.run(arrays, a.variant, 5.0, 0.01)
    orig_losses, orig_outputs = run_original(os.path.abspath(a.network_py), arrays)
    nonzero = port_losses != 0
    rel = np.abs(orig_losses - port_losses)[nonzero] / np.abs(port_losses[nonzero])
    print("%d blocks (%d without a target: original %s); worst relative difference %.3g"
          % (port_losses.size, (~nonzero).sum(), np.abs(orig_losses[~nonzero]).max(initial=0.0),
             rel.max()))
    print("output rates, %d epochs: worst absolute difference %.3g (test epoch %.3g)"
          % (port_outputs.shape[0], np.abs(orig_outputs - port_outputs).max(),
             np.abs(orig_outputs[-1] - port_outputs[-1]).max()))


if __name__ == "__main__":
    main()
