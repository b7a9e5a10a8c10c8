/* image_file.c — image files through libjpeg (JPEG) and stb_image (the
 * others), behind the header checks that image_file.h lists. Each format's
 * header is parsed here, telling the formats apart the way stb_image does
 * (JPEG, PNG, BMP, GIF, PNM, then TGA), so the width and height checked are
 * the ones the decoder will allocate for; the decoder's own reading of the
 * header must then agree. clgan_image_read_file (clgan/image.h) reads one
 * file as floats through a one-image dataset; clgan_image_load_stretched
 * decodes one to a given size without cropping (detection scenes).
 */
#include "data/image_file.h"
#include "data/dataset.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <jpeglib.h>
#include <setjmp.h>
#include <stb/stb_image.h>

/* Bytes read for a header check at first; more when the header goes on
 * (JPEG metadata before the frame header, PNM comments). */
#define PREFIX_BYTES 16384

enum { HDR_NONE, HDR_OK, HDR_MORE, HDR_BAD };

typedef struct hdr {
    clgan_image_info info;
    uint64_t w, h;    /* as declared (may exceed int) */
    double min_bytes; /* the smallest file that can hold w x h pixels in this format */
    size_t need;      /* HDR_MORE: prefix bytes wanted */
    char why[160];    /* HDR_BAD: what is wrong with the header */
} hdr;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const uint8_t *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* stb_image's reason for its last failure, escaped: it can quote bytes of
 * the file (a PNG chunk's type). Valid until the next call. */
static const char *stb_reason(const char *otherwise)
{
    static _Thread_local char esc[CLGAN_ESCAPE_CAP];
    return stbi_failure_reason() ? clgan_escape_str(stbi_failure_reason(), esc, sizeof esc) : otherwise;
}

/* The header needs `want` bytes: more of the file, or a truncated header. */
static int short_header(hdr *h, size_t want, size_t n, uint64_t file_len)
{
    if (n < file_len) {
        h->need = want;
        return HDR_MORE;
    }
    snprintf(h->why, sizeof h->why, "the file ends inside the header (%zu bytes)", n);
    return HDR_BAD;
}

static int parse_png(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 8 || memcmp(p, sig, 8) != 0) return HDR_NONE;
    h->info.format = "PNG", h->info.sure = 1;
    size_t pos = 8;
    if (n >= pos + 8 && memcmp(p + pos + 4, "CgBI", 4) == 0) { /* Apple's PNG variant: one chunk before IHDR */
        uint32_t len = be32(p + pos);
        if (len > 64) {
            snprintf(h->why, sizeof h->why, "CgBI chunk of %u bytes", len);
            return HDR_BAD;
        }
        pos += 12 + len;
    }
    if (n < pos + 8 + 13) return short_header(h, pos + 8 + 13, n, file_len);
    if (memcmp(p + pos + 4, "IHDR", 4) != 0 || be32(p + pos) != 13) {
        snprintf(h->why, sizeof h->why, "the first chunk is not a 13-byte IHDR");
        return HDR_BAD;
    }
    const uint8_t *ih = p + pos + 8;
    h->w = be32(ih), h->h = be32(ih + 4);
    int depth = ih[8], colour = ih[9];
    int ch = colour == 0 ? 1 : colour == 2 ? 3 : colour == 3 ? 1 : colour == 4 ? 2 : colour == 6 ? 4 : 0;
    if (!ch || (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)) {
        snprintf(h->why, sizeof h->why, "colour type %d with bit depth %d", colour, depth);
        return HDR_BAD;
    }
    h->info.comp = colour == 3 ? 3 : ch;
    h->min_bytes = (double)h->w * (double)h->h * ch * depth / 8.0 / 1032.0;
    return HDR_OK;
}

