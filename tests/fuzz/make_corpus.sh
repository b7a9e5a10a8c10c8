#!/usr/bin/env bash
# make_corpus.sh — the fuzz targets' seed corpus, from valid files: IDX,
# CIFAR-10, images of every format and tuning files (fuzz_seeds), the
# architecture presets (clgan models show), and real
# checkpoints of each kind plus kernel-cache entries made with the clgan CLI
# on tiny synthetic data. Without an OpenCL device only the first part is
# written (the checkpoint and kernel-cache targets then start from nothing).
#
# usage: make_corpus.sh PATH/TO/clgan PATH/TO/fuzz_seeds OUT_DIR
#   OUT_DIR/<target>/ holds each target's seeds (target = fuzz_<target> without the prefix)
set -u
clgan=$1
seeds=$2
out=$3
rm -rf "$out"
mkdir -p "$out" || exit 1
"$seeds" "$out" || { echo "make_corpus: fuzz_seeds failed" >&2; exit 1; }
mkdir -p "$out"/{container,ckpt_gan,ckpt_classifier,ckpt_ssl,ckpt_dfeatures,kernel_cache,arch,yolo}
# YOLO label files, alone and with a classes.txt or a data.yaml (the names file's first byte odd: a
# leading '#' picks data.yaml).
printf '0 0.5 0.5 0.25 0.25\n1 0.25 0.75 0.2 0.3\n' >"$out/yolo/labels.txt"
printf '2 0.5 0.5 0.5 0.5\r\n\n0 0.1 0.1 0.2 0.2NAMES---zero\none\ntwo\n' >"$out/yolo/classes.txt"
printf '1 0.5 0.5 0.5 0.5\nNAMES---# names\nnc: 2\nnames: [cat, "dog"]\n' >"$out/yolo/flow.yaml"
printf '0 0.5 0.5 0.5 0.5NAMES---#\nnames:\n  0: a\n  1: b\n' >"$out/yolo/block.yaml"
# Every architecture preset, as `clgan models show` prints it (no device needed).
"$clgan" models | awk 'NR > 1 && $3 ~ /^[gdch]$/ { print $1, $3 }' | while read -r name part; do
    "$clgan" models show "$name" --part "$part" >"$out/arch/$name-$part.arch" ||
        echo "make_corpus: 'models show $name --part $part' failed" >&2
done

if ! "$clgan" devices >/dev/null 2>&1; then
    echo "make_corpus: no OpenCL device: no checkpoint or kernel-cache seeds"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
# A private kernel cache, so its entries can be taken as seeds.
export CLGAN_CACHE_DIR=$work/cache
# In a sanitizer build: the OpenCL driver's leaks at exit are not this script's business.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fail=0
run() { # run NAME ARGS...: one clgan command, its stderr kept in the log
    local name=$1
    shift
    if ! "$clgan" "$@" >>"$log" 2>&1; then
        echo "make_corpus: '$name' failed: clgan $*" >&2
        fail=1
    fi
}
tiny=(--data synthetic --limit 64 --batch 16 --seed 5)
# The narrowest nets: small seeds keep the targets fast (every input is checksummed and written).
run gan train-gan "${tiny[@]}" --width 2 --nz 4 --steps 2 --out "$work/gan"
run gan-cond train-gan "${tiny[@]}" --width 2 --nz 4 --steps 2 --conditional --out "$work/gan-cond"
run classifier train-classifier "${tiny[@]}" --width 2 --steps 2 --out "$work/clf"
run ssl train-ssl "${tiny[@]}" --width 2 --labels 20 --steps 2 --out "$work/ssl"
run dfeatures train-dfeatures --gan "$work/gan/checkpoint.ckpt" "${tiny[@]}" --epochs 1 --out "$work/head"
run sample sample --checkpoint "$work/gan-cond/checkpoint.ckpt" --n 4 --out "$out/image_png/clgan-sample.png"

copy() { # copy SRC DEST...: a seed into each destination folder
    local src=$1
    shift
    [ -s "$src" ] || return 0
    for dest in "$@"; do cp "$src" "$dest"; done
}
copy "$work/gan/checkpoint.ckpt" "$out/ckpt_gan/gan.ckpt" "$out/container/gan.ckpt"
copy "$work/gan-cond/checkpoint.ckpt" "$out/ckpt_gan/gan-conditional.ckpt" "$out/container/gan-conditional.ckpt"
copy "$work/clf/checkpoint.ckpt" "$out/ckpt_classifier/lenet28.ckpt" "$out/container/lenet28.ckpt"
copy "$work/ssl/checkpoint.ckpt" "$out/ckpt_ssl/ssl.ckpt" # not in container/: 850 KB slows that target 20 times
copy "$work/head/checkpoint.ckpt" "$out/ckpt_dfeatures/head.ckpt" "$out/container/head.ckpt"
# The smallest real kernel-cache entry (they are hundreds of KB; fuzz_seeds adds a tiny one).
find "$CLGAN_CACHE_DIR" -name '*.clbin' -printf '%s %p\n' 2>/dev/null | sort -n | head -1 |
    while read -r _ f; do cp "$f" "$out/kernel_cache/"; done

for d in "$out"/*/; do
    [ -n "$(ls -A "$d")" ] || { echo "make_corpus: no seeds in $d" >&2; fail=1; }
done
if [ "$fail" != 0 ]; then
    echo "--- clgan's output ---" >&2
    cat "$log" >&2
    exit 1
fi
echo "make_corpus: $(find "$out" -type f | wc -l) seeds in $out"
