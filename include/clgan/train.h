/* clgan/train.h — the training driver: one loop under every kind of model.
 * It owns the epochs and steps, the data order (a seeded permutation per
 * epoch, full batches only) and the exact seek on a resume, the checkpoint
 * cadence (every epoch and at the end; on request the best by a metric and
 * periodic copies), the evaluation cadence on a test split, the stop request
 * (Ctrl-C / SIGTERM), the non-finite guard (non-finite weights are never
 * saved; the last good checkpoint stays), the run folder's log.csv and the
 * temporary files a killed run left.
 *
 *     clgan_train_params p = clgan_train_default_params();
 *     p.out_dir = "runs/gan"; p.train = data; p.epochs = 5;
 *     clgan_train_target t = ...;          // a model behind step/save callbacks
 *     clgan_train_result r;
 *     if (clgan_train_run(&t, &p, &r) != CLGAN_OK) ... clgan_last_error() ...
 *     if (r.stopped) ... resume later with p.resume = 1 ...
 *
 * The run folder holds out_dir/checkpoint.ckpt (the newest good weights),
 * out_dir/log.csv (one row per step: "step,epoch,<the step's statistics>,
 * [<the evaluation metric>,]images_per_sec,seconds"; the metric only on rows
 * where the test split was evaluated), and on request out_dir/best.ckpt and
 * out_dir/checkpoint-epoch-NNNN.ckpt.
 *
 * Data-parallel (clgan/dist.h: the process is one of N ranks of an MPI job):
 * every rank runs this loop on the same data and settings. The global batch
 * (the target's) is read in the same seeded order as alone and split into N
 * equal shares, rank r taking images [r*B/N, (r+1)*B/N) of it; each net's
 * gradients are averaged over the ranks before its optimizer step, so every
 * rank keeps the same weights; the step's statistics are the means over the
 * ranks. Rank 0 alone writes the run folder (checkpoints, log.csv) and calls
 * on_step, on_evaluated, on_checkpoint and the evaluation; the others pass
 * messages = NULL. A stop request on any rank stops every rank after the
 * same step, with one checkpoint. Without params.sync_bn each rank's
 * batchnorm uses its share's statistics, and the running statistics are
 * averaged over the ranks before each evaluation and checkpoint. Any N can
 * resume a checkpoint any other N wrote.
 *
 * Resuming from a checkpoint taken after N steps feeds step N + 1 onwards the
 * very batches an uninterrupted run would have fed, so a model whose steps
 * depend only on its weights, its step count and its batch ends bit-exactly
 * where the uninterrupted run ends.
 */
