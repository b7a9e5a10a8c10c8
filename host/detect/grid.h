/* grid.h — the grid detector's host side: the training target made from
 * labelled boxes, and the boxes decoded from the head's output. The layouts
 * of both tensors and the loss are described in nn/grid_loss.h.
 */
#ifndef CLGAN_DETECT_GRID_H
#define CLGAN_DETECT_GRID_H
#include "clgan/box.h"

/* Target of one image: boxes[n_boxes] -> t [6, G, G] (written in full). The
 * cell holding a box's centre gets it; when two centres fall in one cell the
 * smaller box (by area; the earlier one on a tie) is kept, since a large one
 * is easier to find from neighbouring cells' evidence. Returns the number of
 * boxes left out that way (0 when every box has its own cell). Boxes are
 * assumed valid (centre in [0, 1], class in [0, K)); a centre of exactly 1
 * falls in the last cell. */
int clgan_grid_targets(const clgan_box *boxes, int n_boxes, int G, float *t /* [6,G,G] */);

/* Detections of one image: the head's output x [5+K, G, G] -> out, each cell
 * whose score sigmoid(o) * max_k softmax(z)_k is at least min_score giving a
 * box of class argmax_k z_k (centre (gx + s(a)) / G, (gy + s(b)) / G, size
 * s(c), s(d)), cut to the image [0, 1]^2 (a box left without area is
 * dropped). At most cap are written, the highest scores first (ties: the
 * lower cell index first); returns how many, or -1 (CLGAN_ERR_OUT_OF_MEMORY
 * set) when scratch memory cannot be had. Non-maximum suppression is the
 * caller's (clgan_nms). */
int clgan_grid_decode(const float *x /* [5+K,G,G] */, int K, int G, float min_score, clgan_detection *out, int cap);
#endif
