/* test_datasets.c — host-only tests of the dataset readers and the loader.
 *
 * Writes small IDX (plain and gzip, both namings), CIFAR-10 and PNG-folder
 * datasets into a temporary folder and checks the round trip, every
 * malformed-file error (message names the file and says what is wrong),
 * resize / crop / channel conversion, format detection, the synthetic set
 * (determinism, labels, learnability by a nearest-mean classifier) and the
 * loader (scaling to [-1, 1], seeded shuffles, each image once per epoch,
 * resume equivalence, buffer-size checks).
 */
#include "data/dataset.h"
#include "data/loader.h"
#include "test_expect.h"
#include "test_files.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <stb/stb_image_write.h>

static char tmp[256];

/* char var[512] = tmp + fmt (a path in the temp folder), created as a folder or not. */
#define PATHVAR(var, fmt) \
    char var[512];        \
    snprintf(var, sizeof var, fmt, tmp)
#define DIRVAR(var, fmt) \
    PATHVAR(var, fmt);   \
    mkdirs(var)

static void mkdirs(const char *path)
{
    char b[1024];
    snprintf(b, sizeof b, "%s", path);
    for (char *p = b + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(b, 0755);
            *p = '/';
        }
    mkdir(b, 0755);
}

/* IDX images file: magic, n, rows, cols, pixels (byte i of image k = k*7 + i*3). */
static size_t make_idx_images(uint8_t *buf, uint32_t magic, int n, int rows, int cols)
{
    test_put32be(buf, magic), test_put32be(buf + 4, (uint32_t)n), test_put32be(buf + 8, (uint32_t)rows), test_put32be(buf + 12, (uint32_t)cols);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < rows * cols; i++) buf[16 + (size_t)k * rows * cols + i] = (uint8_t)(k * 7 + i * 3);
    return 16 + (size_t)n * rows * cols;
}

static size_t make_idx_labels(uint8_t *buf, int n, int count_in_header)
{
    test_put32be(buf, 0x00000801), test_put32be(buf + 4, (uint32_t)count_in_header);
    for (int k = 0; k < n; k++) buf[8 + k] = (uint8_t)((k * 3) % 10);
    return 8 + (size_t)n;
}

/* A clean IDX pair (5 images of 3 x 4) named prefix-*, in dir. */
static void write_idx_pair(const char *dir, const char *prefix, int gz, int rows, int cols)
{
    uint8_t b[4096];
    const char *ext = gz ? ".gz" : "";
    size_t n = make_idx_images(b, 0x00000803, 5, rows, cols);
    test_write_file(test_fmt("%s/%s-images-idx3-ubyte%s", dir, prefix, ext), b, n, gz);
    n = make_idx_labels(b, 5, 5);
    test_write_file(test_fmt("%s/%s-labels-idx1-ubyte%s", dir, prefix, ext), b, n, gz);
}

static clgan_status open_ds(const char *spec, clgan_dataset_split split, const clgan_dataset_options *o,
                            clgan_dataset **d)
{
    clgan_status st = clgan_dataset_open(spec, split, o, d);
    return st;
}

