#!/usr/bin/env bash
# cli_classifier.sh — train-classifier, eval and predict end to end on the
# built-in synthetic data: files written, --json, per-epoch report, resume,
# Ctrl-C, --labels / --imbalance, vgg32 on converted data, and clear errors
# with non-zero exits for bad input.
# usage: cli_classifier.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

small=(--data synthetic --width 4 --batch 16 --limit 64 --seed 3)

# 1. A short run: every artefact, the per-epoch report, one JSON line.
out=$work/run
"$clgan" train-classifier "${small[@]}" --augment --steps 6 --out "$out" --json >"$work/json" 2>"$work/log"
rc=$?
expect "train-classifier exits 0 (rc=$rc)" test $rc = 0
expect "checkpoint written" test -s "$out/checkpoint.ckpt"
expect "confusion heat map per epoch (4 steps/epoch: epochs 1 and 2)" test -s "$out/confusion/epoch-0001.png" -a -s "$out/confusion/epoch-0002.png"
expect "log.csv has a header and 6 rows" test "$(wc -l <"$out/log.csv")" = 7
expect "log.csv has the test accuracy at the epoch ends (steps 4 and 6)" test "$(awk -F, 'NR > 1 && $6 != "" {printf "%s ", $1}' "$out/log.csv")" = "4 6 "
expect "--json: one line with steps, test accuracy, recall and confusion" grep -q '"steps": 6, .*"test_accuracy": .*"recall": \[.*"confusion": \[\[' "$work/json"
expect "--json is one line" test "$(wc -l <"$work/json")" = 1
expect "per-epoch report: accuracy, recall, confusion matrix" grep -q "recall %" "$work/log"
expect "per-epoch report: the confusion matrix's rows" grep -q "confusion (rows: true class" "$work/log"
expect "plain progress lines when stderr is not a terminal" grep -q "epoch 1/2 step" "$work/log"

# 2. Refuses to overwrite a run; resume continues it; mismatches refused.
"$clgan" train-classifier "${small[@]}" --steps 6 --out "$out" 2>"$work/err"
expect "a second run into the same --out is refused" grep -q "already holds a run" "$work/err"
"$clgan" train-classifier "${small[@]}" --width 8 --steps 8 --out "$out" --resume 2>"$work/err"
expect "resume with a different --width is refused" grep -q -- "--width differs" "$work/err"
"$clgan" train-classifier "${small[@]}" --labels 20 --steps 8 --out "$out" --resume 2>"$work/err"; rc=$?
expect "resume with a different --labels is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--labels/--imbalance differ' "$work/err")"
"$clgan" train-classifier --data synthetic --limit 32 --steps 8 --out "$out" --resume 2>"$work/err"; rc=$?
expect "resume with a different --limit is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--limit 32 differs' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 9 --out "$out" --resume --json >"$work/json" 2>>"$clgan_log"
expect "resume continues to step 9 (limit taken from the checkpoint)" grep -q '"steps": 9, .*"train_images": 64' "$work/json"
"$clgan" train-classifier --data synthetic --lr 0.5 --steps 9 --out "$out" --resume 2>"$work/err" >/dev/null; rc=$?
expect "resume with --lr: rc 0, a warning that it is ignored (rc=$rc)" test $rc = 0 -a -n "$(grep -- '--lr is ignored when resuming' "$work/err")"
expect "log.csv holds steps 1..9 once each" test "$(cut -d, -f1 "$out/log.csv" | tail -n +2 | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 "
"$clgan" train-classifier --data synthetic --epochs 1 --out "$out" --resume --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "resume with nothing left to train still reports (rc=$rc)" grep -q '"steps": 9, .*"test_accuracy"' "$work/json"

# 3. eval: text, JSON, heat map; the numbers agree with the training run's last report.
ck=$out/checkpoint.ckpt
"$clgan" eval --checkpoint "$ck" --data synthetic >"$work/eval.txt" 2>&1; rc=$?
expect "eval exits 0 and prints accuracy and the matrix (rc=$rc)" test $rc = 0 -a -n "$(grep -E '^accuracy [0-9.]+%' "$work/eval.txt")" -a -n "$(grep 'confusion (rows' "$work/eval.txt")"
"$clgan" eval --checkpoint "$ck" --data synthetic --json --confusion-png "$work/cm.png" >"$work/eval.json" 2>>"$clgan_log"
expect "eval --json: accuracy, 500 test images, recall" grep -q '"accuracy": .*"images": 500, "recall": \[' "$work/eval.json"
expect "eval --confusion-png writes the heat map" test -s "$work/cm.png"
acc_train=$(sed 's/.*"test_accuracy": \([0-9.]*\).*/\1/' "$work/json")
acc_eval=$(sed 's/.*"accuracy": \([0-9.]*\).*/\1/' "$work/eval.json")
expect "eval's accuracy equals the training run's final test accuracy ($acc_eval vs $acc_train)" test "$acc_eval" = "$acc_train"
"$clgan" eval --checkpoint "$ck" --data synthetic --split train --limit 100 --json >"$work/eval2.json" 2>>"$clgan_log"
expect "eval --split train --limit 100" grep -q '"split": "train", .*"images": 100' "$work/eval2.json"

