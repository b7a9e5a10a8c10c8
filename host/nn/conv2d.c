/* conv2d.c — host side of cl/conv.cl: the shared im2col/col2im/permute/bias
 * helpers, the conv workspace, and conv2d forward/backward (batched im2col,
 * one CLBlast GEMM per product). */
#include "conv2d.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nn/gemm.h"

clgan_conv_params clgan_conv_params_make(int k, int s, int p, int op)
{
    clgan_conv_params c = {k, k, s, s, p, p, op, op};
    return c;
}

/* ---- workspace ------------------------------------------------------------ */

clgan_status clgan_conv_workspace_create(clgan_ctx *ctx, size_t col_floats, size_t tmp_floats,
                                         clgan_conv_workspace *ws)
{
    if (!ctx || !ws) return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv workspace: ctx or ws is NULL");
    memset(ws, 0, sizeof *ws);
    if (col_floats == 0) col_floats = 1;
    if (tmp_floats == 0) tmp_floats = 1;
    TRY(clgan_buffer_create(ctx, col_floats * sizeof(float), &ws->col));
    clgan_status st = clgan_buffer_create(ctx, tmp_floats * sizeof(float), &ws->tmp);
    if (st != CLGAN_OK) {
        clgan_buffer_release(ctx, ws->col);
        memset(ws, 0, sizeof *ws);
        return st;
    }
    ws->col_floats = col_floats;
    ws->tmp_floats = tmp_floats;
    return CLGAN_OK;
}

void clgan_conv_workspace_free(clgan_ctx *ctx, clgan_conv_workspace *ws)
{
    if (!ws) return;
    if (ws->col) clgan_buffer_release(ctx, ws->col);
    if (ws->tmp) clgan_buffer_release(ctx, ws->tmp);
    memset(ws, 0, sizeof *ws);
}

clgan_status clgan_conv_workspace_check(const clgan_conv_workspace *ws, size_t col_floats, size_t tmp_floats,
                                        const char *what)
{
    if (!ws || !ws->col || !ws->tmp)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: no workspace (create one with clgan_conv_workspace_create)",
                          what);
    if (ws->col_floats < col_floats || ws->tmp_floats < tmp_floats)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: workspace too small: it holds col %zu / tmp %zu floats, this layer needs col %zu / "
                          "tmp %zu (size it with the *_workspace_floats functions, max over the net's layers)",
                          what, ws->col_floats, ws->tmp_floats, col_floats, tmp_floats);
    return CLGAN_OK;
}

/* ---- shared kernels ------------------------------------------------------- */

/* Kernels index with int: every launched range must fit. */
static clgan_status fits_int(size_t count, const char *what)
{
    if (count > (size_t)INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int indexing", what, count);
    return CLGAN_OK;
}

/* Which form of the data-movement kernels to launch (cl/conv.cl): the
 * loop-per-work-item *_rows kernels on CPU devices, one work-item per element
 * elsewhere. CLGAN_KERNEL_FORM=rows or =items forces one (tests, tuning). */
int clgan_conv_use_rows(const clgan_ctx *ctx)
{
    int form = clgan_kernel_form_env(); /* a bad value already failed clgan_ctx_create */
    return form >= 0 ? form : ctx->info.type == CLGAN_DEVICE_CPU;
}

/* The geometry prefix of im2col and col2im: N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW. */
static void geom_args(clgan_args *a, const clgan_col_geom *g)
{
    const clgan_conv_params *p = g->p;
    clgan_arg_int(a, g->n), clgan_arg_int(a, g->c), clgan_arg_int(a, g->h), clgan_arg_int(a, g->w);
    clgan_arg_int(a, p->kh), clgan_arg_int(a, p->kw), clgan_arg_int(a, p->stride_h), clgan_arg_int(a, p->stride_w);
    clgan_arg_int(a, p->pad_h), clgan_arg_int(a, p->pad_w), clgan_arg_int(a, g->oh), clgan_arg_int(a, g->ow);
}

/* The im2col or col2im kernel, its _rows form where clgan_conv_use_rows
 * says (*rows set), its arguments begun with the geometry prefix. */
static clgan_status col_kernel(clgan_ctx *ctx, const clgan_col_geom *g, const char *name, const char *rows_name,
                               int *rows, clgan_args *a)
{
    *rows = clgan_conv_use_rows(ctx);
    if (*rows) name = rows_name;
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "conv", name, &k, NULL));
    *a = clgan_args_begin(k, name);
    geom_args(a, g);
    return CLGAN_OK;
}

