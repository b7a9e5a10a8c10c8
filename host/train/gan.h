/* gan.h — GAN training: a generator G and a discriminator D sharing one
 * context, trained with the non-saturating BCE loss (default), the
 * least-squares (LSGAN) loss or the hinge loss, Adam on both, optional
 * one-sided label smoothing (ns and ls), class-conditional when the
 * architecture says so, optionally with a moving average of G's weights.
 *
 * One step (batch B, global step s):
 *   z ~ N(0,1) from Philox(seed, stream 2s); conditional: the fakes take the
 *   real batch's labels (so their class mix follows the data's, also for an
 *   imbalanced training set)
 *   D: zero grads; D(real) vs target 1-smoothing; D(G(z)) (detached) vs 0;
 *      Adam step on D
 *   G: zero grads; D(G(z)) vs 1 through D (D's parameters not stepped);
 *      gradient into G's output; Adam step on G
 *   EMA (g_ema = decay > 0): G_ema = d G_ema + (1 - d) G over the whole
 *      parameter block, d = min(decay, (1 + s) / (10 + s))
 * Hinge (Lim & Ye 2017, Miyato et al. 2018): D minimises
 * mean(max(0, 1 - D(x))) + mean(max(0, 1 + D(G(z)))), G minimises
 * -mean(D(G(z))); label smoothing is refused with it (its targets are the
 * margins, not probabilities).
 * The moving average (Yazici et al. 2019) starts from G's initial weights;
 * the warm-up of d (TensorFlow's ExponentialMovingAverage with num_updates)
 * lets it forget those random weights within the first few hundred steps,
 * so short runs and early sample grids show a trained G. Its batchnorm
 * statistics are G's running ones, copied when sampling: those already
 * average the recent batches, and a second average of them would lag the
 * weights. Sampling uses the average unless told otherwise.
 * Data-parallel (cfg.parallel): B is this rank's share of the batch, and
 * its z are the ones a one-process run draws for those images.
 * Everything random derives from (seed, step), so a run that stops after N
 * steps and resumes for M more gives the same weights as N+M steps in one go
 * on the same device.
 */
#ifndef CLGAN_GAN_H
#define CLGAN_GAN_H
#include "train/gan_models.h"

typedef enum clgan_gan_loss { CLGAN_GAN_LOSS_NS = 0, CLGAN_GAN_LOSS_LS = 1, CLGAN_GAN_LOSS_HINGE = 2 } clgan_gan_loss;

typedef struct clgan_gan_config {
    clgan_gan_arch arch;
    int batch;               /* default 64 */
    clgan_gan_loss loss;     /* default non-saturating BCE */
    float label_smoothing;   /* one-sided: real target = 1 - label_smoothing; default 0 */
    clgan_adam_params adam_g, adam_d; /* default lr 2e-4, beta1 0.5 */
    float g_ema;             /* decay of the moving average of G's weights, in [0, 1); 0 (default): none */
    uint64_t seed;
    clgan_data_parallel parallel; /* not a setting: a rank's share; none: the job's (clgan_dist_init) */
} clgan_gan_config;

clgan_gan_config clgan_gan_default_config(void);

typedef struct clgan_gan_stats {
    double loss_d, loss_g; /* D: real + fake terms; G: generator loss */
    double d_real, d_fake; /* mean D(x) and D(G(z)) as probabilities (ns) or raw outputs (ls, hinge) */
} clgan_gan_stats;

typedef struct clgan_gan clgan_gan;

clgan_status clgan_gan_create(clgan_ctx *ctx, const clgan_gan_config *cfg, clgan_gan **out /* OUT */);
void clgan_gan_free(clgan_gan *gan);
const clgan_gan_config *clgan_gan_get_config(const clgan_gan *gan);
int64_t clgan_gan_step_count(const clgan_gan *gan);

/* One training step on a batch of real images: host floats [B,C,H,W] in
 * [-1,1], labels [B] (needed when conditional, else may be NULL). */
clgan_status clgan_gan_train_step(clgan_gan *gan, const float *real, const int32_t *labels,
                                  clgan_gan_stats *stats /* OUT, may be NULL */);

/* n samples from G in inference mode into out [n,C,H,W] (host floats in
 * [-1,1]): from the moving average of G's weights when the GAN keeps one
 * and sampling from it is on (the default), else from G's. labels [n]
 * choose classes when conditional (NULL: class i % K). Same (seed, gan
 * weights) → same bytes. */
clgan_status clgan_gan_sample(clgan_gan *gan, int n, const int32_t *labels, uint64_t seed, float *out);
/* on 1 (the default): clgan_gan_sample uses the moving average when there is one; 0: G's own weights. */
void clgan_gan_set_sample_ema(clgan_gan *gan, int on);

/* Nets, for checkpoints and tests. */
clgan_net *clgan_gan_generator(clgan_gan *gan);
clgan_net *clgan_gan_discriminator(clgan_gan *gan);
/* The moving average of G's weights as a net of G's specs (its parameter
 * block; its batchnorm statistics are written from G's when sampling); NULL
 * when g_ema is 0. */
clgan_net *clgan_gan_generator_ema(clgan_gan *gan);
void clgan_gan_set_step_count(clgan_gan *gan, int64_t step);
#endif
