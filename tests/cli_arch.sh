#!/usr/bin/env bash
# cli_arch.sh — architectures as text through the CLI: `models` and `models
# show` (whose output is itself a text --arch takes); a hand-written 48x48
# DCGAN (plain numbers, another width) that trains on synthetic data,
# checkpoints, resumes bit-exactly, samples and is scored by a 48x48
# classifier from a hand-written text; `models show` totals equal the
# trained nets' counts; bad texts and a different text on resume refused.
# usage: cli_arch.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

# 1. The presets and their texts.
"$clgan" models >"$work/list" 2>>"$clgan_log"; rc=$?
expect "models lists the presets (rc=$rc)" grep -q '^dcgan64 .* d ' "$work/list"
expect "... with the classifier, semi-supervised and head presets" grep -q -e '^vgg32 ' -e '^ssl32 ' "$work/list"
"$clgan" models show dcgan32 --part g --width 8 >"$work/g32.arch" 2>>"$clgan_log"; rc=$?
expect "models show prints the text and the summary (rc=$rc)" grep -q '^# total: ' "$work/g32.arch"
expect "... with the override in [vars]" grep -q '^width = 8' "$work/g32.arch"
"$clgan" models show "$work/g32.arch" --json >"$work/g32.json" 2>>"$clgan_log"; rc=$?
expect "models show reads its own output back as a file (rc=$rc)" grep -q '"total": {"params": ' "$work/g32.json"
"$clgan" models show dcgan99 2>"$work/err"; rc=$?
expect "an unknown preset is a usage error naming the presets (rc=$rc)" test $rc = 2 -a -n "$(grep dcgan28 "$work/err")"

# 2. A 48x48 DCGAN written by hand (plain numbers), and a 48x48 classifier.
cat >"$work/g48.arch" <<'EOF'
# generator: z [12,1,1] -> 48x48x1
[input]
c = 12
h = 1
w = 1
[dense]
units = 24*6*6
[reshape]
c = 24
h = 6
w = 6
[batchnorm]
[activation]
function = relu
[conv_transpose]      # 6 -> 12
filters = 12
size = 4
stride = 2
pad = 1
bias = 0
[batchnorm]
[activation]
function = relu
[conv_transpose]      # 12 -> 24
filters = 6
size = 4
stride = 2
pad = 1
bias = 0
[batchnorm]
[activation]
function = relu
[conv_transpose]      # 24 -> 48
filters = 1
size = 4
stride = 2
pad = 1
[activation]
function = tanh
EOF
cat >"$work/d48.arch" <<'EOF'
[net]
name = dcgan48
[input]
c = 1
h = 48
w = 48
[conv]                # 48 -> 24
filters = 6
size = 4
stride = 2
pad = 1
[activation]
function = leaky_relu
slope = 0.2
[conv]                # 24 -> 12
filters = 12
size = 4
stride = 2
pad = 1
bias = 0
[batchnorm]
[activation]
function = leaky_relu
slope = 0.2
[conv]                # 12 -> 6
filters = 24
size = 4
stride = 2
pad = 1
bias = 0
[batchnorm]
[activation]
function = leaky_relu
slope = 0.2
[features]
[dense]
units = 1
EOF
cat >"$work/c48.arch" <<'EOF'
[input]
c = 1
h = 48
w = 48
[conv]
filters = 6
size = 3
pad = 1
bias = 0
init = he
[batchnorm]
[activation]
function = relu
[maxpool]             # 48 -> 24
size = 2
[conv]
filters = 12
size = 3
pad = 1
bias = 0
init = he
[batchnorm]
[activation]
function = relu
[maxpool]             # 24 -> 12
size = 4
[dense]
units = 32
bias = 0
init = he
[batchnorm]
[activation]
function = relu
[features]
[dense]
units = 10
init = xavier
EOF
total() { "$clgan" models show "$1" 2>>"$clgan_log" | sed -n 's/^# total: \([0-9]*\) parameters.*/\1/p'; }
g_total=$(total "$work/g48.arch")
d_total=$(total "$work/d48.arch")
expect "models show sums the hand-written nets ($g_total, $d_total)" test -n "$g_total" -a -n "$d_total"

small=(--data synthetic --arch-g "$work/g48.arch" --arch-d "$work/d48.arch" --batch 8 --limit 32 --seed 3)
# an uninterrupted run of 8 steps (2 epochs) ...
"$clgan" train-gan "${small[@]}" --steps 8 --out "$work/full" 2>"$work/full.err"; rc=$?
expect "train-gan trains the hand-written 48x48 DCGAN (rc=$rc)" test $rc = 0 -a -s "$work/full/checkpoint.ckpt"
expect "... and reports the parameters models show counts" \
    grep -q "G $g_total parameters, D $d_total parameters" "$work/full.err"
