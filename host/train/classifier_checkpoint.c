/* classifier_checkpoint.c — save and load classifier checkpoints (format in
 * classifier.h; same container and validation as gan_checkpoint.c). */
#include "classifier.h"

#include "train/net_checkpoint.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND "clgan-classifier"

/* SGD has one state block (velocity); Adam two. */
static unsigned net_blocks(const clgan_classifier_config *c)
{
    return c->optimizer == CLGAN_CLASSIFIER_ADAM ? CLGAN_BLOCKS_ALL : CLGAN_BLOCKS_NO_OPT_V;
}

/* Every setting is range-checked by the table (settings.c) before anything is built from it.
 * The architecture text (absent in files written before it was kept) goes
 * into *text, which the caller frees. */
static clgan_status parse(const char *path, const clgan_ckpt_reader *r, clgan_classifier_config *c, char **text)
{
    char arch[512], cfg[1024];
    TRY(clgan_ckpt_check_kind(r, path, KIND, "a classifier checkpoint"));
    TRY(clgan_ckpt_get_string(r, "arch", arch, sizeof arch));
    TRY(clgan_ckpt_get_string(r, "config", cfg, sizeof cfg));
    *c = clgan_classifier_default_config();
    TRY(clgan_ckpt_get_arch_text(r, path, "arch.c", text));
    c->arch.text = *text;
    TRY(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_ARCH, path, arch, c)); /* width: 0 allowed with a text */
    TRY(clgan_settings_read(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_CONFIG, path, cfg, c));
    clgan_status st = clgan_classifier_arch_resolve(&c->arch);
    if (st != CLGAN_OK) return clgan_fail_context(CLGAN_ERR_FORMAT, "checkpoint %s", path);
    return CLGAN_OK;
}

clgan_status clgan_classifier_save(clgan_classifier *clf, const char *path, const char *note)
{
    const clgan_classifier_config *c = clgan_classifier_get_config(clf);
    clgan_net *net = clgan_classifier_net(clf);
    int K = c->arch.classes;
    char arch[512], cfg[1024], rng[64];
    const char *text;
    TRY(clgan_classifier_arch_text(&c->arch, &text));
    clgan_settings_write(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_ARCH, c, arch, sizeof arch);
    clgan_settings_write(CLGAN_MODEL_CLASSIFIER, CLGAN_SECTION_CONFIG, c, cfg, sizeof cfg);
    snprintf(rng, sizeof rng, "derived seed=%llu", (unsigned long long)c->seed);
    clgan_ckpt_writer *w;
    TRY(clgan_ckpt_begin(path, &w));
    clgan_status st = clgan_ckpt_add_string(w, "kind", KIND);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "arch", arch);
    if (st == CLGAN_OK) st = clgan_ckpt_add_arch_text(w, "arch.c", text);
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "config", cfg);
    if (st == CLGAN_OK) st = clgan_ckpt_add_i64(w, "step", clgan_classifier_step_count(clf));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "rng", rng);
    if (st == CLGAN_OK) st = clgan_ckpt_add_class_names(w, K, clgan_classifier_class_names(clf));
    if (st == CLGAN_OK) st = clgan_ckpt_add_string(w, "note", note ? note : "");
    if (st == CLGAN_OK) st = clgan_ckpt_add_net(w, "net", net, net_blocks(c));
    return clgan_ckpt_finish(w, st, path);
}

static clgan_status load_state(const clgan_ckpt_reader *r, const char *path, clgan_classifier *clf)
{
    clgan_net *net = clgan_classifier_net(clf);
    const clgan_classifier_config *c = clgan_classifier_get_config(clf);
    TRY(clgan_ckpt_load_net(r, path, "net", net, net_blocks(c)));
    char (*names)[64];
    TRY(clgan_ckpt_read_class_names(r, path, c->arch.classes, &names));
    clgan_classifier_set_class_names(clf, (const char (*)[64])names);
    free(names);
    return CLGAN_OK;
}

clgan_status clgan_classifier_peek(const char *path, clgan_classifier_config *cfg)
{
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    char *text = NULL;
    clgan_status st = parse(path, r, cfg, &text);
    free(text); /* the peeked config holds no text */
    cfg->arch.text = NULL;
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
    char *text = NULL;
    clgan_status st = parse(path, r, &cfg, &text);
    if (st == CLGAN_OK) st = clgan_ckpt_get_step(r, path, &step);
    if (st == CLGAN_OK) { /* the net the settings describe must be in the file before it is built */
        clgan_layer_spec specs[CLGAN_CLASSIFIER_MAX_LAYERS];
        int n = 0;
        st = clgan_classifier_specs(&cfg.arch, specs, &n, NULL);
        if (st == CLGAN_OK) st = clgan_ckpt_check_net_size(r, path, "net", cfg.arch.c, cfg.arch.h, cfg.arch.w, specs, n, net_blocks(&cfg));
    }
    if (st == CLGAN_OK) st = clgan_classifier_create(ctx, &cfg, &clf);
    free(text); /* the classifier keeps a copy */
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
