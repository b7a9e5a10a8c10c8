/* test_grid.c — the grid detector's host side: targets made from boxes
 * (cells, offsets, collisions) and boxes decoded back from a head output
 * built from those targets. */
#include "test_expect.h"

#include "detect/grid.h"

#include <math.h>
#include <string.h>

static float logit(float p) { return logf(p / (1 - p)); }

/* Targets of hand-placed boxes on a 4x4 grid. */
static void test_targets(void)
{
    enum { G = 4, GG = G * G };
    float t[6 * GG];
    const clgan_box boxes[] = {
        {.cls = 2, .cx = 0.30f, .cy = 0.60f, .w = 0.20f, .h = 0.30f}, /* cell (gx 1, gy 2) = 9 */
        {.cls = 1, .cx = 0.35f, .cy = 0.70f, .w = 0.10f, .h = 0.10f}, /* same cell, smaller: it wins */
        {.cls = 0, .cx = 1.00f, .cy = 1.00f, .w = 0.10f, .h = 0.20f}, /* the corner: last cell, 15 */
        {.cls = 3, .cx = 0.10f, .cy = 0.10f, .w = 0.15f, .h = 0.15f}, /* cell 0 */
        {.cls = 1, .cx = 0.12f, .cy = 0.05f, .w = 0.40f, .h = 0.40f}, /* cell 0 again, larger: dropped */
    };
    int dropped = clgan_grid_targets(boxes, 5, G, t);
    EXPECT(dropped == 2, "targets: two boxes share a cell with a smaller one (dropped %d)", dropped);
    int positives = 0;
    for (int c = 0; c < GG; c++) positives += t[c] > 0.5f;
    EXPECT(positives == 3, "targets: 3 cells hold an object (got %d)", positives);
    EXPECT(t[9] == 1 && t[5 * GG + 9] == 1 && fabsf(t[GG + 9] - 0.4f) < 1e-6f && fabsf(t[2 * GG + 9] - 0.8f) < 1e-6f &&
               t[3 * GG + 9] == 0.10f && t[4 * GG + 9] == 0.10f,
           "targets: cell 9 holds the smaller box: class 1, offsets (0.4, 0.8), size 0.1 x 0.1 (class %g, %g %g)",
           (double)t[5 * GG + 9], (double)t[GG + 9], (double)t[2 * GG + 9]);
    EXPECT(t[15] == 1 && t[5 * GG + 15] == 0 && t[GG + 15] == 1 && t[2 * GG + 15] == 1,
           "targets: a centre at (1, 1) is in the last cell at offset (1, 1)");
    EXPECT(t[0] == 1 && t[5 * GG] == 3, "targets: cell 0 keeps the first, smaller box (class %g)", (double)t[5 * GG]);
    EXPECT(clgan_grid_targets(NULL, 0, G, t) == 0 && t[0] == 0 && t[9] == 0, "targets: no boxes clears the target");
}

/* A head output that encodes given boxes (objectness and the class logit
 * high, offsets and sizes as logits) decodes back to them, best first. */
static void test_decode(void)
{
    enum { G = 3, GG = G * G, K = 4 };
    const clgan_box boxes[] = {
        {.cls = 3, .cx = 0.50f, .cy = 0.50f, .w = 0.30f, .h = 0.40f},
        {.cls = 0, .cx = 0.10f, .cy = 0.80f, .w = 0.15f, .h = 0.10f},
    };
    float t[6 * GG], x[(5 + K) * GG];
    clgan_grid_targets(boxes, 2, G, t);
    for (int c = 0; c < GG; c++) {
        int pos = t[c] > 0.5f;
        x[c] = pos ? (c == 4 ? 6.0f : 4.0f) : -6.0f; /* the centre cell scores higher */
        for (int j = 1; j <= 4; j++) x[j * GG + c] = logit(pos ? t[j * GG + c] : 0.5f);
        for (int k = 0; k < K; k++) x[(5 + k) * GG + c] = pos && k == (int)t[5 * GG + c] ? 8.0f : 0.0f;
    }
    clgan_detection d[GG];
    int n = clgan_grid_decode(x, K, G, 0.5f, d, GG);
    EXPECT(n == 2, "decode: two cells pass the score threshold (got %d)", n);
    if (n == 2) {
        int ok = 1;
        for (int i = 0; i < 2; i++) {
            const clgan_box *b = &d[i].box, *w = &boxes[i];
            ok &= b->cls == w->cls && fabsf(b->cx - w->cx) < 1e-5f && fabsf(b->cy - w->cy) < 1e-5f &&
                  fabsf(b->w - w->w) < 1e-5f && fabsf(b->h - w->h) < 1e-5f;
        }
        EXPECT(ok && d[0].score > d[1].score, "decode: the boxes come back exactly, the centre one first");
        double want0 = 1 / (1 + exp(-6.0)) * exp(8.0) / (exp(8.0) + 3);
        EXPECT(fabs(d[0].score - want0) < 1e-6, "decode: score = sigmoid(o) * softmax(z)_best (%g, want %g)",
               (double)d[0].score, want0);
    }
    EXPECT(clgan_grid_decode(x, K, G, 0.5f, d, 1) == 1 && d[0].box.cls == 3, "decode: cap 1 keeps the best");
    EXPECT(clgan_grid_decode(x, K, G, 0.999f, d, GG) == 0, "decode: nothing above 0.999");
    EXPECT(clgan_grid_decode(x, K, G, 0.0f, d, GG) == GG, "decode: min score 0 gives every cell");
    /* equal scores keep cell order */
    memset(x, 0, sizeof x);
    n = clgan_grid_decode(x, K, G, 0.0f, d, GG);
    int ordered = n == GG;
    int inside = n == GG;
    for (int i = 0; i < n; i++) { /* every box is 0.5 wide, cut to the image */
        float c = ((float)(i % G) + 0.5f) / G, x0 = fmaxf(c - 0.25f, 0), x1 = fminf(c + 0.25f, 1);
        ordered &= fabsf(d[i].box.cx - (x0 + x1) / 2) < 1e-6f;
        inside &= d[i].box.cx - d[i].box.w / 2 >= -1e-6f && d[i].box.cx + d[i].box.w / 2 <= 1 + 1e-6f &&
                  d[i].box.cy - d[i].box.h / 2 >= -1e-6f && d[i].box.cy + d[i].box.h / 2 <= 1 + 1e-6f;
    }
    EXPECT(ordered, "decode: ties keep the cells' order");
    EXPECT(inside, "decode: boxes reaching past the image's edge are cut to it");
}

int main(void)
{
    test_targets();
    test_decode();
    return test_finish();
}
