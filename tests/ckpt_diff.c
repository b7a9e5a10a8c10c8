/* ckpt_diff.c — how far apart the weights of two checkpoints of one model
 * are, net by net, a GAN's moving average of G included (the data-parallel
 * tests compare N ranks with one):
 *
 *     ckpt_diff A.ckpt B.ckpt TOLERANCE
 *
 * prints, per net, the root mean square and the largest of |a - b| over its
 * parameters and the largest |a| (the scale), and exits 0 when every net's
 * RMS difference is <= TOLERANCE, 1 when one is larger or the checkpoints
 * hold different models, 2 on a usage or load error. The RMS, not the
 * largest: Adam moves a weight whose gradient is near 0 by about its
 * learning rate either way, so rounding can flip single weights by 2*lr a
 * step while the net as a whole agrees. Uses only <clgan.h>. */
#include "clgan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load(clgan_ctx *ctx, const char *path, clgan_model **m)
{
    if (clgan_model_load(ctx, path, m, NULL, 0) == CLGAN_OK) return 1;
    fprintf(stderr, "ckpt_diff: %s: %s\n", path, clgan_last_error());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ckpt_diff A.ckpt B.ckpt TOLERANCE\n");
        return 2;
    }
    double tol = atof(argv[3]);
    clgan_ctx_params cp = clgan_ctx_default_params();
    clgan_ctx *ctx = NULL;
    clgan_model *a = NULL, *b = NULL;
    if (clgan_ctx_create(&cp, &ctx) != CLGAN_OK) {
        fprintf(stderr, "ckpt_diff: %s\n", clgan_last_error());
        return 2;
    }
    int rc = 2;
    if (!load(ctx, argv[1], &a) || !load(ctx, argv[2], &b)) goto done;
    rc = 0;
    int nets = 0;
    static const char *const names[] = {"G", "D", "C", "G_ema"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        clgan_net *na = clgan_model_net(a, names[i]), *nb = clgan_model_net(b, names[i]);
        if (!na && !nb) continue;
        size_t n = na ? clgan_net_param_count(na) : 0;
        if (!na || !nb || clgan_net_param_count(nb) != n) {
            printf("%s: the checkpoints hold different nets\n", names[i]);
            rc = 1;
            continue;
        }
        float *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
        if (!pa || !pb || clgan_net_get_params(na, pa, n) != CLGAN_OK || clgan_net_get_params(nb, pb, n) != CLGAN_OK) {
            fprintf(stderr, "ckpt_diff: reading %s: %s\n", names[i], pa && pb ? clgan_last_error() : "out of memory");
            free(pa), free(pb);
            rc = 2;
            goto done;
        }
        double worst = 0, scale = 0, sq = 0;
        for (size_t k = 0; k < n; k++) {
            double d = fabs((double)pa[k] - pb[k]);
            if (!(d <= worst)) worst = d; /* NaN counts as the worst */
            sq += d * d;
            if (fabs(pa[k]) > scale) scale = fabs(pa[k]);
        }
        double rms = n ? sqrt(sq / (double)n) : 0;
        printf("%s: %zu parameters, RMS |a-b| %.3g, max %.3g (max |a| %.3g)\n", names[i], n, rms, worst, scale);
        if (!(rms <= tol) || isnan(worst)) rc = 1;
        free(pa), free(pb);
        nets++;
    }
    if (!nets && rc == 0) {
        printf("no G, D or C net in %s\n", argv[1]);
        rc = 1;
    }
done:
    clgan_model_free(a);
    clgan_model_free(b);
    clgan_ctx_free(ctx);
    return rc;
}
