/* dense.h — fully connected layer on CLBlast GEMM.
 *
 * x [N, IN] (any tensor with c*h*w == IN), W [OUT, IN] row-major, b [OUT]
 * (optional), y [N, OUT] (any tensor with n == N and c*h*w == OUT).
 * Forward:  y = x·Wᵀ + b.
 * Backward: dW += dyᵀ·x; db += Σ_n dy; dx = dy·W (dx may be NULL: skipped).
 * Parameter gradients accumulate, dx is written.
 */
#ifndef CLGAN_DENSE_H
#define CLGAN_DENSE_H
#include "nn/tensor.h"

/* y [N,OUT] = x [N,IN] · Wᵀ [IN,OUT] + b [OUT] (b may be NULL). */
clgan_status clgan_dense_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                 clgan_tensor *y);

/* From dy [N,OUT]: dW [OUT,IN] += dyᵀ·x, db [OUT] += Σ_n dy (db may be
 * NULL), dx [N,IN] = dy·W (dx may be NULL). */
clgan_status clgan_dense_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *w,
                                  const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db);
#endif
