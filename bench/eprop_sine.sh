#!/bin/sh
# eprop_sine.sh [RNNC] [TORCH_ITERATIONS]
#
# Seconds per training iteration of the e-prop sine-wave network
# (models/eprop_sine.rnn: 100 frozen-Poisson inputs, 100 LIF, 1 leaky
# readout, 1000 steps, batch 1; forward, loss with the rate regulariser,
# e-prop gradient, SGD) in rnnc, against PyTorch training the same LIF
# network by BPTT with the same surrogate (bench/eprop_sine_torch.py), on
# the same machine in the same run, at 1 and 2 threads. Also the wall time
# of the model's full 2000 iterations. Prints medians and their ratios.
#
#   RNNC              the rnnc binary (default build/rnnc of this repository)
#   TORCH_ITERATIONS  timed PyTorch iterations per thread count (default 20)
#
# Needs Debian's PyTorch (apt-get install python3-torch), run with
# /usr/bin/python3.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
rnnc=${1:-$root/build/rnnc}
iters=${2:-20}
py=/usr/bin/python3
model=$root/models/eprop_sine.rnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "eprop_sine.sh: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi

json() {   # file key
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for threads in 1 2; do
  : > "$work/rnnc$threads"
  : > "$work/full$threads"
  for rep in 1 2 3; do
    "$rnnc" run "$model" -D threads=$threads --out "$work/run" > /dev/null
    json "$work/run/summary.json" seconds_per_update_median >> "$work/rnnc$threads"
    json "$work/run/summary.json" train_seconds >> "$work/full$threads"
  done
  # PyTorch at its best setting for this thread count: at 2 threads, torch
  # with OpenBLAS at 2 threads is its slowest here, so OpenBLAS 1 is tried too
  "$py" "$root/bench/eprop_sine_torch.py" --iterations "$iters" --threads $threads > "$work/torch$threads.json"
  t=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds_per_iteration_median"])' "$work/torch$threads.json")
  if [ "$threads" -gt 1 ]; then
    OPENBLAS_NUM_THREADS=1 "$py" "$root/bench/eprop_sine_torch.py" --iterations "$iters" --threads $threads > "$work/torchb.json"
    t2=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["seconds_per_iteration_median"])' "$work/torchb.json")
    t=$(awk -v a="$t" -v b="$t2" 'BEGIN { print (b < a) ? b : a }')
  fi
  r=$(median < "$work/rnnc$threads")
  full=$(median < "$work/full$threads")
  awk -v n=$threads -v r="$r" -v t="$t" -v full="$full" 'BEGIN {
    printf "%d thread(s): rnnc %.3f ms/iteration (2000 iterations: %.2f s, median of 3 runs), PyTorch BPTT %.1f ms/iteration; PyTorch/rnnc %.0fx\n",
           n, 1e3 * r, full, 1e3 * t, t / r }'
done
