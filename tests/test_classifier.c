/* test_classifier.c — classifier library on the built-in synthetic data:
 * metrics against hand-computed values, label subsets and class imbalance
 * (counts, balance, determinism), augmentation, a short training run (loss
 * falls, test accuracy far above chance), predict (probabilities, chunking),
 * a bit-exact checkpoint round trip, resume equivalence (N steps + resume M
 * = N+M in one go, with augmentation and dropout), and bad checkpoints
 * refused. The host-only parts run even without an OpenCL device. */
#include "test_files.h"
#include "test_train.h"
#include "test_util.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "data/subset.h"
#include "io/container.h"
#include "train/classifier.h"
#include "train/gan_checkpoint.h"
#include "train/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


enum { BATCH = 16 };
static clgan_ctx *ctx;
static clgan_dataset *train_set, *test_set;
static char dir[256];

static int near(double a, double b) { return fabs(a - b) < 1e-12; }

static void test_metrics(void)
{
    /* 3 classes; truth/prediction pairs chosen by hand:
     *   truth 0: predicted 0,0,1        truth 1: predicted 1,1,1,2
     *   truth 2: predicted 0,2          plus two unlabelled (-1) pairs, skipped */
    int32_t truth[] = {0, 0, 0, 1, 1, 1, 1, 2, 2, -1, 1};
    int32_t pred[] = {0, 0, 1, 1, 1, 1, 2, 0, 2, 0, -1};
    int64_t cm[9] = {0};
    int added = clgan_confusion_add(cm, 3, truth, pred, 11);
    int64_t want[9] = {2, 1, 0, /**/ 0, 3, 1, /**/ 1, 0, 1};
    EXPECT(added == 9 && !memcmp(cm, want, sizeof cm), "confusion matrix [[2,1,0],[0,3,1],[1,0,1]], 2 pairs skipped");
    EXPECT(clgan_confusion_total(cm, 3) == 9, "total 9");
    EXPECT(near(clgan_accuracy(cm, 3), 6.0 / 9), "accuracy 6/9 = %.6f", clgan_accuracy(cm, 3));
    double r[3], p[3];
    clgan_recall(cm, 3, r);
    clgan_precision(cm, 3, p);
    EXPECT(near(r[0], 2.0 / 3) && near(r[1], 3.0 / 4) && near(r[2], 1.0 / 2), "recall 2/3, 3/4, 1/2");
    EXPECT(near(p[0], 2.0 / 3) && near(p[1], 3.0 / 4) && near(p[2], 1.0 / 2), "precision 2/3, 3/4, 1/2");
    EXPECT(near(clgan_mean_recall(cm, 3), (2.0 / 3 + 3.0 / 4 + 1.0 / 2) / 3), "mean recall");
    int64_t cm2[4] = {0, 0, 0, 5}; /* class 0 never seen nor predicted */
    clgan_recall(cm2, 2, r);
    clgan_precision(cm2, 2, p);
    EXPECT(isnan(r[0]) && r[1] == 1 && isnan(p[0]) && p[1] == 1, "recall/precision NaN for an empty row/column");
    int64_t empty[4] = {0};
    EXPECT(isnan(clgan_accuracy(empty, 2)), "accuracy of an empty matrix is NaN");
    float x[] = {0.1f, 3.0f, -2.0f, 3.0f};
    EXPECT(clgan_argmax(x, 4) == 1, "argmax takes the first maximum");
}

