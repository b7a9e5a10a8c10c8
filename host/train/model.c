/* model.c — the model handle of clgan/model.h over the five trainers: a GAN
 * (train/gan.h), a classifier (train/classifier.h), a semi-supervised GAN
 * (train/ssl.h), a head on a GAN discriminator's features
 * (train/dfeatures.h) and a grid detector (train/detector.h). Settings come
 * from the kinds' tables (settings.h). */
#include "clgan/model.h"
#include "clgan/augment.h"
#include "clgan/checkpoint.h"
#include "clgan/score.h"

#include "core/error.h"
#include "core/sha256.h"
#include "models/arch.h"
#include "train/classifier.h"
#include "train/detector.h"
#include "train/dist.h"
#include "train/dfeatures.h"
#include "train/gan_augment.h"
#include "train/gan_checkpoint.h"
#include "train/metrics.h"
#include "train/score.h"
#include "train/settings.h"
#include "train/ssl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct clgan_model {
    clgan_model_kind kind;
    clgan_ctx *ctx;
    clgan_gan *gan;         /* GAN; dfeatures: the GAN whose frozen D gives the features */
    clgan_classifier *clf;
    clgan_ssl *ssl;
    clgan_dhead *head;      /* dfeatures */
    clgan_detector *det;
    clgan_dhead_file file;  /* dfeatures: image shape, pooling, head config, steps, class names, the GAN file */
    char (*gan_classes)[64]; /* conditional GAN: its class names, "0", "1", ... (its checkpoints keep none) */
};

clgan_model_params clgan_model_default_params(clgan_model_kind kind)
{
    clgan_model_params p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    return p;
}

void clgan_model_free(clgan_model *m)
{
    if (!m) return;
    clgan_gan_free(m->gan);
    clgan_classifier_free(m->clf);
    clgan_ssl_free(m->ssl);
    clgan_dhead_free(m->head);
    clgan_detector_free(m->det);
    free(m->file.class_names);
    free(m->gan_classes);
    free(m);
}

/* The config struct of the model's kind (settings.h). */
static const void *model_config(const clgan_model *m)
{
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return clgan_gan_get_config(m->gan);
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_get_config(m->clf);
    case CLGAN_MODEL_SSL: return clgan_ssl_get_config(m->ssl);
    case CLGAN_MODEL_DFEATURES: return &m->file;
    case CLGAN_MODEL_DETECTOR: return clgan_detector_get_config(m->det);
    }
    return NULL;
}

static clgan_status need_model(const clgan_model *m, const char *what)
{
    return m ? CLGAN_OK : clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the model is NULL", what);
}

static clgan_status wrong_kind(const clgan_model *m, const char *what, const char *kinds)
{
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the %s model cannot; only %s", what, clgan_model_kind_name(m->kind),
                      kinds);
}

/* A conditional GAN's default class names. */
static clgan_status gan_class_names(clgan_model *m)
{
    int K = clgan_gan_get_config(m->gan)->arch.classes;
    if (K <= 0) return CLGAN_OK;
    m->gan_classes = calloc((size_t)K, sizeof *m->gan_classes);
    if (!m->gan_classes) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for class names");
    for (int k = 0; k < K; k++) snprintf(m->gan_classes[k], sizeof m->gan_classes[k], "%d", k);
    return CLGAN_OK;
}

/* ---- creating ------------------------------------------------------------ */

/* An architecture text, not a preset name: it has a section or a line break. */
static int is_text(const char *arch) { return arch && (strchr(arch, '[') || strchr(arch, '\n')); }

/* The preset name `name` (params->arch) into the config's model field (the
 * settings text may name it too, but not differently). */
static clgan_status take_preset(const clgan_model_params *p, const char *name, const char *set_model, char *model,
                                size_t cap)
{
    char esc[CLGAN_ESCAPE_CAP], esc2[CLGAN_ESCAPE_CAP];
    if (!name) return CLGAN_OK;
    if (set_model && strcmp(set_model, name))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch '%s' and the setting model=%s disagree",
                          clgan_escape_str(name, esc, sizeof esc), clgan_escape_str(set_model, esc2, sizeof esc2));
    if (strlen(name) >= cap)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch '%s' is no preset name of a %s model (too long)",
                          clgan_escape_str(name, esc, sizeof esc), clgan_model_kind_name(p->kind));
    snprintf(model, cap, "%s", name);
    return CLGAN_OK;
}

/* The settings text over the kind's defaults; *named_model (may be NULL)
 * points at the model the text named, if any. */
static clgan_status parse_settings(const clgan_model_params *p, void *cfg, const char *model_field, int *named_model)
{
    char before[64];
    snprintf(before, sizeof before, "%s", model_field ? model_field : "");
    TRY(clgan_settings_parse(p->kind, "settings", p->settings, cfg));
    if (named_model) *named_model = model_field && strcmp(before, model_field) != 0;
    return CLGAN_OK;
}

static clgan_status check_classes(const clgan_model_params *p, int lo, int hi)
{
    if (p->classes != 0 && (p->classes < lo || p->classes > hi))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d: a %s model takes %d to %d classes", p->classes,
                          clgan_model_kind_name(p->kind), lo, hi);
    return CLGAN_OK;
}

/* A GAN's G and D: preset names or texts. A preset name other than the
 * model's preset becomes that preset's text, so G and D may come from
 * different presets. */
static clgan_status gan_arch(const clgan_model_params *p, const char *set_model, clgan_gan_config *c)
{
    char esc[CLGAN_ESCAPE_CAP];
    if (is_text(p->arch) && !p->arch_d)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch_d: with G's architecture as a text, D's (a text or a preset "
                                                 "name) is required too");
    const char *name = !is_text(p->arch) && p->arch ? p->arch : !is_text(p->arch_d) ? p->arch_d : NULL;
    TRY(take_preset(p, name, set_model, c->arch.model, sizeof c->arch.model));
    if (is_text(p->arch)) c->arch.text_g = p->arch;
    if (is_text(p->arch_d)) c->arch.text_d = p->arch_d;
    else if (p->arch_d && strcmp(p->arch_d, c->arch.model)) {
        clgan_status st = clgan_arch_preset_text(p->arch_d, "d", &c->arch.text_d);
        if (st != CLGAN_OK)
            return clgan_fail(st, "arch_d '%s' is neither an architecture text nor a GAN preset; choose one of %s",
                              clgan_escape_str(p->arch_d, esc, sizeof esc), clgan_gan_model_names());
    }
    return CLGAN_OK;
}

static clgan_status create_gan(clgan_model *m, const clgan_model_params *p)
{
    clgan_gan_config c = clgan_gan_default_config();
    TRY(check_classes(p, 2, CLGAN_GAN_MAX_CLASSES));
    c.arch.conditional = p->classes > 0, c.arch.classes = p->classes;
    int named = 0;
    TRY(parse_settings(p, &c, c.arch.model, &named));
    TRY(gan_arch(p, named ? c.arch.model : NULL, &c));
    if (p->classes && c.arch.classes != p->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d and the setting classes=%d disagree", p->classes,
                          c.arch.classes);
    TRY(clgan_gan_create(m->ctx, &c, &m->gan));
    return gan_class_names(m);
}

