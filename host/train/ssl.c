/* ssl.c — semi-supervised K+1 GAN: models, the training step with its
 * host-side K+1 losses and feature matching, inference and evaluation (see
 * ssl.h). Checkpoints are in ssl_checkpoint.c. */
#include "ssl.h"

#include "nn/diffaug.h"
#include "nn/random.h"
#include "train/classifier.h"
#include "train/dist.h"
#include "train/infer_loop.h"
#include "train/metrics.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE_STREAM_BASE (UINT64_C(1) << 62)

enum { LAB = 0, UNL = 1, FAKE = 2 };

/* Each D preset (host/models/ssl*-d.arch) with the DCGAN generator of its image size. */
static const struct { const char *name, *gan_model; } models[] = {
    {"ssl28", "dcgan28"},
    {"ssl32", "dcgan32"},
};
#define MODEL_COUNT (int)(sizeof models / sizeof models[0])

struct clgan_ssl {
    clgan_ctx *ctx;
    clgan_ssl_config cfg;
    clgan_net *G, *D;
    int feature_layer, features;
    clgan_tensor z, x_lab, x_unl;  /* [B,nz,1,1], [B,C,H,W] x2 */
    float *host_logits;            /* [B,K] */
    float *host_grad;              /* [B,max(K,F)] */
    float *host_feat;              /* [B,F] */
    float *real_feat;              /* [B,F] */
    float *host_x;                 /* [B,C,H,W] for predict/evaluate and augmented batches */
    int32_t *host_pred;            /* [B] */
    char (*names)[64];             /* [K] class names, default "0", "1", ... */
    char *text_d;                  /* copy of the config's D text (NULL: the preset) */
    int B;                         /* images per batch on this rank: batch, or its share of it */
    int64_t first;                 /* this rank's first image of every batch */
    int64_t step;
};

const char *clgan_ssl_model_names(void) { return "ssl28 (28x28x1), ssl32 (32x32x3)"; }

static int find_model(const char *name)
{
    for (int i = 0; i < MODEL_COUNT; i++)
        if (!strcmp(models[i].name, name)) return i;
    return -1;
}

clgan_ssl_config clgan_ssl_default_config(void)
{
    clgan_ssl_config c;
    clgan_settings_defaults(CLGAN_MODEL_SSL, &c); /* the settings table holds every default */
    return c;
}

double clgan_ssl_lr_factor(const clgan_ssl_config *c, int64_t step)
{
    if (c->decay_end <= c->decay_start || step < c->decay_start) return 1.0;
    if (step >= c->decay_end) return 0.0;
    return (double)(c->decay_end - step) / (double)(c->decay_end - c->decay_start);
}

static clgan_status parse_d(const clgan_ssl_config *c, clgan_arch **out)
{
    clgan_arch_var vars[2] = {{"width", c->width}, {"classes", c->classes}};
    if (c->text_d) return clgan_arch_parse(c->text_d, "the discriminator's architecture", vars, 2, out);
    return clgan_arch_parse_preset(c->model, "d", vars, 2, out);
}

clgan_status clgan_ssl_arch_text(const clgan_ssl_config *c, const char **text)
{
    if (c->text_d) return *text = c->text_d, CLGAN_OK;
    return clgan_arch_preset_text(c->model, "d", text);
}

static clgan_status g_arch(const clgan_ssl_config *c, clgan_gan_arch *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->model, sizeof a->model, "%s", models[find_model(c->model)].gan_model);
    a->width = c->width;
    a->nz = c->nz;
    return clgan_gan_arch_resolve(a);
}

