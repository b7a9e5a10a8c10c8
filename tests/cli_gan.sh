#!/usr/bin/env bash
# cli_gan.sh — the train-gan and sample commands end to end on the built-in
# synthetic data: files written, --json, resume, Ctrl-C, determinism of
# sample, clear errors with non-zero exits for bad input, and --spectral-norm
# (runs, resumes, cannot be switched on resume).
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

# 3b. --loss hinge and --g-ema: short runs; the checkpoint keeps the moving average, and sample uses it unless
# --no-ema.
"$clgan" train-gan "${small[@]}" --loss hinge --steps 4 --out "$work/hinge" --json >"$work/json" 2>"$work/err"; rc=$?
expect "--loss hinge runs (rc=$rc) and says so" test $rc = 0 -a -n "$(grep -F 'hinge loss' "$work/err")"
expect "... the checkpoint keeps loss=hinge" grep -qa "loss=hinge" "$work/hinge/checkpoint.ckpt"
"$clgan" train-gan "${small[@]}" --loss hinge --label-smoothing 0.1 --steps 4 --out "$work/hinge2" 2>"$work/err"; rc=$?
expect "--loss hinge with --label-smoothing refused (rc=$rc), saying why" test $rc = 1 -a -n "$(grep -F 'hinge loss takes none' "$work/err")"
"$clgan" train-gan "${small[@]}" --g-ema 1 --steps 4 --out "$work/ema1" 2>"$work/err"; rc=$?
expect "--g-ema 1 refused (rc=$rc), naming the range" test $rc = 2 -a -n "$(grep -F 'from 0 and below 1' "$work/err")"
ema=$work/ema
"$clgan" train-gan "${small[@]}" --g-ema 0.99 --steps 4 --out "$ema" 2>"$work/err"; rc=$?
expect "--g-ema 0.99 runs (rc=$rc); the epoch line says the grid shows the average" test $rc = 0 -a -n "$(grep -F "epoch-0001.png (G's moving average)" "$work/err")"
expect "... its checkpoint keeps the average" grep -qa "G_ema.params" "$ema/checkpoint.ckpt"
expect "... a checkpoint without --g-ema keeps none" test -z "$(grep -a "G_ema" "$ck")"
"$clgan" sample --checkpoint "$ema/checkpoint.ckpt" --n 8 --seed 4 --out "$work/ema-a.idx" --json >"$work/json" 2>>"$clgan_log"
"$clgan" sample --checkpoint "$ema/checkpoint.ckpt" --n 8 --seed 4 --out "$work/ema-g.idx" --no-ema 2>>"$clgan_log"
expect "sample from the average and with --no-ema: both written, other bytes" test -s "$work/ema-a.idx" -a -s "$work/ema-g.idx" -a -n "$(cmp "$work/ema-a.idx" "$work/ema-g.idx")"
expect "... --json says the average was used" grep -q '"ema": true' "$work/json"
"$clgan" sample --checkpoint "$ck" --n 20 --seed 4 --out "$work/c.png" --no-ema 2>>"$clgan_log"
expect "--no-ema on a checkpoint without an average: G's samples, as without it" cmp -s "$work/a.png" "$work/c.png"
"$clgan" train-gan "${small[@]}" --g-ema 0.99 --steps 8 --out "$work/ema8" 2>>"$clgan_log"
"$clgan" train-gan --data synthetic --steps 8 --out "$ema" --resume 2>>"$clgan_log"
"$clgan" sample --checkpoint "$work/ema8/checkpoint.ckpt" --n 8 --seed 4 --out "$work/ema8.idx" 2>>"$clgan_log"
"$clgan" sample --checkpoint "$ema/checkpoint.ckpt" --n 8 --seed 4 --out "$work/ema4+4.idx" 2>>"$clgan_log"
expect "--g-ema: 4 steps + --resume to 8 samples the same bytes from the average as 8 in one go" cmp -s "$work/ema8.idx" "$work/ema4+4.idx"

# 4. Bad input: clear messages, non-zero exits, nothing written.
bad_data_and_batch train-gan
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
interrupt_and_resume train-gan "$out2" "${small[@]}"

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

# 6. log.csv after a cut line; image folders: all images by default, --test-percent, unreadable files, class
# names checked on --resume.
printf '13,4\n1' >>"$out2/log.csv" # a short row, and what a kill inside a write leaves: a line without its end
"$clgan" train-gan --data synthetic --steps 16 --out "$out2" --resume 2>>"$clgan_log"
expect "resume drops a cut last line of log.csv: steps 1..16 once each" test "$(tail -n +2 "$out2/log.csv" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 1 16) "
expect "... and every row has the header's 8 fields" test "$(awk -F, 'NF != 8' "$out2/log.csv" | wc -l)" = 0
image_folder "$work/abc" a b c
image_folder "$work/xyz" x y z
img=(--width 4 --nz 8 --batch 4 --steps 1)
"$clgan" train-gan --data "$work/abc" "${img[@]}" --conditional --out "$work/fa" 2>"$work/err"; rc=$?
expect "an image folder without train/ and test/: trains on all 60 images (rc=$rc)" grep -q "| 60 images (image folder" "$work/err"
"$clgan" train-gan --data "$work/abc" "${img[@]}" --test-percent 50 --out "$work/f50" 2>"$work/err"; rc=$?
n50=$(sed -n 's/.*| \([0-9]*\) images (image folder.*/\1/p' "$work/err")
expect "--test-percent 50 leaves out about half (rc=$rc, $n50 images)" test "${n50:-0}" -gt 10 -a "${n50:-0}" -lt 50
"$clgan" train-gan --data "$work/abc" --steps 2 --out "$work/f50" --resume 2>"$work/err"; rc=$?
expect "resume keeps the run's test share (rc=$rc)" grep -q "| $n50 images (image folder" "$work/err"
"$clgan" train-gan --data "$work/abc" --steps 3 --test-percent 10 --out "$work/f50" --resume 2>"$work/err"; rc=$?
expect "resume with another --test-percent: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--test-percent 10 differs' "$work/err")"
"$clgan" train-gan --help >"$work/help"
expect "--help describes the split of a folder without train/ and test/" grep -q "without train/ and test/" "$work/help"
"$clgan" train-gan --data "$work/xyz" --steps 2 --out "$work/fa" --resume 2>"$work/err"; rc=$?
expect "conditional resume on data whose classes have other names: rc 1 (rc=$rc)" test $rc = 1
expect "... the message lists both sets of names" test -n "$(grep "checkpoint: 'a', 'b', 'c' (3 classes)" "$work/err")" -a -n "$(grep "data: *'x', 'y', 'z' (3 classes)" "$work/err")"
"$clgan" train-gan --data "$work/abc" --steps 2 --out "$work/fa" --resume 2>>"$clgan_log"; rc=$?
expect "... and with the same names it resumes (rc=$rc)" test $rc = 0
echo "not an image" >"$work/abc/b/broken.png"
"$clgan" train-gan --data "$work/abc" "${img[@]}" --out "$work/fb" 2>"$work/err"; rc=$?
expect "an undecodable image stops the run: rc 1, names the file (rc=$rc)" test $rc = 1 -a -n "$(grep -F "broken.png" "$work/err")"
"$clgan" train-gan --data "$work/abc" "${img[@]}" --skip-unreadable --out "$work/fb" 2>"$work/err"; rc=$?
expect "--skip-unreadable: runs and says it skipped 1 image (rc=$rc)" test $rc = 0 -a -n "$(grep 'skip-unreadable: skipped 1 unreadable image in the train split' "$work/err")"

# 7. DiffAugment: a conditional run with every policy word (the layer goes before the label concat), its
# checkpoint keeps the policy, and resume refuses another one but takes the same set in another order.
da=$work/da
"$clgan" train-gan "${small[@]}" --conditional --diffaugment translation,cutout,color --steps 3 --out "$da" 2>"$work/err"; rc=$?
expect "train-gan --diffaugment runs (rc=$rc)" test $rc = 0 -a -s "$da/checkpoint.ckpt"
expect "the checkpoint keeps the policy" grep -aq "mbstd=0 diffaugment=color,translation,cutout" "$da/checkpoint.ckpt"
expect "D's layout: the diffaugment layer on the image, then the label concat" test "$(grep -a -A1 '^diffaugment ' "$da/checkpoint.ckpt" | tr -s ' ' | cut -d' ' -f1,2 | tr '\n' ' ')" = "diffaugment [1,28,28] concat_labels [11,28,28] "
"$clgan" train-gan "${small[@]}" --conditional --diffaugment translation --steps 4 --out "$da" --resume 2>"$work/err"; rc=$?
expect "resume with another --diffaugment: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--diffaugment differs' "$work/err")"
"$clgan" train-gan --data synthetic --diffaugment color,cutout,translation --steps 4 --out "$da" --resume 2>"$work/err"; rc=$?
expect "resume with the same set in another order continues (rc=$rc)" test $rc = 0
"$clgan" train-gan --data synthetic --diffaugment translation,zoom --out "$work/da2" 2>"$work/err"; rc=$?
expect "an unknown --diffaugment word: rc 2, lists the words (rc=$rc)" test $rc = 2 -a -n "$(grep 'translation|cutout' "$work/err")"

# 8. Weights that become non-finite are never saved. No flag makes a GAN's weights overflow while its losses stay
# finite, so a checkpoint gets one NaN in D's batchnorm running statistics (which training-mode steps do not read,
# so every loss stays finite): at the next epoch end the run stops, and the checkpoint is left as it was.
cp -r "$out" "$work/nanrun"
/usr/bin/python3 -c '
import hashlib, struct, sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read()[:-32])
at = 16
for _ in range(struct.unpack_from("<I", d, 12)[0]):
    n = struct.unpack_from("<I", d, at)[0]
    name, size = bytes(d[at + 4:at + 4 + n]), struct.unpack_from("<Q", d, at + 4 + n)[0]
    if name == b"D.state":
        struct.pack_into("<f", d, at + 12 + n, float("nan"))
    at += 12 + n + size
