/* ssl.h — semi-supervised GAN classifier (Salimans et al. 2016, "Improved
 * Techniques for Training GANs", section 5): a discriminator with K+1 outputs
 * (K classes + "fake") trained at once on labelled, unlabelled and generated
 * images; the generator trained by feature matching.
 *
 *     clgan_ssl_config c = clgan_ssl_default_config();   // ssl28, K = 10
 *     clgan_ssl *s;  clgan_ssl_create(ctx, &c, &s);
 *     ... clgan_ssl_train_step(s, lab_x, lab_y, unl_x, &stats) per step ...
 *     clgan_ssl_evaluate(s, test, confusion);            // argmax over the K classes
 *
 * K+1 outputs. D's last layer gives K logits l_1..l_K; the fake class's logit
 * is fixed at 0 (the paper's over-parameterisation remark: subtracting any
 * function of x from all K+1 logits leaves the softmax unchanged). With
 * Z(x) = sum_k exp(l_k) and LSE = log Z:
 *   p(fake | x) = 1 / (Z + 1),   p(real | x) = D(x) = Z / (Z + 1)
 * Losses, each a mean over its batch of B images:
 *   labelled    L_lab  = -log softmax(l)_y             (cross-entropy over the K classes)
 *   unlabelled  L_unl  = -log D(x) = -LSE + softplus(LSE)
 *   generated   L_fake = -log(1 - D(G(z))) = softplus(LSE)
 *   D loss      L_lab + w * (L_unl + L_fake) / 2         (w = unlabelled_weight, default 1)
 * w = 0 is the supervised-only ablation: D is trained on the labelled batches
 * alone (same network, same batches) and G is neither run nor trained.
 * Gradients wrt the logits: labelled softmax - onehot(y); unlabelled
 * -softmax * sigmoid(-LSE); generated softmax * sigmoid(LSE) (times the
 * weights and 1/B). They are computed on the host from the B x K logits.
 *
 * Feature matching. f(x) is the output of D's last hidden layer
 * (clgan_ssl_feature_layer, F features; see the models below). G minimises
 *   L_fm = (1/F) * sum_j (mean_i f_j(x_unl,i) - mean_i f_j(G(z_i)))^2
 * with D's parameters fixed; the gradient enters D at the feature layer
 * (clgan_net_backward_from) and flows into G's output.
 *
 * One step (batch B, global step s): z from Philox(seed, stream 2s); G(z) in
 * training mode. G first: zero G's grads; D(x_unl) and D(G(z)) training
 * forwards; feature-matching gradient; backward through D's layers up to the
 * features and through G; one Adam step on G. Then D: zero grads;
 * labelled, unlabelled and generated (the same G(z), detached) passes, each
 * a training forward + backward; one Adam step. (G before D keeps all of
 * D's forwards of step s under D's step counter s, so its dropout masks are
 * a function of (seed, s, pass).) Everything random derives from (seed,
 * step), so a resumed run matches an
 * uninterrupted one on the same device.
 *
 * Models (D; G is the DCGAN generator of the same image size, gan_models.h,
 * with the same width W, default 32):
 *   ssl28 (28x28x1): Salimans et al.'s MNIST discriminator, an MLP with
 *     Gaussian noise (std 0.3 on the input, 0.5 before every later dense
 *     layer) and ReLU: weight-normalised dense 1000-500-250-250-250 (units
 *     scaled by W/32; scales fixed after the data-dependent init from the
 *     first labelled batch) [features: the last ReLU] noise dense(K) (its
 *     scales trained). (A conv D with dropout got 73.5% test accuracy after
 *     6 epochs on mnist10k with 100 labels, this MLP 80.9% after 3.)
 *   ssl32 (32x32x3): dropout(0.2) conv(W,k4,s2,p1) LReLU(0.2)
 *     conv(2W,k4,s2,p1) LReLU dropout(0.5) conv(4W,k3,s2,p1) LReLU
 *     avgpool(global) [features] dense(K).
 *   No batchnorm in D: labelled, unlabelled and fake batches go through D
 *   separately, and batch statistics would differ between them and from
 *   inference.
 */