clgan_status clgan_ssl_config_resolve(clgan_ssl_config *c)
{
    char esc[CLGAN_ESCAPE_CAP];
    int m = find_model(c->model);
    if (m < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown semi-supervised model '%s'; choose one of %s",
                          clgan_escape_str(c->model, esc, sizeof esc), clgan_ssl_model_names());
    if (c->width <= 0) c->width = 32;
    if (c->width > CLGAN_SSL_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "width %d is too large (at most %d)", c->width, CLGAN_SSL_MAX_WIDTH);
    if (c->classes < 2 || c->classes > CLGAN_SSL_MAX_CLASSES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "semi-supervised training needs 2 to %d classes (got %d)",
                          CLGAN_SSL_MAX_CLASSES, c->classes);
    if (c->nz > CLGAN_GAN_MAX_NZ)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "noise dimension %d is too large (at most %d)", c->nz,
                          CLGAN_GAN_MAX_NZ);
    if (c->batch < 2) return clgan_fail(CLGAN_ERR_INVALID_ARG, "batch must be >= 2 (got %d)", c->batch);
    if (c->decay_start < 0 || c->decay_end < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "learning-rate decay steps must be >= 0 (got %lld, %lld)",
                          (long long)c->decay_start, (long long)c->decay_end);
    if (c->nz < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "noise dimension must be >= 1 (got %d)", c->nz);
    if (!(c->unlabelled_weight >= 0))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unlabelled weight must be >= 0 (got %g)", c->unlabelled_weight);
    if (c->diffaug < 0 || (unsigned)c->diffaug & ~CLGAN_DIFFAUG_ALL)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "diffaugment policy %d has bits other than color (1), translation (2) "
                          "and cutout (4)", c->diffaug);
    clgan_gan_arch g;
    TRY(g_arch(c, &g));
    clgan_arch *d;
    TRY(parse_d(c, &d));
    clgan_status st = CLGAN_OK;
    int oc, oh, ow;
    clgan_arch_output_shape(d, &oc, &oh, &ow);
    clgan_arch_input_shape(d, &c->c, &c->h, &c->w);
    if (c->c != g.c || c->h != g.h || c->w != g.w)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: D takes %dx%dx%d images (CxHxW) but %s's generator (%s's) makes "
                        "%dx%dx%d", d->source, c->c, c->h, c->w, c->model, g.model, g.c, g.h, g.w);
    else if (oc != c->classes || oh != 1 || ow != 1)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: D's output is %dx%dx%d; it must be the %d class logits %dx1x1",
                        d->source, oc, oh, ow, c->classes, c->classes);
    else if (d->feature_layer < 0)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: D needs a [features] marker (feature matching's layer)", d->source);
    clgan_layer_spec specs[CLGAN_ARCH_MAX_LAYERS];
    memcpy(specs, d->specs, (size_t)d->n * sizeof *specs);
    if (st == CLGAN_OK && c->spectral_norm) st = clgan_gan_spectral_norm_specs(specs, d->n, d->source);
    clgan_arch_free(d);
    return st;
}

/* D's table (see ssl.h): the text's layers after diffaug's [diffaugment] (unless the text has
 * one); *feature_layer gets the [features] layer. */
static clgan_status d_specs(const clgan_ssl_config *c, clgan_layer_spec *s, int *n, int *feature_layer)
{
    clgan_arch *d;
    TRY(parse_d(c, &d));
    int add = c->diffaug && clgan_arch_find_kind(d, CLGAN_LAYER_DIFFAUGMENT) < 0;
    clgan_status st = CLGAN_OK;
    if (d->n + add > CLGAN_MAX_NET_LAYERS)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %d layers with the diffaugment layer (at most %d)", d->source,
                        d->n + add, CLGAN_MAX_NET_LAYERS);
    if (st == CLGAN_OK) {
        if (add) s[0] = clgan_diffaugment((unsigned)c->diffaug);
        memcpy(s + add, d->specs, (size_t)d->n * sizeof *s);
        *n = d->n + add;
        *feature_layer = d->feature_layer + add;
    }
    if (st == CLGAN_OK && c->spectral_norm) st = clgan_gan_spectral_norm_specs(s, *n, d->source);
    clgan_arch_free(d);
    return st;
}

static clgan_status g_specs(const clgan_ssl_config *c, clgan_layer_spec *s, int *n)
{
    clgan_gan_arch a;
    TRY(g_arch(c, &a));
    return clgan_gan_generator_specs(&a, s, n);
}

clgan_status clgan_ssl_specs(const clgan_ssl_config *c, clgan_layer_spec *gs, int *gn, clgan_layer_spec *ds, int *dn)
{
    int feature_layer;
    TRY(g_specs(c, gs, gn));
    return d_specs(c, ds, dn, &feature_layer);
}

