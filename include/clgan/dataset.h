/* clgan/dataset.h — image datasets in host memory: MNIST-style IDX, CIFAR-10
 * binary, folders of PNG/JPEG images and a built-in synthetic set; their
 * shape, class names, images as floats, and seeded shuffled mini-batches.
 *
 *     clgan_dataset_options o = clgan_dataset_default_options();
 *     o.size = 28; o.channels = 1;               // or 0: the data's own
 *     clgan_dataset *train;
 *     if (clgan_dataset_open("data/mnist", CLGAN_SPLIT_TRAIN, &o, &train) != CLGAN_OK)
 *         fprintf(stderr, "clgan: %s\n", clgan_last_error());
 *     clgan_dataset_info info;
 *     clgan_dataset_get_info(train, &info);     // info.count images of info.channels x height x width
 *     clgan_dataset_read(train, 0, 16, images, labels);   // images [16,C,H,W] in [-1,1], labels [16]
 *     clgan_dataset_free(train);                // clgan_dataset_free(NULL) is a no-op
 *
 * spec is "synthetic" (always the built-in set; write "./synthetic" for a
 * path of that name) or a path. The format is told from the files' contents:
 *   - a directory holding {train,t10k,test}-images-idx3-ubyte[.gz] and the
 *     matching *-labels-idx1-ubyte[.gz] (also the "...images.idx3-ubyte"
 *     spelling): MNIST-style IDX. TRAIN reads train-*, TEST reads t10k-* or,
 *     failing that, test-*. Files may be gzip-compressed or plain.
 *   - a directory holding data_batch_1..5.bin and/or test_batch.bin (or whose
 *     sub-folder cifar-10-batches-bin does): CIFAR-10 binary. TRAIN reads
 *     every data_batch_<k>.bin present (k = 1..5, at least one), TEST reads
 *     test_batch.bin. Class names from batches.meta.txt when present.
 *   - any other directory with images in it or in its sub-folders: an image
 *     folder (see below).
 *   - a single file: an IDX images file (labels file found beside it, the
 *     name's "images-idx3" replaced by "labels-idx1"; without one the images
 *     are unlabelled: classes 0, labels -1), or a CIFAR-10 .bin file. A
 *     single file is the whole dataset: split is ignored.
 * Anything else fails with CLGAN_ERR_FORMAT and a message saying what was
 * looked for. Malformed files fail with CLGAN_ERR_FORMAT naming the file and
 * what is wrong (magic, dimensions, expected vs actual length, count
 * mismatch, label index and value); unreadable ones with CLGAN_ERR_IO.
 *
 * Image folders: PNG, JPEG, BMP, GIF, TGA and binary PNM images, told from
 * the content (at most 16384 pixels per side and 2^26 in all, and no more
 * pixels than the file's length can hold). A regular file is an image when it is named .png, .jpg, .jpeg,
 * .bmp, .gif, .tga, .pgm, .ppm or .pnm, or carries one of those formats'
 * signatures; other files, hidden entries (".*") and anything not a regular
 * file or folder (FIFOs, devices) are ignored. An image that cannot be read
 * — not decodable, zero width or height, over the limits, shorter than its
 * header needs — is an error naming the file, or, when skip_unreadable is
 * set, skipped with a warning on stderr and counted in the info's `skipped`.
 * Opening either split checks the headers of the other split's images too,
 * so a bad file there fails now, not when that split is opened later (with
 * skip_unreadable it is left to that split to skip and count).
 *   - If the folder has sub-folders "train" and "test", the split reads that
 *     sub-folder; the class list is the sorted union of both sub-folders' class
 *     sub-folders, so labels agree between the splits.
 *   - Otherwise the split is by a hash, with p = test_percent (0 means 10,
 *     -1 means 0: no test images, 1..100): an image goes to TEST when
 *     h(path) mod 100 < p, else to TRAIN, where path is its path relative to
 *     the folder ("class/name.png", or "name.png" without class folders) and
 *     h is FNV-1a (64-bit) of those bytes, XORed with seed +
 *     0x9e3779b97f4a7c15 and mixed with the splitmix64 finaliser. Each image
 *     thus lands in TEST with probability p/100 independently of the others:
 *     about p% of the images, not exactly (of 100 images with p = 10, 4 to 16
 *     in 19 folders out of 20), and a given image stays on its side when
 *     others are added or removed. The same path, seed and p always give the same side.
 *   - Under the split's root: if there are sub-folders, each is a class
 *     (label = index of its name in sorted order, classes = number of
 *     sub-folders, empty ones included) and only images directly inside them
 *     count; with no sub-folders the images there are unlabelled (label -1,
 *     classes = 0).
 *   - Images are sorted by path, so the order is the same on every system.
 *
 * Size and channels (every format): size > 0 makes every image size x size:
 * the shorter side is scaled to size (area average when shrinking, bilinear
 * when enlarging) and the centre is cropped. size = 0 keeps the native size
 * (an image folder whose images differ in size then fails, asking for a
 * size). channels 1 gives grey (from RGB: (299 R + 587 G + 114 B) / 1000,
 * rounded), 3 gives RGB (grey copied to the three planes), 0 keeps the native
 * count (an image folder is RGB if any image has colour, else grey).
 *
 * Synthetic ("synthetic"): no files. `synthetic_classes` (default 10, at
 * most 10) classes of simple shapes, each drawn at a random position, scale,
 * brightness and with background noise from the seed:
 *   0 disc, 1 ring, 2 filled square, 3 square outline, 4 horizontal stripes,
 *   5 vertical stripes, 6 plus sign, 7 diagonal cross (X), 8 triangle,
 *   9 two small discs side by side.
 * Image i has label i % classes. Default 2000 train / 500 test images,
 * 28 x 28 x 1; with 3 channels the shape gets a random colour. TRAIN and TEST
 * draw from different streams of the same seed; the same options always give
 * the same bytes.
 *
 * Images come out as floats [n, C, H, W] (planes not interleaved), pixel p
 * as p / 127.5 - 1, in [-1, 1]; labels as int32 in [0, classes), or -1 for
 * an unlabelled image.
 */
