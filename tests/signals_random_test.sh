#!/bin/sh
# SIGINT, SIGTERM and SIGHUP at random moments of a short run and of
# --seeds 2 (issue 13's done-when): compiling, training, the evaluation,
# the analyses, the pictures, the rename, the combining of the seeds (from
# the moment rnnc has its handlers: before that the default kills any
# program). Each
# time, whatever the moment:
#  - the exit status is 130, or 0 when the run finished before the signal;
#  - the folder, when there is one, has a summary.json that parses, with
#    "status": "interrupted" after a 130 (and not after a 0);
#  - no .partial-* or .old-* folder is left beside it or inside it;
#  - no rnnc process with that --out is left running.
# The delays are drawn from RNNC_SIGNAL_SEED (printed, so a failure can be
# replayed); RNNC_TEST_TIME_SCALE (5 under ASan) stretches them.
# Usage: signals_random_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
scale=${RNNC_TEST_TIME_SCALE:-1}
seed=${RNNC_SIGNAL_SEED:-$(date +%s)}
echo "RNNC_SIGNAL_SEED=$seed"
. "$root/tests/expect.sh"
model=$root/tests/data/signal_small.rnn
singles=32 seeded=18

# One delay per run, uniform over about the length of a run (0.6 s; 1 s
# with --seeds 2), so most signals interrupt and some come after the end.
$python -c "
import random, sys
r = random.Random($seed)
for i in range($singles): print('%.3f' % (r.uniform(0, 0.6) * $scale))
for i in range($seeded): print('%.3f' % (r.uniform(0, 1.0) * $scale))
" > "$work/delays"

# until PID has its handler for SIGTERM (bit 15 of SigCgt in /proc/PID/status,
# Linux): a signal before that, while the loader maps rnnc's libraries, kills
# any program, so the random moments start there
wait_caught() {
  i=$((200 * scale))
  while [ "$i" -gt 0 ]; do
    mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
    [ -z "$mask" ] && return            # already gone
    [ $((0x$mask & 0x4000)) -ne 0 ] && return
    sleep 0.01; i=$((i - 1))
  done
}

fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# check_run N SIGNAL RC OUT
check_run() {
  what="run $1 (SIG$2 after $3 s)"
  rc=$4 out=$5
  if [ "$rc" -ne 130 ] && [ "$rc" -ne 0 ]; then
    fail "$what: exit status $rc"; cat "$work/err"; return
  fi
  if [ -d "$out" ]; then
    status=$($python -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$out/summary.json" 2>&1)
    if [ "$rc" -eq 130 ] && [ "$status" != interrupted ]; then fail "$what: exit 130, status '$status'"; return; fi
    if [ "$rc" -eq 0 ] && [ "$status" = interrupted ]; then fail "$what: exit 0, status interrupted"; return; fi
    for sub in "$out"/seed-*; do
      [ -d "$sub" ] || continue
      $python -c "import json,sys; json.load(open(sys.argv[1]))" "$sub/summary.json" 2>/dev/null ||
        { fail "$what: $sub has no valid summary.json"; return; }
    done
  elif [ "$rc" -eq 0 ]; then
    fail "$what: exit 0 and no folder"; return
  fi
  left=$(ls -d "$out".partial-* "$out".old-* "$out"/*.partial-* "$out"/*.old-* 2>/dev/null)
  [ -z "$left" ] || { fail "$what: left $left"; return; }
  [ -z "$(pgrep -f -- "$out")" ] || { fail "$what: rnnc still running"; return; }
  passes=$((passes + 1))
}

n=0
while read -r delay; do
  n=$((n + 1))
  case $((n % 3)) in 0) sig=INT ;; 1) sig=TERM ;; *) sig=HUP ;; esac
  out=$work/run-$n
  if [ "$n" -le "$singles" ]; then
    "$rnnc" run "$model" --out "$out" > /dev/null 2> "$work/err" &
  else
    "$rnnc" run "$model" --seeds 2 -D iterations=10 --out "$out" > /dev/null 2> "$work/err" &
  fi
  pid=$!
  wait_caught $pid
  sleep "$delay"
  kill -$sig $pid 2>/dev/null
  wait $pid; rc=$?
  check_run $n $sig "$delay" $rc "$out"
  for p in $(pgrep -f -- "$out"); do kill -9 "$p"; done
  rm -rf "$out" "$out".*
done < "$work/delays"

finish
