#!/usr/bin/env bash
# run_fuzz.sh — one fuzz target for a fixed time over its seed corpus (ctest
# label fuzz). New inputs that reach new code go to CORPUS (kept between
# runs); a crash, timeout, out-of-memory or sanitizer report is saved under
# FINDINGS and fails the test.
#
# usage: run_fuzz.sh FUZZ_TARGET SEEDS CORPUS FINDINGS SECONDS [libFuzzer options...]
set -u
target=$1 seeds=$2 corpus=$3 findings=$4 seconds=$5
shift 5
mkdir -p "$corpus" "$findings" "$seeds" || exit 1
# -timeout: seconds per input; -rss_limit_mb also caps any single allocation (malloc_limit_mb).
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$@" "$corpus" "$seeds"
rc=$?
if [ "$rc" != 0 ]; then
    echo "run_fuzz: $(basename "$target") failed (exit $rc); reproducers in $findings:"
    ls -l "$findings"
    echo "rerun one with: $target FILE"
    exit 1 # libFuzzer's own code for a finding is 77, which reads as "skipped" to a test runner
fi
