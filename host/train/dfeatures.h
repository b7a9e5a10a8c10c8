/* dfeatures.h — a trained GAN discriminator as a frozen feature extractor,
 * and a small softmax head trained on its pooled features (issue 4, "the
 * discriminator features" way a GAN helps a classifier).
 *
 *     clgan_gan *gan;  clgan_gan_load(ctx, "gan.ckpt", &gan, NULL, 0);
 *     clgan_dfeat_options fo = clgan_dfeat_default_options();
 *     int F = clgan_dfeat_dim(gan, &fo);
 *     clgan_dfeat_extract(ctx, gan, &fo, n, images, feats);      // [n*F] host floats
 *     clgan_dhead_config hc = clgan_dhead_default_config();
 *     hc.features = F; hc.classes = K;
 *     clgan_dhead *head;  clgan_dhead_create(ctx, &hc, &head);
 *     clgan_dhead_train(head, n, feats, labels, &stats);
 *     clgan_dhead_evaluate(head, n_test, test_feats, test_labels, confusion);
 *
 * Features. D runs in inference mode (clgan_net_forward with training = 0:
 * batchnorm running statistics, nothing written to D's parameters or
 * statistics) in chunks of the GAN's batch (a short last chunk is padded with
 * copies of its first image). The activation taken is the output of D's last
 * conv block (the LeakyReLU before the dense logit, or before the minibatch
 * std layer when the arch has mbstd), [N,C,H,W]. Each image's feature vector
 * is, in this order, whichever of these the pool mask selects:
 *   AVG    C global averages over H×W
 *   MAX    C global maxima over H×W
 *   GRID2  4C averages over the 2×2 grid of quadrants (row-major quadrants,
 *          channel-major: [c*4 + q]); with odd H or W the middle row/column
 *          belongs to the top/left quadrant
 *   FULL   the whole map flattened, C*H*W values in NCHW order (no pooling)
 * Conditional D: its input is the image with the one-hot class appended as
 * extra channels; features are extracted with a CONSTANT class
 * (options.cond_label, default 0) for every image, so the features cannot
 * depend on the (unknown at test time) true label.
 *
 * Head. A clgan net over input [F,1,1]: dense(K) (linear softmax) or, with
 * hidden = H > 0, dense(H)-ReLU-dense(K). Features are standardised with the
 * per-feature mean and standard deviation of the TRAINING features (std
 * floored at 1e-6), kept in the head and applied by predict/evaluate.
 * Training: softmax cross-entropy, Adam, `epochs` passes over the training
 * rows in a seeded random order per epoch, batches of `batch` rows; a short
 * last batch is filled with unlabelled rows (label -1: no loss, no
 * gradient), so any n >= 1 works.
 */
#ifndef CLGAN_DFEATURES_H
#define CLGAN_DFEATURES_H
#include "data/dataset.h"
#include "train/gan.h"

/* CLGAN_DFEAT_AVG, _MAX, _GRID2, _FULL: the pool bits, public (clgan/model.h). */

typedef struct clgan_dfeat_options {
    int pool;       /* mask of CLGAN_DFEAT_*; default AVG | MAX | GRID2 (6C features; on mnist10k the
                       2x2 grid adds ~20 points of accuracy over global pooling alone) */
    int cond_label; /* class fed to a conditional D; default 0 */
} clgan_dfeat_options;

clgan_dfeat_options clgan_dfeat_default_options(void);
/* Index of D's layer whose output is pooled (see above). */
int clgan_dfeat_layer(clgan_gan *gan);
/* Shape [C,H,W] of that layer's output. */
void clgan_dfeat_map_shape(clgan_gan *gan, int *c, int *h, int *w);
/* Feature count F for these options (0 for an empty pool mask). */
int clgan_dfeat_dim(clgan_gan *gan, const clgan_dfeat_options *opt);
/* Frozen features of n >= 1 host images [n,C,H,W] in [-1,1] (the GAN's image
 * shape) into features [n*F]. ctx is the context the GAN was created on. */
clgan_status clgan_dfeat_extract(clgan_ctx *ctx, clgan_gan *gan, const clgan_dfeat_options *opt, int n,
                                 const float *images, float *features /* [n*F] */);
/* The same for every image of a dataset (uint8 pixels scaled to [-1,1]);
 * d's image shape must be the GAN's. */
clgan_status clgan_dfeat_extract_dataset(clgan_ctx *ctx, clgan_gan *gan, const clgan_dfeat_options *opt,
                                         const clgan_dataset *d, float *features /* [d->n*F] */);

