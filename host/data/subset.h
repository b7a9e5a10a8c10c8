/* subset.h — dataset scenarios: few labels, and one class made rare.
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

/* Images per class: counts[k] for k in [0, K), and the number of unlabelled
 * images into *unlabelled (may be NULL). */
void clgan_dataset_class_counts(const clgan_dataset *d, int *counts /* [K] */, int *unlabelled /* OUT */);
#endif