static int parse_jpeg(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    size_t pos = 0;
    if (n < 2 || p[0] != 0xff) return HDR_NONE;
    while (pos < n && p[pos] == 0xff) pos++;
    if (pos >= n || p[pos] != 0xd8) return HDR_NONE; /* SOI */
    pos++;
    h->info.format = "JPEG", h->info.sure = 1;
    for (;;) {
        while (pos < n && p[pos] != 0xff) pos++; /* stb_image steps over junk between segments */
        while (pos < n && p[pos] == 0xff) pos++;
        if (pos >= n) return short_header(h, n * 2, n, file_len);
        int m = p[pos++];
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8)) continue; /* no length */
        if (m == 0xd9 || m == 0xda) {
            snprintf(h->why, sizeof h->why, "no frame header (SOF) before the %s", m == 0xd9 ? "end" : "scan");
            return HDR_BAD;
        }
        if (pos + 2 > n) return short_header(h, pos + 2, n, file_len);
        size_t len = be16(p + pos);
        if (len < 2) {
            snprintf(h->why, sizeof h->why, "segment 0x%02x of length %zu", m, len);
            return HDR_BAD;
        }
        if (m == 0xc0 || m == 0xc1 || m == 0xc2) { /* baseline, extended, progressive: what stb_image reads */
            if (pos + 8 > n) return short_header(h, pos + 8, n, file_len);
            h->h = be16(p + pos + 3), h->w = be16(p + pos + 5);
            h->info.comp = p[pos + 7] >= 3 ? 3 : 1;
            h->min_bytes = (double)((h->w + 7) / 8) * (double)((h->h + 7) / 8) / 16.0;
            return HDR_OK;
        }
        if (m >= 0xc3 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            snprintf(h->why, sizeof h->why,
                     "SOF%d: lossless, hierarchical or arithmetic-coded JPEG is not supported", m - 0xc0);
            return HDR_BAD;
        }
        pos += len;
        if (pos >= file_len) {
            snprintf(h->why, sizeof h->why, "the file ends inside segment 0x%02x, before the frame header (SOF)", m);
            return HDR_BAD;
        }
        if (pos > n) {
            h->need = pos + 16;
            return HDR_MORE;
        }
    }
}

static int parse_bmp(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    if (n < 18 || p[0] != 'B' || p[1] != 'M') return HDR_NONE;
    uint32_t hsz = le32(p + 14);
    if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124) return HDR_NONE; /* as stb_image tests */
    h->info.format = "BMP", h->info.sure = 1;
    uint32_t bpp;
    if (hsz == 12) {
        if (n < 26) return short_header(h, 26, n, file_len);
        h->w = le16(p + 18), h->h = le16(p + 20), bpp = le16(p + 24);
    } else {
        if (n < 34) return short_header(h, 34, n, file_len);
        int64_t hh = (int32_t)le32(p + 22); /* negative: rows top-down */
        h->w = le32(p + 18), h->h = (uint64_t)(hh < 0 ? -hh : hh);
        bpp = le16(p + 28);
    }
    h->info.comp = bpp == 32 ? 4 : 3;
    /* stb_image reads uncompressed rows only: it refuses compression 1, 2
     * and >= 4 read as a signed int, and decodes a negative one as
     * uncompressed rows; so every BMP it accepts needs every pixel's bits. */
    h->min_bytes = (double)h->h * (double)((h->w * (bpp ? bpp : 1) + 7) / 8);
    return HDR_OK;
}

static int parse_gif(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    if (n < 6 || memcmp(p, "GIF8", 4) != 0 || (p[4] != '7' && p[4] != '9') || p[5] != 'a') return HDR_NONE;
    h->info.format = "GIF", h->info.sure = 1;
    if (n < 10) return short_header(h, 10, n, file_len);
    h->w = le16(p + 6), h->h = le16(p + 8);
    h->info.comp = 4;
    h->min_bytes = (double)h->w * (double)h->h / 4096.0; /* the whole screen is allocated */
    return HDR_OK;
}

/* PNM as stb_image reads it: P5 or P6, white space and # comments, width,
 * height, maximum value, then binary samples. */
static int pnm_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

