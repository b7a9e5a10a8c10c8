/* reduce.h — what the ranks of a data-parallel job share, as the nets see
 * it: a sum over the ranks, in place. Each rank trains the same net on its
 * own equal share (1/ranks) of every batch; the nets use the reducer to
 * average their gradients before an optimizer step, for synchronised
 * batchnorm statistics and for data-dependent initialisation. The nets know
 * nothing of MPI: core/dist.c makes the job's reducer; a test can make one
 * that simulates ranks in one process. */
#ifndef CLGAN_REDUCE_H
#define CLGAN_REDUCE_H
#include "clgan/core.h"

#include <stddef.h>

typedef struct clgan_reducer {
    int ranks; /* >= 1 */
    int rank;  /* 0 .. ranks-1 */
    /* buf[0..n) = the sum over the ranks of every rank's buf[0..n), on every rank. */
    clgan_status (*sum_floats)(void *self, float *buf, size_t n);
    clgan_status (*sum_doubles)(void *self, double *buf, size_t n);
    void *self;
} clgan_reducer;
#endif
