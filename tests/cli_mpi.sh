#!/usr/bin/env bash
# cli_mpi.sh — data-parallel training under MPI, end to end on the synthetic
# data, each rank on the one PoCL device with one thread:
#   - 2 ranks x B/2 with --sync-bn against 1 rank x B after 20 steps: the same
#     weights within a stated tolerance, for a classifier (lenet28, SGD) and a
#     GAN (dcgan28, Adam, with the moving average of G); without --sync-bn the
#     same runs land measurably further away (the tolerance separates the two);
#     the GAN with a spectral-normalised D (its u kept per rank) with --sync-bn too;
#   - a net without batchnorm (lenet28's layers less its batchnorms, with
#     dropout): 2 ranks without --sync-bn within rounding of 1 rank;
#   - a GAN with --diffaugment (per-image draws at global indices) likewise;
#   - the semi-supervised GAN (weight-norm data init, feature matching, noise
#     and dropout layers) on 2 ranks within rounding of 1 rank;
#   - a run of 2 ranks resumed on 1 rank ends where 1 rank all along ends;
#   - SIGTERM to every rank (as a batch scheduler sends it): all stop at one
#     step, rank 0 writes one checkpoint there; Ctrl-C on mpirun likewise;
#   - one rank killed: the job ends (no hang) naming the rank, and the last
#     checkpoint still loads and resumes;
#   - a batch the ranks cannot split, a GPU spec on a host without enough
#     GPUs and train-dfeatures are refused with messages.
# Tolerances are RMS weight differences (tests/ckpt_diff): Adam and ReLU turn
# rounding into single weights that differ by up to 2*lr, while the net as a
# whole agrees; measured values are in docs/SCALING.md.
# usage: cli_mpi.sh PATH/TO/clgan PATH/TO/ckpt_diff PATH/TO/mpiexec
. "$(dirname "$0")/cli_lib.sh" "$@"
diff_tool=$2
mpiexec=$3
launch=("$mpiexec")
if "$mpiexec" --version 2>&1 | grep -q -e "Open MPI" -e "OpenRTE" -e "open-mpi"; then
    launch+=(--oversubscribe)                       # 2 ranks on any machine
    [ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root) # CI runs as root
fi
export POCL_MAX_PTHREAD_COUNT=1 # one thread per rank: two ranks fill two cores
mpi() { local n=$1; shift; "${launch[@]}" -np "$n" "$clgan" "$@"; }

# close LABEL A B TOL: every net of checkpoints A and B within RMS TOL.
close() {
    local out
    out=$("$diff_tool" "$2" "$3" "$4" 2>&1); local rc=$?
    expect "$1 (RMS <= $4: $(echo $out | tr '\n' ' '))" test $rc = 0
}
# apart LABEL A B TOL: some net of A and B further apart than TOL (the tolerance can fail).
apart() {
    local out
    out=$("$diff_tool" "$2" "$3" "$4" 2>&1); local rc=$?
    expect "$1 (RMS > $4: $(echo $out | tr '\n' ' '))" test $rc = 1
}

clf=(train-classifier --data synthetic --limit 640 --batch 32 --optimizer sgd --lr 5e-4 --seed 5)
"$clgan" "${clf[@]}" --steps 20 --out "$work/c1" 2>>"$clgan_log"
mpi 2 "${clf[@]}" --steps 20 --sync-bn --out "$work/c2" 2>"$work/c2.err"; rc=$?
expect "classifier on 2 ranks exits 0 (rc=$rc)" test $rc = 0
expect "rank 0 says the job's size and its time in reductions" \
    grep -q -e "data-parallel training: 2 ranks" "$work/c2.err"
expect "... and the reductions' share of the run" grep -q "2 ranks trained 20 steps" "$work/c2.err"
expect "the other rank is quiet: one progress stream" test "$(grep -c "clgan: done" "$work/c2.err")" = 1
expect "rank 0 alone wrote the log: 20 rows" test "$(wc -l <"$work/c2/log.csv")" = 21
close "classifier: 2 ranks x 16 --sync-bn = 1 rank x 32 after 20 steps" "$work/c1/checkpoint.ckpt" \
    "$work/c2/checkpoint.ckpt" 3e-5
mpi 2 "${clf[@]}" --steps 20 --out "$work/c3" 2>>"$clgan_log"
apart "classifier: without --sync-bn each rank's batchnorm statistics differ" "$work/c1/checkpoint.ckpt" \
    "$work/c3/checkpoint.ckpt" 3e-5

