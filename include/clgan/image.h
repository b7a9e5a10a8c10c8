/* clgan/image.h — images as files: a PNG grid of float images (a model's
 * samples), any 8-bit picture as a PNG, and one image file read as floats
 * the way datasets read theirs.
 *
 *     float *x = malloc(64 * 1 * 28 * 28 * sizeof *x);
 *     clgan_model_sample(gan, 64, NULL, 1, x);                  // clgan/model.h
 *     clgan_png_grid("samples.png", x, 64, 1, 28, 28, 8, -1.0f, 1.0f, 2);
 */
#ifndef CLGAN_IMAGE_API_H
#define CLGAN_IMAGE_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Grey level of the padding between (and around) grid cells and of empty
 * cells in the last row. */
#define CLGAN_PNG_GRID_BACKGROUND 128

/* Tile n images (NCHW floats, c = 1 grey or 3 RGB) into one PNG with `cols`
 * columns (fewer when n < cols) and ceil(n / cols) rows, `pad` pixels of
 * background between cells and around the border:
 *   width  = cols * w + (cols + 1) * pad,   height = rows * h + (rows + 1) * pad.
 * Values map linearly from [lo, hi] to 0..255 (rounded), clamped; NaN is 0.
 * The PNG has c channels. CLGAN_ERR_INVALID_ARG for bad shapes, CLGAN_ERR_IO
 * naming the path when the file cannot be written. */
CLGAN_API clgan_status clgan_png_grid(const char *path, const float *images, int n, int c, int h, int w, int cols,
                                      float lo, float hi, int pad);

/* Largest image side and pixel count a PNG is written with. */
#define CLGAN_PNG_MAX_SIDE 32768
#define CLGAN_PNG_MAX_PIXELS (1 << 28)

/* Write w x h pixels of comp bytes each (1 grey, 2 grey + alpha, 3 RGB,
 * 4 RGBA), row-major and interleaved, as a PNG (at most CLGAN_PNG_MAX_SIDE
 * per side and CLGAN_PNG_MAX_PIXELS in all). CLGAN_ERR_INVALID_ARG for a bad
 * shape or an empty path, CLGAN_ERR_IO naming the path (and the system's reason) when the file
 * cannot be written. */
CLGAN_API clgan_status clgan_png_write(const char *path, int w, int h, int comp, const uint8_t *pixels);

/* Read one image file (PNG, JPEG, BMP, GIF, TGA, binary PNM, told from its
 * content, with the header checks and size limits of an image folder's
 * files, clgan/dataset.h) into chw [channels, size, size] as floats in
 * [-1, 1] (pixel / 127.5 - 1): the shorter side scaled to size and the
 * centre cropped, grey or RGB converted to `channels` (1 or 3), exactly as
 * clgan_dataset_open does with size and channels set. A file that cannot be
 * read or decoded fails (CLGAN_ERR_IO or CLGAN_ERR_FORMAT) with a message
 * that starts with its path. */
CLGAN_API clgan_status clgan_image_read_file(const char *path, int channels, int size, float *chw /* OUT */);
/* The same, but the whole image stretched to size x size (each side scaled
 * on its own, no crop), as a detection folder's images are read (box
 * coordinates, normalised, stay valid); its own width and height into
 * *orig_w, *orig_h (each may be NULL). */
CLGAN_API clgan_status clgan_image_read_file_stretched(const char *path, int channels, int size, float *chw /* OUT */,
                                                       int *orig_w, int *orig_h);

#ifdef __cplusplus
}
#endif
#endif
