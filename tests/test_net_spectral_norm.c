/* test_net_spectral_norm.c — nets with spectral-normalised conv2d and dense
 * layers (nn/spectral_norm.h): u in the state block beside batchnorm's
 * statistics (counts, summary); the output unchanged when W is scaled (the
 * layers compute with W / sigma(W)); u converging to W's top singular
 * vector over training forwards, an inference forward leaving the state
 * alone; whole-net gradients against central differences; a small
 * regression whose loss falls; a checkpoint round trip (the net's blocks
 * through a container file) after which the next step and outputs are
 * bit-identical, where a net without the saved u differs; data-parallel
 * averaging that averages batchnorm's statistics and keeps u; and the
 * specs it refuses. */
#include "test_files.h"
#include "test_util.h"
#include "nn/net.h"
#include "train/net_checkpoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 8, C = 2, H = 6, W = 6, NL = 6 };
enum { W0 = 4 * C * 3 * 3, IN3 = 4 * 3 * 3 }; /* layer 0's W [4, C*3*3]; layer 3's input */

/* conv(4, 3x3, stride 2) SN -> [4,3,3], tanh, batchnorm, dense(3) SN, tanh, dense(1) SN. Smooth
 * activations: a ReLU's kink near one output would spoil the finite differences of a whole row. */
static void make_specs(clgan_layer_spec *s)
{
    s[0] = clgan_conv(4, 3, 2, 1);
    s[1] = clgan_activation(CLGAN_ACT_TANH, 0);
    s[2] = clgan_bn();
    s[3] = clgan_dense(3);
    s[4] = clgan_activation(CLGAN_ACT_TANH, 0);
    s[5] = clgan_dense(1);
    s[0].init = s[3].init = s[5].init = CLGAN_INIT_HE; /* weights of order 1: finite differences see slopes */
    s[0].spectral_norm = s[3].spectral_norm = s[5].spectral_norm = 1;
}

static float *read_block(clgan_net *net, clgan_net_block b)
{
    float *p = malloc((clgan_net_block_floats(net, b) + 1) * sizeof *p);
    MUST(clgan_net_read_block(net, b, p));
    return p;
}

/* The net's output y [B] for x; training: a training forward (u updated). */
static void forward(clgan_net *net, clgan_ctx *ctx, const clgan_tensor *x, int training, float *y)
{
    const clgan_tensor *out;
    MUST(clgan_net_forward(net, x, NULL, training, &out));
    MUST(clgan_tensor_download(ctx, out, y));
}

static double mse(const float *y, const float *t)
{
    double l = 0;
    for (int i = 0; i < B; i++) l += (y[i] - t[i]) * (double)(y[i] - t[i]);
    return l / B;
}

/* One Adam step on the mean squared error to t; returns the loss of its forward. */
static double train_step(clgan_net *net, clgan_ctx *ctx, const clgan_tensor *x, const float *t, const clgan_adam_params *hp)
{
    float y[B], g[B];
    MUST(clgan_net_zero_grad(net));
    forward(net, ctx, x, 1, y);
    for (int i = 0; i < B; i++) g[i] = 2.0f * (y[i] - t[i]) / B;
    MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), g));
    MUST(clgan_net_backward(net, NULL));
    MUST(clgan_net_adam_step(net, hp));
    return mse(y, t);
}

/* Top left singular vector and value of M [rows, cols] by power iteration in double. */
static double top_singular(const float *M, int rows, int cols, double *u)
{
    double v[64], sigma = 0;
    for (int o = 0; o < rows; o++) u[o] = 1.0 + 0.1 * o;
    for (int it = 0; it < 3000; it++) {
        double nv = 0, nu = 0;
        for (int i = 0; i < cols; i++) {
            v[i] = 0;
            for (int o = 0; o < rows; o++) v[i] += M[o * cols + i] * u[o];
            nv += v[i] * v[i];
        }
        for (int i = 0; i < cols; i++) v[i] /= sqrt(nv);
        for (int o = 0; o < rows; o++) {
            u[o] = 0;
            for (int i = 0; i < cols; i++) u[o] += M[o * cols + i] * v[i];
            nu += u[o] * u[o];
        }
        sigma = sqrt(nu);
        for (int o = 0; o < rows; o++) u[o] /= sigma;
    }
    return sigma;
}

