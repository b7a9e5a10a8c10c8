/* layer_shape.c — the layer kinds that rearrange or extend channels without
 * parameters (shape_ops.h, mbstd.h):
 *   reshape        [C,H,W] -> [out,h,w] with the same count; a view of its
 *                  input, nothing copied or kept;
 *   concat_labels  [C,H,W] -> [C+K,H,W]: the one-hot class labels broadcast
 *                  over H x W appended as channels (K = spec.out). */
#include "nn/layer.h"

#include "nn/shape_ops.h"

static clgan_status reshape_infer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    if (s->out <= 0 || s->h <= 0 || s->w <= 0 ||
        clgan_mul_sat(clgan_mul_sat((uint64_t)s->out, (uint64_t)s->h), (uint64_t)s->w) != clgan_layer_in_floats(L))
        return clgan_layer_misfit(L, index);
    L->out_c = s->out, L->out_h = s->h, L->out_w = s->w;
    return CLGAN_OK;
}

static clgan_status reshape_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    (void)pass;
    L->out = *x;
    L->out.c = L->out_c, L->out.h = L->out_h, L->out.w = L->out_w;
    return CLGAN_OK;
}

/* Inner reshapes share their gradient buffer with the layer below; a
 * first-layer reshape hands its own buffer to the caller's dx. */
static clgan_status reshape_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    return (pass->index == 0 && dx) ? clgan_layer_copy(pass->ctx, &L->dout, dx) : CLGAN_OK;
}

static double no_flops(const net_layer *L)
{
    (void)L;
    return 0;
}

const clgan_layer_ops clgan_layer_reshape_ops = {
    .kind = CLGAN_LAYER_RESHAPE,
    .name = "reshape",
    .infer = reshape_infer,
    .forward = reshape_forward,
    .backward = reshape_backward,
    .flops = no_flops,
    .is_view = 1,
};

static clgan_status concat_labels_infer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    if (s->out <= 0) return clgan_layer_misfit(L, index);
    if ((uint64_t)L->in_c + (uint64_t)s->out > NET_MAX_FLOATS)
        return clgan_layer_too_many(index, s, "its channels", (uint64_t)L->in_c + (uint64_t)s->out);
    L->out_c = L->in_c + s->out;
    return CLGAN_OK;
}

static clgan_status concat_labels_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)index, (void)col, (void)tmp;
    return clgan_tensor_alloc(ctx, n, L->spec.out, L->in_h, L->in_w, &L->onehot);
}

static clgan_status concat_labels_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    if (!pass->labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "this net is conditional: forward needs class labels");
    TRY(clgan_one_hot_forward(pass->ctx, pass->labels, &L->onehot));
    return clgan_concat_forward(pass->ctx, x, &L->onehot, &L->out);
}

static clgan_status concat_labels_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x,
                                           clgan_tensor *dx)
{
    (void)x;
    return dx ? clgan_concat_backward(pass->ctx, &L->dout, dx, NULL) : CLGAN_OK;
}

/* The one-hot planes [K,H,W]. */
static size_t concat_labels_kept(const net_layer *L) { return (size_t)L->spec.out * L->in_h * L->in_w; }

const clgan_layer_ops clgan_layer_concat_labels_ops = {
    .kind = CLGAN_LAYER_CONCAT_LABELS,
    .name = "concat_labels",
    .infer = concat_labels_infer,
    .plan = concat_labels_plan,
    .forward = concat_labels_forward,
    .backward = concat_labels_backward,
    .flops = no_flops,
    .extra_act_floats = concat_labels_kept,
};
