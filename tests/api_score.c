/* api_score.c — clgan/score.h and clgan/profile.h over <clgan.h> only:
 * confusion-matrix metrics and the sample scores (Frechet distance,
 * inception score, mode coverage, conditional accuracy) on inputs whose
 * results are worked out by hand; with a device, a classifier model's
 * scoring features (its probabilities equal clgan_model_predict's, a GAN has
 * none), a GAN's D feature layer, and the profiler's table around a
 * prediction; settings texts checked without a model. */
#include "test_expect.h"

#include <math.h>
#include <string.h>

static int near(double a, double b, double tol) { return fabs(a - b) <= tol * (1 + fabs(b)); }

static void test_metrics(void)
{
    int64_t cm[9] = {0};
    const int32_t truth[6] = {0, 0, 1, 1, 2, -1}, pred[6] = {0, 1, 1, 1, 0, 2};
    int added = clgan_confusion_add(cm, 3, truth, pred, 6);
    EXPECT(added == 5, "confusion_add skips the unlabelled pair (%d added, want 5)", added);
    EXPECT(cm[0] == 1 && cm[1] == 1 && cm[4] == 2 && cm[6] == 1 && clgan_confusion_total(cm, 3) == 5,
           "confusion cells (0,0)=1 (0,1)=1 (1,1)=2 (2,0)=1, total 5");
    EXPECT(near(clgan_accuracy(cm, 3), 0.6, 1e-12), "accuracy 3/5 (%g)", clgan_accuracy(cm, 3));
    double r[3], p[3];
    clgan_recall(cm, 3, r);
    clgan_precision(cm, 3, p);
    EXPECT(near(r[0], 0.5, 1e-12) && near(r[1], 1, 1e-12) && r[2] == 0, "recall 1/2, 1, 0 (%g %g %g)", r[0], r[1], r[2]);
    EXPECT(near(p[0], 0.5, 1e-12) && near(p[1], 2.0 / 3, 1e-12) && isnan(p[2]),
           "precision 1/2, 2/3, NaN for a class never predicted (%g %g %g)", p[0], p[1], p[2]);
    EXPECT(near(clgan_mean_recall(cm, 3), 0.5, 1e-12), "mean recall 1/2 (%g)", clgan_mean_recall(cm, 3));
    int64_t empty[4] = {0};
    EXPECT(isnan(clgan_accuracy(empty, 2)), "accuracy of an empty matrix is NaN");
    const float x[4] = {1, 3, 3, NAN};
    EXPECT(clgan_argmax(x, 4) == 1, "argmax: the first of a tie, NaN never wins (%d)", clgan_argmax(x, 4));
}

static void test_scores(void)
{
    enum { N = 50, F = 3 };
    float f1[N * F], f2[N * F];
    const float delta[F] = {1, 2, -2};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < F; j++) {
            f1[i * F + j] = (float)sin(i * 1.3 + j * 0.7) * (float)(j + 1) + (float)((i * 7 + j * 3) % 5) * 0.1f;
            f2[i * F + j] = f1[i * F + j] + delta[j];
        }
    double fd = -1;
    MUST(clgan_frechet_distance(N, f1, N, f1, F, &fd));
    EXPECT(fabs(fd) < 1e-6, "Frechet distance of a set to itself is 0 (%g)", fd);
    MUST(clgan_frechet_distance(N, f1, N, f2, F, &fd));
    EXPECT(near(fd, 9.0, 1e-5), "Frechet distance of a shifted copy is |shift|^2 = 9 (%g)", fd);
    EXPECT(clgan_frechet_distance(1, f1, N, f2, F, &fd) == CLGAN_ERR_INVALID_ARG,
           "Frechet distance needs two images per set: %s", clgan_last_error());

    const float onehot[8] = {1, 0, 0, 1, 1, 0, 0, 1}, same[8] = {0.3f, 0.7f, 0.3f, 0.7f, 0.3f, 0.7f, 0.3f, 0.7f};
    EXPECT(near(clgan_inception_score(4, 2, onehot), 2, 1e-9), "inception score of confident, even predictions is K = 2 (%g)",
           clgan_inception_score(4, 2, onehot));
    EXPECT(near(clgan_inception_score(4, 2, same), 1, 1e-9), "inception score of identical predictions is 1 (%g)",
           clgan_inception_score(4, 2, same));

    const float probs[12] = {0.8f, 0.1f, 0.1f, 0.6f, 0.3f, 0.1f, 0.5f, 0.2f, 0.3f, 0.1f, 0.7f, 0.2f};
    double share[3];
    int covered = clgan_mode_coverage(4, 3, probs, 0.2, share);
    EXPECT(covered == 2 && near(share[0], 0.75, 1e-12) && near(share[1], 0.25, 1e-12) && share[2] == 0,
           "mode coverage: shares 3/4, 1/4, 0, two classes at >= 0.2 (%d: %g %g %g)", covered, share[0], share[1],
           share[2]);
    const int32_t wanted[4] = {0, 1, -1, 1};
    double ca = clgan_conditional_accuracy(4, 3, probs, wanted);
    EXPECT(near(ca, 2.0 / 3, 1e-12), "conditional accuracy 2/3, the unlabelled row skipped (%g)", ca);
}

