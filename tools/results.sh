#!/usr/bin/env bash
# results.sh — runs the experiments on how GANs help a classifier (issue 4),
# how well the GANs train (issue 15) and how they help a detector (issue 16),
# and writes docs/RESULTS.md from what
# they print: every command, seed and budget, and mean ± std over the seeds.
# The file is made of one block per group; a run of some groups (--only)
# rewrites their blocks and keeps the others as they are.
#
# usage: tools/results.sh [--data DIR] [--work DIR] [--seeds "1 2 3"] [--only GROUPS] [--quick]
#                         [--clgan PATH] [--out FILE] [--records DIR]
#   --data DIR     labelled dataset (default ../shared/data/mnist10k)
#   --work DIR     run folders and JSON results (default results-work, results-work-quick with
#                  --quick); a run whose JSON exists from the same command is not run again, so an
#                  interrupted script picks up where it stopped (a warning names runs another clgan
#                  binary made: delete their JSON to redo them after a change to the code)
#   --seeds LIST   seeds (default "1 2 3")
#   --only GROUPS  comma list of groups to run: full, few, ssl, imbalance, rare, stabilisers, detect
#                  (default all); their blocks of the table are written from whatever JSON
#                  exists (--only table runs nothing and rewrites every block)
#   --quick        tiny budgets on the built-in synthetic data (checks the script, not the method)
#   --clgan PATH   the clgan binary (default build/clgan)
#   --out FILE     the Markdown file (default docs/RESULTS.md; with --quick, RESULTS.md in the work folder)
#   --records DIR  each finished run's record (its command, JSON line and score.csv, a few KB) is kept
#                  here too (default docs/results-runs; with --quick, records in the work folder) and
#                  restored into an empty work folder, so a table too long for one sitting is built up
#                  over several; a run that needs a checkpoint only a record names is made again from
#                  the record's command
set -euo pipefail
cd "$(dirname "$0")/.."

data=../shared/data/mnist10k work=results-work seeds="1 2 3" only=full,few,ssl,imbalance,rare,stabilisers,detect quick=0
clgan=build/clgan out=docs/RESULTS.md records=docs/results-runs
while [ $# -gt 0 ]; do
    case $1 in
        --data) data=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --clgan) clgan=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --records) records=$2; shift 2 ;;
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "results.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$clgan" ] || { echo "results.sh: no clgan binary at $clgan (build first: tools/setup.sh)" >&2; exit 1; }

# ---- budgets ----------------------------------------------------------------
if [ $quick = 1 ]; then
    data=synthetic
    [ "$work" = results-work ] && work=results-work-quick
    [ "$out" = docs/RESULTS.md ] && out=$work/RESULTS.md # never overwrite the real table
    [ "$records" = docs/results-runs ] && records=$work/records
    FULL="--epochs 1 --limit 512 --width 8"
    FEW_SUP="--steps 40 --eval-every 1000 --width 8 --batch 16"
    GAN="--epochs 1 --limit 512 --width 8 --nz 16"
    SSL="--epochs 2 --limit 512 --width 8 --batch 16" SSL_FEW=$SSL
    CGAN="--epochs 1 --limit 512 --width 8 --nz 16 --conditional"
    NEW_CGAN="--epochs 2 --limit 512 --width 8 --nz 16 --conditional --balance-classes --g-ema 0.999"
    IMB_CLF="--epochs 1 --limit 512 --width 8"
    LABELS="20 40"
    UGAN="--epochs 2 --limit 512 --width 8 --nz 16" SCORE_EVERY=1 SCORE_AT="1 2" SCORE_N=200
    SCENES_FEW=64 SCENES_MANY=128 SCENES_TEST=32 SCENE_INK="--ink 64"
    DET="--width 8 --batch 16" DET_FEW="--steps 20 --eval-every 100" DET_MANY="--steps 40 --eval-every 100"
    DET_CGAN="--epochs 1 --limit 512 --width 8 --nz 16 --conditional" DET_RARE_CGAN=$NEW_CGAN
else
    FULL="--epochs 5 --augment --lr-decay 0.3 --lr-decay-epochs 2"
    FEW_SUP="--steps 300 --eval-every 100000 --augment"
    GAN="--epochs 3"
    SSL="--epochs 16 --decay-from 8 --augment"
    SSL_FEW="--epochs 120 --decay-from 60 --augment" # the fewest labels: still climbing at 16, 40 and 80 epochs
    CGAN="--epochs 5 --conditional"
    NEW_CGAN="--epochs 10 --conditional --balance-classes --g-ema 0.999"
    IMB_CLF="--epochs 2"
    LABELS="100 1000"
    UGAN="--epochs 30" SCORE_EVERY=10 SCORE_AT="10 30" SCORE_N=1000 # one 30-epoch run scores both
    # MNIST scenes (issue 16): 64 x 64, 1..4 digits; the same budget in steps for every way of adding
    # scenes (30 epochs of the 2,000 real scenes at batch 32; 600 steps for 200 scenes)
    SCENES_FEW=200 SCENES_MANY=2000 SCENES_TEST=1000 SCENE_INK=""
    DET="--model det64 --augment" DET_FEW="--steps 600 --eval-every 25" DET_MANY="--steps 1860 --eval-every 10"
    DET_CGAN="--epochs 5 --conditional --g-ema 0.999" DET_RARE_CGAN=$NEW_CGAN
