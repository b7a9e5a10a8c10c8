#!/usr/bin/env bash
# cli_ssl.sh — `clgan train-ssl` end to end on the built-in synthetic data:
# a short run with --json (test accuracy above chance, outputs written),
# resume to more steps, eval, predict and score on its checkpoint, the
# supervised-only ablation (--unlabelled-weight 0), --spectral-norm (ssl32
# runs, ssl28's weight-normalised D refuses it), Ctrl-C, and clear errors with
# non-zero exits for bad input.
# usage: cli_ssl.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

small=(--data synthetic --limit 512 --width 8 --batch 16 --lr 2e-3 --labels 40 --seed 2)

"$clgan" train-ssl "${small[@]}" --steps 64 --out "$work/a" --json >"$work/json" 2>"$work/err"; rc=$?
expect "train-ssl exits 0 (rc=$rc)" test $rc = 0
expect "--json is one line" test "$(wc -l <"$work/json")" = 1
acc=$(sed 's/.*"test_accuracy": \([^,]*\),.*/\1/' "$work/json")
expect "64 steps, 40 labels: test accuracy $acc > 0.2 (chance 0.1)" awk -v a="$acc" 'BEGIN { exit !(a > 0.2) }'
expect "--json has labels, steps, recall and confusion" grep -q '"labels": 40, "steps": 64.*"recall": \[.*"confusion": \[\[' "$work/json"
expect "checkpoint, log, confusion and sample PNGs written" test -s "$work/a/checkpoint.ckpt" -a -s "$work/a/log.csv" \
    -a -s "$work/a/confusion/epoch-0002.png" -a -s "$work/a/samples/epoch-0002.png"
expect "log has a header and 64 rows" test "$(wc -l <"$work/a/log.csv")" = 65
expect "report printed: recall and confusion" grep -q "recall %" "$work/err"

"$clgan" train-ssl --data synthetic --steps 80 --out "$work/a" --resume --json >"$work/json" 2>"$work/err"; rc=$?
expect "resume to 80 steps exits 0 (rc=$rc) and reaches step 80" test $rc = 0 -a -n "$(grep '"steps": 80' "$work/json")"
expect "resume keeps the labelled subset (40)" grep -q '"labels": 40' "$work/json"

# eval and predict take a train-ssl checkpoint: the same accuracy as the run's last report, its class names.
acc_train=$(sed 's/.*"test_accuracy": \([^,]*\),.*/\1/' "$work/json")
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data synthetic --json >"$work/eval.json" 2>"$work/err"; rc=$?
acc_eval=$(sed 's/.*"accuracy": \([0-9.]*\).*/\1/' "$work/eval.json")
expect "eval on the train-ssl checkpoint (rc=$rc): accuracy $acc_eval = the run's final $acc_train" \
    test $rc = 0 -a "$acc_eval" = "$acc_train"
expect "eval --json: kind clgan-ssl, model ssl28, step 80, the data's class names" \
    grep -q '"kind": "clgan-ssl", .*"model": "ssl28", "step": 80.*"classes": \["disc", "ring"' "$work/eval.json"
"$clgan" predict --checkpoint "$work/a/checkpoint.ckpt" --top 2 "$work/a/samples/epoch-0002.png" >"$work/pred.txt" \
    2>"$work/err"; rc=$?
expect "predict with the train-ssl checkpoint: two named classes (rc=$rc)" \
    test $rc = 0 -a "$(grep -oE '[0-9] \([a-z_]+\) [01]\.[0-9]{4}' "$work/pred.txt" | wc -l)" = 2
# score takes it too: its discriminator's features and K-class probabilities. The share of the first 128 test
# images classified as their own label must be eval's accuracy on the same 128 images.
"$clgan" score --checkpoint "$work/a/checkpoint.ckpt" --samples synthetic --real synthetic --limit 128 --json \
    >"$work/score.json" 2>"$work/err"; rc=$?
cacc=$(sed 's/.*"conditional_accuracy": \([^}]*\)}.*/\1/' "$work/score.json")
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data synthetic --limit 128 --json >"$work/eval128.json" 2>>"$work/err"
acc128=$(sed 's/.*"accuracy": \([0-9.]*\).*/\1/' "$work/eval128.json")
expect "score with the train-ssl checkpoint (rc=$rc): conditional accuracy $cacc = eval's $acc128 on those images" \
    awk -v r="$rc" -v a="$cacc" -v b="$acc128" 'BEGIN { exit !(r == 0 && a != "" && a + 0 == b + 0) }'
