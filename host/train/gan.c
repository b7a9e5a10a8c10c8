/* gan.c — the GAN training step and sampling (see gan.h for the recipe). */
#include "gan.h"
#include "device/profile.h"

#include "nn/loss.h"
#include "nn/random.h"
#include "train/dist.h"
#include "train/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Philox streams: training noise uses 2*step; sampling uses streams above this. */
#define SAMPLE_STREAM_BASE (UINT64_C(1) << 62)

struct clgan_gan {
    clgan_ctx *ctx;
    clgan_gan_config cfg;
    clgan_net *G, *D;
    clgan_net *G_ema;                      /* the moving average of G's weights (NULL: g_ema 0) */
    int sample_g;                          /* 1: clgan_gan_sample uses G even when there is G_ema */
    clgan_tensor z, real;                  /* [B,nz,1,1], [B,C,H,W] */
    clgan_tensor t_real, t_fake, t_gen;    /* loss targets [B,1,1,1] */
    clgan_tensor logits;                   /* D's outputs on real, fake, and fake in the G step [3B] */
    cl_mem labels_real, labels_fake;       /* int32 [B] */
    int32_t *host_labels;
    float *host_logits;                    /* [3B] */
    char *text_g, *text_d;                 /* copies of the config's architecture texts (NULL: presets) */
    int B;                                 /* images per step on this rank: batch, or its share of it */
    int64_t first;                         /* this rank's first image of every batch */
    int64_t step;
};

/* A copy of an optional text; 0 when out of memory. */
static int copy_text(const char *text, char **out)
{
    *out = text ? strdup(text) : NULL;
    return !text || *out;
}

clgan_gan_config clgan_gan_default_config(void)
{
    clgan_gan_config c;
    clgan_settings_defaults(CLGAN_MODEL_GAN, &c); /* the settings table holds every default */
    return c;
}

/* D's target for generated images: 0 (ns, ls), or the hinge's side -1. */
static float fake_target(const clgan_gan_config *c) { return c->loss == CLGAN_GAN_LOSS_HINGE ? -1.0f : 0.0f; }

static clgan_status fill_const(clgan_ctx *ctx, clgan_tensor *t, float v)
{
    float *h = malloc(t->count * sizeof *h);
    if (!h) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    for (size_t i = 0; i < t->count; i++) h[i] = v;
    clgan_status st = clgan_tensor_upload(ctx, t, h);
    free(h);
    return st;
}

