#!/usr/bin/env bash
# install_examples.sh SOURCE_DIR BUILD_DIR — install the project into a temporary prefix and build the
# examples in tools/examples against that prefix only, both ways: (a) CMake's find_package(clgan) and
# (b) pkg-config (tools/examples/Makefile). Run both (a few training steps of a small GAN on the
# synthetic data), and check each wrote a checkpoint and a PNG that decodes to the grid's size; the
# installed clgan program loads the installed library and runs.
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
libdir=$(dirname "$(find "$prefix" -name 'libclgan.so' | head -1)")
[ -n "$libdir" ] || { echo "install_examples: no libclgan.so under $prefix"; exit 1; }
if find "$prefix" -name '*.h' -path '*host*' | grep -q .; then
    echo "install_examples: FAIL: internal headers were installed"; exit 1
fi

# The installed program runs on the installed shared library.
cli_lib=$(ldd "$prefix/bin/clgan" | awk '/libclgan\.so/ { print $3 }')
if [ -z "$cli_lib" ] || [ "$(readlink -f "$(dirname "$cli_lib")")" != "$(readlink -f "$libdir")" ]; then
    echo "install_examples: FAIL: the installed clgan does not load the installed library:"; ldd "$prefix/bin/clgan"; exit 1
fi
"$prefix/bin/clgan" --version >"$tmp/version.log" 2>&1 || { echo "install_examples: FAIL: clgan --version"; cat "$tmp/version.log"; exit 1; }

# (a) find_package(clgan): only the prefix is searched (no package registry, no build tree).
cmake -S "$src/tools/examples" -B "$tmp/a" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
      -DCMAKE_BUILD_TYPE=Release >"$tmp/a.log" 2>&1 || { cat "$tmp/a.log"; exit 1; }
grep -q "clgan .* from $prefix" "$tmp/a.log" || { echo "install_examples: FAIL: clgan not found in $prefix"; cat "$tmp/a.log"; exit 1; }
cmake --build "$tmp/a" >>"$tmp/a.log" 2>&1 || { cat "$tmp/a.log"; exit 1; }

# (b) pkg-config, with the prefix's .pc file only.
mkdir -p "$tmp/b"
PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_LIBDIR="$libdir/pkgconfig" \
    make -s -C "$src/tools/examples" OUT="$tmp/b" >"$tmp/b.log" 2>&1 || { cat "$tmp/b.log"; exit 1; }

status=0
for way in a b; do
    exe=$tmp/$way/gan_samples
    loaded=$(ldd "$exe" | awk '/libclgan\.so/ { print $3 }')
    if [ -z "$loaded" ] || [ "$(readlink -f "$(dirname "$loaded")")" != "$(readlink -f "$libdir")" ]; then
        echo "install_examples: FAIL ($way): $exe does not load the installed library:"; ldd "$exe"; exit 1
    fi
    mkdir -p "$tmp/out-$way"
    rc=0
    "$exe" "$tmp/out-$way" 3 >"$tmp/run-$way.log" 2>&1 || rc=$?
    cat "$tmp/run-$way.log"
    if ((rc != 0)); then
        if grep -q "gan_samples: opening a device" "$tmp/run-$way.log"; then
            echo "install_examples: no OpenCL device: built both ways, not run"; exit 77
        fi
        echo "install_examples: FAIL ($way): gan_samples exited $rc"; status=1; continue
    fi
    [ -s "$tmp/out-$way/gan.ckpt" ] || { echo "install_examples: FAIL ($way): no checkpoint"; status=1; }
    # The PNG decodes (zlib stream of its IDAT chunks, one filter byte per row) to 8 x 8 cells of 28 + padding 2.
    python3 - "$tmp/out-$way/samples.png" <<'PY' || status=1
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0], "bad CRC in " + str(kind)
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
    if kind == b"IDAT": idat += body
    pos += 12 + n
w, h, depth, colour = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
channels = {0: 1, 2: 3}[colour]
raw = zlib.decompress(idat)
want = 8 * 28 + 9 * 2
assert (w, h, depth) == (want, want, 8), "size %dx%d depth %d, want %dx%d depth 8" % (w, h, depth, want, want)
assert len(raw) == h * (1 + w * channels), "decoded %d bytes, want %d" % (len(raw), h * (1 + w * channels))
print("install_examples: %s decodes: %dx%d, %d channel(s)" % (sys.argv[1], w, h, channels))
PY
done
((status == 0)) && echo "install_examples: ok (find_package and pkg-config builds ran and wrote their PNGs)"
exit $status
