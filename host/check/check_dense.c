/* check_dense.c — the dense layer op (dense.h): its double host reference,
 * forward and backward side by side, and its checks at several shapes
 * through the GEMM-op harness (check_gemm_op.h). */
#include "check_gemm_op.h"

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

static const gemm_op dense_op = {"dense", dense_sizes, ref_dense_forward, ref_dense_backward, NULL};

void check_dense(check_run *run)
{
    const clgan_conv_params none = {0};
    const gemm_case cases[] = {
        /* x [N,c,h,w] flattened to IN = c*h*w */
        GEMM_CASE(&dense_op, 1, 5, 1, 1, 3, none, 1, 0),
        GEMM_CASE(&dense_op, 3, 2, 3, 2, 7, none, 1, 0),
        GEMM_CASE(&dense_op, 4, 9, 1, 1, 1, none, 0, 1),
    };
    gemm_cases_run(run, cases, sizeof cases / sizeof cases[0], 0); /* seeds 1000 + 17 * (0..2) */
}
