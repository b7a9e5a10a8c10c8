/* detector.c — the grid detector: net from its architecture text, training
 * step (targets, grid loss, Adam), shifts that move the boxes, detection and
 * evaluation (see detector.h). */
#include "train/detector.h"

#include "core/error.h"
#include "train/settings.h"
#include "detect/grid.h"
#include "models/arch.h"
#include "nn/init.h"
#include "nn/loss.h"
#include "nn/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUGMENT_STREAM UINT64_C(0x64657461756701)

struct clgan_detector {
    clgan_ctx *ctx;
    clgan_detector_config cfg;
    char *text;          /* copy of the config's text (NULL: the preset) */
    clgan_net *net;
    clgan_tensor x;      /* [B,C,H,W] */
    clgan_tensor t;      /* [B,6,G,G] targets */
    clgan_tensor loss;   /* [B,1,G,G] per-cell losses */
    float *host_x;       /* [B,C,H,W]: augmented or padded batches */
    float *host_t;       /* [B,6,G,G] */
    float *host_y;       /* [B,5+K,G,G] */
    clgan_box *host_boxes; /* augmented boxes of a batch */
    int host_boxes_cap;
    int *host_start;     /* [B+1] */
    clgan_detection *cell_dets; /* [G*G] one scene's decoded cells */
    char (*names)[64];   /* [K] class names */
    int B;
    int64_t step;
};

clgan_detector_config clgan_detector_default_config(void)
{
    clgan_detector_config c;
    clgan_settings_defaults(CLGAN_MODEL_DETECTOR, &c);
    return c;
}

/* The text parsed with the config's variables; *out owned by the caller. */
static clgan_status parse_arch(const clgan_detector_config *c, clgan_arch **out)
{
    clgan_arch_var vars[3];
    int n = 0;
    if (c->width > 0) vars[n++] = (clgan_arch_var){"width", c->width};
    vars[n++] = (clgan_arch_var){"classes", c->classes};
    if (c->channels > 0) vars[n++] = (clgan_arch_var){"channels", c->channels};
    if (c->text) return clgan_arch_parse(c->text, "the detector's architecture", vars, n, out);
    return clgan_arch_parse_preset(c->model, "c", vars, n, out);
}

clgan_status clgan_detector_resolve(clgan_detector_config *c, clgan_arch **arch)
{
    if (c->classes < 1 || c->classes > CLGAN_DETECTOR_MAX_CLASSES)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "a detector needs 1 to %d classes (got %d)",
                          CLGAN_DETECTOR_MAX_CLASSES, c->classes);
    if (c->width < 0 || c->width > CLGAN_DETECTOR_MAX_WIDTH)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "width %d is outside 0..%d", c->width, CLGAN_DETECTOR_MAX_WIDTH);
    if (c->channels != 0 && c->channels != 1 && c->channels != 3)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "channels must be 1 or 3 (0: the text's), got %d", c->channels);
    if (c->batch < 2) return clgan_fail(CLGAN_ERR_INVALID_ARG, "batch must be >= 2 (batchnorm), got %d", c->batch);
    if (!(c->lr > 0 && isfinite(c->lr)) || !(c->beta1 >= 0 && c->beta1 < 1) || !(c->beta2 >= 0 && c->beta2 < 1) ||
        !(c->eps > 0 && isfinite(c->eps)) || !(c->weight_decay >= 0 && isfinite(c->weight_decay)) ||
        !(c->loss.noobj >= 0 && isfinite(c->loss.noobj)) || !(c->loss.box >= 0 && isfinite(c->loss.box)))
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "bad detector settings: lr %g, beta1 %g, beta2 %g, eps %g, weight decay %g, loss weights "
                          "noobj %g box %g",
                          c->lr, c->beta1, c->beta2, c->eps, c->weight_decay, c->loss.noobj, c->loss.box);
    TRY(parse_arch(c, arch));
    int oc, oh, ow;
    clgan_arch_output_shape(*arch, &oc, &oh, &ow);
    clgan_arch_input_shape(*arch, &c->c, &c->h, &c->w);
    clgan_status st = CLGAN_OK;
    if ((*arch)->mode[0] && strcmp((*arch)->mode, "detector"))
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a text of mode %s, not a detector's", (*arch)->source,
                        (*arch)->mode);
    else if (c->h != c->w)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the input is %dx%d; a detector takes square images",
                        (*arch)->source, c->h, c->w);
    else if (oc != 5 + c->classes || oh != ow || oh < 1)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG,
                        "%s: the net's output is %dx%dx%d; a detector of %d classes ends in a square grid of %d "
                        "channels (objectness, 4 box values, the class logits)",
                        (*arch)->source, oc, oh, ow, c->classes, 5 + c->classes);
    if (st != CLGAN_OK) {
        clgan_arch_free(*arch);
        *arch = NULL;
        return st;
    }
    c->grid = oh;
    c->augment = c->augment ? 1 : 0;
    if (c->text) snprintf(c->model, sizeof c->model, "%.15s", (*arch)->name[0] ? (*arch)->name : "custom");
    return CLGAN_OK;
}

