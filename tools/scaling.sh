#!/usr/bin/env bash
# scaling.sh — how much faster 2 ranks train than 1 (docs/SCALING.md): for
# dcgan28, lenet28 and the semi-supervised ssl28 at one batch size, runs
# 1 rank and 2 ranks (mpirun) alternately, A B A B, every rank on the PoCL
# device with one thread, and prints a Markdown table: step time (the median
# over the pairs of each run's mean step after warm-up), speed-up,
# efficiency (speed-up / ranks), and per step the time rank 0 spent in the
# ranks' reductions, split into waiting for the slower rank and the transfer,
# with the bytes reduced.
#
# usage: tools/scaling.sh [--data SPEC] [--batch B] [--steps N] [--pairs K] [--clgan PATH] [--work DIR]
#   --data SPEC   training data (default ../shared/data/mnist10k, else synthetic)
#   --batch B     the global batch (default 64: 32 per rank)
#   --steps N     steps per run (default 40; the first 5 are warm-up and not timed)
#   --pairs K     A B pairs per preset (default 2)
#   --clgan PATH  the binary (default build/clgan); --work DIR run folders (default a temporary one)
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/mnist10k batch=64 steps=40 pairs=2 clgan=build/clgan work=""
while [ $# -gt 0 ]; do
    case $1 in
        --data) data=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --steps) steps=$2; shift 2 ;;
        --pairs) pairs=$2; shift 2 ;;
        --clgan) clgan=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scaling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ -e "$data" ] || data=synthetic
[ -x "$clgan" ] || { echo "scaling.sh: no clgan at $clgan (build first: tools/setup.sh)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "scaling.sh: mpirun not found (Debian: openmpi-bin)" >&2; exit 1; }
if [ -z "$work" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
launch=(mpirun -np 2)
mpirun --version 2>&1 | grep -q -e "Open MPI" -e OpenRTE && [ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root)
export POCL_MAX_PTHREAD_COUNT=1

presets=("dcgan28|train-gan --model dcgan28"
         "lenet28|train-classifier --model lenet28"
         "ssl28|train-ssl --model ssl28 --labels 100")
# run NAME RANKS ARGS...: one run into $work/NAME; prints "step_seconds sync wait bytes steps".
run() {
    local name=$1 ranks=$2 cmd
    shift 2
    rm -rf "${work:?}/$name"
    cmd=("$clgan" "$@" --data "$data" --batch "$batch" --steps "$steps" --seed 1 --out "$work/$name" --json)
    if [ "$ranks" = 1 ]; then "${cmd[@]}" >"$work/$name.json" 2>"$work/$name.err"
    else "${launch[@]}" "${cmd[@]}" >"$work/$name.json" 2>"$work/$name.err"; fi
    python3 - "$work/$name/log.csv" "$work/$name.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
warm = 5
t = (float(rows[-1]["seconds"]) - float(rows[warm - 1]["seconds"])) / (len(rows) - warm)
print(t, j["sync_seconds"], j["sync_wait_seconds"], j["sync_bytes"], len(rows))
PY
}
median() { python3 -c 'import statistics, sys; print(statistics.median(float(a) for a in sys.argv[1:]))' "$@"; }

cpu=$("$clgan" devices 2>/dev/null | sed -n "s/^\*\[[0-9]*\] *//p" | head -n 1)
echo "clgan $("$clgan" --version | cut -d' ' -f2), $data, global batch $batch, $steps steps per run ($pairs A B pairs),"
echo "device $cpu, one PoCL thread per rank, $(nproc) cores: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
echo
echo "| preset | 1 rank s/step | 2 ranks s/step | speed-up | efficiency | reductions ms/step (wait + transfer) | MB reduced/step |"
echo "|---|---|---|---|---|---|---|"
for p in "${presets[@]}"; do
    name=${p%%|*}
    read -r -a args <<<"${p#*|}"
    one=() two=() sync=() wait=() mb=()
    for k in $(seq "$pairs"); do
        read -r t _ _ _ _ < <(run "$name-1-$k" 1 "${args[@]}")
        one+=("$t")
        read -r t s w b n < <(run "$name-2-$k" 2 "${args[@]}")
        two+=("$t")
        sync+=("$(python3 -c "print(1000 * $s / $n)")")
        wait+=("$(python3 -c "print(1000 * $w / $n)")")
        mb+=("$(python3 -c "print($b / 1e6 / $n)")")
    done
    a=$(median "${one[@]}") b=$(median "${two[@]}") s=$(median "${sync[@]}") w=$(median "${wait[@]}") m=$(median "${mb[@]}")
    python3 -c "
a, b, s, w, m = $a, $b, $s, $w, $m
print('| $name | %.3f | %.3f | %.2f | %.0f%% | %.1f (%.1f + %.1f) | %.2f |' % (a, b, a / b, 50 * a / b, s, w, s - w, m))"
done
