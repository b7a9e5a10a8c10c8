#!/usr/bin/env bash
# ci-sanitize.sh — the clang stage of CI (.ci/run runs it after tools/test.sh):
#
#   1. a clang build with AddressSanitizer + UndefinedBehaviorSanitizer
#      (-fno-sanitize-recover=all, warnings as errors) and the whole test
#      suite on it, oclgrind tests included (tests/sanitizer/lsan.supp lists
#      the third-party leaks that are suppressed);
#   2. a clang build of the libFuzzer targets (tests/fuzz, docs/FUZZING.md)
#      and the ctest label `fuzz`: the seed corpus, then every target for
#      FUZZ_SECONDS over it.
#
#   tools/ci-sanitize.sh                        both, into build-asan/ and build-fuzz/
#   CLANG=clang-16 tools/ci-sanitize.sh         another clang (default clang-15)
#   FUZZ_SECONDS=60 tools/ci-sanitize.sh        longer fuzzing per target (default 20)
#   SAN_BUILD_DIR=... FUZZ_BUILD_DIR=...        other build folders
#   CTEST_ARGS="-R cli_" tools/ci-sanitize.sh   extra ctest arguments for the sanitizer tests
#
# Run tools/setup.sh first (it installs clang-15 with the other packages).
# Prints how long each part took.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cc=${CLANG:-clang-15}
san=${SAN_BUILD_DIR:-$here/build-asan}
fuzz=${FUZZ_BUILD_DIR:-$here/build-fuzz}
seconds=${FUZZ_SECONDS:-20}
jobs=$(nproc)
command -v "$cc" >/dev/null 2>&1 || { echo "ci-sanitize.sh: $cc not found (tools/setup.sh installs clang-15)" >&2; exit 1; }

times=()
timed() { # timed LABEL COMMAND...: run it, remember how long it took
    local label=$1 t0=$SECONDS
    shift
    echo "==> $label"
    local rc=0
    "$@" || rc=$?
    times+=("$(printf '%-28s %4d s%s' "$label" $((SECONDS - t0)) "$( ((rc)) && echo "   FAILED (exit $rc)")")")
    ((rc == 0)) || failed=1
}
failed=0

build() { # build DIR OPTIONS... [-- TARGET]: configure with clang, warnings as errors, and build
    local dir=$1 target=all
    shift
    local opts=()
    while (($#)); do
        if [ "$1" = -- ]; then target=$2; break; fi
        opts+=("$1")
        shift
    done
    cmake -S "$here" -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLGAN_WERROR=ON "${opts[@]}" \
        >/dev/null
    cmake --build "$dir" -j"$jobs" --target "$target"
}

# Without MPI: the sanitizers then also see the build that refuses to run as several ranks (test
# cli_mpi_absent), and the MPI library's own start-up allocations stay out of LeakSanitizer's reports.
timed "clang ASan+UBSan build" build "$san" -DCLGAN_SANITIZE=address,undefined -DCLGAN_MPI=OFF
# Two at a time, as tools/test.sh: each test builds kernels through the shared on-disk cache.
timed "sanitizer tests" ctest --test-dir "$san" --output-on-failure -j2 ${CTEST_ARGS:-}
timed "clang fuzz build" build "$fuzz" -DCLGAN_FUZZ=ON -DCLGAN_FUZZ_SECONDS="$seconds" -- fuzz_all
timed "fuzz (${seconds} s per target)" ctest --test-dir "$fuzz" --output-on-failure -j2 -L fuzz

echo "ci-sanitize.sh: times"
printf '  %s\n' "${times[@]}"
exit $failed