static int parse_pnm(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    if (n < 2 || p[0] != 'P' || (p[1] != '5' && p[1] != '6')) return HDR_NONE;
    h->info.format = "PNM";
    h->info.sure = n > 2 && (pnm_space(p[2]) || p[2] == '#');
    h->info.comp = p[1] == '6' ? 3 : 1;
    size_t pos = 2;
    uint64_t v[3];
    for (int k = 0; k < 3; k++) {
        for (;;) { /* white space and comments */
            while (pos < n && pnm_space(p[pos])) pos++;
            if (pos >= n || p[pos] != '#') break;
            while (pos < n && p[pos] != '\n' && p[pos] != '\r') pos++;
        }
        v[k] = 0;
        int digits = 0;
        while (pos < n && p[pos] >= '0' && p[pos] <= '9') {
            if (v[k] < 100000000000ull) v[k] = v[k] * 10 + (uint64_t)(p[pos] - '0');
            pos++, digits++;
        }
        if (pos >= n && n < file_len) return short_header(h, n * 2, n, file_len);
        if (digits > 9 && k < 2) v[k] = 1ull << 40; /* stb_image would overflow: far over the limit anyway */
    }
    h->w = v[0], h->h = v[1];
    if (v[2] > 65535) {
        snprintf(h->why, sizeof h->why, "maximum value %llu (at most 65535)", (unsigned long long)v[2]);
        return HDR_BAD;
    }
    /* the samples start after one white-space byte */
    h->min_bytes = (double)(pos + 1) + (double)h->w * (double)h->h * h->info.comp * (v[2] > 255 ? 2 : 1);
    return HDR_OK;
}

/* TGA has no signature: the same plausibility test as stb_image's. */
static int parse_tga(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    if (n < 18) return HDR_NONE;
    int cmap = p[1], type = p[2], bpp = p[16];
    if (cmap > 1) return HDR_NONE;
    if (cmap == 1) {
        if (type != 1 && type != 9) return HDR_NONE;
        int sz = p[7];
        if (sz != 8 && sz != 15 && sz != 16 && sz != 24 && sz != 32) return HDR_NONE;
        if (bpp != 8 && bpp != 16) return HDR_NONE;
    } else {
        if (type != 2 && type != 3 && type != 10 && type != 11) return HDR_NONE;
        if (bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32) return HDR_NONE;
    }
    h->info.format = "TGA", h->info.sure = 0;
    h->w = le16(p + 12), h->h = le16(p + 14);
    h->info.comp = type == 3 || type == 11 ? (bpp == 16 ? 2 : 1) : bpp == 32 ? 4 : 3;
    double pixels = (double)h->w * (double)h->h, bytes = (bpp + 7) / 8;
    /* Run-length packets hold at most 128 pixels, in at least 1 + bytes bytes. */
    h->min_bytes = type < 8 ? pixels * bytes : (pixels + 127) / 128 * (1 + bytes);
    return HDR_OK;
}

static int parse_header(const uint8_t *p, size_t n, uint64_t file_len, hdr *h)
{
    static int (*const parsers[])(const uint8_t *, size_t, uint64_t, hdr *) = {parse_jpeg, parse_png, parse_bmp,
                                                                               parse_gif, parse_pnm, parse_tga};
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        memset(h, 0, sizeof *h);
        int r = parsers[i](p, n, file_len, h);
        if (r != HDR_NONE) return r;
    }
    memset(h, 0, sizeof *h);
    return HDR_NONE;
}

/* Check the first n bytes of a file of file_len bytes. *more > 0: read that
 * many bytes (or the whole file) and call again. */
/* ---- JPEG through libjpeg ----------------------------------------------
 * JPEG files are decoded by libjpeg(-turbo), not stb_image: stb_image 2.27's
 * JPEG decoder writes past its Huffman tables and shifts by negative counts
 * on corrupt files (found by fuzzing), where libjpeg refuses them. */

/* Scans a progressive file may have: real files have about ten; a corrupt
 * one with thousands makes the decoder spin (libjpeg-turbo's own advice). */
#define JPEG_MAX_SCANS 1000

typedef struct jpeg_failure {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void jpeg_error_exit(j_common_ptr c)
{
    jpeg_failure *f = (jpeg_failure *)c->err;
    f->mgr.format_message(c, f->message);
    longjmp(f->jump, 1);
}

/* libjpeg's warnings (corrupt data it decodes past, as stb_image did) are not printed. */
static void jpeg_no_message(j_common_ptr c) { (void)c; }

static void jpeg_scan_limit(j_common_ptr c)
{
    j_decompress_ptr d = (j_decompress_ptr)c;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        jpeg_failure *f = (jpeg_failure *)c->err;
        snprintf(f->message, sizeof f->message, "more than %d progressive scans", JPEG_MAX_SCANS);
        longjmp(f->jump, 1);
    }
}