static void test_subsets(void)
{
    int counts[10], unl;
    clgan_dataset *s, *s2;
    MUST(clgan_dataset_keep_labels(train_set, 103, 7, 0, &s));
    clgan_dataset_class_counts(s, counts, &unl);
    int balanced = s->n == 103 && unl == 0, elevens = 0;
    for (int k = 0; k < 10; k++) {
        balanced = balanced && (counts[k] == 10 || counts[k] == 11);
        elevens += counts[k] == 11;
    }
    EXPECT(balanced && elevens == 3, "--labels 103: 103 images, 10 or 11 per class (3 classes get 11)");
    MUST(clgan_dataset_keep_labels(train_set, 103, 7, 0, &s2));
    EXPECT(s2->n == s->n && !memcmp(s->pixels, s2->pixels, (size_t)s->n * clgan_dataset_image_bytes(s)) &&
               !memcmp(s->labels, s2->labels, (size_t)s->n * sizeof *s->labels),
           "same seed, same subset");
    clgan_dataset_free(s2);
    MUST(clgan_dataset_keep_labels(train_set, 103, 8, 0, &s2));
    EXPECT(memcmp(s->pixels, s2->pixels, (size_t)s->n * clgan_dataset_image_bytes(s)) != 0, "another seed, another subset");
    clgan_dataset_free(s2);
    clgan_dataset_free(s);
    MUST(clgan_dataset_keep_labels(train_set, 50, 7, 1, &s));
    clgan_dataset_class_counts(s, counts, &unl);
    EXPECT(s->n == train_set->n && unl == train_set->n - 50 && counts[0] == 5 && counts[9] == 5,
           "--labels 50 for semi-supervised: all %d images kept, %d unlabelled, 5 labelled per class", s->n, unl);
    clgan_dataset_free(s);
    EXPECT(clgan_dataset_keep_labels(train_set, train_set->n + 1, 7, 0, &s) == CLGAN_ERR_INVALID_ARG && !s,
           "more labels than images refused: %s", clgan_last_error());

    int before[10];
    clgan_dataset_class_counts(train_set, before, NULL);
    MUST(clgan_dataset_imbalance(train_set, 3, 0.1, 7, &s));
    clgan_dataset_class_counts(s, counts, NULL);
    int others_same = 1;
    for (int k = 0; k < 10; k++)
        if (k != 3) others_same = others_same && counts[k] == before[k];
    EXPECT(counts[3] == (int)llround(0.1 * before[3]) && others_same && s->n == train_set->n - before[3] + counts[3],
           "--imbalance 3:0.1: class 3 %d -> %d images, the others unchanged", before[3], counts[3]);
    /* Then a balanced subset of the imbalanced set: the rare class gives all it
     * has and the others make up the shortfall. */
    MUST(clgan_dataset_keep_labels(s, 100, 1, 0, &s2));
    clgan_dataset_class_counts(s2, counts, NULL);
    int fair = 1;
    for (int k = 0; k < 10; k++)
        if (k != 3) fair = fair && (counts[k] == 10 || counts[k] == 11);
    EXPECT(s2->n == 100 && counts[3] == 8 && fair, "a balanced 100 from it: all 8 of class 3, 10 or 11 of the others");
    clgan_dataset_free(s2);
    clgan_dataset_free(s);
    MUST(clgan_dataset_imbalance(train_set, 3, 0.001, 7, &s));
    clgan_dataset_class_counts(s, counts, NULL);
    EXPECT(counts[3] == 1, "a tiny fraction keeps one image");
    clgan_dataset_free(s);
    EXPECT(clgan_dataset_imbalance(train_set, 10, 0.5, 7, &s) == CLGAN_ERR_INVALID_ARG, "class out of range refused");
    EXPECT(clgan_dataset_imbalance(train_set, 1, 1.5, 7, &s) == CLGAN_ERR_INVALID_ARG, "fraction > 1 refused");
}

