/* test_scenes.c — scenes for detection (clgan_make_scenes) from the
 * synthetic shapes and, when shared/data/mnist10k is there, from MNIST
 * digits: the written folder read back with the YOLO reader, every box
 * checked against the pixels (all ink inside a box, each box edge on ink),
 * overlaps within max_overlap, the counts against the summary, clutter
 * outside the boxes, the same seed giving the same files, and refusals. */
#include "test_expect.h"
#include "test_files.h"

#include <math.h>
#include <string.h>

static char tmp_root[256];

typedef struct box_px {
    int x0, y0, x1, y1;
} box_px;

static box_px to_pixels(const clgan_box *b, int size)
{
    box_px p = {(int)lround((b->cx - b->w / 2) * size), (int)lround((b->cy - b->h / 2) * size),
                (int)lround((b->cx + b->w / 2) * size), (int)lround((b->cy + b->h / 2) * size)};
    return p;
}

static double iou(box_px a, box_px b)
{
    int w = (a.x1 < b.x1 ? a.x1 : b.x1) - (a.x0 > b.x0 ? a.x0 : b.x0);
    int h = (a.y1 < b.y1 ? a.y1 : b.y1) - (a.y0 > b.y0 ? a.y0 : b.y0);
    if (w <= 0 || h <= 0) return 0;
    double inter = (double)w * h;
    return inter / ((double)(a.x1 - a.x0) * (a.y1 - a.y0) + (double)(b.x1 - b.x0) * (b.y1 - b.y0) - inter);
}

/* Ink at (x, y) of a [c][size][size] scene of floats: a channel above the threshold. */
static int ink_at(const float *img, int c, int size, int x, int y, int threshold)
{
    if (x < 0 || y < 0 || x >= size || y >= size) return 0;
    for (int ch = 0; ch < c; ch++)
        if (lrintf((img[((size_t)ch * size + y) * size + x] + 1.0f) * 127.5f) > threshold) return 1;
    return 0;
}

/* Ink within one pixel of the segment (x, y0..y1-1) (vertical) or (x0..x1-1, y) (horizontal). */
static int edge_has_ink(const float *img, int c, int size, int threshold, int vertical, int at, int from, int to)
{
    for (int d = -1; d <= 1; d++)
        for (int k = from; k < to; k++)
            if (vertical ? ink_at(img, c, size, at + d, k, threshold) : ink_at(img, c, size, k, at + d, threshold))
                return 1;
    return 0;
}

typedef struct scene_check {
    int bad_edges, bad_overlap, bad_count, outside_ink;
    int64_t boxes, per_class[10];
} scene_check;

/* Every scene of the folder against its boxes: ink pixels outside every box
 * (to within a pixel) counted, each box's four edges on ink, IoUs at most
 * max_overlap, at most max_objects boxes. */
static scene_check check_folder(const char *dir, const clgan_scene_options *o)
{
    scene_check r;
    memset(&r, 0, sizeof r);
    clgan_detset *ds;
    MUST(clgan_detset_open(dir, o->split, 0, 0, &ds));
    clgan_detset_info info;
    MUST(clgan_detset_get_info(ds, &info));
    int S = info.width, C = info.channels;
    CHECK(info.count == o->count && info.height == S && S == o->size, "%d scenes of %d x %d", info.count, S,
          info.height);
    float *img = malloc((size_t)C * S * S * sizeof *img);
    for (int i = 0; i < info.count; i++) {
        MUST(clgan_detset_read(ds, i, 1, img));
        const clgan_box *b;
        int n;
        MUST(clgan_detset_boxes(ds, i, &b, &n));
        r.boxes += n;
        if (n > o->max_objects) r.bad_count++;
        box_px px[64];
        for (int k = 0; k < n && k < 64; k++) {
            px[k] = to_pixels(&b[k], S);
            if (b[k].cls >= 0 && b[k].cls < 10) r.per_class[b[k].cls]++;
            int left = edge_has_ink(img, C, S, o->ink_threshold, 1, px[k].x0, px[k].y0, px[k].y1);
            int right = edge_has_ink(img, C, S, o->ink_threshold, 1, px[k].x1 - 1, px[k].y0, px[k].y1);
            int top = edge_has_ink(img, C, S, o->ink_threshold, 0, px[k].y0, px[k].x0, px[k].x1);
            int bottom = edge_has_ink(img, C, S, o->ink_threshold, 0, px[k].y1 - 1, px[k].x0, px[k].x1);
            if (!(left && right && top && bottom)) r.bad_edges++;
            for (int j = 0; j < k; j++)
                if (iou(px[j], px[k]) > o->max_overlap + 1e-3) r.bad_overlap++;
        }
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
                if (!ink_at(img, C, S, x, y, o->ink_threshold)) continue;
                int inside = 0;
                for (int k = 0; k < n && !inside; k++)
                    inside = x >= px[k].x0 - 1 && x <= px[k].x1 && y >= px[k].y0 - 1 && y <= px[k].y1;
                if (!inside) r.outside_ink++;
            }
    }
    free(img);
    clgan_detset_free(ds);
    return r;
}

