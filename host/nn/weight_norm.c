/* weight_norm.c — host side of cl/weight_norm.cl (see weight_norm.h). */
#include "weight_norm.h"

#include <limits.h>

static clgan_status check_shapes(const char *what, int out, int in, const clgan_tensor *vg, const clgan_tensor *w,
                                 const clgan_tensor *norm)
{
    if (out <= 0 || in <= 0 || (size_t)out * in > (size_t)INT_MAX - (size_t)out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: bad layer size OUT=%d, IN=%d", what, out, in);
    size_t rows = (size_t)out * in;
    if (!vg || !w || !norm || !vg->mem || !w->mem || !norm->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: a tensor argument is NULL or has no buffer", what);
    if (vg->count != rows + (size_t)out || w->count != rows || norm->count != (size_t)out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: for OUT=%d, IN=%d expected v+g %zu, W %zu, norm %d floats; got %zu, %zu, %zu", what,
                          out, in, rows + (size_t)out, rows, out, vg->count, w->count, norm->count);
    return CLGAN_OK;
}

clgan_status clgan_wn_weights(clgan_ctx *ctx, int out, int in, const clgan_tensor *vg, clgan_tensor *w,
                              clgan_tensor *norm)
{
    TRY(check_shapes("weight-norm forward", out, in, vg, w, norm));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "weight_norm", "wn_weights", &k, NULL));
    clgan_args a = clgan_args_begin(k, "wn_weights");
    clgan_arg_int(&a, out);
    clgan_arg_int(&a, in);
    clgan_arg_float(&a, CLGAN_WN_EPS);
    clgan_arg_mem(&a, vg->mem);
    clgan_arg_mem(&a, w->mem);
    clgan_arg_mem(&a, norm->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)out, 0, "wn_weights");
}

clgan_status clgan_wn_grad(clgan_ctx *ctx, int out, int in, int train_g, const clgan_tensor *vg,
                           const clgan_tensor *norm, const clgan_tensor *dw, clgan_tensor *dvg)
{
    TRY(check_shapes("weight-norm backward", out, in, vg, dw, norm));
    if (!dvg || !dvg->mem || dvg->count != vg->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "weight-norm backward: dvg must hold %zu floats like v+g",
                          vg->count);
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "weight_norm", "wn_grad", &k, NULL));
    clgan_args a = clgan_args_begin(k, "wn_grad");
    clgan_arg_int(&a, out);
    clgan_arg_int(&a, in);
    clgan_arg_int(&a, train_g ? 1 : 0);
    clgan_arg_mem(&a, vg->mem);
    clgan_arg_mem(&a, norm->mem);
    clgan_arg_mem(&a, dw->mem);
    clgan_arg_mem(&a, dvg->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)out, 0, "wn_grad");
}
