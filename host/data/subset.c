/* subset.c — balanced label subsets, class imbalance and naive oversampling
 * (see subset.h). */
#include "subset.h"

#include "core/error.h"
#include "nn/init.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Streams of the host RNG, so the two scenarios draw independently. */
#define STREAM_LABELS UINT64_C(0x4C4142454C530001)
#define STREAM_IMBALANCE UINT64_C(0x494D42414C410002)
#define STREAM_OVERSAMPLE UINT64_C(0x4F56455253410003)

clgan_status clgan_dataset_select(const clgan_dataset *d, const int *indices, int n, clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_select: out is NULL");
    *out = NULL;
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_select: the dataset is NULL");
    if (n >= 1 && !indices) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_select: indices is NULL");
    if (n < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "a subset needs at least one image");
    for (int i = 0; i < n; i++)
        if (indices[i] < 0 || indices[i] >= d->n)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "subset index %d is %d, outside 0..%d", i, indices[i], d->n - 1);
    clgan_dataset *s;
    TRY(clgan_dataset_alloc(n, d->c, d->h, d->w, d->classes, &s));
    size_t img = clgan_dataset_image_bytes(d);
    for (int i = 0; i < n; i++) {
        memcpy(s->pixels + (size_t)i * img, d->pixels + (size_t)indices[i] * img, img);
        s->labels[i] = d->labels[indices[i]];
    }
    if (d->classes && d->class_names && s->class_names)
        memcpy(s->class_names, d->class_names, (size_t)d->classes * sizeof d->class_names[0]);
    memcpy(s->source, d->source, sizeof s->source);
    *out = s;
    return CLGAN_OK;
}

void clgan_dataset_class_counts(const clgan_dataset *d, int *counts, int *unlabelled)
{
    if (!d || !counts) return;
    int u = 0;
    for (int k = 0; k < d->classes; k++) counts[k] = 0;
    for (int i = 0; i < d->n; i++) {
        if (d->labels[i] >= 0 && d->labels[i] < d->classes) counts[d->labels[i]]++;
        else u++;
    }
    if (unlabelled) *unlabelled = u;
}

static void shuffle(clgan_rng *rng, int *v, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(clgan_rng_next(rng) % (uint64_t)(i + 1));
        int t = v[i];
        v[i] = v[j], v[j] = t;
    }
}

/* Indices of class k's images, in dataset order, into idx (count returned). */
static int class_indices(const clgan_dataset *d, int k, int *idx)
{
    int n = 0;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] == k) idx[n++] = i;
    return n;
}

/* clgan_dataset_select, the subset's source d's followed by ", " and what
 * fmt says. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static clgan_status select_described(const clgan_dataset *d, const int *sel, int n, clgan_dataset **out,
                                     const char *fmt, ...)
{
    clgan_status st = clgan_dataset_select(d, sel, n, out);
    if (st != CLGAN_OK) return st;
    char what[96], tmp[sizeof (*out)->source];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    memcpy(tmp, d->source, sizeof tmp);
    tmp[160] = '\0'; /* leave room for the scenario */
    clgan_fmt((*out)->source, sizeof (*out)->source, "%s, %s", tmp, what);
    return CLGAN_OK;
}

