/* arch.h — a parsed architecture text (include/clgan/arch.h has the format
 * and the public calls): the input shape, the layer specs the text
 * describes, the line of each layer's section, the feature layer and the
 * variables' values. The trainers build their nets from `specs`. */
#ifndef CLGAN_MODELS_ARCH_H
#define CLGAN_MODELS_ARCH_H
#include "clgan/arch.h"
#include "nn/net.h"

#define CLGAN_ARCH_MAX_LAYERS 64
#define CLGAN_ARCH_MAX_VARS 16
#define CLGAN_ARCH_MAX_TEXT (1 << 20) /* bytes of one text */
#define CLGAN_ARCH_SOURCE_CAP 256

struct clgan_arch {
    char source[CLGAN_ARCH_SOURCE_CAP]; /* a path or "preset NAME" */
    char name[32], mode[16], part[8], summary[160];
    int in_c, in_h, in_w;
    int n;
    clgan_layer_spec specs[CLGAN_ARCH_MAX_LAYERS];
    int lines[CLGAN_ARCH_MAX_LAYERS];
    int feature_layer; /* -1: no [features] */
    int n_vars;
    char var_names[CLGAN_ARCH_MAX_VARS][32];
    int var_values[CLGAN_ARCH_MAX_VARS];
    char *text; /* the text as given (owned) */
};

/* "preset NAME (part P)", the source name of a preset's text in messages. */
void clgan_arch_preset_source(const char *name, const char *part, char *out, size_t cap);
/* Parse a preset's part with overrides; the message names the preset. */
clgan_status clgan_arch_parse_preset(const char *name, const char *part, const clgan_arch_var *vars, int n_vars,
                                     clgan_arch **out /* OUT */);
/* Index of the first layer of `kind`, or -1. */
int clgan_arch_find_kind(const clgan_arch *arch, clgan_layer_kind kind);
#endif
