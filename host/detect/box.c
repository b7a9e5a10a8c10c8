/* box.c — box geometry for detection: the IoU of two centre-size boxes and
 * non-maximum suppression (clgan/detect_metrics.h). */
#include "detect/detect_order.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int box_is_usable(const clgan_box *b)
{
    return b && isfinite(b->cx) && isfinite(b->cy) && isfinite(b->w) && isfinite(b->h) && b->w > 0 && b->h > 0;
}

double clgan_box_iou(const clgan_box *a, const clgan_box *b)
{
    if (!box_is_usable(a) || !box_is_usable(b)) return 0;
    double a_left = (double)a->cx - 0.5 * a->w, a_right = (double)a->cx + 0.5 * a->w;
    double a_top = (double)a->cy - 0.5 * a->h, a_bottom = (double)a->cy + 0.5 * a->h;
    double b_left = (double)b->cx - 0.5 * b->w, b_right = (double)b->cx + 0.5 * b->w;
    double b_top = (double)b->cy - 0.5 * b->h, b_bottom = (double)b->cy + 0.5 * b->h;
    double overlap_w = fmin(a_right, b_right) - fmax(a_left, b_left);
    double overlap_h = fmin(a_bottom, b_bottom) - fmax(a_top, b_top);
    if (overlap_w <= 0 || overlap_h <= 0) return 0;
    double intersection = overlap_w * overlap_h;
    double union_area = (double)a->w * a->h + (double)b->w * b->h - intersection;
    return union_area > 0 ? intersection / union_area : 0;
}

int detect_sort_by_score(const float *scores, size_t stride, int n, int *order)
{
    for (int i = 0; i < n; i++) order[i] = i;
    /* A bottom-up merge sort, highest score first; stable, so equal scores
     * keep their index order. */
    int *scratch = malloc((size_t)(n > 0 ? n : 1) * sizeof *scratch);
    if (!scratch) return 0;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                float si = *(const float *)((const char *)scores + (size_t)order[i] * stride);
                float sj = *(const float *)((const char *)scores + (size_t)order[j] * stride);
                scratch[k++] = sj > si ? order[j++] : order[i++];
            }
            while (i < mid) scratch[k++] = order[i++];
            while (j < hi) scratch[k++] = order[j++];
        }
        memcpy(order, scratch, (size_t)n * sizeof *order);
    }
    free(scratch);
    return 1;
}

int clgan_nms(clgan_detection *dets, int n, float iou_threshold, int per_class, int max_keep)
{
    if (n < 0) {
        clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_nms: n = %d detections, must be >= 0", n);
        return -1;
    }
    if (n > 0 && !dets) {
        clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_nms: dets is NULL with n = %d", n);
        return -1;
    }
    if (!isfinite(iou_threshold)) {
        clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_nms: IoU threshold %g is not finite", (double)iou_threshold);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!isfinite(dets[i].score)) {
            clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_nms: detection %d has score %g, not finite", i,
                       (double)dets[i].score);
            return -1;
        }
    if (n == 0) return 0;
    int *order = malloc((size_t)n * sizeof *order);
    clgan_detection *sorted = malloc((size_t)n * sizeof *sorted);
    if (!order || !sorted || !detect_sort_by_score(&dets[0].score, sizeof *dets, n, order)) {
        free(order);
        free(sorted);
        clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_nms: no memory to sort %d detections", n);
        return -1;
    }
    for (int i = 0; i < n; i++) sorted[i] = dets[order[i]];
    int kept = 0;
    for (int i = 0; i < n && (max_keep <= 0 || kept < max_keep); i++) {
        int suppressed = 0;
        for (int k = 0; k < kept && !suppressed; k++) {
            if (per_class && dets[k].box.cls != sorted[i].box.cls) continue;
            suppressed = clgan_box_iou(&dets[k].box, &sorted[i].box) > iou_threshold;
        }
        if (!suppressed) dets[kept++] = sorted[i];
    }
    free(sorted);
    free(order);
    return kept;
}
