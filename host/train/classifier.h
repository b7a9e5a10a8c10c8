/* classifier.h — image classifier training and inference: a preset CNN
 * (classifier_models.h), softmax cross-entropy, Adam or SGD with an optional
 * step decay of the learning rate, and optional host-side augmentation.
 *
 *     clgan_classifier_config c = clgan_classifier_default_config();
 *     snprintf(c.arch.model, sizeof c.arch.model, "lenet28");
 *     c.arch.classes = 10;
 *     clgan_classifier *clf;
 *     clgan_classifier_create(ctx, &c, &clf);
 *     ... clgan_classifier_train_step(clf, x, y, &stats) per batch of c.batch images ...
 *     clgan_classifier_evaluate(clf, test, confusion);   // K x K counts (metrics.h)
 *     clgan_classifier_save(clf, "run/checkpoint.ckpt", "note");
 *
 * One step (batch B, global step s): augment the batch on the host when
 * enabled (shifts/crops/flips drawn from (seed, s)); forward in training mode
 * (batchnorm batch statistics, dropout masks from (seed, s)); mean softmax
 * cross-entropy over the labelled images (label -1 = unlabelled: no loss, no
 * gradient); backward; one optimizer step with lr(s) = lr * lr_decay^floor(s
 * / lr_decay_steps). Everything random derives from (seed, step), so a run
 * that stops after N steps and resumes for M more gives the same weights as
 * N+M steps in one go on the same device.
 *
 * Images are host floats [n,C,H,W] in [-1,1] (the loader's x / 127.5 - 1).
 */
#ifndef CLGAN_CLASSIFIER_H
#define CLGAN_CLASSIFIER_H
#include "data/dataset.h"
#include "train/classifier_models.h"

typedef enum clgan_classifier_optimizer {
    CLGAN_CLASSIFIER_ADAM = 0,
    CLGAN_CLASSIFIER_SGD = 1
} clgan_classifier_optimizer;

typedef struct clgan_classifier_config {
    clgan_classifier_arch arch;
    int batch;                            /* default 64; >= 2 (batchnorm) */
    clgan_classifier_optimizer optimizer; /* default Adam */
    float lr;                             /* 0 = the optimizer's default: Adam 1e-3, SGD 0.01 */
    float momentum;                       /* SGD, default 0.9 */
    float beta1, beta2, eps;              /* Adam, default 0.9, 0.999, 1e-8 */
    float weight_decay;                   /* L2 added to the gradient, default 0 */
    float lr_decay;                       /* lr factor every lr_decay_steps steps, default 1 (none) */
    int64_t lr_decay_steps;               /* 0 = constant learning rate */
    int augment;                          /* 1: shifts (grey), pad-4 crops + flips (RGB) */
    uint64_t seed;                        /* weights, dropout, augmentation; default 1 */
    clgan_data_parallel parallel;         /* not a setting: a rank's share; none: the job's (clgan_dist_init) */
} clgan_classifier_config;

clgan_classifier_config clgan_classifier_default_config(void);
/* The learning rate the step with 0-based index `step` uses. */
double clgan_classifier_lr_at(const clgan_classifier_config *cfg, int64_t step);
const char *clgan_classifier_optimizer_name(clgan_classifier_optimizer opt);

typedef struct clgan_classifier_stats {
    double loss;     /* mean cross-entropy over the labelled images (0 if none) */
    double accuracy; /* share of the labelled images the batch got right (NaN if none) */
    double lr;       /* learning rate used */
    int labelled;    /* labelled images in the batch */
} clgan_classifier_stats;

typedef struct clgan_classifier clgan_classifier;

/* Resolves cfg->arch (model, width, classes) and the default lr, builds and
 * plans the net for cfg->batch. */
clgan_status clgan_classifier_create(clgan_ctx *ctx, const clgan_classifier_config *cfg,
                                     clgan_classifier **out /* OUT */);
void clgan_classifier_free(clgan_classifier *clf); /* NULL is a no-op */
const clgan_classifier_config *clgan_classifier_get_config(const clgan_classifier *clf);
int64_t clgan_classifier_step_count(const clgan_classifier *clf);
void clgan_classifier_set_step_count(clgan_classifier *clf, int64_t step); /* also the net's step */
clgan_net *clgan_classifier_net(clgan_classifier *clf);
/* Index of the features layer (penultimate activation) in the net. */
int clgan_classifier_feature_layer(const clgan_classifier *clf);

/* Class names (saved in checkpoints); default "0", "1", ... */
void clgan_classifier_set_class_names(clgan_classifier *clf, const char (*names)[64]);
const char *clgan_classifier_class_name(const clgan_classifier *clf, int k);
const char (*clgan_classifier_class_names(const clgan_classifier *clf))[64]; /* all K, for checkpoints */

/* One training step on exactly cfg->batch images (host floats [B,C,H,W]) and
 * labels [B] in [-1, K). */
clgan_status clgan_classifier_train_step(clgan_classifier *clf, const float *images, const int32_t *labels,
                                         clgan_classifier_stats *stats /* OUT, may be NULL */);

/* Class probabilities [n,K] (softmax of the logits, inference mode: batchnorm
 * running statistics, no dropout) for n >= 1 images [n,C,H,W], computed in
 * chunks of the planned batch. */
clgan_status clgan_classifier_predict(clgan_classifier *clf, int n, const float *images, float *probs /* [n*K] */);

/* Predict every image of d (its shape must be the model's) and add the
 * (label, prediction) pairs of its labelled images to confusion [K*K]
 * (zeroed first; rows true class, columns prediction: metrics.h).
 * d->classes must equal K. */
clgan_status clgan_classifier_evaluate(clgan_classifier *clf, const clgan_dataset *d, int64_t *confusion /* [K*K] */);

/* The augmentation train_step applies, as a pure function of (seed, step):
 * per image, in order, dx and dy uniform in [-S, S] (S = 2 for c == 1,
 * S = 4 for c >= 3: a pad-4 random crop) and, for c >= 3 only, a horizontal
 * flip with probability 1/2. Pixels shifted in are -1 (black, the zero
 * pixel). in and out [n,c,h,w] must not overlap. in holds images
 * first .. first+n-1 of the step's batch (a data-parallel rank's share):
 * they get the draws the whole batch's images first.. get. */
void clgan_classifier_augment(uint64_t seed, int64_t step, int64_t first, int n, int c, int h, int w, const float *in,
                              float *out);

/* ---- checkpoints (container kind "clgan-classifier") ---------------------
 * Sections: kind, arch ("model=lenet28 width=32 classes=10"), config
 * (key=value text, floats %.9g), step (i64), rng ("derived seed=S": all
 * randomness is a function of (seed, step)), class_names (one per line),
 * net.layout, net.params, net.state, net.opt_m, net.opt_v (Adam only),
 * note. Loading rebuilds the classifier from arch/config and refuses the
 * file if the layout or any block size differs. */
clgan_status clgan_classifier_save(clgan_classifier *clf, const char *path, const char *note);
/* note (may be NULL) receives the saved note. */
clgan_status clgan_classifier_load(clgan_ctx *ctx, const char *path, clgan_classifier **out /* OUT */, char *note,
                                   size_t note_cap);
/* The config stored in a checkpoint, without building the net. */
clgan_status clgan_classifier_peek(const char *path, clgan_classifier_config *cfg /* OUT */);
#endif
