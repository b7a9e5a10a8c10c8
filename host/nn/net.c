/* net.c — sequential nets: shape inference, the single parameter block,
 * per-batch buffer planning, and forward/backward over the layer ops. */
#include "net.h"

#include "nn/batchnorm.h"
#include "nn/conv_transpose2d.h"
#include "nn/dense.h"
#include "nn/mbstd.h"
#include "nn/pooling.h"
#include "nn/random.h"
#include "nn/shape_ops.h"
#include "nn/weight_norm.h"
#include "device/profile.h"

#include <limits.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct net_layer {
    clgan_layer_spec spec;
    int in_c, in_h, in_w, out_c, out_h, out_w;
    size_t w_off, w_count, b_off, b_count; /* floats, in the parameter block */
    size_t stat_off, s_count;              /* batchnorm: running mean, then var, in the state block */
    clgan_conv_params conv;
    clgan_tensor w, b, dw, db;             /* views of the parameter / gradient blocks */
    clgan_tensor run_mean, run_var;        /* views of the state block */
    clgan_tensor save_mean, save_inv_std;  /* batchnorm [C], owned */
    clgan_tensor wn_w, wn_dw, wn_norm;     /* weight-normalised dense: W, dL/dW [OUT,IN], |v| [OUT], owned */
    /* planned per batch size */
    clgan_tensor out, dout;                /* owned unless the layer is a reshape view */
    clgan_tensor onehot;                   /* concat labels [N,K,H,W] */
    cl_mem argmax;                         /* maxpool [N,C,OH,OW] int32 */
    clgan_tensor scratch;                  /* mbstd statistics; a first batchnorm's unwanted dx */
    uint64_t dropout_stream;
    char scope_fwd[48], scope_bwd[48];     /* profiler scopes: "G.3 conv_transpose2d forward" */
} net_layer;

struct clgan_net {
    clgan_ctx *ctx;
    int in_c, in_h, in_w;
    int n_layers;
    net_layer *layers;
    uint64_t seed;
    int64_t step;
    size_t param_floats, state_floats, trainable;
    cl_mem param_mem, grad_mem, state_mem;
    clgan_tensor params, grads;            /* whole-block views */
    clgan_tensor opt_m, opt_v;             /* optimizer state, created on the first step */
    int batch;
    clgan_conv_workspace ws;
    const clgan_tensor *x;                 /* input of the last forward */
    int last_forward_training;             /* backward needs a training forward */
    int forwards_this_step;                /* varies dropout masks between forwards of one step */
    char name[8];                          /* "G", "D", "C": names the profiler's scopes */
    char scope_opt[24];                    /* "G optimizer" */
};

static void name_scopes(clgan_net *net)
{
    snprintf(net->scope_opt, sizeof net->scope_opt, "%s optimizer", net->name);
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *L = &net->layers[i];
        const char *kind = clgan_layer_kind_name(L->spec.kind);
        snprintf(L->scope_fwd, sizeof L->scope_fwd, "%s.%d %s forward", net->name, i, kind);
        snprintf(L->scope_bwd, sizeof L->scope_bwd, "%s.%d %s backward", net->name, i, kind);
    }
}

void clgan_net_set_name(clgan_net *net, const char *name)
{
    snprintf(net->name, sizeof net->name, "%s", name && *name ? name : "net");
    name_scopes(net);
}

/* ---- spec constructors -------------------------------------------------- */

static clgan_layer_spec spec_of(clgan_layer_kind kind)
{
    clgan_layer_spec s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.stride = 1;
    s.init = CLGAN_INIT_NORMAL;
    s.init_std = 0.02f;
    return s;
}
clgan_layer_spec clgan_dense(int out) { clgan_layer_spec s = spec_of(CLGAN_LAYER_DENSE); s.out = out; s.bias = 1; return s; }
clgan_layer_spec clgan_dense_wn(int out, int train_scale)
{
    clgan_layer_spec s = clgan_dense(out);
    s.weight_norm = train_scale ? 2 : 1;
    return s;
}
clgan_layer_spec clgan_conv(int out, int k, int stride, int pad)
{
    clgan_layer_spec s = spec_of(CLGAN_LAYER_CONV2D);
    s.out = out, s.k = k, s.stride = stride, s.pad = pad, s.bias = 1;
    return s;
}
clgan_layer_spec clgan_conv_t(int out, int k, int stride, int pad, int out_pad)
{
    clgan_layer_spec s = spec_of(CLGAN_LAYER_CONV_TRANSPOSE);
    s.out = out, s.k = k, s.stride = stride, s.pad = pad, s.out_pad = out_pad, s.bias = 1;
    return s;
}
clgan_layer_spec clgan_bn(void) { return spec_of(CLGAN_LAYER_BATCHNORM); }
clgan_layer_spec clgan_activation(clgan_act act, float slope)
{
    clgan_layer_spec s = spec_of(CLGAN_LAYER_ACTIVATION);
    s.act = act, s.slope = slope;
    return s;
}
clgan_layer_spec clgan_dropout(float p) { clgan_layer_spec s = spec_of(CLGAN_LAYER_DROPOUT); s.p = p; return s; }
clgan_layer_spec clgan_maxpool(int k, int stride) { clgan_layer_spec s = spec_of(CLGAN_LAYER_MAXPOOL); s.k = k, s.stride = stride; return s; }
clgan_layer_spec clgan_avgpool(int k, int stride) { clgan_layer_spec s = spec_of(CLGAN_LAYER_AVGPOOL); s.k = k, s.stride = stride; return s; }
clgan_layer_spec clgan_reshape(int c, int h, int w) { clgan_layer_spec s = spec_of(CLGAN_LAYER_RESHAPE); s.out = c, s.h = h, s.w = w; return s; }
clgan_layer_spec clgan_concat_labels(int classes) { clgan_layer_spec s = spec_of(CLGAN_LAYER_CONCAT_LABELS); s.out = classes; return s; }
clgan_layer_spec clgan_mbstd(void) { return spec_of(CLGAN_LAYER_MBSTD); }
clgan_layer_spec clgan_gaussian_noise(float stddev)
{
    clgan_layer_spec s = spec_of(CLGAN_LAYER_GAUSSIAN_NOISE);
    s.p = stddev;
    return s;
}

