/* layer.c — the table of layer kinds (one clgan_layer_ops per kind, indexed
 * by clgan_layer_kind) and the helpers the kinds' files share. */
#include "nn/layer.h"

#include "device/profile.h"

#include <stdio.h>

static const clgan_layer_ops *const layer_table[] = {
    [CLGAN_LAYER_DENSE] = &clgan_layer_dense_ops,
    [CLGAN_LAYER_CONV2D] = &clgan_layer_conv2d_ops,
    [CLGAN_LAYER_CONV_TRANSPOSE] = &clgan_layer_conv_transpose2d_ops,
    [CLGAN_LAYER_BATCHNORM] = &clgan_layer_batchnorm_ops,
    [CLGAN_LAYER_ACTIVATION] = &clgan_layer_activation_ops,
    [CLGAN_LAYER_DROPOUT] = &clgan_layer_dropout_ops,
    [CLGAN_LAYER_MAXPOOL] = &clgan_layer_maxpool_ops,
    [CLGAN_LAYER_AVGPOOL] = &clgan_layer_avgpool_ops,
    [CLGAN_LAYER_RESHAPE] = &clgan_layer_reshape_ops,
    [CLGAN_LAYER_CONCAT_LABELS] = &clgan_layer_concat_labels_ops,
    [CLGAN_LAYER_MBSTD] = &clgan_layer_mbstd_ops,
    [CLGAN_LAYER_GAUSSIAN_NOISE] = &clgan_layer_gaussian_noise_ops,
    [CLGAN_LAYER_DIFFAUGMENT] = &clgan_layer_diffaugment_ops,
};
_Static_assert(sizeof layer_table / sizeof layer_table[0] == CLGAN_LAYER_KIND_COUNT,
               "layer_table needs one entry per clgan_layer_kind");

const clgan_layer_ops *clgan_layer_ops_of(clgan_layer_kind kind)
{
    return (unsigned)kind < CLGAN_LAYER_KIND_COUNT ? layer_table[kind] : NULL;
}

const char *clgan_layer_kind_name(clgan_layer_kind kind)
{
    const clgan_layer_ops *ops = clgan_layer_ops_of(kind);
    return ops ? ops->name : "?";
}

uint64_t clgan_mul_sat(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

size_t clgan_align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

uint64_t clgan_layer_in_floats(const net_layer *L)
{
    return clgan_mul_sat(clgan_mul_sat((uint64_t)L->in_c, (uint64_t)L->in_h), (uint64_t)L->in_w);
}

uint64_t clgan_layer_out_floats(const net_layer *L)
{
    return clgan_mul_sat(clgan_mul_sat((uint64_t)L->out_c, (uint64_t)L->out_h), (uint64_t)L->out_w);
}

clgan_status clgan_layer_misfit(const net_layer *L, int index)
{
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "layer %d (%s) does not fit its input [%d,%d,%d]: check its settings",
                      index, clgan_layer_kind_name(L->spec.kind), L->in_c, L->in_h, L->in_w);
}

clgan_status clgan_layer_too_many(int index, const clgan_layer_spec *s, const char *what, uint64_t count)
{
    char n[32];
    if (count == UINT64_MAX) snprintf(n, sizeof n, "more than 2^64");
    else snprintf(n, sizeof n, "%llu", (unsigned long long)count);
    return clgan_fail(CLGAN_ERR_INVALID_ARG,
                      "layer %d (%s): %s would need %s floats, more than the %d one net can index; use a smaller "
                      "width, noise dimension or class count",
                      index, clgan_layer_kind_name(s->kind), what, n, INT_MAX);
}

