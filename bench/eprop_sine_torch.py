"""eprop_sine_torch.py [--iterations N] [--threads K] [--reference DIR]

The PyTorch peer for the e-prop sine-wave task (Bellec et al. 2020, the
pattern-generation tutorial that NEST's regression test checks against),
trained here by backpropagation through time with the same surrogate
gradient. The network and task follow the notes in the shared reference
(shared/reference/eprop.md), section (a), items T1 to T11, and the
parameter table and random-draw order of its section (b):

  - every iteration is one independent sequence of T = 1000 steps (dt =
    1 ms), batch 1, starting from v = 0 and z = 0 (T1);
  - 100 input channels carry frozen Bernoulli spikes, p = 0.05 per step,
    the same in every iteration, with step 0 silent (T11);
  - 100 recurrent LIF neurons (T2 to T4): the membrane decays by
    a = exp(-1/30), takes (1 - a) times the input current (input weights
    times this step's input spikes, plus recurrent weights times the
    previous step's spikes, self-connections masked to 0) and subtracts the
    threshold thr = 0.03 for the neuron's own previous spike (reset by
    subtraction). By default the gradient is not taken through that reset
    term (z.detach(), as rnnc's stdlib LIF does with stop_gradient); with
    --reset-gradient it is, as in the TF tutorial's LightLIF with
    stop_z_gradients off (see "Exploding gradient" below). A neuron spikes
    when v > thr strictly;
    the backward pass of the spike uses the piecewise-linear
    pseudo-derivative (0.3/thr) * max(0, 1 - |v - thr|/thr);
  - one leaky readout without bias (T5): y[t] = k y[t-1] + (1 - k) W_out z[t]
    with k = exp(-1/30), using the same step's spikes;
  - loss (T6): 0.5 * sum_t (y - y*)^2 plus 0.5 * 300 * sum_j (mean_t z_j -
    0.01)^2 (firing-rate regularisation towards 10 Hz);
  - target (T10): four sines of periods 1000, 500, 333 and 200 steps with
    random amplitudes and phases, shifted to start at 0 and scaled to a peak
    of 1;
  - plain SGD, learning rate 1e-4, on W_in, W_rec and W_out (T9), float32.
    T7 and T8 (the e-prop gradients) are replaced by exact BPTT gradients.

Weights, inputs and target are drawn with numpy's legacy RandomState(1) in
the order of section (b) (W_in, W_rec, W_out, the feedback matrix B, which
BPTT does not use but whose draw keeps the stream in step, the input spikes,
the amplitudes, the phases), so nothing outside the project is read. With
--reference DIR the script loads the same arrays from the .npy files of
shared/reference/eprop_sine/ instead (w_in [rec, in], w_rec [post, pre],
w_out [1, rec], input_spikes uint8 [T, in], target [T]). Either way the
first loss, of the untrained network, should be NEST's reference
101.964356999041 to about 1e-5 relative in float32.

The loop is written the way a PyTorch user would write it, eager mode (no
torch.compile, no TorchScript: the custom autograd Function that carries the
surrogate cannot be scripted), with the work that does not depend on the
recurrence taken out of the step loop: the input currents of all steps are
one [T, in] x [in, rec] product before the loop, and the readout of all
steps is one [T, rec] x [rec, 1] product after it, followed by the leaky
filter as one product with a [T, T] lower-triangular matrix of powers of k
(so the backward pass of the readout is two products, not 1000 small
steps). Inside the loop each step is one matrix-vector product and three
elementwise operations plus the spike function.

Exploding gradient. With the reset detached, the backward recurrence of
dE/dv keeps the full leak a = 0.967 and adds (1 - a) W_rec^T psi, where psi
peaks at 0.3/thr = 10; over 1000 steps this grows geometrically. In the
first iteration the gradients of W_in and W_rec reach about 4e25 per
element (float64 gives the same), so the first SGD step makes those weights
about 4e21: the neurons saturate, psi is 0 everywhere, only W_out still
learns, and with lr 1e-4 on saturated activity that step overshoots, so the
loss grows about 17-fold per iteration (1279, 21620, 388768, ...) and
reaches inf after some 30 iterations. The work per iteration, and so the
timing, is the same. Differentiating through the reset (--reset-gradient)
adds -thr psi (down to -0.3) to the leak and training is stable: the loss
falls from 101.96 to about 97.1 in 8 iterations. Either way the first loss,
of the untrained network, is the same.

One iteration (what is timed) is: zero the gradients, forward over the
1000 steps, the loss, backward through time, one SGD step. 3 warm-up
iterations are run first (untimed), then --iterations (default 20) timed
ones, each with time.perf_counter. Prints one JSON line:

  {"impl": "pytorch", "threads": K, "iterations": N,
   "seconds_per_iteration_median": S, "seconds_per_iteration_min": S,
   "first_loss": L0, "last_loss": L, "openblas_threads": B,
   "reset_gradient": false, "torch_version": V}

first_loss is the main loss 0.5 sum_t (y - y*)^2 of the very first
(warm-up) iteration, before its update, that is of the untrained network;
last_loss is the same loss of the last timed iteration, before its update.
A loss that is not finite (after the explosion above) is printed as null.

Threads: torch.set_num_threads(K). Debian's torch does its matrix products
in OpenBLAS, whose own thread pool torch.set_num_threads does not size; as
in bench/flipflop_torch.py, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set
to K before torch loads unless already set (the JSON line reports the
OpenBLAS value used).

Run with Debian's /usr/bin/python3 (apt-get install python3-torch); needs
only torch and numpy.
"""
import argparse
import json
import os
import statistics
import sys
import time

