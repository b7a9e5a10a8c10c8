/* clgan/model.h — a model behind one handle: a GAN (G and D), an image
 * classifier, a semi-supervised K+1-class GAN, a head trained on a GAN
 * discriminator's features, or a grid object detector. Create one from a preset name or an architecture
 * text plus settings, train it a step at a time from host arrays, sample,
 * predict, evaluate, save and load it.
 *
 *     clgan_model_params p = clgan_model_default_params(CLGAN_MODEL_GAN);
 *     p.arch = "dcgan28";                 // or the text `clgan models show dcgan28` prints
 *     p.settings = "batch=32 seed=7";     // names from the kind's settings table
 *     clgan_model *gan;
 *     if (clgan_model_create(ctx, &p, &gan) != CLGAN_OK) ... clgan_last_error() ...
 *     clgan_model_train_step(gan, images, NULL, &stats);  // images [32,1,28,28] in [-1,1]
 *     clgan_model_sample(gan, 16, NULL, 1, out);          // out [16,1,28,28]
 *     clgan_model_save(gan, "gan.ckpt", NULL);
 *     clgan_model_free(gan);
 *
 * Images are host floats [n, C, H, W] scaled to [-1, 1] (pixel / 127.5 - 1);
 * labels are int32 class indices, -1 for an unlabelled image where a kind
 * allows it. Everything random is a function of the seed setting and the
 * step count, so a model saved after N steps and trained M more from its
 * checkpoint ends with the same weights as N + M steps in one go.
 */
#ifndef CLGAN_MODEL_H
#define CLGAN_MODEL_H
#include "clgan/box.h"
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clgan_model_kind {
    CLGAN_MODEL_GAN = 1,        /* G and D; unconditional or class-conditional */
    CLGAN_MODEL_CLASSIFIER = 2, /* one CNN, softmax over K classes */
    CLGAN_MODEL_SSL = 3,        /* semi-supervised: a K+1-class D and a G */
    CLGAN_MODEL_DFEATURES = 4,  /* a linear or MLP head on a trained GAN's D features */
    CLGAN_MODEL_DETECTOR = 5    /* a grid object detector (boxes and classes) */
} clgan_model_kind;
#define CLGAN_MODEL_KIND_COUNT 5

/* "gan", "classifier", "ssl", "dfeatures", "detector"; NULL for another value. */
CLGAN_API const char *clgan_model_kind_name(clgan_model_kind kind);
/* The kind a name gives (the names above); CLGAN_ERR_INVALID_ARG listing them otherwise. */
CLGAN_API clgan_status clgan_model_kind_parse(const char *name, clgan_model_kind *kind /* OUT */);

/* ---- settings: one table per kind ------------------------------------------
 * Every setting of a kind (batch, learning rates, loss, seed, widths, ...)
 * has one row: its name (also its key in checkpoints and, with '_' as '-',
 * its command-line flag), type, default, range and help. The table drives
 * the defaults, the checkpoint's config section, the CLI's flags and --help,
 * and what --resume may change. */
typedef enum clgan_setting_type {
    CLGAN_SETTING_INT = 1,  /* integer within [min, max] */
    CLGAN_SETTING_U64 = 2,  /* unsigned 64-bit integer (seeds) */
    CLGAN_SETTING_FLOAT = 3,/* real number within [min, max] */
    CLGAN_SETTING_BOOL = 4, /* 0 or 1 (a flag without a value on the command line) */
    CLGAN_SETTING_CHOICE = 5,/* one word of `choices` */
    CLGAN_SETTING_FLAGS = 6 /* a set of `choices` words after the first, comma-separated in any order
                               ("translation,cutout"), or the first word alone for the empty set ("none") */
} clgan_setting_type;

typedef enum clgan_setting_resume {
    CLGAN_RESUME_FIXED = 0, /* part of the model (architecture, batch): a resume must not change it */
    CLGAN_RESUME_KEPT = 1,  /* a training setting the checkpoint keeps: a resume ignores a new value */
    CLGAN_RESUME_FREE = 2   /* may change on resume */
} clgan_setting_resume;

