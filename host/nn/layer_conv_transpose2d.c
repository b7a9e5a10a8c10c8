/* layer_conv_transpose2d.c — the conv_transpose2d layer kind: [IC,H,W] ->
 * [OC,OH,OW], the adjoint of a conv2d with the same k, stride and padding
 * plus out_pad (conv_transpose2d.h); W [IC,OC,K,K] then the bias [OC]. */
#include "nn/layer.h"

#include "nn/conv_transpose2d.h"

static clgan_status conv_t_infer(net_layer *L, int index)
{
    return clgan_layer_conv_infer(L, index, L->spec.out_pad, clgan_conv_transpose2d_out_size);
}

static clgan_status conv_t_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    int k2 = L->spec.k * L->spec.k;
    return clgan_layer_init_weights(ctx, rng, L, L->spec.out * k2, L->in_c * k2); /* W is [IC, OC, K, K] */
}

static clgan_status conv_t_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)ctx, (void)index;
    return clgan_conv_transpose2d_workspace_floats(&L->conv, n, L->in_c, L->in_h, L->in_w, L->out_c, col, tmp);
}

static clgan_status conv_t_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_conv_transpose2d_forward(pass->ctx, &L->conv, pass->ws, x, &L->w, clgan_layer_bias(L), &L->out);
}

static clgan_status conv_t_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    return clgan_conv_transpose2d_backward(pass->ctx, &L->conv, pass->ws, x, &L->w, &L->dout, dx, &L->dw,
                                           clgan_layer_bias_grad(L));
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
    .plan = conv_t_plan,
    .forward = conv_t_forward,
    .backward = conv_t_backward,
    .flops = conv_t_flops,
};
