/* api_dataset.c — the public dataset API over <clgan.h> only: an IDX file
 * written here read back as floats (p / 127.5 - 1) with its labels; the
 * built-in synthetic set's info, class names and labels; the batch loader
 * against clgan_dataset_read (dataset order, then a seeded shuffle whose
 * every image is a dataset image with its label, the same after a seek);
 * the PNG grid writer; and the errors for a bad range, a missing path and
 * bad options. */
#include "test_expect.h"
#include "test_files.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

enum { IDX_N = 5, IDX_H = 3, IDX_W = 4 };

static void test_idx(const char *dir)
{
    uint8_t img[16 + IDX_N * IDX_H * IDX_W], lab[8 + IDX_N];
    put_be32(img, 0x00000803), put_be32(img + 4, IDX_N), put_be32(img + 8, IDX_H), put_be32(img + 12, IDX_W);
    for (int i = 0; i < IDX_N * IDX_H * IDX_W; i++) img[16 + i] = (uint8_t)(i * 37 % 256);
    img[16] = 0, img[17] = 255; /* both ends of the range */
    put_be32(lab, 0x00000801), put_be32(lab + 4, IDX_N);
    for (int i = 0; i < IDX_N; i++) lab[8 + i] = (uint8_t)(9 - i);
    char ip[512], lp[512];
    snprintf(ip, sizeof ip, "%s/x-images-idx3-ubyte", dir);
    snprintf(lp, sizeof lp, "%s/x-labels-idx1-ubyte", dir);
    test_write_file(ip, img, sizeof img, 0);
    test_write_file(lp, lab, sizeof lab, 0);

    clgan_dataset *d;
    MUST(clgan_dataset_open(ip, CLGAN_SPLIT_TRAIN, NULL, &d));
    clgan_dataset_info info;
    MUST(clgan_dataset_get_info(d, &info));
    EXPECT(info.count == IDX_N && info.channels == 1 && info.height == IDX_H && info.width == IDX_W &&
               info.classes == 10,
           "idx: %d images of %dx%dx%d, %d classes (want %d of 1x%dx%d, 10)", info.count, info.channels, info.height,
           info.width, info.classes, IDX_N, IDX_H, IDX_W);
    EXPECT(strstr(info.source, "x-images-idx3-ubyte") != NULL, "idx: source names the file: %s", info.source);
    const char *c7 = clgan_dataset_class_name(d, 7);
    EXPECT(c7 && !strcmp(c7, "7"), "idx: class 7 is named \"7\" (%s)", c7 ? c7 : "NULL");
    EXPECT(!clgan_dataset_class_name(d, 10) && !clgan_dataset_class_name(d, -1), "idx: class names out of range are NULL");

    float x[IDX_N * IDX_H * IDX_W];
    int32_t y[IDX_N];
    MUST(clgan_dataset_read(d, 1, IDX_N - 1, x, y));
    int bad = 0;
    for (int i = 0; i < (IDX_N - 1) * IDX_H * IDX_W; i++)
        if (x[i] != (float)(img[16 + IDX_H * IDX_W + i] / 127.5 - 1.0)) bad++;
    EXPECT(!bad, "idx: images 1..%d read as p / 127.5 - 1 (%d values differ)", IDX_N - 1, bad);
    int bad_labels = 0;
    for (int i = 0; i < IDX_N - 1; i++) bad_labels += y[i] != 9 - (i + 1);
    EXPECT(!bad_labels, "idx: labels of images 1..%d are the file's", IDX_N - 1);
    MUST(clgan_dataset_read(d, 0, 1, x, NULL));
    EXPECT(x[0] == -1.0f && x[1] == 1.0f, "idx: pixel 0 reads as -1 and 255 as 1 (%g, %g)", x[0], x[1]);

    EXPECT(clgan_dataset_read(d, 3, 3, x, y) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "3..5") &&
               strstr(clgan_last_error(), "5 images"),
           "idx: reading past the end fails naming the range: %s", clgan_last_error());
    EXPECT(clgan_dataset_read(d, -1, 1, x, y) == CLGAN_ERR_INVALID_ARG, "idx: a negative first image fails");
    MUST(clgan_dataset_read(d, IDX_N, 0, x, y)); /* an empty range at the end is fine */
    clgan_dataset_free(d);
}

