/* metrics.h — classification metrics on the host: confusion matrices,
 * accuracy, per-class recall and precision. Pure C, no device.
 *
 * A confusion matrix is K×K int64 counts, row-major, cm[t*K + p] = number of
 * images of true class t predicted as p (rows: truth, columns: prediction).
 */
#ifndef CLGAN_METRICS_H
#define CLGAN_METRICS_H
#include <stdint.h>

/* Add n (truth, prediction) pairs. Pairs whose truth or prediction is outside
 * [0, K) (e.g. unlabelled, -1) are skipped; returns the number added. */
int clgan_confusion_add(int64_t *cm, int K, const int32_t *truth, const int32_t *pred, int n);
/* Sum of all cells. */
int64_t clgan_confusion_total(const int64_t *cm, int K);
/* Trace / total; NaN when the matrix is empty. */
double clgan_accuracy(const int64_t *cm, int K);
/* recall[k] = cm[k][k] / row k's sum (NaN for a class with no images). */
void clgan_recall(const int64_t *cm, int K, double *recall /* [K] */);
/* precision[k] = cm[k][k] / column k's sum (NaN for a class never predicted). */
void clgan_precision(const int64_t *cm, int K, double *precision /* [K] */);
/* Mean over the classes whose recall is defined (balanced accuracy); NaN if none. */
double clgan_mean_recall(const int64_t *cm, int K);
/* Index of the largest of x[0..K) (the first on ties; NaN never wins). */
int clgan_argmax(const float *x, int K);
#endif