#ifndef CLGAN_DATASET_API_H
#define CLGAN_DATASET_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_dataset clgan_dataset;

typedef enum clgan_dataset_split {
    CLGAN_SPLIT_TRAIN = 0,
    CLGAN_SPLIT_TEST = 1
} clgan_dataset_split;

typedef struct clgan_dataset_options {
    int size;             /* output height = width; 0 = native */
    int channels;         /* 1 grey, 3 RGB; 0 = native */
    uint64_t seed;        /* synthetic images, image-folder split */
    int limit;            /* keep at most this many images (the first ones); 0 = all */
    int synthetic_train;  /* synthetic TRAIN count; 0 = 2000 */
    int synthetic_test;   /* synthetic TEST count; 0 = 500 */
    int synthetic_classes;/* 0 = 10; 1..10 */
    int test_percent;     /* image folder without train/ test/: % for TEST (1..100); 0 = 10, -1 = none */
    int skip_unreadable;  /* image folder: 1 = skip unreadable images with a warning (counted in skipped); 0 = fail */
} clgan_dataset_options;

/* Everything 0 except seed 1. */
CLGAN_API clgan_dataset_options clgan_dataset_default_options(void);
/* Load split of spec (see above). opt NULL = defaults. */
CLGAN_API clgan_status clgan_dataset_open(const char *spec, clgan_dataset_split split,
                                          const clgan_dataset_options *opt, clgan_dataset **out /* OUT */);
CLGAN_API void clgan_dataset_free(clgan_dataset *d); /* NULL is a no-op */

