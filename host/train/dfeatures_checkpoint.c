/* dfeatures_checkpoint.c — save and load a discriminator-features head
 * (format in dfeatures.h). */
#include "dfeatures.h"

#include "train/net_checkpoint.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-dfeatures"

clgan_status clgan_dhead_save(clgan_dhead *head, const char *path, const clgan_dhead_file *info)
{
    const clgan_dhead_config *c = clgan_dhead_get_config(head);
    int F = c->features;
    char cfg[1024];
    clgan_dhead_file stored = *info; /* the head's own config, with the caller's shape, pooling and steps */
    stored.head = *c;
    clgan_settings_write(CLGAN_MODEL_DFEATURES, CLGAN_SECTION_ALL, &stored, cfg, sizeof cfg);
    float *mean, *inv_std, *both = malloc((size_t)2 * F * sizeof *both);
    if (!both) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
    clgan_dhead_standardiser(head, &mean, &inv_std);
    memcpy(both, mean, (size_t)F * sizeof *both);
    memcpy(both + F, inv_std, (size_t)F * sizeof *both);
    clgan_ckpt_writer *w;
    clgan_status st = clgan_ckpt_begin(path, &w);
    if (st != CLGAN_OK) {
        free(both);
        return st;
    }
    st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "gan", info->gan_path);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "gan_sha256", info->gan_sha256);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) { /* the head's architecture text, as the other checkpoints keep theirs */
        const char *preset, *text;
        clgan_layer_spec specs[3];
        int n;
        st = clgan_dhead_specs(c, specs, &n, &preset);
        if (st == CLGAN_OK) st = clgan_arch_preset_text(preset, "h", &text);
        if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.h", text);
    }
    if (st == CLGAN_OK) st = clgan_ckpt_add_floats(w, "standardiser", "the standardiser values of the head", both, (size_t)2 * F);
    if (st == CLGAN_OK) st = clgan_ckpt_add_class_names(w, c->classes, (const char (*)[64])info->class_names);
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "head", clgan_dhead_net(head), CLGAN_BLOCK_BIT(CLGAN_NET_PARAMS));
    free(both);
    return clgan_ckpt_finish(w, st, path);
}

/* Every setting is range-checked by the table (settings.c) before anything is built from it. */
static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_dhead_file *info)
{
    clgan_dhead_config *hc = &info->head;
    char cfg[1024];
    TRY(clgan_ckpt_check_kind(r, path, KIND, "a discriminator-features head"));
    clgan_settings_defaults(CLGAN_MODEL_DFEATURES, info);
    TRY(clgan_ckpt_get_string(r, "gan", info->gan_path, sizeof info->gan_path));
    TRY(clgan_ckpt_get_string(r, "gan_sha256", info->gan_sha256, sizeof info->gan_sha256));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    TRY(clgan_settings_read(CLGAN_MODEL_DFEATURES, CLGAN_SECTION_ALL, path, cfg, info));
    return clgan_ckpt_read_class_names(r, path, hc->classes, &info->class_names);
}

/* The standardiser and the head's parameters must be in the file before the
 * head is built: the head's table as clgan_dhead_create makes it
 * (dfeatures.h: [dense(H) ReLU] dense(K) on F inputs). */
static clgan_status check_sizes(const char *path, const clgan_ckpt_reader *r, const clgan_dhead_config *hc,
                                const void **standardiser)
{
    int F = hc->features, n = 0;
    const void *data;
    size_t bytes;
    TRY(clgan_ckpt_find(r, "standardiser", &data, &bytes));
    if (bytes != (size_t)2 * F * sizeof(float))
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: standardiser holds %zu bytes, %d features need %zu", path,
                          bytes, F, (size_t)2 * F * sizeof(float));
    *standardiser = data;
    clgan_layer_spec specs[3];
    TRY(clgan_dhead_specs(hc, specs, &n, NULL));
    return clgan_ckpt_check_net_size(r, path, "head", F, 1, 1, specs, n, CLGAN_BLOCK_BIT(CLGAN_NET_PARAMS));
}

clgan_status clgan_dhead_load(clgan_ctx *ctx, const char *path, clgan_dhead **head, clgan_dhead_file *info)
{
    memset(info, 0, sizeof *info);
    if (head) *head = NULL;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_dhead *h = NULL;
    const void *data = NULL;
    clgan_status st = parse(path, r, info);
    if (st == CLGAN_OK && head) st = check_sizes(path, r, &info->head, &data);
    if (st == CLGAN_OK && head) st = clgan_dhead_create(ctx, &info->head, &h);
    if (st == CLGAN_OK && h) {
        float *mean, *inv_std;
        int F = info->head.features;
        clgan_dhead_standardiser(h, &mean, &inv_std);
        memcpy(mean, data, (size_t)F * sizeof *mean);
        memcpy(inv_std, (const char *)data + (size_t)F * sizeof *mean, (size_t)F * sizeof *inv_std);
        clgan_ckpt_warn_nonfinite(path, "standardiser (mean)", mean, (size_t)F);
        clgan_ckpt_warn_nonfinite(path, "standardiser (1/std)", inv_std, (size_t)F);
        st = clgan_ckpt_load_net(r, path, "head", clgan_dhead_net(h), CLGAN_BLOCK_BIT(CLGAN_NET_PARAMS));
    }
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) {
        clgan_dhead_free(h);
        free(info->class_names);
        info->class_names = NULL;
        return st;
    }
    if (head) *head = h;
    return CLGAN_OK;
}
