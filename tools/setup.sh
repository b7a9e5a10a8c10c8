#!/usr/bin/env bash
# setup.sh — install what the build needs (Debian/Ubuntu) and build clgan.
#
#   tools/setup.sh                 install missing packages, configure, build into build/
#   BUILD_DIR=out tools/setup.sh   build somewhere else
#   tools/setup.sh --no-build      only install what is missing
#
# On Debian/Ubuntu it installs missing packages with apt-get (as root, or via
# sudo). Elsewhere it prints what to install and stops. tools/test.sh and
# tools/demo.sh start with it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
# clang-15: the sanitizer and fuzz builds (tools/ci-sanitize.sh); libFuzzer and the sanitizer runtimes come with it.
# pkg-config: the installed-package example (tests/install_examples.sh); python3-numpy: tools/python (tests/test_python.py).
# libopenmpi-dev, openmpi-bin: data-parallel training under mpirun (docs/SCALING.md; ctest label mpi).
packages=(cmake gcc libc6-dev make pkg-config ocl-icd-opencl-dev pocl-opencl-icd libclblast-dev libstb-dev libjpeg-dev zlib1g-dev libcjson-dev oclgrind clinfo clang-15 python3-numpy libopenmpi-dev openmpi-bin)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "setup.sh: installing ${missing[*]}"
        sudo=""
        if [ "$(id -u)" != 0 ]; then
            command -v sudo >/dev/null 2>&1 || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
            sudo=sudo
        fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
else
    cat >&2 <<MSG
setup.sh: this is not a Debian/Ubuntu system, so nothing is installed automatically.
Install: a C11 compiler, CMake >= 3.25, the OpenCL ICD loader and headers, an OpenCL
driver (your GPU vendor's, or PoCL for CPUs), CLBlast (>= 1.5), stb, libjpeg, zlib and cJSON headers;
pkg-config and Python 3 with NumPy for the package and Python tests;
oclgrind for the oclgrind-labelled tests; clang with libFuzzer for tools/ci-sanitize.sh; optionally an MPI
library (Open MPI, MPICH) for data-parallel training. Then run:
  cmake -S "$here" -B "$build_dir" && cmake --build "$build_dir" -j
MSG
    exit 1
fi

[ "${1:-}" = --no-build ] && exit 0
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGAN_WERROR=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