static clgan_status create_classifier(clgan_model *m, const clgan_model_params *p)
{
    clgan_classifier_config c = clgan_classifier_default_config();
    TRY(check_classes(p, 2, CLGAN_CLASSIFIER_MAX_CLASSES));
    if (p->classes) c.arch.classes = p->classes;
    int named = 0;
    TRY(parse_settings(p, &c, c.arch.model, &named));
    if (p->arch_d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch_d: a classifier has one net; give only arch");
    if (is_text(p->arch)) c.arch.text = p->arch;
    else TRY(take_preset(p, p->arch, named ? c.arch.model : NULL, c.arch.model, sizeof c.arch.model));
    if (p->classes && c.arch.classes != p->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d and the setting classes=%d disagree", p->classes,
                          c.arch.classes);
    return clgan_classifier_create(m->ctx, &c, &m->clf);
}

static clgan_status create_detector(clgan_model *m, const clgan_model_params *p)
{
    clgan_detector_config c = clgan_detector_default_config();
    TRY(check_classes(p, 1, CLGAN_DETECTOR_MAX_CLASSES));
    if (p->classes) c.classes = p->classes;
    int named = 0;
    TRY(parse_settings(p, &c, c.model, &named));
    if (p->arch_d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch_d: a detector has one net; give only arch");
    if (is_text(p->arch)) c.text = p->arch;
    else TRY(take_preset(p, p->arch, named ? c.model : NULL, c.model, sizeof c.model));
    if (p->classes && c.classes != p->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d and the setting classes=%d disagree", p->classes,
                          c.classes);
    return clgan_detector_create(m->ctx, &c, &m->det);
}

static clgan_status create_ssl(clgan_model *m, const clgan_model_params *p)
{
    clgan_ssl_config c = clgan_ssl_default_config();
    TRY(check_classes(p, 2, CLGAN_SSL_MAX_CLASSES));
    if (p->classes) c.classes = p->classes;
    int named = 0;
    TRY(parse_settings(p, &c, c.model, &named));
    if (is_text(p->arch))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch: a semi-supervised model's G is the DCGAN generator of its "
                                                 "preset; give arch a preset name (ssl28, ssl32) and D's text as arch_d");
    TRY(take_preset(p, p->arch, named ? c.model : NULL, c.model, sizeof c.model));
    if (is_text(p->arch_d)) c.text_d = p->arch_d;
    else if (p->arch_d) TRY(take_preset(p, p->arch_d, p->arch ? p->arch : named ? c.model : NULL, c.model,
                                        sizeof c.model));
    if (p->classes && c.classes != p->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d and the setting classes=%d disagree", p->classes,
                          c.classes);
    return clgan_ssl_create(m->ctx, &c, &m->ssl);
}

/* dfeatures: the GAN file's shape and feature count against the head's file. */
static clgan_status check_head_gan(const clgan_model *m, const char *path)
{
    const clgan_dhead_file *f = &m->file;
    const clgan_gan_arch *a = &clgan_gan_get_config(m->gan)->arch;
    if (a->c != f->c || a->h != f->h || a->w != f->w)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s takes %dx%dx%d images; the head %s was trained on %dx%dx%d",
                          f->gan_path, a->w, a->h, a->c, path, f->w, f->h, f->c);
    int F = clgan_dfeat_dim(m->gan, &f->feat);
    if (F != f->head.features)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s expects %d features; %s's discriminator with pooling %d gives %d", path,
                          f->head.features, f->gan_path, f->feat.pool, F);
    if (f->feat.cond_label >= (a->conditional ? a->classes : 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "cond_label %d: %s's discriminator takes classes 0 to %d",
                          f->feat.cond_label, f->gan_path, a->conditional ? a->classes - 1 : 0);
    return CLGAN_OK;
}

static clgan_status default_class_names(clgan_dhead_file *f)
{
    int K = f->head.classes;
    f->class_names = calloc((size_t)K, sizeof *f->class_names);
    if (!f->class_names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for class names");
    for (int k = 0; k < K; k++) snprintf(f->class_names[k], sizeof f->class_names[k], "%d", k);
    return CLGAN_OK;
}

static clgan_status create_dfeatures(clgan_model *m, const clgan_model_params *p)
{
    clgan_dhead_file *f = &m->file;
    if (p->arch || p->arch_d)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "arch: a dfeatures head takes no architecture; the settings hidden "
                                                 "and pool shape it, the GAN checkpoint gives its features");
    if (!p->gan_checkpoint)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "gan_checkpoint: a dfeatures head needs the GAN checkpoint whose "
                                                 "discriminator gives its features");
    TRY(check_classes(p, 2, CLGAN_DHEAD_MAX_CLASSES));
    clgan_settings_defaults(CLGAN_MODEL_DFEATURES, f);
    if (p->classes) f->head.classes = p->classes;
    TRY(clgan_settings_parse(CLGAN_MODEL_DFEATURES, "settings", p->settings, f));
    if (p->classes && f->head.classes != p->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes %d and the setting classes=%d disagree", p->classes,
                          f->head.classes);
    if (f->head.classes < 2)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "classes: a dfeatures head needs 2 or more classes (params.classes "
                                                 "or the setting classes)");
    char cwd[2048]; /* saved heads name their GAN by absolute path */
    size_t need = sizeof f->gan_path;
    const char *g = p->gan_checkpoint;
    if (g[0] == '/') need = (size_t)snprintf(f->gan_path, sizeof f->gan_path, "%s", g);
    else if (getcwd(cwd, sizeof cwd)) need = (size_t)snprintf(f->gan_path, sizeof f->gan_path, "%s/%s", cwd, g);
    if (need >= sizeof f->gan_path)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "gan_checkpoint %s: cannot make its path absolute: %s", g,
                          g[0] == '/' ? "too long" : strerror(errno));
    TRY(clgan_sha256_file(f->gan_path, f->gan_sha256));
    TRY(clgan_gan_load(m->ctx, f->gan_path, &m->gan, NULL, 0));
    const clgan_gan_arch *a = &clgan_gan_get_config(m->gan)->arch;
    f->c = a->c, f->h = a->h, f->w = a->w;
    f->head.features = clgan_dfeat_dim(m->gan, &f->feat);
    TRY(check_head_gan(m, "the new head"));
    TRY(default_class_names(f));
    return clgan_dhead_create(m->ctx, &f->head, &m->head);
}

static clgan_status new_model(clgan_ctx *ctx, clgan_model_kind kind, clgan_model **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a model");
    (*out)->kind = kind, (*out)->ctx = ctx;
    return CLGAN_OK;
}

