/* ssl_checkpoint.c — save and load semi-supervised GAN checkpoints (format
 * in ssl.h). */
#include "ssl.h"

#include "train/net_checkpoint.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-ssl"

/* Every setting is range-checked by the table (settings.c) before anything
 * is built from it; decay_start, decay_end and augment may be missing (files
 * from before the decay schedule and augmentation). D's architecture text (absent in files written before it was kept) goes
 * into *text_d, which the caller frees. */
static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_ssl_config *c, char **text_d)
{
    char cfg[1024];
    TRY(clgan_ckpt_check_kind(r, path, KIND, "a semi-supervised GAN checkpoint"));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *c = clgan_ssl_default_config();
    TRY(clgan_ckpt_get_arch_text(r, path, "arch.d", text_d));
    c->text_d = *text_d;
    TRY(clgan_settings_read(CLGAN_MODEL_SSL, CLGAN_SECTION_ALL, path, cfg, c));
    clgan_status st = clgan_ssl_config_resolve(c);
    if (st != CLGAN_OK) return clgan_fail_context(CLGAN_ERR_FORMAT, "checkpoint %s", path);
    return CLGAN_OK;
}

/* G and D as the settings describe them, against the file's blocks. */
static clgan_status check_sizes(const char *path, const clgan_ckpt_reader *r, const clgan_ssl_config *c)
{
    clgan_layer_spec gs[CLGAN_MAX_NET_LAYERS], ds[CLGAN_MAX_NET_LAYERS];
    int gn = 0, dn = 0;
    TRY(clgan_ssl_specs(c, gs, &gn, ds, &dn));
    TRY(clgan_ckpt_check_net_size(r, path, "G", c->nz, 1, 1, gs, gn, CLGAN_BLOCKS_ALL));
    return clgan_ckpt_check_net_size(r, path, "D", c->c, c->h, c->w, ds, dn, CLGAN_BLOCKS_ALL);
}

clgan_status clgan_ssl_save(clgan_ssl *s, const char *path, const char *note)
{
    char cfg[1024];
    const clgan_ssl_config *c = clgan_ssl_get_config(s);
    const char *text_d;
    TRY(clgan_ssl_arch_text(c, &text_d));
    clgan_settings_write(CLGAN_MODEL_SSL, CLGAN_SECTION_ALL, c, cfg, sizeof cfg);
    clgan_ckpt_writer *w;
    TRY(clgan_ckpt_begin(path, &w));
    clgan_status st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.d", text_d);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_ssl_step_count(s));
    if (st == CLGAN_OK) st = clgan_ckpt_add_class_names(w, c->classes, clgan_ssl_class_names(s));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "G", clgan_ssl_generator(s), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "D", clgan_ssl_discriminator(s), CLGAN_BLOCKS_ALL);
    return clgan_ckpt_finish(w, st, path);
}

clgan_status clgan_ssl_peek(const char *path, clgan_ssl_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    char *text_d = NULL;
    clgan_status st = parse(path, r, cfg, &text_d);
    clgan_ckpt_close(r);
    free(text_d); /* the peeked config holds no text */
    cfg->text_d = NULL;
    return st;
}

clgan_status clgan_ssl_load(clgan_ctx *ctx, const char *path, clgan_ssl **out, char *note, size_t note_cap)
{
    *out = NULL;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_ssl_config cfg;
    clgan_ssl *s = NULL;
    int64_t step = 0;
    char *text_d = NULL;
    clgan_status st = parse(path, r, &cfg, &text_d);
    if (st == CLGAN_OK) st = clgan_ckpt_get_step(r, path, &step);
    if (st == CLGAN_OK) st = check_sizes(path, r, &cfg);
    if (st == CLGAN_OK) st = clgan_ssl_create(ctx, &cfg, &s);
    free(text_d); /* the model keeps a copy */
    if (st == CLGAN_OK) st = clgan_ckpt_load_net(r, path, "G", clgan_ssl_generator(s), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK) st = clgan_ckpt_load_net(r, path, "D", clgan_ssl_discriminator(s), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK && clgan_ckpt_has(r, "class_names")) {
        char (*names)[64];
        st = clgan_ckpt_read_class_names(r, path, cfg.classes, &names);
        if (st == CLGAN_OK) clgan_ssl_set_class_names(s, (const char (*)[64])names);
        free(names);
    }
    if (st == CLGAN_OK && note) st = clgan_ckpt_get_string(r, "note", note, note_cap);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) {
        clgan_ssl_free(s);
        return st;
    }
    clgan_ssl_set_step_count(s, step);
    *out = s;
    return CLGAN_OK;
}