clgan_status clgan_conv_im2col(clgan_ctx *ctx, const clgan_col_geom *g, cl_mem x, cl_mem col)
{
    const clgan_conv_params *p = g->p;
    size_t count = (size_t)g->c * p->kh * p->kw * g->n * g->oh * g->ow;
    TRY(fits_int(count, "im2col"));
    int rows;
    clgan_args a;
    TRY(col_kernel(ctx, g, "im2col", "im2col_rows", &rows, &a));
    clgan_arg_mem(&a, x);
    clgan_arg_mem(&a, col);
    TRY(clgan_args_end(&a));
    if (rows) return clgan_launch_2d(ctx, a.kernel, (size_t)g->n, (size_t)g->c * p->kh * p->kw, 0, 0, a.name);
    return clgan_launch_1d(ctx, a.kernel, count, 0, a.name);
}

clgan_status clgan_conv_col2im(clgan_ctx *ctx, const clgan_col_geom *g, cl_mem col, cl_mem b, cl_mem x)
{
    const clgan_conv_params *p = g->p;
    size_t count = (size_t)g->n * g->c * g->h * g->w;
    TRY(fits_int(count, "col2im"));
    TRY(fits_int((size_t)g->c * p->kh * p->kw * g->n * g->oh * g->ow, "col2im"));
    int rows;
    clgan_args a;
    TRY(col_kernel(ctx, g, "col2im", "col2im_rows", &rows, &a));
    clgan_arg_int(&a, b != NULL);
    clgan_arg_mem(&a, col);
    clgan_arg_mem(&a, b ? b : col); /* a valid buffer, not read without bias */
    clgan_arg_mem(&a, x);
    TRY(clgan_args_end(&a));
    if (rows) return clgan_launch_2d(ctx, a.kernel, (size_t)g->h, (size_t)g->n * g->c, 0, 0, a.name);
    return clgan_launch_1d(ctx, a.kernel, count, 0, a.name);
}

/* The three per-channel kernels of cl/conv.cl share one argument list,
 * (N, C, S, [has_bias,] in..., out), over n*c*s elements: one work-item per
 * element, or in the *_rows form one per (channel, image) row.
 * has_bias < 0: the kernel takes no has_bias argument. */
static clgan_status launch_per_channel(clgan_ctx *ctx, const char *items_name, const char *rows_name, int n, int c,
                                       int s, int has_bias, const cl_mem *mems, int mem_count)
{
    size_t count = (size_t)n * c * s;
    TRY(fits_int(count, items_name));
    int rows = clgan_conv_use_rows(ctx);
    const char *name = rows ? rows_name : items_name;
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "conv", name, &k, NULL));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, n), clgan_arg_int(&a, c), clgan_arg_int(&a, s);
    if (has_bias >= 0) clgan_arg_int(&a, has_bias);
    for (int i = 0; i < mem_count; i++) clgan_arg_mem(&a, mems[i]);
    TRY(clgan_args_end(&a));
    if (rows) return clgan_launch_2d(ctx, k, (size_t)c, (size_t)n, 0, 0, name);
    return clgan_launch_1d(ctx, k, count, 0, name);
}

clgan_status clgan_conv_cm_to_nchw(clgan_ctx *ctx, int n, int c, int s, cl_mem m, cl_mem b, cl_mem y)
{
    const cl_mem mems[3] = {m, b ? b : m, y}; /* a valid buffer, not read without bias */
    return launch_per_channel(ctx, "cm_to_nchw", "cm_to_nchw_rows", n, c, s, b != NULL, mems, 3);
}

clgan_status clgan_conv_nchw_to_cm(clgan_ctx *ctx, int n, int c, int s, cl_mem x, cl_mem m)
{
    const cl_mem mems[2] = {x, m};
    return launch_per_channel(ctx, "nchw_to_cm", "nchw_to_cm_rows", n, c, s, -1, mems, 2);
}

clgan_status clgan_conv_bias_add(clgan_ctx *ctx, int n, int c, int s, cl_mem b, cl_mem y)
{
    const cl_mem mems[2] = {b, y};
    return launch_per_channel(ctx, "bias_add", "bias_add_rows", n, c, s, -1, mems, 2);
}

