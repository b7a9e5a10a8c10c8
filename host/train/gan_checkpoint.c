/* gan_checkpoint.c — save and load GAN checkpoints (format in gan_checkpoint.h). */
#include "gan_checkpoint.h"

#include "io/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-gan"

static const struct { const char *prefix; clgan_net_block block; } blocks[] = {
    {"params", CLGAN_NET_PARAMS}, {"state", CLGAN_NET_STATE}, {"opt_m", CLGAN_NET_OPT_M}, {"opt_v", CLGAN_NET_OPT_V}};
#define BLOCK_COUNT (sizeof blocks / sizeof blocks[0])

static void arch_text(const clgan_gan_arch *a, char *out, size_t cap)
{
    snprintf(out, cap, "model=%s width=%d nz=%d conditional=%d classes=%d mbstd=%d", a->model, a->width, a->nz,
             a->conditional, a->classes, a->mbstd);
}

static void config_text(const clgan_gan_config *c, char *out, size_t cap)
{
    snprintf(out, cap,
             "batch=%d loss=%s label_smoothing=%.9g seed=%llu lr_g=%.9g beta1_g=%.9g beta2_g=%.9g eps_g=%.9g "
             "lr_d=%.9g beta1_d=%.9g beta2_d=%.9g eps_d=%.9g",
             c->batch, c->loss == CLGAN_GAN_LOSS_LS ? "ls" : "ns", c->label_smoothing, (unsigned long long)c->seed,
             c->adam_g.lr, c->adam_g.beta1, c->adam_g.beta2, c->adam_g.eps, c->adam_d.lr, c->adam_d.beta1,
             c->adam_d.beta2, c->adam_d.eps);
}

/* Value of " key=" in a key=value line; NULL when absent. */
static const char *kv(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; (p = strstr(p, key)); p += n)
        if ((p == text || p[-1] == ' ') && p[n] == '=') return p + n + 1;
    return NULL;
}

static clgan_status kv_int(const char *path, const char *text, const char *key, int *out)
{
    const char *v = kv(text, key);
    if (!v || sscanf(v, "%d", out) != 1)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is missing or malformed", path, key);
    return CLGAN_OK;
}

static clgan_status kv_float(const char *path, const char *text, const char *key, float *out)
{
    const char *v = kv(text, key);
    if (!v || sscanf(v, "%f", out) != 1)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is missing or malformed", path, key);
    return CLGAN_OK;
}

static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_gan_config *c)
{
    char kind[32], arch[512], cfg[1024];
    TRY(clgan_ckpt_get_string(r, "kind", kind, sizeof kind));
    if (strcmp(kind, KIND) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not a GAN checkpoint", path, kind);
    TRY(clgan_ckpt_get_string(r, "arch", arch, sizeof arch));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *c = clgan_gan_default_config();
    const char *m = kv(arch, "model");
    if (!m || sscanf(m, "%15s", c->arch.model) != 1)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: no model name", path);
    TRY(kv_int(path, arch, "width", &c->arch.width));
    TRY(kv_int(path, arch, "nz", &c->arch.nz));
    TRY(kv_int(path, arch, "conditional", &c->arch.conditional));
    TRY(kv_int(path, arch, "classes", &c->arch.classes));
    TRY(kv_int(path, arch, "mbstd", &c->arch.mbstd));
    TRY(kv_int(path, cfg, "batch", &c->batch));
    const char *loss = kv(cfg, "loss");
    c->loss = loss && !strncmp(loss, "ls", 2) ? CLGAN_GAN_LOSS_LS : CLGAN_GAN_LOSS_NS;
    TRY(kv_float(path, cfg, "label_smoothing", &c->label_smoothing));
    const char *seed = kv(cfg, "seed");
    unsigned long long s = 0;
    if (!seed || sscanf(seed, "%llu", &s) != 1) return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: no seed", path);
    c->seed = s;
    TRY(kv_float(path, cfg, "lr_g", &c->adam_g.lr));
    TRY(kv_float(path, cfg, "beta1_g", &c->adam_g.beta1));
    TRY(kv_float(path, cfg, "beta2_g", &c->adam_g.beta2));
    TRY(kv_float(path, cfg, "eps_g", &c->adam_g.eps));
    TRY(kv_float(path, cfg, "lr_d", &c->adam_d.lr));
    TRY(kv_float(path, cfg, "beta1_d", &c->adam_d.beta1));
    TRY(kv_float(path, cfg, "beta2_d", &c->adam_d.beta2));
    TRY(kv_float(path, cfg, "eps_d", &c->adam_d.eps));
    return clgan_gan_arch_resolve(&c->arch);
}

static clgan_status add_net(clgan_ckpt_writer *w, const char *tag, clgan_net *net)
{
    char name[32], layout[4096];
    clgan_net_describe(net, layout, sizeof layout);
    snprintf(name, sizeof name, "%s.layout", tag);
    TRY(clgan_ckpt_add_string(w, name, layout));
    for (size_t b = 0; b < BLOCK_COUNT; b++) {
        size_t n = clgan_net_block_floats(net, blocks[b].block);
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
        clgan_status st = clgan_net_read_block(net, blocks[b].block, buf);
        snprintf(name, sizeof name, "%s.%s", tag, blocks[b].prefix);
        if (st == CLGAN_OK) st = clgan_ckpt_add(w, name, buf, n * sizeof *buf);
        free(buf);
        TRY(st);
    }
    return CLGAN_OK;
}

clgan_status clgan_gan_save(clgan_gan *gan, const char *path, const char *note)
{
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    char arch[512], cfg[1024], rng[64];
    arch_text(&c->arch, arch, sizeof arch);
    config_text(c, cfg, sizeof cfg);
    snprintf(rng, sizeof rng, "derived seed=%llu", (unsigned long long)c->seed);
    clgan_ckpt_writer *w;
    TRY(clgan_ckpt_begin(path, &w));
    clgan_status st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "arch", arch);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_gan_step_count(gan));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "rng", rng);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = add_net(w, "G", clgan_gan_generator(gan));
    if (st == CLGAN_OK) st = add_net(w, "D", clgan_gan_discriminator(gan));
    if (st != CLGAN_OK) {
        clgan_ckpt_abort(w);
        return clgan_fail_context(st, "writing checkpoint %s", path);
    }
    return clgan_ckpt_commit(w);
}

