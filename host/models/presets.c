/* presets.c — the (preset, part) table over the embedded host/models/NAME.arch
 * texts: listing, looking a text up, parsing a preset with overrides. */
#include "models/presets.h"

#include "core/error.h"
#include "models/arch.h"

#include <stdio.h>
#include <string.h>

/* A semi-supervised preset's G is the DCGAN generator of its image size. */
static const struct { const char *name, *mode, *part, *text, *summary; } presets[] = {
    {"dcgan28", "gan", "g", "dcgan28-g", "DCGAN generator, z [nz,1,1] to 28x28x1"},
    {"dcgan28", "gan", "d", "dcgan28-d", "DCGAN discriminator, 28x28x1 to one logit"},
    {"dcgan32", "gan", "g", "dcgan32-g", "DCGAN generator, z [nz,1,1] to 32x32x3"},
    {"dcgan32", "gan", "d", "dcgan32-d", "DCGAN discriminator, 32x32x3 to one logit"},
    {"dcgan64", "gan", "g", "dcgan64-g", "DCGAN generator, z [nz,1,1] to 64x64x3"},
    {"dcgan64", "gan", "d", "dcgan64-d", "DCGAN discriminator, 64x64x3 to one logit"},
    {"lenet28", "classifier", "c", "lenet28-c", "CNN classifier (2 conv blocks), 28x28x1 to K classes"},
    {"vgg32", "classifier", "c", "vgg32-c", "VGG-style classifier (3 conv blocks), 32x32x3 to K classes"},
    {"ssl28", "ssl", "d", "ssl28-d", "semi-supervised MLP discriminator, 28x28x1 to K classes + fake"},
    {"ssl28", "ssl", "g", "dcgan28-g", "its generator: dcgan28's"},
    {"ssl32", "ssl", "d", "ssl32-d", "semi-supervised conv discriminator, 32x32x3 to K classes + fake"},
    {"ssl32", "ssl", "g", "dcgan32-g", "its generator: dcgan32's"},
    {"dhead", "dfeatures", "h", "dhead-h", "linear softmax head on discriminator features"},
    {"dhead-mlp", "dfeatures", "h", "dhead-mlp-h", "MLP head (one hidden ReLU layer) on discriminator features"},
    {"det64", "detector", "c", "det64-c", "grid detector, a 64x64 scene to 8x8 cells of objectness, box, K classes"},
    {"det96", "detector", "c", "det96-c", "grid detector, a 96x96 scene to 12x12 cells of objectness, box, K classes"},
};
#define PRESET_COUNT (int)(sizeof presets / sizeof presets[0])

int clgan_arch_preset_count(void) { return PRESET_COUNT; }

static const char *embedded_text(const char *name)
{
    for (int i = 0; i < clgan_embedded_arch_count; i++)
        if (!strcmp(clgan_embedded_arch[i].name, name)) return clgan_embedded_arch[i].source;
    return NULL;
}

void clgan_arch_preset_source(const char *name, const char *part, char *out, size_t cap)
{
    snprintf(out, cap, "preset %s (part %s)", name, part);
}

clgan_status clgan_arch_preset_at(int i, clgan_arch_preset *out)
{
    if (i < 0 || i >= PRESET_COUNT || !out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "preset index %d is outside 0..%d", i, PRESET_COUNT - 1);
    out->name = presets[i].name, out->mode = presets[i].mode, out->part = presets[i].part;
    out->summary = presets[i].summary;
    clgan_arch *a;
    TRY(clgan_arch_parse_preset(presets[i].name, presets[i].part, NULL, 0, &a));
    if (!strcmp(presets[i].part, "g")) clgan_arch_output_shape(a, &out->c, &out->h, &out->w);
    else clgan_arch_input_shape(a, &out->c, &out->h, &out->w);
    clgan_arch_free(a);
    return CLGAN_OK;
}

static void name_list(char *out, size_t cap)
{
    out[0] = 0;
    for (int i = 0; i < PRESET_COUNT; i++)
        if (i == 0 || strcmp(presets[i].name, presets[i - 1].name))
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? ", " : "", presets[i].name);
}

clgan_status clgan_arch_preset_text(const char *name, const char *part, const char **text)
{
    char esc[CLGAN_ESCAPE_CAP], esc2[CLGAN_ESCAPE_CAP], list[512];
    if (text) *text = NULL;
    if (!name || !text) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_arch_preset_text: name or text is NULL");
    int known = 0;
    char parts[32] = "";
    for (int i = 0; i < PRESET_COUNT; i++) {
        if (strcmp(presets[i].name, name)) continue;
        known = 1;
        snprintf(parts + strlen(parts), sizeof parts - strlen(parts), "%s%s", parts[0] ? ", " : "", presets[i].part);
        if (!part || !*part || !strcmp(part, presets[i].part)) {
            *text = embedded_text(presets[i].text);
            if (!*text) return clgan_fail(CLGAN_ERR_INVALID_ARG, "preset text %s is not embedded", presets[i].text);
            return CLGAN_OK;
        }
    }
    if (!known) {
        name_list(list, sizeof list);
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown preset '%s'; choose one of %s",
                          clgan_escape_str(name, esc, sizeof esc), list);
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "preset %s has no part '%s'; its parts: %s",
                      clgan_escape_str(name, esc, sizeof esc), clgan_escape_str(part, esc2, sizeof esc2), parts);
}

clgan_status clgan_arch_parse_preset(const char *name, const char *part, const clgan_arch_var *vars, int n_vars,
                                     clgan_arch **out)
{
    const char *text;
    char source[CLGAN_ARCH_SOURCE_CAP];
    *out = NULL;
    TRY(clgan_arch_preset_text(name, part, &text));
    clgan_arch_preset_source(name, part && *part ? part : "default", source, sizeof source);
    return clgan_arch_parse(text, source, vars, n_vars, out);
}
