/* image_file.h — reading one image file (PNG, JPEG, BMP, GIF, TGA, binary
 * PNM) with libjpeg (JPEG) and stb_image (the others), behind checks made
 * from the header before anything is decoded:
 *
 *     clgan_image_info info;
 *     uint8_t *hwc;                       // [h][w][channels], interleaved
 *     if (clgan_image_load_file("a.png", 3, &hwc, &info) != CLGAN_OK)
 *         fprintf(stderr, "clgan: %s\n", clgan_last_error());
 *     ...
 *     clgan_image_free(hwc);
 *
 * The format is told from the content, the way stb_image tells it (JPEG,
 * PNG, BMP, GIF, PNM P5/P6, then TGA, which has no signature). stb_image's
 * other formats (PSD, PIC, HDR) are not images here.
 *
 * Before decoding, the header's width and height are checked:
 *   - neither may be zero (or negative, for BMP);
 *   - at most CLGAN_IMAGE_MAX_SIDE per side and CLGAN_IMAGE_MAX_PIXELS in all;
 *   - the file must be long enough to hold that many pixels in that format:
 *     uncompressed BMP, TGA and PNM need every pixel's bytes; run-length TGA
 *     at least 1 + (bytes per pixel) per 128 pixels; PNG at least 1/1032 of
 *     the raw pixel bytes (deflate's largest ratio); GIF one byte per 4096
 *     pixels (LZW's largest ratio, 12-bit codes); JPEG one byte per 16 blocks
 *     of 8 x 8 pixels (a block takes at least one bit; half that, to be safe);
 *   - the file itself may be at most CLGAN_IMAGE_MAX_FILE_BYTES long;
 *   - the decoder must read the same width and height from the header.
 * So a small file cannot make the decoder allocate much, and an image
 * larger than the limits is reported as such (with the limits), not as
 * "unknown image type". Every failure is CLGAN_ERR_FORMAT (CLGAN_ERR_IO
 * when the file cannot be opened or read, or is not a regular file), with a
 * message that starts with the file's name.
 */
#ifndef CLGAN_IMAGE_FILE_H
#define CLGAN_IMAGE_FILE_H

#include "clgan.h"

#include <stddef.h>
#include <stdint.h>

/* Largest width or height of an image file that is read. */
#define CLGAN_IMAGE_MAX_SIDE 16384
/* Largest width x height: 67,108,864 pixels (8192 x 8192; 64 MiB per channel). */
#define CLGAN_IMAGE_MAX_PIXELS (1L << 26)
/* Largest image file that is read: 512 MiB. */
#define CLGAN_IMAGE_MAX_FILE_BYTES ((size_t)512 << 20)

typedef struct clgan_image_info {
    const char *format; /* "PNG", "JPEG", "BMP", "GIF", "TGA", "PNM"; NULL: the bytes are none of them */
    int sure;           /* 1 when the bytes carry the format's signature (all but TGA, which has none) */
    int w, h;           /* from the header (0 when unknown) */
    int comp;           /* channels as stored: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (0 when unknown) */
} clgan_image_info;

/* Check the header of the image file at path (reads the first few KiB, more
 * only when the header is longer). info is filled as far as the header was
 * understood, also on failure: format NULL means "not an image" (a folder
 * reader ignores such files), format set with a failure means "an image,
 * but unreadable". */
clgan_status clgan_image_probe_file(const char *path, clgan_image_info *info /* OUT */);
/* The same for a whole file held in memory; name is used in messages. */
clgan_status clgan_image_probe_memory(const char *name, const uint8_t *data, size_t len,
                                      clgan_image_info *info /* OUT */);

/* Probe, then decode the whole image to 8-bit channels (1..4; 0 = as
 * stored, then info->comp channels): *hwc is [h][w][channels], interleaved,
 * to be released with clgan_image_free. */
clgan_status clgan_image_load_file(const char *path, int channels, uint8_t **hwc /* OUT */,
                                   clgan_image_info *info /* OUT */);
clgan_status clgan_image_load_memory(const char *name, const uint8_t *data, size_t len, int channels,
                                     uint8_t **hwc /* OUT */, clgan_image_info *info /* OUT */);
void clgan_image_free(uint8_t *hwc);
/* Decode path and convert it to `channels` (1 or 3, the datasets' rule), then
 * stretch it (no crop) to chw [channels][h][w]; info says its own size. */
clgan_status clgan_image_load_stretched(const char *path, int channels, int h, int w, uint8_t *chw /* OUT */,
                                        clgan_image_info *info /* OUT */);

#endif