clgan_status clgan_dataset_keep_labels(const clgan_dataset *d, int n_labels, uint64_t seed, int unlabel_rest,
                                       clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_keep_labels: out is NULL");
    *out = NULL;
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_keep_labels: the dataset is NULL");
    int K = d->classes;
    if (K < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s is unlabelled: cannot keep labelled images", d->source);
    int *counts = calloc((size_t)K, sizeof *counts), *quota = calloc((size_t)K, sizeof *quota);
    int *order = malloc((size_t)K * sizeof *order), *keep = calloc((size_t)d->n, sizeof *keep);
    int *idx = malloc((size_t)d->n * sizeof *idx), *sel = malloc((size_t)d->n * sizeof *sel);
    clgan_status st = CLGAN_OK;
    if (!counts || !quota || !order || !keep || !idx || !sel) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory selecting labels");
        goto done;
    }
    int unl;
    clgan_dataset_class_counts(d, counts, &unl);
    int labelled = d->n - unl;
    if (n_labels < 1 || n_labels > labelled) {
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "cannot keep %d labelled images: %s has %d", n_labels, d->source,
                        labelled);
        goto done;
    }
    clgan_rng rng;
    clgan_rng_seed(&rng, seed ^ STREAM_LABELS);
    for (int k = 0; k < K; k++) order[k] = k;
    shuffle(&rng, order, K);
    /* Base share, the remainder to the first classes of the seeded order;
     * then hand shortfalls round the classes with images to spare. */
    for (int r = 0; r < K; r++) quota[order[r]] = n_labels / K + (r < n_labels % K);
    int spare = 0;
    for (int k = 0; k < K; k++)
        if (quota[k] > counts[k]) spare += quota[k] - counts[k], quota[k] = counts[k];
    while (spare > 0)
        for (int r = 0; r < K && spare > 0; r++)
            if (quota[order[r]] < counts[order[r]]) quota[order[r]]++, spare--;
    for (int k = 0; k < K; k++) {
        int n = class_indices(d, k, idx);
        shuffle(&rng, idx, n);
        for (int i = 0; i < quota[k]; i++) keep[idx[i]] = 1;
    }
    int n = 0;
    for (int i = 0; i < d->n; i++)
        if (keep[i] || unlabel_rest) sel[n++] = i;
    st = select_described(d, sel, n, out, "%d labels kept%s", n_labels, unlabel_rest ? ", the rest unlabelled" : "");
    if (st == CLGAN_OK)
        for (int i = 0; i < n; i++)
            if (!keep[sel[i]]) (*out)->labels[i] = -1;
done:
    free(counts);
    free(quota);
    free(order);
    free(keep);
    free(idx);
    free(sel);
    return st;
}

clgan_status clgan_dataset_imbalance(const clgan_dataset *d, int cls, double fraction, uint64_t seed,
                                     clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_imbalance: out is NULL");
    *out = NULL;
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_imbalance: the dataset is NULL");
    if (cls < 0 || cls >= d->classes)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "imbalance class %d is outside 0..%d", cls, d->classes - 1);
    if (!(fraction >= 0 && fraction <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "imbalance fraction %g is outside [0, 1]", fraction);
    int *idx = malloc((size_t)d->n * sizeof *idx), *keep = calloc((size_t)d->n, sizeof *keep);
    int *sel = malloc((size_t)d->n * sizeof *sel);
    clgan_status st = CLGAN_OK;
    if (!idx || !keep || !sel) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
        goto done;
    }
    int count = class_indices(d, cls, idx);
    int want = (int)llround(fraction * count);
    if (fraction > 0 && want < 1 && count > 0) want = 1;
    clgan_rng rng;
    clgan_rng_seed(&rng, seed ^ STREAM_IMBALANCE);
    shuffle(&rng, idx, count);
    for (int i = 0; i < want; i++) keep[idx[i]] = 1;
    int n = 0;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] != cls || keep[i]) sel[n++] = i;
    st = select_described(d, sel, n, out, "class %d cut to %d of %d images", cls, want, count);
done:
    free(idx);
    free(keep);
    free(sel);
    return st;
}

/* Indices of want[k] repeats of class k's images per class, class 0's
 * first, into sel (count returned; idx holds d->n): each image floor(want /
 * n_k) times, then a seeded random choice of want % n_k of them once more.
 * Every class needs an image when its want is above 0. */
static int repeats(const clgan_dataset *d, const int *want, uint64_t seed, int *idx, int *sel)
{
    int n = 0;
    clgan_rng rng;
    clgan_rng_seed(&rng, seed ^ STREAM_OVERSAMPLE);
    for (int k = 0; k < d->classes; k++) {
        int nk = class_indices(d, k, idx);
        if (!nk) continue;
        for (int r = 0; r < want[k] / nk; r++)
            for (int i = 0; i < nk; i++) sel[n++] = idx[i];
        shuffle(&rng, idx, nk);
        for (int i = 0; i < want[k] % nk; i++) sel[n++] = idx[i];
    }
    return n;
}

