#!/usr/bin/python3
"""brunel.py -- Brunel's (2000) E/I network, models/brunel_ei.rnn, in rnnc and in Brian2's C++ standalone mode.

   /usr/bin/python3 bench/brunel.py [RNNC] [g eta ...]   (default: build/rnnc, the regime g 5, eta 2)

Model A of Brunel 2000 as models/brunel_ei.rnn writes it: 10,000
excitatory and 2,500 inhibitory LIF neurons (tau 20 ms, threshold 20 mV,
reset 10 mV, refractory 2 ms, V decaying exactly between inputs), each
receiving 1000 excitatory synapses of J = 0.1 mV and 250 inhibitory ones
of -g J from random neurons (fixed in-degree), delay 1.5 ms, and 1000
external Poisson synapses at eta * 10 Hz; dt 0.1 ms, 1 s, spikes recorded.
Brian2: the same NeuronGroup ('dv/dt = -v / tau', method 'exact',
refractory with v held at the reset: '(unless refractory)' and inputs
gated by not_refractory, as rnnc's reset holds V), Synapses with
connect(i = 'k for k in sample(N_pre, size = C)'), and the external drive
as PoissonInput (a binomial count of 1000 inputs per step; rnnc draws a
Poisson count of the same mean, poisson_count). Each simulator is one
process from model text to results on disk under /usr/bin/time -v (Brian2
with code generation and the g++ build of a fresh folder, one thread).
Printed per regime: simulation seconds, wall seconds, peak memory, the E
and I rates and the E population's mean CV of intervals after the first
100 ms, for both, with the ratios. One repetition (medians of one).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from brian2_lif import timed   # /usr/bin/time -v around a command: (stdout, wall seconds, peak MB)

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "models", "brunel_ei.rnn")
NE, NI, CE, CI, STEPS, SKIP = 10000, 2500, 1000, 250, 10000, 1000


def stats(neuron, step, n):
    """Rate after SKIP steps and the mean CV of the intervals there (neurons with 3 or more spikes)."""
    keep = step >= SKIP
    neuron, step = neuron[keep], step[keep]
    rate = len(neuron) / n / ((STEPS - SKIP) * 1e-4)
    order = np.lexsort((step, neuron))
    neuron, step = neuron[order], step[order]
    bounds = np.searchsorted(neuron, np.arange(n + 1))
    cvs = [np.diff(step[bounds[k]:bounds[k + 1]]).std() / np.diff(step[bounds[k]:bounds[k + 1]]).mean()
           for k in range(n) if bounds[k + 1] - bounds[k] >= 3]
    return rate, float(np.mean(cvs))


def run_rnnc(rnnc, g, eta, work):
    out = os.path.join(work, "rnnc")
    _, wall, rss = timed([rnnc, "run", MODEL, "--out", out, "-D", "g=%g" % g, "-D", "eta=%g" % eta])
    with open(os.path.join(out, "summary.json")) as f:
        sim = json.load(f)["eval_simulation_seconds"]
    e, i = (np.load(os.path.join(out, "spikes_%s.npy" % p)) for p in ("e", "i"))
    e_rate, cv = stats(e[:, 1].astype(np.int64), e[:, 2].astype(np.int64), NE)
    i_rate, _ = stats(i[:, 1].astype(np.int64), i[:, 2].astype(np.int64), NI)
    shutil.rmtree(out)
    return {"sim": sim, "wall": wall, "rss": rss, "e": e_rate, "i": i_rate, "cv": cv}


def brian_main(g, eta, folder):
    import brian2 as b2
    b2.set_device("cpp_standalone", directory=folder)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.defaultclock.dt = 0.1 * b2.ms
    tau, theta, v_r, J, D = 20 * b2.ms, 20 * b2.mV, 10 * b2.mV, 0.1 * b2.mV, 1.5 * b2.ms
    nu_ext = eta * theta / (J * CE * tau)
    net_g = b2.NeuronGroup(NE + NI, "dv/dt = -v / tau : volt (unless refractory)", threshold="v > theta",
                           reset="v = v_r", refractory=2 * b2.ms, method="exact")
    exc, inh = net_g[:NE], net_g[NE:]
    s_e = b2.Synapses(exc, net_g, on_pre="v_post += J * int(not_refractory_post)", delay=D)
    s_e.connect(i="k for k in sample(N_pre, size=%d)" % CE)
    s_i = b2.Synapses(inh, net_g, on_pre="v_post += -%g * J * int(not_refractory_post)" % g, delay=D)
    s_i.connect(i="k for k in sample(N_pre, size=%d)" % CI)
    ext = b2.PoissonInput(net_g, "v", N=CE, rate=nu_ext, weight="J * int(not_refractory)")
    mon = b2.SpikeMonitor(net_g)
    net = b2.Network(net_g, s_e, s_i, ext, mon)
    net.run(1 * b2.second)
    i = np.asarray(mon.i[:], dtype=np.int64)
    step = np.round(np.asarray(mon.t[:] / b2.ms) * 10).astype(np.int64)
    e_rate, cv = stats(i[i < NE], step[i < NE], NE)
    i_rate, _ = stats(i[i >= NE] - NE, step[i >= NE], NI)
    print(json.dumps({"sim": b2.device._last_run_time, "e": e_rate, "i": i_rate, "cv": cv}))


def run_brian(g, eta, work):
    folder = os.path.join(work, "brian")
    out, wall, rss = timed(["/usr/bin/python3", os.path.abspath(__file__), "--brian", str(g), str(eta), folder])
    r = json.loads(out.strip().splitlines()[-1])
    r.update(wall=wall, rss=rss)
    shutil.rmtree(folder, ignore_errors=True)
    return r


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--brian":
        brian_main(float(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return
    args = sys.argv[1:]
    rnnc = os.path.abspath(args.pop(0)) if args and not args[0].replace(".", "").isdigit() else "build/rnnc"
    regimes = [(float(args[k]), float(args[k + 1])) for k in range(0, len(args) - 1, 2)] or [(5, 2)]
    work = tempfile.mkdtemp(prefix="brunel_")
    print("g    eta  who     sim s   wall s  peak MB  E Hz    I Hz    CV (E, after 100 ms)")
    try:
        for g, eta in regimes:
            r, b = run_rnnc(os.path.abspath(rnnc), g, eta, work), run_brian(g, eta, work)
            for who, x in (("rnnc", r), ("brian2", b)):
                print("%-4g %-4g %-7s %6.2f %8.2f %8.0f %7.2f %7.2f %6.3f" % (g, eta, who, x["sim"], x["wall"], x["rss"],
                                                                      x["e"], x["i"], x["cv"]))
            print("%-4g %-4g ratio   %5.1fx %7.1fx %7.2fx  E rate %+.1f %%, CV %+.1f %% (rnnc vs brian2)" %
                  (g, eta, b["sim"] / r["sim"], b["wall"] / r["wall"], b["rss"] / r["rss"],
                   100 * (r["e"] / b["e"] - 1), 100 * (r["cv"] / b["cv"] - 1)))
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