/* Every file under a and b (images/SPLIT, labels/SPLIT, classes.txt) byte-identical. */
static int same_files(const char *a, const char *b, const clgan_scene_options *o)
{
    const char *split = o->split == CLGAN_SPLIT_TEST ? "test" : "train";
    for (int i = -1; i < o->count; i++)
        for (int kind = 0; kind < (i < 0 ? 1 : 2); kind++) {
            char rel[128];
            if (i < 0) snprintf(rel, sizeof rel, "classes.txt");
            else snprintf(rel, sizeof rel, "%s/%s/scene-%06d.%s", kind ? "labels" : "images", split, i,
                          kind ? "txt" : "png");
            size_t na = 0, nb = 0;
            char pa[1024], pb[1024];
            snprintf(pa, sizeof pa, "%s/%s", a, rel);
            snprintf(pb, sizeof pb, "%s/%s", b, rel);
            uint8_t *fa = test_read_file(pa, &na), *fb = test_read_file(pb, &nb);
            int same = fa && fb && na == nb && !memcmp(fa, fb, na);
            free(fa);
            free(fb);
            if (!same) return 0;
        }
    return 1;
}

/* Make scenes into tmp/NAME and check them; returns the summary. */
static clgan_scene_summary make_and_check(const char *what, const clgan_dataset *d, const clgan_scene_options *o,
                                          const char *name)
{
    const char *dir = test_fmt("%s/%s", tmp_root, name);
    clgan_scene_summary sum;
    int64_t per_class[10];
    MUST(clgan_make_scenes(d, o, dir, NULL, NULL, &sum, per_class));
    scene_check r = check_folder(dir, o);
    int counts_agree = r.boxes == sum.objects;
    for (int k = 0; k < 10; k++) counts_agree &= r.per_class[k] == per_class[k];
    printf("%s: %d scenes, %lld objects, %lld dropped, %lld clutter, %d ink pixels outside boxes\n", what, sum.scenes,
           (long long)sum.objects, (long long)sum.dropped, (long long)sum.clutter, r.outside_ink);
    EXPECT(sum.scenes == o->count && counts_agree, "%s: %d scenes; boxes read back = summary's, per class too", what,
           o->count);
    if (!o->clutter) EXPECT(!r.outside_ink, "%s: every ink pixel lies inside a box (%d outside)", what, r.outside_ink);
    EXPECT(!r.bad_edges, "%s: each box's four edges touch ink (%d boxes do not)", what, r.bad_edges);
    EXPECT(!r.bad_overlap && !r.bad_count, "%s: no two boxes overlap beyond IoU %.2f (%d pairs), at most %d per scene",
           what, o->max_overlap, r.bad_overlap, o->max_objects);
    if (o->clutter)
        EXPECT(sum.clutter > 0 && r.outside_ink > 0, "%s: clutter pasted outside the boxes (%lld fragments)", what,
               (long long)sum.clutter);
    return sum;
}