clgan_status clgan_gan_create(clgan_ctx *ctx, const clgan_gan_config *cfg, clgan_gan **out)
{
    *out = NULL;
    clgan_gan *gan = calloc(1, sizeof *gan);
    if (!gan) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a GAN");
    gan->ctx = ctx;
    gan->cfg = *cfg;
    clgan_gan_config *c = &gan->cfg;
    if (!copy_text(cfg->arch.text_g, &gan->text_g) || !copy_text(cfg->arch.text_d, &gan->text_d)) {
        clgan_gan_free(gan);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a GAN");
    }
    c->arch.text_g = gan->text_g, c->arch.text_d = gan->text_d;
    clgan_status st = clgan_gan_arch_resolve(&c->arch);
    if (st == CLGAN_OK && (c->batch < 2 || c->label_smoothing < 0 || c->label_smoothing >= 0.5f))
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "batch must be >= 2 (got %d) and label smoothing in [0, 0.5) (got %g)",
                        c->batch, c->label_smoothing);
    if (st == CLGAN_OK && c->loss == CLGAN_GAN_LOSS_HINGE && c->label_smoothing != 0)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "label smoothing %g: the hinge loss takes none (its targets are "
                        "margins, not probabilities); leave it at 0 or use the ns or ls loss", c->label_smoothing);
    if (st == CLGAN_OK && !(c->g_ema >= 0 && c->g_ema < 1))
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "g_ema %g: the decay of G's moving average must be in [0, 1) (0: none)",
                        c->g_ema);
    const clgan_gan_arch *a = &c->arch;
    int B = 0;
    if (!c->parallel.reducer) c->parallel.reducer = clgan_dist_reducer(); /* in an MPI job: this rank's share */
    if (st == CLGAN_OK) st = clgan_reducer_share(c->parallel.reducer, c->batch, &B, &gan->first);
    gan->B = B;
    clgan_layer_spec gs[CLGAN_MAX_NET_LAYERS], ds[CLGAN_MAX_NET_LAYERS];
    if (st == CLGAN_OK) {
        int gn = 0, dn = 0;
        st = clgan_gan_generator_specs(a, gs, &gn);
        if (st == CLGAN_OK) st = clgan_gan_discriminator_specs(a, ds, &dn, NULL);
        if (st == CLGAN_OK) st = clgan_net_create(ctx, a->nz, 1, 1, gs, gn, c->seed * 2 + 1, &gan->G);
        if (st == CLGAN_OK) st = clgan_net_create(ctx, a->c, a->h, a->w, ds, dn, c->seed * 2 + 2, &gan->D);
        /* The average starts from G's initial weights; it is planned when it first samples. */
        if (st == CLGAN_OK && c->g_ema > 0)
            st = clgan_net_create(ctx, a->nz, 1, 1, gs, gn, c->seed * 2 + 1, &gan->G_ema);
        if (st == CLGAN_OK && gan->G_ema) st = clgan_net_copy_block(gan->G_ema, gan->G, CLGAN_NET_PARAMS);
    }
    if (st == CLGAN_OK) {
        clgan_net_set_name(gan->G, "G"), clgan_net_set_name(gan->D, "D");
        if (gan->G_ema) clgan_net_set_name(gan->G_ema, "G_ema");
        clgan_net_set_data_parallel(gan->G, c->parallel.reducer, gan->first, c->parallel.sync_bn);
        clgan_net_set_data_parallel(gan->D, c->parallel.reducer, gan->first, c->parallel.sync_bn);
    }
    if (st == CLGAN_OK) st = clgan_net_plan(gan->G, B);
    if (st == CLGAN_OK) st = clgan_net_plan(gan->D, B);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, a->nz, 1, 1, &gan->z);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, a->c, a->h, a->w, &gan->real);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, 1, 1, &gan->t_real);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, 1, 1, &gan->t_fake);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, 1, 1, 1, &gan->t_gen);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, 3 * B, 1, 1, 1, &gan->logits);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (size_t)B * sizeof(int32_t), &gan->labels_real);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, (size_t)B * sizeof(int32_t), &gan->labels_fake);
    if (st == CLGAN_OK) st = fill_const(ctx, &gan->t_real, 1.0f - c->label_smoothing);
    if (st == CLGAN_OK) st = fill_const(ctx, &gan->t_fake, fake_target(c));
    if (st == CLGAN_OK) st = fill_const(ctx, &gan->t_gen, 1.0f);
    gan->host_labels = malloc((size_t)B * sizeof(int32_t));
    gan->host_logits = malloc((size_t)3 * B * sizeof(float));
    if (st == CLGAN_OK && (!gan->host_labels || !gan->host_logits))
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a GAN");
    if (st != CLGAN_OK) {
        clgan_gan_free(gan);
        return st;
    }
    *out = gan;
    return CLGAN_OK;
}

void clgan_gan_free(clgan_gan *gan)
{
    if (!gan) return;
    clgan_ctx *ctx = gan->ctx;
    clgan_net_free(gan->G);
    clgan_net_free(gan->D);
    clgan_net_free(gan->G_ema);
    clgan_tensor *ts[] = {&gan->z, &gan->real, &gan->t_real, &gan->t_fake, &gan->t_gen, &gan->logits};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) clgan_tensor_free(ctx, ts[i]);
    clgan_buffer_release(ctx, gan->labels_real);
    clgan_buffer_release(ctx, gan->labels_fake);
    free(gan->host_labels);
    free(gan->host_logits);
    free(gan->text_g);
    free(gan->text_d);
    free(gan);
}

const clgan_gan_config *clgan_gan_get_config(const clgan_gan *gan) { return &gan->cfg; }
int64_t clgan_gan_step_count(const clgan_gan *gan) { return gan->step; }
void clgan_gan_set_step_count(clgan_gan *gan, int64_t step) { gan->step = step; }
clgan_net *clgan_gan_generator(clgan_gan *gan) { return gan->G; }
clgan_net *clgan_gan_discriminator(clgan_gan *gan) { return gan->D; }
clgan_net *clgan_gan_generator_ema(clgan_gan *gan) { return gan->G_ema; }
void clgan_gan_set_sample_ema(clgan_gan *gan, int on) { gan->sample_g = !on; }

/* Gradient of the loss of D's logits against targets t into D's output-grad
 * buffer, and a copy of the logits into slot `slot` of gan->logits for the
 * step's statistics (read once, at the end of the step). Slots 0 and 1 are
 * D's terms (real, fake), slot 2 G's. */
