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

/* Scenes first.. of ds against their boxes: ink pixels outside every box
 * (to within a pixel) counted, each box's four edges on ink, IoUs at most
 * o->max_overlap, at most o->max_objects boxes. */
static scene_check check_scenes(const clgan_detset *ds, int first, const clgan_scene_options *o)
{
    scene_check r;
    memset(&r, 0, sizeof r);
    clgan_detset_info info;
    MUST(clgan_detset_get_info(ds, &info));
    int S = info.width, C = info.channels;
    float *img = malloc((size_t)C * S * S * sizeof *img);
    for (int i = first; i < info.count; i++) {
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
    return r;
}

/* The folder's scenes, checked as above. */
static scene_check check_folder(const char *dir, const clgan_scene_options *o)
{
    clgan_detset *ds;
    MUST(clgan_detset_open(dir, o->split, 0, 0, &ds));
    clgan_detset_info info;
    MUST(clgan_detset_get_info(ds, &info));
    CHECK(info.count == o->count && info.height == info.width && info.width == o->size, "%d scenes of %d x %d",
          info.count, info.width, info.height);
    scene_check r = check_scenes(ds, 0, o);
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

/* The longer side in pixels of box b on an S x S canvas, its edges rounded outwards. */
static int longer_side(const clgan_box *b, int S)
{
    int w = (int)ceil((b->cx + b->w / 2) * S) - (int)floor((b->cx - b->w / 2) * S);
    int h = (int)ceil((b->cy + b->h / 2) * S) - (int)floor((b->cy - b->h / 2) * S);
    return w > h ? w : h;
}

/* Objects cut from scenes, drawn by class, and pasted into new scenes (train-detector --copy-paste). */
static void test_paste(void)
{
    clgan_detset *ds;
    MUST(clgan_detset_open(test_fmt("%s/shapes", tmp_root), CLGAN_SPLIT_TRAIN, 0, 0, &ds));
    clgan_detset_info info;
    MUST(clgan_detset_get_info(ds, &info));
    int S = info.width, C = info.channels, longest = 0;
    int64_t real_per_class[10] = {0};
    for (int i = 0; i < info.count; i++) {
        const clgan_box *b;
        int n;
        MUST(clgan_detset_boxes(ds, i, &b, &n));
        for (int k = 0; k < n; k++) {
            int L = longer_side(&b[k], S);
            if (L > longest) longest = L;
            real_per_class[b[k].cls]++;
        }
    }

    clgan_dataset *crops;
    MUST(clgan_detset_crops(ds, 0, &crops));
    clgan_dataset_info ci;
    MUST(clgan_dataset_get_info(crops, &ci));
    int counts[10];
    clgan_dataset_class_counts(crops, counts, NULL);
    int same_counts = 1;
    for (int k = 0; k < 10; k++) same_counts &= counts[k] == real_per_class[k];
    EXPECT(ci.count == info.boxes && ci.height == longest && ci.width == longest && ci.classes == 10 && same_counts,
           "crops: one per box (%d of %lld), side the longest box side (%d x %d, %d), classes the boxes'", ci.count,
           (long long)info.boxes, ci.height, ci.width, longest);

    /* drawn by class: want[k] of class k, each image floor or ceil of want / n_k times */
    int want[10] = {7, 0, 1, 20, 0, 3, 0, 0, 2, 5};
    clgan_dataset *pool;
    MUST(clgan_dataset_repeat_classes(crops, want, 11, &pool));
    clgan_dataset_info pi;
    MUST(clgan_dataset_get_info(pool, &pi));
    int got[10];
    clgan_dataset_class_counts(pool, got, NULL);
    int as_wanted = pi.count == 38;
    for (int k = 0; k < 10; k++) as_wanted &= got[k] == want[k];
    EXPECT(as_wanted, "repeat_classes: exactly want[k] images of class k (38 in all: %d)", pi.count);
    int bad_want[10] = {0};
    bad_want[0] = -1;
    clgan_dataset *none = NULL;
    EXPECT(clgan_dataset_repeat_classes(crops, bad_want, 1, &none) == CLGAN_ERR_INVALID_ARG && !none,
           "repeat_classes refuses a negative count: %s", clgan_last_error());
    memset(bad_want, 0, sizeof bad_want);
    EXPECT(clgan_dataset_repeat_classes(crops, bad_want, 1, &none) == CLGAN_ERR_INVALID_ARG && !none,
           "repeat_classes refuses nothing to draw: %s", clgan_last_error());

    /* pasted: ds's scenes first, untouched; every object once; the boxes tight on the pasted ink */
    clgan_paste_options po = clgan_paste_default_options();
    po.max_objects = 3, po.ink_threshold = 64, po.seed = 5;
    clgan_detset *more, *again;
    clgan_scene_summary sum, sum2;
    int64_t per_class[10];
    MUST(clgan_detset_paste(ds, pool, 0, &po, &more, &sum, per_class));
    clgan_detset_info mi;
    MUST(clgan_detset_get_info(more, &mi));
    int64_t sum_class = 0;
    for (int k = 0; k < 10; k++) sum_class += per_class[k];
    int classes_ok = 1;
    for (int k = 0; k < 10; k++) classes_ok &= per_class[k] <= want[k] && (want[k] || !per_class[k]);
    EXPECT(mi.count == info.count + sum.scenes && sum.scenes >= 38 / 3 && sum.objects + sum.dropped == 38 &&
               sum_class == sum.objects && mi.boxes == info.boxes + sum.objects && classes_ok,
           "paste: %d scenes added, %lld objects placed + %lld dropped = 38, per class within what was drawn",
           sum.scenes, (long long)sum.objects, (long long)sum.dropped);
    size_t img = (size_t)C * S * S;
    float *a = malloc(img * sizeof *a), *b = malloc(img * sizeof *b);
    int real_kept = 1;
    for (int i = 0; i < info.count && real_kept; i++) {
        MUST(clgan_detset_read(ds, i, 1, a));
        MUST(clgan_detset_read(more, i, 1, b));
        const clgan_box *ba, *bb;
        int na, nb;
        MUST(clgan_detset_boxes(ds, i, &ba, &na));
        MUST(clgan_detset_boxes(more, i, &bb, &nb));
        real_kept = !memcmp(a, b, img * sizeof *a) && na == nb && (!na || !memcmp(ba, bb, (size_t)na * sizeof *ba));
    }
    EXPECT(real_kept, "paste: the real scenes come first, pixels and boxes unchanged");
    EXPECT(!strcmp(clgan_detset_file_name(more, info.count), "pasted-scene-000000"), "the first pasted scene is "
           "named pasted-scene-000000 (%s)", clgan_detset_file_name(more, info.count));
    clgan_scene_options o = clgan_scene_default_options();
    o.max_objects = po.max_objects, o.max_overlap = po.max_overlap, o.ink_threshold = po.ink_threshold;
    scene_check r = check_scenes(more, info.count, &o);
    EXPECT(!r.outside_ink && !r.bad_edges && !r.bad_overlap && !r.bad_count && r.boxes == sum.objects,
           "pasted scenes: all ink inside the boxes (%d outside), box edges on ink (%d not), overlaps within %.1f, "
           "at most %d per scene", r.outside_ink, r.bad_edges, po.max_overlap, po.max_objects);
    int sizes_real = 1;
    for (int i = info.count; i < mi.count; i++) {
        const clgan_box *bx;
        int n;
        MUST(clgan_detset_boxes(more, i, &bx, &n));
        for (int k = 0; k < n; k++) sizes_real &= longer_side(&bx[k], S) <= longest + 1;
    }
    EXPECT(sizes_real, "pasted boxes are no longer than the longest real box (%d pixels)", longest);
    MUST(clgan_detset_paste(ds, pool, 0, &po, &again, &sum2, NULL));
    int same = sum2.scenes == sum.scenes;
    for (int i = info.count; same && i < mi.count; i++) {
        MUST(clgan_detset_read(more, i, 1, a));
        MUST(clgan_detset_read(again, i, 1, b));
        same = !memcmp(a, b, img * sizeof *a);
    }
    EXPECT(same, "the same inputs paste the same scenes");
    clgan_detset_free(again);
    MUST(clgan_detset_paste(ds, pool, 30, &po, &again, &sum2, NULL));
    EXPECT(sum2.objects + sum2.dropped == 8, "objects from index 30 on: 8 used (%lld + %lld)",
           (long long)sum2.objects, (long long)sum2.dropped);
    clgan_detset_free(again);
    again = NULL;

    /* refusals */
    clgan_dataset *other;
    MUST(clgan_detset_images(ds, &other)); /* one class per scene: 40 */
    EXPECT(clgan_detset_paste(ds, other, 0, &po, &again, NULL, NULL) == CLGAN_ERR_INVALID_ARG && !again &&
               strstr(clgan_last_error(), "40 classes"),
           "objects of another class count are refused: %s", clgan_last_error());
    EXPECT(clgan_detset_paste(ds, pool, 39, &po, &again, NULL, NULL) == CLGAN_ERR_INVALID_ARG && !again,
           "a first object beyond the pool is refused: %s", clgan_last_error());
    po.max_objects = 0;
    EXPECT(clgan_detset_paste(ds, pool, 0, &po, &again, NULL, NULL) == CLGAN_ERR_INVALID_ARG && !again,
           "0 objects per scene is refused: %s", clgan_last_error());
    clgan_dataset_free(other);
    clgan_dataset *part;
    MUST(clgan_dataset_keep_labels(pool, 10, 1, 1, &part)); /* the other 28 objects lose their class */
    EXPECT(clgan_detset_paste(ds, part, 0, &po, &again, NULL, NULL) == CLGAN_ERR_INVALID_ARG && !again &&
               strstr(clgan_last_error(), "has no class"),
           "objects without a class are refused: %s", clgan_last_error());
    clgan_dataset_free(part);
    free(a);
    free(b);
    clgan_detset_free(more);
    clgan_dataset_free(pool);
    clgan_dataset_free(crops);
    clgan_detset_free(ds);
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
    test_paste();
    test_mnist();
    if (!failures) test_rm_rf(tmp_root);
    else printf("scenes kept in %s\n", tmp_root);
    return test_finish();
}
