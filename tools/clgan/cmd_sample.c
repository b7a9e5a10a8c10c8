/* cmd_sample.c — `clgan sample`: images from a GAN checkpoint, as a PNG grid
 * or as IDX ubyte files (images, plus labels for conditional models) so that
 * samples can be scored elsewhere. Same checkpoint and seed → same bytes. */
#include "cli.h"


#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

/* IDX: magic 0x0000 08 NDIM, big-endian dims, then the bytes. */
static int write_idx(const char *path, const unsigned char *bytes, const uint32_t *dims, int ndim)
{
    size_t count = 1;
    for (int i = 0; i < ndim; i++) count *= dims[i];
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "clgan: cannot write %s: %s\n", path, strerror(errno));
        return 0;
    }
    unsigned char head[4 + 4 * 4];
    head[0] = head[1] = 0, head[2] = 0x08, head[3] = (unsigned char)ndim;
    for (int i = 0; i < ndim; i++) put_be32(head + 4 + 4 * i, dims[i]);
    int ok = fwrite(head, 1, 4 + 4 * (size_t)ndim, f) == 4 + 4 * (size_t)ndim && fwrite(bytes, 1, count, f) == count;
    ok = (fclose(f) == 0) && ok && rename(tmp, path) == 0;
    if (!ok) {
        remove(tmp);
        fprintf(stderr, "clgan: cannot write %s\n", path);
    }
    return ok;
}

/* "x-images-idx3-ubyte" → "x-labels-idx1-ubyte"; otherwise "<file>-labels-idx1-ubyte". */
static void labels_path(const char *images, char *out, size_t cap)
{
    const char *at = strstr(images, "images-idx");
    if (at) snprintf(out, cap, "%.*slabels-idx1-ubyte", (int)(at - images), images);
    else snprintf(out, cap, "%s-labels-idx1-ubyte", images);
}

