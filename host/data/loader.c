/* loader.c — seeded per-epoch permutations and float batches in [-1, 1]. */
#include "data/loader.h"
#include "core/error.h"
#include "nn/init.h"

#include <stdlib.h>
#include <string.h>

struct clgan_loader {
    const clgan_dataset *d;
    clgan_loader_options opt;
    int64_t steps;      /* per epoch */
    int64_t epoch, step; /* the next batch */
    int *perm;          /* [n]: the permutation of perm_epoch */
    int64_t perm_epoch; /* -1: none yet */
    float lut[256];     /* byte -> x / 127.5 - 1 */
};

clgan_loader_options clgan_loader_default_options(void)
{
    clgan_loader_options o = {64, 1, 1, 1};
    return o;
}

clgan_status clgan_loader_create(const clgan_dataset *d, const clgan_loader_options *opt, clgan_loader **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: out is NULL");
    *out = NULL;
    if (!d || d->n <= 0 || !d->pixels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: empty dataset");
    clgan_loader_options o = opt ? *opt : clgan_loader_default_options();
    if (o.batch < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: batch %d < 1", o.batch);
    if (o.drop_last && d->n < o.batch)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "loader: the dataset has %d images, fewer than one batch of %d (drop_last leaves no batch)",
                          d->n, o.batch);
    clgan_loader *l = calloc(1, sizeof *l);
    if (!l) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "loader: out of host memory");
    l->perm = malloc((size_t)d->n * sizeof *l->perm);
    if (!l->perm) {
        free(l);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "loader: out of host memory for %d indices", d->n);
    }
    l->d = d;
    l->opt = o;
    l->steps = o.drop_last ? d->n / o.batch : (d->n + o.batch - 1) / o.batch;
    l->perm_epoch = -1;
    for (int i = 0; i < 256; i++) l->lut[i] = clgan_pixel_float((uint8_t)i);
    *out = l;
    return CLGAN_OK;
}

void clgan_loader_free(clgan_loader *l)
{
    if (!l) return;
    free(l->perm);
    free(l);
}

int64_t clgan_loader_steps_per_epoch(const clgan_loader *l) { return l->steps; }

size_t clgan_loader_batch_floats(const clgan_loader *l)
{
    return (size_t)l->opt.batch * clgan_dataset_image_bytes(l->d);
}

void clgan_loader_position(const clgan_loader *l, int64_t *epoch, int64_t *step)
{
    if (epoch) *epoch = l->epoch;
    if (step) *step = l->step;
}

clgan_status clgan_loader_seek(clgan_loader *l, int64_t epoch, int64_t step)
{
    if (epoch < 0 || step < 0 || step >= l->steps)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: cannot seek to epoch %lld step %lld (%lld steps per epoch)",
                          (long long)epoch, (long long)step, (long long)l->steps);
    l->epoch = epoch, l->step = step;
    return CLGAN_OK;
}

static void make_perm(clgan_loader *l, int64_t epoch)
{
    if (l->perm_epoch == epoch) return;
    int n = l->d->n;
    for (int i = 0; i < n; i++) l->perm[i] = i;
    if (l->opt.shuffle) {
        clgan_rng rng;
        clgan_rng_seed(&rng, l->opt.seed + (uint64_t)epoch * 0x9E3779B97F4A7C15ull);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(clgan_rng_next(&rng) % (uint64_t)(i + 1));
            int t = l->perm[i];
            l->perm[i] = l->perm[j];
            l->perm[j] = t;
        }
    }
    l->perm_epoch = epoch;
}

clgan_status clgan_loader_index(clgan_loader *l, int64_t epoch, int64_t i, int *index)
{
    if (epoch < 0 || i < 0 || i >= l->d->n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: no entry %lld of epoch %lld (%d images)", (long long)i,
                          (long long)epoch, l->d->n);
    make_perm(l, epoch);
    *index = l->perm[i];
    return CLGAN_OK;
}

clgan_status clgan_loader_next(clgan_loader *l, float *x, size_t x_cap, int32_t *labels, size_t labels_cap,
                               clgan_batch_info *info)
{
    size_t img = clgan_dataset_image_bytes(l->d);
    if (!x) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: x is NULL");
    if (x_cap < (size_t)l->opt.batch * img)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: x holds %zu floats, a batch of %d needs %zu", x_cap,
                          l->opt.batch, (size_t)l->opt.batch * img);
    if (labels && labels_cap < (size_t)l->opt.batch)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "loader: labels holds %zu entries, a batch needs %d", labels_cap,
                          l->opt.batch);
    make_perm(l, l->epoch);
    int64_t first = l->step * l->opt.batch;
    int count = l->d->n - first < l->opt.batch ? (int)(l->d->n - first) : l->opt.batch;
    for (int b = 0; b < count; b++) {
        int idx = l->perm[first + b];
        const uint8_t *src = l->d->pixels + (size_t)idx * img;
        float *dst = x + (size_t)b * img;
        for (size_t p = 0; p < img; p++) dst[p] = l->lut[src[p]];
        if (labels) labels[b] = l->d->labels[idx];
    }
    if (info) {
        info->epoch = l->epoch;
        info->step = l->step;
        info->count = count;
        info->last = l->step + 1 == l->steps;
    }
    if (++l->step == l->steps) l->step = 0, l->epoch++;
    return CLGAN_OK;
}