const char *clgan_layer_kind_name(clgan_layer_kind kind)
{
    static const char *names[] = {"dense", "conv2d", "conv_transpose2d", "batchnorm", "activation",
                                  "dropout", "maxpool", "avgpool", "reshape", "concat_labels", "mbstd",
                                  "gaussian_noise"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

/* ---- shapes and layout -------------------------------------------------- */

static size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

/* Every count in a net (a layer's weights, one sample's activations, a whole
 * parameter block) must fit the kernels' int indexing and the int counts of
 * tensors and views. */
#define NET_MAX_FLOATS ((uint64_t)INT_MAX)

/* a * b, saturating at UINT64_MAX (so a huge product can never wrap into a
 * small one and pass a limit check). */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static clgan_status too_many(int index, const clgan_layer_spec *s, const char *what, uint64_t count)
{
    char n[32];
    if (count == UINT64_MAX) snprintf(n, sizeof n, "more than 2^64");
    else snprintf(n, sizeof n, "%llu", (unsigned long long)count);
    return clgan_fail(CLGAN_ERR_INVALID_ARG,
                      "layer %d (%s): %s would need %s floats, more than the %d one net can index; use a smaller "
                      "width, noise dimension or class count",
                      index, clgan_layer_kind_name(s->kind), what, n, INT_MAX);
}

/* Output shape and parameter counts of layer L given its input shape. */
static clgan_status infer_layer(net_layer *L, int index)
{
    const clgan_layer_spec *s = &L->spec;
    int c = L->in_c, h = L->in_h, w = L->in_w;
    uint64_t in = mul_sat(mul_sat((uint64_t)c, (uint64_t)h), (uint64_t)w); /* <= INT_MAX: checked for the layer below */
    L->out_c = c, L->out_h = h, L->out_w = w;
    L->w_count = L->b_count = 0;
    switch (s->kind) {
    case CLGAN_LAYER_DENSE: {
        if (s->out <= 0) break;
        if (s->weight_norm < 0 || s->weight_norm > 2) break;
        uint64_t wc = mul_sat((uint64_t)s->out, in) + (s->weight_norm ? (uint64_t)s->out : 0); /* v, then g */
        if (wc > NET_MAX_FLOATS) return too_many(index, s, "its weights", wc);
        L->out_c = s->out, L->out_h = L->out_w = 1;
        L->w_count = (size_t)wc;
        L->b_count = s->bias ? (size_t)s->out : 0;
        return CLGAN_OK;
    }
    case CLGAN_LAYER_CONV2D:
    case CLGAN_LAYER_CONV_TRANSPOSE: {
        if (s->out <= 0 || s->k <= 0) break;
        L->conv = clgan_conv_params_make(s->k, s->stride, s->pad, s->kind == CLGAN_LAYER_CONV2D ? 0 : s->out_pad);
        clgan_status st = s->kind == CLGAN_LAYER_CONV2D ? clgan_conv2d_out_size(&L->conv, h, w, &L->out_h, &L->out_w)
                                                       : clgan_conv_transpose2d_out_size(&L->conv, h, w, &L->out_h, &L->out_w);
        if (st != CLGAN_OK) return clgan_fail_context(st, "layer %d (%s)", index, clgan_layer_kind_name(s->kind));
        uint64_t wc = mul_sat(mul_sat((uint64_t)s->out, (uint64_t)c), mul_sat((uint64_t)s->k, (uint64_t)s->k));
        if (wc > NET_MAX_FLOATS) return too_many(index, s, "its weights", wc);
        L->out_c = s->out;
        L->w_count = (size_t)wc;
        L->b_count = s->bias ? (size_t)s->out : 0;
        return CLGAN_OK;
    }
    case CLGAN_LAYER_BATCHNORM:
        L->w_count = L->b_count = (size_t)c; /* gamma, beta */
        return CLGAN_OK;
    case CLGAN_LAYER_ACTIVATION:
        return CLGAN_OK;
    case CLGAN_LAYER_DROPOUT:
        if (s->p < 0 || s->p >= 1) break;
        return CLGAN_OK;
    case CLGAN_LAYER_MAXPOOL:
    case CLGAN_LAYER_AVGPOOL:
        if (s->k <= 0 || s->stride <= 0 || s->k > h || s->k > w) break;
        L->out_h = clgan_pool_out_size(h, s->k, s->stride);
        L->out_w = clgan_pool_out_size(w, s->k, s->stride);
        return CLGAN_OK;
    case CLGAN_LAYER_RESHAPE:
        if (s->out <= 0 || s->h <= 0 || s->w <= 0 ||
            mul_sat(mul_sat((uint64_t)s->out, (uint64_t)s->h), (uint64_t)s->w) != in)
            break;
        L->out_c = s->out, L->out_h = s->h, L->out_w = s->w;
        return CLGAN_OK;
    case CLGAN_LAYER_CONCAT_LABELS:
        if (s->out <= 0) break;
        if ((uint64_t)c + (uint64_t)s->out > NET_MAX_FLOATS)
            return too_many(index, s, "its channels", (uint64_t)c + (uint64_t)s->out);
        L->out_c = c + s->out;
        return CLGAN_OK;
    case CLGAN_LAYER_MBSTD:
        if ((uint64_t)c + 1 > NET_MAX_FLOATS) return too_many(index, s, "its channels", (uint64_t)c + 1);
        L->out_c = c + 1;
        return CLGAN_OK;
    case CLGAN_LAYER_GAUSSIAN_NOISE:
        if (!(s->p >= 0) || !isfinite(s->p)) break;
        return CLGAN_OK;
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "layer %d (%s) does not fit its input [%d,%d,%d]: check its settings",
                      index, clgan_layer_kind_name(s->kind), c, h, w);
}

/* infer_layer, then the output of one sample must fit the kernels' indexing
 * (a dense layer above reads it as one int-sized row). */
static clgan_status infer_layer_checked(net_layer *L, int index)
{
    TRY(infer_layer(L, index));
    uint64_t out = mul_sat(mul_sat((uint64_t)L->out_c, (uint64_t)L->out_h), (uint64_t)L->out_w);
    if (out > NET_MAX_FLOATS) return too_many(index, &L->spec, "one sample's output", out);
    return CLGAN_OK;
}

/* Shapes and the parameter/state layout of every layer (offsets padded to
 * `align` floats), checking every count against NET_MAX_FLOATS. */
static clgan_status lay_out(net_layer *layers, const clgan_layer_spec *specs, int n_layers, int in_c, int in_h,
                            int in_w, size_t align, size_t *param_floats, size_t *state_floats, size_t *trainable)
{
    uint64_t pf = 0, sf = 0, tr = 0;
    int c = in_c, h = in_h, w = in_w;
    if (mul_sat(mul_sat((uint64_t)c, (uint64_t)h), (uint64_t)w) > NET_MAX_FLOATS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a net's input [%d,%d,%d] holds more than %d floats", c, h, w, INT_MAX);
    for (int i = 0; i < n_layers; i++) {
        net_layer *L = &layers[i];
        L->spec = specs[i];
        L->in_c = c, L->in_h = h, L->in_w = w;
        TRY(infer_layer_checked(L, i));
        c = L->out_c, h = L->out_h, w = L->out_w;
        L->w_off = (size_t)pf;
        pf += align_up(L->w_count, align); /* each term <= INT_MAX + align: no wrap before the check */
        L->b_off = (size_t)pf;
        pf += align_up(L->b_count, align);
        tr += L->w_count + L->b_count;
        L->s_count = 0;
        if (L->spec.kind == CLGAN_LAYER_BATCHNORM) {
            L->stat_off = (size_t)sf;
            L->s_count = 2 * (size_t)L->in_c;
            sf += 2 * align_up((size_t)L->in_c, align);
        }
        if (pf > NET_MAX_FLOATS || sf > NET_MAX_FLOATS)
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "layer %d (%s): the net's %s would pass %d floats (%.1f GiB) there; use a smaller width, "
                              "noise dimension or class count",
                              i, clgan_layer_kind_name(L->spec.kind),
                              pf > NET_MAX_FLOATS ? "parameters" : "batchnorm statistics", INT_MAX,
                              (double)(pf > NET_MAX_FLOATS ? pf : sf) * sizeof(float) / (1024.0 * 1024 * 1024));
    }
    *param_floats = (size_t)pf, *state_floats = (size_t)sf, *trainable = (size_t)tr;
    return CLGAN_OK;
}

/* lay_out on the host only (no padding), into a table the caller frees. */
static clgan_status lay_out_host(const char *who, int in_c, int in_h, int in_w, const clgan_layer_spec *specs,
                                 int n_layers, net_layer **layers_out, size_t *state)
{
    *layers_out = NULL;
    if (!specs || n_layers <= 0 || in_c <= 0 || in_h <= 0 || in_w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: bad arguments (input [%d,%d,%d], %d layers)", who, in_c, in_h,
                          in_w, n_layers);
    net_layer *layers = calloc((size_t)n_layers, sizeof *layers);
    if (!layers) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory sizing a net");
    size_t pf = 0, tr = 0;
    clgan_status st = lay_out(layers, specs, n_layers, in_c, in_h, in_w, 1, &pf, state, &tr);
    if (st != CLGAN_OK) free(layers);
    else *layers_out = layers;
    return st;
}

clgan_status clgan_net_specs_size(int in_c, int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                  size_t *params, size_t *state)
{
    net_layer *layers;
    size_t sf = 0, tr = 0;
    clgan_status st = lay_out_host("clgan_net_specs_size", in_c, in_h, in_w, specs, n_layers, &layers, &sf);
    for (int i = 0; st == CLGAN_OK && i < n_layers; i++) tr += layers[i].w_count + layers[i].b_count;
    free(layers);
    if (params) *params = st == CLGAN_OK ? tr : 0;
    if (state) *state = st == CLGAN_OK ? sf : 0;
    return st;
}

/* Forward FLOPs of one image through layer L (net.h: clgan_layer_summary). */
static double layer_flops(const net_layer *L)
{
    const clgan_layer_spec *s = &L->spec;
    double in = (double)L->in_c * L->in_h * L->in_w, out = (double)L->out_c * L->out_h * L->out_w;
    double k2 = (double)s->k * s->k, bias = L->b_count ? out : 0;
    switch (s->kind) {
    case CLGAN_LAYER_DENSE: return 2 * in * s->out + bias;
    case CLGAN_LAYER_CONV2D: return 2 * L->in_c * k2 * out + bias;
    case CLGAN_LAYER_CONV_TRANSPOSE: return 2 * in * k2 * s->out + bias;
    case CLGAN_LAYER_BATCHNORM: return 4 * in;
    case CLGAN_LAYER_ACTIVATION:
    case CLGAN_LAYER_DROPOUT:
    case CLGAN_LAYER_GAUSSIAN_NOISE: return in;
    case CLGAN_LAYER_MAXPOOL:
    case CLGAN_LAYER_AVGPOOL: return k2 * out;
    case CLGAN_LAYER_MBSTD: return 4 * in;
    case CLGAN_LAYER_RESHAPE:
    case CLGAN_LAYER_CONCAT_LABELS: return 0;
    }
    return 0;
}

/* Floats per image layer L keeps between forward and backward. */
static size_t layer_act_floats(const net_layer *L)
{
    const clgan_layer_spec *s = &L->spec;
    size_t out = (size_t)L->out_c * L->out_h * L->out_w;
    switch (s->kind) {
    case CLGAN_LAYER_RESHAPE: return 0;                                    /* a view of its input */
    case CLGAN_LAYER_MAXPOOL: return 2 * out;                              /* output, argmax */
    case CLGAN_LAYER_CONCAT_LABELS: return out + (size_t)s->out * L->in_h * L->in_w; /* output, one-hot */
    default: return out;
    }
}

clgan_status clgan_net_specs_summary(int in_c, int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                     clgan_layer_summary *rows)
{
    net_layer *layers;
    size_t sf = 0;
    if (!rows) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_specs_summary: no table for the rows");
    TRY(lay_out_host("clgan_net_specs_summary", in_c, in_h, in_w, specs, n_layers, &layers, &sf));
    for (int i = 0; i < n_layers; i++) {
        const net_layer *L = &layers[i];
        clgan_layer_summary *r = &rows[i];
        r->kind = L->spec.kind;
        r->c = L->out_c, r->h = L->out_h, r->w = L->out_w;
        r->params = L->w_count + L->b_count;
        r->state = L->s_count;
        r->flops = layer_flops(L);
        r->act_floats = layer_act_floats(L);
    }
    free(layers);
    return CLGAN_OK;
}

static clgan_status make_views(clgan_net *net, net_layer *L)
{
    clgan_ctx *ctx = net->ctx;
    if (L->w_count) {
        TRY(clgan_tensor_view(ctx, net->param_mem, L->w_off, (int)L->w_count, 1, 1, 1, &L->w));
        TRY(clgan_tensor_view(ctx, net->grad_mem, L->w_off, (int)L->w_count, 1, 1, 1, &L->dw));
    }
    if (L->b_count) {
        TRY(clgan_tensor_view(ctx, net->param_mem, L->b_off, (int)L->b_count, 1, 1, 1, &L->b));
        TRY(clgan_tensor_view(ctx, net->grad_mem, L->b_off, (int)L->b_count, 1, 1, 1, &L->db));
    }
    if (L->spec.kind == CLGAN_LAYER_BATCHNORM) {
        size_t align = clgan_sub_align_floats(ctx);
        TRY(clgan_tensor_view(ctx, net->state_mem, L->stat_off, L->in_c, 1, 1, 1, &L->run_mean));
        TRY(clgan_tensor_view(ctx, net->state_mem, L->stat_off + align_up((size_t)L->in_c, align), L->in_c, 1, 1, 1,
                              &L->run_var));
        TRY(clgan_tensor_alloc(ctx, L->in_c, 1, 1, 1, &L->save_mean));
        TRY(clgan_tensor_alloc(ctx, L->in_c, 1, 1, 1, &L->save_inv_std));
    }
    if (L->spec.kind == CLGAN_LAYER_DENSE && L->spec.weight_norm) {
        int in = L->in_c * L->in_h * L->in_w;
        TRY(clgan_tensor_alloc(ctx, L->spec.out, in, 1, 1, &L->wn_w));
        TRY(clgan_tensor_alloc(ctx, L->spec.out, in, 1, 1, &L->wn_dw));
        TRY(clgan_tensor_alloc(ctx, L->spec.out, 1, 1, 1, &L->wn_norm));
    }
    return CLGAN_OK;
}

/* Parameter floats [off, off + n) of the block <-> host. */
static clgan_status params_read(clgan_net *net, size_t off, size_t n, float *dst)
{
    return clgan_buffer_read(net->ctx, net->param_mem, off * sizeof(float), n * sizeof(float), dst);
}
static clgan_status params_write(clgan_net *net, size_t off, size_t n, const float *src)
{
    return clgan_buffer_write(net->ctx, net->param_mem, off * sizeof(float), n * sizeof(float), src);
}

/* A weight-normalised dense layer's scales g = 1 (after v was drawn). */
static clgan_status init_wn_scales(clgan_net *net, net_layer *L)
{
    size_t out = (size_t)L->spec.out;
    float *ones = malloc(out * sizeof *ones);
    if (!ones) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory initialising weight-norm scales");
    for (size_t o = 0; o < out; o++) ones[o] = 1.0f;
    clgan_status st = params_write(net, L->w_off + L->w_count - out, out, ones);
    free(ones);
    return st;
}

static clgan_status init_layer(clgan_net *net, net_layer *L, clgan_rng *rng)
{
    const clgan_layer_spec *s = &L->spec;
    clgan_ctx *ctx = net->ctx;
    if (s->kind == CLGAN_LAYER_BATCHNORM) {
        TRY(clgan_init_constant(ctx, &L->w, 1.0f)); /* gamma = 1, beta = 0 (zeroed block) */
        return clgan_init_constant(ctx, &L->run_var, 1.0f);
    }
    if (!L->w_count) return CLGAN_OK;
    if (s->kind == CLGAN_LAYER_DENSE && s->weight_norm) { /* only v's direction matters: N(0, 0.05), g = 1 */
        TRY(clgan_init_normal(ctx, rng, &L->w, 0.0, 0.05));
        return init_wn_scales(net, L);
    }
    int k2 = s->k ? s->k * s->k : 1;
    int fan_in, fan_out;
    if (s->kind == CLGAN_LAYER_DENSE) fan_in = L->in_c * L->in_h * L->in_w, fan_out = s->out;
    else if (s->kind == CLGAN_LAYER_CONV2D) fan_in = L->in_c * k2, fan_out = s->out * k2;
    else fan_in = s->out * k2, fan_out = L->in_c * k2; /* conv_transpose: W is [IC, OC, K, K] */
    switch (s->init) {
    case CLGAN_INIT_XAVIER: return clgan_init_xavier_uniform(ctx, rng, &L->w, fan_in, fan_out);
    case CLGAN_INIT_HE: return clgan_init_he_normal(ctx, rng, &L->w, fan_in);
    default: return clgan_init_normal(ctx, rng, &L->w, 0.0, s->init_std);
    }
}

clgan_status clgan_net_create(clgan_ctx *ctx, int in_c, int in_h, int in_w, const clgan_layer_spec *specs,
                              int n_layers, uint64_t seed, clgan_net **out)
{
    if (!ctx || !out || !specs || n_layers <= 0 || in_c <= 0 || in_h <= 0 || in_w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_create: bad arguments (input [%d,%d,%d], %d layers)",
                          in_c, in_h, in_w, n_layers);
    *out = NULL;
    clgan_net *net = calloc(1, sizeof *net);
    net_layer *layers = calloc((size_t)n_layers, sizeof *layers);
    if (!net || !layers) {
        free(net);
        free(layers);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a net");
    }
    net->ctx = ctx, net->in_c = in_c, net->in_h = in_h, net->in_w = in_w;
    net->n_layers = n_layers, net->layers = layers, net->seed = seed;
    snprintf(net->name, sizeof net->name, "net");
    size_t align = clgan_sub_align_floats(ctx);
    clgan_status st = lay_out(layers, specs, n_layers, in_c, in_h, in_w, align, &net->param_floats, &net->state_floats,
                              &net->trainable);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (net->param_floats ? net->param_floats : 1) * sizeof(float), &net->param_mem);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (net->param_floats ? net->param_floats : 1) * sizeof(float), &net->grad_mem);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (net->state_floats ? net->state_floats : 1) * sizeof(float), &net->state_mem);
    if (st == CLGAN_OK && net->param_floats) {
        st = clgan_tensor_view(ctx, net->param_mem, 0, (int)net->param_floats, 1, 1, 1, &net->params);
        if (st == CLGAN_OK) st = clgan_tensor_view(ctx, net->grad_mem, 0, (int)net->param_floats, 1, 1, 1, &net->grads);
    }
    clgan_rng rng;
    clgan_rng_seed(&rng, seed);
    for (int i = 0; i < n_layers && st == CLGAN_OK; i++) st = make_views(net, &layers[i]);
    for (int i = 0; i < n_layers && st == CLGAN_OK; i++) st = init_layer(net, &layers[i], &rng);
    if (st != CLGAN_OK) {
        clgan_net_free(net);
        return st;
    }
    name_scopes(net);
    *out = net;
    return CLGAN_OK;
}

