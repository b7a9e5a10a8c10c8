#!/usr/bin/env bash
# results.sh — runs the issue-4 experiments (how GANs help a classifier) and
# writes docs/RESULTS.md from what they print: every command, seed and budget,
# and mean ± std over the seeds.
#
# usage: tools/results.sh [--data DIR] [--work DIR] [--seeds "1 2 3"] [--only GROUPS] [--quick]
#                         [--clgan PATH] [--out FILE]
#   --data DIR     labelled dataset (default ../shared/data/mnist10k)
#   --work DIR     run folders and JSON results (default results-work, results-work-quick with
#                  --quick); a run whose JSON exists from the same command is not run again, so an
#                  interrupted script picks up where it stopped (a warning names runs another clgan
#                  binary made: delete their JSON to redo them after a change to the code)
#   --seeds LIST   seeds (default "1 2 3")
#   --only GROUPS  comma list of groups to run: full, few, ssl, imbalance (default all), e.g. to
#                  run groups in two processes; the table is written from whatever JSON exists
#                  (--only table runs nothing and only writes the table)
#   --quick        tiny budgets on the built-in synthetic data (checks the script, not the method)
#   --clgan PATH   the clgan binary (default build/clgan)
#   --out FILE     the Markdown file (default docs/RESULTS.md; with --quick, RESULTS.md in the work folder)
set -euo pipefail
cd "$(dirname "$0")/.."

data=../shared/data/mnist10k work=results-work seeds="1 2 3" only=full,few,ssl,imbalance quick=0
clgan=build/clgan out=docs/RESULTS.md
while [ $# -gt 0 ]; do
    case $1 in
        --data) data=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --quick) quick=1; shift ;;
        --clgan) clgan=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "results.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$clgan" ] || { echo "results.sh: no clgan binary at $clgan (build first: tools/setup.sh)" >&2; exit 1; }

# ---- budgets ----------------------------------------------------------------
if [ $quick = 1 ]; then
    data=synthetic
    [ "$work" = results-work ] && work=results-work-quick
    [ "$out" = docs/RESULTS.md ] && out=$work/RESULTS.md # never overwrite the real table
    FULL="--epochs 1 --limit 512 --width 8"
    FEW_SUP="--steps 40 --eval-every 1000 --width 8 --batch 16"
    GAN="--epochs 1 --limit 512 --width 8 --nz 16"
    SSL="--epochs 2 --limit 512 --width 8 --batch 16" SSL_FEW=$SSL
    CGAN="--epochs 1 --limit 512 --width 8 --nz 16 --conditional"
    IMB_CLF="--epochs 1 --limit 512 --width 8"
    LABELS="20 40"
else
    FULL="--epochs 5 --augment --lr-decay 0.3 --lr-decay-epochs 2"
    FEW_SUP="--steps 300 --eval-every 100000 --augment"
    GAN="--epochs 3"
    SSL="--epochs 16 --decay-from 8 --augment"
    SSL_FEW="--epochs 120 --decay-from 60 --augment" # the fewest labels: still climbing at 16, 40 and 80 epochs
    CGAN="--epochs 5 --conditional"
    IMB_CLF="--epochs 2"
    LABELS="100 1000"
fi
IMB_CLASS=3 IMB_FRACTION=0.025
IMB="--imbalance $IMB_CLASS:$IMB_FRACTION"

mkdir -p "$work"
bin_id=$(sha256sum "$clgan" | cut -c1-16) # a run made by another binary is kept, with a warning
wanted() { [[ ",$only," == *",$1,"* ]]; }
# ssl_budget L: the semi-supervised budget for L labels (a longer one for the fewest).
ssl_budget() { if [ "$1" = "${LABELS%% *}" ]; then echo "$SSL_FEW"; else echo "$SSL"; fi; }

# run NAME ARGS...: clgan ARGS --out work/NAME --json > work/NAME.json (skipped when it exists;
# train-dfeatures writes no files, so it gets no --out).
run() {
    local name=$1; shift
    local outdir=(--out "$work/$name")
    [ "$1" = train-dfeatures ] && outdir=()
    local line="clgan $* ${outdir[*]+${outdir[*]}} --json"
    if [ -s "$work/$name.json" ] && [ "$(cat "$work/$name.cmd" 2>/dev/null)" = "$line" ]; then
        echo "have $name"
        [ "$(cat "$work/$name.bin" 2>/dev/null)" = "$bin_id" ] ||
            echo "results.sh: warning: $name was made by another clgan binary; delete $work/$name.json to redo it" >&2
        return
    fi
    echo "run  $name: $line"
    rm -rf "${work:?}/$name"
    local t0=$SECONDS
    rm -f "$work/$name.json" "$work/$name.cmd"
    "$clgan" "$@" ${outdir[@]+"${outdir[@]}"} --json >"$work/$name.json.tmp" 2>"$work/$name.log" || {
        echo "results.sh: $name failed (left out of the table); see $work/$name.log" >&2
        tail -3 "$work/$name.log" >&2; return 0; }
    mv "$work/$name.json.tmp" "$work/$name.json"
    echo "$line" >"$work/$name.cmd"
    echo "$bin_id" >"$work/$name.bin"
    echo "     $name done in $((SECONDS - t0)) s: $(grep -o '"test_accuracy": [0-9.]*' "$work/$name.json")"
}

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
    if wanted imbalance; then
        run "imb-none-s$s" train-classifier --data "$data" --model lenet28 $IMB $IMB_CLF --seed "$s"
        run "imb-over-s$s" train-classifier --data "$data" --model lenet28 $IMB $IMB_CLF --oversample --seed "$s"
        run "cgan-imb-s$s" train-gan --data "$data" $IMB $CGAN --seed "$s"
        run "imb-gan-s$s" train-classifier --data "$data" --model lenet28 $IMB $IMB_CLF \
            --gan-augment "$work/cgan-imb-s$s/checkpoint.ckpt" --gan-mode balance --seed "$s"
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

