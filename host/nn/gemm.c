/* gemm.c — the CLBlast SGEMM wrapper: readable errors, GEMM shape recording
 * and profiler hooks. Tuned parameters are installed per device when a
 * context is created (device/tuning.h). */
#include "gemm.h"
#include "device/profile.h"

#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shape recording ------------------------------------------------------ */

clgan_status clgan_gemm_record_start(clgan_ctx *ctx)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_gemm_record_start: ctx is NULL");
    if (!ctx->gemm_record) ctx->gemm_record = malloc(sizeof *ctx->gemm_record);
    if (!ctx->gemm_record) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory recording GEMM shapes");
    ctx->gemm_record->count = 0;
    return CLGAN_OK;
}

int clgan_gemm_record_stop(clgan_ctx *ctx, clgan_gemm_shape *out, int cap)
{
    struct clgan_gemm_record *r = ctx ? ctx->gemm_record : NULL;
    if (!r) return 0;
    int n = r->count;
    for (int i = 0; i < n && i < cap; i++) out[i] = r->shapes[i];
    free(r);
    ctx->gemm_record = NULL;
    return n;
}

static void record_shape(struct clgan_gemm_record *r, int ta, int tb, size_t m, size_t n, size_t k)
{
    for (int i = 0; i < r->count; i++) {
        clgan_gemm_shape *s = &r->shapes[i];
        if (s->m == m && s->n == n && s->k == k && s->trans_a == ta && s->trans_b == tb) {
            s->count += 1;
            return;
        }
    }
    if (r->count == CLGAN_GEMM_RECORD_MAX) return;
    r->shapes[r->count++] = (clgan_gemm_shape){m, n, k, ta, tb, 1};
}

const char *clgan_clblast_status_name(int status)
{
    switch (status) {
#define S(x) case x: return #x;
    S(CLBlastNotImplemented) S(CLBlastInvalidMatrixA) S(CLBlastInvalidMatrixB) S(CLBlastInvalidMatrixC)
    S(CLBlastInvalidVectorX) S(CLBlastInvalidVectorY) S(CLBlastInvalidDimension) S(CLBlastInvalidLeadDimA)
    S(CLBlastInvalidLeadDimB) S(CLBlastInvalidLeadDimC) S(CLBlastInvalidIncrementX) S(CLBlastInvalidIncrementY)
    S(CLBlastInsufficientMemoryA) S(CLBlastInsufficientMemoryB) S(CLBlastInsufficientMemoryC)
    S(CLBlastInsufficientMemoryX) S(CLBlastInsufficientMemoryY) S(CLBlastInsufficientMemoryTemp)
    S(CLBlastInvalidBatchCount) S(CLBlastInvalidOverrideKernel) S(CLBlastMissingOverrideParameter)
    S(CLBlastInvalidLocalMemUsage) S(CLBlastNoHalfPrecision) S(CLBlastNoDoublePrecision)
    S(CLBlastInvalidVectorScalar) S(CLBlastInsufficientMemoryScalar) S(CLBlastDatabaseError)
    S(CLBlastUnknownError) S(CLBlastUnexpectedError)
#undef S
    }
    return clgan_cl_error_name(status); /* CLBlast shares the OpenCL codes below -1000 */
}

clgan_status clgan_gemm(clgan_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                        cl_mem a, size_t a_off, size_t lda, cl_mem b, size_t b_off, size_t ldb, float beta, cl_mem c,
                        size_t c_off, size_t ldc)
{
    if (m == 0 || n == 0) return CLGAN_OK;
    if (ctx->gemm_record) record_shape(ctx->gemm_record, trans_a != 0, trans_b != 0, m, n, k);
    clgan_profile_gemm_begin(ctx);
    CLBlastStatusCode s = CLBlastSgemm(CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
                                       trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha, a, a_off,
                                       lda, b, b_off, ldb, beta, c, c_off, ldc, &ctx->queue, NULL);
    clgan_profile_gemm_end(ctx);
    if (s == CLBlastSuccess) return CLGAN_OK;
    clgan_status st = CLGAN_ERR_CLBLAST;
    if (s == CLBlastTempBufferAllocFailure || s == CLBlastOpenCLOutOfResources || s == CLBlastOpenCLOutOfHostMemory)
        st = CLGAN_ERR_OUT_OF_MEMORY;
    return clgan_fail(st, "CLBlastSgemm(m=%zu, n=%zu, k=%zu, trans_a=%d, trans_b=%d) failed: %s (%d)", m, n, k,
                      trans_a, trans_b, clgan_clblast_status_name(s), (int)s);
}