static void unplan(clgan_net *net)
{
    clgan_ctx *ctx = net->ctx;
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *L = &net->layers[i];
        if (L->spec.kind != CLGAN_LAYER_RESHAPE) {
            clgan_tensor_free(ctx, &L->out);
            clgan_tensor_free(ctx, &L->dout);
        } else if (i == 0) {
            clgan_tensor_free(ctx, &L->dout);
        }
        memset(&L->out, 0, sizeof L->out);
        memset(&L->dout, 0, sizeof L->dout);
        clgan_tensor_free(ctx, &L->onehot);
        clgan_tensor_free(ctx, &L->scratch);
        clgan_buffer_release(ctx, L->argmax);
        L->argmax = NULL;
    }
    clgan_conv_workspace_free(ctx, &net->ws);
    net->batch = 0;
}

void clgan_net_free(clgan_net *net)
{
    if (!net) return;
    unplan(net);
    clgan_ctx *ctx = net->ctx;
    for (int i = 0; i < net->n_layers; i++) {
        net_layer *L = &net->layers[i];
        clgan_tensor *views[] = {&L->w, &L->b, &L->dw, &L->db, &L->run_mean, &L->run_var};
        for (size_t v = 0; v < sizeof views / sizeof views[0]; v++)
            if (views[v]->mem) clReleaseMemObject(views[v]->mem);
        clgan_tensor_free(ctx, &L->save_mean);
        clgan_tensor_free(ctx, &L->save_inv_std);
        clgan_tensor_free(ctx, &L->wn_w);
        clgan_tensor_free(ctx, &L->wn_dw);
        clgan_tensor_free(ctx, &L->wn_norm);
    }
    if (net->params.mem) clReleaseMemObject(net->params.mem);
    if (net->grads.mem) clReleaseMemObject(net->grads.mem);
    clgan_tensor_free(ctx, &net->opt_m);
    clgan_tensor_free(ctx, &net->opt_v);
    clgan_buffer_release(ctx, net->param_mem);
    clgan_buffer_release(ctx, net->grad_mem);
    clgan_buffer_release(ctx, net->state_mem);
    free(net->layers);
    free(net);
}

