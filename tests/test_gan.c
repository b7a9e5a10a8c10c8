/* test_gan.c — GAN training end to end on the built-in synthetic data:
 * finite losses and D separating real from fake, conditional sampling, the
 * sample grid PNG, a bit-exact checkpoint round trip, resume equivalence
 * (N steps + resume M = N+M in one go), and damaged, truncated or
 * mismatched checkpoints refused with a message; a spectral-normalised D
 * (trains, resumes bit for bit); the hinge loss's statistics; the moving
 * average of G's weights (its update against the host, sampling from it,
 * its checkpoint section, resume). */
#include "test_files.h"
#include "test_train.h"
#include "test_util.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "io/container.h"
#include "io/image.h"
#include "train/gan_checkpoint.h"

#include <math.h>
#include <stb/stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


enum { BATCH = 16 };
static clgan_ctx *ctx;
static clgan_dataset *data;
static char dir[256];

static clgan_gan_config small_config(int conditional)
{
    clgan_gan_config c = clgan_gan_default_config();
    c.arch.width = 8;
    c.arch.nz = 16;
    c.arch.conditional = conditional;
    c.arch.classes = conditional ? data->classes : 0;
    c.batch = BATCH;
    c.seed = 5;
    c.adam_d.lr = c.adam_g.lr = 1e-3f;
    return c;
}

static int gans_equal(clgan_gan *a, clgan_gan *b)
{
    return clgan_gan_step_count(a) == clgan_gan_step_count(b) &&
           test_nets_equal(clgan_gan_generator(a), clgan_gan_generator(b)) &&
           test_nets_equal(clgan_gan_discriminator(a), clgan_gan_discriminator(b));
}

/* A net's parameter block into a new host array. */
static float *params_of(clgan_net *net, size_t *n)
{
    *n = clgan_net_block_floats(net, CLGAN_NET_PARAMS);
    float *p = malloc(*n * sizeof *p);
    MUST(clgan_net_read_block(net, CLGAN_NET_PARAMS, p));
    return p;
}

static int params_equal(clgan_net *a, clgan_net *b)
{
    size_t na, nb;
    float *pa = params_of(a, &na), *pb = params_of(b, &nb);
    int same = na == nb && !memcmp(pa, pb, na * sizeof *pa);
    free(pa);
    free(pb);
    return same;
}

/* Whether checkpoint path has section name. */
static int has_section(const char *path, const char *name)
{
    clgan_ckpt_reader *r;
    MUST(clgan_ckpt_open(path, &r));
    int has = clgan_ckpt_has(r, name);
    clgan_ckpt_close(r);
    return has;
}

/* The hinge loss: with D's learning rate 0, D is the same net in the G step,
 * so G's loss -mean D(G(z)) is exactly minus d_fake; while every output of D
 * is inside (-1, 1) (small initial weights), D's loss mean(1 - D(x)) + mean(1
 * + D(G(z))) is exactly 2 - d_real + d_fake. Label smoothing is refused. */
static void test_hinge(void)
{
    clgan_gan_config cfg = small_config(0);
    cfg.loss = CLGAN_GAN_LOSS_HINGE;
    cfg.adam_d.lr = 0;
    clgan_gan *gan;
    MUST(clgan_gan_create(ctx, &cfg, &gan));
    clgan_gan_stats st[1];
    test_gan_train(gan, data, 1, st);
    EXPECT(fabs(st[0].loss_g + st[0].d_fake) < 1e-9, "hinge: G loss %.9f = -D(G(z)) %.9f (raw outputs)", st[0].loss_g,
           -st[0].d_fake);
    EXPECT(fabs(st[0].loss_d - (2 - st[0].d_real + st[0].d_fake)) < 1e-9,
           "hinge: D loss %.9f = 2 - D(x) + D(G(z)) = %.9f while |D| < 1", st[0].loss_d,
           2 - st[0].d_real + st[0].d_fake);
    clgan_gan_free(gan);

    cfg = small_config(0);
    cfg.loss = CLGAN_GAN_LOSS_HINGE;
    enum { STEPS = 40 };
    clgan_gan_stats s[STEPS];
    MUST(clgan_gan_create(ctx, &cfg, &gan));
    test_gan_train(gan, data, STEPS, s);
    double margin = 0;
    int finite = 1;
    for (int i = 0; i < STEPS; i++) finite = finite && isfinite(s[i].loss_d) && isfinite(s[i].loss_g);
    for (int i = STEPS - 10; i < STEPS; i++) margin += (s[i].d_real - s[i].d_fake) / 10;
    EXPECT(finite && margin > 0.1, "hinge: finite losses, D separates real from fake: mean D(x) - D(G(z)) = %.3f",
           margin);
    clgan_gan_free(gan);

    cfg.label_smoothing = 0.1f;
    clgan_gan *none = NULL;
    EXPECT(clgan_gan_create(ctx, &cfg, &none) == CLGAN_ERR_INVALID_ARG && !none &&
               strstr(clgan_last_error(), "hinge loss takes none"),
           "hinge with label smoothing refused: %s", clgan_last_error());
}

