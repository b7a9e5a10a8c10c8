/* settings.c — the settings tables of the five model kinds and the
 * machinery over them (settings.h): defaults, parsing user text and
 * checkpoint sections, writing, the resume comparison, and the public
 * clgan_setting_count / _at / _find. */
#include "settings.h"

#include "core/error.h"
#include "nn/diffaug.h"
#include "train/classifier.h"
#include "train/detector.h"
#include "train/dfeatures.h"
#include "train/gan.h"
#include "train/ssl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(clgan_gan_loss) == sizeof(int) && sizeof(clgan_classifier_optimizer) == sizeof(int),
               "CLGAN_FIELD_ENUM rows store enums as int");

#define I64_MAX_D 9223372036854775807.0 /* rounds to 2^63: clamped back to INT64_MAX where read */

#define AT(S, m) .offset = offsetof(S, m), .size = sizeof(((S *)0)->m)
#define INFO(name_, type_, def_, lo_, hi_, open_, choices_, resume_, help_)                                        \
    .info = {.name = name_, .type = type_, .default_value = def_, .min = lo_, .max = hi_, .open = open_,           \
             .choices = choices_, .resume = resume_, .help = help_}
#define INT_ROW(S, m, name, def, lo, hi, resume, flags_, help) INT_ROW_RANGED(S, m, name, def, lo, hi, resume, flags_, NULL, help)
/* range_ (may be NULL): the range for a config, when it depends on another setting */
#define INT_ROW_RANGED(S, m, name, def, lo, hi, resume, flags_, range_, help)                                      \
    {INFO(name, CLGAN_SETTING_INT, def, lo, hi, 0, NULL, resume, help), .field = CLGAN_FIELD_INT, AT(S, m),       \
     .flags = flags_, .range = range_}
#define I64_ROW(S, m, name, def, resume, flags_, help)                                                            \
    {INFO(name, CLGAN_SETTING_INT, def, 0, I64_MAX_D, 0, NULL, resume, help), .field = CLGAN_FIELD_I64, AT(S, m), \
     .flags = flags_}
#define BOOL_ROW(S, m, name, def, resume, flags_, help)                                                           \
    {INFO(name, CLGAN_SETTING_BOOL, def, 0, 1, 0, NULL, resume, help), .field = CLGAN_FIELD_INT, AT(S, m),        \
     .flags = flags_}
#define SEED_ROW(S, m)                                                                                             \
    {INFO("seed", CLGAN_SETTING_U64, "1", 0, 18446744073709551615.0, 0, NULL, CLGAN_RESUME_KEPT,                  \
          "seed of everything random (weights, noise, dropout, data order): a function of seed and step"),       \
     .field = CLGAN_FIELD_U64, AT(S, m)}
#define FLOAT_ROW(S, m, name, def, lo, hi, open, resume, flags_, help)                                            \
    {INFO(name, CLGAN_SETTING_FLOAT, def, lo, hi, open, NULL, resume, help), .field = CLGAN_FIELD_FLOAT,          \
     AT(S, m), .flags = flags_}
#define ENUM_ROW(S, m, name, def, choices, resume, help)                                                           \
    {INFO(name, CLGAN_SETTING_CHOICE, def, 0, 0, 0, choices, resume, help), .field = CLGAN_FIELD_ENUM, AT(S, m)}
#define FLAGS_ROW(S, m, name, def, choices, resume, flags_, help)                                                \
    {INFO(name, CLGAN_SETTING_FLAGS, def, 0, 0, 0, choices, resume, help), .field = CLGAN_FIELD_FLAGS, AT(S, m), \
     .flags = flags_}
#define MODEL_ROW(S, m, def, choices, flags_, help)                                                                \
    {INFO("model", CLGAN_SETTING_CHOICE, def, 0, 0, 0, choices, CLGAN_RESUME_FIXED, help),                        \
     .field = CLGAN_FIELD_WORD, AT(S, m), .flags = flags_}
/* Adam's four settings of net N ("g" or "d"), as the optimizer accepts them. */
#define ADAM_ROWS(S, m, N, lr_def, lr_help)                                                                        \
    FLOAT_ROW(S, m.lr, "lr_" N, lr_def, 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0, lr_help),                           \
        FLOAT_ROW(S, m.beta1, "beta1_" N, "0.5", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,               \
                  "Adam beta1 (first-moment decay)"),                                                              \
        FLOAT_ROW(S, m.beta2, "beta2_" N, "0.999", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,             \
                  "Adam beta2 (second-moment decay)"),                                                             \
        FLOAT_ROW(S, m.eps, "eps_" N, "1e-8", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT, 0,           \
                  "Adam epsilon")

/* A GAN's classes: 0 unless conditional, then 2 or more. */
static void gan_classes_range(const void *cfg, double *lo, double *hi)
{
    int cond = ((const clgan_gan_config *)cfg)->arch.conditional;
    *lo = cond ? 2 : 0;
    *hi = cond ? CLGAN_GAN_MAX_CLASSES : 0;
}

/* Width 0 (the text's default) is a resolved value when the net comes from
 * an architecture text (kept in the checkpoint beside the settings). */
