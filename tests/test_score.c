/* test_score.c — score.h against hand-computed values: Jacobi eigenvalues
 * and eigenvectors of known symmetric matrices, Fréchet distances (identical
 * sets 0, diagonal covariances in closed form, a shifted mean gives
 * ||dmu||^2, a non-commuting 2x2 case, symmetry), the Inception-Score-style
 * number (uniform predictions 1, confident even one-hot K), mode coverage
 * and conditional accuracy. These run without a device. With a device:
 * clgan_score_features on an untrained small lenet28 (probabilities equal
 * clgan_classifier_predict's, features are the same row whether an image is
 * scored in a full chunk, a short chunk or alone, ReLU features >= 0). */
#include "test_util.h"
#include "data/dataset.h"
#include "train/classifier.h"
#include "train/score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int near(double a, double b, double tol) { return fabs(a - b) <= tol * (1 + fabs(b)); }

static void test_jacobi(void)
{
    /* Tridiagonal [2 1 0; 1 2 1; 0 1 2]: eigenvalues 2 - sqrt2, 2, 2 + sqrt2. */
    double a[9] = {2, 1, 0, 1, 2, 1, 0, 1, 2}, a0[9], ev[3], v[9];
    memcpy(a0, a, sizeof a);
    int sweeps = clgan_sym_eigen(3, a, ev, v, 0);
    EXPECT(sweeps >= 1 && near(ev[0], 2 - sqrt(2), 1e-12) && near(ev[1], 2, 1e-12) && near(ev[2], 2 + sqrt(2), 1e-12),
           "jacobi 3x3: eigenvalues %.15g %.15g %.15g (%d sweeps)", ev[0], ev[1], ev[2], sweeps);
    double worst = 0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++) {
            double av = 0;
            for (int j = 0; j < 3; j++) av += a0[i * 3 + j] * v[j * 3 + k];
            worst = fmax(worst, fabs(av - ev[k] * v[i * 3 + k]));
        }
    double orth = 0;
    for (int k = 0; k < 3; k++)
        for (int l = 0; l < 3; l++) {
            double d = 0;
            for (int i = 0; i < 3; i++) d += v[i * 3 + k] * v[i * 3 + l];
            orth = fmax(orth, fabs(d - (k == l)));
        }
    EXPECT(worst < 1e-12 && orth < 1e-12, "jacobi 3x3: A v = l v (err %.2g), V orthonormal (err %.2g)", worst, orth);

    /* Already diagonal (unsorted): 0 sweeps, sorted ascending. */
    double d[4] = {5, 0, 0, -1}, evd[2];
    EXPECT(clgan_sym_eigen(2, d, evd, NULL, 0) == 0 && evd[0] == -1 && evd[1] == 5, "jacobi diagonal: %g %g", evd[0],
           evd[1]);

    /* A random 12x12 S = Q diag(1..12) Q^T built from Householder Q: eigenvalues 1..12. */
    enum { N = 12 };
    double u[N], s[N * N], e[N];
    unsigned x = 12345;
    double un = 0;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        u[i] = (double)(x >> 8) / (1u << 24) - 0.5;
        un += u[i] * u[i];
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0; /* (I - 2uu^T/|u|^2) D (I - 2uu^T/|u|^2) */
            for (int k = 0; k < N; k++) {
                double qik = (i == k) - 2 * u[i] * u[k] / un, qjk = (j == k) - 2 * u[j] * u[k] / un;
                sum += qik * (k + 1) * qjk;
            }
            s[i * N + j] = sum;
        }
    int sw = clgan_sym_eigen(N, s, e, NULL, 0);
    double err = 0;
    for (int i = 0; i < N; i++) err = fmax(err, fabs(e[i] - (i + 1)));
    EXPECT(sw > 0 && err < 1e-10, "jacobi 12x12 with eigenvalues 1..12: max error %.2g (%d sweeps)", err, sw);
}

