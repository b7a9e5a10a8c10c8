/* checkpoint_classifier.h — a checkpoint that classifies images, as `eval`,
 * `predict` and (all but dfeatures heads) `score` see it: a model handle
 * (clgan/model.h) loaded from a train-classifier checkpoint, a train-ssl one
 * (its discriminator: softmax over the K real classes, the fake class left
 * out) or a train-dfeatures head (with the GAN checkpoint it names, which
 * must still have the SHA-256 it had when the head was trained), with the
 * facts the commands print. */
#ifndef CLGAN_CHECKPOINT_CLASSIFIER_H
#define CLGAN_CHECKPOINT_CLASSIFIER_H
#include "clgan.h"

typedef struct ckpt_classifier {
    char kind[32];     /* the container kind: "clgan-classifier", "clgan-ssl" or "clgan-dfeatures" */
    char model[32];    /* lenet28, ..., ssl28, ssl32, "custom", or "dfeatures" */
    clgan_model_kind model_kind;
    int c, h, w;       /* image shape the model takes */
    int classes;       /* K */
    int batch;         /* images per evaluation chunk: the training batch (256 for a dfeatures head) */
    uint64_t seed;     /* the training seed (datasets use it for their splits) */
    int64_t steps;     /* training steps taken */
    clgan_model *handle;
} ckpt_classifier;

/* Load the checkpoint at path on ctx. 1 on success; prints the error
 * (naming what the file is when it is none of the three kinds) otherwise. */
int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m /* OUT */);
void ckpt_classifier_free(ckpt_classifier *m); /* after load, failed or not */

/* Class probabilities [n,K] of n images [n,C,H,W] in [-1,1] (inference mode). */
clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs /* [n*K] */);
/* For `score`: features F of the classifier's penultimate layer (train-ssl:
 * the discriminator's feature-matching layer); 0 for a dfeatures head, which
 * score does not take. */
int ckpt_classifier_feature_dim(ckpt_classifier *m);
/* Those features [n*F] and the class probabilities [n*K] (either may be NULL)
 * of n images [n,C,H,W] in [-1,1]. */
clgan_status ckpt_classifier_features(ckpt_classifier *m, int n, const float *images, float *features, float *probs);
/* Confusion matrix [K*K] of d's labelled images (zeroed first). */
clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion);
const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k);
/* The class names as an array [K][64] (freed by the caller); NULL, with the
 * error printed, when out of memory. */
char (*ckpt_classifier_class_names(const ckpt_classifier *m))[64];
#endif
