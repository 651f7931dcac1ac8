#!/bin/sh
# fmt_test.sh RNNC SRCDIR
# rnnc fmt. (1) Every shipped model (stdlib/, models/, examples/, tests/data/)
# is in the canonical layout: 'rnnc fmt --check' passes on each. (2) On
# every file that parses -- the shipped ones, each example of
# docs/language.md, the tests/errors models whose errors come after parsing,
# and tests/fmt/messy.rnn -- formatting keeps the syntax tree (rnnc dump-ast
# prints the same, source locations aside) and a second pass changes
# nothing. (3) messy.rnn, every construct written carelessly, comes out as
# messy.out, the layout docs/language.md describes, checked by hand.
# (4) The command's contract: --check reports and touches nothing, a file
# with a syntax error is reported and left alone, a file already formatted
# is not rewritten, a rewrite keeps the file's mode and a symbolic link,
# '-' is stdin to stdout, bad usage exits 2.
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
messy=$src/tests/fmt/messy.rnn

# (1) The shipped files are formatted.
shipped=$(find "$src/stdlib" "$src/models" "$src/examples" "$src/tests/data" -name '*.rnn' | sort)
expect 0 "rnnc fmt --check on every shipped model" "$rnnc" fmt --check $shipped

# (2) The same tree, and a fixed point. Copies of the files are formatted
# in one run, then checked in one; rnnc fmt itself refuses a result whose
# tree differs ("internal error"), and dump-ast compares the trees of all
# but the error models here too.
mkdir "$work/docs" "$work/rt"
awk -v dir="$work/docs" '
  /^```rnn/ { n++; file = sprintf("%s/example%03d.rnn", dir, n); inside = 1; next }
  /^```/ && inside { inside = 0; close(file); next }
  inside { print > file }
