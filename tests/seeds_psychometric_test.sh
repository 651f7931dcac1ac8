#!/bin/sh
# seeds_psychometric_test.sh RNNC ROOT
# rnnc run --seeds 3 on a small decision task with 'analyze psychometric()'
# (tests/data/decision_seeds.rnn: a strong value drawn on one trial in
# eight, 16 evaluation trials).
#
# What must hold, and why:
# - the combined summary names the psychometric rows by their condition
#   value (conditions[value=V]), never by place: each seed's evaluation
#   shows only the values its own trials drew, so row k of one seed need
#   not be row k of another;
# - per value V, mean, std, min, max and count are those of the seeds
#   whose own summary.json has a row for V (computed here from those
#   files), count being how many such seeds there are;
# - with these seeds some evaluation lacks a value (seed 1 drew no +40,
#   seeds 2 and 3 no -40); then that value's count is below 3 -- the case
#   index-by-index averaging got wrong (a seed's -10 row with another's -40);
# - no realisation's summary lists "threads" among its "defines" (the user
#   gave no -D), while its settings say the threads it had; a -D threads
#   the user does give is passed on and listed.
set -u
rnnc=$1 root=$2
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
python=/usr/bin/python3
model=$root/tests/data/decision_seeds.rnn

expect 0 "three realisations of the decision task" nice -n 10 "$rnnc" run "$model" --seeds 3 --out "$work/s"
expect 0 "-D threads=1 given by the user" nice -n 10 "$rnnc" run "$model" --seeds 2 -D threads=1 --out "$work/t"

cat > "$work/check.py" <<'PY'
import json, math, statistics, sys
folder, given = sys.argv[1], sys.argv[2]
failures = []

def check(ok, what):
    if not ok:
        failures.append(what)

combined = json.load(open(f"{folder}/summary.json"))
seeds = combined["seeds"]
own = {k: json.load(open(f"{folder}/seed-{k}/summary.json")) for k in seeds}
rows = {k: {c["value"]: c for c in own[k]["analysis"]["psychometric"]["conditions"]} for k in seeds}
values = sorted(set(v for r in rows.values() for v in r))
prefix = "analysis.psychometric.conditions["
names = [n for n in combined["mean"] if n.startswith(prefix)]
check(all(n.startswith(prefix + "value=") for n in names), f"rows by place: {names}")
for v in values:
    have = [rows[k][v] for k in seeds if v in rows[k]]
    for field in ("trials", "accuracy", "choice"):
        name = f"{prefix}value={v:.9g}].{field}"
        numbers = [h[field] for h in have]
        check(combined["count"].get(name) == len(numbers), f"{name}: count {combined['count'].get(name)}, {len(numbers)} seeds have it")
        got = combined["mean"].get(name)
        check(got is not None and abs(got - statistics.mean(numbers)) < 1e-6, f"{name}: mean {got}, seeds {numbers}")
        check(combined["min"].get(name) == min(numbers) and combined["max"].get(name) == max(numbers), f"{name}: min/max")
        sd = combined["std"].get(name)
        if len(numbers) > 1:
            check(sd is not None and abs(sd - statistics.stdev(numbers)) < 1e-6, f"{name}: std {sd}, seeds {numbers}")
        else:
            check(sd is None, f"{name}: std {sd} of one seed")
    for k in seeds:
        per = combined["per_seed"][seeds.index(k)]
        check((f"{prefix}value={v:.9g}].choice" in per) == (v in rows[k]), f"per_seed of seed {k}, value {v}")
if given == "none":
    missing = [v for v in values if any(v not in rows[k] for k in seeds)]
    check(missing == [-40, 40], f"values some seed lacks: {missing} (the model or its draws changed?)")
    check(all(combined["count"].get(f"{prefix}value={v:.9g}].choice", 0) < len(seeds) for v in missing), "counts of missing values")
for k in seeds:
    defines, settings = own[k]["defines"], own[k]["settings"]
    if given == "none":
        check("threads" not in defines, f"seed {k}'s defines {defines}: threads the user did not give")
        check(int(settings.get("threads", "0")) >= 1, f"seed {k}'s settings {settings} lack the threads it had")
    else:
        check(defines == {"threads": given} and settings["threads"] == given, f"seed {k}: defines {defines}, settings {settings}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
if "$python" "$work/check.py" "$work/s" none; then passes=$((passes + 1)); else failures=$((failures + 1)); fi
if "$python" "$work/check.py" "$work/t" 1; then passes=$((passes + 1)); else failures=$((failures + 1)); fi
grep -q "in 2 of 3" "$work/s/report.html" && passes=$((passes + 1)) ||
  { echo "FAIL: report.html does not say a value is in 2 of 3 realisations"; failures=$((failures + 1)); }
finish
