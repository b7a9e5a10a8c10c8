/* classifier.c — classifier training step, inference and evaluation (see
 * classifier.h). Checkpoints are in classifier_checkpoint.c. */
#include "classifier.h"

#include "nn/init.h"
#include "nn/loss.h"
#include "train/dist.h"
#include "train/infer_loop.h"
#include "train/metrics.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUGMENT_STREAM UINT64_C(0x6175676D656E7401)

struct clgan_classifier {
    clgan_ctx *ctx;
    clgan_classifier_config cfg;
    clgan_net *net;
    int feature_layer;
    clgan_tensor x;      /* [B,C,H,W] */
    clgan_tensor loss;   /* [B,1,1,1] per-row losses */
    cl_mem labels;       /* int32 [B] */
    float *host_x;       /* [B,C,H,W]: augmented or padded batches */
    float *host_logits;  /* [B,K] */
    int32_t *host_pred;  /* [B] */
    char (*names)[64];   /* [K] */
    char *text;          /* copy of the config's architecture text (NULL: the preset) */
    int B;               /* images per step on this rank: batch, or its share of it */
    int64_t first;       /* this rank's first image of every batch */
    int64_t step;
};

clgan_classifier_config clgan_classifier_default_config(void)
{
    clgan_classifier_config c;
    clgan_settings_defaults(CLGAN_MODEL_CLASSIFIER, &c); /* the settings table holds every default */
    return c;
}

const char *clgan_classifier_optimizer_name(clgan_classifier_optimizer opt)
{
    return opt == CLGAN_CLASSIFIER_SGD ? "sgd" : "adam";
}

double clgan_classifier_lr_at(const clgan_classifier_config *c, int64_t step)
{
    double lr = c->lr > 0 ? c->lr : (c->optimizer == CLGAN_CLASSIFIER_SGD ? 0.01 : 1e-3);
    if (c->lr_decay_steps > 0 && c->lr_decay != 1.0f) lr *= pow((double)c->lr_decay, (double)(step / c->lr_decay_steps));
    return lr;
}

static clgan_status check_config(clgan_classifier_config *c)
{
    if (c->arch.classes < 2)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a classifier needs 2 to %d classes (got %d)",
                          CLGAN_CLASSIFIER_MAX_CLASSES, c->arch.classes);
    TRY(clgan_classifier_arch_resolve(&c->arch));
    if (c->batch < 2) return clgan_fail(CLGAN_ERR_INVALID_ARG, "batch must be >= 2 (batchnorm), got %d", c->batch);
    if (c->optimizer != CLGAN_CLASSIFIER_ADAM && c->optimizer != CLGAN_CLASSIFIER_SGD)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown optimizer %d", (int)c->optimizer);
    if (c->lr <= 0) c->lr = c->optimizer == CLGAN_CLASSIFIER_SGD ? 0.01f : 1e-3f;
    if (!isfinite(c->lr) || c->weight_decay < 0 || !(c->lr_decay > 0 && c->lr_decay <= 1) || c->lr_decay_steps < 0 ||
        c->momentum < 0 || c->momentum >= 1 || c->beta1 < 0 || c->beta1 >= 1 || c->beta2 < 0 || c->beta2 >= 1 ||
        !(c->eps > 0))
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "bad optimizer settings: lr %g, weight decay %g, lr decay %g every %lld steps, momentum %g, "
                          "beta1 %g, beta2 %g, eps %g",
                          c->lr, c->weight_decay, c->lr_decay, (long long)c->lr_decay_steps, c->momentum, c->beta1,
                          c->beta2, c->eps);
    c->augment = c->augment ? 1 : 0;
    return CLGAN_OK;
}