/* Read a JPEG held in memory: its size and channels (1 grey, 3 colour: CMYK
 * and YCCK files become RGB as stb_image made them, R = C K / 255), and
 * unless header_only its pixels, [h][w][comp] malloc'd into *px. */
static clgan_status jpeg_read(const char *name, const uint8_t *data, size_t len, int header_only, int *w, int *h,
                              int *comp, uint8_t **px)
{
    struct jpeg_decompress_struct d;
    struct jpeg_progress_mgr progress = {.progress_monitor = jpeg_scan_limit};
    jpeg_failure fail;
    uint8_t *volatile out = NULL, *volatile row = NULL;
    d.err = jpeg_std_error(&fail.mgr);
    fail.mgr.error_exit = jpeg_error_exit;
    fail.mgr.output_message = jpeg_no_message;
    if (setjmp(fail.jump)) {
        jpeg_destroy_decompress(&d);
        free(out), free(row);
        char esc[CLGAN_ESCAPE_CAP];
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot %s the image: %s", name, header_only ? "read" : "decode",
                          clgan_escape_str(fail.message, esc, sizeof esc));
    }
    jpeg_create_decompress(&d);
    d.progress = &progress;
    jpeg_mem_src(&d, data, (unsigned long)len);
    jpeg_read_header(&d, TRUE);
    int cmyk = d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK;
    *w = (int)d.image_width, *h = (int)d.image_height, *comp = d.num_components == 1 ? 1 : 3;
    if (header_only) {
        jpeg_destroy_decompress(&d);
        return CLGAN_OK;
    }
    d.out_color_space = *comp == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&d);
    size_t out_row = (size_t)d.output_width * (size_t)*comp;
    out = malloc(out_row * d.output_height);
    row = malloc((size_t)d.output_width * (size_t)d.output_components);
    if (!out || !row) {
        snprintf(fail.message, sizeof fail.message, "out of host memory for %u x %u pixels", d.output_width,
                 d.output_height);
        longjmp(fail.jump, 1);
    }
    while (d.output_scanline < d.output_height) {
        uint8_t *dst = out + out_row * d.output_scanline;
        JSAMPROW r = cmyk ? row : dst;
        if (jpeg_read_scanlines(&d, &r, 1) != 1) break;
        if (cmyk)
            for (size_t x = 0; x < d.output_width; x++)
                for (int ch = 0; ch < 3; ch++) dst[3 * x + ch] = (uint8_t)((row[4 * x + ch] * row[4 * x + 3] + 127) / 255);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    free(row);
    *px = out;
    return CLGAN_OK;
}

static clgan_status check(const char *name, const uint8_t *p, size_t n, uint64_t file_len, clgan_image_info *info,
                          size_t *more)
{
    hdr h;
    *more = 0;
    int r = parse_header(p, n, file_len, &h);
    *info = h.info;
    if (r == HDR_MORE) {
        *more = h.need > n ? h.need : n + 1;
        return CLGAN_OK;
    }
    if (r == HDR_NONE)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot read the image: not a format clgan reads (PNG, JPEG, BMP, GIF, TGA, binary PNM)",
                          name);
    const char *fmt = h.info.format;
    if (r == HDR_BAD) return clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot read the image: %s header: %s", name, fmt, h.why);
    unsigned long long w = h.w, hh = h.h;
    if (w == 0 || hh == 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot read the image: its %s header says %llu x %llu pixels (zero %s)",
                          name, fmt, w, hh, w == 0 ? "width" : "height");
    if (w > CLGAN_IMAGE_MAX_SIDE || hh > CLGAN_IMAGE_MAX_SIDE || w * hh > (unsigned long long)CLGAN_IMAGE_MAX_PIXELS)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot read the image: its %s header says %llu x %llu pixels, over clgan's limit of %d "
                          "pixels per side and %ld pixels in all",
                          name, fmt, w, hh, CLGAN_IMAGE_MAX_SIDE, (long)CLGAN_IMAGE_MAX_PIXELS);
    if ((double)file_len < h.min_bytes)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot read the image: its %s header says %llu x %llu pixels, which take at least "
                          "%.0f bytes, but the file has %llu (truncated or corrupt)",
                          name, fmt, w, hh, h.min_bytes, (unsigned long long)file_len);
    if (file_len > CLGAN_IMAGE_MAX_FILE_BYTES)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot read the image: the file has %llu bytes, over clgan's limit of %zu for an image "
                          "file",
                          name, (unsigned long long)file_len, CLGAN_IMAGE_MAX_FILE_BYTES);
    info->w = (int)w, info->h = (int)hh;
    int sw, sh, sc;
    if (!strcmp(fmt, "JPEG")) {
        clgan_status st = jpeg_read(name, p, n, 1, &sw, &sh, &sc, NULL);
        if (st != CLGAN_OK && n < file_len) { /* its scan starts past the prefix: all of it */
            *more = (size_t)file_len;
            return CLGAN_OK;
        }
        TRY(st);
    } else if (!stbi_info_from_memory(p, (int)n, &sw, &sh, &sc)) {
        if (n < file_len) { /* stb_image may want chunks past the prefix (a PNG's palette): all of it */
            *more = (size_t)file_len;
            return CLGAN_OK;
        }
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot read the image: %s", name, stb_reason("stb_image refuses its header"));
    }
    if (sw != info->w || sh != info->h)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot read the image: its %s header says %d x %d pixels, but its decoder reads %d x %d",
                          name, fmt, info->w, info->h, sw, sh);
    info->comp = sc;
    return CLGAN_OK;
}

