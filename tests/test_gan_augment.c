/* test_gan_augment.c — naive oversampling and GAN augmentation on the
 * built-in synthetic data with one class made rare: oversampled counts equal
 * the largest class, every repeat is a byte copy of an image of its own class
 * and repeats are spread evenly, seeded; the augmentation plan's counts for
 * balance / enlarge / balance + ratio; a tiny conditional GAN's augmented set
 * (real prefix untouched, per-class counts, class-major labels, generated
 * bytes equal to clgan_gan_sample's output for those labels and the
 * documented chunk seeds, quantised as documented), determinism, bad input
 * refused (unconditional GAN, class count and image shape mismatches, bad
 * ratios), and the PNG grid's size; oversampling a share of each gap;
 * filtered augmentation against a hand-made filter (an image's brightness):
 * the kept images are the documented candidates that pass, in order, the
 * top-share mode keeps the brightest, a class nobody passes keeps none. */
#include "test_train.h"
#include "test_util.h"
#include "data/dataset.h"
#include "data/loader.h"
#include "data/subset.h"
#include "train/gan_augment.h"

#include <math.h>
#include <stb/stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 16, NTRAIN = 300, K = 10 };
static clgan_ctx *ctx;

static uint8_t quant(float x)
{
    double v = round(((double)x + 1.0) * 127.5);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* 1 if out's first d->n images and labels are d's, byte for byte. */
static int real_prefix_kept(const clgan_dataset *d, const clgan_dataset *out)
{
    size_t img = clgan_dataset_image_bytes(d);
    return out->n >= d->n && !memcmp(out->pixels, d->pixels, (size_t)d->n * img) &&
           !memcmp(out->labels, d->labels, (size_t)d->n * sizeof *d->labels);
}

static int generated_differ(const clgan_dataset *a, const clgan_dataset *b, int from)
{
    size_t img = clgan_dataset_image_bytes(a);
    return a->n == b->n && memcmp(a->pixels + (size_t)from * img, b->pixels + (size_t)from * img,
                                  (size_t)(a->n - from) * img) != 0;
}

static void test_oversample(const clgan_dataset *imb)
{
    int counts[K], oc[K], max = 0;
    clgan_dataset_class_counts(imb, counts, NULL);
    for (int k = 0; k < K; k++) max = counts[k] > max ? counts[k] : max;
    EXPECT(counts[3] == 4 && max == 30, "imbalanced source: class 3 has %d images (want 4), the largest %d (want 30)",
           counts[3], max);
    clgan_dataset *o;
    MUST(clgan_dataset_oversample(imb, 7, &o));
    clgan_dataset_class_counts(o, oc, NULL);
    int all_max = 1;
    for (int k = 0; k < K; k++) all_max &= oc[k] == max;
    EXPECT(all_max && o->n == K * max, "oversample: every class has exactly %d images (class 3: %d, total %d)", max,
           oc[3], o->n);
    EXPECT(real_prefix_kept(imb, o), "oversample: the source images come first, unchanged");
    /* Every repeat is a byte copy of a source image of its class; repeats per
     * source image are floor or ceil of missing / count. */
    size_t img = clgan_dataset_image_bytes(imb);
    int *times = calloc((size_t)imb->n, sizeof *times), copies_ok = 1;
    for (int i = imb->n; i < o->n; i++) {
        int found = -1;
        for (int j = 0; j < imb->n && found < 0; j++)
            if (imb->labels[j] == o->labels[i] && !memcmp(imb->pixels + (size_t)j * img, o->pixels + (size_t)i * img, img))
                found = j;
        if (found < 0) copies_ok = 0;
        else times[found]++;
    }
    EXPECT(copies_ok, "oversample: every repeated image is a byte copy of an image of the same class");
    int even = 1;
    for (int j = 0; j < imb->n; j++) {
        int k = imb->labels[j], miss = max - counts[k];
        int lo = miss / counts[k], hi = lo + (miss % counts[k] != 0);
        if (times[j] < lo || times[j] > hi) even = 0;
    }
    EXPECT(even, "oversample: class 3's 4 images are repeated 6 or 7 times each (26 repeats), other classes not at all "
                 "(image 0: %d)", times[0]);
    free(times);
    clgan_dataset *o2;
    MUST(clgan_dataset_oversample(imb, 7, &o2));
    EXPECT(o2->n == o->n && !memcmp(o2->pixels, o->pixels, (size_t)o->n * img) &&
           !memcmp(o2->labels, o->labels, (size_t)o->n * sizeof *o->labels), "oversample: same seed, same bytes");
    clgan_dataset_free(o2);
    int differs = 0;
    for (uint64_t seed = 8; seed < 13 && !differs; seed++) {
        MUST(clgan_dataset_oversample(imb, seed, &o2));
        differs = generated_differ(o, o2, imb->n);
        clgan_dataset_free(o2);
    }
    EXPECT(differs, "oversample: other seeds choose other images for the remainder");
    clgan_dataset_free(o);

    clgan_dataset *none;
    MUST(clgan_dataset_imbalance(imb, 5, 0.0, 1, &none));
    clgan_status st = clgan_dataset_oversample(none, 7, &o);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && o == NULL && strstr(clgan_last_error(), "class 5 has no image"),
           "oversample refuses a class with no images: %s", clgan_last_error());
    clgan_dataset_free(none);
}

