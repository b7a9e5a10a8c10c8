/* layer_conv_transpose2d.c — the conv_transpose2d layer kind: [IC,H,W] ->
 * [OC,OH,OW], the adjoint of a conv2d with the same k, stride and padding
 * plus out_pad (conv_transpose2d.h); W [IC,OC,K,K] then the bias [OC].
 * Plan, forward and backward are the convolutions' shared ones (layer.c)
 * over clgan_conv_transpose2d_fns. */
#include "nn/layer.h"

#include "nn/conv_transpose2d.h"

static clgan_status conv_t_infer(net_layer *L, int index)
{
    if (L->spec.spectral_norm)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "layer %d (conv_transpose2d): spectral_norm applies to dense and conv2d layers only", index);
    return clgan_layer_conv_infer(L, index, L->spec.out_pad);
}

static clgan_status conv_t_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    int k2 = L->spec.k * L->spec.k;
    return clgan_layer_init_weights(ctx, rng, L, L->spec.out * k2, L->in_c * k2); /* W is [IC, OC, K, K] */
}

/* Every input float meets K*K*OC weights; plus one add per output with a bias. */
static double conv_t_flops(const net_layer *L)
{
    return 2.0 * (double)clgan_layer_in_floats(L) * L->spec.k * L->spec.k * L->spec.out +
           (L->b_count ? (double)clgan_layer_out_floats(L) : 0);
}

const clgan_layer_ops clgan_layer_conv_transpose2d_ops = {
    .kind = CLGAN_LAYER_CONV_TRANSPOSE,
    .name = "conv_transpose2d",
    .infer = conv_t_infer,
    .init = conv_t_init,
    .plan = clgan_layer_conv_plan,
    .forward = clgan_layer_conv_forward,
    .backward = clgan_layer_conv_backward,
    .flops = conv_t_flops,
    .conv = &clgan_conv_transpose2d_fns,
};
