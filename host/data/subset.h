/* subset.h — dataset scenarios: few labels, one class made rare, and naive
 * oversampling of the rare classes.
 * Each returns a NEW dataset (the input is left alone; free both) whose
 * images keep their order in the source, chosen by a seed: the same
 * (dataset, settings, seed) always gives the same images.
 */
#ifndef CLGAN_SUBSET_H
#define CLGAN_SUBSET_H
#include "data/dataset.h"

/* Copy images indices[0..n) (in that order; repeats allowed) into a new
 * dataset with the same shape, classes and class names. */
clgan_status clgan_dataset_select(const clgan_dataset *d, const int *indices, int n, clgan_dataset **out /* OUT */);

/* Keep n_labels labelled images balanced over the classes: class k gets
 * n_labels / K images, plus one for the first n_labels % K classes in an
 * order drawn from the seed; a class with too few images gives all it has
 * and its shortfall goes round the classes that have more. Which images of
 * a class are kept is a seeded random choice. The other images are dropped
 * (unlabel_rest = 0) or kept with label -1 (unlabel_rest = 1: for
 * semi-supervised training). Unlabelled images of the source (-1) are
 * dropped, or kept when unlabel_rest = 1.
 * CLGAN_ERR_INVALID_ARG when the data has no classes or fewer than n_labels
 * labelled images, or n_labels < 1. */
clgan_status clgan_dataset_keep_labels(const clgan_dataset *d, int n_labels, uint64_t seed, int unlabel_rest,
                                       clgan_dataset **out /* OUT */);

/* Keep only round(fraction * count) of class cls's images (at least one when
 * fraction > 0), a seeded random choice; every other image is kept.
 * fraction in [0, 1]; cls in [0, K). */
clgan_status clgan_dataset_imbalance(const clgan_dataset *d, int cls, double fraction, uint64_t seed,
                                     clgan_dataset **out /* OUT */);

/* Naive oversampling: every class is filled up to the largest class's count
 * with repeats of its own images. The new dataset holds every image of d in
 * its order, then the repeats, class 0's first. A class short by m = max - n_k
 * images repeats each of its n_k images floor(m / n_k) times and a seeded
 * random choice of m % n_k of them once more (so repeats stay as even as
 * possible). Unlabelled images (-1) are kept once. The same (d, seed) gives
 * the same dataset. CLGAN_ERR_INVALID_ARG when d has no classes or a class
 * has no image to repeat (e.g. --imbalance C:0). */
clgan_status clgan_dataset_oversample(const clgan_dataset *d, uint64_t seed, clgan_dataset **out /* OUT */);

/* Images per class: counts[k] for k in [0, K), and the number of unlabelled
 * images into *unlabelled (may be NULL). */
void clgan_dataset_class_counts(const clgan_dataset *d, int *counts /* [K] */, int *unlabelled /* OUT */);
#endif
