"""context_dm_torch.py BATCH_DIR THREADS [UPDATES] [WARMUP]

The PyTorch peer of bench/context_dm.sh: times one training update of
models/context_dm.rnn, the same network on the same batch:

  h[t+1] = h[t] + a (-h[t] + tanh(W_in x[t] + W_rec h[t])), h[0] = 0,
           a = dt / tau = 100 ms / 200 ms          128 tanh units, no bias
  y[t]   = W_out h[t+1] + b_out                    3 linear outputs
  loss   = masked mean of (y - target)^2 over the batch, steps and
           channels (padding steps count 0), backward through time,
           gradient-norm clipping at 1, one Adam step (lr 1e-2)

nn.RNN has no leak, so the recurrence is an explicit loop over steps (one
[B x N] x [N x N] product a step, as rnnc does); the input projection of
the whole sequence and the readout are one product each. float32, CPU,
eager mode (no torch.compile).

The batch is the one rnnc evaluated first (BATCH_DIR/eval_inputs.npy and
eval_targets.npy, [trial, step, channel]: 64 trials of 41 steps, padded);
a step counts where any target element is non-zero (the task sets one at
every step of a trial, none in its padding). Runs WARMUP (default 5)
untimed updates, then UPDATES (default 30, at least 20) timed ones
(zero_grad, forward, loss, backward, clip, step), and prints one line:

  torch threads=N blas=M median=S min=S max=S updates=U version=V

Threads as in bench/flipflop_torch.py: torch.set_num_threads(THREADS), and
OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to THREADS before torch loads
unless already set (Debian's torch does its GEMMs in OpenBLAS's own pool).
Run with Debian's /usr/bin/python3 (apt-get install python3-torch).
"""
import os
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import npy  # noqa: E402  (tests/npy.py, the tests' one .npy reader)

if len(sys.argv) < 3:
    sys.exit("usage: context_dm_torch.py BATCH_DIR THREADS [UPDATES>=20] [WARMUP>=1]")
folder = sys.argv[1]
threads = int(sys.argv[2])
updates = int(sys.argv[3]) if len(sys.argv) > 3 else 30
warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 5
if threads < 1 or updates < 20 or warmup < 1:
    sys.exit("usage: context_dm_torch.py BATCH_DIR THREADS [UPDATES>=20] [WARMUP>=1]")
os.environ.setdefault("OMP_NUM_THREADS", str(threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))

import torch  # noqa: E402  (after the thread variables are set)
from torch import nn  # noqa: E402

N, ALPHA, LR = 128, 100.0 / 200.0, 1e-2
torch.set_num_threads(threads)
torch.manual_seed(1)


def load_npy(path):
    """A float64 .npy file rnnc wrote, read by the tests' one reader, as float32."""
    shape, values = npy.read(path, "<f8")
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


class ContextNet(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        # the initialisers of models/context_dm.rnn (they do not change timing)
        self.w_in = nn.Parameter(nn.init.xavier_uniform_(torch.empty(N, n_in)))
        self.w_rec = nn.Parameter(nn.init.orthogonal_(torch.empty(N, N)))
        self.out = nn.Linear(N, n_out)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):           # x [B, T, n_in] -> y [B, T, n_out]
        drive = x @ self.w_in.T     # the whole sequence's input projection
        h = torch.zeros(x.shape[0], N)
        states = []
        for t in range(x.shape[1]):
            h = h + ALPHA * (-h + torch.tanh(drive[:, t] + h @ self.w_rec.T))
            states.append(h)
        return self.out(torch.stack(states, 1))


def main():
    x = load_npy(os.path.join(folder, "eval_inputs.npy"))
    y = load_npy(os.path.join(folder, "eval_targets.npy"))
    mask = (y != 0).any(dim=2, keepdim=True).float()
    counted = mask.sum() * y.shape[2]
    model = ContextNet(x.shape[2], y.shape[2])
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    def update():
        opt.zero_grad(set_to_none=True)
        loss = (mask * (model(x) - y) ** 2).sum() / counted
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(warmup):
        update()
    times = []
    for _ in range(updates):
        t0 = time.perf_counter()
        update()
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print("torch threads=%d blas=%s median=%.6f min=%.6f max=%.6f updates=%d version=%s"
          % (torch.get_num_threads(), os.environ["OPENBLAS_NUM_THREADS"], med,
             times[0], times[-1], n, torch.__version__))


if __name__ == "__main__":
    main()
