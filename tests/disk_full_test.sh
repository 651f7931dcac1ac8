#!/bin/sh
# A full disk at every point of a run (issue 13): a results folder is
# written onto a small tmpfs that already holds an older result, the free
# space stepping from almost nothing to more than the run needs, so the
# writes fail at the weights, the evaluation arrays, the analyses' files,
# summary.json, the pictures, the report, in turn. Each time, either the
# run exits 0 and the folder is the new, complete result, or it exits
# non-zero, says so, and the older result is byte for byte as it was; no
# .partial folder is ever left. Both outcomes must occur (the test would
# otherwise prove nothing). Needs root to mount a tmpfs (CI runs as root);
# without it the test is skipped (exit 77).
# Usage: disk_full_test.sh RNNC SOURCE_DIR
set -u
rnnc=$1
root=$2
python=/usr/bin/python3
. "$root/tests/expect.sh"
mnt=$work/mnt
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=4m tmpfs "$mnt" 2> /dev/null; then
  echo "skipped: cannot mount a tmpfs (not root?)"
  exit 77
fi
umount "$mnt"
trap 'umount "$mnt" 2> /dev/null; rm -rf "$work"' EXIT

cat > "$work/model.rnn" <<'EOF'
import neurons.rate
import tasks.flipflop

network Net {
  input   x[3]
  pop     h : TanhRate[12](tau = 5 ms)
  readout y : Linear[3]
  connect x -> h : all_to_all, init glorot_uniform
  connect h -> h : all_to_all, init orthogonal
  connect h -> y : all_to_all, init normal(0, 1 / sqrt(fan_in)), bias
}

train Net on FlipFlop(bits = 3, steps = 60) { iterations 4; batch 8; trials 16 }
record h.r[0:4]
analyze eigen(h -> h), pca(h.r, 3), fixed_points(h, n = 8), robustness(noise = [0, 0.5])
EOF

# The older result, and how much the new one needs.
"$rnnc" run "$work/model.rnn" --seed 1 --out "$work/old" > /dev/null 2>&1 || { echo "FAIL: the model does not run"; exit 1; }
"$rnnc" run "$work/model.rnn" --seed 2 --out "$work/new" > /dev/null 2>&1 || { echo "FAIL: the model does not run"; exit 1; }
old_kb=$(du -sk "$work/old" | cut -f1)
new_kb=$(du -sk "$work/new" | cut -f1)

ok=0 refused=0 k=4
while [ "$k" -le $((new_kb + 64)) ]; do
  mount -t tmpfs -o size=$(( (old_kb + k + 3) / 4 * 4 ))k tmpfs "$mnt" || { echo "FAIL: mount"; exit 1; }
  cp -a "$work/old" "$mnt/out"
  "$rnnc" run "$work/model.rnn" --seed 2 --out "$mnt/out" > "$work/stdout" 2> "$work/stderr"
  status=$?
  if ls -d "$mnt"/out.partial-* "$mnt"/out.old-* > /dev/null 2>&1; then
    echo "FAIL: $k KB free: a .partial or .old folder was left"; failures=$((failures + 1))
  elif [ "$status" -eq 0 ]; then
    if "$python" -c "import json, sys; d = json.load(open(sys.argv[1])); assert d['seed'] == 2" "$mnt/out/summary.json" \
        && [ -f "$mnt/out/report.html" ] && [ "$(ls "$mnt/out" | wc -l)" -eq "$(ls "$work/new" | wc -l)" ]; then
      ok=$((ok + 1)); passes=$((passes + 1))
    else
      echo "FAIL: $k KB free: exit 0 but the folder is not the complete new result"; failures=$((failures + 1))
    fi
  elif diff -r "$work/old" "$mnt/out" > /dev/null && grep -q 'error' "$work/stderr"; then
    refused=$((refused + 1)); passes=$((passes + 1))
  else
    echo "FAIL: $k KB free: exit $status and the older result is not intact (or no message)"
    cat "$work/stderr"; failures=$((failures + 1))
  fi
  umount "$mnt"
  k=$((k + (new_kb + 64) / 24 + 1))
done
echo "$refused runs refused for lack of space, $ok complete"
[ "$refused" -gt 0 ] && [ "$ok" -gt 0 ] || { echo "FAIL: both outcomes must occur"; failures=$((failures + 1)); }
finish
