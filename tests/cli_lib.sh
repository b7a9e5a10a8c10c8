# cli_lib.sh — what every tests/cli_*.sh starts with, sourced as
#   . "$(dirname "$0")/cli_lib.sh" "$@"
# $clgan is the binary (the script's first argument), $work a temporary
# folder removed on exit; ok/bad/expect count results; with no OpenCL
# device the test skips (exit 77). Scripts end with `finish`.
set -u
clgan=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() { echo "$pass passed, $fails failed"; [ "$fails" = 0 ]; }

if ! "$clgan" devices >/dev/null 2>&1; then echo "skipped: no OpenCL device"; exit 77; fi
