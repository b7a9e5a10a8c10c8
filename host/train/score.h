/* score.h — scoring generated images with a trained classifier: its
 * penultimate ("feature layer") activations and class probabilities, a
 * Fréchet distance between two feature sets, an Inception-Score-style
 * number, mode coverage and conditional accuracy.
 *
 *     int F = clgan_score_feature_dim(clf), K = ...arch.classes;
 *     clgan_score_features(ctx, clf, n, images, feats, probs);   // [n*F], [n*K]
 *     clgan_frechet_distance(n_real, real_feats, n, feats, F, &fd);
 *     double is = clgan_inception_score(n, K, probs);
 *
 * Everything but the feature functions is plain host C in double precision
 * (no device).
 *
 * Fréchet distance between Gaussians N(mu1, S1) and N(mu2, S2) fitted to two
 * feature sets (covariances with the n-1 divisor, as numpy.cov):
 *     FD = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1^1/2 S2 S1^1/2)^1/2)
 * where Tr((S1^1/2 S2 S1^1/2)^1/2) = Tr((S1 S2)^1/2); both square roots come
 * from a cyclic Jacobi eigen-decomposition, tiny negative eigenvalues
 * (round-off) clamped to 0. A result within round-off of 0 (1e-6 of the
 * traces) is returned as 0, so a set against itself gives exactly 0.
 *
 * Inception-Score-style number: exp(mean_x KL(p(y|x) || p(y))), p(y) the
 * mean of the rows: 1 when every prediction is the same, K when each image
 * is confidently one class and the classes are used evenly.
 */
#ifndef CLGAN_SCORE_H
#define CLGAN_SCORE_H
#include "train/classifier.h"
#include "train/ssl.h"

#include <stdint.h>

/* Number of features at the classifier's feature layer (F). */
int clgan_score_feature_dim(const clgan_classifier *clf);

/* Run clf (created or loaded on ctx) in inference mode (chunks of its planned batch) over n >= 1 host
 * images [n,C,H,W] in [-1,1]; features [n*F] receives the feature-layer
 * activations, probs [n*K] the class probabilities. Either output may be
 * NULL. */
clgan_status clgan_score_features(clgan_ctx *ctx, clgan_classifier *clf, int n, const float *images, float *features /* [n*F] */,
                                  float *probs /* [n*K] */);

/* The same for a semi-supervised (train-ssl) model: its discriminator's
 * last hidden layer (the feature-matching layer) and its softmax over the K
 * real classes (the fake class left out), in inference mode (no noise or
 * dropout). */
int clgan_score_ssl_feature_dim(clgan_ssl *s);
clgan_status clgan_score_ssl_features(clgan_ctx *ctx, clgan_ssl *s, int n, const float *images,
                                      float *features /* [n*F] */, float *probs /* [n*K] */);

/* Symmetric eigen-decomposition by cyclic Jacobi rotations. a [n*n] (row
 * major, symmetric) is destroyed; evals [n] receives the eigenvalues in
 * ascending order, evecs [n*n] (may be NULL) the matching unit eigenvectors
 * as COLUMNS (evecs[i*n + k] = component i of eigenvector k). Returns the
 * number of sweeps used, or -1 if the off-diagonal mass did not vanish
 * within max_sweeps (<= 0: 100). */
int clgan_sym_eigen(int n, double *a, double *evals, double *evecs, int max_sweeps);

/* Mean [F] and covariance [F*F] (n-1 divisor; needs n >= 2) of n feature
 * rows [n*F]. */
clgan_status clgan_feature_stats(int n, int F, const float *features, double *mean, double *cov);

/* The Fréchet distance between N(mu1,S1) and N(mu2,S2) (F-dimensional). */
clgan_status clgan_frechet_from_stats(int F, const double *mu1, const double *s1, const double *mu2, const double *s2,
                                      double *fd /* OUT */);

/* clgan_frechet_distance, clgan_inception_score, clgan_mode_coverage and
 * clgan_conditional_accuracy are public: clgan/score.h. */
#endif
