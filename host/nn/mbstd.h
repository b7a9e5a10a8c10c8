/* mbstd.h — minibatch standard deviation layer (Karras et al. 2018, "Progressive
 * Growing of GANs"), a discriminator's defence against mode collapse.
 *
 * Shapes: x, dx [N,C,H,W]; y, dy [N,C+1,H,W]; P = C*H*W.
 * Forward: y[:, :C] = x and y[:, C] = s everywhere, with
 *   s = (1/P) sum_p sqrt(var_n(x[:,p]) + eps),  biased (1/N) variance over the batch,
 *   eps = CLGAN_MBSTD_EPS.
 * Backward (dx written, not accumulated), with g = sum_{n,h,w} dy[n,C,h,w]:
 *   dx[n,p] = dy[n,c,h,w] + g * (x[n,p] - mean[p]) / (N * std[p] * P).
 * N = 1 is defined, not rejected: the variance is 0, so std = sqrt(eps), s = sqrt(eps)
 *   (1e-4) and the gradient through s is 0 (dx = dy[:, :C]).
 * scratch: a caller-provided buffer of at least clgan_mbstd_scratch_floats(N,C,H,W)
 *   floats (any shape with that count or more); its contents on entry do not matter
 *   and neither op allocates device memory. Backward recomputes the batch statistics
 *   from x, so no state has to survive between forward and backward.
 */
#ifndef CLGAN_MBSTD_H
#define CLGAN_MBSTD_H
#include "nn/tensor.h"

#define CLGAN_MBSTD_EPS 1e-8f

/* Scratch floats the ops need for x [n,c,h,w]: 2*c*h*w + 1 (std, mean, one scalar).
 * 0 for a non-positive dimension. */
size_t clgan_mbstd_scratch_floats(int n, int c, int h, int w);
/* x [N,C,H,W] -> y [N,C+1,H,W]. */
clgan_status clgan_mbstd_forward(clgan_ctx *ctx, const clgan_tensor *x, clgan_tensor *scratch, clgan_tensor *y);
/* x [N,C,H,W], dy [N,C+1,H,W] -> dx [N,C,H,W]. */
clgan_status clgan_mbstd_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *dy,
                                  clgan_tensor *scratch, clgan_tensor *dx);
#endif
