#!/bin/sh
# SIGINT, SIGTERM and SIGHUP stop rnnc cleanly wherever they arrive (issue 13):
#  - during the analyses (tests/data/slow_analyses.rnn runs them for tens
#    of seconds after a training of two updates): rnnc run exits 130 within
#    seconds, keeps the trained results with "status": "interrupted" and
#    lists the analyses not done under analysis.not_done; rnnc analyze
#    exits 130 and leaves the folder as it was;
#  - SIGHUP (a closed terminal) is handled like SIGTERM: no .partial folder;
#  - the realisations of --seeds die with a parent killed by SIGKILL
#    (which no handler sees) instead of training on;
#  - a SIGTERM to --seeds while it combines (its summary.json written, the
#    pictures not yet) gives an exit status that agrees with that summary's
#    status: 0 and "trained", the realisations having all finished.
# RNNC_TEST_TIME_SCALE (5 under ASan) stretches the waits.
# Usage: signals_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
scale=${RNNC_TEST_TIME_SCALE:-1}
. "$root/tests/expect.sh"
slow=$root/tests/data/slow_analyses.rnn

# wait_file GLOB SECONDS: until a file matching GLOB exists (0) or time is up (1)
wait_file() {
  n=$(($2 * 20 * scale))
  n=$((n * 5))
  while [ "$n" -gt 0 ]; do
    for f in $1; do [ -e "$f" ] && return 0; done
    sleep 0.01; n=$((n - 1))
  done
  return 1
}
# wait_exit PID SECONDS: its exit status, or 255 after killing it when time is up
wait_exit() {
  n=$(($2 * 20 * scale))
  while kill -0 "$1" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
  if kill -0 "$1" 2>/dev/null; then kill -9 "$1"; wait "$1" 2>/dev/null; return 255; fi
  wait "$1"
}
check() {  # check CONDITION DESCRIPTION
  if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; failures=$((failures + 1)); fi
}
summary_key() {  # summary_key DIR EXPRESSION: EXPRESSION of the parsed summary d
  $python -c "import json,sys; d=json.load(open(sys.argv[1] + '/summary.json')); print($2)" "$1" 2>&1
}

# The analyses: the final weights are written just before the evaluation
# (64 trials, two batches) and the analyses, so a signal a moment after
# they appear arrives during the fixed-point search.
for sig in TERM INT; do
  out=$work/analyses_$sig
  "$rnnc" run "$slow" --out "$out" > "$work/run.out" 2> "$work/run.err" &
  pid=$!
  wait_file "$out.partial-*/weights_final_h_h.npy" 20
  sleep 0.3
  kill -$sig $pid
  wait_exit $pid 3; rc=$?
  check '[ $rc -eq 130 ]' "SIG$sig during the analyses: exit status $rc, expected 130 within seconds"
  check '[ "$(summary_key "$out" "d[\"status\"]")" = interrupted ]' "SIG$sig during the analyses: status interrupted"
  check '[ "$(summary_key "$out" "\"fixed_points h\" in d[\"analysis\"][\"not_done\"]")" = True ]' \
        "SIG$sig during the analyses: fixed_points h listed as not done"
  check '[ -e "$out/weights_final_h_h.npy" ]' "SIG$sig during the analyses: the trained weights are kept"
  expect_line "$work/run.err" "not done" "SIG$sig during the analyses: said so"
done

# rnnc analyze of that folder, stopped by SIGHUP in its own fixed-point
# search (after its evaluation, which is short): 130, the folder unchanged.
out=$work/analyses_TERM
before=$(ls -la "$out" | md5sum)
"$rnnc" analyze "$out" > /dev/null 2> "$work/analyze.err" &
pid=$!
wait_file "$out.partial-*/weights_final_h_h.npy" 20   # copied before the analyses
sleep 0.5
kill -HUP $pid
wait_exit $pid 3; rc=$?
check '[ $rc -eq 130 ]' "SIGHUP during rnnc analyze: exit status $rc, expected 130"
check '[ "$(ls -la "$out" | md5sum)" = "$before" ]' "SIGHUP during rnnc analyze: the folder is as it was"
check '[ -z "$(ls -d "$out".partial-* 2>/dev/null)" ]' "SIGHUP during rnnc analyze: no partial folder left"

# SIGHUP during training: like SIGTERM.
out=$work/hup
"$rnnc" run "$slow" -D iterations=100000 --out "$out" > /dev/null 2>&1 &
pid=$!
wait_file "$out.partial-*/weights_initial_h_h.npy" 20
kill -HUP $pid
wait_exit $pid 3; rc=$?
check '[ $rc -eq 130 ]' "SIGHUP during training: exit status $rc, expected 130"
check '[ "$(summary_key "$out" "d[\"status\"]")" = interrupted ]' "SIGHUP during training: status interrupted"
check '[ -z "$(ls -d "$out".partial-* 2>/dev/null)" ]' "SIGHUP during training: no partial folder left"

# --seeds 2 whose parent is killed outright: the children follow it.
out=$work/orphans
"$rnnc" run "$slow" -D iterations=100000 --seeds 2 --out "$out" > /dev/null 2>&1 &
pid=$!
wait_file "$out.partial-*/seed-*.partial-*/weights_initial_h_h.npy" 20
kill -9 $pid
wait $pid 2>/dev/null
n=$((3 * 20 * scale))
while pgrep -f -- "$out" > /dev/null && [ "$n" -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
left=$(pgrep -f -- "$out" | wc -l)
check '[ "$left" -eq 0 ]' "--seeds with its parent killed: $left realisations still running"
for p in $(pgrep -f -- "$out"); do kill -9 "$p"; done

# --seeds signalled after its combined summary.json is written.
out=$work/combining
"$rnnc" run "$root/tests/data/signal_small.rnn" -D iterations=5 --seeds 2 --out "$out" > /dev/null 2>&1 &
pid=$!
wait_file "$out.partial-*/summary.json" 20
kill -TERM $pid 2>/dev/null
wait_exit $pid 10; rc=$?
status=$(summary_key "$out" "d['status']")
case "$rc:$status" in
  0:trained|130:interrupted) passes=$((passes + 1)) ;;
  *) echo "FAIL: SIGTERM while --seeds combines: exit status $rc with status '$status'"; failures=$((failures + 1)) ;;
esac

finish
