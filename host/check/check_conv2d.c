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

static const gemm_op conv2d_op = {"conv2d", conv2d_sizes, ref_conv_forward, ref_conv_backward, &clgan_conv2d_fns};

void check_conv2d(check_run *run)
{
    const gemm_case cases[] = {
        GEMM_CASE(&conv2d_op, 1, 1, 5, 5, 1, gemm_geom(3, 3, 1, 1, 0, 0, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 3, 3, 5, 7, 4, gemm_geom(3, 3, 2, 2, 1, 1, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 2, 3, 7, 7, 5, gemm_geom(4, 4, 2, 2, 1, 1, 0, 0), 1, 0),
        GEMM_CASE(&conv2d_op, 1, 2, 6, 5, 3, gemm_geom(3, 2, 2, 1, 1, 0, 0, 0), 0, 0),
        GEMM_CASE(&conv2d_op, 3, 5, 4, 4, 1, gemm_geom(4, 4, 1, 1, 0, 0, 0, 0), 1, 1),
    };
    gemm_cases_run(run, cases, sizeof cases / sizeof cases[0], 3); /* seeds 1000 + 17 * (3..7) */
    gemm_workspace_guard(run, &conv2d_op, 0);
}
