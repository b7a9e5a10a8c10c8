#!/usr/bin/env bash
# cli_score.sh — `clgan score` end to end on the built-in synthetic data:
# plain and --json reports, FD skipped without --real and 0 for a set
# against itself, --label-file read from an IDX file, unlabelled IDX samples,
# --degrade-demo's FD rising
# with the noise, and clear errors with non-zero exits for bad input.
# usage: cli_score.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

"$clgan" train-classifier --data synthetic --width 4 --batch 16 --limit 64 --steps 8 --seed 3 --out "$work/clf" >/dev/null 2>>"$clgan_log"
expect "a small classifier to score with" test -s "$work/clf/checkpoint.ckpt"
ck=$work/clf/checkpoint.ckpt

"$clgan" score --checkpoint "$ck" --samples synthetic --limit 64 >"$work/out" 2>"$work/err"; rc=$?
expect "score without --real exits 0 (rc=$rc)" test $rc = 0
expect "FD skipped with a note without --real" grep -q "Frechet distance: skipped" "$work/out"
expect "IS-style number, shares, coverage printed" grep -q "Inception-Score-style" "$work/out"
expect "coverage line" grep -q "classes with >= 1% of the samples: [0-9]*/10" "$work/out"

"$clgan" score --checkpoint "$ck" --samples synthetic --real synthetic --limit 64 --json >"$work/json" 2>"$work/err"; rc=$?
expect "--json exits 0 (rc=$rc)" test $rc = 0
expect "--json is one line" test "$(wc -l <"$work/json")" = 1
expect "a set against itself: FD 0" grep -q '"fd": 0,' "$work/json"
expect "--json has shares and coverage" grep -q '"coverage": [0-9]*, "classes": 10, "shares": \[' "$work/json"

# --label-file: every intended label 0 -> conditional accuracy = share of class 0.
python3 - "$work/lab" <<'PY' || bad "writing an IDX labels file"
import struct, sys
open(sys.argv[1], "wb").write(struct.pack(">II", 0x801, 64) + bytes(64))
PY
"$clgan" score --checkpoint "$ck" --samples synthetic --limit 64 --label-file "$work/lab" --json >"$work/json" 2>"$work/err"; rc=$?
share0=$(sed 's/.*"shares": \[\([^,]*\),.*/\1/' "$work/json")
cacc=$(sed 's/.*"conditional_accuracy": \([^}]*\)}.*/\1/' "$work/json")
expect "--label-file: conditional accuracy equals class 0's share ($cacc vs $share0)" test "$rc" = 0 -a "$cacc" = "$share0"

# Unconditional samples: an IDX images file with no labels file beside it (what `clgan sample` writes for an
# unconditional GAN) is scored without conditional accuracy.
python3 - "$work/u-images-idx3-ubyte" <<'PY' || bad "writing an IDX images file"
import struct, sys, random
random.seed(1)
open(sys.argv[1], "wb").write(struct.pack(">IIII", 0x803, 20, 28, 28) + bytes(random.randrange(256) for _ in range(20 * 784)))
PY
"$clgan" score --checkpoint "$ck" --samples "$work/u-images-idx3-ubyte" --real synthetic --json >"$work/json" \
    2>"$work/err"; rc=$?
expect "unlabelled IDX samples scored (rc=$rc): 20 images, conditional accuracy null" \
    grep -q '"n": 20, .*"conditional_accuracy": null}' "$work/json"

"$clgan" score --checkpoint "$ck" --real synthetic --degrade-demo --limit 128 --json >"$work/demo" 2>"$work/err"; rc=$?
expect "--degrade-demo exits 0 (rc=$rc)" test $rc = 0
fds=$(grep -o '"fd": [0-9.e+-]*' "$work/demo" | awk '{print $2}' | tr '\n' ' ')
expect "--degrade-demo: FD 0 at sigma 0, rising with sigma ($fds)" \
  awk -v s="$fds" 'BEGIN { n = split(s, f, " "); if (n != 5 || f[1] != 0) exit 1; for (i = 2; i <= n; i++) if (!(f[i] > f[i-1])) exit 1 }'

"$clgan" score --checkpoint "$ck" 2>"$work/err"; rc=$?
expect "no --samples: exit 2 with a message (rc=$rc)" test $rc = 2 -a -s "$work/err"
"$clgan" score --checkpoint "$ck" --degrade-demo 2>"$work/err"; rc=$?
expect "--degrade-demo without --real: exit 2" test $rc = 2
"$clgan" score --checkpoint "$work/nope.ckpt" --samples synthetic 2>"$work/err"; rc=$?
expect "a missing checkpoint: exit 1 with a message (rc=$rc)" test $rc = 1 -a -s "$work/err"
"$clgan" score --checkpoint "$ck" --samples "$work/missing-images-idx3-ubyte" 2>"$work/err"; rc=$?
expect "missing samples: exit 1 naming --samples" grep -q -- "--samples" "$work/err"
"$clgan" score --checkpoint "$ck" --samples synthetic --label-file "$ck" 2>"$work/err"; rc=$?
expect "a --label-file file that is not IDX labels: exit 1 (rc=$rc)" test $rc = 1 -a -s "$work/err"

finish
