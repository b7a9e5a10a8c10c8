/* clgan/score.h — how good a model is: classification metrics from a
 * confusion matrix, and scores of generated images against a classifier
 * model's view of real ones (Frechet distance of its features, an
 * Inception-Score-style number, mode coverage, conditional accuracy).
 *
 *     int F;
 *     clgan_model_feature_dim(clf, &F);                         // a classifier or ssl model
 *     clgan_model_features(clf, n, real, real_f, NULL);         // [n*F]
 *     clgan_model_features(clf, n, fake, fake_f, probs);        // [n*F], [n*K]
 *     double fd;
 *     clgan_frechet_distance(n, real_f, n, fake_f, F, &fd);
 *     double is = clgan_inception_score(n, K, probs);
 *
 * Everything but the two model functions is plain host C in double
 * precision (no device). A confusion matrix is K x K int64 counts,
 * row-major: cm[t*K + p] = images of true class t predicted as p.
 *
 * Frechet distance between Gaussians N(mu1, S1) and N(mu2, S2) fitted to two
 * feature sets (covariances with the n-1 divisor, as numpy.cov):
 *     FD = ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^1/2)
 * (square roots from a Jacobi eigen-decomposition; a result within
 * round-off of 0, 1e-6 of the traces, is 0: a set against itself gives 0).
 * Inception-Score-style number: exp(mean_x KL(p(y|x) || p(y))), p(y) the
 * mean of the rows: 1 when every prediction is the same, K when each image is
 * confidently one class and the classes are used evenly.
 */
#ifndef CLGAN_SCORE_API_H
#define CLGAN_SCORE_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_model clgan_model; /* clgan/model.h */

/* ---- confusion-matrix metrics ---------------------------------------------- */
/* Add n (truth, prediction) pairs to cm. Pairs whose truth or prediction is
 * outside [0, K) (e.g. unlabelled, -1) are skipped; returns the number added. */
CLGAN_API int clgan_confusion_add(int64_t *cm, int K, const int32_t *truth, const int32_t *pred, int n);
/* Sum of all cells. */
CLGAN_API int64_t clgan_confusion_total(const int64_t *cm, int K);
/* Trace / total; NaN when the matrix is empty. */
CLGAN_API double clgan_accuracy(const int64_t *cm, int K);
/* recall[k] = cm[k][k] / row k's sum (NaN for a class with no images). */
CLGAN_API void clgan_recall(const int64_t *cm, int K, double *recall /* [K] */);
/* precision[k] = cm[k][k] / column k's sum (NaN for a class never predicted). */
CLGAN_API void clgan_precision(const int64_t *cm, int K, double *precision /* [K] */);
/* Mean over the classes whose recall is defined (balanced accuracy); NaN if none. */
CLGAN_API double clgan_mean_recall(const int64_t *cm, int K);
/* Index of the largest of x[0..K) (the first on ties; NaN never wins). */
CLGAN_API int clgan_argmax(const float *x, int K);

/* ---- scores of generated images --------------------------------------------- */
/* The number of features F at a classifier model's feature layer (a
 * semi-supervised model: its discriminator's feature-matching layer).
 * Other kinds: CLGAN_ERR_INVALID_ARG. */
CLGAN_API clgan_status clgan_model_feature_dim(const clgan_model *model, int *dim /* OUT */);
/* Those features [n*F] and the class probabilities [n*K] (either may be
 * NULL) of n >= 1 images [n,C,H,W] in [-1, 1], in inference mode. */
CLGAN_API clgan_status clgan_model_features(clgan_model *model, int n, const float *images,
                                            float *features /* OUT [n*F] */, float *probs /* OUT [n*K] */);
/* The Frechet distance between two feature sets [n1*F] and [n2*F] (n1, n2 >= 2). */
CLGAN_API clgan_status clgan_frechet_distance(int n1, const float *f1, int n2, const float *f2, int F,
                                              double *fd /* OUT */);
/* exp(mean_i KL(probs_i || mean_j probs_j)) over n rows of K probabilities. */
CLGAN_API double clgan_inception_score(int n, int K, const float *probs);
/* Mode coverage: share [K] (may be NULL) receives the share of the n rows
 * whose argmax is each class; returns the number of classes whose share is
 * >= min_share (e.g. 0.01). */
CLGAN_API int clgan_mode_coverage(int n, int K, const float *probs, double min_share, double *share /* [K] */);
/* Share of the rows with an intended label in [0,K) whose argmax equals it
 * (rows labelled outside [0,K), e.g. -1, are skipped); NaN if none. */
CLGAN_API double clgan_conditional_accuracy(int n, int K, const float *probs, const int32_t *labels);

#ifdef __cplusplus
}
#endif
#endif
