#!/bin/sh
# frontend.sh [BUILD_DIR] [LINES] [RUNS]
# Times 'rnnc check' on a generated model of LINES lines (default 10000):
# lexing, parsing and every semantic check, from process start to exit.
# Prints each run and the median in milliseconds. Target: under 100 ms.
set -eu
build=${1:-build}
lines=${2:-10000}
runs=${3:-21}
model=$(mktemp --suffix=.rnn)
trap 'rm -f "$model"' EXIT
"$build/gen_big_model" "$lines" > "$model"
echo "model: $(wc -l < "$model") lines, $(wc -c < "$model") bytes"
"$build/rnnc" check "$model"   # must be a valid model
times=""
i=0
while [ "$i" -lt "$runs" ]; do
  start=$(date +%s%N)
  "$build/rnnc" check "$model"
  end=$(date +%s%N)
  times="$times $(( (end - start) / 1000 ))"
  i=$((i + 1))
done
echo "$times" | tr ' ' '\n' | grep . | sort -n | awk -v runs="$runs" '
  { t[NR] = $1 }
  END { printf "rnnc check: median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n",
        t[int((NR + 1) / 2)] / 1000, t[1] / 1000, t[NR] / 1000, runs }'
