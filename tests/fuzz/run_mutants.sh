#!/bin/sh
# run_mutants.sh COUNT BUILD_DIR [SEED]
#
# The run side under fuzzing (issue 13): COUNT mutants of the shipped models
# (tests/fuzz/mutate.py: edge numbers, deleted or doubled lines, swapped
# names, changed operators) are checked, and every one that checks is run
# with a few updates. Whatever the mutant, rnnc must end with a status it
# documents (0, 1 or 2) within the time limit, never a crash, a sanitizer
# report or a hang; a run that succeeds leaves a summary.json that parses,
# and one that fails leaves no .partial folder. Run by .ci/run with the
# sanitized clang build.
set -u
count=${1:-100}
build=${2:-build-fuzz}
seed=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rnnc=$build/rnnc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/mutate.py" "$seed" "$count" "$work/m" "$root"/models/*.rnn "$root"/examples/*.rnn \
  "$root"/tests/data/*.rnn
export ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=exitcode=86:print_stacktrace=1 RNNC_QUIET=1
bad=0 checked=0 ran=0
for m in "$work"/m/mutant*.rnn; do
  timeout 20 "$rnnc" check "$m" > /dev/null 2> "$work/err"
  status=$?
  case $status in
    0) ;;
    1|2) continue ;;
    *) echo "mutant $(basename "$m"): rnnc check ended with $status"; cat "$work/err"; bad=$((bad + 1)); continue ;;
  esac
  checked=$((checked + 1))
  out=$work/out/$(basename "$m" .rnn)
  timeout 60 "$rnnc" run "$m" --out "$out" -D iterations=2 -D batch=4 -D trials=4 -D samples=8 \
    > /dev/null 2> "$work/err"
  status=$?
  ran=$((ran + 1))
  case $status in
    0) /usr/bin/python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$out/summary.json" 2>> "$work/err" ||
         { echo "mutant $(basename "$m"): exit 0 without a valid summary.json"; bad=$((bad + 1)); } ;;
    1|2) if ls -d "$out".partial-* > /dev/null 2>&1; then
           echo "mutant $(basename "$m"): a failed run left a .partial folder"; bad=$((bad + 1))
         fi ;;
    *) echo "mutant $(basename "$m"): rnnc run ended with $status"; tail -20 "$work/err"; bad=$((bad + 1))
       cp "$m" "${TMPDIR:-/tmp}/rnnc-bad-$(basename "$m")" ;;
  esac
  rm -rf "$out"
done
echo "$count mutants: $checked checked clean, $ran run, $bad misbehaved"
[ "$bad" -eq 0 ]
