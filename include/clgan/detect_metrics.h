/* clgan/detect_metrics.h — how good a detector is: the IoU of two boxes,
 * non-maximum suppression, and COCO-style mean average precision gathered
 * image by image.
 *
 *     clgan_map *m;
 *     clgan_map_create(K, &m);
 *     for each image:                      // boxes as in clgan/box.h
 *         int kept = clgan_nms(dets, n, 0.5f, 1, 100);
 *         clgan_map_add_image(m, truth, n_truth, dets, kept);
 *     clgan_map_result r;
 *     clgan_map_compute(m, &r);            // r.map50, r.map, r.per_class[k]
 *     clgan_map_free(m);
 *
 * Plain host C in double precision (no device).
 *
 * Matching. In each image, at each IoU threshold t = 0.50, 0.55, ..., 0.95
 * (t_i = (50 + 5 i) / 100), the predictions are taken in order of score,
 * highest first (equal scores: in the order given). Each one is matched to
 * the not yet matched ground-truth box of its class with the highest IoU
 * >= t (equal IoUs: the first such box) and is then a true positive; when
 * no unmatched box of its class reaches t it is a false positive, so a
 * second prediction on a box already taken counts against precision.
 * Every prediction counts (no per-image cap, no area ranges, no crowd
 * boxes).
 *
 * Average precision of a class at t. All its predictions over all images,
 * by score (equal scores: image order, then the order given), give after
 * the first i of them precision p_i = TP_i / i and recall r_i = TP_i / N
 * (N its ground-truth boxes). The precision envelope q_i = max_{j >= i} p_j
 * is sampled at the 101 recalls R_j = j / 100, j = 0..100: at each, q_i of
 * the first i whose recall reaches R_j (100 TP_i >= j N, compared exactly
 * in integers), or 0 when no i does. AP is the mean of the 101 samples (COCO's
 * interpolation). A class with no ground-truth box has no AP (-1) and is
 * left out of every mean; one with boxes and no predictions has AP 0.
 * mAP@0.5 is the mean AP at t = 0.5 over the classes that have boxes;
 * mAP@0.5:0.95 the mean over the ten thresholds of that mean.
 */
#ifndef CLGAN_DETECT_METRICS_API_H
#define CLGAN_DETECT_METRICS_API_H
#include "clgan/box.h"
#include "clgan/core.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- box geometry ----------------------------------------------------------- */
/* Intersection over union of the two rectangles (centre and size, as in
 * clgan/box.h; the classes are not looked at). 0 when they do not overlap
 * (touching edges included), when either is NULL or has a size <= 0 or a
 * coordinate that is not finite. */
CLGAN_API double clgan_box_iou(const clgan_box *a, const clgan_box *b);

/* Non-maximum suppression in place. Sorts dets[0..n) by score, highest
 * first (equal scores keep their original order), and keeps a detection
 * unless one already kept overlaps it with IoU > iou_threshold (only one
 * of the same class when per_class is non-zero), stopping after max_keep
 * (<= 0: no limit). The kept detections are moved to the front in that
 * order; what follows them is unspecified. Returns the number kept, or -1
 * (CLGAN_ERR_INVALID_ARG or CLGAN_ERR_OUT_OF_MEMORY in clgan_last_error())
 * for a NULL dets with n > 0, n < 0, a non-finite threshold or score. */
CLGAN_API int clgan_nms(clgan_detection *dets, int n, float iou_threshold, int per_class, int max_keep);

/* ---- mean average precision ------------------------------------------------- */
#define CLGAN_MAP_THRESHOLDS 10     /* IoU 0.50, 0.55, ..., 0.95 */
#define CLGAN_MAP_RECALL_POINTS 101 /* recall 0, 0.01, ..., 1 */
#define CLGAN_MAP_MAX_CLASSES 65536

/* One class's results. The APs are -1 when the class has no ground truth. */
typedef struct clgan_map_class {
    int64_t truths;                           /* ground-truth boxes over all images */
    int64_t predictions;                      /* predictions of this class over all images */
    double ap50;                              /* AP at IoU 0.5 */
    double ap;                                /* AP averaged over IoU 0.50:0.95 */
    double ap_at[CLGAN_MAP_THRESHOLDS];       /* AP at IoU t_i = (50 + 5 i) / 100 */
    double precision50[CLGAN_MAP_RECALL_POINTS]; /* the precision envelope at recall j / 100, IoU 0.5
                                                    (the samples AP@0.5 averages; all -1 without truth) */
} clgan_map_class;

typedef struct clgan_map_result {
    int classes;              /* K */
    int classes_with_truth;   /* the classes the means are over */
    int64_t images;           /* images added */
    double map50;             /* mAP@0.5; -1 when no class has ground truth */
    double map;               /* mAP@0.5:0.95; -1 likewise */
    double map_at[CLGAN_MAP_THRESHOLDS]; /* mAP at each threshold */
    const clgan_map_class *per_class;    /* [classes]; owned by the accumulator, valid until
                                            its next clgan_map_compute or clgan_map_free */
} clgan_map_result;

typedef struct clgan_map clgan_map;

/* An empty accumulator for classes 0..classes-1 (1..CLGAN_MAP_MAX_CLASSES). */
CLGAN_API clgan_status clgan_map_create(int classes, clgan_map **out /* OUT */);
/* Add one image: its n_truth ground-truth boxes and n_pred predictions
 * (either pointer may be NULL when its count is 0; truth scores are not
 * used). CLGAN_ERR_INVALID_ARG, naming the value, for a negative count, a
 * class outside [0, classes), a coordinate or score that is not finite;
 * nothing is added then. */
CLGAN_API clgan_status clgan_map_add_image(clgan_map *m, const clgan_box *truth, int n_truth,
                                           const clgan_detection *pred, int n_pred);
/* The metrics over every image added so far (more may be added after). */
CLGAN_API clgan_status clgan_map_compute(clgan_map *m, clgan_map_result *out /* OUT */);
/* NULL is a no-op. */
CLGAN_API void clgan_map_free(clgan_map *m);

#ifdef __cplusplus
}
#endif
#endif
