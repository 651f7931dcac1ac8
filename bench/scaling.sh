#!/bin/sh
# scaling.sh [RNNC] [SECONDS]
#
# The flip-flop-style training update (bench/flipflop.sh's: 340 steps, N
# tanh units with tau = 1 step, 3 inputs, 3 linear outputs with bias; forward,
# MSE, backward through time and Adam, float32) for N = 64, 128, 256, 512,
# 1024 and batch B = 32, 128, 512, in rnnc and in PyTorch, on the same
# machine in one run, against the GEMM floor: the update's FLOPs at the
# machine's 2-thread sgemm peak (bench/sgemm_rate.c's 1024^3).
#
#   RNNC     the rnnc binary (default build/rnnc of this repository)
#   SECONDS  about how long each side times each size (default 4): the
#            number of updates is SECONDS over the GEMM floor's time, at
#            least 3, at most 30
#
# rnnc: the network of models/flipflop3.rnn written out at width N without
# its records and analyses, trained for one epoch of U updates at batch B,
# at 1 and 2 threads; its step_seconds_median (the batch already made, as
# PyTorch's). PyTorch (bench/flipflop_torch.py THREADS U 2 N B): torch 1
# with OpenBLAS 1 and torch 1 with OpenBLAS 2, the best; torch 2 with
# OpenBLAS 2 is its slowest setting on 2 cores (bench/README.md), left out.
# Prints one line per size: seconds per update of each, PyTorch-best /
# rnnc-best, and rnnc-best / the floor.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
rnnc=${1:-$root/build/rnnc}
budget=${2:-4}
py=/usr/bin/python3
T=340 NIN=3 NOUT=3

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "scaling.sh: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O2 "$root/bench/sgemm_rate.c" $(pkg-config --cflags --libs openblas) -o "$tmp/sgemm_rate"
peak=$(OPENBLAS_NUM_THREADS=2 "$tmp/sgemm_rate" $T 128 100 $NIN $NOUT | awk '$1 == "peak" { print $9 }')

echo "bench/scaling: the flip-flop-style update against PyTorch and the GEMM floor"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), nproc $(nproc)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sgemm peak, 2 threads: $peak GFLOP/s"
echo
printf "%5s %4s %8s %6s %10s %10s %10s %10s %9s %9s\n" N B GFLOP updates "rnnc 1t" "rnnc 2t" "torch 1/1" "torch 1/2" "torch/rnnc" "rnnc/floor"

json() {   # file key
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

for N in 64 128 256 512 1024; do
  for B in 32 128 512; do
    # 3 x 2TBN^2 (the recurrent product, its adjoint, its gradient), 2 x 2TB*3N
    # (the input projection and its gradient), 3 x 2TB*3N (the readout, its
    # adjoint and its gradient): bench/flipflop.sh's count
    flops=$((3 * 2 * T * B * N * N + 2 * 2 * T * B * NIN * N + 3 * 2 * T * B * N * NOUT))
    floor=$(awk -v f=$flops -v p="$peak" 'BEGIN { printf "%.6f", f / (p * 1e9) }')
    U=$(awk -v b="$budget" -v s="$floor" 'BEGIN { u = int(b / s); print ((u < 3) ? 3 : (u > 30) ? 30 : u) }')
    sed "s/network FlipFlopNet(n = 100, tau = 5 ms)/network FlipFlopNet(n = $N, tau = 1 ms)/" \
      "$root/models/flipflop3.rnn" | grep -v '^record\|^analyze' > "$tmp/model.rnn"
    r=""
    for th in 1 2; do
      "$rnnc" run "$tmp/model.rnn" --out "$tmp/run" -D epochs=1 -D batch=$B -D samples=$((B * U)) \
        -D threads=$th > "$tmp/log" 2>&1 || { sed 's/^/  /' "$tmp/log"; exit 1; }
      r="$r $(json "$tmp/run/summary.json" step_seconds_median)"
    done
    t=""
    for blas in 1 2; do
      line=$(OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=$blas "$py" "$root/bench/flipflop_torch.py" 1 $U 2 $N $B)
      t="$t $(echo "$line" | tr ' ' '\n' | sed -n 's/^median=//p')"
    done
    echo "$N $B $flops $U $r $t $floor" | awk '{
      rb = ($5 < $6) ? $5 : $6; tb = ($7 < $8) ? $7 : $8
      printf "%5d %4d %8.2f %6d %10.4f %10.4f %10.4f %10.4f %9.2f %9.2f\n", $1, $2, $3 / 1e9, $4, $5, $6, $7, $8, tb / rb, rb / $9 }'
  done
done