clgan_status clgan_model_create(clgan_ctx *ctx, const clgan_model_params *params, clgan_model **model)
{
    if (!model) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_create: model is NULL");
    *model = NULL;
    if (!ctx || !params) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_create: ctx and params are required");
    if (!clgan_model_kind_name(params->kind))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_create: unknown model kind %d", (int)params->kind);
    clgan_model *m;
    TRY(new_model(ctx, params->kind, &m));
    clgan_status st = CLGAN_OK;
    switch (params->kind) {
    case CLGAN_MODEL_GAN: st = create_gan(m, params); break;
    case CLGAN_MODEL_CLASSIFIER: st = create_classifier(m, params); break;
    case CLGAN_MODEL_SSL: st = create_ssl(m, params); break;
    case CLGAN_MODEL_DFEATURES: st = create_dfeatures(m, params); break;
    case CLGAN_MODEL_DETECTOR: st = create_detector(m, params); break;
    }
    if (st != CLGAN_OK) {
        clgan_model_free(m);
        return clgan_fail_context(st, "creating the %s model", clgan_model_kind_name(params->kind));
    }
    *model = m;
    return CLGAN_OK;
}

/* ---- loading and saving -------------------------------------------------- */

static clgan_status load_dfeatures(clgan_model *m, const char *path)
{
    clgan_dhead_file *f = &m->file;
    TRY(clgan_dhead_load(NULL, path, NULL, f)); /* the file's settings first: which GAN, which digest */
    char sha[65], why[512];
    clgan_status st = clgan_sha256_file(f->gan_path, sha);
    if (st != CLGAN_OK) {
        snprintf(why, sizeof why, "%s", clgan_last_error());
        return clgan_fail(st, "%s is a head on the discriminator of %s, which it does not copy; that file must be "
                              "readable at that path (%s)",
                          path, f->gan_path, why);
    }
    if (strcmp(sha, f->gan_sha256) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s has changed since the head %s was trained on it (SHA-256 %.16s..., "
                                            "was %.16s...)",
                          f->gan_path, path, sha, f->gan_sha256);
    TRY(clgan_gan_load(m->ctx, f->gan_path, &m->gan, NULL, 0));
    TRY(check_head_gan(m, path));
    free(f->class_names); /* read again with the head */
    f->class_names = NULL;
    return clgan_dhead_load(m->ctx, path, &m->head, f);
}

clgan_status clgan_model_load(clgan_ctx *ctx, const char *path, clgan_model **model, char *note, size_t note_cap)
{
    if (!model) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_load: model is NULL");
    *model = NULL;
    if (!ctx || !path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_load: ctx and path are required");
    if (note && note_cap) note[0] = '\0';
    char kind[32], esc[CLGAN_ESCAPE_CAP];
    clgan_model_kind k;
    TRY(clgan_checkpoint_kind(path, kind, sizeof kind, &k));
    if (!k)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint; a model is one of clgan-gan, clgan-classifier, "
                                            "clgan-ssl, clgan-dfeatures or clgan-detector",
                          path, clgan_escape_str(kind, esc, sizeof esc));
    clgan_model *m;
    clgan_status st = CLGAN_OK;
    TRY(new_model(ctx, k, &m));
    switch (m->kind) {
    case CLGAN_MODEL_GAN:
        st = clgan_gan_load(ctx, path, &m->gan, note, note_cap);
        if (st == CLGAN_OK) st = gan_class_names(m);
        break;
    case CLGAN_MODEL_CLASSIFIER: st = clgan_classifier_load(ctx, path, &m->clf, note, note_cap); break;
    case CLGAN_MODEL_SSL: st = clgan_ssl_load(ctx, path, &m->ssl, note, note_cap); break;
    case CLGAN_MODEL_DFEATURES: st = load_dfeatures(m, path); break;
    case CLGAN_MODEL_DETECTOR: st = clgan_detector_load(ctx, path, &m->det, note, note_cap); break;
    }
    if (st != CLGAN_OK) {
        clgan_model_free(m);
        return st;
    }
    *model = m;
    return CLGAN_OK;
}

clgan_status clgan_model_save(clgan_model *m, const char *path, const char *note)
{
    TRY(need_model(m, "clgan_model_save"));
    if (!path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_save: path is NULL");
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return clgan_gan_save(m->gan, path, note);
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_save(m->clf, path, note);
    case CLGAN_MODEL_SSL: return clgan_ssl_save(m->ssl, path, note);
    case CLGAN_MODEL_DFEATURES: return clgan_dhead_save(m->head, path, &m->file); /* a head file keeps no note */
    case CLGAN_MODEL_DETECTOR: return clgan_detector_save(m->det, path, note);
    }
    return wrong_kind(m, "clgan_model_save", "gan, classifier, ssl, dfeatures or detector");
}

/* ---- what a model is ----------------------------------------------------- */

static int64_t step_count(const clgan_model *m)
{
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return clgan_gan_step_count(m->gan);
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_step_count(m->clf);
    case CLGAN_MODEL_SSL: return clgan_ssl_step_count(m->ssl);
    case CLGAN_MODEL_DFEATURES: return m->file.steps;
    case CLGAN_MODEL_DETECTOR: return clgan_detector_step_count(m->det);
    }
    return 0;
}

static int class_count(const clgan_model *m)
{
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return clgan_gan_get_config(m->gan)->arch.classes;
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_get_config(m->clf)->arch.classes;
    case CLGAN_MODEL_SSL: return clgan_ssl_get_config(m->ssl)->classes;
    case CLGAN_MODEL_DFEATURES: return m->file.head.classes;
    case CLGAN_MODEL_DETECTOR: return clgan_detector_get_config(m->det)->classes;
    }
    return 0;
}

/* The model's trainable nets, by their names. */
typedef struct named_net {
    const char *name;
    clgan_net *net;
} named_net;

static int model_nets(const clgan_model *m, named_net nets[2])
{
    switch (m->kind) {
    case CLGAN_MODEL_GAN:
        nets[0] = (named_net){"G", clgan_gan_generator(m->gan)}, nets[1] = (named_net){"D", clgan_gan_discriminator(m->gan)};
        return 2;
    case CLGAN_MODEL_CLASSIFIER: nets[0] = (named_net){"C", clgan_classifier_net(m->clf)}; return 1;
    case CLGAN_MODEL_SSL:
        nets[0] = (named_net){"G", clgan_ssl_generator(m->ssl)}, nets[1] = (named_net){"D", clgan_ssl_discriminator(m->ssl)};
        return 2;
    case CLGAN_MODEL_DFEATURES:
        nets[0] = (named_net){"head", clgan_dhead_net(m->head)};
        nets[1] = (named_net){"D", clgan_gan_discriminator(m->gan)}; /* frozen: not trained, not counted */
        return 2;
    case CLGAN_MODEL_DETECTOR: nets[0] = (named_net){"C", clgan_detector_net(m->det)}; return 1;
    }
    return 0;
}

