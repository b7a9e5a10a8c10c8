/* checkpoint_classifier.c — open a train-classifier, train-ssl or
 * train-dfeatures checkpoint as one image classifier for `eval`, `predict`
 * and `score` (checkpoint_classifier.h). */
#include "checkpoint_classifier.h"

#include "cli.h"
#include "scenario.h"

#include "io/container.h"
#include "train/gan_checkpoint.h"
#include "train/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_CLASSIFIER "clgan-classifier"
#define KIND_SSL "clgan-ssl"
#define KIND_DFEATURES "clgan-dfeatures"

int ckpt_classifier_peek(const char *path, ckpt_classifier *m)
{
    memset(m, 0, sizeof *m);
    clgan_ckpt_reader *r;
    if (clgan_ckpt_open(path, &r) != CLGAN_OK) return cli_fail("cannot load the checkpoint"), 0;
    clgan_status st = clgan_ckpt_get_string(r, "kind", m->kind, sizeof m->kind);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) return cli_fail("cannot load the checkpoint"), 0;
    if (!strcmp(m->kind, KIND_CLASSIFIER)) {
        clgan_classifier_config cfg;
        if (clgan_classifier_peek(path, &cfg) != CLGAN_OK) return cli_fail("cannot load the checkpoint"), 0;
        snprintf(m->model, sizeof m->model, "%s", cfg.arch.model);
        m->c = cfg.arch.c, m->h = cfg.arch.h, m->w = cfg.arch.w, m->classes = cfg.arch.classes, m->seed = cfg.seed;
    } else if (!strcmp(m->kind, KIND_SSL)) {
        clgan_ssl_config cfg;
        if (clgan_ssl_peek(path, &cfg) != CLGAN_OK) return cli_fail("cannot load the checkpoint"), 0;
        snprintf(m->model, sizeof m->model, "%s", cfg.model);
        m->c = cfg.c, m->h = cfg.h, m->w = cfg.w, m->classes = cfg.classes, m->seed = cfg.seed;
    } else if (!strcmp(m->kind, KIND_DFEATURES)) {
        if (clgan_dhead_load(NULL, path, NULL, &m->dfeat) != CLGAN_OK) return cli_fail("cannot load the checkpoint"), 0;
        snprintf(m->model, sizeof m->model, "dfeatures");
        m->c = m->dfeat.c, m->h = m->dfeat.h, m->w = m->dfeat.w;
        m->classes = m->dfeat.head.classes, m->seed = m->dfeat.head.seed;
    } else {
        fprintf(stderr, "clgan: %s is a '%s' checkpoint, not a classifier checkpoint (one from train-classifier, "
                        "train-ssl or train-dfeatures)\n", path, m->kind);
        return 0;
    }
    return 1;
}

/* The GAN a dfeatures head names, after checking it is the file the head was trained on. */
static int load_dfeatures_gan(clgan_ctx *ctx, const char *path, ckpt_classifier *m)
{
    char sha[65];
    const char *gan = m->dfeat.gan_path;
    if (!scenario_file_sha256("the head's GAN", gan, sha)) {
        fprintf(stderr, "clgan: %s is a head on the discriminator of %s, which it does not copy; that file must be "
                        "readable at that path\n", path, gan);
        return 0;
    }
    if (strcmp(sha, m->dfeat.gan_sha256) != 0) {
        fprintf(stderr, "clgan: %s has changed since the head %s was trained on it (SHA-256 %.16s..., was %.16s...)\n",
                gan, path, sha, m->dfeat.gan_sha256);
        return 0;
    }
    if (clgan_gan_load(ctx, gan, &m->gan, NULL, 0) != CLGAN_OK) return cli_fail("cannot load the head's GAN"), 0;
    const clgan_gan_arch *a = &clgan_gan_get_config(m->gan)->arch;
    if (a->c != m->c || a->h != m->h || a->w != m->w) {
        fprintf(stderr, "clgan: %s takes %dx%dx%d images; the head %s was trained on %dx%dx%d\n", gan, a->w, a->h, a->c,
                path, m->w, m->h, m->c);
        return 0;
    }
    int F = clgan_dfeat_dim(m->gan, &m->dfeat.feat);
    if (F != m->dfeat.head.features) {
        fprintf(stderr, "clgan: %s expects %d features; %s's discriminator with its pooling (mask %d) gives %d\n", path,
                m->dfeat.head.features, gan, m->dfeat.feat.pool, F);
        return 0;
    }
    m->ctx = ctx;
    return 1;
}

