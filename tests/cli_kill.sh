#!/usr/bin/env bash
# cli_kill.sh — SIGKILL a short train-classifier and train-gan run on the
# synthetic data at several points: early (before the first checkpoint),
# mid-epoch, during a checkpoint write (the writer's temporary file is
# watched for and the run killed while it exists), and at random delays.
# After every kill: a checkpoint, if there is one, loads and is at an epoch
# end at or after the previous one; log.csv holds whole lines, each with the
# header's field count and strictly increasing steps. Each next run resumes
# (or starts anew when no checkpoint was written yet); at the end the run
# reaches its last step, log.csv holds every step exactly once, and no
# temporary file is left.
# usage: cli_kill.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

# Whole lines, the header's field count, strictly increasing steps.
log_ok() {
    [ ! -s "$1" ] && return 0
    [ -z "$(tail -c 1 "$1")" ] || return 1
    awk -F, 'NR == 1 { n = NF; next } NF != n || $1 + 0 <= last { bad = 1 } { last = $1 + 0 } END { exit bad }' "$1"
}

# The step the checkpoint holds, or -1 when there is none; empty when it does not load (eval for a
# classifier; sample for a GAN, whose step is then read from the container's "step" section).
ckpt_step() {
    [ -e "$out/checkpoint.ckpt" ] || { echo -1; return; }
    if [ "$kind" = train-classifier ]; then
        "$clgan" eval --checkpoint "$out/checkpoint.ckpt" --data synthetic --limit 8 --json 2>>"$work/check.err"
    elif "$clgan" sample --checkpoint "$out/checkpoint.ckpt" --n 1 --out "$work/s.png" 2>>"$work/check.err"; then
        /usr/bin/python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
at, sections = 16, struct.unpack_from("<I", d, 12)[0]
for _ in range(sections):
    n = struct.unpack_from("<I", d, at)[0]
    name = d[at + 4:at + 4 + n]
    size = struct.unpack_from("<Q", d, at + 4 + n)[0]
    if name == b"step":
        print(struct.unpack_from("<q", d, at + 12 + n)[0])
    at += 12 + n + size' "$out/checkpoint.ckpt"
    fi | sed -n 's/.*"step": \([0-9]*\).*/\1/p; t; /^[0-9][0-9]*$/p'
}

# The last step in log.csv (0 when it has no row).
log_step() {
    local last
    last=$(tail -n 1 "$out/log.csv" 2>/dev/null)
    last=${last%%,*}
    case $last in '' | *[!0-9]*) echo 0 ;; *) echo "$last" ;; esac
}

# One run: resume when there is a checkpoint, else a new run in the same folder; sets $pid.
start_run() {
    local more=()
    [ -e "$out/checkpoint.ckpt" ] && more=(--resume)
    "$clgan" "$kind" "${args[@]}" "${more[@]}" --out "$out" >/dev/null 2>>"$work/run.err" &
    pid=$!
}

# Wait (at most 60 s) until the condition in $1 holds or the run ends; 0 if it held.
wait_for() {
    local until=$((SECONDS + 60))
    while [ $SECONDS -lt $until ]; do
        eval "$1" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
    done
    return 1
}

tmp_exists() {
    local f
    for f in "$out"/checkpoint.ckpt.tmp.*; do [ -e "$f" ] && return 0; done
    return 1
}

# Kill at each point in turn ($@: early, mid, write, or random), checking the folder after each.
kill_loop() {
    local point rc step prev=-1 hits=0 kills=0 points=""
    for point in "$@"; do
        start_run
        local from
        from=$(log_step)
        case $point in
        early) sleep 0.05 ;;
        mid) wait_for '[ "$(log_step)" -gt "$from" ] && [ $(($(log_step) % per_epoch)) = $((per_epoch / 2)) ]' ;;
        write) wait_for tmp_exists ;;
        random) sleep "0.$((RANDOM % 9 + 1))" ;;
        esac
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rc=$?
        if [ "$rc" = 0 ]; then # finished before the kill: nothing more to test here
            ok "$kind: the run ended before the $point kill"
            break
        fi
        [ "$rc" = 137 ] || { bad "$kind: $point: the run failed on its own (rc=$rc): $(tail -n 3 "$work/run.err")"; break; }
        kills=$((kills + 1))
        [ "$point" = write ] && tmp_exists && hits=$((hits + 1))
        step=$(ckpt_step)
        if [ -z "$step" ]; then
            bad "$kind: after the $point kill the checkpoint does not load: $(tail -n 2 "$work/check.err")"
        elif [ "$step" -ge 0 ] && { [ "$step" -lt "$prev" ] || [ $((step % per_epoch)) != 0 ]; }; then
            bad "$kind: after the $point kill the checkpoint holds step $step (before: $prev; epochs of $per_epoch)"
        else
            prev=$step
        fi
        log_ok "$out/log.csv" || bad "$kind: after the $point kill log.csv has a broken line: $(tail -c 200 "$out/log.csv")"
        points="$points $point@$(log_step)/$step"
    done
    ok "$kind: $kills kills checked (point@last logged step/checkpoint step:$points)"
    expect "$kind: killed during a checkpoint write at least once ($hits times)" test "$hits" -gt 0
    # The end: resume to the last step.
    start_run
    wait "$pid"
    rc=$?
    expect "$kind: the last resume reaches the end (rc=$rc)" test "$rc" = 0
    expect "$kind: the checkpoint holds the last step" test "$(ckpt_step)" = "$total"
    expect "$kind: log.csv holds steps 1..$total once each" test \
        "$(tail -n +2 "$out/log.csv" | cut -d, -f1 | tr '\n' ' ')" = "$(seq -s ' ' 1 "$total") "
    expect "$kind: log.csv is well formed" log_ok "$out/log.csv"
    expect "$kind: no temporary files are left" test -z "$(ls "$out" | grep '\.tmp')"
    if [ "$hits" -gt 0 ]; then
        expect "$kind: a run said it removed the killed writer's temporary file" grep -q "temporary file.* that an interrupted run left" "$work/run.err"
    fi
}

# 4 steps per epoch (64 images, batch 16); checkpoints of about 1.4 MB and 2 MB, so a write takes a while.
per_epoch=4
kind=train-classifier
total=24
out=$work/classifier
args=(--data synthetic --width 16 --batch 16 --limit 64 --steps "$total")
: >"$work/run.err"
kill_loop early mid write write mid random random write random

kind=train-gan
total=40
out=$work/gan
args=(--data synthetic --width 32 --nz 16 --batch 16 --limit 64 --steps "$total")
: >"$work/run.err"
kill_loop early mid write write random mid write random random

finish