static clgan_status d_loss_grad(clgan_gan *gan, const clgan_tensor *logits, const clgan_tensor *t, int slot)
{
    clgan_ctx *ctx = gan->ctx;
    size_t bytes = (size_t)gan->B * sizeof(float);
    CL_TRY(clEnqueueCopyBuffer(ctx->queue, logits->mem, gan->logits.mem, 0, (size_t)slot * bytes, bytes, 0, NULL,
                               clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "copy");
    clgan_tensor *dlogits = clgan_net_output_grad(gan->D);
    if (gan->cfg.loss == CLGAN_GAN_LOSS_LS) return clgan_mse_backward(ctx, 0.5f, logits, t, dlogits); /* 1/2 (D - t)^2 */
    if (gan->cfg.loss == CLGAN_GAN_LOSS_HINGE) /* G: -D; D: max(0, 1 - t D), t = +1 real, -1 fake */
        return slot == 2 ? clgan_linear_backward(ctx, 1.0f, logits, t, dlogits)
                         : clgan_hinge_backward(ctx, 1.0f, logits, t, dlogits);
    return clgan_bce_logits_backward(ctx, 1.0f, logits, t, dlogits);
}

/* Mean loss of B logits (this rank's) against target t (gen: G's term), and
 * the mean D output as a probability (ns) or raw value (ls, hinge), in double
 * on the host: the same formulas as cl/loss.cl. */
static void logit_stats(const clgan_gan *gan, const float *x, double t, int gen, double *loss, double *mean_out)
{
    double l = 0, m = 0;
    int B = gan->B;
    for (int i = 0; i < B; i++) {
        double v = x[i];
        if (gan->cfg.loss == CLGAN_GAN_LOSS_LS) {
            l += 0.5 * (v - t) * (v - t);
            m += v;
        } else if (gan->cfg.loss == CLGAN_GAN_LOSS_HINGE) {
            l += gen ? -t * v : fmax(0, 1 - t * v);
            m += v;
        } else {
            l += (v > 0 ? v : 0) - v * t + log1p(exp(-fabs(v)));
            m += 1.0 / (1.0 + exp(-v));
        }
    }
    *loss = l / B;
    if (mean_out) *mean_out = m / B;
}

/* After G's step s (0-based): G_ema = d G_ema + (1 - d) G, d = min(decay, (1 + s) / (10 + s)) (gan.h). */
static clgan_status ema_update(clgan_gan *gan)
{
    double s = (double)gan->step, d = fmin((double)gan->cfg.g_ema, (1 + s) / (10 + s));
    return clgan_ema_step(gan->ctx, (float)d, clgan_net_params(gan->G_ema), clgan_net_params(gan->G));
}

clgan_status clgan_gan_train_step(clgan_gan *gan, const float *real, const int32_t *labels, clgan_gan_stats *stats)
{
    clgan_ctx *ctx = gan->ctx;
    const clgan_gan_config *c = &gan->cfg;
    int B = gan->B, cond = c->arch.conditional;
    if (cond) {
        if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "a conditional GAN needs labels for the real batch");
        for (int i = 0; i < B; i++)
            if (labels[i] < 0 || labels[i] >= c->arch.classes)
                return clgan_fail(CLGAN_ERR_INVALID_ARG, "label %d of the batch is %d, outside 0..%d", i, labels[i],
                                  c->arch.classes - 1);
        TRY(clgan_buffer_write(ctx, gan->labels_real, 0, (size_t)B * sizeof(int32_t), labels));
    }
    /* The fakes take the real batch's classes: their class mix follows the
     * data, so D cannot tell fakes by a class that is rare in the data. */
    cl_mem lr = cond ? gan->labels_real : NULL, lf = lr;
    TRY(clgan_tensor_upload(ctx, &gan->real, real));
    TRY(clgan_random_normal(ctx, c->seed, (uint64_t)gan->step * 2, (uint64_t)gan->first * (uint64_t)c->arch.nz, 0.0f,
                            1.0f, &gan->z));

    const clgan_tensor *fake, *logits;
    TRY(clgan_net_forward(gan->G, &gan->z, lf, 1, &fake));

    /* D step: real, then detached fakes; gradients accumulate, one Adam step. */
    TRY(clgan_net_zero_grad(gan->D));
    TRY(clgan_net_forward(gan->D, &gan->real, lr, 1, &logits));
    TRY(d_loss_grad(gan, logits, &gan->t_real, 0));
    TRY(clgan_net_backward(gan->D, NULL));
    TRY(clgan_net_forward(gan->D, fake, lf, 1, &logits));
    TRY(d_loss_grad(gan, logits, &gan->t_fake, 1));
    TRY(clgan_net_backward(gan->D, NULL));
    TRY(clgan_net_adam_step(gan->D, &c->adam_d));

    /* G step: through D (D's gradients are discarded at its next zero_grad). */
    TRY(clgan_net_zero_grad(gan->G));
    TRY(clgan_net_forward(gan->D, fake, lf, 1, &logits));
    TRY(d_loss_grad(gan, logits, &gan->t_gen, 2));
    TRY(clgan_net_backward(gan->D, clgan_net_output_grad(gan->G)));
    TRY(clgan_net_backward(gan->G, NULL));
    TRY(clgan_net_adam_step(gan->G, &c->adam_g));
    if (gan->G_ema) TRY(ema_update(gan));

    /* The step's one read-back: D's outputs for the statistics. */
    clgan_gan_stats s;
    double l_real, l_fake;
    TRY(clgan_tensor_download(ctx, &gan->logits, gan->host_logits));
    logit_stats(gan, gan->host_logits, 1.0 - c->label_smoothing, 0, &l_real, &s.d_real);
    logit_stats(gan, gan->host_logits + B, fake_target(c), 0, &l_fake, &s.d_fake);
    logit_stats(gan, gan->host_logits + 2 * B, 1.0, 1, &s.loss_g, NULL);
    s.loss_d = l_real + l_fake;
    gan->step++;
    if (stats) *stats = s;
    if (!isfinite(s.loss_d) || !isfinite(s.loss_g))
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "training diverged at step %lld: D loss %g, G loss %g",
                          (long long)gan->step, s.loss_d, s.loss_g);
    return CLGAN_OK;
}

