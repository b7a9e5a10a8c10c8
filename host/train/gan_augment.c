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

/* The GAN fits the data: conditional, its classes and image shape the data's. */
static clgan_status check_fit(clgan_gan *gan, const clgan_dataset *d)
{
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
    return CLGAN_OK;
}

/* The new dataset's source line: d's, shortened, and what was added. */
static void describe(clgan_dataset *s, const clgan_dataset *d, int n_gen, clgan_gan_augment_mode mode, double ratio,
                     const char *filtered)
{
    char src[sizeof d->source];
    memcpy(src, d->source, sizeof src);
    src[160] = '\0'; /* leave room for the note */
    clgan_fmt(s->source, sizeof s->source, "%s, +%d GAN images (%s, ratio %g%s)", src, n_gen,
              clgan_gan_augment_mode_name(mode), ratio, filtered);
}

clgan_status clgan_gan_augment(clgan_gan *gan, const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio,
                               uint64_t seed, clgan_dataset **out, int *generated)
{
    *out = NULL;
    TRY(check_fit(gan, d));
    int K = d->classes;
    int *gen = malloc((size_t)K * sizeof *gen);
    if (!gen) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    clgan_status st = clgan_gan_augment_plan(d, mode, ratio, gen);
    int n_gen = 0;
    for (int k = 0; st == CLGAN_OK && k < K; k++) n_gen += gen[k];
    clgan_dataset *s = NULL;
    size_t img = clgan_dataset_image_bytes(d);
    if (st == CLGAN_OK) st = clgan_dataset_alloc(d->n + n_gen, d->c, d->h, d->w, K, &s);
    if (st == CLGAN_OK) {
        /* [0, N): the real images; [N, N + n_gen): generated, class-major. */
        memcpy(s->pixels, d->pixels, (size_t)d->n * img);
        memcpy(s->labels, d->labels, (size_t)d->n * sizeof *d->labels);
        if (d->class_names && s->class_names) memcpy(s->class_names, d->class_names, (size_t)K * sizeof d->class_names[0]);
        st = clgan_gan_generate(gan, gen, seed, s->pixels + (size_t)d->n * img, s->labels + d->n);
    }
    if (st == CLGAN_OK) {
        describe(s, d, n_gen, mode, ratio, "");
        if (generated) memcpy(generated, gen, (size_t)K * sizeof *gen);
        *out = s;
    } else {
        clgan_dataset_free(s);
    }
    free(gen);
    return st;
}

clgan_status clgan_gan_generate(clgan_gan *gan, const int *want, uint64_t seed, uint8_t *pixels, int32_t *out_labels)
{
    const clgan_gan_arch *a = &clgan_gan_get_config(gan)->arch;
    if (!a->conditional)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the GAN (%s) is unconditional: it cannot make images of a chosen "
                          "class (train-gan --conditional)", a->model);
    int K = a->classes, n_gen = 0;
    for (int k = 0; k < K; k++) {
        if (want[k] < 0 || want[k] > MAX_IMAGES - n_gen)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%d generated images of class %d asked for (%d before it)",
                              want[k], k, n_gen);
        n_gen += want[k];
    }
    size_t img = (size_t)a->c * a->h * a->w;
    int32_t *labels = malloc((size_t)(n_gen ? n_gen : 1) * sizeof *labels);
    float *x = malloc((size_t)CLGAN_GAN_AUGMENT_CHUNK * img * sizeof *x);
    clgan_status st = CLGAN_OK;
    if (!labels || !x) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory generating %d images", n_gen);
    for (int k = 0, j = 0; st == CLGAN_OK && k < K; k++)
        for (int i = 0; i < want[k]; i++) labels[j++] = k;
    for (int done = 0, chunk = 0; st == CLGAN_OK && done < n_gen; done += CLGAN_GAN_AUGMENT_CHUNK, chunk++) {
        int take = n_gen - done < CLGAN_GAN_AUGMENT_CHUNK ? n_gen - done : CLGAN_GAN_AUGMENT_CHUNK;
        st = clgan_gan_sample(gan, take, labels + done, clgan_gan_augment_chunk_seed(seed, chunk), x);
        if (st != CLGAN_OK) {
            clgan_fail_context(st, "generating images %d..%d for augmentation", done, done + take - 1);
            break;
        }
        uint8_t *dst = pixels + (size_t)done * img;
        for (size_t i = 0; i < (size_t)take * img; i++) dst[i] = quantise(x[i]);
        memcpy(out_labels + done, labels + done, (size_t)take * sizeof *labels);
    }
    free(labels);
    free(x);
    return st;
}

