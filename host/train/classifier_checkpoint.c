/* classifier_checkpoint.c — save and load classifier checkpoints (format in
 * classifier.h; same container and validation as gan_checkpoint.c). */
#include "classifier.h"

#include "io/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-classifier"

static const struct { const char *name; clgan_net_block block; } blocks[] = {
    {"net.params", CLGAN_NET_PARAMS}, {"net.state", CLGAN_NET_STATE}, {"net.opt_m", CLGAN_NET_OPT_M},
    {"net.opt_v", CLGAN_NET_OPT_V}};
#define BLOCK_COUNT (sizeof blocks / sizeof blocks[0])

/* SGD has one state block (velocity); Adam two. */
static int uses_block(const clgan_classifier_config *c, clgan_net_block b)
{
    return b != CLGAN_NET_OPT_V || c->optimizer == CLGAN_CLASSIFIER_ADAM;
}

static void arch_text(const clgan_classifier_arch *a, char *out, size_t cap)
{
    snprintf(out, cap, "model=%s width=%d classes=%d", a->model, a->width, a->classes);
}

static void config_text(const clgan_classifier_config *c, char *out, size_t cap)
{
    snprintf(out, cap,
             "batch=%d optimizer=%s lr=%.9g momentum=%.9g beta1=%.9g beta2=%.9g eps=%.9g weight_decay=%.9g "
             "lr_decay=%.9g lr_decay_steps=%lld augment=%d seed=%llu",
             c->batch, clgan_classifier_optimizer_name(c->optimizer), c->lr, c->momentum, c->beta1, c->beta2, c->eps,
             c->weight_decay, c->lr_decay, (long long)c->lr_decay_steps, c->augment, (unsigned long long)c->seed);
}

/* Value of " key=" in a key=value line; NULL when absent. */
static const char *kv(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; (p = strstr(p, key)); p += n)
        if ((p == text || p[-1] == ' ') && p[n] == '=') return p + n + 1;
    return NULL;
}

static clgan_status missing(const char *path, const char *key)
{
    return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is missing or malformed", path, key);
}

static clgan_status kv_int(const char *path, const char *text, const char *key, int *out)
{
    const char *v = kv(text, key);
    return v && sscanf(v, "%d", out) == 1 ? CLGAN_OK : missing(path, key);
}

static clgan_status kv_float(const char *path, const char *text, const char *key, float *out)
{
    const char *v = kv(text, key);
    return v && sscanf(v, "%f", out) == 1 ? CLGAN_OK : missing(path, key);
}

static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_classifier_config *c)
{
    char kind[32], arch[512], cfg[1024], opt[16];
    TRY(clgan_ckpt_get_string(r, "kind", kind, sizeof kind));
    if (strcmp(kind, KIND) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not a classifier checkpoint", path, kind);
    TRY(clgan_ckpt_get_string(r, "arch", arch, sizeof arch));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *c = clgan_classifier_default_config();
    const char *m = kv(arch, "model");
    if (!m || sscanf(m, "%15s", c->arch.model) != 1) return missing(path, "model");
    TRY(kv_int(path, arch, "width", &c->arch.width));
    TRY(kv_int(path, arch, "classes", &c->arch.classes));
    TRY(kv_int(path, cfg, "batch", &c->batch));
    const char *o = kv(cfg, "optimizer");
    if (!o || sscanf(o, "%15s", opt) != 1 || (strcmp(opt, "adam") && strcmp(opt, "sgd"))) return missing(path, "optimizer");
    c->optimizer = !strcmp(opt, "sgd") ? CLGAN_CLASSIFIER_SGD : CLGAN_CLASSIFIER_ADAM;
    TRY(kv_float(path, cfg, "lr", &c->lr));
    TRY(kv_float(path, cfg, "momentum", &c->momentum));
    TRY(kv_float(path, cfg, "beta1", &c->beta1));
    TRY(kv_float(path, cfg, "beta2", &c->beta2));
    TRY(kv_float(path, cfg, "eps", &c->eps));
    TRY(kv_float(path, cfg, "weight_decay", &c->weight_decay));
    TRY(kv_float(path, cfg, "lr_decay", &c->lr_decay));
    long long ds;
    const char *v = kv(cfg, "lr_decay_steps");
    if (!v || sscanf(v, "%lld", &ds) != 1) return missing(path, "lr_decay_steps");
    c->lr_decay_steps = ds;
    TRY(kv_int(path, cfg, "augment", &c->augment));
    unsigned long long s;
    v = kv(cfg, "seed");
    if (!v || sscanf(v, "%llu", &s) != 1) return missing(path, "seed");
    c->seed = s;
    clgan_status st = clgan_classifier_arch_resolve(&c->arch);
    if (st != CLGAN_OK) return clgan_fail_context(st, "checkpoint %s", path);
    return CLGAN_OK;
}

clgan_status clgan_classifier_save(clgan_classifier *clf, const char *path, const char *note)
{
    const clgan_classifier_config *c = clgan_classifier_get_config(clf);
    clgan_net *net = clgan_classifier_net(clf);
    int K = c->arch.classes;
    char arch[512], cfg[1024], rng[64], layout[4096];
    arch_text(&c->arch, arch, sizeof arch);
    config_text(c, cfg, sizeof cfg);
    snprintf(rng, sizeof rng, "derived seed=%llu", (unsigned long long)c->seed);
    clgan_net_describe(net, layout, sizeof layout);
    char *names = malloc((size_t)K * 65 + 1);
    if (!names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
    names[0] = '\0';
    for (int k = 0, at = 0; k < K; k++) at += sprintf(names + at, "%s\n", clgan_classifier_class_name(clf, k));
    clgan_ckpt_writer *w;
    clgan_status st = clgan_ckpt_begin(path, &w);
    if (st != CLGAN_OK) {
        free(names);
        return st;
    }
    st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "arch", arch);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_classifier_step_count(clf));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "rng", rng);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "class_names", names);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "net.layout", layout);
    for (size_t b = 0; b < BLOCK_COUNT && st == CLGAN_OK; b++) {
        if (!uses_block(c, blocks[b].block)) continue;
        size_t n = clgan_net_block_floats(net, blocks[b].block);
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
        if (st == CLGAN_OK) st = clgan_net_read_block(net, blocks[b].block, buf);
        if (st == CLGAN_OK) st = clgan_ckpt_add(w, blocks[b].name, buf, n * sizeof *buf);
        free(buf);
    }
    free(names);
    if (st != CLGAN_OK) {
        clgan_ckpt_abort(w);
        return clgan_fail_context(st, "writing checkpoint %s", path);
    }
    return clgan_ckpt_commit(w);
}

