/* cmd_predict.c — `clgan predict`: classify image files (PNG, JPEG, and the
 * other formats stb_image reads) with a classifier checkpoint
 * (train-classifier, train-ssl or train-dfeatures). Each image is resized
 * (shorter side) and centre-cropped to the model's size and converted to its
 * channels, the same way datasets are loaded. */
#include "checkpoint_classifier.h"
#include "cli.h"

#include "data/dataset.h"
#include "train/metrics.h"

#include <stb/stb_image.h>
#include <stdlib.h>
#include <string.h>

/* Decode path into x (floats [c,size,size] in [-1,1]); prints the error. */
static int load_image(const char *path, const ckpt_classifier *m, float *x)
{
    int w, h, comp;
    if (!stbi_info(path, &w, &h, &comp)) {
        FILE *f = fopen(path, "rb");
        if (f) fclose(f);
        fprintf(stderr, "clgan: %s: %s\n", path,
                f ? "not an image clgan can decode (PNG, JPEG, BMP, GIF, TGA, PNM)" : "cannot open the file");
        return 0;
    }
    int C = comp >= 3 ? 3 : 1;
    unsigned char *hwc = stbi_load(path, &w, &h, &comp, C);
    if (!hwc) {
        fprintf(stderr, "clgan: %s: cannot decode the image: %s\n", path,
                stbi_failure_reason() ? stbi_failure_reason() : "unknown error");
        return 0;
    }
    clgan_dataset *d;
    if (clgan_dataset_alloc(1, C, h, w, 0, &d) != CLGAN_OK) {
        stbi_image_free(hwc);
        cli_fail(path);
        return 0;
    }
    size_t hw = (size_t)w * h;
    for (size_t p = 0; p < hw; p++)
        for (int ch = 0; ch < C; ch++) d->pixels[(size_t)ch * hw + p] = hwc[p * C + ch];
    stbi_image_free(hwc);
    d->labels[0] = -1;
    int ok = clgan_dataset_convert(d, m->h, m->c) == CLGAN_OK;
    if (!ok) cli_fail(path);
    else {
        size_t n = (size_t)m->c * m->h * m->w;
        for (size_t i = 0; i < n; i++) x[i] = d->pixels[i] / 127.5f - 1.0f;
    }
    clgan_dataset_free(d);
    return ok;
}

int cmd_predict(int argc, char **argv)
{
    const char *ckpt = NULL, *device = NULL;
    int json = 0, top = 1, nfiles = 0;
    const char **files = calloc((size_t)argc, sizeof *files);
    if (!files) return 1;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) ckpt = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--top", &bad))) {
            if (!cli_parse_int("--top", v, 1, 65536, &top)) goto usage_error;
        } else if (bad) goto usage_error;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan predict --checkpoint FILE [--top K] [--device SPEC] [--json] IMAGE...\n\n"
                   "Classifies image files (PNG, JPEG, BMP, GIF, TGA, PNM) with a classifier checkpoint (from\n"
                   "train-classifier, train-ssl or train-dfeatures).\n"
                   "Each image is resized and centre-cropped to the model's size and converted to its channels.\n"
                   "Prints one line per image: \"file: class (name) probability\"; --top K adds the next K-1\n"
                   "classes; --json prints one JSON line with every class probability.\n");
            free(files);
            return 0;
        } else if (!strcmp(argv[i], "--")) {
            while (++i < argc) files[nfiles++] = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "clgan predict: unknown option '%s' (see --help)\n", argv[i]);
            goto usage_error;
        } else files[nfiles++] = argv[i];
    }
    if (!ckpt || !nfiles) {
        fprintf(stderr, "clgan predict: --checkpoint and at least one image are required (see --help)\n");
        goto usage_error;
    }
    clgan_ctx *ctx = NULL;
    ckpt_classifier m = {0};
    float *x = NULL, *probs = NULL;
    int rc = 1;
    if (cli_open_ctx(device, 0, &ctx) || !ckpt_classifier_load(ctx, ckpt, &m)) goto done;
    int K = m.classes;
    if (top > K) top = K;
    size_t per = (size_t)m.c * m.h * m.w;
    x = malloc((size_t)nfiles * per * sizeof *x);
    probs = malloc((size_t)nfiles * K * sizeof *probs);
    if (!x || !probs) {
        fprintf(stderr, "clgan: out of host memory for %d images\n", nfiles);
        goto done;
    }
    for (int i = 0; i < nfiles; i++)
        if (!load_image(files[i], &m, x + (size_t)i * per)) goto done;
    if (ckpt_classifier_predict(&m, nfiles, x, probs) != CLGAN_OK) {
        cli_fail("predicting");
        goto done;
    }
    if (json) printf("{\"command\": \"predict\", \"model\": \"%s\", \"predictions\": [", m.model);
    for (int i = 0; i < nfiles; i++) {
        float *p = probs + (size_t)i * K;
        int best = clgan_argmax(p, K);
        if (json) {
            printf("%s{\"file\": ", i ? ", " : "");
            cli_json_string(stdout, files[i]);
            printf(", \"class\": %d, \"name\": ", best);
            cli_json_string(stdout, ckpt_classifier_class_name(&m, best));
            printf(", \"probability\": %.6g, \"probabilities\": [", p[best]);
            for (int k = 0; k < K; k++) printf("%s%.6g", k ? ", " : "", p[k]);
            printf("]}");
            continue;
        }
        printf("%s: %d (%s) %.4f", files[i], best, ckpt_classifier_class_name(&m, best), p[best]);
        /* The next most likely classes: repeatedly the largest not yet shown. */
        float shown_below = p[best];
        int last = best;
        for (int t = 1; t < top; t++) {
            int nb = -1;
            for (int k = 0; k < K; k++) {
                int before = p[k] > shown_below || (p[k] == shown_below && k <= last);
                if (!before && (nb < 0 || p[k] > p[nb])) nb = k;
            }
            if (nb < 0) break;
            printf(", %d (%s) %.4f", nb, ckpt_classifier_class_name(&m, nb), p[nb]);
            shown_below = p[nb], last = nb;
        }
        printf("\n");
    }
    if (json) printf("]}\n");
    rc = 0;
done:
    free(x);
    free(probs);
    free(files);
    ckpt_classifier_free(&m);
    clgan_ctx_free(ctx);
    return rc;
usage_error:
    free(files);
    return 2;
}
