/* check_dense.c — the dense layer op (dense.h): its double host reference,
 * forward and backward side by side, and its checks at several shapes
 * through the GEMM-op harness (check_gemm_op.h). */
#include "check_gemm_op.h"
#include "nn/dense.h"

#include <string.h>

static void dense_sizes(gemm_case *c)
{
    c->oh = c->ow = 1;
    c->ws = (size_t)c->oc * c->c * c->h * c->w;
}

/* dense:  y [N,OUT] = x [N,IN] · Wᵀ + b */
static void ref_dense_forward(const gemm_case *c, const double *x, const double *W, const double *b, double *y)
{
    size_t in = (size_t)c->c * c->h * c->w;
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++) {
            double s = c->bias ? b[o] : 0;
            for (size_t i = 0; i < in; i++) s += x[n * in + i] * W[o * in + i];
            y[(size_t)n * c->oc + o] = s;
        }
}

/* dense backward: dW = dyᵀ·x, db = Σ_n dy, dx = dy·W (all written) */
static void ref_dense_backward(const gemm_case *c, const double *x, const double *W, const double *dy, double *dx,
                               double *dW, double *db)
{
    size_t in = (size_t)c->c * c->h * c->w;
    memset(dx, 0, c->xs * sizeof *dx);
    memset(dW, 0, c->ws * sizeof *dW);
    memset(db, 0, (size_t)c->oc * sizeof *db);
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->oc; o++) {
            double g = dy[(size_t)n * c->oc + o];
            db[o] += g;
            for (size_t i = 0; i < in; i++) {
                dW[o * in + i] += g * x[n * in + i];
                dx[n * in + i] += g * W[o * in + i];
            }
        }
}

static clgan_status dense_dev_forward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                      const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                      clgan_tensor *y)
{
    (void)c, (void)ws;
    return clgan_dense_forward(ctx, x, w, b, y);
}

static clgan_status dense_dev_backward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                       const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                       clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    (void)c, (void)ws;
    return clgan_dense_backward(ctx, x, w, dy, dx, dw, db);
}

static const gemm_op dense_op = {"dense", 0, dense_sizes, ref_dense_forward, ref_dense_backward, dense_dev_forward,
                                 dense_dev_backward, NULL};

void check_dense(check_run *run)
{
    const clgan_conv_params none = {0};
    const gemm_case cases[] = {
        /* x [N,c,h,w] flattened to IN = c*h*w */
        GEMM_CASE(&dense_op, 1, 5, 1, 1, 3, none, 1, 0),
        GEMM_CASE(&dense_op, 3, 2, 3, 2, 7, none, 1, 0),
        GEMM_CASE(&dense_op, 4, 9, 1, 1, 1, none, 0, 1),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) gemm_case_run(run, cases[i], 1000 + 17 * i);
}