clgan_status clgan_net_plan(clgan_net *net, int n)
{
    if (n <= 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_plan: batch size %d must be positive", n);
    if (net->batch == n) return CLGAN_OK;
    unplan(net);
    clgan_ctx *ctx = net->ctx;
    size_t col = 0, tmp = 0;
    clgan_status st = CLGAN_OK;
    for (int i = 0; i < net->n_layers && st == CLGAN_OK; i++) {
        net_layer *L = &net->layers[i];
        if (L->spec.kind == CLGAN_LAYER_RESHAPE) {
            /* A view of the neighbour's buffers: out is set at forward time. */
            if (i > 0) L->dout = net->layers[i - 1].dout;
            else st = clgan_tensor_alloc(ctx, n, L->in_c, L->in_h, L->in_w, &L->dout);
            L->dout.n = n, L->dout.c = L->out_c, L->dout.h = L->out_h, L->dout.w = L->out_w;
            continue;
        }
        uint64_t count = mul_sat((uint64_t)n, mul_sat(mul_sat((uint64_t)L->out_c, (uint64_t)L->out_h), (uint64_t)L->out_w));
        if (count > NET_MAX_FLOATS) {
            st = clgan_fail(CLGAN_ERR_INVALID_ARG,
                            "layer %d (%s): its output for a batch of %d would hold %llu floats, more than the "
                            "kernels' limit of %d; use a smaller batch",
                            i, clgan_layer_kind_name(L->spec.kind), n, (unsigned long long)count, INT_MAX);
            break;
        }
        st = clgan_tensor_alloc(ctx, n, L->out_c, L->out_h, L->out_w, &L->out);
        if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, n, L->out_c, L->out_h, L->out_w, &L->dout);
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_MAXPOOL)
            st = clgan_buffer_create(ctx, L->out.count * sizeof(int32_t), &L->argmax);
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_CONCAT_LABELS)
            st = clgan_tensor_alloc(ctx, n, L->spec.out, L->in_h, L->in_w, &L->onehot);
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_BATCHNORM && i == 0)
            st = clgan_tensor_alloc(ctx, n, L->in_c, L->in_h, L->in_w, &L->scratch);
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_MBSTD)
            st = clgan_tensor_alloc(ctx, (int)clgan_mbstd_scratch_floats(n, L->in_c, L->in_h, L->in_w), 1, 1, 1,
                                    &L->scratch);
        size_t c1 = 0, t1 = 0;
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_CONV2D)
            st = clgan_conv2d_workspace_floats(&L->conv, n, L->in_c, L->in_h, L->in_w, L->out_c, &c1, &t1);
        if (st == CLGAN_OK && L->spec.kind == CLGAN_LAYER_CONV_TRANSPOSE)
            st = clgan_conv_transpose2d_workspace_floats(&L->conv, n, L->in_c, L->in_h, L->in_w, L->out_c, &c1, &t1);
        if (c1 > col) col = c1;
        if (t1 > tmp) tmp = t1;
    }
    if (st == CLGAN_OK && (col || tmp)) st = clgan_conv_workspace_create(ctx, col, tmp, &net->ws);
    if (st != CLGAN_OK) {
        unplan(net);
        return clgan_fail_context(st, "planning buffers for batch size %d", n);
    }
    net->batch = n;
    return CLGAN_OK;
}

