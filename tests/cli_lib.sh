# cli_lib.sh — what every tests/cli_*.sh starts with, sourced as
#   . "$(dirname "$0")/cli_lib.sh" "$@"
# $clgan is the binary (the script's first argument), $work a temporary
# folder removed on exit; ok/bad/expect count results; with no OpenCL
# device the test skips (exit 77). Scripts end with `finish`.
# clgan's stderr is never thrown away: a call whose stderr the test does not
# read appends it to "$clgan_log" (2>>"$clgan_log"), which `finish` shows
# when a check failed. In a sanitizer build every clgan process also writes
# its report to $work/sanitizer/ (ASan/UBSan log_path), wherever its stderr
# goes; any report, or report text in "$clgan_log", fails the test. image_folder
# makes a small labelled image folder; signal_run stops a background run with a
# signal once it is under way.
set -u
clgan=$1
work=$(mktemp -d)
clgan_log=$work/clgan-stderr.log
mkdir -p "$work/sanitizer" && : >"$clgan_log"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$work/sanitizer/report"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$work/sanitizer/report"
finished=0
# sanitizer_reports: print every report clgan left; 1 if there was one.
sanitizer_reports() {
    local f found=0
    for f in "$work"/sanitizer/*; do
        [ -e "$f" ] || continue
        echo "FAIL sanitizer report from a clgan process ($(basename "$f")):"
        cat "$f"
        found=1
    done
    if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$clgan_log"; then
        echo "FAIL sanitizer report in clgan's stderr:"
        grep -A 40 -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' -e 'runtime error:' "$clgan_log"
        found=1
    fi
    return $found
}
# A script that ends without `finish` still fails on a report.
on_exit() {
    local rc=$?
    if [ "$finished" = 0 ] && [ "$rc" != 77 ] && ! sanitizer_reports; then rc=1; fi
    rm -rf "$work"
    exit $rc
}
trap on_exit EXIT
fails=0
pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
finish() {
    finished=1
    sanitizer_reports || fails=$((fails + 1))
    echo "$pass passed, $fails failed"
    if [ "$fails" != 0 ] && [ -s "$clgan_log" ]; then
        echo "--- clgan's stderr from calls the checks do not read (last 200 lines) ---"
        tail -n 200 "$clgan_log"
    fi
    [ "$fails" = 0 ]
}
# image_folder DIR CLASS...: an image folder (no train/ and test/) with 20 small grey PGM images in a
# sub-folder per class; pgm FILE V writes one 8x8 image whose pixels start at V.
pgm() { { printf 'P5\n8 8\n255\n'; LC_ALL=C awk -v v="$2" 'BEGIN { for (i = 0; i < 64; i++) printf "%c", (v + i * 3) % 255 + 1 }'; } >"$1"; }
image_folder() {
    local dir=$1 k=0 c i
    shift
    for c in "$@"; do
        mkdir -p "$dir/$c"
        for i in $(seq 1 20); do pgm "$dir/$c/img$i.pgm" $((k * 60 + i)); done
        k=$((k + 1))
    done
}

# signal_run SIGNAL READY CMD...: start CMD in the background (its output goes
# where the call's redirections send it), wait up to 30 s for the shell test
# READY to hold, send SIGNAL and wait; rc is CMD's exit status.
signal_run() {
    local sig=$1 ready=$2 pid
    shift 2
    "$@" &
    pid=$!
    for _ in $(seq 300); do
        eval "$ready" && break
        sleep 0.1
    done
    kill -"$sig" $pid
    wait $pid; rc=$?
}
# bad_data_and_batch CMD: training command CMD refuses a bad --batch value (rc 2,
# saying what --batch expects) and a dataset path that does not exist (rc 1,
# naming the path).
bad_data_and_batch() {
    "$clgan" "$1" --data synthetic --batch zero --out "$work/r2" 2>"$work/err"; rc=$?
    expect "$1: bad --batch value: rc 2 and a message" test $rc = 2 -a -n "$(grep -- '--batch expects' "$work/err")"
    "$clgan" "$1" --data "$work/nothing-here" --out "$work/r3" 2>"$work/err"; rc=$?
    expect "$1: missing dataset: rc 1 and the path in the message" \
        test $rc = 1 -a -n "$(grep -F "$work/nothing-here" "$work/err")"
}
# interrupt_and_resume CMD DIR ARG...: training command CMD (with ARG... --steps
# 100000 --out DIR) stopped by SIGINT once under way exits 130 saying where the
# checkpoint is, and --resume on synthetic data then reaches step 12.
interrupt_and_resume() {
    local cmd=$1 dir=$2
    shift 2
    signal_run INT "log_rows_over '$dir' 3" "$clgan" "$cmd" "$@" --steps 100000 --out "$dir" 2>"$work/int.log"
    expect "$cmd: SIGINT: exit 130 (rc=$rc)" test $rc = 130
    expect "$cmd: SIGINT: says where the checkpoint is" grep -q "checkpoint written to" "$work/int.log"
    "$clgan" "$cmd" --data synthetic --steps 12 --out "$dir" --resume --json >"$work/json" 2>>"$clgan_log"
    expect "$cmd: resume after SIGINT reaches step 12" grep -q '"steps": 12' "$work/json"
}
# log_rows_over DIR N: DIR/log.csv has more than N lines.
log_rows_over() { [ -s "$1/log.csv" ] && [ "$(wc -l <"$1/log.csv")" -gt "$2" ]; }

if ! "$clgan" devices >/dev/null 2>>"$clgan_log"; then echo "skipped: no OpenCL device"; exit 77; fi
