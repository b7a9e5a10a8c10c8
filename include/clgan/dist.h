/* clgan/dist.h — data-parallel training over MPI: one process (a rank) per
 * device, one model trained on all of them.
 *
 *     mpirun -np 2 clgan train-gan --data mnist --batch 64 --out runs/g
 *
 * A program calls clgan_dist_init once, before it creates a context; under
 * an MPI launcher (mpirun, mpiexec) with more than one rank it joins the job,
 * otherwise it is rank 0 of 1 and nothing changes. clgan_train_run and
 * clgan_train_run_model (clgan/train.h) then train data-parallel: every
 * global batch is split into equal shares over the ranks, the gradients of
 * each net are averaged with one all-reduce per optimizer step, rank 0 alone
 * writes checkpoints and logs. GAN, classifier and semi-supervised models
 * created or loaded after clgan_dist_init in a job of several ranks are built
 * for one rank's share of their batch (less device memory per rank); they
 * sample, predict and evaluate as any model does. docs/SCALING.md has the
 * recipe and measured figures.
 *
 * Without MPI at build time (libopenmpi-dev missing at configure time) every
 * call here behaves as one process, except that clgan_dist_init fails with a
 * message saying so when the process was started as one of several ranks.
 */
#ifndef CLGAN_DIST_H
#define CLGAN_DIST_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this libclgan was built with MPI. */
CLGAN_API int clgan_dist_available(void);

/* Join the MPI job this process was started in (argc/argv may be NULL).
 * A process not started by an MPI launcher stays alone: rank 0 of 1.
 * Calling it again is a no-op. */
CLGAN_API clgan_status clgan_dist_init(int *argc, char ***argv);
/* Leave the job (MPI_Finalize); a no-op alone or after clgan_dist_abort. */
CLGAN_API void clgan_dist_finalize(void);
/* End every rank of the job with `code` (MPI_Abort): for a rank that failed
 * while the others wait in a collective. Alone: exit(code). Never returns. */
CLGAN_API void clgan_dist_abort(int code);

CLGAN_API int clgan_dist_rank(void);       /* 0 .. size-1; 0 alone */
CLGAN_API int clgan_dist_size(void);       /* ranks in the job; 1 alone */
CLGAN_API int clgan_dist_local_rank(void); /* among the ranks on this host: picks this rank's device */
CLGAN_API int clgan_dist_local_size(void);
/* The job's host names and ranks as one line ("2 ranks on 1 host (node1)"). */
CLGAN_API const char *clgan_dist_describe(void);

/* Time this process spent in the job's reductions (all-reduce, broadcast)
 * since clgan_dist_init, the calls and the bytes reduced. A large
 * reduction (a gradient block) first waits at a barrier for the slowest
 * rank: wait_seconds is that time (the ranks' imbalance), seconds all of it. */
typedef struct clgan_dist_stats {
    int64_t calls;
    double bytes;
    double seconds;
    double wait_seconds;
} clgan_dist_stats;
CLGAN_API void clgan_dist_get_stats(clgan_dist_stats *stats /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
