/* clgan/arch.h — architectures as text: the presets, parsing and validating a
 * text, and the per-layer summary `clgan models show` prints.
 *
 *     const char *text;
 *     clgan_arch_preset_text("dcgan32", "g", &text);
 *     clgan_arch_var vars[] = {{"width", 16}, {"nz", 64}};
 *     clgan_arch *a;
 *     if (clgan_arch_parse(text, "preset dcgan32 (part g)", vars, 2, &a) != CLGAN_OK)
 *         puts(clgan_last_error());           // "SOURCE:LINE: what was expected"
 *     clgan_arch_layer rows[64];  clgan_arch_describe(a, rows);
 *     clgan_arch_free(a);
 *
 * The format (docs/ARCHITECTURES.md): `[section]` lines, `key = value`
 * lines, `#` comments. [net] names the text, [vars] declares integer
 * variables with their defaults, [input] gives the input shape, then one
 * section per layer in order; [features] marks the output of the layer
 * above it as the feature layer. Integer values are expressions over the
 * variables (+ - * / % parentheses, min(a, b), max(a, b)).
 */
#ifndef CLGAN_ARCH_PUBLIC_H
#define CLGAN_ARCH_PUBLIC_H
#include "clgan/core.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One (preset, part) text. */
typedef struct clgan_arch_preset {
    const char *name;    /* "dcgan28", "lenet28", "ssl32", "dhead", ... */
    const char *mode;    /* "gan", "classifier", "ssl", "dfeatures", "detector" */
    const char *part;    /* "g" generator, "d" discriminator, "c" classifier, "h" feature head */
    int c, h, w;         /* the image shape (G: its output; the others: their input) at the defaults */
    const char *summary; /* one line */
} clgan_arch_preset;

CLGAN_API int clgan_arch_preset_count(void);
/* The i-th (preset, part), 0 <= i < clgan_arch_preset_count(). */
CLGAN_API clgan_status clgan_arch_preset_at(int i, clgan_arch_preset *out /* OUT */);
/* The text of a preset's part; part NULL or "" picks the preset's only part
 * (its first: d for a semi-supervised preset, whose G is a GAN preset's). */
CLGAN_API clgan_status clgan_arch_preset_text(const char *name, const char *part, const char **text /* OUT */);

/* A variable override: replaces the default a text's [vars] declares; names
 * a text does not declare are ignored. */
typedef struct clgan_arch_var {
    const char *name;
    int value;
} clgan_arch_var;

typedef struct clgan_arch clgan_arch;

/* Parse and validate `text` (nul-terminated). source names it in error
 * messages: a file's path, or "preset NAME". The checks: sections, keys and
 * values known and in range, required keys present, and every layer able to
 * apply to its input's shape. */
CLGAN_API clgan_status clgan_arch_parse(const char *text, const char *source, const clgan_arch_var *vars, int n_vars,
                                        clgan_arch **out /* OUT */);
/* The same for a file (read whole; source is its path). */
CLGAN_API clgan_status clgan_arch_parse_file(const char *path, const clgan_arch_var *vars, int n_vars,
                                             clgan_arch **out /* OUT */);
CLGAN_API void clgan_arch_free(clgan_arch *arch); /* NULL is a no-op */
/* The text as parsed (a file's contents), valid until clgan_arch_free. */
CLGAN_API const char *clgan_arch_text(const clgan_arch *arch);

CLGAN_API int clgan_arch_layer_count(const clgan_arch *arch);
CLGAN_API void clgan_arch_input_shape(const clgan_arch *arch, int *c, int *h, int *w);
CLGAN_API void clgan_arch_output_shape(const clgan_arch *arch, int *c, int *h, int *w);
/* Index of the layer [features] marks, or -1. */
CLGAN_API int clgan_arch_feature_layer(const clgan_arch *arch);
/* The value a variable got (its default or the override); 0 and
 * CLGAN_ERR_INVALID_ARG when the text does not declare it. */
CLGAN_API clgan_status clgan_arch_var_value(const clgan_arch *arch, const char *name, int *value /* OUT */);
/* The [net] section's name, mode, part and summary ("" when absent). */
CLGAN_API const char *clgan_arch_name(const clgan_arch *arch);
CLGAN_API const char *clgan_arch_mode(const clgan_arch *arch);

/* One row of the summary: a layer's output shape, trainable parameters,
 * non-trainable state floats (batchnorm statistics, a spectral-normalised
 * layer's vector u), forward FLOPs per image (a multiply-add is 2) and the
 * floats per image it keeps for the backward pass. */
typedef struct clgan_arch_layer {
    const char *kind; /* "dense", "conv2d", ... */
    int line;         /* of its section in the text */
    int c, h, w;
    size_t params, state;
    double flops;
    size_t act_floats;
} clgan_arch_layer;

CLGAN_API clgan_status clgan_arch_describe(const clgan_arch *arch, clgan_arch_layer *rows /* [layer_count] */);
/* Totals of the rows; act_bytes is for a batch of `batch` images. */
CLGAN_API void clgan_arch_totals(const clgan_arch *arch, int batch, size_t *params, size_t *state, double *flops,
                                 size_t *act_bytes);
/* The Keras-style table: one line per layer and the totals. Fails with
 * CLGAN_ERR_INVALID_ARG when it does not fit in cap bytes. */
CLGAN_API clgan_status clgan_arch_summary_text(const clgan_arch *arch, int batch, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