static void test_plan(const clgan_dataset *imb)
{
    int counts[K], gen[K], max = 30, N = imb->n, ok = 1;
    clgan_dataset_class_counts(imb, counts, NULL);
    MUST(clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_BALANCE, 0, gen));
    for (int k = 0; k < K; k++) ok &= gen[k] == max - counts[k];
    EXPECT(ok && gen[3] == 26, "plan balance: class k gets max - n_k (class 3: %d)", gen[3]);
    MUST(clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_ENLARGE, 0.5, gen));
    int T = (int)lround(0.5 * N), sum = 0;
    ok = 1;
    for (int k = 0; k < K; k++) ok &= gen[k] == T / K + (k < T % K), sum += gen[k];
    EXPECT(ok && sum == T && T == 137, "plan enlarge 0.5: %d images (of %d real) in equal shares (%d, ..., %d)", sum, N,
           gen[0], gen[K - 1]);
    MUST(clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_BALANCE, 0.1, gen));
    T = (int)lround(0.1 * N);
    ok = 1;
    for (int k = 0; k < K; k++) ok &= gen[k] == max - counts[k] + T / K + (k < T % K);
    EXPECT(ok, "plan balance + ratio 0.1: balanced, then %d more in equal shares (class 3: %d)", T, gen[3]);
    EXPECT(clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_ENLARGE, 0, gen) == CLGAN_ERR_INVALID_ARG,
           "plan: enlarge with ratio 0 refused: %s", clgan_last_error());
    EXPECT(clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_BALANCE, -1, gen) == CLGAN_ERR_INVALID_ARG &&
           clgan_gan_augment_plan(imb, CLGAN_GAN_AUGMENT_ENLARGE, NAN, gen) == CLGAN_ERR_INVALID_ARG &&
           clgan_gan_augment_plan(imb, (clgan_gan_augment_mode)7, 1, gen) == CLGAN_ERR_INVALID_ARG,
           "plan: negative and NaN ratios and an unknown mode refused");
}

/* Regenerate chunk j of the generated block the documented way and compare. */
static int chunk_matches(clgan_gan *gan, const clgan_dataset *aug, int first, int chunk, uint64_t seed,
                         int shift_labels)
{
    size_t img = clgan_dataset_image_bytes(aug);
    int start = first + chunk * CLGAN_GAN_AUGMENT_CHUNK, n = aug->n - start;
    if (n > CLGAN_GAN_AUGMENT_CHUNK) n = CLGAN_GAN_AUGMENT_CHUNK;
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    float *x = malloc((size_t)n * img * sizeof *x);
    for (int i = 0; i < n; i++) labels[i] = (aug->labels[start + i] + shift_labels) % K;
    MUST(clgan_gan_sample(gan, n, labels, clgan_gan_augment_chunk_seed(seed, chunk), x));
    int same = 1;
    for (size_t i = 0; i < (size_t)n * img && same; i++) same = quant(x[i]) == aug->pixels[(size_t)start * img + i];
    free(labels);
    free(x);
    return same;
}

