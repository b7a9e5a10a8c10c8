/* synthetic.c — a built-in labelled dataset of simple shapes, needing no
 * files: cheap to make, easy to tell apart (a classifier learns it in a few
 * steps) and varied enough for a GAN to have something to learn.
 *
 * Image i (of S x S, C channels) has label i % K and is drawn from the seeded
 * host RNG (nn/init.h) in a fixed order of draws:
 *   centre  S/2 + U(-0.12, 0.12) S in x and y;  radius r = U(0.24, 0.34) S;
 *   stroke  t = max(1.5, U(0.08, 0.11) S);  stripe period p = U(0.5, 0.65) r;
 *   level   background bg = U(0, 0.15), shape brightness fg = U(0.75, 1);
 *   colour  (C = 3) each channel of the shape U(0.35, 1), one channel 1;
 *   noise   every pixel + U(-0.06, 0.06).
 * A shape is a signed distance d (pixels, < 0 inside) turned into coverage
 * clamp(0.5 - d, 0, 1), so edges are anti-aliased; pixel =
 * bg + (fg * colour - bg) * coverage + noise, clamped to [0, 1], times 255.
 * TRAIN and TEST use the seed's streams seed*2 + 1 and seed*2 + 2.
 */
#include "data/dataset.h"
#include "core/error.h"
#include "nn/init.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const shape_names[10] = {"disc",    "ring", "square", "square_outline", "h_stripes",
                                            "v_stripes", "plus", "cross",  "triangle",       "two_discs"};

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

typedef struct shape {
    int kind;
    double cx, cy, r, t, p;
} shape;

/* Signed distance (pixels) from pixel centre (x, y) to the shape's edge. */
static double shape_sd(const shape *s, double x, double y)
{
    double dx = x - s->cx, dy = y - s->cy, adx = fabs(dx), ady = fabs(dy);
    double a = 0.8 * s->r, half_t = s->t / 2;
    switch (s->kind) {
    case 0: return hypot(dx, dy) - s->r;
    case 1: return fabs(hypot(dx, dy) - 0.8 * s->r) - half_t;
    case 2: return fmax(adx, ady) - a;
    case 3: return fabs(fmax(adx, ady) - a) - half_t;
    case 4:
    case 5: {
        double along = s->kind == 4 ? dy : dx;
        double m = fmod(along + 64.0 * s->p, s->p); /* position within one period, [0, p) */
        double stripe = fabs(m - s->p / 2) - s->p / 4;
        return fmax(fmax(adx, ady) - s->r, stripe);
    }
    case 6: return fmin(fmax(adx - s->r, ady - half_t), fmax(ady - s->r, adx - half_t));
    case 7: {
        double u = fabs(dx + dy) / sqrt(2.0), v = fabs(dx - dy) / sqrt(2.0);
        return fmin(fmax(u - s->r, v - half_t), fmax(v - s->r, u - half_t));
    }
    case 8: { /* equilateral, apex up (y grows downwards), circumradius r */
        double e1 = dy, e2 = -0.8660254037844386 * dx - 0.5 * dy, e3 = 0.8660254037844386 * dx - 0.5 * dy;
        return fmax(e1, fmax(e2, e3)) - s->r / 2;
    }
    default: {
        double rr = 0.42 * s->r, off = 0.58 * s->r;
        return fmin(hypot(dx - off, dy) - rr, hypot(dx + off, dy) - rr);
    }
    }
}

clgan_status clgan_dataset_open_synthetic(clgan_dataset_split split, const clgan_dataset_options *opt,
                                          clgan_dataset **out)
{
    *out = NULL;
    int K = opt->synthetic_classes ? opt->synthetic_classes : 10;
    if (K < 1 || K > 10)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "synthetic dataset: classes %d out of range 1..10", K);
    int n = split == CLGAN_SPLIT_TRAIN ? (opt->synthetic_train ? opt->synthetic_train : 2000)
                                       : (opt->synthetic_test ? opt->synthetic_test : 500);
    if (n < 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "synthetic dataset: image count %d < 0", n);
    if (opt->limit > 0 && n > opt->limit) n = opt->limit;
    int S = opt->size ? opt->size : 28, C = opt->channels ? opt->channels : 1;
    if (S < 4) return clgan_fail(CLGAN_ERR_INVALID_ARG, "synthetic dataset: size %d too small (at least 4)", S);

    clgan_dataset *d;
    TRY(clgan_dataset_alloc(n, C, S, S, K, &d));
    for (int k = 0; k < K; k++) snprintf(d->class_names[k], sizeof d->class_names[k], "%s", shape_names[k]);

    clgan_rng rng;
    clgan_rng_seed(&rng, opt->seed * 2 + (split == CLGAN_SPLIT_TRAIN ? 1 : 2));
    size_t plane = (size_t)S * S;
    for (int i = 0; i < n; i++) {
        shape s;
        s.kind = i % K;
        s.cx = S / 2.0 + (clgan_rng_uniform(&rng) * 0.24 - 0.12) * S;
        s.cy = S / 2.0 + (clgan_rng_uniform(&rng) * 0.24 - 0.12) * S;
        s.r = (0.24 + 0.10 * clgan_rng_uniform(&rng)) * S;
        s.t = fmax(1.5, (0.08 + 0.03 * clgan_rng_uniform(&rng)) * S);
        s.p = (0.5 + 0.15 * clgan_rng_uniform(&rng)) * s.r;
        double bg = 0.15 * clgan_rng_uniform(&rng);
        double fg = 0.75 + 0.25 * clgan_rng_uniform(&rng);
        double colour[3] = {1, 1, 1};
        if (C == 3) {
            for (int ch = 0; ch < 3; ch++) colour[ch] = 0.35 + 0.65 * clgan_rng_uniform(&rng);
            colour[(int)(clgan_rng_uniform(&rng) * 3) % 3] = 1;
        }
        uint8_t *img = d->pixels + (size_t)i * C * plane;
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
                double cov = clampd(0.5 - shape_sd(&s, x + 0.5, y + 0.5), 0, 1);
                double noise = clgan_rng_uniform(&rng) * 0.12 - 0.06;
                for (int ch = 0; ch < C; ch++) {
                    double v = clampd(bg + (fg * colour[ch] - bg) * cov + noise, 0, 1);
                    img[(size_t)ch * plane + (size_t)y * S + x] = (uint8_t)floor(v * 255 + 0.5);
                }
            }
        d->labels[i] = s.kind;
    }
    clgan_fmt(d->source, sizeof d->source, "synthetic shapes (%s, seed %llu: %d images %d x %d x %d, %d classes)",
             split == CLGAN_SPLIT_TRAIN ? "train" : "test", (unsigned long long)opt->seed, n, C, S, S, K);
    *out = d;
    return CLGAN_OK;
}