static clgan_status load_state(const clgan_ckpt_reader *r, const char *path, clgan_classifier *clf)
{
    clgan_net *net = clgan_classifier_net(clf);
    const clgan_classifier_config *c = clgan_classifier_get_config(clf);
    char want[4096], got[4096];
    clgan_net_describe(net, want, sizeof want);
    TRY(clgan_ckpt_get_string(r, "net.layout", got, sizeof got));
    if (strcmp(want, got) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: the net's layers do not match the architecture it names.\n"
                          "in the file:\n%s\nexpected:\n%s", path, got, want);
    for (size_t b = 0; b < BLOCK_COUNT; b++) {
        if (!uses_block(c, blocks[b].block)) continue;
        size_t n = clgan_net_block_floats(net, blocks[b].block);
        const void *data;
        size_t bytes;
        TRY(clgan_ckpt_find(r, blocks[b].name, &data, &bytes));
        if (bytes != n * sizeof(float))
            return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section %s holds %zu bytes, the architecture needs %zu",
                              path, blocks[b].name, bytes, n * sizeof(float));
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
        memcpy(buf, data, bytes);
        clgan_status st = clgan_net_write_block(net, blocks[b].block, buf);
        free(buf);
        TRY(st);
    }
    /* Class names: one per line, exactly K of them. */
    const void *data;
    size_t bytes;
    TRY(clgan_ckpt_find(r, "class_names", &data, &bytes));
    int K = c->arch.classes, k = 0;
    char (*names)[64] = calloc((size_t)K, sizeof *names);
    if (!names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
    const char *p = data, *end = p + bytes;
    while (p < end && k < K) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        size_t len = (size_t)(nl - p);
        snprintf(names[k++], sizeof names[0], "%.*s", (int)(len < 63 ? len : 63), p);
        p = nl + 1;
    }
    if (k != K || p != end) {
        free(names);
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section class_names does not hold %d names", path, K);
    }
    clgan_classifier_set_class_names(clf, (const char (*)[64])names);
    free(names);
    return CLGAN_OK;
}

clgan_status clgan_classifier_peek(const char *path, clgan_classifier_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_status st = parse(path, r, cfg);
    clgan_ckpt_close(r);
    return st;
}

clgan_status clgan_classifier_load(clgan_ctx *ctx, const char *path, clgan_classifier **out, char *note,
                                   size_t note_cap)
{
    *out = NULL;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_classifier_config cfg;
    clgan_classifier *clf = NULL;
    int64_t step = 0;
    clgan_status st = parse(path, r, &cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_get_i64(r, "step", &step);
    if (st == CLGAN_OK && step < 0) st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: negative step count", path);
    if (st == CLGAN_OK) st = clgan_classifier_create(ctx, &cfg, &clf);
    if (st == CLGAN_OK) st = load_state(r, path, clf);
    if (st == CLGAN_OK && note) st = clgan_ckpt_get_string(r, "note", note, note_cap);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) {
        clgan_classifier_free(clf);
        return st;
    }
    clgan_classifier_set_step_count(clf, step);
    *out = clf;
    return CLGAN_OK;
}