#ifndef CLGAN_TRAIN_H
#define CLGAN_TRAIN_H
#include "clgan/model.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- what is trained ------------------------------------------------------
 * Any model, behind callbacks on `self`. The driver reads batches of `batch`
 * images (data-parallel: gives each rank its share, batch.n = batch / ranks,
 * and the target must train that share) and gives each step the next one of the main stream and, when
 * params->train2 is set, the next one of the second stream (a semi-supervised
 * model's labelled images). */
typedef struct clgan_train_batch {
    int n;                     /* images per stream: the target's batch */
    const float *images;       /* [n,C,H,W] in [-1,1], from params->train */
    const int32_t *labels;     /* [n]; -1 for unlabelled images */
    const float *images2;      /* [n,C,H,W] from params->train2; NULL without one */
    const int32_t *labels2;    /* [n] or NULL */
} clgan_train_batch;

#define CLGAN_TRAIN_MAX_NETS 4
typedef struct clgan_train_target {
    void *self;
    int batch;     /* images per step and stream, >= 1 */
    int64_t steps; /* steps already taken: 0, or the step of the checkpoint resumed from */
    /* log.csv's columns for the step's statistics, comma-separated, in the
     * order step() fills stats ("loss_d,loss_g,d_real,d_fake"); a step's
     * statistics beyond them are not logged. NULL: the names the first step
     * gives. */
    const char *stat_columns;
    /* One training step. A step that makes the loss non-finite fails with
     * CLGAN_ERR_CHECK_FAILED and a message containing "diverged". */
    clgan_status (*step)(void *self, const clgan_train_batch *batch, clgan_step_stats *stats /* OUT */);
    /* Write a checkpoint atomically (a temporary file renamed over path). */
    clgan_status (*save)(void *self, const char *path, const char *note);
    /* Optional (NULL: the run has no evaluation): a metric of the model on
     * params->test, higher is better (accuracy). */
    clgan_status (*evaluate)(void *self, const clgan_dataset *test, double *metric /* OUT */);
    /* The nets whose parameters, batchnorm statistics and optimizer state are
     * checked for NaN/Inf before every checkpoint, by names[i] in messages. */
    int net_count;
    clgan_net *nets[CLGAN_TRAIN_MAX_NETS];
    const char *net_names[CLGAN_TRAIN_MAX_NETS];
    /* Optional: a check of state the nets do not cover (or of a target without
     * nets): *bad non-finite values, described in what ("3 of D's 1200
     * parameters"). */
    clgan_status (*check_finite)(void *self, size_t *bad /* OUT */, char *what, size_t cap);
} clgan_train_target;

/* ---- where the run is, for the callbacks ---------------------------------- */
typedef struct clgan_train_progress {
    int64_t step;            /* steps taken in total, this one included */
    int64_t start;           /* the step the run started or resumed from */
    int64_t total;           /* the step the run trains to */
    int64_t steps_per_epoch;
    int epoch;               /* 1-based epoch of this step */
    int epochs_total;
    int64_t in_epoch;        /* steps of this epoch done */
    double seconds;          /* since this run (not the resumed one) started */
    double images_per_sec;   /* over this run */
    const clgan_step_stats *stats; /* this step's statistics */
    int evaluated;           /* this step ran the evaluation */
    double metric;           /* the newest evaluation's metric; NaN before the first */
} clgan_train_progress;

typedef struct clgan_train_params {
    const char *out_dir;         /* the run folder; made when missing */
    int resume;                  /* 1: continue the run of out_dir (its checkpoint must exist) */
    const clgan_dataset *train;  /* the main stream; its epochs are the run's */
    const clgan_dataset *train2; /* optional second stream, cycled with its own order */
    const clgan_dataset *test;   /* the evaluation split (with target->evaluate) */
    uint64_t seed;               /* data order: epoch e of the main stream is a permutation of seed and e */
    uint64_t seed2;              /* the second stream's */
    int epochs;                  /* epochs to train (default 5) ... */
    int64_t steps;               /* ... or, when > 0, train to this many steps in total */
    int checkpoint_every;        /* epochs between checkpoints (default 1); the last step always saves */
    int eval_every;              /* epochs between evaluations (default 1); the last step always evaluates */
    int keep_best;               /* 1: also best.ckpt, written at a checkpoint when the metric beats the
                                    metric of every earlier checkpoint */
    int keep_every;              /* > 0: also a copy checkpoint-epoch-NNNN.ckpt at the checkpoints of every
                                    this many epochs (both are decided at checkpoint steps only) */
    const char *metric_name;     /* the metric's log.csv column (default "test_accuracy") */
    int metric_lower_better;     /* 1: keep_best keeps the lowest metric (a distance), not the highest */
    const char *stat_columns;    /* clgan_train_run_model: log.csv's names for a step's first statistics,
                                    comma-separated; only that many are logged (NULL: all, by their names) */
    const char *note;            /* kept in every checkpoint (may be NULL) */
    const char *advice;          /* what to try after a divergence ("a lower --lr"), for the message */
    FILE *messages;              /* where notes go (removed temporary files, a log that could not be
                                    trimmed), each line "clgan: ..."; NULL: nowhere */
    void *user;
    /* Callbacks, each may be NULL. A status other than CLGAN_OK ends the run
     * with that status (and the message the failed call left). */
    clgan_status (*on_step)(void *user, const clgan_train_progress *p);       /* after every step (progress),
                                                                                  before its evaluation: p->evaluated
                                                                                  says one follows, p->metric is
                                                                                  still the previous one */
    clgan_status (*on_evaluated)(void *user, const clgan_train_progress *p);  /* after each evaluation */
    clgan_status (*on_checkpoint)(void *user, const clgan_train_progress *p); /* before each epoch's (and the
                                                                                  last step's) checkpoint: grids,
                                                                                  reports; not before a stop's */
    /* Optional: called just before (begin 1) and just after (begin 0) each step's training call, to
     * time the step alone (a profiler). */
    void (*on_step_timing)(void *user, int begin);
    /* Optional, clgan_train_run_model only: the evaluation on params->test to run instead of the model's
     * accuracy (clgan_model_evaluate), e.g. with a progress display or keeping the confusion matrix;
     * higher is better unless metric_lower_better. A GAN model evaluates only through this (e.g. a
     * Frechet distance of its samples). */
    clgan_status (*evaluate)(void *user, const clgan_dataset *test, double *metric /* OUT */);
    /* Data-parallel only (clgan_train_run_model): 1 makes batchnorm use the statistics of the whole batch
     * over every rank (N ranks x B/N then compute what 1 rank x B computes, up to rounding); 0 (default):
     * each rank's share's. */
    int sync_bn;
    /* A detector model (clgan_train_run_model): the scenes whose images params->train holds, in the same
     * order (clgan_detset_images: each image's label is its scene's index), which give each batch's boxes.
     * Its evaluation runs only through params->evaluate (e.g. mAP on a validation split's scenes). */
    const struct clgan_detset *scenes;
} clgan_train_params;

typedef struct clgan_train_result {
    int64_t start, step;      /* the step the run started from and the one it reached */
    int64_t steps_per_epoch;
    int64_t saved;            /* the step out_dir/checkpoint.ckpt holds; -1 when none was written */
    int stopped;              /* the signal number (or 1) of a stop request that ended the run; 0 */
    int evaluated;            /* an evaluation ran */
    double metric;            /* the last evaluation's metric; NaN when none ran */
    double seconds;           /* of this run */
    clgan_step_stats stats;   /* the last step's; count 0 when none ran */
    int ranks;                /* data-parallel ranks that trained (1 alone) */
    double sync_seconds;      /* of this run, in the ranks' reductions (gradients, statistics, stop flags) */
    double sync_wait_seconds; /* ... of which waiting for the slowest rank before a gradient reduction */
    int64_t sync_calls;
    double sync_bytes;        /* reduced (each rank's part) */
    char checkpoint[1100];    /* out_dir/checkpoint.ckpt */
    char log[1100];           /* out_dir/log.csv */
} clgan_train_result;

/* epochs 5, checkpoint_every 1, eval_every 1, metric_name "test_accuracy", the rest 0/NULL. */
CLGAN_API clgan_train_params clgan_train_default_params(void);

/* Before the model is built or loaded: a new run needs an out_dir without a
 * checkpoint, a resume needs one (CLGAN_ERR_INVALID_ARG saying which
 * otherwise). Removes what a killed run left in out_dir (a checkpoint
 * writer's temporary files of processes that no longer run, the log's),
 * saying how many on `messages`. clgan_train_run does the same. */
CLGAN_API clgan_status clgan_train_check_out(const char *out_dir, int resume, FILE *messages);

/* Train target from target->steps to params' end, or until a stop request.
 * A stop writes one checkpoint at the step reached (unless the newest
 * already holds it) and returns CLGAN_OK with result->stopped set. Weights
 * found non-finite, a step that diverged, a failed checkpoint or callback
 * end the run with an error; the checkpoint then keeps the last good
 * weights and the message says which step they are, and params->advice. */
CLGAN_API clgan_status clgan_train_run(const clgan_train_target *target, const clgan_train_params *params,
                                       clgan_train_result *result /* OUT */);

/* The driver over a model handle (clgan/model.h): a GAN, classifier,
 * semi-supervised or detector model trained from its step count on. Its batch, its nets
 * (checked for NaN/Inf), its evaluation (accuracy on params->test, for a
 * classifier or semi-supervised model when test is set) and its seed come
 * from the model: the data order is that of the model's seed setting (a
 * semi-supervised model's labelled stream, params->train2, with seed * 2 + 7),
 * whatever params' seeds say. A semi-supervised model needs train2: its
 * steps take the labelled batch from train2 and the unlabelled one from train. */
CLGAN_API clgan_status clgan_train_run_model(clgan_model *model, const clgan_train_params *params,
                                             clgan_train_result *result /* OUT */);

/* Ask the running (or next) clgan_train_run to stop after its current step.
 * Async-signal-safe: call it from a SIGINT/SIGTERM handler with the signal
 * number (any non-zero value). clgan_train_run consumes the request. */
CLGAN_API void clgan_train_request_stop(int sig);
/* The pending request's value; 0 when none. */
CLGAN_API int clgan_train_stop_requested(void);

/* The NaN/Inf check the driver runs, for code that saves on its own: 1 when
 * every parameter, batchnorm statistic and optimizer value of the nets is
 * finite; 0 with *bad and what ("3 of D's 1200 parameters") otherwise;
 * -1 when a net could not be read (the message says why). */
CLGAN_API int clgan_train_nets_finite(clgan_net *const *nets, const char *const *names, int n, size_t *bad,
                                      char *what, size_t cap);

/* Rewrite a run's CSV log for a resume at `step`, atomically: the header
 * line (the file's own, or `header` when it has none), then the rows that
 * are whole lines (a last line cut by a kill is dropped), have the header's
 * field count, and a step (first field) above the row before and <= step.
 * A missing file becomes one holding just the header. */
CLGAN_API clgan_status clgan_train_trim_log(const char *path, int64_t step, const char *header);

#ifdef __cplusplus
}
#endif
#endif
