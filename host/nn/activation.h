/* activation.h — elementwise activations: relu, leaky_relu, tanh, sigmoid.
 * Shapes: x, y, dy, dx all hold the same number of elements (any NCHW shape).
 * Backward writes dx (no accumulation); it needs x for relu/leaky_relu and
 * the forward output y for tanh/sigmoid, so callers pass both. */
#ifndef CLGAN_ACTIVATION_H
#define CLGAN_ACTIVATION_H
#include "nn/tensor.h"

typedef enum clgan_act {
    CLGAN_ACT_RELU,
    CLGAN_ACT_LEAKY_RELU,
    CLGAN_ACT_TANH,
    CLGAN_ACT_SIGMOID
} clgan_act;

const char *clgan_act_name(clgan_act act);
/* y = act(x); slope is used by leaky_relu only. */
clgan_status clgan_act_forward(clgan_ctx *ctx, clgan_act act, float slope, const clgan_tensor *x, clgan_tensor *y);
/* dx = dy * act'(x) */
clgan_status clgan_act_backward(clgan_ctx *ctx, clgan_act act, float slope, const clgan_tensor *x,
                                const clgan_tensor *y, const clgan_tensor *dy, clgan_tensor *dx);
#endif