static void gan_width_range(const void *cfg, double *lo, double *hi)
{
    *lo = ((const clgan_gan_config *)cfg)->arch.text_d ? 0 : 1;
    *hi = CLGAN_GAN_MAX_WIDTH;
}

static void classifier_width_range(const void *cfg, double *lo, double *hi)
{
    *lo = ((const clgan_classifier_config *)cfg)->arch.text ? 0 : 1;
    *hi = CLGAN_CLASSIFIER_MAX_WIDTH;
}

#define A CLGAN_ROW_ARCH
static const clgan_setting_row gan_rows[] = {
    MODEL_ROW(clgan_gan_config, arch.model, "dcgan28", "dcgan28|dcgan32|dcgan64", A,
              "preset architecture: dcgan28 (28x28x1 images), dcgan32 (32x32x3), dcgan64 (64x64x3)"),
    INT_ROW_RANGED(clgan_gan_config, arch.width, "width", "0", 1, CLGAN_GAN_MAX_WIDTH, CLGAN_RESUME_FIXED,
                   A | CLGAN_ROW_ZERO_AUTO, gan_width_range,
                   "channels of D's first layer and G's last hidden layer (0: 32 for dcgan28, 64 for dcgan32 and "
                   "dcgan64)"),
    INT_ROW(clgan_gan_config, arch.nz, "nz", "100", 1, CLGAN_GAN_MAX_NZ, CLGAN_RESUME_FIXED, A, "noise dimension"),
    BOOL_ROW(clgan_gan_config, arch.conditional, "conditional", "0", CLGAN_RESUME_FIXED, A,
             "class labels into G and D (the data must be labelled)"),
    INT_ROW_RANGED(clgan_gan_config, arch.classes, "classes", "0", 0, CLGAN_GAN_MAX_CLASSES, CLGAN_RESUME_FIXED, A,
                   gan_classes_range, "number of classes of a conditional GAN (0 for an unconditional one)"),
    BOOL_ROW(clgan_gan_config, arch.mbstd, "mbstd", "0", CLGAN_RESUME_FIXED, A,
             "minibatch standard-deviation layer before D's head (against mode collapse)"),
    FLAGS_ROW(clgan_gan_config, arch.diffaug, "diffaugment", "none", CLGAN_DIFFAUG_WORDS, CLGAN_RESUME_FIXED,
              A | CLGAN_ROW_OPTIONAL,
              "DiffAugment (Zhao et al. 2020), a [diffaugment] layer first in D: every image D sees in training, "
              "real and generated, gets random color, translation and/or cutout, comma-separated (none: off)"),
    BOOL_ROW(clgan_gan_config, arch.spectral_norm, "spectral_norm", "0", CLGAN_RESUME_FIXED, A | CLGAN_ROW_OPTIONAL,
             "spectral normalisation of every dense and conv layer of D (Miyato et al. 2018); D's batchnorm stays"),
    INT_ROW(clgan_gan_config, batch, "batch", "64", 2, CLGAN_MAX_BATCH, CLGAN_RESUME_FIXED, 0,
            "images per training step"),
    ENUM_ROW(clgan_gan_config, loss, "loss", "ns", "ns|ls|hinge", CLGAN_RESUME_KEPT,
             "ns: non-saturating BCE; ls: least squares (LSGAN); hinge: hinge D loss, G minimises -D(G(z)) (no "
             "label smoothing)"),
    FLOAT_ROW(clgan_gan_config, label_smoothing, "label_smoothing", "0", 0, 0.5, CLGAN_SETTING_OPEN_MAX,
              CLGAN_RESUME_KEPT, 0, "one-sided label smoothing: D's target for real images is 1 minus this"),
    SEED_ROW(clgan_gan_config, seed),
    ADAM_ROWS(clgan_gan_config, adam_g, "g", "2e-4", "Adam learning rate of G"),
    ADAM_ROWS(clgan_gan_config, adam_d, "d", "2e-4", "Adam learning rate of D"),
    FLOAT_ROW(clgan_gan_config, g_ema, "g_ema", "0", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT,
              CLGAN_ROW_OPTIONAL,
              "decay of a moving average of G's weights (e.g. 0.999; warmed up as min(decay, (1+t)/(10+t))) that "
              "sample grids, clgan sample and --gan-augment use (0: none)"),
};

