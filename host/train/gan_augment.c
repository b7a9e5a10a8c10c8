/* gan_augment.c — real + conditional-GAN images as one training set, and a
 * PNG grid of the generated images (see gan_augment.h). */
#include "gan_augment.h"

#include "core/error.h"
#include "data/subset.h"
#include "io/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_STREAM UINT64_C(0x4741554743484B00) /* "GAUGCHK" */
#define MAX_IMAGES 2000000000

const char *clgan_gan_augment_mode_name(clgan_gan_augment_mode mode)
{
    switch (mode) {
    case CLGAN_GAN_AUGMENT_BALANCE: return "balance";
    case CLGAN_GAN_AUGMENT_ENLARGE: return "enlarge";
    }
    return NULL;
}

uint64_t clgan_gan_augment_chunk_seed(uint64_t seed, int chunk)
{
    /* splitmix64 of (seed, chunk): neighbouring chunks and seeds get unrelated noise */
    uint64_t z = seed ^ (CHUNK_STREAM + (uint64_t)chunk * UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

clgan_status clgan_gan_augment_plan(const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio, int *gen)
{
    if (!d || !gen) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_gan_augment_plan: NULL argument");
    int K = d->classes;
    if (K < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s is unlabelled: GAN augmentation needs classes", d->source);
    if (mode != CLGAN_GAN_AUGMENT_BALANCE && mode != CLGAN_GAN_AUGMENT_ENLARGE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown GAN augmentation mode %d (balance or enlarge)", (int)mode);
    if (!isfinite(ratio) || ratio < 0 || (mode == CLGAN_GAN_AUGMENT_ENLARGE && ratio == 0))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "GAN augmentation ratio %g: %s", ratio,
                          mode == CLGAN_GAN_AUGMENT_ENLARGE ? "enlarge needs a ratio > 0"
                                                            : "balance takes a ratio >= 0 (0: balance only)");
    int *counts = calloc((size_t)K, sizeof *counts);
    if (!counts) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    clgan_dataset_class_counts(d, counts, NULL);
    int max = 0;
    for (int k = 0; k < K; k++)
        if (counts[k] > max) max = counts[k];
    double extra = round(ratio * d->n); /* a double: no overflow before the check below */
    double total = (double)d->n + extra;
    for (int k = 0; k < K; k++) gen[k] = 0;
    if (mode == CLGAN_GAN_AUGMENT_BALANCE)
        for (int k = 0; k < K; k++) total += max - counts[k];
    if (total > MAX_IMAGES) {
        free(counts);
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "GAN augmentation of %s (%s, ratio %g) would make %.0f images", d->source,
                          clgan_gan_augment_mode_name(mode), ratio, total);
    }
    int T = (int)extra;
    for (int k = 0; k < K; k++) {
        gen[k] = T / K + (k < T % K);
        if (mode == CLGAN_GAN_AUGMENT_BALANCE) gen[k] += max - counts[k];
    }
    free(counts);
    return CLGAN_OK;
}

/* x in [-1, 1] -> round((x + 1) * 127.5) in 0..255; NaN -> 0. */
static uint8_t quantise(float x)
{
    double v = ((double)x + 1.0) * 127.5;
    if (!(v > 0)) return 0;
    if (v >= 255) return 255;
    return (uint8_t)lround(v);
}

clgan_status clgan_gan_augment(clgan_gan *gan, const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio,
                               uint64_t seed, clgan_dataset **out, int *generated)
{
    *out = NULL;
    const clgan_gan_arch *a = &clgan_gan_get_config(gan)->arch;
    if (!a->conditional)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the GAN (%s) is unconditional: GAN augmentation needs a conditional "
                          "GAN (train-gan --conditional) to make images of a chosen class", a->model);
    if (a->classes != d->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the conditional GAN makes %d classes, the data has %d (%s)", a->classes,
                          d->classes, d->source);
    if (a->c != d->c || a->h != d->h || a->w != d->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the GAN (%s) makes %dx%dx%d images (CxHxW), the data has %dx%dx%d "
                          "images (%s)", a->model, a->c, a->h, a->w, d->c, d->h, d->w, d->source);
    int K = d->classes;
    int *gen = malloc((size_t)K * sizeof *gen);
    if (!gen) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    clgan_status st = clgan_gan_augment_plan(d, mode, ratio, gen);
    int n_gen = 0;
    for (int k = 0; st == CLGAN_OK && k < K; k++) n_gen += gen[k];
    int32_t *labels = NULL;
    float *x = NULL;
    clgan_dataset *s = NULL;
    size_t img = clgan_dataset_image_bytes(d);
    if (st == CLGAN_OK) {
        labels = malloc((size_t)(n_gen ? n_gen : 1) * sizeof *labels);
        x = malloc((size_t)CLGAN_GAN_AUGMENT_CHUNK * img * sizeof *x);
        if (!labels || !x) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory generating %d images", n_gen);
    }
    if (st == CLGAN_OK) st = clgan_dataset_alloc(d->n + n_gen, d->c, d->h, d->w, K, &s);
    if (st == CLGAN_OK) {
        /* [0, N): the real images; [N, N + n_gen): generated, class-major. */
        memcpy(s->pixels, d->pixels, (size_t)d->n * img);
        memcpy(s->labels, d->labels, (size_t)d->n * sizeof *d->labels);
        if (d->class_names && s->class_names) memcpy(s->class_names, d->class_names, (size_t)K * sizeof d->class_names[0]);
        for (int k = 0, j = 0; k < K; k++)
            for (int i = 0; i < gen[k]; i++) labels[j++] = k;
        for (int done = 0, chunk = 0; done < n_gen && st == CLGAN_OK; done += CLGAN_GAN_AUGMENT_CHUNK, chunk++) {
            int take = n_gen - done < CLGAN_GAN_AUGMENT_CHUNK ? n_gen - done : CLGAN_GAN_AUGMENT_CHUNK;
            st = clgan_gan_sample(gan, take, labels + done, clgan_gan_augment_chunk_seed(seed, chunk), x);
            if (st != CLGAN_OK) {
                clgan_fail_context(st, "generating images %d..%d for augmentation", done, done + take - 1);
                break;
            }
            uint8_t *dst = s->pixels + ((size_t)d->n + done) * img;
            for (size_t i = 0; i < (size_t)take * img; i++) dst[i] = quantise(x[i]);
            memcpy(s->labels + d->n + done, labels + done, (size_t)take * sizeof *labels);
        }
    }
    if (st == CLGAN_OK) {
        char src[sizeof d->source];
        memcpy(src, d->source, sizeof src);
        src[160] = '\0'; /* leave room for the note */
        clgan_fmt(s->source, sizeof s->source, "%s, +%d GAN images (%s, ratio %g)", src, n_gen,
                  clgan_gan_augment_mode_name(mode), ratio);
        if (generated) memcpy(generated, gen, (size_t)K * sizeof *gen);
        *out = s;
    } else {
        clgan_dataset_free(s);
    }
    free(gen);
    free(labels);
    free(x);
    return st;
}

clgan_status clgan_gan_augment_png(const char *path, const clgan_dataset *aug, int first_generated, int per_class)
{
    if (!path || !aug) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_gan_augment_png: NULL argument");
    int K = aug->classes;
    if (K < 1 || per_class < 1 || first_generated < 0 || first_generated > aug->n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "augmentation grid: %d classes, %d per class, generated images from %d "
                          "of %d", K, per_class, first_generated, aug->n);
    size_t img = clgan_dataset_image_bytes(aug);
    uint8_t *grid = malloc((size_t)K * per_class * img);
    int *filled = calloc((size_t)K, sizeof *filled);
    if (!grid || !filled) {
        free(grid);
        free(filled);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for the augmentation grid");
    }
    memset(grid, CLGAN_PNG_GRID_BACKGROUND, (size_t)K * per_class * img);
    for (int i = first_generated; i < aug->n; i++) {
        int k = aug->labels[i];
        if (k < 0 || k >= K || filled[k] >= per_class) continue;
        memcpy(grid + ((size_t)k * per_class + filled[k]++) * img, aug->pixels + (size_t)i * img, img);
    }
    clgan_status st = clgan_png_grid_u8(path, grid, K * per_class, aug->c, aug->h, aug->w, per_class, 2);
    free(grid);
    free(filled);
    return st;
}
