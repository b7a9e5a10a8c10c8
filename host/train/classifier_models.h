/* classifier_models.h — a classifier's net from an architecture text: the
 * CNN presets for 28×28×1 and 32×32×3 images (host/models/lenet28-c.arch,
 * vgg32-c.arch) or the user's text (docs/ARCHITECTURES.md).
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
#include "models/arch.h"

#define CLGAN_CLASSIFIER_MAX_LAYERS CLGAN_ARCH_MAX_LAYERS

/* Upper limits of the architecture settings (the CLI's flags and the
 * checkpoint loader use the same). At width 2048 the dense layer of lenet28
 * (4W x 2W*7*7) and of vgg32 (8W x 4W*4*4) still fit the nets' int indexing. */
#define CLGAN_CLASSIFIER_MAX_WIDTH 2048
#define CLGAN_CLASSIFIER_MAX_CLASSES 65536

typedef struct clgan_classifier_arch {
    char model[16]; /* "lenet28", "vgg32"; with a text, its [net] name (or "custom") */
    const char *text; /* architecture text (NULL: the model's preset); not owned: clgan_classifier_create
                         keeps a copy of its own */
    int width;      /* the text's `width`: channels of the first conv block; 0 = the text's default (32) */
    int classes;    /* K >= 2 */
    int c, h, w;    /* image shape, set from the model */
} clgan_classifier_arch;

/* Parse the text (with width and classes) and fill the image shape (its
 * input) and a default width; fails for an unknown model (the message lists
 * the names), classes < 2, a text that does not parse (file:line and what
 * was expected), or one whose output is not [classes,1,1]. classes 0 asks
 * for the image shape only (no class count yet, no output check). */
clgan_status clgan_classifier_arch_resolve(clgan_classifier_arch *arch);
/* Layer table (input [c,h,w], output [K,1,1] logits) into specs, *n the
 * count. *feature_layer (may be NULL) gets the features cut point: the
 * text's [features] layer, else the layer before the last. arch must be
 * resolved. */
clgan_status clgan_classifier_specs(const clgan_classifier_arch *arch,
                                    clgan_layer_spec *specs /* [CLGAN_CLASSIFIER_MAX_LAYERS] */, int *n /* OUT */,
                                    int *feature_layer /* OUT, may be NULL */);
/* The text of the arch: arch->text, else the model's preset. */
clgan_status clgan_classifier_arch_text(const clgan_classifier_arch *arch, const char **text /* OUT */);
const char *clgan_classifier_model_names(void);
#endif
