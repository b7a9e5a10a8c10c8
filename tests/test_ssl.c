/* test_ssl.c — semi-supervised K+1 GAN: the K+1 losses and their logit
 * gradients against hand-computed values and finite differences (host only),
 * the feature-matching loss and gradient (by hand and by central
 * differences), backward from an inner layer against finite differences, a short run on
 * the synthetic data (labelled loss falls, test accuracy far above chance),
 * and checkpoint round trip + resume equivalence (N steps, save, load, M
 * steps = N+M in one go). */
#include "test_util.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "data/subset.h"
#include "nn/net.h"
#include "train/metrics.h"
#include "train/ssl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 16 };

static int close_to(double a, double b, double tol) { return fabs(a - b) <= tol; }

static void test_logit_loss_by_hand(void)
{
    /* K = 2, logits (0, ln 3): Z = 4, LSE = ln 4, softmax (1/4, 3/4), D(x) = 4/5. */
    float l[2] = {0.0f, (float)log(3.0)}, g[2];
    int32_t y = 1;
    double p, loss;
    int right;
    loss = clgan_ssl_logit_loss(0, 1, 2, l, &y, 1.0f, g, &p, &right);
    EXPECT(close_to(loss, log(4.0 / 3), 1e-6) && close_to(g[0], 0.25, 1e-6) && close_to(g[1], -0.25, 1e-6) &&
               right == 1 && close_to(p, 0.8, 1e-6),
           "labelled: loss ln(4/3) %.6f, grad (1/4, -1/4) = (%.4f, %.4f), argmax right, D(x) 0.8", loss, g[0], g[1]);
    loss = clgan_ssl_logit_loss(1, 1, 2, l, NULL, 1.0f, g, NULL, NULL);
    EXPECT(close_to(loss, log(5.0 / 4), 1e-6) && close_to(g[0], -0.05, 1e-6) && close_to(g[1], -0.15, 1e-6),
           "unlabelled: loss -ln(4/5) = ln(5/4) %.6f, grad -(1/4, 3/4)/5 = (%.4f, %.4f)", loss, g[0], g[1]);
    loss = clgan_ssl_logit_loss(2, 1, 2, l, NULL, 0.5f, g, NULL, NULL);
    EXPECT(close_to(loss, log(5.0), 1e-6) && close_to(g[0], 0.1, 1e-6) && close_to(g[1], 0.3, 1e-6),
           "generated: loss -ln(1/5) = ln 5 %.6f, grad 0.5 * (1/4, 3/4) * 4/5 = (%.4f, %.4f)", loss, g[0], g[1]);
}

static void test_logit_loss_gradcheck(void)
{
    enum { B = 3, K = 4 };
    float l[B * K], g[B * K];
    int32_t y[B] = {2, 0, 3};
    for (int i = 0; i < B * K; i++) l[i] = (float)sin(1.7 * i + 0.3) * 3;
    for (int kind = 0; kind < 3; kind++) {
        clgan_ssl_logit_loss(kind, B, K, l, y, 1.0f / B, g, NULL, NULL);
        double worst = 0;
        for (int i = 0; i < B * K; i++) {
            float keep = l[i], h = 1e-2f;
            l[i] = keep + h;
            double up = clgan_ssl_logit_loss(kind, B, K, l, y, 1, NULL, NULL, NULL);
            l[i] = keep - h;
            double down = clgan_ssl_logit_loss(kind, B, K, l, y, 1, NULL, NULL, NULL);
            l[i] = keep;
            double fd = (up - down) / (2.0 * h);
            worst = fmax(worst, fabs(fd - g[i]));
        }
        EXPECT(worst < 2e-4, "kind %d: logit gradient vs central differences, max error %.2e", kind, worst);
    }
}

/* A reducer of two ranks holding the same values: the sum is twice each. */
static clgan_status double_floats(void *self, float *buf, size_t n)
{
    (void)self;
    for (size_t i = 0; i < n; i++) buf[i] *= 2;
    return CLGAN_OK;
}
static clgan_status double_doubles(void *self, double *buf, size_t n)
{
    (void)self;
    for (size_t i = 0; i < n; i++) buf[i] *= 2;
    return CLGAN_OK;
}

