"""Random draws in a neuron's equations (issue 16): their distributions,
their independence, and that they depend on the seed and the trial alone.

Populations of 2,000 neurons over 2 trials of 500 steps (dt 1 ms), so each
statistic below pools 2 million draws; every tolerance is 4 standard errors
of that statistic (e.g. a Poisson mean's sqrt(lambda / N)), which the
right distribution passes except with probability about 1e-4, and a wrong
one (a rate off by rate * dt, a variance of a Bernoulli instead of a
Poisson) fails by far more:
1. poisson_count(2000 Hz): mean 2 and variance 2 per step, and the
   frequencies of 0..7 events against e^-2 2^k / k! (chi-square, 8 cells,
   below 30: p < 1e-4 for the right law);
2. uniform(-1, 3): within [-1, 3), mean 1, variance 16 / 12;
   normal(1, 2): mean 1, standard deviation 2, kurtosis 3;
   bernoulli(0.3): mean 0.3;
3. PoissonGenerator(rate = 50 Hz), 'spike z when poisson(rate)': a spike
   with probability 0.05 per step, so geometric intervals with CV
   sqrt(1 - 0.05) = 0.975 (to 0.01: the 1e5 intervals give a standard
   error of 0.002, and the trial's end cuts the longest ones short);
4. independence: neighbouring neurons and consecutive steps uncorrelated
   (|r| below 4 / sqrt(N)); the two trials and two seeds differ;
5. the same bits with 1 and 2 threads, and for trials 0 and 1 whether
   the evaluation runs 2 trials or 4 (a trial's noise is its own).
"""
import math
import os
import sys
import tempfile

import numpy as np

from python_checks import finish, report, run_rnnc

RNNC = sys.argv[1]
MODEL = """import neurons.generators
neuron Draws {
  state n = 0, u = 0, w = 0, b = 0
  n <- poisson_count(2000 Hz)
  u <- uniform(-1, 3)
  w <- normal(std = 2, mean = 1)
  b <- bernoulli(0.3)
  output r = n
}
task Free {
  duration 500 ms
}
network Net {
  pop g : PoissonGenerator[2000](rate = 50 Hz)
  pop k : Draws[2000]
}
evaluate Net on Free { trials 2; dt 1 ms; precision float64 }
record k.n, k.u, k.w, k.b, g.z
"""
NAMES = ("k_n", "k_u", "k_w", "k_b", "g_z")


def run(tmp, tag, *defines):
    out = os.path.join(tmp, tag)
    run_rnnc(RNNC, "run", model, "--out", out, *defines)
    # step 0 of a record is the first step's result: every state there is a draw
    return {n: np.load(os.path.join(out, "record_%s.npy" % n)).astype(float) for n in NAMES}


def within(x, want, se):
    return abs(x - want) <= 4 * se


with tempfile.TemporaryDirectory() as tmp:
    model = os.path.join(tmp, "draws.rnn")
    with open(model, "w") as f:
        f.write(MODEL)
    r = run(tmp, "a")
    n = r["k_n"]
    N = n.size
    lam = 2.0
    var_se = math.sqrt((lam + 2 * lam * lam) / N)   # the sample variance's standard error for Poisson
    freq = np.array([(n == k).sum() for k in range(7)] + [(n >= 7).sum()], float)
    p = np.array([math.exp(-lam) * lam ** k / math.factorial(k) for k in range(7)])
    p = np.append(p, 1 - p.sum())
    chi2 = float(((freq - N * p) ** 2 / (N * p)).sum())
    report(within(n.mean(), lam, math.sqrt(lam / N)) and within(n.var(), lam, var_se) and chi2 < 30,
           "poisson_count(2000 Hz) at 1 ms: mean %.4f, variance %.4f (both 2), chi-square %.1f over 8 cells"
           % (n.mean(), n.var(), chi2))
    u, w, b = r["k_u"], r["k_w"], r["k_b"]
    report(u.min() >= -1 and u.max() < 3 and within(u.mean(), 1, math.sqrt(16 / 12 / N)) and
           within(u.var(), 16 / 12, math.sqrt(4 ** 4 / 180 / N)),
           "uniform(-1, 3): in [%.4f, %.4f], mean %.4f, variance %.4f (4/3)" % (u.min(), u.max(), u.mean(), u.var()))
    kurt = float(((w - w.mean()) ** 4).mean() / w.var() ** 2)
    report(within(w.mean(), 1, 2 / math.sqrt(N)) and within(w.std(), 2, 2 / math.sqrt(2 * N)) and
           within(kurt, 3, math.sqrt(24 / N)),
           "normal(std = 2, mean = 1): mean %.4f, std %.4f, kurtosis %.3f" % (w.mean(), w.std(), kurt))
    report(set(np.unique(b)) <= {0.0, 1.0} and within(b.mean(), 0.3, math.sqrt(0.21 / N)),
           "bernoulli(0.3): mean %.4f" % b.mean())
    z = r["g_z"]
    intervals = np.concatenate([np.diff(np.nonzero(z[tr, :, i])[0]) for tr in range(2) for i in range(2000)])
    cv = intervals.std() / intervals.mean()
    report(set(np.unique(z)) <= {0.0, 1.0} and within(z.mean(), 0.05, math.sqrt(0.0475 / N)) and
           within(cv, math.sqrt(0.95), 0.01),
           "PoissonGenerator at 50 Hz: %.2f Hz, CV of intervals %.4f (%.4f)" % (z.mean() * 1000, cv, math.sqrt(0.95)))
    lim = 4 / math.sqrt(N / 2)
    r_neuron = np.corrcoef(n[..., 0::2].ravel(), n[..., 1::2].ravel())[0, 1]
    r_step = np.corrcoef(w[:, :-1].ravel(), w[:, 1:].ravel())[0, 1]
    report(abs(r_neuron) < lim and abs(r_step) < lim and not np.array_equal(n[0], n[1]),
           "independent: neighbours r = %.4f, consecutive steps r = %.4f (limit %.4f); the trials differ"
           % (r_neuron, r_step, lim))
    other = run(tmp, "seed", "-D", "seed=2")
    report(not np.array_equal(other["k_u"], u), "another seed draws other numbers")
    one = run(tmp, "t1", "-D", "threads=1")
    two = run(tmp, "t2", "-D", "threads=2")
    report(all(np.array_equal(one[k], two[k]) and np.array_equal(one[k], r[k]) for k in NAMES),
           "the same bits with 1 and 2 threads")
    four = run(tmp, "four", "-D", "trials=4")
    report(all(four[k].shape[0] == 4 and np.array_equal(four[k][:2], r[k]) for k in NAMES),
           "trials 0 and 1 draw the same with 2 or 4 trials in the run")

finish(os.path.basename(__file__))
