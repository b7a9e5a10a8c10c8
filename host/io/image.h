/* image.h — PNG output of images: sample grids, written with
 * stb_image_write. Every function returns CLGAN_ERR_INVALID_ARG for bad
 * shapes and CLGAN_ERR_IO naming the path when the file cannot be written.
 * Charts (heatmaps, line plots, bar charts) are the CLI's (tools/clgan/plot.h),
 * drawn over clgan_png_write.
 */
#ifndef CLGAN_IMAGE_H
#define CLGAN_IMAGE_H
#include "clgan.h"

#include <stddef.h>
#include <stdint.h>

/* clgan_png_grid (float images) is public: clgan/image.h. The same for
 * 8-bit images (NCHW uint8_t): */
clgan_status clgan_png_grid_u8(const char *path, const uint8_t *images, int n, int c, int h, int w, int cols,
                               int pad);

/* The PNG writer every image goes through, clgan_png_write, is public (clgan/image.h). */
/* The same PNG written the way clgan_write_file_atomic writes a file: encoded
 * in memory, then a temporary file beside path renamed over it, so a reader
 * never sees half an image. */
clgan_status clgan_png_write_atomic(const char *path, int w, int h, int comp, const uint8_t *pixels);
/* CLGAN_ERR_INVALID_ARG "FN: empty path" for a NULL or empty path. */
clgan_status clgan_png_check_path(const char *path, const char *fn);


#endif