clgan_status clgan_classifier_create(clgan_ctx *ctx, const clgan_classifier_config *cfg, clgan_classifier **out)
{
    *out = NULL;
    clgan_classifier *clf = calloc(1, sizeof *clf);
    if (!clf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a classifier");
    clf->ctx = ctx;
    clf->cfg = *cfg;
    clgan_classifier_config *c = &clf->cfg;
    clf->text = cfg->arch.text ? strdup(cfg->arch.text) : NULL;
    c->arch.text = clf->text;
    clgan_status st = cfg->arch.text && !clf->text
                          ? clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a classifier")
                          : check_config(c);
    const clgan_classifier_arch *a = &c->arch;
    int B = 0, K = a->classes;
    if (!c->parallel.reducer) c->parallel.reducer = clgan_dist_reducer(); /* in an MPI job: this rank's share */
    if (st == CLGAN_OK) st = clgan_reducer_share(c->parallel.reducer, c->batch, &B, &clf->first);
    clf->B = B;
    clgan_layer_spec specs[CLGAN_CLASSIFIER_MAX_LAYERS];
    if (st == CLGAN_OK) {
        int n = 0;
        st = clgan_classifier_specs(a, specs, &n, &clf->feature_layer);
        if (st == CLGAN_OK) st = clgan_net_create(ctx, a->c, a->h, a->w, specs, n, c->seed * 3 + 1, &clf->net);
    }
    if (st == CLGAN_OK) {
        clgan_net_set_name(clf->net, "C");
        clgan_net_set_data_parallel(clf->net, c->parallel.reducer, clf->first, c->parallel.sync_bn);
    }
    if (st == CLGAN_OK) st = clgan_net_plan(clf->net, B);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, a->c, a->h, a->w, &clf->x);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, 1, 1, &clf->loss);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (size_t)B * sizeof(int32_t), &clf->labels);
    if (st == CLGAN_OK) {
        clf->host_x = malloc((size_t)B * a->c * a->h * a->w * sizeof *clf->host_x);
        clf->host_logits = malloc((size_t)B * K * sizeof *clf->host_logits);
        clf->host_pred = malloc((size_t)B * sizeof *clf->host_pred);
        clf->names = clgan_class_names_numbered(K);
        if (!clf->host_x || !clf->host_logits || !clf->host_pred || !clf->names)
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a classifier");
    }
    if (st != CLGAN_OK) {
        clgan_classifier_free(clf);
        return st;
    }
    *out = clf;
    return CLGAN_OK;
}

void clgan_classifier_free(clgan_classifier *clf)
{
    if (!clf) return;
    free(clf->text);
    clgan_net_free(clf->net);
    clgan_tensor_free(clf->ctx, &clf->x);
    clgan_tensor_free(clf->ctx, &clf->loss);
    clgan_buffer_release(clf->ctx, clf->labels);
    free(clf->host_x);
    free(clf->host_logits);
    free(clf->host_pred);
    free(clf->names);
    free(clf);
}

const clgan_classifier_config *clgan_classifier_get_config(const clgan_classifier *clf) { return &clf->cfg; }
int64_t clgan_classifier_step_count(const clgan_classifier *clf) { return clf->step; }
clgan_net *clgan_classifier_net(clgan_classifier *clf) { return clf->net; }
int clgan_classifier_feature_layer(const clgan_classifier *clf) { return clf->feature_layer; }

void clgan_classifier_set_step_count(clgan_classifier *clf, int64_t step)
{
    clf->step = step;
    clgan_net_set_step(clf->net, step);
}

void clgan_classifier_set_class_names(clgan_classifier *clf, const char (*names)[64])
{
    for (int k = 0; k < clf->cfg.arch.classes; k++) {
        snprintf(clf->names[k], sizeof clf->names[k], "%.63s", names[k]);
        for (char *p = clf->names[k]; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' '; /* saved one per line */
    }
}

const char *clgan_classifier_class_name(const clgan_classifier *clf, int k)
{
    return k >= 0 && k < clf->cfg.arch.classes ? clf->names[k] : "?";
}

const char (*clgan_classifier_class_names(const clgan_classifier *clf))[64] { return (const char (*)[64])clf->names; }

void clgan_classifier_augment(uint64_t seed, int64_t step, int64_t first, int n, int c, int h, int w, const float *in,
                              float *out)
{
    clgan_rng rng;
    clgan_rng_seed(&rng, (seed * UINT64_C(0x9E3779B97F4A7C15)) ^ AUGMENT_STREAM ^ ((uint64_t)step * UINT64_C(0xD1B54A32D192ED03)));
    int S = c >= 3 ? 4 : 2;
    size_t plane = (size_t)h * w;
    for (int64_t skip = first * (c >= 3 ? 3 : 2); skip > 0; skip--) clgan_rng_next(&rng); /* the images before */
    for (int i = 0; i < n; i++) {
        int dx = (int)(clgan_rng_next(&rng) % (uint64_t)(2 * S + 1)) - S;
        int dy = (int)(clgan_rng_next(&rng) % (uint64_t)(2 * S + 1)) - S;
        int flip = c >= 3 ? (int)(clgan_rng_next(&rng) >> 63) : 0;
        for (int ch = 0; ch < c; ch++) {
            const float *src = in + ((size_t)i * c + ch) * plane;
            float *dst = out + ((size_t)i * c + ch) * plane;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    /* out(y, x) = in(y - dy, x' - dx) with x' the (flipped) column */
                    int sx = (flip ? w - 1 - x : x) - dx, sy = y - dy;
                    dst[(size_t)y * w + x] = sx >= 0 && sx < w && sy >= 0 && sy < h ? src[(size_t)sy * w + sx] : -1.0f;
                }
        }
    }
}