static void test_synthetic_and_loader(const char *dir)
{
    clgan_dataset_options o = clgan_dataset_default_options();
    EXPECT(o.seed == 1 && o.size == 0 && o.limit == 0, "default options: seed 1, native size, no limit");
    o.synthetic_train = 37, o.synthetic_classes = 4, o.seed = 5;
    clgan_dataset *d;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &o, &d));
    clgan_dataset_info info;
    MUST(clgan_dataset_get_info(d, &info));
    EXPECT(info.count == 37 && info.channels == 1 && info.height == 28 && info.width == 28 && info.classes == 4,
           "synthetic: %d images of %dx%dx%d, %d classes", info.count, info.channels, info.height, info.width,
           info.classes);
    size_t per = (size_t)info.channels * info.height * info.width;
    float *all = malloc(37 * per * sizeof *all);
    int32_t labels[37];
    MUST(clgan_dataset_read(d, 0, 37, all, labels));
    int bad = 0, out_of_range = 0;
    for (int i = 0; i < 37; i++) bad += labels[i] != i % 4;
    for (size_t j = 0; j < 37 * per; j++) out_of_range += !(all[j] >= -1.0f && all[j] <= 1.0f);
    EXPECT(!bad && !out_of_range, "synthetic: label i %% 4 (%d wrong), every value in [-1, 1] (%d outside)", bad,
           out_of_range);

    clgan_loader_options lo = clgan_loader_default_options();
    lo.batch = 8, lo.shuffle = 0, lo.drop_last = 0;
    clgan_loader *L;
    MUST(clgan_loader_create(d, &lo, &L));
    EXPECT(clgan_loader_steps_per_epoch(L) == 5 && clgan_loader_batch_floats(L) == 8 * per,
           "loader: 5 batches of 8 over 37 images without drop_last");
    float *x = malloc(8 * per * sizeof *x);
    int32_t y[8];
    clgan_batch_info bi;
    MUST(clgan_loader_next(L, x, 8 * per, y, 8, &bi));
    MUST(clgan_loader_next(L, x, 8 * per, y, 8, &bi));
    EXPECT(bi.step == 1 && bi.count == 8 && !memcmp(x, all + 8 * per, 8 * per * sizeof *x) &&
               !memcmp(y, labels + 8, sizeof y),
           "loader: unshuffled batch 1 is images 8..15 as clgan_dataset_read gives them");
    clgan_loader_free(L);

    lo.shuffle = 1, lo.drop_last = 1, lo.seed = 11;
    MUST(clgan_loader_create(d, &lo, &L));
    MUST(clgan_loader_seek(L, 2, 3));
    MUST(clgan_loader_next(L, x, 8 * per, y, 8, &bi));
    int matched = 0;
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 37; k++)
            if (!memcmp(x + i * per, all + k * per, per * sizeof *x) && y[i] == labels[k]) {
                matched++;
                break;
            }
    EXPECT(bi.epoch == 2 && bi.step == 3 && bi.last && matched == 8,
           "loader: shuffled epoch 2 step 3 is the last, and its 8 images are dataset images with their labels (%d)",
           matched);
    float *again = malloc(8 * per * sizeof *again);
    MUST(clgan_loader_seek(L, 2, 3));
    MUST(clgan_loader_next(L, again, 8 * per, NULL, 0, NULL));
    EXPECT(!memcmp(x, again, 8 * per * sizeof *x), "loader: seeking back gives the same batch");
    MUST(clgan_loader_next(L, again, 8 * per, NULL, 0, &bi));
    EXPECT(bi.epoch == 3 && bi.step == 0, "loader: after an epoch's last batch comes the next epoch's first");
    EXPECT(clgan_loader_seek(L, 0, 4) != CLGAN_OK, "loader: seeking to step 4 of 4 fails: %s", clgan_last_error());
    clgan_loader_free(L);
    clgan_loader_free(NULL);

    char png[512];
    snprintf(png, sizeof png, "%s/grid.png", dir);
    MUST(clgan_png_grid(png, all, 12, 1, 28, 28, 4, -1.0f, 1.0f, 2));
    size_t len = 0;
    uint8_t *bytes = test_read_file(png, &len);
    EXPECT(bytes && len > 33 && !memcmp(bytes, "\x89PNG\r\n\x1a\n", 8), "png grid: %s starts with the PNG signature",
           png);
    if (bytes && len > 24) {
        uint32_t w = (uint32_t)bytes[16] << 24 | (uint32_t)bytes[17] << 16 | (uint32_t)bytes[18] << 8 | bytes[19];
        uint32_t h = (uint32_t)bytes[20] << 24 | (uint32_t)bytes[21] << 16 | (uint32_t)bytes[22] << 8 | bytes[23];
        EXPECT(w == 4 * 28 + 5 * 2 && h == 3 * 28 + 4 * 2, "png grid: 4 x 3 cells of 28 with padding 2 is %u x %u", w,
               h);
    }
    free(bytes);
    EXPECT(clgan_png_grid(png, all, 12, 2, 28, 28, 4, -1.0f, 1.0f, 2) == CLGAN_ERR_INVALID_ARG,
           "png grid: 2 channels are refused: %s", clgan_last_error());
    free(all), free(x), free(again);
    clgan_dataset_free(d);
}

static void test_errors(const char *dir)
{
    clgan_dataset *d = (clgan_dataset *)1;
    char missing[512];
    snprintf(missing, sizeof missing, "%s/no-such-data", dir);
    clgan_status st = clgan_dataset_open(missing, CLGAN_SPLIT_TRAIN, NULL, &d);
    EXPECT(st != CLGAN_OK && !d && strstr(clgan_last_error(), "no-such-data"),
           "a missing path fails naming it (%s): %s", clgan_status_name(st), clgan_last_error());
    clgan_dataset_options o = clgan_dataset_default_options();
    o.channels = 2;
    EXPECT(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &o, &d) == CLGAN_ERR_INVALID_ARG &&
               strstr(clgan_last_error(), "channels"),
           "channels 2 fails naming the option: %s", clgan_last_error());
    clgan_dataset_info info;
    EXPECT(clgan_dataset_get_info(NULL, &info) == CLGAN_ERR_INVALID_ARG, "info of NULL fails");
    clgan_dataset_free(NULL);
}

int main(void)
{
    char dir[] = "/tmp/clgan-api-dataset-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("FAIL mkdtemp\n");
        return 1;
    }
    test_idx(dir);
    test_synthetic_and_loader(dir);
    test_errors(dir);
    test_rm_rf(dir);
    return test_finish();
}