# ... against 4 steps, then a resume to 8 (the texts come from the checkpoint)
"$clgan" train-gan "${small[@]}" --steps 4 --out "$work/part" 2>>"$clgan_log"
"$clgan" train-gan --data synthetic --limit 32 --steps 8 --out "$work/part" --resume 2>"$work/resume.err"; rc=$?
expect "resume without --arch flags uses the checkpoint's texts (rc=$rc)" test $rc = 0
expect "... bit-exactly: the same checkpoint as the uninterrupted run" cmp -s "$work/full/checkpoint.ckpt" "$work/part/checkpoint.ckpt"
"$clgan" sample --checkpoint "$work/full/checkpoint.ckpt" --n 16 --seed 9 --out "$work/a.png" 2>>"$clgan_log"
"$clgan" sample --checkpoint "$work/part/checkpoint.ckpt" --n 16 --seed 9 --out "$work/b.png" 2>>"$clgan_log"
expect "... and the same samples" cmp -s "$work/a.png" "$work/b.png"
cp "$work/g48.arch" "$work/g48b.arch"
sed -i 's/^units = 24\*6\*6/units = 864 # the same number written out/' "$work/g48b.arch"
"$clgan" train-gan --data synthetic --limit 32 --arch-g "$work/g48b.arch" --steps 9 --out "$work/part" --resume \
    2>"$work/err"; rc=$?
expect "a different --arch-g on resume is refused (rc=$rc)" test $rc = 2 -a -n "$(grep 'differs from the architecture' "$work/err")"

# 3. Sample and score with a classifier from a hand-written text.
"$clgan" sample --checkpoint "$work/full/checkpoint.ckpt" --n 32 --out "$work/s-images-idx3-ubyte" 2>>"$clgan_log"; rc=$?
expect "sample writes 48x48 images (rc=$rc)" test -s "$work/s-images-idx3-ubyte"
"$clgan" train-classifier --data synthetic --arch "$work/c48.arch" --batch 8 --limit 32 --steps 4 --seed 3 \
    --out "$work/clf" 2>"$work/clf.err"; rc=$?
expect "train-classifier trains a hand-written 48x48 classifier (rc=$rc)" test $rc = 0 -a -s "$work/clf/checkpoint.ckpt"
"$clgan" score --classifier "$work/clf/checkpoint.ckpt" --samples "$work/s-images-idx3-ubyte" --real synthetic --json \
    >"$work/score.json" 2>>"$clgan_log"; rc=$?
expect "score rates the 48x48 samples with it (rc=$rc)" grep -q '"fd"' "$work/score.json"

# 4. Mistakes: the file, the line and what was expected.
printf '[input]\nc = 1\nh = 48\nw = 48\n[conv]\nfilters = 4\nsize = 4\nstrid = 2\n' >"$work/typo.arch"
"$clgan" train-gan --data synthetic --arch-d "$work/typo.arch" --out "$work/bad" 2>"$work/err"; rc=$?
expect "an unknown key names file:line and the keys (rc=$rc)" \
    test $rc = 2 -a -n "$(grep "typo.arch:8: unknown key 'strid' in \[conv\]; expected filters, size, stride" "$work/err")"
"$clgan" train-gan --data synthetic --arch-d "$work/d48.arch" --out "$work/bad" 2>"$work/err"; rc=$?
expect "a D that does not take G's images is refused (rc=$rc)" test $rc != 0 -a -n "$(grep 'G makes 1x28x28' "$work/err")"
printf '[input]\nc = 1\nh = 48\nw = 32\n[dense]\nunits = 8\n[dense]\nunits = 10\n' >"$work/wide.arch"
"$clgan" train-classifier --data synthetic --arch "$work/wide.arch" --out "$work/bad" 2>"$work/err"; rc=$?
expect "a non-square image size does not match the data (rc=$rc)" test $rc = 2 -a -n "$(grep '1x48x32' "$work/err")"
image_folder "$work/two" cats dogs
"$clgan" train-classifier --data "$work/two" --arch "$work/c48.arch" --batch 8 --out "$work/bad" 2>"$work/err"; rc=$?
expect "... nor do 10 logits for data of 2 classes (rc=$rc)" test $rc != 0 -a -n "$(grep 'classifier of 2 classes ends in 2x1x1' "$work/err")"
test ! -e "$work/bad"; expect "no output folder after a refused text" test $? = 0
finish
