#!/usr/bin/env bash
# cli_lib_check.sh — cli_lib.sh itself: a sanitizer report from a clgan
# process fails the test whether it went to a report file (ASan/UBSan
# log_path, even when the call's stderr went to /dev/null) or into the
# stderr log, also when the script stops before `finish`; a clean run
# passes; a failing check shows the stderr log. Runs a stand-in for clgan,
# so it needs no device and no sanitizer build.
# usage: cli_lib_check.sh (no arguments)
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The stand-in: "devices" succeeds; "asan-file" does what an ASan build does with log_path (the report goes to
# <log_path>.<pid>, nothing to stderr); "ubsan-stderr" prints a UBSan report on stderr; "clean" a normal line.
cat >"$tmp/clgan" <<'FAKE'
#!/bin/sh
case "$1" in
devices) exit 0 ;;
asan-file)
    p=$(printf '%s\n' "$ASAN_OPTIONS" | tr ':' '\n' | sed -n 's/^log_path=//p' | tail -n 1)
    [ -n "$p" ] || { echo "no log_path in ASAN_OPTIONS" >&2; exit 3; }
    printf '==%s==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n' $$ >"$p.$$"
    exit 1 ;;
ubsan-stderr) echo "host/x.c:1:2: runtime error: signed integer overflow" >&2; exit 0 ;;
clean) echo "clgan: a line clgan wrote to stderr" >&2; exit 0 ;;
esac
exit 2
FAKE
chmod +x "$tmp/clgan"

fails=0
# case NAME WANT_RC WANT_TEXT SCRIPT_BODY: run a test script made of cli_lib.sh and the body.
case_() {
    local name=$1 want_rc=$2 want_text=$3 body=$4
    printf '. "%s/cli_lib.sh" "$@"\n%s\n' "$here" "$body" >"$tmp/t.sh"
    bash "$tmp/t.sh" "$tmp/clgan" >"$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" = "$want_rc" ] && { [ -z "$want_text" ] || grep -q -- "$want_text" "$tmp/out"; }; then
        echo "ok   $name"
    else
        echo "FAIL $name (rc $rc, want $want_rc and '$want_text' in the output):"
        sed 's/^/    /' "$tmp/out"
        fails=$((fails + 1))
    fi
}
case_ "a clean run passes" 0 "1 passed, 0 failed" \
    '"$clgan" clean 2>>"$clgan_log"; expect "clean" true; finish'
case_ "an ASan report is caught with stderr sent to /dev/null" 1 "FAIL sanitizer report from a clgan process" \
    '"$clgan" asan-file 2>/dev/null; expect "ran" true; finish'
case_ "a UBSan report in the stderr log is caught" 1 "FAIL sanitizer report in clgan's stderr" \
    '"$clgan" ubsan-stderr 2>>"$clgan_log"; expect "ran" true; finish'
case_ "a report fails a script that exits before finish" 1 "ERROR: AddressSanitizer" \
    '"$clgan" asan-file 2>/dev/null; exit 0'
case_ "a failing check shows clgan's stderr log" 1 "a line clgan wrote to stderr" \
    '"$clgan" clean 2>>"$clgan_log"; expect "a check that fails" false; finish'
case_ "a skipped test stays skipped" 77 "" \
    'exit 77'
[ "$fails" = 0 ] && echo "all passed"
[ "$fails" = 0 ]
