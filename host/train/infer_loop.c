/* infer_loop.c — batched predict and evaluate loops of the classifying
 * models (see infer_loop.h). */
#include "infer_loop.h"

#include "core/error.h"
#include "train/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Softmax of each logits row into probs (in double, max subtracted). */
static void softmax_rows(const float *logits, int n, int K, float *probs)
{
    for (int i = 0; i < n; i++) {
        const float *l = logits + (size_t)i * K;
        float *p = probs + (size_t)i * K;
        double m = l[0], sum = 0;
        for (int k = 1; k < K; k++)
            if (l[k] > m) m = l[k];
        for (int k = 0; k < K; k++) sum += exp((double)l[k] - m);
        for (int k = 0; k < K; k++) p[k] = (float)(exp((double)l[k] - m) / sum);
    }
}

clgan_status clgan_infer_predict(const clgan_infer_loop *l, int n, const float *images, float *probs)
{
    int B = l->batch, K = l->classes;
    size_t per = (size_t)l->c * l->h * l->w;
    for (int done = 0; done < n; done += B) {
        int take = n - done < B ? n - done : B;
        memcpy(l->host_x, images + (size_t)done * per, (size_t)take * per * sizeof(float));
        for (int i = take; i < B; i++) memcpy(l->host_x + (size_t)i * per, l->host_x, per * sizeof(float));
        TRY(l->infer(l->model));
        softmax_rows(l->host_logits, take, K, probs + (size_t)done * K);
    }
    return CLGAN_OK;
}

clgan_status clgan_infer_evaluate(const clgan_infer_loop *l, const clgan_dataset *d, int64_t *confusion)
{
    int B = l->batch, K = l->classes;
    if (d->c != l->c || d->h != l->h || d->w != l->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s holds %dx%dx%d images; the model takes %dx%dx%d", d->source, d->w,
                          d->h, d->c, l->w, l->h, l->c);
    if (d->classes != K)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has %d classes; the model has %d", d->source, d->classes, K);
    memset(confusion, 0, (size_t)K * K * sizeof *confusion);
    size_t per = clgan_dataset_image_bytes(d);
    for (int done = 0; done < d->n; done += B) {
        int take = d->n - done < B ? d->n - done : B;
        for (int i = 0; i < B; i++) {
            const uint8_t *src = d->pixels + (size_t)(done + (i < take ? i : 0)) * per;
            float *dst = l->host_x + (size_t)i * per;
            for (size_t j = 0; j < per; j++) dst[j] = src[j] / 127.5f - 1.0f;
        }
        TRY(l->infer(l->model));
        for (int i = 0; i < take; i++) l->host_pred[i] = clgan_argmax(l->host_logits + (size_t)i * K, K);
        clgan_confusion_add(confusion, K, d->labels + done, l->host_pred, take);
    }
    return CLGAN_OK;
}

char (*clgan_class_names_numbered(int K))[64]
{
    char (*names)[64] = calloc((size_t)K, sizeof *names);
    if (names)
        for (int k = 0; k < K; k++) snprintf(names[k], sizeof names[k], "%d", k);
    return names;
}