# --g-ema: every rank keeps the average of G's weights, rank 0 saves it (ckpt_diff compares it too).
gan=(train-gan --data synthetic --limit 640 --batch 32 --lr-g 5e-5 --lr-d 5e-5 --eps-g 1e-3 --eps-d 1e-3 --g-ema 0.9 --seed 5)
"$clgan" "${gan[@]}" --steps 20 --out "$work/g1" 2>>"$clgan_log"
mpi 2 "${gan[@]}" --steps 20 --sync-bn --out "$work/g2" 2>>"$clgan_log"; rc=$?
expect "GAN on 2 ranks exits 0 (rc=$rc)" test $rc = 0
close "GAN: 2 ranks x 16 --sync-bn = 1 rank x 32 after 20 steps" "$work/g1/checkpoint.ckpt" "$work/g2/checkpoint.ckpt" 1.5e-5
mpi 2 "${gan[@]}" --steps 20 --out "$work/g3" 2>>"$clgan_log"
apart "GAN: without --sync-bn apart" "$work/g1/checkpoint.ckpt" "$work/g3/checkpoint.ckpt" 1.5e-5
# DiffAugment draws each image's parameters at its index in the whole batch: 2 ranks augment what 1 rank does
# (with every rank drawing from its first image instead, the same runs end about 1.8e-4 apart).
"$clgan" "${gan[@]}" --diffaugment translation,cutout,color --steps 20 --out "$work/d1" 2>>"$clgan_log"
mpi 2 "${gan[@]}" --diffaugment translation,cutout,color --steps 20 --sync-bn --out "$work/d2" 2>>"$clgan_log"
close "GAN with --diffaugment: 2 ranks x 16 --sync-bn = 1 rank x 32 after 20 steps" "$work/d1/checkpoint.ckpt" \
    "$work/d2/checkpoint.ckpt" 1.5e-5
"$clgan" "${gan[@]}" --spectral-norm --steps 20 --out "$work/sn1" 2>>"$clgan_log"
mpi 2 "${gan[@]}" --spectral-norm --steps 20 --sync-bn --out "$work/sn2" 2>>"$clgan_log"; rc=$?
expect "GAN with --spectral-norm on 2 ranks exits 0 (rc=$rc)" test $rc = 0
close "GAN, spectral-normalised D: 2 ranks x 16 --sync-bn = 1 rank x 32 after 20 steps" "$work/sn1/checkpoint.ckpt" \
    "$work/sn2/checkpoint.ckpt" 1e-6

# lenet28 without its batchnorm layers (dropout kept: each rank draws the one-rank masks of its images), Adam.
"$clgan" models show lenet28 | grep -v -x '\[batchnorm\]' >"$work/nobn.arch"
nobn=(train-classifier --data synthetic --limit 640 --batch 32 --arch "$work/nobn.arch" --seed 5)
"$clgan" "${nobn[@]}" --steps 20 --out "$work/n1" 2>>"$clgan_log"
mpi 2 "${nobn[@]}" --steps 20 --out "$work/n2" 2>>"$clgan_log"
close "no batchnorm, dropout, Adam: 2 ranks = 1 rank within rounding" "$work/n1/checkpoint.ckpt" \
    "$work/n2/checkpoint.ckpt" 2e-6

ssl=(train-ssl --data synthetic --limit 640 --batch 32 --labels 100 --seed 5)
"$clgan" "${ssl[@]}" --steps 10 --out "$work/s1" 2>>"$clgan_log"
mpi 2 "${ssl[@]}" --steps 10 --sync-bn --out "$work/s2" 2>>"$clgan_log"; rc=$?
expect "semi-supervised GAN on 2 ranks exits 0 (rc=$rc)" test $rc = 0
close "semi-supervised GAN: 2 ranks x 16 --sync-bn = 1 rank x 32 after 10 steps" "$work/s1/checkpoint.ckpt" \
    "$work/s2/checkpoint.ckpt" 1e-5

# Resume 2 -> 1: 10 steps on 2 ranks, the next 10 on one rank, against 20 on one rank.
mpi 2 "${clf[@]}" --steps 10 --sync-bn --out "$work/r" 2>>"$clgan_log"
"$clgan" train-classifier --data synthetic --steps 20 --resume --out "$work/r" 2>>"$clgan_log"; rc=$?
expect "2 ranks' checkpoint resumes on 1 rank (rc=$rc)" test $rc = 0
expect "the resumed log holds steps 1..20 once" test "$(cut -d, -f1 "$work/r/log.csv" | tail -n +2 | tr '\n' ' ')" = \
    "$(seq 1 20 | tr '\n' ' ')"
close "2 ranks then 1 rank = 1 rank all along" "$work/c1/checkpoint.ckpt" "$work/r/checkpoint.ckpt" 3e-5