static void test_frechet(void)
{
    /* Points mu +- c_i e_i (i < F): mean exactly mu, covariance (n-1 divisor,
     * n = 2F) diagonal with 2 c_i^2 / (n - 1). */
    enum { F = 4, NP = 2 * F };
    const double c1[F] = {1, 2, 0.5, 3}, c2[F] = {2, 1, 0.5, 1};
    const double mu1[F] = {0, 0, 0, 0}, mu2[F] = {1, -2, 0.5, 0};
    float f1[NP * F], f2[NP * F], f3[NP * F];
    for (int i = 0; i < F; i++)
        for (int sgn = 0; sgn < 2; sgn++) {
            int r = 2 * i + sgn;
            for (int j = 0; j < F; j++) {
                double o = (j == i) ? (sgn ? -1 : 1) : 0;
                f1[r * F + j] = (float)(mu1[j] + o * c1[j]);
                f2[r * F + j] = (float)(mu2[j] + o * c2[j]);
                f3[r * F + j] = (float)(mu2[j] + o * c1[j]); /* set 1 shifted */
            }
        }
    double fd = -1;
    MUST(clgan_frechet_distance(NP, f1, NP, f1, F, &fd));
    EXPECT(fabs(fd) < 1e-9, "frechet: identical sets give 0 (%.3g)", fd);

    double dmu2 = 0, want = 0;
    for (int j = 0; j < F; j++) {
        dmu2 += (mu1[j] - mu2[j]) * (mu1[j] - mu2[j]);
        double s1 = sqrt(2 * c1[j] * c1[j] / (NP - 1)), s2 = sqrt(2 * c2[j] * c2[j] / (NP - 1));
        want += (s1 - s2) * (s1 - s2); /* diagonal: sum (sqrt(a) - sqrt(b))^2 */
    }
    MUST(clgan_frechet_distance(NP, f1, NP, f3, F, &fd));
    EXPECT(near(fd, dmu2, 1e-9), "frechet: a shifted mean gives ||dmu||^2 = %g (got %.12g)", dmu2, fd);
    want += dmu2;
    MUST(clgan_frechet_distance(NP, f1, NP, f2, F, &fd));
    EXPECT(near(fd, want, 1e-9), "frechet: diagonal covariances, closed form %.12g (got %.12g)", want, fd);
    double fd_rev;
    MUST(clgan_frechet_distance(NP, f2, NP, f1, F, &fd_rev));
    EXPECT(near(fd_rev, fd, 1e-9), "frechet: symmetric in its arguments (%.12g vs %.12g)", fd_rev, fd);

    /* Non-commuting 2x2: S1 = I, S2 = [2 1; 1 2] (eigenvalues 3, 1):
     * FD = 2 + 4 - 2 (sqrt3 + 1) = 4 - 2 sqrt3; with S1 = diag(4, 1),
     * S2 = [2 1; 1 2]: S1^1/2 S2 S1^1/2 = [8 2; 2 2], eigenvalues 5 +- sqrt13,
     * FD = 5 + 4 - 2 (sqrt(5+sqrt13) + sqrt(5-sqrt13)). */
    double z[2] = {0, 0}, id[4] = {1, 0, 0, 1}, s2[4] = {2, 1, 1, 2}, s1b[4] = {4, 0, 0, 1};
    MUST(clgan_frechet_from_stats(2, z, id, z, s2, &fd));
    EXPECT(near(fd, 4 - 2 * sqrt(3), 1e-12), "frechet: I vs [2 1; 1 2] = 4 - 2 sqrt3 (got %.15g)", fd);
    double w2 = 9 - 2 * (sqrt(5 + sqrt(13)) + sqrt(5 - sqrt(13)));
    MUST(clgan_frechet_from_stats(2, z, s1b, z, s2, &fd));
    EXPECT(near(fd, w2, 1e-12), "frechet: diag(4,1) vs [2 1; 1 2] = %.15g (got %.15g)", w2, fd);
    MUST(clgan_frechet_from_stats(2, z, s2, z, s1b, &fd));
    EXPECT(near(fd, w2, 1e-12), "frechet: ... and the other way round (got %.15g)", fd);
    /* A singular covariance (rank 1) against itself: 0, no NaN from the clamp. */
    double r1[4] = {1, 1, 1, 1};
    MUST(clgan_frechet_from_stats(2, z, r1, z, r1, &fd));
    EXPECT(fabs(fd) < 1e-9, "frechet: a singular covariance against itself is 0 (%.3g)", fd);

    /* Fewer rows than features (rank-deficient covariances), a set against itself: the round-off of the clamped
     * eigenvalues must not come out as a negative distance. */
    {
        enum { FW = 62, NR = 3 };
        float few[NR * FW];
        uint32_t state = 12345;
        for (int i = 0; i < NR * FW; i++) few[i] = (float)((state = state * 1664525u + 1013904223u) >> 8) / (1 << 22);
        MUST(clgan_frechet_distance(NR, few, NR, few, FW, &fd));
        EXPECT(fd >= 0 && fd < 1e-6, "frechet: 3 rows of 62 features against themselves: 0, not negative (%.3g)", fd);
    }

    EXPECT(clgan_frechet_distance(1, f1, NP, f1, F, &fd) == CLGAN_ERR_INVALID_ARG, "frechet: one row is refused");
}

