#!/bin/sh
# The results folder (--out) loses nothing and leaves nothing behind (issue 13):
#  - 14 runs started at once into one --out end with one folder whose
#    summary.json parses, every run exiting 0, and no .old-* or .partial-*
#    beside it (the replacements are serialised by a lock on the parent);
#  - a --out no run can replace ('', '.', '..', '/', a symbolic link, with
#    or without a trailing slash, a file) is refused before any work: exit
#    2 (bad usage) at once (a run that trains gives up after 10 s: 124);
#  - a run that fails after creating --out's parents removes them again;
#  - a file a user added to a results folder (or to a seed-S folder of
#    --seeds) makes the next run into it refuse, before training, with exit
#    2 and the file named, and the file is still there; rnnc analyze keeps
#    it and it stays the user's; a folder with only rnnc's files is replaced;
#  - without --out, a later run never replaces an earlier one: it is
#    numbered (runs/MODEL-SEED-2) and says so.
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

# ---- --out values no run can replace, refused before training
mkdir "$work/bad" "$work/bad/real"
ln -s real "$work/bad/link"
echo data > "$work/bad/file"
for o in '' . .. / link link/ file file/; do
  (cd "$work/bad" && timeout 10 "$rnnc" run "$model" -D iterations=100000 -D threads=1 --out "$o" > /dev/null 2> "$work/bad.err")
  rc=$?
  [ "$rc" -eq 2 ] && pass || { fail "--out '$o': exit status $rc, expected 2"; cat "$work/bad.err"; }
  grep -q "rnnc: error: .*give" "$work/bad.err" && pass || { fail "--out '$o': no message saying what to do"; cat "$work/bad.err"; }
done
[ "$(ls "$work/bad")" = "$(printf 'file\nlink\nreal')" ] && [ -z "$(ls "$work/bad/real")" ] && pass ||
  fail "refused --out values left something: $(ls -R "$work/bad")"

# ---- a failed run leaves no parent folder it created: a weights file that
# is not an .npy fails when the session opens, after the folder was begun
mkdir "$work/parents"
sed 's|connect h -> h : all_to_all, init orthogonal|connect h -> h : all_to_all, init load("bad.npy")|' "$model" \
  > "$work/parents/badinit.rnn"
printf 'not an npy file' > "$work/parents/bad.npy"
(cd "$work/parents" && "$rnnc" run badinit.rnn --out new/deep/out > /dev/null 2> "$work/parents.err")
rc=$?
[ "$rc" -eq 1 ] && pass || { fail "failed run: exit status $rc, expected 1"; cat "$work/parents.err"; }
[ ! -e "$work/parents/new" ] && pass || fail "failed run left the parents it created: $(find "$work/parents/new")"

# ---- a user's files inside a results folder
out=$work/mine
"$rnnc" run "$model" $quick --out "$out" > /dev/null 2>&1
"$rnnc" run "$model" $quick --out "$out" > /dev/null 2> "$work/mine.err" && pass ||
  { fail "a folder of rnnc's own files is not replaced"; cat "$work/mine.err"; }
echo "my notes" > "$out/notes.txt"
"$rnnc" analyze "$out" > /dev/null 2>&1
timeout 10 "$rnnc" run "$model" -D iterations=100000 --out "$out" > /dev/null 2> "$work/mine.err"
rc=$?
[ "$rc" -eq 2 ] && pass || fail "a folder with notes.txt (after rnnc analyze): exit status $rc, expected 2"
expect_line "$work/mine.err" "notes.txt" "the refusal names the user's file"
[ "$(cat "$out/notes.txt" 2>/dev/null)" = "my notes" ] && pass || fail "notes.txt was deleted"
out=$work/mine_seeds
"$rnnc" run "$model" $quick --seeds 2 --out "$out" > /dev/null 2>&1
echo "x" > "$out/seed-1/extra.csv"
timeout 10 "$rnnc" run "$model" -D iterations=100000 --seeds 2 --out "$out" > /dev/null 2> "$work/mine.err"
rc=$?
[ "$rc" -eq 2 ] && pass || fail "--seeds folder with seed-1/extra.csv: exit status $rc, expected 2"
expect_line "$work/mine.err" "seed-1/extra.csv" "the refusal names the file in seed-1"
[ -e "$out/seed-1/extra.csv" ] && pass || fail "seed-1/extra.csv was deleted"

# ---- the default folder keeps earlier runs (issue 17)
# Two runs without --out, with different -D values, write runs/MODEL-1 and
# runs/MODEL-1-2, each summary.json with its own defines; the second says
# on stderr where it went. --seeds folders are numbered the same way. A run
# that fails (a bad init file, after the folder is reserved) leaves neither
# a folder nor runs/ behind. --out into an existing results folder still
# replaces it (tested above: "a folder of rnnc's own files").
mkdir "$work/default"
cp "$model" "$work/default/small.rnn"
(cd "$work/default" && "$rnnc" run small.rnn $quick > /dev/null 2>&1 &&
   "$rnnc" run small.rnn -D iterations=1 -D trials=32 > "$work/default.out" 2> "$work/default.err" &&
   "$rnnc" run small.rnn $quick --seeds 2 > /dev/null 2>&1 &&
   "$rnnc" run small.rnn $quick --seeds 2 > /dev/null 2>&1) && pass || fail "default-folder runs failed"
expect_line "$work/default.err" "runs/small-1 holds an earlier run, kept; this one goes to runs/small-1-2" \
  "the second run says where it goes"
expect_line "$work/default.out" "results in runs/small-1-2" "the second run's last line names its folder"
"$python" - "$work/default/runs" > "$work/default.check" 2>&1 <<'EOF'
import json, os, sys
d = sys.argv[1]
assert sorted(os.listdir(d)) == ['small-1', 'small-1-2', 'small-seeds-1-2', 'small-seeds-1-2-2'], os.listdir(d)
first = json.load(open(d + '/small-1/summary.json'))
second = json.load(open(d + '/small-1-2/summary.json'))
assert first['eval_trials'] == 16 and second['eval_trials'] == 32, (first['eval_trials'], second['eval_trials'])
print('ok')
EOF
expect_line "$work/default.check" ok "both default folders kept, each with its own run"
mkdir "$work/default_fails"
sed 's|connect h -> h : all_to_all, init orthogonal|connect h -> h : all_to_all, init load("bad.npy")|' "$model" \
  > "$work/default_fails/badinit.rnn"
printf 'not an npy file' > "$work/default_fails/bad.npy"
(cd "$work/default_fails" && "$rnnc" run badinit.rnn > /dev/null 2>&1)
rc=$?
[ "$rc" -eq 1 ] && pass || fail "failed default run: exit status $rc, expected 1"
[ ! -e "$work/default_fails/runs" ] && pass || fail "a failed default run left $(find "$work/default_fails/runs")"

finish
