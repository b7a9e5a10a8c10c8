/* profile.h — where a step's device time goes: OpenCL event profiling of
 * every kernel launch, copy and fill, and host wall time of every CLBlast
 * GEMM, summed per (scope, kernel).
 *
 * A scope names what a launch belongs to — "G.3 conv_transpose2d forward",
 * "D optimizer", or "other" (losses, noise, uploads outside the nets) — and
 * is set by the nets around each layer
 * (clgan_profile_scope). clgan_profile_start switches the context's queue
 * to a profiling one; while profiling, every launch records an event, and
 * each GEMM is timed between two clFinish calls on the host, so CLBlast's
 * own pad/transpose kernels and its host overhead count as GEMM time. That
 * synchronisation makes a profiled step slower than an unprofiled one: use
 * the shares, not the sum, to decide what to speed up. */
#ifndef CLGAN_PROFILE_H
#define CLGAN_PROFILE_H
#include "device/context.h"

typedef struct clgan_profile_entry {
    char scope[64];  /* "G.3 conv_transpose2d forward", or "other" outside any scope */
    char kernel[48]; /* OpenCL kernel name, "gemm", "copy", "fill", "upload", "download" */
    int gemm;        /* 1 for CLBlast GEMM calls */
    uint64_t calls;
    double ms;       /* summed device (kernels, copies) or host wall (GEMM) milliseconds */
} clgan_profile_entry;

/* Start profiling (no-op when already on): finishes the queue and replaces
 * it with one that has profiling enabled, and clears the table. */
clgan_status clgan_profile_start(clgan_ctx *ctx);
/* Resolve outstanding events into the table (finishes the queue). */
clgan_status clgan_profile_collect(clgan_ctx *ctx);
/* Clear the table (after warm-up steps); profiling stays on. */
void clgan_profile_reset(clgan_ctx *ctx);
/* The table, unsorted; valid until the next launch or reset. Collects first. */
int clgan_profile_entries(clgan_ctx *ctx, const clgan_profile_entry **entries /* OUT */);
/* Stop profiling and free the table (the queue keeps profiling enabled). */
void clgan_profile_stop(clgan_ctx *ctx);
/* Pause (1) or resume (0) recording, e.g. around the work between training
 * steps (sample grids, checkpoints, evaluation). */
void clgan_profile_pause(clgan_ctx *ctx, int paused);

/* Set the current scope (NULL = "other"; the string must live until the
 * scope is restored); returns the previous one, to restore. Cheap when off. */
const char *clgan_profile_scope(clgan_ctx *ctx, const char *scope);

/* For the launch helpers: an event slot to pass to clEnqueue*, or NULL when
 * not profiling; after a successful enqueue, clgan_profile_record(ctx, name)
 * files the event under the current scope. */
cl_event *clgan_profile_event(clgan_ctx *ctx);
void clgan_profile_record(clgan_ctx *ctx, const char *kernel);
/* GEMM timing around a CLBlast call: begin finishes the queue and notes the
 * time; end finishes again and files the wall time. No-ops when off. */
void clgan_profile_gemm_begin(clgan_ctx *ctx);
void clgan_profile_gemm_end(clgan_ctx *ctx);
#endif
