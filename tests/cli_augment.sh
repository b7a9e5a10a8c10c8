#!/usr/bin/env bash
# cli_augment.sh — the augmentation scenario end to end on the built-in
# synthetic data with class 3 cut to 25%: train-gan --conditional on that
# same imbalanced split (--imbalance / --labels recorded for --resume), then
# train-classifier without augmentation, with --oversample and with
# --gan-augment (balance, enlarge): training-set composition in the log and
# --json, gan-augment.png, determinism, resume keeping the scenario, resumes
# with other flags or a changed GAN file refused, and clear errors with
# non-zero exits for missing, corrupt, unconditional or wrong-shape GANs and
# bad flags.
# usage: cli_augment.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

# 320 images, 32 per class; --imbalance 3:0.25 keeps 8 of class 3's: 296 images.
data=(--data synthetic --limit 320 --seed 3)
gan=(--width 8 --nz 16 --batch 16)
clf=(--width 4 --batch 16)

# 1. train-gan on the imbalanced split; the scenario is kept for --resume.
g=$work/gan
"$clgan" train-gan "${data[@]}" "${gan[@]}" --conditional --imbalance 3:0.25 --steps 4 --out "$g" 2>"$work/log"; rc=$?
expect "train-gan --conditional --imbalance 3:0.25 exits 0 (rc=$rc)" test $rc = 0
expect "train-gan trains on the 296 images of the imbalanced split" grep -q "| 296 images (.*class 3 cut to 8 of 32" "$work/log"
"$clgan" train-gan "${data[@]}" --imbalance 3:0.5 --steps 6 --out "$g" --resume 2>"$work/err"; rc=$?
expect "train-gan resume with a different --imbalance is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--labels/--imbalance differ' "$work/err")"
"$clgan" train-gan --data synthetic --steps 6 --out "$g" --resume --json >"$work/json" 2>"$work/log"; rc=$?
expect "train-gan resume without the flags rebuilds the same 296-image split (rc=$rc)" test $rc = 0 -a -n "$(grep '| 296 images' "$work/log")"
expect "train-gan resume reaches step 6" grep -q '"steps": 6' "$work/json"
"$clgan" train-gan --data synthetic --seed 3 "${gan[@]}" --conditional --labels 40 --steps 1 --out "$work/gl" 2>"$work/log"
expect "train-gan --labels 40 trains on 40 images" grep -q "| 40 images" "$work/log"
"$clgan" train-gan "${data[@]}" "${gan[@]}" --steps 1 --out "$work/gu" 2>>"$clgan_log"
ck=$g/checkpoint.ckpt

# 2. train-classifier: none / --oversample / --gan-augment balance / enlarge.
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --steps 2 --out "$work/none" --json >"$work/json" 2>>"$clgan_log"
expect "no augmentation: 296 images, 'augmentation': 'none'" grep -q '"train_images": 296, .*"augmentation": "none", "train_real_per_class": \[32, 32, 32, 8, 32, 32, 32, 32, 32, 32\], "train_repeated_per_class": \[0, 0, 0, 0, 0, 0, 0, 0, 0, 0\], "train_generated_per_class": \[0, 0, 0, 0, 0, 0, 0, 0, 0, 0\]' "$work/json"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --oversample --steps 2 --out "$work/over" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--oversample: 320 images, class 3 repeated 24 times (rc=$rc)" grep -q '"train_images": 320, .*"augmentation": "oversample", "train_real_per_class": \[32, 32, 32, 8, 32, 32, 32, 32, 32, 32\], "train_repeated_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\], "train_generated_per_class": \[0, 0, 0, 0, 0, 0, 0, 0, 0, 0\]' "$work/json"
expect "--oversample: the composition line" grep -q "training set: 296 real + 24 repeated (--oversample) = 320 images; per class: real \[32 32 32 8 32 32 32 32 32 32\], repeated \[0 0 0 24 0 0 0 0 0 0\]" "$work/log"
a=$work/aug
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --steps 4 --out "$a" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--gan-augment (balance) exits 0 (rc=$rc)" test $rc = 0
expect "--gan-augment balance: 320 images, 24 generated for class 3" grep -q '"train_images": 320, .*"augmentation": "gan-balance", "train_real_per_class": \[32, 32, 32, 8, 32, 32, 32, 32, 32, 32\], "train_repeated_per_class": \[0, 0, 0, 0, 0, 0, 0, 0, 0, 0\], "train_generated_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\]' "$work/json"
expect "--gan-augment: the composition line" grep -q "training set: 296 real + 24 generated (--gan-augment, balance) = 320 images; per class: real \[32 32 32 8 32 32 32 32 32 32\], generated \[0 0 0 24 0 0 0 0 0 0\]" "$work/log"
expect "--gan-augment writes gan-augment.png" test -s "$a/gan-augment.png"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --steps 1 --out "$work/aug2" 2>>"$clgan_log"
expect "same seed and GAN: the same generated images (gan-augment.png identical)" cmp -s "$a/gan-augment.png" "$work/aug2/gan-augment.png"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --gan-mode enlarge --gan-ratio 0.5 --steps 1 --out "$work/enl" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "--gan-mode enlarge --gan-ratio 0.5: 296 + 148 images in equal shares (rc=$rc)" grep -q '"train_images": 444, .*"augmentation": "gan-enlarge", .*"train_generated_per_class": \[15, 15, 15, 15, 15, 15, 15, 15, 14, 14\]' "$work/json"

