# expect.sh -- the assertions of the shell tests, sourced by them: a work
# folder removed on exit, 'expect' for an exit status, 'expect_line' for a
# line in a file, 'expect_refused' for bad input refused with one error,
# and 'finish' for the "N passed, N failed" verdict.
# The tests' python finds tests/npy.py (the one .npy reader) and leaves no
# __pycache__ in the tree.
PYTHONPATH=$(cd "$(dirname "$0")" && pwd)${PYTHONPATH:+:$PYTHONPATH}
export PYTHONPATH PYTHONDONTWRITEBYTECODE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passes=0
expect() {  # expect STATUS DESCRIPTION COMMAND...
  want=$1 what=$2; shift 2
  "$@" > "$work/out" 2> "$work/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit status $got, expected $want"; cat "$work/err"
    failures=$((failures + 1))
  else
    passes=$((passes + 1))
  fi
}
expect_line() {  # expect_line FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then passes=$((passes + 1)); else
    echo "FAIL: $3: no line with '$2' in:"; cat "$1"; failures=$((failures + 1)); fi
}
expect_refused() {  # expect_refused STATUS DESCRIPTION TEXT COMMAND...: refused before any work
  # with one error (TEXT in it; a located one may add its source line and
  # hints) and no folder "$work/bad" made
  want=$1 what=$2 text=$3; shift 3
  expect "$want" "$what" "$@"
  expect_line "$work/err" "$text" "$what: the message"
  n=$(grep -c 'error:' "$work/err")
  [ "$n" -eq 1 ] || { echo "FAIL: $what: $n errors, expected 1:"; cat "$work/err"; failures=$((failures + 1)); }
  [ -e "$work/bad" ] && { echo "FAIL: $what: a folder was made"; failures=$((failures + 1)); rm -rf "$work/bad"; }
}
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