static void test_feature_matching(void)
{
    /* B = 2, F = 2: real means (1, 2), fake means (2, 2): L = ((2-1)^2 + 0) / 2 = 0.5,
     * dL/dfake[i][0] = 2 * (2-1) / (F * B) = 0.5, dL/dfake[i][1] = 0. */
    float real[4] = {0, 1, 2, 3}, fake[4] = {1, 2, 3, 2}, g[4];
    double loss = 0;
    MUST(clgan_ssl_feature_matching(2, 2, real, fake, NULL, &loss, g));
    EXPECT(close_to(loss, 0.5, 1e-9) && close_to(g[0], 0.5, 1e-7) && close_to(g[2], 0.5, 1e-7) && g[1] == 0 && g[3] == 0,
           "feature matching by hand: loss 0.5 (%.6f), gradient (0.5, 0) per row", loss);
    enum { B = 3, F = 4 };
    float r[B * F], f[B * F], gr[B * F];
    for (int i = 0; i < B * F; i++) r[i] = (float)sin(0.9 * i), f[i] = (float)cos(1.3 * i);
    double l0 = 0;
    MUST(clgan_ssl_feature_matching(B, F, r, f, NULL, &l0, gr));
    double worst = 0;
    for (int i = 0; i < B * F; i++) {
        float keep = f[i], h = 1e-2f;
        f[i] = keep + h;
        double up = 0, down = 0;
        MUST(clgan_ssl_feature_matching(B, F, r, f, NULL, &up, NULL));
        f[i] = keep - h;
        MUST(clgan_ssl_feature_matching(B, F, r, f, NULL, &down, NULL));
        f[i] = keep;
        worst = fmax(worst, fabs((up - down) / (2.0 * h) - gr[i]));
    }
    EXPECT(worst < 1e-5, "feature matching gradient vs central differences, max error %.2e", worst);
    /* Two ranks holding the same rows: the whole batch's means are this share's, so the loss is the same,
     * and each rank's gradient is ranks x the whole batch's (2B rows): the same as alone. */
    clgan_reducer twin = {2, 0, double_floats, double_doubles, NULL};
    double l2 = 0;
    float g2[B * F];
    MUST(clgan_ssl_feature_matching(B, F, r, f, &twin, &l2, g2));
    EXPECT(close_to(l2, l0, 1e-12) && !memcmp(g2, gr, sizeof g2), "feature matching over two equal shares: loss %.9f vs %.9f",
           l2, l0);
}

/* L(x) = sum(g * f(x)) with f the output of layer k of a net without
 * randomness; dL/dx from clgan_net_backward_from against central differences. */
static void test_backward_from(clgan_ctx *ctx)
{
    clgan_layer_spec specs[] = {clgan_conv(3, 3, 2, 1), clgan_activation(CLGAN_ACT_LEAKY_RELU, 0.2f),
                                clgan_avgpool(3, 3), clgan_dense(2)};
    clgan_net *net;
    MUST(clgan_net_create(ctx, 2, 5, 5, specs, 4, 11, &net));
    MUST(clgan_net_plan(net, 2));
    enum { N = 2 * 2 * 5 * 5, F = 2 * 3 };
    float x[N], gfeat[F], dx[N], f[F];
    for (int i = 0; i < N; i++) x[i] = (float)cos(0.37 * i);
    for (int i = 0; i < F; i++) gfeat[i] = (float)(i % 3) - 0.7f;
    clgan_tensor tx, tdx;
    MUST(clgan_tensor_alloc(ctx, 2, 2, 5, 5, &tx));
    MUST(clgan_tensor_alloc(ctx, 2, 2, 5, 5, &tdx));
    EXPECT(clgan_net_layer_grad(net, 4) == NULL && clgan_net_layer_grad(net, -1) == NULL,
           "layer_grad out of range is NULL");
    EXPECT(clgan_net_backward_from(net, 7, NULL) == CLGAN_ERR_INVALID_ARG, "backward_from an out-of-range layer refused");
    MUST(clgan_tensor_upload(ctx, &tx, x));
    MUST(clgan_net_zero_grad(net));
    MUST(clgan_net_forward(net, &tx, NULL, 1, NULL));
    MUST(clgan_tensor_upload(ctx, clgan_net_layer_grad(net, 2), gfeat));
    MUST(clgan_net_backward_from(net, 2, &tdx));
    MUST(clgan_tensor_download(ctx, &tdx, dx));
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double val[2];
        for (int s = 0; s < 2; s++) {
            float keep = x[i];
            x[i] = keep + (s ? -1e-2f : 1e-2f);
            MUST(clgan_tensor_upload(ctx, &tx, x));
            MUST(clgan_net_forward(net, &tx, NULL, 1, NULL));
            MUST(clgan_tensor_download(ctx, clgan_net_activation(net, 2), f));
            x[i] = keep;
            val[s] = 0;
            for (int j = 0; j < F; j++) val[s] += (double)gfeat[j] * f[j];
        }
        worst = fmax(worst, fabs((val[0] - val[1]) / 2e-2 - dx[i]));
    }
    EXPECT(worst < 2e-3, "backward_from layer 2: dx vs central differences, max error %.2e", worst);
    clgan_tensor_free(ctx, &tx);
    clgan_tensor_free(ctx, &tdx);
    clgan_net_free(net);
}