# 3. Resume keeps the augmentation; other flags or another GAN file refused.
"$clgan" train-classifier --data synthetic --steps 6 --out "$a" --resume --gan-mode enlarge 2>"$work/err"; rc=$?
expect "resume with a different --gan-mode is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--gan-mode differs from the run being resumed' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 6 --out "$a" --resume --oversample 2>"$work/err"; rc=$?
expect "resume with --oversample instead of --gan-augment is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--oversample differs' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 6 --out "$a" --resume --gan-augment "$work/gu/checkpoint.ckpt" 2>"$work/err"; rc=$?
expect "resume with another --gan-augment file is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--gan-augment .* is not the checkpoint the run being resumed was started with' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 6 --out "$a" --resume --json >"$work/json" 2>"$work/log"; rc=$?
expect "resume without the flags: same scenario and generated set, step 6 (rc=$rc)" grep -q '"steps": 6, .*"train_images": 320, .*"augmentation": "gan-balance", .*"train_generated_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\]' "$work/json"
expect "resume regenerates the same images" cmp -s "$a/gan-augment.png" "$work/aug2/gan-augment.png"
cp "$ck" "$work/moved.ckpt"
"$clgan" train-classifier --data synthetic --steps 7 --out "$a" --resume --gan-augment "$work/moved.ckpt" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "resume with the same GAN file at a new path works (rc=$rc)" grep -q '"steps": 7, .*"train_images": 320' "$work/json"
cp "$ck" "$work/g2.ckpt"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$work/g2.ckpt" --steps 1 --out "$work/chg" 2>>"$clgan_log"
cp "$work/gl/checkpoint.ckpt" "$work/g2.ckpt"
"$clgan" train-classifier --data synthetic --steps 2 --out "$work/chg" --resume 2>"$work/err"; rc=$?
expect "resume after the GAN file changed is refused (rc=$rc)" test $rc = 1 -a -n "$(grep 'has changed since this run started' "$work/err")"

