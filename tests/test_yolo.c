/* test_yolo.c — the YOLO folder reader (clgan/detection.h): hand-made good
 * folders in both layouts (counts, boxes, pixels, class names from
 * classes.txt, from data.yaml's flow and block forms and from the labels),
 * stretching and channel conversion, and every refusal, each from a
 * hand-written bad file, with a message naming the file and the line. */
#include "test_expect.h"
#include "test_files.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

static char tmp_root[256];

static void put_text(const char *path, const char *text) { test_write_file(path, text, strlen(text), 0); }

/* A grey w x h PNG whose pixel (x, y) is (x * 16 + y * 3 + seed) % 256. */
static void put_png(const char *path, int w, int h, int seed)
{
    uint8_t px[64 * 64];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) px[y * w + x] = (uint8_t)((x * 16 + y * 3 + seed) % 256);
    MUST(clgan_png_write(path, w, h, 1, px));
}

static void make_dirs(const char *root, const char *a, const char *b)
{
    mkdir(root, 0755);
    mkdir(test_fmt("%s/%s", root, a), 0755);
    mkdir(test_fmt("%s/%s/%s", root, a, b), 0755);
}

/* A fresh folder with the layout ROOT/images/train/{a,b,c}.png (16 x 8) and
 * labels a.txt (two boxes), b.txt (empty); c has none. */
static const char *good_folder(const char *name)
{
    static char root[512];
    snprintf(root, sizeof root, "%s/%s", tmp_root, name);
    make_dirs(root, "images", "train");
    make_dirs(root, "labels", "train");
    put_png(test_fmt("%s/images/train/a.png", root), 16, 8, 0);
    put_png(test_fmt("%s/images/train/b.png", root), 16, 8, 40);
    put_png(test_fmt("%s/images/train/c.png", root), 16, 8, 80);
    put_text(test_fmt("%s/labels/train/a.txt", root), "0 0.5 0.5 0.25 0.5\n1 0.125 0.25 0.25 0.5\n");
    put_text(test_fmt("%s/labels/train/b.txt", root), "");
    return root;
}

static int near(float a, double b) { return fabs(a - b) < 1e-6; }

/* Open root's split and expect a refusal with status st whose message holds
 * every string of want (NULL-terminated). */
static void expect_refusal(const char *what, const char *root, clgan_dataset_split split, int size, clgan_status st,
                           const char *const *want)
{
    clgan_detset *ds = (clgan_detset *)1;
    clgan_status got = clgan_detset_open(root, split, size, 0, &ds);
    const char *msg = clgan_last_error();
    int has_all = 1;
    for (int i = 0; want[i]; i++) has_all &= strstr(msg, want[i]) != NULL;
    EXPECT(got == st && ds == NULL && has_all, "%s: refused with %s (%s): %s", what, clgan_status_name(st),
           clgan_status_name(got), msg);
    if (got == CLGAN_OK) clgan_detset_free(ds);
}
#define WANT(...) (const char *const[]){__VA_ARGS__, NULL}

/* A good folder with labels/train/a.txt replaced by text: refused, the
 * message naming a.txt, the line and `why`. */
static void bad_label(const char *name, const char *text, const char *line, const char *why)
{
    const char *root = good_folder(name);
    const char *file = test_fmt("%s/labels/train/a.txt", root);
    put_text(file, text);
    char file_line[600];
    snprintf(file_line, sizeof file_line, "%s:%s:", file, line);
    expect_refusal(name, root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT, WANT(file_line, why));
}

