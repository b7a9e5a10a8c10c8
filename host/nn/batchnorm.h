/* batchnorm.h — batch normalization per channel over N*H*W.
 * Shapes: x, y, dy, dx [N,C,H,W] (a dense activation [N,F,1,1] is the
 * per-feature case); gamma, beta, running_mean, running_var, save_mean,
 * save_inv_std, dgamma, dbeta hold C floats each (any shape with count C).
 * Running statistics follow PyTorch: running = (1-momentum)*running +
 * momentum*batch, with the unbiased batch variance for running_var.
 * The _sync forms are for data-parallel training, where each of the
 * reducer's ranks holds an equal share [N,C,H,W] of the batch: they give
 * what one process with the whole batch gives (reduce.h).
 */
#ifndef CLGAN_BATCHNORM_H
#define CLGAN_BATCHNORM_H
#include "nn/reduce.h"
#include "nn/tensor.h"

#define CLGAN_BN_MOMENTUM 0.1f
#define CLGAN_BN_EPS 1e-5f

/* training != 0: normalize with the batch mean and biased variance, save mean and
 *   inv_std = 1/sqrt(var + eps) into save_mean/save_inv_std (caller's buffers, needed by
 *   backward) and update running_mean/running_var in place.
 * training == 0: normalize with running_mean/running_var (unchanged); save_* may be NULL.
 * y = gamma * (x - mean) * inv_std + beta. */
clgan_status clgan_batchnorm_forward(clgan_ctx *ctx, int training, float momentum, float eps, const clgan_tensor *x,
                                     const clgan_tensor *gamma, const clgan_tensor *beta, clgan_tensor *running_mean,
                                     clgan_tensor *running_var, clgan_tensor *save_mean, clgan_tensor *save_inv_std,
                                     clgan_tensor *y);
/* Training-mode backward, with xhat = (x - save_mean) * save_inv_std and M = N*H*W:
 * dgamma += sum(dy*xhat), dbeta += sum(dy) (accumulate);
 * dx = gamma*inv_std/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)) (written). */
clgan_status clgan_batchnorm_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *gamma,
                                      const clgan_tensor *save_mean, const clgan_tensor *save_inv_std,
                                      const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dgamma,
                                      clgan_tensor *dbeta);

/* Synchronised training forward: the statistics are over all M_total = ranks*N*H*W values of a
 * channel on every rank's share (two passes, each summed over the ranks with reducer->sum_floats):
 * mean, biased variance, save_mean/save_inv_std and the running statistics (unbiased variance over
 * M_total) as one process with the whole batch computes them; y = this share normalized. Every rank
 * must call it (the sums are collective). */
clgan_status clgan_batchnorm_forward_sync(clgan_ctx *ctx, float momentum, float eps, const clgan_reducer *reducer,
                                          const clgan_tensor *x, const clgan_tensor *gamma, const clgan_tensor *beta,
                                          clgan_tensor *running_mean, clgan_tensor *running_var,
                                          clgan_tensor *save_mean, clgan_tensor *save_inv_std, clgan_tensor *y);
/* Synchronised backward, dy being this rank's upstream gradient (its loss the mean over its share):
 * dgamma += sum(dy*xhat), dbeta += sum(dy) over this share only (accumulate; averaging the parameter
 * gradients over the ranks gives one process's); with S1, S2 the sums of dy and dy*xhat over every
 * rank, dx = gamma*inv_std/M_total * (M_total*dy - S1 - xhat*S2) (written). dx NULL (a first layer):
 * only dgamma and dbeta, with no sum over the ranks, so every rank must pass NULL alike. */
clgan_status clgan_batchnorm_backward_sync(clgan_ctx *ctx, const clgan_reducer *reducer, const clgan_tensor *x,
                                           const clgan_tensor *gamma, const clgan_tensor *save_mean,
                                           const clgan_tensor *save_inv_std, const clgan_tensor *dy, clgan_tensor *dx,
                                           clgan_tensor *dgamma, clgan_tensor *dbeta);
#endif