clgan_status clgan_conv_bias_grad(clgan_ctx *ctx, int n, int c, int s, cl_mem x, cl_mem db)
{
    TRY(fits_int((size_t)n * c * s, "bias_grad"));
    cl_kernel k;
    size_t max_wg = 1;
    TRY(clgan_kernel_get(ctx, "conv", "bias_grad", &k, &max_wg));
    size_t wg = 1; /* the tree reduction needs a power of two */
    /* CPU devices (loop-per-work-item form): one work-item per channel, no barriers */
    size_t cap = clgan_conv_use_rows(ctx) ? 1 : 256;
    while (wg * 2 <= max_wg && wg * 2 <= cap && wg * 2 <= (size_t)n * s) wg *= 2;
    clgan_args a = clgan_args_begin(k, "bias_grad");
    clgan_arg_int(&a, n), clgan_arg_int(&a, c), clgan_arg_int(&a, s);
    clgan_arg_mem(&a, x);
    clgan_arg_mem(&a, db);
    clgan_arg_local(&a, wg * sizeof(float));
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)c * wg, wg, "bias_grad");
}

/* ---- argument checks shared with conv_transpose2d ------------------------- */

clgan_status clgan_conv_check_weights(const char *what, const clgan_conv_params *p, const clgan_tensor *w, int d0,
                                      int d1, const clgan_tensor *b, int out_channels)
{
    size_t wcount = (size_t)d0 * d1 * p->kh * p->kw;
    if (w->count != wcount)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: W holds %zu floats, expected [%d,%d,%d,%d] = %zu", what,
                          w->count, d0, d1, p->kh, p->kw, wcount);
    if (b && b->count != (size_t)out_channels)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: bias holds %zu floats, expected %d (output channels)", what,
                          b->count, out_channels);
    return CLGAN_OK;
}

clgan_status clgan_conv_check_grads(const char *what, const clgan_tensor *x, const clgan_tensor *w,
                                    const clgan_tensor *dx, const clgan_tensor *dw)
{
    if (!dw) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dW must not be NULL", what);
    if (dw->count != w->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dW holds %zu floats, W %zu", what, dw->count, w->count);
    if (dx && (dx->n != x->n || dx->c != x->c || dx->h != x->h || dx->w != x->w))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx is [%d,%d,%d,%d], x is [%d,%d,%d,%d]", what, dx->n, dx->c,
                          dx->h, dx->w, x->n, x->c, x->h, x->w);
    return CLGAN_OK;
}

/* ---- conv2d --------------------------------------------------------------- */

static clgan_status check_params(const clgan_conv_params *p, const char *what)
{
    if (!p) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: params is NULL", what);
    if (p->kh <= 0 || p->kw <= 0 || p->stride_h <= 0 || p->stride_w <= 0 || p->pad_h < 0 || p->pad_w < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: bad geometry kernel %dx%d stride %dx%d pad %dx%d (need kernel, stride >= 1, pad >= 0)",
                          what, p->kh, p->kw, p->stride_h, p->stride_w, p->pad_h, p->pad_w);
    return CLGAN_OK;
}

clgan_status clgan_conv2d_out_size(const clgan_conv_params *p, int h, int w, int *oh, int *ow)
{
    TRY(check_params(p, "conv2d"));
    if (p->out_pad_h != 0 || p->out_pad_w != 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv2d: output padding %dx%d is for conv_transpose2d only",
                          p->out_pad_h, p->out_pad_w);
    if (h <= 0 || w <= 0 || h + 2 * p->pad_h < p->kh || w + 2 * p->pad_w < p->kw)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv2d: kernel %dx%d does not fit the %dx%d image padded by %dx%d",
                          p->kh, p->kw, h, w, p->pad_h, p->pad_w);
    *oh = (h + 2 * p->pad_h - p->kh) / p->stride_h + 1;
    *ow = (w + 2 * p->pad_w - p->kw) / p->stride_w + 1;
    return CLGAN_OK;
}

clgan_status clgan_conv2d_workspace_floats(const clgan_conv_params *p, int n, int c, int h, int w, int oc,
                                           size_t *col_floats, size_t *tmp_floats)
{
    int oh, ow;
    TRY(clgan_conv2d_out_size(p, h, w, &oh, &ow));
    if (n <= 0 || c <= 0 || oc <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "conv2d: non-positive batch %d, channels %d or out channels %d", n,
                          c, oc);
    size_t cols = (size_t)n * oh * ow;
    *col_floats = (size_t)c * p->kh * p->kw * cols;
    *tmp_floats = (size_t)oc * cols;
    return CLGAN_OK;
}