static void test_refusals(void)
{
    /* label lines: {folder, a.txt text, line in the message, why} */
    static const char *const label_cases[][4] = {
        {"fields", "0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n", "2", "expected 5 fields"},
        {"fields-many", "0 0.5 0.5 0.2 0.2 0.1 0.1\n", "1", "found 7"},
        {"not-number", "\n\n0 0.5 abc 0.2 0.2\n", "3", "cy 'abc' is not a number"},
        {"nan", "0 nan 0.5 0.2 0.2\n", "1", "is not a number"},
        {"control-byte", "0 0.5 0.5 \r0.2 0.2\n", "1", "w '\\x0d0.2' is not a number"}, /* quoted escaped */
        {"class-text", "x 0.5 0.5 0.2 0.2\n", "1", "class 'x' is not a whole number"},
        {"class-float", "1.5 0.5 0.5 0.2 0.2\n", "1", "class '1.5' is not a whole number"},
        {"class-negative", "0 0.5 0.5 0.2 0.2\n-1 0.5 0.5 0.2 0.2\n", "2", "negative"},
        {"outside-range", "0 1.5 0.5 0.2 0.2\n", "1", "outside [0, 1]"},
        {"below-range", "0 0.5 -0.01 0.2 0.2\n", "1", "outside [0, 1]"},
        {"zero-width", "0 0.5 0.5 0 0.2\n", "1", "above 0"},
        {"past-edge", "0 0.95 0.5 0.2 0.2\n", "1", "reaches outside the image"},
        {"past-top", "0 0.5 0.05 0.2 0.2\n", "1", "reaches outside the image"},
    };
    for (size_t k = 0; k < sizeof label_cases / sizeof label_cases[0]; k++)
        bad_label(label_cases[k][0], label_cases[k][1], label_cases[k][2], label_cases[k][3]);

    /* class >= K when names are given */
    const char *root = good_folder("class-range");
    put_text(test_fmt("%s/classes.txt", root), "cat\ndog\n");
    put_text(test_fmt("%s/labels/train/b.txt", root), "1 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n");
    expect_refusal("class >= K", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/labels/train/b.txt:2:", root), "class 2 is out of range", "0..1"));

    /* a label file without an image */
    root = good_folder("orphan");
    put_text(test_fmt("%s/labels/train/zzz.txt", root), "0 0.5 0.5 0.2 0.2\n");
    expect_refusal("label without image", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/labels/train/zzz.txt", root), "without an image"));

    /* a bad label file in the other split is found too */
    root = good_folder("other-split");
    make_dirs(root, "images", "val");
    make_dirs(root, "labels", "val");
    put_png(test_fmt("%s/images/val/v.png", root), 16, 8, 1);
    put_text(test_fmt("%s/labels/val/v.txt", root), "0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 2\n");
    expect_refusal("bad label in the other split", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/labels/val/v.txt:2:", root), "outside [0, 1]"));

    /* missing split folders */
    root = good_folder("no-test");
    expect_refusal("no test split", root, CLGAN_SPLIT_TEST, 0, CLGAN_ERR_FORMAT,
                   WANT("no test split", test_fmt("%s/images/val", root), test_fmt("%s/test/images", root)));
    root = test_fmt("%s/empty-root", tmp_root);
    mkdir(root, 0755);
    expect_refusal("no train split", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT("no train split", test_fmt("%s/images/train", root)));
    root = good_folder("no-labels");
    test_rm_rf(test_fmt("%s/labels", root));
    expect_refusal("no labels folder", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/labels/train", root), "missing"));

    /* an empty split: no image in images/train */
    root = test_fmt("%s/empty-split", tmp_root);
    make_dirs(root, "images", "train");
    make_dirs(root, "labels", "train");
    put_text(test_fmt("%s/images/train/notes.txt", root), "not an image\n");
    expect_refusal("empty split", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/images/train", root), "no images"));

    /* sizes differ with size 0; the same folder reads with a size */
    root = good_folder("sizes");
    put_png(test_fmt("%s/images/train/c.png", root), 12, 8, 80);
    expect_refusal("sizes differ", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT(test_fmt("%s/images/train/c.png is 12 x 8", root), "give a size"));
    clgan_detset *ds = NULL;
    EXPECT(clgan_detset_open(root, CLGAN_SPLIT_TRAIN, 8, 0, &ds) == CLGAN_OK && ds, "sizes differ: size 8 reads it");
    clgan_detset_free(ds);

    /* an image that cannot be decoded, and two images with one base name */
    root = good_folder("corrupt");
    put_text(test_fmt("%s/images/train/b.png", root), "\x89PNG\r\n\x1a\n this is not a PNG");
    clgan_status st = clgan_detset_open(root, CLGAN_SPLIT_TRAIN, 0, 0, &ds);
    EXPECT(st != CLGAN_OK && strstr(clgan_last_error(), test_fmt("%s/images/train/b.png", root)),
           "corrupt image: refused naming it: %s", clgan_last_error());
    root = good_folder("same-stem");
    put_png(test_fmt("%s/images/train/a.jpg.png", root), 16, 8, 0); /* stem a.jpg: fine */
    put_png(test_fmt("%s/images/train/b.bmp", root), 16, 8, 0);     /* a PNG named .bmp; stem b, like b.png */
    expect_refusal("two images, one base name", root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                   WANT("b.bmp and b.png share the base name 'b'"));

    /* class-name files: {folder, file, text, line in the message ("" for none), why} */
    static const char *const names_cases[][5] = {
        {"classes-blank", "classes.txt", "cat\n\ndog\n", "2", "empty class name"},
        {"yaml-scalar", "data.yaml", "path: .\nnames: cat\n", "2", "must be a list"},
        {"yaml-index", "data.yaml", "names:\n  0: cat\n  2: dog\n", "3", "class index 2 where 1 was expected"},
        {"yaml-item", "data.yaml", "names:\n  - cat\n  dog\n", "3", "expected '- NAME' or 'INDEX: NAME'"},
        {"yaml-nc", "data.yaml", "nc: 3\nnames: [cat, dog]\n", "1", "nc is 3 but names: (line 2) lists 2"},
        {"yaml-open", "data.yml", "names: [cat,\n  dog\n", "1", "not closed"},
        {"yaml-none", "data.yaml", "path: .\ntrain: images/train\n", "", "no names: entry"},
    };
    for (size_t k = 0; k < sizeof names_cases / sizeof names_cases[0]; k++) {
        const char *const *c = names_cases[k];
        root = good_folder(c[0]);
        const char *file = test_fmt("%s/%s", root, c[1]);
        put_text(file, c[2]);
        expect_refusal(c[0], root, CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_FORMAT,
                       WANT(c[3][0] ? test_fmt("%s:%s:", file, c[3]) : file, c[4]));
    }

    /* arguments */
    expect_refusal("missing folder", test_fmt("%s/nothing-here", tmp_root), CLGAN_SPLIT_TRAIN, 0, CLGAN_ERR_IO,
                   WANT("nothing-here"));
    EXPECT(clgan_detset_open(good_folder("args"), CLGAN_SPLIT_TRAIN, 0, 2, &ds) == CLGAN_ERR_INVALID_ARG,
           "channels 2 refused: %s", clgan_last_error());
}

/* The boxes of image i are exactly want[0..n) (class and 4 values each). */
static int boxes_are(const clgan_detset *ds, int i, int n, const double want[][5])
{
    const clgan_box *b;
    int got;
    if (clgan_detset_boxes(ds, i, &b, &got) != CLGAN_OK || got != n) return 0;
    for (int k = 0; k < n; k++)
        if (b[k].cls != (int)want[k][0] || !near(b[k].cx, want[k][1]) || !near(b[k].cy, want[k][2]) ||
            !near(b[k].w, want[k][3]) || !near(b[k].h, want[k][4]))
            return 0;
    return 1;
}

static int names_are(const clgan_detset *ds, const char *const *want)
{
    clgan_detset_info info;
    if (clgan_detset_get_info(ds, &info) != CLGAN_OK) return 0;
    int k = 0;
    for (; want[k]; k++)
        if (!clgan_detset_class_name(ds, k) || strcmp(clgan_detset_class_name(ds, k), want[k])) return 0;
    return info.classes == k && clgan_detset_class_name(ds, k) == NULL;
}

static void test_good_folders(void)
{
    static const double a_boxes[2][5] = {{0, 0.5, 0.5, 0.25, 0.5}, {1, 0.125, 0.25, 0.25, 0.5}};
    /* Layout images/SPLIT, labels without names: K from both splits (class 4 in val). */
    const char *root = good_folder("good");
    make_dirs(root, "images", "val");
    make_dirs(root, "labels", "val");
    put_png(test_fmt("%s/images/val/d.png", root), 16, 8, 7);
    put_text(test_fmt("%s/labels/val/d.txt", root), "4 0.5 0.5 1 1\r\n\r\n");
    put_text(test_fmt("%s/images/train/readme.md", root), "ignored\n");
    clgan_detset *ds;
    MUST(clgan_detset_open(root, CLGAN_SPLIT_TRAIN, 0, 0, &ds));
    clgan_detset_info info;
    MUST(clgan_detset_get_info(ds, &info));
    EXPECT(info.count == 3 && info.channels == 1 && info.height == 8 && info.width == 16 && info.boxes == 2 &&
               info.classes == 5,
           "train: 3 grey 16 x 8 images, 2 boxes, 5 classes (got %d, %d x %d x %d, %lld, %d)", info.count,
           info.channels, info.width, info.height, (long long)info.boxes, info.classes);
    double none[1][5];
    EXPECT(boxes_are(ds, 0, 2, a_boxes) && boxes_are(ds, 1, 0, none) && boxes_are(ds, 2, 0, none),
           "train: a has its two boxes, b (empty .txt) and c (no .txt) none");
    EXPECT(names_are(ds, (const char *const[]){"0", "1", "2", "3", "4", NULL}), "classes named 0..4 without names");
    EXPECT(!strcmp(clgan_detset_file_name(ds, 2), test_fmt("%s/images/train/c.png", root)) &&
               !clgan_detset_file_name(ds, 3),
           "file names: image 2 is c.png, none past the end");
    float px[3 * 8 * 16];
    MUST(clgan_detset_read(ds, 0, 3, px));
    int pixels_ok = 1;
    for (int i = 0; i < 3; i++)
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++)
                pixels_ok &= near(px[(i * 8 + y) * 16 + x], ((x * 16 + y * 3 + 40 * i) % 256) / 127.5 - 1);
    EXPECT(pixels_ok, "pixels read back as p / 127.5 - 1, in file order");
    EXPECT(clgan_detset_read(ds, 2, 2, px) == CLGAN_ERR_INVALID_ARG, "reading past the end refused");
    const clgan_box *b;
    int nb;
    EXPECT(clgan_detset_boxes(ds, 3, &b, &nb) == CLGAN_ERR_INVALID_ARG, "boxes of image 3 of 3 refused");
    clgan_detset_free(ds);
    MUST(clgan_detset_open(root, CLGAN_SPLIT_TEST, 0, 0, &ds));
    static const double d_box[1][5] = {{4, 0.5, 0.5, 1, 1}};
    MUST(clgan_detset_get_info(ds, &info));
    EXPECT(info.count == 1 && info.classes == 5 && boxes_are(ds, 0, 1, d_box),
           "test reads images/val (CRLF lines): one image, box of class 4, 5 classes");
    clgan_detset_free(ds);

    /* Stretch and channels: 16 x 8 to 4 x 4 RGB; boxes unchanged, planes equal. */
    MUST(clgan_detset_open(root, CLGAN_SPLIT_TRAIN, 4, 3, &ds));
    MUST(clgan_detset_get_info(ds, &info));
    float rgb[3 * 3 * 4 * 4];
    MUST(clgan_detset_read(ds, 0, 3, rgb));
    int planes_equal = 1;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 16; k++)
            planes_equal &= rgb[(i * 3 + 0) * 16 + k] == rgb[(i * 3 + 1) * 16 + k] &&
                            rgb[(i * 3 + 0) * 16 + k] == rgb[(i * 3 + 2) * 16 + k];
    EXPECT(info.channels == 3 && info.height == 4 && info.width == 4 && planes_equal && boxes_are(ds, 0, 2, a_boxes),
           "size 4, channels 3: 3 x 4 x 4, grey copied to the planes, boxes unchanged");
    clgan_detset_free(ds);

    /* Layout SPLIT/images with classes.txt; TEST from test/ when there is no val/. */
    char root2[512];
    snprintf(root2, sizeof root2, "%s/layout-b", tmp_root);
    make_dirs(root2, "train", "images");
    make_dirs(root2, "train", "labels");
    make_dirs(root2, "test", "images");
    make_dirs(root2, "test", "labels");
    put_png(test_fmt("%s/train/images/x.png", root2), 8, 8, 0);
    put_text(test_fmt("%s/train/labels/x.txt", root2), "2 0.5 0.5 0.5 0.5\n");
    put_png(test_fmt("%s/test/images/y.png", root2), 8, 8, 0);
    put_text(test_fmt("%s/classes.txt", root2), "cat\ndog \nbird\n\n");
    MUST(clgan_detset_open(root2, CLGAN_SPLIT_TEST, 0, 0, &ds));
    MUST(clgan_detset_get_info(ds, &info));
    EXPECT(info.count == 1 && info.boxes == 0 && names_are(ds, (const char *const[]){"cat", "dog", "bird", NULL}),
           "layout SPLIT/images: test/ read, names from classes.txt (trimmed, trailing blank line ignored)");
    clgan_detset_free(ds);

    /* data.yaml: flow list over two lines with quotes, dict block, list block; classes.txt wins over it. */
    static const char *const yaml_forms[] = {
        "path: ../data\ntrain: images/train\nnames: [cat, 'dog',\n  \"bird, small\"]  # three\n",
        "nc: 3\nnames:\n  0: cat\n  1: dog   # a comment\n  2: 'bird, small'\nval: images/val\n",
        "names:\n  - cat\n\n  - \"dog\"\n  - bird, small\ndownload: no\n",
    };
    for (int f = 0; f < 3; f++) {
        test_rm_rf(test_fmt("%s/classes.txt", root2));
        put_text(test_fmt("%s/data.yaml", root2), yaml_forms[f]);
        clgan_status st = clgan_detset_open(root2, CLGAN_SPLIT_TRAIN, 0, 0, &ds);
        EXPECT(st == CLGAN_OK && names_are(ds, (const char *const[]){"cat", "dog", "bird, small", NULL}),
               "data.yaml form %d: names cat, dog, 'bird, small' (%s)", f + 1, st ? clgan_last_error() : "read");
        clgan_detset_free(ds);
    }
    put_text(test_fmt("%s/classes.txt", root2), "a\nb\nc\nd\n");
    MUST(clgan_detset_open(root2, CLGAN_SPLIT_TRAIN, 0, 0, &ds));
    EXPECT(names_are(ds, (const char *const[]){"a", "b", "c", "d", NULL}), "classes.txt is used before data.yaml");
    clgan_detset_free(ds);

    /* values at the edges of the slack are accepted */
    root = good_folder("slack");
    put_text(test_fmt("%s/labels/train/a.txt", root), "0 0.9005 0.5 0.2 0.2\n0 0.5 0.5 0.2 1.0000005\n");
    EXPECT(clgan_detset_open(root, CLGAN_SPLIT_TRAIN, 0, 0, &ds) == CLGAN_OK, "slack: 1e-3 past the edge, 1e-6 past 1: "
           "accepted (%s)", clgan_last_error());
    clgan_detset_free(ds);
    clgan_detset_free(NULL);
}

int main(void)
{
    if (!test_temp_dir(tmp_root, sizeof tmp_root, "yolo")) return 1;
    test_good_folders();
    test_refusals();
    test_rm_rf(tmp_root);
    return test_finish();
}
