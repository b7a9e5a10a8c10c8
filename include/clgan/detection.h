/* clgan/detection.h — object-detection data: a YOLO-format folder read into
 * host memory (images as floats, boxes per image, class names), and scenes
 * for detection made by pasting the images of a classification dataset onto
 * blank canvases (`clgan make-scenes`), written as such a folder.
 *
 *     clgan_detset *train;
 *     if (clgan_detset_open("data/scenes", CLGAN_SPLIT_TRAIN, 64, 1, &train) != CLGAN_OK)
 *         fprintf(stderr, "clgan: %s\n", clgan_last_error());
 *     clgan_detset_info info;
 *     clgan_detset_get_info(train, &info);       // info.count images of info.channels x height x width
 *     clgan_detset_read(train, 0, 16, images);   // images [16,C,H,W] in [-1,1]
 *     const clgan_box *b;
 *     int nb;
 *     clgan_detset_boxes(train, 3, &b, &nb);     // image 3's boxes b[0..nb), normalised (clgan/box.h)
 *     clgan_detset_free(train);                  // clgan_detset_free(NULL) is a no-op
 *
 * The folder (the Ultralytics / darknet YOLO layout):
 *   ROOT/images/SPLIT/NAME.png   with  ROOT/labels/SPLIT/NAME.txt,  or
 *   ROOT/SPLIT/images/NAME.png   with  ROOT/SPLIT/labels/NAME.txt.
 * SPLIT is "train" for CLGAN_SPLIT_TRAIN and "val", or failing that
 * "test", for CLGAN_SPLIT_TEST. Images are PNG, JPEG (or the other formats
 * of an image folder, clgan/dataset.h), sorted by file name; hidden files
 * and files without an image extension are ignored. Each image's labels are
 * the .txt file of the same base name; an image without one, or with an
 * empty one, has no objects. A label line is
 *     CLASS CX CY W H
 * (whitespace-separated; blank lines are skipped): an integer class and the
 * box's centre and size as fractions of the image's width and height, each
 * in [0, 1] (1e-6 slack), W and H > 0, and the box inside the image to
 * within 1e-3. Class names come from ROOT/classes.txt (one per line) or, when
 * there is none, from ROOT/data.yaml (or data.yml): its `names:` entry as a
 * list `names: [a, b]`, or as indented lines `  0: a` (keys 0, 1, ... in
 * order) or `  - a`; an `nc:` entry, if present, must equal the count.
 * Without either file the classes are "0" .. "K-1", K = 1 + the largest
 * class in the labels of both splits. Opening one split checks the other
 * split's labels too (when it exists), so both agree on K.
 * Refused with CLGAN_ERR_FORMAT and a message naming the file (and, for a
 * label or names file, the line): a split folder that is missing or holds no
 * image, a label line without exactly 5 fields or with a field that is not
 * a number, a class < 0 or >= K (when names are given), a value outside
 * [0, 1], W or H <= 0, a box reaching outside the image, a label file
 * without an image, two images with one base name, images of different
 * sizes when size is 0. A file that cannot be read: CLGAN_ERR_IO.
 *
 * size > 0 stretches every image to size x size (a box's normalised
 * coordinates are unchanged by that); 0 keeps the images' own size, which
 * must then be the same for all. channels 1 gives grey, 3 RGB (converted as
 * clgan/dataset.h says), 0 the first image's (grey or RGB). Pixels come out
 * as p / 127.5 - 1, like every dataset.
 */
#ifndef CLGAN_DETECTION_API_H
#define CLGAN_DETECTION_API_H
#include "clgan/core.h"
#include "clgan/box.h"
#include "clgan/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_detset clgan_detset;

/* Read split of the YOLO folder at path (see above). */
CLGAN_API clgan_status clgan_detset_open(const char *path, clgan_dataset_split split, int size, int channels,
                                         clgan_detset **out /* OUT */);
CLGAN_API void clgan_detset_free(clgan_detset *ds); /* NULL is a no-op */