fi
# The GAN stabilisers, each alone on unconditional dcgan28 (issue 15), and the best combination.
STABILISERS_TABLE="baseline sn ema hinge ttur diffaug best"
STABILISERS=${STABILISERS:-$STABILISERS_TABLE} # the runs; the environment may name fewer
stabiliser_flags() {
    case $1 in
        baseline) ;;
        sn) echo "--spectral-norm" ;;
        ema) echo "--g-ema 0.999" ;;
        hinge) echo "--loss hinge" ;;
        ttur) echo "--lr-g 1e-4 --lr-d 4e-4" ;;
        diffaug) echo "--diffaugment translation,cutout" ;;
        best) echo "--spectral-norm --g-ema 0.999 --diffaugment translation,cutout" ;;
    esac
}
# The rare-class recipe (issue 15): a conditional GAN that draws real images class-balanced, trained twice
# as long, sampled from the moving average of G's weights (NEW_CGAN, above), whose images a classifier of
# the imbalanced real data filters.
RARE_TABLE="0.025 0.1"
RARE_FRACTIONS=${RARE_FRACTIONS:-$RARE_TABLE} # the runs; the environment may name fewer, e.g. to run one first
# The detection block (issue 16): scene sets (the few, the many, the rare class) and ways of adding scenes.
DETECT_SETS_TABLE="few many rare" DETECT_ARMS_TABLE="real copy gan"
DETECT_SETS=${DETECT_SETS:-$DETECT_SETS_TABLE} DETECT_ARMS=${DETECT_ARMS:-$DETECT_ARMS_TABLE} # the environment may name fewer
for x in $DETECT_SETS; do [[ " $DETECT_SETS_TABLE " == *" $x "* ]] ||
    { echo "results.sh: DETECT_SETS names '$x'; choose from: $DETECT_SETS_TABLE" >&2; exit 2; }; done
for x in $DETECT_ARMS; do [[ " $DETECT_ARMS_TABLE " == *" $x "* ]] ||
    { echo "results.sh: DETECT_ARMS names '$x'; choose from: $DETECT_ARMS_TABLE" >&2; exit 2; }; done
for x in $STABILISERS; do [[ " $STABILISERS_TABLE " == *" $x "* ]] ||
    { echo "results.sh: STABILISERS names '$x'; choose from: $STABILISERS_TABLE" >&2; exit 2; }; done
for x in $RARE_FRACTIONS; do [[ " $RARE_TABLE " == *" $x "* ]] ||
    { echo "results.sh: RARE_FRACTIONS names '$x'; choose from: $RARE_TABLE" >&2; exit 2; }; done
IMB_CLASS=3 IMB_FRACTION=0.025
IMB="--imbalance $IMB_CLASS:$IMB_FRACTION"
# rare_name KIND F: a run's name for fraction F (2.5% keeps the imbalance group's names, so its runs are shared).
rare_name() { if [ "$2" = "$IMB_FRACTION" ]; then echo "imb-$1"; else echo "imb$(awk -v f="$2" 'BEGIN { print 1000 * f }')-$1"; fi; }

mkdir -p "$work"
bin_id=$(sha256sum "$clgan" | cut -c1-16) # a run made by another binary is kept, with a warning
wanted() { [[ ",$only," == *",$1,"* ]]; }
# ssl_budget L: the semi-supervised budget for L labels (a longer one for the fewest).
ssl_budget() { if [ "$1" = "${LABELS%% *}" ]; then echo "$SSL_FEW"; else echo "$SSL"; fi; }

