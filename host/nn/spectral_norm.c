/* spectral_norm.c — host side of cl/spectral_norm.cl (see spectral_norm.h):
 * the work buffers, u's initialisation, and the forward and backward
 * sequences of kernels. */
#include "spectral_norm.h"

#include "device/profile.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SN_MAX_WG 256 /* the kernels' __local arrays */

clgan_status clgan_sn_work_alloc(clgan_ctx *ctx, int out, int in, clgan_sn_work *work)
{
    memset(work, 0, sizeof *work);
    TRY(clgan_tensor_alloc(ctx, out, in, 1, 1, &work->w));
    TRY(clgan_tensor_alloc(ctx, out, in, 1, 1, &work->dw));
    TRY(clgan_tensor_alloc(ctx, in, 1, 1, 1, &work->v));
    TRY(clgan_tensor_alloc(ctx, out, 1, 1, 1, &work->u));
    return clgan_tensor_alloc(ctx, 2, 1, 1, 1, &work->scal);
}

void clgan_sn_work_free(clgan_ctx *ctx, clgan_sn_work *work)
{
    clgan_tensor *all[] = {&work->w, &work->dw, &work->v, &work->u, &work->scal};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) clgan_tensor_free(ctx, all[i]);
}

clgan_status clgan_sn_init_u(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *u)
{
    double *d = malloc(u->count * sizeof *d);
    float *f = malloc(u->count * sizeof *f);
    if (!d || !f) {
        free(d), free(f);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory initialising a spectral-norm vector u");
    }
    double ss = 0;
    for (size_t i = 0; i < u->count; i++) d[i] = clgan_rng_normal(rng), ss += d[i] * d[i];
    double scale = 1.0 / fmax(sqrt(ss), (double)CLGAN_SN_EPS);
    for (size_t i = 0; i < u->count; i++) f[i] = (float)(d[i] * scale);
    clgan_status st = clgan_tensor_upload(ctx, u, f);
    free(d), free(f);
    return st;
}

/* W [OUT,IN] and u [OUT] of the sizes out, in; the work buffers of the same. */
static clgan_status check_shapes(const char *what, int out, int in, const clgan_tensor *w, const clgan_tensor *u,
                                 const clgan_sn_work *work)
{
    if (out <= 0 || in <= 0 || (size_t)out * in > (size_t)INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: bad weight matrix size OUT=%d, IN=%d", what, out, in);
    size_t rows = (size_t)out * in;
    const clgan_tensor *all[] = {w, u, &work->w, &work->dw, &work->v, &work->u, &work->scal};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!all[i] || !all[i]->mem)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a tensor argument is NULL or has no buffer", what);
    if (w->count != rows || u->count != (size_t)out || work->w.count != rows || work->dw.count != rows ||
        work->v.count != (size_t)in || work->u.count != (size_t)out || work->scal.count != 2)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: for OUT=%d, IN=%d expected W %zu, u %d floats and work buffers for the same; got W %zu, "
                          "u %zu, W_sn %zu, G %zu, v %zu, u' %zu, scal %zu",
                          what, out, in, rows, out, w->count, u->count, work->w.count, work->dw.count,
                          work->v.count, work->u.count, work->scal.count);
    return CLGAN_OK;
}

/* The one-work-group reductions: the largest power of two <= min(SN_MAX_WG,
 * the kernel's limit), no larger than the next power of two >= n. */
static size_t group_size(size_t kernel_max, size_t n)
{
    size_t cap = kernel_max < SN_MAX_WG ? kernel_max : SN_MAX_WG, L = 1;
    while (L * 2 <= cap && L < n) L *= 2;
    return L;
}