open(p, "wb").write(bytes(d) + hashlib.sha256(d).digest())' "$work/nanrun/checkpoint.ckpt"
cp "$work/nanrun/checkpoint.ckpt" "$work/nan.ckpt"
cp "$work/nanrun/samples/epoch-0003.png" "$work/nan.png" # step 9's grid, which step 12 would replace
"$clgan" train-gan --data synthetic --steps 14 --out "$work/nanrun" --resume 2>"$work/err"; rc=$?
expect "non-finite weights at an epoch end: rc 1 (rc=$rc)" test $rc = 1
expect "... says which, after which step and epoch" grep -q "of D's .* batchnorm statistics are NaN or infinite after step 12 (epoch 3)" "$work/err"
expect "... that the checkpoint was not overwritten, and suggests a lower --lr" test -n "$(grep 'was not overwritten: it holds the last good weights, of step 9' "$work/err")" -a -n "$(grep 'lower --lr' "$work/err")"
expect "... the checkpoint is unchanged" cmp -s "$work/nanrun/checkpoint.ckpt" "$work/nan.ckpt"
expect "... and no sample grid was written for that epoch" cmp -s "$work/nanrun/samples/epoch-0003.png" "$work/nan.png"

# 8. --balance-classes: a rare class repeated up to the largest one's count, kept in the checkpoint's note.
"$clgan" train-gan "${small[@]}" --conditional --imbalance 2:0.25 --balance-classes --steps 2 --out "$work/bal" 2>"$work/err"; rc=$?
expect "--balance-classes runs (rc=$rc)" test $rc = 0
expect "... says the class counts before and after" grep -q "balance-classes: 59 images -> 70 (the rarest class, 2, had 2; now 7 per class)" "$work/err"
"$clgan" train-gan --data synthetic --steps 3 --out "$work/bal" --resume 2>"$work/err"; rc=$?
expect "... resume takes it from the checkpoint (rc=$rc)" test $rc = 0 -a -n "$(grep '70 images' "$work/err")"
"$clgan" train-gan "${small[@]}" --conditional --imbalance 2:0.25 --steps 2 --out "$work/bal2" 2>>"$clgan_log"
"$clgan" train-gan --data synthetic --steps 3 --out "$work/bal2" --resume --balance-classes 2>"$work/err"; rc=$?
expect "... resume refuses --balance-classes on a run without it (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--balance-classes differs' "$work/err")"

