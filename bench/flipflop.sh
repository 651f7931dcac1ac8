#!/bin/sh
# flipflop.sh [RNNC] [UPDATES]
#
# Times one training update of the 3-bit flip-flop model
# (models/flipflop3.rnn: batch 128, 340 steps, 100 tanh units, 3 inputs,
# 3 linear outputs with bias; forward + backward through time + Adam) in
# rnnc, at 1 and 2 threads, against PyTorch doing the same work
# (bench/flipflop_torch.py) on the same machine in the same run, and
# measures the machine's sgemm rate at the update's own GEMM shapes
# (bench/sgemm_rate.c) to give the GEMM limit: the time the update's
# floating-point work takes at OpenBLAS's rate. Prints medians.
#
#   RNNC     the rnnc binary (default build/rnnc of this repository); the
#            script builds nothing of rnnc, only bench/sgemm_rate.c, into
#            a temporary folder
#   UPDATES  timed PyTorch updates per configuration (default 30, >= 20)
#
# Needs: cc, pkg-config and OpenBLAS (libopenblas-dev), and Debian's
# PyTorch (apt-get install python3-torch) run with /usr/bin/python3.
# Run from anywhere: the model and the peers are found from the script's
# own folder; RNNC, if given, is relative to the current folder.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
rnnc=${1:-$root/build/rnnc}
updates=${2:-30}
py=/usr/bin/python3
model=$root/models/flipflop3.rnn

# The update's sizes: T steps, batch B, N recurrent units, NIN inputs,
# NOUT outputs (models/flipflop3.rnn, stdlib/tasks/flipflop.rnn).
T=340 B=128 N=100 NIN=3 NOUT=3

# FLOPs of one update (a multiply-add counts 2). The network is
# I[t] = W_in x[t] + W_rec h[t-1], h[t] = tanh(I[t]), y[t] = W_out h[t] + b.
#   forward:  recurrent   W_rec h[t-1]             2*T*B*N*N
#             input       W_in x[t]                2*T*B*NIN*N
#             readout     W_out h[t]               2*T*B*N*NOUT
#   backward: readout adjoint dh += W_out^T dy     2*T*B*NOUT*N
#             adjoint through W_rec, dh[t-1] += W_rec^T dI[t]
#                                                  2*T*B*N*N (T-1 steps
#                                                  strictly; counted as T)
#             weight gradient of each matrix, dW = sum_t,b post x pre:
#               W_rec 2*T*B*N*N, W_in 2*T*B*NIN*N, W_out 2*T*B*N*NOUT
#   No input adjoint (the inputs are not trained). Left out as
#   negligible (O(T*B*N) = 4.4e6 each against the 8.7e8 of one N*N term):
#   tanh and its derivative 1 - h^2, the bias add and its gradient, the
#   loss and its gradient (O(T*B*NOUT)), Adam (about 10 flops per each of
#   the 10,603 parameters).
# Total: 3 * 2*T*B*N*N + 2 * 2*T*B*NIN*N + 3 * 2*T*B*N*NOUT
#      = 3 * 870,400,000 + 2 * 26,112,000 + 3 * 26,112,000 = 2,741,760,000.
# bench/sgemm_rate times exactly these GEMMs, one shape each, and the
# script checks that its shapes add up to the same count.
flops_rec=$((2 * T * B * N * N))
flops_in=$((2 * T * B * NIN * N))
flops_out=$((2 * T * B * N * NOUT))
flops=$((3 * flops_rec + 2 * flops_in + 3 * flops_out))

if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "flipflop.sh: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# CPU time the hypervisor gave to other guests ("steal" in /proc/stat), in
# seconds: like other work on this machine, it skews every number.
cpu_steal() { awk '/^cpu / { printf "%.2f", $9 / 100 }' /proc/stat; }
steal0=$(cpu_steal)

echo "bench/flipflop: one training update of models/flipflop3.rnn"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine:  $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), nproc $(nproc), $(uname -sr)"
echo "OpenBLAS: $(pkg-config --modversion openblas)"
echo "torch:    $("$py" -c 'import torch; print(torch.__version__)')"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; other work on the machine skews every number)"
echo "update:   batch $B, $T steps, $N tanh units, $NIN inputs, $NOUT outputs; $flops FLOPs"
echo

