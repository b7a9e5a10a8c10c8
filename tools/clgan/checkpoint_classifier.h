/* checkpoint_classifier.h — a checkpoint that classifies images, as `eval`
 * and `predict` see it: a train-classifier checkpoint, or a train-ssl one
 * (its discriminator: softmax over the K real classes, the fake class left
 * out). One of clf / ssl is set after ckpt_classifier_load. */
#ifndef CLGAN_CHECKPOINT_CLASSIFIER_H
#define CLGAN_CHECKPOINT_CLASSIFIER_H
#include "train/classifier.h"
#include "train/ssl.h"

typedef struct ckpt_classifier {
    char kind[32];     /* the container kind: "clgan-classifier" or "clgan-ssl" */
    char model[16];    /* lenet28, ..., ssl28, ssl32 */
    int c, h, w;       /* image shape the model takes */
    int classes;       /* K */
    uint64_t seed;     /* the training seed (datasets use it for their splits) */
    clgan_classifier *clf;
    clgan_ssl *ssl;
} ckpt_classifier;

/* Kind, model, shape, classes and seed of the checkpoint at path, without
 * building a net. 1 on success; prints the error (naming what the file is
 * when it holds neither kind) otherwise. */
int ckpt_classifier_peek(const char *path, ckpt_classifier *m /* OUT */);
/* Peek, then build the model on ctx. 1 on success; prints the error. */
int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m /* OUT */);
void ckpt_classifier_free(ckpt_classifier *m); /* frees the model, keeps the description */

/* Class probabilities [n,K] of n images [n,C,H,W] in [-1,1] (inference mode). */
clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs /* [n*K] */);
/* Confusion matrix [K*K] of d's labelled images (zeroed first). */
clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion);
int64_t ckpt_classifier_step(const ckpt_classifier *m);
const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k);
/* The class names as an array [K][64] (freed by the caller); NULL, with the
 * error printed, when out of memory. */
char (*ckpt_classifier_class_names(const ckpt_classifier *m))[64];
#endif