/* x [n] -> x / max(|x|, eps) in place; with scal, scal[0] = sigma (sn_normalize_sigma). */
static clgan_status normalize(clgan_ctx *ctx, int n, clgan_tensor *x, clgan_tensor *scal)
{
    const char *name = scal ? "sn_normalize_sigma" : "sn_normalize";
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "spectral_norm", name, &k, &max_wg));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, n);
    clgan_arg_float(&a, CLGAN_SN_EPS);
    clgan_arg_mem(&a, x->mem);
    if (scal) clgan_arg_mem(&a, scal->mem);
    TRY(clgan_args_end(&a));
    size_t L = group_size(max_wg, (size_t)n);
    return clgan_launch_1d(ctx, k, L, L, name);
}

/* A kernel (rows, cols, A, B, C) over `global` work-items: sn_wtu, sn_wv. */
static clgan_status matvec(clgan_ctx *ctx, const char *name, int out, int in, const clgan_tensor *w,
                           const clgan_tensor *x, clgan_tensor *y, size_t global)
{
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "spectral_norm", name, &k, NULL));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, out);
    clgan_arg_int(&a, in);
    clgan_arg_mem(&a, w->mem);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, global, 0, name);
}

clgan_status clgan_sn_forward(clgan_ctx *ctx, int out, int in, const clgan_tensor *w, clgan_tensor *u, int update,
                              clgan_sn_work *work)
{
    TRY(check_shapes("spectral-norm forward", out, in, w, u, work));
    TRY(matvec(ctx, "sn_wtu", out, in, w, u, &work->v, (size_t)in)); /* v = Wᵀu */
    TRY(normalize(ctx, in, &work->v, NULL));                         /* v = normalize(v) */
    TRY(matvec(ctx, "sn_wv", out, in, w, &work->v, &work->u, (size_t)out)); /* u' = W v */
    TRY(normalize(ctx, out, &work->u, &work->scal));                 /* u' = normalize(u'), sigma */
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "spectral_norm", "sn_scale", &k, NULL));
    clgan_args a = clgan_args_begin(k, "sn_scale");
    clgan_arg_int(&a, (int)w->count);
    clgan_arg_mem(&a, w->mem);
    clgan_arg_mem(&a, work->scal.mem);
    clgan_arg_mem(&a, work->w.mem);
    TRY(clgan_args_end(&a));
    TRY(clgan_launch_1d(ctx, k, w->count, 0, "sn_scale"));
    if (!update) return CLGAN_OK;
    CL_TRY(clEnqueueCopyBuffer(ctx->queue, work->u.mem, u->mem, 0, 0, u->count * sizeof(float), 0, NULL,
                               clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "copy");
    return CLGAN_OK;
}

clgan_status clgan_sn_backward(clgan_ctx *ctx, int out, int in, clgan_sn_work *work, clgan_tensor *dw)
{
    TRY(check_shapes("spectral-norm backward", out, in, dw, &work->u, work));
    cl_kernel k;
    size_t max_wg;
    TRY(clgan_kernel_get(ctx, "spectral_norm", "sn_dot", &k, &max_wg));
    clgan_args a = clgan_args_begin(k, "sn_dot");
    clgan_arg_int(&a, (int)dw->count);
    clgan_arg_mem(&a, work->dw.mem);
    clgan_arg_mem(&a, work->w.mem);
    clgan_arg_mem(&a, work->scal.mem);
    TRY(clgan_args_end(&a));
    size_t L = group_size(max_wg, dw->count);
    TRY(clgan_launch_1d(ctx, k, L, L, "sn_dot"));
    TRY(clgan_kernel_get(ctx, "spectral_norm", "sn_grad", &k, NULL));
    a = clgan_args_begin(k, "sn_grad");
    clgan_arg_int(&a, out);
    clgan_arg_int(&a, in);
    clgan_arg_mem(&a, work->dw.mem);
    clgan_arg_mem(&a, work->u.mem);
    clgan_arg_mem(&a, work->v.mem);
    clgan_arg_mem(&a, work->scal.mem);
    clgan_arg_mem(&a, dw->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, dw->count, 0, "sn_grad");
}
