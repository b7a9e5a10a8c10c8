/* dfeatures.c — frozen discriminator features and a softmax head on them
 * (see dfeatures.h). */
#include "dfeatures.h"

#include "core/error.h"
#include "nn/init.h"
#include "nn/loss.h"
#include "train/metrics.h"
#include "train/settings.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORDER_STREAM UINT64_C(0x6466656174733031)

/* The settings table holds every default (of the options and the head). */
static clgan_dhead_file default_file(void)
{
    clgan_dhead_file f;
    clgan_settings_defaults(CLGAN_MODEL_DFEATURES, &f);
    return f;
}

clgan_dfeat_options clgan_dfeat_default_options(void) { return default_file().feat; }

int clgan_dfeat_layer(clgan_gan *gan)
{
    const clgan_gan_arch *a = &clgan_gan_get_config(gan)->arch;
    clgan_layer_spec specs[CLGAN_MAX_NET_LAYERS];
    int n = 0, feature = -1;
    if (clgan_gan_discriminator_specs(a, specs, &n, &feature) != CLGAN_OK) n = 0;
    clgan_clear_error();
    if (feature >= 0) return feature;
    /* no [features] in D's text: the layer before D's head (and before its mbstd) */
    int last = clgan_net_layer_count(clgan_gan_discriminator(gan)) - 2;
    return last > 0 && last < n && specs[last].kind == CLGAN_LAYER_MBSTD ? last - 1 : last;
}

void clgan_dfeat_map_shape(clgan_gan *gan, int *c, int *h, int *w)
{
    clgan_net_layer_shape(clgan_gan_discriminator(gan), clgan_dfeat_layer(gan), c, h, w);
}

static int pool_dim(int pool, int C, int H, int W)
{
    return ((pool & CLGAN_DFEAT_AVG) ? C : 0) + ((pool & CLGAN_DFEAT_MAX) ? C : 0) +
           ((pool & CLGAN_DFEAT_GRID2) ? 4 * C : 0) + ((pool & CLGAN_DFEAT_FULL) ? C * H * W : 0);
}

int clgan_dfeat_dim(clgan_gan *gan, const clgan_dfeat_options *opt)
{
    int c, h, w;
    clgan_dfeat_map_shape(gan, &c, &h, &w);
    return pool_dim(opt->pool, c, h, w);
}

/* Pool one image's map [C,H,W] into out [F]. */
static void pool_one(int pool, int C, int H, int W, const float *map, float *out)
{
    int o = 0;
    size_t plane = (size_t)H * W;
    if (pool & CLGAN_DFEAT_AVG)
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (size_t j = 0; j < plane; j++) s += map[c * plane + j];
            out[o++] = (float)(s / plane);
        }
    if (pool & CLGAN_DFEAT_MAX)
        for (int c = 0; c < C; c++) {
            float m = -FLT_MAX;
            for (size_t j = 0; j < plane; j++)
                if (map[c * plane + j] > m) m = map[c * plane + j];
            out[o++] = m;
        }
    if (pool & CLGAN_DFEAT_GRID2) {
        int hy = (H + 1) / 2, hx = (W + 1) / 2; /* odd sizes: the middle row/column goes top/left */
        for (int c = 0; c < C; c++)
            for (int q = 0; q < 4; q++) {
                int y0 = q / 2 ? hy : 0, y1 = q / 2 ? H : hy, x0 = q % 2 ? hx : 0, x1 = q % 2 ? W : hx;
                double s = 0;
                int cnt = 0;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++, cnt++) s += map[c * plane + (size_t)y * W + x];
                out[o++] = cnt ? (float)(s / cnt) : 0.0f;
            }
    }
    if (pool & CLGAN_DFEAT_FULL) memcpy(out + o, map, (size_t)C * plane * sizeof *out);
}