static clgan_ssl_config small_config(void)
{
    clgan_ssl_config c = clgan_ssl_default_config();
    c.width = 8;
    c.nz = 16;
    c.batch = BATCH;
    c.adam_d.lr = c.adam_g.lr = 2e-3f;
    c.seed = 5;
    return c;
}

/* Train `steps` steps from the loaders' current positions. */
static void train(clgan_ssl *s, clgan_loader *unl, clgan_loader *lab, int steps, double *first_lab, double *last_lab)
{
    size_t img = 28 * 28;
    float *ux = malloc(BATCH * img * sizeof *ux), *lx = malloc(BATCH * img * sizeof *lx);
    int32_t ly[BATCH];
    clgan_ssl_stats st;
    double sum = 0;
    for (int i = 0; i < steps; i++) {
        MUST(clgan_loader_next(unl, ux, BATCH * img, NULL, 0, NULL));
        MUST(clgan_loader_next(lab, lx, BATCH * img, ly, BATCH, NULL));
        MUST(clgan_ssl_train_step(s, lx, ly, ux, &st));
        if (i == steps - 10) sum = 0; /* the last 10 steps */
        sum += st.loss_lab;
        if (first_lab && i == 9) *first_lab = sum / 10;
    }
    if (last_lab) *last_lab = sum / 10;
    free(ux);
    free(lx);
}

static void make_loaders(const clgan_dataset *train_set, const clgan_dataset *lab, clgan_loader **unl,
                         clgan_loader **labl)
{
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = BATCH;
    MUST(clgan_loader_create(train_set, &lo, unl));
    lo.seed = 9;
    MUST(clgan_loader_create(lab, &lo, labl));
}

