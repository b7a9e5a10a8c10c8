/* detector.h — the grid detector's training and inference: a net from an
 * architecture text (presets det64, det96) whose output is a G x G grid of
 * 5+K channels, the grid loss (nn/grid_loss.h), Adam, optional shifts that
 * move the boxes with the image, and detections decoded, thresholded and
 * non-maximum suppressed on the host.
 *
 *     clgan_detector_config c = clgan_detector_default_config();
 *     c.classes = 10;
 *     clgan_detector *det;
 *     clgan_detector_create(ctx, &c, &det);
 *     ... clgan_detector_train_step(det, images, boxes, box_start, &stats) per batch of c.batch scenes ...
 *     clgan_detector_detect(det, n, images, 0.05f, dets, cap, counts);
 *     clgan_detector_evaluate(det, n, images, boxes, box_start, map);  // clgan/detect_metrics.h
 *
 * Images are host floats [n,C,H,W] in [-1,1]; the boxes of image i are
 * boxes[box_start[i] .. box_start[i+1]), normalised (clgan/box.h).
 * Everything random (weights, shifts) derives from (seed, step), so a run
 * stopped after N steps and resumed for M more matches N+M in one go.
 */
#ifndef CLGAN_DETECTOR_H
#define CLGAN_DETECTOR_H
#include "clgan/box.h"
#include "clgan/detect_metrics.h"
#include "models/arch.h"
#include "nn/grid_loss.h"
#include "nn/net.h"

#define CLGAN_DETECTOR_MAX_CLASSES 1000
#define CLGAN_DETECTOR_MAX_WIDTH 1024

/* The settings are the detector's table (settings.c), which also gives the defaults. */
typedef struct clgan_detector_config {
    char model[16];          /* "det64", "det96"; with a text, its [net] name (or "custom") */
    const char *text;        /* architecture text (NULL: the preset); copied by create */
    int width;               /* the text's `width` (0: its default) */
    int classes;             /* K >= 1 */
    int channels;            /* image channels, 1 or 3 (0: the text's default) */
    int batch;               /* scenes per step, >= 2 (batchnorm) */
    float lr, beta1, beta2, eps, weight_decay; /* Adam */
    int augment;             /* 1: random shifts of up to 1/8 of the side, boxes moved along */
    clgan_grid_loss_weights loss;
    uint64_t seed;
    /* resolved by create: */
    int c, h, w, grid;
} clgan_detector_config;

clgan_detector_config clgan_detector_default_config(void);
/* The config checked (ranges, a detector's square input and [5+K, G, G] output), c, h, w and grid
 * filled in, and its parsed architecture into *arch (the caller frees it with clgan_arch_free). */
clgan_status clgan_detector_resolve(clgan_detector_config *cfg, clgan_arch **arch /* OUT */);

typedef struct clgan_detector_stats {
    double loss;    /* the grid loss: sum over cells / scenes */
    int objects;    /* boxes in the batch */
    int dropped;    /* boxes that lost their cell to a smaller one (clgan_grid_targets) */
} clgan_detector_stats;

typedef struct clgan_detector clgan_detector;

clgan_status clgan_detector_create(clgan_ctx *ctx, const clgan_detector_config *cfg, clgan_detector **out /* OUT */);
void clgan_detector_free(clgan_detector *det); /* NULL is a no-op */
const clgan_detector_config *clgan_detector_get_config(const clgan_detector *det);
clgan_net *clgan_detector_net(clgan_detector *det);
int64_t clgan_detector_step_count(const clgan_detector *det);
void clgan_detector_set_step_count(clgan_detector *det, int64_t step); /* also the net's step */
/* The preset's text, or the config's: what checkpoints keep. */
const char *clgan_detector_arch_text(const clgan_detector *det);
/* Class names (kept in checkpoints); default "0", "1", ...; k out of range: NULL / CLGAN_ERR_INVALID_ARG. */
const char *clgan_detector_class_name(const clgan_detector *det, int k);
clgan_status clgan_detector_set_class_name(clgan_detector *det, int k, const char *name);

/* Checkpoints (detector_checkpoint.c): section "kind" "clgan-detector", "arch" (model, width,
 * classes, channels) and "arch.c" (the architecture text), "config" (the other settings),
 * "step", "class_names", "note", and the net "net" with Adam's state. */
clgan_status clgan_detector_save(clgan_detector *det, const char *path, const char *note);
clgan_status clgan_detector_load(clgan_ctx *ctx, const char *path, clgan_detector **out /* OUT */, char *note,
                                 size_t note_cap);
/* The settings of the checkpoint at path, resolved, without building the net (text NULL). */
clgan_status clgan_detector_peek(const char *path, clgan_detector_config *cfg /* OUT */);

/* Shift images [n,C,H,W] and their boxes by (dx, dy) pixels drawn from (seed,
 * step), |dx| <= W/8 and |dy| <= H/8, uncovered pixels -1. A box is cut to the image; one that
 * keeps less than half its area or whose centre leaves the image is dropped.
 * out_boxes holds up to box_start[n] boxes, out_start [n+1]. */
void clgan_detector_augment(uint64_t seed, int64_t step, int n, int c, int h, int w, const float *in,
                            const clgan_box *boxes, const int *box_start, float *out, clgan_box *out_boxes,
                            int *out_start);

/* One step on exactly `batch` scenes. */
clgan_status clgan_detector_train_step(clgan_detector *det, const float *images, const clgan_box *boxes,
                                       const int *box_start, clgan_detector_stats *stats /* OUT, may be NULL */);
/* Detections of n scenes (inference mode): those scoring >= min_score,
 * after per-class NMS at IoU 0.5, best first, at most cap per scene into
 * dets[i * cap ...], their number in counts[i]. */
clgan_status clgan_detector_detect(clgan_detector *det, int n, const float *images, float min_score,
                                   clgan_detection *dets /* [n*cap] */, int cap, int *counts /* [n] */);
/* The detections of n scenes (min score 0.001, up to 100 per scene) added to
 * map against their boxes. */
clgan_status clgan_detector_evaluate(clgan_detector *det, int n, const float *images, const clgan_box *boxes,
                                     const int *box_start, clgan_map *map);
#endif
