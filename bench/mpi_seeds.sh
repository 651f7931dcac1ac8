#!/bin/sh
# mpi_seeds.sh [RNNC] [SAMPLES]: 16 realisations of the AND task
# (models/and.rnn shortened by -D: 32 units, batch 32, SAMPLES trials of
# training, default 12800, i.e. 400 updates) run four ways, each timed end to
# end, and the ratios to the first printed:
#   seeds     rnnc run --seeds 16 (one process, children on every core)
#   mpi-1     mpirun -n 1 (Open MPI binds the rank to one core)
#   mpi-1-all mpirun -n 1 --bind-to none (the rank has every core)
#   mpi-2     mpirun -n 2 (a core each)
# Run by hand, never as a test; as root Open MPI needs the two variables below.
set -eu
rnnc=${1:-build/rnnc} samples=${2:-12800}
model=$(dirname "$0")/../models/and.rnn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
quick="-D epochs=1 -D batch=32 -D n=32 -D trials=64 -D samples=$samples -D first_in=10 -D delay=5 -D answer=30"
seconds() {  # seconds NAME COMMAND...: the wall time of COMMAND
  name=$1; shift
  start=$(date +%s%N)
  "$@" > "$work/$name.out" 2>&1 || { echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
  end=$(date +%s%N)
  awk "BEGIN { print ($end - $start) / 1e9 }"
}
# shellcheck disable=SC2086
base=$(seconds seeds "$rnnc" run "$model" $quick --seeds 16 --out "$work/a")
# shellcheck disable=SC2086
one=$(seconds mpi-1 mpirun -n 1 "$rnnc" run "$model" $quick --seeds 16 --out "$work/b")
# shellcheck disable=SC2086
all=$(seconds mpi-1-all mpirun -n 1 --bind-to none "$rnnc" run "$model" $quick --seeds 16 --out "$work/c")
# shellcheck disable=SC2086
two=$(seconds mpi-2 mpirun -n 2 "$rnnc" run "$model" $quick --seeds 16 --out "$work/d")
printf '%-10s %8s %8s\n' way seconds ratio
for w in "seeds $base" "mpi-1 $one" "mpi-1-all $all" "mpi-2 $two"; do
  set -- $w
  awk "BEGIN { printf \"%-10s %8.1f %8.2f\\n\", \"$1\", $2, $2 / $base }"
done
