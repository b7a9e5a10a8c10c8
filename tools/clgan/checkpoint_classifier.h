/* checkpoint_classifier.h — a checkpoint that classifies images, as `eval`,
 * `predict` and (all but dfeatures heads) `score` see it: a train-classifier
 * checkpoint; a train-ssl one (its discriminator: softmax over the K real
 * classes, the fake class left out); or a train-dfeatures head (with the GAN checkpoint it names, which must
 * still have the SHA-256 it had when the head was trained). After
 * ckpt_classifier_load, clf, ssl or gan + head is set. */
#ifndef CLGAN_CHECKPOINT_CLASSIFIER_H
#define CLGAN_CHECKPOINT_CLASSIFIER_H
#include "train/classifier.h"
#include "train/dfeatures.h"
#include "train/ssl.h"

typedef struct ckpt_classifier {
    char kind[32];     /* the container kind: "clgan-classifier", "clgan-ssl" or "clgan-dfeatures" */
    char model[16];    /* lenet28, ..., ssl28, ssl32, or "dfeatures" */
    int c, h, w;       /* image shape the model takes */
    int classes;       /* K */
    uint64_t seed;     /* the training seed (datasets use it for their splits) */
    clgan_classifier *clf;
    clgan_ssl *ssl;
    clgan_dhead_file dfeat; /* a dfeatures head's file: GAN path, pooling, class names */
    clgan_gan *gan;
    clgan_dhead *head;
    clgan_ctx *ctx;         /* the dfeatures GAN's context */
} ckpt_classifier;

/* Kind, model, shape, classes and seed of the checkpoint at path, without
 * building a net. 1 on success; prints the error (naming what the file is
 * when it is none of the three kinds) otherwise. */
int ckpt_classifier_peek(const char *path, ckpt_classifier *m /* OUT */);
/* Build the model on ctx; m is zero-initialised (then peeked here) or was
 * filled by ckpt_classifier_peek on the same path. 1 on success; prints the
 * error. */
int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m /* OUT */);
void ckpt_classifier_free(ckpt_classifier *m); /* after peek or load, failed or not */

/* Class probabilities [n,K] of n images [n,C,H,W] in [-1,1] (inference mode). */
clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs /* [n*K] */);
/* For `score`: features F of the classifier's penultimate layer (train-ssl:
 * the discriminator's feature-matching layer); 0 for a dfeatures head, which
 * score does not take. */
int ckpt_classifier_feature_dim(ckpt_classifier *m);
/* Those features [n*F] and the class probabilities [n*K] (either may be NULL)
 * of n images [n,C,H,W] in [-1,1]; ctx is the one the model was loaded on. */
clgan_status ckpt_classifier_features(clgan_ctx *ctx, ckpt_classifier *m, int n, const float *images,
                                      float *features, float *probs);
/* Confusion matrix [K*K] of d's labelled images (zeroed first). */
clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion);
int64_t ckpt_classifier_step(const ckpt_classifier *m);
const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k);
/* The class names as an array [K][64] (freed by the caller); NULL, with the
 * error printed, when out of memory. */
char (*ckpt_classifier_class_names(const ckpt_classifier *m))[64];
#endif
