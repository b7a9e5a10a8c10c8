/* test_detect_map.c — COCO-style mAP (clgan_map_*) against values worked by
 * hand: perfect and absent predictions, a duplicate, greedy matching in a
 * crowded scene, a class without ground truth, a box that matches at some
 * IoU thresholds only, the 101-point interpolation of a hand-made ranking,
 * streaming against one call, and refused arguments. Coordinates are
 * multiples of 1/64, so the IoUs are exact; APs compare within 1e-12 (the
 * sums of 101 samples round differently from the fractions). */
#include "test_expect.h"

#include <math.h>
#include <string.h>

#define TOL 1e-12

static clgan_box edges(int cls, double left, double right, double top, double bottom)
{
    return (clgan_box){cls, (float)((left + right) / 2), (float)((top + bottom) / 2), (float)(right - left),
                       (float)(bottom - top)};
}

/* A box in row `row` (of eight, 1/8 high) spanning x in [left, right]. */
static clgan_box in_row(int cls, int row, double left, double right)
{
    return edges(cls, left, right, row / 8.0, row / 8.0 + 0.125);
}

static clgan_detection det(clgan_box b, float score) { return (clgan_detection){b, score}; }

static int near(double got, double want) { return fabs(got - want) <= TOL; }

static clgan_map *new_map(int classes)
{
    clgan_map *m = NULL;
    MUST(clgan_map_create(classes, &m));
    return m;
}

static clgan_map_result compute(clgan_map *m)
{
    clgan_map_result r;
    MUST(clgan_map_compute(m, &r));
    return r;
}

static void test_perfect(void)
{
    clgan_map *m = new_map(2);
    clgan_box t1[3] = {in_row(0, 0, 0, 0.25), in_row(1, 1, 0.5, 0.75), in_row(0, 2, 0.25, 0.5)};
    clgan_detection p1[3] = {det(t1[2], 0.3f), det(t1[0], 0.9f), det(t1[1], 0.6f)};
    clgan_box t2[1] = {in_row(1, 4, 0, 0.125)};
    clgan_detection p2[1] = {det(t2[0], 0.1f)};
    MUST(clgan_map_add_image(m, t1, 3, p1, 3));
    MUST(clgan_map_add_image(m, t2, 1, p2, 1));
    clgan_map_result r = compute(m);
    int all_one = 1;
    for (int t = 0; t < CLGAN_MAP_THRESHOLDS; t++) all_one &= r.map_at[t] == 1.0;
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) all_one &= r.per_class[k].precision50[j] == 1.0;
    EXPECT(r.map50 == 1.0 && r.map == 1.0 && all_one && r.classes_with_truth == 2 && r.images == 2,
           "perfect predictions: AP 1 at every threshold, precision 1 at every recall (mAP %g)", r.map);
    EXPECT(r.per_class[0].truths == 2 && r.per_class[1].truths == 2 && r.per_class[0].predictions == 2,
           "ground-truth and prediction counts per class");
    clgan_map_free(m);
}

static void test_no_predictions(void)
{
    clgan_map *m = new_map(2);
    clgan_box t[2] = {in_row(0, 0, 0, 0.25), in_row(1, 1, 0, 0.25)};
    MUST(clgan_map_add_image(m, t, 2, NULL, 0));
    clgan_map_result r = compute(m);
    int zeros = 1;
    for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) zeros &= r.per_class[1].precision50[j] == 0.0;
    EXPECT(r.map50 == 0.0 && r.map == 0.0 && r.per_class[0].ap == 0.0 && zeros,
           "no predictions: AP 0 for classes with ground truth");
    clgan_map_free(m);
}

/* Two boxes; the first predicted twice. Ranking TP, FP, TP:
 *   i  TP  precision  recall   envelope
 *   1   1   1          1/2      1
 *   2   1   1/2        1/2      2/3
 *   3   2   2/3        1        2/3
 * Recall 0..0.50 (51 points) first reached at i = 1: 1; 0.51..1 (50) at
 * i = 3: 2/3. AP = (51 + 50 * 2/3) / 101 = 253/303 at every threshold. */