static void test_augment(void)
{
    enum { N = 4, C = 3, H = 8, W = 8 };
    float in[N * C * H * W], a[N * C * H * W], b[N * C * H * W];
    for (int i = 0; i < N * C * H * W; i++) in[i] = (float)(i % 97) / 97.0f;
    clgan_classifier_augment(3, 10, 0, N, C, H, W, in, a);
    clgan_classifier_augment(3, 10, 0, N, C, H, W, in, b);
    EXPECT(!memcmp(a, b, sizeof a), "augmentation is a function of (seed, step)");
    clgan_classifier_augment(3, 11, 0, N, C, H, W, in, b);
    EXPECT(memcmp(a, b, sizeof a) != 0, "another step, another augmentation");
    /* A data-parallel rank's share (images 1..3 of the batch) gets the whole batch's draws for them. */
    clgan_classifier_augment(3, 10, 1, N - 1, C, H, W, in + C * H * W, b);
    EXPECT(!memcmp(a + C * H * W, b, sizeof a - C * H * W * sizeof *a), "a share from image 1 augments as the whole batch");
    /* Grey: every output image is its input moved by at most 2 pixels, -1 filled. */
    float g[N * H * W], ga[N * H * W];
    for (int i = 0; i < N * H * W; i++) g[i] = (float)(i % (H * W) + 1); /* distinct per pixel, > 0 */
    clgan_classifier_augment(5, 0, 0, N, 1, H, W, g, ga);
    int shifts_ok = 1;
    for (int n = 0; n < N; n++) {
        const float *o = ga + n * H * W;
        int found = 0;
        for (int dy = -2; dy <= 2 && !found; dy++)
            for (int dx = -2; dx <= 2 && !found; dx++) {
                int match = 1;
                for (int y = 0; y < H && match; y++)
                    for (int x = 0; x < W && match; x++) {
                        int sy = y - dy, sx = x - dx;
                        float want = sy >= 0 && sy < H && sx >= 0 && sx < W ? g[sy * W + sx] : -1.0f;
                        match = o[y * W + x] == want;
                    }
                found = match;
            }
        shifts_ok = shifts_ok && found;
    }
    EXPECT(shifts_ok, "grey augmentation is a shift of at most 2 pixels with -1 fill");
}

static clgan_classifier_config small_config(int augment)
{
    clgan_classifier_config c = clgan_classifier_default_config();
    snprintf(c.arch.model, sizeof c.arch.model, "lenet28");
    c.arch.width = 8;
    c.arch.classes = 10;
    c.batch = BATCH;
    c.seed = 5;
    c.lr = 2e-3f;
    c.augment = augment;
    return c;
}

static void train(clgan_classifier *clf, int64_t until, clgan_classifier_stats *st)
{
    const clgan_classifier_config *c = clgan_classifier_get_config(clf);
    int64_t s = clgan_classifier_step_count(clf);
    clgan_loader *l = test_loader_at(train_set, c->batch, c->seed, s);
    size_t floats = clgan_loader_batch_floats(l);
    float *x = malloc(floats * sizeof *x);
    int32_t labels[BATCH];
    for (; s < until; s++) {
        MUST(clgan_loader_next(l, x, floats, labels, BATCH, NULL));
        MUST(clgan_classifier_train_step(clf, x, labels, st ? &st[s] : NULL));
    }
    free(x);
    clgan_loader_free(l);
}

