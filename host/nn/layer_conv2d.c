/* layer_conv2d.c — the conv2d layer kind: [IC,H,W] -> [OC,OH,OW] with a
 * k x k kernel, stride and zero padding (conv2d.h); W [OC,IC,K,K] then the
 * bias [OC]. Plan, forward and backward are the convolutions' shared ones
 * (layer.c) over clgan_conv2d_fns. With spec.spectral_norm the convolution
 * uses W_sn = W / sigma of W viewed as [OC, IC*K*K] (spectral_norm.h), and
 * the state block holds u [OC]. */
#include "nn/layer.h"

static clgan_status conv2d_infer(net_layer *L, int index)
{
    TRY(clgan_layer_conv_infer(L, index, 0));
    return clgan_layer_sn_infer(L, index);
}

/* W, then (spectral norm) u. */
static clgan_status conv2d_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    int k2 = L->spec.k * L->spec.k;
    TRY(clgan_layer_init_weights(ctx, rng, L, L->in_c * k2, L->spec.out * k2));
    return clgan_layer_sn_init(ctx, rng, L);
}

/* 2*IC*K*K per output float, plus one add per output with a bias. */
static double conv2d_flops(const net_layer *L)
{
    double out = (double)clgan_layer_out_floats(L);
    return 2.0 * L->in_c * L->spec.k * L->spec.k * out + (L->b_count ? out : 0);
}

const clgan_layer_ops clgan_layer_conv2d_ops = {
    .kind = CLGAN_LAYER_CONV2D,
    .name = "conv2d",
    .infer = conv2d_infer,
    .bind = clgan_layer_sn_bind,
    .init = conv2d_init,
    .plan = clgan_layer_conv_plan,
    .forward = clgan_layer_conv_forward,
    .backward = clgan_layer_conv_backward,
    .flops = conv2d_flops,
    .conv = &clgan_conv2d_fns,
};
