/* test_readers.c — the data readers against hostile input (host only):
 * image headers with zero, huge or impossible sizes for their file length
 * (PNG, JPEG, BMP, GIF, TGA, PNM), image folders that skip and count every
 * kind of unreadable image and check the other split's files at open, the
 * hashed split's messages, IDX and CIFAR-10 files whose headers promise more
 * than the file can hold (plain and gzip), paths that are not regular files
 * (/dev/null, a FIFO: refused without blocking), and a quick mutation pass
 * over small valid images of every format through the memory entry point.
 */
#include "data/dataset.h"
#include "data/image_file.h"
#include "test_files.h"

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <stb/stb_image_write.h>

static int failures;
static char tmp[256];

#define EXPECT(cond, ...)                                 \
    do {                                                  \
        if (cond) printf("ok   " __VA_ARGS__);            \
        else {                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);  \
            printf(__VA_ARGS__);                          \
            failures++;                                   \
        }                                                 \
        printf("\n");                                     \
        fflush(stdout);                                   \
    } while (0)

static int has(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static void put16le(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32le(uint8_t *p, uint32_t v) { put16le(p, v), put16le(p + 2, v >> 16); }

static void write_png(const char *path, int w, int h, int comp, int v)
{
    uint8_t px[64 * 64 * 3];
    for (int i = 0; i < w * h * comp; i++) px[i] = (uint8_t)(v + i);
    stbi_write_png(path, w, h, comp, px, w * comp);
}

/* The message of a failed probe of bytes, or "" when it passed. */
static const char *probe_msg(const void *data, size_t len, clgan_status *st, clgan_image_info *info)
{
    *st = clgan_image_probe_memory("x.img", data, len, info);
    return *st == CLGAN_OK ? "" : clgan_last_error();
}

/* A PNG header (signature, IHDR) and IEND, nothing else: w x h grey. */
static size_t png_header(uint8_t *b, uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(b, sig, 8);
    test_put32be(b + 8, 13);
    memcpy(b + 12, "IHDR", 4);
    test_put32be(b + 16, w), test_put32be(b + 20, h);
    b[24] = 8, b[25] = 0, b[26] = 0, b[27] = 0, b[28] = 0;
    test_put32be(b + 29, (uint32_t)crc32(0, b + 12, 17));
    test_put32be(b + 33, 0);
    memcpy(b + 37, "IEND", 4);
    test_put32be(b + 41, (uint32_t)crc32(0, b + 37, 4));
    return 45;
}

/* A TGA header: uncompressed (type 2) or run-length (type 10) RGB. */
static size_t tga_header(uint8_t *b, int type, uint32_t w, uint32_t h, size_t total)
{
    memset(b, 0, total);
    b[2] = (uint8_t)type;
    put16le(b + 12, w), put16le(b + 14, h);
    b[16] = 24;
    return total;
}

/* The classic 1x1 GIF. */
static const uint8_t gif1[] = {'G',  'I',  'F',  '8',  '9',  'a',  1,    0,    1,    0,    0x80, 0,    0,    0,    0,
                               0,    0xff, 0xff, 0xff, 0x2c, 0,    0,    0,    0,    1,    0,    1,    0,    0,    2,
                               2,    0x44, 0x01, 0,    0x3b};

static void test_headers(void)
{
    uint8_t b[4096];
    clgan_status st;
    clgan_image_info info;
    const char *m;
    uint8_t *px = NULL;

    /* Finding 1: a PPM of zero height. */
    static const char ppm0[] = "P6\n3 \0\n255\n";
    m = probe_msg(ppm0, sizeof ppm0 - 1, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "x.img") && has(m, "zero height") && info.format && info.sure,
           "PPM of zero height refused: %s", m);
    /* and zero width in a PNG */
    m = probe_msg(b, png_header(b, 0, 5), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "zero width"), "PNG of zero width refused: %s", m);

    /* Finding 3: the 37-byte TGA declaring 11007 x 64768 (4.4 GB to decode). */
    m = probe_msg(b, tga_header(b, 2, 11007, 64768, 37), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "11007 x 64768") && has(m, "limit of 16384 pixels per side"),
           "37-byte TGA of 11007 x 64768: %s", m);
    /* within the limits, but far more pixels than 37 bytes hold */
    m = probe_msg(b, tga_header(b, 2, 4000, 4000, 37), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "4000 x 4000") && has(m, "48000000 bytes") && has(m, "has 37"),
           "37-byte uncompressed TGA of 4000 x 4000: %s", m);
    m = probe_msg(b, tga_header(b, 10, 4000, 4000, 37), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "truncated or corrupt"), "37-byte run-length TGA of 4000 x 4000: %s", m);

    /* A valid header of a 30000 x 30000 PNG: the limit, not "unknown image type". */
    m = probe_msg(b, png_header(b, 30000, 30000), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "30000 x 30000") && has(m, "16384") && has(m, "67108864") &&
               !has(m, "unknown"),
           "30000 x 30000 PNG: %s", m);
    /* 16384 x 16384: each side allowed, the pixel count is not */
    m = probe_msg(b, png_header(b, 16384, 16384), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "limit"), "16384 x 16384 PNG over the pixel limit: %s", m);
    /* 8000 x 8000 grey in a 45-byte file: deflate cannot hold it */
    m = probe_msg(b, png_header(b, 8000, 8000), &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "truncated or corrupt"), "45-byte PNG of 8000 x 8000: %s", m);

    /* A PNG with an empty IDAT chunk before its data decodes to the same pixels. */
    {
        uint8_t grey[6 * 5];
        for (int i = 0; i < 30; i++) grey[i] = (uint8_t)(i * 8);
        stbi_write_png(test_fmt("%s/e.png", tmp), 6, 5, 1, grey, 6);
        size_t plen;
        uint8_t *png = test_read_file(test_fmt("%s/e.png", tmp), &plen);
        size_t at = 8;
        while (png && at + 8 <= plen && memcmp(png + at + 4, "IDAT", 4) != 0) /* to the first IDAT */
            at += 12 + ((size_t)png[at] << 24 | (size_t)png[at + 1] << 16 | (size_t)png[at + 2] << 8 | png[at + 3]);
        uint8_t *two = malloc(plen + 12);
        if (png && two && at + 8 <= plen) {
            memcpy(two, png, at);
            test_put32be(two + at, 0), memcpy(two + at + 4, "IDAT", 4);
            test_put32be(two + at + 8, (uint32_t)crc32(0, (const uint8_t *)"IDAT", 4));
            memcpy(two + at + 12, png + at, plen - at);
            st = clgan_image_load_memory("e.png", two, plen + 12, 1, &px, &info);
            EXPECT(st == CLGAN_OK && px && !memcmp(px, grey, 30), "PNG with an empty first IDAT decodes (%s)",
                   st == CLGAN_OK ? "same pixels" : clgan_last_error());
            clgan_image_free(px);
        } else {
            EXPECT(0, "PNG with an empty first IDAT: could not build it");
        }
        free(png), free(two);
    }

    /* PNG chunks that claim more than the file, or data inflating past what
     * the header's pixels need: refused before stb_image grows buffers to them. */
    {
        size_t n = png_header(b, 1, 1) - 12; /* before IEND */
        test_put32be(b + n, 0x7ffffff0u), memcpy(b + n + 4, "IDAT", 4), memset(b + n + 8, 0, 16);
        m = clgan_image_load_memory("x.png", b, n + 24, 1, &px, &info) == CLGAN_OK ? "" : clgan_last_error();
        EXPECT(!px && has(m, "chunk 'IDAT' of 2147483632 bytes runs past the end"), "PNG chunk past the end: %s", m);
        m = clgan_image_load_memory("x.png", b, n + 8, 1, &px, &info) == CLGAN_OK ? "" : clgan_last_error();
        EXPECT(!px && has(m, "runs past the end"), "PNG cut after a chunk's length and type: %s", m);
        static uint8_t raw[4 << 20]; /* 4 MiB of zeros for one 1 x 1 grey pixel (2 bytes) */
        uLongf zn = compressBound(sizeof raw);
        uint8_t *zb = malloc(zn + 64);
        compress2(zb + 8, &zn, raw, sizeof raw, 9);
        uint8_t *bomb = malloc(64 + zn);
        n = png_header(bomb, 1, 1) - 12;
        test_put32be(bomb + n, (uint32_t)zn), memcpy(bomb + n + 4, "IDAT", 4), memcpy(bomb + n + 8, zb + 8, zn);
        test_put32be(bomb + n + 8 + zn, (uint32_t)crc32(0, bomb + n + 4, (uInt)zn + 4));
        n += 12 + zn;
        test_put32be(bomb + n, 0), memcpy(bomb + n + 4, "IEND", 4), test_put32be(bomb + n + 8, (uint32_t)crc32(0, bomb + n + 4, 4));
        m = clgan_image_load_memory("bomb.png", bomb, n + 12, 1, &px, &info) == CLGAN_OK ? "" : clgan_last_error();
        EXPECT(!px && has(m, "inflates to more than the 2 bytes its 1 x 1 pixels need"),
               "%zu-byte PNG inflating to 4 MiB for one pixel: %s", n + 12, m);
        free(zb), free(bomb);
    }

    /* GIF: the 1x1 one reads; a 16384 x 4096 screen in 35 bytes does not. */
    px = NULL;
    st = clgan_image_load_memory("one.gif", gif1, sizeof gif1, 3, &px, &info);
    EXPECT(st == CLGAN_OK && info.w == 1 && info.h == 1 && px && !strcmp(info.format, "GIF"), "1x1 GIF decodes (%s)",
           st == CLGAN_OK ? "" : clgan_last_error());
    clgan_image_free(px);
    memcpy(b, gif1, sizeof gif1);
    put16le(b + 6, 16384), put16le(b + 8, 4096);
    m = probe_msg(b, sizeof gif1, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "truncated or corrupt"), "35-byte GIF of 16384 x 4096: %s", m);

    /* BMP: a real one, then cut; a height of INT32_MIN. */
    uint8_t rgb[32 * 16 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 7);
    EXPECT(stbi_write_bmp(test_fmt("%s/a.bmp", tmp), 32, 16, 3, rgb) != 0, "write a.bmp");
    size_t len;
    uint8_t *bmp = test_read_file(test_fmt("%s/a.bmp", tmp), &len);
    st = clgan_image_load_memory("a.bmp", bmp, len, 3, &px, &info);
    EXPECT(st == CLGAN_OK && info.w == 32 && info.h == 16 && px && px[0] == rgb[0] && px[3 * 32 * 16 - 1] == rgb[3 * 32 * 16 - 1],
           "32 x 16 BMP decodes to its pixels");
    clgan_image_free(px);
    m = probe_msg(bmp, len / 2, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "BMP") && has(m, "truncated or corrupt"), "BMP cut in half: %s", m);
    put32le(bmp + 22, 0x80000000u);
    m = probe_msg(bmp, len, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "2147483648") && has(m, "limit"), "BMP of height INT32_MIN: %s", m);
    /* A compression field negative as a signed int: stb_image decodes such
     * a BMP as uncompressed rows, so it must hold them (found by fuzzing). */
    {
        static const uint8_t bmp[64] = {'B', 'M', 64, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0,
                                        0x04, 0x04, 0, 0, 0x01, 0x3a, 0, 0, 1, 0, 24, 0, 0x00, 0x01, 0x5f, 0xb5};
        m = probe_msg(bmp, sizeof bmp, &st, &info);
        EXPECT(st == CLGAN_ERR_FORMAT && has(m, "1028 x 14849") && has(m, "truncated or corrupt"),
               "64-byte BMP of 1028 x 14849 with a negative compression field: %s", m);
    }
    free(bmp);

    /* JPEG: a real one; then its frame header patched to 4000 x 4000. */
    EXPECT(stbi_write_jpg(test_fmt("%s/a.jpg", tmp), 32, 16, 3, rgb, 90) != 0, "write a.jpg");
    uint8_t *jpg = test_read_file(test_fmt("%s/a.jpg", tmp), &len);
    st = clgan_image_load_memory("a.jpg", jpg, len, 1, &px, &info);
    EXPECT(st == CLGAN_OK && info.w == 32 && info.h == 16 && info.comp == 3, "32 x 16 JPEG decodes");
    clgan_image_free(px);
    /* Its pixels (libjpeg decodes JPEG): a smooth image comes back close, in colour and in grey. */
    {
        uint8_t smooth[32 * 16 * 3];
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 32; x++)
                smooth[(y * 32 + x) * 3] = (uint8_t)(x * 8), smooth[(y * 32 + x) * 3 + 1] = (uint8_t)(y * 16),
                                     smooth[(y * 32 + x) * 3 + 2] = 128;
        EXPECT(stbi_write_jpg(test_fmt("%s/s.jpg", tmp), 32, 16, 3, smooth, 95) != 0, "write s.jpg");
        double err_rgb = 1e9, err_grey = 1e9;
        if (clgan_image_load_file(test_fmt("%s/s.jpg", tmp), 3, &px, &info) == CLGAN_OK) {
            err_rgb = 0;
            for (size_t i = 0; i < sizeof smooth; i++) err_rgb += fabs((double)px[i] - smooth[i]) / sizeof smooth;
            clgan_image_free(px);
        }
        if (clgan_image_load_file(test_fmt("%s/s.jpg", tmp), 1, &px, &info) == CLGAN_OK) {
            err_grey = 0;
            for (int i = 0; i < 32 * 16; i++) {
                int g = (77 * smooth[3 * i] + 150 * smooth[3 * i + 1] + 29 * smooth[3 * i + 2]) >> 8;
                err_grey += fabs((double)px[i] - g) / (32 * 16);
            }
            clgan_image_free(px);
        }
        EXPECT(err_rgb < 4 && err_grey < 4, "JPEG pixels: mean error %.2f in RGB, %.2f in grey (< 4)", err_rgb,
               err_grey);
    }
    size_t sof = 0;
    for (size_t i = 2; i + 9 < len && !sof; i++)
        if (jpg[i] == 0xff && (jpg[i + 1] == 0xc0 || jpg[i + 1] == 0xc2)) sof = i;
    EXPECT(sof > 0, "JPEG has a frame header");
    if (sof) {
        jpg[sof + 5] = 4000 >> 8, jpg[sof + 6] = 4000 & 255, jpg[sof + 7] = 4000 >> 8, jpg[sof + 8] = 4000 & 255;
        m = probe_msg(jpg, len, &st, &info);
        EXPECT(st == CLGAN_ERR_FORMAT && has(m, "JPEG") && has(m, "4000 x 4000") && has(m, "truncated or corrupt"),
               "%zu-byte JPEG of 4000 x 4000: %s", len, m);
        jpg[sof + 5] = 0, jpg[sof + 6] = 0;
        m = probe_msg(jpg, len, &st, &info);
        EXPECT(st == CLGAN_ERR_FORMAT && has(m, "zero height"), "JPEG of zero height: %s", m);
    }
    free(jpg);

    /* A Huffman table with more than 256 codes (stb_image 2.27 wrote past
     * its table for it; JPEG is libjpeg's now): refused after the frame
     * header, where the encoder put it, and before it. */
    jpg = test_read_file(test_fmt("%s/a.jpg", tmp), &len);
    size_t dht = 0;
    for (size_t i = 2; i + 21 < len && !dht; i++)
        if (jpg[i] == 0xff && jpg[i + 1] == 0xc4) dht = i;
    EXPECT(dht > sof && sof > 0, "JPEG has a Huffman table after its frame header");
    if (dht) {
        memset(jpg + dht + 5, 0x20, 16); /* 16 x 32 = 512 codes */
        st = clgan_image_load_memory("a.jpg", jpg, len, 1, &px, &info);
        m = st == CLGAN_OK ? "" : clgan_last_error();
        EXPECT(st == CLGAN_ERR_FORMAT && !px && has(m, "a.jpg") && has(m, "Huffman table"),
               "JPEG with a 512-code Huffman table after its frame header: %s", m);
    }
    free(jpg);
    {
        uint8_t j[64] = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x13, 0x00};
        memset(j + 7, 0x20, 16);
        static const uint8_t sof0[] = {0xff, 0xc0, 0x00, 0x0b, 8, 0, 1, 0, 1, 1, 1, 0x11, 0};
        memcpy(j + 23, sof0, sizeof sof0);
        j[36] = 0xff, j[37] = 0xd9;
        m = probe_msg(j, 38, &st, &info);
        EXPECT(st == CLGAN_ERR_FORMAT && has(m, "x.img: cannot read the image: Bogus Huffman table"),
               "JPEG with a 512-code Huffman table before its frame header: %s", m);
    }

    /* stb_image's reason quotes an unknown critical chunk's type from the
     * file: the message shows it escaped, never the raw bytes. */
    {
        size_t n = png_header(b, 1, 1) - 12; /* before IEND */
        test_put32be(b + n, 0), memcpy(b + n + 4, "\x1b" "ABC", 4), test_put32be(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
        n += 12;
        test_put32be(b + n, 0), memcpy(b + n + 4, "IEND", 4), test_put32be(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
        st = clgan_image_load_memory("c.png", b, n + 12, 1, &px, &info);
        m = st == CLGAN_OK ? "" : clgan_last_error();
        EXPECT(st == CLGAN_ERR_FORMAT && !px && has(m, "\\x1bABC") && !strchr(m, 0x1b),
               "an unknown PNG chunk's type is quoted escaped: %s", m);
    }

    /* PNM: 16-bit samples, comments; digits that would overflow an int. */
    char pgm[256];
    int hl = snprintf(pgm, sizeof pgm, "P5\n# a comment\n2 2\n65535\n");
    memcpy(pgm + hl, "\x01\x00\x02\x00\x03\x00\xff\xff", 8);
    st = clgan_image_load_memory("a.pgm", (const uint8_t *)pgm, (size_t)hl + 8, 1, &px, &info);
    EXPECT(st == CLGAN_OK && info.w == 2 && info.h == 2 && px && px[3] == 255, "16-bit PGM with a comment decodes");
    clgan_image_free(px);
    /* as RGB: stb_image 2.27 would convert the 16-bit samples as 8-bit ones and overrun its buffer */
    st = clgan_image_load_memory("a.pgm", (const uint8_t *)pgm, (size_t)hl + 8, 3, &px, &info);
    EXPECT(st == CLGAN_OK && px && px[9] == 255 && px[10] == 255 && px[11] == 255 && px[0] == px[2],
           "16-bit PGM decoded to RGB");
    clgan_image_free(px);
    st = clgan_image_load_memory("a.gif", gif1, sizeof gif1, 1, &px, &info);
    EXPECT(st == CLGAN_OK && px && info.comp == 4, "GIF (RGBA) to grey");
    clgan_image_free(px);
    m = probe_msg(pgm, (size_t)hl + 7, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "truncated"), "16-bit PGM one byte short: %s", m);
    static const char huge[] = "P5 99999999999999999999 1 255\n";
    m = probe_msg(huge, sizeof huge - 1, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && has(m, "limit"), "PGM with a 20-digit width: %s", m);

    /* Not images at all: format NULL (ignored in folders). */
    m = probe_msg("hello, world\n", 13, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && info.format == NULL && has(m, "not a format"), "text is not an image: %s", m);
    m = probe_msg("", 0, &st, &info);
    EXPECT(st == CLGAN_ERR_FORMAT && info.format == NULL, "an empty file is not an image");
}

