/* cmd_predict.c — `clgan predict`: classify image files (PNG, JPEG, and the
 * other formats stb_image reads) with a classifier checkpoint
 * (train-classifier, train-ssl or train-dfeatures), read with the dataset
 * readers' header checks and size limits. Each image is resized
 * (shorter side) and centre-cropped to the model's size and converted to its
 * channels, the same way datasets are loaded. */
#include "checkpoint_classifier.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Decode path into x (floats [c,size,size] in [-1,1]); on failure the reason
 * goes into why. */
static int load_image(const char *path, const ckpt_classifier *m, float *x, char *why, size_t cap)
{
    if (clgan_image_read_file(path, m->c, m->h, x) == CLGAN_OK) return 1;
    const char *e = clgan_last_error(); /* the message starts with the path, which the caller prints */
    size_t n = strlen(path);
    if (!strncmp(e, path, n) && e[n] == ':') e += n + 1;
    else if (!strncmp(e, path, n)) e += n;
    e += strspn(e, " ");
    snprintf(why, cap, "%s", e);
    return 0;
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
                   "classes; --json prints one JSON object with every class probability. A file that cannot be\n"
                   "read or decoded is reported with its reason (in --json: under \"errors\") and the others are\n"
                   "still classified; the exit status is then 1.\n");
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
    int *good = NULL;          /* indices into files of the images read */
    char (*why)[512] = NULL;   /* per file: why it could not be read ("" = read) */
    int rc = 1, n_good = 0;
    if (cli_open_ctx(device, 0, &ctx) || !ckpt_classifier_load(ctx, ckpt, &m)) goto done;
    int K = m.classes;
    if (top > K) top = K;
    size_t per = (size_t)m.c * m.h * m.w;
    x = malloc((size_t)nfiles * per * sizeof *x);
    probs = malloc((size_t)nfiles * K * sizeof *probs);
    good = malloc((size_t)nfiles * sizeof *good);
    why = calloc((size_t)nfiles, sizeof *why);
    if (!x || !probs || !good || !why) {
        fprintf(stderr, "clgan: out of host memory for %d images\n", nfiles);
        goto done;
    }
    /* Every file that can be read is classified; the others are reported. */
    for (int i = 0; i < nfiles; i++) {
        if (load_image(files[i], &m, x + (size_t)n_good * per, why[i], sizeof why[i])) good[n_good++] = i;
        else {
            if (!why[i][0]) snprintf(why[i], sizeof why[i], "cannot read the image");
            fprintf(stderr, "clgan: %s: %s\n", files[i], why[i]);
        }
    }
    int n_bad = nfiles - n_good;
    if (n_good && ckpt_classifier_predict(&m, n_good, x, probs) != CLGAN_OK) {
        cli_fail("predicting");
        goto done;
    }
    char summary[128] = "";
    if (n_bad) snprintf(summary, sizeof summary, "%d of %d files could not be classified", n_bad, nfiles);
    if (json) {
        cli_json_begin("predict", n_bad ? "error" : "ok");
        if (n_bad) {
            printf(", \"error\": ");
            cli_json_string(stdout, summary);
        }
        printf(", \"model\": \"%s\", \"predictions\": [", m.model);
    }
    for (int g = 0; g < n_good; g++) {
        int i = good[g];
        float *p = probs + (size_t)g * K;
        int best = clgan_argmax(p, K);
        if (json) {
            printf("%s{\"file\": ", g ? ", " : "");
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
    if (json) {
        printf("], \"errors\": [");
        for (int i = 0, first = 1; i < nfiles; i++) {
            if (!why[i][0]) continue;
            printf("%s{\"file\": ", first ? "" : ", ");
            cli_json_string(stdout, files[i]);
            printf(", \"error\": ");
            cli_json_string(stdout, why[i]);
            printf("}");
            first = 0;
        }
        printf("]}\n");
    }
    if (n_bad) fprintf(stderr, "clgan: %s\n", summary);
    rc = n_bad ? 1 : 0;
done:
    free(x);
    free(probs);
    free(good);
    free(why);
    free(files);
    ckpt_classifier_free(&m);
    clgan_ctx_free(ctx);
    return rc;
usage_error:
    free(files);
    return 2;
}
