/* shape_ops.h — channel concat, one-hot labels and reshape.
 * concat: a [N,C1,H,W], b [N,C2,H,W] -> y [N,C1+C2,H,W]; backward splits dy
 *   into da and db (written; either may be NULL to skip it).
 * one-hot: labels (int32 device buffer [N]) -> y [N,K,H,W], 1 on channel
 *   labels[n] at every (h,w); an out-of-range label gives an all-zero row.
 *   H = W = 1 is the dense case. No backward (labels are data).
 * reshape: metadata only. */
#ifndef CLGAN_SHAPE_OPS_H
#define CLGAN_SHAPE_OPS_H
#include "nn/tensor.h"

/* y [N,C1+C2,H,W] = concat(a [N,C1,H,W], b [N,C2,H,W]) along channels. */
clgan_status clgan_concat_forward(clgan_ctx *ctx, const clgan_tensor *a, const clgan_tensor *b, clgan_tensor *y);
/* da [N,C1,H,W] = dy[:, :C1], db [N,C2,H,W] = dy[:, C1:]; dy [N,C1+C2,H,W]. NULL da/db is skipped
 * (with one of them NULL, the other's channel count fixes the split). */
clgan_status clgan_concat_backward(clgan_ctx *ctx, const clgan_tensor *dy, clgan_tensor *da, clgan_tensor *db);
/* y [N,K,H,W] (K = y->c) from labels: int32 device buffer of >= N entries. */
clgan_status clgan_one_hot_forward(clgan_ctx *ctx, cl_mem labels, clgan_tensor *y);
/* Change t's shape to [n,c,h,w] without touching its data; CLGAN_ERR_INVALID_ARG (t unchanged) unless
 * every dimension is positive and n*c*h*w equals t->count. */
clgan_status clgan_tensor_reshape(clgan_tensor *t, int n, int c, int h, int w);
#endif
