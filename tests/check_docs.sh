#!/bin/sh
# check_docs.sh RNNC DOC [MIN]
# Every ```rnn block of a document (the language reference, docs/extending.md)
# is a complete model or library: each is
# written to a file of its own and must pass 'rnnc check', so the reference
# cannot drift from the grammar. A block opened with ```rnn not-yet uses
# constructs the compiler cannot run yet: check must refuse it (exit status
# 1), and every error must say "not available yet", so the example cannot
# hide another mistake and becomes an ordinary one when the construct is built.
set -u
rnnc=$1 doc=$2 min=${3:-20}   # fewer blocks than MIN: some were lost (a broken fence)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '
  /^```rnn[ \t]*$/ { n++; file = sprintf("%s/example%03d.rnn", dir, n); inside = 1; next }
  /^```rnn not-yet[ \t]*$/ { n++; file = sprintf("%s/example%03d.notyet.rnn", dir, n); inside = 1; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print > file }
' "$doc"
count=$(ls "$work" | wc -l)
if [ "$count" -lt "$min" ]; then
  echo "only $count rnn examples found in $doc (expected at least $min)"
  exit 1
fi
failed=0
for f in "$work"/*.rnn; do
  out=$(NO_COLOR=1 "$rnnc" check "$f" 2>&1)
  status=$?
  case $f in
  *.notyet.rnn)
    others=$(printf '%s\n' "$out" | grep ': error: ' | grep -v 'not available yet')
    if [ "$status" -ne 1 ] || [ -n "$others" ]; then
      echo "example $(basename "$f") (not-yet) should be refused for not-yet constructs only:"
      cat -n "$f"
      echo "$out"
      failed=$((failed + 1))
    fi ;;
  *)
    if [ "$status" -ne 0 ]; then
      echo "example $(basename "$f") does not check:"
      cat -n "$f"
      echo "$out"
      failed=$((failed + 1))
    fi ;;
  esac
done
echo "$count examples, $failed failed"
[ "$failed" -eq 0 ]
