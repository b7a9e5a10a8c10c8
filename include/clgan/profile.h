/* clgan/profile.h — where a context's device time goes: every kernel
 * launch, copy and fill timed by OpenCL event profiling, and every GEMM by
 * host wall time, summed per (scope, kernel).
 *
 *     clgan_profile_start(ctx);
 *     clgan_model_train_step(model, x, y, NULL);   // warm-up: kernel builds
 *     clgan_profile_reset(ctx);
 *     for (...) clgan_model_train_step(model, x, y, NULL);
 *     const clgan_profile_entry *e;
 *     int n;
 *     clgan_profile_entries(ctx, &e, &n);          // e[0..n): scope, kernel, calls, ms
 *     clgan_profile_stop(ctx);
 *
 * A scope names what a launch belongs to: "G.3 conv_transpose2d forward",
 * "D optimizer", or "other" (losses, noise, uploads outside the nets). Each
 * GEMM is timed between two waits for the queue, so a profiled step is
 * slower than an unprofiled one: use the shares, not the sum.
 */
#ifndef CLGAN_PROFILE_API_H
#define CLGAN_PROFILE_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_profile_entry {
    char scope[64];  /* "G.3 conv_transpose2d forward", or "other" outside any scope */
    char kernel[48]; /* OpenCL kernel name, "gemm", "copy", "fill", "upload", "download" */
    int gemm;        /* 1 for CLBlast GEMM calls */
    uint64_t calls;
    double ms;       /* summed device (kernels, copies) or host wall (GEMM) milliseconds */
} clgan_profile_entry;

/* Start profiling ctx (nothing when already on): waits for its queue,
 * replaces it with one that has profiling enabled, and clears the table. */
CLGAN_API clgan_status clgan_profile_start(clgan_ctx *ctx);
/* Clear the table (after warm-up steps); profiling stays on. Nothing when off. */
CLGAN_API clgan_status clgan_profile_reset(clgan_ctx *ctx);
/* The table, unsorted, *count rows (0 and NULL when profiling is off);
 * valid until the next launch, reset or stop. Waits for the queue first. */
CLGAN_API clgan_status clgan_profile_entries(clgan_ctx *ctx, const clgan_profile_entry **entries /* OUT */,
                                             int *count /* OUT */);
/* Pause (1) or resume (0) recording, e.g. around the work between training
 * steps (sample grids, checkpoints, evaluation). Nothing when off or NULL. */
CLGAN_API void clgan_profile_pause(clgan_ctx *ctx, int paused);
/* Stop profiling and free the table. Nothing when off or NULL. */
CLGAN_API void clgan_profile_stop(clgan_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
