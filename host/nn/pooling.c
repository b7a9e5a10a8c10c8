/* pooling.c — host side of cl/pooling.cl: max and average pooling. */
#include "pooling.h"

#include <limits.h>

int clgan_pool_out_size(int in, int k, int s)
{
    if (in <= 0 || k <= 0 || s <= 0 || k > in) return 0;
    return (in - k) / s + 1;
}

/* Check x [N,C,H,W] against y [N,C,OH,OW] for window k, stride s. */
static clgan_status check_shapes(const char *what, int k, int s, const clgan_tensor *x, const clgan_tensor *y)
{
    if (k <= 0 || s <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: window %d and stride %d must be positive", what, k, s);
    if (k > x->h || k > x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: window %d is larger than the input %dx%d", what, k, x->h,
                          x->w);
    int oh = clgan_pool_out_size(x->h, k, s), ow = clgan_pool_out_size(x->w, k, s);
    if (y->n != x->n || y->c != x->c || y->h != oh || y->w != ow)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: input [%d,%d,%d,%d] with k %d s %d gives [%d,%d,%d,%d], output is [%d,%d,%d,%d]", what,
                          x->n, x->c, x->h, x->w, k, s, x->n, x->c, oh, ow, y->n, y->c, y->h, y->w);
    if (x->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int index", what, x->count);
    return CLGAN_OK;
}

static clgan_status check_argmax(const char *what, cl_mem argmax, size_t count)
{
    if (!argmax) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: argmax buffer is NULL", what);
    size_t bytes = 0;
    CL_TRY(clGetMemObjectInfo(argmax, CL_MEM_SIZE, sizeof bytes, &bytes, NULL));
    if (bytes < count * sizeof(cl_int))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: argmax buffer holds %zu bytes, needs %zu", what, bytes,
                          count * sizeof(cl_int));
    return CLGAN_OK;
}

/* Common argument prefix: count, H, W, OH, OW, k, s. */
static void shape_args(clgan_args *a, size_t count, const clgan_tensor *in, const clgan_tensor *out, int k, int s)
{
    clgan_arg_int(a, (int)count);
    clgan_arg_int(a, in->h);
    clgan_arg_int(a, in->w);
    clgan_arg_int(a, out->h);
    clgan_arg_int(a, out->w);
    clgan_arg_int(a, k);
    clgan_arg_int(a, s);
}

/* One pooling launch: check the shapes of the [N,C,H,W] side `in` and the
 * [N,C,OH,OW] side `out` (and the argmax buffer, when uses_argmax),
 * then run kernel `name` over `count` work-items with the shape prefix and
 * the buffers `mems` in kernel-argument order. */
static clgan_status pool_launch(clgan_ctx *ctx, const char *what, const char *name, int k, int s,
                                const clgan_tensor *in, const clgan_tensor *out, int uses_argmax, cl_mem argmax,
                                size_t count, const cl_mem *mems, int mem_count)
{
    TRY(check_shapes(what, k, s, in, out));
    if (uses_argmax) TRY(check_argmax(what, argmax, out->count));
    cl_kernel kern;
    TRY(clgan_kernel_get(ctx, "pooling", name, &kern, NULL));
    clgan_args a = clgan_args_begin(kern, name);
    shape_args(&a, count, in, out, k, s);
    for (int i = 0; i < mem_count; i++) clgan_arg_mem(&a, mems[i]);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, kern, count, 0, name);
}

clgan_status clgan_maxpool_forward(clgan_ctx *ctx, int k, int s, const clgan_tensor *x, clgan_tensor *y,
                                   cl_mem argmax)
{
    const cl_mem mems[3] = {x->mem, y->mem, argmax};
    return pool_launch(ctx, "maxpool forward", "maxpool_forward", k, s, x, y, 1, argmax, y->count, mems, 3);
}

clgan_status clgan_maxpool_backward(clgan_ctx *ctx, int k, int s, const clgan_tensor *dy, cl_mem argmax,
                                    clgan_tensor *dx)
{
    const cl_mem mems[3] = {dy->mem, argmax, dx->mem};
    return pool_launch(ctx, "maxpool backward", "maxpool_backward", k, s, dx, dy, 1, argmax, dx->count, mems, 3);
}

clgan_status clgan_avgpool_forward(clgan_ctx *ctx, int k, int s, const clgan_tensor *x, clgan_tensor *y)
{
    const cl_mem mems[2] = {x->mem, y->mem};
    return pool_launch(ctx, "avgpool forward", "avgpool_forward", k, s, x, y, 0, NULL, y->count, mems, 2);
}

clgan_status clgan_avgpool_backward(clgan_ctx *ctx, int k, int s, const clgan_tensor *dy, clgan_tensor *dx)
{
    const cl_mem mems[2] = {dy->mem, dx->mem};
    return pool_launch(ctx, "avgpool backward", "avgpool_backward", k, s, dx, dy, 0, NULL, dx->count, mems, 2);
}
