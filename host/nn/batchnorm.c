/* batchnorm.c — host side of cl/batchnorm.cl: training and inference forward, training backward,
 * and their synchronised forms, whose statistics are summed over the ranks of a reducer. */
#include "batchnorm.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

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

/* The arguments every forward takes: y the shape of x, C-float gamma, beta and running statistics, eps > 0. */
static clgan_status forward_args(const char *what, float eps, const clgan_tensor *x, const clgan_tensor *gamma,
                                 const clgan_tensor *beta, const clgan_tensor *running_mean,
                                 const clgan_tensor *running_var, const clgan_tensor *y)
{
    TRY(same_shape(what, "y", y, x));
    TRY(channel_vec(what, "gamma", gamma, x->c));
    TRY(channel_vec(what, "beta", beta, x->c));
    TRY(channel_vec(what, "running_mean", running_mean, x->c));
    TRY(channel_vec(what, "running_var", running_var, x->c));
    if (!(eps > 0.0f) || !isfinite(eps))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: eps must be positive (got %g)", what, eps);
    return CLGAN_OK;
}

/* What a training forward takes besides: C-float save buffers, momentum in [0, 1]. */
static clgan_status training_args(const char *what, float momentum, const clgan_tensor *x,
                                  const clgan_tensor *save_mean, const clgan_tensor *save_inv_std)
{
    TRY(channel_vec(what, "save_mean", save_mean, x->c));
    TRY(channel_vec(what, "save_inv_std", save_inv_std, x->c));
    if (!(momentum >= 0.0f && momentum <= 1.0f))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: momentum must be in [0, 1] (got %g)", what, momentum);
    return CLGAN_OK;
}

/* y = gamma * (x - mean) * inv_std + beta with the saved statistics (batchnorm_apply, or its
 * row form on CPU devices). */
static clgan_status apply(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *gamma, const clgan_tensor *beta,
                          const clgan_tensor *mean, const clgan_tensor *inv_std, clgan_tensor *y)
{
    int rows = clgan_conv_use_rows(ctx);
    const char *name = rows ? "batchnorm_apply_rows" : "batchnorm_apply";
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "batchnorm", name, &k, NULL));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, rows ? x->n : (int)x->count);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, gamma->mem);
    clgan_arg_mem(&a, beta->mem);
    clgan_arg_mem(&a, mean->mem);
    clgan_arg_mem(&a, inv_std->mem);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    if (rows) return clgan_launch_2d(ctx, k, (size_t)x->c, (size_t)x->n, 0, 0, name);
    return clgan_launch_1d(ctx, k, x->count, 0, name);
}

clgan_status clgan_batchnorm_forward(clgan_ctx *ctx, int training, float momentum, float eps, const clgan_tensor *x,
                                     const clgan_tensor *gamma, const clgan_tensor *beta, clgan_tensor *running_mean,
                                     clgan_tensor *running_var, clgan_tensor *save_mean, clgan_tensor *save_inv_std,
                                     clgan_tensor *y)
{
    const char *what = training ? "batchnorm forward (training)" : "batchnorm forward (inference)";
    TRY(forward_args(what, eps, x, gamma, beta, running_mean, running_var, y));
    int C = x->c, HW = x->h * x->w;
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
    TRY(training_args(what, momentum, x, save_mean, save_inv_std));
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
    return apply(ctx, x, gamma, beta, save_mean, save_inv_std, y);
}

/* M_total = ranks * N*H*W, the values per channel over every rank's share; it must fit the kernels' int. */
static clgan_status total_values(const char *what, const clgan_reducer *r, const clgan_tensor *x, int *m_total)
{
    if (!r || !r->sum_floats || r->ranks < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the reducer is missing or has no ranks", what);
    int64_t m = (int64_t)r->ranks * x->n * x->h * x->w;
    if (m > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %d ranks of %d samples make %lld values per channel, more than "
                          "the kernels' int index", what, r->ranks, x->n, (long long)m);
    *m_total = (int)m;
    return CLGAN_OK;
}

/* host[0..t->count) = the sum over the ranks of every rank's t (download and r->sum_floats). */
static clgan_status download_summed(clgan_ctx *ctx, const clgan_reducer *r, const clgan_tensor *t, float *host)
{
    TRY(clgan_tensor_download(ctx, t, host));
    return r->sum_floats(r->self, host, t->count);
}

/* out [C] = the per-channel sum over this share of x (centred == 0) or of (x - mean)^2 (batchnorm_share_sum). */
static clgan_status share_sum(clgan_ctx *ctx, const clgan_tensor *x, int centred, const clgan_tensor *mean,
                              clgan_tensor *out)
{
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_share_sum", &k, &max_wg));
    size_t L = reduce_wg(ctx, max_wg, (size_t)x->n * x->h * x->w);
    clgan_args a = clgan_args_begin(k, "batchnorm_share_sum");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    clgan_arg_int(&a, centred);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, mean->mem);
    clgan_arg_mem(&a, out->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)x->c * L, L, "batchnorm_share_sum");
}