/* Finding 1 and 11: image folders. */
static void test_folder(void)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *d = NULL;
    clgan_status st;
    uint8_t b[4096];

    /* a zero-height PPM among good images (printf 'P6\n3 \0\n255\n' > data/cls/a.ppm) */
    char root[512];
    snprintf(root, sizeof root, "%s/zero", tmp);
    mkdir(root, 0755);
    mkdir(test_fmt("%s/cls", root), 0755);
    for (int i = 0; i < 4; i++) write_png(test_fmt("%s/cls/g%d.png", root, i), 6, 6, 1, i);
    test_write_file(test_fmt("%s/cls/a.ppm", root), "P6\n3 \0\n255\n", 11, 0);
    o.size = 4, o.test_percent = -1;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && d == NULL && has(clgan_last_error(), "a.ppm") &&
               has(clgan_last_error(), "zero height"),
           "zero-height PPM in a folder refused, naming it: %s", clgan_last_error());
    o.skip_unreadable = 1;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 4 && d->skipped == 1, "zero-height PPM skipped and counted (n %d, skipped %d)",
           d ? d->n : -1, d ? d->skipped : -1);
    clgan_dataset_free(d), d = NULL;

    /* every way to fail, each skipped and counted: zero size, over the
     * limit, too short for its header, not decodable past a good header,
     * not an image at all under an image name; a non-image file is ignored */
    test_write_file(test_fmt("%s/cls/big.png", root), b, png_header(b, 30000, 30000), 0);
    test_write_file(test_fmt("%s/cls/short.tga", root), b, tga_header(b, 2, 64, 64, 100), 0);
    {   /* a 4 x 4 PNG whose IDAT is garbage: the header passes, decoding fails */
        size_t n = png_header(b, 4, 4) - 12; /* drop IEND */
        test_put32be(b + n, 40);
        memcpy(b + n + 4, "IDAT", 4);
        memset(b + n + 8, 0x5a, 40);
        test_put32be(b + n + 48, (uint32_t)crc32(0, b + n + 4, 44));
        n += 52;
        test_put32be(b + n, 0), memcpy(b + n + 4, "IEND", 4), test_put32be(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
        test_write_file(test_fmt("%s/cls/bad-idat.png", root), b, n + 12, 0);
    }
    test_write_file(test_fmt("%s/cls/notes.jpg", root), "not a picture", 13, 0);
    test_write_file(test_fmt("%s/cls/README", root), "not a picture", 13, 0);
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 4 && d->skipped == 5 && has(d->source, "5 unreadable skipped"),
           "5 unreadable images skipped and counted (n %d, skipped %d, %s)", d ? d->n : -1, d ? d->skipped : -1,
           d ? d->source : clgan_last_error());
    clgan_dataset_free(d), d = NULL;
    o.skip_unreadable = 0;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "cls/"), "without skipping the first bad one stops it: %s",
           clgan_last_error());
    unlink(test_fmt("%s/cls/a.ppm", root)), unlink(test_fmt("%s/cls/short.tga", root)), unlink(test_fmt("%s/cls/notes.jpg", root));
    unlink(test_fmt("%s/cls/big.png", root));
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "bad-idat.png") && has(clgan_last_error(), "decode"),
           "an image that fails only in decoding: %s", clgan_last_error());
    unlink(test_fmt("%s/cls/bad-idat.png", root));
    o.skip_unreadable = 1;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->skipped == 0 && !has(d->source, "skipped"), "clean folder: nothing skipped");
    clgan_dataset_free(d), d = NULL;
    o.skip_unreadable = 0;

    /* a FIFO inside a folder is ignored, never opened */
    if (mkfifo(test_fmt("%s/cls/pipe.png", root), 0644) == 0) {
        st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
        EXPECT(st == CLGAN_OK && d && d->n == 4, "a FIFO in an image folder is ignored (%s)",
               st == CLGAN_OK ? "" : clgan_last_error());
        clgan_dataset_free(d), d = NULL;
        unlink(test_fmt("%s/cls/pipe.png", root));
    }

    /* the other split's files are checked at open: explicit train/ test/ */
    snprintf(root, sizeof root, "%s/explicit", tmp);
    mkdir(root, 0755);
    mkdir(test_fmt("%s/train", root), 0755), mkdir(test_fmt("%s/test", root), 0755);
    mkdir(test_fmt("%s/train/a", root), 0755), mkdir(test_fmt("%s/test/a", root), 0755);
    for (int i = 0; i < 3; i++) write_png(test_fmt("%s/train/a/%d.png", root, i), 5, 5, 1, i);
    write_png(test_fmt("%s/test/a/0.png", root), 5, 5, 1, 9);
    test_write_file(test_fmt("%s/test/a/bad.png", root), b, png_header(b, 0, 5), 0);
    o.size = 0;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "test/a/bad.png") &&
               has(clgan_last_error(), "an image of the test split"),
           "opening TRAIN checks test/ too: %s", clgan_last_error());
    o.skip_unreadable = 1; /* then it is left to the TEST split to skip and count */
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 3 && d->skipped == 0, "TRAIN with skipping: n %d skipped %d", d ? d->n : -1,
           d ? d->skipped : -1);
    clgan_dataset_free(d), d = NULL;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TEST, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 1 && d->skipped == 1, "TEST with skipping: n %d skipped %d", d ? d->n : -1,
           d ? d->skipped : -1);
    clgan_dataset_free(d), d = NULL;
    o.skip_unreadable = 0;

    /* hashed split: a bad image fails both splits, whichever side it hashes to */
    snprintf(root, sizeof root, "%s/hashed", tmp);
    mkdir(root, 0755);
    for (int i = 0; i < 30; i++) write_png(test_fmt("%s/%02d.png", root, i), 5, 5, 1, i);
    test_write_file(test_fmt("%s/bad.png", root), b, tga_header(b, 2, 64, 64, 100), 0);
    clgan_status st1 = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    clgan_dataset_free(d), d = NULL;
    clgan_status st2 = clgan_dataset_open(root, CLGAN_SPLIT_TEST, &o, &d);
    clgan_dataset_free(d), d = NULL;
    EXPECT(st1 == CLGAN_ERR_FORMAT && st2 == CLGAN_ERR_FORMAT && has(clgan_last_error(), "bad.png"),
           "hashed split: both splits refuse the bad image: %s", clgan_last_error());
    unlink(test_fmt("%s/bad.png", root));

    /* the split's shares; an empty side's message names what to change */
    clgan_dataset *tr = NULL, *te = NULL;
    o.test_percent = 0; /* the default 10 */
    st1 = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &tr);
    st2 = clgan_dataset_open(root, CLGAN_SPLIT_TEST, &o, &te);
    EXPECT(st1 == CLGAN_OK && st2 == CLGAN_OK && tr->n + te->n == 30 && te->n >= 1 && te->n <= 8,
           "hashed split 30 -> %d train + %d test", tr ? tr->n : -1, te ? te->n : -1);
    clgan_dataset_free(tr), clgan_dataset_free(te), tr = te = NULL;
    o.test_percent = -1;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TEST, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "--test-percent") &&
               has(clgan_last_error(), "(0%)") && !has(clgan_last_error(), "set test_percent"),
           "no test share: %s", clgan_last_error());
    o.test_percent = 100;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "lower the share") &&
               has(clgan_last_error(), "--test-percent"),
           "all in the test share: %s", clgan_last_error());
    o.test_percent = 101;
    st = clgan_dataset_open(root, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && has(clgan_last_error(), "test_percent 101"), "test_percent 101: %s",
           clgan_last_error());
}

