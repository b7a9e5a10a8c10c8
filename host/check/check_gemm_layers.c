/* check_gemm_layers.c — host references (double) and device checks for the
 * GEMM-based layers: dense, conv2d, conv_transpose2d (forward, backward,
 * finite differences), plus a CLBlast GEMM sanity check and the workspace
 * size guard. */
#include "check.h"
#include "nn/conv2d.h"
#include "nn/conv_transpose2d.h"
#include "nn/dense.h"
#include "nn/gemm.h"

#include <stdio.h>
#include <string.h>

enum { OP_DENSE, OP_CONV, OP_CONVT };
static const char *const op_names[] = {"dense", "conv2d", "conv_transpose2d"};

/* One layer shape. dense: x [n,c,h,w] flattened to IN = c*h*w, OUT = oc.
 * conv2d: x [n,c,h,w] -> [n,oc,oh,ow]. conv_transpose2d: x [n,c,h,w] (c = IC) -> [n,oc,oh,ow]. */
typedef struct layer_case {
    int op;
    int n, c, h, w, oc;
    clgan_conv_params p;
    int bias;  /* 0: b = db = NULL */
    int no_dx; /* 1: backward with dx = NULL */
    int oh, ow; /* filled in by case_sizes */
    size_t xs, ws, ys;
} layer_case;

static void case_sizes(layer_case *c)
{
    const clgan_conv_params *p = &c->p;
    c->xs = (size_t)c->n * c->c * c->h * c->w;
    if (c->op == OP_DENSE) {
        c->oh = c->ow = 1;
        c->ws = (size_t)c->oc * c->c * c->h * c->w;
    } else if (c->op == OP_CONV) {
        c->oh = (c->h + 2 * p->pad_h - p->kh) / p->stride_h + 1;
        c->ow = (c->w + 2 * p->pad_w - p->kw) / p->stride_w + 1;
        c->ws = (size_t)c->oc * c->c * p->kh * p->kw;
    } else {
        c->oh = (c->h - 1) * p->stride_h - 2 * p->pad_h + p->kh + p->out_pad_h;
        c->ow = (c->w - 1) * p->stride_w - 2 * p->pad_w + p->kw + p->out_pad_w;
        c->ws = (size_t)c->c * c->oc * p->kh * p->kw;
    }
    c->ys = (size_t)c->n * c->oc * c->oh * c->ow;
}

/* ---- host reference: forward and backward side by side -------------------- */