# A record is NAME.cmd, NAME.json, NAME.bin, NAME.deps (the commands of the runs whose checkpoints it
# read) and NAME.score.csv for a GAN that was scored, with the work folder written WORK.
# to_record / from_record: a command line with the work folder as WORK, and back (paths follow a space).
to_record() { local l; l=$(cat "$1"); echo "${l//" $work/"/" WORK/"}"; }
from_record() { local l; l=$(cat "$1"); echo "${l//" WORK/"/" $work/"}"; }
# restore: every record whose run the work folder knows nothing of (no .cmd, no .json), copied into it.
declare -A restored=()
restore() {
    local f name other=0
    for f in "$records"/*.cmd; do
        [ -s "$f" ] || continue
        name=$(basename "$f" .cmd)
        [ -e "$work/$name.json" ] || [ -e "$work/$name.cmd" ] && continue
        from_record "$f" >"$work/$name.cmd"
        cp "$records/$name.json" "$work/"
        if [ -s "$records/$name.bin" ]; then cp "$records/$name.bin" "$work/"; else echo unknown >"$work/$name.bin"; fi
        [ "$(cat "$work/$name.bin")" = "$bin_id" ] || other=$((other + 1))
        if [ -e "$records/$name.deps" ]; then from_record "$records/$name.deps" >"$work/$name.deps"; fi
        if [ -s "$records/$name.score.csv" ]; then mkdir -p "$work/$name"; cp "$records/$name.score.csv" "$work/$name/score.csv"; fi
        restored[$name]=1
    done
    [ ${#restored[@]} = 0 ] ||
        echo "restored ${#restored[@]} runs from the records in $records ($other made by another clgan binary)"
}
keep_record() {
    mkdir -p "$records"
    to_record "$work/$1.cmd" >"$records/$1.cmd"
    cp "$work/$1.json" "$records/"
    if [ -s "$work/$1.bin" ]; then cp "$work/$1.bin" "$records/"; else echo unknown >"$records/$1.bin"; fi
    if [ -e "$work/$1.deps" ]; then to_record "$work/$1.deps" >"$records/$1.deps"; fi
    if [ -s "$work/$1/score.csv" ]; then cp "$work/$1/score.csv" "$records/$1.score.csv"; fi
}
# deps ARGS...: for each checkpoint of an earlier run among ARGS, "NAME: its command" (what a run read).
deps() {
    local a d
    for a in "$@"; do
        case $a in "$work"/*/checkpoint.ckpt)
            d=${a#"$work"/} d=${d%/checkpoint.ckpt}
            echo "$d: $(cat "$work/$d.cmd" 2>/dev/null)" ;;
        esac
    done
}
# redo NAME: a restored run made again from its recorded command, for the checkpoint a later run needs
# (its record, and so the table, keeps the first run's numbers). Returns 1 when it fails.
redo() {
    local line
    line=$(cat "$work/$1.cmd")
    line=${line#clgan }
    echo "redo $1: its checkpoint is needed and only its record is here"
    [ "$(cat "$work/$1.bin" 2>/dev/null)" = "$bin_id" ] ||
        echo "results.sh: warning: $1 is made again by this clgan binary, its record by another" >&2
    rm -rf "${work:?}/$1"
    set -f # the recorded command, one word per argument, no globbing
    # shellcheck disable=SC2086
    "$clgan" ${line% --json} >/dev/null 2>"$work/$1.log" || {
        set +f; echo "results.sh: $1 failed again; see $work/$1.log" >&2; return 1; }
    set +f
    if [ -s "$records/$1.score.csv" ]; then cp "$records/$1.score.csv" "$work/$1/score.csv"; fi
    return 0
}

# run NAME ARGS...: clgan ARGS --out work/NAME --json > work/NAME.json (skipped when it exists from the
# same command after the same earlier runs; train-dfeatures writes no files, so it gets no --out).
run() {
    local name=$1; shift
    local outdir=(--out "$work/$name")
    [ "$1" = train-dfeatures ] && outdir=()
    local line="clgan $* ${outdir[*]+${outdir[*]}} --json" a d read_runs
    read_runs=$(deps "$@")
    if [ -s "$work/$name.json" ] && [ "$(cat "$work/$name.cmd" 2>/dev/null)" = "$line" ] &&
        { [ ! -e "$work/$name.deps" ] || [ "$(cat "$work/$name.deps")" = "$read_runs" ]; }; then
        echo "have $name"
        [ -e "$work/$name.deps" ] || echo "$read_runs" >"$work/$name.deps" # a run from before .deps files
        [ -n "${restored[$name]+1}" ] || [ "$(cat "$work/$name.bin" 2>/dev/null)" = "$bin_id" ] ||
            echo "results.sh: warning: $name was made by another clgan binary; delete $work/$name.json and" \
                "$records/$name.* to redo it" >&2
        [ -s "$records/$name.cmd" ] || keep_record "$name"
        return
    fi
    for a in "$@"; do # the checkpoints of earlier runs that this one reads
        case $a in "$work"/*/checkpoint.ckpt)
            d=${a#"$work"/} d=${d%/checkpoint.ckpt}
            [ -e "$a" ] || [ ! -s "$work/$d.cmd" ] || redo "$d" || return 0 ;;
        esac
    done
    echo "run  $name: $line"
    rm -rf "${work:?}/$name"
    rm -f "$records/$name".* # a record belongs to one run: this one, once it has finished
    local t0=$SECONDS
    rm -f "$work/$name.json" "$work/$name.cmd" "$work/$name.deps"
    "$clgan" "$@" ${outdir[@]+"${outdir[@]}"} --json >"$work/$name.json.tmp" 2>"$work/$name.log" || {
        echo "results.sh: $name failed (left out of the table); see $work/$name.log" >&2
        tail -3 "$work/$name.log" >&2; return 0; }
    mv "$work/$name.json.tmp" "$work/$name.json"
    echo "$line" >"$work/$name.cmd"
    echo "$read_runs" >"$work/$name.deps"
    echo "$bin_id" >"$work/$name.bin"
    keep_record "$name"
    echo "     $name done in $((SECONDS - t0)) s: $(grep -o '"test_accuracy": [0-9.]*' "$work/$name.json")"
}

# scenes NAME ARGS...: clgan make-scenes ARGS into work/NAME, unless it is there; with the test scenes
# (work/scenes-test) linked in as its test split. Scenes follow from their seed alone, so they are not
# recorded: a new work folder makes them again, byte for byte.
scenes() {
    local name=$1; shift
    if [ ! -s "$work/$name/classes.txt" ]; then
        rm -rf "${work:?}/$name"
        echo "make $name: clgan make-scenes $* --out WORK/$name"
        "$clgan" make-scenes "$@" --out "$work/$name" >/dev/null 2>"$work/$name.log" ||
            { echo "results.sh: making $name failed; see $work/$name.log" >&2; exit 1; }
    fi
    if [ "$name" != scenes-test ]; then
        local abs
        abs=$(cd "$work" && pwd)
        ln -sfn "$abs/scenes-test/images/test" "$work/$name/images/test"
        ln -sfn "$abs/scenes-test/labels/test" "$work/$name/labels/test"
    fi
}

restore
for s in $seeds; do
    if wanted full; then
        run "full-s$s" train-classifier --data "$data" --model lenet28 $FULL --seed "$s"
    fi
    if wanted few; then
        run "gan-s$s" train-gan --data "$data" $GAN --seed "$s"
        for L in $LABELS; do
            run "sup-l$L-s$s" train-classifier --data "$data" --model lenet28 --labels "$L" $FEW_SUP --seed "$s"
            run "dfeat-l$L-s$s" train-dfeatures --checkpoint "$work/gan-s$s/checkpoint.ckpt" --data "$data" --labels "$L" \
                --seed "$s"
        done
    fi
    if wanted ssl; then
        for L in $LABELS; do
            run "ssl-l$L-s$s" train-ssl --data "$data" --labels "$L" $(ssl_budget "$L") --seed "$s"
            run "ssl0-l$L-s$s" train-ssl --data "$data" --labels "$L" $(ssl_budget "$L") --unlabelled-weight 0 --seed "$s"
        done
    fi
    if wanted imbalance || wanted rare; then
        for F in $( (wanted rare && echo "$RARE_FRACTIONS") || echo "$IMB_FRACTION"); do
            imb="--imbalance $IMB_CLASS:$F"
            none=$(rare_name none "$F") over=$(rare_name over "$F") gan=$(rare_name gan "$F") cg=$(rare_name cgan "$F")
            [ "$F" = "$IMB_FRACTION" ] && cg=cgan-imb
            run "$none-s$s" train-classifier --data "$data" --model lenet28 $imb $IMB_CLF --seed "$s"
            run "$over-s$s" train-classifier --data "$data" --model lenet28 $imb $IMB_CLF --oversample --seed "$s"
            run "$cg-s$s" train-gan --data "$data" $imb $CGAN --seed "$s"
            run "$gan-s$s" train-classifier --data "$data" --model lenet28 $imb $IMB_CLF \
                --gan-augment "$work/$cg-s$s/checkpoint.ckpt" --gan-mode balance --seed "$s"
            wanted rare || continue
            ncg=$(rare_name ncgan "$F") new=$(rare_name new "$F") newo=$(rare_name newover "$F")
            run "$ncg-s$s" train-gan --data "$data" $imb $NEW_CGAN --seed "$s"
            run "$new-s$s" train-classifier --data "$data" --model lenet28 $imb $IMB_CLF \
                --gan-augment "$work/$ncg-s$s/checkpoint.ckpt" --gan-filter "$work/$none-s$s/checkpoint.ckpt" --seed "$s"
            run "$newo-s$s" train-classifier --data "$data" --model lenet28 $imb $IMB_CLF --oversample \
                --gan-augment "$work/$ncg-s$s/checkpoint.ckpt" --gan-filter "$work/$none-s$s/checkpoint.ckpt" --seed "$s"
        done
    fi
    if wanted detect; then
        # test scenes from the test digits only (one set for every seed); training scenes from the training digits
        scenes scenes-test --objects "$data" --split test --n "$SCENES_TEST" --max-objects 4 $SCENE_INK --seed 1000
        for set in $DETECT_SETS; do
            case $set in
                few) N=$SCENES_FEW budget=$DET_FEW ;;
                many) N=$SCENES_MANY budget=$DET_MANY ;;
                rare) N=rare budget=$DET_MANY ;;
            esac
            if [ $N = rare ]; then
                scenes "scenes-rare-s$s" --objects "$data" --n "$SCENES_MANY" --max-objects 4 $SCENE_INK $IMB --seed "$s"
                cg=imb-ncgan-s$s paste="--paste-mode balance --paste-classes $IMB_CLASS"
            else
                scenes "scenes$N-s$s" --objects "$data" --n "$N" --max-objects 4 $SCENE_INK --seed "$s"
                cg=det-cgan-s$s paste=""
            fi
            sd=$work/scenes$([ $N = rare ] && echo -rare || echo "$N")-s$s
            for arm in $DETECT_ARMS; do
                case $arm in
                    real) run "det$N-real-s$s" train-detector --data "$sd" $DET $budget --seed "$s" ;;
                    copy) run "det$N-copy-s$s" train-detector --data "$sd" $DET $budget --copy-paste $paste --seed "$s" ;;
                    gan)
                        if [ $N = rare ]; then # the rare block's new-recipe GAN
                            run "$cg" train-gan --data "$data" $IMB $DET_RARE_CGAN --seed "$s"
                        else
                            run "$cg" train-gan --data "$data" $DET_CGAN --seed "$s"
                        fi
                        run "det$N-gan-s$s" train-detector --data "$sd" $DET $budget --gan-augment "$work/$cg/checkpoint.ckpt" \
                            $paste --seed "$s" ;;
                esac
            done
        done
    fi
    if wanted stabilisers; then
        # the scorer: lenet28 on all labels (the supervised block's seed 1), the same for every GAN
        run "full-s1" train-classifier --data "$data" --model lenet28 $FULL --seed 1
        for c in $STABILISERS; do
            run "ug-$c-s$s" train-gan --data "$data" $UGAN $(stabiliser_flags "$c") \
                --score-with "$work/full-s1/checkpoint.ckpt" --score-every "$SCORE_EVERY" --score-n "$SCORE_N" --seed "$s"
        done
    fi
done

# ---- the table ----------------------------------------------------------------
# field FILE FIELD: a number from a JSON line (test_accuracy, seconds, or recall:K for class K's recall).
field() {
    case $2 in
        recall:*) sed 's/.*"recall": \[\([^]]*\)\].*/\1/' "$1" | tr -d ' ' | cut -d, -f$((${2#recall:} + 1)) ;;
        *) sed "s/.*\"$2\": \([0-9.eE+-]*\).*/\1/" "$1" ;;
    esac
}
# values NAME-PREFIX FIELD: that field of each seed's JSON.
values() {
    local s f
    for s in $seeds; do
        f=$work/$1-s$s.json
        [ -s "$f" ] && field "$f" "$2"
    done
    return 0
}
# stat PREFIX FIELD: "mean ± std (n)" in percent, std the sample standard deviation.
stat() {
    values "$1" "$2" | awk '$1 ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/ { n++; x[n] = 100 * $1; s += x[n] } END {
        if (n == 0) { print "not run"; exit }
        m = s / n; v = 0; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        if (n > 1) printf "%.2f ± %.2f (n=%d)", m, sqrt(v / (n - 1)), n; else printf "%.2f (n=1)", m }'
}
# gap A B FIELD: A minus B in points, mean ± std over the seeds that have both.
gap() {
    local s fa fb
    for s in $seeds; do
        fa=$work/$1-s$s.json fb=$work/$2-s$s.json
        [ -s "$fa" ] && [ -s "$fb" ] || continue
        echo "$(field "$fa" "$3") $(field "$fb" "$3")"
    done | awk '$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ { n++; x[n] = 100 * ($1 - $2); s += x[n] } END {
        if (n == 0) { print "-"; exit }
        m = s / n; v = 0; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        if (n > 1) printf "%+.2f ± %.2f", m, sqrt(v / (n - 1)); else printf "%+.2f", m }'
}