/* Finding 3: IDX and CIFAR-10 headers that promise more than the file. */
static void test_idx_cifar(void)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *d = NULL;
    clgan_status st;
    uint8_t h[16 + 28 * 28];
    char dir[512], f[600], cdir[512];
    snprintf(dir, sizeof dir, "%s/idx", tmp);
    mkdir(dir, 0755);
    test_put32be(h, 0x803), test_put32be(h + 4, 1), test_put32be(h + 8, 28), test_put32be(h + 12, 28);
    memset(h + 16, 7, 28 * 28);

    /* gzip: one 28 x 28 image declared, 64 MiB of zeros after it. Reading
     * stops a little past the declared length. */
    snprintf(f, sizeof f, "%s/bomb-images-idx3-ubyte.gz", dir);
    gzFile g = gzopen(f, "wb9");
    gzwrite(g, h, sizeof h);
    static uint8_t zeros[1 << 20];
    for (int i = 0; i < 64; i++) gzwrite(g, zeros, sizeof zeros);
    gzclose(g);
    clock_t t0 = clock();
    st = clgan_dataset_open(f, CLGAN_SPLIT_TRAIN, &o, &d);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "too long") && has(clgan_last_error(), "more than") &&
               secs < 2.0,
           "gzip IDX with 64 MiB past its declared 800 bytes: stopped early (%.2f s): %s", secs, clgan_last_error());

    /* gzip: 100000 images of 100 x 100 (1 GB) declared in a tiny file */
    test_put32be(h + 4, 100000), test_put32be(h + 8, 100), test_put32be(h + 12, 100);
    test_write_file(f, h, sizeof h, 1);
    st = clgan_dataset_open(f, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "more than a gzip file of") &&
               has(clgan_last_error(), "1032"),
           "gzip IDX declaring 1 GB in a small file: %s", clgan_last_error());
    /* plain: the same, refused from the file's size */
    snprintf(f, sizeof f, "%s/plain-images-idx3-ubyte", dir);
    test_write_file(f, h, sizeof h, 0);
    st = clgan_dataset_open(f, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "truncated") && has(clgan_last_error(), "1000000016"),
           "plain IDX declaring 1 GB in 800 bytes: %s", clgan_last_error());
    /* labels beside an images file: the count checked before reading */
    test_put32be(h + 4, 1), test_put32be(h + 8, 28), test_put32be(h + 12, 28);
    test_write_file(f, h, sizeof h, 0);
    uint8_t lab[9] = {0, 0, 8, 1, 0, 0, 0, 1, 3};
    test_write_file(test_fmt("%s/plain-labels-idx1-ubyte", dir), lab, 9, 0);
    st = clgan_dataset_open(f, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 1 && d->labels[0] == 3 && d->pixels[0] == 7, "a good plain IDX pair reads");
    clgan_dataset_free(d), d = NULL;
    g = gzopen(test_fmt("%s/plain-labels-idx1-ubyte", dir), "wb");
    gzwrite(g, lab, 9);
    for (int i = 0; i < 8; i++) gzwrite(g, zeros, sizeof zeros);
    gzclose(g);
    st = clgan_dataset_open(f, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "labels-idx1-ubyte: too long") &&
               has(clgan_last_error(), "more than"),
           "gzip labels with 8 MiB past the declared 9 bytes: %s", clgan_last_error());

    /* CIFAR-10: gzip batches read record by record; a cut record is named */
    snprintf(cdir, sizeof cdir, "%s/cifar", tmp);
    mkdir(cdir, 0755);
    static uint8_t recs[3 * 3073];
    for (int r = 0; r < 3; r++) recs[r * 3073] = (uint8_t)(r + 1), recs[r * 3073 + 1] = (uint8_t)(50 + r);
    test_write_file(test_fmt("%s/data_batch_1.bin", cdir), recs, sizeof recs, 1);
    st = clgan_dataset_open(cdir, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 3 && d->labels[2] == 3 && d->pixels[2 * 3072] == 52,
           "gzip CIFAR-10 batch of 3 records reads");
    clgan_dataset_free(d), d = NULL;
    test_write_file(test_fmt("%s/data_batch_1.bin", cdir), recs, sizeof recs - 5, 1);
    st = clgan_dataset_open(cdir, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "data_batch_1.bin: 9214 bytes"),
           "gzip CIFAR-10 batch cut inside a record: %s", clgan_last_error());
    test_write_file(test_fmt("%s/data_batch_1.bin", cdir), recs, sizeof recs - 5, 0);
    st = clgan_dataset_open(cdir, CLGAN_SPLIT_TRAIN, &o, &d);
    EXPECT(st == CLGAN_ERR_FORMAT && has(clgan_last_error(), "9214 bytes is not a whole number"),
           "plain CIFAR-10 batch of the wrong size: %s", clgan_last_error());
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "FAIL: blocked (opening a FIFO?)\n";
    if (write(1, msg, sizeof msg - 1) < 0) _exit(2);
    _exit(1);
}