static void test_training(clgan_ctx *ctx)
{
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.synthetic_train = 512;
    dopt.synthetic_test = 200;
    clgan_dataset *train_set, *test_set, *lab;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &train_set));
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &test_set));
    MUST(clgan_dataset_keep_labels(train_set, 40, 3, 0, &lab));
    clgan_ssl_config c = small_config();
    clgan_ssl *s;
    MUST(clgan_ssl_create(ctx, &c, &s));
    clgan_loader *unl, *labl;
    make_loaders(train_set, lab, &unl, &labl);
    double first, last;
    train(s, unl, labl, 160, &first, &last);
    EXPECT(last < 0.5 * first, "labelled loss falls: first 10 steps %.3f, last 10 %.3f", first, last);
    int64_t cm[100];
    MUST(clgan_ssl_evaluate(s, test_set, cm));
    double acc = clgan_accuracy(cm, 10);
    EXPECT(acc > 0.4, "40 labels, 160 steps: test accuracy %.3f > 0.4 (chance 0.1)", acc);
    float probs[3 * 10];
    float *imgs = malloc(3 * 784 * sizeof *imgs);
    for (int i = 0; i < 3 * 784; i++) imgs[i] = test_set->pixels[i] / 127.5f - 1;
    MUST(clgan_ssl_predict(s, 3, imgs, probs));
    double sum = 0;
    for (int k = 0; k < 10; k++) sum += probs[k];
    EXPECT(close_to(sum, 1, 1e-5), "predict: probabilities over the K classes sum to 1 (%.6f)", sum);
    free(imgs);

    /* Checkpoint and resume: 6 steps, save, load, 5 more = 11 in one go. */
    char dir[] = "/tmp/clgan-test-ssl-XXXXXX", path[300], bad[300];
    EXPECT(mkdtemp(dir) != NULL, "temp dir");
    snprintf(path, sizeof path, "%s/ssl.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    clgan_ssl *a, *b, *r;
    clgan_loader *ua, *la, *ub, *lb;
    MUST(clgan_ssl_create(ctx, &c, &a));
    MUST(clgan_ssl_create(ctx, &c, &b));
    make_loaders(train_set, lab, &ua, &la);
    make_loaders(train_set, lab, &ub, &lb);
    train(a, ua, la, 11, NULL, NULL);
    train(b, ub, lb, 6, NULL, NULL);
    MUST(clgan_ssl_save(b, path, "labels=40 limit=0"));
    MUST(clgan_ssl_load(ctx, path, &r, NULL, 0));
    EXPECT(clgan_ssl_step_count(r) == 6, "loaded step count 6");
    train(r, ub, lb, 5, NULL, NULL);
    size_t nd = clgan_net_block_floats(clgan_ssl_discriminator(a), CLGAN_NET_PARAMS);
    size_t ng = clgan_net_block_floats(clgan_ssl_generator(a), CLGAN_NET_PARAMS);
    float *pa = malloc(nd * sizeof *pa), *pr = malloc(nd * sizeof *pr);
    float *ga = malloc(ng * sizeof *ga), *gr = malloc(ng * sizeof *gr);
    MUST(clgan_net_read_block(clgan_ssl_discriminator(a), CLGAN_NET_PARAMS, pa));
    MUST(clgan_net_read_block(clgan_ssl_discriminator(r), CLGAN_NET_PARAMS, pr));
    MUST(clgan_net_read_block(clgan_ssl_generator(a), CLGAN_NET_PARAMS, ga));
    MUST(clgan_net_read_block(clgan_ssl_generator(r), CLGAN_NET_PARAMS, gr));
    EXPECT(!memcmp(pa, pr, nd * sizeof *pa) && !memcmp(ga, gr, ng * sizeof *ga),
           "6 steps + save + load + 5 steps = 11 steps in one go (D and G bit-exact)");
    clgan_ssl_config peeked;
    MUST(clgan_ssl_peek(path, &peeked));
    EXPECT(peeked.width == 8 && peeked.nz == 16 && peeked.batch == BATCH && peeked.seed == 5 &&
               !strcmp(peeked.model, "ssl28"),
           "peek returns the saved config");
    clgan_ssl_free(r);
    rewrite_section(path, bad, "kind", "clgan-gan");
    EXPECT(clgan_ssl_load(ctx, bad, &r, NULL, 0) == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "not a semi"),
           "a checkpoint of another kind is refused: %s", clgan_last_error());
    remove(path);
    remove(bad);
    rmdir(dir);
    free(pa), free(pr), free(ga), free(gr);
    clgan_loader_free(ua), clgan_loader_free(la), clgan_loader_free(ub), clgan_loader_free(lb);
    clgan_ssl_free(a), clgan_ssl_free(b);

    c.classes = 1;
    EXPECT(clgan_ssl_create(ctx, &c, &r) == CLGAN_ERR_INVALID_ARG, "1 class refused: %s", clgan_last_error());
    c = small_config();
    snprintf(c.model, sizeof c.model, "ssl99");
    EXPECT(clgan_ssl_create(ctx, &c, &r) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "ssl28"),
           "unknown model refused, names listed: %s", clgan_last_error());
    clgan_loader_free(unl);
    clgan_loader_free(labl);
    clgan_ssl_free(s);
    clgan_dataset_free(train_set);
    clgan_dataset_free(test_set);
    clgan_dataset_free(lab);
}

int main(void)
{
    test_logit_loss_by_hand();
    test_logit_loss_gradcheck();
    test_feature_matching();
    clgan_ctx *ctx;
    if (clgan_ctx_create(NULL, &ctx) != CLGAN_OK) {
        printf("skipped the device tests: %s\n", clgan_last_error());
        return failures ? 1 : 77;
    }
    test_backward_from(ctx);
    test_training(ctx);
    clgan_ctx_free(ctx);
    return test_finish();
}
