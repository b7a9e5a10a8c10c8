#!/usr/bin/env bash
# cli_detector.sh — `clgan train-detector`, `clgan detect` and `clgan eval` of
# a detector end to end on scenes of the built-in synthetic shapes: --help,
# a run's files and --json, val mAP rising over 6 epochs, a resume ending
# bit-exactly where one run ends, SIGINT then --resume, eval agreeing with
# the run's last evaluation (and its PR chart), detect's boxes, PNGs, YOLO
# files and --json, and bad input refused with a message and a non-zero exit.
# usage: cli_detector.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

for c in train-detector detect; do
    "$clgan" $c --help >"$work/help" 2>>"$clgan_log"; rc=$?
    expect "$c --help exits 0 and shows the usage" test $rc = 0 -a -n "$(grep "usage: clgan $c" "$work/help")"
    expect "$c is in the command list" grep -q "^  $c " <("$clgan" --help 2>/dev/null)
done
"$clgan" train-detector --help >"$work/help" 2>>"$clgan_log"
expect "train-detector --help lists the detector's settings" \
    sh -c "grep -q -- '--noobj-weight' '$work/help' && grep -q -- '--augment' '$work/help' && grep -q det96 '$work/help'"
expect "eval --help describes detector checkpoints" grep -q -- "--pr-png" <("$clgan" eval --help 2>/dev/null)

scenes=$work/scenes
"$clgan" make-scenes --objects synthetic --out "$scenes" --n 128 --max-objects 3 --ink 64 >/dev/null 2>>"$clgan_log"
"$clgan" make-scenes --objects synthetic --out "$scenes" --n 32 --max-objects 3 --ink 64 --split test --seed 9 \
    >/dev/null 2>>"$clgan_log"
small=(--data "$scenes" --width 8 --batch 16)

"$clgan" train-detector "${small[@]}" --epochs 6 --out "$work/a" --json >"$work/json" 2>"$work/err"; rc=$?
expect "a 6-epoch run exits 0 (rc=$rc)" test $rc = 0
expect "--json: status ok, 48 steps, val mAP, per-class AP, the files" \
    grep -q "\"status\": \"ok\", \"model\": \"det64\", \"steps\": 48, .*\"val_map50\": [0-9.]*, \"val_map\": [0-9.]*, \"val_ap50_per_class\": \[.*\"predictions_png\": \"$work/a/predictions/epoch-0006.png\"" "$work/json"
expect "checkpoint, log and a predictions PNG per epoch" \
    test -s "$work/a/checkpoint.ckpt" -a -s "$work/a/log.csv" -a "$(ls "$work/a/predictions" | grep -c '^epoch-000[1-6]\.png$')" = 6
expect "log.csv's columns" grep -q "^step,epoch,loss,objects,dropped,val_map50,images_per_sec,seconds$" "$work/a/log.csv"
expect "each epoch's mAP is reported" test "$(grep -c 'clgan: epoch [1-6]: val mAP@0.5 ' "$work/err")" = 6
first=$(grep 'clgan: epoch 1: val' "$work/err" | sed 's/.*mAP@0.5 \([0-9.]*\),.*/\1/')
last=$(grep 'clgan: epoch 6: val' "$work/err" | sed 's/.*mAP@0.5 \([0-9.]*\),.*/\1/')
expect "val mAP@0.5 rises over the run ($first -> $last)" awk -v a="$first" -v b="$last" 'BEGIN { exit !(b > 2 * a && b > 0.05) }'

# Resume: 3 epochs, then 3 more from the checkpoint, ends where 6 in one go end.
"$clgan" train-detector "${small[@]}" --epochs 3 --out "$work/b" >/dev/null 2>>"$clgan_log"
"$clgan" train-detector --data "$scenes" --epochs 6 --out "$work/b" --resume >/dev/null 2>>"$clgan_log"; rc=$?
expect "--resume exits 0 (rc=$rc)" test $rc = 0
expect "3 + 3 epochs resumed give the same checkpoint as 6 in one go" cmp -s "$work/a/checkpoint.ckpt" "$work/b/checkpoint.ckpt"
"$clgan" train-detector --data "$scenes" --batch 8 --epochs 7 --out "$work/b" --resume 2>"$work/err"; rc=$?
expect "--resume refuses another batch (rc=$rc)" test $rc = 2 -a -n "$(grep batch "$work/err")"