expect "score: FD 0 for the same images, 62 features (the last hidden layer at --width 8)" \
    grep -q '"features": 62, "fd": 0,' "$work/score.json"
"$clgan" score --checkpoint "$work/a/checkpoint.ckpt" --real synthetic --degrade-demo --limit 128 --json >"$work/demo" \
    2>"$work/err"; rc=$?
fds=$(grep -o '"fd": [0-9.e+-]*' "$work/demo" | awk '{print $2}' | tr '\n' ' ')
expect "score --degrade-demo with it (rc=$rc): FD 0 at sigma 0, rising with sigma ($fds)" \
  awk -v r="$rc" -v s="$fds" 'BEGIN { n = split(s, f, " "); if (r != 0 || n != 5 || f[1] != 0) exit 1; for (i = 2; i <= n; i++) if (!(f[i] > f[i-1])) exit 1 }'
"$clgan" train-ssl --data synthetic --labels 30 --steps 90 --out "$work/a" --resume 2>"$work/err"; rc=$?
expect "resume with another --labels refused: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep differs "$work/err")"
"$clgan" train-ssl --data synthetic --unlabelled-weight 0 --steps 90 --out "$work/a" --resume 2>"$work/err"; rc=$?
expect "resume with another --unlabelled-weight refused: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep differs "$work/err")"

"$clgan" train-ssl "${small[@]}" --steps 32 --unlabelled-weight 0 --out "$work/sup" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "--unlabelled-weight 0 (supervised only) exits 0 (rc=$rc)" test $rc = 0
expect "supervised only: unlabelled loss reported as null" grep -q '"loss_unlabelled": null' "$work/json"

"$clgan" train-ssl "${small[@]}" --steps 64 --decay-from 1 --out "$work/decay" 2>>"$clgan_log"; rc=$?
lr_first=$(sed -n 2p "$work/decay/log.csv" | cut -d, -f10)
lr_last=$(tail -1 "$work/decay/log.csv" | cut -d, -f10)
expect "--decay-from 1 (rc=$rc): lr $lr_first until epoch 1, then linearly to $lr_last at step 64" \
    awk -v a="$lr_first" -v b="$lr_last" 'BEGIN { exit !(a == 0.002 && b > 0 && b < 0.0001) }'
"$clgan" train-ssl --data synthetic --steps 80 --out "$work/decay" --resume 2>"$work/err"; rc=$?
expect "resume past the end of the lr decay refused: rc 1 (rc=$rc)" test $rc = 1 -a -n "$(grep "decays to 0" "$work/err")"
"$clgan" train-ssl --data synthetic --model ssl32 --limit 256 --width 8 --batch 16 --labels 20 --steps 8 \
    --out "$work/rgb" --json >"$work/json" 2>"$work/err"; rc=$?
expect "ssl32 (conv D) on synthetic converted to 32x32x3: rc 0 (rc=$rc)" test $rc = 0 -a -n "$(grep '"model": "ssl32"' "$work/json")"
"$clgan" train-ssl --data synthetic --model ssl32 --limit 256 --width 8 --batch 16 --labels 20 --steps 4 \
    --spectral-norm --out "$work/rgb-sn" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "ssl32 with --spectral-norm: rc 0 (rc=$rc)" test $rc = 0 -a -n "$(grep '"steps": 4' "$work/json")"
"$clgan" train-ssl "${small[@]}" --steps 2 --spectral-norm --out "$work/wn-sn" 2>"$work/err"; rc=$?
expect "ssl28 (weight-normalised D) with --spectral-norm refused: rc 1 (rc=$rc)" test $rc = 1 -a -n "$(grep 'cannot also be spectral-normalised' "$work/err")"

"$clgan" train-ssl --data synthetic --model ssl32 --limit 256 --width 8 --batch 16 --labels 20 --steps 4 \
    --diffaugment cutout,translation,color --out "$work/da" 2>"$work/err"; rc=$?
