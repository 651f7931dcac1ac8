#!/usr/bin/env python3
"""decision_choices.py DIR EVIDENCE CHOICES

Per-trial choices of a decision run, from the evaluation trials
its results folder DIR holds (eval_inputs.npy, eval_targets.npy,
eval_outputs.npy: [trial, step, channel], little-endian float64).

EVIDENCE names the two input columns that carry the evidence for choice A
and for choice B ("1,2"), or is "-" for a task without an ideal observer
here (its columns print as nan). With a context, "A,B|C,D@K" takes the
evidence from columns C, D in trials where input column K is non-zero at
the first step and from A, B in the others (the attended modality of a
context-dependent task). CHOICES the two target/output columns of choices
A and B ("1,2").

- The ideal observer integrates the evidence difference B - A over the
  stimulus (the steps where an evidence channel is non-zero: outside the
  stimulus the task sets them to exactly 0) and answers its sign; a tie
  (0-coherence trials are not ties: the noise decides) counts as A.
- The network's choice is the choice column with the largest mean output
  over the decision window, the steps where a choice column of the target
  is non-zero; the right answer is the one with the largest mean target
  there (the first of equals).

Prints one line: trials, ideal accuracy, network accuracy, agreement of the
two choices (fractions in [0, 1]).  Standard library only.
"""
import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npy  # noqa: E402  (tests/npy.py, the tests' one .npy reader)


def load(path):
    return npy.read(path, "<f8")


def main():
    folder, evidence, choices = sys.argv[1], sys.argv[2], sys.argv[3]
    observer = evidence != "-"
    context_col = None
    if "@" in evidence:
        pairs, context_col = evidence.split("@")
        context_col = int(context_col)
        pair0, pair1 = ([int(c) for c in p.split(",")] for p in pairs.split("|"))
    elif observer:
        pair0 = pair1 = [int(c) for c in evidence.split(",")]
    else:
        pair0 = pair1 = [0, 0]
    cols = [int(c) for c in choices.split(",")]
    if observer and len(cols) != 2:
        sys.exit("the ideal observer needs two choices")
    (n, steps, nx), x = load(f"{folder}/eval_inputs.npy")
    (n2, steps2, ny), y = load(f"{folder}/eval_targets.npy")
    (n3, steps3, ny3), z = load(f"{folder}/eval_outputs.npy")
    if (n, steps) != (n2, steps2) or (n2, steps2, ny) != (n3, steps3, ny3):
        sys.exit("eval_inputs, eval_targets and eval_outputs disagree in shape")
    ideal_right = net_right = agree = counted = 0
    for i in range(n):
        def xv(s, c):
            return x[(i * steps + s) * nx + c]

        def yv(s, c):
            return y[(i * steps + s) * ny + c]

        def zv(s, c):
            return z[(i * steps + s) * ny + c]
        ea, eb = pair1 if context_col is not None and xv(0, context_col) != 0 else pair0
        evidence_sum = sum(xv(s, eb) - xv(s, ea) for s in range(steps) if xv(s, ea) != 0 or xv(s, eb) != 0)
        window = [s for s in range(steps) if any(yv(s, c) != 0 for c in cols)]
        if not window:
            continue
        target_sums = [sum(yv(s, c) for s in window) for c in cols]
        output_sums = [sum(zv(s, c) for s in window) for c in cols]
        truth = target_sums.index(max(target_sums))
        network = output_sums.index(max(output_sums))
        ideal = int(evidence_sum > 0)
        counted += 1
        ideal_right += ideal == truth
        net_right += network == truth
        agree += ideal == network
    if counted == 0:
        sys.exit("no trial has a decision window")
    ideal_text = f"{ideal_right / counted:.4f}" if observer else "nan"
    agree_text = f"{agree / counted:.4f}" if observer else "nan"
    print(f"{counted} {ideal_text} {net_right / counted:.4f} {agree_text}")


if __name__ == "__main__":
    main()
