/* gan_score.c — the scores of a train-gan run (see gan_score.h). */
#include "gan_score.h"

#include "cli.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_HEADER "step,epoch,fd,coverage,inception_score,conditional_accuracy\n"

/* A resumed run: keep the header and the rows of steps <= last (a stop
 * after the checkpoint may have written more); a new run: the header alone. */
static int start_csv(const char *path, int64_t last)
{
    char tmp[1200], line[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = last >= 0 ? fopen(path, "r") : NULL, *out = fopen(tmp, "w");
    if (!out) {
        if (in) fclose(in);
        fprintf(stderr, "clgan: cannot write %s\n", tmp);
        return 0;
    }
    fputs(SCORE_HEADER, out);
    while (in && fgets(line, sizeof line, in)) {
        long long step;
        if (sscanf(line, "%lld,", &step) == 1 && step <= last) fputs(line, out);
    }
    if (in) fclose(in);
    if (fclose(out) || rename(tmp, path)) {
        fprintf(stderr, "clgan: cannot write %s\n", path);
        remove(tmp);
        return 0;
    }
    return 1;
}

int gan_scorer_open(gan_scorer *s, clgan_ctx *ctx, const char *ckpt, const clgan_model_info *gan, int n, uint64_t seed,
                    const char *csv_path, int64_t resumed_step)
{
    memset(s, 0, sizeof *s);
    if (!ckpt_classifier_load(ctx, ckpt, &s->clf)) return 0;
    if (!strcmp(s->clf.kind, "clgan-dfeatures")) {
        fprintf(stderr, "clgan: --score-with %s is a train-dfeatures head; give a train-classifier or train-ssl "
                        "checkpoint\n", ckpt);
        return 0;
    }
    if (s->clf.c != gan->channels || s->clf.h != gan->height || s->clf.w != gan->width) {
        fprintf(stderr, "clgan: --score-with %s takes %dx%dx%d images (CxHxW); the GAN makes %dx%dx%d\n", ckpt,
                s->clf.c, s->clf.h, s->clf.w, gan->channels, gan->height, gan->width);
        return 0;
    }
    s->n = n, s->seed = seed, s->classes = gan->classes;
    s->K = s->clf.classes, s->F = ckpt_classifier_feature_dim(&s->clf);
    size_t per = (size_t)gan->channels * gan->height * gan->width;
    s->img = malloc((size_t)n * per * sizeof *s->img);
    s->feat = malloc((size_t)n * s->F * sizeof *s->feat);
    s->real_feat = malloc((size_t)n * s->F * sizeof *s->real_feat);
    s->probs = malloc((size_t)n * s->K * sizeof *s->probs);
    s->labels = malloc((size_t)n * sizeof *s->labels);
    s->share = malloc((size_t)s->K * sizeof *s->share);
    if (!s->img || !s->feat || !s->real_feat || !s->probs || !s->labels || !s->share) {
        fprintf(stderr, "clgan: out of host memory for --score-n %d\n", n);
        return 0;
    }
    for (int i = 0; i < n; i++) s->labels[i] = s->classes ? i % s->classes : -1;
    snprintf(s->csv, sizeof s->csv, "%s", csv_path);
    return clgan_dist_rank() != 0 || start_csv(csv_path, resumed_step);
}

/* The real images' features, once: the first min(n, count) images of real. */
static clgan_status real_features(gan_scorer *s, const clgan_dataset *real)
{
    if (s->real_n) return CLGAN_OK;
    clgan_dataset_info in;
    TRY(clgan_dataset_get_info(real, &in));
    int m = in.count < s->n ? in.count : s->n;
    if (m < 2) return clgan_fail(CLGAN_ERR_INVALID_ARG, "--score-with: %s has %d real image(s); it needs 2", in.source, m);
    float *x = malloc((size_t)m * in.channels * in.height * in.width * sizeof *x);
    if (!x) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %d real images", m);
    clgan_status st = clgan_dataset_read(real, 0, m, x, NULL);
    if (st == CLGAN_OK) st = ckpt_classifier_features(&s->clf, m, x, s->real_feat, NULL);
    free(x);
    if (st == CLGAN_OK) s->real_n = m;
    return st;
}

clgan_status gan_scorer_run(gan_scorer *s, clgan_model *gan, const clgan_dataset *real)
{
    TRY(real_features(s, real));
    TRY(clgan_model_sample(gan, s->n, s->classes ? s->labels : NULL, s->seed, s->img));
    TRY(ckpt_classifier_features(&s->clf, s->n, s->img, s->feat, s->probs));
    TRY(clgan_frechet_distance(s->real_n, s->real_feat, s->n, s->feat, s->F, &s->fd));
    s->is = clgan_inception_score(s->n, s->K, s->probs);
    s->coverage = clgan_mode_coverage(s->n, s->K, s->probs, 0.01, s->share);
    s->cacc = s->classes && s->classes == s->K ? clgan_conditional_accuracy(s->n, s->K, s->probs, s->labels) : NAN;
    return CLGAN_OK;
}

clgan_status gan_scorer_write(const gan_scorer *s, int64_t step, int epoch)
{
    FILE *f = fopen(s->csv, "a");
    if (!f) return clgan_fail(CLGAN_ERR_IO, "cannot append to %s", s->csv);
    fprintf(f, "%lld,%d,%.6g,%d,%.6g,", (long long)step, epoch, s->fd, s->coverage, s->is);
    if (isfinite(s->cacc)) fprintf(f, "%.6g", s->cacc);
    fputc('\n', f);
    return fclose(f) ? clgan_fail(CLGAN_ERR_IO, "cannot write %s", s->csv) : CLGAN_OK;
}

void gan_scorer_free(gan_scorer *s)
{
    ckpt_classifier_free(&s->clf);
    free(s->img), free(s->feat), free(s->real_feat), free(s->probs), free(s->labels), free(s->share);
    memset(s, 0, sizeof *s);
}

int gan_plot_scores(const char *csv, const char *png)
{
    FILE *f = fopen(csv, "r");
    if (!f) {
        clgan_fail(CLGAN_ERR_IO, "cannot read %s", csv);
        return 0;
    }
    enum { MAX_ROWS = 100000 };
    int n = 0;
    double *x = malloc(MAX_ROWS * sizeof *x), *y = malloc(MAX_ROWS * sizeof *y);
    char line[512];
    while (x && y && n < MAX_ROWS && fgets(line, sizeof line, f)) {
        long long step;
        int epoch;
        double fd;
        if (sscanf(line, "%lld,%d,%lf", &step, &epoch, &fd) == 3) x[n] = (double)step, y[n++] = fd; /* not the header */
    }
    fclose(f);
    int ok = 0;
    if (!x || !y) clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory plotting %s", csv);
    else if (n < 1) clgan_fail(CLGAN_ERR_FORMAT, "%s has no score to plot", csv);
    else {
        clgan_plot_series series = {"Frechet distance", x, y, n};
        ok = clgan_png_line_plot(png, 800, 480, "Frechet distance of the samples to real images (lower is better)",
                                 "step", "Frechet distance", &series, 1) == CLGAN_OK;
    }
    free(x), free(y);
    return ok;
}
