/* test_detect_report.c — the CLI's detection report (tools/clgan/detect_report.c):
 * the per-class AP table as printed, and the precision-recall PNG read back
 * with stb_image: its size, a curve per class in the line plots' colours
 * (a perfect class drawn along the top), the classes chosen when there are
 * more than the chart holds, and refusals.
 * With an argument, the PNGs are kept in that folder for viewing. */
#include "detect_report.h"
#include "plot.h"
#include "test_expect.h"
#include "test_files.h"

#include <stb/stb_image.h>

static char dir[256];

static clgan_box row_box(int cls, int row, double left, double right)
{
    return (clgan_box){cls, (float)((left + right) / 2), (float)(row / 8.0 + 0.0625), (float)(right - left), 0.125f};
}

/* K classes: class 0 found perfectly, class 1 with a duplicate (AP
 * 253/303), class 2 without objects, classes 3.. one box each, missed. */
static clgan_map *scene(int K)
{
    clgan_map *m = NULL;
    MUST(clgan_map_create(K, &m));
    clgan_box t[2] = {row_box(0, 0, 0, 0.25), row_box(1, 1, 0, 0.25)};
    clgan_box u[1] = {row_box(1, 2, 0.5, 0.75)};
    clgan_detection p[3] = {{t[0], 0.9f}, {t[1], 0.8f}, {t[1], 0.7f}};
    clgan_detection q[2] = {{u[0], 0.6f}, {row_box(2, 5, 0, 0.25), 0.5f}};
    MUST(clgan_map_add_image(m, t, 2, p, 3));
    MUST(clgan_map_add_image(m, u, 1, q, 2));
    for (int k = 3; k < K; k++) {
        clgan_box v = row_box(k, k % 8, 0, 0.125);
        MUST(clgan_map_add_image(m, &v, 1, NULL, 0));
    }
    return m;
}

static void test_table(void)
{
    clgan_map *m = scene(3);
    clgan_map_result r;
    MUST(clgan_map_compute(m, &r));
    char names[3][64] = {"cat", "dog", "bird"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    detect_report_print(f, &r, names, "  ");
    fclose(f);
    printf("%s", text);
    EXPECT(strstr(text, "    0  cat                         1           1   1.0000       1.0000") != NULL,
           "row of the perfect class: 1 box, 1 prediction, AP 1");
    EXPECT(strstr(text, "    1  dog                         2           3   0.8350       0.8350") != NULL,
           "row of the class with a duplicate: AP 253/303 = 0.8350");
    EXPECT(strstr(text, "    2  bird                        0           1        -            -  no objects") != NULL,
           "a class without objects: '-' and 'no objects'");
    EXPECT(strstr(text, "  mAP@0.5 0.9175, mAP@0.75 0.9175, mAP@0.5:0.95 0.9175 over 2 of 3 classes (2 images)") != NULL,
           "the mean line over the 2 classes with objects");
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    detect_report_print(f, &r, NULL, "");
    fclose(f);
    EXPECT(strstr(text, "    2  class 2 ") != NULL, "without names, classes shown as 'class k'");
    free(text);
    clgan_map_free(m);

    MUST(clgan_map_create(2, &m));
    MUST(clgan_map_compute(m, &r));
    text = NULL;
    f = open_memstream(&text, &len);
    detect_report_print(f, &r, NULL, "");
    fclose(f);
    EXPECT(strstr(text, "no ground-truth boxes in 0 images: no mAP") != NULL, "no objects at all: said so");
    free(text);
    clgan_map_free(m);
}

/* Pixels of colour c in the whole image. */
static int count_colour(const unsigned char *px, int w, int h, const uint8_t c[3], int *top_row)
{
    int n = 0;
    *top_row = h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char *p = px + ((size_t)y * w + x) * 3;
            if (p[0] == c[0] && p[1] == c[1] && p[2] == c[2]) {
                n++;
                if (y < *top_row) *top_row = y;
            }
        }
    return n;
}

static void test_chart(void)
{
    clgan_map *m = scene(3);
    clgan_map_result r;
    MUST(clgan_map_compute(m, &r));
    const char *path = test_fmt("%s/pr.png", dir);
    clgan_status st = detect_report_pr_chart(path, &r, NULL, "test detector");
    EXPECT(st == CLGAN_OK, "precision-recall chart written: %s", st ? clgan_last_error() : path);
    int w = 0, h = 0, comp = 0;
    unsigned char *px = stbi_load(path, &w, &h, &comp, 3);
    EXPECT(px && w == 640 && h == 480, "a valid 640 x 480 PNG (%d x %d)", w, h);
    if (px) {
        uint8_t c0[3], c1[3], c2[3];
        clgan_png_series_color(0, c0);
        clgan_png_series_color(1, c1);
        clgan_png_series_color(2, c2);
        int top0, top1, top2;
        int n0 = count_colour(px, w, h, c0, &top0), n1 = count_colour(px, w, h, c1, &top1);
        int n2 = count_colour(px, w, h, c2, &top2);
        /* class 1, drawn second, covers class 0 where both are at 1 (recall 0..0.5) */
        EXPECT(n0 > 200 && n1 > 600, "a curve for each class with objects (%d and %d pixels)", n0, n1);
        EXPECT(n2 == 0, "none for the class without objects (%d pixels of a third colour)", n2);
        /* Both curves start at precision 1: near the top of the 0..1.1 axis. */
        EXPECT(top0 < h / 3 && top1 < h / 3, "curves at precision 1 near the top (rows %d, %d)", top0, top1);
        stbi_image_free(px);
    }
    clgan_map_free(m);

    m = scene(12); /* 11 classes with objects: the 8 with the most boxes */
    MUST(clgan_map_compute(m, &r));
    path = test_fmt("%s/pr_many.png", dir);
    st = detect_report_pr_chart(path, &r, NULL, NULL);
    EXPECT(st == CLGAN_OK, "11 classes with objects: chart of 8 written: %s", st ? clgan_last_error() : path);
    clgan_map_free(m);

    st = detect_report_pr_chart(path, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG, "no result refused: %s", clgan_last_error());
    m = scene(3);
    MUST(clgan_map_compute(m, &r));
    st = detect_report_pr_chart(test_fmt("%s/no-such-folder/pr.png", dir), &r, NULL, NULL);
    EXPECT(st == CLGAN_ERR_IO, "unwritable path refused: %s", clgan_last_error());
    clgan_map_free(m);
}

int main(int argc, char **argv)
{
    int keep = argc > 1;
    if (keep) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
        mkdir(dir, 0755);
    } else if (!test_temp_dir(dir, sizeof dir, "test-detect-report")) {
        return 1;
    }
    test_table();
    test_chart();
    if (!keep) test_rm_rf(dir);
    return test_finish();
}
