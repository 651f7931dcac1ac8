#!/bin/sh
# eprop_online_test.sh RNNC SRC
# Online e-prop, 'update_every' (issue 15), on tests/data/eprop_online/online.rnn:
#  - update_every equal to the sequence (200 steps) is today's e-prop bit for
#    bit: one segment, the whole sequence's gradient, one step;
#  - with the loss counted on the first 100 steps only, update_every 100 ends
#    with the same weights bit for bit as one update per sequence: the first
#    segment's gradient is the whole gradient there (the learning signal is 0
#    after step 100, and e-prop's backward filter is per neuron), and the
#    second segment's is 0, so its SGD step changes nothing. This checks that
#    a segment's gradient is its own steps' sum of learning signal times
#    eligibility trace, the traces carried from the sequence's start;
#  - update_every 100 on the whole loss changes the weights mid-sequence:
#    its final weights differ;
#  - update_every with BPTT or a rate regulariser is a located error (golden
#    tests in tests/errors/).
set -u
rnnc=$1 src=$2
. "$src/tests/expect.sh"
m=$src/tests/data/eprop_online/online.rnn
export NO_COLOR=1
expect 0 "e-prop, once per sequence" "$rnnc" run "$m" --out "$work/ref"
expect 0 "update_every 200" "$rnnc" run "$m" -D update_every=200 --out "$work/k200"
expect 0 "update_every 100" "$rnnc" run "$m" -D update_every=100 --out "$work/k100"
expect 0 "loss on 100 steps, once per sequence" "$rnnc" run "$m" -D counted=100 -D iterations=1 --out "$work/mref"
expect 0 "loss on 100 steps, update_every 100" "$rnnc" run "$m" -D counted=100 -D iterations=1 -D update_every=100 \
  --out "$work/m100"
for w in x_h h_h h_y; do
  expect 0 "update_every = the sequence: weights_final_$w.npy bit for bit" cmp "$work/ref/weights_final_$w.npy" \
    "$work/k200/weights_final_$w.npy"
  expect 0 "a segment's gradient is its own: weights_final_$w.npy bit for bit" cmp "$work/mref/weights_final_$w.npy" \
    "$work/m100/weights_final_$w.npy"
done
cut -d, -f1-4 "$work/ref/loss.csv" > "$work/a"
cut -d, -f1-4 "$work/k200/loss.csv" > "$work/b"
expect 0 "update_every = the sequence: the same losses and gradient norms" cmp "$work/a" "$work/b"
expect 1 "update_every 100 changes the weights mid-sequence" cmp -s "$work/ref/weights_final_h_h.npy" \
  "$work/k100/weights_final_h_h.npy"
finish
