#!/bin/sh
# input_test.sh RNNC SRCDIR
# Issue 13: rnnc reads only regular files, so a device, a FIFO or a folder
# where a file is expected is a clear error, never a read without end or an
# open that waits for a writer. Each command runs under 'timeout 10': a hang
# is exit 124 and fails the test instead of stalling CI.
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
t() { timeout 10 "$rnnc" "$@"; }
mkfifo "$work/fifo.rnn" "$work/fifo.npy"

# The model file itself: exit 2 (an unreadable file), saying what it is.
expect 2 "check /dev/zero" t check /dev/zero
expect_line "$work/err" "rnnc: cannot read '/dev/zero': it is a character device, not a regular file" "/dev/zero message"
expect 2 "check a FIFO" t check "$work/fifo.rnn"
expect_line "$work/err" "it is a FIFO, not a regular file" "FIFO message"
expect 2 "check a folder" t check "$work"
expect_line "$work/err" "it is a folder; give a .rnn file" "folder message"
expect 2 "run /dev/zero" t run /dev/zero

# An import that resolves (through RNNC_PATH) to a device or a FIFO: a
# located error at the import, exit 1.
mkdir -p "$work/lib/dev"
ln -s /dev/zero "$work/lib/dev/zero.rnn"
ln -s "$work/fifo.rnn" "$work/lib/dev/fifo.rnn"
printf 'import dev.zero\n' > "$work/imp_zero.rnn"
printf 'import dev.fifo\n' > "$work/imp_fifo.rnn"
RNNC_PATH="$work/lib" expect 1 "import of /dev/zero" t check "$work/imp_zero.rnn"
expect_line "$work/err" "imp_zero.rnn:1:8: error: cannot read '$work/lib/dev/zero.rnn': it is a character device, not a regular file" "import of /dev/zero message"
RNNC_PATH="$work/lib" expect 1 "import of a FIFO" t check "$work/imp_fifo.rnn"
expect_line "$work/err" "it is a FIFO, not a regular file" "import of a FIFO message"

# A folder that happens to be called neurons/rate.rnn beside the model is not
# the module: the search goes on to the standard library's neurons.rate (it
# used to stop there with "Input/output error").
mkdir -p "$work/shadow/neurons/rate.rnn"
cp "$src/models/flipflop3.rnn" "$work/shadow/model.rnn"
expect 0 "a folder named like the module is passed over" t check "$work/shadow/model.rnn"

# load("...") of a device, a FIFO or a folder: located at the load.
weights() {  # weights FILE: a model whose recurrent weights are load(FILE)
  sed "s|connect h -> h : all_to_all, init orthogonal|connect h -> h : all_to_all, init load(\"$1\")|" \
    "$src/models/flipflop3.rnn" > "$work/w.rnn"
}
weights /dev/zero
expect 1 "load(/dev/zero)" t check "$work/w.rnn"
expect_line "$work/err" "cannot open '/dev/zero': it is a character device, not a regular file" "load(/dev/zero) message"
weights /dev/null   # used to be called "a folder"
expect 1 "load(/dev/null)" t check "$work/w.rnn"
expect_line "$work/err" "cannot open '/dev/null': it is a character device, not a regular file" "load(/dev/null) message"
weights "$work/fifo.npy"
expect 1 "load(FIFO)" t check "$work/w.rnn"
expect_line "$work/err" "it is a FIFO, not a regular file" "load(FIFO) message"
weights "$work"
expect 1 "load(folder)" t check "$work/w.rnn"
expect_line "$work/err" "it is a folder" "load(folder) message"

# rnnc analyze on a results folder whose summary.json is a link to
# /dev/zero: a clear error, not a read that fills memory.
mkdir "$work/run"
ln -s /dev/zero "$work/run/summary.json"
expect 2 "analyze with summary.json -> /dev/zero" t analyze "$work/run"
expect_line "$work/err" "summary.json: it is a character device, not a regular file" "analyze message"
finish