# 4. predict: PNG files (an RGB heat map is converted to the model's grey 28x28).
"$clgan" predict --checkpoint "$ck" "$work/cm.png" "$out/confusion/epoch-0001.png" >"$work/pred.txt" 2>"$work/err"; rc=$?
expect "predict prints 'file: class (name) probability' per image (rc=$rc)" test $rc = 0 -a "$(grep -cE '\.png: [0-9] \([a-z_]+\) [01]\.[0-9]{4}$' "$work/pred.txt")" = 2
"$clgan" predict --checkpoint "$ck" --json --top 3 "$work/cm.png" >"$work/pred.json" 2>>"$clgan_log"
expect "predict --json: class, probability and 10 probabilities" grep -qE '"predictions": \[\{"file": .*"class": [0-9], .*"probabilities": \[([^,]*, ){9}[^,]*\]' "$work/pred.json"
"$clgan" predict --checkpoint "$ck" --top 3 "$work/cm.png" >"$work/pred3.txt" 2>>"$clgan_log"
expect "predict --top 3 lists three classes" test "$(grep -oE '[0-9] \([a-z_]+\) [01]\.[0-9]{4}' "$work/pred3.txt" | wc -l)" = 3
echo "not an image" >"$work/fake.png"
"$clgan" predict --checkpoint "$ck" "$work/fake.png" 2>"$work/err"; rc=$?
expect "undecodable image: rc 1 and the file in the message" test $rc = 1 -a -n "$(grep -F "$work/fake.png" "$work/err")"
"$clgan" predict --checkpoint "$ck" "$work/missing.png" 2>"$work/err"; rc=$?
expect "missing image: rc 1, 'no such file'" test $rc = 1 -a -n "$(grep 'no such file or directory' "$work/err")"
"$clgan" predict --checkpoint "$ck" 2>"$work/err"; rc=$?
expect "predict without images: rc 2" test $rc = 2

# 5. Scenarios, and vgg32 on data converted to 32x32 RGB.
"$clgan" train-classifier --data synthetic --width 4 --batch 8 --labels 20 --steps 2 --out "$work/lab" --json >"$work/json" 2>"$work/err"
expect "--labels 20: 20 training images" grep -q '"train_images": 20,' "$work/json"
"$clgan" train-classifier --data synthetic --width 4 --batch 16 --imbalance 3:0.5 --steps 1 --out "$work/imb" --json >"$work/json" 2>>"$clgan_log"
expect "--imbalance 3:0.5 drops 100 of class 3's 200 images" grep -q '"train_images": 1900,' "$work/json"
"$clgan" train-classifier --data synthetic --model vgg32 --width 4 --batch 8 --limit 32 --steps 2 --optimizer sgd --out "$work/vgg" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "vgg32 with SGD on synthetic (converted to 32x32x3) runs (rc=$rc)" grep -q '"model": "vgg32", "steps": 2' "$work/json"

# 6. Bad input: clear messages, non-zero exits.
bad_data_and_batch train-classifier
"$clgan" train-classifier --data synthetic --model lenet99 --out "$work/r4" 2>"$work/err"; rc=$?
expect "unknown model lists the models (rc=$rc)" grep -q "lenet28.*vgg32" "$work/err"
"$clgan" train-classifier --data synthetic --imbalance 3-0.5 --out "$work/r5" 2>"$work/err"; rc=$?
expect "malformed --imbalance: rc 2" test $rc = 2 -a -n "$(grep 'CLASS:FRACTION' "$work/err")"
"$clgan" train-classifier --data synthetic --imbalance 12:0.5 --out "$work/r6" 2>"$work/err"; rc=$?
expect "--imbalance class out of range: rc 1" test $rc = 1 -a -n "$(grep 'outside 0..9' "$work/err")"
"$clgan" train-classifier --data synthetic --labels 5000 --out "$work/r7" 2>"$work/err"; rc=$?
expect "--labels beyond the data: rc 1" test $rc = 1 -a -n "$(grep 'cannot keep 5000' "$work/err")"
"$clgan" train-classifier --data synthetic --labels 10 --out "$work/r8" 2>"$work/err"; rc=$?
expect "fewer images than one batch: rc 1, suggests --batch" test $rc = 1 -a -n "$(grep -- 'smaller --batch' "$work/err")"
"$clgan" train-classifier --data synthetic --out "$work/r9" --bogus 2>"$work/err"; rc=$?
expect "unknown option: rc 2" test $rc = 2
head -c 1000 "$ck" >"$work/cut.ckpt"
"$clgan" eval --checkpoint "$work/cut.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "truncated checkpoint: rc 1, says truncated" test $rc = 1 -a -n "$(grep truncated "$work/err")"
"$clgan" train-gan --data synthetic --width 8 --nz 8 --batch 16 --limit 32 --steps 1 --out "$work/gan" 2>>"$clgan_log"
"$clgan" eval --checkpoint "$work/gan/checkpoint.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "a GAN checkpoint given to eval: rc 1, 'not a classifier checkpoint'" test $rc = 1 -a -n "$(grep 'not a classifier checkpoint' "$work/err")"
"$clgan" eval --checkpoint "$ck" --data synthetic --split valid 2>"$work/err"; rc=$?
expect "bad --split: rc 2" test $rc = 2

