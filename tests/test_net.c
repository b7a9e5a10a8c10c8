/* test_net.c — nets composed from layers: shape inference, a whole-net
 * gradient check by finite differences on the device (parameters and
 * input), no device allocation in steady-state training steps, re-planning
 * for another batch size, peak-memory reporting, the out-of-memory
 * message, and weight-normalised dense layers (data-dependent init, fixed
 * and trained scales, gradients by finite differences), and the per-layer
 * summary of specs (shapes, parameter and state counts against the built
 * net, FLOPs of a conv, a transposed conv and a dense layer by hand), and a
 * diffaugment layer in a net (identity in inference, a fresh draw per
 * training forward, a function of the step, backward the adjoint of the
 * last training forward). */
#include "test_util.h"
#include "nn/diffaug.h"
#include "nn/layer.h"
#include "nn/net.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum { N = 3, C = 2, H = 6, W = 6, K = 3 };

/* A conditional net touching every layer kind. */
static const clgan_layer_spec *specs(int *count)
{
    static clgan_layer_spec s[14];
    int i = 0;
    s[i++] = clgan_concat_labels(K);                 /* [5,6,6] */
    s[i++] = clgan_conv(4, 3, 2, 1);                 /* [4,3,3] */
    s[i++] = clgan_bn();
    s[i++] = clgan_activation(CLGAN_ACT_LEAKY_RELU, 0.2f);
    s[i++] = clgan_dropout(0.25f);
    s[i++] = clgan_conv_t(3, 4, 2, 1, 0);            /* [3,6,6] */
    s[i++] = clgan_activation(CLGAN_ACT_SIGMOID, 0);
    s[i++] = clgan_avgpool(2, 2);                    /* [3,3,3] */
    s[i++] = clgan_mbstd();                          /* [4,3,3] */
    s[i++] = clgan_reshape(36, 1, 1);
    s[i++] = clgan_dense(5);                         /* [5,1,1] */
    s[i++] = clgan_bn();
    s[i++] = clgan_activation(CLGAN_ACT_TANH, 0);
    s[i] = clgan_maxpool(1, 1);                      /* identity-shaped max pool */
    s[i].init = CLGAN_INIT_XAVIER;
    s[1].init = CLGAN_INIT_HE;
    *count = i + 1;
    return s;
}

/* L = sum_j r_j * y_j for the current parameters and input. */
static double loss_of(clgan_net *net, clgan_ctx *ctx, const clgan_tensor *x, cl_mem labels, const float *r, float *y,
                      size_t ny)
{
    const clgan_tensor *out;
    clgan_net_set_step(net, clgan_net_step(net)); /* same dropout masks on every forward of this test */
    if (clgan_net_forward(net, x, labels, 1, &out) != CLGAN_OK || clgan_tensor_download(ctx, out, y) != CLGAN_OK) {
        printf("forward: %s\n", clgan_last_error());
        return NAN;
    }
    double l = 0;
    for (size_t j = 0; j < ny; j++) l += (double)r[j] * y[j];
    return l;
}

static void set_value(clgan_ctx *ctx, clgan_tensor *t, size_t i, float v)
{
    clgan_buffer_write(ctx, t->mem, i * sizeof(float), sizeof(float), &v);
}

/* One scalar (a parameter or an input element) to perturb. */
typedef struct fd_target {
    clgan_net *net;
    clgan_ctx *ctx;
    clgan_tensor *x;
    cl_mem labels;
    const float *r;
    float *y;
    clgan_tensor *params;
    float *xin;
    size_t index;
    int is_input;
    float value;
} fd_target;

static double loss_at(fd_target *t, float v)
{
    if (t->is_input) {
        t->xin[t->index] = v;
        clgan_tensor_upload(t->ctx, t->x, t->xin);
    } else {
        set_value(t->ctx, t->params, t->index, v);
    }
    return loss_of(t->net, t->ctx, t->x, t->labels, t->r, t->y, N * 5);
}

