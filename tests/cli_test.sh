#!/bin/sh
# cli_test.sh RNNC SRCDIR
# The command-line contract: exit statuses (0 ok, 1 model errors, 2 usage or
# unreadable file), one clear line for usage errors, and the results folder
# that appears whole or not at all.
set -u
rnnc=$1 src=$2
. "$(dirname "$0")/expect.sh"
export NO_COLOR=1
model="$src/models/flipflop3.rnn"

expect 0 "--help" "$rnnc" --help
expect_line "$work/out" "usage: rnnc" "--help prints usage"
expect 0 "--version" "$rnnc" --version
expect_line "$work/out" "LLVM 19" "--version names LLVM"
expect_line "$work/out" "OpenBLAS" "--version names OpenBLAS"
expect 2 "no command" "$rnnc"
expect 2 "unknown flag" "$rnnc" check --frobnicate "$model"
expect_line "$work/err" "rnnc: unknown option '--frobnicate'" "unknown flag message"
[ "$(wc -l < "$work/err")" -eq 1 ] && passes=$((passes + 1)) || { echo "FAIL: unknown flag is not one line"; failures=$((failures + 1)); }
expect 2 "unknown command" "$rnnc" frobnicate "$model"
expect 2 "missing file" "$rnnc" check "$work/nope.rnn"
expect_line "$work/err" "rnnc: cannot read '$work/nope.rnn': No such file or directory" "missing file message"
expect 2 "folder instead of file" "$rnnc" check "$work"
expect 2 "-D without =" "$rnnc" check -D epochs "$model"
# The same -D twice is bad usage, said as such (it used to fall through to
# a bogus "neither train nor evaluate" model error, exit 1).
expect 2 "-D given twice" "$rnnc" check -D epochs=2 -D epochs=3 "$model"
expect_line "$work/err" "rnnc: -D epochs is given twice (epochs=2, then epochs=3); give it once" "-D twice message"
expect 2 "bad seed" "$rnnc" run "$model" --seed -3
expect 2 "bad seeds" "$rnnc" run "$model" --seeds 0
expect_line "$work/err" "--seeds takes a whole number from 1 to 1000, got '0'" "bad seeds message"
# The same analysis twice is refused before anything is trained.
sed 's/^analyze eigen(h -> h), pca(h.r, 3), fixed_points(h)$/analyze eigen(h -> h), pca(h.r, 3), eigen(h -> h)/' \
  "$model" > "$work/twice.rnn"
expect 1 "an analysis asked for twice" "$rnnc" run "$work/twice.rnn" --out "$work/twice"
expect_line "$work/err" "analyze eigen(h -> h) is asked for twice" "repeated analysis message"
expect 2 "analyze without a folder" "$rnnc" analyze
expect 2 "analyze of a folder that is not a run" "$rnnc" analyze "$work"
expect_line "$work/err" "is '$work' a results folder of rnnc run?" "analyze of a non-run message"
expect 0 "check a good model" "$rnnc" check "$model"
expect 0 "dump-ast" "$rnnc" dump-ast "$model"
expect_line "$work/out" "network 'FlipFlopNet'" "dump-ast shows the network"

# -D: a known setting or parameter is accepted; an unknown name is an error.
expect 0 "-D a setting" "$rnnc" check -D epochs=2 -D FlipFlopNet.n=50 "$model"
expect 1 "-D an unknown name" "$rnnc" check -D epochz=2 "$model"
expect_line "$work/err" "-D epochz: no parameter or setting is named 'epochz'" "-D unknown message"
expect_line "$work/err" "did you mean 'epochs'?" "-D suggestion"
expect 1 "-D a value of the wrong unit" "$rnnc" check -D TanhRate.tau=3mV "$model"

# A short training (the full one takes minutes): see tests/train_test.sh.
short="-D epochs=1 -D samples=32 -D batch=16 -D trials=16"

