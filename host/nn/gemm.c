/* gemm.c — CLBlast SGEMM wrapper with readable errors. */
#include "gemm.h"

#include <clblast_c.h>
#include <stdio.h>

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
    CLBlastStatusCode s = CLBlastSgemm(CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
                                       trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha, a, a_off,
                                       lda, b, b_off, ldb, beta, c, c_off, ldc, &ctx->queue, NULL);
    if (s == CLBlastSuccess) return CLGAN_OK;
    clgan_status st = CLGAN_ERR_CLBLAST;
    if (s == CLBlastTempBufferAllocFailure || s == CLBlastOpenCLOutOfResources || s == CLBlastOpenCLOutOfHostMemory)
        st = CLGAN_ERR_OUT_OF_MEMORY;
    return clgan_fail(st, "CLBlastSgemm(m=%zu, n=%zu, k=%zu, trans_a=%d, trans_b=%d) failed: %s (%d)", m, n, k,
                      trans_a, trans_b, clgan_clblast_status_name(s), (int)s);
}
