#!/bin/sh
# mpi_seeds.sh [RNNC] [SAMPLES] [REPEATS]: 16 realisations of the AND task
# (models/and.rnn shortened by -D: 32 units, batch 32, SAMPLES trials of
# training, default 12800, i.e. 400 updates) run four ways, each timed end
# to end REPEATS times (default 3), and the medians and their ratios to the
# first printed:
#   seeds     rnnc run --seeds 16 (one process, children on every core)
#   mpi-1     mpirun -n 1 (Open MPI binds the rank to one core)
#   mpi-1-all mpirun -n 1 --bind-to none (the rank has every core)
#   mpi-2     mpirun -n 2 (a core each)
# Run by hand, never as a test; as root Open MPI needs the two variables
# below. Say whether other jobs shared the machine.
set -eu
rnnc=${1:-build/rnnc} samples=${2:-12800} repeats=${3:-3}
model=$(dirname "$0")/../models/and.rnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
quick="-D epochs=1 -D batch=32 -D n=32 -D trials=64 -D samples=$samples -D first_in=10 -D delay=5 -D answer=30"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# seconds NAME COMMAND...: the median wall time of REPEATS runs of COMMAND
seconds() {
  name=$1; shift
  for i in $(seq "$repeats"); do
    start=$(date +%s%N)
    "$@" --out "$work/$name-$i" > "$work/$name.out" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
    end=$(date +%s%N)
    awk "BEGIN { print ($end - $start) / 1e9 }"
    rm -rf "$work/$name-$i"
  done | median
}
# shellcheck disable=SC2086
base=$(seconds seeds "$rnnc" run "$model" $quick --seeds 16)
# shellcheck disable=SC2086
one=$(seconds mpi-1 mpirun -n 1 "$rnnc" run "$model" $quick --seeds 16)
# shellcheck disable=SC2086
all=$(seconds mpi-1-all mpirun -n 1 --bind-to none "$rnnc" run "$model" $quick --seeds 16)
# shellcheck disable=SC2086
two=$(seconds mpi-2 mpirun -n 2 "$rnnc" run "$model" $quick --seeds 16)
echo "16 realisations, medians of $repeats runs; nproc $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %8s %8s\n' way seconds seeds/it mpi-1/it
for w in "seeds $base" "mpi-1 $one" "mpi-1-all $all" "mpi-2 $two"; do
  set -- $w
  awk "BEGIN { printf \"%-10s %8.1f %8.2f %8.2f\\n\", \"$1\", $2, $base / $2, $one / $2 }"
done