typedef struct clgan_setting_info {
    const char *name;          /* "lr_d" */
    clgan_setting_type type;
    const char *default_value; /* as text, "2e-4"; "0" for a number whose 0 means "the preset's (or the
                                  optimizer's) default", even where 0 is below min */
    double min, max;           /* INT and FLOAT: the range, inclusive unless `open` excludes an end */
    unsigned open;             /* FLOAT: CLGAN_SETTING_OPEN_MIN and/or CLGAN_SETTING_OPEN_MAX */
    const char *choices;       /* CHOICE, FLAGS: words separated by '|', "ns|ls" */
    clgan_setting_resume resume;
    const char *help;          /* one line, without a trailing period */
} clgan_setting_info;

#define CLGAN_SETTING_OPEN_MIN 1u /* min itself is not allowed (lr > 0) */
#define CLGAN_SETTING_OPEN_MAX 2u /* max itself is not allowed (beta1 < 1) */

/* The kind's table: index 0 .. count-1; NULL out of range or for an unknown name. */
CLGAN_API int clgan_setting_count(clgan_model_kind kind);
CLGAN_API const clgan_setting_info *clgan_setting_at(clgan_model_kind kind, int index);
CLGAN_API const clgan_setting_info *clgan_setting_find(clgan_model_kind kind, const char *name);
/* Check a settings text ("name=value" pairs, as clgan_model_params.settings
 * takes) against the kind's table without making a model: CLGAN_ERR_INVALID_ARG
 * naming an unknown name or a value out of range, as clgan_model_create would. */
CLGAN_API clgan_status clgan_settings_check(clgan_model_kind kind, const char *settings);

/* ---- creating, loading, saving ------------------------------------------- */
typedef struct clgan_model clgan_model;
typedef struct clgan_dataset clgan_dataset; /* clgan/dataset.h */
typedef struct clgan_net clgan_net;         /* one net of a model */

typedef struct clgan_model_params {
    clgan_model_kind kind;
    const char *arch;     /* a preset name ("dcgan28", "lenet28", "ssl28") or an architecture text
                             (clgan/arch.h; told from a name by a '[' or a line break); GAN: G's;
                             SSL: a preset name only (G is its DCGAN generator). NULL: the kind's
                             default preset. dfeatures: NULL (hidden and pool shape the head) */
    const char *arch_d;   /* GAN and SSL: D's architecture, a preset name or text; NULL: the D of
                             the preset `arch` names (required when `arch` is a text). The texts
                             are copied: they need not outlive the call */
    const char *settings; /* "name=value" pairs from the kind's table, separated by spaces or line
                             breaks ("batch=32 lr_g=1e-4"); NULL or "": all defaults. An unknown
                             name or a value out of range fails, naming it */
    int classes;          /* classifier, SSL, dfeatures, conditional GAN: number of classes (>= 2);
                             0 for an unconditional GAN */
    const char *gan_checkpoint; /* dfeatures: the GAN checkpoint whose D gives the features */
} clgan_model_params;

/* params with kind set and everything else NULL / 0. */
CLGAN_API clgan_model_params clgan_model_default_params(clgan_model_kind kind);
CLGAN_API clgan_status clgan_model_create(clgan_ctx *ctx, const clgan_model_params *params,
                                          clgan_model **model /* OUT */);
/* Any kind; the file says which. note (may be NULL) gets the saved note. */
CLGAN_API clgan_status clgan_model_load(clgan_ctx *ctx, const char *path, clgan_model **model /* OUT */,
                                        char *note, size_t note_cap);
/* Written to a temporary file and renamed over path, so a crash never
 * leaves a damaged checkpoint; refused (CLGAN_ERR_CHECK_FAILED) when any
 * weight is not finite. */
CLGAN_API clgan_status clgan_model_save(clgan_model *model, const char *path, const char *note);
CLGAN_API void clgan_model_free(clgan_model *model); /* NULL is a no-op */