clgan_status clgan_ssl_create(clgan_ctx *ctx, const clgan_ssl_config *cfg, clgan_ssl **out)
{
    *out = NULL;
    clgan_ssl *s = calloc(1, sizeof *s);
    if (!s) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a semi-supervised GAN");
    s->ctx = ctx;
    s->cfg = *cfg;
    clgan_ssl_config *c = &s->cfg;
    s->text_d = cfg->text_d ? strdup(cfg->text_d) : NULL;
    c->text_d = s->text_d;
    clgan_layer_spec gs[CLGAN_MAX_NET_LAYERS], ds[CLGAN_MAX_NET_LAYERS];
    int gn = 0, dn = 0, B = 0;
    clgan_status st = cfg->text_d && !s->text_d
                          ? clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a semi-supervised GAN")
                          : clgan_ssl_config_resolve(c);
    if (!c->parallel.reducer) c->parallel.reducer = clgan_dist_reducer(); /* in an MPI job: this rank's share */
    if (st == CLGAN_OK) st = clgan_reducer_share(c->parallel.reducer, c->batch, &B, &s->first);
    s->B = B;
    if (st == CLGAN_OK) st = g_specs(c, gs, &gn);
    if (st == CLGAN_OK) st = d_specs(c, ds, &dn, &s->feature_layer);
    if (st == CLGAN_OK) {
        int fc, fh, fw;
        st = clgan_net_create(ctx, c->c, c->h, c->w, ds, dn, c->seed * 2 + 2, &s->D);
        if (st == CLGAN_OK) {
            clgan_net_layer_shape(s->D, s->feature_layer, &fc, &fh, &fw);
            s->features = fc * fh * fw;
        }
        if (st == CLGAN_OK) st = clgan_net_create(ctx, c->nz, 1, 1, gs, gn, c->seed * 2 + 1, &s->G);
    }
    if (st == CLGAN_OK) {
        clgan_net_set_name(s->G, "G"), clgan_net_set_name(s->D, "D");
        clgan_net_set_data_parallel(s->G, c->parallel.reducer, s->first, c->parallel.sync_bn);
        clgan_net_set_data_parallel(s->D, c->parallel.reducer, s->first, c->parallel.sync_bn);
    }
    if (st == CLGAN_OK) st = clgan_net_plan(s->G, B);
    if (st == CLGAN_OK) st = clgan_net_plan(s->D, B);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, c->nz, 1, 1, &s->z);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, c->c, c->h, c->w, &s->x_lab);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, c->c, c->h, c->w, &s->x_unl);
    if (st == CLGAN_OK) {
        int K = c->classes, F = s->features, KF = K > F ? K : F;
        s->host_logits = malloc((size_t)B * K * sizeof(float));
        s->host_grad = malloc((size_t)B * KF * sizeof(float));
        s->host_feat = malloc((size_t)B * F * sizeof(float));
        s->real_feat = malloc((size_t)B * F * sizeof(float));
        s->host_x = malloc((size_t)B * c->c * c->h * c->w * sizeof(float));
        s->host_pred = malloc((size_t)B * sizeof(int32_t));
        s->names = clgan_class_names_numbered(K);
        if (!s->host_logits || !s->host_grad || !s->host_feat || !s->real_feat || !s->host_x || !s->host_pred ||
            !s->names)
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a semi-supervised GAN");
    }
    if (st != CLGAN_OK) {
        clgan_ssl_free(s);
        return st;
    }
    *out = s;
    return CLGAN_OK;
}

void clgan_ssl_free(clgan_ssl *s)
{
    if (!s) return;
    free(s->text_d);
    clgan_net_free(s->G);
    clgan_net_free(s->D);
    clgan_tensor_free(s->ctx, &s->z);
    clgan_tensor_free(s->ctx, &s->x_lab);
    clgan_tensor_free(s->ctx, &s->x_unl);
    free(s->host_logits);
    free(s->host_grad);
    free(s->host_feat);
    free(s->real_feat);
    free(s->host_x);
    free(s->host_pred);
    free(s->names);
    free(s);
}

const clgan_ssl_config *clgan_ssl_get_config(const clgan_ssl *s) { return &s->cfg; }
int64_t clgan_ssl_step_count(const clgan_ssl *s) { return s->step; }
clgan_net *clgan_ssl_discriminator(clgan_ssl *s) { return s->D; }
clgan_net *clgan_ssl_generator(clgan_ssl *s) { return s->G; }
int clgan_ssl_feature_layer(const clgan_ssl *s) { return s->feature_layer; }

