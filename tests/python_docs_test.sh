#!/bin/sh
# python_docs_test.sh RNNC SOURCE_DIR -- docs/python.md's first ```python
# block is a complete program, so the reference cannot drift from the module:
# it runs in a folder where models/ is the source tree's and runs/flipflop3-1
# a folder `rnnc run` wrote (n = 16), and prints what its comments say: the
# weights of n = 32 are (32, 32), and the older run is "trained" with (16, 16).
# The environment gives RNNC_LIBRARY and PYTHONPATH (tests/CMakeLists.txt).
set -u
rnnc=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$src/models" "$work/models"
awk '/^```python$/ { n++; if (n == 1) { inside = 1; next } } /^```/ { inside = 0 } inside' \
    "$src/docs/python.md" > "$work/example.py"
[ -s "$work/example.py" ] || { echo "FAIL: no python block in docs/python.md"; exit 1; }
(cd "$work" && "$rnnc" run models/flipflop3.rnn -D epochs=1 -D samples=256 -D n=16 > /dev/null 2>&1) \
  || { echo "FAIL: rnnc run for runs/flipflop3-1"; exit 1; }
out=$(cd "$work" && /usr/bin/python3 -B example.py 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" -eq 0 ] || { echo "FAIL: the example exits with $status"; exit 1; }
printf '%s\n' "$out" | grep -qx '(32, 32)' || { echo "FAIL: no (32, 32) line"; exit 1; }
printf '%s\n' "$out" | grep -qx 'trained (16, 16)' || { echo "FAIL: no 'trained (16, 16)' line"; exit 1; }