seconds() { # mean wall seconds of the runs (from each JSON's "seconds")
    values "$1" seconds | awk '$1 ~ /^[0-9.]+$/ { n++; s += $1 } END { if (n) printf "%.0f", s / n; else print "-" }'
}

# score FILE EPOCH COLUMN: a column (fd, coverage) of a train-gan score.csv at an epoch.
score() {
    awk -F, -v e="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
        $2 == e { v = $k } END { if (v != "") print v }' "$1" 2>/dev/null || true
}
# scores PREFIX EPOCH COLUMN: that score of each seed's run.
scores() {
    local s
    for s in $seeds; do score "$work/$1-s$s/score.csv" "$2" "$3"; done
}
# plain LIST: "mean ± std (n)" of numbers on stdin, not scaled.
plain() {
    awk '$1 ~ /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/ { n++; x[n] = $1; s += x[n] } END {
        if (n == 0) { print "not run"; exit }
        m = s / n; v = 0; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        if (n > 1) printf "%.2f ± %.2f (n=%d)", m, sqrt(v / (n - 1)), n; else printf "%.2f (n=1)", m }'
}
# least PREFIX EPOCH: the fewest classes covered over the seeds.
least() { scores "$1" "$2" coverage | awk 'NR == 1 || $1 < m { m = $1 } END { if (NR) print m; else print "-" }'; }
# kept PREFIX: "kept/tried" of class IMB_CLASS by --gan-filter, per seed (from each run's JSON).
kept() {
    local s f g t out=""
    for s in $seeds; do
        f=$work/$1-s$s.json
        [ -s "$f" ] || continue
        g=$(sed 's/.*"train_generated_per_class": \[\([^]]*\)\].*/\1/' "$f" | tr -d ' ' | cut -d, -f$((IMB_CLASS + 1)))
        t=$(sed 's/.*"gan_filter_tried_per_class": \[\([^]]*\)\].*/\1/' "$f" | tr -d ' ' | cut -d, -f$((IMB_CLASS + 1)))
        out="$out${out:+, }$g/$t"
    done
    echo "${out:--}"
}
# grid RUN NAME: the run's last sample grid copied beside the table as img/NAME.png, and its Markdown.
grid() {
    local f
    f=$(ls "$work/$1/samples/"epoch-*.png 2>/dev/null | tail -1)
    if [ -n "$f" ]; then
        mkdir -p "$(dirname "$out")/img"
        cp "$f" "$(dirname "$out")/img/$2.png"
    fi
    # a restored run keeps the grid copied before (not a run that failed: its folder is gone)
    [ -n "$f" ] || [ -n "${restored[$1]+1}" ] || return 0
    [ -s "$(dirname "$out")/img/$2.png" ] || return 0
    echo "![$2](img/$2.png)"
}
# commands PATTERN...: the commands of the runs whose names match (shell patterns), WORK for the folder.
commands() {
    local p f
    echo '```'
    for p in "$@"; do
        for f in "$work"/$p.cmd; do if [ -s "$f" ]; then cat "$f"; fi; done
    done | sed "s|$work/|WORK/|g"
    echo '```'
}
device_name() { "$clgan" devices 2>/dev/null | sed -n 's/^\*\[[0-9]*\] //p' | head -1; }
made() {
    echo "Made by \`tools/results.sh --only $1\` on $(date -u +%Y-%m-%d) with data \`$data\`, seeds \`$seeds\`, on"
    echo "\`$(device_name)\`$([ $quick = 1 ] && echo " (**--quick**: tiny budgets on synthetic data; these numbers check the script, not the methods)")."
}