parser = argparse.ArgumentParser(
    description="PyTorch BPTT baseline for the e-prop sine-wave task")
parser.add_argument("--iterations", type=int, default=20,
                    help="timed iterations (default 20)")
parser.add_argument("--threads", type=int, default=2,
                    help="torch.set_num_threads (default 2)")
parser.add_argument("--reset-gradient", action="store_true",
                    help="differentiate through the reset term too "
                         "(default: detached)")
parser.add_argument("--reference", metavar="DIR",
                    help="load w_in, w_rec, w_out, input_spikes and target "
                         ".npy files from DIR instead of drawing them")
args = parser.parse_args()
if args.iterations < 1 or args.threads < 1:
    sys.exit("eprop_sine_torch.py: --iterations and --threads must be >= 1")
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))

import numpy as np  # noqa: E402  (after the thread variables are set)
import torch  # noqa: E402

T, N_IN, N_REC = 1000, 100, 100
TAU_M = TAU_OUT = 30.0          # ms, dt = 1 ms
THR = 0.03
GAMMA = 0.3                     # dampening factor of the pseudo-derivative
P_IN = 0.05                     # input spike probability per step (50 Hz)
C_REG, F0 = 300.0, 0.01         # rate regularisation, target spikes/step
LR = 1e-4
WARMUP = 3
PERIODS = (1000, 500, 333, 200)

torch.set_num_threads(args.threads)


