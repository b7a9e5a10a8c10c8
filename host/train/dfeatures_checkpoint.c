/* dfeatures_checkpoint.c — save and load a discriminator-features head
 * (format in dfeatures.h). */
#include "dfeatures.h"

#include "train/net_checkpoint.h"

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
    snprintf(cfg, sizeof cfg,
             "c=%d h=%d w=%d pool=%d cond_label=%d features=%d classes=%d hidden=%d batch=%d epochs=%d lr=%.9g "
             "weight_decay=%.9g seed=%llu steps=%lld",
             info->c, info->h, info->w, info->feat.pool, info->feat.cond_label, F, c->classes, c->hidden, c->batch,
             c->epochs, c->lr, c->weight_decay, (unsigned long long)c->seed, (long long)info->steps);
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
    if (st != CLGAN_OK) {
        clgan_ckpt_abort(w);
        return clgan_fail_context(st, "writing checkpoint %s", path);
    }
    return clgan_ckpt_commit(w);
}

/* Image shape limits: the largest side any reader accepts (idx.c). */
#define MAX_CHANNELS 4
#define MAX_SIDE 16384

/* Every setting is range-checked here, before anything is built from it. */
static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_dhead_file *info)
{
    clgan_dhead_config *hc = &info->head;
    char kind[32], cfg[1024], esc[CLGAN_ESCAPE_CAP];
    TRY(clgan_ckpt_get_string(r, "kind", kind, sizeof kind));
    if (strcmp(kind, KIND) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not a discriminator-features head", path,
                          clgan_escape_str(kind, esc, sizeof esc));
    TRY(clgan_ckpt_get_string(r, "gan", info->gan_path, sizeof info->gan_path));
    TRY(clgan_ckpt_get_string(r, "gan_sha256", info->gan_sha256, sizeof info->gan_sha256));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *hc = clgan_dhead_default_config();
    int64_t steps;
    TRY(clgan_kv_int(path, cfg, "c", 1, MAX_CHANNELS, &info->c));
    TRY(clgan_kv_int(path, cfg, "h", 1, MAX_SIDE, &info->h));
    TRY(clgan_kv_int(path, cfg, "w", 1, MAX_SIDE, &info->w));
    int all_pools = CLGAN_DFEAT_AVG | CLGAN_DFEAT_MAX | CLGAN_DFEAT_GRID2 | CLGAN_DFEAT_FULL;
    TRY(clgan_kv_int(path, cfg, "pool", 1, all_pools, &info->feat.pool));
    TRY(clgan_kv_int(path, cfg, "cond_label", 0, CLGAN_GAN_MAX_CLASSES - 1, &info->feat.cond_label));
    TRY(clgan_kv_int(path, cfg, "features", 1, CLGAN_DHEAD_MAX_FEATURES, &hc->features));
    TRY(clgan_kv_int(path, cfg, "classes", 2, CLGAN_DHEAD_MAX_CLASSES, &hc->classes));
    TRY(clgan_kv_int(path, cfg, "hidden", 0, CLGAN_DHEAD_MAX_HIDDEN, &hc->hidden));
    TRY(clgan_kv_int(path, cfg, "batch", 1, CLGAN_MAX_BATCH, &hc->batch));
    TRY(clgan_kv_int(path, cfg, "epochs", 1, CLGAN_DHEAD_MAX_EPOCHS, &hc->epochs));
    TRY(clgan_kv_float(path, cfg, "lr", 0, INFINITY, CLGAN_KV_OPEN_LO, &hc->lr));
    TRY(clgan_kv_float(path, cfg, "weight_decay", 0, INFINITY, 0, &hc->weight_decay));
    TRY(clgan_kv_u64(path, cfg, "seed", &hc->seed));
    TRY(clgan_kv_i64(path, cfg, "steps", 0, INT64_MAX, &steps));
    info->steps = steps;
    info->class_names = calloc((size_t)hc->classes, sizeof *info->class_names);
    if (!info->class_names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
    return clgan_ckpt_get_class_names(r, path, hc->classes, info->class_names);
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
