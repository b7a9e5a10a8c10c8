/* clgan/box.h — the bounding box every detection function shares: a class
 * and a centre and size normalised to the image (YOLO's convention), and a
 * detection, a box with a confidence.
 *
 *     clgan_box b = {.cls = 3, .cx = 0.5f, .cy = 0.25f, .w = 0.2f, .h = 0.3f};
 *     // pixels: left = (cx - w/2) * image_width, top = (cy - h/2) * image_height
 */
#ifndef CLGAN_BOX_API_H
#define CLGAN_BOX_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* A labelled box: class in [0, K), centre (cx, cy) and size (w, h) as
 * fractions of the image's width and height. */
typedef struct clgan_box {
    int cls;
    float cx, cy, w, h;
} clgan_box;

/* A predicted box and its confidence in [0, 1]. */
typedef struct clgan_detection {
    clgan_box box;
    float score;
} clgan_detection;

#ifdef __cplusplus
}
#endif
#endif
