/* map.c — COCO-style mean average precision gathered image by image
 * (clgan/detect_metrics.h): each image's predictions are matched to its
 * ground truth at the ten IoU thresholds when it is added, and only a
 * (score, class, matched-at-which-thresholds) record per prediction is
 * kept; clgan_map_compute ranks each class's records and interpolates. */
#include "detect/detect_order.h"

#include "core/error.h"

#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One prediction as the AP needs it. Records are kept in the order added:
 * image by image, each image's in the order given (the tie rule). */
typedef struct map_record {
    float score;
    int cls;
    unsigned true_at; /* bit i: a true positive at threshold i */
} map_record;

struct clgan_map {
    int classes;
    int64_t images;
    int64_t *truths; /* [classes] */
    map_record *records;
    size_t n_records, cap_records;
    clgan_map_class *per_class; /* [classes], filled by clgan_map_compute */
};

static double map_threshold(int i) { return (50.0 + 5.0 * i) / 100.0; }

clgan_status clgan_map_create(int classes, clgan_map **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_create: out is NULL");
    *out = NULL;
    if (classes < 1 || classes > CLGAN_MAP_MAX_CLASSES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_create: %d classes, must be 1..%d", classes,
                          CLGAN_MAP_MAX_CLASSES);
    clgan_map *m = calloc(1, sizeof *m);
    if (m) {
        m->classes = classes;
        m->truths = calloc((size_t)classes, sizeof *m->truths);
        m->per_class = calloc((size_t)classes, sizeof *m->per_class);
    }
    if (!m || !m->truths || !m->per_class) {
        clgan_map_free(m);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_create: no memory for %d classes", classes);
    }
    *out = m;
    return CLGAN_OK;
}

void clgan_map_free(clgan_map *m)
{
    if (!m) return;
    free(m->truths);
    free(m->records);
    free(m->per_class);
    free(m);
}

static clgan_status check_box(const clgan_box *b, int classes, const char *what, int index)
{
    if (b->cls < 0 || b->cls >= classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: %s %d has class %d, outside [0, %d)", what,
                          index, b->cls, classes);
    if (!isfinite(b->cx) || !isfinite(b->cy) || !isfinite(b->w) || !isfinite(b->h))
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "clgan_map_add_image: %s %d has a coordinate that is not finite (cx %g, cy %g, w %g, h %g)",
                          what, index, (double)b->cx, (double)b->cy, (double)b->w, (double)b->h);
    return CLGAN_OK;
}

static clgan_status check_image(const clgan_map *m, const clgan_box *truth, int n_truth, const clgan_detection *pred,
                                int n_pred)
{
    if (!m) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: the accumulator is NULL");
    if (n_truth < 0 || n_pred < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: negative count (%d truth boxes, %d predictions)",
                          n_truth, n_pred);
    if ((n_truth > 0 && !truth) || (n_pred > 0 && !pred))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: %s is NULL with a count of %d",
                          n_truth > 0 && !truth ? "truth" : "pred", n_truth > 0 && !truth ? n_truth : n_pred);
    for (int g = 0; g < n_truth; g++) TRY(check_box(&truth[g], m->classes, "truth box", g));
    for (int p = 0; p < n_pred; p++) {
        TRY(check_box(&pred[p].box, m->classes, "prediction", p));
        if (!isfinite(pred[p].score))
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: prediction %d has score %g, not finite", p,
                              (double)pred[p].score);
    }
    if ((size_t)n_pred > (size_t)INT_MAX - m->n_records)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_add_image: more than %d predictions in all", INT_MAX);
    return CLGAN_OK;
}

/* Greedy matching of one image at every threshold: true_at[p] gets bit i
 * when prediction p is a true positive at threshold i. */
static clgan_status match_image(const clgan_box *truth, int n_truth, const clgan_detection *pred, int n_pred,
                                unsigned *true_at)
{
    memset(true_at, 0, (size_t)n_pred * sizeof *true_at);
    if (n_truth == 0 || n_pred == 0) return CLGAN_OK;
    if ((size_t)n_pred > SIZE_MAX / sizeof(double) / (size_t)n_truth)
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_add_image: %d predictions by %d boxes is too many IoUs",
                          n_pred, n_truth);
    double *iou = malloc((size_t)n_pred * (size_t)n_truth * sizeof *iou);
    int *order = malloc((size_t)n_pred * sizeof *order);
    unsigned char *taken = malloc((size_t)n_truth);
    if (!iou || !order || !taken || !detect_sort_by_score(&pred[0].score, sizeof *pred, n_pred, order)) {
        free(iou), free(order), free(taken);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_add_image: no memory to match %d predictions with %d boxes",
                          n_pred, n_truth);
    }
    /* -1: another class, never matched */
    for (int p = 0; p < n_pred; p++)
        for (int g = 0; g < n_truth; g++)
            iou[(size_t)p * n_truth + g] =
                pred[p].box.cls == truth[g].cls ? clgan_box_iou(&pred[p].box, &truth[g]) : -1.0;
    for (int t = 0; t < CLGAN_MAP_THRESHOLDS; t++) {
        double threshold = map_threshold(t);
        memset(taken, 0, (size_t)n_truth);
        for (int r = 0; r < n_pred; r++) {
            int p = order[r], best = -1;
            const double *row = iou + (size_t)p * n_truth;
            for (int g = 0; g < n_truth; g++)
                if (!taken[g] && row[g] >= threshold && (best < 0 || row[g] > row[best])) best = g;
            if (best >= 0) taken[best] = 1, true_at[p] |= 1u << t;
        }
    }
    free(iou), free(order), free(taken);
    return CLGAN_OK;
}

