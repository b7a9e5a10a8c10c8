/* dataset.h — the dataset struct and what the format readers share. The
 * public API (formats, options, open, read, batches) is clgan/dataset.h;
 * internal code reads the struct's fields directly:
 *
 *     ... d->pixels[((i * d->c + ch) * d->h + y) * d->w + x], d->labels[i] ...
 *
 * Layout: pixels are uint8 [n][c][h][w] (NCHW, planes not interleaved),
 * labels are int32 [n], each in [0, classes) or -1 for an unlabelled image.
 */
#ifndef CLGAN_DATASET_INTERNAL_H
#define CLGAN_DATASET_INTERNAL_H

#include "clgan.h"

#include <stdint.h>

typedef struct clgan_dataset {
    int n, c, h, w;            /* images, channels, height, width */
    int classes;               /* K; 0 when unlabelled */
    uint8_t *pixels;           /* [n][c][h][w] */
    int32_t *labels;           /* [n], in [0, K) or -1 */
    char (*class_names)[64];   /* [K] ("0".."9" for IDX; folder names; CIFAR names) */
    int skipped;               /* image folder: unreadable images of this split skipped (skip_unreadable) */
    char source[256];          /* what was loaded, for logs */
} clgan_dataset;

/* Bytes of one image: c * h * w. */
size_t clgan_dataset_image_bytes(const clgan_dataset *d);
/* A pixel as the float every reader of images gives: p / 127.5 - 1, in [-1, 1]. */
static inline float clgan_pixel_float(uint8_t p) { return (float)(p / 127.5 - 1.0); }

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
/* Resize one image without cropping: src [c][sh][sw] -> dst [c][dh][dw],
 * each axis scaled on its own (area average where an axis shrinks, else
 * bilinear), so the whole picture is kept and may be stretched. */
void clgan_resize_stretch(const uint8_t *src, int c, int sh, int sw, uint8_t *dst, int dh, int dw);
/* Channels of one planar image: src [cin][hw] -> dst [cout][hw] (cout 1:
 * grey, (299 R + 587 G + 114 B) / 1000 rounded from RGB; cout 3: a grey
 * plane copied to all three). */
void clgan_convert_channels(const uint8_t *src, int cin, uint8_t *dst, int cout, size_t hw);

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

/* A growable list of malloc'd names (image_folder.c), for folder readers. */
typedef struct clgan_name_list {
    char **v;
    int n, cap;
} clgan_name_list;
void clgan_name_list_free(clgan_name_list *l);
/* Append a copy of s; 0 when out of memory. */
int clgan_name_list_push(clgan_name_list *l, const char *s);
/* Non-hidden entries of dir: sub-folders into dirs, regular files into files
 * (either may be NULL), each sorted by strcmp. CLGAN_ERR_IO naming dir when
 * it cannot be listed. */
clgan_status clgan_list_dir(const char *dir, clgan_name_list *dirs, clgan_name_list *files);
/* 1 when name ends in an image extension (.png, .jpg, .jpeg, .bmp, .gif,
 * .tga, .pgm, .ppm, .pnm; any case). */
int clgan_has_image_ext(const char *name);

/* Format probes used by clgan_dataset_open: 1 if the directory holds that
 * format's files. */
int clgan_idx_dir_probe(const char *dir);
int clgan_cifar10_dir_probe(const char *dir);
int clgan_folder_probe(const char *dir);

#endif