static const clgan_setting_row classifier_rows[] = {
    MODEL_ROW(clgan_classifier_config, arch.model, "lenet28", "lenet28|vgg32", A,
              "preset architecture: lenet28 (28x28x1 images), vgg32 (32x32x3)"),
    INT_ROW_RANGED(clgan_classifier_config, arch.width, "width", "0", 1, CLGAN_CLASSIFIER_MAX_WIDTH,
                   CLGAN_RESUME_FIXED, A | CLGAN_ROW_ZERO_AUTO, classifier_width_range,
                   "channels of the first conv block (0: the preset's, 32)"),
    INT_ROW(clgan_classifier_config, arch.classes, "classes", "10", 2, CLGAN_CLASSIFIER_MAX_CLASSES,
            CLGAN_RESUME_FIXED, A, "number of classes"),
    INT_ROW(clgan_classifier_config, batch, "batch", "64", 2, CLGAN_MAX_BATCH, CLGAN_RESUME_FIXED, 0,
            "images per training step (2 or more: batchnorm)"),
    ENUM_ROW(clgan_classifier_config, optimizer, "optimizer", "adam", "adam|sgd", CLGAN_RESUME_KEPT,
             "adam, or sgd with momentum"),
    FLOAT_ROW(clgan_classifier_config, lr, "lr", "0", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT,
              CLGAN_ROW_ZERO_AUTO, "learning rate (0: the optimizer's default, Adam 1e-3, SGD 0.01)"),
    FLOAT_ROW(clgan_classifier_config, momentum, "momentum", "0.9", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT,
              0, "SGD momentum"),
    FLOAT_ROW(clgan_classifier_config, beta1, "beta1", "0.9", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,
              "Adam beta1 (first-moment decay)"),
    FLOAT_ROW(clgan_classifier_config, beta2, "beta2", "0.999", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,
              "Adam beta2 (second-moment decay)"),
    FLOAT_ROW(clgan_classifier_config, eps, "eps", "1e-8", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT,
              0, "Adam epsilon"),
    FLOAT_ROW(clgan_classifier_config, weight_decay, "weight_decay", "0", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "L2 weight decay added to the gradient"),
    FLOAT_ROW(clgan_classifier_config, lr_decay, "lr_decay", "1", 0, 1, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT,
              0, "learning-rate factor every lr_decay_steps steps (1: none)"),
    I64_ROW(clgan_classifier_config, lr_decay_steps, "lr_decay_steps", "0", CLGAN_RESUME_KEPT, 0,
            "steps between learning-rate decays (0: a constant learning rate)"),
    BOOL_ROW(clgan_classifier_config, augment, "augment", "0", CLGAN_RESUME_KEPT, 0,
             "random shifts (grey images), pad-4 crops and flips (colour images) of every batch"),
    SEED_ROW(clgan_classifier_config, seed),
};
#undef A

#define O CLGAN_ROW_OPTIONAL
static const clgan_setting_row ssl_rows[] = {
    MODEL_ROW(clgan_ssl_config, model, "ssl28", "ssl28|ssl32", 0,
              "preset architecture: ssl28 (28x28x1 images, an MLP D), ssl32 (32x32x3, a conv D)"),
    INT_ROW(clgan_ssl_config, width, "width", "32", 1, CLGAN_SSL_MAX_WIDTH, CLGAN_RESUME_FIXED, 0,
            "D's first-layer channels (ssl28: units scaled by width/32) and G's width"),
    INT_ROW(clgan_ssl_config, nz, "nz", "100", 1, CLGAN_GAN_MAX_NZ, CLGAN_RESUME_FIXED, 0, "noise dimension"),
    INT_ROW(clgan_ssl_config, classes, "classes", "10", 2, CLGAN_SSL_MAX_CLASSES, CLGAN_RESUME_FIXED, 0,
            "number of classes (D has one more output: fake)"),
    INT_ROW(clgan_ssl_config, batch, "batch", "64", 2, CLGAN_MAX_BATCH, CLGAN_RESUME_FIXED, 0,
            "images per labelled, unlabelled and generated batch"),
    FLOAT_ROW(clgan_ssl_config, unlabelled_weight, "unlabelled_weight", "1", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "weight of the unlabelled and generated terms of D's loss (0: supervised only)"),
    SEED_ROW(clgan_ssl_config, seed),
    ADAM_ROWS(clgan_ssl_config, adam_d, "d", "2e-3", "Adam learning rate of D"),
    ADAM_ROWS(clgan_ssl_config, adam_g, "g", "2e-3", "Adam learning rate of G"),
    I64_ROW(clgan_ssl_config, decay_start, "decay_start", "0", CLGAN_RESUME_KEPT, O,
            "step from which both learning rates fall linearly to 0 at decay_end"),
    I64_ROW(clgan_ssl_config, decay_end, "decay_end", "0", CLGAN_RESUME_KEPT, O,
            "step at which the learning rates reach 0 (decay_start = decay_end: constant)"),
    BOOL_ROW(clgan_ssl_config, augment, "augment", "0", CLGAN_RESUME_KEPT, O,
             "the classifier's random shifts, crops and flips on the labelled and unlabelled batches"),
    FLAGS_ROW(clgan_ssl_config, diffaug, "diffaugment", "none", CLGAN_DIFFAUG_WORDS, CLGAN_RESUME_FIXED, O,
              "DiffAugment (Zhao et al. 2020), a [diffaugment] layer first in D: every batch D trains on, labelled, "
              "unlabelled and generated, gets random color, translation and/or cutout, comma-separated (none: off)"),
    BOOL_ROW(clgan_ssl_config, spectral_norm, "spectral_norm", "0", CLGAN_RESUME_FIXED, O,
             "spectral normalisation of every dense and conv layer of D (not ssl28's weight-normalised layers)"),
};
#undef O