clgan_status clgan_image_probe_memory(const char *name, const uint8_t *data, size_t len, clgan_image_info *info)
{
    size_t more;
    memset(info, 0, sizeof *info);
    if (len > (size_t)CLGAN_IMAGE_MAX_FILE_BYTES + 1) len = (size_t)CLGAN_IMAGE_MAX_FILE_BYTES + 1; /* int for stb */
    clgan_status st = check(name, data, len, len, info, &more);
    if (st == CLGAN_OK && more) /* cannot happen: the whole file was given */
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot read the image: the header goes past the end", name);
    return st;
}

/* Read bytes [have, want) of fd into *buf (grown to want). */
static clgan_status read_more(int fd, const char *path, uint8_t **buf, size_t have, size_t want, size_t *got)
{
    uint8_t *nb = realloc(*buf, want ? want : 1);
    if (!nb) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu bytes", path, want);
    *buf = nb;
    size_t n = have;
    while (n < want) {
        ssize_t r = read(fd, nb + n, want - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return clgan_fail(CLGAN_ERR_IO, "%s: read error after %zu bytes: %s", path, n, strerror(errno));
        if (r == 0) break; /* the file shrank */
        n += (size_t)r;
    }
    *got = n;
    return CLGAN_OK;
}

/* Probe path; with whole != NULL, also hand back the whole file. */
static clgan_status probe_file(const char *path, clgan_image_info *info, uint8_t **whole, size_t *whole_len)
{
    int fd;
    uint64_t size;
    memset(info, 0, sizeof *info);
    TRY(clgan_open_regular(path, &fd, &size));
    uint8_t *buf = NULL;
    size_t n = 0, want = size < PREFIX_BYTES ? (size_t)size : PREFIX_BYTES, more = 0;
    clgan_status st;
    for (;;) {
        st = read_more(fd, path, &buf, n, want, &n);
        if (st != CLGAN_OK) break;
        if (n < want) size = n; /* the file shrank while being read */
        st = check(path, buf, n, size, info, &more);
        if (st != CLGAN_OK || !more) break;
        if (size > CLGAN_IMAGE_MAX_FILE_BYTES) { /* the header runs on past what is read */
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "%s: cannot read the image: the file has %llu bytes, over clgan's limit of %zu for an "
                            "image file",
                            path, (unsigned long long)size, CLGAN_IMAGE_MAX_FILE_BYTES);
            break;
        }
        want = more > n * 2 ? more : n * 2;
        if (want > size) want = (size_t)size;
    }
    if (st == CLGAN_OK && whole) {
        if (n < size) st = read_more(fd, path, &buf, n, (size_t)size, &n);
        if (st == CLGAN_OK) *whole = buf, *whole_len = n, buf = NULL;
    }
    free(buf);
    close(fd);
    return st;
}

