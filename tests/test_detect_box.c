/* test_detect_box.c — box IoU and non-maximum suppression against values
 * worked by hand. Coordinates are multiples of 1/64, so every area is exact
 * in float and double and the IoUs compare with ==. */
#include "test_expect.h"

#include <math.h>
#include <string.h>

/* A box from its edges (left, right, top, bottom). */
static clgan_box edges(int cls, double left, double right, double top, double bottom)
{
    return (clgan_box){cls, (float)((left + right) / 2), (float)((top + bottom) / 2), (float)(right - left),
                       (float)(bottom - top)};
}

static clgan_detection det(clgan_box b, float score) { return (clgan_detection){b, score}; }

static void test_iou(void)
{
    clgan_box a = edges(0, 0.25, 0.5, 0.25, 0.5);
    EXPECT(clgan_box_iou(&a, &a) == 1.0, "identical boxes: IoU 1 (%.17g)", clgan_box_iou(&a, &a));

    clgan_box far = edges(0, 0.625, 0.875, 0.625, 0.875);
    EXPECT(clgan_box_iou(&a, &far) == 0.0, "disjoint boxes: IoU 0");

    /* Shifted right by half its width: intersection 1/8 x 1/4, union
     * 2 x 1/16 - 1/32 = 3/32, IoU (1/32) / (3/32) = 1/3. */
    clgan_box half = edges(0, 0.375, 0.625, 0.25, 0.5);
    double iou = clgan_box_iou(&a, &half);
    EXPECT(iou == 1.0 / 3.0, "half-width overlap: IoU 1/3 (%.17g)", iou);
    EXPECT(clgan_box_iou(&half, &a) == iou, "IoU is symmetric");

    /* A box of half the width and height inside: 1/64 over 1/16 = 1/4. */
    clgan_box inner = edges(0, 0.3125, 0.4375, 0.3125, 0.4375);
    EXPECT(clgan_box_iou(&a, &inner) == 0.25, "contained box of a quarter the area: IoU 1/4 (%.17g)",
           clgan_box_iou(&a, &inner));

    /* Sharing the edge x = 0.5, and touching only at a corner. */
    clgan_box right = edges(0, 0.5, 0.75, 0.25, 0.5);
    clgan_box corner = edges(0, 0.5, 0.75, 0.5, 0.75);
    EXPECT(clgan_box_iou(&a, &right) == 0.0 && clgan_box_iou(&a, &corner) == 0.0,
           "touching edge and corner: IoU 0");

    /* Same height and row, x ranges [0.25, 0.5] and [0.3125, 0.5625]:
     * 3/16 over 5/16 = 0.6 (the correctly rounded double of both). */
    clgan_box sixteenth = edges(0, 0.3125, 0.5625, 0.25, 0.5);
    EXPECT(clgan_box_iou(&a, &sixteenth) == 0.1875 / 0.3125, "shift by 1/16: IoU 3/5 (%.17g)",
           clgan_box_iou(&a, &sixteenth));

    clgan_box flat = edges(0, 0.25, 0.5, 0.375, 0.375), nan_box = a;
    nan_box.cx = NAN;
    EXPECT(clgan_box_iou(&a, &flat) == 0.0 && clgan_box_iou(&flat, &flat) == 0.0, "zero-height box: IoU 0");
    EXPECT(clgan_box_iou(&a, &nan_box) == 0.0 && clgan_box_iou(&a, NULL) == 0.0 && clgan_box_iou(NULL, &a) == 0.0,
           "NaN coordinate or NULL box: IoU 0");
    clgan_box other_class = a;
    other_class.cls = 4;
    EXPECT(clgan_box_iou(&a, &other_class) == 1.0, "the class does not enter the IoU");
}

static int same_box(clgan_box x, clgan_box y)
{
    return x.cls == y.cls && x.cx == y.cx && x.cy == y.cy && x.w == y.w && x.h == y.h;
}

static void test_nms_overlap(void)
{
    clgan_box a = edges(0, 0.25, 0.5, 0.25, 0.5);
    clgan_box b = edges(0, 0.3125, 0.5625, 0.25, 0.5); /* IoU(a, b) = 0.6 */
    clgan_box c = edges(0, 0.625, 0.875, 0.625, 0.875);
    clgan_detection d[3] = {det(c, 0.7f), det(b, 0.8f), det(a, 0.9f)};
    int kept = clgan_nms(d, 3, 0.5f, 1, 0);
    EXPECT(kept == 2 && same_box(d[0].box, a) && same_box(d[1].box, c) && d[0].score == 0.9f && d[1].score == 0.7f,
           "threshold 0.5: b (IoU 0.6 with the higher a) suppressed, a then c kept (kept %d)", kept);

    clgan_detection e[3] = {det(c, 0.7f), det(b, 0.8f), det(a, 0.9f)};
    kept = clgan_nms(e, 3, 0.6f, 1, 0);
    EXPECT(kept == 3 && same_box(e[0].box, a) && same_box(e[1].box, b) && same_box(e[2].box, c),
           "threshold 0.6: IoU 0.6 is not above it, all three kept by score (kept %d)", kept);
}

