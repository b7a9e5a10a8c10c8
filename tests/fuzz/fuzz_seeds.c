/* fuzz_seeds.c — writes the host-only part of the fuzz targets' seed corpus
 * (make_corpus.sh adds checkpoints and kernel-cache entries made with the
 * clgan CLI): valid files in every format a reader takes, at a few shapes.
 *
 *   fuzz_seeds OUT    writes OUT/<target>/<name> for idx, idx_gz, cifar10,
 *                     image_{png,jpg,bmp,gif,tga,pnm}, tuning and kernel_cache
 *
 * Multi-file inputs use the markers the targets split on (fuzz_util.h):
 * "LABELS--" between an IDX images and labels file, "META----" between a
 * CIFAR-10 batch and its batches.meta.txt. Every image written is checked to
 * decode with stb_image; the program exits 1 naming any file it could not
 * write or that does not decode. */
#include "core/sha256.h"
#include "device/tuning.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

static const char *out_dir;
static int failures;

static const char *path_of(const char *target, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz_seeds: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    return path;
}

static void write_bytes(const char *target, const char *name, const void *data, size_t n)
{
    const char *path = path_of(target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
        failures++;
    }
}

/* A growable byte buffer. */
typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}
static void put_be32(buf *b, uint32_t v)
{
    uint8_t q[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, q, 4);
}
static void put_str(buf *b, const char *s) { put(b, s, strlen(s)); }

/* A pixel value that varies with position, so images are not flat. */
static uint8_t pixel(int i, int seed) { return (uint8_t)((i * 37 + seed * 101) & 0xff); }

/* gzip-compress data into out. */
static void gzip_into(buf *out, const uint8_t *data, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    uint8_t *tmp = malloc(cap);
    if (!tmp) abort();
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)n;
    z.next_out = tmp;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
    put(out, tmp, z.total_out);
    deflateEnd(&z);
    free(tmp);
}

/* ---- IDX ---------------------------------------------------------------- */

static void idx_images(buf *b, int n, int rows, int cols)
{
    put_be32(b, 0x00000803u);
    put_be32(b, (uint32_t)n);
    put_be32(b, (uint32_t)rows);
    put_be32(b, (uint32_t)cols);
    for (int i = 0; i < n * rows * cols; i++) put(b, &(uint8_t){pixel(i, n)}, 1);
}

static void idx_labels(buf *b, int n)
{
    put_be32(b, 0x00000801u);
    put_be32(b, (uint32_t)n);
    for (int i = 0; i < n; i++) put(b, &(uint8_t){(uint8_t)(i % 10)}, 1);
}

static void write_idx(const char *name, int n, int rows, int cols, int labelled)
{
    buf plain = {0}, gz = {0};
    idx_images(&plain, n, rows, cols);
    put(&gz, plain.p, plain.n); /* fuzz_idx_gz compresses the images part itself */
    if (labelled) {
        buf lab = {0};
        idx_labels(&lab, n);
        put_str(&plain, "LABELS--");
        put(&plain, lab.p, lab.n);
        put_str(&gz, "LABELS--");
        gzip_into(&gz, lab.p, lab.n);
        free(lab.p);
    }
    write_bytes("idx", name, plain.p, plain.n);
    write_bytes("idx_gz", name, gz.p, gz.n);
    free(plain.p);
    free(gz.p);
}

/* ---- CIFAR-10 ------------------------------------------------------------ */

static void write_cifar(const char *name, int records, const char *meta)
{
    buf b = {0};
    for (int r = 0; r < records; r++) {
        put(&b, &(uint8_t){(uint8_t)(r % 10)}, 1);
        for (int i = 0; i < 3072; i++) put(&b, &(uint8_t){pixel(i, r)}, 1);
    }
    if (meta) {
        put_str(&b, "META----");
        put_str(&b, meta);
    }
    write_bytes("cifar10", name, b.p, b.n);
    free(b.p);
}

/* ---- images -------------------------------------------------------------- */

static void check_decodes(const char *path)
{
    int w, h, c;
    stbi_uc *px = stbi_load(path, &w, &h, &c, 0);
    if (!px) {
        fprintf(stderr, "fuzz_seeds: %s does not decode: %s\n", path, stbi_failure_reason());
        failures++;
    }
    stbi_image_free(px);
}