def draw_task():
    """Weights, input spikes and target drawn as in section (b) of the
    reference notes: one legacy MT19937 stream seeded with 1."""
    rs = np.random.RandomState(1)
    w_in = (rs.randn(N_IN, N_REC) / np.sqrt(N_IN)).astype(np.float32)     # [in, rec]
    w_rec = (rs.randn(N_REC, N_REC) / np.sqrt(N_REC)).astype(np.float32)  # [pre, post]
    np.fill_diagonal(w_rec, 0.0)
    w_out = (rs.randn(N_REC, 1) / np.sqrt(N_REC)).astype(np.float32)     # [rec, out]
    rs.randn(N_REC, 1)          # feedback B: not used by BPTT, drawn to keep the order
    x = rs.rand(T, N_IN) < P_IN
    x[0, :] = False             # step 0 silent
    amps = rs.uniform(0.5, 2.0, len(PERIODS))
    phases = rs.uniform(0.0, 2.0 * np.pi, len(PERIODS))
    target = sum(a * np.sin(np.linspace(ph, ph + 2.0 * np.pi * (T // p), T))
                 for a, ph, p in zip(amps, phases, PERIODS))
    target = target - target[0]
    target = target / max(abs(target.min()), abs(target.max()), 1e-6)
    # as the reference files store them: [post, pre] weights, [1, rec] readout
    return w_in.T.copy(), w_rec.T.copy(), w_out.T.copy(), x.astype(np.uint8), target


def load_task(folder):
    f = lambda name: np.load(os.path.join(folder, name + ".npy"))  # noqa: E731
    return f("w_in"), f("w_rec"), f("w_out"), f("input_spikes"), f("target")


class SpikeFunction(torch.autograd.Function):
    """z = H(v > thr); backward: the piecewise-linear pseudo-derivative
    psi = (gamma/thr) * max(0, 1 - |v - thr|/thr) (T3, T4)."""

    @staticmethod
    def forward(ctx, v):
        ctx.save_for_backward(v)
        return (v > THR).to(v.dtype)

    @staticmethod
    def backward(ctx, grad_z):
        (v,) = ctx.saved_tensors
        psi = (v - THR).abs_().mul_(-1.0 / THR).add_(1.0).clamp_(min=0.0)
        return psi.mul_(GAMMA / THR).mul_(grad_z)


spike = SpikeFunction.apply


def main():
    w_in0, w_rec0, w_out0, x_np, target_np = (
        load_task(args.reference) if args.reference else draw_task())

    dtype = torch.float32
    w_in = torch.tensor(w_in0, dtype=dtype, requires_grad=True)     # [rec, in]
    w_rec = torch.tensor(w_rec0, dtype=dtype, requires_grad=True)   # [post, pre]
    w_out = torch.tensor(w_out0, dtype=dtype, requires_grad=True)   # [1, rec]
    x = torch.tensor(x_np, dtype=dtype)                             # [T, in]
    target = torch.tensor(target_np, dtype=dtype)                   # [T]
    opt = torch.optim.SGD([w_in, w_rec, w_out], lr=LR)

    a = float(np.exp(np.float32(-1.0 / TAU_M)))       # membrane decay alpha
    k = float(np.exp(np.float32(-1.0 / TAU_OUT)))     # readout decay kappa
    no_self = 1.0 - torch.eye(N_REC, dtype=dtype)     # self-connections masked
    # The readout filter y[t] = k y[t-1] + (1-k) u[t], y[-1] = 0, as one
    # lower-triangular product: y = K u with K[t, s] = (1-k) k^(t-s), s <= t.
    steps = torch.arange(T, dtype=torch.float64)
    lag = steps[:, None] - steps[None, :]
    filt = torch.where(lag >= 0, (1.0 - k) * k ** lag.clamp(min=0.0),
                       torch.zeros(())).to(dtype)
    v0 = torch.zeros(N_REC, dtype=dtype)

    def iteration():
        opt.zero_grad(set_to_none=True)
        # input currents of all steps at once, scaled by (1 - alpha) (T2)
        cur_in = torch.mm(x, w_in.t()).mul_(1.0 - a).unbind(0)
        w_eff = w_rec * no_self * (1.0 - a)
        v, z = v0, v0
        zs = []
        reset_grad = args.reset_gradient
        for t in range(T):
            # v[t] = a v[t-1] + (1-a)(W_in x[t] + W_rec z[t-1]) - thr z[t-1]
            v = torch.addmv(torch.add(cur_in[t], v, alpha=a), w_eff, z)
            v = torch.add(v, z if reset_grad else z.detach(), alpha=-THR)
            z = spike(v)
            zs.append(z)
        zs = torch.stack(zs)                               # [T, rec]
        y = torch.mm(filt, torch.mm(zs, w_out.t())).squeeze(1)   # [T] (T5)
        loss = 0.5 * (y - target).square().sum()           # T6, main loss
        rate = zs.mean(0)
        reg = 0.5 * C_REG * (rate - F0).square().sum()
        (loss + reg).backward()
        opt.step()
        return loss.item()

    first_loss = None
    for i in range(WARMUP):
        loss = iteration()
        if first_loss is None:
            first_loss = loss
    times = []
    for i in range(args.iterations):
        t0 = time.perf_counter()
        loss = iteration()
        times.append(time.perf_counter() - t0)

    if args.reference:
        ref = 101.964356999041      # NEST's first loss (eprop.md, c1)
        print("first loss %.9f, NEST reference %.9f, relative difference %.2e"
              % (first_loss, ref, abs(first_loss - ref) / ref), file=sys.stderr)
    finite = lambda f: f if np.isfinite(f) else None  # noqa: E731
    print(json.dumps({
        "impl": "pytorch",
        "threads": args.threads,
        "iterations": args.iterations,
        "seconds_per_iteration_median": statistics.median(times),
        "seconds_per_iteration_min": min(times),
        "first_loss": finite(first_loss),
        "last_loss": finite(loss),
        "openblas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
        "reset_gradient": args.reset_gradient,
        "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