typedef struct clgan_detset_info {
    int count;                /* images */
    int channels, height, width;
    int classes;              /* K */
    int64_t boxes;            /* boxes over all images */
    char source[256];         /* what was loaded, for logs */
} clgan_detset_info;
CLGAN_API clgan_status clgan_detset_get_info(const clgan_detset *ds, clgan_detset_info *info /* OUT */);
/* Name of class k; NULL out of range. */
CLGAN_API const char *clgan_detset_class_name(const clgan_detset *ds, int k);
/* Path of image i's file (as found under the folder); NULL out of range. */
CLGAN_API const char *clgan_detset_file_name(const clgan_detset *ds, int i);
/* Images first .. first+count-1 into images [count,C,H,W] as floats in
 * [-1, 1]. A range outside [0, count] fails with CLGAN_ERR_INVALID_ARG. */
CLGAN_API clgan_status clgan_detset_read(const clgan_detset *ds, int first, int count, float *images /* OUT */);
/* Image i's boxes: *boxes points at *n boxes held by ds (valid until
 * clgan_detset_free), in the order of its label file; NULL when *n is 0. */
CLGAN_API clgan_status clgan_detset_boxes(const clgan_detset *ds, int i, const clgan_box **boxes /* OUT */,
                                          int *n /* OUT */);
/* The images as a clgan_dataset (a copy) whose image i has label i, its
 * scene's index, for the training driver (clgan_train_params.scenes); free
 * it with clgan_dataset_free. */
CLGAN_API clgan_status clgan_detset_images(const clgan_detset *ds, clgan_dataset **out /* OUT */);

/* ---- scenes for detection (clgan make-scenes) -----------------------------
 *
 *     clgan_scene_options so = clgan_scene_default_options();
 *     so.count = 1000; so.size = 64; so.max_objects = 4;
 *     clgan_scene_summary sum;
 *     clgan_make_scenes(digits, &so, "data/scenes", NULL, NULL, &sum);
 *
 * Scene i (of count) is a size x size canvas, background 0 (black), made
 * from a random stream seeded by (seed, i) alone, so a scene does not depend
 * on how many are made. It gets a number of objects drawn uniformly from
 * [min_objects, max_objects]. Each object is a random image of the dataset,
 * converted to the canvas's channels and scaled to a square of side
 * round(f * size), f uniform in [scale_min, scale_max], at a uniformly random
 * position wholly inside the canvas. Its ink is its pixels brighter than
 * ink_threshold (any channel); pixels at or below it are background and not
 * pasted. Its box is the tight box of its ink, so every ink pixel of an
 * object lies in its box and each side of the box touches ink. A placement
 * whose box has an intersection over union above max_overlap with an earlier
 * object's box is drawn again, up to 50 times; then the object is dropped
 * (counted in the summary). An image with no ink at that scale is drawn
 * again likewise. Pasting keeps the brighter value: canvas = max(canvas,
 * object) per pixel and channel (digits drawn light on dark). Then `clutter`
 * fragments: a random image scaled like an object, a random crop of it of
 * 25% to 50% of its side, pasted the same way at a position whose square
 * meets no object's box (50 tries, else left out), with no box.
 * Written: OUT/images/SPLIT/scene-000000.png ... and OUT/labels/SPLIT/
 * scene-000000.txt ... ("%d %.6f %.6f %.6f %.6f" per box; SPLIT "train" or
 * "test"), and OUT/classes.txt with the dataset's class names, each file
 * written whole or not at all. Refused (CLGAN_ERR_INVALID_ARG) when
 * OUT/images/SPLIT or OUT/labels/SPLIT already holds files, the dataset has
 * no classes or no images, or an option is out of range. */
typedef struct clgan_scene_options {
    int count;                /* scenes, >= 1 */
    int size;                 /* canvas side, 8..4096 */
    int channels;             /* 1 or 3; 0 = the dataset's */
    int min_objects;          /* >= 0 (default 1) */
    int max_objects;          /* >= min_objects, >= 1 */
    double scale_min, scale_max; /* object side / canvas side, 0 < min <= max <= 1 (default 0.3 .. 0.5) */
    double max_overlap;       /* largest IoU of two boxes, [0, 1] (default 0.1) */
    int clutter;              /* unboxed fragments per scene (default 0) */
    int ink_threshold;        /* 0..254: ink is brighter than this (default 0) */
    clgan_dataset_split split; /* folder the scenes go to: "train" or "test" */
    uint64_t seed;
} clgan_scene_options;

