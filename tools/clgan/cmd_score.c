/* cmd_score.c — `clgan score`: generated images scored with a trained
 * classifier's penultimate features and probabilities (train/score.h): a
 * Fréchet distance to real images, an Inception-Score-style number, the
 * share of samples per class, mode coverage, and conditional accuracy; and
 * --degrade-demo, the Fréchet distance of real images to noisier copies. */
#include "checkpoint_classifier.h"
#include "cli.h"

#include "data/dataset.h"
#include "train/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Open spec (split; resized/converted to the model's shape) and convert up
 * to n images (0 = all) to floats in [-1,1]. */
static int load_images(const char *spec, clgan_dataset_split split, const ckpt_classifier *m, int n,
                       clgan_dataset **d, float **img, const char *what)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    o.size = m->h;
    o.channels = m->c;
    o.seed = m->seed;
    o.limit = n;
    if (clgan_dataset_open(spec, split, &o, d) != CLGAN_OK) {
        fprintf(stderr, "clgan: cannot load %s: %s\n", what, clgan_last_error());
        return 0;
    }
    if ((*d)->n < 2) {
        fprintf(stderr, "clgan: %s holds %d image(s); scoring needs at least 2\n", what, (*d)->n);
        return 0;
    }
    size_t count = (size_t)(*d)->n * clgan_dataset_image_bytes(*d);
    *img = malloc(count * sizeof(float));
    if (!*img) {
        fprintf(stderr, "clgan: out of host memory\n");
        return 0;
    }
    for (size_t i = 0; i < count; i++) (*img)[i] = (*d)->pixels[i] / 127.5f - 1.0f;
    return 1;
}

