/* test_dfeatures.c — discriminator features on the built-in synthetic data:
 * a tiny GAN trained for a few steps, frozen features (shape, finite,
 * deterministic, chunk-independent, pooling consistent: max >= average and
 * the 2x2 grid averages recombine into the global average), D's parameters
 * and batchnorm statistics unchanged by extraction and head training, a
 * linear and an MLP head whose loss falls and whose test accuracy is far
 * above chance, a conditional D with a constant class, bad input refused. */
#include "test_train.h"
#include "test_util.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "train/dfeatures.h"
#include "train/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH = 16, NTRAIN = 480, NTEST = 200 };
static clgan_ctx *ctx;
static clgan_dataset *train_set, *test_set;

static float *read_block(clgan_net *net, clgan_net_block b)
{
    size_t n = clgan_net_block_floats(net, b);
    float *p = malloc((n ? n : 1) * sizeof *p);
    if (n) MUST(clgan_net_read_block(net, b, p));
    return p;
}

static int all_finite(const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

int main(void)
{
    ctx = test_device_or_skip();
    clgan_dataset_options dopt = test_synthetic28(NTRAIN, NTEST);
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &train_set));
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &test_set));
    int K = train_set->classes;

    clgan_gan *gan = test_tiny_gan(ctx, train_set, 0, 0, 30);
    clgan_net *D = clgan_gan_discriminator(gan);
    float *p0 = read_block(D, CLGAN_NET_PARAMS), *s0 = read_block(D, CLGAN_NET_STATE);
    size_t np = clgan_net_block_floats(D, CLGAN_NET_PARAMS), ns = clgan_net_block_floats(D, CLGAN_NET_STATE);

    /* 1. Shapes and the layer. width 8 on 28x28: blocks 8@14x14, 16@7x7. */
    int C, H, W;
    clgan_dfeat_map_shape(gan, &C, &H, &W);
    clgan_dfeat_options fo = clgan_dfeat_default_options();
    int F = clgan_dfeat_dim(gan, &fo);
    EXPECT(C == 16 && H == 7 && W == 7 && F == 96, "feature map 16x7x7, default avg+max+grid F = 96 (got %dx%dx%d, F %d)",
           C, H, W, F);
    EXPECT(clgan_dfeat_layer(gan) == clgan_net_layer_count(D) - 2, "features from the activation before the dense head");
    clgan_dfeat_options all = fo;
    all.pool = CLGAN_DFEAT_AVG | CLGAN_DFEAT_MAX | CLGAN_DFEAT_GRID2;
    int Fa = clgan_dfeat_dim(gan, &all);
    EXPECT(Fa == 6 * C, "avg+max+grid2 F = 6C = %d", Fa);

    /* 2. Extraction: finite, deterministic, chunk-independent, pooling consistent. */
    float *ftr = malloc((size_t)NTRAIN * Fa * sizeof *ftr), *fte = malloc((size_t)NTEST * Fa * sizeof *fte);
    float *again = malloc((size_t)NTRAIN * Fa * sizeof *again);
    MUST(clgan_dfeat_extract_dataset(ctx, gan, &all, train_set, ftr));
    MUST(clgan_dfeat_extract_dataset(ctx, gan, &all, test_set, fte));
    EXPECT(all_finite(ftr, (size_t)NTRAIN * Fa) && all_finite(fte, (size_t)NTEST * Fa), "features finite");
    MUST(clgan_dfeat_extract_dataset(ctx, gan, &all, train_set, again));
    EXPECT(!memcmp(ftr, again, (size_t)NTRAIN * Fa * sizeof *ftr), "extraction is deterministic");
    /* 5 images from the middle, as floats: a short padded chunk at another offset. */
    size_t per = clgan_dataset_image_bytes(train_set);
    float *img = malloc(5 * per * sizeof *img);
    for (size_t j = 0; j < 5 * per; j++) img[j] = train_set->pixels[37 * per + j] / 127.5f - 1.0f;
    MUST(clgan_dfeat_extract(ctx, gan, &all, 5, img, again));
    double chunk_diff = 0;
    for (int i = 0; i < 5 * Fa; i++) chunk_diff = fmax(chunk_diff, fabs(again[i] - ftr[(size_t)37 * Fa + i]));
    EXPECT(chunk_diff == 0, "a row's features do not depend on its chunk (max diff %g)", chunk_diff);
    int pool_ok = 1, varied = 0;
    for (int i = 0; i < NTRAIN && pool_ok; i++) {
        const float *r = ftr + (size_t)i * Fa;
        for (int c = 0; c < C; c++) {
            const float *q = r + 2 * C + 4 * c;
            double recombined = (16.0 * q[0] + 12.0 * q[1] + 12.0 * q[2] + 9.0 * q[3]) / 49.0;
            if (r[C + c] < r[c] - 1e-6f || fabs(recombined - r[c]) > 1e-5 * (1 + fabs(r[c]))) pool_ok = 0;
            if (i > 0 && r[c] != ftr[c]) varied = 1;
        }
    }
    /* FULL: the unpooled map, whose per-channel mean is the average feature. */
    clgan_dfeat_options full = fo;
    full.pool = CLGAN_DFEAT_FULL;
    int Ff = clgan_dfeat_dim(gan, &full);
    MUST(clgan_dfeat_extract(ctx, gan, &full, 5, img, again));
    int full_ok = Ff == C * H * W;
    for (int i = 0; i < 5 && full_ok; i++)
        for (int c = 0; c < C; c++) {
            double m = 0;
            for (int j = 0; j < H * W; j++) m += again[(size_t)i * Ff + c * H * W + j];
            m /= H * W;
            if (fabs(m - ftr[(size_t)(37 + i) * Fa + c]) > 1e-5 * (1 + fabs(m))) full_ok = 0;
        }
    EXPECT(full_ok, "full: %d = CxHxW unpooled values whose channel means are the averages", Ff);
    EXPECT(pool_ok, "max >= average and the 4x4/4x3/3x4/3x3 quadrant averages recombine into the average");
    EXPECT(varied, "features differ between images");

    /* 3. Heads: loss falls, test accuracy far above chance (10%). */
    int32_t *ytr = train_set->labels, *yte = test_set->labels;
    int64_t *cm = calloc((size_t)K * K, sizeof *cm);
    for (int hidden = 0; hidden <= 32; hidden += 32) {
        clgan_dhead_config hc = clgan_dhead_default_config();
        hc.features = Fa;
        hc.classes = K;
        hc.hidden = hidden;
        hc.epochs = 30;
        hc.batch = 32;
        hc.lr = 3e-3f;
        clgan_dhead *head;
        MUST(clgan_dhead_create(ctx, &hc, &head));
        clgan_dhead_stats hs;
        MUST(clgan_dhead_train(head, NTRAIN, ftr, ytr, &hs));
        MUST(clgan_dhead_evaluate(head, NTEST, fte, yte, cm));
        double acc = clgan_accuracy(cm, K);
        printf("     head hidden=%d: loss %.3f -> %.3f, train acc %.3f, test acc %.3f (%lld steps)\n", hidden,
               hs.first_loss, hs.last_loss, hs.train_accuracy, acc, (long long)hs.steps);
        EXPECT(hs.last_loss < 0.7 * hs.first_loss, "head (hidden %d): training loss falls", hidden);
        EXPECT(acc > 0.5 && clgan_confusion_total(cm, K) == NTEST, "head (hidden %d): test accuracy %.3f > 0.5 (chance 0.1)",
               hidden, acc);
        int32_t pred[3];
        float probs[3 * 10];
        MUST(clgan_dhead_predict(head, 3, fte, pred, probs));
        double psum = 0;
        for (int k = 0; k < K; k++) psum += probs[k];
        EXPECT(fabs(psum - 1) < 1e-4 && pred[0] == clgan_argmax(probs, K), "predict: probabilities sum to 1, argmax");
        /* Save and load: the same probabilities bit for bit, the file's facts back. */
        char path[64], (*names)[64] = calloc((size_t)K, sizeof *names);
        snprintf(path, sizeof path, "test_dfeatures_head%d.ckpt", hidden);
        for (int k = 0; k < K; k++) snprintf(names[k], sizeof names[k], "class %d", k);
        snprintf(names[1], sizeof names[1], "two\nlines");
        clgan_dhead_file info = {.c = 1, .h = 28, .w = 28, .feat = fo, .steps = hs.steps, .class_names = names};
        snprintf(info.gan_path, sizeof info.gan_path, "/somewhere/gan.ckpt");
        snprintf(info.gan_sha256, sizeof info.gan_sha256, "%064d", 7);
        info.feat.cond_label = 5;
        MUST(clgan_dhead_save(head, path, &info));
        clgan_dhead *back;
        clgan_dhead_file got;
        MUST(clgan_dhead_load(ctx, path, &back, &got));
        int32_t pred2[3];
        float probs2[3 * 10];
        MUST(clgan_dhead_predict(back, 3, fte, pred2, probs2));
        EXPECT(!memcmp(probs, probs2, sizeof probs) && !memcmp(pred, pred2, sizeof pred),
               "head (hidden %d) saved and loaded: the same probabilities bit for bit", hidden);
        EXPECT(!strcmp(got.gan_path, info.gan_path) && !strcmp(got.gan_sha256, info.gan_sha256) && got.c == 1 &&
                   got.h == 28 && got.w == 28 && got.feat.pool == fo.pool && got.feat.cond_label == 5 && got.steps == hs.steps &&
                   got.head.hidden == hidden && got.head.features == Fa && !strcmp(got.class_names[3], "class 3") &&
                   !strcmp(got.class_names[1], "two lines"),
               "the file gives back the GAN path and digest, shape, pooling, steps, head config, class names");
        clgan_dhead_free(back);
        free(got.class_names);
        clgan_dhead_file peek;
        EXPECT(clgan_dhead_load(NULL, path, NULL, &peek) == CLGAN_OK && peek.head.classes == K &&
                   !strcmp(peek.class_names[3], "class 3"),
               "peek without a context: config and class names");
        free(peek.class_names);
        EXPECT(clgan_dhead_load(ctx, "test_dfeatures_missing.ckpt", &back, &got) != CLGAN_OK && !back,
               "a missing head file refused");
        remove(path);
        free(names);
        clgan_dhead_free(head);
    }
    /* A head on fewer rows than one batch still trains (padding rows unlabelled). */
    {
        clgan_dhead_config hc = clgan_dhead_default_config();
        hc.features = Fa, hc.classes = K, hc.epochs = 5;
        clgan_dhead *head;
        MUST(clgan_dhead_create(ctx, &hc, &head));
        clgan_dhead_stats hs;
        MUST(clgan_dhead_train(head, 20, ftr, ytr, &hs));
        EXPECT(hs.steps == 5 && isfinite(hs.last_loss), "20 rows, batch 64: one step per epoch");
        clgan_dhead_free(head);
    }

    /* 4. D frozen. */
    float *p1 = read_block(D, CLGAN_NET_PARAMS), *s1 = read_block(D, CLGAN_NET_STATE);
    EXPECT(!memcmp(p0, p1, np * sizeof *p0) && !memcmp(s0, s1, ns * sizeof *s0),
           "D's parameters (%zu floats) and batchnorm statistics (%zu) unchanged", np, ns);

    /* 5. Conditional D with a constant class; bad options refused. */
    clgan_gan *cgan = test_tiny_gan(ctx, train_set, 1, train_set->classes, 4);
    clgan_dfeat_options co = clgan_dfeat_default_options();
    co.cond_label = 3;
    int Fc = clgan_dfeat_dim(cgan, &co);
    float *fc = malloc((size_t)NTEST * Fc * sizeof *fc);
    MUST(clgan_dfeat_extract_dataset(ctx, cgan, &co, test_set, fc));
    EXPECT(Fc == 96 && all_finite(fc, (size_t)NTEST * Fc), "conditional D: features with constant class 3");
    co.cond_label = K;
    EXPECT(clgan_dfeat_extract_dataset(ctx, cgan, &co, test_set, fc) != CLGAN_OK, "class outside 0..K-1 refused: %s",
           clgan_last_error());
    co.cond_label = 0;
    co.pool = 0;
    EXPECT(clgan_dfeat_extract_dataset(ctx, cgan, &co, test_set, fc) != CLGAN_OK, "empty pool mask refused");
    clgan_dataset *rgb;
    dopt.channels = 3;
    dopt.synthetic_test = 8;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &rgb));
    EXPECT(clgan_dfeat_extract_dataset(ctx, gan, &fo, rgb, fc) != CLGAN_OK, "wrong image shape refused: %s",
           clgan_last_error());
    clgan_dhead_config bad = clgan_dhead_default_config();
    clgan_dhead *bh;
    EXPECT(clgan_dhead_create(ctx, &bad, &bh) != CLGAN_OK, "head without features/classes refused");

    clgan_dataset_free(rgb);
    free(fc), free(cm), free(img), free(ftr), free(fte), free(again), free(p0), free(p1), free(s0), free(s1);
    clgan_gan_free(cgan);
    clgan_gan_free(gan);
    clgan_dataset_free(train_set);
    clgan_dataset_free(test_set);
    clgan_ctx_free(ctx);
    return test_finish();
}
