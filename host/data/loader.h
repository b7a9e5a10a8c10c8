/* loader.h — seeded, resumable mini-batches from a host dataset.
 *
 *     clgan_loader_options lo = clgan_loader_default_options();
 *     lo.batch = 64; lo.drop_last = 1; lo.seed = 7;
 *     clgan_loader *L;
 *     clgan_loader_create(train, &lo, &L);
 *     float *x = malloc(clgan_loader_batch_floats(L) * sizeof *x);   // [batch][c][h][w]
 *     int32_t y[64];
 *     clgan_batch_info bi;
 *     while (...) {
 *         clgan_loader_next(L, x, clgan_loader_batch_floats(L), y, 64, &bi);
 *         ... bi.count images in x[0 .. bi.count*c*h*w), labels y[0 .. bi.count) ...
 *     }
 *     clgan_loader_seek(L, epoch, step);     // resume: the same batches as an uninterrupted run
 *     clgan_loader_free(L);
 *
 * Order: epoch e visits the images in a permutation made by Fisher–Yates
 * from the host RNG (nn/init.h) seeded with seed + e * 0x9E3779B97F4A7C15
 * (identity order when shuffle = 0), so it depends only on (seed, epoch).
 * Step s of an epoch is permutation entries [s*B, s*B + B). With drop_last
 * the final partial batch of an epoch is skipped (GAN training wants full
 * batches); without it the last batch has fewer images (info->count).
 * Pixels become floats x / 127.5 - 1, in [-1, 1]; layout [count][c][h][w].
 * The loader keeps a pointer to the dataset, which must outlive it.
 */
#ifndef CLGAN_LOADER_H
#define CLGAN_LOADER_H

#include "data/dataset.h"

typedef struct clgan_loader clgan_loader;

typedef struct clgan_loader_options {
    int batch;     /* images per batch, >= 1 */
    int drop_last; /* 1: skip an epoch's final partial batch */
    int shuffle;   /* 1: seeded permutation per epoch; 0: dataset order */
    uint64_t seed;
} clgan_loader_options;

typedef struct clgan_batch_info {
    int64_t epoch; /* epoch of this batch (from 0) */
    int64_t step;  /* step within the epoch (from 0) */
    int count;     /* images in this batch (< batch only for a last partial batch) */
    int last;      /* 1 if this is the epoch's last batch */
} clgan_batch_info;

clgan_loader_options clgan_loader_default_options(void); /* batch 64, drop_last 1, shuffle 1, seed 1 */

clgan_status clgan_loader_create(const clgan_dataset *d, const clgan_loader_options *opt, clgan_loader **out /* OUT */);
void clgan_loader_free(clgan_loader *l); /* NULL is a no-op */

/* Batches per epoch: n / B with drop_last, else ceil(n / B). */
int64_t clgan_loader_steps_per_epoch(const clgan_loader *l);
/* Floats one full batch needs: batch * c * h * w. */
size_t clgan_loader_batch_floats(const clgan_loader *l);
/* Where the next batch comes from. */
void clgan_loader_position(const clgan_loader *l, int64_t *epoch /* OUT */, int64_t *step /* OUT */);
/* Make (epoch, step) the next batch; step in [0, steps_per_epoch). */
clgan_status clgan_loader_seek(clgan_loader *l, int64_t epoch, int64_t step);

/* Write the next batch: x [count][c][h][w] floats (x_cap must be at least
 * batch_floats), labels [count] (labels may be NULL; else labels_cap >=
 * batch), and advance, moving to the next epoch after its last step. */
clgan_status clgan_loader_next(clgan_loader *l, float *x, size_t x_cap, int32_t *labels, size_t labels_cap,
                               clgan_batch_info *info /* OUT, may be NULL */);

/* The dataset index of entry i of epoch's permutation (for tests and logs). */
clgan_status clgan_loader_index(clgan_loader *l, int64_t epoch, int64_t i, int *index /* OUT */);

#endif
