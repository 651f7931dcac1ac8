#!/bin/sh
# run_fuzz.sh SECONDS [BUILD_DIR]
# Fuzzes the front end for SECONDS, seeded with every .rnn file in the tree.
# Fails if libFuzzer finds a crash, a leak, a timeout or a sanitizer report.
set -eu
seconds=${1:-60}
build=${2:-build-fuzz}
root=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
find "$root/stdlib" "$root/models" "$root/examples" "$root/tests/errors" -name '*.rnn' \
     -exec cp {} "$corpus/" \; 2>/dev/null || true
cd "$root/$build"
status=0
# UBSan reports only count as findings if they stop the run.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
./fuzz_frontend -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -dict="$root/tests/fuzz/rnn.dict" -use_value_profile=1 \
  -print_final_stats=1 -artifact_prefix="$root/$build/" "$corpus" > "$corpus.log" 2>&1 || status=$?
grep -v "# Uses:" "$corpus.log" | tail -25
rm -f "$corpus.log"
exit "$status"