clgan_status clgan_model_get_info(const clgan_model *m, clgan_model_info *info)
{
    TRY(need_model(m, "clgan_model_get_info"));
    if (!info) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_get_info: info is NULL");
    memset(info, 0, sizeof *info);
    info->kind = m->kind;
    info->classes = class_count(m);
    info->steps = step_count(m);
    const char *arch = "";
    switch (m->kind) {
    case CLGAN_MODEL_GAN: {
        const clgan_gan_config *c = clgan_gan_get_config(m->gan);
        info->channels = c->arch.c, info->height = c->arch.h, info->width = c->arch.w;
        info->batch = c->batch, info->nz = c->arch.nz, arch = c->arch.model;
        break;
    }
    case CLGAN_MODEL_CLASSIFIER: {
        const clgan_classifier_config *c = clgan_classifier_get_config(m->clf);
        info->channels = c->arch.c, info->height = c->arch.h, info->width = c->arch.w;
        info->batch = c->batch, arch = c->arch.model;
        break;
    }
    case CLGAN_MODEL_SSL: {
        const clgan_ssl_config *c = clgan_ssl_get_config(m->ssl);
        info->channels = c->c, info->height = c->h, info->width = c->w;
        info->batch = c->batch, info->nz = c->nz, arch = c->model;
        break;
    }
    case CLGAN_MODEL_DFEATURES:
        info->channels = m->file.c, info->height = m->file.h, info->width = m->file.w;
        info->batch = m->file.head.batch;
        arch = clgan_gan_get_config(m->gan)->arch.model; /* the features are its D's */
        break;
    case CLGAN_MODEL_DETECTOR: {
        const clgan_detector_config *c = clgan_detector_get_config(m->det);
        info->channels = c->c, info->height = c->h, info->width = c->w;
        info->batch = c->batch, arch = c->model;
        break;
    }
    }
    snprintf(info->arch, sizeof info->arch, "%s", arch);
    named_net nets[2];
    int n = model_nets(m, nets);
    if (m->kind == CLGAN_MODEL_DFEATURES) n = 1; /* the frozen D is not trained */
    for (int i = 0; i < n; i++) info->params += clgan_net_param_count(nets[i].net);
    return CLGAN_OK;
}

clgan_status clgan_model_get_setting(const clgan_model *m, const char *name, char *value, size_t cap)
{
    TRY(need_model(m, "clgan_model_get_setting"));
    char esc[CLGAN_ESCAPE_CAP];
    const clgan_setting_row *r = clgan_settings_row(m->kind, name);
    if (!r || (r->flags & CLGAN_ROW_HIDDEN))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a %s model has no setting '%s'", clgan_model_kind_name(m->kind),
                          clgan_escape_str(name, esc, sizeof esc));
    if (!value || !cap) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_get_setting: no room for the value");
    if (clgan_settings_format(r, model_config(m), value, cap) >= cap)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "setting '%s': its value does not fit %zu bytes", name, cap);
    return CLGAN_OK;
}

const char *clgan_model_class_name(const clgan_model *m, int k)
{
    if (!m || k < 0 || k >= class_count(m)) return NULL;
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return m->gan_classes[k];
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_class_name(m->clf, k);
    case CLGAN_MODEL_SSL: return clgan_ssl_class_name(m->ssl, k);
    case CLGAN_MODEL_DFEATURES: return m->file.class_names[k];
    case CLGAN_MODEL_DETECTOR: return clgan_detector_class_name(m->det, k);
    }
    return NULL;
}

clgan_status clgan_model_set_class_name(clgan_model *m, int k, const char *name)
{
    TRY(need_model(m, "clgan_model_set_class_name"));
    int K = class_count(m);
    if (m->kind == CLGAN_MODEL_GAN)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "class names: a GAN checkpoint keeps none (the run's note names "
                                                 "the data's classes)");
    if (k < 0 || k >= K) return clgan_fail(CLGAN_ERR_INVALID_ARG, "class %d: the model has classes 0 to %d", k, K - 1);
    if (!name || strlen(name) > 63)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "class %d: a name is 1 to 63 bytes", k);
    if (m->kind == CLGAN_MODEL_DFEATURES) {
        snprintf(m->file.class_names[k], sizeof m->file.class_names[k], "%s", name);
        return CLGAN_OK;
    }
    if (m->kind == CLGAN_MODEL_DETECTOR) return clgan_detector_set_class_name(m->det, k, name);
    char (*names)[64] = malloc((size_t)K * sizeof *names);
    if (!names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for class names");
    for (int i = 0; i < K; i++) snprintf(names[i], sizeof names[i], "%s", i == k ? name : clgan_model_class_name(m, i));
    if (m->kind == CLGAN_MODEL_CLASSIFIER) clgan_classifier_set_class_names(m->clf, (const char (*)[64])names);
    else clgan_ssl_set_class_names(m->ssl, (const char (*)[64])names);
    free(names);
    return CLGAN_OK;
}

const char *clgan_model_arch_text(const clgan_model *m, const char *net)
{
    if (!m || !net) return NULL;
    const char *text = NULL;
    clgan_status st = CLGAN_ERR_INVALID_ARG;
    int g = !strcmp(net, "G"), d = !strcmp(net, "D");
    switch (m->kind) {
    case CLGAN_MODEL_GAN:
        if (g || d) st = clgan_gan_arch_text(&clgan_gan_get_config(m->gan)->arch, g ? "g" : "d", &text);
        break;
    case CLGAN_MODEL_CLASSIFIER:
        if (!strcmp(net, "C")) st = clgan_classifier_arch_text(&clgan_classifier_get_config(m->clf)->arch, &text);
        break;
    case CLGAN_MODEL_SSL: {
        const clgan_ssl_config *c = clgan_ssl_get_config(m->ssl);
        char gan[16];
        snprintf(gan, sizeof gan, "dcgan%d", c->h); /* G: the DCGAN generator of the image size */
        if (d) st = clgan_ssl_arch_text(c, &text);
        else if (g) st = clgan_arch_preset_text(gan, "g", &text);
        break;
    }
    case CLGAN_MODEL_DFEATURES:
        if (!strcmp(net, "head")) st = clgan_arch_preset_text(m->file.head.hidden > 0 ? "dhead-mlp" : "dhead", "h", &text);
        else if (d) st = clgan_gan_arch_text(&clgan_gan_get_config(m->gan)->arch, "d", &text);
        break;
    case CLGAN_MODEL_DETECTOR:
        if (!strcmp(net, "C")) text = clgan_detector_arch_text(m->det), st = text ? CLGAN_OK : CLGAN_ERR_INVALID_ARG;
        break;
    }
    return st == CLGAN_OK ? text : NULL;
}

/* The layer table the trainer built net i of model_nets() from, as a parsed
 * architecture (input shape, specs, feature layer), for the summary table. */