/* After step s (0-based) the average is d e + (1 - d) w, d = min(decay, (1 + s) / (10 + s)), with the
 * floats the kernel gets. */
static void ema_expect(double *e, const float *w, size_t n, double decay, int s)
{
    double d = fmin(decay, (1.0 + s) / (10.0 + s));
    float a = (float)d, b = (float)(1.0 - (double)(float)d);
    for (size_t i = 0; i < n; i++) e[i] = a * e[i] + (double)b * w[i];
}

/* Largest |got - want|. */
static double ema_error(const float *got, const double *want, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(got[i] - want[i]));
    return worst;
}

static void test_ema(void)
{
    clgan_gan_config cfg = small_config(0);
    cfg.g_ema = 1.0f;
    clgan_gan *gan = NULL;
    EXPECT(clgan_gan_create(ctx, &cfg, &gan) == CLGAN_ERR_INVALID_ARG && !gan && strstr(clgan_last_error(), "g_ema"),
           "g_ema 1 refused: %s", clgan_last_error());
    cfg = small_config(0);
    MUST(clgan_gan_create(ctx, &cfg, &gan));
    EXPECT(!clgan_gan_generator_ema(gan), "g_ema 0: no moving average");
    clgan_gan_free(gan);

    /* decay 0.05 (below the warm-up's 1/10 at step 0): after one step, 0.05 w0 + 0.95 w1; decay 0.99: the
     * warm-up's 1/10, then 2/11. */
    static const float decays[] = {0.05f, 0.99f};
    for (int k = 0; k < 2; k++) {
        cfg.g_ema = decays[k];
        MUST(clgan_gan_create(ctx, &cfg, &gan));
        size_t n;
        float *w0 = params_of(clgan_gan_generator(gan), &n);
        double *want = malloc(n * sizeof *want);
        for (size_t i = 0; i < n; i++) want[i] = w0[i];
        EXPECT(params_equal(clgan_gan_generator(gan), clgan_gan_generator_ema(gan)),
               "decay %g: the average starts as G's initial weights", decays[k]);
        for (int s = 0; s < 2; s++) {
            test_gan_train(gan, data, s + 1, NULL);
            float *w = params_of(clgan_gan_generator(gan), &n), *e = params_of(clgan_gan_generator_ema(gan), &n);
            ema_expect(want, w, n, decays[k], s);
            double err = ema_error(e, want, n), from_g = 0;
            for (size_t i = 0; i < n; i++) from_g = fmax(from_g, fabs(w[i] - want[i]));
            /* a few float roundings of weights up to about 1, against G's distance (the check must tell them apart) */
            EXPECT(err < 3e-7 && from_g > 1e-5, "decay %g, step %d: average = d e + (1 - d) w on the host (error %.2e; "
                   "G is %.2e away)", decays[k], s + 1, err, from_g);
            free(w), free(e);
        }
        free(want);
        free(w0);
        if (k == 0) clgan_gan_free(gan);
    }

    /* Sampling: from the average with G's batchnorm statistics, unless told otherwise. */
    enum { N = 20 };
    float *a = malloc(N * 28 * 28 * sizeof *a), *b = malloc(N * 28 * 28 * sizeof *b);
    MUST(clgan_gan_sample(gan, N, NULL, 9, a));
    clgan_gan_set_sample_ema(gan, 0);
    MUST(clgan_gan_sample(gan, N, NULL, 9, b));
    EXPECT(memcmp(a, b, N * 28 * 28 * sizeof *a) != 0, "samples from the average differ from G's");
    clgan_gan_set_sample_ema(gan, 1);

    /* The checkpoint keeps the average (without it: no section); resume is bit-exact with it. */
    char ckpt[300], plain[300];
    snprintf(ckpt, sizeof ckpt, "%s/ema.ckpt", dir);
    snprintf(plain, sizeof plain, "%s/a.ckpt", dir);
    MUST(clgan_gan_save(gan, ckpt, ""));
    EXPECT(has_section(ckpt, "G_ema.params") && !has_section(ckpt, "G_ema.state") &&
               !has_section(plain, "G_ema.params"),
           "G_ema.params in the checkpoint with g_ema only (no state block: G's statistics)");
    /* A file whose settings ask for an average it does not hold is refused, naming the section. */
    char text[1024], bad[300], *at;
    clgan_ckpt_reader *r;
    MUST(clgan_ckpt_open(plain, &r));
    MUST(clgan_ckpt_get_string(r, "config", text, sizeof text));
    clgan_ckpt_close(r);
    if ((at = strstr(text, "g_ema=0"))) memcpy(at, "g_ema=.5", 9);
    snprintf(bad, sizeof bad, "%s/no-ema.ckpt", dir);
    rewrite_section(plain, bad, "config", text);
    clgan_gan *loaded = NULL;
    EXPECT(at && clgan_gan_load(ctx, bad, &loaded, NULL, 0) == CLGAN_ERR_FORMAT && !loaded &&
               strstr(clgan_last_error(), "G_ema"),
           "g_ema > 0 without G_ema sections refused: %s", clgan_last_error());
    MUST(clgan_gan_load(ctx, ckpt, &loaded, NULL, 0));
    MUST(clgan_gan_sample(loaded, N, NULL, 9, b));
    EXPECT(params_equal(clgan_gan_generator_ema(gan), clgan_gan_generator_ema(loaded)) &&
               !memcmp(a, b, N * 28 * 28 * sizeof *a),
           "checkpoint round trip: the same average, the same samples");
    clgan_gan_free(loaded);

    clgan_gan *straight, *first, *resumed;
    MUST(clgan_gan_create(ctx, &cfg, &straight));
    test_gan_train(straight, data, 11, NULL);
    MUST(clgan_gan_create(ctx, &cfg, &first));
    test_gan_train(first, data, 6, NULL);
    MUST(clgan_gan_save(first, ckpt, ""));
    clgan_gan_free(first);
    MUST(clgan_gan_load(ctx, ckpt, &resumed, NULL, 0));
    test_gan_train(resumed, data, 11, NULL);
    EXPECT(gans_equal(straight, resumed) &&
               params_equal(clgan_gan_generator_ema(straight), clgan_gan_generator_ema(resumed)),
           "6 steps + resume for 5 = 11 in one go, the average too");
    MUST(clgan_gan_sample(straight, N, NULL, 9, a));
    MUST(clgan_gan_sample(resumed, N, NULL, 9, b));
    EXPECT(!memcmp(a, b, N * 28 * 28 * sizeof *a), "... and they sample the same bytes");
    clgan_gan_free(straight);
    clgan_gan_free(resumed);

    /* The average's samples are G's with the average's weights: write them into G and sample G. */
    size_t n;
    float *e = params_of(clgan_gan_generator_ema(gan), &n);
    MUST(clgan_gan_sample(gan, N, NULL, 9, a));
    MUST(clgan_net_write_block(clgan_gan_generator(gan), CLGAN_NET_PARAMS, e));
    clgan_gan_set_sample_ema(gan, 0);
    MUST(clgan_gan_sample(gan, N, NULL, 9, b));
    EXPECT(!memcmp(a, b, N * 28 * 28 * sizeof *a), "sampling the average = sampling G holding its weights");
    free(e);
    free(a);
    free(b);
    clgan_gan_free(gan);
}