static void test_augment(const clgan_dataset *imb, const clgan_dataset *train)
{
    int counts[K], ac[K], gen[K], N = imb->n;
    clgan_dataset_class_counts(imb, counts, NULL);
    clgan_gan *gan = test_tiny_gan(ctx, train, 1, K, 12);

    /* balance */
    clgan_dataset *a;
    MUST(clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 11, &a, gen));
    clgan_dataset_class_counts(a, ac, NULL);
    int ok = 1;
    for (int k = 0; k < K; k++) ok &= ac[k] == 30 && gen[k] == 30 - counts[k];
    EXPECT(ok && a->n == 300, "balance: every class has 30 images, %d total; generated per class reported (class 3: %d)",
           a->n, gen[3]);
    EXPECT(real_prefix_kept(imb, a), "balance: the real images come first, unchanged");
    int labels_ok = 1;
    for (int i = N; i < a->n; i++) labels_ok &= a->labels[i] == 3;
    EXPECT(labels_ok && a->n - N == 26, "balance: the 26 generated images are labelled 3");
    EXPECT(chunk_matches(gan, a, N, 0, 11, 0),
           "balance: generated bytes = round((G(z, label) + 1) * 127.5) with the documented chunk seed");
    EXPECT(!chunk_matches(gan, a, N, 0, 11, 1), "  (and not G's images for another class: the check can fail)");
    clgan_dataset *b;
    MUST(clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 11, &b, NULL));
    size_t img = clgan_dataset_image_bytes(imb);
    EXPECT(b->n == a->n && !memcmp(a->pixels, b->pixels, (size_t)a->n * img), "balance: same seed, same bytes");
    clgan_dataset_free(b);
    MUST(clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 12, &b, NULL));
    EXPECT(real_prefix_kept(imb, b) && generated_differ(a, b, N), "balance: another seed, other generated images");
    clgan_dataset_free(b);
    clgan_dataset_free(a);

    /* enlarge by 1.0: 274 generated images, two chunks */
    MUST(clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_ENLARGE, 1.0, 5, &a, gen));
    clgan_dataset_class_counts(a, ac, NULL);
    ok = 1;
    for (int k = 0; k < K; k++) ok &= gen[k] == N / K + (k < N % K) && ac[k] == counts[k] + gen[k];
    EXPECT(ok && a->n == 2 * N, "enlarge 1.0: %d generated in equal shares (%d..%d), %d in all", a->n - N, gen[0],
           gen[K - 1], a->n);
    labels_ok = 1;
    for (int k = 0, i = N; k < K; k++)
        for (int j = 0; j < gen[k]; j++, i++) labels_ok &= a->labels[i] == k;
    EXPECT(labels_ok, "enlarge: generated labels are class-major (class 0's first)");
    EXPECT(real_prefix_kept(imb, a) && chunk_matches(gan, a, N, 0, 5, 0) && chunk_matches(gan, a, N, 1, 5, 0),
           "enlarge: both chunks (256 + 18 images) equal clgan_gan_sample's output for their labels and seeds");

    /* the PNG grid: one row per class, 6 columns */
    char png[256];
    snprintf(png, sizeof png, "/tmp/clgan-test-gan-augment-%ld.png", (long)getpid());
    MUST(clgan_gan_augment_png(png, a, N, 6));
    int pw = 0, ph = 0, pc = 0;
    EXPECT(stbi_info(png, &pw, &ph, &pc) && pw == 6 * 28 + 7 * 2 && ph == K * 28 + (K + 1) * 2 && pc == 1,
           "augmentation grid: %dx%d grey PNG (want %dx%d)", pw, ph, 6 * 28 + 7 * 2, K * 28 + (K + 1) * 2);
    remove(png);
    EXPECT(clgan_gan_augment_png(png, a, N, 0) == CLGAN_ERR_INVALID_ARG, "augmentation grid: 0 per class refused");
    clgan_dataset_free(a);

    /* refusals */
    a = (clgan_dataset *)1;
    clgan_status st = clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_ENLARGE, 0, 5, &a, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && a == NULL, "enlarge with ratio 0 refused: %s", clgan_last_error());
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = 32;
    dopt.channels = 3;
    dopt.synthetic_train = 40;
    clgan_dataset *rgb;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &rgb));
    st = clgan_gan_augment(gan, rgb, CLGAN_GAN_AUGMENT_BALANCE, 0, 5, &a, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "1x28x28") && strstr(clgan_last_error(), "3x32x32"),
           "image shape mismatch refused, naming both shapes: %s", clgan_last_error());
    clgan_dataset_free(rgb);
    clgan_gan_free(gan);

    gan = test_tiny_gan(ctx, train, 1, 5, 0);
    st = clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 5, &a, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "5 classes") && strstr(clgan_last_error(), "has 10"),
           "class count mismatch refused: %s", clgan_last_error());
    clgan_gan_free(gan);
    gan = test_tiny_gan(ctx, train, 0, 0, 0);
    st = clgan_gan_augment(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 5, &a, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && a == NULL && strstr(clgan_last_error(), "unconditional"),
           "unconditional GAN refused: %s", clgan_last_error());
    clgan_gan_free(gan);
}

