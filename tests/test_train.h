/* test_train.h — what the training tests share: bit-equal nets, a loader
 * positioned at a global step the way the training commands seek on
 * --resume, a GAN trained over a loader, and the tiny DCGAN (width 8, nz 16)
 * that the feature and augmentation tests train for a few steps, on the
 * 28x28 grey synthetic digits. */
#ifndef CLGAN_TEST_TRAIN_H
#define CLGAN_TEST_TRAIN_H
#include "test_expect.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "train/gan.h"

#include <stdlib.h>
#include <string.h>

/* The built-in synthetic data as 28x28 grey images, train and test images per split. */
static inline clgan_dataset_options test_synthetic28(int train, int test)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.size = 28;
    o.channels = 1;
    o.synthetic_train = train;
    o.synthetic_test = test;
    return o;
}

/* Every block (parameters, state, optimizer moments) the same to the bit. */
static inline int test_nets_equal(clgan_net *a, clgan_net *b)
{
    for (int blk = CLGAN_NET_PARAMS; blk <= CLGAN_NET_OPT_V; blk++) {
        size_t n = clgan_net_block_floats(a, blk);
        if (n != clgan_net_block_floats(b, blk)) return 0;
        float *pa = malloc((n + 1) * sizeof *pa), *pb = malloc((n + 1) * sizeof *pb);
        MUST(clgan_net_read_block(a, blk, pa));
        MUST(clgan_net_read_block(b, blk, pb));
        int same = memcmp(pa, pb, n * sizeof *pa) == 0;
        free(pa);
        free(pb);
        if (!same) return 0;
    }
    return 1;
}

/* A shuffling loader of `batch` images over d, at global step `step`. */
static inline clgan_loader *test_loader_at(const clgan_dataset *d, int batch, uint64_t seed, int64_t step)
{
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = batch;
    lo.seed = seed;
    clgan_loader *l;
    MUST(clgan_loader_create(d, &lo, &l));
    int64_t per = clgan_loader_steps_per_epoch(l);
    MUST(clgan_loader_seek(l, step / per, step % per));
    return l;
}

/* Train gan from its current step up to `until` on d, the loader placed as
 * on resume; the stats of step s into st[s] (st may be NULL). */
static inline void test_gan_train(clgan_gan *gan, const clgan_dataset *d, int64_t until, clgan_gan_stats *st)
{
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    int64_t s = clgan_gan_step_count(gan);
    clgan_loader *l = test_loader_at(d, c->batch, c->seed, s);
    size_t floats = clgan_loader_batch_floats(l);
    float *x = malloc(floats * sizeof *x);
    int32_t *labels = malloc((size_t)c->batch * sizeof *labels);
    for (; s < until; s++) {
        MUST(clgan_loader_next(l, x, floats, labels, c->batch, NULL));
        MUST(clgan_gan_train_step(gan, x, c->arch.conditional ? labels : NULL, st ? &st[s] : NULL));
    }
    free(labels);
    free(x);
    clgan_loader_free(l);
}

/* A batch-16 DCGAN (seed 3) on d's image size, trained `steps` steps on d. */
static inline clgan_gan *test_tiny_gan(clgan_ctx *ctx, const clgan_dataset *d, int conditional, int classes,
                                       int steps)
{
    clgan_gan_config c = clgan_gan_default_config();
    c.arch.width = 8;
    c.arch.nz = 16;
    c.arch.conditional = conditional;
    c.arch.classes = classes;
    c.batch = 16;
    c.seed = 3;
    c.adam_d.lr = c.adam_g.lr = 1e-3f;
    clgan_gan *gan;
    MUST(clgan_gan_create(ctx, &c, &gan));
    if (steps > 0) test_gan_train(gan, d, steps, NULL);
    return gan;
}
#endif
