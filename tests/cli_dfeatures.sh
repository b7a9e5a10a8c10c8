#!/usr/bin/env bash
# cli_dfeatures.sh — `clgan train-dfeatures` end to end on the built-in
# synthetic data: a tiny GAN, a linear and an MLP head with --json (test
# accuracy far above chance), --labels, --pool, the saved head (--out) used
# by eval and predict, and clear errors with non-zero exits for bad input
# (including a head whose GAN file moved or changed).
# usage: cli_dfeatures.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

"$clgan" train-gan --data synthetic --width 8 --nz 16 --batch 16 --limit 256 --steps 16 --seed 3 --out "$work/gan" >/dev/null 2>>"$clgan_log"
expect "a tiny GAN to take D from" test -s "$work/gan/checkpoint.ckpt"
ck=$work/gan/checkpoint.ckpt

"$clgan" train-dfeatures --checkpoint "$ck" --data synthetic --limit 400 --epochs 30 --lr 3e-3 --out "$work/head" --json \
    >"$work/json" 2>"$work/err"; rc=$?
expect "linear head exits 0 (rc=$rc)" test $rc = 0
expect "--json is one line" test "$(wc -l <"$work/json")" = 1
acc=$(sed 's/.*"test_accuracy": \([^,]*\),.*/\1/' "$work/json")
expect "linear head: test accuracy $acc > 0.4 (chance 0.1)" awk -v a="$acc" 'BEGIN { exit !(a > 0.4) }'
expect "report printed: recall and confusion" grep -q "recall %" "$work/err"
expect "--json has recall, confusion and the checkpoint" grep -q '"recall": \[.*"confusion": \[\[.*"checkpoint": ' "$work/json"
expect "--out: checkpoint.ckpt and confusion.png" test -s "$work/head/checkpoint.ckpt" -a -s "$work/head/confusion.png"

# The saved head: eval gives the training run's test accuracy; predict names a class.
"$clgan" eval --checkpoint "$work/head/checkpoint.ckpt" --data synthetic --json >"$work/eval.json" 2>"$work/err"; rc=$?
acc_eval=$(sed 's/.*"accuracy": \([0-9.]*\).*/\1/' "$work/eval.json")
expect "eval on the head (rc=$rc): accuracy $acc_eval = the run's $acc" test $rc = 0 -a "$acc_eval" = "$acc"
expect "eval --json: kind clgan-dfeatures, class names" grep -q '"kind": "clgan-dfeatures".*"classes": \["disc"' "$work/eval.json"
"$clgan" predict --checkpoint "$work/head/checkpoint.ckpt" "$work/head/confusion.png" >"$work/pred.txt" 2>"$work/err"; rc=$?
expect "predict with the head: one named class (rc=$rc)" test $rc = 0 -a -n "$(grep -E 'png: [0-9] \([a-z_]+\) [01]\.[0-9]{4}$' "$work/pred.txt")"
"$clgan" score --checkpoint "$work/head/checkpoint.ckpt" --samples synthetic 2>"$work/err"; rc=$?
expect "score refuses a head: rc 1, says what it takes (rc=$rc)" \
    test $rc = 1 -a -n "$(grep "train-dfeatures head; score takes a train-classifier or train-ssl" "$work/err")"
"$clgan" train-dfeatures --checkpoint "$ck" --data synthetic --limit 100 --epochs 1 --out "$work/head" 2>"$work/err"; rc=$?
expect "--out holding a checkpoint refused: rc 1 (rc=$rc)" test $rc = 1 -a -n "$(grep "already holds" "$work/err")"

"$clgan" train-dfeatures --checkpoint "$ck" --data synthetic --labels 100 --hidden 32 --pool avg,full --json >"$work/json" 2>"$work/err"; rc=$?
expect "MLP head with --labels 100 and --pool avg,full exits 0 (rc=$rc)" test $rc = 0
expect "--labels 100: 100 training images, 16 + 16x7x7 = 800 features" grep -q '"features": 800, "hidden": 32, "labels": 100, "train_images": 100' "$work/json"

"$clgan" train-dfeatures --data synthetic 2>"$work/err"; rc=$?
expect "missing --checkpoint: exit 2 with a message (rc=$rc)" test $rc = 2 -a -s "$work/err"
"$clgan" train-dfeatures --checkpoint "$work/nope.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "missing checkpoint: exit 1 with a message (rc=$rc)" test $rc = 1 -a -s "$work/err"
"$clgan" train-dfeatures --checkpoint "$ck" --data synthetic --pool median 2>"$work/err"; rc=$?
expect "bad --pool: exit 2 (rc=$rc)" test $rc = 2 && grep -q "avg, max, grid" "$work/err"

# The head refers to its GAN file: moved or changed, eval says so.
mv "$ck" "$ck.moved"
"$clgan" eval --checkpoint "$work/head/checkpoint.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "GAN file moved: rc 1, 'does not copy' (rc=$rc)" test $rc = 1 -a -n "$(grep "does not copy" "$work/err")"
cp "$ck.moved" "$ck" && printf x >>"$ck"
"$clgan" eval --checkpoint "$work/head/checkpoint.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "GAN file changed: rc 1, 'has changed' (rc=$rc)" test $rc = 1 -a -n "$(grep "has changed" "$work/err")"
"$clgan" eval --checkpoint "$ck.moved" --data synthetic 2>"$work/err"; rc=$?
expect "a GAN checkpoint given to eval: rc 1, 'not a classifier checkpoint'" test $rc = 1 -a -n "$(grep "not a classifier checkpoint" "$work/err")"

# An image folder (resized to the GAN's 28x28): --test-percent and --skip-unreadable.
image_folder "$work/abc" a b c
echo "not an image" >"$work/abc/b/broken.png"
"$clgan" train-dfeatures --checkpoint "$ck.moved" --data "$work/abc" --epochs 2 --test-percent 50 2>"$work/err"; rc=$?
expect "image folder with an undecodable file: rc 1, names it (rc=$rc)" test $rc = 1 -a -n "$(grep -F broken.png "$work/err")"
"$clgan" train-dfeatures --checkpoint "$ck.moved" --data "$work/abc" --epochs 2 --test-percent 50 --skip-unreadable --json >"$work/json" 2>"$work/err"; rc=$?
expect "--skip-unreadable: runs and says it skipped 1 image (rc=$rc)" test $rc = 0 -a -n "$(grep 'skipped 1 unreadable image' "$work/err")"
n=$(sed 's/.*"train_images": \([0-9]*\), "test_images": \([0-9]*\).*/\1 \2/' "$work/json")
expect "--test-percent 50: both splits hold about half of the 60 images ($n)" awk -v a="${n% *}" -v b="${n#* }" 'BEGIN { exit !(a + b == 60 && a > 15 && b > 15) }'
"$clgan" train-dfeatures --help | grep -q "without train/ and test/"
expect "--help describes the split of an image folder" test $? = 0

finish
