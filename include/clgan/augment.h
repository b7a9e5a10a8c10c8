/* clgan/augment.h — GAN augmentation: a classifier's training set made of
 * the real images plus labelled images from a trained CONDITIONAL GAN model,
 * to balance the classes or enlarge the set.
 *
 *     clgan_model *gan;
 *     clgan_model_load(ctx, "runs/gan/checkpoint.ckpt", &gan, NULL, 0);
 *     clgan_dataset *aug;
 *     int gen[10];
 *     clgan_model_augment(gan, train, CLGAN_GAN_AUGMENT_BALANCE, 0.0, seed, &aug, gen);
 *     clgan_gan_augment_png("gan-augment.png", aug, n_real, 10);
 *
 * How many images (n_k = the real labelled images of class k, max = the
 * largest n_k, N = all real images including unlabelled ones):
 *   BALANCE, ratio 0:  class k gets max - n_k generated images, so every
 *                      class reaches max;
 *   BALANCE, ratio R:  that, then round(R * N) more in equal shares;
 *   ENLARGE, ratio R:  round(R * N) generated images in equal shares, R > 0.
 * Equal shares of T images over K classes: class k gets T / K, plus one for
 * k < T % K.
 *
 * The new dataset holds the real images in their order (labels kept,
 * unlabelled ones too), then the generated images, class 0's first, then
 * class 1's, ... A generated image is G's output quantised to 8-bit pixels
 * as the real images are. The same (GAN weights, data, mode, ratio, seed)
 * give the same bytes on the same device.
 */
#ifndef CLGAN_AUGMENT_API_H
#define CLGAN_AUGMENT_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_model clgan_model;     /* clgan/model.h */
typedef struct clgan_dataset clgan_dataset; /* clgan/dataset.h */

typedef enum clgan_gan_augment_mode {
    CLGAN_GAN_AUGMENT_BALANCE = 0,
    CLGAN_GAN_AUGMENT_ENLARGE = 1
} clgan_gan_augment_mode;

/* "balance" / "enlarge" (NULL for anything else). */
CLGAN_API const char *clgan_gan_augment_mode_name(clgan_gan_augment_mode mode);
/* The generated images per class, gen[k] for k in [0, classes of d), that
 * (d, mode, ratio) asks for. CLGAN_ERR_INVALID_ARG for unlabelled data, an
 * unknown mode, a ratio that is negative, not finite, or 0 with ENLARGE, or
 * a total beyond 2e9 images. */
CLGAN_API clgan_status clgan_gan_augment_plan(const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio,
                                              int *gen /* OUT [K] */);
/* A NEW dataset: d's images plus the ones the GAN model generates (see
 * above); d is left alone (free both). generated (may be NULL) receives
 * gen[k] per class. CLGAN_ERR_INVALID_ARG, with the reason, for a model that
 * is not a GAN, an unconditional GAN, a GAN whose class count or image shape
 * differs from d's, and for what clgan_gan_augment_plan refuses. */
CLGAN_API clgan_status clgan_model_augment(clgan_model *gan, const clgan_dataset *d, clgan_gan_augment_mode mode,
                                           double ratio, uint64_t seed, clgan_dataset **out /* OUT */,
                                           int *generated /* OUT [K], may be NULL */);
/* A NEW dataset of want[k] images of class k (class 0's first) made by a
 * conditional GAN model, generated and quantised as clgan_model_augment's
 * (train-detector --gan-augment pastes them into scenes); class names the
 * model's. CLGAN_ERR_INVALID_ARG for a model that is not a conditional GAN,
 * a negative want or a total of 0. */
CLGAN_API clgan_status clgan_model_generate(clgan_model *gan, const int *want /* [K of the GAN] */, uint64_t seed,
                                            clgan_dataset **out /* OUT */);
/* Filtered GAN augmentation: generated images are kept only when a
 * classifier (a classifier, ssl or dfeatures model, e.g. one trained on the
 * same imbalanced real data) assigns them to their intended class.
 * Candidates of class k are sampled in chunks of 256 from their own seeds,
 * quantised to 8-bit pixels and classified as the training images will be;
 * kept are, with top_share 0, those whose intended class has probability
 * >= min_confidence, in order, until class k has its images or
 * max_tries x that many candidates were tried (the class then has fewer);
 * with top_share s in (0, 1], the most confident share s of
 * ceil(wanted / s) candidates, in candidate order. The same (weights, data,
 * settings, seed) give the same bytes on the same device. */
typedef struct clgan_gan_filter {
    clgan_model *classifier; /* its classes and image shape are the data's */
    double min_confidence;   /* [0, 1]; used when top_share is 0 */
    double top_share;        /* 0, or (0, 1] */
    int max_tries;           /* >= 1 candidates per wanted image at most (confidence mode) */
} clgan_gan_filter;

/* The filter's defaults: confidence >= 0.5, no top share, 20 tries. */
CLGAN_API clgan_gan_filter clgan_gan_filter_default(clgan_model *classifier);
/* clgan_model_augment through a filter: generated[k] (may be NULL) gets the
 * images kept, tried[k] (may be NULL) the candidates looked at, per class.
 * CLGAN_ERR_INVALID_ARG as clgan_model_augment, and for a filter whose
 * classifier does not classify, has another class count or image shape, or
 * whose settings are out of range. */
CLGAN_API clgan_status clgan_model_augment_filtered(clgan_model *gan, const clgan_dataset *d,
                                                    clgan_gan_augment_mode mode, double ratio, uint64_t seed,
                                                    const clgan_gan_filter *filter, clgan_dataset **out /* OUT */,
                                                    int *generated /* OUT [K], may be NULL */,
                                                    int *tried /* OUT [K], may be NULL */);
/* A PNG grid (pad 2) of the generated images of an augmented dataset, for
 * looking at: one row per class, the first per_class generated images of
 * that class from index first_generated on (the real image count), in
 * per_class columns; a class with fewer leaves the rest of its row
 * background grey. */
CLGAN_API clgan_status clgan_gan_augment_png(const char *path, const clgan_dataset *aug, int first_generated,
                                             int per_class);

#ifdef __cplusplus
}
#endif
#endif
