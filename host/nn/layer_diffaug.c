/* layer_diffaug.c — the diffaugment layer kind: [C,H,W] -> [C,H,W],
 * DiffAugment's random colour, translation and cutout (diffaug.h) in
 * training forwards, the identity in inference. Each training forward draws
 * its per-sample parameters from its own stream (layer_pass.stream) at the
 * samples' global indices (layer_pass.first_sample), into a state buffer
 * planned per batch size that backward reads, so the backward of the last
 * training forward is the adjoint of the map it applied. */
#include "nn/layer.h"

#include "nn/diffaug.h"

static clgan_status diffaug_infer(net_layer *L, int index)
{
    return L->spec.policy & ~CLGAN_DIFFAUG_ALL ? clgan_layer_misfit(L, index) : CLGAN_OK;
}

static clgan_status diffaug_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)index, (void)col, (void)tmp;
    return clgan_tensor_alloc(ctx, n, CLGAN_DIFFAUG_DRAWS + 1, 1, 1, &L->scratch);
}

/* x [N,C,H,W] -> L->out [N,C,H,W]: augmented in training, a copy in inference. */
static clgan_status diffaug_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    if (!pass->training || !L->spec.policy) return clgan_layer_copy(pass->ctx, x, &L->out);
    TRY(clgan_diffaug_draw(pass->ctx, pass->seed, pass->stream, pass->first_sample, x->n, &L->scratch));
    return clgan_diffaug_forward(pass->ctx, L->spec.policy, x, &L->scratch, &L->out);
}

/* L->dout [N,C,H,W] -> dx [N,C,H,W]: the adjoint for the last training forward's draws. */
static clgan_status diffaug_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    if (!dx) return CLGAN_OK;
    if (!L->spec.policy) return clgan_layer_copy(pass->ctx, &L->dout, dx);
    return clgan_diffaug_backward(pass->ctx, L->spec.policy, &L->dout, &L->scratch, dx);
}

/* Colour: the means and the affine map, about 8 per float; translation and cutout only move floats. */
static double diffaug_flops(const net_layer *L)
{
    return L->spec.policy & CLGAN_DIFFAUG_COLOR ? 8.0 * (double)clgan_layer_in_floats(L) : 0.0;
}

/* The draws and the mean of each image. */
static size_t diffaug_extra_act_floats(const net_layer *L)
{
    (void)L;
    return CLGAN_DIFFAUG_DRAWS + 1;
}

const clgan_layer_ops clgan_layer_diffaugment_ops = {
    .kind = CLGAN_LAYER_DIFFAUGMENT,
    .name = "diffaugment",
    .infer = diffaug_infer,
    .plan = diffaug_plan,
    .forward = diffaug_forward,
    .backward = diffaug_backward,
    .flops = diffaug_flops,
    .extra_act_floats = diffaug_extra_act_floats,
};