clgan_status clgan_batchnorm_forward_sync(clgan_ctx *ctx, float momentum, float eps, const clgan_reducer *reducer,
                                          const clgan_tensor *x, const clgan_tensor *gamma, const clgan_tensor *beta,
                                          clgan_tensor *running_mean, clgan_tensor *running_var,
                                          clgan_tensor *save_mean, clgan_tensor *save_inv_std, clgan_tensor *y)
{
    const char *what = "batchnorm forward (training, synchronised)";
    TRY(forward_args(what, eps, x, gamma, beta, running_mean, running_var, y));
    TRY(training_args(what, momentum, x, save_mean, save_inv_std));
    int M_total, C = x->c;
    TRY(total_values(what, reducer, x, &M_total));
    float *host = malloc((size_t)C * sizeof *host);
    if (!host) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %d channels", what, C);
    /* first pass: the mean over every rank's share (save_inv_std holds this share's sums meanwhile) */
    clgan_status st = share_sum(ctx, x, 0, save_mean, save_inv_std);
    if (st == CLGAN_OK) st = download_summed(ctx, reducer, save_inv_std, host);
    if (st == CLGAN_OK) {
        for (int c = 0; c < C; c++) host[c] /= (float)M_total;
        st = clgan_tensor_upload(ctx, save_mean, host);
    }
    /* second pass: q = sum (x - mean)^2 over every share, into save_inv_std for batchnorm_sync_finish */
    if (st == CLGAN_OK) st = share_sum(ctx, x, 1, save_mean, save_inv_std);
    if (st == CLGAN_OK) st = download_summed(ctx, reducer, save_inv_std, host);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, save_inv_std, host);
    free(host);
    TRY(st);
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_sync_finish", &k, NULL));
    clgan_args a = clgan_args_begin(k, "batchnorm_sync_finish");
    clgan_arg_int(&a, C);
    clgan_arg_int(&a, M_total);
    clgan_arg_float(&a, eps);
    clgan_arg_float(&a, momentum);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, running_mean->mem);
    clgan_arg_mem(&a, running_var->mem);
    TRY(clgan_args_end(&a));
    TRY(clgan_launch_1d(ctx, k, (size_t)C, 0, "batchnorm_sync_finish"));
    return apply(ctx, x, gamma, beta, save_mean, save_inv_std, y);
}

/* The arguments every backward takes: dy the shape of x, dx too unless it is NULL, C-float vectors. */
static clgan_status backward_args(const char *what, const clgan_tensor *x, const clgan_tensor *gamma,
                                  const clgan_tensor *save_mean, const clgan_tensor *save_inv_std,
                                  const clgan_tensor *dy, const clgan_tensor *dx, const clgan_tensor *dgamma,
                                  const clgan_tensor *dbeta)
{
    TRY(same_shape(what, "dy", dy, x));
    if (dx) TRY(same_shape(what, "dx", dx, x));
    TRY(channel_vec(what, "gamma", gamma, x->c));
    TRY(channel_vec(what, "save_mean", save_mean, x->c));
    TRY(channel_vec(what, "save_inv_std", save_inv_std, x->c));
    TRY(channel_vec(what, "dgamma", dgamma, x->c));
    return channel_vec(what, "dbeta", dbeta, x->c);
}