/* Finding 13: paths that are neither a regular file nor a folder. */
static void test_special_paths(void)
{
    clgan_dataset *d = NULL;
    clgan_status st;
    signal(SIGALRM, on_alarm);
    alarm(20);
    st = clgan_dataset_open("/dev/null", CLGAN_SPLIT_TRAIN, NULL, &d);
    EXPECT(st == CLGAN_ERR_IO && has(clgan_last_error(), "/dev/null is not a regular file or a folder"),
           "/dev/null: %s", clgan_last_error());
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/fifo", tmp);
    if (mkfifo(fifo, 0644) == 0) {
        st = clgan_dataset_open(fifo, CLGAN_SPLIT_TRAIN, NULL, &d);
        EXPECT(st == CLGAN_ERR_IO && has(clgan_last_error(), "fifo is not a regular file or a folder"),
               "a FIFO, without blocking: %s", clgan_last_error());
        uint8_t *buf;
        size_t len;
        int trunc;
        st = clgan_read_file(fifo, &buf, &len, &trunc);
        EXPECT(st == CLGAN_ERR_IO && has(clgan_last_error(), "not a regular file"), "read_file of a FIFO: %s",
               clgan_last_error());
        clgan_image_info info;
        st = clgan_image_probe_file(fifo, &info);
        EXPECT(st == CLGAN_ERR_IO && has(clgan_last_error(), "not a regular file"), "image probe of a FIFO: %s",
               clgan_last_error());
    }
    st = clgan_dataset_open(test_fmt("%s/missing", tmp), CLGAN_SPLIT_TRAIN, NULL, &d);
    EXPECT(st == CLGAN_ERR_IO && has(clgan_last_error(), "no such file or directory"), "missing: %s",
           clgan_last_error());
    alarm(0);
}

