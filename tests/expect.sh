# expect.sh -- the assertions of the shell tests, sourced by them: a work
# folder removed on exit, 'expect' for an exit status, 'expect_line' for a
# line in a file, and 'finish' for the "N passed, N failed" verdict.
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
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}
