#!/bin/sh
# compile_latency.sh [RNNC] [RUNS] [OTHER_RNNC]
# The time from a model's source to running kernels (issue 19), for every
# shipped model that runs (models/*.rnn, examples/*.rnn with a train or
# evaluate), and the cost of starting the rnnc process at all.
#
# For each model, RUNS times (default 5): one run into an empty kernel
# cache (a miss: LLVM optimises and generates code) and one run after it
# (a hit), each cut to one update of one trial (-D iterations=1 -D batch=1
# -D trials=1 -D samples=1) so nothing but compiling matters. Each run's
# summary.json gives compile_ms and its phases (parse_and_check, lower --
# which includes generating the task's check trials --, llvm_build,
# optimize, emit); the table shows medians, and the smallest compile_ms in
# brackets (other jobs on a shared machine only ever add time). The
# kernels compile on a thread while the task's check trials are made, so
# compile_ms may be less than its phases' sum. The cache lives in a temporary
# XDG_CACHE_HOME, never the user's.
#
# Start-up: the median wall time of 'rnnc --version' over 21 runs, and the
# dynamic loader's own account of its work (LD_DEBUG=statistics: cycles in
# the loader and relocations), for RNNC and, when given, OTHER_RNNC (for
# instance a build with -DRNNC_LLVM_STATIC=ON) in the same run.
set -eu
rnnc=${1:-build/rnnc}
runs=${2:-5}
other=${3:-}
src=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rnnc: $rnnc ($("$rnnc" --version | head -n 1))"

median() {  # the median of the numbers on stdin
  sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
least() {  # the smallest: on a machine other jobs share, the best estimate of the work itself
  sort -g | head -n 1 | awk '{ printf "%.1f", $1 }'
}

fields() {  # fields SUMMARY: compile_ms and the phases, space-separated
  "$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
p = s["compile_phases_ms"]
print(s["compile_ms"], p["parse_and_check"], p["lower"], p["llvm_build"], p["optimize"], p["emit"], s.get("kernel_cache", "-"))
' "$1"
}

printf '\n| model | compile_ms miss (min) | parse+check | lower | LLVM IR | optimise | emit | compile_ms hit (min) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for model in "$src"/models/*.rnn "$src"/examples/*.rnn; do
  grep -Eq '^(train|evaluate) ' "$model" || continue
  name=$(basename "$(dirname "$model")")/$(basename "$model")
  : > "$work/miss" && : > "$work/hit"
  i=0
  while [ "$i" -lt "$runs" ]; do
    rm -rf "$work/xdg" "$work/out"
    for kind in miss hit; do
      rm -rf "$work/out"
      XDG_CACHE_HOME=$work/xdg "$rnnc" run "$model" --out "$work/out" -D iterations=1 -D batch=1 -D trials=1 \
        -D samples=1 > /dev/null 2> "$work/err" || { echo "| $name | fails: $(head -n 1 "$work/err") |"; continue 3; }
      fields "$work/out/summary.json" >> "$work/$kind"
    done
    i=$((i + 1))
  done
  col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
  states=$(awk '{ print $7 }' "$work/hit" | sort -u | tr '\n' ' ')
  [ "$states" = "hit " ] || echo "warning: $name: the second runs were '$states', not all hits" >&2
  low() { awk -v c="$2" '{ print $c }' "$work/$1" | least; }
  echo "| $name | $(col miss 1) ($(low miss 1)) | $(col miss 2) | $(col miss 3) | $(col miss 4) | $(col miss 5) | $(col miss 6) | $(col hit 1) ($(low hit 1)) |"
done

startup() {  # startup RNNC: median wall ms of --version, loader cycles and relocations
  : > "$work/t"
  i=0
  while [ "$i" -lt 21 ]; do
    a=$(date +%s%N); "$1" --version > /dev/null; b=$(date +%s%N)
    echo "$(( (b - a) / 1000 ))" >> "$work/t"
    i=$((i + 1))
  done
  wall=$(awk '{ print $1 / 1000 }' "$work/t" | median)
  LD_DEBUG=statistics "$1" --version 2> "$work/ld" > /dev/null
  cycles=$(sed -n 's/.*total startup time in dynamic loader: *\([0-9]*\) cycles.*/\1/p' "$work/ld" | head -n 1)
  relocs=$(sed -n 's/.*final number of relocations: *\([0-9]*\).*/\1/p' "$work/ld" | head -n 1)
  size=$(du -k "$(readlink -f "$1")" | cut -f1)
  llvm=$(ldd "$1" | grep -q 'libLLVM' && echo shared || echo static)
  echo "| $1 | LLVM $llvm | $wall ms | $cycles | $relocs | $size KB |"
}
printf '\n| binary | LLVM | rnnc --version (median of 21) | loader cycles | relocations | binary size |\n'
printf '|---|---|---|---|---|---|\n'
startup "$rnnc"
[ -z "$other" ] || startup "$other"