static double richardson(fd_target *t)
{
    /* h is large because the last batchnorm normalises over only N = 3 samples,
     * which amplifies float rounding in the forward; Richardson removes the
     * h^2 truncation term that a large h would otherwise bring. */
    const double h = 2e-2;
    double d1 = (loss_at(t, t->value + (float)h) - loss_at(t, t->value - (float)h)) / (2 * h);
    double d2 = (loss_at(t, t->value + (float)(h / 2)) - loss_at(t, t->value - (float)(h / 2))) / h;
    loss_at(t, t->value); /* restore */
    return (4 * d2 - d1) / 3;
}

/* Per-unit mean and variance of a [n, units] activation; worst |mean| and |var - 1|. */
static void unit_stats(const float *a, int n, int units, double *worst_mean, double *worst_var)
{
    *worst_mean = *worst_var = 0;
    for (int u = 0; u < units; u++) {
        double m = 0, v = 0;
        for (int i = 0; i < n; i++) m += a[i * units + u];
        m /= n;
        for (int i = 0; i < n; i++) v += (a[i * units + u] - m) * (a[i * units + u] - m);
        v /= n;
        if (fabs(m) > *worst_mean) *worst_mean = fabs(m);
        if (fabs(v - 1) > *worst_var) *worst_var = fabs(v - 1);
    }
}

/* dense_wn(6, scale fixed) relu dense_wn(3, scale trained) on 4 inputs, batch 8. */
static void check_weight_norm_net(clgan_ctx *ctx)
{
    enum { WB = 8, WI = 4, WH = 6, WO = 3 };
    clgan_layer_spec ws[3] = {clgan_dense_wn(WH, 0), clgan_activation(CLGAN_ACT_RELU, 0), clgan_dense_wn(WO, 1)};
    clgan_net *net;
    MUST(clgan_net_create(ctx, WI, 1, 1, ws, 3, 77, &net));
    EXPECT(clgan_net_param_count(net) == (size_t)(WH * WI + WH + WH + WO * WH + WO + WO),
           "weight-norm net: v, g and b per layer (%zu floats)", clgan_net_param_count(net));
    MUST(clgan_net_plan(net, WB));
    float xin[WB * WI], r[WB * WO], y[WB * WO], a0[WB * WH], p_g[WH];
    for (int i = 0; i < WB * WI; i++) xin[i] = (float)((i * 13) % 17) / 4.0f - 2.0f;
    for (int i = 0; i < WB * WO; i++) r[i] = (float)((i * 5) % 7) / 3.0f - 1.0f;
    clgan_tensor x;
    MUST(clgan_tensor_alloc(ctx, WB, WI, 1, 1, &x));
    MUST(clgan_tensor_upload(ctx, &x, xin));

    /* Data-dependent init: both layers' outputs on x have mean 0, variance 1 per unit. */
    MUST(clgan_net_init_from_data(net, &x));
    const clgan_tensor *out;
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 0), a0));
    MUST(clgan_tensor_download(ctx, out, y));
    double m0, v0, m2, v2;
    unit_stats(a0, WB, WH, &m0, &v0);
    unit_stats(y, WB, WO, &m2, &v2);
    EXPECT(m0 < 1e-4 && v0 < 1e-3 && m2 < 1e-4 && v2 < 1e-3,
           "after init from data: per-unit |mean| %.1e, %.1e and |var - 1| %.1e, %.1e", m0, m2, v0, v2);

    /* Gradients of L = sum r*y against central differences at every parameter
     * float (padding included: both are 0 there), except the fixed scales of
     * layer 0 (floats 24..29, right after v), whose gradient must be exactly 0. */
    clgan_tensor *params = clgan_net_params(net), *grads = clgan_net_grads(net);
    size_t np = params->count;
    float *p = malloc(np * sizeof *p), *g = malloc(np * sizeof *g);
    MUST(clgan_net_zero_grad(net));
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), r));
    MUST(clgan_net_backward(net, NULL));
    MUST(clgan_tensor_download(ctx, params, p));
    MUST(clgan_tensor_download(ctx, grads, g));
    double worst = 0, fixed_grad = 0, fixed_slope = 0;
    for (size_t i = 0; i < np; i++) {
        const float h = 1e-3f; /* |v| is ~0.1 here: larger steps see the curvature */
        double l[2];
        for (int side = 0; side < 2; side++) {
            set_value(ctx, params, i, p[i] + (side ? -h : h));
            MUST(clgan_net_forward(net, &x, NULL, 1, &out));
            MUST(clgan_tensor_download(ctx, out, y));
            l[side] = 0;
            for (int j = 0; j < WB * WO; j++) l[side] += (double)r[j] * y[j];
        }
        set_value(ctx, params, i, p[i]);
        double num = (l[0] - l[1]) / (2 * h);
        if (i >= WH * WI && i < WH * WI + WH) {
            fixed_grad = fmax(fixed_grad, fabs(g[i]));
            fixed_slope = fmax(fixed_slope, fabs(num));
            continue;
        }
        double e = fabs(num - g[i]) / fmax(fabs(g[i]), 0.05);
        if (getenv("FD_DEBUG") && e > 0.005) printf("  wn param %zu num %.6f ana %.6f err %.3g\n", i, num, g[i], e);
        if (e > worst) worst = e;
    }
    EXPECT(worst < 0.02, "weight-norm net gradient vs finite differences at %zu floats: worst error %.2e", np, worst);
    EXPECT(fixed_grad == 0 && fixed_slope > 1e-3, "fixed scales get no gradient (%g; the loss does depend on them: %g)",
           fixed_grad, fixed_slope);

    /* Adam steps move v and the trained scales, never the fixed ones. */
    for (int i = 0; i < WH; i++) p_g[i] = p[WH * WI + i];
    clgan_adam_params adam = clgan_adam_default_params();
    adam.lr = 0.05f;
    for (int step = 0; step < 3; step++) {
        MUST(clgan_net_zero_grad(net));
        MUST(clgan_net_forward(net, &x, NULL, 1, &out));
        MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), r));
        MUST(clgan_net_backward(net, NULL));
        MUST(clgan_net_adam_step(net, &adam));
    }
    float *q = malloc(np * sizeof *q);
    MUST(clgan_tensor_download(ctx, params, q));
    int fixed_same = !memcmp(p_g, q + WH * WI, sizeof p_g), v_moved = memcmp(p, q, WH * WI * sizeof *p) != 0;
    EXPECT(fixed_same && v_moved, "after 3 Adam steps the fixed scales are unchanged and v moved");
    free(p), free(g), free(q);
    clgan_tensor_free(ctx, &x);
    clgan_net_free(net);
}

