/* cmd_bench_gan.c — `clgan bench-gan`: time GAN training steps of a DCGAN
 * preset on a device (random real images; the full step as train-gan runs it,
 * uploads and loss read-backs included). For comparing devices and drivers,
 * and for measuring speed work; numbers are written down, never asserted. */
#include "cli.h"
#include "progress.h"

#include "train/gan.h"

#include <stdlib.h>
#include <string.h>

int cmd_bench_gan(int argc, char **argv)
{
    const char *device = NULL;
    clgan_gan_config cfg = clgan_gan_default_config();
    int steps = 10, warmup = 2, json = 0;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--model", &bad))) snprintf(cfg.arch.model, sizeof cfg.arch.model, "%s", v);
        else if ((v = cli_flag_value(argc, argv, &i, "--width", &bad))) {
            if (!cli_parse_int("--width", v, 1, 4096, &cfg.arch.width)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) {
            if (!cli_parse_int("--batch", v, 2, 65536, &cfg.batch)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--steps", &bad))) {
            if (!cli_parse_int("--steps", v, 1, 100000, &steps)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--warmup", &bad))) {
            if (!cli_parse_int("--warmup", v, 0, 1000, &warmup)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--conditional")) cfg.arch.conditional = 1, cfg.arch.classes = 10;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan bench-gan [--model NAME] [--width W] [--batch B] [--steps N] [--warmup N]\n"
                   "                       [--conditional] [--device SPEC] [--json]\n\n"
                   "Times full GAN training steps (G forward, D on real and fake, D step, G through D, G step)\n"
                   "of a DCGAN preset on random images, after --warmup untimed steps (default 2: kernel builds\n"
                   "and CLBlast's first compiles). Prints seconds per step, images per second and peak device\n"
                   "memory. Defaults: dcgan28 at its default width (32), batch 64, 10 steps.\n");
            return 0;
        } else {
            fprintf(stderr, "clgan bench-gan: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    clgan_ctx *ctx;
    if (cli_open_ctx(device, 0, &ctx)) return 1;
    clgan_gan *gan;
    if (clgan_gan_create(ctx, &cfg, &gan) != CLGAN_OK) {
        clgan_ctx_free(ctx);
        return cli_fail("cannot build the GAN");
    }
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    size_t n = (size_t)c->batch * c->arch.c * c->arch.h * c->arch.w;
    float *real = malloc(n * sizeof *real);
    int32_t *labels = malloc((size_t)c->batch * sizeof *labels);
    int rc = 1;
    if (!real || !labels) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    uint64_t x = 88172645463325252ull; /* xorshift: images in [-1, 1] */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        real[i] = (float)((x >> 11) * (2.0 / 9007199254740992.0) - 1.0);
    }
    for (int i = 0; i < c->batch; i++) labels[i] = i % 10;
    double t0 = 0;
    for (int s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
            clgan_ctx_finish(ctx);
            t0 = progress_now();
        }
        if (clgan_gan_train_step(gan, real, labels, NULL) != CLGAN_OK) {
            cli_fail("training step");
            goto done;
        }
    }
    clgan_ctx_finish(ctx);
    double per = (progress_now() - t0) / steps;
    const clgan_device_info *d = clgan_ctx_device(ctx);
    size_t peak = clgan_ctx_peak_bytes(ctx);
    if (json) {
        printf("{\"command\": \"bench-gan\", \"device\": ");
        cli_json_string(stdout, d->device_name);
        printf(", \"driver\": ");
        cli_json_string(stdout, d->driver_version);
        printf(", \"model\": \"%s\", \"width\": %d, \"batch\": %d, \"conditional\": %s, \"steps\": %d, "
               "\"seconds_per_step\": %.6f, \"images_per_sec\": %.1f, \"peak_device_bytes\": %zu}\n",
               c->arch.model, c->arch.width, c->batch, c->arch.conditional ? "true" : "false", steps, per,
               c->batch / per, peak);
    } else {
        printf("%s (%s, driver %s)\n%s%s width %d batch %d: %.4f s/step, %.0f images/s, peak device memory %.1f MiB\n",
               d->device_name, d->platform_name, d->driver_version, c->arch.conditional ? "conditional " : "",
               c->arch.model, c->arch.width, c->batch, per, c->batch / per, peak / (1024.0 * 1024.0));
    }
    rc = 0;
done:
    free(real);
    free(labels);
    clgan_gan_free(gan);
    clgan_ctx_free(ctx);
    return rc;
}
