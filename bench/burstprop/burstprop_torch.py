#!/usr/bin/python3
"""The 2017 Temporal Deep Learning model (jordan-g/Temporal-Deep-Learning @fd8336a, hidden
error of @3cd91fb as an option) as a standalone PyTorch script, for the benchmark of issue 15
(rnnc against PyTorch, one epoch).  The original was written in PyTorch; this follows its
equations (/work/shared/reference/burstprop.md §1.3-§1.8) on 1-D tensors, eager mode.

    /usr/bin/python3 bench/burstprop/burstprop_torch.py DATA [--dtype float64|float32]
        [--variant fd8336a|3cd91fb] [--epochs N] [--loss-csv FILE] [--time] [--threads 1]

--loss-csv: run the first N epochs of DATA's schedule (N-1 learning, the last the test)
and write the block losses as bench/burstprop/burstprop_2017.py does.
--time: time one learning epoch (2000 steps, epoch 0's targets) from the initial state, five
times, and print the median wall seconds.  Data loading is not timed.
"""
import argparse
import os
import statistics
import time as clock

import numpy as np
import torch

BLOCK = 100


class Net:
    def __init__(self, data, dtype, variant):
        def t(name):
            return torch.from_numpy(np.load(os.path.join(data, name + ".npy"))).to(dtype)
        self.x_set, self.t_set = t("x_set"), t("t_set")
        self.W0, self.b0, self.Y = t("W0"), t("b0"), t("Y")
        self.W1, self.b1 = t("W1"), t("b1")
        self.teach = np.load(os.path.join(data, "teach.npy")).astype(bool)
        self.variant = variant
        n_in, n_h, n_out = self.W0.shape[1], self.W0.shape[0], self.W1.shape[0]
        z = lambda n: torch.zeros(n, dtype=dtype)  # noqa: E731  §1.8: every state starts at 0
        self.x_tr, self.lam0_tr, self.fb_tr = z(n_in), z(n_h), z(n_out)
        self.lam0, self.lam0_prev, self.rho0, self.rho0_prev = z(n_h), z(n_h), z(n_h), z(n_h)
        self.psi0, self.psi0_prev, self.lam1, self.lam1_prev = z(n_h), z(n_h), z(n_out), z(n_out)
        self.loss1 = 0.0
        self.prev_shown = False

    def step(self, time, shown, learn, generate, eta0, eta1):
        """One time step in the order of §1.3; returns the output loss attribute (§1.8)."""
        target = self.t_set[time]
        if time >= 2:                                   # §1.3.1 output layer
            self.lam0_tr = (self.lam0_tr + self.lam0) / 2.0
            self.lam1_prev = self.lam1
            self.lam1 = torch.sigmoid(torch.mv(self.W1, self.lam0_tr) + self.b1)
            if shown:
                self.lam1 = (self.lam1 + target) / 2.0  # nudge
        if time >= 1:                                   # §1.3.2 hidden soma
            self.x_tr = (self.x_tr + self.x_set[time]) / 2.0
            self.lam0_prev = self.lam0
            self.lam0 = torch.sigmoid(torch.mv(self.W0, self.x_tr) + self.b0)
        if time > 3:                                    # §1.3.3 hidden apical
            self.fb_tr = (self.fb_tr + self.lam1) / 2.0
            self.rho0_prev, self.rho0 = self.rho0, torch.sigmoid(torch.mv(self.Y, self.fb_tr))
            self.psi0_prev, self.psi0 = self.psi0, self.rho0 * self.lam0
            if generate:
                self.lam0 = self.psi0.clone()           # §1.8 generate mode
            if self.prev_shown and learn:               # §1.5 hidden update
                slope = -self.lam0_prev * (1.0 - self.lam0_prev)
                if self.variant == "fd8336a":
                    E0 = self.lam0 * (self.psi0 - self.psi0_prev) * slope
                else:
                    E0 = (self.rho0 - self.rho0_prev) * slope
                self.W0 -= eta0 * torch.outer(E0, self.x_tr)
                self.b0 -= eta0 * E0
        if time >= 2 and shown:                         # §1.4 output update
            self.loss1 = float(torch.mean((target - self.lam1_prev) ** 2))
            E1 = (self.lam1 - self.lam1_prev) * -self.lam1_prev * (1.0 - self.lam1_prev)
            self.W1 -= eta1 * torch.outer(E1, self.lam0_tr)
            self.b1 -= eta1 * E1
        self.prev_shown = shown
        return self.loss1

    def epoch(self, k, learn, eta0=5.0, eta1=0.01):
        """One pass of the sequence; the block losses of a learning epoch (§1.8)."""
        steps = self.teach.shape[1]
        losses, block_sum, block_shown = [], 0.0, 0
        for time in range(steps):
            shown = learn and bool(self.teach[k, time])
            loss = self.step(time, shown, learn, not learn and time > steps / 2, eta0, eta1)
            if shown:
                block_sum += loss
                block_shown += 1
            if learn and (time + 1) % BLOCK == 0:
                losses.append(block_sum / block_shown if block_shown else 0.0)
                block_sum, block_shown = 0.0, 0
        return losses


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--variant", choices=["fd8336a", "3cd91fb"], default="fd8336a")
    p.add_argument("--epochs", type=int, help="default: all epochs of DATA")
    p.add_argument("--loss-csv")
    p.add_argument("--time", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    dtype = getattr(torch, a.dtype)
    if a.loss_csv:
        net = Net(a.data, dtype, a.variant)
        epochs = a.epochs or net.teach.shape[0]
        losses = [l for k in range(epochs) for l in net.epoch(k, k < epochs - 1)]
        np.savetxt(a.loss_csv, losses, fmt="%.17g", header="loss", comments="")
    if a.time:
        seconds = []
        for _ in range(5):
            net = Net(a.data, dtype, a.variant)
            start = clock.perf_counter()
            net.epoch(0, True)
            seconds.append(clock.perf_counter() - start)
        print("torch %s %s, %d thread(s): one epoch (%d steps) median %.4f s (min %.4f, max %.4f)"
              % (torch.__version__, a.dtype, a.threads, net.teach.shape[1],
                 statistics.median(seconds), min(seconds), max(seconds)))


if __name__ == "__main__":
    main()