clgan_status clgan_image_probe_file(const char *path, clgan_image_info *info)
{
    return probe_file(path, info, NULL, NULL);
}

/* Interleaved 8-bit pixels from cin to cout channels (1 grey, 2 grey +
 * alpha, 3 RGB, 4 RGBA), as stb_image converts: grey from RGB is
 * (77 R + 150 G + 29 B) >> 8, a missing alpha is 255. malloc'd, as
 * stb_image's own buffers are (its default allocator), so that
 * clgan_image_free releases either. */
static uint8_t *convert(const uint8_t *in, int cin, int cout, size_t pixels)
{
    uint8_t *out = malloc(pixels * (size_t)cout);
    if (!out) return NULL;
    for (size_t i = 0; i < pixels; i++) {
        const uint8_t *p = in + i * (size_t)cin;
        uint8_t *q = out + i * (size_t)cout;
        int colour = cin >= 3, alpha = cin == 2 || cin == 4;
        uint8_t a = alpha ? p[cin - 1] : 255;
        uint8_t y = colour ? (uint8_t)((p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8) : p[0];
        if (cout <= 2) {
            q[0] = y;
            if (cout == 2) q[1] = a;
        } else {
            q[0] = p[0], q[1] = colour ? p[1] : p[0], q[2] = colour ? p[2] : p[0];
            if (cout == 4) q[3] = a;
        }
    }
    return out;
}

/* Bytes a PNG's image data inflates to: a filter byte and the packed
 * pixels of every row, of each of the 7 Adam7 passes when interlaced. */
static uint64_t png_raw_bytes(uint64_t w, uint64_t h, uint64_t bits, int interlaced)
{
    if (!interlaced) return h * (1 + (w * bits + 7) / 8);
    static const int x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static const int dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    uint64_t total = 0;
    for (int i = 0; i < 7; i++) {
        uint64_t pw = w > (uint64_t)x0[i] ? (w - x0[i] + dx[i] - 1) / dx[i] : 0;
        uint64_t ph = h > (uint64_t)y0[i] ? (h - y0[i] + dy[i] - 1) / dy[i] : 0;
        if (pw && ph) total += ph * (1 + (pw * bits + 7) / 8);
    }
    return total;
}

/* Slack allowed past the bytes the header's pixels need. */
#define PNG_INFLATE_SLACK (64u << 10)

/* A whole PNG file before stb_image decodes it: every chunk must lie within
 * the file, and the image data must inflate to no more than the header's
 * pixels need (stb_image grows its buffers to what a chunk length or the
 * compressed stream claims, gigabytes from a few hundred bytes). Empty IDAT
 * chunks are dropped (stb_image 2.27 copies an empty first one to a NULL
 * buffer): then *fixed holds the copy to decode, else it is NULL. */
static clgan_status png_check(const char *name, const uint8_t *p, size_t len, uint8_t **fixed, size_t *fixed_len)
{
    *fixed = NULL;
    uint64_t w = 0, h = 0, bits = 0, raw = 0;
    int interlaced = 0, cgbi = 0, empty = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    int zinit = 0, zdone = 0;
    uint64_t out = 0;
    uint8_t scratch[16384];
    clgan_status st = CLGAN_OK;
    size_t pos = 8;
    while (pos + 8 <= len && st == CLGAN_OK) { /* a chunk's length and type: then its data and CRC must follow */
        uint32_t n = be32(p + pos);
        const uint8_t *type = p + pos + 4, *data = p + pos + 8;
        char tname[CLGAN_ESCAPE_CAP];
        if ((uint64_t)n + 12 > len - pos) {
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "%s: cannot read the image: PNG chunk '%s' of %u bytes runs past the end of the file "
                            "(truncated or corrupt)",
                            name, clgan_escape(type, 4, tname, sizeof tname), n);
            break;
        }
        if (!memcmp(type, "CgBI", 4)) cgbi = 1;
        if (!memcmp(type, "IHDR", 4) && n == 13) {
            static const int channels[7] = {1, 0, 3, 1, 2, 0, 4};
            w = be32(data), h = be32(data + 4);
            bits = (uint64_t)data[8] * (data[9] < 7 ? channels[data[9]] : 0);
            interlaced = data[12] != 0;
            raw = png_raw_bytes(w, h, bits, interlaced);
        }
        if (!memcmp(type, "IDAT", 4)) {
            empty += n == 0;
            if (!zinit) { /* zlib data, or raw deflate in Apple's CgBI variant */
                if (inflateInit2(&z, cgbi ? -15 : 15) != Z_OK) break; /* no memory: let stb_image try */
                zinit = 1;
            }
            z.next_in = (Bytef *)data, z.avail_in = n;
            while (!zdone && z.avail_in > 0) {
                z.next_out = scratch, z.avail_out = sizeof scratch;
                int r = inflate(&z, Z_NO_FLUSH);
                out += sizeof scratch - z.avail_out;
                if (out > raw + PNG_INFLATE_SLACK) {
                    st = clgan_fail(CLGAN_ERR_FORMAT,
                                    "%s: cannot read the image: its PNG data inflates to more than the %llu bytes its "
                                    "%llu x %llu pixels need (corrupt, or made to exhaust memory)",
                                    name, (unsigned long long)raw, (unsigned long long)w, (unsigned long long)h);
                    break;
                }
                if (r != Z_OK) zdone = 1; /* the end, or an error stb_image will report */
            }
        }
        pos += 12 + (size_t)n;
        if (!memcmp(type, "IEND", 4)) break;
    }
    if (zinit) inflateEnd(&z);
    if (st != CLGAN_OK || !empty) return st;
    uint8_t *copy = malloc(len);
    if (!copy) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu bytes", name, len);
    size_t o = 8;
    memcpy(copy, p, 8);
    for (pos = 8; pos + 12 <= len;) {
        uint32_t n = be32(p + pos);
        if (n > len - pos - 12) break;
        if (n != 0 || memcmp(p + pos + 4, "IDAT", 4) != 0) memcpy(copy + o, p + pos, 12 + (size_t)n), o += 12 + n;
        pos += 12 + (size_t)n;
    }
    memcpy(copy + o, p + pos, len - pos); /* whatever follows, as it is */
    *fixed = copy, *fixed_len = o + (len - pos);
    return CLGAN_OK;
}