/* Image shape limits: the largest side any reader accepts (idx.c). */
#define MAX_CHANNELS 4
#define MAX_SIDE 16384
#define H (CLGAN_ROW_HIDDEN | CLGAN_ROW_ZERO_AUTO)
static const clgan_setting_row dfeatures_rows[] = {
    INT_ROW(clgan_dhead_file, c, "c", "0", 1, MAX_CHANNELS, CLGAN_RESUME_FIXED, H, "the GAN's image channels"),
    INT_ROW(clgan_dhead_file, h, "h", "0", 1, MAX_SIDE, CLGAN_RESUME_FIXED, H, "the GAN's image height"),
    INT_ROW(clgan_dhead_file, w, "w", "0", 1, MAX_SIDE, CLGAN_RESUME_FIXED, H, "the GAN's image width"),
    INT_ROW(clgan_dhead_file, feat.pool, "pool", "7", 1,
            CLGAN_DFEAT_AVG | CLGAN_DFEAT_MAX | CLGAN_DFEAT_GRID2 | CLGAN_DFEAT_FULL, CLGAN_RESUME_FIXED, 0,
            "features from D's last conv block, a sum of: 1 channel averages, 2 channel maxima, "
            "4 2x2-grid averages, 8 the whole map"),
    INT_ROW(clgan_dhead_file, feat.cond_label, "cond_label", "0", 0, CLGAN_GAN_MAX_CLASSES - 1, CLGAN_RESUME_FIXED, 0,
            "class fed to a conditional D for every image"),
    INT_ROW(clgan_dhead_file, head.features, "features", "0", 1, CLGAN_DHEAD_MAX_FEATURES, CLGAN_RESUME_FIXED, H,
            "features per image (from the GAN and pool)"),
    INT_ROW(clgan_dhead_file, head.classes, "classes", "0", 2, CLGAN_DHEAD_MAX_CLASSES, CLGAN_RESUME_FIXED,
            CLGAN_ROW_ZERO_AUTO, "number of classes (0: the data's)"),
    INT_ROW(clgan_dhead_file, head.hidden, "hidden", "0", 0, CLGAN_DHEAD_MAX_HIDDEN, CLGAN_RESUME_FIXED, 0,
            "ReLU units of the head's hidden layer (0: a linear softmax head)"),
    INT_ROW(clgan_dhead_file, head.batch, "batch", "64", 1, CLGAN_MAX_BATCH, CLGAN_RESUME_FIXED, 0,
            "feature rows per head training step"),
    INT_ROW(clgan_dhead_file, head.epochs, "epochs", "100", 1, CLGAN_DHEAD_MAX_EPOCHS, CLGAN_RESUME_KEPT, 0,
            "passes over the training rows"),
    FLOAT_ROW(clgan_dhead_file, head.lr, "lr", "1e-3", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT, 0,
              "Adam learning rate"),
    FLOAT_ROW(clgan_dhead_file, head.weight_decay, "weight_decay", "0", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "L2 weight decay added to the gradient"),
    SEED_ROW(clgan_dhead_file, head.seed),
    I64_ROW(clgan_dhead_file, steps, "steps", "0", CLGAN_RESUME_KEPT, CLGAN_ROW_HIDDEN, "head training steps taken"),
};
#undef H

/* The detector's settings (train/detector.h). Width and channels may stay 0 in a checkpoint: the
 * architecture text it keeps then gives them. */
#define A CLGAN_ROW_ARCH
#define Z CLGAN_ROW_ZERO_AUTO
static const clgan_setting_row detector_rows[] = {
    MODEL_ROW(clgan_detector_config, model, "det64", "det64|det96", A,
              "preset architecture: det64 (64x64 scenes, an 8x8 grid), det96 (96x96, 12x12)"),
    INT_ROW(clgan_detector_config, width, "width", "0", 0, CLGAN_DETECTOR_MAX_WIDTH, CLGAN_RESUME_FIXED, A | Z,
            "channels of the first conv block (0: the preset's, 16)"),
    INT_ROW(clgan_detector_config, classes, "classes", "10", 1, CLGAN_DETECTOR_MAX_CLASSES, CLGAN_RESUME_FIXED, A,
            "number of object classes"),
    INT_ROW(clgan_detector_config, channels, "channels", "0", 0, 3, CLGAN_RESUME_FIXED, A | Z,
            "image channels, 1 (grey) or 3 (RGB) (0: the preset's, 1)"),
    INT_ROW(clgan_detector_config, batch, "batch", "32", 2, CLGAN_MAX_BATCH, CLGAN_RESUME_FIXED, 0,
            "scenes per training step (2 or more: batchnorm)"),
    FLOAT_ROW(clgan_detector_config, lr, "lr", "1e-3", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT, 0,
              "Adam learning rate"),
    FLOAT_ROW(clgan_detector_config, beta1, "beta1", "0.9", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,
              "Adam beta1 (first-moment decay)"),
    FLOAT_ROW(clgan_detector_config, beta2, "beta2", "0.999", 0, 1, CLGAN_SETTING_OPEN_MAX, CLGAN_RESUME_KEPT, 0,
              "Adam beta2 (second-moment decay)"),
    FLOAT_ROW(clgan_detector_config, eps, "eps", "1e-8", 0, INFINITY, CLGAN_SETTING_OPEN_MIN, CLGAN_RESUME_KEPT, 0,
              "Adam epsilon"),
    FLOAT_ROW(clgan_detector_config, weight_decay, "weight_decay", "0", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "L2 weight decay added to the gradient"),
    BOOL_ROW(clgan_detector_config, augment, "augment", "0", CLGAN_RESUME_KEPT, 0,
             "random shifts of every scene by up to 1/8 of its side, the boxes moved (and cut) with it"),
    FLOAT_ROW(clgan_detector_config, loss.noobj, "noobj_weight", "0.5", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "weight of the objectness loss in cells without an object"),
    FLOAT_ROW(clgan_detector_config, loss.box, "box_weight", "5", 0, INFINITY, 0, CLGAN_RESUME_KEPT, 0,
              "weight of the box terms of the loss"),
    SEED_ROW(clgan_detector_config, seed),
};
#undef Z
#undef A

