/* subset.h — dataset scenarios: few labels, one class made rare, and naive
 * oversampling of the rare classes.
 * Each returns a NEW dataset (the input is left alone; free both) whose
 * images keep their order in the source, chosen by a seed: the same
 * (dataset, settings, seed) always gives the same images.
 */
#ifndef CLGAN_SUBSET_H
#define CLGAN_SUBSET_H
#include "data/dataset.h"

/* All of them are public: clgan/dataset.h. */
#endif
