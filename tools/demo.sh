#!/usr/bin/env bash
# demo.sh — from a fresh clone to GAN samples in one command.
#
# Installs what is missing and builds (tools/setup.sh), gets MNIST (data/mnist
# if present, else tools/fetch-mnist.sh; when that fails too, the built-in
# synthetic shapes, saying so), trains a small conditional DCGAN (one grid row
# per class) on the default OpenCL device for a few minutes, and prints where
# the sample grids are.
#
#   tools/demo.sh                  default: about 600 training steps
#   DEMO_STEPS=2000 tools/demo.sh  train longer
#   CLGAN_DEVICE=gpu tools/demo.sh pick a device
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
steps=${DEMO_STEPS:-600}
out=${DEMO_OUT:-$here/runs/demo}

"$here/tools/setup.sh"
clgan="$build_dir/clgan"

data="$here/data/mnist"
if ! "$here/tools/fetch-mnist.sh" "$data"; then
    echo "demo.sh: could not get MNIST; training on the built-in synthetic shapes instead"
    data=synthetic
fi

echo
"$clgan" devices | head -n 3
echo
if [ -e "$out/checkpoint.ckpt" ]; then
    echo "demo.sh: $out already holds a run; continuing it"
    resume=--resume
else
    resume=
fi
"$clgan" train-gan --data "$data" --model dcgan28 --conditional --steps "$steps" --out "$out" $resume

last=$(ls "$out"/samples/epoch-*.png | tail -n 1)
echo
echo "demo.sh: done."
echo "  samples:    $last  (row k is class k; one grid per epoch in $out/samples/)"
echo "  loss curve: $out/loss.png"
echo "  more:       $clgan sample --checkpoint $out/checkpoint.ckpt --n 64 --out samples.png"