static int has(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static void expect_fail(const char *spec, clgan_dataset_split split, const clgan_dataset_options *o,
                        clgan_status want, const char *must1, const char *must2, const char *label)
{
    clgan_dataset *d = NULL;
    clgan_status st = open_ds(spec, split, o, &d);
    const char *msg = clgan_last_error();
    CHECK(st == want && d == NULL, "%s: status %s (want %s)", label, clgan_status_name(st), clgan_status_name(want));
    CHECK(st == CLGAN_OK || (has(msg, must1) && (!must2 || has(msg, must2))),
          "%s: message \"%s\" lacks \"%s\"%s%s", label, msg, must1, must2 ? " / " : "", must2 ? must2 : "");
    printf("ok?  %-28s -> %s\n", label, msg);
    clgan_dataset_free(d);
}

/* ---- IDX -------------------------------------------------------------- */

static void check_idx_contents(const clgan_dataset *d, int rows, int cols, const char *label)
{
    CHECK(d->n == 5 && d->c == 1 && d->h == rows && d->w == cols && d->classes == 10, "%s: shape %d %d %d %d K%d",
          label, d->n, d->c, d->h, d->w, d->classes);
    int bad = 0;
    for (int k = 0; k < 5; k++) {
        bad += d->labels[k] != (k * 3) % 10;
        for (int i = 0; i < rows * cols; i++) bad += d->pixels[(size_t)k * rows * cols + i] != (uint8_t)(k * 7 + i * 3);
    }
    CHECK(bad == 0, "%s: %d wrong bytes or labels", label, bad);
}

static void test_idx(void)
{
    clgan_dataset *d = NULL;
    clgan_dataset_options o = clgan_dataset_default_options();
    /* plain with train-/t10k- naming, gzip with train-/test- naming */
    DIRVAR(a, "%s/idx_plain");
    DIRVAR(b, "%s/idx_gz");
    const struct {
        const char *dir, *what, *test_prefix, *test_source;
        int gz;
    } folders[] = {{a, "idx plain", "t10k", "t10k", 0}, {b, "idx gz", "test", "test-images", 1}};
    for (int f = 0; f < 2; f++) {
        write_idx_pair(folders[f].dir, "train", folders[f].gz, 3, 4);
        write_idx_pair(folders[f].dir, folders[f].test_prefix, folders[f].gz, 3, 4);
        for (int split = 0; split < 2; split++) {
            const char *what = test_fmt("%s %s", folders[f].what, split ? folders[f].test_prefix : "train");
            CHECK(open_ds(folders[f].dir, split ? CLGAN_SPLIT_TEST : CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "%s: %s",
                  what, clgan_last_error());
            if (d) check_idx_contents(d, 3, 4, what);
            if (d && split) CHECK(has(d->source, folders[f].test_source), "%s", d->source);
            if (d && !split && !f) printf("ok   %s\n", d->source);
            clgan_dataset_free(d), d = NULL;
        }
    }

    /* a path straight to an images file; labels found beside it */
    CHECK(open_ds(test_fmt("%s/test-images-idx3-ubyte.gz", b), CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "idx file: %s",
          clgan_last_error());
    if (d) check_idx_contents(d, 3, 4, "idx file");
    clgan_dataset_free(d), d = NULL;

    /* a lone images file with no labels beside it: unlabelled (classes 0, every label -1) */
    {
        DIRVAR(u, "%s/idx_nolabels");
        uint8_t ub[256];
        test_write_file(test_fmt("%s/x-images-idx3-ubyte", u), ub, make_idx_images(ub, 0x00000803, 5, 3, 4), 0);
        CHECK(open_ds(test_fmt("%s/x-images-idx3-ubyte", u), CLGAN_SPLIT_TEST, &o, &d) == CLGAN_OK, "idx unlabelled: %s",
              clgan_last_error());
        int unlabelled = 0;
        for (int i = 0; d && i < d->n; i++) unlabelled += d->labels[i] == -1;
        if (d) CHECK(d->n == 5 && d->h == 3 && d->w == 4 && d->classes == 0 && unlabelled == 5 &&
                         has(d->source, "unlabelled"),
                     "idx unlabelled: n %d %dx%d K%d, %d labels -1, source %s", d->n, d->h, d->w, d->classes,
                     unlabelled, d->source);
        clgan_dataset_free(d), d = NULL;
    }

    /* limit, size and channels apply to IDX too */
    o.limit = 2, o.size = 6, o.channels = 3;
    CHECK(open_ds(a, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "idx limit: %s", clgan_last_error());
    if (d) CHECK(d->n == 2 && d->c == 3 && d->h == 6 && d->w == 6, "idx limit/size/channels: %d %d %d %d", d->n, d->c,
                 d->h, d->w);
    if (d) CHECK(memcmp(d->pixels, d->pixels + 36, 36) == 0 && memcmp(d->pixels, d->pixels + 72, 36) == 0,
                 "grey -> RGB copies the plane");
    clgan_dataset_free(d), d = NULL;
    o = clgan_dataset_default_options();

    /* only one split present */
    DIRVAR(c, "%s/idx_trainonly");
    write_idx_pair(c, "train", 0, 3, 4);
    expect_fail(c, CLGAN_SPLIT_TEST, &o, CLGAN_ERR_FORMAT, "t10k-images-idx3-ubyte", "test-images", "idx no test split");

    /* malformed files: each in its own folder */
    uint8_t buf[4096];
    size_t n;
    DIRVAR(e, "%s/idx_magic");
    write_idx_pair(e, "train", 0, 3, 4);
    n = make_idx_images(buf, 0x00000802, 5, 3, 4);
    test_write_file(test_fmt("%s/train-images-idx3-ubyte", e), buf, n, 0);
    expect_fail(e, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-images-idx3-ubyte", "wrong magic 0x00000802",
                "idx wrong magic");

    DIRVAR(f, "%s/idx_trunc_img");
    write_idx_pair(f, "train", 1, 3, 4);
    n = make_idx_images(buf, 0x00000803, 5, 3, 4);
    test_write_file(test_fmt("%s/train-images-idx3-ubyte.gz", f), buf, n - 7, 1);
    expect_fail(f, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-images-idx3-ubyte.gz: truncated",
                "expected 76 bytes, but the file has 69", "idx truncated images (gz)");
    test_write_file(test_fmt("%s/train-images-idx3-ubyte.gz", f), buf, 10, 1);
    expect_fail(f, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "truncated", "got 10", "idx truncated header");
    test_write_file(test_fmt("%s/train-images-idx3-ubyte.gz", f), buf, n + 3, 1);
    expect_fail(f, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "too long", "has 79", "idx trailing bytes");
    /* a gzip file cut short (an interrupted download) */
    {
        test_write_file(test_fmt("%s/full.gz", f), buf, n, 1);
        FILE *g = fopen(test_fmt("%s/full.gz", f), "rb");
        uint8_t z[4096];
        size_t zn = fread(z, 1, sizeof z, g);
        fclose(g);
        unlink(test_fmt("%s/full.gz", f));
        test_write_file(test_fmt("%s/train-images-idx3-ubyte.gz", f), z, zn - 12, 0);
        expect_fail(f, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-images-idx3-ubyte.gz", "gzip stream ends early",
                    "idx gzip stream cut short");
    }

    DIRVAR(g, "%s/idx_trunc_lab");
    write_idx_pair(g, "train", 0, 3, 4);
    n = make_idx_labels(buf, 5, 5);
    test_write_file(test_fmt("%s/train-labels-idx1-ubyte", g), buf, n - 2, 0);
    expect_fail(g, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-labels-idx1-ubyte: truncated",
                "expected 13 bytes, but the file has 11", "idx truncated labels");

    DIRVAR(h, "%s/idx_count");
    write_idx_pair(h, "train", 0, 3, 4);
    n = make_idx_labels(buf, 4, 4);
    test_write_file(test_fmt("%s/train-labels-idx1-ubyte", h), buf, n, 0);
    expect_fail(h, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "count mismatch", "has 5 images but", "idx count mismatch");

    DIRVAR(i, "%s/idx_label");
    write_idx_pair(i, "train", 0, 3, 4);
    n = make_idx_labels(buf, 5, 5);
    buf[8 + 3] = 12;
    test_write_file(test_fmt("%s/train-labels-idx1-ubyte", i), buf, n, 0);
    expect_fail(i, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-labels-idx1-ubyte", "label 3 has value 12",
                "idx label out of range");

    DIRVAR(j, "%s/idx_dims");
    write_idx_pair(j, "train", 0, 3, 4);
    write_idx_pair(j, "t10k", 1, 4, 4);
    expect_fail(j, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "dimension mismatch", "3 x 4 images but", "idx train/test dims");
    DIRVAR(k, "%s/idx_zero");
    write_idx_pair(k, "train", 0, 3, 4);
    n = make_idx_images(buf, 0x00000803, 5, 0, 4);
    test_write_file(test_fmt("%s/train-images-idx3-ubyte", k), buf, n, 0);
    expect_fail(k, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "train-images-idx3-ubyte", "bad image dimensions 0 x 4",
                "idx zero rows");

    /* labels file given instead of images */
    expect_fail(test_fmt("%s/train-labels-idx1-ubyte", a), CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "labels file", NULL,
                "idx labels file given");
}

/* ---- CIFAR-10 --------------------------------------------------------- */

static size_t make_cifar(uint8_t *buf, int n, int first)
{
    for (int r = 0; r < n; r++) {
        uint8_t *rec = buf + (size_t)r * 3073;
        rec[0] = (uint8_t)((first + r) % 10);
        for (int p = 0; p < 3072; p++) rec[1 + p] = (uint8_t)(p / 1024 * 80 + first + r);
    }
    return (size_t)n * 3073;
}

static void test_cifar(void)
{
    static uint8_t buf[3073 * 4];
    clgan_dataset *d = NULL;
    clgan_dataset_options o = clgan_dataset_default_options();
    DIRVAR(a, "%s/cifar/cifar-10-batches-bin");
    test_write_file(test_fmt("%s/data_batch_1.bin", a), buf, make_cifar(buf, 3, 0), 0);
    test_write_file(test_fmt("%s/data_batch_2.bin", a), buf, make_cifar(buf, 2, 3), 0);
    test_write_file(test_fmt("%s/test_batch.bin", a), buf, make_cifar(buf, 4, 11), 0);
    PATHVAR(root, "%s/cifar");
    CHECK(open_ds(root, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "cifar train: %s", clgan_last_error());
    if (d) {
        CHECK(d->n == 5 && d->c == 3 && d->h == 32 && d->w == 32 && d->classes == 10, "cifar shape %d %d %d %d", d->n,
              d->c, d->h, d->w);
        int bad = 0;
        for (int r = 0; r < 5; r++) {
            bad += d->labels[r] != r % 10;
            for (int ch = 0; ch < 3; ch++) bad += d->pixels[(size_t)r * 3072 + ch * 1024 + 5] != ch * 80 + r;
        }
        CHECK(bad == 0, "cifar train: %d wrong", bad);
        CHECK(!strcmp(d->class_names[0], "airplane") && !strcmp(d->class_names[9], "truck"), "cifar default names");
        printf("ok   %s\n", d->source);
    }
    clgan_dataset_free(d), d = NULL;
    test_write_file(test_fmt("%s/batches.meta.txt", a), "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n\n", 51, 0);
    o.channels = 1;
    CHECK(open_ds(root, CLGAN_SPLIT_TEST, &o, &d) == CLGAN_OK, "cifar test: %s", clgan_last_error());
    if (d) {
        CHECK(d->n == 4 && d->c == 1 && d->labels[0] == 1, "cifar test shape %d %d label %d", d->n, d->c,
              d->labels[0]);
        /* grey of (11, 91, 171): (299*11 + 587*91 + 114*171 + 500) / 1000 = 76 */
        CHECK(d->pixels[0] == 76, "cifar RGB -> grey: %d (want 76)", d->pixels[0]);
        CHECK(!strcmp(d->class_names[3], "three"), "cifar meta names: %s", d->class_names[3]);
    }
    clgan_dataset_free(d), d = NULL;
    o.channels = 0;
    /* one .bin file given directly */
    CHECK(open_ds(test_fmt("%s/data_batch_2.bin", a), CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "cifar file: %s",
          clgan_last_error());
    if (d) CHECK(d->n == 2 && d->labels[1] == 4, "cifar file: n %d", d->n);
    clgan_dataset_free(d), d = NULL;

    DIRVAR(b, "%s/cifar_bad");
    make_cifar(buf, 2, 0);
    test_write_file(test_fmt("%s/data_batch_1.bin", b), buf, 3073 * 2 - 5, 0);
    expect_fail(b, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "data_batch_1.bin: 6141 bytes", "3073", "cifar size");
    make_cifar(buf, 2, 0);
    buf[3073] = 10;
    test_write_file(test_fmt("%s/data_batch_1.bin", b), buf, 3073 * 2, 0);
    expect_fail(b, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "data_batch_1.bin", "record 1 has label 10", "cifar label");
    expect_fail(b, CLGAN_SPLIT_TEST, &o, CLGAN_ERR_FORMAT, "test_batch.bin", NULL, "cifar no test batch");
}

/* ---- image folders ---------------------------------------------------- */

/* A w x h image, comp channels, every byte = v (grey) or (v, v/2, 255-v). */
static void write_png(const char *path, int w, int h, int comp, int v)
{
    uint8_t px[64 * 64 * 3];
    for (int i = 0; i < w * h; i++)
        for (int c = 0; c < comp; c++) px[i * comp + c] = (uint8_t)(c == 0 ? v : c == 1 ? v / 2 : 255 - v);
    CHECK(stbi_write_png(path, w, h, comp, px, w * comp) != 0, "stbi_write_png %s", path);
}

static void test_folder(void)
{
    clgan_dataset *d = NULL;
    clgan_dataset_options o = clgan_dataset_default_options();

    /* explicit train/ and test/ with class sub-folders; zebra only in test */
    PATHVAR(a, "%s/folder_split");
    const char *cls[3] = {"cat", "dog", "zebra"};
    for (int k = 0; k < 2; k++) {
        mkdirs(test_fmt("%s/train/%s", a, cls[k]));
        for (int i = 0; i < 3; i++) write_png(test_fmt("%s/train/%s/%d.png", a, cls[k], i), 8, 8, 1, 40 * k + i);
    }
    for (int k = 0; k < 3; k++) {
        mkdirs(test_fmt("%s/test/%s", a, cls[k]));
        write_png(test_fmt("%s/test/%s/x.png", a, cls[k]), 8, 8, 1, 100 + k);
    }
    test_write_file(test_fmt("%s/train/cat/README.txt", a), "not an image", 12, 0);
    CHECK(open_ds(a, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "folder train: %s", clgan_last_error());
    if (d) {
        CHECK(d->n == 6 && d->c == 1 && d->h == 8 && d->w == 8 && d->classes == 3, "folder train shape %d %d %d %d K%d",
              d->n, d->c, d->h, d->w, d->classes);
        int bad = 0;
        for (int i = 0; i < d->n; i++) bad += d->labels[i] != i / 3 || d->pixels[(size_t)i * 64] != 40 * (i / 3) + i % 3;
        CHECK(bad == 0, "folder train labels/pixels: %d wrong", bad);
        CHECK(!strcmp(d->class_names[2], "zebra"), "folder class names");
        printf("ok   %s\n", d->source);
    }
    clgan_dataset_free(d), d = NULL;
    CHECK(open_ds(a, CLGAN_SPLIT_TEST, &o, &d) == CLGAN_OK, "folder test: %s", clgan_last_error());
    if (d) CHECK(d->n == 3 && d->labels[2] == 2 && d->pixels[128] == 102, "folder test: n %d", d->n);
    clgan_dataset_free(d), d = NULL;

    /* hashed split: 2 classes x 20 images, every image on exactly one side */
    PATHVAR(b, "%s/folder_hash");
    for (int k = 0; k < 2; k++) {
        mkdirs(test_fmt("%s/%c", b, 'a' + k));
        for (int i = 0; i < 20; i++) write_png(test_fmt("%s/%c/img%02d.png", b, 'a' + k, i), 4, 4, 3, k * 100 + i);
    }
    clgan_dataset *tr = NULL, *te = NULL;
    CHECK(open_ds(b, CLGAN_SPLIT_TRAIN, &o, &tr) == CLGAN_OK, "hash train: %s", clgan_last_error());
    CHECK(open_ds(b, CLGAN_SPLIT_TEST, &o, &te) == CLGAN_OK, "hash test: %s", clgan_last_error());
    if (tr && te) {
        CHECK(tr->n + te->n == 40 && te->n >= 1 && tr->c == 3, "hash split %d + %d (c %d)", tr->n, te->n, tr->c);
        int seen[200] = {0}, bad = 0;
        for (int s = 0; s < 2; s++) {
            clgan_dataset *x = s ? te : tr;
            for (int i = 0; i < x->n; i++) {
                int v = x->pixels[(size_t)i * 48];
                seen[v]++;
                bad += x->labels[i] != v / 100;
                bad += x->pixels[(size_t)i * 48 + 16] != v / 2 || x->pixels[(size_t)i * 48 + 32] != 255 - v; /* planar */
            }
        }
        for (int v = 0; v < 200; v++) bad += seen[v] != (v % 100 < 20);
        CHECK(bad == 0, "hash split: %d wrong (each image once, label from folder, planar RGB)", bad);
        printf("ok   hashed split: %d train, %d test\n", tr->n, te->n);
    }
    clgan_dataset_free(tr), clgan_dataset_free(te);

    /* unlabelled folder; an unreadable .png; skip_unreadable */
    DIRVAR(c, "%s/folder_flat");
    for (int i = 0; i < 12; i++) write_png(test_fmt("%s/%02d.png", c, i), 5, 5, 1, i);
    o.test_percent = -1;
    CHECK(open_ds(c, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "flat: %s", clgan_last_error());
    if (d) CHECK(d->n == 12 && d->classes == 0 && d->labels[0] == -1 && d->labels[11] == -1, "flat unlabelled: n %d K %d",
                 d->n, d->classes);
    clgan_dataset_free(d), d = NULL;
    test_write_file(test_fmt("%s/broken.png", c), "\x89PNG garbage garbage", 20, 0);
    expect_fail(c, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "broken.png", "cannot read", "folder unreadable image");
    o.skip_unreadable = 1;
    CHECK(open_ds(c, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "skip: %s", clgan_last_error());
    if (d) CHECK(d->n == 12 && d->skipped == 1, "skip: n %d skipped %d", d->n, d->skipped);
    clgan_dataset_free(d), d = NULL;
    o.skip_unreadable = 0;
    unlink(test_fmt("%s/broken.png", c));

    /* sizes differ without a size */
    write_png(test_fmt("%s/99.png", c), 6, 5, 1, 0);
    expect_fail(c, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "differ in size", "99.png", "folder mixed sizes");

    /* resize + centre crop: 40 x 20 (w x h), left half 0, right half 200 ->
     * size 10: shorter side 20 -> 10 (area 2:1), width 20, crop columns 5..14,
     * so output columns 0..4 = 0 and 5..9 = 200 exactly. */
    DIRVAR(e, "%s/folder_resize");
    {
        uint8_t px[40 * 20 * 3];
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 40; x++)
                for (int ch = 0; ch < 3; ch++) px[(y * 40 + x) * 3 + ch] = x < 20 ? 0 : 200;
        CHECK(stbi_write_png(test_fmt("%s/wide.png", e), 40, 20, 3, px, 40 * 3) != 0, "write wide.png");
        write_png(test_fmt("%s/small.png", e), 5, 4, 3, 60); /* enlarged: 5x4 -> 12.5x10 -> crop */
    }
    o.size = 10, o.channels = 1;
    CHECK(open_ds(e, CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_OK, "resize: %s", clgan_last_error());
    if (d) {
        CHECK(d->n == 2 && d->c == 1 && d->h == 10 && d->w == 10, "resize shape %d %d %d %d", d->n, d->c, d->h, d->w);
        int bad = 0;
        const uint8_t *w = d->pixels + 100; /* sorted: small.png, wide.png */
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++) bad += w[y * 10 + x] != (x < 5 ? 0 : 200);
        /* small.png is constant (60, 30, 195) -> grey (299*60 + 587*30 + 114*195 + 500)/1000 = 58 everywhere */
        for (int p = 0; p < 100; p++) bad += d->pixels[p] != 58;
        CHECK(bad == 0, "resize/crop values: %d wrong", bad);
    }
    clgan_dataset_free(d), d = NULL;
    o = clgan_dataset_default_options();

    /* clgan_resize_crop directly: a horizontal ramp enlarged stays monotone */
    {
        uint8_t src[2 * 3 * 4], dst[2 * 9 * 9];
        for (int ch = 0; ch < 2; ch++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++) src[ch * 12 + y * 4 + x] = (uint8_t)(ch * 100 + x * 20);
        clgan_resize_crop(src, 2, 3, 4, dst, 9);
        int bad = 0;
        for (int ch = 0; ch < 2; ch++)
            for (int y = 0; y < 9; y++)
                for (int x = 0; x < 9; x++) {
                    int v = dst[ch * 81 + y * 9 + x];
                    bad += v < ch * 100 || v > ch * 100 + 60;
                    if (x) bad += v < dst[ch * 81 + y * 9 + x - 1];
                    if (y) bad += v != dst[ch * 81 + (y - 1) * 9 + x];
                }
        CHECK(bad == 0, "resize ramp: %d wrong", bad);
    }
}

/* ---- detection -------------------------------------------------------- */

static void test_detection(void)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    DIRVAR(a, "%s/empty");
    test_write_file(test_fmt("%s/notes.txt", a), "hello", 5, 0);
    expect_fail(a, CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "cannot tell the format", "empty", "undetectable folder");
    uint8_t junk[1000];
    for (int i = 0; i < 1000; i++) junk[i] = (uint8_t)(i * 37 + 11);
    test_write_file(test_fmt("%s/junk.bin", a), junk, sizeof junk, 0);
    expect_fail(test_fmt("%s/junk.bin", a), CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_FORMAT, "cannot tell the format", "junk.bin",
                "undetectable file");
    expect_fail(test_fmt("%s/nope", tmp), CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_IO, "nope", "no such file", "missing path");
    o.channels = 2;
    expect_fail("synthetic", CLGAN_SPLIT_TRAIN, &o, CLGAN_ERR_INVALID_ARG, "channels", NULL, "bad channels");
}

/* ---- synthetic -------------------------------------------------------- */

static void test_synthetic(void)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    clgan_dataset *a = NULL, *b = NULL, *t = NULL;
    o.seed = 42;
    CHECK(open_ds("synthetic", CLGAN_SPLIT_TRAIN, &o, &a) == CLGAN_OK, "synthetic: %s", clgan_last_error());
    CHECK(open_ds("synthetic", CLGAN_SPLIT_TRAIN, &o, &b) == CLGAN_OK, "synthetic 2: %s", clgan_last_error());
    CHECK(open_ds("synthetic", CLGAN_SPLIT_TEST, &o, &t) == CLGAN_OK, "synthetic test: %s", clgan_last_error());
    if (!a || !b || !t) return;
    size_t bytes = (size_t)a->n * clgan_dataset_image_bytes(a);
    CHECK(a->n == 2000 && t->n == 500 && a->c == 1 && a->h == 28 && a->w == 28 && a->classes == 10,
          "synthetic shape %d/%d %dx%dx%d K%d", a->n, t->n, a->c, a->h, a->w, a->classes);
    CHECK(memcmp(a->pixels, b->pixels, bytes) == 0 && memcmp(a->labels, b->labels, (size_t)a->n * 4) == 0,
          "synthetic: same seed, different bytes");
    CHECK(memcmp(a->pixels, t->pixels, clgan_dataset_image_bytes(a) * 10) != 0, "synthetic: train == test");
    int hist[10] = {0}, bad = 0;
    for (int i = 0; i < a->n; i++) {
        if (a->labels[i] < 0 || a->labels[i] >= 10) bad++;
        else hist[a->labels[i]]++;
    }
    CHECK(bad == 0 && hist[0] == 200 && hist[9] == 200, "synthetic labels: %d out of range, hist0 %d", bad, hist[0]);

    /* learnable: nearest class mean, trained on train, scored on test */
    double *mean = calloc(10 * 784, sizeof *mean);
    for (int i = 0; i < a->n; i++)
        for (int p = 0; p < 784; p++) mean[a->labels[i] * 784 + p] += a->pixels[(size_t)i * 784 + p] / 200.0;
    int right = 0;
    for (int i = 0; i < t->n; i++) {
        int best = -1;
        double bd = 1e300;
        for (int k = 0; k < 10; k++) {
            double s = 0;
            for (int p = 0; p < 784; p++) {
                double dd = t->pixels[(size_t)i * 784 + p] - mean[k * 784 + p];
                s += dd * dd;
            }
            if (s < bd) bd = s, best = k;
        }
        right += best == t->labels[i];
    }
    free(mean);
    printf("ok   synthetic nearest-mean test accuracy %.1f%%\n", 100.0 * right / t->n);
    CHECK(right > t->n / 2, "synthetic nearest-mean accuracy %d / %d (chance 10%%)", right, t->n);
    clgan_dataset_free(b), b = NULL;
    o.seed = 43;
    CHECK(open_ds("synthetic", CLGAN_SPLIT_TRAIN, &o, &b) == CLGAN_OK, "synthetic seed 43");
    if (b) CHECK(memcmp(a->pixels, b->pixels, bytes) != 0, "synthetic: seed ignored");
    clgan_dataset_free(a), clgan_dataset_free(b), clgan_dataset_free(t);

    o.size = 16, o.channels = 3, o.synthetic_classes = 4, o.synthetic_train = 40;
    CHECK(open_ds("synthetic", CLGAN_SPLIT_TRAIN, &o, &a) == CLGAN_OK, "synthetic rgb: %s", clgan_last_error());
    if (a) CHECK(a->n == 40 && a->c == 3 && a->h == 16 && a->classes == 4 && a->labels[5] == 1,
                 "synthetic rgb shape %d %d %d K%d", a->n, a->c, a->h, a->classes);
    clgan_dataset_free(a);
}

/* ---- loader ----------------------------------------------------------- */

/* n images of 2 x 1 x 1 whose two bytes encode the index (i / 256, i % 256). */
static clgan_dataset *index_dataset(int n)
{
    clgan_dataset *d;
    if (clgan_dataset_alloc(n, 2, 1, 1, 7, &d) != CLGAN_OK) return NULL;
    for (int i = 0; i < n; i++) {
        d->pixels[2 * i] = (uint8_t)(i / 256);
        d->pixels[2 * i + 1] = (uint8_t)(i % 256);
        d->labels[i] = i % 7;
    }
    return d;
}

static int decode_index(const float *x)
{
    int hi = (int)lround((x[0] + 1.0) * 127.5), lo = (int)lround((x[1] + 1.0) * 127.5);
    return hi * 256 + lo;
}

static void test_loader(void)
{
    /* scaling: every byte value maps to x / 127.5 - 1 */
    clgan_dataset *s;
    if (clgan_dataset_alloc(1, 1, 16, 16, 0, &s) != CLGAN_OK) return;
    for (int i = 0; i < 256; i++) s->pixels[i] = (uint8_t)i;
    s->labels[0] = -1;
    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = 1;
    clgan_loader *l;
    float x[256];
    int32_t y[1];
    CHECK(clgan_loader_create(s, &lo, &l) == CLGAN_OK, "loader create: %s", clgan_last_error());
    clgan_batch_info bi;
    CHECK(clgan_loader_next(l, x, 256, y, 1, &bi) == CLGAN_OK, "loader next: %s", clgan_last_error());
    int bad = 0;
    for (int i = 0; i < 256; i++) bad += x[i] != (float)(i / 127.5 - 1.0) || x[i] < -1.0f || x[i] > 1.0f;
    CHECK(bad == 0 && x[0] == -1.0f && x[255] == 1.0f && y[0] == -1, "scaling: %d wrong", bad);
    CHECK(clgan_loader_next(l, x, 255, y, 1, &bi) == CLGAN_ERR_INVALID_ARG, "x buffer too small not caught");
    clgan_loader_free(l);
    clgan_dataset_free(s);

    clgan_dataset *d = index_dataset(103);
    if (!d) return;
    /* every image exactly once per epoch; the last batch partial */
    lo.batch = 10, lo.drop_last = 0, lo.seed = 5;
    CHECK(clgan_loader_create(d, &lo, &l) == CLGAN_OK, "loader create");
    CHECK(clgan_loader_steps_per_epoch(l) == 11, "steps %lld", (long long)clgan_loader_steps_per_epoch(l));
    float xb[20];
    int32_t yb[10];
    int order0[103], order1[103];
    for (int e = 0; e < 2; e++) {
        int count[103] = {0}, got = 0;
        bad = 0;
        for (int s2 = 0; s2 < 11; s2++) {
            CHECK(clgan_loader_next(l, xb, 20, yb, 10, &bi) == CLGAN_OK, "next");
            bad += bi.epoch != e || bi.step != s2 || bi.count != (s2 == 10 ? 3 : 10) || bi.last != (s2 == 10);
            for (int b = 0; b < bi.count; b++) {
                int idx = decode_index(xb + 2 * b);
                if (idx < 0 || idx >= 103) {
                    bad++;
                    continue;
                }
                count[idx]++;
                bad += yb[b] != idx % 7;
                (e ? order1 : order0)[got++] = idx;
            }
        }
        for (int i = 0; i < 103; i++) bad += count[i] != 1;
        CHECK(bad == 0 && got == 103, "epoch %d: each image once: %d wrong, %d seen", e, bad, got);
    }
    CHECK(memcmp(order0, order1, sizeof order0) != 0, "epochs 0 and 1 have the same order");
    int moved = 0;
    for (int i = 0; i < 103; i++) moved += order0[i] != i;
    CHECK(moved > 50, "epoch 0 barely shuffled (%d moved)", moved);
    clgan_loader_free(l);

    /* determinism: same seed, same batches; other seed, other batches */
    clgan_loader *l2, *l3;
    clgan_loader_create(d, &lo, &l);
    clgan_loader_create(d, &lo, &l2);
    lo.seed = 6;
    clgan_loader_create(d, &lo, &l3);
    int same = 1, diff = 0;
    for (int i = 0; i < 30; i++) {
        float x1[20], x2[20], x3[20];
        clgan_loader_next(l, x1, 20, NULL, 0, &bi);
        clgan_loader_next(l2, x2, 20, NULL, 0, NULL);
        clgan_loader_next(l3, x3, 20, NULL, 0, NULL);
        same &= memcmp(x1, x2, (size_t)bi.count * 2 * sizeof(float)) == 0;
        diff |= memcmp(x1, x3, (size_t)bi.count * 2 * sizeof(float)) != 0;
    }
    CHECK(same && diff, "seeded shuffle: same seed equal %d, other seed differs %d", same, diff);
    clgan_loader_free(l), clgan_loader_free(l2), clgan_loader_free(l3);

    /* resume: seek to (epoch, step) of batch 23 of an uninterrupted run with
     * drop_last, and get the same batches from there on */
    lo.seed = 9, lo.drop_last = 1, lo.batch = 8;
    clgan_loader_create(d, &lo, &l);
    CHECK(clgan_loader_steps_per_epoch(l) == 12, "drop_last steps %lld", (long long)clgan_loader_steps_per_epoch(l));
    static float run[40][16];
    static int32_t runy[40][8];
    int64_t ep23 = 0, st23 = 0;
    for (int i = 0; i < 40; i++) {
        if (i == 23) clgan_loader_position(l, &ep23, &st23);
        clgan_loader_next(l, run[i], 16, runy[i], 8, &bi);
        CHECK(bi.count == 8, "drop_last partial batch");
    }
    CHECK(ep23 == 1 && st23 == 11, "position at batch 23: epoch %lld step %lld", (long long)ep23, (long long)st23);
    clgan_loader_free(l);
    clgan_loader_create(d, &lo, &l);
    CHECK(clgan_loader_seek(l, ep23, st23) == CLGAN_OK, "seek: %s", clgan_last_error());
    bad = 0;
    for (int i = 23; i < 40; i++) {
        float xr[16];
        int32_t yr[8];
        clgan_loader_next(l, xr, 16, yr, 8, &bi);
        bad += memcmp(xr, run[i], sizeof xr) != 0 || memcmp(yr, runy[i], sizeof yr) != 0;
    }
    CHECK(bad == 0, "resume: %d batches differ from the uninterrupted run", bad);
    CHECK(clgan_loader_seek(l, 0, 12) == CLGAN_ERR_INVALID_ARG, "seek past the epoch not caught");
    CHECK(clgan_loader_next(l, xb, 16, yb, 7, &bi) == CLGAN_ERR_INVALID_ARG, "labels buffer too small not caught");
    clgan_loader_free(l);
    lo.batch = 200;
    CHECK(clgan_loader_create(d, &lo, &l) == CLGAN_ERR_INVALID_ARG, "drop_last batch > n not caught");
    clgan_dataset_free(d);
}

int main(void)
{
    if (!test_temp_dir(tmp, sizeof tmp, "datasets")) return 1;
    test_idx();
    test_cifar();
    test_folder();
    test_detection();
    test_synthetic();
    test_loader();
    test_rm_rf(tmp);
    return test_finish();
}
