/* dist.h — the MPI job inside the library (clgan/dist.h is the public
 * part): the reducer the nets average their gradients with, and the
 * collectives the training driver needs. Every call is a no-op alone
 * (one process, or a build without MPI). */
#ifndef CLGAN_TRAIN_DIST_H
#define CLGAN_TRAIN_DIST_H
#include "clgan/dist.h"
#include "clgan/model.h"
#include "nn/reduce.h"

/* The job's reducer (sums over MPI_COMM_WORLD, timed); NULL alone. */
const clgan_reducer *clgan_dist_reducer(void);
/* *v = the largest of every rank's *v. */
clgan_status clgan_dist_max_int(int *v);
/* buf[0..n) = rank 0's buf[0..n), on every rank. */
clgan_status clgan_dist_bcast_floats(float *buf, size_t n);
clgan_status clgan_dist_bcast_doubles(double *buf, size_t n);

/* Rebuild a GAN, classifier or semi-supervised model (model.c) for this
 * reducer and sync_bn, its state (weights, statistics, optimizer, steps,
 * class names) kept; a no-op when it has them. (A model created or loaded
 * in a process of a job already trains its share: its trainer takes the
 * job's reducer when its config names none.) */
clgan_status clgan_model_set_data_parallel(clgan_model *m, const clgan_reducer *reducer, int sync_bn);
/* Images per step and stream on this rank: the batch, or its share. */
int clgan_model_local_batch(const clgan_model *m);
#endif
