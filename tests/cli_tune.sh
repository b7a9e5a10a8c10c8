#!/usr/bin/env bash
# cli_tune.sh — `clgan tune` end to end with a tiny budget: the tuning file
# is written into the cache folder, `clgan devices` reports the device as
# tuned, training commands stop suggesting `clgan tune`, a damaged file is
# ignored with a note and rebuilt by the next `tune`, --dry-run writes
# nothing, and bad input gets a message and exit status 2.
# usage: cli_tune.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

export CLGAN_CACHE_DIR=$work/cache
tiny=(--models dcgan28 --batch 8 --reps 1)

# 1. Bad input first: nothing is written.
"$clgan" tune --models nosuchnet 2>"$work/err"
expect "an unknown model exits 2 (rc=$?)" grep -q "unknown model 'nosuchnet'" "$work/err"
"$clgan" tune --budget 0 2>"$work/err"
expect "a budget below 1 s exits 2 (rc=$?)" grep -q -- "--budget expects" "$work/err"
"$clgan" tune --bogus 2>"$work/err"
expect "an unknown flag exits 2 (rc=$?)" grep -q "unknown option '--bogus'" "$work/err"
CLGAN_CACHE_DIR=off "$clgan" tune "${tiny[@]}" --budget 5 2>"$work/err"
expect "with the cache off there is nowhere to save: refused (rc=$?)" grep -q "disk cache is off" "$work/err"
expect "nothing written yet" test ! -e "$work/cache/tuning"

# 2. Before: untuned, and a training command says so.
"$clgan" devices >"$work/dev"
expect "devices: untuned" grep -q "GEMM tuning    none" "$work/dev"
"$clgan" train-gan --data synthetic --width 8 --nz 8 --batch 8 --limit 16 --steps 1 --out "$work/g1" 2>"$work/err"
expect "training on an untuned device suggests clgan tune" grep -q "clgan tune" "$work/err"

# 3. A short tune: saved, reported, applied.
"$clgan" tune "${tiny[@]}" --budget 20 --json >"$work/out" 2>"$work/err"
rc=$?
expect "tune exits 0 (rc=$rc)" test $rc = 0
file=$(ls "$work"/cache/tuning/*.txt 2>/dev/null | head -1)
expect "a tuning file is saved in the cache folder" test -s "$file"
expect "it carries the switch point and a checksum" grep -q "^set GemmRoutine XGEMM_MIN_INDIRECT_SIZE=" "$file"
expect "  ... and a checksum line" grep -q "^sha256 [0-9a-f]\{64\}$" "$file"
expect "per-shape table with gains" grep -q "default ms" "$work/out"
expect "per-model GEMM time per step" grep -q "^dcgan28 " "$work/out"
expect "--json summary" grep -q '"command": "tune"' "$work/out"
expect "progress lines on stderr" grep -q "tune \[" "$work/err"
"$clgan" devices >"$work/dev"
expect "devices: tuned, with the time" grep -q "GEMM tuning    tuned 20" "$work/dev"
"$clgan" devices --json >"$work/devj"
expect "devices --json: tuned time" grep -q '"tuned": "20' "$work/devj"
"$clgan" train-gan --data synthetic --width 8 --nz 8 --batch 8 --limit 16 --steps 1 --out "$work/g2" 2>"$work/err"
expect "training on a tuned device: no suggestion" bash -c "! grep -q 'clgan tune' '$work/err'"

# 4. Damaged: ignored with one note; the next tune rebuilds it.
sed -i 's/^models .*/models edited/' "$file"
"$clgan" devices >"$work/dev"
expect "devices: a damaged file is reported as ignored" grep -q "GEMM tuning    ignored: .*checksum" "$work/dev"
"$clgan" train-gan --data synthetic --width 8 --nz 8 --batch 8 --limit 16 --steps 1 --out "$work/g3" 2>"$work/err"
rc=$?
expect "training still runs with a damaged file (rc=$rc)" test $rc = 0
expect "  ... after a one-line note" test "$(grep -c 'ignoring the GEMM tuning file' "$work/err")" = 1
"$clgan" tune "${tiny[@]}" --budget 5 >/dev/null 2>>"$clgan_log"
"$clgan" devices >"$work/dev"
expect "tune again rebuilds it" grep -q "GEMM tuning    tuned" "$work/dev"

# 5. --dry-run leaves the folder alone.
before=$(sha256sum "$file")
"$clgan" tune "${tiny[@]}" --budget 5 --dry-run >"$work/out" 2>>"$clgan_log"
expect "--dry-run says so" grep -q "nothing saved" "$work/out"
expect "--dry-run leaves the file unchanged" test "$before" = "$(sha256sum "$file")"
expect "no temporary files left" test -z "$(ls "$work"/cache/tuning | grep tmp)"

finish