static clgan_status net_layers(const clgan_model *m, int i, clgan_arch *a)
{
    memset(a, 0, sizeof *a);
    a->feature_layer = -1;
    switch (m->kind) {
    case CLGAN_MODEL_GAN: {
        const clgan_gan_arch *g = &clgan_gan_get_config(m->gan)->arch;
        if (i == 0) {
            a->in_c = g->nz, a->in_h = a->in_w = 1;
            return clgan_gan_generator_specs(g, a->specs, &a->n);
        }
        a->in_c = g->c, a->in_h = g->h, a->in_w = g->w;
        return clgan_gan_discriminator_specs(g, a->specs, &a->n, &a->feature_layer);
    }
    case CLGAN_MODEL_CLASSIFIER: {
        const clgan_classifier_arch *c = &clgan_classifier_get_config(m->clf)->arch;
        a->in_c = c->c, a->in_h = c->h, a->in_w = c->w;
        return clgan_classifier_specs(c, a->specs, &a->n, &a->feature_layer);
    }
    case CLGAN_MODEL_SSL: {
        const clgan_ssl_config *c = clgan_ssl_get_config(m->ssl);
        clgan_arch other;
        if (i == 0) a->in_c = c->nz, a->in_h = a->in_w = 1;
        else a->in_c = c->c, a->in_h = c->h, a->in_w = c->w, a->feature_layer = clgan_ssl_feature_layer(m->ssl);
        return i == 0 ? clgan_ssl_specs(c, a->specs, &a->n, other.specs, &other.n)
                      : clgan_ssl_specs(c, other.specs, &other.n, a->specs, &a->n);
    }
    case CLGAN_MODEL_DFEATURES:
        if (i == 0) {
            a->in_c = m->file.head.features, a->in_h = a->in_w = 1;
            return clgan_dhead_specs(&m->file.head, a->specs, &a->n, NULL);
        }
        a->in_c = m->file.c, a->in_h = m->file.h, a->in_w = m->file.w;
        a->feature_layer = clgan_dfeat_layer(m->gan);
        return clgan_gan_discriminator_specs(&clgan_gan_get_config(m->gan)->arch, a->specs, &a->n, NULL);
    case CLGAN_MODEL_DETECTOR: {
        clgan_detector_config c = *clgan_detector_get_config(m->det);
        clgan_arch *parsed;
        TRY(clgan_detector_resolve(&c, &parsed));
        a->in_c = c.c, a->in_h = c.h, a->in_w = c.w, a->n = parsed->n;
        memcpy(a->specs, parsed->specs, sizeof a->specs[0] * (size_t)parsed->n);
        clgan_arch_free(parsed);
        return CLGAN_OK;
    }
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown model kind %d", (int)m->kind);
}

clgan_status clgan_model_describe(const clgan_model *m, char *out, size_t cap)
{
    TRY(need_model(m, "clgan_model_describe"));
    if (!out || !cap) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_describe: no room for the text");
    named_net nets[2];
    int n = model_nets(m, nets);
    clgan_model_info info;
    TRY(clgan_model_get_info(m, &info));
    clgan_arch *a = malloc(sizeof *a);
    if (!a) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory describing a model");
    size_t at = 0;
    out[0] = '\0';
    clgan_status st = CLGAN_OK;
    for (int i = 0; i < n && st == CLGAN_OK; i++) {
        st = net_layers(m, i, a);
        if (st != CLGAN_OK) break;
        snprintf(a->source, sizeof a->source, "net %s", nets[i].name);
        int k = snprintf(out + at, cap - at, "%s%s%s:\n", i ? "\n" : "", nets[i].name,
                         m->kind == CLGAN_MODEL_DFEATURES && i == 1 ? " (the GAN's, frozen)" : "");
        if (k < 0 || (size_t)k >= cap - at) {
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "the model's summary does not fit in %zu bytes", cap);
            break;
        }
        at += (size_t)k;
        st = clgan_arch_summary_text(a, info.batch, out + at, cap - at);
        at += strlen(out + at);
    }
    free(a);
    return st;
}

clgan_net *clgan_model_net(clgan_model *m, const char *name)
{
    if (!m || !name) return NULL;
    named_net nets[2];
    int n = model_nets(m, nets);
    for (int i = 0; i < n; i++)
        if (!strcmp(nets[i].name, name)) return nets[i].net;
    if (m->kind == CLGAN_MODEL_GAN && !strcmp(name, "G_ema")) return clgan_gan_generator_ema(m->gan); /* not trained */
    return NULL;
}

/* ---- training and inference ---------------------------------------------- */

static void put(clgan_step_stats *s, const char *name, double v)
{
    if (s && s->count < CLGAN_STATS_MAX) s->names[s->count] = name, s->values[s->count++] = v;
}

/* The losses of a step must be finite. */
static clgan_status check_losses(const clgan_model *m, const clgan_step_stats *s, int n_losses)
{
    for (int i = 0; i < n_losses; i++)
        if (!isfinite(s->values[i]))
            return clgan_fail(CLGAN_ERR_CHECK_FAILED, "%s training diverged at step %lld: %s is %g",
                              clgan_model_kind_name(m->kind), (long long)step_count(m), s->names[i], s->values[i]);
    return CLGAN_OK;
}

clgan_status clgan_model_train_step(clgan_model *m, const float *images, const int32_t *labels,
                                    clgan_step_stats *stats)
{
    TRY(need_model(m, "clgan_model_train_step"));
    if (!images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_train_step: images is NULL");
    clgan_step_stats s;
    memset(&s, 0, sizeof s);
    int losses = 0;
    switch (m->kind) {
    case CLGAN_MODEL_GAN: {
        clgan_gan_stats g;
        TRY(clgan_gan_train_step(m->gan, images, labels, &g));
        put(&s, "loss_d", g.loss_d), put(&s, "loss_g", g.loss_g), put(&s, "d_real", g.d_real), put(&s, "d_fake", g.d_fake);
        losses = 2;
        break;
    }
    case CLGAN_MODEL_CLASSIFIER: {
        clgan_classifier_stats c;
        if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_train_step: a classifier needs labels");
        TRY(clgan_classifier_train_step(m->clf, images, labels, &c));
        put(&s, "loss", c.loss), put(&s, "accuracy", c.accuracy), put(&s, "lr", c.lr), put(&s, "labelled", c.labelled);
        losses = 1;
        break;
    }
    case CLGAN_MODEL_SSL: {
        const clgan_ssl_config *c = clgan_ssl_get_config(m->ssl);
        if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_train_step: ssl needs the labelled batch's labels");
        clgan_ssl_stats t;
        const float *unl = images + (size_t)clgan_model_local_batch(m) * c->c * c->h * c->w;
        TRY(clgan_ssl_train_step(m->ssl, images, labels, unl, &t));
        put(&s, "loss_lab", t.loss_lab), put(&s, "loss_unl", t.loss_unl), put(&s, "loss_fake", t.loss_fake);
        put(&s, "loss_fm", t.loss_fm), put(&s, "acc_lab", t.acc_lab), put(&s, "d_real", t.d_real);
        put(&s, "d_fake", t.d_fake), put(&s, "lr", t.lr);
        losses = c->unlabelled_weight == 0 ? 1 : 4; /* supervised only: no unlabelled, fake or matching loss */
        break;
    }
    case CLGAN_MODEL_DFEATURES:
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_train_step: a dfeatures head trains on a whole set at "
                                                 "once (clgan_model_fit)");
    case CLGAN_MODEL_DETECTOR:
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_train_step: a detector trains on boxes "
                                                 "(clgan_model_train_step_boxes)");
    }
    if (stats) *stats = s;
    return check_losses(m, &s, losses);
}

/* ---- data-parallel training (train/dist.h) --------------------------------- */

static const clgan_data_parallel *parallel_of(const clgan_model *m)
{
    switch (m->kind) {
    case CLGAN_MODEL_GAN: return &clgan_gan_get_config(m->gan)->parallel;
    case CLGAN_MODEL_CLASSIFIER: return &clgan_classifier_get_config(m->clf)->parallel;
    case CLGAN_MODEL_SSL: return &clgan_ssl_get_config(m->ssl)->parallel;
    case CLGAN_MODEL_DFEATURES: case CLGAN_MODEL_DETECTOR: break;
    }
    return NULL;
}