/* Fake two-rank reducer: the other rank's buffer is this one's plus 1. */
static clgan_status plus_other_rank(void *self, float *buf, size_t n)
{
    (void)self;
    for (size_t k = 0; k < n; k++) buf[k] = buf[k] + (buf[k] + 1.0f);
    return CLGAN_OK;
}

static void check_refusals(clgan_ctx *ctx)
{
    clgan_net *net = NULL;
    clgan_layer_spec wn = clgan_dense_wn(3, 1);
    wn.spectral_norm = 1;
    EXPECT(clgan_net_create(ctx, 4, 1, 1, &wn, 1, 1, &net) == CLGAN_ERR_INVALID_ARG && !net &&
               strstr(clgan_last_error(), "cannot be combined"),
           "weight_norm with spectral_norm on one dense layer refused: %s", clgan_last_error());
    clgan_layer_spec ct = clgan_conv_t(2, 4, 2, 1, 0);
    ct.spectral_norm = 1;
    EXPECT(clgan_net_create(ctx, 3, 4, 4, &ct, 1, 1, &net) == CLGAN_ERR_INVALID_ARG && !net &&
               strstr(clgan_last_error(), "dense and conv2d layers only"),
           "spectral_norm on conv_transpose2d refused: %s", clgan_last_error());
    clgan_layer_spec two = clgan_conv(2, 3, 1, 1);
    two.spectral_norm = 2;
    EXPECT(clgan_net_create(ctx, 3, 4, 4, &two, 1, 1, &net) == CLGAN_ERR_INVALID_ARG && !net &&
               strstr(clgan_last_error(), "spectral_norm is 2"),
           "spectral_norm 2 refused: %s", clgan_last_error());
}