/* count 0 (must be set), size 64, channels 0, 1..4 objects, scale 0.3..0.5,
 * max_overlap 0.1, no clutter, ink_threshold 0, TRAIN, seed 1. */
CLGAN_API clgan_scene_options clgan_scene_default_options(void);

typedef struct clgan_scene_summary {
    int scenes;               /* written */
    int64_t objects;          /* boxes written */
    int64_t dropped;          /* objects left out: no room within max_overlap */
    int64_t clutter;          /* fragments pasted */
} clgan_scene_summary;

/* Called after each scene is written with (scenes done, count). */
typedef void (*clgan_scene_progress_fn)(void *user, int done, int count);

/* Make and write the scenes (see above). class_objects, when not NULL,
 * receives the boxes written per class [K] (K = the dataset's classes);
 * progress and summary may be NULL. */
CLGAN_API clgan_status clgan_make_scenes(const clgan_dataset *objects, const clgan_scene_options *opt,
                                         const char *out_dir, clgan_scene_progress_fn progress, void *user,
                                         clgan_scene_summary *summary /* OUT */,
                                         int64_t *class_objects /* OUT [K], may be NULL */);

/* ---- pasted scenes (train-detector --copy-paste / --gan-augment) ---------
 *
 *     clgan_dataset *crops;  clgan_detset_crops(train, 28, &crops);
 *     ... choose objects: crops again (copy-paste) or a conditional GAN's ...
 *     clgan_paste_options po = clgan_paste_default_options();
 *     clgan_detset *more;  clgan_scene_summary sum;
 *     clgan_detset_paste(train, objects, 0, &po, &more, &sum, per_class);
 *
 * clgan_detset_crops cuts every box of every scene out of its image: the
 * box's pixels (its edges rounded outwards, kept inside the image), centred
 * in a black square of the box's longer side, stretched to side x side
 * (side 0: the longest such side in the set); the image's label is the
 * box's class. Scene order, then box order.
 *
 * clgan_detset_paste makes a NEW set: ds's scenes, then scenes made from the
 * objects first..n-1 of `objects` (its classes those of ds), each object
 * used once. The objects are shuffled (seed), then dealt to new black
 * canvases of ds's size and channels, n_j objects to scene j, n_j uniform in
 * 1..max_objects (the last scene takes what is left). An object is first
 * cut to the tight box of its ink (pixels brighter than ink_threshold in
 * some channel), centred in a square of that box's longer side, and
 * stretched so that side equals the longer side of a box drawn at random
 * from ds (so pasted objects have the sizes of the real ones); then it is
 * placed like a make-scenes object (50 tries within max_overlap IoU, pasted
 * by keeping the brighter value, box = the tight box of its ink). An object
 * without ink, or without room, is left out and counted as dropped. New
 * scene j is named "pasted-scene-NNNNNN". Everything follows from (ds,
 * objects, options): the same inputs give the same bytes. Refused
 * (CLGAN_ERR_INVALID_ARG) when the objects' class count differs from ds's,
 * an object to use has no class, ds's scenes are not square or it has no
 * box to take a size from, first is out of 0..n, or an option is out of
 * range. */
typedef struct clgan_paste_options {
    int max_objects;          /* objects per pasted scene, 1..1000 (default 4) */
    double max_overlap;       /* largest IoU of two boxes, [0, 1] (default 0.1) */
    int ink_threshold;        /* 0..254 (default 0) */
    uint64_t seed;            /* default 1 */
} clgan_paste_options;

CLGAN_API clgan_paste_options clgan_paste_default_options(void);

CLGAN_API clgan_status clgan_detset_crops(const clgan_detset *ds, int side, clgan_dataset **out /* OUT */);

/* summary->scenes counts the pasted scenes only; class_objects (may be
 * NULL) receives the pasted boxes per class [K]. */
CLGAN_API clgan_status clgan_detset_paste(const clgan_detset *ds, const clgan_dataset *objects, int first,
                                          const clgan_paste_options *opt, clgan_detset **out /* OUT */,
                                          clgan_scene_summary *summary /* OUT, may be NULL */,
                                          int64_t *class_objects /* OUT [K], may be NULL */);

#ifdef __cplusplus
}
#endif
#endif