clgan_status clgan_detector_create(clgan_ctx *ctx, const clgan_detector_config *cfg, clgan_detector **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_detector_create: out is NULL");
    *out = NULL;
    if (!ctx || !cfg) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_detector_create: ctx or cfg is NULL");
    clgan_detector *d = calloc(1, sizeof *d);
    if (!d) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a detector");
    d->ctx = ctx;
    d->cfg = *cfg;
    clgan_detector_config *c = &d->cfg;
    d->text = cfg->text ? strdup(cfg->text) : NULL;
    c->text = d->text;
    clgan_arch *arch = NULL;
    clgan_status st = cfg->text && !d->text ? clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory")
                                            : clgan_detector_resolve(c, &arch);
    int B = c->batch, G = c->grid, K = c->classes;
    d->B = B;
    if (st == CLGAN_OK) st = clgan_net_create(ctx, c->c, c->h, c->w, arch->specs, arch->n, c->seed * 5 + 3, &d->net);
    clgan_arch_free(arch);
    if (st == CLGAN_OK) {
        clgan_net_set_name(d->net, "C");
        st = clgan_net_plan(d->net, B);
    }
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, c->c, c->h, c->w, &d->x);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, CLGAN_GRID_TARGET_CHANNELS, G, G, &d->t);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, G, G, &d->loss);
    if (st == CLGAN_OK) {
        d->host_x = malloc(sizeof *d->host_x * (size_t)B * c->c * c->h * c->w);
        d->host_t = malloc(sizeof *d->host_t * (size_t)B * CLGAN_GRID_TARGET_CHANNELS * G * G);
        d->host_y = malloc(sizeof *d->host_y * (size_t)B * (5 + K) * G * G);
        d->host_start = malloc(sizeof *d->host_start * (size_t)(B + 1));
        d->cell_dets = malloc(sizeof *d->cell_dets * (size_t)G * G);
        d->names = calloc((size_t)K, sizeof *d->names);
        if (!d->host_x || !d->host_t || !d->host_y || !d->host_start || !d->cell_dets || !d->names)
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a detector");
        else
            for (int k = 0; k < K; k++) snprintf(d->names[k], sizeof d->names[k], "%d", k);
    }
    if (st != CLGAN_OK) {
        clgan_detector_free(d);
        return st;
    }
    *out = d;
    return CLGAN_OK;
}

void clgan_detector_free(clgan_detector *d)
{
    if (!d) return;
    clgan_net_free(d->net);
    clgan_tensor_free(d->ctx, &d->x);
    clgan_tensor_free(d->ctx, &d->t);
    clgan_tensor_free(d->ctx, &d->loss);
    free(d->host_x);
    free(d->host_t);
    free(d->host_y);
    free(d->host_boxes);
    free(d->host_start);
    free(d->cell_dets);
    free(d->names);
    free(d->text);
    free(d);
}

const clgan_detector_config *clgan_detector_get_config(const clgan_detector *d) { return &d->cfg; }
clgan_net *clgan_detector_net(clgan_detector *d) { return d->net; }
int64_t clgan_detector_step_count(const clgan_detector *d) { return d->step; }

void clgan_detector_set_step_count(clgan_detector *d, int64_t step)
{
    d->step = step;
    clgan_net_set_step(d->net, step);
}

const char *clgan_detector_arch_text(const clgan_detector *d)
{
    const char *text = d->text;
    if (!text && clgan_arch_preset_text(d->cfg.model, "c", &text) != CLGAN_OK) text = NULL; /* create checked it */
    return text;
}

const char *clgan_detector_class_name(const clgan_detector *d, int k)
{
    return k >= 0 && k < d->cfg.classes ? d->names[k] : NULL;
}

clgan_status clgan_detector_set_class_name(clgan_detector *d, int k, const char *name)
{
    if (k < 0 || k >= d->cfg.classes || !name)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "class %d is outside 0..%d (or the name is NULL)", k,
                          d->cfg.classes - 1);
    snprintf(d->names[k], sizeof d->names[k], "%s", name);
    for (char *p = d->names[k]; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    return CLGAN_OK;
}