int clgan_model_local_batch(const clgan_model *m)
{
    clgan_model_info info;
    if (clgan_model_get_info(m, &info) != CLGAN_OK) return 0;
    const clgan_data_parallel *dp = parallel_of(m);
    return dp && dp->reducer ? info.batch / dp->reducer->ranks : info.batch;
}

clgan_status clgan_model_set_data_parallel(clgan_model *m, const clgan_reducer *reducer, int sync_bn)
{
    TRY(need_model(m, "clgan_model_set_data_parallel"));
    if (m->kind == CLGAN_MODEL_DFEATURES || m->kind == CLGAN_MODEL_DETECTOR) {
        if (!reducer || reducer->ranks <= 1) return CLGAN_OK; /* one process: nothing to set up */
        return wrong_kind(m, "data-parallel training", "gan, classifier and ssl");
    }
    clgan_data_parallel dp = {reducer && reducer->ranks > 1 ? reducer : NULL, 0};
    dp.sync_bn = dp.reducer && sync_bn;
    const clgan_data_parallel *now = parallel_of(m);
    if (now->reducer == dp.reducer && now->sync_bn == dp.sync_bn) return CLGAN_OK; /* as it is */
    clgan_model fresh = *m;
    clgan_status st = CLGAN_OK;
    switch (m->kind) {
    case CLGAN_MODEL_GAN: {
        clgan_gan_config c = *clgan_gan_get_config(m->gan);
        c.parallel = dp;
        st = clgan_gan_create(m->ctx, &c, &fresh.gan);
        if (st == CLGAN_OK) clgan_gan_set_step_count(fresh.gan, clgan_gan_step_count(m->gan));
        break;
    }
    case CLGAN_MODEL_CLASSIFIER: {
        clgan_classifier_config c = *clgan_classifier_get_config(m->clf);
        c.parallel = dp;
        st = clgan_classifier_create(m->ctx, &c, &fresh.clf);
        if (st == CLGAN_OK) {
            clgan_classifier_set_step_count(fresh.clf, clgan_classifier_step_count(m->clf));
            clgan_classifier_set_class_names(fresh.clf, clgan_classifier_class_names(m->clf));
        }
        break;
    }
    case CLGAN_MODEL_SSL: {
        clgan_ssl_config c = *clgan_ssl_get_config(m->ssl);
        c.parallel = dp;
        st = clgan_ssl_create(m->ctx, &c, &fresh.ssl);
        if (st == CLGAN_OK) {
            clgan_ssl_set_step_count(fresh.ssl, clgan_ssl_step_count(m->ssl));
            clgan_ssl_set_class_names(fresh.ssl, clgan_ssl_class_names(m->ssl));
        }
        break;
    }
    case CLGAN_MODEL_DFEATURES: case CLGAN_MODEL_DETECTOR: break;
    }
    named_net from[2], to[2];
    int n = st == CLGAN_OK ? model_nets(m, from) : 0;
    if (st == CLGAN_OK) model_nets(&fresh, to);
    for (int i = 0; i < n && st == CLGAN_OK; i++) st = clgan_net_copy_state(to[i].net, from[i].net);
    if (st == CLGAN_OK && m->kind == CLGAN_MODEL_GAN && clgan_gan_generator_ema(m->gan))
        st = clgan_net_copy_state(clgan_gan_generator_ema(fresh.gan), clgan_gan_generator_ema(m->gan));
    /* The model keeps the trainer that works: the new one, or on failure the old one. */
    clgan_gan *gan = m->gan;
    clgan_classifier *clf = m->clf;
    clgan_ssl *ssl = m->ssl;
    if (st != CLGAN_OK) gan = fresh.gan, clf = fresh.clf, ssl = fresh.ssl;
    else m->gan = fresh.gan, m->clf = fresh.clf, m->ssl = fresh.ssl;
    if (gan != m->gan) clgan_gan_free(gan);
    if (clf != m->clf) clgan_classifier_free(clf);
    if (ssl != m->ssl) clgan_ssl_free(ssl);
    return st == CLGAN_OK ? CLGAN_OK : clgan_fail_context(st, "setting up data-parallel training");
}

/* dfeatures: the frozen D's features of n images, [n*F] (freed by the caller). */
static clgan_status features_of(clgan_model *m, int n, const float *images, float **feats)
{
    size_t F = (size_t)m->file.head.features;
    *feats = malloc((size_t)n * F * sizeof **feats);
    if (!*feats) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d images' features", n);
    clgan_status st = clgan_dfeat_extract(m->ctx, m->gan, &m->file.feat, n, images, *feats);
    if (st != CLGAN_OK) free(*feats), *feats = NULL;
    return st;
}

