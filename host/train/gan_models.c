/* gan_models.c — a GAN's G and D layer tables from its architecture texts
 * (the model's presets or the user's), with the conditional, mbstd and
 * diffaugment and spectral-norm flags. */
#include "gan_models.h"

#include "core/error.h"
#include "nn/diffaug.h"

#include <stdio.h>
#include <string.h>

const char *clgan_gan_model_names(void) { return "dcgan28 (28x28x1), dcgan32 (32x32x3), dcgan64 (64x64x3)"; }

/* part "g" or "d" of the arch, parsed with its variables. */
static clgan_status parse_part(const clgan_gan_arch *a, const char *part, clgan_arch **out)
{
    clgan_arch_var vars[3] = {{"width", a->width}, {"nz", a->nz}, {"classes", a->classes}};
    int n = 0;
    clgan_arch_var given[3];
    for (int i = 0; i < 3; i++)
        if (vars[i].value > 0) given[n++] = vars[i];
    const char *text = part[0] == 'g' ? a->text_g : a->text_d;
    if (text)
        return clgan_arch_parse(text, part[0] == 'g' ? "the generator's architecture" : "the discriminator's architecture",
                                given, n, out);
    char esc[CLGAN_ESCAPE_CAP];
    const char *preset;
    if (clgan_arch_preset_text(a->model, part, &preset) == CLGAN_OK) {
        TRY(clgan_arch_parse_preset(a->model, part, given, n, out));
        if (!strcmp((*out)->mode, "gan")) return CLGAN_OK;
        clgan_arch_free(*out);
        *out = NULL;
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown model '%s'; choose one of %s",
                      clgan_escape_str(a->model, esc, sizeof esc), clgan_gan_model_names());
}

clgan_status clgan_gan_arch_resolve(clgan_gan_arch *arch)
{
    if (arch->width > CLGAN_GAN_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "GAN width %d is too large (at most %d)", arch->width,
                          CLGAN_GAN_MAX_WIDTH);
    if (arch->nz > CLGAN_GAN_MAX_NZ)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "noise dimension %d is too large (at most %d)", arch->nz,
                          CLGAN_GAN_MAX_NZ);
    if (arch->conditional != 0 && arch->conditional != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conditional must be 0 or 1 (got %d)", arch->conditional);
    if (arch->mbstd != 0 && arch->mbstd != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "mbstd must be 0 or 1 (got %d)", arch->mbstd);
    if (arch->diffaug < 0 || (unsigned)arch->diffaug & ~CLGAN_DIFFAUG_ALL)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "diffaugment policy %d has bits other than color (1), translation (2) "
                          "and cutout (4)", arch->diffaug);
    if (arch->spectral_norm != 0 && arch->spectral_norm != 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "spectral_norm must be 0 or 1 (got %d)", arch->spectral_norm);
    if (arch->conditional && (arch->classes < 2 || arch->classes > CLGAN_GAN_MAX_CLASSES))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a conditional model needs 2 to %d classes (got %d)",
                          CLGAN_GAN_MAX_CLASSES, arch->classes);
    if (!arch->conditional) arch->classes = 0;
    if (arch->nz <= 0 && !arch->text_g) arch->nz = 100;
    clgan_arch *g = NULL, *d = NULL;
    clgan_status st = parse_part(arch, "g", &g);
    if (st == CLGAN_OK) st = parse_part(arch, "d", &d);
    if (st == CLGAN_OK) {
        int gc, gh, gw, oc, oh, ow;
        clgan_arch_input_shape(g, &gc, &gh, &gw);
        clgan_arch_output_shape(d, &oc, &oh, &ow);
        clgan_arch_input_shape(d, &arch->c, &arch->h, &arch->w);
        if (arch->width <= 0 && clgan_arch_var_value(d, "width", &arch->width) != CLGAN_OK) arch->width = 0;
        clgan_clear_error();
        arch->nz = gc;
        int xc, xh, xw;
        clgan_arch_output_shape(g, &xc, &xh, &xw);
        if (gh != 1 || gw != 1)
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: G's input is %dx%dx%d; a generator takes noise [nz,1,1]",
                            g->source, gc, gh, gw);
        else if (gc > CLGAN_GAN_MAX_NZ)
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "noise dimension %d is too large (at most %d)", gc, CLGAN_GAN_MAX_NZ);
        else if (xc != arch->c || xh != arch->h || xw != arch->w)
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "G makes %dx%dx%d images but D takes %dx%dx%d (CxHxW)", xc, xh, xw,
                            arch->c, arch->h, arch->w);
        else if (oc != 1 || oh != 1 || ow != 1)
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: D's output is %dx%dx%d; a discriminator ends in one logit [1,1,1]",
                            d->source, oc, oh, ow);
        else if (!arch->conditional && (clgan_arch_find_kind(g, CLGAN_LAYER_CONCAT_LABELS) >= 0 ||
                                        clgan_arch_find_kind(d, CLGAN_LAYER_CONCAT_LABELS) >= 0))
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "the architecture has a [concat_labels] layer but the GAN is not "
                            "conditional (train with --conditional)");
        if (st == CLGAN_OK && arch->text_g && arch->text_d)
            snprintf(arch->model, sizeof arch->model, "%.15s", d->name[0] ? d->name : "custom");
    }
    clgan_arch_free(g);
    clgan_arch_free(d);
    return st;
}