void clgan_ssl_set_class_names(clgan_ssl *s, const char (*names)[64])
{
    for (int k = 0; k < s->cfg.classes; k++) snprintf(s->names[k], sizeof s->names[k], "%.63s", names[k]);
}

const char *clgan_ssl_class_name(const clgan_ssl *s, int k)
{
    return k >= 0 && k < s->cfg.classes ? s->names[k] : "?";
}

const char (*clgan_ssl_class_names(const clgan_ssl *s))[64] { return (const char (*)[64])s->names; }

void clgan_ssl_set_step_count(clgan_ssl *s, int64_t step)
{
    s->step = step;
    clgan_net_set_step(s->G, step);
    clgan_net_set_step(s->D, step);
}

static double softplus(double v) { return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v)); }
static double sigmoid(double v) { return v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v)); }

double clgan_ssl_logit_loss(int kind, int B, int K, const float *logits, const int32_t *labels, float scale,
                            float *grad, double *p_real, int *correct)
{
    double total = 0, preal = 0;
    int right = 0;
    for (int i = 0; i < B; i++) {
        const float *l = logits + (size_t)i * K;
        double mx = l[0];
        int arg = 0;
        for (int k = 1; k < K; k++)
            if (l[k] > mx) mx = l[k], arg = k;
        double z = 0;
        for (int k = 0; k < K; k++) z += exp(l[k] - mx);
        double lse = mx + log(z);
        /* d loss / d l_k = coef * softmax_k (- onehot_y for labelled) */
        double coef;
        if (kind == LAB) {
            total += lse - l[labels[i]];
            coef = 1.0;
            right += arg == labels[i];
        } else if (kind == UNL) {
            total += -lse + softplus(lse);
            coef = -sigmoid(-lse);
        } else {
            total += softplus(lse);
            coef = sigmoid(lse);
        }
        preal += sigmoid(lse);
        if (grad)
            for (int k = 0; k < K; k++) {
                double g = coef * exp(l[k] - lse);
                if (kind == LAB && k == labels[i]) g -= 1.0;
                grad[(size_t)i * K + k] = (float)(scale * g);
            }
    }
    if (p_real) *p_real = preal / B;
    if (correct) *correct = right;
    return total / B;
}

clgan_status clgan_ssl_feature_matching(int B, int F, const float *real, const float *fake, const clgan_reducer *r,
                                        double *loss, float *grad)
{
    /* sums [2F]: per feature, the real then the fake rows' sum (over the ranks with a reducer) */
    double *sums = malloc((size_t)2 * F * sizeof *sums);
    if (!sums) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for feature matching");
    for (int j = 0; j < F; j++) {
        double mr = 0, mf = 0;
        for (int i = 0; i < B; i++) mr += real[(size_t)i * F + j], mf += fake[(size_t)i * F + j];
        sums[j] = mr, sums[F + j] = mf;
    }
    clgan_status st = r ? r->sum_doubles(r->self, sums, (size_t)2 * F) : CLGAN_OK;
    double total = (double)B * (r ? r->ranks : 1), l = 0;
    for (int j = 0; j < F && st == CLGAN_OK; j++) {
        double diff = (sums[F + j] - sums[j]) / total;
        l += diff * diff;
        float g = (float)(2.0 * diff / ((double)F * B)); /* the same for every fake row i */
        if (grad)
            for (int i = 0; i < B; i++) grad[(size_t)i * F + j] = g;
    }
    free(sums);
    *loss = l / F;
    return st;
}

/* D forward (training) on x, the K+1 loss of `kind`, backward into D's
 * parameter gradients. */
static clgan_status d_pass(clgan_ssl *s, const clgan_tensor *x, int kind, const int32_t *labels, float weight,
                           double *loss, double *p_real, int *correct)
{
    const clgan_ssl_config *c = &s->cfg;
    int B = s->B, K = c->classes;
    const clgan_tensor *logits;
    TRY(clgan_net_forward(s->D, x, NULL, 1, &logits));
    TRY(clgan_tensor_download(s->ctx, logits, s->host_logits));
    *loss = clgan_ssl_logit_loss(kind, B, K, s->host_logits, labels, weight / B, s->host_grad, p_real, correct);
    TRY(clgan_tensor_upload(s->ctx, clgan_net_output_grad(s->D), s->host_grad));
    return clgan_net_backward(s->D, NULL);
}