typedef struct kind_table {
    const clgan_setting_row *rows;
    int count;
    size_t config_size;
} kind_table;

#define TABLE(rows, S) {rows, (int)(sizeof rows / sizeof rows[0]), sizeof(S)}
static const kind_table tables[CLGAN_MODEL_KIND_COUNT] = {
    TABLE(gan_rows, clgan_gan_config),
    TABLE(classifier_rows, clgan_classifier_config),
    TABLE(ssl_rows, clgan_ssl_config),
    TABLE(dfeatures_rows, clgan_dhead_file),
    TABLE(detector_rows, clgan_detector_config),
};

static const char *const kind_names[CLGAN_MODEL_KIND_COUNT] = {"gan", "classifier", "ssl", "dfeatures",
                                                                    "detector"};

const char *clgan_model_kind_name(clgan_model_kind kind)
{
    return kind >= 1 && kind <= CLGAN_MODEL_KIND_COUNT ? kind_names[kind - 1] : NULL;
}

clgan_status clgan_model_kind_parse(const char *name, clgan_model_kind *kind)
{
    if (!kind) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_model_kind_parse: kind is NULL");
    for (int k = 1; k <= CLGAN_MODEL_KIND_COUNT; k++)
        if (name && !strcmp(name, kind_names[k - 1])) {
            *kind = (clgan_model_kind)k;
            return CLGAN_OK;
        }
    char esc[CLGAN_ESCAPE_CAP];
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "unknown model kind '%s'; expected gan, classifier, ssl, dfeatures or detector",
                      clgan_escape_str(name, esc, sizeof esc));
}

static const kind_table *table_of(clgan_model_kind kind)
{
    return kind >= 1 && kind <= CLGAN_MODEL_KIND_COUNT ? &tables[kind - 1] : NULL;
}

const clgan_setting_row *clgan_settings_rows(clgan_model_kind kind, int *count)
{
    const kind_table *t = table_of(kind);
    *count = t ? t->count : 0;
    return t ? t->rows : NULL;
}

size_t clgan_settings_config_size(clgan_model_kind kind)
{
    const kind_table *t = table_of(kind);
    return t ? t->config_size : 0;
}

static const clgan_setting_row *find_row_n(clgan_model_kind kind, const char *name, size_t len)
{
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    for (int i = 0; i < n; i++)
        if (strlen(rows[i].info.name) == len && !memcmp(rows[i].info.name, name, len)) return &rows[i];
    return NULL;
}

const clgan_setting_row *clgan_settings_row(clgan_model_kind kind, const char *name)
{
    return name ? find_row_n(kind, name, strlen(name)) : NULL;
}

/* ---- the public table: the rows that are settings ------------------------ */
int clgan_setting_count(clgan_model_kind kind)
{
    int n, count = 0;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    for (int i = 0; i < n; i++) count += !(rows[i].flags & CLGAN_ROW_HIDDEN);
    return count;
}

const clgan_setting_info *clgan_setting_at(clgan_model_kind kind, int index)
{
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    for (int i = 0; i < n && index >= 0; i++)
        if (!(rows[i].flags & CLGAN_ROW_HIDDEN) && index-- == 0) return &rows[i].info;
    return NULL;
}

const clgan_setting_info *clgan_setting_find(clgan_model_kind kind, const char *name)
{
    const clgan_setting_row *r = clgan_settings_row(kind, name);
    return r && !(r->flags & CLGAN_ROW_HIDDEN) ? &r->info : NULL;
}

/* ---- single values ------------------------------------------------------- */
static clgan_status not_a_number(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                                 const char *what)
{
    char esc[CLGAN_ESCAPE_CAP];
    return clgan_fail(status, "%s: setting '%s' is '%s', not %s", where, key, clgan_escape(v, len, esc, sizeof esc),
                      what);
}

/* v[0..len) as a NUL-terminated copy in buf; 0 when it does not fit (a value
 * that long is malformed anyway). */
static int copy_value(const char *v, size_t len, char *buf, size_t cap)
{
    if (len >= cap) return 0;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return 1;
}

