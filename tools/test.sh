#!/usr/bin/env bash
# test.sh — set up, build and test clgan in one command.
#
#   tools/test.sh                          install missing packages (Debian/Ubuntu), build, run ctest
#   BUILD_DIR=out tools/test.sh            build somewhere else (default: build)
#   CTEST_ARGS="-L device" tools/test.sh   pass extra arguments to ctest
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
cd "${BUILD_DIR:-$here/build}"
# Each test builds kernels through the shared on-disk cache; two at a time suits small machines.
ctest --output-on-failure -j2 ${CTEST_ARGS:-}
