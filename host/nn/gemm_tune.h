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

#define CLGAN_TUNE_MAX_SHAPES 128

typedef struct clgan_tune_progress {
    const char *phase;     /* "defaults", "XgemmDirect", "Xgemm", "final" */
    int candidates_done;   /* candidate sets timed so far (both kernels) */
    double elapsed_s, budget_s;
    double default_ms;     /* weighted GEMM ms per round with CLBlast's defaults */
    double best_ms;        /* best weighted total found so far */
} clgan_tune_progress;

typedef struct clgan_tune_options {
    double budget_s; /* wall-clock budget for the whole search (default 840) */
    int reps;        /* timed calls per shape per candidate, best one counts (default 2) */
    uint64_t seed;   /* candidate sampling (default 1) */
    void (*progress)(const clgan_tune_progress *p, void *user);
    void *user;
} clgan_tune_options;
clgan_tune_options clgan_tune_default_options(void);

typedef struct clgan_tune_shape_result {
    clgan_gemm_shape shape;
    double ms_default;      /* CLBlast's defaults, as CLBlast picks the kernel */
    double ms_tuned;        /* the chosen sets and switch point */
    int direct_tuned;       /* 1 = XgemmDirect runs it under the chosen switch point */
} clgan_tune_shape_result;

typedef struct clgan_tune_result {
    clgan_tuning tuning;                 /* ready to save; models left for the caller */
    double ms_default, ms_tuned;         /* weighted totals per round of the shapes */
    int candidates[2];                   /* sets timed: [0] XgemmDirect, [1] Xgemm */
    int rejected;                        /* sets refused by CLBlast or with wrong results */
    int shape_count;
    clgan_tune_shape_result shapes[CLGAN_TUNE_MAX_SHAPES];
} clgan_tune_result;

/* Search on ctx's device. ctx must have been created without the tuning
 * file applied (clgan_ctx_params.use_tuning = 0), so that the first figures
 * are CLBlast's defaults. On return the chosen switch point is installed
 * in CLBlast for the device, and so are the chosen sets when neither is
 * CLBlast's default (defaults cannot be reinstated in a process once
 * overridden); a new process gets exactly the tuning file's choice. */
clgan_status clgan_gemm_tune(clgan_ctx *ctx, const clgan_gemm_shape *shapes, int n_shapes,
                             const clgan_tune_options *opt, clgan_tune_result *out /* OUT */);
#endif
