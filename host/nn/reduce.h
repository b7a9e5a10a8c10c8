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

/* One rank's share of a batch of `batch` images: *local = batch / ranks
 * images, the first of them image *first of the batch; alone (r NULL) the
 * whole batch from 0. CLGAN_ERR_INVALID_ARG when the ranks do not divide
 * the batch. */
clgan_status clgan_reducer_share(const clgan_reducer *r, int batch, int *local, int64_t *first);

/* What a trainer needs to train one rank's share (model.c sets it when the
 * driver trains data-parallel; NULL reducer: alone). */
typedef struct clgan_data_parallel {
    const clgan_reducer *reducer;
    int sync_bn; /* batchnorm statistics over the whole batch (net.h) */
} clgan_data_parallel;
#endif
