/* net.c — sequential nets: the single parameter block, per-batch buffer
 * planning, and forward/backward over the layers. What each layer kind does
 * (shape, parameters, forward, backward) is its clgan_layer_ops (layer.h);
 * nothing here switches on the kind. */
#include "net.h"

#include "nn/layer.h"
#include "device/profile.h"

#include <limits.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    const clgan_reducer *reducer;          /* data-parallel training; NULL: one process */
    int64_t first_sample;                  /* this rank's first sample of every batch */
    int sync_bn;
    float *host_grads;                     /* [param_floats]: the gradients on their way through the reducer */
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
clgan_layer_spec clgan_diffaugment(unsigned policy)
{
    clgan_layer_spec s = spec_of(CLGAN_LAYER_DIFFAUGMENT);
    s.policy = policy;
    return s;
}

/* ---- shapes and layout -------------------------------------------------- */

/* The layer's output shape and parameter counts from its input shape, by its kind. */
static clgan_status infer_layer(net_layer *L, int index)
{
    const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
    if (!ops)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "layer %d: unknown layer kind %d", index, (int)L->spec.kind);
    L->out_c = L->in_c, L->out_h = L->in_h, L->out_w = L->in_w;
    L->w_count = L->b_count = L->stat_len = 0;
    L->stat_vecs = 0;
    return ops->infer(L, index);
}

/* infer_layer, then the output of one sample must fit the kernels' indexing
 * (a dense layer above reads it as one int-sized row). */
static clgan_status infer_layer_checked(net_layer *L, int index)
{
    TRY(infer_layer(L, index));
    uint64_t out = clgan_layer_out_floats(L);
    if (out > NET_MAX_FLOATS) return clgan_layer_too_many(index, &L->spec, "one sample's output", out);
    return CLGAN_OK;
}

/* Shapes and the parameter/state layout of every layer (offsets padded to
 * `align` floats), checking every count against NET_MAX_FLOATS. */
