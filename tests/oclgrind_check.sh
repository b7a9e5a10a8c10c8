#!/bin/sh
# oclgrind_check.sh — run a check_runner pattern under oclgrind, failing on
# any out-of-bounds access, data race, uninitialised read or API misuse that
# oclgrind reports (it logs them but does not change the exit status).
# usage: oclgrind_check.sh CHECK_RUNNER PATTERN
set -u
runner=$1
pattern=$2
command -v oclgrind >/dev/null 2>&1 || { echo "skipped: oclgrind is not installed"; exit 77; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A private cache folder: oclgrind binaries must not mix with real devices'.
CLGAN_CACHE_DIR=off oclgrind --check-api --data-races --uninitialized --log "$log" "$runner" "$pattern"
status=$?
if [ -s "$log" ]; then
    echo "oclgrind reported problems:"
    cat "$log"
    exit 1
fi
exit $status
