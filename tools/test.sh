#!/usr/bin/env bash
# test.sh — set up, build and test clgan in one command.
#
#   tools/test.sh            install missing packages (Debian/Ubuntu), configure, build, run ctest
#   BUILD_DIR=out tools/test.sh      build somewhere else (default: build)
#   CTEST_ARGS="-L device" tools/test.sh   pass extra arguments to ctest
#
# On Debian/Ubuntu it installs what is missing with apt-get (as root, or via
# sudo). Elsewhere it prints the packages to install and stops.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
packages=(cmake gcc libc6-dev make ocl-icd-opencl-dev pocl-opencl-icd libclblast-dev libstb-dev zlib1g-dev oclgrind clinfo)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "test.sh: installing ${missing[*]}"
        sudo=""
        if [ "$(id -u)" != 0 ]; then
            command -v sudo >/dev/null 2>&1 || { echo "test.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
            sudo=sudo
        fi
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
else
    for tool in cmake cc; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    cat >&2 <<MSG
test.sh: this is not a Debian/Ubuntu system, so nothing is installed automatically.
Install: a C11 compiler, CMake >= 3.25, the OpenCL ICD loader and headers, an OpenCL
driver (your GPU vendor's, or PoCL for CPUs), CLBlast (>= 1.5), stb and zlib headers;
oclgrind for the oclgrind-labelled tests. Then run:
  cmake -S "$here" -B "$build_dir" && cmake --build "$build_dir" -j && (cd "$build_dir" && ctest --output-on-failure)
MSG
    exit 1
fi

cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGAN_WERROR=ON
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
# Each test builds kernels through the shared on-disk cache; two at a time suits small machines.
ctest --output-on-failure -j2 ${CTEST_ARGS:-}
