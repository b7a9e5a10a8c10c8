/* gan_models.h — a GAN's two nets from architecture texts: the DCGAN presets
 * (Radford et al. 2016; host/models/dcgan{28,32,64}-{g,d}.arch) for 28×28×1,
 * 32×32×3 and 64×64×3 images, or the user's texts (docs/ARCHITECTURES.md),
 * plain and class-conditional.
 *
 * The DCGAN rules: strided convolutions in D, transposed convolutions in G,
 * batchnorm everywhere except G's output and D's input, ReLU in G,
 * LeakyReLU(0.2) in D, tanh output, N(0, 0.02) initialisation. G starts with a
 * dense "project and reshape" of z. Conditional variants append the one-hot
 * class to z (G) and, broadcast over H×W, to the image (D).
 */
#ifndef CLGAN_GAN_MODELS_H
#define CLGAN_GAN_MODELS_H
#include "models/arch.h"

#define CLGAN_MAX_NET_LAYERS CLGAN_ARCH_MAX_LAYERS

/* Upper limits of the architecture settings (the CLI's flags and the
 * checkpoint loader use the same). G's widest layer has width << (stages - 1)
 * channels: at 1024, dcgan64's G holds about 720 M parameters. */
#define CLGAN_GAN_MAX_WIDTH 1024
#define CLGAN_GAN_MAX_NZ 65536
#define CLGAN_GAN_MAX_CLASSES 65536

typedef struct clgan_gan_arch {
    char model[16];   /* "dcgan28", "dcgan32", "dcgan64"; with texts, their [net] name (or "custom") */
    const char *text_g, *text_d; /* architecture texts of G and D (NULL: the model's presets); not owned:
                         clgan_gan_create keeps copies of its own */
    int width;        /* the texts' `width` variable: channels of D's first conv layer (G's last hidden
                         layer); 0 = the text's default (32 for dcgan28, 64 for dcgan32 and dcgan64) */
    int nz;           /* noise dimension (G's input channels); default 100; a text's own input wins */
    int conditional;  /* 1: labels into G and D */
    int classes;      /* number of classes (conditional) */
    int mbstd;        /* 1: minibatch standard-deviation layer before D's head (mode collapse) */
    int diffaug;      /* CLGAN_DIFFAUG_* bits (nn/diffaug.h): a [diffaugment] layer first in D, 0: none */
    int spectral_norm; /* 1: every dense and conv2d layer of D spectral-normalised (spectral_norm.h) */
    int c, h, w;      /* image shape, set from the model */
} clgan_gan_arch;

/* Parse both texts with width, nz and classes, and fill nz (G's input
 * channels), the image shape (D's input) and a default width from them.
 * Fails for an unknown model with the list of names, for a width, nz or
 * class count above its limit (or a conditional, mbstd or spectral_norm
 * flag other than 0 or 1), for a text that does not parse (file:line and what was expected),
 * and for G and D that do not fit together: G's input must be [nz,1,1], its
 * output D's input, and D's output one logit [1,1,1]. */
clgan_status clgan_gan_arch_resolve(clgan_gan_arch *arch);
/* Layer tables for G (input [nz,1,1]) and D (input [c,h,w], output [1,1,1]
 * logits): the text's layers, then the mode flags. conditional puts a
 * [concat_labels] of `classes` first in G and in D, mbstd an [mbstd]
 * before D's last layer, and diffaug a [diffaugment] of that policy first in
 * D (before the label concat), unless the text already has that layer kind;
 * a [diffaugment] after D's label concat is refused (it would augment the
 * label channels). spectral_norm sets spectral_norm = 1 on D's dense and
 * conv2d layers (failing for a weight-normalised dense layer, which cannot
 * have both).
 * *n gets the count; *feature_layer (may be NULL) D's [features] layer
 * (-1 without one). arch must be resolved. */
clgan_status clgan_gan_generator_specs(const clgan_gan_arch *arch, clgan_layer_spec *specs /* [CLGAN_MAX_NET_LAYERS] */,
                                       int *n /* OUT */);
clgan_status clgan_gan_discriminator_specs(const clgan_gan_arch *arch, clgan_layer_spec *specs /* [CLGAN_MAX_NET_LAYERS] */,
                                           int *n /* OUT */, int *feature_layer /* OUT, may be NULL */);
/* --spectral-norm: spectral_norm = 1 on every dense and conv2d layer of
 * s[0..n); fails (naming `source` and the layer) for a weight-normalised
 * dense layer. */
clgan_status clgan_gan_spectral_norm_specs(clgan_layer_spec *specs, int n, const char *source);
const char *clgan_gan_model_names(void);
/* The text of part "g" or "d": arch->text_g / text_d, else the model's preset. */
clgan_status clgan_gan_arch_text(const clgan_gan_arch *arch, const char *part, const char **text /* OUT */);
#endif
