/* test_detector.c — the grid detector: shifts that move boxes with the
 * image (host), refused configurations, and a short training on synthetic
 * scenes (filled squares, hollow squares and crosses) whose mAP@0.5 on
 * held-out scenes rises from near 0 to well above it. */
#include "test_expect.h"

#include "train/detector.h"

#include <math.h>
#include <string.h>

enum { S = 64, MAXOBJ = 3 };

/* One scene [1,S,S] in [-1,1] with 1..3 shapes of 3 kinds, non-overlapping;
 * their boxes into boxes (returns the count). */
static int make_scene(uint64_t *state, float *img, clgan_box *boxes)
{
    for (int i = 0; i < S * S; i++) img[i] = -1.0f;
    int n = 1 + (int)((*state = *state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33) % MAXOBJ, made = 0;
    int x0s[MAXOBJ], y0s[MAXOBJ], sides[MAXOBJ];
    for (int tries = 0; made < n && tries < 100; tries++) {
        uint64_t r = (*state = *state * 6364136223846793005ULL + 1442695040888963407ULL) >> 16;
        int side = 12 + (int)(r % 11), x0 = (int)((r >> 8) % (uint64_t)(S - side)), y0 = (int)((r >> 20) % (uint64_t)(S - side));
        int cls = (int)((r >> 32) % 3), clash = 0;
        for (int j = 0; j < made; j++)
            clash |= x0 < x0s[j] + sides[j] + 2 && x0s[j] < x0 + side + 2 && y0 < y0s[j] + sides[j] + 2 &&
                     y0s[j] < y0 + side + 2;
        if (clash) continue;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                int edge = x < 2 || y < 2 || x >= side - 2 || y >= side - 2;
                int cross = abs(x - side / 2) < 2 || abs(y - side / 2) < 2;
                int ink = cls == 0 ? 1 : cls == 1 ? edge : cross;
                if (ink) img[(y0 + y) * S + x0 + x] = 1.0f;
            }
        x0s[made] = x0, y0s[made] = y0, sides[made] = side;
        boxes[made++] = (clgan_box){.cls = cls, .cx = (x0 + side / 2.0f) / S, .cy = (y0 + side / 2.0f) / S,
                                    .w = (float)side / S, .h = (float)side / S};
    }
    return made;
}

static void make_set(uint64_t seed, int n, float *imgs, clgan_box *boxes, int *start)
{
    uint64_t state = seed;
    start[0] = 0;
    for (int i = 0; i < n; i++) start[i + 1] = start[i] + make_scene(&state, imgs + (size_t)i * S * S, boxes + start[i]);
}

/* A shifted image's ink stays inside its shifted box; a box pushed out is dropped. */
static void test_augment(void)
{
    float img[S * S], out[S * S];
    clgan_box box[1], moved[1];
    int start[2] = {0, 1}, out_start[2];
    int all_inside = 1, seen_shift = 0;
    for (int64_t step = 0; step < 20; step++) {
        for (int i = 0; i < S * S; i++) img[i] = -1;
        for (int y = 20; y < 40; y++)
            for (int x = 24; x < 34; x++) img[y * S + x] = 1;
        box[0] = (clgan_box){.cls = 2, .cx = 29.0f / S, .cy = 30.0f / S, .w = 10.0f / S, .h = 20.0f / S};
        clgan_detector_augment(7, step, 1, 1, S, S, img, box, start, out, moved, out_start);
        if (out_start[1] != 1) { all_inside = 0; break; }
        float x0 = (moved[0].cx - moved[0].w / 2) * S, x1 = (moved[0].cx + moved[0].w / 2) * S;
        float y0 = (moved[0].cy - moved[0].h / 2) * S, y1 = (moved[0].cy + moved[0].h / 2) * S;
        int ink = 0;
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
                if (out[y * S + x] > 0) {
                    ink++;
                    all_inside &= x >= x0 - 1e-3f && x + 1 <= x1 + 1e-3f && y >= y0 - 1e-3f && y + 1 <= y1 + 1e-3f;
                }
        all_inside &= ink == 200 && fabsf(moved[0].w * S - 10) < 1e-3f && moved[0].cls == 2;
        seen_shift |= fabsf(moved[0].cx - box[0].cx) > 1e-6f;
    }
    EXPECT(all_inside && seen_shift, "augment: the shifted ink (200 pixels) stays in the shifted box, 20 steps");
    /* A box at the border pushed out by more than half is dropped. */
    int dropped_somewhere = 0;
    for (int64_t step = 0; step < 40 && !dropped_somewhere; step++) {
        box[0] = (clgan_box){.cls = 0, .cx = 2.0f / S, .cy = 0.5f, .w = 4.0f / S, .h = 4.0f / S};
        clgan_detector_augment(7, step, 1, 1, S, S, img, box, start, out, moved, out_start);
        dropped_somewhere = out_start[1] == 0;
    }
    EXPECT(dropped_somewhere, "augment: a box shifted off the image is dropped");
}

