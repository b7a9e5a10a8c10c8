/* grid_loss.h — the loss of the grid detector: a single-stage, anchor-free
 * head that predicts, in each cell of a G x G grid over the image, whether an
 * object's centre lies there, its class and its box.
 *
 * Shapes: the head's output x [N, 5+K, G, G] (a square grid; cell (gy, gx)
 * covers [gx/G, (gx+1)/G) x [gy/G, (gy+1)/G) of the normalised image):
 *   channel 0      o      objectness logit
 *   channels 1, 2  a, b   centre logits: cx = (gx + sigmoid(a)) / G, cy = (gy + sigmoid(b)) / G
 *   channels 3, 4  c, d   size logits:   w = sigmoid(c), h = sigmoid(d) (fractions of the image)
 *   channels 5..   z[K]   class logits
 * The target t [N, 6, G, G], made on the host by clgan_grid_targets
 * (detect/grid.h): t0 = 1 in the cell holding an object's centre, else 0;
 * there t1, t2 = the centre's offset in the cell in [0, 1], t3, t4 = its w
 * and h, t5 = its class (a float holding an integer in [0, K)).
 *
 * Per cell, with s = sigmoid and huber(e) = e^2 / (2 beta) for |e| < beta,
 * else |e| - beta / 2 (an L1 loss rounded near 0, beta = CLGAN_GRID_HUBER_BETA):
 *   loss = (t0 ? 1 : noobj) * BCE(o, t0)
 *        + t0 * (box * sum_{j=1..4} huber(s(x_j) - t_j) + CE(z, t5))
 * and the mean loss is the sum over all N*G*G cells divided by N (a sum over
 * an image's cells, averaged over images): clgan_loss_sum(loss) / N.
 * Backward WRITES dx = scale * d(mean loss)/dx:
 *   d/do  = (t0 ? 1 : noobj) * (s(o) - t0) / N
 *   d/dxj = t0 * box * huber'(s(x_j) - t_j) * s(x_j) (1 - s(x_j)) / N
 *   d/dz  = t0 * (softmax(z) - onehot(t5)) / N       (all 0 where t0 = 0)
 * A class outside [0, K) in a positive cell is a caller error: the kernels
 * clamp it, never reading out of bounds.
 */
#ifndef CLGAN_GRID_LOSS_H
#define CLGAN_GRID_LOSS_H
#include "nn/tensor.h"

#define CLGAN_GRID_HUBER_BETA 0.05f
#define CLGAN_GRID_TARGET_CHANNELS 6

/* The weights of the loss's terms. */
typedef struct clgan_grid_loss_weights {
    float noobj; /* weight of the objectness loss in cells without an object */
    float box;   /* weight of the box terms */
} clgan_grid_loss_weights;
/* noobj 0.5, box 5 (the cells without an object far outnumber those with one). */
clgan_grid_loss_weights clgan_grid_loss_default_weights(void);

/* x [N,5+K,G,G], t [N,6,G,G] -> loss [N*G*G] (any shape holding that many). */
clgan_status clgan_grid_loss_forward(clgan_ctx *ctx, const clgan_grid_loss_weights *wt, const clgan_tensor *x,
                                     const clgan_tensor *t, clgan_tensor *loss);
/* x [N,5+K,G,G], t [N,6,G,G] -> dx [N,5+K,G,G]. */
clgan_status clgan_grid_loss_backward(clgan_ctx *ctx, const clgan_grid_loss_weights *wt, float scale,
                                      const clgan_tensor *x, const clgan_tensor *t, clgan_tensor *dx);
#endif
