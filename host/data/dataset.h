/* dataset.h — image datasets held in host memory: MNIST-style IDX,
 * CIFAR-10 binary, folders of PNG/JPEG images, and a built-in synthetic set.
 *
 *     clgan_dataset_options o = clgan_dataset_default_options();
 *     clgan_dataset *train;
 *     if (clgan_dataset_open("data/mnist", CLGAN_SPLIT_TRAIN, &o, &train) != CLGAN_OK)
 *         fprintf(stderr, "clgan: %s\n", clgan_last_error());
 *     ... train->pixels[((i * c + ch) * h + y) * w + x], train->labels[i] ...
 *     clgan_dataset_free(train);             // clgan_dataset_free(NULL) is a no-op
 *
 * Layout: pixels are uint8 [n][c][h][w] (NCHW, planes not interleaved),
 * labels are int32 [n], each in [0, classes) or -1 for an unlabelled image.
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
 * Image folders: images are read by data/image_file.h (PNG, JPEG, BMP, GIF,
 * TGA, binary PNM, told from the content; at most CLGAN_IMAGE_MAX_SIDE pixels
 * per side and CLGAN_IMAGE_MAX_PIXELS in all, and no more pixels than the
 * file's length can hold). A regular file is an image when it is named .png,
 * .jpg, .jpeg, .bmp, .gif, .tga, .pgm, .ppm or .pnm, or carries one of those
 * formats' signatures; other files, hidden entries (".*") and anything not a
 * regular file or folder (FIFOs, devices) are ignored. An image that cannot
 * be read — not decodable, zero width or height, over the limits, shorter
 * than its header needs — is an error naming the file, or, when
 * skip_unreadable is set, skipped with a warning on stderr and counted in
 * the dataset's `skipped`. Opening either split checks the headers of the
 * other split's images too, so a bad file there fails now, not when that
 * split is opened later (with skip_unreadable it is left to that split to
 * skip and count).
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
 * Synthetic ("synthetic"): no files. `classes` (default 10, at most 10)
 * classes of simple shapes, each drawn at a random position, scale,
 * brightness and with background noise from the seed:
 *   0 disc, 1 ring, 2 filled square, 3 square outline, 4 horizontal stripes,
 *   5 vertical stripes, 6 plus sign, 7 diagonal cross (X), 8 triangle,
 *   9 two small discs side by side.
 * Image i has label i % classes. Default 2000 train / 500 test images,
 * 28 x 28 x 1; with 3 channels the shape gets a random colour. TRAIN and TEST
 * draw from different streams of the same seed; the same options always give
 * the same bytes.
 */
#ifndef CLGAN_DATASET_H
#define CLGAN_DATASET_H

#include "clgan.h"

#include <stdint.h>

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

typedef struct clgan_dataset {
    int n, c, h, w;            /* images, channels, height, width */
    int classes;               /* K; 0 when unlabelled */
    uint8_t *pixels;           /* [n][c][h][w] */
    int32_t *labels;           /* [n], in [0, K) or -1 */
    char (*class_names)[64];   /* [K] ("0".."9" for IDX; folder names; CIFAR names) */
    int skipped;               /* image folder: unreadable images of this split skipped (skip_unreadable) */
    char source[256];          /* what was loaded, for logs */
} clgan_dataset;

clgan_dataset_options clgan_dataset_default_options(void);

/* Load split of spec (see above). opt NULL = defaults. */
clgan_status clgan_dataset_open(const char *spec, clgan_dataset_split split, const clgan_dataset_options *opt,
                                clgan_dataset **out /* OUT */);
void clgan_dataset_free(clgan_dataset *d);

/* Bytes of one image: c * h * w. */
size_t clgan_dataset_image_bytes(const clgan_dataset *d);

/* ---- used by the format readers (dataset.c); not for callers ---------- */

/* A dataset with n images of c x h x w and K classes; pixels and labels
 * uninitialised, class names "0", "1", ... */
clgan_status clgan_dataset_alloc(int n, int c, int h, int w, int classes, clgan_dataset **out /* OUT */);
/* Resize/crop to size x size (size > 0) and convert to channels (1 or 3;
 * 0 = keep) in place. */
clgan_status clgan_dataset_convert(clgan_dataset *d, int size, int channels);
/* Resize one image: src [c][sh][sw] -> dst [c][size][size], shorter side
 * scaled to size (area average shrinking, bilinear enlarging), centre crop. */
void clgan_resize_crop(const uint8_t *src, int c, int sh, int sw, uint8_t *dst, int size);

clgan_status clgan_dataset_open_idx(const char *path, int is_dir, clgan_dataset_split split,
                                    const clgan_dataset_options *opt, clgan_dataset **out);
clgan_status clgan_dataset_open_cifar10(const char *path, int is_dir, clgan_dataset_split split,
                                        const clgan_dataset_options *opt, clgan_dataset **out);
clgan_status clgan_dataset_open_folder(const char *path, clgan_dataset_split split,
                                       const clgan_dataset_options *opt, clgan_dataset **out);
clgan_status clgan_dataset_open_synthetic(clgan_dataset_split split, const clgan_dataset_options *opt,
                                          clgan_dataset **out);

/* Read a whole file, gzip-compressed or plain (zlib reads both), into a
 * malloc'd buffer. *gz_truncated is set when a gzip stream ended early.
 * CLGAN_ERR_IO if it cannot be opened, CLGAN_ERR_FORMAT if the gzip data is
 * corrupt. */
clgan_status clgan_read_file(const char *path, uint8_t **data /* OUT */, size_t *len /* OUT */,
                             int *gz_truncated /* OUT */);
/* Open a regular file for reading: CLGAN_ERR_IO naming the path when it is
 * missing, a directory, or not a regular file (a device, FIFO or socket,
 * which is never opened in a way that could block). *size from fstat. */
clgan_status clgan_open_regular(const char *path, int *fd /* OUT */, uint64_t *size /* OUT */);
/* The same as a zlib stream (reads gzip or plain); *gz = 1 for gzip data.
 * Close with gzclose. */
struct gzFile_s;
clgan_status clgan_gzopen_regular(const char *path, struct gzFile_s **f /* OUT */, uint64_t *size /* OUT */,
                                  int *gz /* OUT */);
/* Read up to want bytes into dst, stopping early only at the end of the
 * data (*got < want) or of a cut gzip stream (*gz_truncated = 1); a corrupt
 * stream or read error fails naming path. */
clgan_status clgan_gz_read(struct gzFile_s *f, const char *path, void *dst, size_t want, size_t *got /* OUT */,
                           int *gz_truncated /* OUT */);
int clgan_path_is_dir(const char *path);
/* snprintf that the compiler does not second-guess: 1 if the text fit. Paths
 * built from a spec fit: clgan_dataset_open refuses specs longer than
 * CLGAN_SPEC_MAX, and a path adds at most two names (255 bytes each) to it. */
#define CLGAN_SPEC_MAX 3000
int clgan_fmt(char *out, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int clgan_path_is_file(const char *path);

/* Format probes used by clgan_dataset_open: 1 if the directory holds that
 * format's files. */
int clgan_idx_dir_probe(const char *dir);
int clgan_cifar10_dir_probe(const char *dir);
int clgan_folder_probe(const char *dir);

#endif
