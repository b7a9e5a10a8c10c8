/* gan_samples.c — a small GAN trained from a program that uses only the
 * installed header <clgan.h>: open a device, create a DCGAN for the built-in
 * synthetic shapes, train it a few steps, save it, load it back, and write a
 * PNG grid of its samples.
 *
 *     gan_samples [OUT_DIR [STEPS]]      (default: the current folder, 20 steps)
 *
 * writes OUT_DIR/gan.ckpt and OUT_DIR/samples.png. The device is
 * $CLGAN_DEVICE's, else the first GPU, else the first device.
 * Build: CMakeLists.txt here (find_package(clgan)) or Makefile (pkg-config).
 */
#include <clgan.h>

#include <stdio.h>
#include <stdlib.h>

/* Print what failed and why, and give the exit status. */
static int fail(const char *what)
{
    fprintf(stderr, "gan_samples: %s: %s\n", what, clgan_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    const char *out_dir = argc > 1 ? argv[1] : ".";
    int steps = argc > 2 ? atoi(argv[2]) : 20;
    if (steps < 1) {
        fprintf(stderr, "gan_samples: STEPS must be a positive number, not '%s'\n", argv[2]);
        return 2;
    }
    char ckpt[1024], png[1024];
    snprintf(ckpt, sizeof ckpt, "%s/gan.ckpt", out_dir);
    snprintf(png, sizeof png, "%s/samples.png", out_dir);
    printf("libclgan %s\n", clgan_version_string());

    clgan_ctx_params cp = clgan_ctx_default_params();
    clgan_ctx *ctx = NULL;
    if (clgan_ctx_create(&cp, &ctx) != CLGAN_OK) return fail("opening a device");
    printf("device: %s\n", clgan_ctx_device(ctx)->device_name);

    /* The data: 28 x 28 grey shapes, made from a seed (no files). */
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.synthetic_train = 512;
    clgan_dataset *data = NULL;
    if (clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &data) != CLGAN_OK) return fail("opening the data");

    /* The model: the dcgan28 preset, unconditional, narrow, a small batch. */
    clgan_model_params mp = clgan_model_default_params(CLGAN_MODEL_GAN);
    mp.arch = "dcgan28";
    mp.settings = "batch=16 width=8 seed=7"; /* width 8: a small net, quick on any device */
    clgan_model *gan = NULL;
    if (clgan_model_create(ctx, &mp, &gan) != CLGAN_OK) return fail("creating the GAN");
    clgan_model_info info;
    if (clgan_model_get_info(gan, &info) != CLGAN_OK) return fail("reading the GAN's shape");
    printf("GAN: %s, images %dx%dx%d, batch %d, %zu parameters\n", info.arch, info.channels, info.height, info.width,
           info.batch, info.params);

    /* Training: shuffled batches of the model's batch size. */
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = info.batch;
    lo.seed = 7;
    clgan_loader *batches = NULL;
    if (clgan_loader_create(data, &lo, &batches) != CLGAN_OK) return fail("making batches");
    size_t batch_floats = clgan_loader_batch_floats(batches);
    float *x = malloc(batch_floats * sizeof *x);
    if (!x) return fail("allocating a batch");
    clgan_step_stats stats = {0};
    for (int s = 0; s < steps; s++) {
        if (clgan_loader_next(batches, x, batch_floats, NULL, 0, NULL) != CLGAN_OK) return fail("reading a batch");
        if (clgan_model_train_step(gan, x, NULL, &stats) != CLGAN_OK) return fail("training");
    }
    printf("after %d steps:", steps);
    for (int i = 0; i < stats.count; i++) printf(" %s %.4f", stats.names[i], stats.values[i]);
    printf("\n");
    free(x);
    clgan_loader_free(batches);
    clgan_dataset_free(data);

    /* Save, free, and load it back: the samples come from the loaded copy. */
    if (clgan_model_save(gan, ckpt, "tools/examples/gan_samples.c") != CLGAN_OK) return fail("saving");
    clgan_model_free(gan);
    gan = NULL;
    char note[256];
    if (clgan_model_load(ctx, ckpt, &gan, note, sizeof note) != CLGAN_OK) return fail("loading");
    printf("loaded %s (note: %s)\n", ckpt, note);

    enum { N = 64, COLS = 8 };
    size_t per = (size_t)info.channels * info.height * info.width;
    float *samples = malloc(N * per * sizeof *samples);
    if (!samples) return fail("allocating the samples");
    if (clgan_model_sample(gan, N, NULL, 1, samples) != CLGAN_OK) return fail("sampling");
    if (clgan_png_grid(png, samples, N, info.channels, info.height, info.width, COLS, -1.0f, 1.0f, 2) != CLGAN_OK)
        return fail("writing the PNG");
    printf("wrote %s\n", png);
    free(samples);
    clgan_model_free(gan);
    clgan_ctx_free(ctx);
    return 0;
}