/* A net [diffaugment, conv]: the layer is the identity in inference, draws anew on every training
 * forward and the same again for the same step, and its backward (through the net, to dx) is the
 * adjoint of the map the last training forward applied: <y(x) - y(0), r> = <x, dx(r)> (the conv
 * is linear without its bias, so the whole net is affine in x). */
static void check_diffaugment_net(clgan_ctx *ctx)
{
    enum { DN = 4, DC = 3, DH = 8, DW = 8, DOUT = 2 * DH * DW };
    clgan_layer_spec s[2] = {clgan_diffaugment(CLGAN_DIFFAUG_ALL), clgan_conv(2, 3, 1, 1)};
    s[1].bias = 0;
    clgan_net *net;
    MUST(clgan_net_create(ctx, DC, DH, DW, s, 2, 21, &net));
    MUST(clgan_net_plan(net, DN));
    static float xv[DN * DC * DH * DW], zero[DN * DC * DH * DW], r[DN * DOUT], y[DN * DOUT], y0[DN * DOUT],
        y_again[DN * DOUT], aug1[DN * DC * DH * DW], aug2[DN * DC * DH * DW], dxv[DN * DC * DH * DW];
    for (size_t i = 0; i < sizeof xv / sizeof xv[0]; i++) xv[i] = 0.5f + (float)((i * 37) % 19) / 19.0f;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) r[i] = (float)((i * 11) % 7) / 3.0f - 1.0f;
    clgan_tensor x, dx;
    const clgan_tensor *out;
    MUST(clgan_tensor_alloc(ctx, DN, DC, DH, DW, &x));
    MUST(clgan_tensor_alloc(ctx, DN, DC, DH, DW, &dx));
    MUST(clgan_tensor_upload(ctx, &x, xv));

    MUST(clgan_net_forward(net, &x, NULL, 0, &out));
    MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 0), aug1));
    EXPECT(!memcmp(aug1, xv, sizeof xv), "diffaugment: the identity in inference");
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 0), aug1));
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 0), aug2));
    EXPECT(memcmp(aug1, xv, sizeof xv) && memcmp(aug1, aug2, sizeof aug1),
           "diffaugment: a training forward augments, and the next one draws anew");
    clgan_net_set_step(net, clgan_net_step(net));
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 0), aug2));
    EXPECT(!memcmp(aug1, aug2, sizeof aug1), "diffaugment: the first forward of a step draws the same again");

    /* y(0) then y(x) at the same draws (the step's first forward), then backward from r */
    MUST(clgan_tensor_upload(ctx, &x, zero));
    clgan_net_set_step(net, clgan_net_step(net));
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, out, y0));
    MUST(clgan_tensor_upload(ctx, &x, xv));
    clgan_net_set_step(net, clgan_net_step(net));
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, out, y));
    MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), r));
    MUST(clgan_net_backward(net, &dx));
    MUST(clgan_tensor_download(ctx, &dx, dxv));
    double lhs = 0, rhs = 0, scale = 0;
    for (size_t i = 0; i < sizeof y / sizeof y[0]; i++) lhs += ((double)y[i] - y0[i]) * r[i], scale += fabs(y[i] * r[i]);
    for (size_t i = 0; i < sizeof xv / sizeof xv[0]; i++) rhs += (double)xv[i] * dxv[i];
    EXPECT(fabs(lhs - rhs) <= 1e-5 * (scale > 1 ? scale : 1),
           "diffaugment in a net: <y(x) - y(0), r> = %.9g, <x, dx> = %.9g", lhs, rhs);
    /* a later training forward at other draws leaves the earlier y behind */
    MUST(clgan_net_forward(net, &x, NULL, 1, &out));
    MUST(clgan_tensor_download(ctx, out, y_again));
    EXPECT(memcmp(y, y_again, sizeof y) != 0, "diffaugment: the net's output moves with the draws");
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &dx);
    clgan_net_free(net);
}