static double map50(clgan_detector *det, int n, const float *imgs, const clgan_box *boxes, const int *start)
{
    clgan_map *m;
    MUST(clgan_map_create(3, &m));
    MUST(clgan_detector_evaluate(det, n, imgs, boxes, start, m));
    clgan_map_result r;
    MUST(clgan_map_compute(m, &r));
    double v = r.map50;
    clgan_map_free(m);
    return v;
}

static void test_refusals(clgan_ctx *ctx)
{
    clgan_detector *det = NULL;
    clgan_detector_config c = clgan_detector_default_config();
    c.classes = 0;
    EXPECT(clgan_detector_create(ctx, &c, &det) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "classes"),
           "create: 0 classes refused (%s)", clgan_last_error());
    c = clgan_detector_default_config();
    snprintf(c.model, sizeof c.model, "lenet28");
    EXPECT(clgan_detector_create(ctx, &c, &det) != CLGAN_OK, "create: a classifier preset is not a detector (%s)",
           clgan_last_error());
    c = clgan_detector_default_config();
    c.text = "[input]\nc = 1\nh = 16\nw = 16\n[conv]\nfilters = 7\nsize = 3\npad = 1\n";
    c.classes = 3;
    EXPECT(clgan_detector_create(ctx, &c, &det) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "8 channels"),
           "create: a text ending in 7 channels for 3 classes refused (%s)", clgan_last_error());
    c.classes = 2;
    c.text = "[net]\nmode = classifier\n[input]\nc = 1\nh = 16\nw = 16\n[conv]\nfilters = 7\nsize = 3\npad = 1\n";
    EXPECT(clgan_detector_create(ctx, &c, &det) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "mode classifier"),
           "create: a classifier's text is refused even with the right output (%s)", clgan_last_error());
    c.text = "[input]\nc = 1\nh = 16\nw = 16\n[conv]\nfilters = 7\nsize = 3\npad = 1\n";
    c.batch = 2;
    EXPECT(clgan_detector_create(ctx, &c, &det) == CLGAN_OK && clgan_detector_get_config(det)->grid == 16,
           "create: a 16x16 text of 7 channels is a 2-class detector with a 16x16 grid");
    float img[2 * 16 * 16] = {0};
    clgan_box bad = {.cls = 2, .cx = 0.5f, .cy = 0.5f, .w = 0.1f, .h = 0.1f};
    int start[3] = {0, 1, 1};
    EXPECT(clgan_detector_train_step(det, img, &bad, start, NULL) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "class 2"),
           "train step: a box of class 2 in a 2-class detector refused (%s)", clgan_last_error());
    int back[3] = {0, 1, 0};
    bad.cls = 1;
    EXPECT(clgan_detector_train_step(det, img, &bad, back, NULL) == CLGAN_ERR_INVALID_ARG,
           "train step: decreasing offsets refused");
    clgan_detector_free(det);
}

int main(void)
{
    test_augment();
    clgan_ctx *ctx = test_device_or_skip();
    test_refusals(ctx);

    enum { TRAIN = 512, TEST = 64, B = 16, STEPS = 240 };
    static float train[TRAIN * S * S], test[TEST * S * S];
    static clgan_box train_boxes[TRAIN * MAXOBJ], test_boxes[TEST * MAXOBJ];
    static int train_start[TRAIN + 1], test_start[TEST + 1], batch_start[B + 1];
    make_set(11, TRAIN, train, train_boxes, train_start);
    make_set(12345, TEST, test, test_boxes, test_start);

    clgan_detector_config c = clgan_detector_default_config();
    c.classes = 3, c.width = 8, c.batch = B, c.augment = 1;
    clgan_detector *det;
    MUST(clgan_detector_create(ctx, &c, &det));
    double before = map50(det, TEST, test, test_boxes, test_start);
    double first_loss = 0, last_loss = 0;
    for (int s = 0; s < STEPS; s++) {
        int first = (s * B) % TRAIN;
        for (int i = 0; i <= B; i++) batch_start[i] = train_start[first + i] - train_start[first];
        clgan_detector_stats st;
        MUST(clgan_detector_train_step(det, train + (size_t)first * S * S, train_boxes + train_start[first],
                                       batch_start, &st));
        if (s < 10) first_loss += st.loss / 10;
        if (s >= STEPS - 10) last_loss += st.loss / 10;
    }
    double after = map50(det, TEST, test, test_boxes, test_start);
    printf("mAP@0.5 before %.3f after %.3f; loss %.3f -> %.3f\n", before, after, first_loss, last_loss);
    EXPECT(last_loss < 0.5 * first_loss, "training: the loss falls by more than half (%.3f -> %.3f)", first_loss,
           last_loss);
    EXPECT(before < 0.1 && after > 0.5, "training: mAP@0.5 on held-out scenes rises from %.3f to %.3f (> 0.5)", before,
           after);
    clgan_detector_free(det);
    clgan_ctx_free(ctx);
    return test_finish();
}