block_full() {
    echo "## Supervised baseline, all labels"
    echo
    made full
    echo
    echo "| model | budget | test accuracy % | s/run |"
    echo "|---|---|---|---|"
    echo "| lenet28 | \`$FULL\` | $(stat full test_accuracy) | $(seconds full) |"
    echo
    commands "full-s*"
}

block_few() {
    echo "## Few labels: supervised only vs discriminator features vs semi-supervised"
    echo
    made few,ssl
    echo
    echo "| labels | supervised: lenet28 CNN | supervised: the SSL discriminator alone (w=0) | D features (linear head) | semi-supervised K+1 GAN |"
    echo "|---|---|---|---|---|"
    for L in $LABELS; do
        echo "| $L | $(stat sup-l$L test_accuracy) | $(stat ssl0-l$L test_accuracy) | $(stat dfeat-l$L test_accuracy) | $(stat ssl-l$L test_accuracy) |"
    done
    echo
    echo "Semi-supervised minus supervised, in points of test accuracy (paired by seed):"
    echo
    echo "| labels | minus the same network, w=0 | minus lenet28 | minus D features |"
    echo "|---|---|---|---|"
    for L in $LABELS; do
        echo "| $L | $(gap ssl-l$L ssl0-l$L test_accuracy) | $(gap ssl-l$L sup-l$L test_accuracy) | $(gap ssl-l$L dfeat-l$L test_accuracy) |"
    done
    echo
    echo "Budgets: supervised lenet28 \`$FEW_SUP\`; D features from an unconditional DCGAN trained \`$GAN\` on"
    echo "all training images (no labels), frozen, avg+max+2x2-grid pooled, linear softmax head (train-dfeatures"
    echo "defaults); semi-supervised and its w=0 ablation \`$SSL_FEW\` with ${LABELS%% *} labels, \`$SSL\` with more"
    echo "(epochs over all training images)."
    echo "The w=0 column is the same discriminator (weight-normalised MLP with Gaussian noise), the same labelled batches, the same"
    echo "augmentation and schedule, with the unlabelled and generated terms switched off: the supervised-only"
    echo "counterpart of the semi-supervised column. The lenet28 column is the project's CNN classifier (batchnorm,"
    echo "random shifts), a stronger supervised model."
    echo "Seconds per run: supervised $(seconds sup-l${LABELS##* }), D features $(seconds dfeat-l${LABELS##* }) (+ GAN $(seconds gan)),"
    echo "semi-supervised $(seconds ssl-l${LABELS%% *}) (${LABELS%% *} labels), $(seconds ssl-l${LABELS##* }) (${LABELS##* })."
    echo
    echo "Targets (issue 4):"
    echo
    full_mean=$(values full test_accuracy | awk '$1 ~ /^[0-9.]+$/ { n++; s += $1 } END { if (n) printf "%.2f", 100 * s / n }')
    echo "- supervised lenet28 on all labels >= 98.5%: mean $full_mean% — $(awk -v a="${full_mean:-0}" 'BEGIN { print (a >= 98.5 ? "met" : "NOT met") }')."
    ssl_gap=$(gap ssl-l100 ssl0-l100 test_accuracy) lenet_gap=$(gap ssl-l100 sup-l100 test_accuracy)
    echo "- semi-supervised with 100 labels >= 15 points above supervised-only: $ssl_gap over the same network (w=0),"
    echo "  $lenet_gap over lenet28 — $(echo "${ssl_gap%% *} ${lenet_gap%% *}" | awk '{ print ($1 + 0 >= 15 || $2 + 0 >= 15) ? "met" : "NOT met" }')."
    echo
    commands "gan-s*" "sup-l*" "dfeat-l*" "ssl-l*" "ssl0-l*"
}

