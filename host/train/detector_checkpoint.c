/* detector_checkpoint.c — save and load grid-detector checkpoints (sections
 * in detector.h; the container and checks of net_checkpoint.h, the settings
 * of the detector's table). */
#include "train/detector.h"

#include "core/error.h"
#include "train/net_checkpoint.h"
#include "train/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-detector"

clgan_status clgan_detector_save(clgan_detector *det, const char *path, const char *note)
{
    const clgan_detector_config *c = clgan_detector_get_config(det);
    char arch[512], cfg[1024];
    clgan_settings_write(CLGAN_MODEL_DETECTOR, CLGAN_SECTION_ARCH, c, arch, sizeof arch);
    clgan_settings_write(CLGAN_MODEL_DETECTOR, CLGAN_SECTION_CONFIG, c, cfg, sizeof cfg);
    char (*names)[64] = malloc(sizeof *names * (size_t)c->classes);
    if (!names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing checkpoint %s", path);
    for (int k = 0; k < c->classes; k++) snprintf(names[k], sizeof names[k], "%s", clgan_detector_class_name(det, k));
    clgan_ckpt_writer *w;
    clgan_status st = clgan_ckpt_begin(path, &w);
    if (st != CLGAN_OK) {
        free(names);
        return st;
    }
    st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "arch", arch);
    if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.c", clgan_detector_arch_text(det));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_detector_step_count(det));
    if (st == CLGAN_OK) st = clgan_ckpt_add_class_names(w, c->classes, (const char (*)[64])names);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "net", clgan_detector_net(det), CLGAN_BLOCKS_ALL);
    free(names);
    return clgan_ckpt_finish(w, st, path);
}

/* The settings and the text (into *text, the caller frees it), checked, and
 * the net they describe checked against the file's sizes before anything is
 * built. */
static clgan_status parse(const clgan_ckpt_reader *r, const char *path, clgan_detector_config *c, char **text)
{
    char arch[512], cfg[1024];
    TRY(clgan_ckpt_check_kind(r, path, KIND, "a detector checkpoint"));
    TRY(clgan_ckpt_get_string(r, "arch", arch, sizeof arch));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    TRY(clgan_ckpt_get_arch_text(r, path, "arch.c", text));
    if (!*text) return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: no architecture text (section arch.c)", path);
    *c = clgan_detector_default_config();
    TRY(clgan_settings_read(CLGAN_MODEL_DETECTOR, CLGAN_SECTION_ARCH, path, arch, c));
    TRY(clgan_settings_read(CLGAN_MODEL_DETECTOR, CLGAN_SECTION_CONFIG, path, cfg, c));
    c->text = *text;
    clgan_arch *a;
    if (clgan_detector_resolve(c, &a) != CLGAN_OK) return clgan_fail_context(CLGAN_ERR_FORMAT, "checkpoint %s", path);
    clgan_status st = clgan_ckpt_check_net_size(r, path, "net", c->c, c->h, c->w, a->specs, a->n, CLGAN_BLOCKS_ALL);
    clgan_arch_free(a);
    return st;
}

clgan_status clgan_detector_load(clgan_ctx *ctx, const char *path, clgan_detector **out, char *note, size_t note_cap)
{
    *out = NULL;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_detector_config cfg;
    clgan_detector *det = NULL;
    char *text = NULL, (*names)[64] = NULL;
    int64_t step = 0;
    clgan_status st = parse(r, path, &cfg, &text);
    if (st == CLGAN_OK) st = clgan_ckpt_get_step(r, path, &step);
    if (st == CLGAN_OK) st = clgan_detector_create(ctx, &cfg, &det);
    free(text); /* the detector keeps a copy */
    if (st == CLGAN_OK) st = clgan_ckpt_load_net(r, path, "net", clgan_detector_net(det), CLGAN_BLOCKS_ALL);
    if (st == CLGAN_OK) st = clgan_ckpt_read_class_names(r, path, cfg.classes, &names);
    for (int k = 0; st == CLGAN_OK && k < cfg.classes; k++) st = clgan_detector_set_class_name(det, k, names[k]);
    free(names);
    if (st == CLGAN_OK && note) st = clgan_ckpt_get_string(r, "note", note, note_cap);
    clgan_ckpt_close(r);
    if (st != CLGAN_OK) {
        clgan_detector_free(det);
        return st;
    }
    clgan_detector_set_step_count(det, step);
    *out = det;
    return CLGAN_OK;
}

clgan_status clgan_detector_peek(const char *path, clgan_detector_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    char *text = NULL;
    clgan_status st = parse(r, path, cfg, &text);
    free(text);
    cfg->text = NULL; /* the peeked config holds no text */
    clgan_ckpt_close(r);
    return st;
}
