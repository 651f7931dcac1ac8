#!/bin/sh
# library_exports_test.sh LIBRNNC_SO RNNC_H
# librnnc.so exports exactly the functions include/rnnc.h declares: each of
# them (a program linked against the header finds it), and nothing else
# (the compiler's and runtime's own names stay inside, so they cannot clash
# with a program's, and are no interface anyone comes to depend on).
set -u
lib=$1 header=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -o 'rnnc_[a-z_]*(' "$header" | tr -d '(' | sort -u > "$work/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "R" { print $3 }' |
  sort -u > "$work/exported"
if [ ! -s "$work/declared" ]; then
  echo "no function found in $header"
  exit 1
fi
status=0
missing=$(comm -23 "$work/declared" "$work/exported")
extra=$(comm -13 "$work/declared" "$work/exported")
if [ -n "$missing" ]; then
  echo "declared in rnnc.h but not exported:"; echo "$missing"; status=1
fi
if [ -n "$extra" ]; then
  echo "exported but not in rnnc.h:"; echo "$extra"; status=1
fi
[ $status -eq 0 ] && echo "$(wc -l < "$work/exported") functions exported, as declared"
exit $status
