/* idx.c — MNIST-style IDX files (gzip-compressed or plain).
 *
 * Images file:  be32 magic 0x00000803 (unsigned byte, 3 dimensions),
 *               be32 n, be32 rows, be32 cols, then n*rows*cols bytes
 *               (row-major, one channel) -> dataset [n][1][rows][cols].
 * Labels file:  be32 magic 0x00000801 (unsigned byte, 1 dimension),
 *               be32 n, then n bytes, each 0..9.
 * Both files must be exactly as long as their header says, and hold the
 * same count.
 */
#include "data/dataset.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_SIDE 16384u

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The spellings of one split's files inside a directory. */
static const char *const train_prefixes[] = {"train", NULL};
static const char *const test_prefixes[] = {"t10k", "test", NULL};
static const char *const seps[] = {"-", "."}; /* train-images-idx3-ubyte, train-images.idx3-ubyte */

/* Find <dir>/<prefix>-images-idx3-ubyte[.gz] (any prefix/spelling); on
 * success fill images and labels (labels may not exist; checked later). */
static int find_pair(const char *dir, const char *const *prefixes, char *images, char *labels, size_t cap)
{
    static const char *const exts[] = {"", ".gz"};
    for (int p = 0; prefixes[p]; p++)
        for (int s = 0; s < 2; s++)
            for (int e = 0; e < 2; e++) {
                clgan_fmt(images, cap, "%s/%s-images%sidx3-ubyte%s", dir, prefixes[p], seps[s], exts[e]);
                if (!clgan_path_is_file(images)) continue;
                /* labels: same prefix and spelling, compressed or not (prefer the same) */
                for (int e2 = 0; e2 < 2; e2++) {
                    clgan_fmt(labels, cap, "%s/%s-labels%sidx1-ubyte%s", dir, prefixes[p], seps[s], exts[e ^ e2]);
                    if (clgan_path_is_file(labels)) return 1;
                }
                clgan_fmt(labels, cap, "%s/%s-labels-idx1-ubyte[.gz]", dir, prefixes[p]);
                return 1;
            }
    return 0;
}

int clgan_idx_dir_probe(const char *dir)
{
    char a[4096], b[4096];
    return find_pair(dir, train_prefixes, a, b, sizeof a) || find_pair(dir, test_prefixes, a, b, sizeof a);
}

/* Labels file beside an images file: "images-idx3" -> "labels-idx1" (or the
 * dotted spelling) in the file name; with and without .gz. */
static int labels_beside(const char *images, char *labels, size_t cap)
{
    const char *base = strrchr(images, '/');
    base = base ? base + 1 : images;
    const char *hit = strstr(base, "images-idx3");
    if (!hit) hit = strstr(base, "images.idx3");
    if (!hit) return 0;
    size_t pre = (size_t)(hit - images);
    char sep = hit[6];
    const char *rest = hit + strlen("images-idx3");
    if (pre + strlen(rest) + 16 > cap) return 0;
    clgan_fmt(labels, cap, "%.*slabels%cidx1%s", (int)pre, images, sep, rest);
    if (clgan_path_is_file(labels)) return 1;
    size_t n = strlen(labels);
    if (n > 3 && strcmp(labels + n - 3, ".gz") == 0) labels[n - 3] = 0;
    else strcat(labels, ".gz");
    return clgan_path_is_file(labels);
}

/* Read just the 16-byte header of an images file (for the train/test size check). */
static int peek_dims(const char *path, uint32_t *rows, uint32_t *cols)
{
    uint8_t h[16];
    gzFile f;
    uint64_t size;
    int gz, trunc;
    size_t got = 0;
    if (clgan_gzopen_regular(path, &f, &size, &gz) != CLGAN_OK) return 0;
    clgan_status st = clgan_gz_read(f, path, h, 16, &got, &trunc);
    gzclose(f);
    if (st != CLGAN_OK || got != 16 || be32(h) != IDX_IMAGES_MAGIC) return 0;
    *rows = be32(h + 8), *cols = be32(h + 12);
    return 1;
}

/* Deflate turns one byte into at most 1032 (a 258-byte match in 2 bits). */
#define DEFLATE_MAX_RATIO 1032u
/* After the data a header declares, how far to keep inflating to say how
 * long the file really is before giving up with "more than". */
#define IDX_EXCESS_COUNT (1u << 20)

/* The header declares want bytes in all: can a file of fsize bytes hold
 * them? Plain files must be exactly that long; gzip ones cannot hold more
 * than deflate's ratio allows. Checked before anything is allocated. */
