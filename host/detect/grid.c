/* grid.c — the grid detector's targets (boxes -> [6,G,G]) and decoding
 * (head output [5+K,G,G] -> scored boxes), on the host. */
#include "detect/grid.h"

#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The cell index (gy * G + gx) of a normalised centre; 1.0 falls in the last cell. */
static int centre_cell(float cx, float cy, int G)
{
    int gx = (int)floorf(cx * (float)G), gy = (int)floorf(cy * (float)G);
    gx = gx < 0 ? 0 : gx >= G ? G - 1 : gx;
    gy = gy < 0 ? 0 : gy >= G ? G - 1 : gy;
    return gy * G + gx;
}

/* boxes[n_boxes] -> t [6,G,G] */
int clgan_grid_targets(const clgan_box *boxes, int n_boxes, int G, float *t)
{
    int GG = G * G, dropped = 0;
    memset(t, 0, sizeof(float) * 6 * (size_t)GG);
    for (int i = 0; i < n_boxes; i++) {
        const clgan_box *b = &boxes[i];
        int cell = centre_cell(b->cx, b->cy, G), gx = cell % G, gy = cell / G;
        if (t[cell] > 0.5f) { /* taken: the smaller box keeps the cell */
            dropped++;
            if (!(b->w * b->h < t[3 * GG + cell] * t[4 * GG + cell])) continue;
        }
        t[cell] = 1.0f;
        t[GG + cell] = fminf(fmaxf(b->cx * (float)G - (float)gx, 0.0f), 1.0f);
        t[2 * GG + cell] = fminf(fmaxf(b->cy * (float)G - (float)gy, 0.0f), 1.0f);
        t[3 * GG + cell] = b->w;
        t[4 * GG + cell] = b->h;
        t[5 * GG + cell] = (float)b->cls;
    }
    return dropped;
}

static float sigmoidf(float v) { return 1.0f / (1.0f + expf(-v)); }

/* x [5+K,G,G] -> out[<= cap], best first */
int clgan_grid_decode(const float *x, int K, int G, float min_score, clgan_detection *out, int cap)
{
    int GG = G * G, n = 0;
    if (cap <= 0) return 0;
    clgan_detection *all = malloc(sizeof *all * (size_t)GG);
    if (!all) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory decoding %d cells", GG), -1;
    for (int cell = 0; cell < GG; cell++) {
        const float *z = x + 5 * (size_t)GG + cell;
        int best = 0;
        float m = z[0], s = 0;
        for (int k = 1; k < K; k++)
            if (z[(size_t)k * GG] > m) m = z[(size_t)k * GG], best = k;
        for (int k = 0; k < K; k++) s += expf(z[(size_t)k * GG] - m);
        float score = sigmoidf(x[cell]) / s; /* sigmoid(o) * softmax(z)_best, softmax_best = 1 / s */
        if (!(score >= min_score)) continue;
        /* The box cut to the image: a detection is a box inside it, as labels are. */
        float cx = ((float)(cell % G) + sigmoidf(x[GG + cell])) / (float)G;
        float cy = ((float)(cell / G) + sigmoidf(x[2 * GG + cell])) / (float)G;
        float w = sigmoidf(x[3 * GG + cell]), h = sigmoidf(x[4 * GG + cell]);
        float x0 = fmaxf(cx - w / 2, 0.0f), x1 = fminf(cx + w / 2, 1.0f);
        float y0 = fmaxf(cy - h / 2, 0.0f), y1 = fminf(cy + h / 2, 1.0f);
        if (!(x1 > x0 && y1 > y0)) continue;
        clgan_detection *d = &all[n++];
        d->score = score;
        d->box.cls = best;
        d->box.cx = (x0 + x1) / 2, d->box.cy = (y0 + y1) / 2;
        d->box.w = x1 - x0, d->box.h = y1 - y0;
    }
    /* Best first; a stable insertion sort (at most G*G entries) keeps ties in cell order. */
    int *order = malloc(sizeof *order * (size_t)(n ? n : 1));
    if (!order) {
        free(all);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory decoding %d cells", GG), -1;
    }
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = 1; i < n; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && all[order[j]].score < all[v].score) order[j + 1] = order[j], j--;
        order[j + 1] = v;
    }
    int kept = n < cap ? n : cap;
    for (int i = 0; i < kept; i++) out[i] = all[order[i]];
    free(order);
    free(all);
    return kept;
}