clgan_status clgan_image_load_memory(const char *name, const uint8_t *data, size_t len, int channels, uint8_t **hwc,
                                     clgan_image_info *info)
{
    *hwc = NULL;
    if (channels < 0 || channels > 4)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: channels must be 0..4, not %d", name, channels);
    TRY(clgan_image_probe_memory(name, data, len, info));
    int w, h, comp;
    /* Decoded with its own channels, converted here: stb_image 2.27 converts
     * 16-bit PNM samples with its 8-bit converter and overruns the buffer. */
    size_t fixed_len = 0;
    uint8_t *fixed = NULL;
    if (!strcmp(info->format, "PNG")) TRY(png_check(name, data, len, &fixed, &fixed_len));
    uint8_t *px = NULL;
    if (!strcmp(info->format, "JPEG")) {
        TRY(jpeg_read(name, data, len, 0, &w, &h, &comp, &px));
    } else {
        px = stbi_load_from_memory(fixed ? fixed : data, (int)(fixed ? fixed_len : len), &w, &h, &comp, 0);
        free(fixed);
        if (!px)
            return clgan_fail(CLGAN_ERR_FORMAT, "%s: cannot decode the image: %s", name, stb_reason("unknown error"));
    }
    if (w != info->w || h != info->h || comp < 1 || comp > 4) {
        stbi_image_free(px);
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: cannot decode the image: decoded as %d x %d x %d, but its header says %d x %d", name, w,
                          h, comp, info->w, info->h);
    }
    if (channels && channels != comp) {
        uint8_t *out = convert(px, comp, channels, (size_t)w * (size_t)h);
        stbi_image_free(px);
        if (!out)
            return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for a %d x %d image", name, w, h);
        px = out;
    }
    *hwc = px;
    return CLGAN_OK;
}

