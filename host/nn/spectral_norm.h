/* spectral_norm.h — spectral normalisation (Miyato et al. 2018) of a dense
 * or conv2d layer's weights, the discriminator stabiliser of train-gan
 * --spectral-norm.
 *
 * W is viewed as a matrix [OUT,IN] (conv2d: IN = IC*K*K, its [OC,IC,K,K]
 * layout row by row). The layer keeps a unit vector u [OUT] in the net's
 * state block; each forward makes one power iteration from it,
 *     v = normalize(Wᵀu),  u' = normalize(W v),  sigma = u'·(W v),
 * normalize(x) = x / max(|x|, CLGAN_SN_EPS), and the layer computes with
 * W_sn = W / sigma, a matrix of spectral norm about 1. A training forward
 * stores u' as the new u; an inference forward leaves u alone.
 *
 * Backward, with u' and v held constant (as Miyato et al. and PyTorch do):
 * from G = dL/dW_sn,
 *     dL/dW = (G - (sum G⊙W_sn) u' vᵀ) / sigma.
 *
 * Forward:  clgan_sn_forward makes W_sn (and keeps u', v, sigma in the
 *           work buffers), then the layer's GEMMs use W_sn.
 * Backward: the layer's backward writes G into work->dw; clgan_sn_backward
 *           accumulates dL/dW into the parameter gradient.
 */
#ifndef CLGAN_SPECTRAL_NORM_H
#define CLGAN_SPECTRAL_NORM_H
#include "nn/init.h"
#include "nn/tensor.h"

#define CLGAN_SN_EPS 1e-12f /* normalize(x) = x / max(|x|, eps) */

/* What one layer's spectral normalisation holds between its forward and backward. */
typedef struct clgan_sn_work {
    clgan_tensor w;    /* W_sn [OUT,IN] of the last forward */
    clgan_tensor dw;   /* G = dL/dW_sn [OUT,IN], filled by the layer's backward */
    clgan_tensor v;    /* [IN]: v of the last forward */
    clgan_tensor u;    /* [OUT]: u' of the last forward */
    clgan_tensor scal; /* [2]: sigma of the last forward; sum G⊙W_sn of the last backward */
} clgan_sn_work;

/* The work buffers for W [OUT,IN]. */
clgan_status clgan_sn_work_alloc(clgan_ctx *ctx, int out, int in, clgan_sn_work *work /* OUT */);
void clgan_sn_work_free(clgan_ctx *ctx, clgan_sn_work *work);

/* u [OUT] := a unit vector drawn from rng (OUT normal draws, normalised in
 * double), the layer's initial state. */
clgan_status clgan_sn_init_u(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *u);

/* W [OUT,IN], u [OUT] -> work->w = W / sigma [OUT,IN], work->v [IN],
 * work->u = u' [OUT], work->scal[0] = sigma; update 1 (training): u := u',
 * 0 (inference): u is left alone. */
clgan_status clgan_sn_forward(clgan_ctx *ctx, int out, int in, const clgan_tensor *w, clgan_tensor *u, int update,
                              clgan_sn_work *work);

/* work from the last forward with work->dw = G [OUT,IN] -> dw [OUT,IN] +=
 * (G - (sum G⊙W_sn) u' vᵀ) / sigma. */
clgan_status clgan_sn_backward(clgan_ctx *ctx, int out, int in, clgan_sn_work *work, clgan_tensor *dw);
#endif
