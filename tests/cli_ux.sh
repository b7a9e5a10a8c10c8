#!/usr/bin/env bash
# cli_ux.sh — what a new user sees: the progress bar fits an 80-column (and
# a 40-column) terminal and the end-of-epoch evaluation shows progress; a
# failed run leaves no empty folders; "done" names only files that exist;
# predict classifies the readable files when one is missing; a bad
# CLGAN_GEMM_TUNED is an error; with --json every command prints one JSON
# object on stdout, also on an error or Ctrl-C; flags agree across commands:
# `clgan help COMMAND`, exit 2 for a usage error everywhere, --seed and
# --json everywhere, old flag spellings accepted with one deprecation line.
# usage: cli_ux.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

gan=(--data synthetic --width 8 --nz 16 --batch 16 --limit 64 --seed 3)
clf=(--data synthetic --width 4 --batch 16 --limit 64 --seed 3)

# is_json FILE: FILE is exactly one line holding one JSON object (checked by
# Python's parser when there is one).
is_json() {
    [ "$(wc -l <"$1")" = 1 ] && grep -q '^{.*}$' "$1" || return 1
    command -v python3 >/dev/null || return 0
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d, dict) else 1)' "$1"
}

# redraws FILE: the lines a terminal session redrew in place (the text after
# each "\r ESC[K"), escape sequences removed.
redraws() { tr '\r' '\n' <"$1" | grep -a $'^\e\\[K' | sed $'s/\e\\[[0-9;]*[A-Za-z]//g'; }
# widest FILE: the longest redrawn line.
widest() { redraws "$1" | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'; }

# 1. The bar in a pseudo-terminal (script from util-linux), whose width comes
#    from COLUMNS: no redrawn line is wider than the terminal.
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
    COLUMNS=80 script -qec "'$clgan' train-gan ${gan[*]} --steps 8 --out '$work/tty-gan'" /dev/null >"$work/tty-gan.txt"
    expect "train-gan in a terminal: the bar is redrawn in place" grep -aq $'\r\e\\[Kepoch 1/2' "$work/tty-gan.txt"
    expect "train-gan bar fits 80 columns (widest $(widest "$work/tty-gan.txt"))" \
        test "$(widest "$work/tty-gan.txt")" -gt 40 -a "$(widest "$work/tty-gan.txt")" -le 80
    expect "the 80-column GAN line keeps the step count, the losses and the ETA" \
        grep -aq 'epoch 2/2.* 4/4 | D [0-9.]* G [0-9.]* .*ETA' <(redraws "$work/tty-gan.txt")
    COLUMNS=40 script -qec "'$clgan' train-gan ${gan[*]} --steps 4 --out '$work/tty-gan40'" /dev/null \
        >"$work/tty-gan40.txt"
    expect "train-gan bar fits 40 columns (widest $(widest "$work/tty-gan40.txt"))" \
        test "$(widest "$work/tty-gan40.txt")" -gt 10 -a "$(widest "$work/tty-gan40.txt")" -le 40
    COLUMNS=80 script -qec "'$clgan' train-classifier ${clf[*]} --steps 8 --out '$work/tty-clf'" /dev/null \
        >"$work/tty-clf.txt"
    expect "train-classifier bar fits 80 columns (widest $(widest "$work/tty-clf.txt"))" \
        test "$(widest "$work/tty-clf.txt")" -gt 40 -a "$(widest "$work/tty-clf.txt")" -le 80
    expect "the end-of-epoch evaluation shows its progress" \
        grep -aq '^evaluating the test split: [0-9]*/[0-9]* batches' <(redraws "$work/tty-clf.txt")
    expect "the classifier run still finishes in the terminal" grep -aq 'clgan: done:' "$work/tty-clf.txt"
    ck=$work/tty-clf/checkpoint.ckpt
    COLUMNS=80 script -qec "'$clgan' eval --checkpoint '$ck' --data synthetic" /dev/null >"$work/tty-eval.txt"
    expect "eval shows its progress too" grep -aq '^evaluating the test split: ' <(redraws "$work/tty-eval.txt")
else
    echo "note: no usable 'script' (util-linux): terminal checks skipped"
fi

# 2. A run that fails after its start leaves no empty folders behind.
"$clgan" train-gan --data synthetic --limit 64 --batch 128 --out "$work/fail-gan" 2>"$work/err"; rc=$?
expect "train-gan with fewer images than a batch fails (rc=$rc)" test $rc = 1
expect "... and leaves no --out folder (nor samples/)" test ! -e "$work/fail-gan"
"$clgan" train-classifier --data synthetic --limit 64 --batch 128 --out "$work/fail-clf" 2>"$work/err"; rc=$?
expect "train-classifier fails the same way (rc=$rc)" test $rc = 1
expect "... and leaves no --out folder (nor confusion/)" test ! -e "$work/fail-clf"
"$clgan" train-ssl --data synthetic --labels 20 --limit 64 --batch 128 --out "$work/fail-ssl" 2>"$work/err"; rc=$?
expect "train-ssl fails the same way (rc=$rc)" test $rc = 1
expect "... and leaves no --out folder (nor confusion/, samples/)" test ! -e "$work/fail-ssl"
mkdir "$work/mine"
"$clgan" train-gan --data synthetic --limit 64 --batch 128 --out "$work/mine" 2>>"$clgan_log"
expect "an --out folder that existed before stays" test -d "$work/mine"
expect "... without an empty samples/" test ! -e "$work/mine/samples"

# 3. After a 1-step run "done" names only files that exist (no loss curve from one point).
"$clgan" train-gan "${gan[@]}" --steps 1 --out "$work/one" 2>"$work/one.log"; rc=$?
expect "1-step train-gan exits 0 (rc=$rc)" test $rc = 0
done_line=$(grep '^clgan: done:' "$work/one.log")
expect "1-step run: no loss.png is written" test ! -e "$work/one/loss.png"
expect "... and 'done' does not name it: $done_line" eval '! grep -q "loss" <<<"$done_line"'
missing=""
for f in $(grep -o "$work/one/[^ ;]*" <<<"$done_line"); do [ -e "$f" ] || missing="$missing $f"; done
expect "every file 'done' names exists${missing:+ (missing:$missing)}" test -z "$missing"
expect "... and it names the sample grid and the checkpoint" \
    grep -q "samples $work/one/samples/epoch-0001.png; checkpoint $work/one/checkpoint.ckpt" <<<"$done_line"

# 4. predict with one missing and one undecodable file among good ones.
"$clgan" train-classifier "${clf[@]}" --steps 2 --out "$work/c" 2>>"$clgan_log"
"$clgan" sample --checkpoint "$work/one/checkpoint.ckpt" --out "$work/a.png" --n 1 2>>"$clgan_log"
"$clgan" sample --checkpoint "$work/one/checkpoint.ckpt" --out "$work/b.png" --n 4 --seed 2 2>>"$clgan_log"
echo "not an image" >"$work/text.png"
ck=$work/c/checkpoint.ckpt
"$clgan" predict --checkpoint "$ck" "$work/a.png" "$work/missing.png" "$work/text.png" "$work/b.png" \
    >"$work/out" 2>"$work/err"; rc=$?
expect "predict with bad files exits 1 (rc=$rc)" test $rc = 1
expect "... still classifies the good files" test "$(grep -c -e "^$work/a.png: " -e "^$work/b.png: " "$work/out")" = 2
expect "... and only those" test "$(wc -l <"$work/out")" = 2
expect "... names the missing one with its reason" grep -q "missing.png: no such file or directory" "$work/err"
expect "... names the undecodable one with its reason" grep -q "text.png: cannot read the image: not a format clgan reads" "$work/err"
expect "... and counts them" grep -q "2 of 4 files could not be classified" "$work/err"
"$clgan" predict --checkpoint "$ck" --json "$work/a.png" "$work/missing.png" >"$work/json" 2>>"$clgan_log"; rc=$?
expect "predict --json with a missing file exits 1 (rc=$rc)" test $rc = 1
expect "... prints one JSON object" is_json "$work/json"
expect "... with status error, the good prediction and the bad file" \
    grep -q '"status": "error", "error": "1 of 2 files could not be classified", .*"predictions": \[{"file": "'"$work"'/a.png", .*"errors": \[{"file": "'"$work"'/missing.png", "error": "no such file or directory' "$work/json"
"$clgan" predict --checkpoint "$ck" --json "$work/a.png" "$work/b.png" >"$work/json" 2>>"$clgan_log"; rc=$?
expect "predict --json with good files: exit 0, status ok, no errors (rc=$rc)" \
    grep -q '"command": "predict", "status": "ok", .*"errors": \[\]}$' "$work/json"

# 5. CLGAN_GEMM_TUNED takes 0 or 1 (empty: unset); anything else is an error that says so, for every
#    command (devices opens no context).
for bad in yes 2 " 1"; do
    CLGAN_GEMM_TUNED=$bad "$clgan" devices >/dev/null 2>"$work/err"; rc=$?
    expect "CLGAN_GEMM_TUNED='$bad' is refused (rc=$rc)" test $rc = 2
    expect "... naming the variable, its value and the allowed values" \
        grep -q "CLGAN_GEMM_TUNED='$bad' is not 0 or 1: use 0 .*, 1 (or unset) " "$work/err"
done
for good in 1 ""; do
    CLGAN_GEMM_TUNED=$good "$clgan" devices >/dev/null 2>>"$clgan_log"; rc=$?
    expect "CLGAN_GEMM_TUNED='$good' is accepted (rc=$rc)" test $rc = 0
done
CLGAN_GEMM_TUNED=0 "$clgan" sample --checkpoint "$work/one/checkpoint.ckpt" --out "$work/z.png" --n 1 2>>"$clgan_log"; rc=$?
expect "CLGAN_GEMM_TUNED=0 is accepted (rc=$rc)" test $rc = 0

# 6. --json: an error is one object on stdout, for every command that takes --json.
for cmd in train-gan train-classifier train-ssl train-dfeatures eval predict sample score selftest tune devices; do
    "$clgan" $cmd --json --no-such-option >"$work/json" 2>"$work/err"; rc=$?
    expect "$cmd --json with a bad option: one JSON object on stdout (rc=$rc)" is_json "$work/json"
    expect "... the error, the command and the exit status" \
        grep -q '^{"command": "'$cmd'", "status": "error", "error": "unknown option .--no-such-option.*", "exit_code": '$rc'}$' "$work/json"
done
"$clgan" train-gan --data synthetic --limit 64 --batch 128 --out "$work/jf" --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "a failure after the start: one JSON object (rc=$rc)" is_json "$work/json"
expect "... with the message that was printed" \
    grep -q '"status": "error", "error": "synthetic shapes .* has 64 training images, fewer than one batch of 128", "exit_code": 1' "$work/json"
"$clgan" eval --checkpoint "$work/nothing.ckpt" --data synthetic --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "eval of a missing checkpoint: one JSON error object (rc=$rc)" \
    grep -q '^{"command": "eval", "status": "error", "error": ".*nothing.ckpt.*", "exit_code": 1}$' "$work/json"
CLGAN_GEMM_TUNED=bad "$clgan" sample --json >"$work/json" 2>>"$clgan_log"
expect "a bad environment with --json: the error object" \
    grep -q '^{"command": "sample", "status": "error", "error": "CLGAN_GEMM_TUNED=.bad. is not 0 or 1' "$work/json"
"$clgan" sample --checkpoint "$work/one/checkpoint.ckpt" --out "$work/s.png" --n 2 --json >"$work/json" 2>>"$clgan_log"
expect "success objects carry status ok" grep -q '^{"command": "sample", "status": "ok", "n": 2' "$work/json"

# 7. --json and a stop signal: the interrupted state, from a training loop or before one.
out=$work/int
signal_run INT 'grep -q "steps 0 -> 100000" "$work/int.log" 2>/dev/null && sleep 1' \
    "$clgan" train-gan "${gan[@]}" --steps 100000 --out "$out" --json >"$work/json" 2>"$work/int.log"
expect "train-gan --json stopped by SIGINT: exit 130 (rc=$rc)" test $rc = 130
expect "... one JSON object" is_json "$work/json"
expect "... with status interrupted, the step and the checkpoint" \
    grep -q '^{"command": "train-gan", "status": "interrupted", "signal": "SIGINT", "steps": [1-9][0-9]*, "checkpoint": "'"$out"'/checkpoint.ckpt"}$' "$work/json"
signal_run TERM 'grep -q "steps 0 -> 100000" "$work/int2.log" 2>/dev/null && sleep 1' \
    "$clgan" train-classifier "${clf[@]}" --steps 100000 --out "$work/int2" --json >"$work/json" 2>"$work/int2.log"
expect "train-classifier --json stopped by SIGTERM: exit 143, status interrupted (rc=$rc)" \
    grep -q '^{"command": "train-classifier", "status": "interrupted", "signal": "SIGTERM", "steps": [1-9]' "$work/json"
# predict refuses a FIFO at once (it never blocks opening one), naming it.
mkfifo "$work/fifo"
timeout 20 "$clgan" predict --checkpoint "$work/c/checkpoint.ckpt" --json "$work/fifo" >"$work/json" 2>>"$clgan_log"; rc=$?
expect "predict --json on a FIFO: exit 1 without blocking (rc=$rc)" test $rc = 1
expect "... one JSON object naming the FIFO as not a regular file" \
    grep -q '"errors": \[{"file": "'"$work"'/fifo", "error": "is not a regular file' "$work/json"

# Flags that agree across commands.
commands=(devices selftest tune train-gan sample train-classifier eval predict train-dfeatures train-ssl score models
          make-scenes bench "bench ops" "bench models" "bench startup" "bench compare")
help_ok=1 flag_ok=1 value_ok=1 seed_ok=1 json_ok=1
for c in "${commands[@]}"; do
    # shellcheck disable=SC2086 # "bench ops" is two words
    "$clgan" help $c >"$work/help" 2>>"$clgan_log"; rc=$?
    [ $rc = 0 ] && grep -q "^usage: clgan $c" "$work/help" || { help_ok=0; echo "     help $c: rc $rc, $(head -1 "$work/help")"; }
    "$clgan" $c --no-such-flag >/dev/null 2>"$work/err"; rc=$?
    [ $rc = 2 ] && grep -q -- "--no-such-flag" "$work/err" || { flag_ok=0; echo "     $c --no-such-flag: rc $rc"; }
    "$clgan" $c --seed >/dev/null 2>"$work/err"; rc=$?
    [ $rc = 2 ] && grep -q -- "--seed needs a value" "$work/err" || { value_ok=0; echo "     $c --seed (no value): rc $rc"; }
    "$clgan" $c --seed x >/dev/null 2>"$work/err"; rc=$?
    [ $rc = 2 ] && grep -q -- "--seed expects a non-negative whole number" "$work/err" ||
        { seed_ok=0; echo "     $c --seed x: rc $rc, $(cat "$work/err")"; }
    "$clgan" $c --json --no-such-flag >"$work/json" 2>/dev/null; rc=$?
    [ $rc = 2 ] && is_json "$work/json" && grep -q '"exit_code": 2' "$work/json" ||
        { json_ok=0; echo "     $c --json --no-such-flag: rc $rc, $(cat "$work/json")"; }
done
expect "clgan help COMMAND prints each command's usage" test $help_ok = 1
expect "an unknown flag exits 2 naming it, in every command" test $flag_ok = 1
expect "a flag without its value exits 2, in every command" test $value_ok = 1
expect "every command takes --seed (a bad value exits 2)" test $seed_ok = 1
expect "every command takes --json (a usage error is one JSON object with exit_code 2)" test $json_ok = 1
"$clgan" help no-such-command >/dev/null 2>"$work/err"; rc=$?
expect "help for an unknown command exits 2 (rc=$rc)" test $rc = 2 -a -n "$(grep "unknown command 'no-such-command'" "$work/err")"
"$clgan" devices --seed 5 --json >"$work/json" 2>>"$clgan_log"; rc=$?
expect "a command without randomness accepts --seed (devices: rc $rc)" test $rc = 0 -a -s "$work/json"
# Old spellings: one deprecation line each, then the new flag's behaviour.
"$clgan" score --classifier "$work/nope.ckpt" --samples synthetic --n 5 --labels "$work/l" 2>"$work/err"; rc=$?
expect "score --classifier/--n/--labels: one deprecation line each (rc=$rc)" \
    test "$(grep -c "is deprecated" "$work/err")" = 3 -a -n "$(grep "score --classifier is deprecated; use --checkpoint" "$work/err")" \
    -a -n "$(grep "score --n is deprecated; use --limit" "$work/err")" -a -n "$(grep "score --labels is deprecated; use --label-file" "$work/err")"
expect "... and the old --classifier still names the checkpoint to read" grep -q "nope.ckpt" "$work/err"
"$clgan" train-dfeatures --gan="$work/nope.ckpt" --data synthetic 2>"$work/err"; rc=$?
expect "train-dfeatures --gan=FILE: deprecated for --checkpoint, still read (rc=$rc)" \
    test $rc = 1 -a -n "$(grep "train-dfeatures --gan is deprecated; use --checkpoint" "$work/err")" -a -n "$(grep "nope.ckpt" "$work/err")"
"$clgan" train-gan --gan x --data synthetic >/dev/null 2>"$work/err"; rc=$?
expect "an alias is per command: train-gan --gan is unknown (rc=$rc)" test $rc = 2 -a -z "$(grep deprecated "$work/err")"

finish
