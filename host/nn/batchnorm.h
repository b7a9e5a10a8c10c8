/* batchnorm.h — batch normalization per channel over N*H*W.
 * Shapes: x, y, dy, dx [N,C,H,W] (a dense activation [N,F,1,1] is the
 * per-feature case); gamma, beta, running_mean, running_var, save_mean,
 * save_inv_std, dgamma, dbeta hold C floats each (any shape with count C).
 * Running statistics follow PyTorch: running = (1-momentum)*running +
 * momentum*batch, with the unbiased batch variance for running_var.
 */
#ifndef CLGAN_BATCHNORM_H
#define CLGAN_BATCHNORM_H
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
#endif