# run: the folder appears complete, replaces an older one, and a bad model
# leaves nothing behind.
expect 0 "run" "$rnnc" run "$model" $short --out "$work/run" --seed 7
[ -f "$work/run/summary.json" ] && passes=$((passes + 1)) || { echo "FAIL: no summary.json"; failures=$((failures + 1)); }
expect_line "$work/run/summary.json" '"seed": 7' "summary has the seed"
expect_line "$work/run/summary.json" '"model": "flipflop3"' "summary has the model"
expect 0 "run again into the same folder" "$rnnc" run "$model" $short --out "$work/run" --seed 8
expect_line "$work/run/summary.json" '"seed": 8' "the second run replaced the first"
# --out never deletes a folder rnnc did not write; a --out that cannot be used is bad usage (2), refused before training.
mkdir -p "$work/precious/sub" && echo data > "$work/precious/thesis.tex"
expect 2 "run into someone's folder" "$rnnc" run "$model" $short --out "$work/precious"
expect_line "$work/err" "exists and is not an rnnc results folder" "refusal message"
[ -f "$work/precious/thesis.tex" ] && [ -d "$work/precious/sub" ] && passes=$((passes + 1)) || { echo "FAIL: --out deleted a user's files"; failures=$((failures + 1)); }

# -D settings are applied: they reach the seed and the summary.
expect 0 "run with -D settings" "$rnnc" run "$model" -D samples=32 -D batch=16 -D trials=16 --out "$work/drun" -D seed=9 -D epochs=2
expect_line "$work/drun/summary.json" '"seed": 9' "-D seed sets the seed"
expect_line "$work/drun/summary.json" '"epochs": "2"' "-D epochs reaches the summary"

printf 'network N {\n  pop h : Nope[3]\n}\n' > "$work/bad.rnn"
expect 1 "run a bad model" "$rnnc" run "$work/bad.rnn" --out "$work/badrun"
[ ! -e "$work/badrun" ] && passes=$((passes + 1)) || { echo "FAIL: a failed run left a folder"; failures=$((failures + 1)); }
leftovers=$(ls -a "$work" | grep -c 'partial\|\.old-' || true)
[ "$leftovers" -eq 0 ] && passes=$((passes + 1)) || { echo "FAIL: partial folders left behind"; failures=$((failures + 1)); }

# 'trials' is honoured, or the rounding said (issue 17). An evaluation
# without a batch runs exactly its trials: 5 as one batch of 5, 100 as four
# of 25 (batches of at most 32, the default). Where whole batches cannot
# add up to it (trials 5 with batch 4), it is rounded up to 8 and a
# warning gives both numbers; check still succeeds (exit 0).
cat > "$work/trials.rnn" <<'EOF'
import neurons.rate

task Flat {
  input  x
  target y
  duration 5
  x = 1
  y = 0
}

network Net {
  input   x
  pop     h : TanhRate[4]
  readout y : Linear[1]
  connect x -> h : all_to_all
  connect h -> y : all_to_all
}

evaluate Net on Flat { trials 5 }
record h.r
EOF
expect 0 "evaluate 5 trials" "$rnnc" run "$work/trials.rnn" --out "$work/trials5"
expect_line "$work/trials5/summary.json" '"eval_trials": 5,' "trials 5 without a batch: exactly 5"
expect_line "$work/trials5/summary.json" '"batch": 5,' "... in one batch of 5"
[ ! -s "$work/err" ] && passes=$((passes + 1)) || { echo "FAIL: warned on trials run exactly:"; cat "$work/err"; failures=$((failures + 1)); }
expect 0 "evaluate 100 trials" "$rnnc" run "$work/trials.rnn" -D trials=100 --out "$work/trials100"
expect_line "$work/trials100/summary.json" '"eval_trials": 100,' "trials 100 without a batch: exactly 100"
expect_line "$work/trials100/summary.json" '"batch": 25,' "... in four batches of 25"
expect 0 "check trials 5 with batch 4" "$rnnc" check "$work/trials.rnn" -D batch=4
expect_line "$work/err" "warning: 'trials 5' is rounded up to 8 evaluation trials, whole batches of 4" \
  "a rounded trials says so with both numbers"

finish
