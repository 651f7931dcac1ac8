#!/usr/bin/python3
"""NumPy port of the 2017 Temporal Deep Learning model (jordan-g/Temporal-Deep-Learning,
network.py/train.py @fd8336a; hidden error of @3cd91fb as an option), one hidden layer.

Independent reference for tests/data/burstprop/*.rnn.  Written from the equations of
/work/shared/reference/burstprop.md (§ numbers below) and checked against the original
source; float64 throughout, 1-D vectors where the original used [n, 1] columns.

    /usr/bin/python3 bench/burstprop/burstprop_2017.py DATA [--variant fd8336a|3cd91fb]
        [--out DIR] [--hidden-eta 5.0] [--output-eta 0.01] [--feedback-transpose] [--angles]

DATA holds the arrays of tests/data/burstprop/make_data.py.  Writes DIR/loss.csv (one row
per 100-step block of the learning epochs) and DIR/outputs.npy ([epochs, steps, n_out], the
output event rate after each step), prints the test-epoch errors.
"""
import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # same bits whatever the machine's load
import numpy as np  # noqa: E402

BLOCK = 100  # §1.7: loss reported per 100-step block


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def load(folder):
    names = ["x_set", "t_set", "W0", "b0", "Y", "W1", "b1", "teach"]
    arrays = {n: np.load(os.path.join(folder, n + ".npy")) for n in names}
    for n in names[:-1]:
        arrays[n] = arrays[n].astype(np.float64)
    return arrays


def angle_to_backprop(E0, W1_at_target, e1_at_target, lam0_prev):
    """Angle (degrees) between the burstprop hidden update and the backprop one.

    Backprop reference: at the target step s, L(s) = 1/2 |t(s) - sigmoid(y1(s))|^2 with the
    un-nudged drive y1(s) = W1 lam0~(s) + b1.  Its gradient is taken through the output layer
    to the hidden drive y0 and stopped there (no path through the smoothing traces or
    earlier steps):  d_bp = [W1(s)^T ((t - sigmoid(y1)) * sigmoid'(y1))] * lam0_prev(1 - lam0_prev),
    with the hidden slope at the same lam0_prev burstprop's E0 uses (§1.5).  Steepest descent is
    dW0_bp = eta d_bp x~^T; burstprop's update is dW0 = -eta0 E0 x~^T with the same x~, so the
    angle between the two matrices is the angle between -E0 and d_bp.
    0 deg: burstprop descends L(s); 90: unrelated; 180: it ascends L(s)."""
    d_bp = (W1_at_target.T @ e1_at_target) * lam0_prev * (1.0 - lam0_prev)
    cos = -E0 @ d_bp / (np.linalg.norm(E0) * np.linalg.norm(d_bp))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def run(a, variant, eta0, eta1, feedback_transpose=False, print_angles=False,
        same_step=False):
    x_set, t_set, teach = a["x_set"], a["t_set"], a["teach"]
    W0, b0, W1, b1 = a["W0"].copy(), a["b0"].copy(), a["W1"].copy(), a["b1"].copy()
    Y = W1.T.copy() if feedback_transpose else a["Y"].copy()  # feedback fixed (§1.6 off)
    epochs, steps = teach.shape
    n_h, n_out = W0.shape[0], W1.shape[0]
    assert steps % BLOCK == 0, "blocks of 100 steps must tile an epoch"
    # §1.8: one network for all epochs, every state (sigmoid outputs included) starts at 0.
    x_tr = np.zeros(x_set.shape[1])        # x~, smoothed input of the hidden soma
    lam0 = np.zeros(n_h); lam0_prev = np.zeros(n_h)
    rho0 = np.zeros(n_h); rho0_prev = np.zeros(n_h)
    psi0 = np.zeros(n_h); psi0_prev = np.zeros(n_h)
    lam0_tr = np.zeros(n_h)                # lam0~, smoothed input of the output layer
    fb_tr = np.zeros(n_out)                # b~, smoothed feedback input of the apical
    lam1 = np.zeros(n_out); lam1_prev = np.zeros(n_out)
    loss1 = 0.0                            # output layer's `loss` attribute (§1.8)
    prev_shown = False
    at_target = None                       # (W1, e1) of the last target step, for --angles
    losses, angles = [], []
    outputs = np.zeros((epochs, steps, n_out))
    for k in range(epochs):
        learn = k < epochs - 1             # §1.7: the last epoch is the test
        block_sum, block_shown = 0.0, 0
        for time in range(steps):
            shown = learn and teach[k, time] == 1
            target = t_set[time]
            # §1.3.1 output layer, reads the hidden event rate of the previous step
            if time >= 2:
                lam0_tr = (lam0_tr + lam0) / 2.0
                y1 = W1 @ lam0_tr + b1
                lam1_prev = lam1
                lam1 = sigmoid(y1)
                if shown:
                    if print_angles:
                        at_target = (W1.copy(), (target - lam1) * lam1 * (1.0 - lam1))
                    lam1 = (lam1 + target) / 2.0   # §1.3 nudge of the output event rate
            # §1.3.2 hidden soma
            if time >= 1:
                x_tr = (x_tr + x_set[time]) / 2.0
                lam0_prev = lam0
                lam0 = sigmoid(W0 @ x_tr + b0)
            # §1.3.3 hidden apical, reads this step's (nudged) output rate
            if time > 3:
                fb_tr = (fb_tr + lam1) / 2.0
                rho0_prev, rho0 = rho0, sigmoid(Y @ fb_tr)
                psi0_prev, psi0 = psi0, rho0 * lam0
                if not learn and time > steps / 2:
                    lam0 = psi0.copy()             # §1.8 generate mode
                # §1.5 hidden update, the step after a target (the time > 3 gate holds);
                # same_step: on the target step, rho(s) - rho(s-1) as in the write-up (§2)
                if (shown if same_step else prev_shown) and learn:
                    slope = -lam0_prev * (1.0 - lam0_prev)
                    if variant == "fd8336a":
                        E0 = lam0 * (psi0 - psi0_prev) * slope
                    else:
                        E0 = (rho0 - rho0_prev) * slope
                    if print_angles and at_target is not None:
                        angles.append(angle_to_backprop(E0, *at_target, lam0_prev))
                        print("angle epoch %d time %d %.6f deg" % (k, time, angles[-1]))
                    W0 -= eta0 * np.outer(E0, x_tr)  # current x~ (§1.8)
                    b0 -= eta0 * E0
            # §1.4 output update on a target step, with the nudged lam1 and current lam0~
            if time >= 2 and shown:
                loss1 = np.mean((target - lam1_prev) ** 2)
                E1 = (lam1 - lam1_prev) * -lam1_prev * (1.0 - lam1_prev)
                W1 -= eta1 * np.outer(E1, lam0_tr)
                b1 -= eta1 * E1
            # §1.8 reported loss: the attribute (stale before time 2) summed over target steps
            if shown:
                block_sum += loss1
                block_shown += 1
            outputs[k, time] = lam1
            if learn and (time + 1) % BLOCK == 0:
                losses.append(block_sum / block_shown if block_shown else 0.0)
                block_sum, block_shown = 0.0, 0
            prev_shown = shown
    return np.array(losses), outputs, np.array(angles)


