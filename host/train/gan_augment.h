/* gan_augment.h — GAN augmentation (issue 4, "the augmentation" way a GAN
 * helps a classifier): a training set of real images plus labelled images
 * from a trained CONDITIONAL GAN, to balance the classes or enlarge the set.
 *
 *     clgan_gan *gan;  clgan_gan_load(ctx, "runs/gan/checkpoint.ckpt", &gan, NULL, 0);
 *     clgan_dataset *aug;  int gen[K];
 *     clgan_gan_augment(gan, train, CLGAN_GAN_AUGMENT_BALANCE, 0.0, seed, &aug, gen);
 *     clgan_gan_free(gan);
 *     clgan_gan_augment_png("gan-augment.png", aug, train->n, 10);
 *     ... train on aug, free it ...
 *
 * How many images (n_k = the real labelled images of class k, max = the
 * largest n_k, N = d->n, all real images including unlabelled ones):
 *   BALANCE, ratio 0:  class k gets max - n_k generated images, so every
 *                      class reaches max;
 *   BALANCE, ratio R:  that, then round(R * N) more in equal shares (below);
 *   ENLARGE, ratio R:  round(R * N) generated images in equal shares, R > 0.
 * Equal shares of T images over K classes: class k gets T / K, plus one for
 * k < T % K.
 *
 * The new dataset holds d's images in d's order (labels kept, unlabelled
 * ones too), then the generated images, class 0's first, then class 1's, ...
 * A generated image is G's output x in [-1, 1] quantised to the uint8 pixel
 * round((x + 1) * 127.5), clamped to 0..255 (NaN gives 0): the same
 * representation as the real images, so the loader's x / 127.5 - 1 maps it
 * back to within half a grey level.
 *
 * Generation: the labels of the generated block (as above) are cut into
 * chunks of CLGAN_GAN_AUGMENT_CHUNK images; chunk j (0-based) is
 * clgan_gan_sample(gan, its size, its labels, clgan_gan_augment_chunk_seed(seed, j), ...).
 * So the same (GAN weights, d, mode, ratio, seed) give the same bytes on the
 * same device.
 */
#ifndef CLGAN_GAN_AUGMENT_H
#define CLGAN_GAN_AUGMENT_H
#include "data/dataset.h"
#include "train/gan.h"

#define CLGAN_GAN_AUGMENT_CHUNK 256

/* The mode enum, clgan_gan_augment_mode_name and clgan_gan_augment_plan are
 * public (clgan/augment.h). */
/* The sampling seed of generation chunk j (a fixed mix of seed and j). */
uint64_t clgan_gan_augment_chunk_seed(uint64_t seed, int chunk);

/* A NEW dataset: d's images plus the generated ones (see above); d is left
 * alone (free both). generated (may be NULL) receives gen[k] per class.
 * CLGAN_ERR_INVALID_ARG, with the reason, for an unconditional GAN, a GAN
 * whose class count differs from d's, or whose image shape (C x H x W) differs
 * from d's (both shapes named), and for what clgan_gan_augment_plan refuses. */
clgan_status clgan_gan_augment(clgan_gan *gan, const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio,
                               uint64_t seed, clgan_dataset **out /* OUT */, int *generated /* OUT [K], may be NULL */);

/* The generated block alone: want[k] images of class k, class-major, in
 * chunks seeded as above, into pixels [sum want][C][H][W] (quantised as
 * above) and out_labels [sum want]. CLGAN_ERR_INVALID_ARG for an
 * unconditional GAN or a negative or too large want. */
clgan_status clgan_gan_generate(clgan_gan *gan, const int *want /* [K] */, uint64_t seed, uint8_t *pixels /* OUT */,
                                int32_t *out_labels /* OUT */);

/* Filtered generation (the filter's classifier behind a callback, so this
 * file needs no model): for class k, candidates come in chunks of
 * CLGAN_GAN_AUGMENT_CHUNK images of class k, chunk j sampled with
 * clgan_gan_augment_filter_seed(seed, k, j), each quantised as above and
 * scored by confidence() on its pixels (x / 127.5 - 1). Kept:
 *   top_share 0:  candidates with confidence >= min_confidence, in order,
 *                 until gen[k] are kept or max_tries * gen[k] were tried;
 *   top_share s:  of the first ceil(gen[k] / s) candidates, the gen[k] most
 *                 confident (ties: the earlier), in candidate order.
 * A class may so end with fewer than gen[k] images (said by kept < wanted).
 * tried[k]: the candidates looked at (up to the last kept one, or the budget). */
typedef struct clgan_gan_augment_filter {
    /* conf[i] = the classifier's probability of class cls for image i of n [n,C,H,W] */
    clgan_status (*confidence)(void *user, int n, const float *images, int cls, float *conf);
    void *user;
    double min_confidence; /* [0, 1] */
    double top_share;      /* 0, or (0, 1] */
    int max_tries;         /* >= 1 */
} clgan_gan_augment_filter;

uint64_t clgan_gan_augment_filter_seed(uint64_t seed, int cls, int chunk);

/* clgan_gan_augment with a filter (NULL: exactly clgan_gan_augment):
 * generated[k] gets the images kept, tried[k] (may be NULL) the candidates
 * generated. */
clgan_status clgan_gan_augment_filtered(clgan_gan *gan, const clgan_dataset *d, clgan_gan_augment_mode mode,
                                        double ratio, uint64_t seed, const clgan_gan_augment_filter *filter,
                                        clgan_dataset **out /* OUT */, int *generated /* OUT [K], may be NULL */,
                                        int *tried /* OUT [K], may be NULL */);

/* clgan_gan_augment_png is public (clgan/augment.h); clgan_model_augment is
 * clgan_gan_augment on a GAN model. */
#endif
