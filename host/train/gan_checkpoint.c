/* gan_checkpoint.c — save and load GAN checkpoints (format in gan_checkpoint.h). */
#include "gan_checkpoint.h"

#include "train/net_checkpoint.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-gan"
#define EMA_BLOCKS CLGAN_BLOCK_BIT(CLGAN_NET_PARAMS) /* G_ema's batchnorm statistics are G's (gan.h) */

/* Every setting is range-checked by the table (settings.c) before anything is built from it.
 * The architecture texts (absent in files written before they were kept)
 * go into *text_g and *text_d, which the caller frees. */
static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_gan_config *c, char **text_g,
                          char **text_d)
{
    char arch[512], cfg[1024];
    TRY(clgan_ckpt_check_kind(r, path, KIND, "a GAN checkpoint"));
    TRY(clgan_ckpt_get_string(r, "arch", arch, sizeof arch));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *c = clgan_gan_default_config();
    TRY(clgan_ckpt_get_arch_text(r, path, "arch.g", text_g));
    TRY(clgan_ckpt_get_arch_text(r, path, "arch.d", text_d));
    c->arch.text_g = *text_g, c->arch.text_d = *text_d;
    TRY(clgan_settings_read(CLGAN_MODEL_GAN, CLGAN_SECTION_ARCH, path, arch, c)); /* width: 0 allowed with texts */
    TRY(clgan_settings_read(CLGAN_MODEL_GAN, CLGAN_SECTION_CONFIG, path, cfg, c));
    clgan_status st = clgan_gan_arch_resolve(&c->arch);
    if (st != CLGAN_OK) return clgan_fail_context(CLGAN_ERR_FORMAT, "checkpoint %s", path);
    return CLGAN_OK;
}

/* G and D as the arch describes them, against the file's blocks. */
static clgan_status check_sizes(const char *path, const clgan_ckpt_reader *r, const clgan_gan_config *c)
{
    clgan_layer_spec gs[CLGAN_MAX_NET_LAYERS], ds[CLGAN_MAX_NET_LAYERS];
    const clgan_gan_arch *a = &c->arch;
    int gn, dn;
    TRY(clgan_gan_generator_specs(a, gs, &gn));
    TRY(clgan_gan_discriminator_specs(a, ds, &dn, NULL));
    TRY(clgan_ckpt_check_net_size(r, path, "G", a->nz, 1, 1, gs, gn, CLGAN_BLOCKS_ALL));
    if (c->g_ema > 0) TRY(clgan_ckpt_check_net_size(r, path, "G_ema", a->nz, 1, 1, gs, gn, EMA_BLOCKS));
    return clgan_ckpt_check_net_size(r, path, "D", a->c, a->h, a->w, ds, dn, CLGAN_BLOCKS_ALL);
}

clgan_status clgan_gan_save(clgan_gan *gan, const char *path, const char *note)
{
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    char arch[512], cfg[1024], rng[64];
    const char *text_g, *text_d;
    TRY(clgan_gan_arch_text(&c->arch, "g", &text_g));
    TRY(clgan_gan_arch_text(&c->arch, "d", &text_d));
    clgan_settings_write(CLGAN_MODEL_GAN, CLGAN_SECTION_ARCH, c, arch, sizeof arch);
    clgan_settings_write(CLGAN_MODEL_GAN, CLGAN_SECTION_CONFIG, c, cfg, sizeof cfg);
    snprintf(rng, sizeof rng, "derived seed=%llu", (unsigned long long)c->seed);
    clgan_ckpt_writer *w;
    TRY(clgan_ckpt_begin(path, &w));
    clgan_status st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "arch", arch);
    if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.g", text_g);
    if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.d", text_d);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_gan_step_count(gan));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "rng", rng);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "G", clgan_gan_generator(gan), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "D", clgan_gan_discriminator(gan), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK && clgan_gan_generator_ema(gan))
        st = clgan_ckpt_add_net(w, "G_ema", clgan_gan_generator_ema(gan), EMA_BLOCKS);
    return clgan_ckpt_finish(w, st, path);
}

clgan_status clgan_gan_peek(const char *path, clgan_gan_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    char *text_g = NULL, *text_d = NULL;
    clgan_status st = parse(path, r, cfg, &text_g, &text_d);
    clgan_ckpt_close(r);
    free(text_g); /* the peeked config holds no texts */
    free(text_d);
    cfg->arch.text_g = cfg->arch.text_d = NULL;
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
    char *text_g = NULL, *text_d = NULL;
    clgan_status st = parse(path, r, &cfg, &text_g, &text_d);
    if (st == CLGAN_OK) st = clgan_ckpt_get_step(r, path, &step);
    if (st == CLGAN_OK) st = check_sizes(path, r, &cfg);
    if (st == CLGAN_OK) st = clgan_gan_create(ctx, &cfg, &gan);
    free(text_g); /* the GAN keeps copies */
    free(text_d);
    if (st == CLGAN_OK) st = clgan_ckpt_load_net(r, path, "G", clgan_gan_generator(gan), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK) st = clgan_ckpt_load_net(r, path, "D", clgan_gan_discriminator(gan), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK && clgan_gan_generator_ema(gan))
        st = clgan_ckpt_load_net(r, path, "G_ema", clgan_gan_generator_ema(gan), EMA_BLOCKS);
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