/* ---- what a model is ----------------------------------------------------- */
typedef struct clgan_model_info {
    clgan_model_kind kind;
    int channels, height, width; /* image shape */
    int classes;                 /* 0 for an unconditional GAN */
    int batch;                   /* images per training step */
    int nz;                      /* noise dimension (GAN, SSL); 0 otherwise */
    int64_t steps;               /* training steps taken */
    size_t params;               /* trainable floats over all its nets (dfeatures: the head's; D is frozen) */
    char arch[32];               /* the preset's name, or "custom"; dfeatures: the GAN's preset */
} clgan_model_info;
CLGAN_API clgan_status clgan_model_get_info(const clgan_model *model, clgan_model_info *info /* OUT */);
/* A setting's current value as text (the same text the checkpoint keeps). */
CLGAN_API clgan_status clgan_model_get_setting(const clgan_model *model, const char *name, char *value, size_t cap);
/* Class names (kept in checkpoints); default "0", "1", ... A GAN's
 * checkpoint keeps none: setting one fails, and a conditional GAN's are its
 * class numbers. */
CLGAN_API clgan_status clgan_model_set_class_name(clgan_model *model, int k, const char *name);
CLGAN_API const char *clgan_model_class_name(const clgan_model *model, int k); /* NULL out of range */
/* The architecture text of a net ("G", "D", "C", "head"), the text --arch takes. NULL when the model has
 * no such net. Valid until the model is freed. */
CLGAN_API const char *clgan_model_arch_text(const clgan_model *model, const char *net);
/* The `clgan models show` table for every net of the model ("G:", "D:", ... then its table): each
 * layer's output shape, parameters, FLOPs per image and activations kept per image, and totals
 * (activation memory for a batch of the model's batch size). dfeatures: the head's, then the
 * frozen D's. CLGAN_ERR_INVALID_ARG when it does not fit in cap bytes. */
CLGAN_API clgan_status clgan_model_describe(const clgan_model *model, char *out, size_t cap);
/* The bits of a dfeatures model's "pool" setting: how D's feature maps
 * [C,H,W] become the head's inputs: per-channel average (C features),
 * per-channel maximum (C), 2x2 quadrant averages (4C), the whole map (CHW). */
enum { CLGAN_DFEAT_AVG = 1, CLGAN_DFEAT_MAX = 2, CLGAN_DFEAT_GRID2 = 4, CLGAN_DFEAT_FULL = 8 };
/* GAN and dfeatures: the index of D's layer whose output a dfeatures head
 * pools (the layer an architecture text marks as its features, else the one
 * before D's head and minibatch-stddev layer); its shape is
 * clgan_net_layer_shape(clgan_model_net(model, "D"), *layer, ...).
 * CLGAN_ERR_INVALID_ARG for other kinds. */
CLGAN_API clgan_status clgan_model_feature_layer(const clgan_model *model, int *layer /* OUT */);
/* A net of the model by name ("G", "D", "C", "head", and "G_ema": a GAN's moving average of G's weights,
 * when it keeps one); NULL when it has none. */
CLGAN_API clgan_net *clgan_model_net(clgan_model *model, const char *name);

/* ---- training and inference ---------------------------------------------- */
#define CLGAN_STATS_MAX 8
typedef struct clgan_step_stats {
    int count;                            /* values set */
    const char *names[CLGAN_STATS_MAX];   /* GAN: loss_d, loss_g, d_real, d_fake; classifier: loss,
                                             accuracy, lr; ... (static strings) */
    double values[CLGAN_STATS_MAX];
} clgan_step_stats;

/* One training step on exactly `batch` images [batch,C,H,W] and labels
 * [batch] (NULL for an unconditional GAN; classifier: -1 for an unlabelled
 * image). SSL: images [2*batch,C,H,W], the labelled batch (labels [batch],
 * each in [0, K)) then the unlabelled one. dfeatures: refused (a head trains
 * on a whole set: clgan_model_fit). A step that makes a loss non-finite fails
 * with CLGAN_ERR_CHECK_FAILED and says so. */
