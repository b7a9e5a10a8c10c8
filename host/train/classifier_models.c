/* classifier_models.c — a classifier's layer table from its architecture
 * text (the model's preset or the user's; see classifier_models.h). */
#include "classifier_models.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

const char *clgan_classifier_model_names(void) { return "lenet28 (28x28x1), vgg32 (32x32x3)"; }

clgan_status clgan_classifier_arch_text(const clgan_classifier_arch *a, const char **text)
{
    char esc[CLGAN_ESCAPE_CAP];
    if (a->text) return *text = a->text, CLGAN_OK;
    if (clgan_arch_preset_text(a->model, "c", text) != CLGAN_OK)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown classifier model '%s'; choose one of %s",
                          clgan_escape_str(a->model, esc, sizeof esc), clgan_classifier_model_names());
    return CLGAN_OK;
}

static clgan_status parse(const clgan_classifier_arch *a, clgan_arch **out)
{
    clgan_arch_var vars[2] = {{"width", a->width}, {"classes", a->classes}};
    int n = 0;
    clgan_arch_var given[2];
    for (int i = 0; i < 2; i++)
        if (vars[i].value > 0) given[n++] = vars[i];
    const char *text;
    char source[CLGAN_ARCH_SOURCE_CAP];
    TRY(clgan_classifier_arch_text(a, &text));
    if (a->text) snprintf(source, sizeof source, "the classifier's architecture");
    else clgan_arch_preset_source(a->model, "c", source, sizeof source);
    return clgan_arch_parse(text, source, given, n, out);
}

clgan_status clgan_classifier_arch_resolve(clgan_classifier_arch *a)
{
    if (a->width > CLGAN_CLASSIFIER_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "width %d is too large (at most %d)", a->width,
                          CLGAN_CLASSIFIER_MAX_WIDTH);
    if (a->classes != 0 && (a->classes < 2 || a->classes > CLGAN_CLASSIFIER_MAX_CLASSES))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a classifier needs 2 to %d classes (got %d)",
                          CLGAN_CLASSIFIER_MAX_CLASSES, a->classes);
    clgan_arch *t;
    TRY(parse(a, &t));
    clgan_status st = CLGAN_OK;
    int oc, oh, ow;
    clgan_arch_output_shape(t, &oc, &oh, &ow);
    if (a->classes && (oc != a->classes || oh != 1 || ow != 1))
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the net's output is %dx%dx%d; a classifier of %d classes ends in "
                        "%dx1x1 logits", t->source, oc, oh, ow, a->classes, a->classes);
    if (st == CLGAN_OK && t->n < 2)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a classifier needs at least two layers (features, then logits)",
                        t->source);
    if (st == CLGAN_OK) {
        clgan_arch_input_shape(t, &a->c, &a->h, &a->w);
        if (a->width <= 0 && clgan_arch_var_value(t, "width", &a->width) != CLGAN_OK) a->width = 0;
        clgan_clear_error();
        if (a->text) snprintf(a->model, sizeof a->model, "%.15s", t->name[0] ? t->name : "custom");
    }
    clgan_arch_free(t);
    return st;
}

clgan_status clgan_classifier_specs(const clgan_classifier_arch *a, clgan_layer_spec *s, int *n, int *feature_layer)
{
    clgan_arch *t;
    TRY(parse(a, &t));
    memcpy(s, t->specs, (size_t)t->n * sizeof *s);
    *n = t->n;
    if (feature_layer) *feature_layer = t->feature_layer >= 0 ? t->feature_layer : t->n - 2;
    clgan_arch_free(t);
    return CLGAN_OK;
}