signal_run INT "log_rows_over '$work/c' 3" "$clgan" train-detector "${small[@]}" --steps 100000 --out "$work/c" 2>"$work/int.log"
expect "SIGINT: exit 130 (rc=$rc)" test $rc = 130
expect "SIGINT: says where the checkpoint is" grep -q "checkpoint written to" "$work/int.log"
"$clgan" train-detector --data "$scenes" --steps 40 --out "$work/c" --resume --json >"$work/json" 2>>"$clgan_log"
expect "resume after SIGINT reaches step 40" grep -q '"steps": 40' "$work/json"

# eval: the run's last evaluation again, its table, --json and the PR chart.
"$clgan" train-detector "${small[@]}" --epochs 6 --out "$work/a" --resume --json >/dev/null 2>&1 # nothing left: no-op
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data "$scenes" --json --pr-png "$work/pr.png" >"$work/ej" 2>>"$clgan_log"; rc=$?
expect "eval of a detector exits 0 (rc=$rc)" test $rc = 0
expect "eval --json: 32 val scenes, mAP, per class" \
    grep -q "\"kind\": \"clgan-detector\", \"split\": \"val\", \"model\": \"det64\", \"step\": 48, \"images\": 32, .*\"map50\": [0-9.]*, .*\"per_class\": \[{\"class\": 0, \"name\": \"disc\"" "$work/ej"
emap=$(sed 's/.*"map50": \([0-9.]*\),.*/\1/' "$work/ej")
expect "eval's mAP@0.5 is the run's last ($emap vs $last)" awk -v a="$emap" -v b="$last" 'BEGIN { exit !(a - b < 1e-4 && b - a < 1e-4) }'
expect "eval --pr-png writes a PNG" sh -c "head -c 8 '$work/pr.png' | od -An -c | grep -q 'P   N   G'"
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data "$scenes" >"$work/table" 2>>"$clgan_log"
expect "eval prints the AP table" sh -c "grep -q 'AP@0.5:0.95' '$work/table' && grep -q '^mAP@0.5 ' '$work/table'"
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data "$scenes" --confusion-png "$work/x.png" 2>"$work/err"; rc=$?
expect "eval refuses classifier options for a detector (rc=$rc)" test $rc = 2 -a -n "$(grep 'for classifiers' "$work/err")"
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "eval of a detector on a non-YOLO dataset fails with a message (rc=$rc)" test $rc = 1 -a -s "$work/err"

# detect: printed boxes, PNG, YOLO files, --json, unreadable files.
img1=$scenes/images/test/scene-000000.png img2=$scenes/images/test/scene-000001.png
"$clgan" detect --checkpoint "$work/a/checkpoint.ckpt" --min-score 0.01 --out "$work/det" --yolo "$img1" "$img2" \
    >"$work/out" 2>>"$clgan_log"; rc=$?
expect "detect exits 0 (rc=$rc)" test $rc = 0
expect "detect prints a line per image and per detection" \
    sh -c "grep -q '^$img1: [0-9]* objects* ' '$work/out' && grep -q '^  [0-9] [a-z]* *0\.[0-9]*  box ' '$work/out'"