/* in [n,c,h,w] -> out [n,c,h,w] shifted; boxes[box_start[n]] -> out_boxes, out_start [n+1] */
void clgan_detector_augment(uint64_t seed, int64_t step, int n, int c, int h, int w, const float *in,
                            const clgan_box *boxes, const int *box_start, float *out, clgan_box *out_boxes,
                            int *out_start)
{
    clgan_rng rng;
    clgan_rng_seed(&rng, (seed * UINT64_C(0x9E3779B97F4A7C15)) ^ AUGMENT_STREAM ^
                             ((uint64_t)step * UINT64_C(0xD1B54A32D192ED03)));
    int Sx = w / 8 > 0 ? w / 8 : 1, Sy = h / 8 > 0 ? h / 8 : 1, kept = 0;
    size_t plane = (size_t)h * w;
    out_start[0] = 0;
    for (int i = 0; i < n; i++) {
        int dx = (int)(clgan_rng_next(&rng) % (uint64_t)(2 * Sx + 1)) - Sx;
        int dy = (int)(clgan_rng_next(&rng) % (uint64_t)(2 * Sy + 1)) - Sy;
        for (int ch = 0; ch < c; ch++) {
            const float *src = in + ((size_t)i * c + ch) * plane;
            float *dst = out + ((size_t)i * c + ch) * plane;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int sx = x - dx, sy = y - dy; /* out(y, x) = in(y - dy, x - dx) */
                    dst[(size_t)y * w + x] = sx >= 0 && sx < w && sy >= 0 && sy < h ? src[(size_t)sy * w + sx] : -1.0f;
                }
        }
        for (int b = box_start[i]; b < box_start[i + 1]; b++) {
            const clgan_box *o = &boxes[b];
            double x0 = o->cx - o->w / 2.0 + (double)dx / w, x1 = o->cx + o->w / 2.0 + (double)dx / w;
            double y0 = o->cy - o->h / 2.0 + (double)dy / h, y1 = o->cy + o->h / 2.0 + (double)dy / h;
            double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
            double cx0 = fmax(x0, 0), cx1 = fmin(x1, 1), cy0 = fmax(y0, 0), cy1 = fmin(y1, 1);
            if (cx < 0 || cx > 1 || cy < 0 || cy > 1 || cx1 <= cx0 || cy1 <= cy0) continue;
            if ((cx1 - cx0) * (cy1 - cy0) < 0.5 * (x1 - x0) * (y1 - y0)) continue;
            out_boxes[kept++] = (clgan_box){.cls = o->cls,
                                            .cx = (float)((cx0 + cx1) / 2),
                                            .cy = (float)((cy0 + cy1) / 2),
                                            .w = (float)(cx1 - cx0),
                                            .h = (float)(cy1 - cy0)};
        }
        out_start[i + 1] = kept;
    }
}

/* Boxes of a batch checked: counts ordered, classes in range, finite coordinates. */
static clgan_status check_boxes(const clgan_detector *d, int n, const clgan_box *boxes, const int *box_start)
{
    if (!box_start || box_start[0] != 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "box offsets must be given and start at 0");
    for (int i = 0; i < n; i++) {
        if (box_start[i + 1] < box_start[i])
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "box offsets decrease at image %d (%d then %d)", i, box_start[i],
                              box_start[i + 1]);
        if (box_start[i + 1] > box_start[i] && !boxes)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "boxes are NULL but image %d has some", i);
        for (int b = box_start[i]; b < box_start[i + 1]; b++) {
            const clgan_box *o = &boxes[b];
            if (o->cls < 0 || o->cls >= d->cfg.classes)
                return clgan_fail(CLGAN_ERR_INVALID_ARG, "box %d of image %d has class %d, outside 0..%d",
                                  b - box_start[i], i, o->cls, d->cfg.classes - 1);
            if (!isfinite(o->cx) || !isfinite(o->cy) || !isfinite(o->w) || !isfinite(o->h))
                return clgan_fail(CLGAN_ERR_INVALID_ARG, "box %d of image %d has a non-finite coordinate",
                                  b - box_start[i], i);
        }
    }
    return CLGAN_OK;
}

