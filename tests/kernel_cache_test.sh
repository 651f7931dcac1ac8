#!/bin/sh
# kernel_cache_test.sh RNNC SRC
# The kernel cache (issue 19, compiler/jit/kernel_cache.h): a second run of
# an unchanged model takes its kernels from the cache, and every way the
# cache can fail still gives the run without it.
#  - The reference for every result here is the same model run with the
#    cache off (--no-cache): the kernels of a hit are the object code LLVM
#    made for the miss, so the loss curve and every .npy must be the same
#    bytes. (loss.csv's last column is wall-clock time and is left out.)
#  - A damaged entry (a byte flipped, the file cut short) is reported with
#    a warning naming the file, compiled again, stored again, and the run
#    after that hits.
#  - A cache folder that cannot be created or written is a warning and a
#    run as without the cache; RNNC_KERNEL_CACHE=off and --no-cache use no
#    folder at all.
#  - Three realisations of --seeds at once into an empty cache all run,
#    leave no temporary file and one set of entries.
#  - A changed neuron parameter is another entry; another population size
#    is not (the kernels take the count as an argument: compiling does not
#    depend on N).
#  - The size limit removes the least recently used entries first.
# Each test sets XDG_CACHE_HOME to a folder of its own work directory.
. "$(dirname "$0")/expect.sh"
rnnc=$1 src=$2
short="-D iterations=2 -D batch=4 -D trials=4 -D samples=8"
unset RNNC_KERNEL_CACHE RNNC_CACHE_MAX_MB
XDG_CACHE_HOME=$work/xdg
export XDG_CACHE_HOME
cache=$XDG_CACHE_HOME/rnnc