/* The hand-made filter: an image's confidence is its mean brightness, (mean x + 1) / 2. */
static float brightness(const float *x, size_t img)
{
    double m = 0;
    for (size_t i = 0; i < img; i++) m += x[i];
    return (float)((m / img + 1.0) / 2.0);
}

static clgan_status bright_confidence(void *user, int n, const float *images, int cls, float *conf)
{
    size_t img = *(const size_t *)user;
    (void)cls;
    for (int i = 0; i < n; i++) conf[i] = brightness(images + (size_t)i * img, img);
    return CLGAN_OK;
}

static clgan_status bad_confidence(void *user, int n, const float *images, int cls, float *conf)
{
    (void)user, (void)images, (void)cls;
    for (int i = 0; i < n; i++) conf[i] = 2.0f;
    return CLGAN_OK;
}

/* Class 3's first n candidates as the filter documents them: chunk j of
 * clgan_gan_augment_filter_seed(seed, 3, j), quantised; their brightness. */
static void candidates_of_3(clgan_gan *gan, uint64_t seed, int n, size_t img, uint8_t *u8, float *conf)
{
    int32_t labels[CLGAN_GAN_AUGMENT_CHUNK];
    float *x = malloc(CLGAN_GAN_AUGMENT_CHUNK * img * sizeof *x);
    for (int i = 0; i < CLGAN_GAN_AUGMENT_CHUNK; i++) labels[i] = 3;
    for (int done = 0, j = 0; done < n; done += CLGAN_GAN_AUGMENT_CHUNK, j++) {
        int take = n - done < CLGAN_GAN_AUGMENT_CHUNK ? n - done : CLGAN_GAN_AUGMENT_CHUNK;
        MUST(clgan_gan_sample(gan, take, labels, clgan_gan_augment_filter_seed(seed, 3, j), x));
        for (size_t i = 0; i < (size_t)take * img; i++) x[i] = clgan_pixel_float(u8[(size_t)done * img + i] = quant(x[i]));
        for (int i = 0; i < take; i++) conf[done + i] = brightness(x + (size_t)i * img, img);
    }
    free(x);
}

static int cmp_float_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* Filtered augmentation against a hand-made filter (brightness): the kept
 * images are exactly the documented candidates that pass, in order. */