static void test_duplicate(void)
{
    clgan_map *m = new_map(1);
    clgan_box t[2] = {in_row(0, 0, 0, 0.25), in_row(0, 3, 0.5, 0.75)};
    clgan_detection p[3] = {det(t[0], 0.9f), det(t[0], 0.8f), det(t[1], 0.7f)};
    MUST(clgan_map_add_image(m, t, 2, p, 3));
    clgan_map_result r = compute(m);
    EXPECT(near(r.map50, 253.0 / 303) && near(r.map, 253.0 / 303),
           "duplicate prediction a false positive: AP 253/303 (%.15f)", r.map50);
    EXPECT(r.per_class[0].precision50[50] == 1.0 && near(r.per_class[0].precision50[51], 2.0 / 3),
           "precision envelope 1 up to recall 0.50, 2/3 from 0.51");
    clgan_map_free(m);
}

/* A crowded scene: two truths G0 = [0.25, 0.5], G1 = [0.3125, 0.5625] in
 * the same row (IoU 3/5 with each other).
 * (a) P0 = [0.296875, 0.546875] (score 0.9): IoU 13/19 with G0, 15/17 with
 *     G1; P1 = [0.34375, 0.59375] (0.8): 5/11 with G0, 7/9 with G1;
 *     P2 = G0 (0.7). Greedily P0 takes G1, its best; P1 finds G1 taken and
 *     G0 below 0.5: a false positive, though pairing P0-G0 and P1-G1 would
 *     have matched both. P2 takes G0 (IoU 1).
 *     t = 0.50..0.85 (8 thresholds): TP, FP, TP: AP 253/303 (as a duplicate);
 *     t = 0.90, 0.95: P0 (15/17, 13/19) and P1 miss, P2 hits: FP, FP, TP:
 *     precision 0, 0, 1/3 at recall 0, 0, 1/2; envelope 1/3 everywhere;
 *     recall 0..0.50 reached (51 points) at 1/3: AP 17/101.
 *     mAP@0.5:0.95 = (8 * 253/303 + 2 * 51/303) / 10 = 1063/1515.
 * (b) P0 = P1 = G0 (0.9, 0.8): P1's best box is taken, so it takes G1 where
 *     IoU 3/5 >= t: t = 0.50..0.60: TP, TP: AP 1; t = 0.65..0.95 (7): TP, FP:
 *     51/101. mAP@0.5:0.95 = (3 + 7 * 51/101) / 10 = 66/101. */
static void test_crowded(void)
{
    clgan_box g[2] = {in_row(0, 2, 0.25, 0.5), in_row(0, 2, 0.3125, 0.5625)};
    clgan_map *m = new_map(1);
    clgan_detection a[3] = {det(in_row(0, 2, 0.296875, 0.546875), 0.9f), det(in_row(0, 2, 0.34375, 0.59375), 0.8f),
                            det(g[0], 0.7f)};
    MUST(clgan_map_add_image(m, g, 2, a, 3));
    clgan_map_result r = compute(m);
    int ok = 1;
    for (int t = 0; t < 8; t++) ok &= near(r.per_class[0].ap_at[t], 253.0 / 303);
    ok &= near(r.per_class[0].ap_at[8], 17.0 / 101) && near(r.per_class[0].ap_at[9], 17.0 / 101);
    EXPECT(ok && near(r.map, 1063.0 / 1515), "crowded, greedy: AP 253/303 to IoU 0.85, 17/101 above; mAP %.15f = 1063/1515",
           r.map);
    clgan_map_free(m);

    m = new_map(1);
    clgan_detection b[2] = {det(g[0], 0.9f), det(g[0], 0.8f)};
    MUST(clgan_map_add_image(m, g, 2, b, 2));
    r = compute(m);
    ok = 1;
    for (int t = 0; t < 3; t++) ok &= r.per_class[0].ap_at[t] == 1.0;
    for (int t = 3; t < 10; t++) ok &= near(r.per_class[0].ap_at[t], 51.0 / 101);
    EXPECT(ok && near(r.map, 66.0 / 101), "crowded, best box taken: the next box (IoU 3/5) matched to 0.60; mAP %.15f = 66/101",
           r.map);
    clgan_map_free(m);
}