clgan_status clgan_value_i64(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                             int64_t lo, int64_t hi, int64_t *out)
{
    char buf[64], *end;
    if (!copy_value(v, len, buf, sizeof buf) || !(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9')))
        return not_a_number(status, where, key, v, len, "a whole number");
    errno = 0;
    long long x = strtoll(buf, &end, 10);
    if (*end) return not_a_number(status, where, key, v, len, "a whole number");
    if (errno == ERANGE || x < lo || x > hi)
        return clgan_fail(status, "%s: setting '%s' is %s, outside the allowed range %lld to %lld", where, key, buf,
                          (long long)lo, (long long)hi);
    *out = (int64_t)x;
    return CLGAN_OK;
}

clgan_status clgan_value_u64(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                             uint64_t *out)
{
    char buf[64], *end;
    if (!copy_value(v, len, buf, sizeof buf) || !(buf[0] >= '0' && buf[0] <= '9'))
        return not_a_number(status, where, key, v, len, "a whole number from 0 to 2^64-1");
    errno = 0;
    unsigned long long u = strtoull(buf, &end, 10);
    if (*end || errno == ERANGE) return not_a_number(status, where, key, v, len, "a whole number from 0 to 2^64-1");
    *out = u;
    return CLGAN_OK;
}

clgan_status clgan_value_float(clgan_status status, const char *where, const char *key, const char *v, size_t len,
                               double lo, double hi, unsigned open, float *out)
{
    char buf[64], *end;
    if (!copy_value(v, len, buf, sizeof buf) || !(buf[0] == '-' || buf[0] == '.' || (buf[0] >= '0' && buf[0] <= '9')))
        return not_a_number(status, where, key, v, len, "a number");
    double x = strtod(buf, &end);
    if (*end || strpbrk(buf, "xX")) return not_a_number(status, where, key, v, len, "a number"); /* decimal only */
    int below = (open & CLGAN_SETTING_OPEN_MIN) ? !(x > lo) : !(x >= lo);
    int above = (open & CLGAN_SETTING_OPEN_MAX) ? !(x < hi) : !(x <= hi);
    if (!isfinite(x) || !isfinite((float)x) || below || above) {
        char range[96];
        if (isinf(hi))
            snprintf(range, sizeof range, "a finite number %s %g", (open & CLGAN_SETTING_OPEN_MIN) ? ">" : ">=", lo);
        else
            snprintf(range, sizeof range, "a number in %c%g, %g%c", (open & CLGAN_SETTING_OPEN_MIN) ? '(' : '[', lo, hi,
                     (open & CLGAN_SETTING_OPEN_MAX) ? ')' : ']');
        return clgan_fail(status, "%s: setting '%s' is %s; it must be %s", where, key, buf, range);
    }
    *out = (float)x;
    return CLGAN_OK;
}

/* ---- one row ------------------------------------------------------------- */
static void *field_at(const clgan_setting_row *r, void *cfg) { return (char *)cfg + r->offset; }
static const void *cfield_at(const clgan_setting_row *r, const void *cfg) { return (const char *)cfg + r->offset; }

static int64_t to_i64(double d) { return d >= I64_MAX_D ? INT64_MAX : (int64_t)d; }

/* The index of word v[0..len) in a '|'-separated list; -1 when not there. */
static int choice_index(const char *choices, const char *v, size_t len)
{
    int i = 0;
    for (const char *p = choices;; i++) {
        size_t n = strcspn(p, "|");
        if (n == len && !memcmp(p, v, len)) return i;
        if (!p[n]) return -1;
        p += n + 1;
    }
}

/* "a, b or c" from "a|b|c". */
static void choices_text(const char *choices, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (const char *p = choices; *p && at < cap;) {
        size_t n = strcspn(p, "|");
        const char *sep = !p[n] ? "" : strchr(p + n + 1, '|') ? ", " : " or ";
        at += (size_t)snprintf(out + at, cap - at, "%.*s%s", (int)n, p, sep);
        p += p[n] ? n + 1 : n;
    }
}

static clgan_status bad_choice(clgan_status status, const char *where, const clgan_setting_row *r, const char *v,
                               size_t len)
{
    char esc[CLGAN_ESCAPE_CAP], allowed[256];
    choices_text(r->info.choices, allowed, sizeof allowed);
    return clgan_fail(status, "%s: setting '%s' is '%s'; expected %s", where, r->info.name,
                      clgan_escape(v, len, esc, sizeof esc), allowed);
}

/* A FLAGS value v[0..len): the first word of the row's choices alone (0), or later words separated
 * by commas, each once, as bits (word i is bit 1 << (i - 1)). -1 when it is neither. */
static int flags_of(const char *choices, const char *v, size_t len)
{
    if (choice_index(choices, v, len) == 0) return 0;
    int bits = 0;
    for (size_t at = 0;; at++) {
        size_t n = 0;
        while (at + n < len && v[at + n] != ',') n++;
        int k = choice_index(choices, v + at, n);
        if (k <= 0 || (bits & (1 << (k - 1)))) return -1;
        bits |= 1 << (k - 1);
        at += n;
        if (at == len) return bits;
    }
}

static clgan_status bad_flags(clgan_status status, const char *where, const clgan_setting_row *r, const char *v,
                              size_t len)
{
    const char *choices = r->info.choices;
    size_t first = strcspn(choices, "|");
    char esc[CLGAN_ESCAPE_CAP], allowed[256];
    choices_text(choices[first] ? choices + first + 1 : "", allowed, sizeof allowed);
    return clgan_fail(status, "%s: setting '%s' is '%s'; expected %.*s, or any of %s separated by commas (each once)",
                      where, r->info.name, clgan_escape(v, len, esc, sizeof esc), (int)first, choices, allowed);
}

/* Parse v[0..len) into row r of cfg. strict (checkpoints): 0 is never
 * "automatic", and a preset name is left to the kind's resolve (which names
 * the presets). */
static clgan_status set_row(clgan_status status, const char *where, const clgan_setting_row *r, const char *v,
                            size_t len, int strict, void *cfg)
{
    const clgan_setting_info *in = &r->info;
    double lo = in->min, hi = in->max;
    if (r->range) r->range(cfg, &lo, &hi);
    int zero_ok = !strict && (r->flags & CLGAN_ROW_ZERO_AUTO) && len == 1 && v[0] == '0';
    switch (r->field) {
    case CLGAN_FIELD_INT:
    case CLGAN_FIELD_I64: {
        int64_t x;
        TRY(clgan_value_i64(status, where, in->name, v, len, zero_ok ? 0 : to_i64(lo), to_i64(hi), &x));
        if (r->field == CLGAN_FIELD_INT) *(int *)field_at(r, cfg) = (int)x;
        else *(int64_t *)field_at(r, cfg) = x;
        return CLGAN_OK;
    }
    case CLGAN_FIELD_U64: return clgan_value_u64(status, where, in->name, v, len, field_at(r, cfg));
    case CLGAN_FIELD_FLOAT:
        if (zero_ok) {
            *(float *)field_at(r, cfg) = 0;
            return CLGAN_OK;
        }
        return clgan_value_float(status, where, in->name, v, len, lo, hi, in->open, field_at(r, cfg));
    case CLGAN_FIELD_ENUM: {
        int k = choice_index(in->choices, v, len);
        if (k < 0) return bad_choice(status, where, r, v, len);
        *(int *)field_at(r, cfg) = k;
        return CLGAN_OK;
    }
    case CLGAN_FIELD_FLAGS: {
        int bits = flags_of(in->choices, v, len);
        if (bits < 0) return bad_flags(status, where, r, v, len);
        *(int *)field_at(r, cfg) = bits;
        return CLGAN_OK;
    }
    case CLGAN_FIELD_WORD:
        if (!strict && choice_index(in->choices, v, len) < 0) return bad_choice(status, where, r, v, len);
        if (len == 0 || len >= r->size) {
            char esc[CLGAN_ESCAPE_CAP];
            return clgan_fail(status, "%s: setting '%s' is '%s': it must be 1 to %zu bytes long", where, in->name,
                              clgan_escape(v, len, esc, sizeof esc), r->size - 1);
        }
        memcpy(field_at(r, cfg), v, len);
        ((char *)field_at(r, cfg))[len] = '\0';
        return CLGAN_OK;
    }
    return clgan_fail(CLGAN_ERR_INVALID_ARG, "setting '%s' has no storage type", in->name);
}

size_t clgan_settings_format(const clgan_setting_row *r, const void *cfg, char *out, size_t cap)
{
    const void *f = cfield_at(r, cfg);
    int n = 0;
    switch (r->field) {
    case CLGAN_FIELD_INT: n = snprintf(out, cap, "%d", *(const int *)f); break;
    case CLGAN_FIELD_I64: n = snprintf(out, cap, "%lld", (long long)*(const int64_t *)f); break;
    case CLGAN_FIELD_U64: n = snprintf(out, cap, "%llu", (unsigned long long)*(const uint64_t *)f); break;
    case CLGAN_FIELD_FLOAT: n = snprintf(out, cap, "%.9g", (double)*(const float *)f); break;
    case CLGAN_FIELD_ENUM: {
        const char *p = r->info.choices;
        for (int k = *(const int *)f; k > 0 && p; k--) p = strchr(p, '|'), p = p ? p + 1 : NULL;
        if (!p) p = "?";
        n = snprintf(out, cap, "%.*s", (int)strcspn(p, "|"), p);
        break;
    }
    case CLGAN_FIELD_WORD: n = snprintf(out, cap, "%.*s", (int)r->size, (const char *)f); break;
    case CLGAN_FIELD_FLAGS: {
        int bits = *(const int *)f, k = 0;
        for (const char *p = r->info.choices; *p; k++) {
            size_t w = strcspn(p, "|");
            if (k == 0 ? !bits : (bits >> (k - 1)) & 1) {
                int room = (size_t)n < cap;
                int m = snprintf(room ? out + n : NULL, room ? cap - (size_t)n : 0, "%s%.*s", n ? "," : "", (int)w, p);
                n += m > 0 ? m : 0;
            }
            p += p[w] ? w + 1 : w;
        }
        break;
    }
    }
    return n > 0 ? (size_t)n : 0;
}

/* ---- whole configs ------------------------------------------------------- */
void clgan_settings_defaults(clgan_model_kind kind, void *cfg)
{
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    memset(cfg, 0, clgan_settings_config_size(kind));
    for (int i = 0; i < n; i++) /* the defaults parse (test_settings checks every one) */
        (void)set_row(CLGAN_ERR_INVALID_ARG, "default", &rows[i], rows[i].info.default_value,
                      strlen(rows[i].info.default_value), 0, cfg);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The value of word "name=..." in text (words separated by white space). */
static const char *find_value(const char *text, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *p = text; *p;) {
        while (is_space(*p)) p++;
        const char *word = p;
        while (*p && !is_space(*p)) p++;
        if ((size_t)(p - word) > n && !memcmp(word, name, n) && word[n] == '=') {
            *len = (size_t)(p - word) - n - 1;
            return word + n + 1;
        }
    }
    return NULL;
}

static int in_section(const clgan_setting_row *r, clgan_settings_section section)
{
    return section == CLGAN_SECTION_ALL || (section == CLGAN_SECTION_ARCH) == !!(r->flags & CLGAN_ROW_ARCH);
}

clgan_status clgan_settings_read(clgan_model_kind kind, clgan_settings_section section, const char *path,
                                 const char *text, void *cfg)
{
    char where[4200];
    snprintf(where, sizeof where, "checkpoint %s", path);
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    for (int i = 0; i < n; i++) {
        if (!in_section(&rows[i], section)) continue;
        size_t len;
        const char *v = find_value(text, rows[i].info.name, &len);
        if (!v && (rows[i].flags & CLGAN_ROW_OPTIONAL)) continue;
        if (!v) return clgan_fail(CLGAN_ERR_FORMAT, "%s: setting '%s' is missing", where, rows[i].info.name);
        TRY(set_row(CLGAN_ERR_FORMAT, where, &rows[i], v, len, 1, cfg));
    }
    return CLGAN_OK;
}

/* "a, b, c" of the kind's public names. */
static void names_text(clgan_model_kind kind, char *out, size_t cap)
{
    size_t at = 0;
    out[0] = '\0';
    for (int i = 0; i < clgan_setting_count(kind) && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? ", " : "", clgan_setting_at(kind, i)->name);
}

clgan_status clgan_settings_parse(clgan_model_kind kind, const char *where, const char *text, void *cfg)
{
    char esc[CLGAN_ESCAPE_CAP];
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    if (!rows) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: unknown model kind %d", where, (int)kind);
    if (!text) return CLGAN_OK;
    /* every word names a setting, once */
    for (const char *p = text; *p;) {
        while (is_space(*p)) p++;
        const char *word = p;
        while (*p && !is_space(*p)) p++;
        if (p == word) break;
        const char *eq = memchr(word, '=', (size_t)(p - word));
        if (!eq)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: '%s' is not a name=value pair", where,
                              clgan_escape(word, (size_t)(p - word), esc, sizeof esc));
        const clgan_setting_row *r = find_row_n(kind, word, (size_t)(eq - word));
        if (!r || (r->flags & CLGAN_ROW_HIDDEN)) {
            char names[1024];
            names_text(kind, names, sizeof names);
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: unknown setting '%s' for a %s model; the settings are %s",
                              where, clgan_escape(word, (size_t)(eq - word), esc, sizeof esc),
                              clgan_model_kind_name(kind), names);
        }
        size_t len;
        if (find_value(p, r->info.name, &len))
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: setting '%s' is given twice", where, r->info.name);
    }
    /* in table order, so that a range that depends on an earlier setting sees its new value */
    for (int i = 0; i < n; i++) {
        size_t len;
        const char *v = find_value(text, rows[i].info.name, &len);
        if (v) TRY(set_row(CLGAN_ERR_INVALID_ARG, where, &rows[i], v, len, 0, cfg));
    }
    return CLGAN_OK;
}

