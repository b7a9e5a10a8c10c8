/* test_gan.c — GAN training end to end on the built-in synthetic data:
 * finite losses and D separating real from fake, conditional sampling, the
 * sample grid PNG, a bit-exact checkpoint round trip, resume equivalence
 * (N steps + resume M = N+M in one go), damaged, truncated or mismatched
 * checkpoints refused with a message, and a spectral-normalised D (trains,
 * resumes bit for bit). */
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

    free(img);
    free(again);
    test_rm_rf(dir);
    clgan_dataset_free(data);
    clgan_ctx_free(ctx);
    return test_finish();
}