static void test_class_without_truth(void)
{
    clgan_map *m = new_map(3);
    clgan_box t[1] = {in_row(0, 0, 0, 0.25)};
    clgan_detection p[3] = {det(t[0], 0.9f), det(in_row(1, 5, 0, 0.25), 0.95f), det(in_row(1, 6, 0, 0.25), 0.2f)};
    MUST(clgan_map_add_image(m, t, 1, p, 3));
    clgan_map_result r = compute(m);
    const clgan_map_class *c1 = &r.per_class[1], *c2 = &r.per_class[2];
    EXPECT(r.map50 == 1.0 && r.map == 1.0 && r.classes_with_truth == 1,
           "classes with no ground truth left out of the mean (mAP %g over %d class)", r.map, r.classes_with_truth);
    EXPECT(c1->ap == -1 && c1->ap50 == -1 && c1->ap_at[3] == -1 && c1->precision50[0] == -1 && c1->predictions == 2 &&
               c1->truths == 0 && c2->ap == -1 && c2->predictions == 0,
           "their AP is -1 (predictions still counted)");

    clgan_box u[1] = {in_row(2, 7, 0, 0.25)};
    MUST(clgan_map_add_image(m, u, 1, NULL, 0));
    r = compute(m);
    EXPECT(r.map == 0.5 && r.per_class[2].ap == 0.0 && r.classes_with_truth == 2,
           "a class with ground truth but no predictions: AP 0, mAP (1 + 0) / 2");
    clgan_map_free(m);

    m = new_map(2);
    clgan_detection q[1] = {det(in_row(0, 0, 0, 0.25), 0.5f)};
    MUST(clgan_map_add_image(m, NULL, 0, q, 1));
    r = compute(m);
    EXPECT(r.map == -1 && r.map50 == -1 && r.classes_with_truth == 0, "no ground truth at all: mAP -1");
    clgan_map_free(m);
}

/* A box matching at some thresholds only.
 * (a) x in [0.25, 0.5] against the truth [0.296875, 0.546875]: IoU 13/19
 *     = 0.684: matched at 0.50..0.65 (4 thresholds), not at 0.70..0.95:
 *     mAP@0.5 = 1, mAP@0.75 = 0, mAP@0.5:0.95 = 4/10.
 * (b) A box of half the truth's width inside it: IoU exactly 1/2, matched
 *     at 0.50 only (>= counts): mAP@0.5:0.95 = 1/10. */
static void test_partial_thresholds(void)
{
    clgan_map *m = new_map(1);
    clgan_box t[1] = {in_row(0, 1, 0.296875, 0.546875)};
    clgan_detection p[1] = {det(in_row(0, 1, 0.25, 0.5), 0.5f)};
    MUST(clgan_map_add_image(m, t, 1, p, 1));
    clgan_map_result r = compute(m);
    EXPECT(r.map50 == 1.0 && r.map_at[3] == 1.0 && r.map_at[4] == 0.0 && r.map_at[5] == 0.0 && near(r.map, 0.4),
           "IoU 13/19: matched at 0.50..0.65 only, mAP@0.5:0.95 = 4/10 (%.15f)", r.map);
    clgan_map_free(m);

    m = new_map(1);
    clgan_box wide[1] = {in_row(0, 1, 0.25, 0.75)};
    clgan_detection inside[1] = {det(in_row(0, 1, 0.375, 0.625), 0.5f)};
    MUST(clgan_map_add_image(m, wide, 1, inside, 1));
    r = compute(m);
    EXPECT(r.map50 == 1.0 && r.map_at[1] == 0.0 && near(r.map, 0.1), "IoU exactly 1/2: matched at 0.50 only (%.15f)",
           r.map);
    clgan_map_free(m);
}