# 9. --score-with: a fixed sample scored by a classifier at every epoch end; score.csv, score.png, log.csv's fd,
# --json; --keep-best keeps the lowest Frechet distance; resume continues the rows; bad classifiers refused.
"$clgan" train-classifier --data synthetic --width 4 --batch 16 --limit 64 --seed 3 --steps 4 --out "$work/sclf" 2>>"$clgan_log"
sc=$work/scored
"$clgan" train-gan "${small[@]}" --conditional --steps 8 --score-with "$work/sclf/checkpoint.ckpt" --score-n 40 --keep-best --out "$sc" --json >"$work/json" 2>"$work/err"; rc=$?
expect "--score-with runs (rc=$rc)" test $rc = 0
expect "... prints a score per epoch with the conditional accuracy" test "$(grep -c 'Frechet distance [0-9.]*, [0-9]*/10 classes >= 1%, IS [0-9.]*, [0-9.]*% classified as intended' "$work/err")" = 2
expect "... score.csv: a header and the rows of steps 4 and 8" test "$(cut -d, -f1,2 "$sc/score.csv" | tr '\n' ' ')" = "step,epoch 4,1 8,2 "
expect "... log.csv has the fd column, filled at the scored steps" test "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fd") c = i } NR > 1 && $c != "" { n++ } END { print n }' "$sc/log.csv")" = 2
expect "... score.png and best.ckpt written" test -s "$sc/score.png" -a -s "$sc/best.ckpt"
expect "... --json has the last score" grep -q '"fd": [0-9.e+-]*, "coverage": [0-9]*, "inception_score": ' "$work/json"
"$clgan" train-gan --data synthetic --steps 12 --resume --score-with "$work/sclf/checkpoint.ckpt" --score-n 40 --out "$sc" 2>>"$clgan_log"; rc=$?
expect "... resume adds the row of step 12 (rc=$rc)" test "$(cut -d, -f1 "$sc/score.csv" | tr '\n' ' ')" = "step 4 8 12 "
"$clgan" train-gan "${small[@]}" --steps 2 --score-with "$out/checkpoint.ckpt" --out "$work/sc2" 2>"$work/err"; rc=$?
expect "a GAN checkpoint as --score-with: rc 1, says what it is" test $rc = 1 -a -n "$(grep "is a 'clgan-gan' checkpoint, not a classifier checkpoint" "$work/err")"
"$clgan" train-classifier --data synthetic --model vgg32 --width 4 --batch 16 --limit 64 --steps 1 --out "$work/sclf32" 2>>"$clgan_log"
"$clgan" train-gan "${small[@]}" --steps 2 --score-with "$work/sclf32/checkpoint.ckpt" --out "$work/sc3" 2>"$work/err"; rc=$?
expect "a 32x32x3 classifier for a 28x28 GAN: rc 1, both shapes named" test $rc = 1 -a -n "$(grep '3x32x32 images (CxHxW); the GAN makes 1x28x28' "$work/err")"
"$clgan" train-gan "${small[@]}" --steps 2 --keep-best --out "$work/sc4" 2>"$work/err"; rc=$?
expect "--keep-best without --score-with: rc 2" test $rc = 2 -a -n "$(grep -- 'give --score-with' "$work/err")"

# 10. --spectral-norm: a short run resumes with it, and --resume refuses to switch it, either way.
sn=$work/sn
"$clgan" train-gan "${small[@]}" --spectral-norm --steps 4 --out "$sn" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "--spectral-norm: 4 steps and a checkpoint (rc=$rc)" test $rc = 0 -a -s "$sn/checkpoint.ckpt" -a -n "$(grep '"steps": 4' "$work/json")"
"$clgan" train-gan --data synthetic --steps 6 --out "$sn" --resume --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "... its resume keeps it and continues to step 6 (rc=$rc)" test $rc = 0 -a -n "$(grep '"steps": 6' "$work/json")"
"$clgan" train-gan --data synthetic --spectral-norm=0 --steps 8 --out "$sn" --resume 2>"$work/err"; rc=$?
expect "... --resume with --spectral-norm=0 is refused: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--spectral-norm differs' "$work/err")"
"$clgan" train-gan --data synthetic --spectral-norm --steps 12 --out "$out" --resume 2>"$work/err"; rc=$?
expect "--resume of a run without it, with --spectral-norm: rc 2 (rc=$rc)" test $rc = 2 -a -n "$(grep -- '--spectral-norm differs' "$work/err")"

finish