# 4. Bad GANs and bad flags: clear messages, non-zero exits.
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --gan-augment "$work/nothing.ckpt" --steps 1 --out "$work/r1" 2>"$work/err"; rc=$?
expect "missing GAN checkpoint: rc 1 and the path in the message" test $rc = 1 -a -n "$(grep -F "$work/nothing.ckpt" "$work/err")"
head -c 2000 "$ck" >"$work/cut.ckpt"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --gan-augment "$work/cut.ckpt" --steps 1 --out "$work/r2" 2>"$work/err"; rc=$?
expect "truncated GAN checkpoint: rc 1, says truncated" test $rc = 1 -a -n "$(grep -- "--gan-augment .*truncated" "$work/err")"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --gan-augment "$work/none/checkpoint.ckpt" --steps 1 --out "$work/r3" 2>"$work/err"; rc=$?
expect "a classifier checkpoint as --gan-augment: rc 1 and a message" test $rc = 1 -a -n "$(grep -- '--gan-augment' "$work/err")"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --gan-augment "$work/gu/checkpoint.ckpt" --steps 1 --out "$work/r4" 2>"$work/err"; rc=$?
expect "unconditional GAN refused: rc 1, says unconditional" test $rc = 1 -a -n "$(grep 'unconditional' "$work/err")"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --model vgg32 --gan-augment "$ck" --steps 1 --out "$work/r5" 2>"$work/err"; rc=$?
expect "a 28x28 GAN for a 32x32x3 classifier: rc 1, both shapes named" test $rc = 1 -a -n "$(grep '1x28x28 .*3x32x32' "$work/err")"
"$clgan" train-classifier "${data[@]}" --gan-mode enlarge --out "$work/r6" 2>"$work/err"; rc=$?
expect "--gan-mode without --gan-augment: rc 2" test $rc = 2 -a -n "$(grep -- 'need --gan-augment' "$work/err")"
"$clgan" train-classifier "${data[@]}" --gan-augment "$ck" --gan-filter-top 0.5 --gan-min-confidence 0.9 --out "$work/r7" 2>"$work/err"; rc=$?
expect "--gan-filter-top with --gan-min-confidence: rc 2" test $rc = 2 -a -n "$(grep 'alternatives' "$work/err")"
"$clgan" train-classifier "${data[@]}" --gan-filter "$work/none/checkpoint.ckpt" --out "$work/r7" 2>"$work/err"; rc=$?
expect "--gan-filter without --gan-augment: rc 2" test $rc = 2 -a -n "$(grep -- 'give --gan-augment' "$work/err")"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --gan-filter "$ck" --steps 1 --out "$work/r7" 2>"$work/err"; rc=$?
expect "a GAN as --gan-filter: rc 1, says it needs a model that classifies" test $rc = 1 -a -n "$(grep 'needs a model that classifies' "$work/err")"
"$clgan" train-classifier "${data[@]}" --gan-augment "$ck" --gan-mode enlarge --gan-ratio 0 --out "$work/r8" 2>"$work/err"; rc=$?
expect "--gan-mode enlarge --gan-ratio 0: rc 2" test $rc = 2 -a -n "$(grep 'R > 0' "$work/err")"
"$clgan" train-classifier "${data[@]}" --gan-augment "$ck" --gan-mode more --out "$work/r9" 2>"$work/err"; rc=$?
expect "unknown --gan-mode: rc 2" test $rc = 2 -a -n "$(grep "'balance' or 'enlarge'" "$work/err")"
"$clgan" train-classifier "${data[@]}" --imbalance 3:0 --oversample --out "$work/r10" 2>"$work/err"; rc=$?
expect "--oversample with an emptied class: rc 1, names the class" test $rc = 1 -a -n "$(grep 'class 3 has no image' "$work/err")"
"$clgan" train-classifier --help >"$work/help"
expect "--help lists --oversample, --gan-augment, --gan-mode, --gan-ratio and the filter's three" test "$(grep -cE -- '^  --(oversample|gan-augment|gan-mode|gan-ratio|gan-filter|gan-min-confidence|gan-filter-top) ' "$work/help")" = 7
"$clgan" train-gan --help >"$work/help"
expect "train-gan --help lists --labels and --imbalance" test "$(grep -cE -- '^  --(labels|imbalance) ' "$work/help")" = 2