/* images: float source (or NULL), pixels: uint8 source (or NULL). */
static clgan_status extract(clgan_ctx *ctx, clgan_gan *gan, const clgan_dfeat_options *opt, int n, const float *images,
                            const uint8_t *pixels, float *features)
{
    const clgan_gan_config *cfg = clgan_gan_get_config(gan);
    const clgan_gan_arch *a = &cfg->arch;
    clgan_net *D = clgan_gan_discriminator(gan);
    int B = cfg->batch, layer = clgan_dfeat_layer(gan);
    int C, H, W;
    clgan_dfeat_map_shape(gan, &C, &H, &W);
    int F = pool_dim(opt->pool, C, H, W);
    size_t per = (size_t)a->c * a->h * a->w, map = (size_t)C * H * W;
    if (n < 1 || (!images && !pixels) || !features)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dfeatures: needs n >= 1 images (got %d)", n);
    if (F == 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dfeatures: the pool mask selects no features");
    if (a->conditional && (opt->cond_label < 0 || opt->cond_label >= a->classes))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dfeatures: the constant class %d for the conditional D is outside 0..%d",
                          opt->cond_label, a->classes - 1);
    clgan_tensor x = {0};
    cl_mem labels = NULL;
    float *hx = malloc((size_t)B * per * sizeof *hx), *hmap = malloc((size_t)B * map * sizeof *hmap);
    int32_t *hl = malloc((size_t)B * sizeof *hl);
    clgan_status st = CLGAN_OK;
    if (!hx || !hmap || !hl) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dfeatures: out of host memory");
    if (st == CLGAN_OK) st = clgan_net_plan(D, B); /* no-op: the GAN planned D for its batch */
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, a->c, a->h, a->w, &x);
    if (st == CLGAN_OK && a->conditional) {
        for (int i = 0; i < B; i++) hl[i] = opt->cond_label;
        st = clgan_buffer_create(ctx, (size_t)B * sizeof(int32_t), &labels);
        if (st == CLGAN_OK) st = clgan_buffer_write(ctx, labels, 0, (size_t)B * sizeof(int32_t), hl);
    }
    for (int done = 0; st == CLGAN_OK && done < n; done += B) {
        int take = n - done < B ? n - done : B;
        for (int i = 0; i < B; i++) {
            size_t src = (size_t)(done + (i < take ? i : 0)) * per;
            float *dst = hx + (size_t)i * per;
            if (images) memcpy(dst, images + src, per * sizeof *dst);
            else
                for (size_t j = 0; j < per; j++) dst[j] = pixels[src + j] / 127.5f - 1.0f;
        }
        const clgan_tensor *y, *t;
        if ((st = clgan_tensor_upload(ctx, &x, hx)) != CLGAN_OK) break;
        if ((st = clgan_net_forward(D, &x, labels, 0, &y)) != CLGAN_OK) break;
        t = clgan_net_activation(D, layer);
        if (!t || t->n != B || t->c != C || t->h != H || t->w != W) {
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "dfeatures: D's layer %d is not the expected [%d,%d,%d,%d] map", layer,
                            B, C, H, W);
            break;
        }
        if ((st = clgan_tensor_download(ctx, t, hmap)) != CLGAN_OK) break;
        for (int i = 0; i < take; i++) pool_one(opt->pool, C, H, W, hmap + (size_t)i * map, features + (size_t)(done + i) * F);
    }
    clgan_tensor_free(ctx, &x);
    if (labels) clgan_buffer_release(ctx, labels);
    free(hx), free(hmap), free(hl);
    return st;
}

clgan_status clgan_dfeat_extract(clgan_ctx *ctx, clgan_gan *gan, const clgan_dfeat_options *opt, int n,
                                 const float *images, float *features)
{
    return extract(ctx, gan, opt, n, images, NULL, features);
}

clgan_status clgan_dfeat_extract_dataset(clgan_ctx *ctx, clgan_gan *gan, const clgan_dfeat_options *opt,
                                         const clgan_dataset *d, float *features)
{
    const clgan_gan_arch *a = &clgan_gan_get_config(gan)->arch;
    if (d->c != a->c || d->h != a->h || d->w != a->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s holds %dx%dx%d images; the GAN takes %dx%dx%d", d->source, d->w,
                          d->h, d->c, a->w, a->h, a->c);
    return extract(ctx, gan, opt, d->n, NULL, d->pixels, features);
}

/* ---- the head ----------------------------------------------------------- */

struct clgan_dhead {
    clgan_ctx *ctx;
    clgan_dhead_config cfg;
    clgan_net *net;
    clgan_tensor x, loss;
    cl_mem labels;
    float *mean, *inv_std; /* [F] */
    float *hx, *hlogits;   /* [B*F], [B*K] */
    int32_t *hl;           /* [B] */
};

clgan_dhead_config clgan_dhead_default_config(void) { return default_file().head; }

clgan_net *clgan_dhead_net(clgan_dhead *head) { return head->net; }
void clgan_dhead_standardiser(clgan_dhead *head, float **mean, float **inv_std)
{
    *mean = head->mean;
    *inv_std = head->inv_std;
}
const clgan_dhead_config *clgan_dhead_get_config(const clgan_dhead *head) { return &head->cfg; }

void clgan_dhead_free(clgan_dhead *h)
{
    if (!h) return;
    clgan_net_free(h->net);
    clgan_tensor_free(h->ctx, &h->x);
    clgan_tensor_free(h->ctx, &h->loss);
    if (h->labels) clgan_buffer_release(h->ctx, h->labels);
    free(h->mean), free(h->inv_std), free(h->hx), free(h->hlogits), free(h->hl);
    free(h);
}