int main(void)
{
    ctx = test_device_or_skip();
    clgan_dataset_options dopt = test_synthetic28(64, 0); /* 4 steps per epoch: resume crosses epochs */
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &data));
    if (!test_temp_dir(dir, sizeof dir, "test-gan")) return 1;
    char cmd[2048];

    /* 1. A short run: losses finite, D tells real from fake. */
    clgan_gan_config cfg = small_config(0);
    clgan_gan *gan;
    MUST(clgan_gan_create(ctx, &cfg, &gan));
    enum { STEPS = 40 };
    clgan_gan_stats st[STEPS];
    test_gan_train(gan, data, STEPS, st);
    int finite = 1;
    double margin = 0;
    for (int i = 0; i < STEPS; i++)
        finite = finite && isfinite(st[i].loss_d) && isfinite(st[i].loss_g) && isfinite(st[i].d_real);
    for (int i = STEPS - 10; i < STEPS; i++) margin += (st[i].d_real - st[i].d_fake) / 10;
    EXPECT(finite, "losses finite over %d steps (last: D %.3f G %.3f)", STEPS, st[STEPS - 1].loss_d, st[STEPS - 1].loss_g);
    EXPECT(margin > 0.1, "D separates real from fake: mean D(x) - D(G(z)) over the last 10 steps = %.3f", margin);

    /* 2. The sample grid. */
    float *img = malloc(20 * 28 * 28 * sizeof *img);
    MUST(clgan_gan_sample(gan, 20, NULL, 9, img));
    int in_range = 1;
    for (int i = 0; i < 20 * 28 * 28; i++) in_range = in_range && img[i] >= -1 && img[i] <= 1;
    EXPECT(in_range, "samples in [-1, 1]");
    char png[300];
    snprintf(png, sizeof png, "%s/grid.png", dir);
    MUST(clgan_png_grid(png, img, 20, 1, 28, 28, 10, -1, 1, 2));
    int pw = 0, ph = 0, pc = 0;
    EXPECT(stbi_info(png, &pw, &ph, &pc) && pw == 10 * 28 + 11 * 2 && ph == 2 * 28 + 3 * 2,
           "grid PNG is %dx%d (10 columns x 2 rows of 28x28 with 2-pixel padding)", pw, ph);
    float *again = malloc(20 * 28 * 28 * sizeof *again);
    MUST(clgan_gan_sample(gan, 20, NULL, 9, again));
    EXPECT(!memcmp(img, again, 20 * 28 * 28 * sizeof *img), "same seed, same samples");

    /* 3. Checkpoint round trip, bit-exact. */
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/a.ckpt", dir);
    MUST(clgan_gan_save(gan, ckpt, "synthetic"));
    clgan_gan *loaded;
    char note[64];
    MUST(clgan_gan_load(ctx, ckpt, &loaded, note, sizeof note));
    EXPECT(gans_equal(gan, loaded) && !strcmp(note, "synthetic"),
           "checkpoint round trip: weights, batchnorm statistics, Adam state and step identical");
    MUST(clgan_gan_sample(loaded, 20, NULL, 9, again));
    EXPECT(!memcmp(img, again, 20 * 28 * 28 * sizeof *img), "the loaded GAN samples the same bytes");
    clgan_gan_free(loaded);

    /* 4. Resume equivalence: 6 steps, save, load, 5 more == 11 in one go. */
    clgan_gan *straight, *first, *resumed;
    MUST(clgan_gan_create(ctx, &cfg, &straight));
    test_gan_train(straight, data, 11, NULL);
    MUST(clgan_gan_create(ctx, &cfg, &first));
    test_gan_train(first, data, 6, NULL);
    char mid[300];
    snprintf(mid, sizeof mid, "%s/mid.ckpt", dir);
    MUST(clgan_gan_save(first, mid, ""));
    clgan_gan_free(first);
    MUST(clgan_gan_load(ctx, mid, &resumed, NULL, 0));
    test_gan_train(resumed, data, 11, NULL);
    EXPECT(gans_equal(straight, resumed), "6 steps + resume for 5 gives the same weights as 11 steps in one go");
    clgan_gan_free(straight);
    clgan_gan_free(resumed);

    /* 5. Damaged, truncated and mismatched checkpoints are refused. */
    long size = test_file_size(ckpt);
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    snprintf(cmd, sizeof cmd, "cp %s %s && printf '\\377' | dd of=%s bs=1 seek=%ld conv=notrunc 2>/dev/null", ckpt,
             bad, bad, size / 2);
    if (system(cmd) != 0) return 1;
    clgan_gan *g2 = NULL;
    clgan_status s = clgan_gan_load(ctx, bad, &g2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !g2 && strstr(clgan_last_error(), bad), "flipped byte refused: %s", clgan_last_error());
    snprintf(cmd, sizeof cmd, "cp %s %s && truncate -s %ld %s", ckpt, bad, size - 100, bad);
    if (system(cmd) != 0) return 1;
    s = clgan_gan_load(ctx, bad, &g2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !g2, "truncated checkpoint refused: %s", clgan_last_error());
    rewrite_section(ckpt, bad, "arch", "model=dcgan28 width=12 nz=16 conditional=0 classes=0 mbstd=0");
    s = clgan_gan_load(ctx, bad, &g2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && !g2 && (strstr(clgan_last_error(), "do not match") ||
                                                 strstr(clgan_last_error(), "by its settings")),
           "checkpoint whose weights do not fit its architecture refused: %.80s...", clgan_last_error());
    rewrite_section(ckpt, bad, "kind", "clgan-classifier");
    s = clgan_gan_load(ctx, bad, &g2, NULL, 0);
    EXPECT(s == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "not a GAN checkpoint"), "wrong kind refused: %s",
           clgan_last_error());
    clgan_gan_free(gan);

    /* 6. Conditional: labels reach G (different classes, different images). */
    clgan_gan_config ccfg = small_config(1);
    MUST(clgan_gan_create(ctx, &ccfg, &gan));
    test_gan_train(gan, data, 8, NULL);
    int32_t zeros[BATCH] = {0}, ones[BATCH];
    for (int i = 0; i < BATCH; i++) ones[i] = 1;
    MUST(clgan_gan_sample(gan, 4, zeros, 3, img));
    MUST(clgan_gan_sample(gan, 4, ones, 3, again));
    EXPECT(memcmp(img, again, 4 * 28 * 28 * sizeof *img) != 0, "conditional G: class 0 and class 1 samples differ");
    int32_t bad_label[BATCH] = {99};
    EXPECT(clgan_gan_sample(gan, 1, bad_label, 3, img) == CLGAN_ERR_INVALID_ARG, "out-of-range class refused: %s",
           clgan_last_error());
    clgan_gan_free(gan);

    /* 7. Spectral norm on D: D's state grows by its u vectors; it trains with finite losses and D
     * still tells real from fake; 6 steps + save + load + 5 == 11 in one go, bit for bit (u is in
     * the checkpoint); the settings saved say spectral_norm=1. */
    clgan_gan_config scfg = small_config(0);
    scfg.arch.spectral_norm = 1;
    MUST(clgan_gan_create(ctx, &scfg, &gan));
    MUST(clgan_gan_create(ctx, &cfg, &straight));
    size_t sn_state = clgan_net_state_count(clgan_gan_discriminator(gan));
    size_t plain_state = clgan_net_state_count(clgan_gan_discriminator(straight));
    EXPECT(sn_state == plain_state + 8 + 16 + 1, "spectral-norm D: u of each conv and of the dense head in its state "
           "(%zu floats, %zu without)", sn_state, plain_state);
    clgan_gan_free(straight);
    test_gan_train(gan, data, STEPS, st);
    finite = 1, margin = 0;
    for (int i = 0; i < STEPS; i++) finite = finite && isfinite(st[i].loss_d) && isfinite(st[i].loss_g);
    for (int i = STEPS - 10; i < STEPS; i++) margin += (st[i].d_real - st[i].d_fake) / 10;
    EXPECT(finite && margin > 0.1, "spectral-norm D: finite losses over %d steps, mean D(x) - D(G(z)) over the last "
           "10 = %.3f", STEPS, margin);
    clgan_gan_free(gan);
    MUST(clgan_gan_create(ctx, &scfg, &straight));
    test_gan_train(straight, data, 11, NULL);
    MUST(clgan_gan_create(ctx, &scfg, &first));
    test_gan_train(first, data, 6, NULL);
    MUST(clgan_gan_save(first, mid, ""));
    clgan_gan_free(first);
    clgan_gan_config peeked;
    MUST(clgan_gan_peek(mid, &peeked));
    MUST(clgan_gan_load(ctx, mid, &resumed, NULL, 0));
    test_gan_train(resumed, data, 11, NULL);
    EXPECT(peeked.arch.spectral_norm == 1 && gans_equal(straight, resumed),
           "spectral-norm D: the checkpoint says so, and 6 steps + resume for 5 = 11 in one go, bit for bit");
    clgan_gan_free(straight);
    clgan_gan_free(resumed);
    test_hinge();
    test_ema();

    free(img);
    free(again);
    test_rm_rf(dir);
    clgan_dataset_free(data);
    clgan_ctx_free(ctx);
    return test_finish();
}