/* clgan_net_specs_summary against the net built from the same specs: each
 * row's shape is the layer's, the row sums of params and state are the net's
 * counts; returns the rows (caller frees) or NULL after a failure. */
static clgan_layer_summary *check_summary(clgan_ctx *ctx, const char *what, int c, int h, int w,
                                          const clgan_layer_spec *s, int n)
{
    clgan_layer_summary *rows = calloc((size_t)n, sizeof *rows);
    clgan_net *net;
    MUST(clgan_net_create(ctx, c, h, w, s, n, 5, &net));
    MUST(clgan_net_specs_summary(c, h, w, s, n, rows));
    size_t params = 0, state = 0;
    int shapes = 1, kinds = 1;
    for (int i = 0; i < n; i++) {
        int lc, lh, lw;
        clgan_net_layer_shape(net, i, &lc, &lh, &lw);
        if (rows[i].c != lc || rows[i].h != lh || rows[i].w != lw) {
            printf("  layer %d: summary [%d,%d,%d], net [%d,%d,%d]\n", i, rows[i].c, rows[i].h, rows[i].w, lc, lh, lw);
            shapes = 0;
        }
        kinds = kinds && rows[i].kind == s[i].kind;
        params += rows[i].params;
        state += rows[i].state;
    }
    EXPECT(shapes && kinds, "%s: summary kinds and shapes are the net's layer shapes", what);
    EXPECT(params == clgan_net_param_count(net) && state == clgan_net_state_count(net) &&
               state <= clgan_net_block_floats(net, CLGAN_NET_STATE),
           "%s: summary sums %zu params, %zu state = the net's %zu, %zu (state block %zu)", what, params, state,
           clgan_net_param_count(net), clgan_net_state_count(net), clgan_net_block_floats(net, CLGAN_NET_STATE));
    clgan_net_free(net);
    return rows;
}