/* The 101-point interpolation on a hand-made ranking over two images, four
 * truths, six predictions (exact boxes or boxes on no truth):
 *   rank score image  hit  TP  precision  recall  envelope
 *   1    0.9   A      TP   1   1          1/4     1
 *   2    0.8   B      FP   1   1/2        1/4     2/3
 *   3    0.7   A      TP   2   2/3        1/2     2/3
 *   4    0.6   B      FP   2   1/2        1/2     3/5
 *   5    0.5   B      TP   3   3/5        3/4     3/5
 *   6    0.4   A      FP   3   1/2        3/4     1/2
 * Samples: recall 0..0.25 (26 points) first reached at rank 1: 1;
 * 0.26..0.50 (25) at rank 3: 2/3; 0.51..0.75 (25) at rank 5: 3/5;
 * 0.76..1 (25) never: 0. AP = (26 + 25 * 2/3 + 25 * 3/5) / 101 = 173/303. */
static void test_interpolation(void)
{
    clgan_map *m = new_map(1);
    clgan_box ta[2] = {in_row(0, 0, 0, 0.25), in_row(0, 1, 0, 0.25)};
    clgan_detection pa[3] = {det(ta[0], 0.9f), det(ta[1], 0.7f), det(in_row(0, 6, 0, 0.25), 0.4f)};
    clgan_box tb[2] = {in_row(0, 2, 0, 0.25), in_row(0, 3, 0, 0.25)};
    clgan_detection pb[3] = {det(in_row(0, 5, 0, 0.25), 0.8f), det(in_row(0, 6, 0, 0.25), 0.6f), det(tb[1], 0.5f)};
    MUST(clgan_map_add_image(m, ta, 2, pa, 3));
    MUST(clgan_map_add_image(m, tb, 2, pb, 3));
    clgan_map_result r = compute(m);
    const double *q = r.per_class[0].precision50;
    EXPECT(near(r.map50, 173.0 / 303) && near(r.map, 173.0 / 303), "hand-made ranking: AP 173/303 (%.15f)", r.map50);
    EXPECT(q[0] == 1 && q[25] == 1 && near(q[26], 2.0 / 3) && near(q[50], 2.0 / 3) && near(q[51], 0.6) &&
               near(q[75], 0.6) && q[76] == 0 && q[100] == 0,
           "envelope samples 1 | 2/3 | 3/5 | 0 breaking at recall 0.25, 0.50, 0.75");
    clgan_map_free(m);
}

/* A small deterministic generator for the streaming case. */
static unsigned long long rng_state = 12345;
static double uniform(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Four images, each a strip 1/4 high of random boxes, added one by one,
 * must give exactly what one image holding all four strips gives: no box
 * of one strip overlaps another's, and the tie rule (image order, then the
 * order given) is the order of the concatenation. */
static void test_streaming(void)
{
    enum { IMAGES = 4, TRUTHS = 6, PREDS = 9, K = 3 };
    clgan_box truth[IMAGES * TRUTHS];
    clgan_detection pred[IMAGES * PREDS];
    for (int i = 0; i < IMAGES; i++) {
        for (int g = 0; g < TRUTHS; g++) {
            double w = 0.05 + 0.2 * uniform(), h = 0.03 + 0.15 * uniform();
            double cx = w / 2 + (1 - w) * uniform(), cy = 0.25 * i + h / 2 + (0.25 - h) * uniform();
            truth[i * TRUTHS + g] = (clgan_box){(int)(uniform() * K), (float)cx, (float)cy, (float)w, (float)h};
        }
        for (int p = 0; p < PREDS; p++) {
            clgan_box b = truth[i * TRUTHS + (int)(uniform() * TRUTHS)];
            b.cx += (float)(0.03 * (uniform() - 0.5));
            b.w *= (float)(0.8 + 0.4 * uniform());
            if (uniform() < 0.2) b.cls = (b.cls + 1) % K;
            pred[i * PREDS + p] = det(b, (float)((int)(uniform() * 5) / 4.0)); /* ties on purpose */
        }
    }
    clgan_map *streamed = new_map(K), *whole = new_map(K), *again = new_map(K);
    for (int i = 0; i < IMAGES; i++)
        MUST(clgan_map_add_image(streamed, truth + i * TRUTHS, TRUTHS, pred + i * PREDS, PREDS));
    MUST(clgan_map_add_image(whole, truth, IMAGES * TRUTHS, pred, IMAGES * PREDS));
    clgan_map_result a = compute(streamed), b = compute(whole);
    int same = a.map == b.map && a.map50 == b.map50 && a.images == 4 && b.images == 1;
    for (int k = 0; k < K; k++) {
        same &= memcmp(a.per_class[k].ap_at, b.per_class[k].ap_at, sizeof a.per_class[k].ap_at) == 0;
        same &= memcmp(a.per_class[k].precision50, b.per_class[k].precision50, sizeof a.per_class[k].precision50) == 0;
    }
    EXPECT(same && a.map > 0 && a.map < 1, "four images streamed = one image of all four strips (mAP %.6f)", a.map);

    /* A compute between adds changes nothing of the final result. */
    MUST(clgan_map_add_image(again, truth, 2 * TRUTHS, pred, 2 * PREDS));
    compute(again);
    MUST(clgan_map_add_image(again, truth + 2 * TRUTHS, 2 * TRUTHS, pred + 2 * PREDS, 2 * PREDS));
    clgan_map_result c = compute(again);
    EXPECT(c.map == b.map && c.map50 == b.map50, "computing half way, then adding the rest: the same mAP");
    clgan_map_free(streamed);
    clgan_map_free(whole);
    clgan_map_free(again);
}