/* ---- forward / backward -------------------------------------------------- */

static clgan_status copy_tensor(clgan_ctx *ctx, const clgan_tensor *src, clgan_tensor *dst)
{
    CL_TRY(clEnqueueCopyBuffer(ctx->queue, src->mem, dst->mem, 0, 0, src->count * sizeof(float), 0, NULL,
                               clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "copy");
    return CLGAN_OK;
}

static clgan_status layer_forward(clgan_net *net, int i, const clgan_tensor *x, cl_mem labels, int training)
{
    net_layer *L = &net->layers[i];
    clgan_ctx *ctx = net->ctx;
    const clgan_layer_spec *s = &L->spec;
    switch (s->kind) {
    case CLGAN_LAYER_DENSE:
        if (s->weight_norm) {
            TRY(clgan_wn_weights(ctx, s->out, (int)L->wn_w.c, &L->w, &L->wn_w, &L->wn_norm));
            return clgan_dense_forward(ctx, x, &L->wn_w, L->b_count ? &L->b : NULL, &L->out);
        }
        return clgan_dense_forward(ctx, x, &L->w, L->b_count ? &L->b : NULL, &L->out);
    case CLGAN_LAYER_CONV2D:
        return clgan_conv2d_forward(ctx, &L->conv, &net->ws, x, &L->w, L->b_count ? &L->b : NULL, &L->out);
    case CLGAN_LAYER_CONV_TRANSPOSE:
        return clgan_conv_transpose2d_forward(ctx, &L->conv, &net->ws, x, &L->w, L->b_count ? &L->b : NULL, &L->out);
    case CLGAN_LAYER_BATCHNORM: /* gamma in w, beta in b; dense activations [N,F,1,1] are per feature */
        return clgan_batchnorm_forward(ctx, training, CLGAN_BN_MOMENTUM, CLGAN_BN_EPS, x, &L->w, &L->b, &L->run_mean,
                                       &L->run_var, &L->save_mean, &L->save_inv_std, &L->out);
    case CLGAN_LAYER_ACTIVATION: return clgan_act_forward(ctx, s->act, s->slope, x, &L->out);
    case CLGAN_LAYER_DROPOUT:
        if (!training || s->p == 0) return copy_tensor(ctx, x, &L->out);
        /* A fresh mask for every training forward, derived from (step, forward
         * within the step, layer) so a resumed run draws the same masks. */
        L->dropout_stream = ((uint64_t)net->step * 64 + (uint64_t)net->forwards_this_step) * (uint64_t)net->n_layers +
                            (uint64_t)i;
        return clgan_dropout_forward(ctx, s->p, net->seed, L->dropout_stream, x, &L->out);
    case CLGAN_LAYER_GAUSSIAN_NOISE:
        if (!training || s->p == 0) return copy_tensor(ctx, x, &L->out);
        L->dropout_stream = ((uint64_t)net->step * 64 + (uint64_t)net->forwards_this_step) * (uint64_t)net->n_layers +
                            (uint64_t)i; /* fresh noise per training forward, as dropout */
        return clgan_gaussian_noise_forward(ctx, s->p, net->seed, L->dropout_stream, x, &L->out);
    case CLGAN_LAYER_MAXPOOL: return clgan_maxpool_forward(ctx, s->k, s->stride, x, &L->out, L->argmax);
    case CLGAN_LAYER_AVGPOOL: return clgan_avgpool_forward(ctx, s->k, s->stride, x, &L->out);
    case CLGAN_LAYER_RESHAPE:
        L->out = *x;
        L->out.c = L->out_c, L->out.h = L->out_h, L->out.w = L->out_w;
        return CLGAN_OK;
    case CLGAN_LAYER_CONCAT_LABELS:
        if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "this net is conditional: forward needs class labels");
        TRY(clgan_one_hot_forward(ctx, labels, &L->onehot));
        return clgan_concat_forward(ctx, x, &L->onehot, &L->out);
    case CLGAN_LAYER_MBSTD: return clgan_mbstd_forward(ctx, x, &L->scratch, &L->out);
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown layer kind %d", (int)s->kind);
}

/* dx may be NULL (no input gradient wanted). */
static clgan_status layer_backward(clgan_net *net, int i, const clgan_tensor *x, clgan_tensor *dx)
{
    net_layer *L = &net->layers[i];
    clgan_ctx *ctx = net->ctx;
    const clgan_layer_spec *s = &L->spec;
    switch (s->kind) {
    case CLGAN_LAYER_DENSE:
        if (s->weight_norm) { /* dL/dW into wn_dw (the W of the forward), then into dv, dg */
            TRY(clgan_buffer_fill_zero(ctx, L->wn_dw.mem, 0, L->wn_dw.count * sizeof(float)));
            TRY(clgan_dense_backward(ctx, x, &L->wn_w, &L->dout, dx, &L->wn_dw, L->b_count ? &L->db : NULL));
            return clgan_wn_grad(ctx, s->out, (int)L->wn_w.c, s->weight_norm == 2, &L->w, &L->wn_norm, &L->wn_dw,
                                 &L->dw);
        }
        return clgan_dense_backward(ctx, x, &L->w, &L->dout, dx, &L->dw, L->b_count ? &L->db : NULL);
    case CLGAN_LAYER_CONV2D:
        return clgan_conv2d_backward(ctx, &L->conv, &net->ws, x, &L->w, &L->dout, dx, &L->dw, L->b_count ? &L->db : NULL);
    case CLGAN_LAYER_CONV_TRANSPOSE:
        return clgan_conv_transpose2d_backward(ctx, &L->conv, &net->ws, x, &L->w, &L->dout, dx, &L->dw,
                                               L->b_count ? &L->db : NULL);
    case CLGAN_LAYER_BATCHNORM:
        /* The kernel always writes dx; a first layer without a caller dx writes it to scratch. */
        return clgan_batchnorm_backward(ctx, x, &L->w, &L->save_mean, &L->save_inv_std, &L->dout, dx ? dx : &L->scratch,
                                        &L->dw, &L->db);
    case CLGAN_LAYER_ACTIVATION:
        return dx ? clgan_act_backward(ctx, s->act, s->slope, x, &L->out, &L->dout, dx) : CLGAN_OK;
    case CLGAN_LAYER_DROPOUT:
        if (!dx) return CLGAN_OK;
        if (s->p == 0) return copy_tensor(ctx, &L->dout, dx);
        return clgan_dropout_backward(ctx, s->p, net->seed, L->dropout_stream, &L->dout, dx);
    case CLGAN_LAYER_GAUSSIAN_NOISE: return dx ? copy_tensor(ctx, &L->dout, dx) : CLGAN_OK;
    case CLGAN_LAYER_MAXPOOL:
        return dx ? clgan_maxpool_backward(ctx, s->k, s->stride, &L->dout, L->argmax, dx) : CLGAN_OK;
    case CLGAN_LAYER_AVGPOOL: return dx ? clgan_avgpool_backward(ctx, s->k, s->stride, &L->dout, dx) : CLGAN_OK;
    case CLGAN_LAYER_RESHAPE:
        /* Inner reshapes share their gradient buffer with the layer below; a
         * first-layer reshape hands its own buffer to the caller's dx. */
        return (i == 0 && dx) ? copy_tensor(ctx, &L->dout, dx) : CLGAN_OK;
    case CLGAN_LAYER_CONCAT_LABELS: return dx ? clgan_concat_backward(ctx, &L->dout, dx, NULL) : CLGAN_OK;
    case CLGAN_LAYER_MBSTD: return dx ? clgan_mbstd_backward(ctx, x, &L->dout, &L->scratch, dx) : CLGAN_OK;
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown layer kind %d", (int)s->kind);
}

clgan_status clgan_net_forward(clgan_net *net, const clgan_tensor *x, cl_mem labels, int training,
                               const clgan_tensor **y)
{
    if (!net->batch) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_forward: call clgan_net_plan first");
    if (x->n != net->batch || x->c != net->in_c || x->h != net->in_h || x->w != net->in_w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "net input is [%d,%d,%d,%d] but the net was planned for [%d,%d,%d,%d]",
                          x->n, x->c, x->h, x->w, net->batch, net->in_c, net->in_h, net->in_w);
    net->x = x;
    net->last_forward_training = training;
    const clgan_tensor *in = x;
    for (int i = 0; i < net->n_layers; i++) {
        const char *outer = clgan_profile_scope(net->ctx, net->layers[i].scope_fwd);
        clgan_status st = layer_forward(net, i, in, labels, training);
        clgan_profile_scope(net->ctx, outer);
        if (st != CLGAN_OK)
            return clgan_fail_context(st, "forward, layer %d (%s)", i, clgan_layer_kind_name(net->layers[i].spec.kind));
        in = &net->layers[i].out;
    }
    if (training) net->forwards_this_step++;
    if (y) *y = in;
    return CLGAN_OK;
}

clgan_tensor *clgan_net_output_grad(clgan_net *net) { return &net->layers[net->n_layers - 1].dout; }

const clgan_tensor *clgan_net_activation(const clgan_net *net, int layer)
{
    if (layer < 0 || layer >= net->n_layers || !net->x) return NULL;
    return &net->layers[layer].out;
}

clgan_tensor *clgan_net_layer_grad(clgan_net *net, int layer)
{
    if (layer < 0 || layer >= net->n_layers || !net->batch) return NULL;
    return &net->layers[layer].dout;
}

clgan_status clgan_net_backward(clgan_net *net, clgan_tensor *dx)
{
    return clgan_net_backward_from(net, net->n_layers - 1, dx);
}

clgan_status clgan_net_backward_from(clgan_net *net, int layer, clgan_tensor *dx)
{
    if (layer < 0 || layer >= net->n_layers)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_backward_from: layer %d is not in [0, %d)", layer,
                          net->n_layers);
    if (!net->x) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_backward: no forward pass to go back through");
    if (!net->last_forward_training)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_backward: the last forward was in inference mode; "
                                                 "backward needs a training forward");
    if (dx && dx->count != net->x->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_backward: dx holds %zu floats, the input %zu", dx->count,
                          net->x->count);
    /* Without a caller dx, nothing below the lowest layer with parameters
     * wants a gradient (e.g. D behind an input-noise layer): stop there. */
    int lowest = 0;
    while (!dx && lowest < layer && !net->layers[lowest].w_count && !net->layers[lowest].b_count) lowest++;
    for (int i = layer; i >= lowest; i--) {
        const clgan_tensor *x = i ? &net->layers[i - 1].out : net->x;
        clgan_tensor *din = i ? &net->layers[i - 1].dout : dx;
        if (i == lowest && !dx) din = NULL; /* nobody wants it */
        const char *outer = clgan_profile_scope(net->ctx, net->layers[i].scope_bwd);
        clgan_status st = layer_backward(net, i, x, din);
        clgan_profile_scope(net->ctx, outer);
        if (st != CLGAN_OK)
            return clgan_fail_context(st, "backward, layer %d (%s)", i, clgan_layer_kind_name(net->layers[i].spec.kind));
    }
    return CLGAN_OK;
}