int main(void)
{
    clgan_ctx *ctx = test_device_or_skip();
    clgan_layer_spec s[NL], plain[NL];
    make_specs(s);
    memcpy(plain, s, sizeof s);
    for (int i = 0; i < NL; i++) plain[i].spectral_norm = 0;

    /* 1. The state: u [4], batchnorm's mean and var [4] each, u [3], u [1]; no extra parameters. */
    clgan_net *net, *ref;
    MUST(clgan_net_create(ctx, C, H, W, s, NL, 11, &net));
    MUST(clgan_net_create(ctx, C, H, W, plain, NL, 11, &ref));
    clgan_layer_summary rows[NL];
    MUST(clgan_net_specs_summary(C, H, W, s, NL, rows));
    EXPECT(clgan_net_state_count(net) == 4 + 8 + 3 + 1 && clgan_net_state_count(ref) == 8 &&
               clgan_net_param_count(net) == clgan_net_param_count(ref) && rows[0].state == 4 && rows[2].state == 8 &&
               rows[3].state == 3 && rows[5].state == 1,
           "state: u per spectral-normalised layer beside batchnorm's statistics (%zu floats, %zu without), the "
           "same %zu parameters", clgan_net_state_count(net), clgan_net_state_count(ref), clgan_net_param_count(net));
    clgan_net_free(ref);

    MUST(clgan_net_plan(net, B));
    float xin[B * C * H * W], t[B], y0[B], y1[B];
    for (int i = 0; i < B * C * H * W; i++) xin[i] = (float)((i * 37) % 23) / 11.0f - 1.0f;
    for (int i = 0; i < B; i++) t[i] = (float)((i * 5) % 7) / 3.5f - 1.0f;
    clgan_tensor x;
    MUST(clgan_tensor_alloc(ctx, B, C, H, W, &x));
    MUST(clgan_tensor_upload(ctx, &x, xin));

    /* 2. u converges to layer 0's top singular vector over training forwards (W fixed: no steps);
     * an inference forward then leaves the whole state as it was. */
    size_t np = clgan_net_param_count(net);
    float *p = malloc(np * sizeof *p);
    MUST(clgan_net_get_params(net, p, np));
    double u_top[4];
    double sigma = top_singular(p, 4, C * 9, u_top);
    float *st0 = read_block(net, CLGAN_NET_STATE); /* layer 0's u is the block's first 4 floats */
    double start = 0, end = 0;
    for (int o = 0; o < 4; o++) start += st0[o] * u_top[o];
    for (int k = 0; k < 40; k++) forward(net, ctx, &x, 1, y0);
    float *st1 = read_block(net, CLGAN_NET_STATE);
    for (int o = 0; o < 4; o++) end += st1[o] * u_top[o];
    EXPECT(fabs(end) > 0.9999 && fabs(start) < 0.999,
           "40 training forwards turn u to W's top singular vector (sigma %.3f): |u.u_top| %.4f -> %.6f", sigma,
           fabs(start), fabs(end));
    forward(net, ctx, &x, 0, y0);
    float *st2 = read_block(net, CLGAN_NET_STATE);
    size_t ns = clgan_net_block_floats(net, CLGAN_NET_STATE);
    EXPECT(!memcmp(st1, st2, ns * sizeof *st1), "an inference forward leaves u and batchnorm's statistics alone");

    /* 3. Scaling W scales sigma alike: the inference output stays (a plain net's would triple). */
    for (int k = 0; k < W0; k++) p[k] *= 3.0f;
    MUST(clgan_net_set_params(net, p, np));
    forward(net, ctx, &x, 0, y1);
    double worst = 0;
    for (int i = 0; i < B; i++) worst = fmax(worst, fabs(y1[i] - y0[i]) / fmax(fabs(y0[i]), 1e-3));
    EXPECT(worst < 1e-4 && fabs(y0[0]) > 1e-3, "layer 0's W times 3: the output is unchanged (worst relative %.1e)",
           worst);
    for (int k = 0; k < W0; k++) p[k] /= 3.0f;
    MUST(clgan_net_set_params(net, p, np));

    /* 4. Whole-net gradients against central differences of the training forward, every forward
     * starting from the same (converged) state, so u does not drift between them. */
    float g[B], yy[B];
    forward(net, ctx, &x, 1, yy); /* u at its fixed point for the weights just restored */
    float *st = read_block(net, CLGAN_NET_STATE);
    for (int i = 0; i < B; i++) g[i] = (float)((i * 3) % 5) / 2.0f - 1.0f;
    MUST(clgan_net_write_block(net, CLGAN_NET_STATE, st));
    MUST(clgan_net_zero_grad(net));
    forward(net, ctx, &x, 1, yy);
    MUST(clgan_tensor_upload(ctx, clgan_net_output_grad(net), g));
    MUST(clgan_net_backward(net, NULL));
    clgan_tensor *params = clgan_net_params(net), *grads = clgan_net_grads(net);
    size_t nb = params->count;
    float *pb = malloc(nb * sizeof *pb), *gb = malloc(nb * sizeof *gb);
    MUST(clgan_tensor_download(ctx, params, pb));
    MUST(clgan_tensor_download(ctx, grads, gb));
    worst = 0;
    int checked = 0;
    for (size_t i = 0; i < nb; i++) {
        const float h = 1e-3f;
        double l[2];
        for (int side = 0; side < 2; side++) {
            float v = pb[i] + (side ? -h : h);
            MUST(clgan_buffer_write(ctx, params->mem, i * sizeof(float), sizeof v, &v));
            MUST(clgan_net_write_block(net, CLGAN_NET_STATE, st));
            forward(net, ctx, &x, 1, yy);
            l[side] = 0;
            for (int j = 0; j < B; j++) l[side] += (double)g[j] * yy[j];
        }
        MUST(clgan_buffer_write(ctx, params->mem, i * sizeof(float), sizeof pb[i], &pb[i]));
        double num = (l[0] - l[1]) / (2 * h), e = fabs(num - gb[i]) / fmax(fabs(gb[i]), 0.05);
        if (getenv("FD_DEBUG") && e > 0.005) printf("  param %zu num %.6f ana %.6f err %.3g\n", i, num, gb[i], e);
        worst = fmax(worst, e);
        checked += gb[i] != 0;
    }
    MUST(clgan_net_write_block(net, CLGAN_NET_STATE, st));
    EXPECT(worst < 0.02 && checked > (int)np / 2,
           "gradient vs central differences at every parameter (%d non-zero): worst error %.2e", checked, worst);
    free(st), free(pb), free(gb);

    /* 5. A small regression trains. */
    clgan_adam_params adam = clgan_adam_default_params();
    adam.lr = 1e-2f;
    double first = train_step(net, ctx, &x, t, &adam), last = first;
    for (int k = 1; k < 150; k++) last = train_step(net, ctx, &x, t, &adam);
    EXPECT(isfinite(last) && last < 0.3 * first, "150 Adam steps: the squared error falls from %.4f to %.4f", first,
           last);

    /* 6. Checkpoint round trip: a net loaded from the file (another seed at creation) takes the next
     * step and gives the next outputs bit for bit; one loaded alike but with layer 0's u put back
     * to its own initial one does not. */
    char dir[256], path[300];
    if (!test_temp_dir(dir, sizeof dir, "test-net-sn")) return 1;
    snprintf(path, sizeof path, "%s/net.ckpt", dir);
    clgan_ckpt_writer *w;
    MUST(clgan_ckpt_begin(path, &w));
    MUST(clgan_ckpt_add_net(w, "N", net, CLGAN_BLOCKS_ALL));
    MUST(clgan_ckpt_commit(w));
    clgan_net *loaded, *no_u;
    MUST(clgan_net_create(ctx, C, H, W, s, NL, 99, &loaded));
    MUST(clgan_net_create(ctx, C, H, W, s, NL, 99, &no_u));
    clgan_ckpt_reader *r;
    MUST(clgan_ckpt_open(path, &r));
    MUST(clgan_ckpt_load_net(r, path, "N", loaded, CLGAN_BLOCKS_ALL));
    float *own_u = read_block(no_u, CLGAN_NET_STATE);
    MUST(clgan_ckpt_load_net(r, path, "N", no_u, CLGAN_BLOCKS_ALL));
    clgan_ckpt_close(r);
    float *other = read_block(no_u, CLGAN_NET_STATE);
    memcpy(other, own_u, 4 * sizeof *other);
    MUST(clgan_net_write_block(no_u, CLGAN_NET_STATE, other));
    free(own_u), free(other);
    clgan_net_set_step(loaded, clgan_net_step(net));
    clgan_net_set_step(no_u, clgan_net_step(net));
    MUST(clgan_net_plan(loaded, B));
    MUST(clgan_net_plan(no_u, B));
    float ya[B], yb[B], yc[B];
    train_step(net, ctx, &x, t, &adam);
    train_step(loaded, ctx, &x, t, &adam);
    train_step(no_u, ctx, &x, t, &adam);
    forward(net, ctx, &x, 0, ya);
    forward(loaded, ctx, &x, 0, yb);
    forward(no_u, ctx, &x, 0, yc);
    float *sa = read_block(net, CLGAN_NET_STATE), *sb = read_block(loaded, CLGAN_NET_STATE);
    float *pa = read_block(net, CLGAN_NET_PARAMS), *pl = read_block(loaded, CLGAN_NET_PARAMS);
    EXPECT(!memcmp(ya, yb, sizeof ya) && !memcmp(sa, sb, ns * sizeof *sa) &&
               !memcmp(pa, pl, clgan_net_block_floats(net, CLGAN_NET_PARAMS) * sizeof *pa),
           "save, load, one step: the same weights, state (u included) and outputs bit for bit");
    EXPECT(memcmp(ya, yc, sizeof ya) != 0, "... and one without layer 0's saved u gives other outputs (%.7g vs %.7g)",
           ya[0], yc[0]);
    free(sa), free(sb), free(pa), free(pl);
    clgan_net_free(loaded);
    clgan_net_free(no_u);
    test_rm_rf(dir);

    /* 7. Data-parallel averaging (two ranks, the other's state this one's + 1): batchnorm's
     * statistics become the mean, u stays this rank's. */
    float *before = read_block(net, CLGAN_NET_STATE);
    clgan_reducer two = {.ranks = 2, .rank = 0, .sum_floats = plus_other_rank};
    MUST(clgan_net_average_statistics(net, &two));
    float *after = read_block(net, CLGAN_NET_STATE);
    /* The block: layer 0's u, batchnorm's mean and var, layer 3's u, layer 5's u, each padded to the alignment. */
    size_t a = clgan_sub_align_floats(ctx), pad4 = (4 + a - 1) / a * a, averaged = 0, kept = 0;
    for (size_t k = 0; k < ns; k++) {
        int bn = k >= pad4 && k < 3 * pad4;
        if (bn) averaged += after[k] == (before[k] + (before[k] + 1.0f)) / 2.0f;
        else kept += after[k] == before[k];
    }
    EXPECT(averaged == 2 * pad4 && kept == ns - 2 * pad4,
           "averaging over two ranks: batchnorm's statistics become the mean (%zu of %zu), every u is kept (%zu of %zu)",
           averaged, 2 * pad4, kept, ns - 2 * pad4);
    free(before), free(after);

    check_refusals(ctx);
    free(p), free(st0), free(st1), free(st2);
    clgan_tensor_free(ctx, &x);
    clgan_net_free(net);
    clgan_ctx_free(ctx);
    return test_finish();
}