typedef struct clgan_dhead_config {
    int features;       /* F (required) */
    int classes;        /* K >= 2 (required) */
    int hidden;         /* 0: linear softmax head; H > 0: dense(H)-ReLU-dense(K). Default 0 */
    int batch;          /* default 64 */
    int epochs;         /* default 100 */
    float lr;           /* Adam, default 1e-3 (beta1 0.9, beta2 0.999) */
    float weight_decay; /* L2 added to the gradient, default 0 */
    uint64_t seed;      /* weights and row order, default 1 */
} clgan_dhead_config;

clgan_dhead_config clgan_dhead_default_config(void);

/* Upper limits of the head's settings (the checkpoint loader checks them;
 * the CLI's flags use the same). */
#define CLGAN_DHEAD_MAX_FEATURES (1 << 24)
#define CLGAN_DHEAD_MAX_CLASSES 65536
#define CLGAN_DHEAD_MAX_HIDDEN 65536
#define CLGAN_DHEAD_MAX_EPOCHS 10000000

typedef struct clgan_dhead_stats {
    double first_loss;     /* mean training loss of the first epoch */
    double last_loss;      /* mean training loss of the last epoch */
    double train_accuracy; /* accuracy on the training rows after training (inference mode) */
    int64_t steps;
} clgan_dhead_stats;

/* The head's layer table from its preset (host/models/dhead-h.arch, or
 * dhead-mlp-h.arch when hidden > 0) with features, hidden and classes; *n
 * the count (at most 3). *preset (may be NULL) gets the preset's name. */
clgan_status clgan_dhead_specs(const clgan_dhead_config *cfg, clgan_layer_spec *specs /* [3] */, int *n /* OUT */,
                               const char **preset /* OUT, may be NULL */);

typedef struct clgan_dhead clgan_dhead;
clgan_status clgan_dhead_create(clgan_ctx *ctx, const clgan_dhead_config *cfg, clgan_dhead **out /* OUT */);
void clgan_dhead_free(clgan_dhead *head); /* NULL is a no-op */
clgan_net *clgan_dhead_net(clgan_dhead *head);
const clgan_dhead_config *clgan_dhead_get_config(const clgan_dhead *head);
/* Fit the standardiser on feats [n*F] and train for cfg.epochs epochs;
 * labels [n] in [-1, K) (-1 rows are ignored). */
clgan_status clgan_dhead_train(clgan_dhead *head, int n, const float *feats, const int32_t *labels,
                               clgan_dhead_stats *stats /* OUT, may be NULL */);
/* Predicted classes [n] (and probabilities [n*K] when probs is not NULL). */
clgan_status clgan_dhead_predict(clgan_dhead *head, int n, const float *feats, int32_t *pred, float *probs);
/* Confusion matrix [K*K] (zeroed first; metrics.h) of the rows with a label in [0, K). */
clgan_status clgan_dhead_evaluate(clgan_dhead *head, int n, const float *feats, const int32_t *labels,
                                  int64_t *confusion);
/* The standardiser: mean [F] and 1/std [F], as fitted by train (or loaded). */
void clgan_dhead_standardiser(clgan_dhead *head, float **mean /* OUT */, float **inv_std /* OUT */);

/* ---- saved heads (container kind "clgan-dfeatures") ----------------------
 * A head refers to the GAN whose discriminator makes its features and does
 * not copy it. Sections: kind; gan (the GAN checkpoint's path, as given:
 * train-dfeatures gives it absolute); gan_sha256 (hex digest of that file's
 * bytes, checked by whoever loads the GAN); config (key=value: the image
 * shape c, h, w; the pooling options; the head config; steps trained);
 * standardiser (mean [F] then 1/std [F], float32); class_names;
 * head.layout, head.params. */
typedef struct clgan_dhead_file {
    char gan_path[4096];
    char gan_sha256[65];
    int c, h, w;                 /* the GAN's image shape */
    clgan_dfeat_options feat;
    clgan_dhead_config head;     /* read by load; save takes the head's own */
    int64_t steps;               /* head training steps */
    char (*class_names)[64];     /* [K], owned: free() it */
} clgan_dhead_file;

clgan_status clgan_dhead_save(clgan_dhead *head, const char *path, const clgan_dhead_file *info);
/* Peek (head NULL: only info) or load the head and info. */
clgan_status clgan_dhead_load(clgan_ctx *ctx, const char *path, clgan_dhead **head /* OUT, may be NULL */,
                              clgan_dhead_file *info /* OUT */);
#endif
