/* diffaug.c — host side of cl/diffaug.cl: the per-sample draws, and forward
 * and backward as (with colour) a per-sample mean then a per-pixel map. */
#include "diffaug.h"

#include "nn/random.h"

#include <limits.h>

size_t clgan_diffaug_state_floats(int n) { return n > 0 ? (size_t)n * (CLGAN_DIFFAUG_DRAWS + 1) : 0; }

clgan_status clgan_diffaug_draw(clgan_ctx *ctx, uint64_t seed, uint64_t stream, int64_t first_sample, int n,
                                clgan_tensor *state)
{
    if (!ctx || !state || !state->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "diffaugment draw: ctx or the state buffer is NULL");
    if (n <= 0 || first_sample < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "diffaugment draw: %d samples from sample %lld; need n > 0 and a "
                          "first sample >= 0", n, (long long)first_sample);
    if (state->count < clgan_diffaug_state_floats(n))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "diffaugment draw: the state holds %zu floats, %d samples need %zu",
                          state->count, n, clgan_diffaug_state_floats(n));
    clgan_tensor draws = {state->mem, n, CLGAN_DIFFAUG_DRAWS, 1, 1, (size_t)n * CLGAN_DIFFAUG_DRAWS};
    return clgan_random_uniform(ctx, seed, stream, (uint64_t)first_sample * CLGAN_DIFFAUG_DRAWS, 0.0f, 1.0f, &draws);
}

/* Shapes: a, b [N,C,H,W] (x and y, or dy and dx), distinct; state >= 9N floats, distinct from both. */
static clgan_status check_args(const char *what, unsigned policy, const clgan_tensor *a, const char *a_name,
                               const clgan_tensor *state, const clgan_tensor *b, const char *b_name)
{
    if (!a || !b || !state || !a->mem || !b->mem || !state->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a tensor argument is NULL or has no buffer", what);
    if (policy & ~CLGAN_DIFFAUG_ALL)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: policy 0x%x has bits other than colour (1), translation (2) "
                          "and cutout (4)", what, policy);
    if (a->n <= 0 || a->c <= 0 || a->h <= 0 || a->w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d], which has a non-positive dimension", what,
                          a_name, a->n, a->c, a->h, a->w);
    if (b->n != a->n || b->c != a->c || b->h != a->h || b->w != a->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d] but %s is [%d,%d,%d,%d]", what, b_name, b->n,
                          b->c, b->h, b->w, a_name, a->n, a->c, a->h, a->w);
    if (a->mem == b->mem || state->mem == a->mem || state->mem == b->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s, %s and the state must be distinct buffers", what, a_name,
                          b_name);
    if (a->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int index", what, a->count);
    if (state->count < clgan_diffaug_state_floats(a->n))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the state holds %zu floats, a batch of %d needs %zu", what,
                          state->count, a->n, clgan_diffaug_state_floats(a->n));
    return CLGAN_OK;
}

/* The arguments every kernel starts with: N, C, H, W of t [N,C,H,W] and the policy. */
static clgan_args begin_args(cl_kernel k, const char *name, unsigned policy, const clgan_tensor *t)
{
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, t->n);
    clgan_arg_int(&a, t->c);
    clgan_arg_int(&a, t->h);
    clgan_arg_int(&a, t->w);
    clgan_arg_int(&a, (int)policy);
    return a;
}

/* src [N,C,H,W] -> state's means [N] (masked: of the kept output pixels only), one work-group
 * per sample of the largest power of two <= min(256, the kernel's limit) work-items (256: the
 * kernel's __local array), no more than one sample's H*W pixels need. */
static clgan_status launch_mean(clgan_ctx *ctx, unsigned policy, int masked, const clgan_tensor *src,
                                clgan_tensor *state)
{
    cl_kernel k;
    size_t max_wg = 1;
    TRY(clgan_kernel_get(ctx, "diffaug", "diffaug_mean", &k, &max_wg));
    clgan_args a = begin_args(k, "diffaug_mean", policy, src);
    clgan_arg_int(&a, masked);
    clgan_arg_mem(&a, src->mem);
    clgan_arg_mem(&a, state->mem);
    TRY(clgan_args_end(&a));
    size_t cap = max_wg < 256 ? max_wg : 256, L = 1, per_sample = (size_t)src->h * src->w;
    while (L * 2 <= cap && L < per_sample) L *= 2;
    return clgan_launch_1d(ctx, k, (size_t)src->n * L, L, "diffaug_mean");
}

/* in [N,C,H,W] -> out [N,C,H,W] by kernel `name`, one work-item per pixel (n,h,w). */
static clgan_status launch_map(clgan_ctx *ctx, const char *name, unsigned policy, const clgan_tensor *state,
                               const clgan_tensor *in, clgan_tensor *out)
{
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "diffaug", name, &k, NULL));
    clgan_args a = begin_args(k, name, policy, in);
    clgan_arg_mem(&a, state->mem);
    clgan_arg_mem(&a, in->mem);
    clgan_arg_mem(&a, out->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)in->n * in->h * in->w, 0, name);
}

clgan_status clgan_diffaug_forward(clgan_ctx *ctx, unsigned policy, const clgan_tensor *x, clgan_tensor *state,
                                   clgan_tensor *y)
{
    const char *what = "diffaugment forward";
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: ctx is NULL", what);
    TRY(check_args(what, policy, x, "x", state, y, "y"));
    if (policy & CLGAN_DIFFAUG_COLOR) TRY(launch_mean(ctx, policy, 0, x, state));
    return launch_map(ctx, "diffaug_forward", policy, state, x, y);
}

clgan_status clgan_diffaug_backward(clgan_ctx *ctx, unsigned policy, const clgan_tensor *dy, clgan_tensor *state,
                                    clgan_tensor *dx)
{
    const char *what = "diffaugment backward";
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: ctx is NULL", what);
    TRY(check_args(what, policy, dy, "dy", state, dx, "dx"));
    if (policy & CLGAN_DIFFAUG_COLOR) TRY(launch_mean(ctx, policy, 1, dy, state));
    return launch_map(ctx, "diffaug_backward", policy, state, dy, dx);
}