/* Mutations of small valid files of every format through the memory entry
 * point: each either decodes within the limits or fails naming the file. */
static void test_mutations(void)
{
    uint8_t rgb[12 * 10 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 13);
    stbi_write_png(test_fmt("%s/m.png", tmp), 12, 10, 3, rgb, 12 * 3);
    stbi_write_bmp(test_fmt("%s/m.bmp", tmp), 12, 10, 3, rgb);
    stbi_write_tga_with_rle = 1;
    stbi_write_tga(test_fmt("%s/m.tga", tmp), 12, 10, 3, rgb);
    stbi_write_jpg(test_fmt("%s/m.jpg", tmp), 12, 10, 3, rgb, 80);
    char pnm[512];
    int hl = snprintf(pnm, sizeof pnm, "P6\n12 10\n255\n");
    memcpy(pnm + hl, rgb, sizeof rgb);
    test_write_file(test_fmt("%s/m.ppm", tmp), pnm, (size_t)hl + sizeof rgb, 0);
    test_write_file(test_fmt("%s/m.gif", tmp), gif1, sizeof gif1, 0);
    static const char *const names[] = {"m.png", "m.bmp", "m.tga", "m.jpg", "m.ppm", "m.gif"};
    uint64_t s = 12345;
    int ok = 0, refused = 0, bad = 0;
    for (int k = 0; k < 6; k++) {
        size_t len;
        uint8_t *orig = test_read_file(test_fmt("%s/%s", tmp, names[k]), &len);
        if (!orig) {
            bad++;
            continue;
        }
        uint8_t *m = malloc(len);
        for (int round = 0; round < 300; round++) {
            memcpy(m, orig, len);
            size_t n = len;
            int flips = 1 + round % 4;
            for (int f = 0; f < flips; f++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                size_t at = (size_t)(s >> 33) % (round < 150 ? (len < 40 ? len : 40) : len); /* headers first */
                m[at] = (uint8_t)(s >> 17);
            }
            if (round % 7 == 0) n = (size_t)(s >> 40) % len; /* cut short */
            uint8_t *px = NULL;
            clgan_image_info info;
            clgan_status st = clgan_image_load_memory(names[k], m, n, 3, &px, &info);
            if (st == CLGAN_OK) {
                ok++;
                if (!px || info.w <= 0 || info.h <= 0 || info.w > CLGAN_IMAGE_MAX_SIDE ||
                    (long)info.w * info.h > CLGAN_IMAGE_MAX_PIXELS)
                    bad++;
            } else {
                refused++;
                if (px || strncmp(clgan_last_error(), names[k], strlen(names[k])) != 0) bad++;
            }
            clgan_image_free(px);
        }
        free(m);
        free(orig);
    }
    EXPECT(bad == 0 && ok > 0 && refused > 0, "1800 mutated images: %d decoded, %d refused, %d wrong", ok, refused,
           bad);
}

/* A dataset larger than the machine's memory is refused before allocating. */
static void test_alloc(void)
{
    clgan_dataset *d = NULL;
    clgan_status st = clgan_dataset_alloc(2000000000, 3, 16384, 16384, 0, &d);
    EXPECT(st == CLGAN_ERR_OUT_OF_MEMORY && d == NULL && has(clgan_last_error(), "machine's memory"),
           "2e9 images of 3 x 16384 x 16384: %s", clgan_last_error());
    st = clgan_dataset_alloc(3, 1, 2, 2, 2, &d);
    EXPECT(st == CLGAN_OK && d && d->n == 3, "a small dataset allocates");
    clgan_dataset_free(d);
}

int main(void)
{
    if (!test_temp_dir(tmp, sizeof tmp, "readers")) return 1;
    test_headers();
    test_folder();
    test_idx_cifar();
    test_special_paths();
    test_mutations();
    test_alloc();
    test_rm_rf(tmp);
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
