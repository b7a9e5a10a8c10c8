/* weight_norm.h — weight normalisation of a dense layer's weights
 * (Salimans & Kingma 2016), the parametrisation of the semi-supervised
 * MNIST discriminator.
 *
 * The parameters vg hold v [OUT,IN] row-major and then g [OUT]; the layer's
 * effective weights are W[o,:] = g_o * v[o,:] / |v_o|, so the length of each
 * output unit's weight row is g_o whatever v learns. With g fixed (not
 * trained) every unit keeps the scale it was given at initialisation.
 *
 * Forward:  clgan_wn_weights makes W (and |v_o|), then the dense GEMMs use W.
 * Backward: the dense backward gives dL/dW; clgan_wn_grad turns it into
 *           dL/dv (and dL/dg when g is trained), accumulated into dvg.
 */
#ifndef CLGAN_WEIGHT_NORM_H
#define CLGAN_WEIGHT_NORM_H
#include "nn/tensor.h"

#define CLGAN_WN_EPS 1e-6f /* |v_o| = sqrt(eps + Σ v²) */

/* vg [OUT*IN + OUT] -> w [OUT*IN], norm [OUT] = |v_o|. */
clgan_status clgan_wn_weights(clgan_ctx *ctx, int out, int in, const clgan_tensor *vg, clgan_tensor *w,
                              clgan_tensor *norm);

/* dw [OUT*IN] = dL/dW, norm [OUT] from the forward -> dvg [OUT*IN + OUT]:
 * dv += g/|v| (dw - (dw·v)/|v|² v) per row; dg += (dw·v)/|v| when train_g,
 * else dg is left alone. */
clgan_status clgan_wn_grad(clgan_ctx *ctx, int out, int in, int train_g, const clgan_tensor *vg,
                           const clgan_tensor *norm, const clgan_tensor *dw, clgan_tensor *dvg);
#endif
