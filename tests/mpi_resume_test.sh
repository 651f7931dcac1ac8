#!/bin/sh
# mpi_resume_test.sh RNNC ROOT MPIEXEC
# --resume (issue 18): a re-run of 'rnnc run --seeds K' or 'rnnc sweep'
# into the same folder keeps the runs it holds finished and runs the rest,
# on one machine and over 2 MPI ranks, on a shortened AND task (20 updates).
#
# What must hold, and why:
# - an earlier folder whose seed-3 was interrupted (its summary's status
#   "interrupted") and whose seed-4 is missing resumes with 2 of 4 runs
#   done: seed-1's and seed-2's files are the earlier ones (the same inode:
#   linked, not written again, so not re-run), seed-3 and seed-4 are run and
#   give the earlier losses and gradient norms of loss.csv to the last digit
#   (a run's numbers depend on its seed and settings alone), and the combined summary has all 4, trained;
# - over 2 ranks the same (the two runs left are rank 0's and rank 1's);
# - a run killed outright leaves DIR.partial-XXXXXX: its finished runs are
#   taken from there (the same inode), the others run again;
# - a run is done only with the same settings: resumed with another -D
#   value, none of the 4 is kept;
# - a sweep with a failing point (SGD at lr 1e30: the loss overflows) exits
#   1 and keeps the good run; resumed (on one machine, then over 2 ranks)
#   it keeps that run (same inode), runs the failing one again, which fails
#   again and is named with its settings, and writes the same sweep.csv;
# - --resume where there is nothing to resume (a plain run) is a one-line
#   usage error.
# Built without MPI, the one-machine half runs and the test then reports a
# skip for the other half.
set -u
rnnc=$1 root=$2 mpiexec=$3
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
model=$root/models/and.rnn
quick="-D epochs=1 -D batch=32 -D trials=32 -D samples=640 -D first_in=10 -D delay=5 -D answer=30"
have_mpi=1
"$rnnc" --version | grep -q '^  mpi:  yes' || have_mpi=0
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
inode() { stat -c %i "$1"; }

# shellcheck disable=SC2086
expect 0 "4 realisations" "$rnnc" run "$model" $quick -D n=16 --seeds 4 --out "$work/a"
# loss.csv without its seconds column (a timing): update, epoch, loss, grad_norm
losses() { cut -d, -f1-4 "$1"; }
for s in 2 3 4; do losses "$work/a/seed-$s/loss.csv" > "$work/loss-$s.csv"; done
# A run killed outright (SIGKILL) leaves its partial folder beside DIR: its finished seeds (here 1, 3, 4;
# seed-2 was still running, its own partial folder unfinished) are taken from there.
cp -r "$work/a" "$work/k.partial-Abc123"
rm -r "$work/k.partial-Abc123/seed-2"
mkdir "$work/k.partial-Abc123/seed-2.partial-Xyz789"
i3=$(inode "$work/k.partial-Abc123/seed-3/loss.csv")
# shellcheck disable=SC2086
expect 0 "--resume after a run killed outright" "$rnnc" run "$model" $quick -D n=16 --seeds 4 --out "$work/k" --resume
expect_line "$work/out" "resuming $work/k: 3 of 4 runs are done already" "three runs are found in the partial folder"
expect_line "$work/out" "3 of them from $work/k.partial-Abc123, left by a run that was killed" "the partial folder is named"
[ "$(inode "$work/k/seed-3/loss.csv")" = "$i3" ] && passes=$((passes + 1)) ||
  { echo "FAIL: seed-3 was not taken from the partial folder"; failures=$((failures + 1)); }
if losses "$work/k/seed-2/loss.csv" | cmp -s - "$work/loss-2.csv"
then passes=$((passes + 1)); else echo "FAIL: seed-2, run again, differs from the first run's"; failures=$((failures + 1)); fi

