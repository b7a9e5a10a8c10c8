/* image.c — PNG output of images: sample grids (float and 8-bit, grey and
 * RGB), and the one PNG writer (stb_image_write) that the CLI's tools/clgan/plot.c
 * charts go through too. */
#include "image.h"
#include "core/error.h"
#include "core/atomic_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

/* The path and shape checks of both PNG writers; fn names the caller. */
static clgan_status check_png_args(const char *fn, const char *path, int w, int h, int comp, const uint8_t *px)
{
    TRY(clgan_png_check_path(path, fn));
    if (w <= 0 || h <= 0 || w > CLGAN_PNG_MAX_SIDE || h > CLGAN_PNG_MAX_SIDE ||
        (int64_t)w * h > CLGAN_PNG_MAX_PIXELS || comp < 1 || comp > 4 || !px)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s %s: %d x %d pixels of %d channels%s (1..%d per side, at most %d pixels, "
                          "1..4 channels)", fn, path, w, h, comp, px ? "" : " from NULL", CLGAN_PNG_MAX_SIDE,
                          CLGAN_PNG_MAX_PIXELS);
    return CLGAN_OK;
}

clgan_status clgan_png_write(const char *path, int w, int h, int comp, const uint8_t *px)
{
    TRY(check_png_args("clgan_png_write", path, w, h, comp, px));
    errno = 0;
    if (!stbi_write_png(path, w, h, comp, px, w * comp)) {
        int err = errno;
        return clgan_fail(CLGAN_ERR_IO, "cannot write PNG %s%s%s", path, err ? ": " : "", err ? strerror(err) : "");
    }
    return CLGAN_OK;
}

/* stbi_write_png_to_func's sink: the encoded bytes appended to a buffer. */
typedef struct png_bytes {
    unsigned char *data;
    size_t len, cap;
    int failed;
} png_bytes;

static void png_bytes_append(void *context, void *data, int size)
{
    png_bytes *b = context;
    if (b->failed || size <= 0) return;
    if (b->len + (size_t)size > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + (size_t)size) cap *= 2;
        unsigned char *grown = realloc(b->data, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        b->data = grown, b->cap = cap;
    }
    memcpy(b->data + b->len, data, (size_t)size);
    b->len += (size_t)size;
}

clgan_status clgan_png_write_atomic(const char *path, int w, int h, int comp, const uint8_t *px)
{
    TRY(check_png_args("clgan_png_write_atomic", path, w, h, comp, px));
    png_bytes b = {NULL, 0, 0, 0};
    int encoded = stbi_write_png_to_func(png_bytes_append, &b, w, h, comp, px, w * comp);
    clgan_status st;
    if (!encoded || b.failed) st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "cannot encode PNG %s (out of host memory)", path);
    else st = clgan_write_file_atomic(path, b.data, b.len);
    free(b.data);
    return st;
}

clgan_status clgan_png_check_path(const char *path, const char *fn)
{
    if (!path || !*path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: empty path", fn);
    return CLGAN_OK;
}

/* ---- image grids ------------------------------------------------------------ */

/* Shared by the float and uint8 grids: pixel value of image i, channel ch,
 * row y, column x through fetch(). */
typedef uint8_t (*fetch_fn)(const void *images, size_t index, float lo, float scale);

static uint8_t fetch_f32(const void *images, size_t index, float lo, float scale)
{
    float v = ((const float *)images)[index];
    float t = (v - lo) * scale;
    if (!(t > 0.0f)) return 0; /* also NaN */
    if (t >= 255.0f) return 255;
    return (uint8_t)(t + 0.5f);
}

static uint8_t fetch_u8(const void *images, size_t index, float lo, float scale)
{
    return ((const uint8_t *)images)[index];
}

static clgan_status grid(const char *fn, const char *path, const void *images, fetch_fn fetch, int n, int c, int h,
                         int w, int cols, float lo, float scale, int pad)
{
    TRY(clgan_png_check_path(path, fn));
    if (!images || n <= 0 || (c != 1 && c != 3) || h <= 0 || w <= 0 || cols <= 0 || pad < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s %s: need images, n > 0, c = 1 or 3, h, w, cols > 0 and pad >= 0 (got n=%d c=%d h=%d "
                          "w=%d cols=%d pad=%d)",
                          fn, path, n, c, h, w, cols, pad);
    if (cols > n) cols = n;
    int rows = (n + cols - 1) / cols;
    int64_t W = (int64_t)cols * w + (int64_t)(cols + 1) * pad, H = (int64_t)rows * h + (int64_t)(rows + 1) * pad;
    if (W > CLGAN_PNG_MAX_SIDE || H > CLGAN_PNG_MAX_SIDE || W * H > CLGAN_PNG_MAX_PIXELS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s %s: a grid of %lld x %lld pixels is too large", fn, path,
                          (long long)W, (long long)H);
    uint8_t *px = malloc((size_t)(W * H * c));
    if (!px) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s %s: out of host memory", fn, path);
    memset(px, CLGAN_PNG_GRID_BACKGROUND, (size_t)(W * H * c));
    size_t plane = (size_t)h * w;
    for (int i = 0; i < n; i++) {
        int ox = pad + (i % cols) * (w + pad), oy = pad + (i / cols) * (h + pad);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint8_t *dst = px + (((size_t)(oy + y) * (size_t)W + (size_t)(ox + x)) * (size_t)c);
                for (int ch = 0; ch < c; ch++)
                    dst[ch] = fetch(images, ((size_t)i * c + ch) * plane + (size_t)y * w + x, lo, scale);
            }
    }
    clgan_status st = clgan_png_write(path, (int)W, (int)H, c, px);
    free(px);
    return st;
}

clgan_status clgan_png_grid(const char *path, const float *images, int n, int c, int h, int w, int cols, float lo,
                            float hi, int pad)
{
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_grid %s: value range [%g, %g] is empty",
                          path ? path : "(null)", lo, hi);
    return grid("clgan_png_grid", path, images, fetch_f32, n, c, h, w, cols, lo, 255.0f / (hi - lo), pad);
}

clgan_status clgan_png_grid_u8(const char *path, const uint8_t *images, int n, int c, int h, int w, int cols, int pad)
{
    return grid("clgan_png_grid_u8", path, images, fetch_u8, n, c, h, w, cols, 0.0f, 1.0f, pad);
}