# --- sgemm at the update's shapes --------------------------------------
# shellcheck disable=SC2046  # pkg-config's output is meant to be split
cc -O2 "$root/bench/sgemm_rate.c" $(pkg-config --cflags --libs openblas) \
  -o "$tmp/sgemm_rate"
for th in 1 2; do
  OPENBLAS_NUM_THREADS=$th "$tmp/sgemm_rate" $T $B $N $NIN $NOUT > "$tmp/sgemm-t$th"
done

# --- rnnc ---------------------------------------------------------------
# A result line per thread count in $tmp/rnnc: "THREADS SECONDS UPDATES
# FULL_SECONDS". SECONDS is summary.json's step_seconds_median: forward,
# loss, backward and Adam on a batch already made, the work PyTorch's timed
# loop does (its batches are made beforehand). FULL_SECONDS also counts
# generating the batch from the task's source (seconds_per_update_median).
: > "$tmp/rnnc"
for th in 1 2; do
  out=$tmp/rnnc-t$th
  if [ ! -x "$rnnc" ]; then
    echo "rnnc: not available ($rnnc is not an executable)"
    break
  fi
  # FlipFlopNet.tau=1ms: the discrete h[t] = tanh(I[t]) that nn.RNN computes,
  # whatever time constant the model trains with
  if ! "$rnnc" run "$model" --out "$out" -D epochs=1 -D samples=3840 \
      -D FlipFlopNet.tau=1ms -D threads=$th > "$tmp/rnnc-t$th.log" 2>&1; then
    echo "rnnc: run failed at $th thread(s):"
    sed 's/^/  /' "$tmp/rnnc-t$th.log"
    continue
  fi
  res=$("$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = d.get("step_seconds_median")
w = d.get("seconds_per_update_median")
if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (v, w)):
    print(v, d.get("updates", "?"), w)
' "$out/summary.json" 2>/dev/null || true)
  if [ -z "$res" ]; then
    echo "rnnc: not available (summary.json has no step_seconds_median)"
    break
  fi
  echo "$th $res" >> "$tmp/rnnc"
done

