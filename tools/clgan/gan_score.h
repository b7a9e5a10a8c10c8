/* gan_score.h — train-gan --score-with: a fixed sample of the GAN scored
 * against real images by a classifier checkpoint (clgan/score.h: Fréchet
 * distance of its features, mode coverage, the Inception-Score-style number,
 * conditional accuracy) at the run's evaluations, a row per score in
 * score.csv and the Fréchet distance plotted against the step (score.png). */
#ifndef CLGAN_GAN_SCORE_H
#define CLGAN_GAN_SCORE_H
#include "checkpoint_classifier.h"

typedef struct gan_scorer {
    ckpt_classifier clf;
    int n;                   /* samples scored, and real images at most */
    int real_n;              /* real images taken (0 until the first score) */
    int classes;             /* the GAN's classes (0: unconditional) */
    int K, F;                /* the classifier's classes and features */
    uint64_t seed;           /* the fixed sample's */
    float *real_feat;        /* [real_n * F] */
    float *img, *feat, *probs; /* [n * C*H*W], [n * F], [n * K] */
    int32_t *labels;         /* [n]: the samples' classes (conditional) */
    double *share;           /* [K] */
    char csv[1100];
    /* the last score */
    double fd, is, cacc;
    int coverage;
} gan_scorer;

/* Load the classifier at ckpt for a GAN of `gan`'s image shape and classes:
 * n samples per score from `seed`, rows into csv_path (a resumed run keeps
 * the rows up to resumed_step, -1 for a new run, which starts the file).
 * 1, or 0 after printing why. */
int gan_scorer_open(gan_scorer *s, clgan_ctx *ctx, const char *ckpt, const clgan_model_info *gan, int n, uint64_t seed,
                    const char *csv_path, int64_t resumed_step);
/* Score the model's fixed sample against up to n images of real (their
 * features computed at the first call): s->fd and the rest. */
clgan_status gan_scorer_run(gan_scorer *s, clgan_model *gan, const clgan_dataset *real);
/* The last score as a row of score.csv. */
clgan_status gan_scorer_write(const gan_scorer *s, int64_t step, int epoch);
void gan_scorer_free(gan_scorer *s);
/* score.png from score.csv: the Fréchet distance against the step. 1, or 0
 * with a message for clgan_last_error(). */
int gan_plot_scores(const char *csv, const char *png);
#endif
