/* infer_loop.h — the inference loops shared by the models that classify
 * (classifier, semi-supervised GAN): predict class probabilities for host
 * images and evaluate a labelled dataset into a confusion matrix, one batch
 * of B images at a time (a short last batch is padded with copies of its
 * first image; inference rows are independent). Also the numbered class
 * names ("0", "1", ...) a model starts with. */
#ifndef CLGAN_INFER_LOOP_H
#define CLGAN_INFER_LOOP_H
#include "data/dataset.h"

typedef struct clgan_infer_loop {
    int batch, classes;                 /* B, K */
    int c, h, w;                        /* the model's image shape */
    float *host_x;                      /* [B,C,H,W] staging, filled by the loop */
    const float *host_logits;           /* [B,K], written by infer */
    int32_t *host_pred;                 /* [B] scratch for evaluate */
    clgan_status (*infer)(void *model); /* inference logits of host_x into host_logits */
    void *model;
} clgan_infer_loop;

/* images [n,C,H,W] in [-1,1] -> probs [n,K] (softmax in double). */
clgan_status clgan_infer_predict(const clgan_infer_loop *l, int n, const float *images, float *probs);
/* d's images (same shape, K classes) -> confusion [K,K] (metrics.h), zeroed first. */
clgan_status clgan_infer_evaluate(const clgan_infer_loop *l, const clgan_dataset *d, int64_t *confusion);
/* calloc'd names "0".."K-1" (free() them); NULL when out of memory. */
char (*clgan_class_names_numbered(int K))[64];

#endif