/* Inference logits of clf->host_x (a full batch) into clf->host_logits. */
static clgan_status infer_batch(void *model)
{
    clgan_classifier *clf = model;
    const clgan_tensor *y;
    TRY(clgan_tensor_upload(clf->ctx, &clf->x, clf->host_x));
    TRY(clgan_net_forward(clf->net, &clf->x, NULL, 0, &y));
    return clgan_tensor_download(clf->ctx, y, clf->host_logits);
}

static clgan_infer_loop infer_loop(clgan_classifier *clf)
{
    const clgan_classifier_arch *a = &clf->cfg.arch;
    clgan_infer_loop l = {clf->B, a->classes, a->c, a->h, a->w, clf->host_x, clf->host_logits,
                          clf->host_pred, infer_batch, clf};
    return l;
}

clgan_status clgan_classifier_train_step(clgan_classifier *clf, const float *images, const int32_t *labels,
                                         clgan_classifier_stats *stats)
{
    clgan_ctx *ctx = clf->ctx;
    const clgan_classifier_config *c = &clf->cfg;
    const clgan_classifier_arch *a = &c->arch;
    int B = clf->B, K = a->classes;
    if (!images || !labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "a training step needs images and labels");
    for (int i = 0; i < B; i++)
        if (labels[i] < -1 || labels[i] >= K)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "label %d of the batch is %d, outside -1..%d", i, labels[i], K - 1);
    int labelled = clgan_softmax_ce_count_labelled(labels, B, K);
    const float *x = images;
    if (c->augment) {
        clgan_classifier_augment(c->seed, clf->step, clf->first, B, a->c, a->h, a->w, images, clf->host_x);
        x = clf->host_x;
    }
    TRY(clgan_tensor_upload(ctx, &clf->x, x));
    TRY(clgan_buffer_write(ctx, clf->labels, 0, (size_t)B * sizeof(int32_t), labels));
    const clgan_tensor *logits;
    TRY(clgan_net_zero_grad(clf->net));
    TRY(clgan_net_forward(clf->net, &clf->x, NULL, 1, &logits));
    TRY(clgan_softmax_ce_forward(ctx, logits, clf->labels, &clf->loss));
    TRY(clgan_softmax_ce_backward(ctx, 1.0f, labelled, logits, clf->labels, clgan_net_output_grad(clf->net)));
    TRY(clgan_net_backward(clf->net, NULL));
    double lr = clgan_classifier_lr_at(c, clf->step);
    if (c->optimizer == CLGAN_CLASSIFIER_SGD) {
        clgan_sgd_params hp = {(float)lr, c->momentum, c->weight_decay};
        TRY(clgan_net_sgd_step(clf->net, &hp));
    } else {
        clgan_adam_params hp = {(float)lr, c->beta1, c->beta2, c->eps, c->weight_decay};
        TRY(clgan_net_adam_step(clf->net, &hp));
    }
    double sum = 0;
    TRY(clgan_loss_sum(ctx, &clf->loss, &sum));
    TRY(clgan_tensor_download(ctx, logits, clf->host_logits));
    int right = 0;
    for (int i = 0; i < B; i++)
        if (labels[i] >= 0 && clgan_argmax(clf->host_logits + (size_t)i * K, K) == labels[i]) right++;
    clf->step++;
    clgan_classifier_stats s;
    s.loss = labelled ? sum / labelled : 0.0;
    s.accuracy = labelled ? (double)right / labelled : NAN;
    s.lr = lr;
    s.labelled = labelled;
    if (stats) *stats = s;
    if (!isfinite(s.loss))
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged at step %lld: loss %g (try a smaller --lr)",
                          (long long)clf->step, s.loss);
    return CLGAN_OK;
}

clgan_status clgan_classifier_predict(clgan_classifier *clf, int n, const float *images, float *probs)
{
    if (n < 1 || !images || !probs) return clgan_fail(CLGAN_ERR_INVALID_ARG, "predict needs n >= 1 images (got %d)", n);
    clgan_infer_loop l = infer_loop(clf);
    return clgan_infer_predict(&l, n, images, probs);
}

clgan_status clgan_classifier_evaluate(clgan_classifier *clf, const clgan_dataset *d, int64_t *confusion)
{
    clgan_infer_loop l = infer_loop(clf);
    return clgan_infer_evaluate(&l, d, confusion);
}
