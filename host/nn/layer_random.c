/* layer_random.c — the two layer kinds that draw random numbers in training
 * and are the identity in inference (random.h), shape unchanged:
 *   dropout         zeroes each float with probability p, scales the rest by 1/(1-p);
 *   gaussian_noise  adds N(0, p^2).
 * Each training forward draws from its own stream (layer_pass.stream: step,
 * forward within the step, layer), so a resumed run draws the same numbers;
 * dropout's backward regenerates the mask from that stream instead of
 * keeping it. In data-parallel training a rank draws from element
 * first_sample * (floats per sample) on (layer_pass.first_sample), so every
 * sample gets the numbers a one-process run gives it. */
#include "nn/layer.h"

#include "nn/random.h"

#include <math.h>

static clgan_status dropout_infer(net_layer *L, int index)
{
    return L->spec.p < 0 || L->spec.p >= 1 ? clgan_layer_misfit(L, index) : CLGAN_OK;
}

/* The element of the stream this rank's first input float draws: first_sample * (floats per sample). */
static uint64_t first_element(const layer_pass *pass, const net_layer *L)
{
    return (uint64_t)pass->first_sample * clgan_layer_in_floats(L);
}

/* The identity in inference or at p = 0; else draw(p) from this forward's stream. */
typedef clgan_status (*random_op)(clgan_ctx *ctx, float p, uint64_t seed, uint64_t stream, uint64_t first,
                                  const clgan_tensor *x, clgan_tensor *y);
static clgan_status random_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, random_op draw)
{
    if (!pass->training || L->spec.p == 0) return clgan_layer_copy(pass->ctx, x, &L->out);
    L->dropout_stream = pass->stream;
    return draw(pass->ctx, L->spec.p, pass->seed, L->dropout_stream, first_element(pass, L), x, &L->out);
}

static clgan_status dropout_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return random_forward(pass, L, x, clgan_dropout_forward);
}

static clgan_status dropout_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    if (!dx) return CLGAN_OK;
    if (L->spec.p == 0) return clgan_layer_copy(pass->ctx, &L->dout, dx);
    return clgan_dropout_backward(pass->ctx, L->spec.p, pass->seed, L->dropout_stream, first_element(pass, L),
                                  &L->dout, dx);
}

/* One per float. */
static double per_float_flops(const net_layer *L) { return (double)clgan_layer_in_floats(L); }

const clgan_layer_ops clgan_layer_dropout_ops = {
    .kind = CLGAN_LAYER_DROPOUT,
    .name = "dropout",
    .infer = dropout_infer,
    .forward = dropout_forward,
    .backward = dropout_backward,
    .flops = per_float_flops,
};

static clgan_status noise_infer(net_layer *L, int index)
{
    return !(L->spec.p >= 0) || !isfinite(L->spec.p) ? clgan_layer_misfit(L, index) : CLGAN_OK;
}

static clgan_status noise_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    return random_forward(pass, L, x, clgan_gaussian_noise_forward);
}

static clgan_status noise_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    (void)x;
    return dx ? clgan_layer_copy(pass->ctx, &L->dout, dx) : CLGAN_OK;
}

const clgan_layer_ops clgan_layer_gaussian_noise_ops = {
    .kind = CLGAN_LAYER_GAUSSIAN_NOISE,
    .name = "gaussian_noise",
    .infer = noise_infer,
    .forward = noise_forward,
    .backward = noise_backward,
    .flops = per_float_flops,
};
