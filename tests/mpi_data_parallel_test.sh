#!/bin/sh
# mpi_data_parallel_test.sh RNNC ROOT MPIEXEC
# 'mpirun -n P rnnc run MODEL' (issue 18): one network trained by P ranks,
# each with a contiguous share of every batch (the same trial ids as one
# process), the losses and gradients summed with MPI_Allreduce before every
# optimiser step; rank 0 evaluates. Against the same run in one process, on
# short runs (20 updates, about a second each):
#
# - the AND task in float64 over 2 ranks and over 3 (shares of 10, 11 and
#   11 trials of a batch of 32: a rank's gradient must be weighted by its
#   share, not averaged): every loss and grad_norm of loss.csv, the
#   evaluation loss and the trained weights agree with one process's to a
#   relative 1e-9. Why that tolerance: the processes compute the same sums
#   in another order (each rank's partial GEMM over its rows, then their
#   sum), which changes the last bits of a double (2.2e-16 relative) and,
#   through 20 Adam steps, stays below 1e-12 here; a wrong share (equal
#   weights for 10 and 11 trials, a rank's trials counted twice or not at
#   all) changes the loss by far more than 1e-9 at the first update, which
#   has no Adam history to hide it;
# - the same in float32 over 2 ranks to a relative 1e-4: float rounds to
#   6e-8, and the gradient is a sum over 32 trials of 70 steps whose terms
#   largely cancel, so its rounding is larger against its norm (observed:
#   1e-8 in the loss, 1.4e-5 in grad_norm); a rank that stepped with its
#   own half of the batch alone would be off by more than 1e-3;
# - the cross-entropy loss (models/perceptual_dm.rnn: divided by its
#   masked, weighted targets, not by the trials) and e-prop with a
#   firing-rate regulariser and a sum_squared loss (models/eprop_sine.rnn,
#   spiking), float64 over 2 ranks: the losses to a relative 1e-9 (e-prop's
#   regulariser is a mean over trials, weighted by the trials' share);
# - rank 0's folder has the single-process layout, and rank 1's scratch
#   folder in its TMPDIR is gone;
# - a loss that overflows (SGD at lr 1e30) stops every rank at the same
#   update, as one process stops: exit status 1, the same updates in
#   loss.csv, summary.json's status "stopped: non-finite loss";
# - a batch-mean regulariser that the ranks' shares cannot split exactly
#   (their loss masks differ) stops every rank with the reason, no folder;
# - rank 0 failing before the first update (its folder cannot be made)
#   stops rank 1 too, with a message, rather than leaving it waiting;
# - more ranks than rows of the batch (3 for a batch of 2), and a run with
#   nothing to train (an 'evaluate'), are one-line errors before any work,
#   no folder made.
# Skipped when built without MPI (mpi_seeds_test.sh checks the refusal).
set -u
rnnc=$1 root=$2 mpiexec=$3
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
if ! "$rnnc" --version | grep -q '^  mpi:  yes'; then
  echo "SKIP: this build has no MPI (RNNC_MPI off)"
  exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun() { "$mpiexec" --oversubscribe "$@"; }
mkdir "$work/tmp"
and="$root/models/and.rnn -D epochs=1 -D batch=32 -D n=16 -D trials=32 -D samples=640 -D first_in=10 -D delay=5 -D answer=30"

# NAME P MODEL ARGS...: the run into $work/NAME-P, in one process for P = 1
pair() {
  name=$1 ranks=$2; shift 2
  if [ "$ranks" -eq 1 ]; then
    expect 0 "$name in one process" "$rnnc" run "$@" --out "$work/$name-1"
  else
    expect 0 "$name over $ranks ranks" mpirun -n "$ranks" -x TMPDIR="$work/tmp" "$rnnc" run "$@" --out "$work/$name-$ranks"
    expect_line "$work/out" "data-parallel training over $ranks MPI ranks" "$name: the run says it is shared"
  fi
}
# shellcheck disable=SC2086
{
  pair and64 1 $and -D precision=float64
  pair and64 2 $and -D precision=float64
  pair and64 3 $and -D precision=float64
  pair and32 1 $and
  pair and32 2 $and
  pair ce 1 "$root/models/perceptual_dm.rnn" -D iterations=20 -D trials=64 -D precision=float64
  pair ce 2 "$root/models/perceptual_dm.rnn" -D iterations=20 -D trials=64 -D precision=float64
  pair eprop 1 "$root/models/eprop_sine.rnn" -D iterations=10 -D batch=4 -D trials=4 -D precision=float64
  pair eprop 2 "$root/models/eprop_sine.rnn" -D iterations=10 -D batch=4 -D trials=4 -D precision=float64
}
[ -z "$(ls -A "$work/tmp")" ] || { echo "FAIL: rank 1's scratch folder is left: $(ls -A "$work/tmp")"; failures=$((failures + 1)); }

if /usr/bin/python3 - "$work" <<'PY'
import json, math, os, sys
import npy
work = sys.argv[1]
failures = []

def close(a, b, rel):
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel * 1e-3)