/* dense:  y [N,OUT] = x [N,IN] · Wᵀ + b */
static void ref_dense_forward(const layer_case *c, const double *x, const double *W, const double *b, double *y)
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
static void ref_dense_backward(const layer_case *c, const double *x, const double *W, const double *dy, double *dx,
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

/* conv2d: y[n,o,oy,ox] = b[o] + Σ_{ci,kh,kw} W[o,ci,kh,kw] x[n,ci,oy*sh-ph+kh, ox*sw-pw+kw] */
static void ref_conv_forward(const layer_case *c, const double *x, const double *W, const double *b, double *y)
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
static void ref_conv_backward(const layer_case *c, const double *x, const double *W, const double *dy, double *dx,
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

/* conv_transpose2d: y[n,o,h*sh-ph+kh, w*sw-pw+kw] += x[n,i,h,w] W[i,o,kh,kw], plus b[o] */
static void ref_convt_forward(const layer_case *c, const double *x, const double *W, const double *b, double *y)
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
static void ref_convt_backward(const layer_case *c, const double *x, const double *W, const double *dy, double *dx,
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

static void ref_forward(const layer_case *c, const double *x, const double *W, const double *b, double *y)
{
    if (c->op == OP_DENSE) ref_dense_forward(c, x, W, b, y);
    else if (c->op == OP_CONV) ref_conv_forward(c, x, W, b, y);
    else ref_convt_forward(c, x, W, b, y);
}

static void ref_backward(const layer_case *c, const double *x, const double *W, const double *dy, double *dx,
                         double *dW, double *db)
{
    if (c->op == OP_DENSE) ref_dense_backward(c, x, W, dy, dx, dW, db);
    else if (c->op == OP_CONV) ref_conv_backward(c, x, W, dy, dx, dW, db);
    else ref_convt_backward(c, x, W, dy, dx, dW, db);
}

/* Finite differences over the concatenation [x | W | b] -> y. */
static void fd_forward(void *user, const double *in, double *out)
{
    const layer_case *c = user;
    ref_forward(c, in, in + c->xs, in + c->xs + c->ws, out);
}

/* ---- device runs ------------------------------------------------------------- */

static void describe(const layer_case *c, char *buf, size_t cap)
{
    const clgan_conv_params *p = &c->p;
    int k = 0;
    if (c->op == OP_DENSE)
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->%d", c->n, c->c, c->h, c->w, c->oc);
    else if (p->kh == p->kw && p->stride_h == p->stride_w && p->pad_h == p->pad_w && p->out_pad_h == p->out_pad_w)
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->[%d,%d,%d,%d] k%d s%d p%d", c->n, c->c, c->h, c->w, c->n, c->oc, c->oh,
                     c->ow, p->kh, p->stride_h, p->pad_h);
    else
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->[%d,%d,%d,%d] k%dx%d s%dx%d p%dx%d", c->n, c->c, c->h, c->w, c->n,
                     c->oc, c->oh, c->ow, p->kh, p->kw, p->stride_h, p->stride_w, p->pad_h, p->pad_w);
    if (c->op == OP_CONVT && (p->out_pad_h || p->out_pad_w) && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - k, p->out_pad_h == p->out_pad_w ? " op%d" : " op%dx%d", p->out_pad_h,
                      p->out_pad_w);
    if (!c->bias && k > 0 && (size_t)k < cap) k += snprintf(buf + k, cap - k, " nobias");
    if (c->no_dx && k > 0 && (size_t)k < cap) snprintf(buf + k, cap - k, " no-dx");
}

static clgan_status dev_forward(clgan_ctx *ctx, const layer_case *c, const clgan_conv_workspace *ws,
                                const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b, clgan_tensor *y)
{
    if (c->op == OP_DENSE) return clgan_dense_forward(ctx, x, w, b, y);
    if (c->op == OP_CONV) return clgan_conv2d_forward(ctx, &c->p, ws, x, w, b, y);
    return clgan_conv_transpose2d_forward(ctx, &c->p, ws, x, w, b, y);
}

static clgan_status dev_backward(clgan_ctx *ctx, const layer_case *c, const clgan_conv_workspace *ws,
                                 const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                 clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    if (c->op == OP_DENSE) return clgan_dense_backward(ctx, x, w, dy, dx, dw, db);
    if (c->op == OP_CONV) return clgan_conv2d_backward(ctx, &c->p, ws, x, w, dy, dx, dw, db);
    return clgan_conv_transpose2d_backward(ctx, &c->p, ws, x, w, dy, dx, dw, db);
}

static clgan_status workspace_floats(const layer_case *c, size_t *col, size_t *tmp)
{
    *col = *tmp = 0;
    if (c->op == OP_CONV) return clgan_conv2d_workspace_floats(&c->p, c->n, c->c, c->h, c->w, c->oc, col, tmp);
    if (c->op == OP_CONVT)
        return clgan_conv_transpose2d_workspace_floats(&c->p, c->n, c->c, c->h, c->w, c->oc, col, tmp);
    return CLGAN_OK;
}

#define GEMM_TOL 1e-4

static void run_case(check_run *run, layer_case c, uint64_t seed)
{
    case_sizes(&c);
    char d[160], fwd[224], bdx[224], bdw[224], bdb[224], grad[224];
    describe(&c, d, sizeof d);
    const char *op = op_names[c.op];
    snprintf(fwd, sizeof fwd, "gemm_layers.%s.forward %s", op, d);
    snprintf(bdx, sizeof bdx, "gemm_layers.%s.backward.dx %s", op, d);
    snprintf(bdw, sizeof bdw, "gemm_layers.%s.backward.dW %s", op, d);
    snprintf(bdb, sizeof bdb, "gemm_layers.%s.backward.db %s", op, d);
    snprintf(grad, sizeof grad, "gemm_layers.%s.gradcheck %s", op, d);
    int want_dx = !c.no_dx && check_wanted(run, bdx), want_db = c.bias && check_wanted(run, bdb);
    int want_bwd = want_dx || want_db || check_wanted(run, bdw);
    if (!check_wanted(run, fwd) && !want_bwd && !check_wanted(run, grad)) return;

    check_mem mem = {0};
    check_rng rng = {seed};
    size_t nb = (size_t)c.oc, nin = c.xs + c.ws + nb;
    double *in = check_doubles(&mem, nin); /* [x | W | b] */
    double *x = in, *W = in + c.xs, *b = in + c.xs + c.ws;
    double *y = check_doubles(&mem, c.ys), *dy = check_doubles(&mem, c.ys);
    double *dx = check_doubles(&mem, c.xs), *dW = check_doubles(&mem, c.ws), *db = check_doubles(&mem, nb);
    double *dw0 = check_doubles(&mem, c.ws), *db0 = check_doubles(&mem, nb), *dx0 = check_doubles(&mem, c.xs);
    double *want_w = check_doubles(&mem, c.ws), *want_b = check_doubles(&mem, nb);
    float *got = check_floats(&mem, c.ys > c.xs + c.ws ? c.ys : c.xs + c.ws);
    check_fill(&rng, x, c.xs, -1, 1);
    check_fill(&rng, W, c.ws, -0.5, 0.5);
    if (c.bias) check_fill(&rng, b, nb, -0.5, 0.5);
    check_fill(&rng, dy, c.ys, -1, 1);
    check_fill(&rng, dw0, c.ws, -1, 1); /* parameter gradients must accumulate onto these */
    check_fill(&rng, db0, nb, -1, 1);
    check_fill(&rng, dx0, c.xs, 5, 9); /* input gradient must be overwritten */
    ref_forward(&c, x, W, b, y);
    ref_backward(&c, x, W, dy, dx, dW, db);
    for (size_t i = 0; i < c.ws; i++) want_w[i] = dw0[i] + dW[i];
    for (size_t i = 0; i < nb; i++) want_b[i] = db0[i] + db[i];

    if (check_wanted(run, grad)) {
        double t0 = check_now();
        double *analytic = check_doubles(&mem, nin);
        memcpy(analytic, dx, c.xs * sizeof *dx);
        memcpy(analytic + c.xs, dW, c.ws * sizeof *dW);
        memcpy(analytic + c.xs + c.ws, db, nb * sizeof *db);
        size_t n_in = c.bias ? nin : c.xs + c.ws; /* without bias, b is not an input */
        double err = check_fd_error(fd_forward, &c, in, n_in, c.ys, dy, analytic, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_ctx *ctx = run->ctx;
    clgan_tensor tx = {0}, tw = {0}, tb = {0}, ty = {0}, tdy = {0}, tdx = {0}, tdw = {0}, tdb = {0};
    clgan_conv_workspace ws = {0};
    size_t col_floats, tmp_floats;
    int yc = c.oc, yh = c.oh, yw = c.ow;
    double t0 = check_now();
    clgan_status st;
    /* The workspace is a little larger than needed, as a net's shared one would be. */
    if ((st = workspace_floats(&c, &col_floats, &tmp_floats)) != CLGAN_OK ||
        (c.op != OP_DENSE && (st = clgan_conv_workspace_create(ctx, col_floats + 13, tmp_floats + 7, &ws)) != CLGAN_OK) ||
        (st = check_tensor(ctx, c.n, c.c, c.h, c.w, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(ctx, (int)c.ws, 1, 1, 1, W, &tw)) != CLGAN_OK ||
        (c.bias && (st = check_tensor(ctx, c.oc, 1, 1, 1, b, &tb)) != CLGAN_OK) ||
        (st = check_tensor(ctx, c.n, yc, yh, yw, NULL, &ty)) != CLGAN_OK ||
        (st = dev_forward(ctx, &c, &ws, &tx, &tw, c.bias ? &tb : NULL, &ty)) != CLGAN_OK ||
        (st = check_download(ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, c.ys, GEMM_TOL, t0);
    if (!want_bwd) goto done;

    t0 = check_now();
    if ((st = check_tensor(ctx, c.n, yc, yh, yw, dy, &tdy)) != CLGAN_OK ||
        (!c.no_dx && (st = check_tensor(ctx, c.n, c.c, c.h, c.w, dx0, &tdx)) != CLGAN_OK) ||
        (st = check_tensor(ctx, (int)c.ws, 1, 1, 1, dw0, &tdw)) != CLGAN_OK ||
        (c.bias && (st = check_tensor(ctx, c.oc, 1, 1, 1, db0, &tdb)) != CLGAN_OK) ||
        (st = dev_backward(ctx, &c, &ws, &tx, &tw, &tdy, c.no_dx ? NULL : &tdx, &tdw, c.bias ? &tdb : NULL)) !=
            CLGAN_OK) {
        check_report_status(run, bdw, st, t0);
        goto done;
    }
    if (want_dx) {
        if ((st = check_download(ctx, &tdx, got)) != CLGAN_OK) check_report_status(run, bdx, st, t0);
        else check_compare(run, bdx, got, dx, c.xs, GEMM_TOL, t0);
    }
    if (check_wanted(run, bdw)) {
        if ((st = check_download(ctx, &tdw, got)) != CLGAN_OK) check_report_status(run, bdw, st, t0);
        else check_compare(run, bdw, got, want_w, c.ws, GEMM_TOL, t0);
    }
    if (want_db) {
        if ((st = check_download(ctx, &tdb, got)) != CLGAN_OK) check_report_status(run, bdb, st, t0);
        else check_compare(run, bdb, got, want_b, nb, GEMM_TOL, t0);
    }
done:
    clgan_tensor_free(ctx, &tx);
    clgan_tensor_free(ctx, &tw);
    clgan_tensor_free(ctx, &tb);
    clgan_tensor_free(ctx, &ty);
    clgan_tensor_free(ctx, &tdy);
    clgan_tensor_free(ctx, &tdx);
    clgan_tensor_free(ctx, &tdw);
    clgan_tensor_free(ctx, &tdb);
    clgan_conv_workspace_free(ctx, &ws);
    check_mem_free(&mem);
}

/* ---- CLBlast GEMM through clgan_gemm, first of all ------------------------------ */

/* C [2,4] = alpha * op(A) [2,3] · op(B) [3,4] + beta * C, with A and B stored
 * transposed when trans_a / trans_b; beta = 1 on a non-zero C. */
static void check_gemm_sanity(check_run *run, int ta, int tb)
{
    char name[96];
    snprintf(name, sizeof name, "gemm_layers.gemm.sanity [2x3]x[3x4] trans_a=%d trans_b=%d", ta, tb);
    if (!check_wanted(run, name)) return;
    enum { M = 2, N = 4, K = 3 };
    double a[M * K], bm[K * N], c[M * N], want[M * N];
    check_rng rng = {99 + 2 * ta + tb};
    check_fill(&rng, a, M * K, -1, 1);
    check_fill(&rng, bm, K * N, -1, 1);
    check_fill(&rng, c, M * N, -1, 1);
    const double alpha = 0.5, beta = 1.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? bm[j * K + k] : bm[k * N + j]);
            want[i * N + j] = alpha * s + beta * c[i * N + j];
        }
    clgan_tensor ta_ = {0}, tb_ = {0}, tc = {0};
    float got[M * N];
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, M * K, 1, 1, 1, a, &ta_)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, K * N, 1, 1, 1, bm, &tb_)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, M * N, 1, 1, 1, c, &tc)) != CLGAN_OK ||
        (st = clgan_gemm(run->ctx, ta, tb, M, N, K, (float)alpha, ta_.mem, 0, ta ? M : K, tb_.mem, 0, tb ? K : N,
                         (float)beta, tc.mem, 0, N)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tc, got)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got, want, M * N, 1e-5, t0);
    clgan_tensor_free(run->ctx, &ta_);
    clgan_tensor_free(run->ctx, &tb_);
    clgan_tensor_free(run->ctx, &tc);
}