static clgan_status lay_out(net_layer *layers, const clgan_layer_spec *specs, int n_layers, int in_c, int in_h,
                            int in_w, size_t align, size_t *param_floats, size_t *state_floats, size_t *trainable)
{
    uint64_t pf = 0, sf = 0, tr = 0;
    int c = in_c, h = in_h, w = in_w;
    if (clgan_mul_sat(clgan_mul_sat((uint64_t)c, (uint64_t)h), (uint64_t)w) > NET_MAX_FLOATS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a net's input [%d,%d,%d] holds more than %d floats", c, h, w, INT_MAX);
    for (int i = 0; i < n_layers; i++) {
        net_layer *L = &layers[i];
        L->spec = specs[i];
        L->in_c = c, L->in_h = h, L->in_w = w;
        TRY(infer_layer_checked(L, i));
        c = L->out_c, h = L->out_h, w = L->out_w;
        L->w_off = (size_t)pf;
        pf += clgan_align_up(L->w_count, align); /* each term <= INT_MAX + align: no wrap before the check */
        L->b_off = (size_t)pf;
        pf += clgan_align_up(L->b_count, align);
        tr += L->w_count + L->b_count;
        L->stat_off = (size_t)sf;
        sf += (uint64_t)L->stat_vecs * clgan_align_up(L->stat_len, align);
        if (pf > NET_MAX_FLOATS || sf > NET_MAX_FLOATS)
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "layer %d (%s): the net's %s would pass %d floats (%.1f GiB) there; use a smaller width, "
                              "noise dimension or class count",
                              i, clgan_layer_kind_name(L->spec.kind),
                              pf > NET_MAX_FLOATS ? "parameters"
                                                  : "state (batchnorm statistics, spectral-norm vectors)",
                              INT_MAX,
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

/* Floats per image layer L keeps between forward and backward. */
static size_t layer_act_floats(const net_layer *L, const clgan_layer_ops *ops)
{
    if (ops->is_view) return 0;
    return (size_t)clgan_layer_out_floats(L) + (ops->extra_act_floats ? ops->extra_act_floats(L) : 0);
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
        const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
        clgan_layer_summary *r = &rows[i];
        r->kind = L->spec.kind;
        r->c = L->out_c, r->h = L->out_h, r->w = L->out_w;
        r->params = L->w_count + L->b_count;
        r->state = (size_t)L->stat_vecs * L->stat_len;
        r->flops = ops->flops(L);
        r->act_floats = layer_act_floats(L, ops);
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
    const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
    return ops->bind ? ops->bind(ctx, net->state_mem, L) : CLGAN_OK;
}

static clgan_status init_layer(clgan_net *net, net_layer *L, clgan_rng *rng)
{
    const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
    return ops->init ? ops->init(net->ctx, rng, L) : CLGAN_OK;
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
        if (!clgan_layer_ops_of(L->spec.kind)->is_view) {
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
        clgan_tensor *views[] = {&L->w, &L->b, &L->dw, &L->db, &L->run_mean, &L->run_var, &L->sn_u};
        for (size_t v = 0; v < sizeof views / sizeof views[0]; v++)
            if (views[v]->mem) clReleaseMemObject(views[v]->mem);
        clgan_tensor_free(ctx, &L->save_mean);
        clgan_tensor_free(ctx, &L->save_inv_std);
        clgan_tensor_free(ctx, &L->wn_w);
        clgan_tensor_free(ctx, &L->wn_dw);
        clgan_tensor_free(ctx, &L->wn_norm);
        clgan_sn_work_free(ctx, &L->sn);
    }
    if (net->params.mem) clReleaseMemObject(net->params.mem);
    if (net->grads.mem) clReleaseMemObject(net->grads.mem);
    clgan_tensor_free(ctx, &net->opt_m);
    clgan_tensor_free(ctx, &net->opt_v);
    free(net->host_grads);
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
        const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
        if (ops->is_view) {
            /* A view of the neighbour's buffers: out is set at forward time. */
            if (i > 0) L->dout = net->layers[i - 1].dout;
            else st = clgan_tensor_alloc(ctx, n, L->in_c, L->in_h, L->in_w, &L->dout);
            L->dout.n = n, L->dout.c = L->out_c, L->dout.h = L->out_h, L->dout.w = L->out_w;
            continue;
        }
        uint64_t count = clgan_mul_sat((uint64_t)n, clgan_layer_out_floats(L));
        if (count > NET_MAX_FLOATS) {
            st = clgan_fail(CLGAN_ERR_INVALID_ARG,
                            "layer %d (%s): its output for a batch of %d would hold %llu floats, more than the "
                            "kernels' limit of %d; use a smaller batch",
                            i, ops->name, n, (unsigned long long)count, INT_MAX);
            break;
        }
        st = clgan_tensor_alloc(ctx, n, L->out_c, L->out_h, L->out_w, &L->out);
        if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, n, L->out_c, L->out_h, L->out_w, &L->dout);
        size_t c1 = 0, t1 = 0;
        if (st == CLGAN_OK && ops->plan) st = ops->plan(ctx, L, i, n, &c1, &t1);
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

/* Layer i's forward through its kind's ops. */
static clgan_status layer_forward(clgan_net *net, int i, const clgan_tensor *x, cl_mem labels, int training)
{
    net_layer *L = &net->layers[i];
    /* Random streams (dropout masks, noise) derive from (step, forward within
     * the step, layer), so a resumed run draws the same numbers. */
    layer_pass pass = {
        .ctx = net->ctx,
        .ws = &net->ws,
        .seed = net->seed,
        .stream = ((uint64_t)net->step * 64 + (uint64_t)net->forwards_this_step) * (uint64_t)net->n_layers + (uint64_t)i,
        .labels = labels,
        .training = training,
        .index = i,
        .reducer = net->reducer,
        .sync_bn = net->sync_bn,
        .first_sample = net->first_sample,
    };
    return clgan_layer_ops_of(L->spec.kind)->forward(&pass, L, x);
}

/* dx may be NULL (no input gradient wanted). */
static clgan_status layer_backward(clgan_net *net, int i, const clgan_tensor *x, clgan_tensor *dx)
{
    net_layer *L = &net->layers[i];
    layer_pass pass = {.ctx = net->ctx,
                       .ws = &net->ws,
                       .seed = net->seed,
                       .index = i,
                       .reducer = net->reducer,
                       .sync_bn = net->sync_bn,
                       .first_sample = net->first_sample};
    return clgan_layer_ops_of(L->spec.kind)->backward(&pass, L, x, dx);
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

static int wants_data_init(const net_layer *L)
{
    const clgan_layer_ops *ops = clgan_layer_ops_of(L->spec.kind);
    return ops->data_init_wanted && ops->data_init_wanted(L);
}

clgan_status clgan_net_init_from_data(clgan_net *net, const clgan_tensor *x)
{
    int any = 0;
    for (int i = 0; i < net->n_layers; i++) any = any || wants_data_init(&net->layers[i]);
    if (!any) return CLGAN_OK;
    if (!net->batch) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_net_init_from_data: call clgan_net_plan first");
    clgan_status st = CLGAN_OK;
    /* Bottom to top: each forward sees the layers below already initialised. */
    for (int i = 0; i < net->n_layers && st == CLGAN_OK; i++) {
        net_layer *L = &net->layers[i];
        if (!wants_data_init(L)) continue;
        st = clgan_net_forward(net, x, NULL, 1, NULL);
        if (st == CLGAN_OK) st = clgan_layer_ops_of(L->spec.kind)->data_init(net->ctx, L, net->batch, net->reducer);
        if (st != CLGAN_OK) st = clgan_fail_context(st, "data-dependent init of layer %d", i);
    }
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

void clgan_net_set_data_parallel(clgan_net *net, const clgan_reducer *reducer, int64_t first_sample, int sync_bn)
{
    net->reducer = reducer && reducer->ranks > 1 ? reducer : NULL;
    net->first_sample = net->reducer ? first_sample : 0;
    net->sync_bn = net->reducer ? sync_bn != 0 : 0;
}

clgan_status clgan_reducer_share(const clgan_reducer *r, int batch, int *local, int64_t *first)
{
    int ranks = r ? r->ranks : 1;
    if (ranks < 1 || batch % ranks)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "a batch of %d cannot be split evenly over %d ranks: choose a --batch that is a multiple of %d",
                          batch, ranks, ranks);
    *local = batch / ranks;
    *first = r ? (int64_t)r->rank * *local : 0;
    return CLGAN_OK;
}

/* Data-parallel: the gradient block becomes its mean over the ranks. */
static clgan_status average_grads(clgan_net *net)
{
    const clgan_reducer *r = net->reducer;
    if (!r || !net->param_floats) return CLGAN_OK;
    if (!net->host_grads && !(net->host_grads = malloc(net->param_floats * sizeof *net->host_grads)))
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %zu gradients", net->param_floats);
    TRY(clgan_tensor_download(net->ctx, &net->grads, net->host_grads));
    TRY(r->sum_floats(r->self, net->host_grads, net->param_floats));
    float scale = 1.0f / (float)r->ranks;
    for (size_t i = 0; i < net->param_floats; i++) net->host_grads[i] *= scale;
    return clgan_tensor_upload(net->ctx, &net->grads, net->host_grads);
}

clgan_status clgan_net_average_statistics(clgan_net *net, const clgan_reducer *r)
{
    int any = 0;
    for (int i = 0; i < net->n_layers; i++)
        any = any || (clgan_layer_ops_of(net->layers[i].spec.kind)->state_averaged && net->layers[i].stat_vecs);
    if (!r || r->ranks < 2 || !any) return CLGAN_OK;
    size_t n = net->state_floats, align = clgan_sub_align_floats(net->ctx);
    float *own = malloc(2 * n * sizeof *own), *sum = own ? own + n : NULL;
    if (!own) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %zu statistics", n);
    clgan_status st = clgan_net_read_block(net, CLGAN_NET_STATE, own);
    if (st == CLGAN_OK) memcpy(sum, own, n * sizeof *sum), st = r->sum_floats(r->self, sum, n);
    for (int i = 0; i < net->n_layers && st == CLGAN_OK; i++) {
        const net_layer *L = &net->layers[i];
        if (!clgan_layer_ops_of(L->spec.kind)->state_averaged) continue; /* kept: the same on every rank */
        size_t end = L->stat_off + (size_t)L->stat_vecs * clgan_align_up(L->stat_len, align);
        for (size_t k = L->stat_off; k < end; k++) own[k] = sum[k] / (float)r->ranks;
    }
    if (st == CLGAN_OK) st = clgan_net_write_block(net, CLGAN_NET_STATE, own);
    free(own);
    return st;
}

/* One optimizer step over the whole parameter block (use_adam: Adam with
 * adam, else SGD with sgd), profiled under the net's optimizer scope; then
 * the next step. */
static clgan_status optimizer_step(clgan_net *net, int use_adam, const clgan_adam_params *adam,
                                   const clgan_sgd_params *sgd)
{
    TRY(ensure_state(net, use_adam));
    TRY(average_grads(net));
    const char *outer = clgan_profile_scope(net->ctx, net->scope_opt);
    clgan_status st = CLGAN_OK;
    if (net->param_floats && use_adam)
        st = clgan_adam_step(net->ctx, adam, (int)(net->step + 1), &net->params, &net->grads, &net->opt_m,
                             &net->opt_v);
    else if (net->param_floats)
        st = clgan_sgd_step(net->ctx, sgd, &net->params, &net->grads, &net->opt_m);
    clgan_profile_scope(net->ctx, outer);
    TRY(st);
    net->step++;
    net->forwards_this_step = 0;
    return CLGAN_OK;
}

clgan_status clgan_net_adam_step(clgan_net *net, const clgan_adam_params *hp)
{
    return optimizer_step(net, 1, hp, NULL);
}

clgan_status clgan_net_sgd_step(clgan_net *net, const clgan_sgd_params *hp)
{
    return optimizer_step(net, 0, NULL, hp);
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
    for (int i = 0; i < net->n_layers; i++) n += (size_t)net->layers[i].stat_vecs * net->layers[i].stat_len;
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

clgan_status clgan_net_copy_block(clgan_net *dst, clgan_net *src, clgan_net_block block)
{
    size_t n = clgan_net_block_floats(src, block);
    cl_mem from = block_mem(src, block), to = block_mem(dst, block);
    if (n != clgan_net_block_floats(dst, block) || (n && (!from || !to)))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "copying a net block of %zu floats into one of %zu", n,
                          clgan_net_block_floats(dst, block));
    if (!n) return CLGAN_OK;
    clgan_ctx *ctx = src->ctx;
    CL_TRY(clEnqueueCopyBuffer(ctx->queue, from, to, 0, 0, n * sizeof(float), 0, NULL, clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "copy");
    return CLGAN_OK;
}

clgan_status clgan_net_copy_state(clgan_net *dst, clgan_net *src)
{
    if (dst->param_floats != src->param_floats || dst->state_floats != src->state_floats)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "copying a net's state: %zu+%zu floats into %zu+%zu", src->param_floats,
                          src->state_floats, dst->param_floats, dst->state_floats);
    size_t most = src->param_floats > src->state_floats ? src->param_floats : src->state_floats;
    float *buf = malloc((most ? most : 1) * sizeof *buf);
    if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory copying a net (%zu floats)", most);
    clgan_status st = CLGAN_OK;
    int blocks = src->opt_m.mem ? (src->opt_v.mem ? CLGAN_NET_OPT_V : CLGAN_NET_OPT_M) : CLGAN_NET_STATE;
    for (int b = CLGAN_NET_PARAMS; b <= blocks && st == CLGAN_OK; b++) {
        st = clgan_net_read_block(src, (clgan_net_block)b, buf);
        if (st == CLGAN_OK) st = clgan_net_write_block(dst, (clgan_net_block)b, buf);
    }
    free(buf);
    if (st == CLGAN_OK) clgan_net_set_step(dst, src->step);
    return st;
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

/* ---- the public view of a net (clgan/net.h) ---------------------------- */

const clgan_layer_spec *clgan_net_layer_spec(const clgan_net *net, int layer, int *in_c, int *in_h, int *in_w)
{
    if (!net || layer < 0 || layer >= net->n_layers) return NULL;
    const net_layer *l = &net->layers[layer];
    *in_c = l->in_c, *in_h = l->in_h, *in_w = l->in_w;
    return &l->spec;
}

const char *clgan_net_layer_kind(const clgan_net *net, int layer)
{
    return net && layer >= 0 && layer < net->n_layers ? clgan_layer_kind_name(net->layers[layer].spec.kind) : NULL;
}

void clgan_net_input_shape(const clgan_net *net, int *c, int *h, int *w)
{
    *c = net->in_c, *h = net->in_h, *w = net->in_w;
}

size_t clgan_net_layer_param_count(const clgan_net *net, int layer)
{
    if (!net || layer < 0 || layer >= net->n_layers) return 0;
    return net->layers[layer].w_count + net->layers[layer].b_count;
}

/* Between the padded device block and the packed order of clgan/net.h:
 * packed_in -> padded when it is given, else padded -> packed_out. */
static void pack_params(const clgan_net *net, float *padded, const float *packed_in, float *packed_out)
{
    size_t at = 0;
    for (int i = 0; i < net->n_layers; i++) {
        const net_layer *L = &net->layers[i];
        size_t offs[2] = {L->w_off, L->b_off}, counts[2] = {L->w_count, L->b_count};
        for (int j = 0; j < 2; j++) {
            if (packed_in)
                memcpy(padded + offs[j], packed_in + at, counts[j] * sizeof *padded);
            else
                memcpy(packed_out + at, padded + offs[j], counts[j] * sizeof *padded);
            at += counts[j];
        }
    }
}

/* set 0: dst <- the device's parameters; set 1: the device's parameters <- src. */
static clgan_status params_transfer(clgan_net *net, float *dst, const float *src, size_t count, int set)
{
    const char *fn = set ? "net_set_params" : "net_get_params";
    if (!net || (set ? !src : !dst))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is NULL", fn, net ? "the array" : "net");
    if (count != net->trainable)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: count %zu, but the net has %zu trainable parameters", fn, count,
                          net->trainable);
    if (!net->param_floats) return CLGAN_OK;
    float *padded = calloc(net->param_floats, sizeof *padded);
    if (!padded)
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu floats", fn, net->param_floats);
    clgan_status st;
    if (set) {
        pack_params(net, padded, src, NULL);
        st = clgan_net_write_block(net, CLGAN_NET_PARAMS, padded);
    } else {
        st = clgan_net_read_block(net, CLGAN_NET_PARAMS, padded);
        if (st == CLGAN_OK) pack_params(net, padded, NULL, dst);
    }
    free(padded);
    return st;
}

clgan_status clgan_net_get_params(clgan_net *net, float *dst, size_t count)
{
    return params_transfer(net, dst, NULL, count, 0);
}
clgan_status clgan_net_set_params(clgan_net *net, const float *src, size_t count)
{
    return params_transfer(net, NULL, src, count, 1);
}