static void test_probability_scores(void)
{
    enum { K = 4, N = 8 };
    float uni[N * K], hot[N * K];
    for (int i = 0; i < N * K; i++) uni[i] = 1.0f / K;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < K; k++) hot[i * K + k] = (k == i % K);
    double is_uni = clgan_inception_score(N, K, uni), is_hot = clgan_inception_score(N, K, hot);
    EXPECT(near(is_uni, 1, 1e-12), "IS of uniform predictions = 1 (got %.15g)", is_uni);
    EXPECT(near(is_hot, K, 1e-12), "IS of confident one-hot predictions over %d classes evenly = %d (got %.15g)", K, K,
           is_hot);
    /* Confident but all one class: 1. Two classes evenly, confident: 2. */
    float one[N * K], two[N * K];
    for (int i = 0; i < N; i++)
        for (int k = 0; k < K; k++) {
            one[i * K + k] = (k == 2);
            two[i * K + k] = (k == i % 2);
        }
    EXPECT(near(clgan_inception_score(N, K, one), 1, 1e-12), "IS of one confident class = 1");
    EXPECT(near(clgan_inception_score(N, K, two), 2, 1e-12), "IS of two confident classes evenly = 2");

    /* Coverage: 100 rows, argmax class 0 x 60, class 1 x 39, class 2 x 1, class 3 x 0. */
    enum { M = 100 };
    float p[M * K];
    int32_t lab[M];
    for (int i = 0; i < M; i++) {
        int cls = i < 60 ? 0 : i < 99 ? 1 : 2;
        for (int k = 0; k < K; k++) p[i * K + k] = k == cls ? 0.7f : 0.1f;
        lab[i] = i % 2 ? cls : (cls + 1) % K; /* half intended as predicted */
    }
    double share[K];
    int cov = clgan_mode_coverage(M, K, p, 0.01, share);
    EXPECT(cov == 3 && share[0] == 0.6 && share[1] == 0.39 && share[2] == 0.01 && share[3] == 0,
           "coverage: 3 classes with >= 1%% (got %d; shares %.2f %.2f %.2f %.2f)", cov, share[0], share[1], share[2],
           share[3]);
    EXPECT(clgan_mode_coverage(M, K, p, 0.02, NULL) == 2, "coverage at 2%%: 2 classes");
    double acc = clgan_conditional_accuracy(M, K, p, lab);
    EXPECT(near(acc, 0.5, 1e-15), "conditional accuracy: half right = 0.5 (got %g)", acc);
    for (int i = 0; i < M; i++) lab[i] = i < 10 ? (i < 60 ? 0 : 1) : -1; /* 10 labelled, all right */
    acc = clgan_conditional_accuracy(M, K, p, lab);
    EXPECT(acc == 1, "conditional accuracy skips unlabelled rows (got %g)", acc);
    for (int i = 0; i < M; i++) lab[i] = -1;
    EXPECT(isnan(clgan_conditional_accuracy(M, K, p, lab)), "conditional accuracy with no labels is NaN");
}

