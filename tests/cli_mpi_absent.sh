#!/usr/bin/env bash
# cli_mpi_absent.sh — a clgan built without MPI, started as one of several
# ranks (the environment an MPI launcher gives its processes), refuses to
# train instead of training alone N times over, and says what to install.
# usage: cli_mpi_absent.sh PATH/TO/clgan
. "$(dirname "$0")/cli_lib.sh" "$@"
for vars in OMPI_COMM_WORLD_SIZE=2 PMI_SIZE=4; do
    env "$vars" "$clgan" train-gan --data synthetic --steps 1 --out "$work/g" 2>"$work/err"; rc=$?
    expect "$vars: train-gan exits 1 (rc=$rc)" test $rc = 1
    expect "$vars: the message says the build has no MPI and what to install" \
        grep -q "built without MPI.*libopenmpi-dev" "$work/err"
    expect "$vars: nothing written" test ! -e "$work/g"
done
OMPI_COMM_WORLD_SIZE=1 "$clgan" train-classifier --data synthetic --steps 1 --out "$work/c" 2>>"$clgan_log"; rc=$?
expect "one rank under a launcher trains (rc=$rc)" test $rc = 0
finish