static void test_model_features(clgan_ctx *ctx)
{
    clgan_model_params p = clgan_model_default_params(CLGAN_MODEL_CLASSIFIER);
    p.arch = "lenet28", p.classes = 10, p.settings = "batch=4 width=4 seed=3";
    clgan_model *clf;
    MUST(clgan_model_create(ctx, &p, &clf));
    clgan_dataset *data;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, NULL, &data));
    enum { N = 6, PX = 28 * 28 };
    static float x[N * PX];
    MUST(clgan_dataset_read(data, 0, N, x, NULL));
    int F = 0;
    MUST(clgan_model_feature_dim(clf, &F));
    EXPECT(F > 0, "a classifier has scoring features (%d)", F);
    float *feats = malloc((size_t)N * F * sizeof *feats), probs[N * 10], pred[N * 10];

    MUST(clgan_profile_start(ctx));
    MUST(clgan_model_features(clf, N, x, feats, probs));
    const clgan_profile_entry *e;
    int n = 0;
    MUST(clgan_profile_entries(ctx, &e, &n));
    uint64_t calls = 0;
    int named = 1;
    for (int i = 0; i < n; i++) calls += e[i].calls, named &= e[i].kernel[0] != 0 && e[i].ms >= 0;
    EXPECT(n > 0 && calls > 0 && named, "the profiler saw the features' launches (%d rows, %llu calls)", n,
           (unsigned long long)calls);
    MUST(clgan_profile_reset(ctx));
    MUST(clgan_profile_entries(ctx, &e, &n));
    EXPECT(n == 0, "reset clears the table (%d rows)", n);
    clgan_profile_stop(ctx);
    MUST(clgan_profile_entries(ctx, &e, &n));
    EXPECT(n == 0 && e == NULL, "a stopped profiler has no table");
    clgan_profile_stop(ctx); /* twice is harmless */
    EXPECT(clgan_profile_entries(NULL, &e, &n) == CLGAN_ERR_INVALID_ARG, "entries of no context: %s",
           clgan_last_error());

    MUST(clgan_model_predict(clf, N, x, pred));
    double worst = 0, sum_err = 0;
    int finite = 1;
    for (int i = 0; i < N * 10; i++) worst = fmax(worst, fabs(probs[i] - pred[i]));
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int k = 0; k < 10; k++) s += probs[i * 10 + k];
        sum_err = fmax(sum_err, fabs(s - 1));
    }
    for (int i = 0; i < N * F; i++) finite &= isfinite(feats[i]);
    EXPECT(worst < 1e-6 && sum_err < 1e-5, "features' probabilities are predict's (worst %g) and sum to 1 (%g)", worst,
           sum_err);
    EXPECT(finite, "the features are finite");
    double fd;
    MUST(clgan_frechet_distance(N, feats, N, feats, F, &fd));
    EXPECT(fabs(fd) < 1e-6, "a model's features against themselves: distance 0 (%g)", fd);
    free(feats);

    clgan_model_params g = clgan_model_default_params(CLGAN_MODEL_GAN);
    g.settings = "batch=4 width=4 nz=8";
    clgan_model *gan;
    MUST(clgan_model_create(ctx, &g, &gan));
    EXPECT(clgan_model_feature_dim(gan, &F) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "gan"),
           "a GAN has no scoring features: %s", clgan_last_error());
    int layer = -1, fc = 0, fh = 0, fw = 0, lc, lh, lw;
    MUST(clgan_model_feature_layer(gan, &layer));
    clgan_net *d = clgan_model_net(gan, "D");
    int layers = clgan_net_layer_count(d);
    clgan_net_layer_shape(d, layer, &fc, &fh, &fw);
    clgan_net_layer_shape(d, layers - 1, &lc, &lh, &lw);
    EXPECT(layer >= 0 && layer < layers - 1 && fc * fh * fw > lc * lh * lw,
           "D's feature layer %d of %d: maps %dx%dx%d, wider than its output", layer, layers, fc, fh, fw);
    EXPECT(clgan_model_feature_layer(clf, &layer) == CLGAN_ERR_INVALID_ARG, "a classifier has no D features: %s",
           clgan_last_error());
    clgan_model_free(gan);
    clgan_model_free(clf);
    clgan_dataset_free(data);
}

static void test_settings_check(void)
{
    MUST(clgan_settings_check(CLGAN_MODEL_GAN, "batch=32 lr_g=1e-4 loss=ls"));
    MUST(clgan_settings_check(CLGAN_MODEL_CLASSIFIER, NULL));
    EXPECT(clgan_settings_check(CLGAN_MODEL_GAN, "batch=1") == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "batch"),
           "batch=1 is out of range: %s", clgan_last_error());
    EXPECT(clgan_settings_check(CLGAN_MODEL_CLASSIFIER, "no_such_setting=3") == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "no_such_setting"),
           "an unknown name is named: %s", clgan_last_error());
    EXPECT(clgan_settings_check((clgan_model_kind)9, "") == CLGAN_ERR_INVALID_ARG, "an unknown kind: %s",
           clgan_last_error());
}

int main(void)
{
    test_settings_check();
    test_metrics();
    test_scores();
    clgan_ctx *ctx = test_device_or_null("the model features and the profiler are");
    if (ctx) test_model_features(ctx);
    clgan_ctx_free(ctx);
    return test_finish();
}
