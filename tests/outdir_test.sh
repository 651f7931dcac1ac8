#!/bin/sh
# The results folder (--out) loses nothing and leaves nothing behind (issue 13):
#  - 14 runs started at once into one --out end with one folder whose
#    summary.json parses, every run exiting 0, and no .old-* or .partial-*
#    beside it (the replacements are serialised by a lock on the parent);
# Usage: outdir_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
. "$root/tests/expect.sh"
model=$root/tests/data/signal_small.rnn
quick="-D iterations=1 -D trials=16"

fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }

# ---- concurrent runs into one folder
mkdir "$work/concurrent"
out=$work/concurrent/out
pids=
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
  "$rnnc" run "$model" $quick --out "$out" > /dev/null 2> "$work/concurrent-$i.err" &
  pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
[ "$bad" -eq 0 ] && pass || { fail "concurrent runs: $bad of 14 failed"; cat "$work"/concurrent-*.err | sort | uniq -c; }
$python -c "import json,sys; json.load(open(sys.argv[1]))" "$out/summary.json" && pass ||
  fail "concurrent runs: no valid summary.json"
left=$(ls -a "$work/concurrent" | grep -v '^\.\.\?$' | grep -v '^out$')
[ -z "$left" ] && pass || fail "concurrent runs left: $left"

finish
