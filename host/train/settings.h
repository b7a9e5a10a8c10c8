/* settings.h — one table of settings per model kind (gan, classifier, ssl,
 * dfeatures, detector) and the machinery over it: defaults into a config struct,
 * "name=value ..." text into a config (user text and checkpoint sections),
 * a config written as that text, and the resume check.
 *
 * A row is the public clgan_setting_info (clgan/model.h) plus where its
 * value lives in the kind's config struct:
 *   gan         clgan_gan_config      (train/gan.h)
 *   classifier  clgan_classifier_config (train/classifier.h)
 *   ssl         clgan_ssl_config      (train/ssl.h)
 *   dfeatures   clgan_dhead_file      (train/dfeatures.h: the image shape,
 *               the pooling options, the head config and its step count)
 *   detector    clgan_detector_config (train/detector.h)
 * The `cfg` arguments below are pointers to the kind's struct.
 *
 * Text: words "name=value" separated by spaces, tabs or line breaks. Floats
 * are written with %.9g, so a float read back is the same float; seeds as
 * unsigned 64-bit decimals; choices as their word.
 */
#ifndef CLGAN_SETTINGS_H
#define CLGAN_SETTINGS_H
#include "clgan/model.h"

#include <stddef.h>

/* How a row's value is stored in the config struct. */
typedef enum clgan_setting_field {
    CLGAN_FIELD_INT = 1, /* int */
    CLGAN_FIELD_I64,     /* int64_t */
    CLGAN_FIELD_U64,     /* uint64_t */
    CLGAN_FIELD_FLOAT,   /* float */
    CLGAN_FIELD_ENUM,    /* an int-sized enum: the index of the value's word in `choices` */
    CLGAN_FIELD_WORD,    /* char[size]: a preset name; the kind's resolve checks it against its presets */
    CLGAN_FIELD_FLAGS    /* int: a set of bits, word i >= 1 of `choices` being bit 1 << (i - 1); written
                            as those words in `choices` order, comma-separated, or word 0 for none */
} clgan_setting_field;

/* Row flags. */
#define CLGAN_ROW_ZERO_AUTO 1u /* 0 means "the preset's default" in a user's text (not in a checkpoint,
                                  which holds resolved values) */
#define CLGAN_ROW_OPTIONAL 2u  /* may be missing from checkpoints of older releases (then the default) */
#define CLGAN_ROW_HIDDEN 4u    /* in the checkpoint but not a setting: derived (image shape, feature
                                  count) or state (steps); not in the public table */
#define CLGAN_ROW_ARCH 8u      /* kept in the checkpoint's "arch" section (gan, classifier), not "config" */

typedef struct clgan_setting_row {
    clgan_setting_info info;
    clgan_setting_field field;
    size_t offset, size; /* of the value in the config struct */
    unsigned flags;
    /* When the range depends on another setting read before it (a GAN's
     * classes: 0 unless conditional): the range for this config. */
    void (*range)(const void *cfg, double *min, double *max);
} clgan_setting_row;

/* Every row of the kind, hidden ones included, in the order the checkpoint
 * text lists them; NULL (and *count 0) for an unknown kind. */
const clgan_setting_row *clgan_settings_rows(clgan_model_kind kind, int *count /* OUT */);
const clgan_setting_row *clgan_settings_row(clgan_model_kind kind, const char *name); /* hidden ones too */
/* The size of the kind's config struct (0 for an unknown kind). */
size_t clgan_settings_config_size(clgan_model_kind kind);

/* Every row's default into cfg (zeroed first). */
void clgan_settings_defaults(clgan_model_kind kind, void *cfg /* OUT */);

/* A user's text over cfg: each named setting is set, the others keep their
 * values. Fails (CLGAN_ERR_INVALID_ARG, cfg then partly set) for an unknown
 * or hidden name, a name given twice, a word without '=', or a bad value; the
 * message starts with `where` ("settings") and names the setting, the value
 * and what is allowed. */
clgan_status clgan_settings_parse(clgan_model_kind kind, const char *where, const char *text, void *cfg);

/* Which rows a checkpoint section holds. */
typedef enum clgan_settings_section {
    CLGAN_SECTION_CONFIG = 0, /* the "config" section: rows without CLGAN_ROW_ARCH */
    CLGAN_SECTION_ARCH = 1,   /* the "arch" section: rows with CLGAN_ROW_ARCH */
    CLGAN_SECTION_ALL = 2     /* every row (one text holding both) */
} clgan_settings_section;

/* A checkpoint section's text into cfg: every row of the section must be
 * there (unless CLGAN_ROW_OPTIONAL) and within its range (0 is not
 * "automatic" here); other words are ignored. Fails with CLGAN_ERR_FORMAT and
 * the message of the checkpoint readers: "checkpoint PATH: setting 'batch'
 * is -1, outside the allowed range 2 to 65536". */
clgan_status clgan_settings_read(clgan_model_kind kind, clgan_settings_section section, const char *path,
                                 const char *text, void *cfg);

/* cfg's rows of the section as "name=value name=value" into out (cut at cap);
 * returns the length of the whole text. */
size_t clgan_settings_write(clgan_model_kind kind, clgan_settings_section section, const void *cfg, char *out,
                            size_t cap);
/* One row's value as text (what the checkpoint holds); returns its length. */
size_t clgan_settings_format(const clgan_setting_row *row, const void *cfg, char *out, size_t cap);

/* The first public row of resume class `resume` whose value differs between
 * `wanted` and `have` (compared as written, so floats exactly); a
 * CLGAN_ROW_ZERO_AUTO row whose value in `wanted` is 0 matches any value.
 * NULL when none differs. The resume check: FIXED rows must not differ. */
const clgan_setting_row *clgan_settings_first_change(clgan_model_kind kind, clgan_setting_resume resume,
                                                     const void *wanted, const void *have);

/* ---- single values (the checkpoint readers' key=value parsers use these) --
 * v[0..len) is the value of setting `key`; messages start with `where`
 * ("checkpoint run/gan.ckpt", "settings") and fail with `status`. */
clgan_status clgan_value_i64(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                             int64_t lo, int64_t hi, int64_t *out);
clgan_status clgan_value_u64(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                             uint64_t *out);
/* Finite, within lo..hi (hi may be INFINITY); open (CLGAN_SETTING_OPEN_*) excludes an end. */
clgan_status clgan_value_float(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                               double lo, double hi, unsigned open, float *out);
#endif