typedef struct clgan_dataset_info {
    int count;                /* images */
    int channels, height, width;
    int classes;              /* 0 when unlabelled */
    int skipped;              /* image folder: unreadable images skipped (skip_unreadable) */
    char source[256];         /* what was loaded (the path, or "synthetic shapes (...)"), for logs */
} clgan_dataset_info;
CLGAN_API clgan_status clgan_dataset_get_info(const clgan_dataset *d, clgan_dataset_info *info /* OUT */);
/* Name of class k: "0".."9" for IDX, folder names, CIFAR-10 names; NULL out of range. */
CLGAN_API const char *clgan_dataset_class_name(const clgan_dataset *d, int k);
/* Images first .. first+count-1 as floats into images [count,C,H,W] and
 * their labels into labels [count]; either may be NULL. A range outside
 * [0, count of the dataset] fails with CLGAN_ERR_INVALID_ARG. */
CLGAN_API clgan_status clgan_dataset_read(const clgan_dataset *d, int first, int count, float *images /* OUT */,
                                          int32_t *labels /* OUT */);

/* ---- subsets: scenarios of few labels, a rare class, oversampling -------
 * Each returns a NEW dataset (the input is left alone; free both) whose
 * images keep their order in the source, chosen by a seed: the same
 * (dataset, settings, seed) always gives the same images. */

/* Copy images indices[0..n) (in that order; repeats allowed) into a new
 * dataset with the same shape, classes and class names. */
CLGAN_API clgan_status clgan_dataset_select(const clgan_dataset *d, const int *indices, int n,
                                            clgan_dataset **out /* OUT */);

/* Keep n_labels labelled images balanced over the classes: class k gets
 * n_labels / K images, plus one for the first n_labels % K classes in an
 * order drawn from the seed; a class with too few images gives all it has
 * and its shortfall goes round the classes that have more. Which images of
 * a class are kept is a seeded random choice. The other images are dropped
 * (unlabel_rest = 0) or kept with label -1 (unlabel_rest = 1: for
 * semi-supervised training). Unlabelled images of the source (-1) are
 * dropped, or kept when unlabel_rest = 1.
 * CLGAN_ERR_INVALID_ARG when the data has no classes or fewer than n_labels
 * labelled images, or n_labels < 1. */
CLGAN_API clgan_status clgan_dataset_keep_labels(const clgan_dataset *d, int n_labels, uint64_t seed, int unlabel_rest,
                                                 clgan_dataset **out /* OUT */);

/* Keep only round(fraction * count) of class cls's images (at least one when
 * fraction > 0), a seeded random choice; every other image is kept.
 * fraction in [0, 1]; cls in [0, K). */
CLGAN_API clgan_status clgan_dataset_imbalance(const clgan_dataset *d, int cls, double fraction, uint64_t seed,
                                               clgan_dataset **out /* OUT */);

/* Naive oversampling: every class is filled up to the largest class's count
 * with repeats of its own images. The new dataset holds every image of d in
 * its order, then the repeats, class 0's first. A class short by m = max - n_k
 * images repeats each of its n_k images floor(m / n_k) times and a seeded
 * random choice of m % n_k of them once more (so repeats stay as even as
 * possible). Unlabelled images (-1) are kept once. The same (d, seed) gives
 * the same dataset. CLGAN_ERR_INVALID_ARG when d has no classes or a class
 * has no image to repeat (e.g. --imbalance C:0). */
CLGAN_API clgan_status clgan_dataset_oversample(const clgan_dataset *d, uint64_t seed,
                                                clgan_dataset **out /* OUT */);
/* The same with a share in (0, 1] of each gap filled: class k gets
 * m = floor(share * (max - n_k)) repeats (share 1: clgan_dataset_oversample),
 * e.g. 0.5 when generated images fill the rest (train-classifier
 * --oversample --gan-augment). */
CLGAN_API clgan_status clgan_dataset_oversample_share(const clgan_dataset *d, double share, uint64_t seed,
                                                      clgan_dataset **out /* OUT */);

/* A NEW dataset of want[k] images of class k for each k (class 0's first),
 * drawn from d's like oversampling's repeats: each of class k's n_k images
 * floor(want[k] / n_k) times, then a seeded random choice of want[k] % n_k
 * once more (train-detector --copy-paste draws its objects so).
 * CLGAN_ERR_INVALID_ARG when d has no classes, a class with want[k] > 0 has
 * no image, or the total is 0. */
