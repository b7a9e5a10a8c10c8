/* layer_dense.c — the dense layer kind: [C,H,W] flattened -> [OUT,1,1],
 * W [OUT,IN] then the bias [OUT]; weight-normalised (spec.weight_norm 1 or
 * 2) it stores v [OUT,IN] then g [OUT] in W's place and forms W = g v / |v|
 * in a buffer of its own before each forward (weight_norm.h); spectral-
 * normalised (spec.spectral_norm 1) it keeps u [OUT] in the state block and
 * computes with W_sn = W / sigma (spectral_norm.h). */
#include "nn/layer.h"

#include "nn/dense.h"
#include "nn/weight_norm.h"

#include <math.h>
#include <stdlib.h>

static clgan_status dense_infer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    if (s->out <= 0 || s->weight_norm < 0 || s->weight_norm > 2) return clgan_layer_misfit(L, index);
    uint64_t wc = clgan_mul_sat((uint64_t)s->out, clgan_layer_in_floats(L)) +
                  (s->weight_norm ? (uint64_t)s->out : 0); /* v, then g */
    if (wc > NET_MAX_FLOATS) return clgan_layer_too_many(index, s, "its weights", wc);
    L->out_c = s->out, L->out_h = L->out_w = 1;
    L->w_count = (size_t)wc;
    L->b_count = s->bias ? (size_t)s->out : 0;
    return clgan_layer_sn_infer(L, index);
}

/* Weight-normalised: W, dL/dW [OUT,IN] and |v| [OUT]; spectral-normalised: u and the work buffers. */
static clgan_status dense_bind(clgan_ctx *ctx, cl_mem state_mem, net_layer *L)
{
    if (!L->spec.weight_norm) return clgan_layer_sn_bind(ctx, state_mem, L);
    int in = L->in_c * L->in_h * L->in_w;
    TRY(clgan_tensor_alloc(ctx, L->spec.out, in, 1, 1, &L->wn_w));
    TRY(clgan_tensor_alloc(ctx, L->spec.out, in, 1, 1, &L->wn_dw));
    return clgan_tensor_alloc(ctx, L->spec.out, 1, 1, 1, &L->wn_norm);
}

/* A weight-normalised layer's scales g = 1 (the last OUT floats of w, after v was drawn). */
static clgan_status init_wn_scales(clgan_ctx *ctx, net_layer *L)
{
    size_t out = (size_t)L->spec.out;
    float *ones = malloc(out * sizeof *ones);
    if (!ones) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory initialising weight-norm scales");
    for (size_t o = 0; o < out; o++) ones[o] = 1.0f;
    clgan_status st = clgan_buffer_write(ctx, L->w.mem, (L->w_count - out) * sizeof(float), out * sizeof(float), ones);
    free(ones);
    return st;
}

/* W (weight-normalised: v, then g = 1), then (spectral norm) u. */
static clgan_status dense_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    if (L->spec.weight_norm) { /* only v's direction matters: N(0, 0.05), g = 1 */
        TRY(clgan_init_normal(ctx, rng, &L->w, 0.0, 0.05));
        return init_wn_scales(ctx, L);
    }
    TRY(clgan_layer_init_weights(ctx, rng, L, L->in_c * L->in_h * L->in_w, L->spec.out));
    return clgan_layer_sn_init(ctx, rng, L);
}

/* x [N,IN] -> out [N,OUT] = x Wᵀ + b, W plain, g v / |v| or W / sigma. */
static clgan_status dense_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    if (L->spec.weight_norm) {
        TRY(clgan_wn_weights(pass->ctx, L->spec.out, (int)L->wn_w.c, &L->w, &L->wn_w, &L->wn_norm));
        return clgan_dense_forward(pass->ctx, x, &L->wn_w, clgan_layer_bias(L), &L->out);
    }
    if (L->spec.spectral_norm) {
        TRY(clgan_layer_sn_weights(pass, L));
        return clgan_dense_forward(pass->ctx, x, &L->sn.w, clgan_layer_bias(L), &L->out);
    }
    return clgan_dense_forward(pass->ctx, x, &L->w, clgan_layer_bias(L), &L->out);
}