block_rare() {
    echo "## A rare class: no augmentation, naive oversampling, GAN augmentation"
    echo
    made imbalance,rare
    echo
    echo "Class $IMB_CLASS keeps a fraction of its training images (\`--imbalance $IMB_CLASS:F\`, chosen by the seed); the test"
    echo "split is untouched. The old GAN augmentation is a conditional DCGAN \`$CGAN\` on the imbalanced split; the new"
    echo "recipe is the conditional DCGAN \`$NEW_CGAN\` (real images drawn class-balanced, twice the epochs,"
    echo "samples from the moving average of G's weights) and keeps only generated images that the \"as is\""
    echo "classifier of the same seed assigns to their class with probability >= 0.5 (\`--gan-filter\`). An"
    echo "earlier recipe (\`--balance-classes --diffaugment translation,cutout\`, 5 epochs) and its ablations are"
    echo "in the README's account of what did not help."
    local F p
    for F in $RARE_TABLE; do
        p=$(rare_name x "$F"); p=${p%-x}
        echo
        echo "### Class $IMB_CLASS cut to $(awk -v f="$F" 'BEGIN { printf "%g", 100 * f }')%"
        echo
        echo "| training set | test accuracy % | class $IMB_CLASS recall % |"
        echo "|---|---|---|"
        echo "| as is | $(stat $p-none test_accuracy) | $(stat $p-none recall:$IMB_CLASS) |"
        echo "| naive oversampling (\`--oversample\`) | $(stat $p-over test_accuracy) | $(stat $p-over recall:$IMB_CLASS) |"
        echo "| old GAN augmentation (\`--gan-augment\`, balance) | $(stat $p-gan test_accuracy) | $(stat $p-gan recall:$IMB_CLASS) |"
        echo "| new recipe: balanced, moving-average GAN, filtered | $(stat $p-new test_accuracy) | $(stat $p-new recall:$IMB_CLASS) |"
        echo "| new recipe with \`--oversample\` | $(stat $p-newover test_accuracy) | $(stat $p-newover recall:$IMB_CLASS) |"
        echo
        echo "Class $IMB_CLASS images the filter kept of those generated (seeds in order): $(kept $p-new)."
        local s1=${seeds%% *} cg=$(rare_name cgan "$F")
        [ "$F" = "$IMB_FRACTION" ] && cg=cgan-imb
        echo
        echo "The conditional GANs' samples after their last epoch, seed $s1 (a row per class, class $IMB_CLASS the"
        echo "$((IMB_CLASS + 1))th): the old GAN; the new recipe's (moving average)."
        echo
        echo "$(grid "$cg-s$s1" "$p-cgan-s$s1") $(grid "$p-ncgan-s$s1" "$p-ncgan-s$s1")"
        echo
        echo "Paired by seed, in points, against naive oversampling: new recipe $(gap $p-new $p-over test_accuracy) (accuracy),"
        echo "$(gap $p-new $p-over recall:$IMB_CLASS) (class $IMB_CLASS recall); with oversampling $(gap $p-newover $p-over test_accuracy),"
        echo "$(gap $p-newover $p-over recall:$IMB_CLASS)."
    done
    echo
    echo "Budgets: classifier \`$IMB_CLF\`."
    echo
    commands "imb-*" "cgan-imb-*" "imb[0-9]*-*"
}