clgan_status clgan_map_add_image(clgan_map *m, const clgan_box *truth, int n_truth, const clgan_detection *pred,
                                 int n_pred)
{
    TRY(check_image(m, truth, n_truth, pred, n_pred));
    size_t need = m->n_records + (size_t)n_pred;
    if (need > m->cap_records) {
        size_t cap = m->cap_records ? m->cap_records : 256;
        while (cap < need) cap *= 2;
        map_record *grown = realloc(m->records, cap * sizeof *grown);
        if (!grown)
            return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_add_image: no memory for %zu predictions", need);
        m->records = grown, m->cap_records = cap;
    }
    unsigned *true_at = malloc((size_t)(n_pred > 0 ? n_pred : 1) * sizeof *true_at);
    if (!true_at) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_add_image: no memory for %d predictions", n_pred);
    clgan_status st = match_image(truth, n_truth, pred, n_pred, true_at);
    if (st == CLGAN_OK) {
        for (int p = 0; p < n_pred; p++)
            m->records[m->n_records++] = (map_record){pred[p].score, pred[p].box.cls, true_at[p]};
        for (int g = 0; g < n_truth; g++) m->truths[truth[g].cls]++;
        m->images++;
    }
    free(true_at);
    return st;
}

/* AP of one class at threshold bit `t` from its n records ranked by score
 * (rank[0..n) index records), with `truths` ground-truth boxes; the 101
 * envelope samples go to samples. envelope[n] is scratch. */
static double average_precision(const map_record *records, const int *rank, int n, int t, int64_t truths,
                                double *envelope, double *samples)
{
    int64_t true_positives = 0;
    for (int i = 0; i < n; i++) {
        true_positives += (records[rank[i]].true_at >> t) & 1u;
        envelope[i] = (double)true_positives / (i + 1);
    }
    for (int i = n - 2; i >= 0; i--)
        if (envelope[i + 1] > envelope[i]) envelope[i] = envelope[i + 1];
    /* Walk the ranking once: the first rank whose recall reaches j / 100. */
    double sum = 0;
    int i = 0;
    true_positives = n > 0 ? (records[rank[0]].true_at >> t) & 1u : 0;
    for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) {
        while (i < n && 100 * true_positives < (int64_t)j * truths) {
            i++;
            if (i < n) true_positives += (records[rank[i]].true_at >> t) & 1u;
        }
        samples[j] = i < n ? envelope[i] : 0.0;
        sum += samples[j];
    }
    return sum / CLGAN_MAP_RECALL_POINTS;
}

clgan_status clgan_map_compute(clgan_map *m, clgan_map_result *out)
{
    if (!m || !out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_map_compute: %s is NULL", m ? "out" : "the accumulator");
    int K = m->classes, n = (int)m->n_records;
    /* The records of each class, in the order added: class k's are
     * by_class[start[k] .. start[k + 1]). */
    int *start = calloc((size_t)K + 1, sizeof *start), *next_slot = malloc((size_t)K * sizeof *next_slot);
    int *by_class = malloc((size_t)(n > 0 ? n : 1) * sizeof *by_class);
    int *rank = malloc((size_t)(n > 0 ? n : 1) * sizeof *rank);
    map_record *class_records = malloc((size_t)(n > 0 ? n : 1) * sizeof *class_records);
    double *envelope = malloc((size_t)(n > 0 ? n : 1) * sizeof *envelope);
    clgan_status st = CLGAN_OK;
    if (!start || !next_slot || !by_class || !rank || !class_records || !envelope) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_compute: no memory for %d predictions", n);
        goto done;
    }
    for (int r = 0; r < n; r++) start[m->records[r].cls + 1]++;
    for (int k = 0; k < K; k++) start[k + 1] += start[k];
    memcpy(next_slot, start, (size_t)K * sizeof *next_slot);
    for (int r = 0; r < n; r++) by_class[next_slot[m->records[r].cls]++] = r;
    memset(out, 0, sizeof *out);
    out->classes = K;
    out->images = m->images;
    for (int k = 0; k < K; k++) {
        clgan_map_class *c = &m->per_class[k];
        int count = start[k + 1] - start[k];
        c->truths = m->truths[k];
        c->predictions = count;
        if (c->truths == 0) {
            c->ap50 = c->ap = -1;
            for (int t = 0; t < CLGAN_MAP_THRESHOLDS; t++) c->ap_at[t] = -1;
            for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) c->precision50[j] = -1;
            continue;
        }
        for (int r = 0; r < count; r++) class_records[r] = m->records[by_class[start[k] + r]];
        if (!detect_sort_by_score(&class_records[0].score, sizeof *class_records, count, rank)) {
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "clgan_map_compute: no memory to rank %d predictions", count);
            goto done;
        }
        double samples[CLGAN_MAP_RECALL_POINTS], sum = 0;
        for (int t = 0; t < CLGAN_MAP_THRESHOLDS; t++) {
            c->ap_at[t] = average_precision(class_records, rank, count, t, c->truths, envelope, samples);
            if (t == 0) memcpy(c->precision50, samples, sizeof samples);
            sum += c->ap_at[t];
            out->map_at[t] += c->ap_at[t];
        }
        c->ap50 = c->ap_at[0];
        c->ap = sum / CLGAN_MAP_THRESHOLDS;
        out->classes_with_truth++;
    }
    out->map = 0;
    for (int t = 0; t < CLGAN_MAP_THRESHOLDS; t++) {
        out->map_at[t] = out->classes_with_truth ? out->map_at[t] / out->classes_with_truth : -1;
        out->map += out->map_at[t];
    }
    out->map /= CLGAN_MAP_THRESHOLDS;
    out->map50 = out->map_at[0];
    out->per_class = m->per_class;
done:
    free(start), free(next_slot), free(by_class), free(rank), free(class_records), free(envelope);
    return st;
}
