/* check_conv2d.c — the conv2d op (conv2d.h): its double host reference,
 * forward and backward side by side, and its checks at several shapes,
 * strides and paddings through the GEMM-op harness (check_gemm_op.h), plus
 * the workspace-size guard. */
#include "check_gemm_op.h"

#include <string.h>

static void conv2d_sizes(gemm_case *c)
{
    const clgan_conv_params *p = &c->p;
    c->oh = (c->h + 2 * p->pad_h - p->kh) / p->stride_h + 1;
    c->ow = (c->w + 2 * p->pad_w - p->kw) / p->stride_w + 1;
    c->ws = (size_t)c->oc * c->c * p->kh * p->kw;
}

/* conv2d: y[n,o,oy,ox] = b[o] + Σ_{ci,kh,kw} W[o,ci,kh,kw] x[n,ci,oy*sh-ph+kh, ox*sw-pw+kw] */
static void ref_conv_forward(const gemm_case *c, const double *x, const double *W, const double *b, double *y)
{
    const clgan_conv_params *p = &c->p;
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++)
            for (int oy = 0; oy < c->oh; oy++)
                for (int ox = 0; ox < c->ow; ox++) {
                    double s = c->bias ? b[o] : 0;
                    for (int ci = 0; ci < c->c; ci++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int iy = oy * p->stride_h - p->pad_h + kh, ix = ox * p->stride_w - p->pad_w + kw;
                                if (iy < 0 || iy >= c->h || ix < 0 || ix >= c->w) continue;
                                s += W[((o * c->c + ci) * p->kh + kh) * p->kw + kw] *
                                     x[((n * c->c + ci) * c->h + iy) * c->w + ix];
                            }
                    y[((n * c->oc + o) * c->oh + oy) * c->ow + ox] = s;
                }
}

/* conv2d backward: the same loop, each product's partials scattered (host only). */
static void ref_conv_backward(const gemm_case *c, const double *x, const double *W, const double *dy, double *dx,
                              double *dW, double *db)
{
    const clgan_conv_params *p = &c->p;
    memset(dx, 0, c->xs * sizeof *dx);
    memset(dW, 0, c->ws * sizeof *dW);
    memset(db, 0, (size_t)c->oc * sizeof *db);
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++)
            for (int oy = 0; oy < c->oh; oy++)
                for (int ox = 0; ox < c->ow; ox++) {
                    double g = dy[((n * c->oc + o) * c->oh + oy) * c->ow + ox];
                    db[o] += g;
                    for (int ci = 0; ci < c->c; ci++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int iy = oy * p->stride_h - p->pad_h + kh, ix = ox * p->stride_w - p->pad_w + kw;
                                if (iy < 0 || iy >= c->h || ix < 0 || ix >= c->w) continue;
                                size_t wi = ((size_t)(o * c->c + ci) * p->kh + kh) * p->kw + kw;
                                size_t xi = ((size_t)(n * c->c + ci) * c->h + iy) * c->w + ix;
                                dW[wi] += g * x[xi];
                                dx[xi] += g * W[wi];
                            }
                }
}

static clgan_status conv2d_dev_forward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                       const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                       clgan_tensor *y)
{
    return clgan_conv2d_forward(ctx, &c->p, ws, x, w, b, y);
}

static clgan_status conv2d_dev_backward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                        const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                        clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    return clgan_conv2d_backward(ctx, &c->p, ws, x, w, dy, dx, dw, db);
}

static clgan_status conv2d_workspace(const gemm_case *c, size_t *col, size_t *tmp)
{
    return clgan_conv2d_workspace_floats(&c->p, c->n, c->c, c->h, c->w, c->oc, col, tmp);
}

static const gemm_op conv2d_op = {"conv2d", 1, conv2d_sizes, ref_conv_forward, ref_conv_backward,
                                  conv2d_dev_forward, conv2d_dev_backward, conv2d_workspace};

void check_conv2d(check_run *run)
{
    const gemm_case cases[] = {
        GEMM_CASE(&conv2d_op, 1, 1, 5, 5, 1, gemm_geom(3, 3, 1, 1, 0, 0, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 3, 3, 5, 7, 4, gemm_geom(3, 3, 2, 2, 1, 1, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 2, 3, 7, 7, 5, gemm_geom(4, 4, 2, 2, 1, 1, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 1, 2, 6, 5, 3, gemm_geom(3, 2, 2, 1, 1, 0, 0, 0), 0, 0),
        GEMM_CASE(&conv2d_op, 3, 5, 4, 4, 1, gemm_geom(4, 4, 1, 1, 0, 0, 0, 0), 1, 1),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) gemm_case_run(run, cases[i], 1000 + 17 * (i + 3));
    gemm_workspace_guard(run, &conv2d_op, 0);
}
