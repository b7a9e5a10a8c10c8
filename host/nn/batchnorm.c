/* batchnorm.c — host side of cl/batchnorm.cl: training and inference forward, training backward. */
#include "batchnorm.h"

#include <limits.h>
#include <math.h>

#include "nn/conv2d.h"

/* A per-channel vector must hold exactly C floats. */
static clgan_status channel_vec(const char *what, const char *name, const clgan_tensor *v, int C)
{
    if (!v || !v->mem) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is missing", what, name);
    if (v->count != (size_t)C)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s holds %zu floats, the input has %d channels", what, name,
                          v->count, C);
    return CLGAN_OK;
}

static clgan_status same_shape(const char *what, const char *name, const clgan_tensor *a, const clgan_tensor *x)
{
    if (a->n != x->n || a->c != x->c || a->h != x->h || a->w != x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d] but x is [%d,%d,%d,%d]", what, name, a->n,
                          a->c, a->h, a->w, x->n, x->c, x->h, x->w);
    if (x->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int index", what, x->count);
    return CLGAN_OK;
}

/* Work-group size of the per-channel reductions: the largest power of two <= min(256, kernel max)
 * (256 = BN_MAX_WG, the size of the kernels' __local arrays),
 * no larger than the next power of two >= M (fewer idle work-items on small batches);
 * 1 where the loop-per-work-item kernel form is in use (CPU devices). */
static size_t reduce_wg(clgan_ctx *ctx, size_t kernel_max, size_t M)
{
    size_t cap = kernel_max < 256 ? kernel_max : 256, L = 1;
    if (clgan_conv_use_rows(ctx)) cap = 1; /* CPU: work-groups are what run in parallel; one work-item
                                              * per channel avoids the barriers (3x faster on PoCL) */
    while (L * 2 <= cap && L < M) L *= 2;
    return L;
}

clgan_status clgan_batchnorm_forward(clgan_ctx *ctx, int training, float momentum, float eps, const clgan_tensor *x,
                                     const clgan_tensor *gamma, const clgan_tensor *beta, clgan_tensor *running_mean,
                                     clgan_tensor *running_var, clgan_tensor *save_mean, clgan_tensor *save_inv_std,
                                     clgan_tensor *y)
{
    const char *what = training ? "batchnorm forward (training)" : "batchnorm forward (inference)";
    TRY(same_shape(what, "y", y, x));
    int C = x->c, HW = x->h * x->w;
    TRY(channel_vec(what, "gamma", gamma, C));
    TRY(channel_vec(what, "beta", beta, C));
    TRY(channel_vec(what, "running_mean", running_mean, C));
    TRY(channel_vec(what, "running_var", running_var, C));
    if (!(eps > 0.0f) || !isfinite(eps))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: eps must be positive (got %g)", what, eps);
    cl_kernel k;
    if (!training) {
        TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_infer", &k, NULL));
        clgan_args a = clgan_args_begin(k, "batchnorm_infer");
        clgan_arg_int(&a, (int)x->count);
        clgan_arg_int(&a, C);
        clgan_arg_int(&a, HW);
        clgan_arg_float(&a, eps);
        clgan_arg_mem(&a, x->mem);
        clgan_arg_mem(&a, gamma->mem);
        clgan_arg_mem(&a, beta->mem);
        clgan_arg_mem(&a, running_mean->mem);
        clgan_arg_mem(&a, running_var->mem);
        clgan_arg_mem(&a, y->mem);
        TRY(clgan_args_end(&a));
        return clgan_launch_1d(ctx, k, x->count, 0, "batchnorm_infer");
    }
    TRY(channel_vec(what, "save_mean", save_mean, C));
    TRY(channel_vec(what, "save_inv_std", save_inv_std, C));
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: momentum must be in [0, 1] (got %g)", what, momentum);
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_stats", &k, &max_wg));
    size_t L = reduce_wg(ctx, max_wg, (size_t)x->n * HW);
    clgan_args a = clgan_args_begin(k, "batchnorm_stats");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, C);
    clgan_arg_int(&a, HW);
    clgan_arg_float(&a, eps);
    clgan_arg_float(&a, momentum);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, running_mean->mem);
    clgan_arg_mem(&a, running_var->mem);
    TRY(clgan_args_end(&a));
    TRY(clgan_launch_1d(ctx, k, (size_t)C * L, L, "batchnorm_stats"));

    int rows = clgan_conv_use_rows(ctx);
    const char *name = rows ? "batchnorm_apply_rows" : "batchnorm_apply";
    TRY(clgan_kernel_get(ctx, "batchnorm", name, &k, NULL));
    a = clgan_args_begin(k, name);
    clgan_arg_int(&a, rows ? x->n : (int)x->count);
    clgan_arg_int(&a, C);
    clgan_arg_int(&a, HW);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, gamma->mem);
    clgan_arg_mem(&a, beta->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    if (rows) return clgan_launch_2d(ctx, k, (size_t)C, (size_t)x->n, 0, 0, name);
    return clgan_launch_1d(ctx, k, x->count, 0, name);
}

clgan_status clgan_batchnorm_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *gamma,
                                      const clgan_tensor *save_mean, const clgan_tensor *save_inv_std,
                                      const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dgamma,
                                      clgan_tensor *dbeta)
{
    const char *what = "batchnorm backward";
    TRY(same_shape(what, "dy", dy, x));
    TRY(same_shape(what, "dx", dx, x));
    int C = x->c, HW = x->h * x->w;
    TRY(channel_vec(what, "gamma", gamma, C));
    TRY(channel_vec(what, "save_mean", save_mean, C));
    TRY(channel_vec(what, "save_inv_std", save_inv_std, C));
    TRY(channel_vec(what, "dgamma", dgamma, C));
    TRY(channel_vec(what, "dbeta", dbeta, C));
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_backward", &k, &max_wg));
    size_t L = reduce_wg(ctx, max_wg, (size_t)x->n * HW);
    clgan_args a = clgan_args_begin(k, "batchnorm_backward");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, C);
    clgan_arg_int(&a, HW);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, dy->mem);
    clgan_arg_mem(&a, gamma->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, dx->mem);
    clgan_arg_mem(&a, dgamma->mem);
    clgan_arg_mem(&a, dbeta->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)C * L, L, "batchnorm_backward");
}
