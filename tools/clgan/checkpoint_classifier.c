/* checkpoint_classifier.c — open a train-classifier or train-ssl checkpoint
 * as one image classifier for `eval` and `predict` (checkpoint_classifier.h). */
#include "checkpoint_classifier.h"

#include "cli.h"
#include "io/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_CLASSIFIER "clgan-classifier"
#define KIND_SSL "clgan-ssl"

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
    } else {
        fprintf(stderr, "clgan: %s is a '%s' checkpoint, not a classifier checkpoint (one from train-classifier or "
                        "train-ssl)\n", path, m->kind);
        return 0;
    }
    return 1;
}

int ckpt_classifier_load(clgan_ctx *ctx, const char *path, ckpt_classifier *m)
{
    if (!ckpt_classifier_peek(path, m)) return 0;
    clgan_status st = !strcmp(m->kind, KIND_CLASSIFIER) ? clgan_classifier_load(ctx, path, &m->clf, NULL, 0)
                                                        : clgan_ssl_load(ctx, path, &m->ssl, NULL, 0);
    return st == CLGAN_OK ? 1 : (cli_fail("cannot load the checkpoint"), 0);
}

void ckpt_classifier_free(ckpt_classifier *m)
{
    clgan_classifier_free(m->clf);
    clgan_ssl_free(m->ssl);
    m->clf = NULL, m->ssl = NULL;
}

clgan_status ckpt_classifier_predict(ckpt_classifier *m, int n, const float *images, float *probs)
{
    return m->clf ? clgan_classifier_predict(m->clf, n, images, probs) : clgan_ssl_predict(m->ssl, n, images, probs);
}

clgan_status ckpt_classifier_evaluate(ckpt_classifier *m, const clgan_dataset *d, int64_t *confusion)
{
    return m->clf ? clgan_classifier_evaluate(m->clf, d, confusion) : clgan_ssl_evaluate(m->ssl, d, confusion);
}

int64_t ckpt_classifier_step(const ckpt_classifier *m)
{
    return m->clf ? clgan_classifier_step_count(m->clf) : clgan_ssl_step_count(m->ssl);
}

const char *ckpt_classifier_class_name(const ckpt_classifier *m, int k)
{
    return m->clf ? clgan_classifier_class_name(m->clf, k) : clgan_ssl_class_name(m->ssl, k);
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
