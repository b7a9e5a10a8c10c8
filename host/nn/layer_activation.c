/* layer_activation.c — the activation layer kind: an elementwise function
 * (spec.act, leaky ReLU's spec.slope; activation.h), shape unchanged. */
#include "nn/layer.h"

static clgan_status activation_infer(net_layer *L, int index)
{
    (void)L, (void)index;
    return CLGAN_OK;
}

static clgan_status activation_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_act_forward(pass->ctx, L->spec.act, L->spec.slope, x, &L->out);
}

static clgan_status activation_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x,
                                        clgan_tensor *dx)
{
    return dx ? clgan_act_backward(pass->ctx, L->spec.act, L->spec.slope, x, &L->out, &L->dout, dx) : CLGAN_OK;
}

/* One per float (a count, not the cost of tanh or sigmoid). */
static double activation_flops(const net_layer *L) { return (double)clgan_layer_in_floats(L); }

const clgan_layer_ops clgan_layer_activation_ops = {
    .kind = CLGAN_LAYER_ACTIVATION,
    .name = "activation",
    .infer = activation_infer,
    .forward = activation_forward,
    .backward = activation_backward,
    .flops = activation_flops,
};