/* Shapes of one conv2d call, validated: x [N,C,H,W], y/dy [N,OC,OH,OW],
 * W count OC*C*KH*KW, b count OC. */
static clgan_status conv2d_shapes(const char *what, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                                  const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                  const clgan_tensor *y, clgan_col_geom *g)
{
    if (!x || !w || !y) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x, W and y/dy must not be NULL", what);
    int oh, ow;
    clgan_status st = clgan_conv2d_out_size(p, x->h, x->w, &oh, &ow);
    if (st != CLGAN_OK) return clgan_fail_context(st, "%s", what);
    if (y->n != x->n || y->h != oh || y->w != ow)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: output is [%d,%d,%d,%d], expected [%d,%d,%d,%d] for input [%d,%d,%d,%d] kernel %dx%d "
                          "stride %dx%d pad %dx%d",
                          what, y->n, y->c, y->h, y->w, x->n, y->c, oh, ow, x->n, x->c, x->h, x->w, p->kh, p->kw,
                          p->stride_h, p->stride_w, p->pad_h, p->pad_w);
    TRY(clgan_conv_check_weights(what, p, w, y->c, x->c, b, y->c));
    size_t col_floats, tmp_floats;
    TRY(clgan_conv2d_workspace_floats(p, x->n, x->c, x->h, x->w, y->c, &col_floats, &tmp_floats));
    TRY(clgan_conv_workspace_check(ws, col_floats, tmp_floats, what));
    g->n = x->n, g->c = x->c, g->h = x->h, g->w = x->w, g->oh = oh, g->ow = ow, g->p = p;
    return CLGAN_OK;
}

clgan_status clgan_conv2d_forward(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                                  const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                  clgan_tensor *y)
{
    clgan_col_geom g;
    TRY(conv2d_shapes("conv2d forward", p, ws, x, w, b, y, &g));
    size_t k = (size_t)g.c * p->kh * p->kw, m = (size_t)g.n * g.oh * g.ow, oc = (size_t)y->c;
    TRY(clgan_conv_im2col(ctx, &g, x->mem, ws->col));                                    /* col [K, M] */
    TRY(clgan_gemm(ctx, 0, 0, oc, m, k, 1.0f, w->mem, 0, k, ws->col, 0, m, 0.0f, ws->tmp, 0, m)); /* tmp [OC, M] */
    return clgan_conv_cm_to_nchw(ctx, g.n, y->c, g.oh * g.ow, ws->tmp, b ? b->mem : NULL, y->mem);
}

clgan_status clgan_conv2d_backward(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                                   const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                   clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    clgan_col_geom g;
    TRY(conv2d_shapes("conv2d backward", p, ws, x, w, db, dy, &g));
    TRY(clgan_conv_check_grads("conv2d backward", x, w, dx, dw));
    size_t k = (size_t)g.c * p->kh * p->kw, m = (size_t)g.n * g.oh * g.ow, oc = (size_t)dy->c;
    TRY(clgan_conv_nchw_to_cm(ctx, g.n, dy->c, g.oh * g.ow, dy->mem, ws->tmp)); /* tmp [OC, M] */
    if (db) TRY(clgan_conv_bias_grad(ctx, 1, dy->c, (int)m, ws->tmp, db->mem)); /* row sums */
    TRY(clgan_conv_im2col(ctx, &g, x->mem, ws->col));                           /* col [K, M] */
    /* dW [OC, K] += tmp [OC, M] · colᵀ [M, K] */
    TRY(clgan_gemm(ctx, 0, 1, oc, k, m, 1.0f, ws->tmp, 0, m, ws->col, 0, m, 1.0f, dw->mem, 0, k));
    if (!dx) return CLGAN_OK;
    /* col [K, M] = Wᵀ [K, OC] · tmp [OC, M] */
    TRY(clgan_gemm(ctx, 1, 0, k, m, oc, 1.0f, w->mem, 0, k, ws->tmp, 0, m, 0.0f, ws->col, 0, m));
    return clgan_conv_col2im(ctx, &g, ws->col, NULL, dx->mem);
}

const clgan_conv_fns clgan_conv2d_fns = {
    .name = "conv2d",
    .out_size = clgan_conv2d_out_size,
    .workspace_floats = clgan_conv2d_workspace_floats,
    .forward = clgan_conv2d_forward,
    .backward = clgan_conv2d_backward,
};
