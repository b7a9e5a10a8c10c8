/* profile.c — per-(scope, kernel) device time from OpenCL event profiling
 * (see profile.h). */
#include "profile.h"

#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PENDING_MAX 256

typedef struct pending_event {
    cl_event event;
    char scope[64];  /* copied: a net (and its scope strings) may go before the event is read */
    char kernel[48]; /* copied: some launch sites build the name on the stack */
} pending_event;

struct clgan_profile {
    clgan_profile_entry *entries;
    int count, cap;
    pending_event pending[PENDING_MAX];
    int pending_count;
    cl_event slot;      /* the event the current enqueue fills */
    double gemm_t0;     /* host seconds at clgan_profile_gemm_begin */
    int paused;         /* launches are not recorded */
};

clgan_status clgan_profile_start(clgan_ctx *ctx)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_profile_start: ctx is NULL");
    if (ctx->profile) return CLGAN_OK;
    CL_TRY(clFinish(ctx->queue));
    struct clgan_profile *p = calloc(1, sizeof *p);
    if (!p) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for the profiler");
    cl_command_queue_properties props = 0;
    clGetCommandQueueInfo(ctx->queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (!(props & CL_QUEUE_PROFILING_ENABLE)) {
        cl_int err;
        cl_command_queue q = clCreateCommandQueue(ctx->context, ctx->device, CL_QUEUE_PROFILING_ENABLE, &err);
        if (err != CL_SUCCESS) {
            free(p);
            return clgan_fail_cl(err, "clCreateCommandQueue(CL_QUEUE_PROFILING_ENABLE)");
        }
        clReleaseCommandQueue(ctx->queue);
        ctx->queue = q;
    }
    ctx->profile = p;
    return CLGAN_OK;
}

static clgan_profile_entry *entry_for(struct clgan_profile *p, const char *scope, const char *kernel, int gemm)
{
    if (!scope) scope = "other";
    for (int i = 0; i < p->count; i++)
        if (!strcmp(p->entries[i].kernel, kernel) && !strcmp(p->entries[i].scope, scope)) return &p->entries[i];
    if (p->count == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        clgan_profile_entry *e = realloc(p->entries, (size_t)cap * sizeof *e);
        if (!e) return NULL; /* the figure is dropped, never the run */
        p->entries = e, p->cap = cap;
    }
    clgan_profile_entry *e = &p->entries[p->count++];
    memset(e, 0, sizeof *e);
    snprintf(e->scope, sizeof e->scope, "%s", scope);
    snprintf(e->kernel, sizeof e->kernel, "%s", kernel);
    e->gemm = gemm;
    return e;
}

static void resolve_pending(struct clgan_profile *p)
{
    if (!p->pending_count) return;
    cl_event evs[PENDING_MAX];
    for (int i = 0; i < p->pending_count; i++) evs[i] = p->pending[i].event;
    clWaitForEvents((cl_uint)p->pending_count, evs);
    for (int i = 0; i < p->pending_count; i++) {
        cl_ulong t0 = 0, t1 = 0;
        pending_event *pe = &p->pending[i];
        if (clGetEventProfilingInfo(pe->event, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL) == CL_SUCCESS &&
            clGetEventProfilingInfo(pe->event, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL) == CL_SUCCESS) {
            clgan_profile_entry *e = entry_for(p, pe->scope, pe->kernel, 0);
            if (e) e->calls++, e->ms += t1 > t0 ? (double)(t1 - t0) * 1e-6 : 0.0;
        }
        clReleaseEvent(pe->event);
    }
    p->pending_count = 0;
}

clgan_status clgan_profile_collect(clgan_ctx *ctx)
{
    if (!ctx->profile) return CLGAN_OK;
    CL_TRY(clFinish(ctx->queue));
    resolve_pending(ctx->profile);
    return CLGAN_OK;
}

clgan_status clgan_profile_reset(clgan_ctx *ctx)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_profile_reset: ctx is NULL");
    if (!ctx->profile) return CLGAN_OK;
    CL_TRY(clFinish(ctx->queue));
    resolve_pending(ctx->profile);
    ctx->profile->count = 0;
    return CLGAN_OK;
}

clgan_status clgan_profile_entries(clgan_ctx *ctx, const clgan_profile_entry **entries, int *count)
{
    if (!ctx || !entries || !count) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_profile_entries: NULL argument");
    *entries = NULL;
    *count = 0;
    if (!ctx->profile) return CLGAN_OK;
    TRY(clgan_profile_collect(ctx));
    *entries = ctx->profile->entries;
    *count = ctx->profile->count;
    return CLGAN_OK;
}

void clgan_profile_stop(clgan_ctx *ctx)
{
    if (!ctx || !ctx->profile) return;
    clFinish(ctx->queue);
    struct clgan_profile *p = ctx->profile;
    for (int i = 0; i < p->pending_count; i++) clReleaseEvent(p->pending[i].event);
    free(p->entries);
    free(p);
    ctx->profile = NULL;
}

void clgan_profile_pause(clgan_ctx *ctx, int paused)
{
    if (ctx && ctx->profile) ctx->profile->paused = paused;
}

const char *clgan_profile_scope(clgan_ctx *ctx, const char *scope)
{
    const char *old = ctx->scope;
    ctx->scope = scope;
    return old;
}

cl_event *clgan_profile_event(clgan_ctx *ctx)
{
    if (!ctx->profile || ctx->profile->paused) return NULL;
    ctx->profile->slot = NULL;
    return &ctx->profile->slot;
}

void clgan_profile_record(clgan_ctx *ctx, const char *kernel)
{
    struct clgan_profile *p = ctx->profile;
    if (!p || !p->slot) return;
    if (p->pending_count == PENDING_MAX) resolve_pending(p);
    pending_event *pe = &p->pending[p->pending_count++];
    pe->event = p->slot;
    snprintf(pe->scope, sizeof pe->scope, "%s", ctx->scope ? ctx->scope : "other");
    snprintf(pe->kernel, sizeof pe->kernel, "%s", kernel ? kernel : "?");
    p->slot = NULL;
}

void clgan_profile_gemm_begin(clgan_ctx *ctx)
{
    if (!ctx->profile || ctx->profile->paused) return;
    clFinish(ctx->queue);
    ctx->profile->gemm_t0 = clgan_now_seconds();
}

void clgan_profile_gemm_end(clgan_ctx *ctx)
{
    struct clgan_profile *p = ctx->profile;
    if (!p || p->paused) return;
    clFinish(ctx->queue);
    clgan_profile_entry *e = entry_for(p, ctx->scope, "gemm", 1);
    if (e) e->calls++, e->ms += (clgan_now_seconds() - p->gemm_t0) * 1e3;
}
