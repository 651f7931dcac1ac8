#!/bin/sh
# python_example_test.sh SOURCE_DIR -- examples/python/train.py runs, shortened
# by defines (n = 16, 256 samples in batches of 32, 1 epoch, 32 evaluation
# trials), and prints what it should: 256 / 32 = 8 updates, h->h 16 x 16,
# the records of 32 trials of 340 steps of 16 neurons, and the ModelError
# of its misspelt neuron at the place rnnc check gives it (line 3, column 11).
# The environment gives RNNC_LIBRARY and PYTHONPATH (tests/CMakeLists.txt).
set -u
src=$1
out=$(/usr/bin/python3 -B "$src/examples/python/train.py" epochs=1 samples=256 batch=32 trials=32 n=16 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; exit 1; }
failed=0
for line in "^8 updates: training loss " "^h->h is 16 x 16, spectral radius " "^h.r is (32, 340, 16); " \
            "^typo.rnn, line 3, column 11: unknown neuron 'TanhRat'$"; do
  printf '%s\n' "$out" | grep -q "$line" || { echo "FAIL: no line matching $line"; failed=1; }
done
exit $failed