/* forward with a workspace one float short must fail with INVALID_ARG and say so. */
static void check_workspace_guard(check_run *run, int op)
{
    char name[96];
    snprintf(name, sizeof name, "gemm_layers.%s.workspace_too_small", op_names[op]);
    if (!check_wanted(run, name)) return;
    layer_case c = {op, 2, 3, 6, 5, 4, clgan_conv_params_make(3, 2, 1, op == OP_CONVT), 1, 0, 0, 0, 0, 0, 0};
    case_sizes(&c);
    clgan_ctx *ctx = run->ctx;
    clgan_tensor tx = {0}, tw = {0}, tb = {0}, ty = {0};
    clgan_conv_workspace ws = {0};
    size_t col, tmp;
    double t0 = check_now();
    clgan_status st;
    if ((st = workspace_floats(&c, &col, &tmp)) != CLGAN_OK ||
        (st = clgan_conv_workspace_create(ctx, col - 1, tmp, &ws)) != CLGAN_OK ||
        (st = check_tensor(ctx, c.n, c.c, c.h, c.w, NULL, &tx)) != CLGAN_OK ||
        (st = check_tensor(ctx, (int)c.ws, 1, 1, 1, NULL, &tw)) != CLGAN_OK ||
        (st = check_tensor(ctx, c.oc, 1, 1, 1, NULL, &tb)) != CLGAN_OK ||
        (st = check_tensor(ctx, c.n, c.oc, c.oh, c.ow, NULL, &ty)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    st = dev_forward(ctx, &c, &ws, &tx, &tw, &tb, &ty);
    int ok = st == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "workspace too small") != NULL;
    char msg[512] = "";
    if (!ok)
        snprintf(msg, sizeof msg, "expected CLGAN_ERR_INVALID_ARG 'workspace too small', got %s: %s",
                 clgan_status_name(st), st == CLGAN_OK ? "" : clgan_last_error());
    check_report(run, name, ok, 0, check_now() - t0, msg);
done:
    clgan_tensor_free(ctx, &tx);
    clgan_tensor_free(ctx, &tw);
    clgan_tensor_free(ctx, &tb);
    clgan_tensor_free(ctx, &ty);
    clgan_conv_workspace_free(ctx, &ws);
}

static clgan_conv_params geom(int kh, int kw, int sh, int sw, int ph, int pw, int oph, int opw)
{
    clgan_conv_params p = {kh, kw, sh, sw, ph, pw, oph, opw};
    return p;
}

#define LC(op, n, c, h, w, oc, p, bias, no_dx) {op, n, c, h, w, oc, p, bias, no_dx, 0, 0, 0, 0, 0}

void check_gemm_layers(check_run *run)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) check_gemm_sanity(run, ta, tb);

    const clgan_conv_params none = {0};
    const layer_case cases[] = {
        /* dense: x [N,c,h,w] flattened to IN = c*h*w */
        LC(OP_DENSE, 1, 5, 1, 1, 3, none, 1, 0),
        LC(OP_DENSE, 3, 2, 3, 2, 7, none, 1, 0),
        LC(OP_DENSE, 4, 9, 1, 1, 1, none, 0, 1),
        /* conv2d */
        LC(OP_CONV, 1, 1, 5, 5, 1, geom(3, 3, 1, 1, 0, 0, 0, 0), 1, 0),
        LC(OP_CONV, 3, 3, 5, 7, 4, geom(3, 3, 2, 2, 1, 1, 0, 0), 1, 0),
        LC(OP_CONV, 2, 3, 7, 7, 5, geom(4, 4, 2, 2, 1, 1, 0, 0), 1, 0),
        LC(OP_CONV, 1, 2, 6, 5, 3, geom(3, 2, 2, 1, 1, 0, 0, 0), 0, 0),
        LC(OP_CONV, 3, 5, 4, 4, 1, geom(4, 4, 1, 1, 0, 0, 0, 0), 1, 1),
        /* conv_transpose2d */
        LC(OP_CONVT, 1, 3, 1, 1, 5, geom(4, 4, 1, 1, 0, 0, 0, 0), 1, 0),
        LC(OP_CONVT, 3, 4, 7, 7, 3, geom(4, 4, 2, 2, 1, 1, 0, 0), 1, 0),
        LC(OP_CONVT, 3, 3, 5, 7, 2, geom(3, 3, 2, 2, 1, 1, 1, 1), 1, 0),
        LC(OP_CONVT, 1, 2, 3, 4, 3, geom(3, 2, 2, 1, 1, 0, 1, 0), 0, 0),
        LC(OP_CONVT, 2, 1, 4, 3, 1, geom(2, 2, 3, 3, 0, 0, 2, 2), 1, 1),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, cases[i], 1000 + 17 * i);
    check_workspace_guard(run, OP_CONV);
    check_workspace_guard(run, OP_CONVT);
}
