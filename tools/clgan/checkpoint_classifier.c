/* checkpoint_classifier.c — open a train-classifier, train-ssl or
 * train-dfeatures checkpoint as one image classifier for `eval`, `predict`
 * and `score` (checkpoint_classifier.h), over the model handle. */
#include "checkpoint_classifier.h"

#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m)
{
    memset(m, 0, sizeof *m);
    if (clgan_checkpoint_kind(path, m->kind, sizeof m->kind, &m->model_kind) != CLGAN_OK)
        return cli_fail("cannot load the checkpoint"), 0;
    if (m->model_kind != CLGAN_MODEL_CLASSIFIER && m->model_kind != CLGAN_MODEL_SSL &&
        m->model_kind != CLGAN_MODEL_DFEATURES) {
        fprintf(stderr, "clgan: %s is a '%s' checkpoint, not a classifier checkpoint (one from train-classifier, "
                        "train-ssl or train-dfeatures)\n", path, m->kind);
        return 0;
    }
    clgan_model_info info;
    char seed[32];
    if (clgan_model_load(ctx, path, &m->handle, NULL, 0) != CLGAN_OK ||
        clgan_model_get_info(m->handle, &info) != CLGAN_OK ||
        clgan_model_get_setting(m->handle, "seed", seed, sizeof seed) != CLGAN_OK)
        return cli_fail("cannot load the checkpoint"), 0;
    m->seed = strtoull(seed, NULL, 10);
    snprintf(m->model, sizeof m->model, "%s", m->model_kind == CLGAN_MODEL_DFEATURES ? "dfeatures" : info.arch);
    m->c = info.channels, m->h = info.height, m->w = info.width, m->classes = info.classes;
    m->batch = m->model_kind == CLGAN_MODEL_DFEATURES ? 256 : info.batch;
    m->steps = info.steps;
    return 1;
}

void ckpt_classifier_free(ckpt_classifier *m)
{
    clgan_model_free(m->handle);
    m->handle = NULL;
}

clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs)
{
    return clgan_model_predict(m->handle, n, images, probs);
}

int ckpt_classifier_feature_dim(ckpt_classifier *m)
{
    int F = 0;
    if (m->model_kind == CLGAN_MODEL_DFEATURES || clgan_model_feature_dim(m->handle, &F) != CLGAN_OK) return 0;
    return F;
}

clgan_status ckpt_classifier_features(ckpt_classifier *m, int n, const float *images, float *features, float *probs)
{
    if (m->model_kind == CLGAN_MODEL_DFEATURES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a %s checkpoint has no classifier features to score with", m->kind);
    return clgan_model_features(m->handle, n, images, features, probs);
}

clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion)
{
    memset(confusion, 0, (size_t)m->classes * m->classes * sizeof *confusion);
    return clgan_model_evaluate(m->handle, d, confusion, NULL);
}

const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k)
{
    const char *name = clgan_model_class_name(m->handle, k);
    return name ? name : "?";
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