mkdir -p "$(dirname "$out")"
{
    echo "# Results: how GANs help an image classifier"
    echo
    echo "Made by \`tools/results.sh\` on $(date -u +%Y-%m-%d) with data \`$data\`, seeds \`$seeds\`"
    [ $quick = 1 ] && echo "(**--quick**: tiny budgets on synthetic data; these numbers check the script, not the methods)"
    echo "on \`$("$clgan" devices 2>/dev/null | sed -n 's/^\*\[[0-9]*\] //p' | head -1)\`."
    echo "Each cell is the test accuracy (or recall) in percent, mean ± sample std over the seeds; the test"
    echo "split is the dataset's own. Every command the script ran is listed at the end, with its budget."
    echo
    echo "## Supervised baseline, all labels"
    echo
    echo "| model | budget | test accuracy % | s/run |"
    echo "|---|---|---|---|"
    echo "| lenet28 | \`$FULL\` | $(stat full test_accuracy) | $(seconds full) |"
    echo
    echo "## Few labels: supervised only vs discriminator features vs semi-supervised"
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
    echo "## One class cut to $(awk -v f=$IMB_FRACTION 'BEGIN { printf "%g", 100 * f }')%: no augmentation vs naive oversampling vs GAN augmentation"
    echo
    echo "Class $IMB_CLASS keeps $IMB_FRACTION of its training images (\`$IMB\`, chosen by the seed); the test split is untouched."
    echo
    echo "| training set | test accuracy % | class $IMB_CLASS recall % |"
    echo "|---|---|---|"
    echo "| as is | $(stat imb-none test_accuracy) | $(stat imb-none recall:$IMB_CLASS) |"
    echo "| naive oversampling (\`--oversample\`) | $(stat imb-over test_accuracy) | $(stat imb-over recall:$IMB_CLASS) |"
    echo "| GAN augmentation (\`--gan-augment\`, balance) | $(stat imb-gan test_accuracy) | $(stat imb-gan recall:$IMB_CLASS) |"
    echo
    echo "Paired by seed, in points: oversampling minus as-is $(gap imb-over imb-none test_accuracy) (accuracy),"
    echo "$(gap imb-over imb-none recall:$IMB_CLASS) (class $IMB_CLASS recall); GAN augmentation minus as-is"
    echo "$(gap imb-gan imb-none test_accuracy) (accuracy), $(gap imb-gan imb-none recall:$IMB_CLASS) (class $IMB_CLASS recall)."
    echo
    echo "Budgets: classifier \`$IMB_CLF\`; conditional DCGAN \`$CGAN\` on the same imbalanced split."
    echo
    echo "## The issue's targets"
    echo
    full_mean=$(values full test_accuracy | awk '$1 ~ /^[0-9.]+$/ { n++; s += $1 } END { if (n) printf "%.2f", 100 * s / n }')
    echo "- supervised lenet28 on all labels >= 98.5%: mean $full_mean% — $(awk -v a="${full_mean:-0}" 'BEGIN { print (a >= 98.5 ? "met" : "NOT met") }')."
    ssl_gap=$(gap ssl-l100 ssl0-l100 test_accuracy) lenet_gap=$(gap ssl-l100 sup-l100 test_accuracy)
    echo "- semi-supervised with 100 labels >= 15 points above supervised-only: $ssl_gap over the same network (w=0),"
    echo "  $lenet_gap over lenet28 — $(echo "${ssl_gap%% *} ${lenet_gap%% *}" | awk '{ print ($1 + 0 >= 15 || $2 + 0 >= 15) ? "met" : "NOT met" }')."
    echo
    echo "## Commands"
    echo
    echo "WORK is the folder given with --work (default results-work)."
    echo
    echo '```'
    for f in "$work"/*.json; do [ -s "${f%.json}.cmd" ] && cat "${f%.json}.cmd"; done | sed "s|$work/|WORK/|g"
    echo '```'
} >"$out"
echo "wrote $out"
