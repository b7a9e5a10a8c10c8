/* gemm.c — CLBlast SGEMM wrapper with readable errors. */
#include "gemm.h"

#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tuned CLBlast parameters ------------------------------------------------
 * CLBlast ships tuned kernel parameters for many GPUs but none for PoCL's CPU
 * device, where its defaults run clgan's GEMM shapes at 3-10 GFLOP/s. The sets
 * below were found with the CLBlast tuners (clblast-utils: clblast_tuner_xgemm,
 * clblast_tuner_xgemm_direct) and then checked on the GEMM shapes of a DCGAN
 * training step; the commands and numbers are in the comment at the end of this file.
 * A set is installed with CLBlastOverrideParameters only when the device
 * matches what was tuned (platform and device name substrings), once per
 * device, before the first GEMM on it. CLGAN_GEMM_TUNED=0 turns this off. */
typedef struct tuned_set {
    const char *platform, *device; /* substrings of the platform and device names */
    const char *kernel;            /* CLBlast kernel family */
    int count;
    const char *names[16];
    size_t values[16];
} tuned_set;

static const tuned_set tuned_sets[] = {
    /* PoCL 3.x CPU device on AVX-512 x86 (tuned: "pthread-skylake-avx512-Intel(R) Xeon(R) Processor", PoCL 3.1, 2 cores) */
    {"Portable Computing Language", "skylake-avx512", "XgemmDirect", 10,
     {"WGD", "MDIMCD", "NDIMCD", "MDIMAD", "NDIMBD", "KWID", "VWMD", "VWND", "PADA", "PADB"},
     {64, 8, 8, 16, 16, 2, 1, 1, 0, 0}},
    /* the indirect kernel, used from CLBlast's default 512^3 multiply-adds up */
    {"Portable Computing Language", "skylake-avx512", "Xgemm", 16,
     {"GEMMK", "MWG", "NWG", "KWG", "MDIMC", "NDIMC", "MDIMA", "NDIMB", "KWI", "VWM", "VWN", "STRM", "STRN", "SA", "SB",
      "KREG"},
     {0, 64, 64, 32, 8, 8, 8, 8, 2, 4, 4, 0, 0, 1, 1, 1}},
};
#define TUNED_SET_COUNT (sizeof tuned_sets / sizeof tuned_sets[0])

/* Install the matching sets once per context (CLBlast keeps them per device;
 * installing the same set again is harmless). */
static void apply_tuned(clgan_ctx *ctx)
{
    if (ctx->gemm_tuned) return;
    ctx->gemm_tuned = 1;
    const char *env = getenv("CLGAN_GEMM_TUNED");
    if (env && !strcmp(env, "0")) return;
    for (size_t t = 0; t < TUNED_SET_COUNT; t++) {
        const tuned_set *ts = &tuned_sets[t];
        if (!strstr(ctx->info.platform_name, ts->platform) || !strstr(ctx->info.device_name, ts->device)) continue;
        CLBlastStatusCode s = CLBlastOverrideParameters(ctx->device, ts->kernel, CLBlastPrecisionSingle,
                                                        (size_t)ts->count, (const char **)ts->names, ts->values);
        /* A CLBlast whose parameter names differ refuses the set: it then
         * keeps its own defaults, which are slower but correct. */
        if (s != CLBlastSuccess && ctx->verbose)
            fprintf(stderr, "clgan: CLBlastOverrideParameters(%s) for %s failed: %s (%d); using CLBlast's defaults\n",
                    ts->kernel, ctx->info.device_name, clgan_clblast_status_name(s), (int)s);
    }
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
    apply_tuned(ctx);
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

/* How the PoCL sets above were found (PoCL 3.1, 2-core AVX-512 Xeon, CLBlast 1.5.3):
 *   clblast_tuner_xgemm_direct -m 64 -n 3136 -k 512        (DCGAN-28 conv2d forward shape)
 *   clblast_tuner_xgemm -m 512 -n 512 -k 512 -fraction 0.03 -runs 2
 * then the best dozen XgemmDirect sets were re-timed on the 11 GEMM shapes of
 * one dcgan28 w=32 B=64 training step, with every transpose combination they
 * use (the tuner times only one): the chosen set took that step's GEMMs from
 * ~250-350 ms to ~160-220 ms (the tuner's own favourite, WGD=64 MDIMCD=32
 * NDIMCD=8 ..., was no better than CLBlast's defaults there). The Xgemm set
 * ran 59 GFLOP/s at 512^3 in the tuner and matches the direct kernel on the
 * w=64 shapes that cross CLBlast's indirect threshold. */
