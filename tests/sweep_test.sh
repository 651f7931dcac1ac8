#!/bin/sh
# sweep_test.sh RNNC ROOT MPIEXEC
# rnnc sweep (issue 18) on a shortened AND task (models/and.rnn with -D: 50
# updates, under a second a run): --grid AndNet.n=8,16 --grid
# And.noise=0,0.1 --seeds 2, on one machine and over 2 MPI ranks.
#
# What must hold, and why:
# - sweep.csv has one row per run, 2 x 2 points x 2 seeds = 8, exactly the
#   cartesian product of the values and the seeds;
# - each row's settings are those its run was given: the run's own
#   summary.json lists them among its "defines", and its population h has
#   the row's AndNet.n units (so the grid reached the model);
# - each row's metrics are its run's summary.json's (to the 9 digits the
#   table keeps);
# - report.html's table gives each point's eval_loss as the mean and sd
#   of its two seeds' rows (computed here, printed as the C code prints it);
#   a picture per metric (sweep_eval_loss.svg and the others) is written;
# - over 2 ranks the table is byte for byte the one-machine table: the same
#   runs with the same seeds give the same numbers wherever they run (it
#   holds no timings);
# - bad input is refused before any work, with no folder left: a grid
#   naming no setting (checked by compiling the model with each value), a
#   value of the wrong unit (3 mV for a time constant in ms), a grid
#   without values, a name given by -D and --grid, more ranks than runs;
# - a run that fails on rank 1 is named with its settings, and the other
#   runs' results are kept (over 2 ranks: rank 1's failure loses nothing
#   of rank 0's).
# Built without MPI, the one-machine half runs and the test then reports a
# skip for the other half.
set -u
rnnc=$1 root=$2 mpiexec=$3
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
model=$root/models/and.rnn
quick="-D epochs=1 -D batch=32 -D trials=32 -D samples=1600 -D first_in=10 -D delay=5 -D answer=30"
grids="--grid AndNet.n=8,16 --grid And.noise=0,0.1"

# shellcheck disable=SC2086
expect 0 "a sweep of 4 points x 2 seeds" "$rnnc" sweep "$model" $quick $grids --seeds 2 --out "$work/one"
expect_line "$work/out" "8 of 8 runs trained" "every run trained"

if /usr/bin/python3 - "$work/one" <<'PY'
import csv, itertools, json, math, statistics, sys
folder = sys.argv[1]
failures = []
rows = list(csv.DictReader(open(f"{folder}/sweep.csv")))
keys = sorted((r["AndNet.n"], r["And.noise"], r["seed"]) for r in rows)
want = sorted(itertools.product(["8", "16"], ["0", "0.1"], ["1", "2"]))
if keys != want:
    failures.append(f"rows {keys}, expected the product {want}")
for r in rows:
    s = json.load(open(f"{folder}/{r['folder']}/summary.json"))
    d = s["defines"]
    if d.get("AndNet.n") != r["AndNet.n"] or d.get("And.noise") != r["And.noise"] or str(s["seed"]) != r["seed"]:
        failures.append(f"{r['folder']}: run with defines {d}, seed {s['seed']}; the row says {r}")
    if [p["size"] for p in s["populations"] if p["name"] == "h"] != [int(r["AndNet.n"])]:
        failures.append(f"{r['folder']}: h has {s['populations']}, not {r['AndNet.n']} units")
    for m in ("final_train_loss", "eval_loss", "eval_accuracy"):
        if not math.isclose(float(r[m]), s[m], rel_tol=1e-8):
            failures.append(f"{r['folder']}: {m} {r[m]} in the table, {s[m]} in its summary")
report = open(f"{folder}/report.html", encoding="utf-8").read()
for n, noise in itertools.product(["8", "16"], ["0", "0.1"]):
    losses = [float(r["eval_loss"]) for r in rows if (r["AndNet.n"], r["And.noise"]) == (n, noise)]
    shown = "eval_loss %.4g \u00b1 %.2g" % (statistics.mean(losses), statistics.stdev(losses))
    if f"AndNet.n={n}, And.noise={noise}</th><td>{shown}" not in report:
        failures.append(f"report.html has no '{shown}' for n={n}, noise={noise}")
for m in ("eval_loss", "eval_accuracy", "final_train_loss"):
    if not open(f"{folder}/sweep_{m}.svg").read().lstrip().startswith("<?xml"):
        failures.append(f"sweep_{m}.svg is no SVG")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
then passes=$((passes + 1)); else failures=$((failures + 1)); fi

# shellcheck disable=SC2086
expect_refused 1 "a grid naming no setting" "no parameter or setting is named 'AndNet.nosuch'" \
  "$rnnc" sweep "$model" $quick --grid AndNet.nosuch=8,16 --out "$work/bad"
# shellcheck disable=SC2086
expect_refused 1 "a value of the wrong unit, not the first" "parameter 'tau' is in ms, but the value is in mV" \
  "$rnnc" sweep "$model" $quick --grid TanhRate.tau=5ms,3mV --out "$work/bad"
expect_refused 2 "a grid without values" "--grid needs NAME=V1,V2,..." "$rnnc" sweep "$model" --grid n --out "$work/bad"
expect_refused 2 "a name given by -D and --grid" "n is given by -D and by --grid" \
  "$rnnc" sweep "$model" -D n=4 --grid n=8,16 --out "$work/bad"

if ! "$rnnc" --version | grep -q '^  mpi:  yes'; then
  finish || exit 1
  echo "SKIP: this build has no MPI (RNNC_MPI off): the sweep over 2 ranks is not run"
  exit 77
fi
# as in mpi_seeds_test.sh: CI runs as root; 2 ranks may need --oversubscribe
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# shellcheck disable=SC2086
expect 0 "the sweep over 2 ranks" "$mpiexec" --oversubscribe -n 2 "$rnnc" sweep "$model" $quick $grids --seeds 2 \
  --out "$work/two"
expect_line "$work/out" "over 2 MPI ranks" "the sweep says it is spread over the ranks"
if cmp "$work/one/sweep.csv" "$work/two/sweep.csv"; then passes=$((passes + 1)); else
  echo "FAIL: sweep.csv over 2 ranks differs from one machine's:"; diff "$work/one/sweep.csv" "$work/two/sweep.csv"
  failures=$((failures + 1)); fi
# A run that fails on rank 1 (SGD at lr 1e30: the loss overflows at update 2 and training stops) is
# named with its settings; rank 0's run and rank 1's partial folder are kept, the table has both rows.
# shellcheck disable=SC2086
expect 1 "a sweep with a failing run over 2 ranks" "$mpiexec" --oversubscribe -n 2 "$rnnc" sweep "$model" $quick \
  --grid 'optimizer=adam(lr=1e-3),sgd(lr=1e30)' --out "$work/nan"
expect_line "$work/err" "run point-2/seed-1 (optimizer=sgd(lr=1e30), seed 1) stopped before the end" \
  "the failing run is named with its settings"
expect_line "$work/nan/sweep.csv" "point-1/seed-1,adam(lr=1e-3),1,0," "the good run's row, exit status 0"
expect_line "$work/nan/sweep.csv" "point-2/seed-1,sgd(lr=1e30),1,1," "the failing run's row, exit status 1"
expect_line "$work/nan/summary.json" '"status": "incomplete: 1 of 2 runs trained"' "the sweep's status"
# shellcheck disable=SC2086
expect_refused 2 "3 ranks for 2 runs" "3 MPI ranks for 2 runs" \
  "$mpiexec" --oversubscribe -n 3 "$rnnc" sweep "$model" $quick --grid n=8,16 --out "$work/bad"
finish