clgan_status clgan_dhead_specs(const clgan_dhead_config *c, clgan_layer_spec *specs, int *n, const char **preset)
{
    const char *name = c->hidden > 0 ? "dhead-mlp" : "dhead";
    clgan_arch_var vars[3] = {{"features", c->features}, {"hidden", c->hidden}, {"classes", c->classes}};
    clgan_arch *a;
    TRY(clgan_arch_parse_preset(name, "h", vars, 3, &a));
    clgan_status st = a->n <= 3 ? CLGAN_OK : clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: more than 3 layers", a->source);
    if (st == CLGAN_OK) memcpy(specs, a->specs, (size_t)a->n * sizeof *specs), *n = a->n;
    if (preset) *preset = name;
    clgan_arch_free(a);
    return st;
}

clgan_status clgan_dhead_create(clgan_ctx *ctx, const clgan_dhead_config *cfg, clgan_dhead **out)
{
    *out = NULL;
    const clgan_dhead_config *c = cfg;
    if (c->features < 1 || c->classes < 2 || c->hidden < 0 || c->batch < 1 || c->epochs < 1 || !(c->lr > 0) ||
        !isfinite(c->lr) || c->weight_decay < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "dhead: bad config (features %d, classes %d, hidden %d, batch %d, epochs %d, lr %g, "
                          "weight decay %g)",
                          c->features, c->classes, c->hidden, c->batch, c->epochs, c->lr, c->weight_decay);
    clgan_dhead *h = calloc(1, sizeof *h);
    if (!h) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dhead: out of host memory");
    h->ctx = ctx;
    h->cfg = *cfg;
    int F = c->features, K = c->classes, B = c->batch, n = 0;
    clgan_layer_spec specs[3];
    clgan_status st = clgan_dhead_specs(c, specs, &n, NULL);
    if (st == CLGAN_OK) st = clgan_net_create(ctx, F, 1, 1, specs, n, c->seed * 7 + 3, &h->net);
    if (st == CLGAN_OK) clgan_net_set_name(h->net, "head");
    if (st == CLGAN_OK) st = clgan_net_plan(h->net, B);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, F, 1, 1, &h->x);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, 1, 1, &h->loss);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (size_t)B * sizeof(int32_t), &h->labels);
    if (st == CLGAN_OK) {
        h->mean = calloc((size_t)F, sizeof *h->mean);
        h->inv_std = malloc((size_t)F * sizeof *h->inv_std);
        h->hx = malloc((size_t)B * F * sizeof *h->hx);
        h->hlogits = malloc((size_t)B * K * sizeof *h->hlogits);
        h->hl = malloc((size_t)B * sizeof *h->hl);
        if (!h->mean || !h->inv_std || !h->hx || !h->hlogits || !h->hl)
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dhead: out of host memory");
        else
            for (int j = 0; j < F; j++) h->inv_std[j] = 1.0f;
    }
    if (st != CLGAN_OK) {
        clgan_dhead_free(h);
        return st;
    }
    *out = h;
    return CLGAN_OK;
}

static void standardise_row(const clgan_dhead *h, const float *in, float *out)
{
    for (int j = 0; j < h->cfg.features; j++) out[j] = (in[j] - h->mean[j]) * h->inv_std[j];
}

