/* check_conv_transpose2d.c — the conv_transpose2d op (conv_transpose2d.h):
 * its double host reference, forward and backward side by side, and its
 * checks at several shapes, strides, paddings and output paddings through
 * the GEMM-op harness (check_gemm_op.h), plus the workspace-size guard. */
#include "check_gemm_op.h"
#include "nn/conv_transpose2d.h"

#include <string.h>

static void conv_t_sizes(gemm_case *c)
{
    const clgan_conv_params *p = &c->p;
    c->oh = (c->h - 1) * p->stride_h - 2 * p->pad_h + p->kh + p->out_pad_h;
    c->ow = (c->w - 1) * p->stride_w - 2 * p->pad_w + p->kw + p->out_pad_w;
    c->ws = (size_t)c->c * c->oc * p->kh * p->kw;
}

/* conv_transpose2d: y[n,o,h*sh-ph+kh, w*sw-pw+kw] += x[n,i,h,w] W[i,o,kh,kw], plus b[o] */
static void ref_convt_forward(const gemm_case *c, const double *x, const double *W, const double *b, double *y)
{
    const clgan_conv_params *p = &c->p;
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++)
            for (size_t s = 0; s < (size_t)c->oh * c->ow; s++)
                y[(size_t)(n * c->oc + o) * c->oh * c->ow + s] = c->bias ? b[o] : 0;
    for (int n = 0; n < c->n; n++)
        for (int i = 0; i < c->c; i++)
            for (int iy = 0; iy < c->h; iy++)
                for (int ix = 0; ix < c->w; ix++) {
                    double v = x[((n * c->c + i) * c->h + iy) * c->w + ix];
                    for (int o = 0; o < c->oc; o++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int oy = iy * p->stride_h - p->pad_h + kh, ox = ix * p->stride_w - p->pad_w + kw;
                                if (oy < 0 || oy >= c->oh || ox < 0 || ox >= c->ow) continue;
                                y[((n * c->oc + o) * c->oh + oy) * c->ow + ox] +=
                                    v * W[((i * c->oc + o) * p->kh + kh) * p->kw + kw];
                            }
                }
}

/* conv_transpose2d backward: dx[n,i,h,w] = Σ dy·W, dW[i,o,kh,kw] = Σ x·dy, db[o] = Σ dy */
static void ref_convt_backward(const gemm_case *c, const double *x, const double *W, const double *dy, double *dx,
                               double *dW, double *db)
{
    const clgan_conv_params *p = &c->p;
    memset(dx, 0, c->xs * sizeof *dx);
    memset(dW, 0, c->ws * sizeof *dW);
    memset(db, 0, (size_t)c->oc * sizeof *db);
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++)
            for (size_t s = 0; s < (size_t)c->oh * c->ow; s++) db[o] += dy[(size_t)(n * c->oc + o) * c->oh * c->ow + s];
    for (int n = 0; n < c->n; n++)
        for (int i = 0; i < c->c; i++)
            for (int iy = 0; iy < c->h; iy++)
                for (int ix = 0; ix < c->w; ix++) {
                    size_t xi = ((size_t)(n * c->c + i) * c->h + iy) * c->w + ix;
                    for (int o = 0; o < c->oc; o++)
                        for (int kh = 0; kh < p->kh; kh++)
                            for (int kw = 0; kw < p->kw; kw++) {
                                int oy = iy * p->stride_h - p->pad_h + kh, ox = ix * p->stride_w - p->pad_w + kw;
                                if (oy < 0 || oy >= c->oh || ox < 0 || ox >= c->ow) continue;
                                size_t wi = ((size_t)(i * c->oc + o) * p->kh + kh) * p->kw + kw;
                                double g = dy[((n * c->oc + o) * c->oh + oy) * c->ow + ox];
                                dx[xi] += g * W[wi];
                                dW[wi] += g * x[xi];
                            }
                }
}

static const gemm_op conv_t_op = {"conv_transpose2d", conv_t_sizes, ref_convt_forward, ref_convt_backward,
                                  &clgan_conv_transpose2d_fns};

void check_conv_transpose2d(check_run *run)
{
    const gemm_case cases[] = {
        GEMM_CASE(&conv_t_op, 1, 3, 1, 1, 5, gemm_geom(4, 4, 1, 1, 0, 0, 0, 0), 1, 0),
        GEMM_CASE(&conv_t_op, 3, 4, 7, 7, 3, gemm_geom(4, 4, 2, 2, 1, 1, 0, 0), 1, 0),
        GEMM_CASE(&conv_t_op, 3, 3, 5, 7, 2, gemm_geom(3, 3, 2, 2, 1, 1, 1, 1), 1, 0),
        GEMM_CASE(&conv_t_op, 1, 2, 3, 4, 3, gemm_geom(3, 2, 2, 1, 1, 0, 1, 0), 0, 0),
        GEMM_CASE(&conv_t_op, 2, 1, 4, 3, 1, gemm_geom(2, 2, 3, 3, 0, 0, 2, 2), 1, 1),
    };
    gemm_cases_run(run, cases, sizeof cases / sizeof cases[0], 8); /* seeds 1000 + 17 * (8..12) */
    gemm_workspace_guard(run, &conv_t_op, 1);
}
