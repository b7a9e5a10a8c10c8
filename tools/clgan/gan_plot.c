/* gan_plot.c — read a train-gan log.csv and plot its smoothed loss curves. */
#include "gan_plot.h"

#include "plot.h"

#include <stdio.h>
#include <stdlib.h>

/* Trailing moving average of y over `window` points, in place into out. */
static void smooth(const double *y, double *out, int n, int window)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        sum += y[i];
        if (i >= window) sum -= y[i - window];
        out[i] = sum / (i + 1 < window ? i + 1 : window);
    }
}

int gan_plot_losses(const char *log_csv, const char *png, int64_t steps_per_epoch)
{
    FILE *f = fopen(log_csv, "r");
    if (!f) {
        clgan_fail(CLGAN_ERR_IO, "cannot read %s", log_csv);
        return 0;
    }
    int cap = 1024, n = 0;
    double *x = malloc(cap * sizeof *x), *d = malloc(cap * sizeof *d), *g = malloc(cap * sizeof *g);
    char line[512];
    while (x && d && g && fgets(line, sizeof line, f)) {
        long long step;
        int epoch;
        double ld, lg;
        if (sscanf(line, "%lld,%d,%lf,%lf", &step, &epoch, &ld, &lg) != 4) continue; /* header */
        if (n == cap) {
            cap *= 2;
            double *nx = realloc(x, cap * sizeof *x), *nd = realloc(d, cap * sizeof *d), *ng = realloc(g, cap * sizeof *g);
            if (nx) x = nx;
            if (nd) d = nd;
            if (ng) g = ng;
            if (!nx || !nd || !ng) break;
        }
        x[n] = (double)step, d[n] = ld, g[n] = lg;
        n++;
    }
    fclose(f);
    int ok = 0;
    double *ds = malloc((n ? n : 1) * sizeof *ds), *gs = malloc((n ? n : 1) * sizeof *gs);
    if (!x || !d || !g || !ds || !gs) {
        clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory plotting %s", log_csv);
    } else if (n < 2) {
        clgan_fail(CLGAN_ERR_FORMAT, "%s has fewer than two steps to plot", log_csv);
    } else {
        int window = steps_per_epoch / 4 > 1 ? (int)(steps_per_epoch / 4) : 1;
        smooth(d, ds, n, window);
        smooth(g, gs, n, window);
        clgan_plot_series series[2] = {{"D loss", x, ds, n}, {"G loss", x, gs, n}};
        char title[96];
        snprintf(title, sizeof title, "GAN losses (moving average over %d steps)", window);
        ok = clgan_png_line_plot(png, 800, 480, title, "step", "loss", series, 2) == CLGAN_OK;
    }
    free(x);
    free(d);
    free(g);
    free(ds);
    free(gs);
    return ok;
}
