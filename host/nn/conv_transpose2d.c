/* conv_transpose2d.c — transposed convolution on the conv2d kernels
 * (cl/conv.cl): permute + one CLBlast GEMM + col2im gather forward,
 * im2col + GEMMs backward. */
#include "conv_transpose2d.h"

#include "nn/gemm.h"

clgan_status clgan_conv_transpose2d_out_size(const clgan_conv_params *p, int h, int w, int *oh, int *ow)
{
    if (!p) return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv_transpose2d: params is NULL");
    if (p->kh <= 0 || p->kw <= 0 || p->stride_h <= 0 || p->stride_w <= 0 || p->pad_h < 0 || p->pad_w < 0 ||
        p->out_pad_h < 0 || p->out_pad_w < 0 || p->out_pad_h >= p->stride_h || p->out_pad_w >= p->stride_w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "conv_transpose2d: bad geometry kernel %dx%d stride %dx%d pad %dx%d output pad %dx%d "
                          "(need kernel, stride >= 1, pad >= 0, 0 <= output pad < stride)",
                          p->kh, p->kw, p->stride_h, p->stride_w, p->pad_h, p->pad_w, p->out_pad_h, p->out_pad_w);
    if (h <= 0 || w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv_transpose2d: input size %dx%d is not positive", h, w);
    int H = (h - 1) * p->stride_h - 2 * p->pad_h + p->kh + p->out_pad_h;
    int W = (w - 1) * p->stride_w - 2 * p->pad_w + p->kw + p->out_pad_w;
    if (H <= 0 || W <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv_transpose2d: padding %dx%d leaves no output (%dx%d) for a %dx%d input",
                          p->pad_h, p->pad_w, H, W, h, w);
    *oh = H, *ow = W;
    return CLGAN_OK;
}

clgan_status clgan_conv_transpose2d_workspace_floats(const clgan_conv_params *p, int n, int ic, int h, int w, int oc,
                                                     size_t *col_floats, size_t *tmp_floats)
{
    int oh, ow;
    TRY(clgan_conv_transpose2d_out_size(p, h, w, &oh, &ow));
    if (n <= 0 || ic <= 0 || oc <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "conv_transpose2d: non-positive batch %d, in channels %d or out channels %d", n, ic, oc);
    size_t cols = (size_t)n * h * w;
    *col_floats = (size_t)oc * p->kh * p->kw * cols;
    *tmp_floats = (size_t)ic * cols;
    return CLGAN_OK;
}

/* Validate one call: x [N,IC,H,W], y/dy [N,OC,OH,OW], W count IC*OC*KH*KW,
 * b count OC. g describes the output image [N,OC,OH,OW] with the H x W
 * input positions as its window grid (what im2col/col2im see). */
static clgan_status shapes(const char *what, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                           const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b, const clgan_tensor *y,
                           clgan_col_geom *g)
{
    if (!x || !w || !y) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x, W and y/dy must not be NULL", what);
    int oh, ow;
    clgan_status st = clgan_conv_transpose2d_out_size(p, x->h, x->w, &oh, &ow);
    if (st != CLGAN_OK) return clgan_fail_context(st, "%s", what);
    if (y->n != x->n || y->h != oh || y->w != ow)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: output is [%d,%d,%d,%d], expected [%d,%d,%d,%d] for input [%d,%d,%d,%d] kernel %dx%d "
                          "stride %dx%d pad %dx%d output pad %dx%d",
                          what, y->n, y->c, y->h, y->w, x->n, y->c, oh, ow, x->n, x->c, x->h, x->w, p->kh, p->kw,
                          p->stride_h, p->stride_w, p->pad_h, p->pad_w, p->out_pad_h, p->out_pad_w);
    TRY(clgan_conv_check_weights(what, p, w, x->c, y->c, b, y->c));
    size_t col_floats, tmp_floats;
    TRY(clgan_conv_transpose2d_workspace_floats(p, x->n, x->c, x->h, x->w, y->c, &col_floats, &tmp_floats));
    TRY(clgan_conv_workspace_check(ws, col_floats, tmp_floats, what));
    g->n = x->n, g->c = y->c, g->h = oh, g->w = ow, g->oh = x->h, g->ow = x->w, g->p = p;
    return CLGAN_OK;
}

clgan_status clgan_conv_transpose2d_forward(clgan_ctx *ctx, const clgan_conv_params *p,
                                            const clgan_conv_workspace *ws, const clgan_tensor *x,
                                            const clgan_tensor *w, const clgan_tensor *b, clgan_tensor *y)
{
    clgan_col_geom g;
    TRY(shapes("conv_transpose2d forward", p, ws, x, w, b, y, &g));
    size_t ic = (size_t)x->c, k = (size_t)y->c * p->kh * p->kw, m = (size_t)x->n * x->h * x->w;
    TRY(clgan_conv_nchw_to_cm(ctx, x->n, x->c, x->h * x->w, x->mem, ws->tmp)); /* tmp [IC, M] */
    /* col [K, M] = Wᵀ [K, IC] · tmp [IC, M] */
    TRY(clgan_gemm(ctx, 1, 0, k, m, ic, 1.0f, w->mem, 0, k, ws->tmp, 0, m, 0.0f, ws->col, 0, m));
    return clgan_conv_col2im(ctx, &g, ws->col, b ? b->mem : NULL, y->mem);
}

clgan_status clgan_conv_transpose2d_backward(clgan_ctx *ctx, const clgan_conv_params *p,
                                             const clgan_conv_workspace *ws, const clgan_tensor *x,
                                             const clgan_tensor *w, const clgan_tensor *dy, clgan_tensor *dx,
                                             clgan_tensor *dw, clgan_tensor *db)
{
    const char *what = "conv_transpose2d backward";
    clgan_col_geom g;
    TRY(shapes(what, p, ws, x, w, db, dy, &g));
    TRY(clgan_conv_check_grads(what, x, w, dx, dw));
    size_t ic = (size_t)x->c, k = (size_t)dy->c * p->kh * p->kw, m = (size_t)x->n * x->h * x->w;
    if (db) TRY(clgan_conv_bias_grad(ctx, dy->n, dy->c, dy->h * dy->w, dy->mem, db->mem));
    TRY(clgan_conv_im2col(ctx, &g, dy->mem, ws->col));                           /* col [K, M] */
    TRY(clgan_conv_nchw_to_cm(ctx, x->n, x->c, x->h * x->w, x->mem, ws->tmp)); /* tmp [IC, M] */
    /* dW [IC, K] += tmp [IC, M] · colᵀ [M, K] */
    TRY(clgan_gemm(ctx, 0, 1, ic, k, m, 1.0f, ws->tmp, 0, m, ws->col, 0, m, 1.0f, dw->mem, 0, k));
    if (!dx) return CLGAN_OK;
    /* tmp [IC, M] = W [IC, K] · col [K, M], then dx = permute(tmp) */
    TRY(clgan_gemm(ctx, 0, 0, ic, m, k, 1.0f, w->mem, 0, k, ws->col, 0, m, 0.0f, ws->tmp, 0, m));
    return clgan_conv_cm_to_nchw(ctx, x->n, x->c, x->h * x->w, ws->tmp, NULL, dx->mem);
}

const clgan_conv_fns clgan_conv_transpose2d_fns = {
    .name = "conv_transpose2d",
    .out_size = clgan_conv_transpose2d_out_size,
    .workspace_floats = clgan_conv_transpose2d_workspace_floats,
    .forward = clgan_conv_transpose2d_forward,
    .backward = clgan_conv_transpose2d_backward,
};