clgan_status clgan_dhead_train(clgan_dhead *h, int n, const float *feats, const int32_t *labels, clgan_dhead_stats *stats)
{
    const clgan_dhead_config *c = &h->cfg;
    int F = c->features, K = c->classes, B = c->batch;
    if (n < 1 || !feats || !labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dhead: training needs n >= 1 rows");
    for (int i = 0; i < n; i++)
        if (labels[i] < -1 || labels[i] >= K)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "dhead: label %d is %d, outside -1..%d", i, labels[i], K - 1);
    /* Standardiser from the training rows (double sums). */
    for (int j = 0; j < F; j++) {
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) s += feats[(size_t)i * F + j];
        double m = s / n;
        for (int i = 0; i < n; i++) {
            double d = feats[(size_t)i * F + j] - m;
            s2 += d * d;
        }
        double sd = sqrt(s2 / n);
        h->mean[j] = (float)m;
        h->inv_std[j] = (float)(1.0 / (sd > 1e-6 ? sd : 1e-6));
    }
    int *order = malloc((size_t)n * sizeof *order);
    if (!order) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dhead: out of host memory");
    clgan_rng rng;
    clgan_rng_seed(&rng, c->seed ^ ORDER_STREAM);
    clgan_adam_params hp = {c->lr, 0.9f, 0.999f, 1e-8f, c->weight_decay};
    clgan_status st = CLGAN_OK;
    double first = NAN, last = NAN;
    int64_t steps = 0;
    for (int i = 0; i < n; i++) order[i] = i;
    for (int e = 0; e < c->epochs && st == CLGAN_OK; e++) {
        for (int i = n - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)(clgan_rng_next(&rng) % (uint64_t)(i + 1)), t = order[i];
            order[i] = order[j], order[j] = t;
        }
        double sum = 0;
        int64_t count = 0;
        for (int done = 0; done < n && st == CLGAN_OK; done += B) {
            int take = n - done < B ? n - done : B;
            for (int i = 0; i < B; i++) {
                int r = order[done + (i < take ? i : 0)];
                standardise_row(h, feats + (size_t)r * F, h->hx + (size_t)i * F);
                h->hl[i] = i < take ? labels[r] : -1; /* padding rows carry no label */
            }
            int labelled = clgan_softmax_ce_count_labelled(h->hl, B, K);
            if (!labelled) continue;
            const clgan_tensor *y;
            double s = 0;
            if ((st = clgan_tensor_upload(h->ctx, &h->x, h->hx)) != CLGAN_OK) break;
            if ((st = clgan_buffer_write(h->ctx, h->labels, 0, (size_t)B * sizeof(int32_t), h->hl)) != CLGAN_OK) break;
            if ((st = clgan_net_zero_grad(h->net)) != CLGAN_OK) break;
            if ((st = clgan_net_forward(h->net, &h->x, NULL, 1, &y)) != CLGAN_OK) break;
            if ((st = clgan_softmax_ce_forward(h->ctx, y, h->labels, &h->loss)) != CLGAN_OK) break;
            if ((st = clgan_softmax_ce_backward(h->ctx, 1.0f, labelled, y, h->labels, clgan_net_output_grad(h->net))) !=
                CLGAN_OK)
                break;
            if ((st = clgan_net_backward(h->net, NULL)) != CLGAN_OK) break;
            if ((st = clgan_net_adam_step(h->net, &hp)) != CLGAN_OK) break;
            if ((st = clgan_loss_sum(h->ctx, &h->loss, &s)) != CLGAN_OK) break;
            sum += s, count += labelled, steps++;
        }
        if (count) {
            last = sum / count;
            if (e == 0) first = last;
            if (!isfinite(last)) st = clgan_fail(CLGAN_ERR_CHECK_FAILED, "dhead: training diverged in epoch %d (loss %g)", e + 1, last);
        }
    }
    free(order);
    if (st != CLGAN_OK) return st;
    if (stats) {
        stats->first_loss = first, stats->last_loss = last, stats->steps = steps, stats->train_accuracy = NAN;
        int64_t *cm = calloc((size_t)K * K, sizeof *cm);
        if (!cm) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dhead: out of host memory");
        st = clgan_dhead_evaluate(h, n, feats, labels, cm);
        if (st == CLGAN_OK) stats->train_accuracy = clgan_accuracy(cm, K);
        free(cm);
    }
    return st;
}

clgan_status clgan_dhead_predict(clgan_dhead *h, int n, const float *feats, int32_t *pred, float *probs)
{
    const clgan_dhead_config *c = &h->cfg;
    int F = c->features, K = c->classes, B = c->batch;
    if (n < 1 || !feats || !pred) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dhead: predict needs n >= 1 rows");
    for (int done = 0; done < n; done += B) {
        int take = n - done < B ? n - done : B;
        for (int i = 0; i < B; i++) standardise_row(h, feats + (size_t)(done + (i < take ? i : 0)) * F, h->hx + (size_t)i * F);
        const clgan_tensor *y;
        TRY(clgan_tensor_upload(h->ctx, &h->x, h->hx));
        TRY(clgan_net_forward(h->net, &h->x, NULL, 0, &y));
        TRY(clgan_tensor_download(h->ctx, y, h->hlogits));
        for (int i = 0; i < take; i++) {
            const float *l = h->hlogits + (size_t)i * K;
            pred[done + i] = clgan_argmax(l, K);
            if (probs) {
                double m = l[0], s = 0;
                for (int k = 1; k < K; k++)
                    if (l[k] > m) m = l[k];
                for (int k = 0; k < K; k++) s += exp((double)l[k] - m);
                for (int k = 0; k < K; k++) probs[(size_t)(done + i) * K + k] = (float)(exp((double)l[k] - m) / s);
            }
        }
    }
    return CLGAN_OK;
}

clgan_status clgan_dhead_evaluate(clgan_dhead *h, int n, const float *feats, const int32_t *labels, int64_t *confusion)
{
    int K = h->cfg.classes;
    memset(confusion, 0, (size_t)K * K * sizeof *confusion);
    int32_t *pred = malloc((size_t)(n > 0 ? n : 1) * sizeof *pred);
    if (!pred) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dhead: out of host memory");
    clgan_status st = clgan_dhead_predict(h, n, feats, pred, NULL);
    if (st == CLGAN_OK) clgan_confusion_add(confusion, K, labels, pred, n);
    free(pred);
    return st;
}
