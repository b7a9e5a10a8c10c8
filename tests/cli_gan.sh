#!/usr/bin/env bash
# cli_gan.sh — the train-gan and sample commands end to end on the built-in
# synthetic data: files written, --json, resume, Ctrl-C, determinism of
# sample, and clear errors with non-zero exits for bad input.
# usage: cli_gan.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

small=(--data synthetic --width 8 --nz 16 --batch 16 --limit 64 --seed 3)

# 1. A short conditional run: every artefact, and one JSON line.
out=$work/run
"$clgan" train-gan "${small[@]}" --conditional --steps 6 --out "$out" --json >"$work/json" 2>"$work/log"
rc=$?
expect "train-gan exits 0 (rc=$rc)" test $rc = 0
expect "checkpoint written" test -s "$out/checkpoint.ckpt"
expect "sample grid per epoch (4 steps/epoch: epochs 1 and 2)" test -s "$out/samples/epoch-0001.png" -a -s "$out/samples/epoch-0002.png"
expect "loss curve written" test -s "$out/loss.png"
expect "log.csv has a header and 6 rows" test "$(wc -l <"$out/log.csv")" = 7
expect "--json prints one summary line with the step count" grep -q '"steps": 6' "$work/json"
expect "plain progress lines when stderr is not a terminal" grep -q "epoch 1/2 step" "$work/log"

# 2. Refuses to overwrite a run; resume continues it.
"$clgan" train-gan "${small[@]}" --conditional --steps 6 --out "$out" 2>"$work/err"
expect "a second run into the same --out is refused (rc=$?)" grep -q "already holds a run" "$work/err"
"$clgan" train-gan "${small[@]}" --conditional --width 16 --steps 8 --out "$out" --resume 2>"$work/err"
expect "resume with a different --width is refused" grep -q -- "--width differs" "$work/err"
"$clgan" train-gan --data synthetic --steps 9 --lr 0.01 --out "$out" --resume --json >"$work/json" 2>"$work/err"
expect "a training setting given on resume is reported as ignored" grep -q -- "--lr is ignored when resuming" "$work/err"
expect "resume continues to step 9" grep -q '"steps": 9' "$work/json"
expect "log.csv holds steps 1..9 once each" test "$(cut -d, -f1 "$out/log.csv" | tail -n +2 | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 "

# 3. sample: PNG, IDX with labels, same seed → same bytes, class choice.
ck=$out/checkpoint.ckpt
"$clgan" sample --checkpoint "$ck" --n 20 --seed 4 --out "$work/a.png" 2>>"$clgan_log"
"$clgan" sample --checkpoint "$ck" --n 20 --seed 4 --out "$work/b.png" 2>>"$clgan_log"
expect "sample PNG is deterministic" cmp -s "$work/a.png" "$work/b.png"
"$clgan" sample --checkpoint "$ck" --n 30 --class 3 --out "$work/s-images-idx3-ubyte" 2>>"$clgan_log"
expect "IDX images: 16-byte header + 30*28*28 bytes" test "$(stat -c %s "$work/s-images-idx3-ubyte")" = $((16 + 30 * 784))
expect "IDX labels file beside it, all class 3" test "$(tail -c 30 "$work/s-labels-idx1-ubyte" | od -An -tu1 | tr -s ' \n' ' ')" = " $(printf '3 %.0s' $(seq 30))"
"$clgan" sample --checkpoint "$ck" --n 5 --class 99 --out "$work/x.png" 2>"$work/err"
expect "out-of-range --class refused" grep -q "out of range" "$work/err"

# 4. Bad input: clear messages, non-zero exits, nothing written.
"$clgan" train-gan --data synthetic --batch zero --out "$work/r2" 2>"$work/err"; rc=$?
expect "bad --batch value: rc 2 and a message" test $rc = 2 -a -n "$(grep -- '--batch expects' "$work/err")"
"$clgan" train-gan --data "$work/nothing-here" --out "$work/r3" 2>"$work/err"; rc=$?
expect "missing dataset: rc 1 and the path in the message" test $rc = 1 -a -n "$(grep -F "$work/nothing-here" "$work/err")"
"$clgan" train-gan --data synthetic --model dcgan99 --out "$work/r4" 2>"$work/err"; rc=$?
expect "unknown model lists the models" grep -q "dcgan28" "$work/err"
"$clgan" train-gan --data synthetic --out "$work/r5" --bogus 2>"$work/err"; rc=$?
expect "unknown option: rc 2" test $rc = 2
head -c 1000 "$ck" >"$work/cut.ckpt"
"$clgan" sample --checkpoint "$work/cut.ckpt" --out "$work/c.png" 2>"$work/err"; rc=$?
expect "truncated checkpoint: rc 1, says truncated" test $rc = 1 -a -n "$(grep truncated "$work/err")"
"$clgan" sample --checkpoint "$ck" --out "$work/c.jpg" 2>"$work/err"; rc=$?
expect "unsupported sample format refused" test $rc = 2

# 5. Ctrl-C finishes the step, writes a checkpoint, exits 130; resume works.
out2=$work/int
"$clgan" train-gan "${small[@]}" --steps 100000 --out "$out2" 2>"$work/int.log" &
pid=$!
for _ in $(seq 300); do
    [ -s "$out2/log.csv" ] && [ "$(wc -l <"$out2/log.csv")" -gt 3 ] && break
    sleep 0.1
done
kill -INT $pid
wait $pid; rc=$?
expect "SIGINT: exit 130 (rc=$rc)" test $rc = 130
expect "SIGINT: says where the checkpoint is" grep -q "checkpoint written to" "$work/int.log"
"$clgan" train-gan --data synthetic --steps 12 --out "$out2" --resume --json >"$work/json" 2>>"$clgan_log"
expect "resume after SIGINT reaches step 12" grep -q '"steps": 12' "$work/json"

# --profile: the report on stderr, and the table in the --json line.
"$clgan" train-gan "${small[@]}" --steps 4 --out "$work/prof" --profile 2>"$work/err" >/dev/null
expect "--profile prints a per-layer table" grep -q "^D.0 conv2d backward" "$work/err"
expect "--profile prints a per-kernel table with the GEMMs" grep -q "^gemm " "$work/err"
expect "--profile leaves out the warm-up step" grep -q "^profile: 3 steps" "$work/err"
"$clgan" train-gan "${small[@]}" --steps 3 --out "$work/prof2" --profile --json >"$work/json" 2>>"$clgan_log"
expect "--profile --json: the profile object in the summary line" /usr/bin/python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
p = d["profile"]
assert p["steps"] == 2 and 0 < p["gemm_share"] <= 1 and p["total_ms"] > 0
assert any(s["scope"].startswith("G.") for s in p["scopes"]) and any(k["kernel"] == "gemm" for k in p["kernels"])
' "$work/json"

finish