int main(void)
{
    clgan_dataset_options dopt = test_synthetic28(800, 200);
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &train_set));
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &test_set));
    test_metrics();
    test_subsets();
    test_augment();

    if (!test_device_present()) {
        printf("%d failure(s) in the host-only part; skipped the rest: no OpenCL device\n", failures);
        return failures ? 1 : 77;
    }
    MUST(clgan_ctx_create(NULL, &ctx));
    if (!test_temp_dir(dir, sizeof dir, "test-classifier")) return 1;
    char cmd[2048];

    /* 1. A short run: loss falls, test accuracy far above chance (10%). */
    clgan_classifier_config cfg = small_config(0);
    clgan_classifier *clf;
    MUST(clgan_classifier_create(ctx, &cfg, &clf));
    EXPECT(clgan_classifier_feature_layer(clf) == clgan_net_layer_count(clgan_classifier_net(clf)) - 3,
           "features cut point is the penultimate activation (layer %d)", clgan_classifier_feature_layer(clf));
    enum { STEPS = 60 };
    clgan_classifier_stats st[STEPS];
    train(clf, STEPS, st);
    double first = 0, last = 0;
    for (int i = 0; i < 10; i++) first += st[i].loss / 10, last += st[STEPS - 10 + i].loss / 10;
    EXPECT(last < 0.5 * first, "training loss falls: mean of the first 10 steps %.3f, of the last 10 %.3f", first, last);
    int64_t cm[100];
    MUST(clgan_classifier_evaluate(clf, test_set, cm));
    double acc = clgan_accuracy(cm, 10);
    EXPECT(clgan_confusion_total(cm, 10) == test_set->n && acc > 0.6,
           "test accuracy after %d steps: %.1f%% (chance 10%%)", STEPS, 100 * acc);

    /* 2. predict: rows are distributions; chunking does not change a row. */
    enum { NP = BATCH + 5 };
    size_t per = 28 * 28;
    float *imgs = malloc(NP * per * sizeof *imgs), probs[NP * 10], one[10];
    for (size_t i = 0; i < NP * per; i++) imgs[i] = train_set->pixels[i] / 127.5f - 1.0f;
    MUST(clgan_classifier_predict(clf, NP, imgs, probs));
    int rows_ok = 1;
    for (int i = 0; i < NP; i++) {
        double s = 0;
        for (int k = 0; k < 10; k++) s += probs[i * 10 + k], rows_ok = rows_ok && probs[i * 10 + k] >= 0;
        rows_ok = rows_ok && fabs(s - 1) < 1e-5;
    }
    EXPECT(rows_ok, "predicted probabilities are non-negative and sum to 1");
    MUST(clgan_classifier_predict(clf, 1, imgs + (NP - 1) * per, one));
    int same = 1;
    for (int k = 0; k < 10; k++) same = same && fabsf(one[k] - probs[(NP - 1) * 10 + k]) < 1e-6f;
    EXPECT(same, "image %d predicted alone or in the padded last chunk: same probabilities", NP - 1);

    /* 3. Checkpoint round trip, bit-exact, class names kept. */
    char names[10][64];
    for (int k = 0; k < 10; k++) snprintf(names[k], sizeof names[k], "shape %d", k);
    clgan_classifier_set_class_names(clf, (const char (*)[64])names);
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/a.ckpt", dir);
    MUST(clgan_classifier_save(clf, ckpt, "synthetic"));
    clgan_classifier *loaded;
    char note[64];
    MUST(clgan_classifier_load(ctx, ckpt, &loaded, note, sizeof note));
    EXPECT(test_nets_equal(clgan_classifier_net(clf), clgan_classifier_net(loaded)) &&
               clgan_classifier_step_count(loaded) == STEPS && !strcmp(note, "synthetic") &&
               !strcmp(clgan_classifier_class_name(loaded, 7), "shape 7"),
           "checkpoint round trip: weights, batchnorm statistics, Adam state, step, class names identical");
    float probs2[NP * 10];
    MUST(clgan_classifier_predict(loaded, NP, imgs, probs2));
    EXPECT(!memcmp(probs, probs2, sizeof probs), "the loaded classifier predicts the same bytes");
    clgan_classifier_config peek;
    MUST(clgan_classifier_peek(ckpt, &peek));
    EXPECT(peek.arch.width == 8 && peek.batch == BATCH && peek.seed == 5 && fabsf(peek.lr - 2e-3f) < 1e-9f,
           "peek reads the config back");
    clgan_classifier_free(loaded);

    /* 4. Resume equivalence with augmentation, dropout and an lr decay, for
     *    Adam and SGD: 7 steps, save, load, 6 more == 13 in one go. */
    for (int opt = 0; opt < 2; opt++) {
        clgan_classifier_config rc = small_config(1);
        rc.optimizer = opt ? CLGAN_CLASSIFIER_SGD : CLGAN_CLASSIFIER_ADAM;
        rc.lr_decay = 0.5f;
        rc.lr_decay_steps = 4;
        clgan_classifier *straight, *firsthalf, *resumed;
        MUST(clgan_classifier_create(ctx, &rc, &straight));
        train(straight, 13, NULL);
        MUST(clgan_classifier_create(ctx, &rc, &firsthalf));
        train(firsthalf, 7, NULL);
        char mid[300];
        snprintf(mid, sizeof mid, "%s/mid.ckpt", dir);
        MUST(clgan_classifier_save(firsthalf, mid, ""));
        clgan_classifier_free(firsthalf);
        MUST(clgan_classifier_load(ctx, mid, &resumed, NULL, 0));
        train(resumed, 13, NULL);
        EXPECT(test_nets_equal(clgan_classifier_net(straight), clgan_classifier_net(resumed)),
               "%s, augmentation on, lr decay: 7 steps + resume for 6 == 13 in one go, bit for bit", opt ? "SGD" : "Adam");
        clgan_classifier_free(straight);
        clgan_classifier_free(resumed);
    }
    EXPECT(fabs(clgan_classifier_lr_at(&(clgan_classifier_config){.lr = 1.0f, .lr_decay = 0.5f, .lr_decay_steps = 4}, 9) -
                0.25) < 1e-12,
           "lr schedule: step 9 with decay 0.5 every 4 steps is lr/4");

    /* 5. Damaged, mismatched and wrong-kind checkpoints are refused. */
    clgan_classifier *c2 = NULL;
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && truncate -s 2000 %s", ckpt, bad, bad);
    if (system(cmd) != 0) return 1;
    clgan_status s = clgan_classifier_load(ctx, bad, &c2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !c2, "truncated checkpoint refused: %s", clgan_last_error());
    rewrite_section(ckpt, bad, "arch", "model=lenet28 width=12 classes=10");
    s = clgan_classifier_load(ctx, bad, &c2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !c2 && (strstr(clgan_last_error(), "do not match") ||
                                                 strstr(clgan_last_error(), "by its settings")),
           "weights that do not fit the architecture refused: %.70s...", clgan_last_error());
    rewrite_section(ckpt, bad, "class_names", "a\nb\n");
    s = clgan_classifier_load(ctx, bad, &c2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !c2, "wrong number of class names refused: %s", clgan_last_error());
    rewrite_section(ckpt, bad, "kind", "clgan-gan");
    s = clgan_classifier_load(ctx, bad, &c2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "not a classifier checkpoint"),
           "GAN checkpoint refused: %s", clgan_last_error());
    clgan_gan *g = NULL;
    s = clgan_gan_load(ctx, ckpt, &g, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "not a GAN checkpoint"),
           "and the GAN loader refuses a classifier checkpoint: %s", clgan_last_error());

    /* 6. Bad input to the step and to evaluate. */
    float *x = calloc(BATCH * per, sizeof *x);
    int32_t labels[BATCH] = {0};
    labels[3] = 10;
    EXPECT(clgan_classifier_train_step(clf, x, labels, NULL) == CLGAN_ERR_INVALID_ARG, "label out of range refused: %s",
           clgan_last_error());
    clgan_dataset *rgb;
    dopt.channels = 3;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &rgb));
    EXPECT(clgan_classifier_evaluate(clf, rgb, cm) == CLGAN_ERR_INVALID_ARG, "evaluating RGB data on a grey model refused: %s",
           clgan_last_error());
    clgan_dataset_free(rgb);
    clgan_classifier_config badc = small_config(0);
    snprintf(badc.arch.model, sizeof badc.arch.model, "resnet9");
    EXPECT(clgan_classifier_create(ctx, &badc, &c2) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "vgg32"),
           "unknown model lists the models: %s", clgan_last_error());
    free(x);
    free(imgs);
    clgan_classifier_free(clf);

    test_rm_rf(dir);
    clgan_dataset_free(train_set);
    clgan_dataset_free(test_set);
    clgan_ctx_free(ctx);
    return test_finish();
}
