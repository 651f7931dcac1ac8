#!/bin/sh
# run_error_test.sh RNNC DIR NAME
# Checks that 'rnnc check NAME.rnn' (run inside DIR) fails with exit status 1
# and prints exactly the diagnostics in NAME.err: message, source line, caret
# and hint are all part of the contract.
set -u
rnnc=$1 dir=$2 name=$3
cd "$dir" || exit 2
actual=$(NO_COLOR=1 RNNC_PATH= "$rnnc" check "$name.rnn" 2>&1 >/dev/null)
status=$?
if [ "$status" -ne 1 ]; then
  echo "expected exit status 1, got $status"
  echo "$actual"
  exit 1
fi
expected=$(cat "$name.err")
if [ "$actual" != "$expected" ]; then
  echo "diagnostics differ from $name.err"
  printf '%s\n' "$actual" > "${TMPDIR:-/tmp}/rnnc-$name.actual"
  diff -u "$name.err" "${TMPDIR:-/tmp}/rnnc-$name.actual"
  exit 1
fi
