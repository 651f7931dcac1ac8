#!/bin/sh
# burstprop.sh [RNNC] [EPOCHS]
#
# Seconds per learning epoch (2000 steps, 500-200-3, float64) of the 2017
# Temporal Deep Learning model, models/burstprop_temporal.rnn, in rnnc
# against the same model in PyTorch (bench/burstprop/burstprop_torch.py,
# eager, 1 thread, float64 and float32), on the same machine in the same
# run. Prints medians and the ratios.
#
#   RNNC    the rnnc binary (default build/rnnc of this repository)
#   EPOCHS  learning epochs of each rnnc run (default 5); rnnc's number is
#           summary.json's seconds_per_update_median (one update is one
#           epoch here), and its step_seconds_median (the network's steps
#           alone, without generating the trial)
#
# The two sides run on different data of the same shape: rnnc draws its
# sinusoids from its own random stream, the torch script reads
# tests/data/burstprop/make_data.py's. Needs Debian's python3-torch, run
# with /usr/bin/python3.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
rnnc=${1:-$root/build/rnnc}
epochs=${2:-5}
py=/usr/bin/python3
model=$root/models/burstprop_temporal.rnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "burstprop.sh: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi
json() {   # file key
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" "$root/tests/data/burstprop/make_data.py" "$work/data" --seed 1 --epochs 2 > /dev/null
t64=$("$py" "$root/bench/burstprop/burstprop_torch.py" "$work/data" --time --dtype float64 | sed -n 's/.* median \([0-9.e-]*\) s.*/\1/p')
t32=$("$py" "$root/bench/burstprop/burstprop_torch.py" "$work/data" --time --dtype float32 | sed -n 's/.* median \([0-9.e-]*\) s.*/\1/p')
for threads in 1 2; do
  "$rnnc" run "$model" -D n_epochs=$((epochs + 1)) -D threads=$threads --out "$work/run$threads" > /dev/null
  r=$(json "$work/run$threads/summary.json" seconds_per_update_median)
  s=$(json "$work/run$threads/summary.json" step_seconds_median)
  c=$(json "$work/run$threads/summary.json" compile_ms)
  awk -v n=$threads -v r="$r" -v s="$s" -v c="$c" -v t64="$t64" -v t32="$t32" 'BEGIN {
    printf "rnnc %d thread(s): %.3f s/epoch (network steps %.3f s; compile and task check %.1f s); PyTorch float64 %.3f s, float32 %.3f s; rnnc/PyTorch %.1fx (float64), %.1fx (float32)\n",
           n, r, s, c / 1e3, t64, t32, r / t64, r / t32 }'
done