run() {  # run OUT MODEL [OPTIONS...]: rnnc run, its stderr in $work/OUT.err
  out=$1 model=$2; shift 2
  expect 0 "rnnc run $model $* ($out)" "$rnnc" run "$src/$model" --out "$work/r-$out" $short "$@"
  cp "$work/err" "$work/$out.err"
}
state() {  # state OUT: summary.json's "kernel_cache"
  sed -n 's/.*"kernel_cache": *"\([a-z]*\)".*/\1/p' "$work/r-$1/summary.json"
}
expect_state() {  # expect_state OUT WANT WHY
  got=$(state "$1")
  if [ "$got" = "$2" ]; then passes=$((passes + 1)); else
    echo "FAIL: $3: kernel_cache is '$got', expected '$2'"; failures=$((failures + 1)); fi
}
same_results() {  # same_results A B WHY: loss.csv without its time column, and every .npy
  differ=""
  cut -d, -f1-4 "$work/r-$1/loss.csv" > "$work/a.csv"
  cut -d, -f1-4 "$work/r-$2/loss.csv" > "$work/b.csv"
  cmp -s "$work/a.csv" "$work/b.csv" || differ="loss.csv"
  for f in "$work/r-$1"/*.npy; do
    cmp -s "$f" "$work/r-$2/$(basename "$f")" || differ="$differ $(basename "$f")"
  done
  if [ -z "$differ" ] && [ -s "$work/a.csv" ]; then passes=$((passes + 1)); else
    echo "FAIL: $3: $1 and $2 differ in ${differ:-(no loss.csv)}"; failures=$((failures + 1)); fi
}
entries() {  # the cache's entries, one a line
  ls "$cache" 2>/dev/null | grep '\.kc$'
}

# ---- off, miss, hit
run off models/and.rnn --no-cache
expect_state off off "--no-cache"
[ ! -e "$cache" ] && passes=$((passes + 1)) || { echo "FAIL: --no-cache made $cache"; failures=$((failures + 1)); }
run miss models/and.rnn -v
expect_state miss miss "the first run with an empty cache"
[ -n "$(entries)" ] && passes=$((passes + 1)) || { echo "FAIL: the first run stored nothing in $cache"; failures=$((failures + 1)); }
expect_line "$work/miss.err" "kernel cache miss" "-v says the kernels were compiled"
run hit models/and.rnn -v
expect_state hit hit "the second run of the unchanged model"
expect_line "$work/hit.err" "kernel cache hit" "-v says the kernels came from the cache"
same_results off miss "a run that stores its kernels against one without the cache"
same_results off hit "a run with cached kernels against one without the cache"
export RNNC_KERNEL_CACHE=off
run envoff models/and.rnn
unset RNNC_KERNEL_CACHE
expect_state envoff off "RNNC_KERNEL_CACHE=off"
# a neuron parameter is a constant in the kernels' equations, so in the module: another entry
run changed models/and.rnn -D TanhRate.tau=2ms
expect_state changed miss "a changed neuron parameter"
# the population's size is the kernels' loop count, an argument: the same entry
run wider models/and.rnn -D AndNet.n=80
expect_state wider hit "another population size"

# ---- damaged entries: a flipped byte, then a file cut short
rm -rf "$cache"
run fill models/and.rnn
entry=$cache/$(entries | head -n 1)
size=$(wc -c < "$entry")
printf 'X' | dd of="$entry" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run flipped models/and.rnn
expect_state flipped miss "a run over an entry with a byte flipped compiles again"
expect_line "$work/flipped.err" "warning: the kernel cache's file $entry cannot be used (its checksum" \
  "the flipped byte is reported"
same_results off flipped "the run over a damaged entry"
run healed models/and.rnn
expect_state healed hit "the damaged entry was stored again"
head -c 20 "$entry" > "$work/cut" && cat "$work/cut" > "$entry"
run cut models/and.rnn
expect_state cut miss "a run over an entry cut short compiles again"
expect_line "$work/cut.err" "cannot be used (its header does not match its size (20 bytes))" "the cut file is reported"
same_results off cut "the run over a cut entry"

# ---- a cache folder that cannot be written: its place is taken by a file
mkdir -p "$work/blocked" && : > "$work/blocked/rnnc"
XDG_CACHE_HOME=$work/blocked
run blocked models/and.rnn
XDG_CACHE_HOME=$work/xdg
expect_state blocked miss "an unwritable cache compiles"
expect_line "$work/blocked.err" "warning: the kernel cache in $work/blocked/rnnc cannot be written" \
  "the unwritable cache is reported"
same_results off blocked "the run with an unwritable cache"

# ---- three realisations at once into an empty cache
rm -rf "$cache"
expect 0 "--seeds 3 into an empty cache" "$rnnc" run "$src/models/and.rnn" --out "$work/seeds" --seeds 3 $short
temps=$(ls -a "$cache" | grep -c '^\.tmp-')
[ "$temps" -eq 0 ] && passes=$((passes + 1)) || { echo "FAIL: --seeds left $temps temporary files"; failures=$((failures + 1)); }
[ "$(entries | wc -l)" -eq "$(entries | sort -u | wc -l)" ] && [ -n "$(entries)" ] && passes=$((passes + 1)) ||
  { echo "FAIL: --seeds left no entries"; failures=$((failures + 1)); }
run afterseeds models/and.rnn
expect_state afterseeds hit "the entries written by --seeds are whole"

# ---- the size limit: the least recently used go first (three models with
# kernels of their own: and.rnn, xor.rnn and not.rnn share theirs)
rm -rf "$cache"
run a models/and.rnn
entries > "$work/a.list"
run b models/flipflop3.rnn
entries | grep -vxF -f "$work/a.list" > "$work/b.list"
run c models/eprop_sine.rnn
entries | grep -vxF -f "$work/a.list" | grep -vxF -f "$work/b.list" > "$work/c.list"
bytes() { total=0; while read -r f; do total=$((total + $(wc -c < "$cache/$f"))); done < "$1"; echo "$total"; }
b_bytes=$(bytes "$work/b.list") c_bytes=$(bytes "$work/c.list")
while read -r f; do rm "$cache/$f"; done < "$work/c.list"
while read -r f; do touch -d '2 hours ago' "$cache/$f"; done < "$work/a.list"
while read -r f; do touch -d '1 hour ago' "$cache/$f"; done < "$work/b.list"
touch -d '2 hours ago' "$cache/.tmp-1-stale"
touch "$cache/.tmp-2-fresh"
# half a byte over b and c, so the limit's rounding to 9 decimals of a megabyte evicts nothing more
limit=$(awk -v b="$((b_bytes + c_bytes))" 'BEGIN { printf "%.9f", (b + 0.5) / 1048576 }')
export RNNC_CACHE_MAX_MB=$limit
run c2 models/eprop_sine.rnn
unset RNNC_CACHE_MAX_MB
left=$(entries | sort | tr '\n' ' ')
want=$(cat "$work/b.list" "$work/c.list" | sort | tr '\n' ' ')
[ "$left" = "$want" ] && passes=$((passes + 1)) || {
  echo "FAIL: under a limit of b + c bytes the cache holds '$left', expected b and c: '$want'"; failures=$((failures + 1)); }
[ ! -e "$cache/.tmp-1-stale" ] && [ -e "$cache/.tmp-2-fresh" ] && passes=$((passes + 1)) || {
  echo "FAIL: a temporary file an hour old is removed, a fresh one kept"; failures=$((failures + 1)); }
finish