#ifndef CLGAN_SSL_H
#define CLGAN_SSL_H
#include "data/dataset.h"
#include "train/gan_models.h"

typedef struct clgan_ssl_config {
    char model[16];           /* "ssl28" (default) or "ssl32": D's preset and G's (dcgan28's or dcgan32's) */
    const char *text_d;       /* D's architecture text (NULL: the model's preset); its input must be the
                                 model's image shape (G's output). Not owned: clgan_ssl_create keeps a copy */
    int width;                /* D's first conv channels (and G's width); default 32 */
    int nz;                   /* noise dimension, default 100 */
    int classes;              /* K >= 2, default 10 */
    int batch;                /* images per labelled / unlabelled / fake batch, default 64 */
    float unlabelled_weight;  /* w above, default 1 */
    int augment;              /* 1: the classifier's random shifts/crops/flips (classifier.h) on the labelled
                                 and unlabelled batches, drawn from (seed, step); default 0 */
    int diffaug;              /* CLGAN_DIFFAUG_* bits (nn/diffaug.h): a [diffaugment] layer first in D (unless
                                 its text has one), on every batch D trains on; default 0, none */
    clgan_adam_params adam_d, adam_g; /* default lr 2e-3, beta1 0.5 */
    int64_t decay_start, decay_end;   /* steps: both learning rates fall linearly from their value at
                                         decay_start to 0 at decay_end; 0, 0 = constant (default) */
    uint64_t seed;            /* weights, noise, dropout; default 1 */
    int spectral_norm;        /* 1: D's dense and conv2d layers spectral-normalised (ssl28's weight-normalised
                                 D cannot be); default 0 */
    int c, h, w;              /* image shape, set from the model */
    clgan_data_parallel parallel; /* not a setting: a rank's share; none: the job's (clgan_dist_init) */
} clgan_ssl_config;

/* Upper limits of the settings (the CLI's flags and the checkpoint loader
 * use the same; nz is bounded by CLGAN_GAN_MAX_NZ, as G is a DCGAN G). */
#define CLGAN_SSL_MAX_WIDTH 1024
#define CLGAN_SSL_MAX_CLASSES 65536

clgan_ssl_config clgan_ssl_default_config(void);
/* Fill the image shape (D's input) from the texts; fails for an unknown
 * model (naming the known ones), classes < 2, a setting above its limit, a
 * D text that does not parse (file:line and what was expected), a D whose
 * input is not G's output or whose output is not [classes,1,1]. */
clgan_status clgan_ssl_config_resolve(clgan_ssl_config *cfg);
/* G's and D's layer tables for a resolved config (G's input is [nz,1,1],
 * D's [c,h,w]; D's text with diffaug's [diffaugment] first): the checkpoint loader sizes them against the file before
 * building anything. gs and ds hold CLGAN_MAX_NET_LAYERS specs. */
clgan_status clgan_ssl_specs(const clgan_ssl_config *cfg, clgan_layer_spec *gs, int *gn, clgan_layer_spec *ds,
                             int *dn);
/* D's text: cfg->text_d, else the model's preset. */
clgan_status clgan_ssl_arch_text(const clgan_ssl_config *cfg, const char **text /* OUT */);
const char *clgan_ssl_model_names(void);
/* The learning-rate factor (0..1) of the step with 0-based index `step`. */
double clgan_ssl_lr_factor(const clgan_ssl_config *cfg, int64_t step);

typedef struct clgan_ssl_stats {
    double loss_lab;   /* L_lab */
    double loss_unl;   /* L_unl */
    double loss_fake;  /* L_fake */
    double loss_fm;    /* L_fm */
    double acc_lab;    /* share of the labelled batch D classified right */
    double d_real;     /* mean D(x) = p(real) on the unlabelled batch */
    double d_fake;     /* mean D(G(z)) */
    double lr;         /* D's learning rate this step */
} clgan_ssl_stats;

typedef struct clgan_ssl clgan_ssl;