expect "detect writes a PNG and a label file per image" test -s "$work/det/scene-000000.png" -a -e "$work/det/scene-000001.txt"
n1=$(sed -n "s|^$img1: \([0-9]*\) object.*|\1|p" "$work/out")
expect "the label file has a line per detection ($n1)" test "$(wc -l <"$work/det/scene-000000.txt")" = "$n1"
mkdir -p "$work/relabel/images/test" "$work/relabel/labels/test"
cp "$img1" "$work/relabel/images/test/"; cp "$work/det/scene-000000.txt" "$work/relabel/labels/test/"
cp "$scenes/classes.txt" "$work/relabel/"
"$clgan" eval --checkpoint "$work/a/checkpoint.ckpt" --data "$work/relabel" --json >"$work/rj" 2>>"$clgan_log"; rc=$?
expect "detect's YOLO files read back as labels; eval on them exits 0 (rc=$rc)" test $rc = 0
"$clgan" detect --checkpoint "$work/a/checkpoint.ckpt" --out "$work/det2" --json "$img1" "$work/none.png" \
    >"$work/dj" 2>"$work/err"; rc=$?
expect "detect: a missing file gives exit 1 and its name" test $rc = 1 -a -n "$(grep -F "$work/none.png" "$work/err")"
expect "detect --json is valid JSON with the image and one error" \
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['status']=='ok' and len(d['images'])==1 and d['errors']==1 and 'detections' in d['images'][0]" "$work/dj"

mkdir -p "$work/other"; cp "$img1" "$work/other/"
"$clgan" detect --checkpoint "$work/a/checkpoint.ckpt" --out "$work/det3" "$img1" "$work/other/scene-000000.png" \
    2>"$work/err"; rc=$?
expect "detect refuses two images of one name, which would write one PNG (rc=$rc)" \
    test $rc = 2 -a -n "$(grep 'would both write' "$work/err")" -a ! -e "$work/det3/scene-000000.png"

# Pasted scenes: --copy-paste and --gan-augment, recorded for --resume.
"$clgan" train-detector "${small[@]}" --epochs 1 --out "$work/cp" --copy-paste --paste-ink 64 --paste-objects 3 --json \
    >"$work/json" 2>"$work/err"; rc=$?
expect "--copy-paste: exit 0 (rc=$rc)" test $rc = 0
expect "--copy-paste --json reports the pasted scenes and objects per class" python3 -c "
import json, sys
d = json.load(open(sys.argv[1])); p = d['pasted']
assert p['objects_from'] == 'copy-paste' and p['scenes'] > 0 and p['objects'] + p['dropped'] > 0
assert sum(p['per_class'].values()) == p['objects'] and d['train_scenes'] == 128 + p['scenes']" "$work/json"
expect "--copy-paste says what it pasted and draws pasted.png" \
    sh -c "grep -q 'pasted scenes with .* copy-paste of the training boxes' '$work/err' && test -s '$work/cp/pasted.png'"
"$clgan" train-detector --data "$scenes" --epochs 2 --out "$work/cp" --resume 2>"$work/err"; rc=$?
expect "--resume without the paste options it was trained with: rc 1, naming them (rc=$rc)" \
    test $rc = 1 -a -n "$(grep 'trained with pasted scenes .paste=copy' "$work/err")"
"$clgan" train-detector --data "$scenes" --epochs 2 --out "$work/cp" --resume --copy-paste --paste-ink 64 \
    --paste-objects 3 --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "--resume with the same paste options goes on (rc=$rc)" sh -c "test $rc = 0 && grep -q '\"epochs\": 2.000' '$work/json'"
"$clgan" train-detector "${small[@]}" --epochs 2 --out "$work/cp2" --copy-paste --paste-ink 64 --paste-objects 3 \
    >/dev/null 2>>"$clgan_log"
expect "1 + 1 resumed epochs with pasted scenes give the checkpoint of 2 in one go (the same pasted set)" \
    cmp -s "$work/cp/checkpoint.ckpt" "$work/cp2/checkpoint.ckpt"
"$clgan" make-scenes --objects synthetic --out "$work/scenes2" --n 96 --max-objects 3 --ink 64 --seed 4 >/dev/null 2>>"$clgan_log"
cp -r "$scenes/images/test" "$work/scenes2/images/"; cp -r "$scenes/labels/test" "$work/scenes2/labels/"
"$clgan" train-detector --data "$work/scenes2" --epochs 3 --out "$work/cp" --resume --copy-paste --paste-ink 64 \
    --paste-objects 3 2>"$work/err"; rc=$?
