/* layer_pooling.c — the maxpool and avgpool layer kinds: a k x k window at
 * stride s, no padding, per channel (pooling.h): [C,H,W] -> [C,OH,OW].
 * Max pooling keeps the argmax of each window (int32, one per output) for
 * backward. */
#include "nn/layer.h"

#include "nn/pooling.h"

static clgan_status pool_infer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    if (s->k <= 0 || s->stride <= 0 || s->k > L->in_h || s->k > L->in_w) return clgan_layer_misfit(L, index);
    L->out_h = clgan_pool_out_size(L->in_h, s->k, s->stride);
    L->out_w = clgan_pool_out_size(L->in_w, s->k, s->stride);
    return CLGAN_OK;
}

/* K*K per output float. */
static double pool_flops(const net_layer *L)
{
    return (double)L->spec.k * L->spec.k * (double)clgan_layer_out_floats(L);
}

static clgan_status maxpool_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)index, (void)n, (void)col, (void)tmp;
    return clgan_buffer_create(ctx, L->out.count * sizeof(int32_t), &L->argmax);
}

static clgan_status maxpool_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_maxpool_forward(pass->ctx, L->spec.k, L->spec.stride, x, &L->out, L->argmax);
}

static clgan_status maxpool_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    return dx ? clgan_maxpool_backward(pass->ctx, L->spec.k, L->spec.stride, &L->dout, L->argmax, dx) : CLGAN_OK;
}

/* The argmax indices: one int32 (the size of a float) per output. */
static size_t maxpool_kept(const net_layer *L) { return (size_t)clgan_layer_out_floats(L); }

const clgan_layer_ops clgan_layer_maxpool_ops = {
    .kind = CLGAN_LAYER_MAXPOOL,
    .name = "maxpool",
    .infer = pool_infer,
    .plan = maxpool_plan,
    .forward = maxpool_forward,
    .backward = maxpool_backward,
    .flops = pool_flops,
    .extra_act_floats = maxpool_kept,
};

static clgan_status avgpool_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return clgan_avgpool_forward(pass->ctx, L->spec.k, L->spec.stride, x, &L->out);
}

static clgan_status avgpool_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    return dx ? clgan_avgpool_backward(pass->ctx, L->spec.k, L->spec.stride, &L->dout, dx) : CLGAN_OK;
}

const clgan_layer_ops clgan_layer_avgpool_ops = {
    .kind = CLGAN_LAYER_AVGPOOL,
    .name = "avgpool",
    .infer = pool_infer,
    .forward = avgpool_forward,
    .backward = avgpool_backward,
    .flops = pool_flops,
};