block_stabilisers() {
    echo "## Unconditional dcgan28: the GAN stabilisers"
    echo
    made stabilisers
    echo
    echo "Each stabiliser alone on unconditional dcgan28 (\`$UGAN\`), and a combination. Scored by the project's own"
    echo "scorer (\`train-gan --score-with\`, the lenet28 classifier of the supervised block, seed 1):"
    echo "the Fréchet distance of its features between $SCORE_N samples and $SCORE_N test images (lower is better),"
    echo "and the classes that get at least 1% of the samples (of 10; \"fewest\" is the worst seed)."
    echo
    local e1=${SCORE_AT%% *} e2=${SCORE_AT##* } c
    echo "| GAN | flags | FD, epoch $e1 | classes, epoch $e1 (fewest) | FD, epoch $e2 | classes, epoch $e2 (fewest) |"
    echo "|---|---|---|---|---|---|"
    for c in $STABILISERS_TABLE; do
        echo "| $c | \`$(stabiliser_flags "$c" | grep . || echo none)\` | $(scores ug-$c "$e1" fd | plain) | $(scores ug-$c "$e1" coverage | plain) ($(least ug-$c "$e1")) | $(scores ug-$c "$e2" fd | plain) | $(scores ug-$c "$e2" coverage | plain) ($(least ug-$c "$e2")) |"
    done
    echo
    commands "ug-*"
}

# det_stat PREFIX FIELD: "mean ± std (n)" of a detector JSON field (val_map50, val_map), not scaled.
det_stat() { values "$1" "$2" | awk '{ printf "%.3f\n", $1 }' | plain_det; }
plain_det() {
    awk '$1 ~ /^[0-9.]+$/ { n++; x[n] = $1; s += x[n] } END {
        if (n == 0) { print "not run"; exit }
        m = s / n; v = 0; for (i = 1; i <= n; i++) v += (x[i] - m) ^ 2
        if (n > 1) printf "%.3f ± %.3f (n=%d)", m, sqrt(v / (n - 1)), n; else printf "%.3f (n=1)", m }'
}
# det_ap PREFIX K: class K's AP@0.5 per seed, as det_stat.
det_ap() {
    local s f
    for s in $seeds; do
        f=$work/$1-s$s.json
        [ -s "$f" ] && sed 's/.*"val_ap50_per_class": \[\([^]]*\)\].*/\1/' "$f" | tr -d ' ' | cut -d, -f$(($2 + 1))
    done | plain_det
}
block_detect() {
    echo "## Detection: MNIST scenes, and pasted objects (copy-paste, GAN)"
    echo
    made detect
    echo
    echo "Scenes of 64 x 64 with 1 to 4 digits (\`clgan make-scenes --max-objects 4\`): $SCENES_FEW or $SCENES_MANY training"
    echo "scenes from the training digits (the seed draws them), $SCENES_TEST test scenes from the test digits only"
    echo "(seed 1000, the same for every run). The grid detector \`$DET\` trains for the same number of steps"
    echo "whatever scenes are added (\`$DET_FEW\` with $SCENES_FEW scenes, \`$DET_MANY\` with $SCENES_MANY), so a"
    echo "column compares training data, not compute. Copy-paste: as many objects again as the real scenes hold,"
    echo "cut from their boxes and pasted onto new black scenes (\`--copy-paste\`); GAN: the same number made by"
    echo "a conditional DCGAN \`$DET_CGAN\` trained on all training digits (\`--gan-augment\`) — it has seen more"
    echo "digits than $SCENES_FEW scenes hold, which favours it there. mAP on the test scenes. The scenes (not"
    echo "recorded: they follow from their seed) are \`clgan make-scenes --objects DATA --split test --n $SCENES_TEST"
    echo "--max-objects 4${SCENE_INK:+ $SCENE_INK} --seed 1000\` and \`clgan make-scenes --objects DATA --n N --max-objects 4${SCENE_INK:+ $SCENE_INK} --seed SEED\`."
    echo
    echo "| training scenes | real only | + copy-paste | + GAN objects |"
    echo "|---|---|---|---|"
    local N
    for N in $SCENES_FEW $SCENES_MANY; do
        echo "| $N, mAP@0.5 | $(det_stat det$N-real val_map50) | $(det_stat det$N-copy val_map50) | $(det_stat det$N-gan val_map50) |"
        echo "| $N, mAP@0.5:0.95 | $(det_stat det$N-real val_map) | $(det_stat det$N-copy val_map) | $(det_stat det$N-gan val_map) |"
    done
    echo
    echo "Paired by seed against real only, mAP@0.5 in points: copy-paste $(gap det$SCENES_FEW-copy det$SCENES_FEW-real val_map50)"
    echo "($SCENES_FEW), $(gap det$SCENES_MANY-copy det$SCENES_MANY-real val_map50) ($SCENES_MANY); GAN $(gap det$SCENES_FEW-gan det$SCENES_FEW-real val_map50)"
    echo "($SCENES_FEW), $(gap det$SCENES_MANY-gan det$SCENES_MANY-real val_map50) ($SCENES_MANY)."
    echo
    echo "### A rare digit: class $IMB_CLASS at $(awk -v f="$IMB_FRACTION" 'BEGIN { printf "%g", 100 * f }')% of its objects"
    echo
    echo "$SCENES_MANY training scenes from the training digits with \`$IMB\` (the rare block's subset for the seed);"
    echo "the pasted scenes hold class $IMB_CLASS only, as many as bring it level with the largest class"
    echo "(\`--paste-mode balance --paste-classes $IMB_CLASS\`): copy-paste repeats its few real crops, the GAN is the rare"
    echo "block's new-recipe conditional GAN (\`$DET_RARE_CGAN $IMB\`)."
    echo
    echo "| training scenes | mAP@0.5 | class $IMB_CLASS AP@0.5 |"
    echo "|---|---|---|"
    echo "| real only | $(det_stat detrare-real val_map50) | $(det_ap detrare-real $IMB_CLASS) |"
    echo "| + copy-paste of class $IMB_CLASS | $(det_stat detrare-copy val_map50) | $(det_ap detrare-copy $IMB_CLASS) |"
    echo "| + GAN-made class $IMB_CLASS | $(det_stat detrare-gan val_map50) | $(det_ap detrare-gan $IMB_CLASS) |"
    echo
    local m
    m=$(values det$SCENES_MANY-real val_map50 | awk '{ n++; s += $1 } END { if (n) printf "%.3f", s / n }')
    echo "Target (issue 16): real only, $SCENES_MANY scenes, mAP@0.5 >= 0.90 on the test scenes: ${m:-not run}$([ -n "$m" ] && awk -v a="$m" 'BEGIN { print (a >= 0.90 ? " — met" : " — NOT met") }')."
    echo
    commands "det-cgan-*" "det[0-9r]*-*"
}