# 7. Ctrl-C finishes the step, writes a checkpoint, exits 130; resume works.
out2=$work/int
interrupt_and_resume train-classifier "$out2" "${small[@]}"

# 8. log.csv after a cut line; temporary files of a killed writer; weights that become non-finite.
printf '13,4\n1' >>"$out2/log.csv" # a short row, and what a kill inside a write leaves: a line without its end
"$clgan" train-classifier --data synthetic --steps 16 --out "$out2" --resume 2>>"$clgan_log"
expect "resume drops a cut last line of log.csv: steps 1..16 once each" test "$(tail -n +2 "$out2/log.csv" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 1 16) "
expect "... and every row has the header's 8 fields" test "$(awk -F, 'NF != 8' "$out2/log.csv" | wc -l)" = 0
fresh=$work/fresh
mkdir -p "$fresh"
: >"$fresh/checkpoint.ckpt.tmp.999999999.0"
: >"$fresh/checkpoint.ckpt.tmp.notes"
"$clgan" train-classifier "${small[@]}" --steps 1 --out "$fresh" 2>"$work/err"; rc=$?
expect "a new run removes a dead writer's checkpoint.ckpt.tmp.PID.N (rc=$rc)" test $rc = 0 -a ! -e "$fresh/checkpoint.ckpt.tmp.999999999.0"
expect "... says so" grep -q "removed 1 temporary file that an interrupted run left" "$work/err"
expect "... and leaves other files alone" test -e "$fresh/checkpoint.ckpt.tmp.notes"
# SGD at lr 10 with weight decay 1 multiplies the weights by about -9 a step: by step 12 they overflow, while
# every step's loss (computed before its update) is still finite.
diverge=(--data synthetic --width 4 --batch 16 --limit 64 --seed 3 --optimizer sgd --lr 10 --weight-decay 1 --steps 12)
"$clgan" train-classifier "${diverge[@]}" --out "$work/nan" 2>"$work/err" >/dev/null; rc=$?
expect "weights non-finite at the last step: rc 1 (rc=$rc)" test $rc = 1
expect "... the message names the step and the epoch" grep -q "NaN or infinite after step 1[0-2] (epoch 3)" "$work/err"
expect "... says the checkpoint was not overwritten and suggests a lower --lr" test -n "$(grep 'was not overwritten: it holds the last good weights, of step 8' "$work/err")" -a -n "$(grep 'lower --lr' "$work/err")"
"$clgan" eval --checkpoint "$work/nan/checkpoint.ckpt" --data synthetic --json >"$work/json" 2>"$work/err"; rc=$?
expect "... the checkpoint left is step 8's, loads, and holds finite weights (rc=$rc)" test $rc = 0 -a -n "$(grep '"step": 8,' "$work/json")" -a -z "$(grep -i 'non-finite' "$work/err")"
"$clgan" train-classifier "${diverge[@]}" --eval-every 5 --out "$work/nan2" 2>"$work/err" >/dev/null; rc=$?
expect "non-finite before the first checkpoint: rc 1 and no checkpoint (rc=$rc)" test $rc = 1 -a ! -e "$work/nan2/checkpoint.ckpt" -a -n "$(grep 'no checkpoint was written' "$work/err")"