static void check_summaries(clgan_ctx *ctx)
{
    int table = 1;
    for (int k = 0; k < CLGAN_LAYER_KIND_COUNT; k++) {
        const clgan_layer_ops *ops = clgan_layer_ops_of((clgan_layer_kind)k);
        if (!ops || ops->kind != (clgan_layer_kind)k || !ops->infer || !ops->forward || !ops->backward || !ops->flops) {
            printf("  kind %d: %s\n", k, ops ? ops->name : "no entry");
            table = 0;
        }
    }
    EXPECT(table && !clgan_layer_ops_of(CLGAN_LAYER_KIND_COUNT) && !strcmp(clgan_layer_kind_name(CLGAN_LAYER_KIND_COUNT), "?"),
           "the layer table has every kind at its index with infer, forward, backward and flops");

    int n;
    const clgan_layer_spec *s = specs(&n);
    clgan_layer_summary *rows = check_summary(ctx, "every-kind net", C, H, W, s, n);
    /* Layer 1: conv 3x3 stride 2 on [5,6,6] -> [4,3,3]: 2*IC*K*K per output plus the bias. */
    double conv = 2.0 * 5 * 3 * 3 * (4 * 3 * 3) + 4 * 3 * 3;
    /* Layer 5: conv_transpose 4x4 from [4,3,3] -> [3,6,6]: every input float meets K*K*OC weights. */
    double conv_t = 2.0 * (4 * 3 * 3) * 4 * 4 * 3 + 3 * 6 * 6;
    /* Layer 10: dense 36 -> 5. */
    double dense = 2.0 * 36 * 5 + 5;
    EXPECT(rows[1].flops == conv && rows[5].flops == conv_t && rows[10].flops == dense,
           "FLOPs by hand: conv %.0f (%.0f), conv_transpose %.0f (%.0f), dense %.0f (%.0f)", rows[1].flops, conv,
           rows[5].flops, conv_t, rows[10].flops, dense);
    EXPECT(rows[2].state == 2 * 4 && rows[2].params == 2 * 4 && rows[9].act_floats == 0 &&
               rows[13].act_floats == 2 * 5 && rows[0].act_floats == (5 + 3) * 6 * 6,
           "batchnorm keeps mean and var, a reshape no activation, a max pool its argmax, the label concat its "
           "one-hot planes (%zu %zu %zu %zu %zu)",
           rows[2].state, rows[2].params, rows[9].act_floats, rows[13].act_floats, rows[0].act_floats);
    free(rows);

    /* The kinds the net above leaves out: Gaussian noise, weight-normalised dense without bias. */
    clgan_layer_spec more[4] = {clgan_gaussian_noise(0.1f), clgan_dense_wn(6, 1), clgan_bn(), clgan_dense(2)};
    more[1].bias = 0;
    rows = check_summary(ctx, "noise + weight-norm net", 3, 2, 2, more, 4);
    EXPECT(rows[1].params == 6 * 12 + 6 && rows[1].flops == 2.0 * 12 * 6, "weight-norm dense: v and g, %zu params, %.0f FLOPs",
           rows[1].params, rows[1].flops);
    free(rows);

    clgan_layer_spec da = clgan_diffaugment(CLGAN_DIFFAUG_ALL);
    rows = check_summary(ctx, "diffaugment", 3, 4, 4, &da, 1);
    EXPECT(rows[0].flops == 8.0 * 48 && rows[0].act_floats == 48 + CLGAN_DIFFAUG_DRAWS + 1 && rows[0].params == 0,
           "diffaugment: 8 FLOPs per float with colour, its output plus 9 floats per image (%.0f, %zu)", rows[0].flops,
           rows[0].act_floats);
    free(rows);

    clgan_layer_summary row = {0};
    clgan_layer_spec bad = clgan_conv(4, 9, 1, 0);
    EXPECT(clgan_net_specs_summary(C, H, W, &bad, 1, &row) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "layer 0") && row.c == 0,
           "summary refuses what net creation refuses: %s", clgan_last_error());
}