' "$src/docs/language.md"
tree() {  # the syntax tree without its file name (first line) and locations
  "$rnnc" dump-ast "$1" > "$work/dump" 2> /dev/null || return 1
  sed -e 1d -e 's/ @[0-9]*:[0-9]*$//' "$work/dump"
}
n=0
for f in $shipped "$work"/docs/*.rnn "$messy" "$src"/tests/errors/*.rnn; do
  n=$((n + 1))
  copy=$work/rt/$n-$(basename "$f")
  cp "$f" "$copy"
  case $f in "$src"/tests/errors/*) continue ;; esac
  tree "$f" > "$copy.tree" || { echo "FAIL: ${f#$src/} does not parse"; failures=$((failures + 1)); }
done
"$rnnc" fmt "$work"/rt/*.rnn > /dev/null 2> "$work/err"
if grep -q "internal error" "$work/err"; then
  echo "FAIL: formatting changes a syntax tree:"; grep "internal error" "$work/err"; failures=$((failures + 1))
else
  passes=$((passes + 1))
fi
"$rnnc" fmt --check "$work"/rt/*.rnn > /dev/null 2> "$work/err"
if grep -q "is not formatted" "$work/err"; then
  echo "FAIL: formatting twice changes a file again:"; grep "is not formatted" "$work/err"
  failures=$((failures + 1))
else
  passes=$((passes + 1))
fi
compared=0
for t in "$work"/rt/*.tree; do
  tree "${t%.tree}" > "$work/after"
  if cmp -s "$t" "$work/after"; then passes=$((passes + 1)); else
    echo "FAIL: formatting $(basename "${t%.tree}") changes its syntax tree:"; diff "$t" "$work/after" | head -20
    failures=$((failures + 1))
  fi
  compared=$((compared + 1))
done
# 46 shipped models, 39 examples and messy.rnn when this was written
[ "$compared" -ge 80 ] && passes=$((passes + 1)) ||
  { echo "FAIL: only $compared trees were compared"; failures=$((failures + 1)); }

# (3) The canonical layout of messy.rnn.
"$rnnc" fmt - < "$messy" > "$work/messy.fmt"
if cmp -s "$work/messy.fmt" "$src/tests/fmt/messy.out"; then passes=$((passes + 1)); else
  echo "FAIL: messy.rnn is not formatted as messy.out:"; diff "$src/tests/fmt/messy.out" "$work/messy.fmt"
  failures=$((failures + 1))
fi
expect_line "$work/messy.fmt" "param n_rec = 200, eta = 1e-3  # a trailing comment keeps its column" \
  "a trailing comment stays"
expect_line "$work/messy.fmt" "  # a comment line inside a block" "a comment line is indented with its block"

# (4) The command.
cp "$messy" "$work/m.rnn"
chmod 640 "$work/m.rnn"
expect 1 "--check on an unformatted file" "$rnnc" fmt --check "$work/m.rnn"
expect_line "$work/err" "rnnc: $work/m.rnn is not formatted (from line 3;" "--check names the file and line"
cmp -s "$messy" "$work/m.rnn" && passes=$((passes + 1)) ||
  { echo "FAIL: --check changed the file"; failures=$((failures + 1)); }
ln -s m.rnn "$work/link.rnn"
expect 0 "fmt through a symbolic link" "$rnnc" fmt "$work/link.rnn"
cmp -s "$work/m.rnn" "$src/tests/fmt/messy.out" && [ -L "$work/link.rnn" ] && passes=$((passes + 1)) ||
  { echo "FAIL: the link's file is not the formatted text, or the link is gone"; failures=$((failures + 1)); }
[ "$(stat -c %a "$work/m.rnn")" = 640 ] && passes=$((passes + 1)) ||
  { echo "FAIL: the rewrite changed the mode to $(stat -c %a "$work/m.rnn")"; failures=$((failures + 1)); }
inode=$(stat -c %i "$work/m.rnn")
expect 0 "fmt on a formatted file" "$rnnc" fmt "$work/m.rnn"
[ "$(stat -c %i "$work/m.rnn")" = "$inode" ] && passes=$((passes + 1)) ||
  { echo "FAIL: a formatted file was written again"; failures=$((failures + 1)); }
expect 0 "--check on a formatted file" "$rnnc" fmt --check "$work/m.rnn"
[ "$(ls "$work" | grep -c fmt-)" -eq 0 ] && passes=$((passes + 1)) ||
  { echo "FAIL: a temporary file was left behind"; failures=$((failures + 1)); }

printf 'param a = (1 +\n  2)\nparam  b = 1 )\n' > "$work/bad.rnn"
cp "$work/bad.rnn" "$work/bad.orig"
expect 1 "a syntax error" "$rnnc" fmt "$work/bad.rnn" "$work/m.rnn"
expect_line "$work/err" "bad.rnn:3:14: error: ')' has no matching '('" "the syntax error as rnnc check says it"
expect_line "$work/err" "rnnc: $work/bad.rnn has errors; it is left as it was" "the file is left alone"
cmp -s "$work/bad.rnn" "$work/bad.orig" && passes=$((passes + 1)) ||
  { echo "FAIL: a file with a syntax error was changed"; failures=$((failures + 1)); }
expect 1 "a syntax error on stdin" sh -c "\"$rnnc\" fmt - < \"$work/bad.rnn\""
[ ! -s "$work/out" ] && passes=$((passes + 1)) ||
  { echo "FAIL: a syntax error on stdin still printed text"; failures=$((failures + 1)); }

printf 'param  a=1 # one\r\nparam b = 2' > "$work/crlf.rnn"
expect 0 "stdin to stdout" sh -c "\"$rnnc\" fmt - < \"$work/crlf.rnn\""
printf 'param a = 1  # one\nparam b = 2\n' > "$work/crlf.want"   # the code grew into the comment's column
cmp -s "$work/out" "$work/crlf.want" && passes=$((passes + 1)) ||
  { echo "FAIL: CRLF lines and a missing last newline:"; cat -A "$work/out"; failures=$((failures + 1)); }

expect 1 "--check on stdin" sh -c "\"$rnnc\" fmt --check - < \"$messy\""
expect_line "$work/err" "rnnc: <stdin> is not formatted (from line 3)" "--check on stdin message"
[ ! -s "$work/out" ] && passes=$((passes + 1)) ||
  { echo "FAIL: --check on stdin printed the text"; failures=$((failures + 1)); }

expect 2 "no file" "$rnnc" fmt
expect_line "$work/err" "rnnc: fmt needs at least one file" "no file message"
expect 2 "an unknown option" "$rnnc" fmt --frobnicate "$work/m.rnn"
expect_line "$work/err" "rnnc: unknown option '--frobnicate' of fmt" "unknown option message"
expect 2 "stdin twice" "$rnnc" fmt - -
expect 2 "a missing file" "$rnnc" fmt "$work/nope.rnn"
expect_line "$work/err" "rnnc: cannot read '$work/nope.rnn'" "missing file message"
expect 2 "a folder" "$rnnc" fmt "$work"
finish
