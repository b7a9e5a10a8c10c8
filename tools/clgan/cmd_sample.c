/* cmd_sample.c — `clgan sample`: images from a GAN checkpoint, as a PNG grid
 * or as IDX ubyte files (images, plus labels for conditional models) so that
 * samples can be scored elsewhere. Same checkpoint and seed → same bytes. */
#include "cli.h"

#include "io/image.h"
#include "train/gan_checkpoint.h"

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
    int n = 64, cls = -1, cols = 0, json = 0;
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
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan sample --checkpoint FILE --out FILE [--n N] [--class K] [--seed S] [--cols C]\n"
                   "                    [--device SPEC] [--json]\n\n"
                   "Generates N images (default 64) from a train-gan checkpoint. FILE ending in .png: a grid\n"
                   "(C columns, default about square). FILE ending in .idx or -ubyte: an IDX ubyte file of\n"
                   "[N,H,W] (grey) or [N,C,H,W] (colour) bytes, plus a labels IDX file beside it for\n"
                   "conditional models. --class K draws only class K (conditional models); otherwise classes\n"
                   "cycle 0,1,2,... The same checkpoint and --seed give the same bytes. --json prints one JSON\n"
                   "object on stdout (an error, too, is one object there).\n");
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
    clgan_gan *gan;
    if (clgan_gan_load(ctx, ckpt, &gan, NULL, 0) != CLGAN_OK) {
        clgan_ctx_free(ctx);
        return cli_fail("cannot load the checkpoint");
    }
    const clgan_gan_config *c = clgan_gan_get_config(gan);
    int rc = 1;
    size_t img = (size_t)c->arch.c * c->arch.h * c->arch.w;
    float *images = malloc((size_t)n * img * sizeof *images);
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    unsigned char *bytes = malloc((size_t)n * img);
    if (!images || !labels || !bytes) {
        fprintf(stderr, "clgan: out of host memory for %d samples\n", n);
        goto done;
    }
    if (cls >= 0 && !c->arch.conditional) {
        fprintf(stderr, "clgan: --class needs a conditional model; this checkpoint is unconditional\n");
        goto done;
    }
    if (cls >= c->arch.classes && c->arch.conditional) {
        fprintf(stderr, "clgan: --class %d is out of range: the model has classes 0..%d\n", cls, c->arch.classes - 1);
        goto done;
    }
    for (int i = 0; i < n; i++) labels[i] = c->arch.conditional ? (cls >= 0 ? cls : i % c->arch.classes) : -1;
    if (clgan_gan_sample(gan, n, c->arch.conditional ? labels : NULL, seed, images) != CLGAN_OK) {
        cli_fail("sampling");
        goto done;
    }
    if (as_png) {
        /* Conditional with classes cycling: one column per class lines them up. */
        if (!cols && c->arch.conditional && cls < 0 && n % c->arch.classes == 0) cols = c->arch.classes;
        if (!cols) cols = (int)ceil(sqrt((double)n));
        if (clgan_png_grid(out, images, n, c->arch.c, c->arch.h, c->arch.w, cols, -1.0f, 1.0f, 2) != CLGAN_OK) {
            cli_fail(NULL);
            goto done;
        }
    } else {
        for (size_t i = 0; i < (size_t)n * img; i++) {
            float v = (images[i] + 1.0f) * 127.5f;
            bytes[i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
        }
        uint32_t dims4[4] = {(uint32_t)n, (uint32_t)c->arch.c, (uint32_t)c->arch.h, (uint32_t)c->arch.w};
        uint32_t dims3[3] = {(uint32_t)n, (uint32_t)c->arch.h, (uint32_t)c->arch.w};
        if (!(c->arch.c == 1 ? write_idx(out, bytes, dims3, 3) : write_idx(out, bytes, dims4, 4))) goto done;
        if (c->arch.conditional) {
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
        printf(", \"model\": \"%s\", \"conditional\": %s}\n", c->arch.model, c->arch.conditional ? "true" : "false");
    } else {
        fprintf(stderr, "clgan: %d samples written to %s\n", n, out);
    }
    rc = 0;
done:
    free(images);
    free(labels);
    free(bytes);
    clgan_gan_free(gan);
    clgan_ctx_free(ctx);
    return rc;
}