int cmd_sample(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *device = NULL;
    int n = 64, cls = -1, cols = 0, json = 0, no_ema = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) ckpt = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--out", &bad))) out = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--n", &bad))) {
            if (!cli_parse_int("--n", v, 1, 10000000, &n)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--class", &bad))) {
            if (!cli_parse_int("--class", v, 0, 1000000, &cls)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--cols", &bad))) {
            if (!cli_parse_int("--cols", v, 1, 10000, &cols)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &seed)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--no-ema")) no_ema = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan sample --checkpoint FILE --out FILE [--n N] [--class K] [--seed S] [--cols C]\n"
                   "                    [--no-ema] [--device SPEC] [--json]\n\n"
                   "Generates N images (default 64) from a train-gan checkpoint. FILE ending in .png: a grid\n"
                   "(C columns, default about square). FILE ending in .idx or -ubyte: an IDX ubyte file of\n"
                   "[N,H,W] (grey) or [N,C,H,W] (colour) bytes, plus a labels IDX file beside it for\n"
                   "conditional models. --class K draws only class K (conditional models); otherwise classes\n"
                   "cycle 0,1,2,... The same checkpoint and --seed give the same bytes. A run trained with\n"
                   "--g-ema keeps a moving average of G's weights: the images come from it, or with --no-ema\n"
                   "from G's own weights. --json prints one JSON object on stdout (an error, too, is one object\n"
                   "there).\n");
            return 0;
        } else {
            fprintf(stderr, "clgan sample: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ckpt || !out) {
        fprintf(stderr, "clgan sample: --checkpoint and --out are required (see --help)\n");
        return 2;
    }
    int as_png = ends_with(out, ".png"), as_idx = ends_with(out, ".idx") || ends_with(out, "-ubyte");
    if (!as_png && !as_idx) {
        fprintf(stderr, "clgan sample: --out must end in .png (grid) or .idx / -ubyte (IDX file), got '%s'\n", out);
        return 2;
    }
    clgan_ctx *ctx;
    if (cli_open_ctx(device, 0, &ctx)) return 1;
    char kind[32];
    clgan_model_kind mk;
    clgan_model *gan = NULL;
    if (clgan_checkpoint_kind(ckpt, kind, sizeof kind, &mk) == CLGAN_OK && mk != CLGAN_MODEL_GAN)
        clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not a GAN checkpoint", ckpt, kind);
    else
        clgan_model_load(ctx, ckpt, &gan, NULL, 0);
    clgan_model_info c;
    if (!gan || clgan_model_get_info(gan, &c) != CLGAN_OK) {
        clgan_model_free(gan);
        clgan_ctx_free(ctx);
        return cli_fail("cannot load the checkpoint");
    }
    const int conditional = c.classes > 0;
    const int ema = !no_ema && clgan_model_net(gan, "G_ema");
    int rc = 1;
    size_t img = (size_t)c.channels * c.height * c.width;
    float *images = malloc((size_t)n * img * sizeof *images);
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    unsigned char *bytes = malloc((size_t)n * img);
    if (!images || !labels || !bytes) {
        fprintf(stderr, "clgan: out of host memory for %d samples\n", n);
        goto done;
    }
    if (cls >= 0 && !conditional) {
        fprintf(stderr, "clgan: --class needs a conditional model; this checkpoint is unconditional\n");
        goto done;
    }
    if (cls >= c.classes && conditional) {
        fprintf(stderr, "clgan: --class %d is out of range: the model has classes 0..%d\n", cls, c.classes - 1);
        goto done;
    }
    for (int i = 0; i < n; i++) labels[i] = conditional ? (cls >= 0 ? cls : i % c.classes) : -1;
    if (clgan_model_set_sample_ema(gan, ema) != CLGAN_OK ||
        clgan_model_sample(gan, n, conditional ? labels : NULL, seed, images) != CLGAN_OK) {
        cli_fail("sampling");
        goto done;
    }
    if (as_png) {
        /* Conditional with classes cycling: one column per class lines them up. */
        if (!cols && conditional && cls < 0 && n % c.classes == 0) cols = c.classes;
        if (!cols) cols = (int)ceil(sqrt((double)n));
        if (clgan_png_grid(out, images, n, c.channels, c.height, c.width, cols, -1.0f, 1.0f, 2) != CLGAN_OK) {
            cli_fail(NULL);
            goto done;
        }
    } else {
        for (size_t i = 0; i < (size_t)n * img; i++) {
            float v = (images[i] + 1.0f) * 127.5f;
            bytes[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
        }
        uint32_t dims4[4] = {(uint32_t)n, (uint32_t)c.channels, (uint32_t)c.height, (uint32_t)c.width};
        uint32_t dims3[3] = {(uint32_t)n, (uint32_t)c.height, (uint32_t)c.width};
        if (!(c.channels == 1 ? write_idx(out, bytes, dims3, 3) : write_idx(out, bytes, dims4, 4))) goto done;
        if (conditional) {
            char lp[1100];
            labels_path(out, lp, sizeof lp);
            for (int i = 0; i < n; i++) bytes[i] = (unsigned char)labels[i];
            uint32_t dims1[1] = {(uint32_t)n};
            if (!write_idx(lp, bytes, dims1, 1)) goto done;
            if (!json) fprintf(stderr, "clgan: labels written to %s\n", lp);
        }
    }
    if (json) {
        cli_json_begin("sample", "ok");
        printf(", \"n\": %d, \"seed\": %llu, \"out\": ", n, (unsigned long long)seed);
        cli_json_string(stdout, out);
        printf(", \"model\": \"%s\", \"conditional\": %s, \"ema\": %s}\n", c.arch, conditional ? "true" : "false",
               ema ? "true" : "false");
    } else {
        fprintf(stderr, "clgan: %d samples written to %s%s\n", n, out, ema ? " (from G's moving average)" : "");
    }
    rc = 0;
done:
    free(images);
    free(labels);
    free(bytes);
    clgan_model_free(gan);
    clgan_ctx_free(ctx);
    return rc;
}