static clgan_status check_declared(const char *path, int gz, uint64_t fsize, uint64_t want, const char *what)
{
    if (!gz && fsize != want)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: %s: the header says %s, so expected %llu bytes, but the file has %llu",
                          path, fsize < want ? "truncated" : "too long", what, (unsigned long long)want,
                          (unsigned long long)fsize);
    if (gz && want / DEFLATE_MAX_RATIO > fsize)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: the header says %s (%llu bytes), more than a gzip file of %llu bytes can hold (at most "
                          "%u times its size): truncated or corrupt",
                          path, what, (unsigned long long)want, (unsigned long long)fsize, DEFLATE_MAX_RATIO);
    return CLGAN_OK;
}

/* Read the rest of f after the declared data: CLGAN_OK if there is none,
 * else "too long" with the real length (counted up to IDX_EXCESS_COUNT
 * more bytes, then given as "more than"). */
static clgan_status check_no_excess(gzFile f, const char *path, uint64_t want, const char *what)
{
    uint8_t scratch[4096];
    uint64_t extra = 0;
    size_t got;
    int trunc;
    do {
        TRY(clgan_gz_read(f, path, scratch, sizeof scratch, &got, &trunc));
        extra += got;
    } while (got == sizeof scratch && extra < IDX_EXCESS_COUNT);
    if (extra == 0) return CLGAN_OK;
    return clgan_fail(CLGAN_ERR_FORMAT, "%s: too long: the header says %s, so expected %llu bytes, but the file has %s%llu",
                      path, what, (unsigned long long)want, got == sizeof scratch ? "more than " : "",
                      (unsigned long long)(want + extra));
}

/* The note added to a "truncated" message when the gzip stream also ended early. */
static const char *early_end_note(int trunc)
{
    return trunc ? " (and its gzip stream ends early: an interrupted download?)" : "";
}

/* An IDX header of `bytes` bytes into h: all there, and the magic of this
 * kind (`kind` says what it holds); the other kind's magic is named. */
static clgan_status read_header(gzFile f, const char *path, uint8_t *h, size_t bytes, uint32_t magic, const char *kind,
                                uint32_t other_magic, const char *other_note)
{
    size_t got = 0;
    int trunc = 0;
    TRY(clgan_gz_read(f, path, h, bytes, &got, &trunc));
    if (got < bytes)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: truncated: expected at least %zu bytes of IDX header, got %zu%s", path,
                          bytes, got, early_end_note(trunc));
    uint32_t m = be32(h);
    if (m != magic)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: wrong magic 0x%08x, expected 0x%08x (%s)%s", path, m, magic, kind,
                          m == other_magic ? other_note : "");
    return CLGAN_OK;
}

/* After a header of header_bytes: the body of `body` bytes into buf, then
 * nothing more in the file (what: the header's description, for messages). */
static clgan_status read_body(gzFile f, const char *path, void *buf, uint64_t header_bytes, uint64_t body,
                              const char *what)
{
    size_t got = 0;
    int trunc = 0;
    TRY(clgan_gz_read(f, path, buf, (size_t)body, &got, &trunc));
    if ((uint64_t)got < body)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s: truncated: the header says %s, so expected %llu bytes, but the file has %llu%s", path,
                          what, (unsigned long long)(header_bytes + body), (unsigned long long)(header_bytes + got),
                          early_end_note(trunc));
    if (trunc) return clgan_fail(CLGAN_ERR_FORMAT, "%s: the gzip stream ends early (an interrupted download?)", path);
    return check_no_excess(f, path, header_bytes + body, what);
}

/* The images file: header checked against the limits and the file's size,
 * then the pixels read straight into a new dataset, stopping at the
 * declared length. */
static clgan_status read_images(const char *path, int classes, clgan_dataset **out)
{
    *out = NULL;
    gzFile f;
    uint64_t fsize;
    int gz;
    uint8_t h[16];
    TRY(clgan_gzopen_regular(path, &f, &fsize, &gz));
    clgan_status st = read_header(f, path, h, sizeof h, IDX_IMAGES_MAGIC, "IDX images: unsigned bytes, 3 dimensions",
                                  IDX_LABELS_MAGIC, "; this is a labels file");
    clgan_dataset *d = NULL;
    uint32_t n = 0, rows = 0, cols = 0;
    char what[96] = "";
    uint64_t want = 0;
    if (st == CLGAN_OK) {
        n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
        want = 16 + (uint64_t)n * rows * cols;
        snprintf(what, sizeof what, "%u images of %u x %u", n, rows, cols);
        if (n == 0 || n > INT32_MAX)
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: bad image count %u in the IDX header", path, n);
        else if (rows == 0 || cols == 0 || rows > IDX_MAX_SIDE || cols > IDX_MAX_SIDE)
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: bad image dimensions %u x %u in the IDX header (1..%u each)", path,
                            rows, cols, IDX_MAX_SIDE);
        else
            st = check_declared(path, gz, fsize, want, what);
    }
    if (st == CLGAN_OK) st = clgan_dataset_alloc((int)n, 1, (int)rows, (int)cols, classes, &d);
    if (st == CLGAN_OK) st = read_body(f, path, d->pixels, 16, want - 16, what);
    gzclose(f);
    if (st != CLGAN_OK) {
        clgan_dataset_free(d);
        return st;
    }
    *out = d;
    return CLGAN_OK;
}

