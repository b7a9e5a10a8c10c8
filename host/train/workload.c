/* workload.c — preset workloads for tuning and benchmarks (see workload.h). */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/classifier.h"
#include "train/gan.h"
#include "train/ssl.h"

typedef enum { KIND_GAN, KIND_CLASSIFIER, KIND_SSL } workload_kind;

static const struct { const char *name, *model; workload_kind kind; int conditional; } presets[] = {
    {"dcgan28", "dcgan28", KIND_GAN, 0},       {"dcgan28-cond", "dcgan28", KIND_GAN, 1},
    {"dcgan32", "dcgan32", KIND_GAN, 0},       {"dcgan64", "dcgan64", KIND_GAN, 0},
    {"lenet28", "lenet28", KIND_CLASSIFIER, 0}, {"vgg32", "vgg32", KIND_CLASSIFIER, 0},
    {"ssl28", "ssl28", KIND_SSL, 0},           {"ssl32", "ssl32", KIND_SSL, 0},
};
#define PRESET_COUNT (int)(sizeof presets / sizeof presets[0])
#define CLASSES 10

struct clgan_workload {
    int preset, width, batch, c, h, w;
    clgan_gan *gan;
    clgan_classifier *clf;
    clgan_ssl *ssl;
    float *images, *out; /* [B,C,H,W] inputs; outputs (samples or probabilities) */
    int32_t *labels;     /* [B] */
};

const char *clgan_workload_names(void)
{
    return "dcgan28,dcgan28-cond,dcgan32,dcgan64,lenet28,vgg32,ssl28,ssl32";
}

static clgan_status build(clgan_ctx *ctx, clgan_workload *w)
{
    const char *model = presets[w->preset].model;
    switch (presets[w->preset].kind) {
    case KIND_GAN: {
        clgan_gan_config cfg = clgan_gan_default_config();
        snprintf(cfg.arch.model, sizeof cfg.arch.model, "%s", model);
        cfg.arch.width = w->width;
        if (presets[w->preset].conditional) cfg.arch.conditional = 1, cfg.arch.classes = CLASSES;
        cfg.batch = w->batch;
        TRY(clgan_gan_create(ctx, &cfg, &w->gan));
        const clgan_gan_config *c = clgan_gan_get_config(w->gan);
        w->width = c->arch.width, w->c = c->arch.c, w->h = c->arch.h, w->w = c->arch.w;
        return CLGAN_OK;
    }
    case KIND_CLASSIFIER: {
        clgan_classifier_config cfg = clgan_classifier_default_config();
        snprintf(cfg.arch.model, sizeof cfg.arch.model, "%s", model);
        cfg.arch.width = w->width, cfg.arch.classes = CLASSES, cfg.batch = w->batch;
        TRY(clgan_classifier_create(ctx, &cfg, &w->clf));
        const clgan_classifier_config *c = clgan_classifier_get_config(w->clf);
        w->width = c->arch.width, w->c = c->arch.c, w->h = c->arch.h, w->w = c->arch.w;
        return CLGAN_OK;
    }
    case KIND_SSL: {
        clgan_ssl_config cfg = clgan_ssl_default_config();
        snprintf(cfg.model, sizeof cfg.model, "%s", model);
        cfg.width = w->width, cfg.classes = CLASSES, cfg.batch = w->batch;
        TRY(clgan_ssl_create(ctx, &cfg, &w->ssl));
        const clgan_ssl_config *c = clgan_ssl_get_config(w->ssl);
        w->width = c->width, w->c = c->c, w->h = c->h, w->w = c->w;
        return CLGAN_OK;
    }
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "workload: unknown kind");
}

clgan_status clgan_workload_create(clgan_ctx *ctx, const char *name, int width, int batch, clgan_workload **out)
{
    if (!ctx || !name || !out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_workload_create: NULL argument");
    *out = NULL;
    int p = 0;
    while (p < PRESET_COUNT && strcmp(presets[p].name, name)) p++;
    if (p == PRESET_COUNT)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown workload '%s'; choose from %s", name,
                          clgan_workload_names());
    if (batch < 0 || batch == 1 || batch > 65536 || width < 0 || width > 4096)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "workload %s: batch %d or width %d out of range (batch 2..65536)",
                          name, batch, width);
    clgan_workload *w = calloc(1, sizeof *w);
    if (!w) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    w->preset = p, w->width = width, w->batch = batch ? batch : 64;
    clgan_status st = build(ctx, w);
    if (st != CLGAN_OK) {
        clgan_workload_free(w);
        return clgan_fail_context(st, "workload %s", name);
    }
    size_t n = (size_t)w->batch * w->c * w->h * w->w;
    size_t outn = n > (size_t)w->batch * CLASSES ? n : (size_t)w->batch * CLASSES;
    w->images = malloc(n * sizeof *w->images);
    w->out = malloc(outn * sizeof *w->out);
    w->labels = malloc((size_t)w->batch * sizeof *w->labels);
    if (!w->images || !w->out || !w->labels) {
        clgan_workload_free(w);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for workload %s", name);
    }
    uint64_t x = 88172645463325252ull; /* xorshift64: images in [-1, 1] */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        w->images[i] = (float)((x >> 11) * (2.0 / 9007199254740992.0) - 1.0);
    }
    for (int i = 0; i < w->batch; i++) w->labels[i] = i % CLASSES;
    *out = w;
    return CLGAN_OK;
}