size_t clgan_settings_write(clgan_model_kind kind, clgan_settings_section section, const void *cfg, char *out,
                            size_t cap)
{
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    size_t at = 0;
    if (cap) out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (!in_section(&rows[i], section)) continue;
        char value[96];
        clgan_settings_format(&rows[i], cfg, value, sizeof value);
        int k = snprintf(at < cap ? out + at : NULL, at < cap ? cap - at : 0, "%s%s=%s", at ? " " : "",
                         rows[i].info.name, value);
        at += k > 0 ? (size_t)k : 0;
    }
    return at;
}

const clgan_setting_row *clgan_settings_first_change(clgan_model_kind kind, clgan_setting_resume resume,
                                                     const void *wanted, const void *have)
{
    int n;
    const clgan_setting_row *rows = clgan_settings_rows(kind, &n);
    for (int i = 0; i < n; i++) {
        const clgan_setting_row *r = &rows[i];
        if (r->info.resume != resume || (r->flags & CLGAN_ROW_HIDDEN)) continue;
        char a[96], b[96];
        clgan_settings_format(r, wanted, a, sizeof a);
        clgan_settings_format(r, have, b, sizeof b);
        if ((r->flags & CLGAN_ROW_ZERO_AUTO) && !strcmp(a, "0")) continue;
        if (strcmp(a, b)) return r;
    }
    return NULL;
}