# damage RANKS: seed-3 marked interrupted, seed-4 removed; the kept runs' inodes noted
damage() {
  sed -i 's/"status": "trained"/"status": "interrupted"/' "$work/a/seed-3/summary.json"
  rm -r "$work/a/seed-4"
  i1=$(inode "$work/a/seed-1/loss.csv") i2=$(inode "$work/a/seed-2/weights_final_h_h.npy")
}
# resumed WHERE: checks the folder after a resume
resumed() {
  expect_line "$work/out" "resuming $work/a: 2 of 4 runs are done already" "$1: two runs are found done"
  if [ "$(inode "$work/a/seed-1/loss.csv")" = "$i1" ] && [ "$(inode "$work/a/seed-2/weights_final_h_h.npy")" = "$i2" ]
  then passes=$((passes + 1)); else echo "FAIL: $1: seed-1 or seed-2 was written again"; failures=$((failures + 1)); fi
  for s in 3 4; do
    if losses "$work/a/seed-$s/loss.csv" | cmp -s - "$work/loss-$s.csv"; then passes=$((passes + 1)); else
      echo "FAIL: $1: seed-$s's loss.csv differs from the first run's"; failures=$((failures + 1)); fi
  done
  expect_line "$work/a/summary.json" '"status": "trained"' "$1: the combined status"
  expect_line "$work/a/summary.json" '"realisations": 4' "$1: the combined summary has all 4"
}
damage
# shellcheck disable=SC2086
expect 0 "--seeds 4 --resume" "$rnnc" run "$model" $quick -D n=16 --seeds 4 --out "$work/a" --resume
resumed "one machine"
cp -r "$work/a" "$work/c"
# shellcheck disable=SC2086
expect 0 "--resume with another -D" "$rnnc" run "$model" $quick -D n=8 --seeds 4 --out "$work/c" --resume
expect_line "$work/out" "0 of 4 runs are done already" "runs with other settings are not kept"

sweep_grid="--grid optimizer=adam(lr=1e-3),sgd(lr=1e30)"
# shellcheck disable=SC2086
expect 1 "a sweep with a failing point" "$rnnc" sweep "$model" $quick $sweep_grid --out "$work/s"
cp "$work/s/sweep.csv" "$work/sweep.csv"
# resume_sweep WHAT COMMAND...: the sweep resumed by COMMAND
resume_sweep() {
  what=$1; shift
  kept=$(inode "$work/s/point-1/seed-1/loss.csv")
  expect 1 "$what" "$@"
  expect_line "$work/out" "1 of 2 runs are done already" "$what: the good run is found done"
  expect_line "$work/err" "run point-2/seed-1 (optimizer=sgd(lr=1e30), seed 1) stopped before the end" \
    "$what: the failing run is named with its settings"
  [ "$(inode "$work/s/point-1/seed-1/loss.csv")" = "$kept" ] && passes=$((passes + 1)) ||
    { echo "FAIL: $what: the good run was written again"; failures=$((failures + 1)); }
  if cmp -s "$work/s/sweep.csv" "$work/sweep.csv"; then passes=$((passes + 1)); else
    echo "FAIL: $what: sweep.csv differs:"; diff "$work/sweep.csv" "$work/s/sweep.csv"; failures=$((failures + 1)); fi
}
# shellcheck disable=SC2086
resume_sweep "the sweep resumed" "$rnnc" sweep "$model" $quick $sweep_grid --out "$work/s" --resume
expect 2 "--resume without runs to resume" "$rnnc" run "$model" --resume --out "$work/bad"
expect_line "$work/err" "--resume is an option of 'rnnc run --seeds K' and 'rnnc sweep'" "--resume misused: the message"
[ "$(wc -l < "$work/err")" -eq 1 ] && [ ! -e "$work/bad" ] && passes=$((passes + 1)) ||
  { echo "FAIL: --resume misused: not one line, or a folder was made"; failures=$((failures + 1)); }

if [ "$have_mpi" -eq 0 ]; then
  finish || exit 1
  echo "SKIP: this build has no MPI (RNNC_MPI off): --resume over 2 ranks is not run"
  exit 77
fi
mpirun() { "$mpiexec" --oversubscribe "$@"; }
damage
# shellcheck disable=SC2086
expect 0 "--seeds 4 --resume over 2 ranks" mpirun -n 2 "$rnnc" run "$model" $quick -D n=16 --seeds 4 --out "$work/a" \
  --resume
resumed "over 2 ranks"
# shellcheck disable=SC2086
resume_sweep "the sweep resumed over 2 ranks" mpirun -n 2 "$rnnc" sweep "$model" $quick $sweep_grid --out "$work/s" \
  --resume
finish