static clgan_status read_labels(const char *path, uint32_t n_images, const char *images_path, int32_t *labels)
{
    gzFile f;
    uint64_t fsize;
    int gz;
    uint8_t h[8];
    TRY(clgan_gzopen_regular(path, &f, &fsize, &gz));
    clgan_status st = read_header(f, path, h, sizeof h, IDX_LABELS_MAGIC, "IDX labels: unsigned bytes, 1 dimension",
                                  IDX_IMAGES_MAGIC, "; this is an images file");
    uint32_t n = 0;
    uint8_t *buf = NULL;
    char what[48] = "";
    if (st != CLGAN_OK) {
        /* message set */
    } else if ((n = be32(h + 4)) != n_images) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "count mismatch: %s has %u images but %s has %u labels", images_path,
                        n_images, path, n);
    } else {
        snprintf(what, sizeof what, "%u labels", n);
        st = check_declared(path, gz, fsize, 8 + (uint64_t)n, what);
    }
    if (st == CLGAN_OK && !(buf = malloc(n ? n : 1)))
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %u labels", path, n);
    if (st == CLGAN_OK) st = read_body(f, path, buf, 8, n, what);
    for (uint32_t i = 0; st == CLGAN_OK && i < n; i++) {
        if (buf[i] >= 10) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: label %u has value %u (MNIST-style labels are 0..9)", path, i,
                            buf[i]);
            break;
        }
        labels[i] = buf[i];
    }
    free(buf);
    gzclose(f);
    return st;
}

clgan_status clgan_dataset_open_idx(const char *path, int is_dir, clgan_dataset_split split,
                                    const clgan_dataset_options *opt, clgan_dataset **out)
{
    char images[4096], labels[4096], other_images[4096], other_labels[4096];
    *out = NULL;
    if (is_dir) {
        const char *const *mine = split == CLGAN_SPLIT_TRAIN ? train_prefixes : test_prefixes;
        const char *const *other = split == CLGAN_SPLIT_TRAIN ? test_prefixes : train_prefixes;
        if (!find_pair(path, mine, images, labels, sizeof images))
            return clgan_fail(CLGAN_ERR_FORMAT, "%s: MNIST-style IDX folder without %s images: looked for %s",
                              path, split == CLGAN_SPLIT_TRAIN ? "training" : "test",
                              split == CLGAN_SPLIT_TRAIN ? "train-images-idx3-ubyte[.gz]"
                                                         : "t10k-images-idx3-ubyte[.gz], test-images-idx3-ubyte[.gz]");
        if (!clgan_path_is_file(labels))
            return clgan_fail(CLGAN_ERR_FORMAT, "%s: no labels file beside it (looked for %s)", images, labels);
        /* Both splits must have one image size. */
        uint32_t r1, c1, r2, c2;
        if (find_pair(path, other, other_images, other_labels, sizeof other_images) &&
            peek_dims(images, &r1, &c1) && peek_dims(other_images, &r2, &c2) && (r1 != r2 || c1 != c2))
            return clgan_fail(CLGAN_ERR_FORMAT, "dimension mismatch: %s holds %u x %u images but %s holds %u x %u",
                              images, r1, c1, other_images, r2, c2);
    } else {
        /* A lone images file without labels beside it (e.g. `clgan sample` of an unconditional GAN): unlabelled. */
        clgan_fmt(images, sizeof images, "%s", path);
        if (!labels_beside(images, labels, sizeof labels)) labels[0] = 0;
    }

    clgan_dataset *d;
    TRY(read_images(images, labels[0] ? 10 : 0, &d));
    uint32_t n = (uint32_t)d->n, rows = (uint32_t)d->h, cols = (uint32_t)d->w;
    clgan_status st = CLGAN_OK;
    if (labels[0]) st = read_labels(labels, n, images, d->labels);
    else
        for (uint32_t i = 0; i < n; i++) d->labels[i] = -1;
    if (st != CLGAN_OK) {
        clgan_dataset_free(d);
        return st;
    }
    clgan_fmt(d->source, sizeof d->source, "IDX %s (%u images %u x %u%s)", images, n, rows, cols,
              labels[0] ? "" : ", unlabelled: no labels-idx1 file beside it");
    *out = d;
    return CLGAN_OK;
}