static void test_nms_classes(void)
{
    clgan_box a = edges(0, 0.25, 0.5, 0.25, 0.5);
    clgan_box b = edges(1, 0.3125, 0.5625, 0.25, 0.5); /* class 1, IoU 0.6 with a */
    clgan_detection d[2] = {det(a, 0.9f), det(b, 0.8f)};
    int kept = clgan_nms(d, 2, 0.5f, 1, 0);
    EXPECT(kept == 2 && d[0].box.cls == 0 && d[1].box.cls == 1, "per class: an overlapping box of another class kept");
    clgan_detection e[2] = {det(a, 0.9f), det(b, 0.8f)};
    kept = clgan_nms(e, 2, 0.5f, 0, 0);
    EXPECT(kept == 1 && e[0].box.cls == 0, "across classes: the lower box of class 1 suppressed (kept %d)", kept);
}

static void test_nms_ties(void)
{
    /* x and y tie at 0.5 and overlap (IoU 0.6): the earlier one, x, wins;
     * z, disjoint and higher, comes first. */
    clgan_box x = edges(0, 0.3125, 0.5625, 0.25, 0.5);
    clgan_box y = edges(0, 0.25, 0.5, 0.25, 0.5);
    clgan_box z = edges(0, 0.625, 0.875, 0.625, 0.875);
    clgan_detection d[3] = {det(x, 0.5f), det(y, 0.5f), det(z, 0.9f)};
    int kept = clgan_nms(d, 3, 0.5f, 1, 0);
    EXPECT(kept == 2 && same_box(d[0].box, z) && same_box(d[1].box, x), "tie: the first of two equal scores kept");
    clgan_detection e[3] = {det(y, 0.5f), det(x, 0.5f), det(z, 0.9f)};
    kept = clgan_nms(e, 3, 0.5f, 1, 0);
    EXPECT(kept == 2 && same_box(e[0].box, z) && same_box(e[1].box, y), "tie, swapped input: again the first kept");

    /* Ten equal scores, none overlapping: the order given is kept. */
    clgan_detection many[10];
    for (int i = 0; i < 10; i++) many[i] = det(edges(i, i / 16.0, i / 16.0 + 0.03125, 0, 0.03125), 0.25f);
    kept = clgan_nms(many, 10, 0.5f, 0, 0);
    int in_order = kept == 10;
    for (int i = 0; i < kept; i++) in_order &= many[i].box.cls == i;
    EXPECT(in_order, "ten equal scores: kept in their original order");
}

static void test_nms_max_keep(void)
{
    clgan_detection d[5];
    float scores[5] = {0.2f, 0.9f, 0.4f, 0.8f, 0.6f};
    for (int i = 0; i < 5; i++) d[i] = det(edges(i, i / 8.0, i / 8.0 + 0.0625, 0, 0.0625), scores[i]);
    int kept = clgan_nms(d, 5, 0.5f, 1, 2);
    EXPECT(kept == 2 && d[0].box.cls == 1 && d[1].box.cls == 3, "max_keep 2: the two best (0.9, 0.8) kept (kept %d)",
           kept);
    EXPECT(clgan_nms(d, 0, 0.5f, 1, 0) == 0 && clgan_nms(NULL, 0, 0.5f, 1, 0) == 0, "no detections: 0 kept");
}

static void test_nms_refusals(void)
{
    clgan_detection d[2] = {det(edges(0, 0, 0.5, 0, 0.5), 0.5f), det(edges(0, 0, 0.5, 0, 0.5), NAN)};
    EXPECT(clgan_nms(d, -1, 0.5f, 1, 0) == -1 && strstr(clgan_last_error(), "n = -1"), "n < 0 refused: %s",
           clgan_last_error());
    EXPECT(clgan_nms(NULL, 2, 0.5f, 1, 0) == -1 && strstr(clgan_last_error(), "NULL"), "NULL dets refused: %s",
           clgan_last_error());
    EXPECT(clgan_nms(d, 2, 0.5f, 1, 0) == -1 && strstr(clgan_last_error(), "detection 1"),
           "NaN score refused: %s", clgan_last_error());
    EXPECT(clgan_nms(d, 1, NAN, 1, 0) == -1 && strstr(clgan_last_error(), "threshold"), "NaN threshold refused: %s",
           clgan_last_error());
}

int main(void)
{
    test_iou();
    test_nms_overlap();
    test_nms_classes();
    test_nms_ties();
    test_nms_max_keep();
    test_nms_refusals();
    return test_finish();
}
