#!/bin/sh
# compile_latency.sh [RNNC] [RUNS] [OTHER_RNNC]     (BASELINE=OLD_RNNC in the environment: see below)
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

measure() {  # measure BINARY MODEL TAG: one run on an empty cache and one after, into $work/TAG-miss, -hit
  rm -rf "$work/xdg"
  for kind in miss hit; do
    rm -rf "$work/out"
    XDG_CACHE_HOME=$work/xdg "$1" run "$2" --out "$work/out" -D iterations=1 -D batch=1 -D trials=1 \
      -D samples=1 > /dev/null 2> "$work/err" || return 1
    fields "$work/out/summary.json" >> "$work/$3-$kind"
  done
}

# BASELINE=path/to/rnnc adds its compile_ms on a miss, measured in turn with
# RNNC's in the same loop (the same load on a shared machine), and the
# ratio of the medians.
baseline=${BASELINE:-}
printf '\n| model | compile_ms miss (min) | parse+check | lower | LLVM IR | optimise | emit | compile_ms hit (min) |'
[ -z "$baseline" ] && printf '\n|---|---|---|---|---|---|---|---|\n' ||
  printf ' baseline miss (min) | baseline / rnnc |\n|---|---|---|---|---|---|---|---|---|---|\n'
for model in "$src"/models/*.rnn "$src"/examples/*.rnn; do
  grep -Eq '^(train|evaluate) ' "$model" || continue
  name=$(basename "$(dirname "$model")")/$(basename "$model")
  rm -f "$work"/a-* "$work"/b-*
  i=0 failed=""
  while [ "$i" -lt "$runs" ] && [ -z "$failed" ]; do
    measure "$rnnc" "$model" a || failed=$rnnc
    [ -z "$baseline" ] || [ -n "$failed" ] || measure "$baseline" "$model" b || failed=$baseline
    i=$((i + 1))
  done
  [ -z "$failed" ] || { echo "| $name | $failed fails: $(head -n 1 "$work/err") |"; continue; }
  col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
  low() { awk -v c="$2" '{ print $c }' "$work/$1" | least; }
  states=$(awk '{ print $7 }' "$work/a-hit" | sort -u | tr '\n' ' ')
  [ "$states" = "hit " ] || echo "warning: $name: the second runs were '$states', not all hits" >&2
  line="| $name | $(col a-miss 1) ($(low a-miss 1)) | $(col a-miss 2) | $(col a-miss 3) | $(col a-miss 4) | $(col a-miss 5) | $(col a-miss 6) | $(col a-hit 1) ($(low a-hit 1)) |"
  [ -z "$baseline" ] || line="$line $(col b-miss 1) ($(low b-miss 1)) | $(awk -v b="$(col b-miss 1)" -v a="$(col a-miss 1)" 'BEGIN { printf "%.2f", b / a }') |"
  echo "$line"
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