/* ---- filtered generation ------------------------------------------------ */

#define FILTER_STREAM UINT64_C(0x4741554746494C00) /* "GAUGFIL" */

uint64_t clgan_gan_augment_filter_seed(uint64_t seed, int cls, int chunk)
{
    return clgan_gan_augment_chunk_seed(clgan_gan_augment_chunk_seed(seed ^ FILTER_STREAM, cls), chunk);
}

/* What one class's candidates leave: the kept images (pixels, class-major
 * in the end), grown as they come. */
typedef struct kept_images {
    uint8_t *pixels;
    size_t n, cap; /* images */
} kept_images;

static clgan_status keep_image(kept_images *k, const uint8_t *img, size_t bytes)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 256;
        uint8_t *p = realloc(k->pixels, cap * bytes);
        if (!p) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory keeping %zu generated images", cap);
        k->pixels = p, k->cap = cap;
    }
    memcpy(k->pixels + k->n * bytes, img, bytes);
    k->n++;
    return CLGAN_OK;
}

/* Candidates of class cls, chunk by chunk, into u8 (quantised) and conf. */
typedef struct candidates {
    clgan_gan *gan;
    const clgan_gan_augment_filter *f;
    uint64_t seed;
    int cls, chunk;
    size_t img;
    int32_t *labels; /* [CHUNK], all cls */
    float *x, *conf; /* [CHUNK * img], [CHUNK] */
    uint8_t *u8;     /* [CHUNK * img] */
} candidates;

static clgan_status next_chunk(candidates *c, int take)
{
    for (int i = 0; i < take; i++) c->labels[i] = c->cls;
    uint64_t s = clgan_gan_augment_filter_seed(c->seed, c->cls, c->chunk++);
    TRY(clgan_gan_sample(c->gan, take, c->labels, s, c->x));
    for (size_t i = 0; i < (size_t)take * c->img; i++) {
        c->u8[i] = quantise(c->x[i]);
        c->x[i] = clgan_pixel_float(c->u8[i]); /* the classifier sees what it will train on */
    }
    clgan_status st = c->f->confidence(c->f->user, take, c->x, c->cls, c->conf);
    for (int i = 0; st == CLGAN_OK && i < take; i++)
        if (!(c->conf[i] >= 0 && c->conf[i] <= 1))
            st = clgan_fail(CLGAN_ERR_CHECK_FAILED, "the filter's classifier gave a confidence of %g (not in [0, 1])",
                            (double)c->conf[i]);
    return st;
}

/* Confidence >= min: candidates in order until `want` are kept or the budget is spent. */
static clgan_status keep_confident(candidates *c, int want, kept_images *k, int *tried)
{
    int64_t budget = (int64_t)c->f->max_tries * want;
    *tried = 0;
    while ((int)k->n < want && *tried < budget) {
        int take = budget - *tried < CLGAN_GAN_AUGMENT_CHUNK ? (int)(budget - *tried) : CLGAN_GAN_AUGMENT_CHUNK;
        TRY(next_chunk(c, take));
        for (int i = 0; i < take && (int)k->n < want; i++, ++*tried) /* tried: the candidates looked at */
            if (c->conf[i] >= c->f->min_confidence) TRY(keep_image(k, c->u8 + (size_t)i * c->img, c->img));
    }
    return CLGAN_OK;
}

/* A candidate by its confidence: highest first, ties by index (qsort is not stable). */
typedef struct ranked {
    float conf;
    int index;
} ranked;