clgan_status clgan_detector_train_step(clgan_detector *d, const float *images, const clgan_box *boxes,
                                       const int *box_start, clgan_detector_stats *stats)
{
    const clgan_detector_config *c = &d->cfg;
    int B = d->B, G = c->grid, GG = G * G;
    if (!images) return clgan_fail(CLGAN_ERR_INVALID_ARG, "a training step needs images");
    TRY(check_boxes(d, B, boxes, box_start));
    const float *x = images;
    const clgan_box *bx = boxes;
    const int *start = box_start;
    if (c->augment) {
        if (box_start[B] > d->host_boxes_cap) {
            clgan_box *nb = realloc(d->host_boxes, sizeof *nb * (size_t)box_start[B]);
            if (!nb) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d boxes", box_start[B]);
            d->host_boxes = nb, d->host_boxes_cap = box_start[B];
        }
        clgan_detector_augment(c->seed, d->step, B, c->c, c->h, c->w, images, boxes, box_start, d->host_x,
                               d->host_boxes, d->host_start);
        x = d->host_x, bx = d->host_boxes, start = d->host_start;
    }
    int dropped = 0;
    for (int i = 0; i < B; i++) {
        int nb = start[i + 1] - start[i];
        dropped += clgan_grid_targets(nb ? bx + start[i] : NULL, nb, G,
                                      d->host_t + (size_t)i * CLGAN_GRID_TARGET_CHANNELS * GG);
    }
    TRY(clgan_tensor_upload(d->ctx, &d->x, x));
    TRY(clgan_tensor_upload(d->ctx, &d->t, d->host_t));
    const clgan_tensor *y;
    TRY(clgan_net_zero_grad(d->net));
    TRY(clgan_net_forward(d->net, &d->x, NULL, 1, &y));
    TRY(clgan_grid_loss_forward(d->ctx, &c->loss, y, &d->t, &d->loss));
    TRY(clgan_grid_loss_backward(d->ctx, &c->loss, 1.0f, y, &d->t, clgan_net_output_grad(d->net)));
    TRY(clgan_net_backward(d->net, NULL));
    clgan_adam_params hp = {c->lr, c->beta1, c->beta2, c->eps, c->weight_decay};
    TRY(clgan_net_adam_step(d->net, &hp));
    double sum = 0;
    TRY(clgan_loss_sum(d->ctx, &d->loss, &sum));
    d->step++;
    clgan_detector_stats s = {sum / B, start[B], dropped};
    if (stats) *stats = s;
    if (!isfinite(s.loss))
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged at step %lld: loss %g (try a smaller --lr)",
                          (long long)d->step, s.loss);
    return CLGAN_OK;
}

clgan_status clgan_detector_detect(clgan_detector *d, int n, const float *images, float min_score,
                                   clgan_detection *dets, int cap, int *counts)
{
    const clgan_detector_config *c = &d->cfg;
    int B = d->B, G = c->grid, GG = G * G, K = c->classes;
    size_t img = (size_t)c->c * c->h * c->w, outs = (size_t)(5 + K) * GG;
    if (n < 1 || !images || !dets || !counts || cap < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "detect needs n >= 1 images, room for cap >= 1 detections each "
                                                 "and counts (n %d, cap %d)", n, cap);
    for (int first = 0; first < n; first += B) {
        int m = n - first < B ? n - first : B;
        memcpy(d->host_x, images + (size_t)first * img, sizeof(float) * img * (size_t)m);
        for (size_t i = img * (size_t)m; i < img * (size_t)B; i++) d->host_x[i] = -1.0f; /* padding */
        const clgan_tensor *y;
        TRY(clgan_tensor_upload(d->ctx, &d->x, d->host_x));
        TRY(clgan_net_forward(d->net, &d->x, NULL, 0, &y));
        TRY(clgan_tensor_download(d->ctx, y, d->host_y));
        for (int i = 0; i < m; i++) {
            int found = clgan_grid_decode(d->host_y + (size_t)i * outs, K, G, min_score, d->cell_dets, GG);
            if (found < 0) return CLGAN_ERR_OUT_OF_MEMORY; /* the message is set */
            int kept = clgan_nms(d->cell_dets, found, 0.5f, 1, cap);
            if (kept < 0) /* out of memory: the scores and the threshold are finite */
                return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "non-maximum suppression failed: %s", clgan_last_error());
            memcpy(dets + (size_t)(first + i) * cap, d->cell_dets, sizeof *dets * (size_t)kept);
            counts[first + i] = kept;
        }
    }
    return CLGAN_OK;
}

clgan_status clgan_detector_evaluate(clgan_detector *d, int n, const float *images, const clgan_box *boxes,
                                     const int *box_start, clgan_map *map)
{
    enum { CAP = 100 };
    if (!map) return clgan_fail(CLGAN_ERR_INVALID_ARG, "evaluate needs a clgan_map");
    TRY(check_boxes(d, n, boxes, box_start));
    int B = d->B;
    size_t img = (size_t)d->cfg.c * d->cfg.h * d->cfg.w;
    clgan_detection *dets = malloc(sizeof *dets * (size_t)B * CAP);
    int *counts = malloc(sizeof *counts * (size_t)B);
    clgan_status st = dets && counts ? CLGAN_OK : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    for (int first = 0; st == CLGAN_OK && first < n; first += B) {
        int m = n - first < B ? n - first : B;
        st = clgan_detector_detect(d, m, images + (size_t)first * img, 0.001f, dets, CAP, counts);
        for (int i = 0; st == CLGAN_OK && i < m; i++) {
            int b0 = box_start[first + i], b1 = box_start[first + i + 1];
            st = clgan_map_add_image(map, b1 > b0 ? boxes + b0 : NULL, b1 - b0, dets + (size_t)i * CAP, counts[i]);
        }
    }
    free(dets);
    free(counts);
    return st;
}
