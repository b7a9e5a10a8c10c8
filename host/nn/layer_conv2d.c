/* layer_conv2d.c — the conv2d layer kind: [IC,H,W] -> [OC,OH,OW] with a
 * k x k kernel, stride and zero padding (conv2d.h); W [OC,IC,K,K] then the
 * bias [OC]. */
#include "nn/layer.h"

static clgan_status conv2d_infer(net_layer *L, int index)
{
    return clgan_layer_conv_infer(L, index, 0, clgan_conv2d_out_size);
}

static clgan_status conv2d_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    int k2 = L->spec.k * L->spec.k;
    return clgan_layer_init_weights(ctx, rng, L, L->in_c * k2, L->spec.out * k2);
}

static clgan_status conv2d_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)ctx, (void)index;
    return clgan_conv2d_workspace_floats(&L->conv, n, L->in_c, L->in_h, L->in_w, L->out_c, col, tmp);
}

static clgan_status conv2d_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_conv2d_forward(pass->ctx, &L->conv, pass->ws, x, &L->w, clgan_layer_bias(L), &L->out);
}

static clgan_status conv2d_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    return clgan_conv2d_backward(pass->ctx, &L->conv, pass->ws, x, &L->w, &L->dout, dx, &L->dw,
                                 clgan_layer_bias_grad(L));
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
    .init = conv2d_init,
    .plan = conv2d_plan,
    .forward = conv2d_forward,
    .backward = conv2d_backward,
    .flops = conv2d_flops,
};