static void test_synthetic(void)
{
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.synthetic_train = 300;
    clgan_dataset *shapes;
    MUST(clgan_dataset_open("synthetic", CLGAN_SPLIT_TRAIN, &dopt, &shapes));
    clgan_scene_options o = clgan_scene_default_options();
    o.count = 40, o.size = 64, o.max_objects = 5, o.ink_threshold = 64, o.seed = 7;
    clgan_scene_summary sum = make_and_check("synthetic", shapes, &o, "shapes");
    EXPECT(sum.objects >= o.count, "synthetic: at least one object per scene on average (%lld)",
           (long long)sum.objects);

    clgan_detset *ds;
    MUST(clgan_detset_open(test_fmt("%s/shapes", tmp_root), CLGAN_SPLIT_TRAIN, 0, 0, &ds));
    int names_ok = 1;
    for (int k = 0; k < 10; k++)
        names_ok &= !strcmp(clgan_detset_class_name(ds, k), clgan_dataset_class_name(shapes, k));
    EXPECT(names_ok && !clgan_detset_class_name(ds, 10), "class names from the dataset (classes.txt)");
    clgan_detset_free(ds);

    /* the same seed: the same bytes; another seed: other scenes */
    MUST(clgan_make_scenes(shapes, &o, test_fmt("%s/shapes-again", tmp_root), NULL, NULL, NULL, NULL));
    EXPECT(same_files(test_fmt("%s/shapes", tmp_root), test_fmt("%s/shapes-again", tmp_root), &o),
           "the same seed writes the same files");
    clgan_scene_options o2 = o;
    o2.seed = 8;
    MUST(clgan_make_scenes(shapes, &o2, test_fmt("%s/shapes-seed8", tmp_root), NULL, NULL, NULL, NULL));
    EXPECT(!same_files(test_fmt("%s/shapes", tmp_root), test_fmt("%s/shapes-seed8", tmp_root), &o),
           "another seed writes other scenes");

    /* RGB canvases, the test split, many objects with no overlap, clutter */
    clgan_scene_options o3 = o;
    o3.channels = 3, o3.split = CLGAN_SPLIT_TEST, o3.min_objects = 6, o3.max_objects = 8, o3.max_overlap = 0;
    o3.clutter = 3, o3.scale_min = 0.2, o3.scale_max = 0.3, o3.count = 20;
    sum = make_and_check("synthetic RGB, test split, clutter", shapes, &o3, "shapes-rgb");
    EXPECT(sum.objects > 0, "crowded scenes still place objects (%lld placed, %lld dropped)", (long long)sum.objects,
           (long long)sum.dropped);

    /* refusals */
    clgan_status st = clgan_make_scenes(shapes, &o, test_fmt("%s/shapes", tmp_root), NULL, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "already holds files"),
           "a folder with scenes in the split is refused: %s", clgan_last_error());
    clgan_scene_options bad = o;
    bad.min_objects = 6, bad.max_objects = 5;
    st = clgan_make_scenes(shapes, &bad, test_fmt("%s/bad", tmp_root), NULL, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "objects 6..5"), "min > max refused: %s",
           clgan_last_error());
    bad = o, bad.scale_min = 0;
    st = clgan_make_scenes(shapes, &bad, test_fmt("%s/bad", tmp_root), NULL, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "scale"), "scale 0 refused: %s",
           clgan_last_error());
    bad = o, bad.count = 0;
    st = clgan_make_scenes(shapes, &bad, test_fmt("%s/bad", tmp_root), NULL, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "count 0"), "count 0 refused: %s",
           clgan_last_error());
    clgan_dataset_free(shapes);
}

static void test_mnist(void)
{
    char dir[1024];
    if (!test_find_mnist10k(dir, sizeof dir)) {
        printf("skip: no shared/data/mnist10k found (set CLGAN_MNIST_DIR): the MNIST part is not run\n");
        return;
    }
    clgan_dataset_options dopt = clgan_dataset_default_options();
    dopt.limit = 1000;
    clgan_dataset *digits;
    MUST(clgan_dataset_open(dir, CLGAN_SPLIT_TEST, &dopt, &digits));
    clgan_scene_options o = clgan_scene_default_options();
    o.count = 60, o.size = 64, o.max_objects = 4, o.seed = 3;
    make_and_check("MNIST", digits, &o, "digits");
    o.clutter = 4, o.ink_threshold = 32, o.count = 30, o.split = CLGAN_SPLIT_TEST;
    make_and_check("MNIST, clutter, ink > 32", digits, &o, "digits-clutter");
    clgan_dataset_free(digits);
}

int main(void)
{
    if (!test_temp_dir(tmp_root, sizeof tmp_root, "scenes")) return 1;
    test_synthetic();
    test_mnist();
    if (!failures) test_rm_rf(tmp_root);
    else printf("scenes kept in %s\n", tmp_root);
    return test_finish();
}
