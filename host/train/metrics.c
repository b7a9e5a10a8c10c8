/* metrics.c — confusion matrix, accuracy, recall, precision (see metrics.h). */
#include "metrics.h"

#include <math.h>

int clgan_confusion_add(int64_t *cm, int K, const int32_t *truth, const int32_t *pred, int n)
{
    int added = 0;
    for (int i = 0; i < n; i++) {
        if (truth[i] < 0 || truth[i] >= K || pred[i] < 0 || pred[i] >= K) continue;
        cm[(int64_t)truth[i] * K + pred[i]]++;
        added++;
    }
    return added;
}

int64_t clgan_confusion_total(const int64_t *cm, int K)
{
    int64_t t = 0;
    for (int64_t i = 0; i < (int64_t)K * K; i++) t += cm[i];
    return t;
}

double clgan_accuracy(const int64_t *cm, int K)
{
    int64_t total = clgan_confusion_total(cm, K), diag = 0;
    for (int k = 0; k < K; k++) diag += cm[(int64_t)k * K + k];
    return total ? (double)diag / (double)total : NAN;
}

void clgan_recall(const int64_t *cm, int K, double *recall)
{
    for (int t = 0; t < K; t++) {
        int64_t row = 0;
        for (int p = 0; p < K; p++) row += cm[(int64_t)t * K + p];
        recall[t] = row ? (double)cm[(int64_t)t * K + t] / (double)row : NAN;
    }
}

void clgan_precision(const int64_t *cm, int K, double *precision)
{
    for (int p = 0; p < K; p++) {
        int64_t col = 0;
        for (int t = 0; t < K; t++) col += cm[(int64_t)t * K + p];
        precision[p] = col ? (double)cm[(int64_t)p * K + p] / (double)col : NAN;
    }
}

double clgan_mean_recall(const int64_t *cm, int K)
{
    double sum = 0;
    int n = 0;
    for (int t = 0; t < K; t++) {
        int64_t row = 0;
        for (int p = 0; p < K; p++) row += cm[(int64_t)t * K + p];
        if (row) sum += (double)cm[(int64_t)t * K + t] / (double)row, n++;
    }
    return n ? sum / n : NAN;
}

int clgan_argmax(const float *x, int K)
{
    int best = 0;
    for (int k = 1; k < K; k++)
        if (x[k] > x[best] || (isnan(x[best]) && !isnan(x[k]))) best = k;
    return best;
}