static void write_images(int w, int h, int comp, int seed)
{
    uint8_t *px = malloc((size_t)w * h * comp);
    if (!px) abort();
    for (int i = 0; i < w * h * comp; i++) px[i] = pixel(i, seed);
    char name[64];
    const char *p;
    snprintf(name, sizeof name, "%dx%dx%d.png", w, h, comp);
    p = path_of("image_png", name);
    if (!stbi_write_png(p, w, h, comp, px, w * comp)) failures++;
    check_decodes(p);
    snprintf(name, sizeof name, "%dx%dx%d.bmp", w, h, comp);
    p = path_of("image_bmp", name);
    if (!stbi_write_bmp(p, w, h, comp, px)) failures++;
    check_decodes(p);
    for (int rle = 0; rle < 2; rle++) {
        stbi_write_tga_with_rle = rle;
        snprintf(name, sizeof name, "%dx%dx%d%s.tga", w, h, comp, rle ? "-rle" : "");
        p = path_of("image_tga", name);
        if (!stbi_write_tga(p, w, h, comp, px)) failures++;
        check_decodes(p);
    }
    if (comp != 2 && comp != 4) {
        snprintf(name, sizeof name, "%dx%dx%d.jpg", w, h, comp);
        p = path_of("image_jpg", name);
        if (!stbi_write_jpg(p, w, h, comp, px, 60)) failures++;
        check_decodes(p);
    }
    if (comp == 1 || comp == 3) { /* binary PGM (P5) / PPM (P6) */
        buf b = {0};
        char head[64];
        snprintf(head, sizeof head, "P%d\n# seed\n%d %d\n255\n", comp == 1 ? 5 : 6, w, h);
        put_str(&b, head);
        put(&b, px, (size_t)w * h * comp);
        snprintf(name, sizeof name, "%dx%dx%d.%s", w, h, comp, comp == 1 ? "pgm" : "ppm");
        write_bytes("image_pnm", name, b.p, b.n);
        check_decodes(path_of("image_pnm", name));
        free(b.p);
    }
    free(px);
}

/* GIF89a, 2 x 2, a 4-colour global table, one LZW-coded image (codes 4-bit
 * wide: clear, 0, 1, 2, 3, end), then a second frame (stb reads the first). */
static const uint8_t gif_2x2[] = {
    'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x81, 0, 0,               /* screen, 4-colour table */
    0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255,                          /* palette */
    0x21, 0xF9, 4, 0, 0, 0, 0, 0,                                      /* graphic control */
    0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0,                                   /* image descriptor */
    2, 3, 0x44, 0x34, 0x05, 0,                                         /* LZW min size 2: 4,0,1,2,3,5 */
    0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0,              /* second frame, 1 x 1 */
    0x3B};
/* The classic 1 x 1 GIF: a 2-colour table, transparent index 0. */
static const uint8_t gif_1x1[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0xFF, 0xFF, 0, 0, 0,
                                  0x21, 0xF9, 4, 1, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01,
                                  0, 0x3B};

/* ---- tuning file ----------------------------------------------------------- */

static void set(clgan_tuning_set *s, const char *kernel, const char *const *names, const size_t *values)
{
    memset(s, 0, sizeof *s);
    snprintf(s->kernel, sizeof s->kernel, "%s", kernel);
    for (; names[s->count]; s->count++) {
        snprintf(s->names[s->count], sizeof s->names[0], "%s", names[s->count]);
        s->values[s->count] = values[s->count];
    }
}

