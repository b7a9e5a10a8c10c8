/* fuzz_yolo.c — libFuzzer target for the YOLO folder reader
 * (clgan_detset_open in host/detect/yolo.c): the input is a label file,
 * optionally followed by the marker NAMES--- and a class-names file (written
 * as classes.txt or, when its first byte is odd, as data.yaml), put into a
 * folder with one 4x4 image per split. A folder that opens must give boxes
 * inside the image with classes below the class count. */
#include "fuzz_util.h"

/* root/images/{train,val}/a.png (4x4 grey), root/labels/{train,val}; made once. */
static const char *make_tree(void)
{
    static int made;
    const char *root = fuzz_subdir(0, "yolo");
    if (made) return root;
    char p[1024];
    static const uint8_t pixels[16] = {0, 255, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
    const char *dirs[] = {"images", "images/train", "images/val", "labels", "labels/train", "labels/val"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        if (mkdir(p, 0700) != 0 && access(p, F_OK) != 0) abort();
    }
    for (int s = 0; s < 2; s++) {
        snprintf(p, sizeof p, "%s/images/%s/a.png", root, s ? "val" : "train");
        if (clgan_png_write(p, 4, 4, 1, pixels) != CLGAN_OK) abort();
    }
    snprintf(p, sizeof p, "%s/labels/val/a.txt", root);
    fuzz_write(p, "0 0.5 0.5 0.5 0.5\n", 18);
    made = 1;
    return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *root = make_tree();
    char labels[1024], classes[1024], yaml[1024];
    snprintf(labels, sizeof labels, "%s/labels/train/a.txt", root);
    snprintf(classes, sizeof classes, "%s/classes.txt", root);
    snprintf(yaml, sizeof yaml, "%s/data.yaml", root);
    size_t first, names_n;
    const uint8_t *names;
    fuzz_split(data, size, "NAMES---", &first, &names, &names_n);
    fuzz_write(labels, data, first);
    unlink(classes);
    unlink(yaml);
    if (names) fuzz_write(names_n && (names[0] & 1) ? yaml : classes, names, names_n);

    clgan_detset *ds = NULL;
    clgan_status st = clgan_detset_open(root, CLGAN_SPLIT_TRAIN, (int)(size % 3) * 4, 0, &ds);
    fuzz_check_message(st, "clgan_detset_open");
    if (st == CLGAN_OK) {
        clgan_detset_info info;
        if (clgan_detset_get_info(ds, &info) != CLGAN_OK || info.count != 1) abort();
        const clgan_box *b;
        int n;
        if (clgan_detset_boxes(ds, 0, &b, &n) != CLGAN_OK || n < 0 || n != info.boxes) abort();
        for (int i = 0; i < n; i++)
            if (b[i].cls < 0 || b[i].cls >= info.classes || !(b[i].w > 0 && b[i].h > 0) ||
                !(b[i].cx - b[i].w / 2 >= -0.0011f && b[i].cx + b[i].w / 2 <= 1.0011f) ||
                !(b[i].cy - b[i].h / 2 >= -0.0011f && b[i].cy + b[i].h / 2 <= 1.0011f)) {
                fprintf(stderr, "fuzz: box %d (class %d of %d, %g %g %g %g) was accepted\n", i, b[i].cls,
                        info.classes, (double)b[i].cx, (double)b[i].cy, (double)b[i].w, (double)b[i].h);
                abort();
            }
    }
    clgan_detset_free(ds);
    return 0;
}
