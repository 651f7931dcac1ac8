#!/bin/sh
# context_dm.sh [RNNC] [UPDATES]
#
# Times one training update of the context-dependent decision model
# (models/context_dm.rnn: batch 64 trials padded to 41 steps, 128 leaky
# tanh units, 7 inputs, 3 linear outputs with bias; forward, backward
# through time, clipping and Adam) in rnnc at 1 and 2 threads, against
# PyTorch doing the same work on the same batch (bench/context_dm_torch.py)
# on the same machine in the same run. Prints medians and their ratio.
#
#   RNNC     the rnnc binary (default build/rnnc of this repository)
#   UPDATES  rnnc updates per run and timed PyTorch updates (default 30, >= 20)
#
# Needs Debian's PyTorch (apt-get install python3-torch), run with
# /usr/bin/python3.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
rnnc=${1:-$root/build/rnnc}
updates=${2:-30}
py=/usr/bin/python3
model=$root/models/context_dm.rnn

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "context_dm.sh: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "bench/context_dm: one training update of models/context_dm.rnn"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), nproc $(nproc), $(uname -sr)"
echo "torch:    $("$py" -c 'import torch; print(torch.__version__)')"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other work on the machine skews every number)"
echo

# --- rnnc: "THREADS STEP_SECONDS UPDATES FULL_SECONDS STEPS BATCH" per thread count.
# STEP_SECONDS is summary.json's step_seconds_median: forward, loss,
# backward, clipping and Adam on a batch already made, the work PyTorch's
# timed loop does; FULL_SECONDS adds making the batch from the task's source.
: > "$tmp/rnnc"
for th in 1 2; do
  out=$tmp/rnnc-t$th
  if ! "$rnnc" run "$model" --out "$out" -D iterations="$updates" -D trials=64 \
      -D threads=$th > "$tmp/rnnc-t$th.log" 2>&1; then
    echo "rnnc: run failed at $th thread(s):"; sed 's/^/  /' "$tmp/rnnc-t$th.log"; exit 1
  fi
  "$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sys.argv[2], d["step_seconds_median"], d["updates"], d["seconds_per_update_median"], d["steps"], d["batch"])
' "$out/summary.json" "$th" >> "$tmp/rnnc"
done

# --- PyTorch on rnnc's first evaluation batch (64 trials = the training batch).
: > "$tmp/torch"
for cfg in 1:1 2:2 2:1 1:2; do          # torch threads : OpenBLAS threads
  t=${cfg%:*} b=${cfg#*:}
  OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$b \
    "$py" "$root/bench/context_dm_torch.py" "$tmp/rnnc-t1" "$t" "$updates" |
    awk -v t="$t" -v b="$b" '{ for (i = 1; i <= NF; i++) if ($i ~ /^median=/) print t, b, substr($i, 8) }' \
    >> "$tmp/torch"
done

awk '
  function s(n) { return n > 1 ? "s" : "" }
  FILENAME ~ /rnnc$/  { rs[$1] = $2; ru[$1] = $3; rf[$1] = $4; steps = $5; batch = $6; next }
  FILENAME ~ /torch$/ { nt++; tt[nt] = $1; tbl[nt] = $2; ts[nt] = $3
                        if (tb == "" || $3 < tb) { tb = $3; tcfg = "torch " $1 ", OpenBLAS " $2 } }
  END {
    print "median seconds per update (batch " batch " trials of " steps " steps)"
    for (t = 1; t <= 2; t++) {
      printf "  %-42s %8.4f s  (%s updates; %.4f s with task generation)\n", "rnnc " t " thread" s(t), rs[t], ru[t], rf[t]
      if (rb == "" || rs[t] < rb) { rb = rs[t]; bt = t }
    }
    for (i = 1; i <= nt; i++) {
      n = (tt[i] > tbl[i]) ? tt[i] : tbl[i]
      printf "  %-42s %8.4f s\n", sprintf("PyTorch %d thread%s (torch %d, OpenBLAS %d)", n, s(n), tt[i], tbl[i]), ts[i]
    }
    printf "  %-42s %8.2f   (%.4f s [%s] / %.4f s [%d thread%s])\n", "PyTorch-best / rnnc-best", tb / rb, tb, tcfg, rb, bt, s(bt)
  }' "$tmp/rnnc" "$tmp/torch"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