/* The moving average ready to sample: planned for B, with G's batchnorm statistics (gan.h). */
static clgan_status ema_for_sampling(clgan_gan *gan)
{
    TRY(clgan_net_plan(gan->G_ema, gan->B));
    return clgan_net_copy_block(gan->G_ema, gan->G, CLGAN_NET_STATE);
}

clgan_status clgan_gan_sample(clgan_gan *gan, int n, const int32_t *labels, uint64_t seed, float *out)
{
    clgan_ctx *ctx = gan->ctx;
    const clgan_gan_config *c = &gan->cfg;
    int B = gan->B, cond = c->arch.conditional;
    size_t per = (size_t)c->arch.c * c->arch.h * c->arch.w;
    clgan_net *g = gan->G_ema && !gan->sample_g ? gan->G_ema : gan->G;
    if (g == gan->G_ema) TRY(ema_for_sampling(gan));
    float *chunk = malloc((size_t)B * per * sizeof *chunk);
    if (!chunk) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory sampling");
    clgan_status st = CLGAN_OK;
    /* G is planned for B: generate in chunks of B, keep what is needed. Sample k's noise is element
     * (k % batch) * nz of stream k / batch, batch the setting: the same for a rank's share B. */
    for (int done = 0, take = 0; done < n && st == CLGAN_OK; done += take) {
        take = n - done < B ? n - done : B;
        int to_stream_end = c->batch - done % c->batch;
        if (take > to_stream_end) take = to_stream_end; /* an uneven share: a chunk stays in one stream */
        if (cond) {
            for (int i = 0; i < B; i++) {
                int k = done + (i < take ? i : 0);
                int32_t cls = labels ? labels[k] : k % c->arch.classes;
                if (cls < 0 || cls >= c->arch.classes) {
                    st = clgan_fail(CLGAN_ERR_INVALID_ARG, "class %d is outside 0..%d", cls, c->arch.classes - 1);
                    break;
                }
                gan->host_labels[i] = cls;
            }
            if (st == CLGAN_OK)
                st = clgan_buffer_write(ctx, gan->labels_fake, 0, (size_t)B * sizeof(int32_t), gan->host_labels);
        }
        const clgan_tensor *fake;
        if (st == CLGAN_OK)
            st = clgan_random_normal(ctx, seed, SAMPLE_STREAM_BASE + (uint64_t)(done / c->batch),
                                     (uint64_t)(done % c->batch) * (uint64_t)c->arch.nz, 0.0f, 1.0f, &gan->z);
        if (st == CLGAN_OK) st = clgan_net_forward(g, &gan->z, cond ? gan->labels_fake : NULL, 0, &fake);
        if (st == CLGAN_OK) st = clgan_tensor_download(ctx, fake, chunk);
        if (st == CLGAN_OK) memcpy(out + (size_t)done * per, chunk, (size_t)take * per * sizeof *chunk);
    }
    free(chunk);
    return st;
}