/* D forward (training) on x; the features into s->host_feat [B,F]. */
static clgan_status d_features(clgan_ssl *s, const clgan_tensor *x)
{
    TRY(clgan_net_forward(s->D, x, NULL, 1, NULL));
    return clgan_tensor_download(s->ctx, clgan_net_activation(s->D, s->feature_layer), s->host_feat);
}

/* Upload a batch, augmented when the config says so (labelled and unlabelled
 * batches draw their own shifts: seeds differ by `which`). */
static clgan_status upload_batch(clgan_ssl *s, clgan_tensor *t, const float *x, int which)
{
    const clgan_ssl_config *c = &s->cfg;
    if (!c->augment) return clgan_tensor_upload(s->ctx, t, x);
    clgan_classifier_augment(c->seed * 2 + (uint64_t)which, s->step, s->first, s->B, c->c, c->h, c->w, x, s->host_x);
    return clgan_tensor_upload(s->ctx, t, s->host_x);
}

/* unlabelled_weight 0: the labelled pass alone (the supervised-only
 * ablation with the same network and batches). */
static clgan_status supervised_step(clgan_ssl *s, const int32_t *lab_y, clgan_ssl_stats *stats)
{
    clgan_ssl_stats st = {0, NAN, NAN, NAN, 0, NAN, NAN, 0};
    int correct = 0;
    clgan_adam_params ad = s->cfg.adam_d;
    ad.lr = (float)(ad.lr * clgan_ssl_lr_factor(&s->cfg, s->step));
    st.lr = ad.lr;
    TRY(clgan_net_zero_grad(s->D));
    TRY(d_pass(s, &s->x_lab, LAB, lab_y, 1.0f, &st.loss_lab, NULL, &correct));
    TRY(clgan_net_adam_step(s->D, &ad));
    st.acc_lab = (double)correct / s->B;
    s->step++;
    if (stats) *stats = st;
    if (!isfinite(st.loss_lab))
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged at step %lld: labelled loss %g",
                          (long long)s->step, st.loss_lab);
    return CLGAN_OK;
}

clgan_status clgan_ssl_train_step(clgan_ssl *s, const float *lab_x, const int32_t *lab_y, const float *unl_x,
                                  clgan_ssl_stats *stats)
{
    clgan_ctx *ctx = s->ctx;
    const clgan_ssl_config *c = &s->cfg;
    int B = s->B, K = c->classes, F = s->features;
    for (int i = 0; i < B; i++)
        if (lab_y[i] < 0 || lab_y[i] >= K)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "label %d of the labelled batch is %d, outside 0..%d", i, lab_y[i],
                              K - 1);
    clgan_ssl_stats st;
    int correct = 0;
    float w = c->unlabelled_weight * 0.5f;
    double factor = clgan_ssl_lr_factor(c, s->step);
    clgan_adam_params ad = c->adam_d, ag = c->adam_g;
    ad.lr = (float)(ad.lr * factor);
    ag.lr = (float)(ag.lr * factor);
    st.lr = ad.lr;
    TRY(upload_batch(s, &s->x_lab, lab_x, 0));
    /* Before the first step: D's weight-normalised layers get their scales
     * and biases from the first labelled batch (the same in the supervised-
     * only ablation, which sees no unlabelled image). */
    if (s->step == 0) TRY(clgan_net_init_from_data(s->D, &s->x_lab));
    if (c->unlabelled_weight == 0) /* supervised only: D on the labelled batch, G untouched */
        return supervised_step(s, lab_y, stats);
    TRY(upload_batch(s, &s->x_unl, unl_x, 1));
    TRY(clgan_random_normal(ctx, c->seed, (uint64_t)s->step * 2, (uint64_t)s->first * (uint64_t)c->nz, 0.0f, 1.0f,
                            &s->z));
    const clgan_tensor *fake;
    TRY(clgan_net_forward(s->G, &s->z, NULL, 1, &fake));

    /* G step first: feature matching against the unlabelled batch's mean
     * features. (G before D keeps every D forward of step s at net step s,
     * so dropout masks depend only on (seed, step, pass): resume-exact.) */
    TRY(d_features(s, &s->x_unl));
    memcpy(s->real_feat, s->host_feat, (size_t)B * F * sizeof(float));
    TRY(d_features(s, fake));
    TRY(clgan_ssl_feature_matching(B, F, s->real_feat, s->host_feat, c->parallel.reducer, &st.loss_fm, s->host_grad));
    TRY(clgan_net_zero_grad(s->G));
    TRY(clgan_tensor_upload(ctx, clgan_net_layer_grad(s->D, s->feature_layer), s->host_grad));
    TRY(clgan_net_backward_from(s->D, s->feature_layer, clgan_net_output_grad(s->G)));
    TRY(clgan_net_backward(s->G, NULL));
    TRY(clgan_net_adam_step(s->G, &ag));

    /* D step: labelled, unlabelled, and the same generated images, detached
     * (drawn by G before its update). */
    TRY(clgan_net_zero_grad(s->D));
    TRY(d_pass(s, &s->x_lab, LAB, lab_y, 1.0f, &st.loss_lab, NULL, &correct));
    TRY(d_pass(s, &s->x_unl, UNL, NULL, w, &st.loss_unl, &st.d_real, NULL));
    TRY(d_pass(s, fake, FAKE, NULL, w, &st.loss_fake, &st.d_fake, NULL));
    TRY(clgan_net_adam_step(s->D, &ad));

    st.acc_lab = (double)correct / B;
    s->step++;
    if (stats) *stats = st;
    if (!isfinite(st.loss_lab) || !isfinite(st.loss_unl) || !isfinite(st.loss_fake) || !isfinite(st.loss_fm))
        return clgan_fail(CLGAN_ERR_CHECK_FAILED,
                          "training diverged at step %lld: losses labelled %g, unlabelled %g, fake %g, feature matching %g",
                          (long long)s->step, st.loss_lab, st.loss_unl, st.loss_fake, st.loss_fm);
    return CLGAN_OK;
}

