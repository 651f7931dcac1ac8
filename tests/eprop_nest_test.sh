#!/bin/sh
# e-prop against NEST's published regression numbers: the sine-wave network
# of tests/data/eprop_sine (NEST's initial weights, frozen input spikes and
# target; shared/reference/eprop.md sections b and c1) trained for five SGD
# updates. Loss k is 0.5 sum_t (y - y*)^2 with the weights after k updates,
# so the five losses test the forward pass (the first), and the e-prop
# gradient, the rate regulariser and SGD (the rest). NEST computes in
# double: float64 must agree to 1e-8 relative (the NEST test's own rtol);
# float32 to 1e-5 (TF's float32 run agrees with NEST to about 1e-7).
# Usage: eprop_nest_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
model="$src/tests/data/eprop_sine/eprop_sine_nest.rnn"
nest="101.964356999041 103.466731126205 103.340607074771 103.680244037686 104.412775748752"

check() {   # precision tolerance
  out="$work/$1"
  if ! "$rnnc" run "$model" -D precision="$1" --out "$out" > "$work/log" 2>&1; then
    echo "FAIL: $1 run failed: $(cat "$work/log")"
    failures=$((failures + 1))
    return
  fi
  awk -F, -v ref="$nest" -v tol="$2" -v p="$1" '
    BEGIN { n = split(ref, want, " ") }
    NR > 1 { got[NR - 1] = $3 }
    END {
      bad = 0
      for (k = 1; k <= n; k++) {
        rel = (got[k] - want[k]) / want[k]; if (rel < 0) rel = -rel
        printf "%s loss %d: %.12f NEST %.12f rel %.2e\n", p, k - 1, got[k], want[k], rel
        if (!(rel <= tol)) bad = 1
      }
      exit bad
    }' "$out/loss.csv" || { echo "FAIL: $1 losses differ from NEST's by more than $2"; failures=$((failures + 1)); }
}
check float64 1e-8
check float32 1e-5
[ "$failures" -eq 0 ] && echo "eprop_nest: all passed"
exit "$failures"