static clgan_status load_net(const clgan_ckpt_reader *r, const char *path, const char *tag, clgan_net *net)
{
    char name[32], want[4096], got[4096];
    clgan_net_describe(net, want, sizeof want);
    snprintf(name, sizeof name, "%s.layout", tag);
    TRY(clgan_ckpt_get_string(r, name, got, sizeof got));
    if (strcmp(want, got) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: %s's layers do not match the architecture it names.\n"
                          "in the file:\n%s\nexpected:\n%s", path, tag, got, want);
    for (size_t b = 0; b < BLOCK_COUNT; b++) {
        size_t n = clgan_net_block_floats(net, blocks[b].block);
        const void *data;
        size_t bytes;
        snprintf(name, sizeof name, "%s.%s", tag, blocks[b].prefix);
        TRY(clgan_ckpt_find(r, name, &data, &bytes));
        if (bytes != n * sizeof(float))
            return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section %s holds %zu bytes, the architecture needs %zu",
                              path, name, bytes, n * sizeof(float));
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
        memcpy(buf, data, bytes);
        clgan_status st = clgan_net_write_block(net, blocks[b].block, buf);
        free(buf);
        TRY(st);
    }
    return CLGAN_OK;
}

clgan_status clgan_gan_peek(const char *path, clgan_gan_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_status st = parse(path, r, cfg);
    clgan_ckpt_close(r);
    return st;
}

clgan_status clgan_gan_load(clgan_ctx *ctx, const char *path, clgan_gan **out, char *note, size_t note_cap)
{
    *out = NULL;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_gan_config cfg;
    clgan_gan *gan = NULL;
    int64_t step = 0;
    clgan_status st = parse(path, r, &cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_get_i64(r, "step", &step);
    if (st == CLGAN_OK && step < 0) st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: negative step count", path);
    if (st == CLGAN_OK) st = clgan_gan_create(ctx, &cfg, &gan);
    if (st == CLGAN_OK) st = load_net(r, path, "G", clgan_gan_generator(gan));
    if (st == CLGAN_OK) st = load_net(r, path, "D", clgan_gan_discriminator(gan));
    if (st == CLGAN_OK && note) st = clgan_ckpt_get_string(r, "note", note, note_cap);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) {
        clgan_gan_free(gan);
        return st;
    }
    clgan_gan_set_step_count(gan, step);
    clgan_net_set_step(clgan_gan_generator(gan), step);
    clgan_net_set_step(clgan_gan_discriminator(gan), step);
    *out = gan;
    return CLGAN_OK;
}
