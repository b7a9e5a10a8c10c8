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
#include "clgan/profile.h"

/* clgan_profile_entry, start, reset, entries, pause and stop are public
 * (clgan/profile.h). */
/* Resolve outstanding events into the table (finishes the queue). */
clgan_status clgan_profile_collect(clgan_ctx *ctx);

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
