/* detset.h — the detection dataset struct (a YOLO folder in host memory)
 * and the YOLO writer the scene maker uses. The public API (folder layout,
 * open, read, boxes) is clgan/detection.h; internal code reads the fields:
 *
 *     ... ds->pixels[((i * ds->c + ch) * ds->h + y) * ds->w + x] ...
 *     for (int b = ds->box_start[i]; b < ds->box_start[i + 1]; b++) ... ds->boxes[b] ...
 *
 * Layout: pixels are uint8 [n][c][h][w] (NCHW); boxes are one flat array,
 * image i's being boxes[box_start[i] .. box_start[i + 1]).
 */
#ifndef CLGAN_DETSET_INTERNAL_H
#define CLGAN_DETSET_INTERNAL_H

#include "clgan.h"

#include <stdint.h>

typedef struct clgan_detset {
    int n, c, h, w;            /* images, channels, height, width */
    int classes;               /* K */
    char (*class_names)[64];   /* [K] */
    uint8_t *pixels;           /* [n][c][h][w] */
    clgan_box *boxes;          /* [box_start[n]] */
    int *box_start;            /* [n + 1] */
    char **file_names;         /* [n] each image's path */
    char source[256];          /* what was loaded, for logs */
} clgan_detset;

/* Folder names of a split under ROOT/images/ (and ROOT/labels/): "train",
 * or "test" for the scenes' test split. */
const char *clgan_yolo_split_name(clgan_dataset_split split);

/* Write one image and its labels into a YOLO folder:
 * ROOT/images/SPLIT/STEM.png from chw [c][h][w] (c 1 or 3) and
 * ROOT/labels/SPLIT/STEM.txt with one "%d %.6f %.6f %.6f %.6f" line per box
 * (empty for none), each file through a temporary file renamed into place.
 * The folders must exist. */
clgan_status clgan_yolo_write_image(const char *root, const char *split_name, const char *stem, const uint8_t *chw,
                                    int c, int h, int w, const clgan_box *boxes, int n_boxes);
/* ROOT/classes.txt: names[0 .. k), one per line. */
clgan_status clgan_yolo_write_classes(const char *root, const char (*names)[64], int k);

#endif