/* dout [N,OUT] -> dw, db accumulated, dx [N,IN]; through the forward's W. */
static clgan_status dense_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    clgan_ctx *ctx = pass->ctx;
    if (L->spec.weight_norm) { /* dL/dW into wn_dw (the W of the forward), then into dv, dg */
        TRY(clgan_buffer_fill_zero(ctx, L->wn_dw.mem, 0, L->wn_dw.count * sizeof(float)));
        TRY(clgan_dense_backward(ctx, x, &L->wn_w, &L->dout, dx, &L->wn_dw, clgan_layer_bias_grad(L)));
        return clgan_wn_grad(ctx, L->spec.out, (int)L->wn_w.c, L->spec.weight_norm == 2, &L->w, &L->wn_norm,
                             &L->wn_dw, &L->dw);
    }
    if (L->spec.spectral_norm) { /* dL/dW_sn into sn.dw (the W_sn of the forward), then dL/dW into dw */
        TRY(clgan_tensor_zero(ctx, &L->sn.dw));
        TRY(clgan_dense_backward(ctx, x, &L->sn.w, &L->dout, dx, &L->sn.dw, clgan_layer_bias_grad(L)));
        return clgan_layer_sn_grad(ctx, L);
    }
    return clgan_dense_backward(ctx, x, &L->w, &L->dout, dx, &L->dw, clgan_layer_bias_grad(L));
}

static int dense_data_init_wanted(const net_layer *L) { return L->spec.weight_norm != 0; }

/* Sum over the n rows of y [n,OUT] of (y - center)^power per unit into
 * sums [OUT] (power 1 or 2), then over the ranks with a reducer. */
static clgan_status unit_sums(const float *y, int n, int out, const double *center, int power, double *sums,
                              const clgan_reducer *r)
{
    for (int o = 0; o < out; o++) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            double v = y[(size_t)i * out + o] - (center ? center[o] : 0.0);
            acc += power == 2 ? v * v : v;
        }
        sums[o] = acc;
    }
    return r ? r->sum_doubles(r->self, sums, (size_t)out) : CLGAN_OK;
}

/* Weight-normalised (Salimans & Kingma 2016): from the outputs y [N,OUT] on
 * the init batch (with a reducer: every rank's share of it), g /= std_o and
 * b = (b - mean_o) / std_o, so the new outputs are (y - mean) / std per unit. */
static clgan_status dense_data_init(clgan_ctx *ctx, net_layer *L, int n, const clgan_reducer *r)
{
    int out = L->spec.out;
    size_t g_at = (L->w_count - (size_t)out) * sizeof(float), bytes = (size_t)out * sizeof(float);
    float *y = malloc((size_t)n * bytes), *g = malloc(bytes), *b = malloc(bytes);
    double *mean = malloc((size_t)out * sizeof *mean), *var = malloc((size_t)out * sizeof *var);
    clgan_status st = y && g && b && mean && var
                          ? CLGAN_OK
                          : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for data-dependent init");
    if (st == CLGAN_OK) st = clgan_tensor_download(ctx, &L->out, y);
    if (st == CLGAN_OK) st = clgan_buffer_read(ctx, L->w.mem, g_at, bytes, g);
    if (st == CLGAN_OK && L->b_count) st = clgan_buffer_read(ctx, L->b.mem, 0, bytes, b);
    double total = (double)n * (r ? r->ranks : 1);
    if (st == CLGAN_OK) st = unit_sums(y, n, out, NULL, 1, mean, r);
    for (int o = 0; o < out && st == CLGAN_OK; o++) mean[o] /= total;
    if (st == CLGAN_OK) st = unit_sums(y, n, out, mean, 2, var, r);
    for (int o = 0; o < out && st == CLGAN_OK; o++) {
        double sd = sqrt(var[o] / total);
        if (!(sd > 1e-6)) continue; /* a unit that does not vary on this batch keeps its scale */
        g[o] = (float)(g[o] / sd);
        if (L->b_count) b[o] = (float)((b[o] - mean[o]) / sd);
    }
    if (st == CLGAN_OK) st = clgan_buffer_write(ctx, L->w.mem, g_at, bytes, g);
    if (st == CLGAN_OK && L->b_count) st = clgan_buffer_write(ctx, L->b.mem, 0, bytes, b);
    free(y), free(g), free(b), free(mean), free(var);
    return st;
}

/* 2*IN*OUT, plus one add per output with a bias. */
static double dense_flops(const net_layer *L)
{
    return 2.0 * (double)clgan_layer_in_floats(L) * L->spec.out + (double)L->b_count;
}

const clgan_layer_ops clgan_layer_dense_ops = {
    .kind = CLGAN_LAYER_DENSE,
    .name = "dense",
    .infer = dense_infer,
    .bind = dense_bind,
    .init = dense_init,
    .forward = dense_forward,
    .backward = dense_backward,
    .flops = dense_flops,
    .data_init_wanted = dense_data_init_wanted,
    .data_init = dense_data_init,
};
