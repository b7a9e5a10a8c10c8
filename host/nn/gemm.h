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
#endif