/* The mode flags: diffaugment first, labels next (conditional: after the text's leading
 * [diffaugment] layers, so that augmentation only ever sees the image channels), mbstd before the
 * head. */
static clgan_status add_flags(const clgan_gan_arch *a, const clgan_arch *t, int mbstd, unsigned diffaug,
                              clgan_layer_spec *s, int *n, int *feature_layer)
{
    int add_da = diffaug && clgan_arch_find_kind(t, CLGAN_LAYER_DIFFAUGMENT) < 0;
    int add_labels = a->conditional && clgan_arch_find_kind(t, CLGAN_LAYER_CONCAT_LABELS) < 0;
    int at = 0, extra = add_da + add_labels + (mbstd && clgan_arch_find_kind(t, CLGAN_LAYER_MBSTD) < 0);
    if (t->n + extra > CLGAN_MAX_NET_LAYERS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %d layers with the conditional/mbstd/diffaugment layers (at most %d)",
                          t->source, t->n + extra, CLGAN_MAX_NET_LAYERS);
    int lead = 0; /* the text's leading [diffaugment] layers */
    while (lead < t->n && t->specs[lead].kind == CLGAN_LAYER_DIFFAUGMENT) lead++;
    if (feature_layer) *feature_layer = t->feature_layer;
    if (feature_layer && *feature_layer >= 0) *feature_layer += add_da + (*feature_layer >= lead ? add_labels : 0);
    if (add_da) s[at++] = clgan_diffaugment(diffaug);
    for (int i = 0; i < lead; i++) s[at++] = t->specs[i];
    if (add_labels) s[at++] = clgan_concat_labels(a->classes);
    for (int i = lead; i < t->n; i++) {
        if (mbstd && i == t->n - 1 && clgan_arch_find_kind(t, CLGAN_LAYER_MBSTD) < 0) s[at++] = clgan_mbstd();
        s[at++] = t->specs[i];
    }
    for (int i = 0, labels = 0; i < at; i++) {
        if (s[i].kind == CLGAN_LAYER_DIFFAUGMENT && labels)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: layer %d ([diffaugment]) comes after the label concat, so it "
                              "would augment the label channels; put it before [concat_labels]", t->source, i);
        labels = labels || s[i].kind == CLGAN_LAYER_CONCAT_LABELS;
    }
    *n = at;
    return CLGAN_OK;
}

clgan_status clgan_gan_generator_specs(const clgan_gan_arch *a, clgan_layer_spec *s, int *n)
{
    clgan_arch *t;
    TRY(parse_part(a, "g", &t));
    clgan_status st = add_flags(a, t, 0, 0, s, n, NULL);
    clgan_arch_free(t);
    return st;
}

clgan_status clgan_gan_spectral_norm_specs(clgan_layer_spec *s, int n, const char *source)
{
    for (int i = 0; i < n; i++) {
        if (s[i].kind != CLGAN_LAYER_DENSE && s[i].kind != CLGAN_LAYER_CONV2D) continue;
        if (s[i].weight_norm)
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "%s: layer %d is a weight-normalised dense layer, which cannot also be "
                              "spectral-normalised; train without --spectral-norm or give D a text without weight_norm",
                              source, i);
        s[i].spectral_norm = 1;
    }
    return CLGAN_OK;
}

clgan_status clgan_gan_discriminator_specs(const clgan_gan_arch *a, clgan_layer_spec *s, int *n, int *feature_layer)
{
    clgan_arch *t;
    TRY(parse_part(a, "d", &t));
    clgan_status st = add_flags(a, t, a->mbstd, (unsigned)a->diffaug, s, n, feature_layer);
    if (st == CLGAN_OK && a->spectral_norm) st = clgan_gan_spectral_norm_specs(s, *n, t->source);
    clgan_arch_free(t);
    return st;
}

clgan_status clgan_gan_arch_text(const clgan_gan_arch *a, const char *part, const char **text)
{
    const char *own = part[0] == 'g' ? a->text_g : a->text_d;
    if (own) return *text = own, CLGAN_OK;
    return clgan_arch_preset_text(a->model, part, text);
}
