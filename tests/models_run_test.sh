#!/bin/sh
# models_run_test.sh RNNC SRC
# Every model in models/ and every example in examples/ runs: 'rnnc check'
# accepts exactly what 'rnnc run' runs, so a shipped file that checks but
# cannot run is a bug. Each run is shortened by -D to a few updates of small
# batches (iterations replaces any epochs; trials rounds up to the batch), so
# the test sees every phase of a run (plan, JIT, training, evaluation,
# records, analyses, pictures) in seconds, and checks the exit status and the
# results folder's summary.json. A file with no train or evaluate (a
# library of definitions, such as examples/plasticity_rule.rnn) has
# nothing to run: it must pass 'rnnc check' instead. A 'sequence continuous'
# run is one sequence of trials, which needs batch 1, so it keeps it.
set -u
rnnc=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 count=0
for model in "$src"/models/*.rnn "$src"/examples/*.rnn; do
  name=$(basename "$(dirname "$model")")-$(basename "$model" .rnn)
  count=$((count + 1))
  batch=4
  grep -Eq '^ *sequence +continuous' "$model" && batch=1
  if ! grep -Eq '^(train|evaluate) ' "$model"; then
    if ! out=$(NO_COLOR=1 "$rnnc" check "$model" 2>&1); then
      echo "$model (no run) does not check:"
      echo "$out"
      failed=$((failed + 1))
    fi
  elif ! out=$(NO_COLOR=1 "$rnnc" run "$model" --out "$work/$name" \
               -D iterations=2 -D batch=$batch -D trials=4 -D samples=8 2>&1); then
    echo "$model does not run:"
    echo "$out"
    failed=$((failed + 1))
  elif [ ! -s "$work/$name/summary.json" ]; then
    echo "$model ran but wrote no $work/$name/summary.json"
    failed=$((failed + 1))
  fi
done
echo "$count models and examples run, $failed failed"
[ "$count" -ge 5 ] && [ "$failed" -eq 0 ]
