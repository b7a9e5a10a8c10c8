/* dense.c — fully connected layer: CLBlast GEMMs plus the bias kernels of
 * cl/conv.cl (bias_add, bias_grad). */
#include "dense.h"

#include "nn/conv2d.h"
#include "nn/gemm.h"

/* Validate x [N,IN], W [OUT,IN], b [OUT], y/dy [N,OUT]; gives IN and OUT. */
static clgan_status dense_shapes(const char *what, const clgan_tensor *x, const clgan_tensor *w,
                                 const clgan_tensor *b, const clgan_tensor *y, size_t *in, size_t *out)
{
    if (!x || !w || !y) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x, W and y/dy must not be NULL", what);
    *in = (size_t)x->c * x->h * x->w;
    *out = (size_t)y->c * y->h * y->w;
    if (y->n != x->n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: batch sizes differ: x has %d, y/dy has %d", what, x->n, y->n);
    if (w->count != *in * *out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: W holds %zu floats, expected [OUT=%zu, IN=%zu] = %zu", what,
                          w->count, *out, *in, *in * *out);
    if (b && b->count != *out)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: bias holds %zu floats, expected OUT=%zu", what, b->count, *out);
    return CLGAN_OK;
}

clgan_status clgan_dense_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                 clgan_tensor *y)
{
    size_t in, out;
    TRY(dense_shapes("dense forward", x, w, b, y, &in, &out));
    size_t n = (size_t)x->n;
    /* y [N, OUT] = x [N, IN] · Wᵀ [IN, OUT] */
    TRY(clgan_gemm(ctx, 0, 1, n, out, in, 1.0f, x->mem, 0, in, w->mem, 0, in, 0.0f, y->mem, 0, out));
    if (b) TRY(clgan_conv_bias_add(ctx, x->n, (int)out, 1, b->mem, y->mem));
    return CLGAN_OK;
}

clgan_status clgan_dense_backward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *w,
                                  const clgan_tensor *dy, clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    size_t in, out;
    TRY(dense_shapes("dense backward", x, w, db, dy, &in, &out));
    if (!dw) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dense backward: dW must not be NULL");
    if (dw->count != w->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dense backward: dW holds %zu floats, W %zu", dw->count, w->count);
    if (dx && (dx->n != x->n || (size_t)dx->c * dx->h * dx->w != in))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dense backward: dx is [%d,%d,%d,%d], expected %d x %zu", dx->n,
                          dx->c, dx->h, dx->w, x->n, in);
    size_t n = (size_t)x->n;
    /* dW [OUT, IN] += dyᵀ [OUT, N] · x [N, IN] */
    TRY(clgan_gemm(ctx, 1, 0, out, in, n, 1.0f, dy->mem, 0, out, x->mem, 0, in, 1.0f, dw->mem, 0, in));
    if (db) TRY(clgan_conv_bias_grad(ctx, dy->n, (int)out, 1, dy->mem, db->mem));
    /* dx [N, IN] = dy [N, OUT] · W [OUT, IN] */
    if (dx) TRY(clgan_gemm(ctx, 0, 0, n, in, out, 1.0f, dy->mem, 0, out, w->mem, 0, in, 0.0f, dx->mem, 0, in));
    return CLGAN_OK;
}