/* Inference logits of s->host_x (a full batch) into s->host_logits. */
static clgan_status infer_batch(void *model)
{
    clgan_ssl *s = model;
    const clgan_tensor *logits;
    TRY(clgan_tensor_upload(s->ctx, &s->x_lab, s->host_x));
    TRY(clgan_net_forward(s->D, &s->x_lab, NULL, 0, &logits));
    return clgan_tensor_download(s->ctx, logits, s->host_logits);
}

static clgan_infer_loop infer_loop(clgan_ssl *s)
{
    const clgan_ssl_config *c = &s->cfg;
    clgan_infer_loop l = {s->B, c->classes, c->c, c->h, c->w, s->host_x, s->host_logits, s->host_pred,
                          infer_batch, s};
    return l;
}

clgan_status clgan_ssl_predict(clgan_ssl *s, int n, const float *images, float *probs)
{
    clgan_infer_loop l = infer_loop(s);
    return clgan_infer_predict(&l, n, images, probs);
}

clgan_status clgan_ssl_evaluate(clgan_ssl *s, const clgan_dataset *d, int64_t *confusion)
{
    clgan_infer_loop l = infer_loop(s);
    return clgan_infer_evaluate(&l, d, confusion);
}

clgan_status clgan_ssl_sample(clgan_ssl *s, int n, uint64_t seed, float *out)
{
    const clgan_ssl_config *c = &s->cfg;
    int B = s->B;
    size_t per = (size_t)c->c * c->h * c->w;
    /* Sample k's noise: element (k % batch) * nz of stream k / batch (a rank's share B draws the same). */
    for (int done = 0, take = 0; done < n; done += take) {
        take = n - done < B ? n - done : B;
        int to_stream_end = c->batch - done % c->batch;
        if (take > to_stream_end) take = to_stream_end; /* an uneven share: a chunk stays in one stream */
        const clgan_tensor *fake;
        TRY(clgan_random_normal(s->ctx, seed, SAMPLE_STREAM_BASE + (uint64_t)(done / c->batch),
                                (uint64_t)(done % c->batch) * (uint64_t)c->nz, 0.0f, 1.0f, &s->z));
        TRY(clgan_net_forward(s->G, &s->z, NULL, 0, &fake));
        TRY(clgan_tensor_download(s->ctx, fake, s->host_x));
        memcpy(out + (size_t)done * per, s->host_x, (size_t)take * per * sizeof(float));
    }
    return CLGAN_OK;
}