/* An IDX labels file (magic 0x00000801), gzip or plain. */
static int read_idx_labels(const char *path, int n, int32_t **out)
{
    uint8_t *buf;
    size_t len;
    int trunc = 0;
    if (clgan_read_file(path, &buf, &len, &trunc) != CLGAN_OK) {
        fprintf(stderr, "clgan: cannot read --label-file: %s\n", clgan_last_error());
        return 0;
    }
    int ok = 0;
    if (len < 8 || buf[0] || buf[1] || buf[2] != 8 || buf[3] != 1) {
        fprintf(stderr, "clgan: %s is not an IDX labels file (magic 0x00000801)\n", path);
    } else {
        size_t count = (size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
        if (count != len - 8) fprintf(stderr, "clgan: %s says %zu labels but holds %zu\n", path, count, len - 8);
        else if ((int)count < n) fprintf(stderr, "clgan: %s holds %zu labels for %d samples\n", path, count, n);
        else if (!(*out = malloc((size_t)n * sizeof **out))) fprintf(stderr, "clgan: out of host memory\n");
        else {
            for (int i = 0; i < n; i++) (*out)[i] = buf[8 + i];
            ok = 1;
        }
    }
    free(buf);
    return ok;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* in + N(0, sigma^2) per pixel, clamped to [-1,1] (Box-Muller from seed). */
static void add_noise(const float *in, float *out, size_t count, double sigma, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < count; i += 2) {
        double u1 = ((splitmix(&s) >> 11) + 1.0) / 9007199254740993.0, u2 = (splitmix(&s) >> 11) / 9007199254740992.0;
        double r = sqrt(-2 * log(u1)), z0 = r * cos(6.283185307179586 * u2), z1 = r * sin(6.283185307179586 * u2);
        for (size_t j = 0; j < 2 && i + j < count; j++) {
            double v = in[i + j] + sigma * (j ? z1 : z0);
            out[i + j] = (float)(v < -1 ? -1 : v > 1 ? 1 : v);
        }
    }
}

static void json_num(double v)
{
    if (isfinite(v)) printf("%.6g", v);
    else printf("null");
}

static int degrade_demo(clgan_ctx *ctx, ckpt_classifier *m, const clgan_dataset *real, const float *img,
                        uint64_t seed, int json)
{
    static const double sigmas[] = {0, 0.1, 0.2, 0.4, 0.8};
    int n = real->n, F = ckpt_classifier_feature_dim(m), K = m->classes;
    size_t count = (size_t)n * clgan_dataset_image_bytes(real);
    float *f0 = malloc((size_t)n * F * sizeof(float)), *f1 = malloc((size_t)n * F * sizeof(float));
    float *p = malloc((size_t)n * K * sizeof(float)), *noisy = malloc(count * sizeof(float));
    int rc = 1;
    if (!f0 || !f1 || !p || !noisy) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (ckpt_classifier_features(ctx, m, n, img, f0, NULL) != CLGAN_OK) {
        cli_fail("scoring the real images");
        goto done;
    }
    enum { LEVELS = sizeof sigmas / sizeof *sigmas };
    double fds[LEVELS], iss[LEVELS];
    int covs[LEVELS];
    if (!json)
        printf("%s: %d real test images vs the same images + Gaussian noise (sigma in [-1,1] units, clamped)\n"
               "  sigma   Frechet distance   IS-style   classes >= 1%%\n",
               real->source, n);
    for (int l = 0; l < LEVELS; l++) {
        add_noise(img, noisy, count, sigmas[l], seed + l);
        double fd;
        if (ckpt_classifier_features(ctx, m, n, noisy, f1, p) != CLGAN_OK ||
            clgan_frechet_distance(n, f0, n, f1, F, &fd) != CLGAN_OK) {
            cli_fail("scoring the noisy images");
            goto done;
        }
        double is = clgan_inception_score(n, K, p);
        int cov = clgan_mode_coverage(n, K, p, 0.01, NULL);
        fds[l] = fd, iss[l] = is, covs[l] = cov;
        if (!json) printf("  %5.2f   %16.4f   %8.4f   %d/%d\n", sigmas[l], fd, is, cov, K);
        fflush(stdout);
    }
    if (json) { /* printed whole at the end, so that a failure leaves no half object */
        cli_json_begin("score", "ok");
        printf(", \"degrade_demo\": true, \"images\": %d, \"features\": %d, \"levels\": [", n, F);
        for (int l = 0; l < LEVELS; l++) {
            printf("%s{\"sigma\": %g, \"fd\": ", l ? ", " : "", sigmas[l]);
            json_num(fds[l]);
            printf(", \"is\": ");
            json_num(iss[l]);
            printf(", \"coverage\": %d}", covs[l]);
        }
        printf("]}\n");
    }
    rc = 0;
done:
    free(f0), free(f1), free(p), free(noisy);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    const char *ckpt = NULL, *samples = NULL, *labels_path = NULL, *real_spec = NULL, *device = NULL;
    int json = 0, limit = 0, demo = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--checkpoint", &bad))) ckpt = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--samples", &bad))) samples = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--label-file", &bad))) labels_path = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--real", &bad))) real_spec = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--limit", &bad))) {
            if (!cli_parse_int("--limit", v, 2, 2000000000, &limit)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--seed", &bad))) {
            if (!cli_parse_u64("--seed", v, &seed)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--degrade-demo")) demo = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan score --checkpoint FILE --samples SPEC [--label-file FILE] [--real SPEC] [--limit N]\n"
                   "                   [--device SPEC] [--json]\n"
                   "       clgan score --checkpoint FILE --real SPEC --degrade-demo [--limit N] [--seed S] [--json]\n\n"
                   "Scores images (e.g. `clgan sample --out x-images-idx3-ubyte`; any dataset spec, its test\n"
                   "split) with a train-classifier or train-ssl checkpoint: the Frechet distance between the\n"
                   "classifier's penultimate features (train-ssl: its discriminator's last hidden layer) of\n"
                   "the samples and of the test split of --real (skipped without --real), an\n"
                   "Inception-Score-style number exp(E KL(p(y|x) || p(y))), the share of samples per\n"
                   "predicted class and how many classes get at least 1%%, and with intended labels\n"
                   "(--label-file, an IDX labels file, or the labels found beside the samples) the share\n"
                   "classified as their intended class. --limit keeps the first N images of each set.\n"
                   "--degrade-demo scores the real test images against themselves with Gaussian noise\n"
                   "sigma = 0, 0.1, 0.2, 0.4, 0.8 added (in [-1,1] pixel units; noise from --seed).\n"
                   "--json prints the numbers as one JSON object on stdout (an error, too, is one object there).\n"
                   "--checkpoint, --label-file and --limit were --classifier, --labels and --n (still accepted).\n");
            return 0;
        } else {
            fprintf(stderr, "clgan score: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    if (!ckpt || (!samples && !demo) || (demo && !real_spec)) {
        fprintf(stderr, "clgan score: --checkpoint and --samples (or --degrade-demo with --real) are required (see "
                        "--help)\n");
        return 2;
    }
    ckpt_classifier m = {0};
    if (!ckpt_classifier_peek(ckpt, &m)) return 1;
    if (!strcmp(m.kind, "clgan-dfeatures")) {
        fprintf(stderr, "clgan score: %s is a train-dfeatures head; score takes a train-classifier or train-ssl "
                        "checkpoint\n", ckpt);
        ckpt_classifier_free(&m);
        return 1;
    }
    clgan_dataset *sd = NULL, *rd = NULL;
    float *simg = NULL, *rimg = NULL, *sfeat = NULL, *rfeat = NULL, *probs = NULL;
    int32_t *intended = NULL;
    double *share = NULL;
    clgan_ctx *ctx = NULL;
    int rc = 1, K = m.classes;
    if (real_spec && !load_images(real_spec, CLGAN_SPLIT_TEST, &m, limit, &rd, &rimg, "--real")) goto done;
    if (samples && !demo && !load_images(samples, CLGAN_SPLIT_TEST, &m, limit, &sd, &simg, "--samples")) goto done;
    if (cli_open_ctx(device, 0, &ctx) || !ckpt_classifier_load(ctx, ckpt, &m)) goto done;
    if (demo) {
        rc = degrade_demo(ctx, &m, rd, rimg, seed, json);
        goto done;
    }
    int n = sd->n, F = ckpt_classifier_feature_dim(&m);
    const char *label_source = NULL;
    if (labels_path) {
        if (!read_idx_labels(labels_path, n, &intended)) goto done;
        label_source = labels_path;
    } else if (sd->classes > 0) {
        int any = 0;
        for (int i = 0; i < n && !any; i++) any = sd->labels[i] >= 0;
        if (any) intended = sd->labels, label_source = "labels beside the samples";
    }
    sfeat = malloc((size_t)n * F * sizeof(float));
    probs = malloc((size_t)n * K * sizeof(float));
    share = malloc((size_t)K * sizeof(double));
    if (rd) rfeat = malloc((size_t)rd->n * F * sizeof(float));
    if (!sfeat || !probs || !share || (rd && !rfeat)) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }
    if (ckpt_classifier_features(ctx, &m, n, simg, sfeat, probs) != CLGAN_OK) {
        cli_fail("scoring the samples");
        goto done;
    }
    double fd = NAN;
    if (rd) {
        if (ckpt_classifier_features(ctx, &m, rd->n, rimg, rfeat, NULL) != CLGAN_OK ||
            clgan_frechet_distance(rd->n, rfeat, n, sfeat, F, &fd) != CLGAN_OK) {
            cli_fail("Frechet distance");
            goto done;
        }
    }
    double is = clgan_inception_score(n, K, probs);
    int cov = clgan_mode_coverage(n, K, probs, 0.01, share);
    double cacc = intended ? clgan_conditional_accuracy(n, K, probs, intended) : NAN;
    if (json) {
        cli_json_begin("score", "ok");
        printf(", \"samples\": ");
        cli_json_string(stdout, sd->source);
        printf(", \"n\": %d, \"features\": %d, \"fd\": ", n, F);
        json_num(fd);
        if (rd) {
            printf(", \"real\": ");
            cli_json_string(stdout, rd->source);
            printf(", \"real_n\": %d", rd->n);
        }
        printf(", \"is\": ");
        json_num(is);
        printf(", \"coverage\": %d, \"classes\": %d, \"shares\": [", cov, K);
        for (int k = 0; k < K; k++) printf("%s%.6g", k ? ", " : "", share[k]);
        printf("], \"conditional_accuracy\": ");
        json_num(cacc);
        printf("}\n");
    } else {
        printf("samples: %s (%d images)\n", sd->source, n);
        if (rd) printf("Frechet distance to %s (%d test images, %d features): %.4f\n", rd->source, rd->n, F, fd);
        else printf("Frechet distance: skipped (give --real SPEC: real images to compare with)\n");
        printf("Inception-Score-style: %.4f (1 = one class or no confidence, %d = confident and even)\n", is, K);
        printf("share of samples per predicted class (%%):\n ");
        for (int k = 0; k < K; k++) printf(" %s:%.1f", ckpt_classifier_class_name(&m, k), 100 * share[k]);
        printf("\nclasses with >= 1%% of the samples: %d/%d\n", cov, K);
        if (intended) printf("conditional accuracy (%s): %.2f%%\n", label_source, 100 * cacc);
    }
    rc = 0;
done:
    if (intended && (!sd || intended != sd->labels)) free(intended);
    free(simg), free(rimg), free(sfeat), free(rfeat), free(probs), free(share);
    ckpt_classifier_free(&m);
    clgan_ctx_free(ctx);
    clgan_dataset_free(sd);
    clgan_dataset_free(rd);
    return rc;
}
