/* diffaug.h — differentiable augmentation (DiffAugment, Zhao et al. 2020):
 * random colour, translation and cutout of every image that D sees, with
 * the exact backward, so G's gradient flows through the augmentation.
 *
 * Shapes: x, y, dy, dx [N,C,H,W]. The policy is a set of CLGAN_DIFFAUG_*
 * bits, applied in the order colour, translation, cutout (the paper's code).
 * Per sample n, from its drawn uniforms u[0..8) in [0, 1):
 *   colour       brightness b = u0 - 1/2, saturation s = 2 u1, contrast
 *                k = u2 + 1/2: x1 = x + b; x2 = (x1 - mean_C x1) s + mean_C x1
 *                per pixel; x3 = (x2 - mean_CHW x2) k + mean_CHW x2. In one step
 *                (mean_C x2 = mean_C x1, mean_CHW x2 = mean_CHW x + b):
 *                y = k (s (x - mp) + mp - M) + M + b, mp = mean_C x at the pixel,
 *                M = mean_CHW x of the sample.
 *   translation  y[h,w] = x[h + dh, w + dw], 0 where that is outside the image;
 *                dh in [-sh, sh] with sh = round(H / 8) ((H + 4) / 8), dw alike.
 *   cutout       a ch x cw block set to 0, ch = round(H / 2) ((H + 1) / 2), cw
 *                alike, its rows [oh - ch/2, oh - ch/2 + ch) clipped to the image,
 *                oh in [0, H + 1 - ch % 2) (the paper's offsets), columns alike.
 * An integer in [0, n) is min(floor(u * n), n - 1), the product in float.
 * Which uniform feeds what: u0..u2 colour, u3 dh, u4 dw, u5 oh, u6 ow; u7 is
 * drawn and not used, so that a sample's draws fill two Philox blocks.
 *
 * Backward (dx written): the adjoint of each linear map in reverse order —
 * cutout masks dy, translation shifts it back (g[h',w'] = dy[h'-dh, w'-dw],
 * 0 where that was not kept), colour gives dx = k s (g - gp) + k (gp - G) + G
 * with gp = mean_C g and G = mean_CHW g (brightness adds a constant: no term).
 *
 * The per-batch state (clgan_diffaug_state_floats) holds the draws [N,8] and
 * one per-sample mean [N] after them: clgan_diffaug_draw fills the draws of
 * element offset first_sample * 8 on of the (seed, stream) sequence
 * (random.h), so a data-parallel rank holding samples first_sample.. draws
 * what a one-process run draws for them; forward and backward read the same
 * draws, and each writes the means it needs itself. Means are one
 * work-group tree per sample: deterministic, no atomics.
 */
#ifndef CLGAN_DIFFAUG_H
#define CLGAN_DIFFAUG_H
#include "nn/tensor.h"

#define CLGAN_DIFFAUG_COLOR 1u
#define CLGAN_DIFFAUG_TRANSLATION 2u
#define CLGAN_DIFFAUG_CUTOUT 4u
#define CLGAN_DIFFAUG_ALL 7u
/* The policy words in bit order after the empty set's word, as the settings
 * table's '|'-separated choices: word i >= 1 is bit 1 << (i - 1). */
#define CLGAN_DIFFAUG_WORDS "none|color|translation|cutout"
#define CLGAN_DIFFAUG_DRAWS 8 /* uniforms drawn per sample */

/* Floats of the state for a batch of n: n * (CLGAN_DIFFAUG_DRAWS + 1); 0 for n <= 0. */
size_t clgan_diffaug_state_floats(int n);
/* state's draws [n,8] = the uniforms of elements first_sample * 8 .. of (seed, stream). */
clgan_status clgan_diffaug_draw(clgan_ctx *ctx, uint64_t seed, uint64_t stream, int64_t first_sample, int n,
                                clgan_tensor *state);
/* x [N,C,H,W] -> y [N,C,H,W] with the draws in state (N samples); writes state's means. */
clgan_status clgan_diffaug_forward(clgan_ctx *ctx, unsigned policy, const clgan_tensor *x, clgan_tensor *state,
                                   clgan_tensor *y);
/* dy [N,C,H,W] -> dx [N,C,H,W], the adjoint for the same draws; writes state's means. */
clgan_status clgan_diffaug_backward(clgan_ctx *ctx, unsigned policy, const clgan_tensor *dy, clgan_tensor *state,
                                    clgan_tensor *dx);
#endif