CLGAN_API clgan_status clgan_model_train_step(clgan_model *model, const float *images, const int32_t *labels,
                                              clgan_step_stats *stats /* OUT, may be NULL */);
/* dfeatures: the head's whole training on n >= 1 images [n,C,H,W] and labels
 * [n] (-1: unlabelled, ignored): the frozen D's features, the standardiser
 * fitted on them, then the `epochs` setting's passes in batches of `batch`
 * rows. Stats: first_loss, last_loss, train_accuracy, steps. Other kinds:
 * CLGAN_ERR_INVALID_ARG (they train a step at a time). */
CLGAN_API clgan_status clgan_model_fit(clgan_model *model, int n, const float *images, const int32_t *labels,
                                       clgan_step_stats *stats /* OUT, may be NULL */);
/* GAN and SSL: n images from G into images [n,C,H,W]; labels [n] choose the
 * classes of a conditional GAN (NULL: class i % K). Same seed and weights,
 * same bytes. A GAN trained with g_ema > 0 samples from the moving average
 * of G's weights (net "G_ema"), unless clgan_model_set_sample_ema(model, 0). */
CLGAN_API clgan_status clgan_model_sample(clgan_model *model, int n, const int32_t *labels, uint64_t seed,
                                          float *images /* OUT */);
/* GAN: on 1 (the default) samples from the moving average of G's weights when
 * the model keeps one, 0 from G's own weights. Other kinds: CLGAN_ERR_INVALID_ARG. */
CLGAN_API clgan_status clgan_model_set_sample_ema(clgan_model *model, int on);
/* Classifier, SSL, dfeatures: class probabilities [n, classes] of n images (inference mode). */
CLGAN_API clgan_status clgan_model_predict(clgan_model *model, int n, const float *images, float *probs /* OUT */);
/* Classifier, SSL, dfeatures: every image of data; confusion [K*K] (rows the
 * true class; may be NULL) and *accuracy (may be NULL) over its labelled images. */
CLGAN_API clgan_status clgan_model_evaluate(clgan_model *model, const clgan_dataset *data, int64_t *confusion,
                                            double *accuracy);

/* ---- detectors ----------------------------------------------------------
 * A detector model (kind CLGAN_MODEL_DETECTOR; presets det64, det96) takes
 * square scenes [n,C,H,W] in [-1,1]; the boxes of scene i are
 * boxes[box_start[i] .. box_start[i+1]) (box_start[0] = 0), normalised
 * (clgan/box.h). */
typedef struct clgan_map clgan_map; /* clgan/detect_metrics.h */
/* One step on exactly `batch` scenes. Stats: loss (the grid loss: a sum over
 * cells, a mean over scenes), objects (boxes in the batch), dropped (boxes
 * that lost their grid cell to a smaller box). */
CLGAN_API clgan_status clgan_model_train_step_boxes(clgan_model *model, const float *images, const clgan_box *boxes,
                                                    const int *box_start, clgan_step_stats *stats /* OUT, may be NULL */);
/* Detections of n scenes (inference mode) scoring at least min_score (0..1),
 * after per-class non-maximum suppression at IoU 0.5, best first: at most
 * cap per scene into dets[i*cap ...], their number in counts[i]. */
CLGAN_API clgan_status clgan_model_detect(clgan_model *model, int n, const float *images, float min_score,
                                          clgan_detection *dets /* OUT [n*cap] */, int cap, int *counts /* OUT [n] */);
/* The detections of n scenes (min score 0.001, up to 100 each) added to map
 * (clgan_map_create) against their boxes. */
CLGAN_API clgan_status clgan_model_evaluate_boxes(clgan_model *model, int n, const float *images,
                                                  const clgan_box *boxes, const int *box_start, clgan_map *map);

#ifdef __cplusplus
}
#endif
#endif