# 5. --oversample with --gan-augment: repeats fill half of class 3's gap of 24, generated images the other half.
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --oversample --gan-augment "$ck" --steps 1 --out "$work/og" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--oversample --gan-augment: 320 images, 12 repeated and 12 generated for class 3 (rc=$rc)" grep -q '"train_images": 320, .*"augmentation": "oversample+gan-balance", "train_real_per_class": \[32, 32, 32, 8, 32, 32, 32, 32, 32, 32\], "train_repeated_per_class": \[0, 0, 0, 12, 0, 0, 0, 0, 0, 0\], "train_generated_per_class": \[0, 0, 0, 12, 0, 0, 0, 0, 0, 0\]' "$work/json"
expect "... the composition line names both" grep -q "training set: 296 real + 12 repeated (--oversample) + 12 generated (--gan-augment, balance) = 320 images" "$work/log"
# --gan-filter with a (weak) classifier of the same data: confidence 0 keeps every candidate, 1 none of 20 x 24;
# the top half keeps 24 of 48; the acceptance is printed and in --json; resume keeps the filter.
fc=$work/none/checkpoint.ckpt
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --gan-filter "$fc" --gan-min-confidence 0 --steps 1 --out "$work/f0" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--gan-filter --gan-min-confidence 0: 24 kept of 24 (rc=$rc)" grep -q '"train_generated_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\], "gan_filter_tried_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\]' "$work/json"
expect "... the acceptance line" grep -q -- "--gan-filter: kept / generated per class: 3: 24/24 (100.0%)" "$work/log"
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --gan-filter "$fc" --gan-min-confidence 1 --steps 1 --out "$work/f1" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--gan-min-confidence 1: none kept of 480 tried, 296 images (rc=$rc)" grep -q '"train_images": 296, .*"train_generated_per_class": \[0, 0, 0, 0, 0, 0, 0, 0, 0, 0\], "gan_filter_tried_per_class": \[0, 0, 0, 480, 0, 0, 0, 0, 0, 0\]' "$work/json"
f5=$work/f5
"$clgan" train-classifier "${data[@]}" "${clf[@]}" --imbalance 3:0.25 --gan-augment "$ck" --gan-filter "$fc" --gan-filter-top 0.5 --steps 1 --out "$f5" --json >"$work/json" 2>"$work/log"; rc=$?
expect "--gan-filter-top 0.5: 24 kept of 48 (rc=$rc)" grep -q '"train_generated_per_class": \[0, 0, 0, 24, 0, 0, 0, 0, 0, 0\], "gan_filter_tried_per_class": \[0, 0, 0, 48, 0, 0, 0, 0, 0, 0\]' "$work/json"
cp "$f5/gan-augment.png" "$work/f5.png"
"$clgan" train-classifier --data synthetic --steps 2 --out "$f5" --resume --json >"$work/json" 2>"$work/log"; rc=$?
expect "resume keeps the filter: the same 24 of 48 and the same images (rc=$rc)" test $rc = 0 -a -n "$(grep '"gan_filter_tried_per_class": \[0, 0, 0, 48,' "$work/json")" -a -n "$(cmp "$f5/gan-augment.png" "$work/f5.png" && echo same)"
"$clgan" train-classifier --data synthetic --steps 3 --out "$f5" --resume --gan-filter-top 0.25 2>"$work/err"; rc=$?
expect "resume with another --gan-filter-top is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--gan-filter-top differs' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 3 --out "$f5" --resume --gan-filter "$work/over/checkpoint.ckpt" 2>"$work/err"; rc=$?
expect "resume with another --gan-filter file is refused (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--gan-filter .* is not the checkpoint' "$work/err")"

# 6. The mode learns: a classifier on real + GAN-balanced images (class 3 cut to 25%) for 80 steps.
"$clgan" train-gan "${data[@]}" "${gan[@]}" --conditional --imbalance 3:0.25 --steps 60 --out "$work/g60" 2>>"$clgan_log"
"$clgan" train-classifier "${data[@]}" --width 8 --batch 16 --imbalance 3:0.25 --gan-augment "$work/g60/checkpoint.ckpt" \
    --steps 80 --out "$work/learn" --json >"$work/json" 2>>"$clgan_log"; rc=$?
acc=$(sed 's/.*"test_accuracy": \([^,]*\),.*/\1/' "$work/json")
expect "GAN-augmented training (rc=$rc): test accuracy $acc > 0.3 (chance 0.1)" awk -v a="$acc" 'BEGIN { exit !(a > 0.3) }'
first=$(sed -n '2,6p' "$work/learn/log.csv" | awk -F, '{ s += $3 } END { print s / NR }')
last=$(tail -5 "$work/learn/log.csv" | awk -F, '{ s += $3 } END { print s / NR }')
expect "GAN-augmented training: loss falls (first 5 steps $first, last 5 $last)" awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < 0.7 * a) }'

finish