CLGAN_API clgan_status clgan_dataset_repeat_classes(const clgan_dataset *d, const int *want /* [K] */,
                                                    uint64_t seed, clgan_dataset **out /* OUT */);

/* Images per class: counts[k] for k in [0, K), and the number of unlabelled
 * images into *unlabelled (may be NULL). */
CLGAN_API void clgan_dataset_class_counts(const clgan_dataset *d, int *counts /* [K] */,
                                          int *unlabelled /* OUT, may be NULL */);

/* ---- seeded, resumable mini-batches --------------------------------------
 *
 *     clgan_loader_options lo = clgan_loader_default_options();
 *     lo.batch = 64; lo.seed = 7;
 *     clgan_loader *L;
 *     clgan_loader_create(train, &lo, &L);
 *     float *x = malloc(clgan_loader_batch_floats(L) * sizeof *x);   // [batch][c][h][w]
 *     int32_t y[64];
 *     clgan_batch_info bi;
 *     while (...) {
 *         clgan_loader_next(L, x, clgan_loader_batch_floats(L), y, 64, &bi);
 *         ... bi.count images in x[0 .. bi.count*c*h*w), labels y[0 .. bi.count) ...
 *     }
 *     clgan_loader_seek(L, epoch, step);     // resume: the same batches as an uninterrupted run
 *     clgan_loader_free(L);
 *
 * Order: epoch e visits the images in a permutation made by Fisher–Yates
 * from the host RNG seeded with seed + e * 0x9E3779B97F4A7C15 (identity
 * order when shuffle = 0), so it depends only on (seed, epoch). Step s of an
 * epoch is permutation entries [s*B, s*B + B). With drop_last the final
 * partial batch of an epoch is skipped (GAN training wants full batches);
 * without it the last batch has fewer images (info->count). Images and
 * labels as clgan_dataset_read gives them. The loader keeps a pointer to the
 * dataset, which must outlive it.
 */
typedef struct clgan_loader clgan_loader;

typedef struct clgan_loader_options {
    int batch;     /* images per batch, >= 1 */
    int drop_last; /* 1: skip an epoch's final partial batch */
    int shuffle;   /* 1: seeded permutation per epoch; 0: dataset order */
    uint64_t seed;
} clgan_loader_options;

typedef struct clgan_batch_info {
    int64_t epoch; /* epoch of this batch (from 0) */
    int64_t step;  /* step within the epoch (from 0) */
    int count;     /* images in this batch (< batch only for a last partial batch) */
    int last;      /* 1 if this is the epoch's last batch */
} clgan_batch_info;

CLGAN_API clgan_loader_options clgan_loader_default_options(void); /* batch 64, drop_last 1, shuffle 1, seed 1 */
CLGAN_API clgan_status clgan_loader_create(const clgan_dataset *d, const clgan_loader_options *opt,
                                           clgan_loader **out /* OUT */);
CLGAN_API void clgan_loader_free(clgan_loader *l); /* NULL is a no-op */
/* Batches per epoch: n / B with drop_last, else ceil(n / B). */
CLGAN_API int64_t clgan_loader_steps_per_epoch(const clgan_loader *l);
/* Floats one full batch needs: batch * c * h * w. */
CLGAN_API size_t clgan_loader_batch_floats(const clgan_loader *l);
/* Where the next batch comes from. */
CLGAN_API void clgan_loader_position(const clgan_loader *l, int64_t *epoch /* OUT */, int64_t *step /* OUT */);
/* Make (epoch, step) the next batch; step in [0, steps_per_epoch). */
CLGAN_API clgan_status clgan_loader_seek(clgan_loader *l, int64_t epoch, int64_t step);
/* Write the next batch: x [count][c][h][w] floats (x_cap must be at least
 * batch_floats), labels [count] (labels may be NULL; else labels_cap >=
 * batch), and advance, moving to the next epoch after its last step. */
CLGAN_API clgan_status clgan_loader_next(clgan_loader *l, float *x, size_t x_cap, int32_t *labels,
                                         size_t labels_cap, clgan_batch_info *info /* OUT, may be NULL */);

#ifdef __cplusplus
}
#endif
#endif
