/* gan_models.h — DCGAN presets (Radford et al. 2016) for 28×28×1, 32×32×3 and
 * 64×64×3 images, plain and class-conditional.
 *
 * The DCGAN rules: strided convolutions in D, transposed convolutions in G,
 * batchnorm everywhere except G's output and D's input, ReLU in G,
 * LeakyReLU(0.2) in D, tanh output, N(0, 0.02) initialisation. G starts with a
 * dense "project and reshape" of z. Conditional variants append the one-hot
 * class to z (G) and, broadcast over H×W, to the image (D).
 */
#ifndef CLGAN_GAN_MODELS_H
#define CLGAN_GAN_MODELS_H
#include "nn/net.h"

#define CLGAN_MAX_NET_LAYERS 32

/* Upper limits of the architecture settings (the CLI's flags and the
 * checkpoint loader use the same). G's widest layer has width << (stages - 1)
 * channels: at 1024, dcgan64's G holds about 720 M parameters. */
#define CLGAN_GAN_MAX_WIDTH 1024
#define CLGAN_GAN_MAX_NZ 65536
#define CLGAN_GAN_MAX_CLASSES 65536

typedef struct clgan_gan_arch {
    char model[16];   /* "dcgan28", "dcgan32", "dcgan64" */
    int width;        /* channels of D's first conv layer (G's last hidden layer); 0 = the model's
                         default: 32 for dcgan28, 64 for dcgan32 and dcgan64 */
    int nz;           /* noise dimension; default 100 */
    int conditional;  /* 1: labels into G and D */
    int classes;      /* number of classes (conditional) */
    int mbstd;        /* 1: minibatch standard-deviation layer before D's head (mode collapse) */
    int c, h, w;      /* image shape, set from the model */
} clgan_gan_arch;

/* Fill image shape from arch->model; fails for an unknown model with the
 * list of names, and for a width, nz or class count above its limit (or a
 * conditional or mbstd flag other than 0 or 1). */
clgan_status clgan_gan_arch_resolve(clgan_gan_arch *arch);
/* Layer tables for G (input [nz,1,1]) and D (input [c,h,w], output [1,1,1] logits). */
int clgan_gan_generator_specs(const clgan_gan_arch *arch, clgan_layer_spec *specs /* [CLGAN_MAX_NET_LAYERS] */);
int clgan_gan_discriminator_specs(const clgan_gan_arch *arch, clgan_layer_spec *specs /* [CLGAN_MAX_NET_LAYERS] */);
const char *clgan_gan_model_names(void);
#endif
