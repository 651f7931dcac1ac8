#!/bin/sh
# summary.json, the results file of rnnc run, read and written as JSON:
#  - every summary.json rnnc writes (a run, rnnc analyze, the realisations
#    of --seeds and their combination) is JSON to python's json module,
#    NaN and Infinity (which JSON has not) refused;
#  - rnnc analyze reads a summary re-indented with 4 spaces as the
#    original: the same model, seed and -D values, so the same evaluation;
#  - a summary.json cut short is refused at its line:column with exit
#    status 2, and the folder is left exactly as it was;
#  - a combined folder is refused by rnnc analyze.
# The model is fixed_points_known.rnn's three latching units (evaluated,
# not trained: a fraction of a second per run) with an eigen analysis.
# Usage: summary_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# is_json FILE: FILE parses as JSON, strictly.
is_json() {
  "$python" -c '
import json, sys
def refuse(word):
    raise ValueError(word + " is not JSON")
json.load(open(sys.argv[1]), parse_constant=refuse)' "$1" 2> "$work/py.err" ||
    { cat "$work/py.err"; fail "$1 is not JSON"; }
}

# A folder's files and their contents, to see that nothing changed.
snapshot() { (cd "$1" && find . -type f | sort | xargs md5sum); }

sed 's/^analyze .*/analyze fixed_points(h, n = 256), eigen(h -> h)/' \
  "$root/tests/data/fixed_points_known.rnn" > "$work/tiny.rnn"
# 128 trials, not the model's 64: the evaluation loss differs (0.4389
# against 0.4157), so an analyze that lost the -D would show another one.
run=$work/run
"$rnnc" run "$work/tiny.rnn" -D trials=128 --out "$run" > "$work/run.log" 2>&1 ||
  { cat "$work/run.log"; fail "the run"; }
is_json "$run/summary.json"
loss=$("$python" -c 'import json, sys; print("%.4g" % json.load(open(sys.argv[1]))["eval_loss"])' "$run/summary.json")

# ---- re-indented with 4 spaces: rnnc analyze reads it as the original
wide=$work/wide
cp -r "$run" "$wide"
"$python" -c 'import json, sys; p = sys.argv[1]; d = json.load(open(p)); json.dump(d, open(p, "w"), indent=4)' \
  "$wide/summary.json"
grep -q '^    "model_path": ' "$wide/summary.json" || fail "the summary was not re-indented"
"$rnnc" analyze "$wide" > "$work/wide.log" 2>&1 || { cat "$work/wide.log"; fail "analyze of a re-indented summary"; }
grep -q "(evaluation loss $loss)" "$work/wide.log" ||
  { cat "$work/wide.log"; fail "analyze of a re-indented summary did not evaluate as the run ($loss)"; }
is_json "$wide/summary.json"
"$python" - "$run/summary.json" "$wide/summary.json" <<'EOF' || fail "analyze of a re-indented summary gave other numbers"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["analysis"] == b["analysis"], (a["analysis"], b["analysis"])
assert (a["seed"], a["defines"]) == (b["seed"], b["defines"]) == (1, {"trials": "128"}), (a["defines"], b["defines"])
EOF
"$rnnc" analyze "$run" > "$work/again.log" 2>&1 || { cat "$work/again.log"; fail "analyze"; }
is_json "$run/summary.json"

# ---- cut short after the eval_loss line: refused where the input ends,
# the first column of the next line; nothing in the folder changes
cut=$work/cut
cp -r "$run" "$cut"
where=$("$python" - "$run/summary.json" "$cut/summary.json" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines(True)
keep = next(i for i, line in enumerate(lines) if line.startswith('  "eval_loss": ')) + 1
open(sys.argv[2], "w").write("".join(lines[:keep]))
print("%d:1" % (keep + 1))
EOF
)
snapshot "$cut" > "$work/cut.before"
"$rnnc" analyze "$cut" > "$work/cut.log" 2>&1
status=$?
[ $status -eq 2 ] || { cat "$work/cut.log"; fail "analyze of a cut-short summary: exit status $status, not 2"; }
grep -qF "rnnc: $cut/summary.json:$where: unexpected end of input" "$work/cut.log" ||
  { cat "$work/cut.log"; fail "analyze of a cut-short summary: no message at $where"; }
snapshot "$cut" | cmp -s - "$work/cut.before" || fail "analyze of a cut-short summary changed the folder"
ls -d "$cut".partial-* > /dev/null 2>&1 && fail "analyze of a cut-short summary left a partial folder"

# ---- --seeds 2: every summary is JSON; the combination is of their numbers
seeds=$work/seeds
"$rnnc" run "$work/tiny.rnn" -D trials=128 --seeds 2 --out "$seeds" > "$work/seeds.log" 2>&1 ||
  { cat "$work/seeds.log"; fail "--seeds 2"; }
for f in "$seeds/summary.json" "$seeds/seed-1/summary.json" "$seeds/seed-2/summary.json"; do is_json "$f"; done
"$python" - "$seeds" <<'EOF' || fail "the combined summary"
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
own = [json.load(open(f"{d}/seed-{k}/summary.json")) for k in (1, 2)]
assert [p["seed"] for p in s["per_seed"]] == [1, 2], s["per_seed"]
key = "analysis.eigen h -> h.final.spectral_radius"
radii = [o["analysis"]["eigen h -> h"]["final"]["spectral_radius"] for o in own]
assert [p[key] for p in s["per_seed"]] == radii, (s["per_seed"], radii)
found = [o["analysis"]["fixed_points h"]["found"] for o in own]
assert s["mean"]["analysis.fixed_points h.found"] == sum(found) / 2, (s["mean"], found)
EOF
[ -s "$seeds/eigen_h_h.svg" ] || fail "the combined folder has no spectra (eigen_h_h.svg)"
"$rnnc" analyze "$seeds" > /dev/null 2> "$work/seeds.err" && fail "analyze of a combined folder succeeded"
grep -q "holds several realisations" "$work/seeds.err" || { cat "$work/seeds.err"; fail "analyze of a combined folder: unclear message"; }

[ $failures -eq 0 ] && echo "all summary.json checks passed"
[ $failures -eq 0 ]