int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m)
{
    if (!m->kind[0] && !ckpt_classifier_peek(path, m)) return 0;
    clgan_status st;
    if (!strcmp(m->kind, KIND_CLASSIFIER)) st = clgan_classifier_load(ctx, path, &m->clf, NULL, 0);
    else if (!strcmp(m->kind, KIND_SSL)) st = clgan_ssl_load(ctx, path, &m->ssl, NULL, 0);
    else {
        if (!load_dfeatures_gan(ctx, path, m)) return 0;
        free(m->dfeat.class_names); /* read again with the head */
        st = clgan_dhead_load(ctx, path, &m->head, &m->dfeat);
    }
    return st == CLGAN_OK ? 1 : (cli_fail("cannot load the checkpoint"), 0);
}

void ckpt_classifier_free(ckpt_classifier *m)
{
    clgan_classifier_free(m->clf);
    clgan_ssl_free(m->ssl);
    clgan_dhead_free(m->head);
    clgan_gan_free(m->gan);
    free(m->dfeat.class_names);
    m->clf = NULL, m->ssl = NULL, m->head = NULL, m->gan = NULL, m->dfeat.class_names = NULL;
}

/* dfeatures: the frozen D's features of n images, then the head. */
static clgan_status dfeatures_predict(ckpt_classifier *m, int n, const float *images, float *probs)
{
    int F = m->dfeat.head.features;
    float *feats = malloc((size_t)n * F * sizeof *feats);
    int32_t *pred = malloc((size_t)n * sizeof *pred);
    clgan_status st = feats && pred ? clgan_dfeat_extract(m->ctx, m->gan, &m->dfeat.feat, n, images, feats)
                                    : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d images", n);
    if (st == CLGAN_OK) st = clgan_dhead_predict(m->head, n, feats, pred, probs);
    free(feats);
    free(pred);
    return st;
}

static clgan_status dfeatures_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion)
{
    float *feats = malloc((size_t)d->n * m->dfeat.head.features * sizeof *feats);
    clgan_status st = feats ? clgan_dfeat_extract_dataset(m->ctx, m->gan, &m->dfeat.feat, d, feats)
                            : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d images", d->n);
    if (st == CLGAN_OK) st = clgan_dhead_evaluate(m->head, d->n, feats, d->labels, confusion);
    free(feats);
    return st;
}

clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs)
{
    if (m->clf) return clgan_classifier_predict(m->clf, n, images, probs);
    if (m->ssl) return clgan_ssl_predict(m->ssl, n, images, probs);
    return dfeatures_predict(m, n, images, probs);
}

int ckpt_classifier_feature_dim(ckpt_classifier *m)
{
    if (m->clf) return clgan_score_feature_dim(m->clf);
    if (m->ssl) return clgan_score_ssl_feature_dim(m->ssl);
    return 0;
}

clgan_status ckpt_classifier_features(clgan_ctx *ctx, ckpt_classifier *m, int n, const float *images,
                                      float *features, float *probs)
{
    if (m->clf) return clgan_score_features(ctx, m->clf, n, images, features, probs);
    if (m->ssl) return clgan_score_ssl_features(ctx, m->ssl, n, images, features, probs);
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "a %s checkpoint has no classifier features to score with", m->kind);
}

clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion)
{
    if (m->clf) return clgan_classifier_evaluate(m->clf, d, confusion);
    if (m->ssl) return clgan_ssl_evaluate(m->ssl, d, confusion);
    return dfeatures_evaluate(m, d, confusion);
}

int64_t ckpt_classifier_step(const ckpt_classifier *m)
{
    if (m->clf) return clgan_classifier_step_count(m->clf);
    if (m->ssl) return clgan_ssl_step_count(m->ssl);
    return m->dfeat.steps;
}

const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k)
{
    if (m->clf) return clgan_classifier_class_name(m->clf, k);
    if (m->ssl) return clgan_ssl_class_name(m->ssl, k);
    return k >= 0 && k < m->classes && m->dfeat.class_names ? m->dfeat.class_names[k] : "?";
}

char (*ckpt_classifier_class_names(const ckpt_classifier *m))[64]
{
    char (*names)[64] = malloc((size_t)m->classes * sizeof *names);
    if (!names) {
        fprintf(stderr, "clgan: out of host memory\n");
        return NULL;
    }
    for (int k = 0; k < m->classes; k++) snprintf(names[k], sizeof names[k], "%s", ckpt_classifier_class_name(m, k));
    return names;
}