# --- PyTorch --------------------------------------------------------------
# "THREADS BLAS_THREADS SECONDS" per configuration, into $tmp/torch.
# torch.set_num_threads sets torch's OpenMP pool; Debian's torch does its
# GEMMs in OpenBLAS's own pthread pool, so 2 threads is tried three ways.
: > "$tmp/torch"
for cfg in 1:1 2:2 2:1 1:2; do          # torch threads : OpenBLAS threads
  t=${cfg%:*} b=${cfg#*:}
  line=$(OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$b \
    "$py" "$root/bench/flipflop_torch.py" "$t" "$updates")
  echo "$line" | awk -v t="$t" -v b="$b" '
    { for (i = 1; i <= NF; i++) if ($i ~ /^median=/) print t, b, substr($i, 8) }' \
    >> "$tmp/torch"
done

# --- report ---------------------------------------------------------------
awk -v flops="$flops" '
  FILENAME ~ /rnnc$/    { rnnc[$1] = $2; rupd[$1] = $3; rfull[$1] = $4; next }
  FILENAME ~ /torch$/   { tt[++nt] = $1; tb[nt] = $2; ts[nt] = $3; next }
  FILENAME ~ /sgemm-t1$/ || FILENAME ~ /sgemm-t2$/ {
    th = substr(FILENAME, length(FILENAME)) + 0
    if (th == 1) { ns++; name[ns] = $1; shape[ns] = $2 "x" $3 "x" $4 " " $5 $6; calls[ns] = $7 }
    k = $1
    rate[k, th] = $9
    if (k == "peak") peak[th] = $9
    else { limit[th] += $7 * $8; gf[th] += $7 * 2 * $2 * $3 * $4 }
    next
  }
  function s(n) { return (n > 1) ? "s" : "" }
  function row(label, text) { printf "  %-42s %s\n", label, text }
  END {
    print "median seconds per update"
    rb = ""; bt = ""
    for (t = 1; t <= 2; t++) {
      if (t in rnnc) {
        row("rnnc " t " thread" s(t), sprintf("%8.4f s  (%s updates; %.4f s with task generation)",
            rnnc[t], rupd[t], rfull[t]))
        if (rb == "" || rnnc[t] < rb) { rb = rnnc[t]; bt = t }
      } else row("rnnc " t " thread" s(t), "     n/a")
    }
    tbest = ""; tbest1 = ""; tbest2 = ""
    for (i = 1; i <= nt; i++) {
      n = (tt[i] > tb[i]) ? tt[i] : tb[i]
      row(sprintf("PyTorch %d thread%s (torch %d, OpenBLAS %d)", n, s(n), tt[i], tb[i]),
          sprintf("%8.4f s", ts[i]))
      if (tbest == "" || ts[i] < tbest) { tbest = ts[i]; tbest_cfg = "torch " tt[i] ", OpenBLAS " tb[i] }
      if (n == 1 && (tbest1 == "" || ts[i] < tbest1)) tbest1 = ts[i]
      if (n == 2 && (tbest2 == "" || ts[i] < tbest2)) tbest2 = ts[i]
    }
    if (tbest1 != "") row("PyTorch 1 thread", sprintf("%8.4f s", tbest1))
    if (tbest2 != "") row("PyTorch 2 threads, best of the three", sprintf("%8.4f s", tbest2))
    if (rb != "" && tbest != "")
      row("PyTorch-best / rnnc-best", sprintf("%8.2f   (%.4f s [%s] / %.4f s [%d thread%s])",
          tbest / rb, tbest, tbest_cfg, rb, bt, s(bt)))
    else
      row("PyTorch-best / rnnc-best", sprintf("     n/a   (PyTorch best %.4f s [%s])", tbest, tbest_cfg))
    print ""
    if (gf[1] != flops)
      printf "WARNING: sgemm_rate shapes sum to %.0f FLOPs, the update has %.0f\n", gf[1], flops
    printf "FLOPs per update: %.0f (%.3f GFLOP)\n", flops, flops / 1e9
    printf "  %-12s %-18s %5s %11s %11s\n", "sgemm shape", "M x N x K  op", "calls", "GFLOP/s 1t", "GFLOP/s 2t"
    for (i = 1; i <= ns; i++)
      printf "  %-12s %-18s %5s %11.1f %11.1f\n", name[i], shape[i], calls[i], rate[name[i], 1], rate[name[i], 2]
    printf "  %-37s %11s %11s\n", "", "1 thread", "2 threads"
    printf "  %-37s %9.4f s %9.4f s\n", "GEMM limit at the update'"'"'s shapes", limit[1], limit[2]
    printf "  %-37s %9.4f s %9.4f s\n", "GEMM limit at peak (1024^3)", flops / peak[1] / 1e9, flops / peak[2] / 1e9
    if (tbest1 != "" && tbest2 != "")
      printf "  %-37s %11.1f %11.1f GFLOP/s\n", "PyTorch, effective", flops / tbest1 / 1e9, flops / tbest2 / 1e9
    if (1 in rnnc || 2 in rnnc)
      printf "  %-37s %11s %11s GFLOP/s\n", "rnnc, effective",
        (1 in rnnc) ? sprintf("%.1f", flops / rnnc[1] / 1e9) : "n/a",
        (2 in rnnc) ? sprintf("%.1f", flops / rnnc[2] / 1e9) : "n/a"
    if (rb != "")
      printf "rnnc-best / GEMM limit (%d thread%s): %.2f at the update'"'"'s shapes, %.2f at peak\n",
        bt, s(bt), rb / limit[bt], rb / (flops / peak[bt] / 1e9)
    else
      printf "rnnc-best / GEMM limit: n/a\n"
  }' "$tmp/rnnc" "$tmp/torch" "$tmp/sgemm-t1" "$tmp/sgemm-t2"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "CPU steal during the run: $(awk -v a="$steal0" -v b="$(cpu_steal)" \
  'BEGIN { printf "%.1f", b - a }') s (time the hypervisor gave to others)"