int main(void)
{
    int ndev = 0;
    if (clgan_device_count(&ndev) == CLGAN_ERR_NO_PLATFORM || ndev == 0) {
        printf("skipped: no OpenCL device\n");
        return 77;
    }
    clgan_ctx *ctx;
    MUST(clgan_ctx_create(NULL, &ctx));
    int n_layers;
    const clgan_layer_spec *s = specs(&n_layers);
    clgan_net *net;
    MUST(clgan_net_create(ctx, C, H, W, s, n_layers, 1234, &net));
    int oc, oh, ow;
    clgan_net_output_shape(net, &oc, &oh, &ow);
    EXPECT(oc == 5 && oh == 1 && ow == 1, "output shape [%d,%d,%d] is [5,1,1]", oc, oh, ow);
    size_t want_params = 4 * 5 * 9 + 4 + 2 * 4 + 4 * 3 * 16 + 3 + 36 * 5 + 5 + 2 * 5;
    EXPECT(clgan_net_param_count(net) == want_params, "parameter count %zu == %zu", clgan_net_param_count(net),
           want_params);
    char desc[2048];
    clgan_net_describe(net, desc, sizeof desc);
    EXPECT(strstr(desc, "conv_transpose2d") && strstr(desc, "[3,6,6]"), "describe lists layers and shapes");

    /* Bad specs are refused with a message. */
    clgan_layer_spec bad = clgan_conv(4, 9, 1, 0);
    clgan_net *bad_net = NULL;
    EXPECT(clgan_net_create(ctx, C, H, W, &bad, 1, 1, &bad_net) == CLGAN_ERR_INVALID_ARG && !bad_net &&
               strstr(clgan_last_error(), "layer 0"),
           "a 9x9 kernel on a 6x6 input is refused: %s", clgan_last_error());

    MUST(clgan_net_plan(net, N));
    float xin[N * C * H * W], r[N * 5], y[N * 5];
    srand(7);
    for (size_t i = 0; i < sizeof xin / sizeof xin[0]; i++) xin[i] = (float)rand() / (float)RAND_MAX * 2 - 1;
    for (size_t i = 0; i < N * 5; i++) r[i] = (float)rand() / (float)RAND_MAX * 2 - 1;
    int32_t lab[N] = {2, 0, 1};
    clgan_tensor x, dx;
    cl_mem labels;
    MUST(clgan_tensor_alloc(ctx, N, C, H, W, &x));
    MUST(clgan_tensor_alloc(ctx, N, C, H, W, &dx));
    MUST(clgan_tensor_upload(ctx, &x, xin));
    MUST(clgan_buffer_create(ctx, sizeof lab, &labels));
    MUST(clgan_buffer_write(ctx, labels, 0, sizeof lab, lab));

    const clgan_tensor *out;
    EXPECT(clgan_net_forward(net, &x, NULL, 1, &out) == CLGAN_ERR_INVALID_ARG, "conditional net without labels refused");

    /* Analytic gradients. */
    double l0 = loss_of(net, ctx, &x, labels, r, y, N * 5);
    int finite = 1;
    for (int j = 0; j < N * 5; j++) finite = finite && isfinite(y[j]) && fabsf(y[j]) <= 1;
    EXPECT(isfinite(l0) && finite, "forward output finite and in tanh range");
    const clgan_tensor *last = clgan_net_activation(net, n_layers - 1), *conv = clgan_net_activation(net, 1);
    EXPECT(last && last->n == N && last->c == 5 && conv && conv->c == 4 && conv->h == 3 &&
               !clgan_net_activation(net, n_layers),
           "clgan_net_activation gives each layer's output (last [N,5,1,1], layer 1 [N,4,3,3])");
    MUST(clgan_net_zero_grad(net));
    MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), r));
    MUST(clgan_net_backward(net, &dx));
    clgan_tensor *params = clgan_net_params(net), *grads = clgan_net_grads(net);
    size_t np = params->count;
    float *p = malloc(np * sizeof *p), *g = malloc(np * sizeof *g), gx[N * C * H * W];
    MUST(clgan_tensor_download(ctx, params, p));
    MUST(clgan_tensor_download(ctx, grads, g));
    MUST(clgan_tensor_download(ctx, &dx, gx));

    /* Central differences in float on the device, Richardson-extrapolated
     * ((4 D(h/2) - D(h)) / 3) to cancel the h^2 term, at the 60
     * largest-gradient parameters and 20 input elements. */
    fd_target t = {net, ctx, &x, labels, r, y, params, xin, 0, 0, 0};
    double worst = 0;
    int checked = 0;
    for (int pick = 0; pick < 60; pick++) {
        size_t best = 0;
        for (size_t i = 0; i < np; i++)
            if (fabsf(g[i]) > fabsf(g[best])) best = i;
        if (g[best] == 0) break;
        t.value = p[best], t.index = best, t.is_input = 0;
        double num = richardson(&t), ana = g[best];
        double e = fabs(num - ana) / fmax(fabs(ana), 0.05);
        if (getenv("FD_DEBUG")) printf("  param %zu num %.6f ana %.6f err %.3g\n", best, num, ana, e);
        if (e > worst) worst = e;
        g[best] = 0; /* next pick */
        checked++;
    }
    for (int k = 0; k < 20; k++) {
        size_t i = (size_t)(k * 37 + 5) % (N * C * H * W);
        t.value = xin[i], t.index = i, t.is_input = 1;
        double num = richardson(&t);
        double e = fabs(num - gx[i]) / fmax(fabs(gx[i]), 0.05);
        if (getenv("FD_DEBUG")) printf("  input %zu num %.6f ana %.6f err %.3g\n", i, num, (double)gx[i], e);
        if (e > worst) worst = e;
        checked++;
    }
    EXPECT(checked == 80 && worst < 0.03, "whole-net gradient vs finite differences at %d points: worst error %.2e",
           checked, worst);

    /* Steady state: after the first step (which creates the optimizer state),
     * training steps allocate nothing on the device. */
    clgan_adam_params adam = clgan_adam_default_params();
    uint64_t allocs[4];
    double losses[4];
    for (int step = 0; step < 4; step++) {
        MUST(clgan_net_zero_grad(net));
        losses[step] = loss_of(net, ctx, &x, labels, r, y, N * 5);
        MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), r));
        MUST(clgan_net_backward(net, &dx));
        MUST(clgan_net_adam_step(net, &adam));
        allocs[step] = clgan_ctx_alloc_count(ctx);
    }
    EXPECT(allocs[1] == allocs[0] && allocs[3] == allocs[0], "no device allocation in steady-state steps (%llu buffers)",
           (unsigned long long)allocs[0]);
    /* Compare L before and after under the same dropout masks (those of step 0). */
    clgan_net_set_step(net, 0);
    double after = loss_of(net, ctx, &x, labels, r, y, N * 5);
    clgan_net_set_step(net, 4);
    EXPECT(after < losses[0], "Adam steps lower L = sum(r*y): %.4f -> %.4f", losses[0], after);
    EXPECT(clgan_net_step(net) == 4, "step counter advanced to 4");

    /* Re-planning for another batch frees the old buffers. */
    size_t in_use = clgan_ctx_bytes_in_use(ctx);
    MUST(clgan_net_plan(net, 16));
    size_t big = clgan_ctx_bytes_in_use(ctx);
    MUST(clgan_net_plan(net, N));
    EXPECT(big > in_use && clgan_ctx_bytes_in_use(ctx) == in_use, "re-plan 3 -> 16 -> 3: %zu -> %zu -> %zu bytes", in_use,
           big, clgan_ctx_bytes_in_use(ctx));
    EXPECT(clgan_ctx_peak_bytes(ctx) >= big, "peak device memory %zu >= %zu", clgan_ctx_peak_bytes(ctx), big);

    /* Out of device memory: a clear message with sizes, and nothing changes. */
    const clgan_device_info *d = clgan_ctx_device(ctx);
    cl_mem huge = NULL;
    clgan_status st = clgan_buffer_create(ctx, (size_t)d->max_alloc_bytes + 4096, &huge);
    EXPECT(st == CLGAN_ERR_OUT_OF_MEMORY && !huge && strstr(clgan_last_error(), "MiB") &&
               strstr(clgan_last_error(), d->device_name),
           "oversized buffer: %s", clgan_last_error());
    /* A batch too big to plan, two ways, whatever the device's memory: layer
     * 0's output (5 x 6 x 6 floats a sample) past the kernels' int indices,
     * and (where the device's allocation limit lies below that) one buffer
     * past the allocation limit. Each failed plan releases what it took. */
    const uint64_t per_sample = 5 * 6 * 6;
    size_t before = clgan_ctx_bytes_in_use(ctx);
    st = clgan_net_plan(net, (int)(INT_MAX / per_sample + 1));
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "kernels' limit"),
           "planning a batch past the index limit: %s", clgan_last_error());
    EXPECT(clgan_ctx_bytes_in_use(ctx) <= before, "failed plan released what it had allocated");
    EXPECT(clgan_net_plan(net, N) == CLGAN_OK, "the net can be planned again after the failure");
    uint64_t alloc_batch = d->max_alloc_bytes / (per_sample * sizeof(float)) + 1;
    if (alloc_batch * per_sample <= INT_MAX) {
        st = clgan_net_plan(net, (int)alloc_batch);
        EXPECT(st == CLGAN_ERR_OUT_OF_MEMORY && strstr(clgan_last_error(), "batch size"),
               "planning a batch past the allocation limit: %s", clgan_last_error());
        EXPECT(clgan_ctx_bytes_in_use(ctx) <= before, "failed plan released what it had allocated");
        EXPECT(clgan_net_plan(net, N) == CLGAN_OK, "the net can be planned again after the failure");
    } else {
        printf("skip planning past the allocation limit: this device allocates %llu bytes at once, as much as int "
               "indices reach\n",
               (unsigned long long)d->max_alloc_bytes);
    }

    /* Review regressions: a first-layer batchnorm must not clobber saved
     * activations (two backwards give the same gradients), dropout draws a
     * new mask on every training forward, and backward after an inference
     * forward is refused. */
    {
        clgan_layer_spec bs[2] = {clgan_bn(), clgan_dense(3)};
        clgan_net *bn_net;
        MUST(clgan_net_create(ctx, 4, 1, 1, bs, 2, 9, &bn_net));
        MUST(clgan_net_plan(bn_net, 5));
        clgan_tensor bx;
        float xv[20], ones[15], g1[4096], g2[4096];
        for (int i = 0; i < 20; i++) xv[i] = (float)((i * 7) % 11) - 5;
        for (int i = 0; i < 15; i++) ones[i] = 1;
        MUST(clgan_tensor_alloc(ctx, 5, 4, 1, 1, &bx));
        MUST(clgan_tensor_upload(ctx, &bx, xv));
        MUST(clgan_net_forward(bn_net, &bx, NULL, 1, &out));
        size_t ng = clgan_net_grads(bn_net)->count;
        for (int rep = 0; rep < 2; rep++) {
            MUST(clgan_net_zero_grad(bn_net));
            MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(bn_net), ones));
            MUST(clgan_net_backward(bn_net, NULL));
            MUST(clgan_tensor_download(ctx, clgan_net_grads(bn_net), rep ? g2 : g1));
        }
        int same = ng <= 4096 && !memcmp(g1, g2, ng * sizeof(float));
        for (size_t k = 0; !same && k < ng && k < 4096; k++)
            if (g1[k] != g2[k]) printf("  grad %zu: %g vs %g\n", k, g1[k], g2[k]);
        EXPECT(same, "first-layer batchnorm: repeated backward is stable");
        MUST(clgan_net_forward(bn_net, &bx, NULL, 0, &out));
        EXPECT(clgan_net_backward(bn_net, NULL) == CLGAN_ERR_INVALID_ARG, "backward after an inference forward refused");
        clgan_net_free(bn_net);

        clgan_layer_spec ds[1] = {clgan_dropout(0.5f)};
        clgan_net *drop_net;
        float y1[20], y2[20];
        MUST(clgan_net_create(ctx, 4, 1, 1, ds, 1, 9, &drop_net));
        MUST(clgan_net_plan(drop_net, 5));
        MUST(clgan_net_forward(drop_net, &bx, NULL, 1, &out));
        MUST(clgan_tensor_download(ctx, out, y1));
        MUST(clgan_net_forward(drop_net, &bx, NULL, 1, &out));
        MUST(clgan_tensor_download(ctx, out, y2));
        EXPECT(memcmp(y1, y2, sizeof y1) != 0, "dropout: two training forwards in one step draw different masks");
        clgan_net_free(drop_net);
        clgan_tensor_free(ctx, &bx);
    }

    check_weight_norm_net(ctx);
    check_diffaugment_net(ctx);
    check_summaries(ctx);

    free(p);
    free(g);
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &dx);
    clgan_buffer_release(ctx, labels);
    clgan_net_free(net);
    EXPECT(clgan_ctx_bytes_in_use(ctx) == 0, "everything released (%zu bytes left)", clgan_ctx_bytes_in_use(ctx));
    clgan_ctx_free(ctx);
    return test_finish();
}
