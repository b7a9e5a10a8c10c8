/* clgan/image.h — writing images as a PNG grid, e.g. a model's samples.
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

#ifdef __cplusplus
}
#endif
#endif
