/* check_gemm_op.c — the harness the GEMM-based layer ops' checks share
 * (check_gemm_op.h): a case's data, host reference and its finite-difference
 * check, the device runs and comparisons, the workspace-size guard. */
#include "check_gemm_op.h"
#include "nn/dense.h"

#include <stdio.h>
#include <string.h>

clgan_conv_params gemm_geom(int kh, int kw, int sh, int sw, int ph, int pw, int oph, int opw)
{
    clgan_conv_params p = {kh, kw, sh, sw, ph, pw, oph, opw};
    return p;
}

static void gemm_case_sizes(gemm_case *c)
{
    c->xs = (size_t)c->n * c->c * c->h * c->w;
    c->op->sizes(c);
    c->ys = (size_t)c->n * c->oc * c->oh * c->ow;
}

/* Finite differences over the concatenation [x | W | b] -> y. */
static void fd_forward(void *user, const double *in, double *out)
{
    const gemm_case *c = user;
    c->op->ref_forward(c, in, in + c->xs, in + c->xs + c->ws, out);
}

static clgan_status workspace_floats(const gemm_case *c, size_t *col, size_t *tmp)
{
    *col = *tmp = 0;
    return c->op->conv ? c->op->conv->workspace_floats(&c->p, c->n, c->c, c->h, c->w, c->oc, col, tmp) : CLGAN_OK;
}

static clgan_status dev_forward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b, clgan_tensor *y)
{
    return c->op->conv ? c->op->conv->forward(ctx, &c->p, ws, x, w, b, y) : clgan_dense_forward(ctx, x, w, b, y);
}

static clgan_status dev_backward(clgan_ctx *ctx, const gemm_case *c, const clgan_conv_workspace *ws,
                                 const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                 clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db)
{
    if (c->op->conv) return c->op->conv->backward(ctx, &c->p, ws, x, w, dy, dx, dw, db);
    return clgan_dense_backward(ctx, x, w, dy, dx, dw, db);
}

static void describe(const gemm_case *c, char *buf, size_t cap)
{
    const clgan_conv_params *p = &c->p;
    int k = 0;
    if (!c->op->conv)
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->%d", c->n, c->c, c->h, c->w, c->oc);
    else if (p->kh == p->kw && p->stride_h == p->stride_w && p->pad_h == p->pad_w && p->out_pad_h == p->out_pad_w)
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->[%d,%d,%d,%d] k%d s%d p%d", c->n, c->c, c->h, c->w, c->n, c->oc, c->oh,
                     c->ow, p->kh, p->stride_h, p->pad_h);
    else
        k = snprintf(buf, cap, "[%d,%d,%d,%d]->[%d,%d,%d,%d] k%dx%d s%dx%d p%dx%d", c->n, c->c, c->h, c->w, c->n,
                     c->oc, c->oh, c->ow, p->kh, p->kw, p->stride_h, p->stride_w, p->pad_h, p->pad_w);
    if ((p->out_pad_h || p->out_pad_w) && k > 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - k, p->out_pad_h == p->out_pad_w ? " op%d" : " op%dx%d", p->out_pad_h,
                      p->out_pad_w);
    if (!c->bias && k > 0 && (size_t)k < cap) k += snprintf(buf + k, cap - k, " nobias");
    if (c->no_dx && k > 0 && (size_t)k < cap) snprintf(buf + k, cap - k, " no-dx");
}

#define GEMM_TOL 1e-4

void gemm_case_run(check_run *run, gemm_case c, uint64_t seed)
{
    gemm_case_sizes(&c);
    char d[160], fwd[224], bdx[224], bdw[224], bdb[224], grad[224];
    describe(&c, d, sizeof d);
    const char *op = c.op->name;
    snprintf(fwd, sizeof fwd, "%s.forward %s", op, d);
    snprintf(bdx, sizeof bdx, "%s.backward.dx %s", op, d);
    snprintf(bdw, sizeof bdw, "%s.backward.dW %s", op, d);
    snprintf(bdb, sizeof bdb, "%s.backward.db %s", op, d);
    snprintf(grad, sizeof grad, "%s.gradcheck %s", op, d);
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
    c.op->ref_forward(&c, x, W, b, y);
    c.op->ref_backward(&c, x, W, dy, dx, dW, db);
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
        (c.op->conv && (st = clgan_conv_workspace_create(ctx, col_floats + 13, tmp_floats + 7, &ws)) != CLGAN_OK) ||
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

/* forward with a workspace one float short must fail with INVALID_ARG and say so. */
void gemm_cases_run(check_run *run, const gemm_case *cases, size_t n, size_t first)
{
    for (size_t i = 0; i < n; i++) gemm_case_run(run, cases[i], 1000 + 17 * (first + i));
}

void gemm_workspace_guard(check_run *run, const gemm_op *op, int out_pad)
{
    char name[96];
    snprintf(name, sizeof name, "%s.workspace_too_small", op->name);
    if (!check_wanted(run, name)) return;
    gemm_case c = GEMM_CASE(op, 2, 3, 6, 5, 4, clgan_conv_params_make(3, 2, 1, out_pad), 1, 0);
    gemm_case_sizes(&c);
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

