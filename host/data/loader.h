/* loader.h — seeded, resumable mini-batches from a host dataset: the public
 * iterator (clgan_loader_*, described in clgan/dataset.h) and what tests and
 * logs read besides.
 */
#ifndef CLGAN_LOADER_H
#define CLGAN_LOADER_H

#include "data/dataset.h"

/* The dataset index of entry i of epoch's permutation (for tests and logs). */
clgan_status clgan_loader_index(clgan_loader *l, int64_t epoch, int64_t i, int *index /* OUT */);

#endif