clgan_status clgan_net_zero_grad(clgan_net *net)
{
    const char *outer = clgan_profile_scope(net->ctx, net->scope_opt);
    clgan_status st = clgan_buffer_fill_zero(net->ctx, net->grad_mem, 0, net->param_floats * sizeof(float));
    clgan_profile_scope(net->ctx, outer);
    return st;
}

/* One weight-normalised layer: from its outputs y [N,OUT] on the init batch,
 * g /= std_o and b = (b - mean_o) / std_o, so the new outputs are (y - mean) / std. */
static clgan_status init_wn_layer(clgan_net *net, net_layer *L, float *y, float *g, float *b)
{
    int N = net->batch, out = L->spec.out;
    TRY(clgan_tensor_download(net->ctx, &L->out, y));
    size_t g_off = L->w_off + L->w_count - (size_t)out;
    TRY(params_read(net, g_off, (size_t)out, g));
    if (L->b_count) TRY(params_read(net, L->b_off, (size_t)out, b));
    for (int o = 0; o < out; o++) {
        double m = 0, v = 0;
        for (int n = 0; n < N; n++) m += y[(size_t)n * out + o];
        m /= N;
        for (int n = 0; n < N; n++) v += (y[(size_t)n * out + o] - m) * (y[(size_t)n * out + o] - m);
        double sd = sqrt(v / N);
        if (!(sd > 1e-6)) continue; /* a unit that does not vary on this batch keeps its scale */
        g[o] = (float)(g[o] / sd);
        if (L->b_count) b[o] = (float)((b[o] - m) / sd);
    }
    TRY(params_write(net, g_off, (size_t)out, g));
    if (L->b_count) TRY(params_write(net, L->b_off, (size_t)out, b));
    return CLGAN_OK;
}