static int by_confidence(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->conf != y->conf) return x->conf > y->conf ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static int by_index(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* The top share: the `want` most confident of ceil(want / share) candidates. */
static clgan_status keep_top(candidates *c, int want, kept_images *k, int *tried)
{
    double n_d = ceil(want / c->f->top_share);
    if (n_d > MAX_IMAGES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "top share %g of %d images: too many candidates", c->f->top_share,
                          want);
    int n = (int)n_d;
    uint8_t *all = malloc((size_t)n * c->img);
    ranked *order = malloc((size_t)n * sizeof *order);
    clgan_status st = all && order ? CLGAN_OK
                                   : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d candidates", n);
    for (int done = 0; done < n && st == CLGAN_OK; done += CLGAN_GAN_AUGMENT_CHUNK) {
        int take = n - done < CLGAN_GAN_AUGMENT_CHUNK ? n - done : CLGAN_GAN_AUGMENT_CHUNK;
        st = next_chunk(c, take);
        if (st != CLGAN_OK) break;
        memcpy(all + (size_t)done * c->img, c->u8, (size_t)take * c->img);
        for (int i = 0; i < take; i++) order[done + i] = (ranked){c->conf[i], done + i};
    }
    if (st == CLGAN_OK) {
        qsort(order, (size_t)n, sizeof *order, by_confidence);
        qsort(order, (size_t)want, sizeof *order, by_index); /* the kept ones in candidate order */
        for (int i = 0; i < want && st == CLGAN_OK; i++) st = keep_image(k, all + (size_t)order[i].index * c->img, c->img);
    }
    *tried = n;
    free(all), free(order);
    return st;
}

clgan_status clgan_gan_augment_filtered(clgan_gan *gan, const clgan_dataset *d, clgan_gan_augment_mode mode,
                                        double ratio, uint64_t seed, const clgan_gan_augment_filter *f,
                                        clgan_dataset **out, int *generated, int *tried)
{
    if (!f) {
        TRY(clgan_gan_augment(gan, d, mode, ratio, seed, out, generated));
        if (tried && generated) memcpy(tried, generated, (size_t)d->classes * sizeof *tried);
        return CLGAN_OK;
    }
    *out = NULL;
    if (!f->confidence || !(f->min_confidence >= 0 && f->min_confidence <= 1) ||
        !(f->top_share >= 0 && f->top_share <= 1) || f->max_tries < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "GAN augmentation filter: needs a classifier, a minimum confidence in "
                          "[0, 1] (got %g), a top share 0 or in (0, 1] (got %g), max tries >= 1 (got %d)",
                          f->min_confidence, f->top_share, f->max_tries);
    TRY(check_fit(gan, d));
    int K = d->classes;
    size_t img = clgan_dataset_image_bytes(d);
    int *gen = malloc((size_t)K * sizeof *gen), *tries = calloc((size_t)K, sizeof *tries);
    kept_images *kept = calloc((size_t)K, sizeof *kept);
    candidates c = {.gan = gan, .f = f, .seed = seed, .img = img};
    c.labels = malloc(CLGAN_GAN_AUGMENT_CHUNK * sizeof *c.labels);
    c.x = malloc(CLGAN_GAN_AUGMENT_CHUNK * img * sizeof *c.x);
    c.conf = malloc(CLGAN_GAN_AUGMENT_CHUNK * sizeof *c.conf);
    c.u8 = malloc(CLGAN_GAN_AUGMENT_CHUNK * img);
    clgan_status st = gen && tries && kept && c.labels && c.x && c.conf && c.u8
                          ? clgan_gan_augment_plan(d, mode, ratio, gen)
                          : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for filtered augmentation");
    for (int k = 0; k < K && st == CLGAN_OK; k++) {
        if (!gen[k]) continue;
        c.cls = k, c.chunk = 0;
        st = f->top_share > 0 ? keep_top(&c, gen[k], &kept[k], &tries[k]) : keep_confident(&c, gen[k], &kept[k], &tries[k]);
        if (st != CLGAN_OK) clgan_fail_context(st, "generating filtered images of class %d", k);
    }
    int64_t n_gen = 0;
    for (int k = 0; k < K && st == CLGAN_OK; k++) n_gen += (int64_t)kept[k].n;
    clgan_dataset *s = NULL;
    if (st == CLGAN_OK) st = clgan_dataset_alloc(d->n + (int)n_gen, d->c, d->h, d->w, K, &s);
    if (st == CLGAN_OK) {
        memcpy(s->pixels, d->pixels, (size_t)d->n * img);
        memcpy(s->labels, d->labels, (size_t)d->n * sizeof *d->labels);
        if (d->class_names && s->class_names) memcpy(s->class_names, d->class_names, (size_t)K * sizeof d->class_names[0]);
        size_t at = (size_t)d->n;
        for (int k = 0; k < K; k++) {
            if (kept[k].n) memcpy(s->pixels + at * img, kept[k].pixels, kept[k].n * img);
            for (size_t i = 0; i < kept[k].n; i++) s->labels[at + i] = k;
            at += kept[k].n;
            if (generated) generated[k] = (int)kept[k].n;
            if (tried) tried[k] = tries[k];
        }
        char how[96];
        if (f->top_share > 0) snprintf(how, sizeof how, ", the top %g per class by a classifier", f->top_share);
        else snprintf(how, sizeof how, ", confidence >= %g by a classifier", f->min_confidence);
        describe(s, d, (int)n_gen, mode, ratio, how);
        *out = s;
    }
    for (int k = 0; kept && k < K; k++) free(kept[k].pixels);
    free(kept), free(gen), free(tries);
    free(c.labels), free(c.x), free(c.conf), free(c.u8);
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