clgan_status clgan_layer_copy(clgan_ctx *ctx, const clgan_tensor *src, clgan_tensor *dst)
{
    CL_TRY(clEnqueueCopyBuffer(ctx->queue, src->mem, dst->mem, 0, 0, src->count * sizeof(float), 0, NULL,
                               clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "copy");
    return CLGAN_OK;
}

clgan_status clgan_layer_init_weights(clgan_ctx *ctx, clgan_rng *rng, net_layer *L, int fan_in, int fan_out)
{
    switch (L->spec.init) {
    case CLGAN_INIT_XAVIER: return clgan_init_xavier_uniform(ctx, rng, &L->w, fan_in, fan_out);
    case CLGAN_INIT_HE: return clgan_init_he_normal(ctx, rng, &L->w, fan_in);
    default: return clgan_init_normal(ctx, rng, &L->w, 0.0, L->spec.init_std);
    }
}

clgan_status clgan_layer_state_view(clgan_ctx *ctx, cl_mem state_mem, const net_layer *L, int vec, clgan_tensor *t)
{
    size_t at = L->stat_off + (size_t)vec * clgan_align_up(L->stat_len, clgan_sub_align_floats(ctx));
    return clgan_tensor_view(ctx, state_mem, at, (int)L->stat_len, 1, 1, 1, t);
}

const clgan_tensor *clgan_layer_bias(const net_layer *L) { return L->b_count ? &L->b : NULL; }
clgan_tensor *clgan_layer_bias_grad(net_layer *L) { return L->b_count ? &L->db : NULL; }

static const clgan_conv_fns *conv_fns(const net_layer *L) { return clgan_layer_ops_of(L->spec.kind)->conv; }

clgan_status clgan_layer_conv_infer(net_layer *L, int index, int out_pad)
{
    const clgan_layer_spec *s = &L->spec;
    if (s->out <= 0 || s->k <= 0) return clgan_layer_misfit(L, index);
    L->conv = clgan_conv_params_make(s->k, s->stride, s->pad, out_pad);
    clgan_status st = conv_fns(L)->out_size(&L->conv, L->in_h, L->in_w, &L->out_h, &L->out_w);
    if (st != CLGAN_OK) return clgan_fail_context(st, "layer %d (%s)", index, clgan_layer_kind_name(s->kind));
    uint64_t wc = clgan_mul_sat(clgan_mul_sat((uint64_t)s->out, (uint64_t)L->in_c),
                                clgan_mul_sat((uint64_t)s->k, (uint64_t)s->k));
    if (wc > NET_MAX_FLOATS) return clgan_layer_too_many(index, s, "its weights", wc);
    L->out_c = s->out;
    L->w_count = (size_t)wc;
    L->b_count = s->bias ? (size_t)s->out : 0;
    return CLGAN_OK;
}

clgan_status clgan_layer_conv_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)ctx, (void)index;
    return conv_fns(L)->workspace_floats(&L->conv, n, L->in_c, L->in_h, L->in_w, L->out_c, col, tmp);
}

/* With spectral norm the convolution computes with W_sn (sn.w), and its
 * backward writes dL/dW_sn into sn.dw before clgan_layer_sn_grad. */
clgan_status clgan_layer_conv_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    TRY(clgan_layer_sn_weights(pass, L));
    const clgan_tensor *w = L->spec.spectral_norm ? &L->sn.w : &L->w;
    return conv_fns(L)->forward(pass->ctx, &L->conv, pass->ws, x, w, clgan_layer_bias(L), &L->out);
}

clgan_status clgan_layer_conv_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    if (!L->spec.spectral_norm)
        return conv_fns(L)->backward(pass->ctx, &L->conv, pass->ws, x, &L->w, &L->dout, dx, &L->dw,
                                     clgan_layer_bias_grad(L));
    TRY(clgan_tensor_zero(pass->ctx, &L->sn.dw));
    TRY(conv_fns(L)->backward(pass->ctx, &L->conv, pass->ws, x, &L->sn.w, &L->dout, dx, &L->sn.dw,
                              clgan_layer_bias_grad(L)));
    return clgan_layer_sn_grad(pass->ctx, L);
}

/* ---- spectral norm of dense and conv2d layers ----------------------------- */

static int sn_in(const net_layer *L) { return (int)(L->w_count / (size_t)L->spec.out); }

clgan_status clgan_layer_sn_infer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    const char *kind = clgan_layer_kind_name(s->kind);
    if (s->spectral_norm != 0 && s->spectral_norm != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "layer %d (%s): spectral_norm is %d; it must be 0 or 1", index, kind,
                          s->spectral_norm);
    if (!s->spectral_norm) return CLGAN_OK;
    if (s->weight_norm)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "layer %d (%s): spectral_norm and weight_norm both rescale W and cannot be combined; "
                          "choose one",
                          index, kind);
    L->stat_vecs = 1, L->stat_len = (size_t)s->out; /* u */
    return CLGAN_OK;
}

clgan_status clgan_layer_sn_bind(clgan_ctx *ctx, cl_mem state_mem, net_layer *L)
{
    if (!L->spec.spectral_norm) return CLGAN_OK;
    TRY(clgan_layer_state_view(ctx, state_mem, L, 0, &L->sn_u));
    return clgan_sn_work_alloc(ctx, L->spec.out, sn_in(L), &L->sn);
}

clgan_status clgan_layer_sn_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    return L->spec.spectral_norm ? clgan_sn_init_u(ctx, rng, &L->sn_u) : CLGAN_OK;
}

clgan_status clgan_layer_sn_weights(const layer_pass *pass, net_layer *L)
{
    if (!L->spec.spectral_norm) return CLGAN_OK;
    return clgan_sn_forward(pass->ctx, L->spec.out, sn_in(L), &L->w, &L->sn_u, pass->training, &L->sn);
}

clgan_status clgan_layer_sn_grad(clgan_ctx *ctx, net_layer *L)
{
    if (!L->spec.spectral_norm) return CLGAN_OK;
    return clgan_sn_backward(ctx, L->spec.out, sn_in(L), &L->sn, &L->dw);
}