clgan_status clgan_net_init_from_data(clgan_net *net, const clgan_tensor *x)
{
    size_t most = 0;
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].spec.kind == CLGAN_LAYER_DENSE && net->layers[i].spec.weight_norm &&
            (size_t)net->layers[i].spec.out > most)
            most = (size_t)net->layers[i].spec.out;
    if (!most) return CLGAN_OK;
    if (!net->batch) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_init_from_data: call clgan_net_plan first");
    float *y = malloc((size_t)net->batch * most * sizeof *y), *g = malloc(most * sizeof *g),
          *b = malloc(most * sizeof *b);
    clgan_status st = y && g && b ? CLGAN_OK
                                  : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for data-dependent init");
    /* Bottom to top: each forward sees the layers below already normalised. */
    for (int i = 0; i < net->n_layers && st == CLGAN_OK; i++) {
        net_layer *L = &net->layers[i];
        if (L->spec.kind != CLGAN_LAYER_DENSE || !L->spec.weight_norm) continue;
        st = clgan_net_forward(net, x, NULL, 1, NULL);
        if (st == CLGAN_OK) st = init_wn_layer(net, L, y, g, b);
        if (st != CLGAN_OK) st = clgan_fail_context(st, "data-dependent init of layer %d", i);
    }
    free(y), free(g), free(b);
    net->forwards_this_step = 0; /* the first step draws the noise it would have drawn without the init */
    return st;
}

