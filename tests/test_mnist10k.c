/* test_mnist10k.c — the real MNIST subset in shared/data/mnist10k (when it is
 * there): 7,001 training and 2,000 test digits of 28 x 28, labels 0..9 with
 * every digit present, images not blank. Skips (exit 77) when the folder is
 * absent. Looked for in $CLGAN_MNIST_DIR, then shared/data/mnist10k and
 * ../shared/data/mnist10k relative to the current folder and its parents
 * (ctest runs this in <build>/tests, beside the checkout's ../shared).
 */
#include "data/dataset.h"
#include "data/loader.h"
#include "test_expect.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void check_split(const char *dir, clgan_dataset_split split, int want_n)
{
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_open(dir, split, NULL, &d);
    CHECK(st == CLGAN_OK, "open %s: %s", dir, clgan_last_error());
    if (!d) return;
    printf("%s\n", d->source);
    CHECK(d->n == want_n && d->c == 1 && d->h == 28 && d->w == 28 && d->classes == 10, "shape %d x %d x %d x %d, K %d",
          d->n, d->c, d->h, d->w, d->classes);
    int hist[10] = {0}, total = 0;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= 0 && d->labels[i] < 10) hist[d->labels[i]]++, total++;
    printf("  label histogram:");
    for (int k = 0; k < 10; k++) printf(" %d", hist[k]);
    printf("\n");
    CHECK(total == d->n, "label histogram sums to %d, not %d", total, d->n);
    for (int k = 0; k < 10; k++) CHECK(hist[k] > d->n / 20, "digit %d appears only %d times", k, hist[k]);
    /* first image: a digit, not blank: some ink, mostly background */
    int ink = 0, maxv = 0;
    for (int p = 0; p < 784; p++) {
        ink += d->pixels[p] > 128;
        if (d->pixels[p] > maxv) maxv = d->pixels[p];
    }
    CHECK(ink >= 20 && ink <= 400 && maxv >= 200, "first image: %d inked pixels, max %d", ink, maxv);
    /* the loader covers it in full batches */
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = 100;
    clgan_loader *l;
    CHECK(clgan_loader_create(d, &lo, &l) == CLGAN_OK, "loader: %s", clgan_last_error());
    if (l) {
        CHECK(clgan_loader_steps_per_epoch(l) == d->n / 100, "steps %lld", (long long)clgan_loader_steps_per_epoch(l));
        float *x = malloc(clgan_loader_batch_floats(l) * sizeof *x);
        int32_t y[100];
        clgan_batch_info bi;
        CHECK(x && clgan_loader_next(l, x, clgan_loader_batch_floats(l), y, 100, &bi) == CLGAN_OK, "next");
        int out = 0;
        for (size_t i = 0; x && i < clgan_loader_batch_floats(l); i++) out += x[i] < -1.0f || x[i] > 1.0f;
        CHECK(out == 0, "%d values outside [-1, 1]", out);
        free(x);
        clgan_loader_free(l);
    }
    clgan_dataset_free(d);
}

int main(void)
{
    char dir[1024];
    if (!test_find_mnist10k(dir, sizeof dir)) {
        printf("skip: no shared/data/mnist10k found (set CLGAN_MNIST_DIR to its folder)\n");
        return 77;
    }
    printf("mnist10k: %s\n", dir);
    check_split(dir, CLGAN_SPLIT_TRAIN, 7001);
    check_split(dir, CLGAN_SPLIT_TEST, 2000);
    return test_finish();
}
