/* layer_mbstd.c — the mbstd layer kind: [C,H,W] -> [C+1,H,W], the
 * minibatch standard deviation appended as one channel (mbstd.h). Its
 * batch statistics live in a scratch buffer planned per batch size;
 * backward recomputes them from the input. */
#include "nn/layer.h"

#include "nn/mbstd.h"

static clgan_status mbstd_infer(net_layer *L, int index)
{
    if ((uint64_t)L->in_c + 1 > NET_MAX_FLOATS)
        return clgan_layer_too_many(index, &L->spec, "its channels", (uint64_t)L->in_c + 1);
    L->out_c = L->in_c + 1;
    return CLGAN_OK;
}

static clgan_status mbstd_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)index, (void)col, (void)tmp;
    return clgan_tensor_alloc(ctx, (int)clgan_mbstd_scratch_floats(n, L->in_c, L->in_h, L->in_w), 1, 1, 1,
                              &L->scratch);
}

static clgan_status mbstd_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_mbstd_forward(pass->ctx, x, &L->scratch, &L->out);
}

static clgan_status mbstd_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    return dx ? clgan_mbstd_backward(pass->ctx, x, &L->dout, &L->scratch, dx) : CLGAN_OK;
}

/* Batch mean, variance and the square root per input float, about 4. */
static double mbstd_flops(const net_layer *L) { return 4.0 * (double)clgan_layer_in_floats(L); }

const clgan_layer_ops clgan_layer_mbstd_ops = {
    .kind = CLGAN_LAYER_MBSTD,
    .name = "mbstd",
    .infer = mbstd_infer,
    .plan = mbstd_plan,
    .forward = mbstd_forward,
    .backward = mbstd_backward,
    .flops = mbstd_flops,
};