expect "--resume with pasting on other scenes: rc 1, saying the pasted scenes would differ (rc=$rc)" \
    test $rc = 1 -a -n "$(grep 'pasted scenes would differ' "$work/err")"
"$clgan" train-gan --data synthetic --conditional --steps 2 --out "$work/cgan" >/dev/null 2>>"$clgan_log"
"$clgan" train-detector "${small[@]}" --epochs 1 --out "$work/ga" --gan-augment "$work/cgan/checkpoint.ckpt" \
    --paste-mode balance --paste-ratio 0.2 --paste-classes disc,3 --json >"$work/json" 2>"$work/err"; rc=$?
expect "--gan-augment: exit 0 (rc=$rc)" test $rc = 0
expect "--gan-augment --paste-classes disc,3: only classes 0 and 3 pasted" python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))['pasted']
assert p['objects_from'].endswith('cgan/checkpoint.ckpt') and p['scenes'] > 0
assert all(v == 0 for k, v in p['per_class'].items() if k not in ('disc', 'square_outline'))" "$work/json"
"$clgan" train-classifier --data synthetic --steps 2 --width 8 --out "$work/clf0" >/dev/null 2>>"$clgan_log"
"$clgan" train-detector "${small[@]}" --epochs 1 --out "$work/gb" --gan-augment "$work/clf0/checkpoint.ckpt" 2>"$work/err"; rc=$?
expect "--gan-augment with a classifier checkpoint: rc 1, saying it needs a conditional GAN (rc=$rc)" \
    test $rc = 1 -a -n "$(grep 'conditional GAN' "$work/err")"
"$clgan" train-detector "${small[@]}" --out "$work/gc" --copy-paste --gan-augment "$work/cgan/checkpoint.ckpt" 2>"$work/err"; rc=$?
expect "--copy-paste with --gan-augment: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep 'choose one' "$work/err")"
"$clgan" train-detector "${small[@]}" --out "$work/gc" --paste-ratio 2 2>"$work/err"; rc=$?
expect "--paste-ratio alone: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep 'need --copy-paste or --gan-augment' "$work/err")"
"$clgan" train-detector "${small[@]}" --out "$work/gc" --copy-paste --paste-classes nosuch 2>"$work/err"; rc=$?
expect "--paste-classes with an unknown class: rc 2 naming it, no folder left (rc=$rc)" test ! -e "$work/gc" -a $rc = 2 -a -n "$(grep "'nosuch'" "$work/err")"

# Bad input.
"$clgan" train-detector --data "$work/nothing-here" --out "$work/r1" 2>"$work/err"; rc=$?
expect "a missing folder: rc 1 naming it" test $rc = 1 -a -n "$(grep -F "$work/nothing-here" "$work/err")"
expect "a failed run leaves no folder" test ! -e "$work/r1"
"$clgan" train-detector --data "$scenes" --batch 500 --out "$work/r2" 2>"$work/err"; rc=$?
expect "a batch larger than the scenes: rc 1 and why" test $rc = 1 -a -n "$(grep 'fewer than a batch' "$work/err")"
"$clgan" train-detector --data "$scenes" --lr -1 --out "$work/r3" 2>"$work/err"; rc=$?
expect "a bad setting: rc 2 and its name" test $rc = 2 -a -n "$(grep -- 'lr' "$work/err")"
"$clgan" train-classifier --data synthetic --steps 2 --width 8 --out "$work/clf" >/dev/null 2>>"$clgan_log"
"$clgan" detect --checkpoint "$work/clf/checkpoint.ckpt" "$img1" 2>"$work/err"; rc=$?
expect "detect with a classifier checkpoint: rc 1, saying so" test $rc = 1 -a -n "$(grep 'not a detector' "$work/err")"
"$clgan" train-detector --data "$scenes" --out "$work/clf" --resume 2>"$work/err"; rc=$?
expect "resuming a classifier run as a detector: rc 1, saying so" test $rc = 1 -a -n "$(grep 'classifier model, not a detector' "$work/err")"
finish
