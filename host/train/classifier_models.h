/* classifier_models.h — CNN classifier presets for 28×28×1 and 32×32×3 images.
 *
 *   lenet28 (28×28×1, width W = 32 by default):
 *     conv(W,k3,p1) BN ReLU conv(W,k3,p1) BN ReLU maxpool2          28 → 14
 *     conv(2W,k3,p1) BN ReLU conv(2W,k3,p1) BN ReLU maxpool2        14 → 7
 *     dense(4W) BN ReLU [features] dropout(0.5) dense(K)
 *   vgg32 (32×32×3, width W = 32 by default): three VGG blocks
 *     conv(W) BN ReLU conv(W) BN ReLU maxpool2                      32 → 16
 *     conv(2W) ... maxpool2                                          16 → 8
 *     conv(4W) ... maxpool2                                          8 → 4
 *     dense(8W) BN ReLU [features] dropout(0.5) dense(K)
 * All convolutions are 3×3, stride 1, pad 1; He-normal initialisation
 * (Xavier for the logits layer); no bias before batchnorm. The output is K
 * logits [K,1,1] (softmax cross-entropy in classifier.c).
 *
 * The `features` cut point is the output of the penultimate ReLU (marked
 * above): the layer whose output a Fréchet distance or a feature head would
 * use. Dropout after it is the identity at inference.
 */
#ifndef CLGAN_CLASSIFIER_MODELS_H
#define CLGAN_CLASSIFIER_MODELS_H
#include "nn/net.h"

#define CLGAN_CLASSIFIER_MAX_LAYERS 48

/* Upper limits of the architecture settings (the CLI's flags and the
 * checkpoint loader use the same). At width 2048 the dense layer of lenet28
 * (4W x 2W*7*7) and of vgg32 (8W x 4W*4*4) still fit the nets' int indexing. */
#define CLGAN_CLASSIFIER_MAX_WIDTH 2048
#define CLGAN_CLASSIFIER_MAX_CLASSES 65536

typedef struct clgan_classifier_arch {
    char model[16]; /* "lenet28", "vgg32" */
    int width;      /* channels of the first conv block; 0 = the model's default (32) */
    int classes;    /* K >= 2 */
    int c, h, w;    /* image shape, set from the model */
} clgan_classifier_arch;

/* Fill the image shape and default width from arch->model; fails for an
 * unknown model (the message lists the names) or classes < 2. */
clgan_status clgan_classifier_arch_resolve(clgan_classifier_arch *arch);
/* Layer table (input [c,h,w], output [K,1,1] logits); returns the layer
 * count. *feature_layer (may be NULL) gets the index of the penultimate
 * activation (the features cut point). arch must be resolved. */
int clgan_classifier_specs(const clgan_classifier_arch *arch, clgan_layer_spec *specs /* [CLGAN_CLASSIFIER_MAX_LAYERS] */,
                           int *feature_layer /* OUT, may be NULL */);
/* Number of features at the cut point (4W for lenet28, 8W for vgg32). */
int clgan_classifier_feature_dim(const clgan_classifier_arch *arch);
const char *clgan_classifier_model_names(void);
#endif
