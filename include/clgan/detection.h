/* clgan/detection.h — object-detection data: a YOLO-format folder read into
 * host memory (images as floats, boxes per image, class names).
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
 * clgan_detset_free), in the order of its label file. */
CLGAN_API clgan_status clgan_detset_boxes(const clgan_detset *ds, int i, const clgan_box **boxes /* OUT */,
                                          int *n /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