static void test_device(void)
{
    clgan_ctx *ctx;
    MUST(clgan_ctx_create(NULL, &ctx));
    clgan_classifier_config cfg = clgan_classifier_default_config();
    snprintf(cfg.arch.model, sizeof cfg.arch.model, "lenet28");
    cfg.arch.width = 4;
    cfg.arch.classes = 10;
    cfg.batch = 8;
    clgan_classifier *clf;
    MUST(clgan_classifier_create(ctx, &cfg, &clf));
    int F = clgan_score_feature_dim(clf), K = 10;
    EXPECT(F == 16, "feature dim of lenet28 width 4 is 4W = 16 (got %d)", F);

    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.synthetic_test = 20;
    clgan_dataset *d;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TEST, &dopt, &d));
    enum { N = 20 }; /* chunks of 8: 8, 8, 4 (short) */
    size_t per = clgan_dataset_image_bytes(d);
    float *img = malloc(N * per * sizeof(float)), *feat = malloc((size_t)N * F * sizeof(float));
    float *probs = malloc((size_t)N * K * sizeof(float)), *ref = malloc((size_t)N * K * sizeof(float));
    float one_f[64], one_p[10];
    for (size_t i = 0; i < N * per; i++) img[i] = d->pixels[i] / 127.5f - 1.0f;
    MUST(clgan_score_features(ctx, clf, N, img, feat, probs));
    MUST(clgan_classifier_predict(clf, N, img, ref));
    double perr = 0, fmin = 0, fmax_ = 0;
    for (int i = 0; i < N * K; i++) perr = fmax(perr, fabs(probs[i] - ref[i]));
    for (int i = 0; i < N * F; i++) fmin = fmin < feat[i] ? fmin : feat[i], fmax_ = fmax(fmax_, feat[i]);
    EXPECT(perr < 1e-6, "score features: probabilities equal predict's (max diff %.2g)", perr);
    EXPECT(fmin >= 0 && fmax_ > 0, "score features: ReLU features >= 0 and not all 0 (min %g, max %g)", fmin, fmax_);
    double ferr = 0;
    int rows[] = {0, 13, 17, 19}; /* full chunk, full chunk, short chunk, last */
    for (int r = 0; r < 4; r++) {
        MUST(clgan_score_features(ctx, clf, 1, img + rows[r] * per, one_f, one_p));
        for (int j = 0; j < F; j++) ferr = fmax(ferr, fabs(one_f[j] - feat[rows[r] * F + j]));
    }
    EXPECT(ferr < 1e-5, "score features: an image's row is the same in any chunk or alone (max diff %.2g)", ferr);
    double fd;
    MUST(clgan_frechet_distance(N, feat, N, feat, F, &fd));
    EXPECT(fabs(fd) < 1e-6, "device features: FD of a set with itself is 0 (%.3g)", fd);
    free(img), free(feat), free(probs), free(ref);
    clgan_dataset_free(d);
    clgan_classifier_free(clf);
    clgan_ctx_free(ctx);
}

int main(void)
{
    test_jacobi();
    test_frechet();
    test_probability_scores();
    int ndev = 0;
    if (clgan_device_count(&ndev) == CLGAN_ERR_NO_PLATFORM || ndev == 0) {
        printf("%d failure(s) in the host-only part; skipped the device part: no OpenCL device\n", failures);
        return failures ? 1 : 77;
    }
    test_device();
    return test_finish();
}