expect "--diffaugment on ssl32 runs (rc=$rc), D's layout starts with it" test $rc = 0 -a \
    "$(grep -a -A1 '^diffaugment ' "$work/da/checkpoint.ckpt" | tr -s ' ' | cut -d' ' -f1,2 | tr '\n' ' ')" = "diffaugment [3,32,32] dropout [3,32,32] "
"$clgan" train-ssl --data synthetic --model ssl32 --diffaugment cutout --steps 8 --out "$work/da" --resume 2>"$work/err"; rc=$?
expect "resume with another --diffaugment refused: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--diffaugment differs' "$work/err")"

signal_run INT 'log_rows_over "$work/int" 3' "$clgan" train-ssl "${small[@]}" --steps 100000 --out "$work/int" 2>"$work/int.log"
expect "SIGINT: exit 130 (rc=$rc) with a checkpoint" test $rc = 130 -a -s "$work/int/checkpoint.ckpt"

bad_data_and_batch train-ssl
"$clgan" train-ssl --labels 10 2>"$work/err"; rc=$?
expect "missing --data: rc 2 with a message (rc=$rc)" test $rc = 2 -a -s "$work/err"
"$clgan" train-ssl --data synthetic --model ssl99 --out "$work/b" 2>"$work/err"; rc=$?
expect "unknown model: a usage error, rc 2, names listed (rc=$rc)" test $rc = 2 -a -n "$(grep ssl28 "$work/err")"
"$clgan" train-ssl --data synthetic --labels 0 2>"$work/err"; rc=$?
expect "--labels 0: rc 2 (rc=$rc)" test $rc = 2
"$clgan" train-ssl "${small[@]}" --out "$work/a" 2>"$work/err"; rc=$?
expect "new run into a folder with a checkpoint refused: rc 1 (rc=$rc)" test $rc = 1 -a -s "$work/err"
"$clgan" train-ssl --data synthetic --out "$work/none" --resume 2>"$work/err"; rc=$?
expect "--resume without a checkpoint: rc 1 (rc=$rc)" test $rc = 1 -a -s "$work/err"
"$clgan" train-ssl --help >"$work/help"; rc=$?
expect "--help: rc 0, mentions feature matching" test $rc = 0 -a -n "$(grep "feature matching" "$work/help")"

# An image folder: --test-percent, --skip-unreadable, and class names checked on --resume.
image_folder "$work/abc" a b c
image_folder "$work/xyz" x y z
echo "not an image" >"$work/abc/b/broken.png"
f=(--width 4 --batch 4 --labels 6 --steps 1)
"$clgan" train-ssl --data "$work/abc" "${f[@]}" --test-percent 50 --out "$work/fb" 2>"$work/err"; rc=$?
expect "image folder with an undecodable file: rc 1, names it (rc=$rc)" test $rc = 1 -a -n "$(grep -F broken.png "$work/err")"
"$clgan" train-ssl --data "$work/abc" "${f[@]}" --test-percent 50 --skip-unreadable --out "$work/fb" --json >"$work/json" 2>"$work/err"; rc=$?
expect "--skip-unreadable: runs and says it skipped 1 image (rc=$rc)" test $rc = 0 -a -n "$(grep 'skipped 1 unreadable image' "$work/err")"
n=$(sed 's/.*"train_images": \([0-9]*\), "test_images": \([0-9]*\).*/\1 \2/' "$work/json")
expect "--test-percent 50: both splits hold about half of the 60 images ($n)" awk -v a="${n% *}" -v b="${n#* }" 'BEGIN { exit !(a + b == 60 && a > 15 && b > 15) }'
"$clgan" train-ssl --data "$work/abc" --steps 2 --test-percent 10 --skip-unreadable --out "$work/fb" --resume 2>"$work/err"; rc=$?
expect "resume with another --test-percent: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--test-percent 10 differs' "$work/err")"
"$clgan" train-ssl --data "$work/xyz" --steps 2 --out "$work/fb" --resume 2>"$work/err"; rc=$?
expect "resume on data whose classes have other names: rc 1, both lists (rc=$rc)" test $rc = 1 -a -n "$(grep "checkpoint: 'a', 'b', 'c'" "$work/err")" -a -n "$(grep "data: *'x', 'y', 'z'" "$work/err")"
"$clgan" train-ssl --help | grep -q "without train/ and test/"
expect "--help describes the split of an image folder" test $? = 0

finish
