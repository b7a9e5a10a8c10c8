/* image.h — PNG output of images: sample grids, written with
 * stb_image_write. Every function returns CLGAN_ERR_INVALID_ARG for bad
 * shapes and CLGAN_ERR_IO naming the path when the file cannot be written.
 * Charts (heatmaps, line plots, bar charts) are report/plot.h's, in the clgan_report
 * library beside libclgan.
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

/* The PNG writer every image and chart goes through: w x h pixels of comp
 * (1 grey, 3 RGB) bytes each, row-major; CLGAN_ERR_IO naming the path (and
 * the system's reason) when it cannot be written. */
clgan_status clgan_png_write(const char *path, int w, int h, int comp, const uint8_t *px);
/* CLGAN_ERR_INVALID_ARG "FN: empty path" for a NULL or empty path. */
clgan_status clgan_png_check_path(const char *path, const char *fn);

/* Largest image side and pixel count written (stb takes int strides and sizes). */
#define CLGAN_PNG_MAX_SIDE 32768
#define CLGAN_PNG_MAX_PIXELS (1 << 28)

#endif