clgan_status clgan_batchnorm_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *gamma,
                                      const clgan_tensor *save_mean, const clgan_tensor *save_inv_std,
                                      const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dgamma,
                                      clgan_tensor *dbeta)
{
    const char *what = "batchnorm backward";
    if (!dx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx is missing", what);
    TRY(backward_args(what, x, gamma, save_mean, save_inv_std, dy, dx, dgamma, dbeta));
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_backward", &k, &max_wg));
    size_t L = reduce_wg(ctx, max_wg, (size_t)x->n * x->h * x->w);
    clgan_args a = clgan_args_begin(k, "batchnorm_backward");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, dy->mem);
    clgan_arg_mem(&a, gamma->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, dx->mem);
    clgan_arg_mem(&a, dgamma->mem);
    clgan_arg_mem(&a, dbeta->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)x->c * L, L, "batchnorm_backward");
}

/* dx from the gradient sums over every rank (sums [2C]) with batchnorm_sync_dx. */
static clgan_status sync_dx(clgan_ctx *ctx, int M_total, const clgan_tensor *x, const clgan_tensor *gamma,
                            const clgan_tensor *save_mean, const clgan_tensor *save_inv_std, const clgan_tensor *dy,
                            const clgan_tensor *sums, clgan_tensor *dx)
{
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_sync_dx", &k, NULL));
    clgan_args a = clgan_args_begin(k, "batchnorm_sync_dx");
    clgan_arg_int(&a, (int)x->count);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    clgan_arg_int(&a, M_total);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, dy->mem);
    clgan_arg_mem(&a, gamma->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, sums->mem);
    clgan_arg_mem(&a, dx->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, x->count, 0, "batchnorm_sync_dx");
}

/* The share's gradient sums into sums [2C] (and accumulated into dgamma, dbeta), then, when dx is
 * wanted, their totals over the ranks back into sums and dx from them. */
static clgan_status backward_sync_with(clgan_ctx *ctx, int M_total, const clgan_reducer *reducer,
                                       const clgan_tensor *x, const clgan_tensor *gamma,
                                       const clgan_tensor *save_mean, const clgan_tensor *save_inv_std,
                                       const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dgamma,
                                       clgan_tensor *dbeta, clgan_tensor *sums, float *host)
{
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "batchnorm", "batchnorm_share_grad_sums", &k, &max_wg));
    size_t L = reduce_wg(ctx, max_wg, (size_t)x->n * x->h * x->w);
    clgan_args a = clgan_args_begin(k, "batchnorm_share_grad_sums");
    clgan_arg_int(&a, x->n);
    clgan_arg_int(&a, x->c);
    clgan_arg_int(&a, x->h * x->w);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, dy->mem);
    clgan_arg_mem(&a, save_mean->mem);
    clgan_arg_mem(&a, save_inv_std->mem);
    clgan_arg_mem(&a, sums->mem);
    clgan_arg_mem(&a, dgamma->mem);
    clgan_arg_mem(&a, dbeta->mem);
    TRY(clgan_args_end(&a));
    TRY(clgan_launch_1d(ctx, k, (size_t)x->c * L, L, "batchnorm_share_grad_sums"));
    if (!dx) return CLGAN_OK; /* a first layer: the parameter gradients need only this share's sums */
    TRY(download_summed(ctx, reducer, sums, host));
    TRY(clgan_tensor_upload(ctx, sums, host));
    return sync_dx(ctx, M_total, x, gamma, save_mean, save_inv_std, dy, sums, dx);
}

clgan_status clgan_batchnorm_backward_sync(clgan_ctx *ctx, const clgan_reducer *reducer, const clgan_tensor *x,
                                           const clgan_tensor *gamma, const clgan_tensor *save_mean,
                                           const clgan_tensor *save_inv_std, const clgan_tensor *dy, clgan_tensor *dx,
                                           clgan_tensor *dgamma, clgan_tensor *dbeta)
{
    const char *what = "batchnorm backward (synchronised)";
    TRY(backward_args(what, x, gamma, save_mean, save_inv_std, dy, dx, dgamma, dbeta));
    int M_total;
    TRY(total_values(what, reducer, x, &M_total));
    clgan_tensor sums = {0};
    TRY(clgan_tensor_alloc(ctx, 2 * x->c, 1, 1, 1, &sums));
    float *host = malloc(sums.count * sizeof *host);
    clgan_status st = host ? backward_sync_with(ctx, M_total, reducer, x, gamma, save_mean, save_inv_std, dy, dx,
                                                dgamma, dbeta, &sums, host)
                           : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %d channels", what, x->c);
    free(host);
    clgan_tensor_free(ctx, &sums);
    return st;
}
