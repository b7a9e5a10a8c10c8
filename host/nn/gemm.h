/* gemm.h — the one door to CLBlast: row-major single-precision GEMM
 *   C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n]
 * with op() = transpose when trans_a/trans_b is set. Offsets and leading
 * dimensions are in floats. */
#ifndef CLGAN_GEMM_H
#define CLGAN_GEMM_H
#include "device/context.h"

clgan_status clgan_gemm(clgan_ctx *ctx, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                        cl_mem a, size_t a_off, size_t lda, cl_mem b, size_t b_off, size_t ldb, float beta, cl_mem c,
                        size_t c_off, size_t ldc);
const char *clgan_clblast_status_name(int status);

/* ---- shape recording ---------------------------------------------------------
 * While recording, every clgan_gemm call adds its shape to the context's list
 * (equal shapes merged, with a call count): `clgan tune` and `clgan bench ops`
 * run a model's step with recording on to learn which GEMMs it issues. */
/* CLGAN_GEMM_RECORD_MAX, clgan_gemm_shape, clgan_gemm_record_start and _stop
 * are public (clgan/bench.h). */
struct clgan_gemm_record {
    int count; /* distinct shapes (more than CLGAN_GEMM_RECORD_MAX are not kept) */
    clgan_gemm_shape shapes[CLGAN_GEMM_RECORD_MAX];
};
#endif
