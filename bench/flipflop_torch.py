"""flipflop_torch.py THREADS [UPDATES] [WARMUP] [N BATCH]

The PyTorch peer of bench/flipflop.sh: times one training update of the
3-bit flip-flop model of models/flipflop3.rnn, the same work rnnc does for it:

  h[t] = tanh(W_in x[t] + W_rec h[t-1]),  h[-1] = 0     100 tanh units, no bias
  y[t] = W_out h[t] + b_out                             3 linear outputs
  loss = mean over batch, steps and channels of (y - target)^2   (MSE)
  backward through time, then one Adam step (lr 1e-3, the issue's; the
  model may use another rate, which does not change the work)

batch 128, 340 steps, 3 inputs, float32, CPU, eager mode (no torch.compile);
N and BATCH replace the 100 units and the batch of 128 (bench/scaling.sh).
TanhRate with tau = 1 step, Euler-integrated with dt = 1 step, is exactly
h[t] = tanh(I[t]), so nn.RNN(nonlinearity='tanh') is the same network.

One update is zero_grad + forward + loss + backward + optimizer step; the
batch is made beforehand (a few flip-flop batches are cycled through), so
data generation is not timed. Runs WARMUP (default 5) untimed updates, then
UPDATES (default 30, at least 20) timed ones, and prints one line:

  torch threads=N blas=M median=S min=S max=S updates=U version=V

Thread count: torch.set_num_threads(THREADS); OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS are also set to THREADS before torch loads unless they
are already set. Debian's torch does its GEMMs in OpenBLAS (its own pthread
pool, sized by OPENBLAS_NUM_THREADS, which torch.set_num_threads does not
change), so on 2 cores torch.set_num_threads(2) with OpenBLAS at 2 threads
runs two spinning pools on two cores; bench/flipflop.sh therefore also
tries OPENBLAS_NUM_THREADS=1 with THREADS=2, and THREADS=1 with
OPENBLAS_NUM_THREADS=2.
Run with Debian's /usr/bin/python3 (apt-get install python3-torch).
"""
import os
import sys
import time

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
updates = int(sys.argv[2]) if len(sys.argv) > 2 else 30
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 5
sized = len(sys.argv) > 4   # bench/scaling.sh: another width and batch, fewer updates
if threads < 1 or updates < (3 if sized else 20) or warmup < 1:
    sys.exit("usage: flipflop_torch.py THREADS [UPDATES>=20] [WARMUP>=1] [N BATCH (then UPDATES>=3)]")
os.environ.setdefault("OMP_NUM_THREADS", str(threads))
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))

import torch  # noqa: E402  (after the thread variables are set)
from torch import nn  # noqa: E402

BATCH, STEPS, N, BITS = 128, 340, 100, 3
if sized:
    N, BATCH = int(sys.argv[4]), int(sys.argv[5])
WIDTH, DELAY, NOISE = 20, 20, 0.1

torch.set_num_threads(threads)
torch.manual_seed(1)


def flipflop_batch(gen):
    """One batch of the task of stdlib/tasks/flipflop.rnn: per channel up to
    three +-1 pulses of WIDTH steps; the target holds the sign of the last
    pulse from WIDTH + DELAY steps after it starts; 10% Gaussian input noise."""
    x = torch.zeros(BATCH, STEPS, BITS)
    y = torch.zeros(BATCH, STEPS, BITS)
    ri = lambda lo, hi: int(torch.randint(lo, hi, (1,), generator=gen))  # noqa: E731
    pick = lambda *v: v[ri(0, len(v))]  # noqa: E731
    for b in range(BATCH):
        for c in range(BITS):
            t1, d1, d2 = ri(10, 100), ri(1, 50), ri(1, 50)
            a1, a2, a3 = pick(-1, 0, 1), pick(-1, 1), pick(-1, 1)
            for amp, at in ((a1, t1), (a2, t1 + 70 + d1), (a3, t1 + 170 + d1 + d2)):
                if amp == 0:
                    continue
                x[b, at:at + WIDTH, c] = amp
                y[b, at + WIDTH + DELAY:, c] = amp
    x += NOISE * torch.randn(BATCH, STEPS, BITS, generator=gen)
    return x, y


class FlipFlopNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(BITS, N, nonlinearity="tanh", bias=False, batch_first=True)
        self.out = nn.Linear(N, BITS)
        # the initialisers of models/flipflop3.rnn (they do not change timing)
        nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)
        nn.init.normal_(self.out.weight, 0.0, 1.0 / N ** 0.5)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        h, _ = self.rnn(x)          # h[-1] = 0
        return self.out(h)


def main():
    gen = torch.Generator().manual_seed(1)
    batches = [flipflop_batch(gen) for _ in range(4)]
    model = FlipFlopNet().float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()      # mean over batch, steps and channels

    def update(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for i in range(warmup):
        update(i)
    times = []
    for i in range(updates):
        t0 = time.perf_counter()
        update(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print("torch threads=%d blas=%s median=%.6f min=%.6f max=%.6f updates=%d version=%s"
          % (torch.get_num_threads(), os.environ["OPENBLAS_NUM_THREADS"], med,
             times[0], times[-1], n, torch.__version__))


if __name__ == "__main__":
    main()
