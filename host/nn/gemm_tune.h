/* gemm_tune.h — searching CLBlast's GEMM parameters on the user's device,
 * timed on the GEMM shapes a workload really issues.
 *
 * CLBlast runs a GEMM with one of two kernels: XgemmDirect (any size, no
 * copies) below a switch point and Xgemm (needs operands padded and
 * transposed into its layout by extra copy kernels) from it on; the switch
 * is m*n*k >= XGEMM_MIN_INDIRECT_SIZE^3 (kernel family "GemmRoutine").
 * CLBlast's own tuners time one square shape without transposes; clgan's
 * GEMMs are thin and transposed (im2col products), so the search here times
 * candidate parameter sets, installed with CLBlastOverrideParameters, on the
 * recorded shapes with their transposes, weighted by how often a step
 * issues each:
 *
 *   1. CLBlast's defaults as they are (the "untuned" figure), then each
 *      kernel forced on every shape, so both kernels have a baseline;
 *   2. candidate sets for both kernels in turn, drawn from the parameter
 *      space that the device's limits allow (work-group size, local memory,
 *      preferred vector width), CLBlast's defaults and a few sets known to
 *      suit CPUs first, until the time budget is spent; a candidate whose
 *      partial time already exceeds twice the best is dropped early, and a
 *      candidate whose result differs from the defaults' is rejected;
 *   3. the switch point and the pair of sets that minimise the weighted
 *      total, from the per-shape times measured in 2;
 *   4. a final pass with the chosen sets installed, per shape.
 *
 * Each new parameter set costs one kernel compile, which on CPU drivers
 * (PoCL) takes seconds to tens of seconds and dominates the budget. */
#ifndef CLGAN_GEMM_TUNE_H
#define CLGAN_GEMM_TUNE_H
#include "device/tuning.h"
#include "nn/gemm.h"

/* The options, progress and result structs, clgan_tune_default_options and
 * clgan_gemm_tune are public (clgan/bench.h). */
#endif