def curve(d):
    rows = [line.strip().split(",") for line in open(f"{d}/loss.csv")]
    head = rows[0]
    return [(float(r[head.index("loss")]), float(r[head.index("grad_norm")])) for r in rows[1:]]

def compare(name, ranks, rel, updates, weights=()):
    one, many = f"{work}/{name}-1", f"{work}/{name}-{ranks}"
    a, b = curve(one), curve(many)
    if len(a) != updates or len(b) != updates:
        failures.append(f"{name}: {len(a)} and {len(b)} updates, expected {updates}")
    for u, ((la, ga), (lb, gb)) in enumerate(zip(a, b), 1):
        if not (close(la, lb, rel) and close(ga, gb, rel)):
            failures.append(f"{name} over {ranks} ranks, update {u}: loss {lb!r}, grad_norm {gb!r}; "
                            f"one process {la!r}, {ga!r} (relative tolerance {rel})")
            break
    sa, sb = json.load(open(f"{one}/summary.json")), json.load(open(f"{many}/summary.json"))
    if not close(sa["eval_loss"], sb["eval_loss"], rel):
        failures.append(f"{name}: eval_loss {sb['eval_loss']} over {ranks} ranks, {sa['eval_loss']} in one")
    for w in weights:
        _, wa = npy.read(f"{one}/{w}")
        _, wb = npy.read(f"{many}/{w}")
        worst = max(abs(x - y) / max(abs(x), 1e-3) for x, y in zip(wa, wb))
        if len(wa) != len(wb) or worst > rel:
            failures.append(f"{name} over {ranks} ranks: {w} differs by {worst:.3g} (relative)")
    def files(d):
        return sorted(os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs)
    if files(one) != files(many):
        failures.append(f"{name}: layouts differ: {set(files(one)) ^ set(files(many))}")

w = ("weights_final_h_h.npy", "weights_final_x_h.npy", "weights_final_h_y.npy", "bias_final_h_y.npy")
compare("and64", 2, 1e-9, 20, w)
compare("and64", 3, 1e-9, 20, w)
compare("and32", 2, 1e-4, 20, w)
compare("ce", 2, 1e-9, 20)
compare("eprop", 2, 1e-9, 10)
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
then passes=$((passes + 1)); else failures=$((failures + 1)); fi

# shellcheck disable=SC2086
{
  expect 1 "an overflowing loss in one process" "$rnnc" run $and -D "optimizer=sgd(lr=1e30)" --out "$work/nan-1"
  expect 1 "an overflowing loss over 2 ranks" mpirun -n 2 "$rnnc" run $and -D "optimizer=sgd(lr=1e30)" --out "$work/nan-2"
}
expect_line "$work/err" "training stopped" "the stop is told"
expect_line "$work/nan-2/summary.json" '"status": "stopped: non-finite' "rank 0's folder says training stopped"
if cmp -s "$work/nan-1/loss.csv" "$work/nan-2/loss.csv" || [ "$(wc -l < "$work/nan-1/loss.csv")" -eq "$(wc -l < "$work/nan-2/loss.csv")" ]
then passes=$((passes + 1)); else
  echo "FAIL: the ranks stopped after another update than one process:"; cat "$work/nan-1/loss.csv" "$work/nan-2/loss.csv"
  failures=$((failures + 1)); fi
# shellcheck disable=SC2086
expect_refused 2 "3 ranks for a batch of 2" "3 MPI ranks for a batch of 2 trials: data-parallel training" \
  mpirun -n 3 "$rnnc" run "$root/models/and.rnn" -D batch=2 -D trials=2 -D samples=20 --out "$work/bad"
# A batch-mean regulariser (l2_rate) where the ranks' shares of the loss mask differ from their shares of
# the trials (context_dm's trials have random lengths) cannot be split exactly: every rank stops with the
# reason at the first update, and rank 0 leaves no folder.
expect 1 "l2_rate with trials of random length over 2 ranks" mpirun -n 2 "$rnnc" run "$root/models/context_dm.rnn" \
  -D iterations=3 -D trials=64 -D "regularize=l2_rate(c=1e-3)" --out "$work/bad"
expect_line "$work/err" "rnnc: error: data-parallel training: the loss mask is not spread over the processes as the trials are" \
  "the regulariser that cannot be split is told"
[ -e "$work/bad" ] && { echo "FAIL: a folder was left"; failures=$((failures + 1)); rm -rf "$work/bad"; }
# Rank 0 cannot create its results folder (sysfs takes no new folder, even from root) after the ranks agreed
# to start: it joins the training's first sum with its failure, so rank 1 stops too instead of waiting for
# ever (timeout: a hang fails the test).
# shellcheck disable=SC2086
expect 1 "rank 0 cannot write its folder" timeout 60 "$mpiexec" --oversubscribe -n 2 "$rnnc" run $and --out /sys/rnnc-test
expect_line "$work/err" "rnnc: rank 1: error: data-parallel training: another process could not start" \
  "rank 1 is told and stops"
expect_refused 2 "an evaluate under 2 ranks" "2 MPI ranks for a run with nothing to train ('evaluate')" \
  mpirun -n 2 "$rnnc" run "$root/examples/lif_poisson.rnn" --out "$work/bad"
finish