void clgan_workload_free(clgan_workload *w)
{
    if (!w) return;
    clgan_gan_free(w->gan);
    clgan_classifier_free(w->clf);
    clgan_ssl_free(w->ssl);
    free(w->images);
    free(w->out);
    free(w->labels);
    free(w);
}

clgan_status clgan_workload_train_step(clgan_workload *w)
{
    if (!w) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_workload_train_step: the workload is NULL");
    if (w->gan) return clgan_gan_train_step(w->gan, w->images, w->labels, NULL);
    if (w->clf) return clgan_classifier_train_step(w->clf, w->images, w->labels, NULL);
    return clgan_ssl_train_step(w->ssl, w->images, w->labels, w->images, NULL);
}

clgan_status clgan_workload_infer(clgan_workload *w)
{
    if (!w) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_workload_infer: the workload is NULL");
    if (w->gan) return clgan_gan_sample(w->gan, w->batch, NULL, 1, w->out);
    if (w->clf) return clgan_classifier_predict(w->clf, w->batch, w->images, w->out);
    return clgan_ssl_predict(w->ssl, w->batch, w->images, w->out);
}

const char *clgan_workload_name(const clgan_workload *w) { return w ? presets[w->preset].name : NULL; }
int clgan_workload_width(const clgan_workload *w) { return w ? w->width : 0; }
int clgan_workload_batch(const clgan_workload *w) { return w ? w->batch : 0; }
int clgan_workload_conditional(const clgan_workload *w) { return w ? presets[w->preset].conditional : 0; }

int clgan_workload_nets(clgan_workload *w, clgan_net **nets, const char **names)
{
    if (!w || !nets || !names) return 0;
    if (w->clf) {
        nets[0] = clgan_classifier_net(w->clf), names[0] = "C";
        return 1;
    }
    nets[0] = w->gan ? clgan_gan_generator(w->gan) : clgan_ssl_generator(w->ssl), names[0] = "G";
    nets[1] = w->gan ? clgan_gan_discriminator(w->gan) : clgan_ssl_discriminator(w->ssl), names[1] = "D";
    return 2;
}

size_t clgan_workload_param_count(clgan_workload *w)
{
    clgan_net *nets[2];
    const char *names[2];
    size_t total = 0;
    for (int i = 0, n = clgan_workload_nets(w, nets, names); i < n; i++) total += clgan_net_param_count(nets[i]);
    return total;
}

static void merge_shape(clgan_gemm_shape *out, int *count, int cap, const clgan_gemm_shape *s)
{
    for (int i = 0; i < *count; i++)
        if (out[i].m == s->m && out[i].n == s->n && out[i].k == s->k && out[i].trans_a == s->trans_a &&
            out[i].trans_b == s->trans_b) {
            out[i].count += s->count;
            return;
        }
    if (*count < cap) out[(*count)++] = *s;
}

clgan_status clgan_workload_gemm_shapes(clgan_ctx *ctx, const char *names, int batch, clgan_gemm_shape *out, int cap,
                                        int *count)
{
    if (!ctx || !count || (cap > 0 && !out))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_workload_gemm_shapes: NULL argument");
    *count = 0;
    char list[512];
    snprintf(list, sizeof list, "%s", names && *names ? names : "dcgan28,lenet28");
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        clgan_workload *w;
        TRY(clgan_workload_create(ctx, name, 0, batch, &w));
        clgan_status st = clgan_workload_train_step(w); /* builds kernels; may differ from later steps (init) */
        if (st == CLGAN_OK) st = clgan_workload_train_step(w);
        if (st == CLGAN_OK) st = clgan_workload_infer(w);
        if (st == CLGAN_OK) st = clgan_gemm_record_start(ctx);
        if (st == CLGAN_OK) st = clgan_workload_train_step(w);
        if (st == CLGAN_OK) st = clgan_workload_infer(w);
        clgan_gemm_shape shapes[CLGAN_GEMM_RECORD_MAX];
        int n = clgan_gemm_record_stop(ctx, shapes, CLGAN_GEMM_RECORD_MAX);
        clgan_workload_free(w);
        if (st != CLGAN_OK) return clgan_fail_context(st, "workload %s", name);
        for (int i = 0; i < n && i < CLGAN_GEMM_RECORD_MAX; i++) merge_shape(out, count, cap, &shapes[i]);
    }
    return CLGAN_OK;
}