clgan_status clgan_image_load_file(const char *path, int channels, uint8_t **hwc, clgan_image_info *info)
{
    uint8_t *data = NULL;
    size_t len = 0;
    *hwc = NULL;
    if (channels < 0 || channels > 4)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: channels must be 0..4, not %d", path, channels);
    TRY(probe_file(path, info, &data, &len));
    clgan_status st = clgan_image_load_memory(path, data, len, channels, hwc, info);
    free(data);
    return st;
}

void clgan_image_free(uint8_t *hwc) { stbi_image_free(hwc); }

/* clgan/image.h: one file as floats [channels, size, size], through a
 * one-image dataset so that the resize, crop and channel conversion are the
 * dataset readers' own. */
clgan_status clgan_image_read_file(const char *path, int channels, int size, float *chw)
{
    if (!path || !chw) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_image_read_file: NULL argument");
    if ((channels != 1 && channels != 3) || size < 1 || size > CLGAN_IMAGE_MAX_SIDE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: channels must be 1 or 3 and size 1..%d, not %d and %d", path,
                          CLGAN_IMAGE_MAX_SIDE, channels, size);
    clgan_image_info info;
    TRY(clgan_image_probe_file(path, &info));
    int C = info.comp >= 3 ? 3 : 1; /* decoded at its own channels, converted with the dataset's rule below */
    uint8_t *hwc;
    TRY(clgan_image_load_file(path, C, &hwc, &info));
    clgan_dataset *d;
    clgan_status st = clgan_dataset_alloc(1, C, info.h, info.w, 0, &d);
    if (st != CLGAN_OK) {
        clgan_image_free(hwc);
        return clgan_fail_context(st, "%s", path);
    }
    size_t hw = (size_t)info.w * info.h;
    for (size_t p = 0; p < hw; p++)
        for (int ch = 0; ch < C; ch++) d->pixels[(size_t)ch * hw + p] = hwc[p * C + ch];
    clgan_image_free(hwc);
    d->labels[0] = -1;
    st = clgan_dataset_convert(d, size, channels);
    if (st == CLGAN_OK) {
        size_t n = (size_t)channels * size * size;
        for (size_t i = 0; i < n; i++) chw[i] = clgan_pixel_float(d->pixels[i]);
    } else
        clgan_fail_context(st, "%s", path);
    clgan_dataset_free(d);
    return st;
}

clgan_status clgan_image_load_stretched(const char *path, int channels, int h, int w, uint8_t *chw,
                                        clgan_image_info *info)
{
    TRY(clgan_image_probe_file(path, info));
    int cin = info->comp >= 3 ? 3 : 1;
    uint8_t *hwc;
    TRY(clgan_image_load_file(path, cin, &hwc, info));
    size_t hw = (size_t)info->w * info->h;
    uint8_t *planar = malloc(hw * cin), *converted = malloc(hw * channels);
    clgan_status st = CLGAN_OK;
    if (!planar || !converted)
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for a %d x %d image", path, info->w, info->h);
    else {
        for (size_t k = 0; k < hw; k++)
            for (int ch = 0; ch < cin; ch++) planar[(size_t)ch * hw + k] = hwc[k * cin + ch];
        clgan_convert_channels(planar, cin, converted, channels, hw);
        clgan_resize_stretch(converted, channels, info->h, info->w, chw, h, w);
    }
    clgan_image_free(hwc);
    free(planar);
    free(converted);
    return st;
}

clgan_status clgan_image_read_file_stretched(const char *path, int channels, int size, float *chw, int *orig_w,
                                             int *orig_h)
{
    if (!path || !chw) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_image_read_file_stretched: NULL argument");
    if ((channels != 1 && channels != 3) || size < 1 || size > CLGAN_IMAGE_MAX_SIDE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: channels must be 1 or 3 and size 1..%d, not %d and %d", path,
                          CLGAN_IMAGE_MAX_SIDE, channels, size);
    size_t n = (size_t)channels * size * size;
    uint8_t *px = malloc(n);
    if (!px) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
    clgan_image_info info;
    clgan_status st = clgan_image_load_stretched(path, channels, size, size, px, &info);
    if (st == CLGAN_OK) {
        for (size_t i = 0; i < n; i++) chw[i] = clgan_pixel_float(px[i]);
        if (orig_w) *orig_w = info.w;
        if (orig_h) *orig_h = info.h;
    }
    free(px);
    return st;
}