static void test_filter(const clgan_dataset *imb, const clgan_dataset *train)
{
    clgan_gan *gan = test_tiny_gan(ctx, train, 1, K, 12);
    size_t img = clgan_dataset_image_bytes(imb);
    int N = imb->n, want = 26, gen[K], tried[K];
    enum { CAND = 520 }; /* 20 tries x 26 wanted */
    uint8_t *u8 = malloc((size_t)CAND * img);
    float conf[CAND], sorted[CAND];
    candidates_of_3(gan, 21, CAND, img, u8, conf);
    /* threshold: the 40th brightest of the first chunk, so some pass and some do not */
    memcpy(sorted, conf, CLGAN_GAN_AUGMENT_CHUNK * sizeof *conf);
    qsort(sorted, CLGAN_GAN_AUGMENT_CHUNK, sizeof *sorted, cmp_float_desc);
    double thr = sorted[39];
    clgan_gan_augment_filter f = {.confidence = bright_confidence, .user = &img, .min_confidence = thr,
                                  .max_tries = 20};
    clgan_dataset *a;
    MUST(clgan_gan_augment_filtered(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 21, &f, &a, gen, tried));
    int expect_idx[26], n_exp = 0;
    for (int i = 0; i < CLGAN_GAN_AUGMENT_CHUNK && n_exp < want; i++)
        if (conf[i] >= thr) expect_idx[n_exp++] = i;
    int same = a->n == N + want && real_prefix_kept(imb, a);
    for (int i = 0; same && i < want; i++)
        same = a->labels[N + i] == 3 && !memcmp(a->pixels + (size_t)(N + i) * img, u8 + (size_t)expect_idx[i] * img, img);
    EXPECT(n_exp == want && same && gen[3] == want && tried[3] == expect_idx[want - 1] + 1 && gen[0] == 0 &&
               tried[0] == 0,
           "filter (brightness >= %.4f): the 26 kept are the passing candidates in order, tried up to the last kept "
           "(kept %d, tried %d, want %d; %d images)", thr, gen[3], tried[3], expect_idx[want - 1] + 1, a->n);
    int rejected_some = expect_idx[want - 1] >= want;
    EXPECT(rejected_some, "  (and some candidates were rejected: the check can fail; last kept is candidate %d)",
           expect_idx[want - 1]);
    clgan_dataset_free(a);

    /* nothing passes: the class keeps none after 20 x 26 tries */
    f.min_confidence = 1.0;
    MUST(clgan_gan_augment_filtered(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 21, &f, &a, gen, tried));
    EXPECT(a->n == N && gen[3] == 0 && tried[3] == CAND, "filter nobody passes: none kept (%d), %d tried (want %d)",
           gen[3], tried[3], CAND);
    clgan_dataset_free(a);

    /* top share 0.25: the 26 brightest of 104 candidates, in candidate order */
    f.min_confidence = 0, f.top_share = 0.25;
    MUST(clgan_gan_augment_filtered(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 21, &f, &a, gen, tried));
    memcpy(sorted, conf, 104 * sizeof *conf);
    qsort(sorted, 104, sizeof *sorted, cmp_float_desc);
    int top_ok = a->n == N + want && gen[3] == want && tried[3] == 104, kept = 0;
    for (int i = 0; i < 104 && top_ok; i++)
        if (conf[i] >= sorted[want - 1] && kept < want)
            top_ok = !memcmp(a->pixels + (size_t)(N + kept++) * img, u8 + (size_t)i * img, img);
    EXPECT(top_ok && kept == want && sorted[want - 1] > sorted[want],
           "filter top 0.25: the 26 brightest of 104 candidates, in order (kept %d, tried %d)", gen[3], tried[3]);
    clgan_dataset_free(a);

    f.top_share = 0, f.confidence = bad_confidence;
    a = (clgan_dataset *)1;
    clgan_status st = clgan_gan_augment_filtered(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 21, &f, &a, gen, tried);
    EXPECT(st == CLGAN_ERR_CHECK_FAILED && a == NULL && strstr(clgan_last_error(), "not in [0, 1]"),
           "a filter giving confidence 2 is refused: %s", clgan_last_error());
    f.confidence = bright_confidence, f.max_tries = 0;
    st = clgan_gan_augment_filtered(gan, imb, CLGAN_GAN_AUGMENT_BALANCE, 0, 21, &f, &a, gen, tried);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "max tries"), "max tries 0 refused: %s",
           clgan_last_error());
    free(u8);
    clgan_gan_free(gan);
}

/* Oversampling half of each gap (what --oversample --gan-augment balance repeats). */
static void test_oversample_share(const clgan_dataset *imb)
{
    clgan_dataset *o;
    int oc[K];
    MUST(clgan_dataset_oversample_share(imb, 0.5, 7, &o));
    clgan_dataset_class_counts(o, oc, NULL);
    EXPECT(oc[3] == 4 + 13 && oc[0] == 30 && o->n == imb->n + 13 && real_prefix_kept(imb, o),
           "oversample share 0.5: class 3 gets 13 of its 26 missing images (has %d), the others none", oc[3]);
    clgan_dataset_free(o);
    EXPECT(clgan_dataset_oversample_share(imb, 0, 7, &o) == CLGAN_ERR_INVALID_ARG && !o, "share 0 refused: %s",
           clgan_last_error());
}

int main(void)
{
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.size = 28;
    dopt.channels = 1;
    dopt.synthetic_train = NTRAIN;
    dopt.seed = 5;
    clgan_dataset *train, *imb;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &train));
    MUST(clgan_dataset_imbalance(train, 3, 0.14, 5, &imb)); /* class 3: round(0.14 * 30) = 4 of 30 */
    test_oversample(imb);
    test_oversample_share(imb);
    test_plan(imb);
    if (!test_device_present()) {
        printf("skipped the GAN part: no OpenCL device\n");
        clgan_dataset_free(imb);
        clgan_dataset_free(train);
        test_finish();
        return failures ? 1 : 77;
    }
    MUST(clgan_ctx_create(NULL, &ctx));
    test_augment(imb, train);
    test_filter(imb, train);
    clgan_dataset_free(imb);
    clgan_dataset_free(train);
    clgan_ctx_free(ctx);
    return test_finish();
}
