#!/bin/sh
# mpi_data_parallel.sh [RNNC] [UPDATES] [REPEATS]: the data-parallel
# speed-up of one training (issue 18) at batch 512: models/and.rnn (50
# tanh units, 2 inputs, 1 readout; its AND task, about 70 steps a trial)
# trained for UPDATES updates (default 20) three ways, each REPEATS times
# (default 3):
#   one-1  rnnc run -D threads=1            (one process, one thread)
#   one-2  rnnc run -D threads=2            (one process, two threads)
#   mpi-2  mpirun -n 2 rnnc run             (two ranks, a core and a thread each,
#                                            each 256 trials of every batch)
# Each run's summary.json gives seconds_per_update_median (the whole update:
# the batch's trials made, forward, loss, backward, the ranks' sums, Adam);
# the script prints the median over the repeats and its ratio to one-1 and
# to one-2, and the same for the end-to-end wall time (compile, training,
# rank 0's evaluation of 512 trials and the analyses). Run by hand, never as
# a test; say whether other jobs shared the machine.
set -eu
rnnc=${1:-build/rnnc} updates=${2:-20} repeats=${3:-3}
model=$(dirname "$0")/../models/and.rnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
args="-D epochs=1 -D batch=512 -D samples=$((512 * updates)) -D trials=512 -D early_stop=1e-30"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# time_way NAME COMMAND...: REPEATS runs; NAME.update and NAME.wall get the medians
time_way() {
  name=$1; shift
  : > "$work/$name.u"; : > "$work/$name.w"
  for i in $(seq "$repeats"); do
    start=$(date +%s%N)
    "$@" --out "$work/$name-$i" > "$work/$name.out" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
    end=$(date +%s%N)
    awk "BEGIN { print ($end - $start) / 1e9 }" >> "$work/$name.w"
    /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['seconds_per_update_median'])" \
      "$work/$name-$i/summary.json" >> "$work/$name.u"
  done
  median < "$work/$name.u" > "$work/$name.update"
  median < "$work/$name.w" > "$work/$name.wall"
}
# shellcheck disable=SC2086
time_way one-1 "$rnnc" run "$model" $args -D threads=1
# shellcheck disable=SC2086
time_way one-2 "$rnnc" run "$model" $args -D threads=2
# shellcheck disable=SC2086
time_way mpi-2 mpirun -n 2 "$rnnc" run "$model" $args
echo "batch 512, $updates updates, medians of $repeats runs; nproc $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %9s %9s %9s %9s %9s\n' way s/update one-1/it one-2/it wall_s one-1/it one-2/it
for w in one-1 one-2 mpi-2; do
  awk -v n="$w" -v u="$(cat "$work/$w.update")" -v w="$(cat "$work/$w.wall")" \
      -v u1="$(cat "$work/one-1.update")" -v u2="$(cat "$work/one-2.update")" \
      -v w1="$(cat "$work/one-1.wall")" -v w2="$(cat "$work/one-2.wall")" \
      'BEGIN { printf "%-6s %12.4f %9.2f %9.2f %9.2f %9.2f %9.2f\n", n, u, u1 / u, u2 / u, w, w1 / w, w2 / w }'
done