# emit NAME GROUPS: the block made afresh when one of GROUPS ran (or with --only table), else the old
# file's block kept (made afresh when the old file has none).
emit() {
    local name=$1 groups=$2 g fresh=0
    for g in ${groups//,/ } table; do wanted "$g" && fresh=1; done
    if [ $fresh = 0 ] && [ -n "$old" ] && grep -qx "<!-- block $name -->" <<<"$old"; then
        awk -v n="$name" '$0 == "<!-- block " n " -->" { p = 1 } p { print } $0 == "<!-- end " n " -->" { p = 0 }' <<<"$old"
        return
    fi
    if [ $fresh = 0 ]; then # neither run now nor kept: say how to make it
        printf '<!-- block %s -->\n## %s\n\nNot measured yet: `tools/results.sh --only %s` runs it.\n<!-- end %s -->\n' \
            "$name" "$(block_"$name" | head -1 | sed 's/^## //')" "$groups" "$name"
        return
    fi
    echo "<!-- block $name -->"
    "block_$name"
    echo "<!-- end $name -->"
}

mkdir -p "$(dirname "$out")"
old=$(cat "$out" 2>/dev/null || true)
{
    echo "# Results: how GANs help an image classifier, and how well they train"
    echo
    echo "Made by \`tools/results.sh\`: each block says when, on what device and with which seeds it was made."
    echo "Each cell is the mean ± sample std over the seeds (n = the runs that finished); accuracies and recalls are"
    echo "in percent on the dataset's own test split. Every block lists the commands it ran (WORK: the folder given"
    echo "with --work, default results-work)."
    echo
    emit full full
    echo
    emit few few,ssl
    echo
    emit rare imbalance,rare
    echo
    emit stabilisers stabilisers
    echo
    emit detect detect
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