# The ranks' pids of the run writing DIR (training command in their command lines).
rank_pids() { pgrep -f -- "--out $1" | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = clgan ] && echo "$p"; done; }
long=(train-classifier --data synthetic --limit 320 --batch 32 --width 8 --seed 5 --steps 100000)

# SIGTERM to every rank: one step, one checkpoint.
mpi 2 "${long[@]}" --out "$work/t" >/dev/null 2>"$work/t.err" &
job=$!
for _ in $(seq 600); do log_rows_over "$work/t" 15 && break; sleep 0.1; done
kill -TERM $(rank_pids "$work/t") 2>/dev/null
wait $job; rc=$?
expect "SIGTERM to every rank: the job exits non-zero (rc=$rc)" test $rc != 0
step=$(sed -n 's/.*stopped by SIGTERM after step \([0-9]*\);.*/\1/p' "$work/t.err")
expect "... rank 0 says after which step (${step:-none})" test -n "$step"
expect "... and the log ends at that step" test "$(tail -n 1 "$work/t/log.csv" | cut -d, -f1)" = "${step:-x}"
"$clgan" train-classifier --data synthetic --steps $((step + 2)) --resume --out "$work/t" 2>>"$clgan_log"; rc=$?
expect "... its checkpoint holds that step: one rank resumes 2 more (rc=$rc)" test $rc = 0 -a \
    "$(tail -n 1 "$work/t/log.csv" | cut -d, -f1)" = $((step + 2))

# Ctrl-C on mpirun: Open MPI passes SIGTERM to the ranks after odls_base_sigkill_timeout (default 1 s) and
# SIGKILL one timeout later; with time to finish a step they stop as above.
"${launch[@]}" --mca odls_base_sigkill_timeout 20 -np 2 "$clgan" "${long[@]}" --out "$work/i" >/dev/null \
    2>"$work/i.err" &
job=$!
for _ in $(seq 600); do log_rows_over "$work/i" 15 && break; sleep 0.1; done
kill -INT $job
wait $job
expect "Ctrl-C on mpirun: rank 0 stops and writes the checkpoint" grep -q "stopped by SIGTERM after step" "$work/i.err"

# One rank killed: the job ends with a message naming it; the checkpoint of the last epoch end loads.
mpi 2 "${long[@]}" --out "$work/k" >/dev/null 2>"$work/k.err" &
job=$!
for _ in $(seq 600); do [ -s "$work/k/checkpoint.ckpt" ] && log_rows_over "$work/k" 14 && break; sleep 0.1; done
victim=$(for p in $(rank_pids "$work/k"); do tr '\0' '\n' </proc/$p/environ | grep -qx 'OMPI_COMM_WORLD_RANK=1' && echo $p; done)
kill -KILL $victim
ended=0
for _ in $(seq 300); do kill -0 $job 2>/dev/null || { ended=1; break; }; sleep 0.1; done
expect "one rank killed: the job ends within 30 s" test $ended = 1
[ $ended = 1 ] || kill -KILL $job $(rank_pids "$work/k") 2>/dev/null
wait $job; rc=$?
expect "... with a non-zero exit (rc=$rc)" test $rc != 0
expect "... and a message naming rank 1" grep -q "rank 1" "$work/k.err"
"$clgan" eval --checkpoint "$work/k/checkpoint.ckpt" --data synthetic --limit 32 >/dev/null 2>>"$clgan_log"; rc=$?
expect "... the last checkpoint is whole: it loads (rc=$rc)" test $rc = 0
"$clgan" train-classifier --data synthetic --steps 20 --resume --out "$work/k" 2>>"$clgan_log"; rc=$?
expect "... and resumes on one rank (rc=$rc)" test $rc = 0

# Refusals.
mpi 2 train-classifier --data synthetic --batch 33 --steps 2 --out "$work/b" 2>"$work/err"; rc=$?
expect "a batch of 33 on 2 ranks: non-zero exit (rc=$rc) saying so" test $rc != 0 -a \
    -n "$(grep "cannot be split evenly over 2 ranks" "$work/err")"
mpi 2 train-classifier --data synthetic --device gpu --steps 2 --out "$work/d" 2>"$work/err"; rc=$?
expect "--device gpu on a host without 2 GPUs: non-zero exit (rc=$rc) with a message" test $rc != 0 -a \
    -n "$(grep -i -e "gpu" "$work/err")"
mpi 2 train-dfeatures --checkpoint "$work/g1/checkpoint.ckpt" --data synthetic --out "$work/f" 2>"$work/err"; rc=$?
expect "train-dfeatures on 2 ranks refused (rc=$rc)" test $rc != 0 -a -n "$(grep "one rank" "$work/err")"
finish