static void write_tuning(const char *name, int sets)
{
    static const char *const direct[] = {"WGD", "MDIMCD", "NDIMCD", "MDIMAD", "NDIMBD",
                                         "KWID", "VWMD", "VWND", "PADA", "PADB", NULL};
    static const size_t direct_v[] = {32, 8, 8, 8, 8, 1, 1, 1, 1, 1};
    static const char *const indirect[] = {"GEMMK", "MWG", "NWG", "KWG", "MDIMC", "NDIMC", "MDIMA", "NDIMB", "KWI",
                                           "VWM", "VWN", "STRM", "STRN", "SA", "SB", "KREG", NULL};
    static const size_t indirect_v[] = {0, 64, 64, 16, 8, 8, 8, 8, 1, 1, 1, 0, 0, 0, 0, 1};
    static const char *const routine[] = {"XGEMM_MIN_INDIRECT_SIZE", NULL};
    static const size_t routine_v[] = {448};
    clgan_tuning t;
    memset(&t, 0, sizeof t);
    snprintf(t.platform, sizeof t.platform, "Portable Computing Language");
    snprintf(t.device, sizeof t.device, "pthread-haswell-AMD EPYC 7B13");
    snprintf(t.driver, sizeof t.driver, "3.1+debian");
    snprintf(t.clblast, sizeof t.clblast, "%s", clgan_clblast_version());
    snprintf(t.created, sizeof t.created, "2026-12-01T21:00:00Z");
    snprintf(t.models, sizeof t.models, "dcgan28,lenet28");
    t.gemm_ms_default = 212.4, t.gemm_ms_tuned = 120.9;
    if (sets >= 1) set(&t.sets[t.set_count++], "GemmRoutine", routine, routine_v);
    if (sets >= 2) set(&t.sets[t.set_count++], "XgemmDirect", direct, direct_v);
    if (sets >= 3) set(&t.sets[t.set_count++], "Xgemm", indirect, indirect_v);
    char *text = clgan_tuning_format(&t);
    if (!text) {
        fprintf(stderr, "fuzz_seeds: clgan_tuning_format failed\n");
        failures++;
        return;
    }
    clgan_tuning back;
    if (clgan_tuning_parse(text, strlen(text), &back) != CLGAN_OK) {
        fprintf(stderr, "fuzz_seeds: the seed tuning file %s does not parse: %s\n", name, clgan_last_error());
        failures++;
    }
    write_bytes("tuning", name, text, strlen(text));
    free(text);
}

/* ---- kernel-cache entry ----------------------------------------------------- */

/* A valid entry (program.c's layout) around a 16-byte stand-in binary: the
 * real entries make_corpus.sh adds are hundreds of kilobytes. */
static void write_cache_entry(void)
{
    uint8_t bin[16], e[80 + sizeof bin];
    for (size_t i = 0; i < sizeof bin; i++) bin[i] = pixel((int)i, 7);
    memcpy(e, "CLGANPB1", 8);
    clgan_sha256("fuzz seed key", 13, e + 8);
    for (int i = 0; i < 8; i++) e[40 + i] = (uint8_t)((uint64_t)sizeof bin >> (8 * i));
    clgan_sha256(bin, sizeof bin, e + 48);
    memcpy(e + 80, bin, sizeof bin);
    write_bytes("kernel_cache", "tiny.clbin", e, sizeof e);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
        return 2;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz_seeds: cannot create %s: %s\n", out_dir, strerror(errno));
        return 1;
    }
    write_idx("3x4x5-labelled", 3, 4, 5, 1);
    write_idx("2x28x28-labelled", 2, 28, 28, 1);
    write_idx("1x1x1-unlabelled", 1, 1, 1, 0);
    write_cifar("2-records-meta", 2, "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
    write_cifar("1-record", 1, NULL);
    write_cifar("3-records-short-meta", 3, "  a  \n\nb\n");
    static const int shapes[][3] = {{1, 1, 1}, {5, 3, 3}, {4, 4, 4}, {3, 6, 2}, {9, 2, 1}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        write_images(shapes[i][0], shapes[i][1], shapes[i][2], (int)i);
    write_bytes("image_gif", "2x2-two-frames.gif", gif_2x2, sizeof gif_2x2);
    check_decodes(path_of("image_gif", "2x2-two-frames.gif"));
    write_bytes("image_gif", "1x1.gif", gif_1x1, sizeof gif_1x1);
    check_decodes(path_of("image_gif", "1x1.gif"));
    write_tuning("routine-only.txt", 1);
    write_tuning("all-sets.txt", 3);
    write_cache_entry();
    if (failures) fprintf(stderr, "fuzz_seeds: %d file(s) failed\n", failures);
    return failures ? 1 : 0;
}