static void test_refusals(void)
{
    clgan_map *m = NULL;
    EXPECT(clgan_map_create(0, &m) == CLGAN_ERR_INVALID_ARG && !m && strstr(clgan_last_error(), "0 classes"),
           "0 classes refused: %s", clgan_last_error());
    EXPECT(clgan_map_create(3, NULL) == CLGAN_ERR_INVALID_ARG, "NULL out refused: %s", clgan_last_error());
    m = new_map(3);
    clgan_box t[2] = {in_row(0, 0, 0, 0.25), in_row(5, 1, 0, 0.25)};
    clgan_detection p[2] = {det(t[0], 0.5f), det(t[0], NAN)};
    EXPECT(clgan_map_add_image(m, t, 2, p, 1) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "truth box 1 has class 5, outside [0, 3)"),
           "truth class 5 of 3 refused: %s", clgan_last_error());
    EXPECT(clgan_map_add_image(m, t, 1, p, 2) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "prediction 1 has score nan"),
           "NaN score refused: %s", clgan_last_error());
    clgan_detection neg = det(t[0], 0.5f);
    neg.box.cls = -1;
    EXPECT(clgan_map_add_image(m, t, 1, &neg, 1) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "prediction 0 has class -1"),
           "prediction class -1 refused: %s", clgan_last_error());
    clgan_box inf = t[0];
    inf.w = INFINITY;
    EXPECT(clgan_map_add_image(m, &inf, 1, NULL, 0) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "not finite"),
           "infinite width refused: %s", clgan_last_error());
    EXPECT(clgan_map_add_image(m, t, -1, p, 1) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "-1 truth"),
           "negative count refused: %s", clgan_last_error());
    EXPECT(clgan_map_add_image(m, NULL, 2, p, 1) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "truth is NULL"),
           "NULL truth with a count refused: %s", clgan_last_error());
    EXPECT(clgan_map_add_image(NULL, t, 1, p, 1) == CLGAN_ERR_INVALID_ARG, "NULL accumulator refused: %s",
           clgan_last_error());
    clgan_map_result r;
    EXPECT(clgan_map_compute(NULL, &r) == CLGAN_ERR_INVALID_ARG && clgan_map_compute(m, NULL) == CLGAN_ERR_INVALID_ARG,
           "compute with NULL refused: %s", clgan_last_error());
    r = compute(m);
    EXPECT(r.images == 0 && r.per_class[0].truths == 0 && r.per_class[0].predictions == 0,
           "nothing of a refused image was added");
    clgan_map_free(m);
    clgan_map_free(NULL);
}

int main(void)
{
    test_perfect();
    test_no_predictions();
    test_duplicate();
    test_crowded();
    test_class_without_truth();
    test_partial_thresholds();
    test_interpolation();
    test_streaming();
    test_refusals();
    return test_finish();
}
