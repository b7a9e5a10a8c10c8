#!/usr/bin/env bash
# cli_scenes.sh — `clgan make-scenes` end to end on the built-in synthetic
# data: --help, a run's files (one PNG and one label file per scene, every
# label line "class cx cy w h" in [0, 1], classes.txt), --json's summary, the
# same seed giving the same files and another seed other ones, --split test,
# and bad flags and inputs refused with a message and a non-zero exit.
# usage: cli_scenes.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"

"$clgan" make-scenes --help >"$work/help" 2>>"$clgan_log"; rc=$?
expect "--help exits 0 (rc=$rc)" test $rc = 0
expect "--help shows the usage and the options" \
    grep -q -e "usage: clgan make-scenes --objects DATA --out DIR --n N --max-objects K" "$work/help"
expect "--help explains --max-overlap and --ink" sh -c "grep -q -- '--max-overlap' '$work/help' && grep -q -- '--ink' '$work/help'"
"$clgan" help make-scenes >"$work/help2" 2>>"$clgan_log"
expect "clgan help make-scenes prints the same text" cmp -s "$work/help" "$work/help2"
"$clgan" --help >"$work/commands" 2>>"$clgan_log"
expect "make-scenes is in the command list" grep -q "^  make-scenes " "$work/commands"

run() { "$clgan" make-scenes --objects synthetic --n 12 --max-objects 3 --ink 64 "$@"; }
run --out "$work/a" --seed 5 --json >"$work/json" 2>"$work/err"; rc=$?
expect "a run exits 0 (rc=$rc)" test $rc = 0
expect "--json is one line" test "$(wc -l <"$work/json")" = 1
expect "--json: 12 scenes, per-class counts, the folder" \
    grep -q "\"scenes\": 12, \"objects\": [1-9][0-9]*, .*\"per_class\": {\"disc\": [0-9]*, .*\"out\": \"$work/a\"}" "$work/json"
expect "12 PNG files in images/train" test "$(ls "$work/a/images/train" | grep -c '^scene-0000[01][0-9]\.png$')" = 12
expect "12 label files in labels/train" test "$(ls "$work/a/labels/train" | grep -c '^scene-0000[01][0-9]\.txt$')" = 12
objects=$(sed 's/.*"objects": \([0-9]*\),.*/\1/' "$work/json")
expect "as many label lines as objects ($objects)" test "$(cat "$work/a"/labels/train/*.txt | wc -l)" = "$objects"
expect "every label line is 'class cx cy w h' with values in [0, 1]" \
    test -z "$(cat "$work/a"/labels/train/*.txt | grep -v -E '^[0-9] (0\.[0-9]{6}|1\.000000)( (0\.[0-9]{6}|1\.000000)){3}$')"
expect "classes.txt holds the 10 class names" test "$(wc -l <"$work/a/classes.txt")" = 10 -a "$(head -n 1 "$work/a/classes.txt")" = disc
expect "a plain run says nothing on stdout" test -z "$(run --out "$work/plain" 2>/dev/null)"
expect "a plain run reports what it wrote" grep -q "12 scenes with" <(run --out "$work/plain2" 2>&1 >/dev/null)

run --out "$work/b" --seed 5 >/dev/null 2>>"$clgan_log"
expect "the same seed writes the same files" diff -r "$work/a" "$work/b"
run --out "$work/c" --seed 6 >/dev/null 2>>"$clgan_log"
expect "another seed writes other scenes" sh -c "! diff -rq '$work/a' '$work/c' >/dev/null"
run --out "$work/a" --split test --clutter 2 --channels 3 >/dev/null 2>>"$clgan_log"; rc=$?
expect "--split test into the same folder: images/test, labels/test (rc=$rc)" \
    test $rc = 0 -a "$(ls "$work/a/images/test" | wc -l)" = 12 -a "$(ls "$work/a/labels/test" | wc -l)" = 12

# bad_flag WHAT RC TEXT ARG...: make-scenes ARG... exits RC with TEXT in its message.
bad_flag() {
    local what=$1 want=$2 text=$3
    shift 3
    "$clgan" make-scenes "$@" >/dev/null 2>"$work/err"; rc=$?
    expect "$what: rc $want and the message '$text' (rc=$rc: $(head -c 200 "$work/err"))" \
        test $rc = "$want" -a -n "$(grep -F -- "$text" "$work/err")"
}
bad_flag "unknown option" 2 "unknown option '--bogus'" --objects synthetic --out "$work/x" --n 2 --bogus
bad_flag "missing --n" 2 "--n are required" --objects synthetic --out "$work/x"
bad_flag "--n 0" 2 "--n expects a whole number" --objects synthetic --out "$work/x" --n 0
bad_flag "--max-overlap 2" 2 "--max-overlap expects" --objects synthetic --out "$work/x" --n 2 --max-overlap 2
bad_flag "--scale one number" 2 "--scale expects MIN,MAX" --objects synthetic --out "$work/x" --n 2 --scale 0.4
bad_flag "--scale MIN above MAX" 2 "MIN is above MAX" --objects synthetic --out "$work/x" --n 2 --scale 0.6,0.2
bad_flag "--split foo" 2 "--split expects train or test" --objects synthetic --out "$work/x" --n 2 --split foo
bad_flag "--channels 2" 2 "--channels expects 1 (grey) or 3" --objects synthetic --out "$work/x" --n 2 --channels 2
bad_flag "--min-objects above --max-objects" 2 "--min-objects 5 is above --max-objects 4" \
    --objects synthetic --out "$work/x" --n 2 --min-objects 5 --max-objects 4
bad_flag "--seed text" 2 "--seed expects" --objects synthetic --out "$work/x" --n 2 --seed abc
bad_flag "a missing dataset" 1 "$work/nothing-here" --objects "$work/nothing-here" --out "$work/x" --n 2
bad_flag "a folder already holding scenes" 1 "already holds files" --objects synthetic --out "$work/b" --n 2
expect "no scenes left behind by the refused runs" test ! -e "$work/x/images/train/scene-000000.png"
"$clgan" make-scenes --objects synthetic --out "$work/imb" --n 200 --max-objects 4 --ink 64 --imbalance 0:0.05 --json \
    >"$work/json" 2>>"$clgan_log"; rc=$?
expect "--imbalance 0:0.05 makes class 0 rare among the objects (rc=$rc)" python3 -c "
import json, sys
p = json.load(open(sys.argv[1]))['per_class']
others = [v for k, v in p.items() if k != 'disc']
assert p['disc'] * 5 < min(others), p" "$work/json"
"$clgan" make-scenes --objects synthetic --out "$work/imb2" --n 2 --imbalance 0:2 2>"$work/err"; rc=$?
expect "--imbalance with a fraction above 1: rc 2 (rc=$rc)" test $rc = 2 -a -s "$work/err"
"$clgan" make-scenes --objects "$work/nothing-here" --out "$work/x" --n 2 --json >"$work/json" 2>/dev/null
expect "--json on an error: one error object" grep -q '"command": "make-scenes", "status": "error", "error": ' "$work/json"
finish