# 9. Image folders: the test share, unreadable files, class names checked against the checkpoint.
image_folder "$work/abc" a b c
image_folder "$work/xyz" x y z
img=(--width 4 --batch 4 --steps 2)
"$clgan" train-classifier --data "$work/abc" "${img[@]}" --out "$work/f10" --json >"$work/j10" 2>>"$clgan_log"; rc=$?
"$clgan" train-classifier --data "$work/abc" "${img[@]}" --test-percent 50 --out "$work/f50" --json >"$work/j50" 2>>"$clgan_log"
n10=$(sed 's/.*"train_images": \([0-9]*\), "test_images": \([0-9]*\).*/\1 \2/' "$work/j10")
n50=$(sed 's/.*"train_images": \([0-9]*\), "test_images": \([0-9]*\).*/\1 \2/' "$work/j50")
expect "image folder: train + test = all 60 images, default and --test-percent 50 ($n10; $n50)" test "$(echo $n10 | awk '{print $1 + $2}')" = 60 -a "$(echo $n50 | awk '{print $1 + $2}')" = 60
expect "... --test-percent 50 puts more images into the test split ($n10; $n50)" test "${n50#* }" -gt "${n10#* }"
"$clgan" eval --checkpoint "$work/f50/checkpoint.ckpt" --data "$work/abc" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "eval takes the checkpoint's test share: its test split has the run's ${n50#* } images (rc=$rc)" grep -q "\"images\": ${n50#* }," "$work/json"
"$clgan" train-classifier --data "$work/abc" --steps 3 --test-percent 20 --out "$work/f50" --resume 2>"$work/err"; rc=$?
expect "resume with another --test-percent: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--test-percent 20 differs' "$work/err")"
"$clgan" train-classifier --data "$work/abc" --test-percent 95 --out "$work/f95" 2>"$work/err"; rc=$?
expect "--test-percent above 90: rc 2 (rc=$rc)" test $rc = 2
"$clgan" train-classifier --help >"$work/help"
expect "--help describes the split of a folder without train/ and test/" grep -q "without train/ and test/" "$work/help"
"$clgan" eval --checkpoint "$work/f10/checkpoint.ckpt" --data "$work/xyz" 2>"$work/err"; rc=$?
expect "eval on data whose classes have other names: rc 1 (rc=$rc)" test $rc = 1
expect "... the message lists both sets of names" test -n "$(grep "checkpoint: 'a', 'b', 'c' (3 classes)" "$work/err")" -a -n "$(grep "data: *'x', 'y', 'z' (3 classes)" "$work/err")"
"$clgan" train-classifier --data "$work/xyz" --steps 4 --out "$work/f10" --resume 2>"$work/err"; rc=$?
expect "resume on data whose classes have other names: rc 1, both lists (rc=$rc)" test $rc = 1 -a -n "$(grep "checkpoint: 'a', 'b', 'c'" "$work/err")"
"$clgan" eval --checkpoint "$ck" --data "$work/abc" 2>"$work/err"; rc=$?
expect "eval with another class count: rc 1 and both lists (rc=$rc)" test $rc = 1 -a -n "$(grep "'disc', 'ring', .*(10 classes)" "$work/err")"
"$clgan" train-gan --data "$work/abc" --conditional --width 4 --nz 8 --batch 4 --steps 1 --test-percent 10 --out "$work/gabc" 2>>"$clgan_log"
"$clgan" train-classifier --data "$work/xyz" "${img[@]}" --gan-augment "$work/gabc/checkpoint.ckpt" --out "$work/fg" 2>"$work/err"; rc=$?
expect "--gan-augment with a GAN trained on other class names: rc 1, both lists (rc=$rc)" test $rc = 1 -a -n "$(grep "checkpoint: 'a', 'b', 'c'" "$work/err")"
"$clgan" train-classifier --data "$work/abc" "${img[@]}" --gan-augment "$work/gabc/checkpoint.ckpt" --out "$work/fg" 2>"$work/err"; rc=$?
expect "... and with the GAN's class names it runs (rc=$rc)" test $rc = 0
echo "not an image" >"$work/abc/b/broken.png"
"$clgan" train-classifier --data "$work/abc" "${img[@]}" --test-percent 50 --out "$work/fb" 2>"$work/err"; rc=$?
expect "an undecodable image stops the run: rc 1, names the file (rc=$rc)" test $rc = 1 -a -n "$(grep -F "broken.png" "$work/err")"
"$clgan" train-classifier --data "$work/abc" "${img[@]}" --test-percent 50 --skip-unreadable --out "$work/fb" --json >"$work/json" 2>"$work/err"; rc=$?
expect "--skip-unreadable: runs and says it skipped 1 image (rc=$rc)" test $rc = 0 -a -n "$(grep 'skip-unreadable: skipped 1 unreadable image in the' "$work/err")"
"$clgan" eval --checkpoint "$work/fb/checkpoint.ckpt" --data "$work/abc" --split train --skip-unreadable >/dev/null 2>"$work/err"; e1=$?
"$clgan" eval --checkpoint "$work/fb/checkpoint.ckpt" --data "$work/abc" --split test --skip-unreadable >/dev/null 2>>"$work/err"; e2=$?
expect "eval --skip-unreadable: both splits evaluate, one says it skipped the file (rc $e1 $e2)" test $e1 = 0 -a $e2 = 0 -a "$(grep -c 'skipped 1 unreadable image' "$work/err")" = 1
rm "$work/abc/b/broken.png"

finish