clgan_status clgan_ssl_create(clgan_ctx *ctx, const clgan_ssl_config *cfg, clgan_ssl **out /* OUT */);
void clgan_ssl_free(clgan_ssl *s); /* NULL is a no-op */
const clgan_ssl_config *clgan_ssl_get_config(const clgan_ssl *s);
int64_t clgan_ssl_step_count(const clgan_ssl *s);
void clgan_ssl_set_step_count(clgan_ssl *s, int64_t step); /* also the nets' steps */
clgan_net *clgan_ssl_discriminator(clgan_ssl *s);
clgan_net *clgan_ssl_generator(clgan_ssl *s);
int clgan_ssl_feature_layer(const clgan_ssl *s);
/* Class names (saved in checkpoints); default "0", "1", ... */
void clgan_ssl_set_class_names(clgan_ssl *s, const char (*names)[64]);
const char *clgan_ssl_class_name(const clgan_ssl *s, int k);
const char (*clgan_ssl_class_names(const clgan_ssl *s))[64]; /* all K, for checkpoints */

/* The loss terms and their logit gradients for one batch of B rows of K
 * logits (host doubles/floats; pure function, exposed for tests):
 *   kind 0 labelled (labels[i] in [0,K)), 1 unlabelled, 2 generated.
 * Returns the mean loss; grad [B*K] (may be NULL) gets scale * dLoss_i/dl
 * per row (scale usually weight / B). p_real (may be NULL) gets the mean
 * D(x); correct (may be NULL) the number of rows whose argmax is the label. */
double clgan_ssl_logit_loss(int kind, int B, int K, const float *logits, const int32_t *labels, float scale,
                            float *grad, double *p_real, int *correct);

/* L_fm of B rows of F features of real and fake images (host, exposed for
 * tests) into *loss; grad [B*F] (may be NULL) gets dL_fm/d fake. With a
 * reducer (r, NULL alone) the rows are one rank's share: the means are over
 * every rank's rows, and grad is ranks x the whole batch's gradient of these
 * rows (each rank's losses are means over its share; nets average over the
 * ranks). Fails only when the reducer does. */
clgan_status clgan_ssl_feature_matching(int B, int F, const float *real, const float *fake, const clgan_reducer *r,
                                        double *loss, float *grad);

/* One step: lab_x [B,C,H,W] with lab_y [B] in [0,K), and unl_x [B,C,H,W]
 * (host floats in [-1,1]). */
clgan_status clgan_ssl_train_step(clgan_ssl *s, const float *lab_x, const int32_t *lab_y, const float *unl_x,
                                  clgan_ssl_stats *stats /* OUT, may be NULL */);

/* Class probabilities [n,K] over the K real classes (softmax of D's logits,
 * inference mode: no dropout) for n >= 1 images [n,C,H,W]. */
clgan_status clgan_ssl_predict(clgan_ssl *s, int n, const float *images, float *probs /* [n*K] */);
/* Confusion matrix [K*K] (zeroed first; rows true class) of d's labelled
 * images; d's image shape must be the model's and d->classes == K. */
clgan_status clgan_ssl_evaluate(clgan_ssl *s, const clgan_dataset *d, int64_t *confusion);
/* n samples from G (inference mode) into out [n,C,H,W] in [-1,1]. */
clgan_status clgan_ssl_sample(clgan_ssl *s, int n, uint64_t seed, float *out);

/* ---- checkpoints (container kind "clgan-ssl") ----------------------------
 * Sections: kind, config (key=value text), step, class_names, note, and the
 * nets under tags "G" and "D" (net_checkpoint.h, with Adam state). Files
 * without class_names (written before it existed) load with the default
 * names. */
clgan_status clgan_ssl_save(clgan_ssl *s, const char *path, const char *note);
clgan_status clgan_ssl_load(clgan_ctx *ctx, const char *path, clgan_ssl **out /* OUT */, char *note, size_t note_cap);
clgan_status clgan_ssl_peek(const char *path, clgan_ssl_config *cfg /* OUT */);
#endif