clgan_status clgan_dataset_repeat_classes(const clgan_dataset *d, const int *want, uint64_t seed, clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_repeat_classes: out is NULL");
    *out = NULL;
    if (!d || !want) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_repeat_classes: a NULL argument");
    int K = d->classes;
    if (K < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s is unlabelled: no class to draw from", d->source);
    int *counts = calloc((size_t)K, sizeof *counts);
    if (!counts) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    clgan_dataset_class_counts(d, counts, NULL);
    int64_t total = 0;
    clgan_status st = CLGAN_OK;
    for (int k = 0; k < K && st == CLGAN_OK; k++) {
        if (want[k] < 0) st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%d images of class %d asked for", want[k], k);
        else if (want[k] > 0 && !counts[k])
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%s has no image of class %d (%s) to draw %d from", d->source, k,
                            clgan_dataset_class_name(d, k), want[k]);
        total += want[k];
    }
    if (st == CLGAN_OK && (total < 1 || total > 2000000000))
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "%lld images asked for from %s (1..2e9)", (long long)total, d->source);
    int *idx = NULL, *sel = NULL;
    if (st == CLGAN_OK) {
        idx = malloc((size_t)d->n * sizeof *idx), sel = malloc((size_t)total * sizeof *sel);
        if (!idx || !sel) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory drawing %lld images",
                                          (long long)total);
    }
    if (st == CLGAN_OK) st = select_described(d, sel, repeats(d, want, seed, idx, sel), out, "%lld drawn by class",
                                              (long long)total);
    free(counts);
    free(idx);
    free(sel);
    return st;
}

clgan_status clgan_dataset_oversample(const clgan_dataset *d, uint64_t seed, clgan_dataset **out)
{
    return clgan_dataset_oversample_share(d, 1.0, seed, out);
}

clgan_status clgan_dataset_oversample_share(const clgan_dataset *d, double share, uint64_t seed, clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_oversample: out is NULL");
    *out = NULL;
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_dataset_oversample: the dataset is NULL");
    if (!(share > 0 && share <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "oversampling share %g: it fills a share in (0, 1] of each gap", share);
    int K = d->classes;
    if (K < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s is unlabelled: nothing to oversample", d->source);
    int *counts = calloc((size_t)K, sizeof *counts), *idx = malloc((size_t)d->n * sizeof *idx);
    int *sel = NULL;
    clgan_status st = CLGAN_OK;
    if (!counts || !idx) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory oversampling");
        goto done;
    }
    clgan_dataset_class_counts(d, counts, NULL);
    int max = 0;
    for (int k = 0; k < K; k++)
        if (counts[k] > max) max = counts[k];
    int64_t total = d->n;
    for (int k = 0; k < K; k++) {
        if (counts[k] == 0) {
            st = clgan_fail(CLGAN_ERR_INVALID_ARG, "cannot oversample %s: class %d has no image to repeat", d->source,
                            k);
            goto done;
        }
        total += (int64_t)(share * (max - counts[k]));
    }
    if (total > 2000000000) {
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "oversampling %s would make %lld images", d->source, (long long)total);
        goto done;
    }
    sel = malloc((size_t)total * sizeof *sel);
    if (!sel) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory oversampling to %lld images", (long long)total);
        goto done;
    }
    int n = 0;
    for (int i = 0; i < d->n; i++) sel[n++] = i;
    for (int k = 0; k < K; k++) counts[k] = (int)(share * (max - counts[k]));
    n += repeats(d, counts, seed, idx, sel + n);
    if (share == 1.0) st = select_described(d, sel, n, out, "oversampled to %d per class", max);
    else st = select_described(d, sel, n, out, "oversampled to %g of the gap to %d per class", share, max);
done:
    free(counts);
    free(idx);
    free(sel);
    return st;
}