/* ---- optimizer steps ---------------------------------------------------- */

static clgan_status ensure_state(clgan_net *net, int both)
{
    if (!net->param_floats) return CLGAN_OK;
    if (!net->opt_m.mem) TRY(clgan_tensor_alloc(net->ctx, (int)net->param_floats, 1, 1, 1, &net->opt_m));
    if (both && !net->opt_v.mem) TRY(clgan_tensor_alloc(net->ctx, (int)net->param_floats, 1, 1, 1, &net->opt_v));
    return CLGAN_OK;
}

clgan_status clgan_net_adam_step(clgan_net *net, const clgan_adam_params *hp)
{
    TRY(ensure_state(net, 1));
    const char *outer = clgan_profile_scope(net->ctx, net->scope_opt);
    clgan_status st = net->param_floats ? clgan_adam_step(net->ctx, hp, (int)(net->step + 1), &net->params,
                                                          &net->grads, &net->opt_m, &net->opt_v)
                                        : CLGAN_OK;
    clgan_profile_scope(net->ctx, outer);
    TRY(st);
    net->step++;
    net->forwards_this_step = 0;
    return CLGAN_OK;
}

clgan_status clgan_net_sgd_step(clgan_net *net, const clgan_sgd_params *hp)
{
    TRY(ensure_state(net, 0));
    const char *outer = clgan_profile_scope(net->ctx, net->scope_opt);
    clgan_status st = net->param_floats ? clgan_sgd_step(net->ctx, hp, &net->params, &net->grads, &net->opt_m)
                                        : CLGAN_OK;
    clgan_profile_scope(net->ctx, outer);
    TRY(st);
    net->step++;
    net->forwards_this_step = 0;
    return CLGAN_OK;
}

/* ---- introspection ------------------------------------------------------ */

int clgan_net_layer_count(const clgan_net *net) { return net->n_layers; }
void clgan_net_output_shape(const clgan_net *net, int *c, int *h, int *w)
{
    clgan_net_layer_shape(net, net->n_layers - 1, c, h, w);
}
void clgan_net_layer_shape(const clgan_net *net, int layer, int *c, int *h, int *w)
{
    if (layer < 0 || layer >= net->n_layers) {
        *c = *h = *w = 0;
        return;
    }
    const net_layer *L = &net->layers[layer];
    *c = L->out_c, *h = L->out_h, *w = L->out_w;
}
size_t clgan_net_param_count(const clgan_net *net) { return net->trainable; }
size_t clgan_net_state_count(const clgan_net *net)
{
    size_t n = 0;
    for (int i = 0; i < net->n_layers; i++) n += net->layers[i].s_count;
    return n;
}
int64_t clgan_net_step(const clgan_net *net) { return net->step; }
clgan_tensor *clgan_net_params(clgan_net *net) { return &net->params; }
clgan_tensor *clgan_net_grads(clgan_net *net) { return &net->grads; }

size_t clgan_net_block_floats(const clgan_net *net, clgan_net_block block)
{
    return block == CLGAN_NET_STATE ? net->state_floats : net->param_floats;
}

static cl_mem block_mem(clgan_net *net, clgan_net_block block)
{
    switch (block) {
    case CLGAN_NET_PARAMS: return net->param_mem;
    case CLGAN_NET_STATE: return net->state_mem;
    case CLGAN_NET_OPT_M: return net->opt_m.mem;
    case CLGAN_NET_OPT_V: return net->opt_v.mem;
    }
    return NULL;
}

clgan_status clgan_net_read_block(clgan_net *net, clgan_net_block block, float *dst)
{
    size_t n = clgan_net_block_floats(net, block);
    cl_mem m = block_mem(net, block);
    if (!n) return CLGAN_OK;
    if (!m) { /* no optimizer state yet: it is all zeros */
        memset(dst, 0, n * sizeof *dst);
        return CLGAN_OK;
    }
    return clgan_buffer_read(net->ctx, m, 0, n * sizeof *dst, dst);
}

clgan_status clgan_net_write_block(clgan_net *net, clgan_net_block block, const float *src)
{
    size_t n = clgan_net_block_floats(net, block);
    if (!n) return CLGAN_OK;
    if (block == CLGAN_NET_OPT_M || block == CLGAN_NET_OPT_V) TRY(ensure_state(net, 1));
    return clgan_buffer_write(net->ctx, block_mem(net, block), 0, n * sizeof *src, src);
}

void clgan_net_set_step(clgan_net *net, int64_t step)
{
    net->step = step;
    net->forwards_this_step = 0;
}

void clgan_net_describe(const clgan_net *net, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    used += (size_t)snprintf(out + used, cap - used, "input            [%d,%d,%d]\n", net->in_c, net->in_h, net->in_w);
    for (int i = 0; i < net->n_layers && used < cap; i++) {
        const net_layer *L = &net->layers[i];
        used += (size_t)snprintf(out + used, cap - used, "%-16s [%d,%d,%d]  %zu params\n",
                                 clgan_layer_kind_name(L->spec.kind), L->out_c, L->out_h, L->out_w,
                                 L->w_count + L->b_count);
    }
    if (used < cap) snprintf(out + used, cap - used, "total            %zu params\n", net->trainable);
}
