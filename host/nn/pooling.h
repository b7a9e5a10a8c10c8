/* pooling.h — max and average pooling with a square k x k window, stride s,
 * no padding. Shapes: x, dx [N,C,H,W]; y, dy, argmax [N,C,OH,OW] with
 * OH = (H-k)/s + 1, OW = (W-k)/s + 1 (k <= H, k <= W).
 * Max pooling saves, per output, the index ih*W + iw of the (first) maximum in
 * its input plane into a caller-provided int32 device buffer; backward writes
 * dx (gather over windows, overlapping windows allowed). */
#ifndef CLGAN_POOLING_H
#define CLGAN_POOLING_H
#include "nn/tensor.h"

/* Output size of one spatial dimension, or 0 when k, s or in are invalid. */
int clgan_pool_out_size(int in, int k, int s);

/* y = window max; argmax: int32 buffer of >= N*C*OH*OW entries. */
clgan_status clgan_maxpool_forward(clgan_ctx *ctx, int k, int s, const clgan_tensor *x, clgan_tensor *y,
                                   cl_mem argmax);
/* dx[j] = sum of dy over the windows whose argmax is j. */
clgan_status clgan_maxpool_backward(clgan_ctx *ctx, int k, int s, const clgan_tensor *dy, cl_mem argmax,
                                    clgan_tensor *dx);
/* y = window mean. */
clgan_status clgan_avgpool_forward(clgan_ctx *ctx, int k, int s, const clgan_tensor *x, clgan_tensor *y);
/* dx[j] = sum of dy / (k*k) over the windows containing j. */
clgan_status clgan_avgpool_backward(clgan_ctx *ctx, int k, int s, const clgan_tensor *dy, clgan_tensor *dx);
#endif
