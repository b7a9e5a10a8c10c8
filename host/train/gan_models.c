/* gan_models.c — DCGAN generator and discriminator layer tables. */
#include "gan_models.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

/* Per model: image shape, and the number of stride-2 up/down-sampling stages
 * between the 4×4 (7×7 for 28) base and the image. */
static const struct { const char *name; int c, h, base, stages, width; } models[] = {
    {"dcgan28", 1, 28, 7, 2, 32}, /* grey digits need fewer channels; 3x faster on CPUs than 64 */
    {"dcgan32", 3, 32, 4, 3, 64},
    {"dcgan64", 3, 64, 4, 4, 64},
};
#define MODEL_COUNT (int)(sizeof models / sizeof models[0])

const char *clgan_gan_model_names(void) { return "dcgan28 (28x28x1), dcgan32 (32x32x3), dcgan64 (64x64x3)"; }

static int find_model(const char *name)
{
    for (int i = 0; i < MODEL_COUNT; i++)
        if (!strcmp(models[i].name, name)) return i;
    return -1;
}

clgan_status clgan_gan_arch_resolve(clgan_gan_arch *arch)
{
    char esc[CLGAN_ESCAPE_CAP];
    int m = find_model(arch->model);
    if (m < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown model '%s'; choose one of %s",
                          clgan_escape_str(arch->model, esc, sizeof esc),
                          clgan_gan_model_names());
    if (arch->width <= 0) arch->width = models[m].width;
    if (arch->nz <= 0) arch->nz = 100;
    if (arch->width > CLGAN_GAN_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "GAN width %d is too large (at most %d)", arch->width,
                          CLGAN_GAN_MAX_WIDTH);
    if (arch->nz > CLGAN_GAN_MAX_NZ)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "noise dimension %d is too large (at most %d)", arch->nz,
                          CLGAN_GAN_MAX_NZ);
    if (arch->conditional != 0 && arch->conditional != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conditional must be 0 or 1 (got %d)", arch->conditional);
    if (arch->mbstd != 0 && arch->mbstd != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "mbstd must be 0 or 1 (got %d)", arch->mbstd);
    if (arch->conditional && (arch->classes < 2 || arch->classes > CLGAN_GAN_MAX_CLASSES))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a conditional model needs 2 to %d classes (got %d)",
                          CLGAN_GAN_MAX_CLASSES, arch->classes);
    if (!arch->conditional) arch->classes = 0;
    arch->c = models[m].c, arch->h = arch->w = models[m].h;
    return CLGAN_OK;
}

/* A bias right before batchnorm is cancelled by it; batchnorm's shift replaces it. */
static void drop_bias_before_batchnorm(clgan_layer_spec *s, int n)
{
    for (int i = 0; i + 1 < n; i++)
        if (s[i + 1].kind == CLGAN_LAYER_BATCHNORM) s[i].bias = 0;
}

int clgan_gan_generator_specs(const clgan_gan_arch *a, clgan_layer_spec *s)
{
    int m = find_model(a->model), n = 0;
    int stages = models[m].stages, base = models[m].base;
    int ch = a->width << (stages - 1); /* channels at the base resolution */
    if (a->conditional) s[n++] = clgan_concat_labels(a->classes);
    s[n++] = clgan_dense(ch * base * base); /* project z */
    s[n++] = clgan_reshape(ch, base, base);
    s[n++] = clgan_bn();
    s[n++] = clgan_activation(CLGAN_ACT_RELU, 0);
    for (int i = 1; i < stages; i++) {
        ch /= 2;
        s[n++] = clgan_conv_t(ch, 4, 2, 1, 0);
        s[n++] = clgan_bn();
        s[n++] = clgan_activation(CLGAN_ACT_RELU, 0);
    }
    s[n++] = clgan_conv_t(a->c, 4, 2, 1, 0);
    s[n++] = clgan_activation(CLGAN_ACT_TANH, 0);
    drop_bias_before_batchnorm(s, n);
    return n;
}

int clgan_gan_discriminator_specs(const clgan_gan_arch *a, clgan_layer_spec *s)
{
    int m = find_model(a->model), n = 0;
    int stages = models[m].stages;
    int ch = a->width;
    if (a->conditional) s[n++] = clgan_concat_labels(a->classes);
    for (int i = 0; i < stages; i++) {
        s[n++] = clgan_conv(ch, 4, 2, 1);
        if (i > 0) s[n++] = clgan_bn(); /* no batchnorm on D's input layer */
        s[n++] = clgan_activation(CLGAN_ACT_LEAKY_RELU, 0.2f);
        ch *= 2;
    }
    if (a->mbstd) s[n++] = clgan_mbstd(); /* lets D see the batch's diversity */
    s[n++] = clgan_dense(1); /* logits */
    drop_bias_before_batchnorm(s, n);
    return n;
}
