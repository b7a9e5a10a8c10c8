/* mbstd.c — host side of cl/mbstd.cl: minibatch standard deviation layer.
 * Three launches per direction: per-position statistics (mbstd_stats), a
 * single-work-group reduction (s forward, g backward), and an elementwise write. */
#include "mbstd.h"

#include <limits.h>

size_t clgan_mbstd_scratch_floats(int n, int c, int h, int w)
{
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return 0;
    return 2 * (size_t)c * h * w + 1;
}

/* Shapes: x [N,C,H,W], big [N,C+1,H,W] (y or dy, called `big_name`), scratch >= 2*C*H*W+1 floats. */
static clgan_status check_shapes(const char *what, const clgan_tensor *x, const char *big_name,
                                 const clgan_tensor *big, const clgan_tensor *scratch)
{
    if (!x || !big || !scratch || !x->mem || !big->mem || !scratch->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a tensor argument is NULL or has no buffer", what);
    if (x->n <= 0 || x->c <= 0 || x->h <= 0 || x->w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x is [%d,%d,%d,%d], which has a non-positive dimension", what,
                          x->n, x->c, x->h, x->w);
    if (big->n != x->n || big->c != x->c + 1 || big->h != x->h || big->w != x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d] but must be [%d,%d,%d,%d] for x [%d,%d,%d,%d]",
                          what, big_name, big->n, big->c, big->h, big->w, x->n, x->c + 1, x->h, x->w, x->n, x->c,
                          x->h, x->w);
    if (scratch->mem == x->mem || scratch->mem == big->mem || big->mem == x->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x, %s and scratch must be distinct buffers", what, big_name);
    size_t need = clgan_mbstd_scratch_floats(x->n, x->c, x->h, x->w);
    if (big->count > INT_MAX || need > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int index", what, big->count);
    if (scratch->count < need)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: scratch holds %zu floats but needs %zu (clgan_mbstd_scratch_floats)", what,
                          scratch->count, need);
    return CLGAN_OK;
}

/* Work-group size of the single-group reductions over M values: the largest power of two
 * <= min(256, kernel max) (256 = MBSTD_MAX_WG, the kernels' __local array size), no larger
 * than the next power of two >= M. */
static size_t reduce_wg(size_t kernel_max, size_t M)
{
    size_t cap = kernel_max < 256 ? kernel_max : 256, L = 1;
    while (L * 2 <= cap && L < M) L *= 2;
    return L;
}

/* Shapes: x [N,C,H,W] -> scratch[0,P) std, [P,2P) mean (P = C*H*W). */
static clgan_status launch_stats(clgan_ctx *ctx, const clgan_tensor *x, clgan_tensor *scratch)
{
    int P = x->c * x->h * x->w;
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "mbstd", "mbstd_stats", &k, NULL));
    clgan_args a = clgan_args_begin(k, "mbstd_stats");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, P);
    clgan_arg_float(&a, CLGAN_MBSTD_EPS);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, scratch->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)P, 0, "mbstd_stats");
}

/* A kernel of arguments (N, C, HW, mems...) for x [N,C,H,W]: over `global`
 * work-items, or, when reduce_over > 0, as one work-group sized by
 * reduce_wg for reduce_over values. */
static clgan_status launch_per_image(clgan_ctx *ctx, const char *name, const clgan_tensor *x, const cl_mem *mems,
                                     int mem_count, size_t global, size_t reduce_over)
{
    cl_kernel k;
    size_t max_wg = 1, local = 0;
    TRY(clgan_kernel_get(ctx, "mbstd", name, &k, &max_wg));
    if (reduce_over > 0) global = local = reduce_wg(max_wg, reduce_over);
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    for (int i = 0; i < mem_count; i++) clgan_arg_mem(&a, mems[i]);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, global, local, name);
}

clgan_status clgan_mbstd_forward(clgan_ctx *ctx, const clgan_tensor *x, clgan_tensor *scratch, clgan_tensor *y)
{
    const char *what = "mbstd forward";
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: ctx is NULL", what);
    TRY(check_shapes(what, x, "y", y, scratch));
    int P = x->c * x->h * x->w;
    TRY(launch_stats(ctx, x, scratch));

    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "mbstd", "mbstd_reduce_std", &k, &max_wg));
    size_t L = reduce_wg(max_wg, (size_t)P);
    clgan_args a = clgan_args_begin(k, "mbstd_reduce_std");
    clgan_arg_int(&a, P);
    clgan_arg_mem(&a, scratch->mem);
    TRY(clgan_args_end(&a));
    TRY(clgan_launch_1d(ctx, k, L, L, "mbstd_reduce_std"));

    const cl_mem mems[3] = {x->mem, scratch->mem, y->mem};
    return launch_per_image(ctx, "mbstd_forward", x, mems, 3, y->count, 0);
}

clgan_status clgan_mbstd_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *dy,
                                  clgan_tensor *scratch, clgan_tensor *dx)
{
    const char *what = "mbstd backward";
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: ctx is NULL", what);
    TRY(check_shapes(what, x, "dy", dy, scratch));
    if (!dx || !dx->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx is NULL or has no buffer", what);
    if (dx->n != x->n || dx->c != x->c || dx->h != x->h || dx->w != x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx is [%d,%d,%d,%d] but x is [%d,%d,%d,%d]", what, dx->n, dx->c,
                          dx->h, dx->w, x->n, x->c, x->h, x->w);
    if (dx->mem == x->mem || dx->mem == dy->mem || dx->mem == scratch->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx must not share a buffer with x, dy or scratch", what);
    TRY(launch_stats(ctx, x, scratch));
    const cl_mem reduce_mems[2] = {dy->mem, scratch->mem};
    TRY(launch_per_image(ctx, "mbstd_reduce_dy", x, reduce_mems, 2, 0, (size_t)x->n * x->h * x->w));
    const cl_mem mems[4] = {x->mem, dy->mem, scratch->mem, dx->mem};
    return launch_per_image(ctx, "mbstd_backward", x, mems, 4, dx->count, 0);
}