def test_errors(outputs, t_set):
    """mean over steps and units of |t - lam1| in the test epoch: steps 0..steps/2 (driven by
    the input) and steps/2+1.. (generate mode, §1.8 `time > 1000`)."""
    err = np.abs(t_set - outputs[-1])
    half = t_set.shape[0] // 2
    return err[:half + 1].mean(), err[half + 1:].mean()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--variant", choices=["fd8336a", "3cd91fb"], default="fd8336a")
    p.add_argument("--out", help="folder for loss.csv and outputs.npy (default: DATA)")
    p.add_argument("--hidden-eta", type=float, default=5.0)   # §1.7 f_etas[0]
    p.add_argument("--output-eta", type=float, default=0.01)  # §1.7 f_etas[1]
    p.add_argument("--feedback-transpose", action="store_true", help="Y = W1^T at the start")
    p.add_argument("--angles", action="store_true",
                   help="print the angle to backprop at every hidden update")
    p.add_argument("--same-step", action="store_true",
                   help="not the 2017 code: hidden update on the target step itself")
    a = p.parse_args()
    arrays = load(a.data)
    losses, outputs, angles = run(arrays, a.variant, a.hidden_eta, a.output_eta,
                                  a.feedback_transpose, a.angles, a.same_step)
    out = a.out or a.data
    os.makedirs(out, exist_ok=True)
    np.savetxt(os.path.join(out, "loss.csv"), losses, fmt="%.17g", header="loss", comments="")
    np.save(os.path.join(out, "outputs.npy"), outputs)
    per_epoch = losses.reshape(-1, arrays["teach"].shape[1] // BLOCK).mean(axis=1)
    print("mean block loss: first epoch %.6g, last learning epoch %.6g"
          % (per_epoch[0], per_epoch[-1]))
    first, generated = test_errors(outputs, arrays["t_set"])
    print("test epoch mean |t - lam1|: first half %.6g, generated half %.6g" % (first, generated))
    if angles.size:
        print("angle to backprop over %d hidden updates: median %.3f deg, mean %.3f deg"
              % (angles.size, np.median(angles), angles.mean()))


if __name__ == "__main__":
    main()
