/* classifier_models.c — lenet28 and vgg32 layer tables (see classifier_models.h). */
#include "classifier_models.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

/* Per model: image shape, conv blocks (each two convs + pool, channels
 * doubling), dense width as a multiple of W. */
static const struct { const char *name; int c, h, blocks, dense_mult; } models[] = {
    {"lenet28", 1, 28, 2, 4},
    {"vgg32", 3, 32, 3, 8},
};
#define MODEL_COUNT (int)(sizeof models / sizeof models[0])
#define DEFAULT_WIDTH 32

const char *clgan_classifier_model_names(void) { return "lenet28 (28x28x1), vgg32 (32x32x3)"; }

static int find_model(const char *name)
{
    for (int i = 0; i < MODEL_COUNT; i++)
        if (!strcmp(models[i].name, name)) return i;
    return -1;
}

clgan_status clgan_classifier_arch_resolve(clgan_classifier_arch *a)
{
    char esc[CLGAN_ESCAPE_CAP];
    int m = find_model(a->model);
    if (m < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown classifier model '%s'; choose one of %s",
                          clgan_escape_str(a->model, esc, sizeof esc), clgan_classifier_model_names());
    if (a->width <= 0) a->width = DEFAULT_WIDTH;
    if (a->width > CLGAN_CLASSIFIER_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "width %d is too large (at most %d)", a->width,
                          CLGAN_CLASSIFIER_MAX_WIDTH);
    if (a->classes < 2 || a->classes > CLGAN_CLASSIFIER_MAX_CLASSES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a classifier needs 2 to %d classes (got %d)",
                          CLGAN_CLASSIFIER_MAX_CLASSES, a->classes);
    a->c = models[m].c, a->h = a->w = models[m].h;
    return CLGAN_OK;
}

int clgan_classifier_feature_dim(const clgan_classifier_arch *a)
{
    int m = find_model(a->model);
    return m < 0 ? 0 : models[m].dense_mult * (a->width > 0 ? a->width : DEFAULT_WIDTH);
}

static clgan_layer_spec he(clgan_layer_spec s)
{
    s.init = CLGAN_INIT_HE;
    return s;
}

int clgan_classifier_specs(const clgan_classifier_arch *a, clgan_layer_spec *s, int *feature_layer)
{
    int m = find_model(a->model), n = 0;
    int ch = a->width;
    for (int b = 0; b < models[m].blocks; b++, ch *= 2) {
        for (int j = 0; j < 2; j++) {
            s[n] = he(clgan_conv(ch, 3, 1, 1));
            s[n++].bias = 0; /* batchnorm's shift replaces it */
            s[n++] = clgan_bn();
            s[n++] = clgan_activation(CLGAN_ACT_RELU, 0);
        }
        s[n++] = clgan_maxpool(2, 2);
    }
    s[n] = he(clgan_dense(models[m].dense_mult * a->width));
    s[n++].bias = 0;
    s[n++] = clgan_bn();
    s[n++] = clgan_activation(CLGAN_ACT_RELU, 0);
    if (feature_layer) *feature_layer = n - 1;
    s[n++] = clgan_dropout(0.5f);
    s[n] = clgan_dense(a->classes);
    s[n++].init = CLGAN_INIT_XAVIER;
    return n;
}