clgan_status clgan_model_fit(clgan_model *m, int n, const float *images, const int32_t *labels,
                             clgan_step_stats *stats)
{
    TRY(need_model(m, "clgan_model_fit"));
    if (m->kind != CLGAN_MODEL_DFEATURES) return wrong_kind(m, "clgan_model_fit", "a dfeatures head (train_step trains the others)");
    if (n < 1 || !images || !labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_fit: needs n >= 1 images and their labels");
    float *feats;
    TRY(features_of(m, n, images, &feats));
    clgan_dhead_stats h;
    clgan_status st = clgan_dhead_train(m->head, n, feats, labels, &h);
    free(feats);
    TRY(st);
    m->file.steps += h.steps;
    clgan_step_stats s;
    memset(&s, 0, sizeof s);
    put(&s, "first_loss", h.first_loss), put(&s, "last_loss", h.last_loss);
    put(&s, "train_accuracy", h.train_accuracy), put(&s, "steps", (double)h.steps);
    if (stats) *stats = s;
    return CLGAN_OK;
}

clgan_status clgan_model_sample(clgan_model *m, int n, const int32_t *labels, uint64_t seed, float *images)
{
    TRY(need_model(m, "clgan_model_sample"));
    if (n < 1 || !images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_sample: needs n >= 1 and an output array");
    if (m->kind == CLGAN_MODEL_GAN) return clgan_gan_sample(m->gan, n, labels, seed, images);
    if (m->kind == CLGAN_MODEL_SSL) {
        if (labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_sample: an ssl generator takes no labels");
        return clgan_ssl_sample(m->ssl, n, seed, images);
    }
    return wrong_kind(m, "clgan_model_sample", "gan and ssl models have a generator");
}

clgan_status clgan_model_set_sample_ema(clgan_model *m, int on)
{
    TRY(need_model(m, "clgan_model_set_sample_ema"));
    if (m->kind != CLGAN_MODEL_GAN)
        return wrong_kind(m, "clgan_model_set_sample_ema", "a gan model keeps a moving average");
    clgan_gan_set_sample_ema(m->gan, on);
    return CLGAN_OK;
}

clgan_status clgan_model_predict(clgan_model *m, int n, const float *images, float *probs)
{
    TRY(need_model(m, "clgan_model_predict"));
    if (n < 1 || !images || !probs)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_predict: needs n >= 1, images and an output array");
    switch (m->kind) {
    case CLGAN_MODEL_CLASSIFIER: return clgan_classifier_predict(m->clf, n, images, probs);
    case CLGAN_MODEL_SSL: return clgan_ssl_predict(m->ssl, n, images, probs);
    case CLGAN_MODEL_DFEATURES: {
        float *feats;
        TRY(features_of(m, n, images, &feats));
        int32_t *pred = malloc((size_t)n * sizeof *pred);
        clgan_status st = pred ? clgan_dhead_predict(m->head, n, feats, pred, probs)
                               : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d predictions", n);
        free(pred), free(feats);
        return st;
    }
    case CLGAN_MODEL_GAN: case CLGAN_MODEL_DETECTOR: break;
    }
    return wrong_kind(m, "clgan_model_predict", "classifier, ssl and dfeatures models classify");
}

clgan_status clgan_model_evaluate(clgan_model *m, const clgan_dataset *d, int64_t *confusion, double *accuracy)
{
    TRY(need_model(m, "clgan_model_evaluate"));
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_evaluate: the dataset is NULL");
    if (m->kind == CLGAN_MODEL_GAN || m->kind == CLGAN_MODEL_DETECTOR)
        return wrong_kind(m, "clgan_model_evaluate", "classifier, ssl and dfeatures models (a detector: "
                          "clgan_model_evaluate_boxes)");
    int K = class_count(m);
    int64_t *cm = confusion ? confusion : calloc((size_t)K * K, sizeof *cm);
    if (!cm) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for a confusion matrix");
    clgan_status st = CLGAN_OK;
    if (m->kind == CLGAN_MODEL_CLASSIFIER) st = clgan_classifier_evaluate(m->clf, d, cm);
    else if (m->kind == CLGAN_MODEL_SSL) st = clgan_ssl_evaluate(m->ssl, d, cm);
    else if (d->c != m->file.c || d->h != m->file.h || d->w != m->file.w || d->classes != K)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "the data's %dx%dx%d images in %d classes do not fit the head's "
                                               "%dx%dx%d in %d",
                        d->w, d->h, d->c, d->classes, m->file.w, m->file.h, m->file.c, K);
    else {
        float *feats = malloc((size_t)(d->n > 0 ? d->n : 1) * m->file.head.features * sizeof *feats);
        st = feats ? clgan_dfeat_extract_dataset(m->ctx, m->gan, &m->file.feat, d, feats)
                   : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for the data's features");
        if (st == CLGAN_OK) st = clgan_dhead_evaluate(m->head, d->n, feats, d->labels, cm);
        free(feats);
    }
    if (st == CLGAN_OK && accuracy) *accuracy = clgan_accuracy(cm, K);
    if (!confusion) free(cm);
    return st;
}

/* ---- scoring features (clgan/score.h) -------------------------------------- */
clgan_status clgan_model_feature_dim(const clgan_model *m, int *dim)
{
    TRY(need_model(m, "clgan_model_feature_dim"));
    if (!dim) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_feature_dim: dim is NULL");
    if (m->kind == CLGAN_MODEL_CLASSIFIER) *dim = clgan_score_feature_dim(m->clf);
    else if (m->kind == CLGAN_MODEL_SSL) *dim = clgan_score_ssl_feature_dim(m->ssl);
    else return wrong_kind(m, "clgan_model_feature_dim", "classifier and ssl models have scoring features");
    return CLGAN_OK;
}

clgan_status clgan_model_features(clgan_model *m, int n, const float *images, float *features, float *probs)
{
    int F;
    TRY(clgan_model_feature_dim(m, &F));
    if (n < 1 || !images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_features: needs n >= 1 images");
    if (m->kind == CLGAN_MODEL_CLASSIFIER) return clgan_score_features(m->ctx, m->clf, n, images, features, probs);
    return clgan_score_ssl_features(m->ctx, m->ssl, n, images, features, probs);
}

/* ---- GAN augmentation (clgan/augment.h) ----------------------------------- */
clgan_status clgan_model_augment(clgan_model *m, const clgan_dataset *d, clgan_gan_augment_mode mode, double ratio,
                                 uint64_t seed, clgan_dataset **out, int *generated)
{
    if (out) *out = NULL;
    TRY(need_model(m, "clgan_model_augment"));
    if (!d || !out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_augment: the dataset and out are required");
    if (m->kind != CLGAN_MODEL_GAN) return wrong_kind(m, "clgan_model_augment", "a conditional gan model generates");
    return clgan_gan_augment(m->gan, d, mode, ratio, seed, out, generated);
}

clgan_status clgan_model_generate(clgan_model *m, const int *want, uint64_t seed, clgan_dataset **out)
{
    if (out) *out = NULL;
    TRY(need_model(m, "clgan_model_generate"));
    if (!want || !out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_generate: want and out are required");
    if (m->kind != CLGAN_MODEL_GAN) return wrong_kind(m, "clgan_model_generate", "a conditional gan model generates");
    const clgan_gan_arch *a = &clgan_gan_get_config(m->gan)->arch;
    if (!a->conditional)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the GAN (%s) is unconditional: it cannot make images of a chosen "
                          "class (train-gan --conditional)", a->model);
    int n = 0;
    for (int k = 0; k < a->classes; k++) {
        if (want[k] < 0 || want[k] > 100000000 - n)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_generate: %d images of class %d", want[k], k);
        n += want[k];
    }
    if (n < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_generate: no image asked for");
    clgan_dataset *d;
    TRY(clgan_dataset_alloc(n, a->c, a->h, a->w, a->classes, &d));
    for (int k = 0; k < a->classes && d->class_names; k++) {
        const char *name = clgan_model_class_name(m, k);
        snprintf(d->class_names[k], sizeof d->class_names[k], "%s", name ? name : "");
    }
    clgan_status st = clgan_gan_generate(m->gan, want, seed, d->pixels, d->labels);
    if (st != CLGAN_OK) {
        clgan_dataset_free(d);
        return st;
    }
    snprintf(d->source, sizeof d->source, "%d images made by the conditional GAN %s", n, a->model);
    *out = d;
    return CLGAN_OK;
}

clgan_gan_filter clgan_gan_filter_default(clgan_model *classifier)
{
    return (clgan_gan_filter){.classifier = classifier, .min_confidence = 0.5, .top_share = 0, .max_tries = 20};
}

/* The filter's confidence callback: the classifier model's probability of cls. */
typedef struct filter_scorer {
    clgan_model *m;
    int K;
    float *probs; /* [CLGAN_GAN_AUGMENT_CHUNK * K] */
} filter_scorer;

static clgan_status filter_confidence(void *user, int n, const float *images, int cls, float *conf)
{
    filter_scorer *f = user;
    TRY(clgan_model_predict(f->m, n, images, f->probs));
    for (int i = 0; i < n; i++) conf[i] = f->probs[(size_t)i * f->K + cls];
    return CLGAN_OK;
}

clgan_status clgan_model_augment_filtered(clgan_model *m, const clgan_dataset *d, clgan_gan_augment_mode mode,
                                          double ratio, uint64_t seed, const clgan_gan_filter *filter,
                                          clgan_dataset **out, int *generated, int *tried)
{
    if (out) *out = NULL;
    TRY(need_model(m, "clgan_model_augment_filtered"));
    if (!d || !out || !filter)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_augment_filtered: the dataset, filter and out are required");
    if (m->kind != CLGAN_MODEL_GAN)
        return wrong_kind(m, "clgan_model_augment_filtered", "a conditional gan model generates");
    clgan_model *c = filter->classifier;
    TRY(need_model(c, "the GAN augmentation filter"));
    if (c->kind == CLGAN_MODEL_GAN)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the GAN augmentation filter needs a model that classifies "
                          "(classifier, ssl or dfeatures), not a gan model");
    clgan_model_info ci;
    TRY(clgan_model_get_info(c, &ci));
    if (ci.classes != d->classes || ci.channels != d->c || ci.height != d->h || ci.width != d->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "the filter's classifier takes %dx%dx%d images (CxHxW) in %d classes; "
                          "the data has %dx%dx%d in %d (%s)", ci.channels, ci.height, ci.width, ci.classes, d->c, d->h,
                          d->w, d->classes, d->source);
    filter_scorer fs = {.m = c, .K = ci.classes};
    fs.probs = malloc((size_t)CLGAN_GAN_AUGMENT_CHUNK * ci.classes * sizeof *fs.probs);
    if (!fs.probs) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for the filter's probabilities");
    clgan_gan_augment_filter f = {.confidence = filter_confidence, .user = &fs, .min_confidence = filter->min_confidence,
                                  .top_share = filter->top_share, .max_tries = filter->max_tries};
    clgan_status st = clgan_gan_augment_filtered(m->gan, d, mode, ratio, seed, &f, out, generated, tried);
    free(fs.probs);
    return st;
}

/* ---- a checkpoint's settings without a model (clgan/checkpoint.h) --------- */
clgan_status clgan_checkpoint_settings(const char *path, char **text)
{
    if (!path || !text) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_checkpoint_settings: NULL argument");
    *text = NULL;
    char kind[32], esc[CLGAN_ESCAPE_CAP];
    clgan_model_kind k;
    TRY(clgan_checkpoint_kind(path, kind, sizeof kind, &k));
    union {
        clgan_gan_config gan;
        clgan_classifier_config clf;
        clgan_ssl_config ssl;
        clgan_dhead_file head;
        clgan_detector_config det;
    } *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading %s", path);
    clgan_status st = CLGAN_OK;
    switch (k) {
    case CLGAN_MODEL_GAN: st = clgan_gan_peek(path, &cfg->gan); break;
    case CLGAN_MODEL_CLASSIFIER: st = clgan_classifier_peek(path, &cfg->clf); break;
    case CLGAN_MODEL_SSL: st = clgan_ssl_peek(path, &cfg->ssl); break;
    case CLGAN_MODEL_DFEATURES: st = clgan_dhead_load(NULL, path, NULL, &cfg->head); break;
    case CLGAN_MODEL_DETECTOR: st = clgan_detector_peek(path, &cfg->det); break;
    default:
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not a model's", path,
                        clgan_escape_str(kind, esc, sizeof esc));
    }
    int n = 0;
    const clgan_setting_row *rows = st == CLGAN_OK ? clgan_settings_rows(k, &n) : NULL;
    size_t cap = 64 * (size_t)(n + 1), at = 0;
    char *out = st == CLGAN_OK ? malloc(cap) : NULL;
    if (st == CLGAN_OK && !out) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading %s", path);
    for (int i = 0; st == CLGAN_OK && i < n; i++) {
        if (rows[i].flags & CLGAN_ROW_HIDDEN) continue;
        char value[256];
        clgan_settings_format(&rows[i], cfg, value, sizeof value);
        size_t need = strlen(rows[i].info.name) + strlen(value) + 3;
        if (at + need > cap) {
            char *more = realloc(out, cap = 2 * cap + need);
            if (!more) {
                st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading %s", path);
                break;
            }
            out = more;
        }
        at += (size_t)snprintf(out + at, cap - at, "%s=%s\n", rows[i].info.name, value);
    }
    if (k == CLGAN_MODEL_DFEATURES && st == CLGAN_OK) free(cfg->head.class_names);
    free(cfg);
    if (st != CLGAN_OK) {
        free(out);
        return st;
    }
    if (!at) out[0] = '\0';
    *text = out;
    return CLGAN_OK;
}

/* ---- a settings text checked, and D's feature layer (clgan/model.h) ------- */
clgan_status clgan_settings_check(clgan_model_kind kind, const char *settings)
{
    size_t size = clgan_settings_config_size(kind);
    if (!size) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_settings_check: unknown model kind %d", (int)kind);
    void *cfg = calloc(1, size);
    if (!cfg) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory checking settings");
    clgan_settings_defaults(kind, cfg);
    clgan_status st = clgan_settings_parse(kind, "settings", settings ? settings : "", cfg);
    free(cfg);
    return st;
}

clgan_status clgan_model_feature_layer(const clgan_model *m, int *layer)
{
    TRY(need_model(m, "clgan_model_feature_layer"));
    if (!layer) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_feature_layer: layer is NULL");
    if (m->kind != CLGAN_MODEL_GAN && m->kind != CLGAN_MODEL_DFEATURES)
        return wrong_kind(m, "clgan_model_feature_layer", "gan and dfeatures models have D features");
    *layer = clgan_dfeat_layer(m->gan);
    return CLGAN_OK;
}

/* ---- detectors (clgan/model.h) -------------------------------------------- */
clgan_status clgan_model_train_step_boxes(clgan_model *m, const float *images, const clgan_box *boxes,
                                          const int *box_start, clgan_step_stats *stats)
{
    TRY(need_model(m, "clgan_model_train_step_boxes"));
    if (m->kind != CLGAN_MODEL_DETECTOR) return wrong_kind(m, "clgan_model_train_step_boxes", "a detector model");
    clgan_detector_stats d;
    TRY(clgan_detector_train_step(m->det, images, boxes, box_start, &d));
    clgan_step_stats s;
    memset(&s, 0, sizeof s);
    put(&s, "loss", d.loss), put(&s, "objects", d.objects), put(&s, "dropped", d.dropped);
    if (stats) *stats = s;
    return CLGAN_OK;
}

clgan_status clgan_model_detect(clgan_model *m, int n, const float *images, float min_score, clgan_detection *dets,
                                int cap, int *counts)
{
    TRY(need_model(m, "clgan_model_detect"));
    if (m->kind != CLGAN_MODEL_DETECTOR) return wrong_kind(m, "clgan_model_detect", "a detector model");
    if (!(min_score >= 0 && min_score <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_detect: min_score %g is outside 0..1", min_score);
    return clgan_detector_detect(m->det, n, images, min_score, dets, cap, counts);
}

clgan_status clgan_model_evaluate_boxes(clgan_model *m, int n, const float *images, const clgan_box *boxes,
                                        const int *box_start, clgan_map *map)
{
    TRY(need_model(m, "clgan_model_evaluate_boxes"));
    if (m->kind != CLGAN_MODEL_DETECTOR) return wrong_kind(m, "clgan_model_evaluate_boxes", "a detector model");
    if (n < 1 || !images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_evaluate_boxes: needs n >= 1 images");
    return clgan_detector_evaluate(m->det, n, images, boxes, box_start, map);
}
