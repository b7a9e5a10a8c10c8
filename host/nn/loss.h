/* loss.h — losses for GAN and classifier training: binary cross-entropy with
 * logits, softmax cross-entropy, mean squared error, hinge and linear.
 *
 * Forward ops only enqueue a kernel that writes per-element (BCE, MSE) or
 * per-row (softmax CE) losses into a caller-provided tensor; nothing is read
 * back. clgan_loss_mean() / clgan_loss_sum() are the one sync point: they
 * read those losses back and reduce them in double on the host.
 *
 * Backward ops WRITE dx = scale * d(mean loss)/dx, where the mean is the one
 * the matching clgan_loss_mean (or, for softmax CE, sum / labelled) gives.
 * Pass scale = 1 for the plain gradient.
 */
#ifndef CLGAN_LOSS_H
#define CLGAN_LOSS_H
#include "nn/tensor.h"

/* Binary cross-entropy on logits (sigmoid folded in, stable for any |x|).
 * Shapes: x, t, loss hold the same number of elements `count` (any NCHW shape;
 * typically D's output [N,1,1,1]). t holds float targets in [0,1] (soft and
 * smoothed labels allowed).
 *   loss[i] = max(x,0) - x*t + log1p(exp(-|x|));  mean loss = clgan_loss_mean(loss)
 *   dx[i]   = scale * (sigmoid(x[i]) - t[i]) / count                              */
clgan_status clgan_bce_logits_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *t,
                                      clgan_tensor *loss);
clgan_status clgan_bce_logits_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                       clgan_tensor *dx);

/* Softmax cross-entropy. Shapes: logits x [N,K,1,1] (K = c*h*w: trailing
 * dimensions are flattened into the class axis), labels = an int32 device
 * buffer of N entries, loss [N] (count == N), dx same shape as x.
 *   loss[n] = logsumexp(x[n,:]) - x[n,label[n]]   (row max subtracted: stable)
 * A label of -1 means "no label" (semi-supervised batches): that row gets
 * loss 0 and gradient 0 and does not count in the mean. The mean is over
 * LABELLED rows only, and the HOST supplies their number:
 *   mean loss = clgan_loss_sum(loss) / labelled
 *   dx[n,j]   = scale * (softmax(x[n,:])_j - [j == label[n]]) / labelled
 * where labelled = clgan_softmax_ce_count_labelled(host copy of labels, N).
 * labelled == 0 gives dx = 0. Labels outside [-1, K) are a caller error; the
 * kernels treat them like -1 (they never read out of bounds). */
clgan_status clgan_softmax_ce_forward(clgan_ctx *ctx, const clgan_tensor *x, cl_mem labels, clgan_tensor *loss);
clgan_status clgan_softmax_ce_backward(clgan_ctx *ctx, float scale, int labelled, const clgan_tensor *x,
                                       cl_mem labels, clgan_tensor *dx);
/* Number of labels in [0, classes) among labels[0..n) (host memory). */
int clgan_softmax_ce_count_labelled(const int32_t *labels, int n, int classes);

/* Mean squared error. Shapes: x, t, loss hold the same number of elements.
 *   loss[i] = (x[i] - t[i])^2;  mean loss = clgan_loss_mean(loss)
 *   dx[i]   = scale * 2 (x[i] - t[i]) / count                                   */
clgan_status clgan_mse_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *t, clgan_tensor *loss);
clgan_status clgan_mse_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                clgan_tensor *dx);

/* Hinge loss (Lim & Ye 2017; the discriminator's loss of the hinge GAN,
 * Miyato et al. 2018). Shapes: x, t, dx hold the same number of elements
 * `count`; t[i] is +1 (x[i] is D's output on a real image) or -1 (on a
 * generated one). Backward only (the trainer computes the values on the host):
 *   loss[i] = max(0, 1 - t[i] x[i]);  mean loss = sum / count
 *   dx[i]   = scale * (t[i] x[i] < 1 ? -t[i] : 0) / count                      */
clgan_status clgan_hinge_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                  clgan_tensor *dx);

/* Linear loss (the hinge GAN's generator loss -mean D(G(z)), t = 1). Shapes:
 * x, t, dx hold the same number of elements `count`. Backward only:
 *   loss[i] = -t[i] x[i];  mean loss = sum / count
 *   dx[i]   = -scale * t[i] / count                                            */
clgan_status clgan_linear_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                   clgan_tensor *dx);

/* Read the per-element/per-row losses back (blocking) and reduce in double:
 * mean over all loss->count entries, or the plain sum. */
clgan_status clgan_loss_mean(clgan_ctx *ctx, const clgan_tensor *loss, double *mean /* OUT */);
clgan_status clgan_loss_sum(clgan_ctx *ctx, const clgan_tensor *loss, double *sum /* OUT */);
#endif
