/* check_mbstd.c — host reference and device checks for the minibatch
 * standard-deviation layer (forward, backward, finite differences, and
 * rejection of bad arguments). */
#include "check.h"
#include "nn/mbstd.h"

#include <stdio.h>

typedef struct mb_shape { int n, c, h, w; } mb_shape;

/* Reference forward. x [N,C,HW] -> y [N,C+1,HW]; also returns per-position mean/std
 * (P = C*HW each) when they are not NULL. */
static double ref_mbstd_stats(const mb_shape *s, const double *x, double *mean, double *std)
{
    int N = s->n, P = s->c * s->h * s->w;
    double total = 0;
    for (int p = 0; p < P; p++) {
        double m = 0, v = 0;
        for (int n = 0; n < N; n++) m += x[(size_t)n * P + p];
        m /= N;
        for (int n = 0; n < N; n++) v += (x[(size_t)n * P + p] - m) * (x[(size_t)n * P + p] - m);
        double sd = sqrt(v / N + (double)CLGAN_MBSTD_EPS);
        if (mean) mean[p] = m;
        if (std) std[p] = sd;
        total += sd;
    }
    return total / P;
}

static void ref_mbstd_forward(const mb_shape *s, const double *x, double *y)
{
    int N = s->n, C = s->c, HW = s->h * s->w;
    double sv = ref_mbstd_stats(s, x, NULL, NULL);
    for (int n = 0; n < N; n++)
        for (int c = 0; c <= C; c++)
            for (int j = 0; j < HW; j++)
                y[((size_t)n * (C + 1) + c) * HW + j] = c < C ? x[((size_t)n * C + c) * HW + j] : sv;
}

/* Reference backward. x, dx [N,C,HW], dy [N,C+1,HW]; mean, std scratch [P] each:
 * dx = dy[:, :C] + g * (x - mean) / (N * std * P), g = sum_{n,j} dy[n,C,j]. */
static void ref_mbstd_backward(const mb_shape *s, const double *x, const double *dy, double *mean, double *std,
                               double *dx)
{
    int N = s->n, C = s->c, HW = s->h * s->w, P = C * HW;
    ref_mbstd_stats(s, x, mean, std);
    double g = 0;
    for (int n = 0; n < N; n++)
        for (int j = 0; j < HW; j++) g += dy[((size_t)n * (C + 1) + C) * HW + j];
    for (int n = 0; n < N; n++)
        for (int p = 0; p < P; p++) {
            int c = p / HW, j = p % HW;
            dx[(size_t)n * P + p] = dy[((size_t)n * (C + 1) + c) * HW + j] +
                                    g * (x[(size_t)n * P + p] - mean[p]) / ((double)N * std[p] * P);
        }
}

static void fd_forward(void *user, const double *in, double *out) { ref_mbstd_forward(user, in, out); }

/* x with a clearly non-zero batch spread (std >= 0.3) at every position when N > 1,
 * so 1/std stays moderate and finite differences are meaningful. */
static void fill_x(check_rng *rng, const mb_shape *s, double *x)
{
    int N = s->n, P = s->c * s->h * s->w;
    check_fill(rng, x, (size_t)N * P, -2, 2);
    if (N < 2) return;
    for (int p = 0; p < P; p++) {
        for (int tries = 0;; tries++) {
            double m = 0, v = 0;
            for (int n = 0; n < N; n++) m += x[(size_t)n * P + p];
            m /= N;
            for (int n = 0; n < N; n++) v += (x[(size_t)n * P + p] - m) * (x[(size_t)n * P + p] - m);
            if (sqrt(v / N) >= 0.3) break;
            for (int n = 0; n < N; n++)
                x[(size_t)n * P + p] = tries < 100 ? check_uniform(rng, -2, 2) : (double)n;
        }
    }
}

static void run_case(check_run *run, const mb_shape *s, uint64_t seed)
{
    char tag[48], fwd[96], bwd[96], grad[96];
    snprintf(tag, sizeof tag, "[%d,%d,%d,%d]", s->n, s->c, s->h, s->w);
    snprintf(fwd, sizeof fwd, "mbstd.forward %s", tag);
    snprintf(bwd, sizeof bwd, "mbstd.backward dx %s", tag);
    snprintf(grad, sizeof grad, "mbstd.gradcheck x %s", tag);
    if (!check_wanted(run, fwd) && !check_wanted(run, bwd) && !check_wanted(run, grad)) return;

    int N = s->n, C = s->c, HW = s->h * s->w, P = C * HW;
    size_t nx = (size_t)N * P, ny = (size_t)N * (C + 1) * HW;
    size_t nscr = clgan_mbstd_scratch_floats(s->n, s->c, s->h, s->w);
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, nx), *y = check_doubles(&mem, ny);
    double *dy = check_doubles(&mem, ny), *dx = check_doubles(&mem, nx);
    double *mean = check_doubles(&mem, P), *std = check_doubles(&mem, P);
    double *junk = check_doubles(&mem, ny > nscr ? ny : nscr);
    float *got = check_floats(&mem, ny);
    fill_x(&rng, s, x);
    /* dy: [-1,1] on the copied channels; the s channel positive so g is large and the
     * gradient through s weighs as much as the copy path. */
    for (int n = 0; n < N; n++)
        for (int c = 0; c <= C; c++)
            for (int j = 0; j < HW; j++)
                dy[((size_t)n * (C + 1) + c) * HW + j] = c < C ? check_uniform(&rng, -1, 1) : check_uniform(&rng, 0.25, 1.25);
    /* Outputs and scratch start as garbage: the ops must write every element. */
    for (size_t i = 0; i < (ny > nscr ? ny : nscr); i++) junk[i] = -7.5;
    ref_mbstd_forward(s, x, y);
    ref_mbstd_backward(s, x, dy, mean, std, dx);

    if (check_wanted(run, grad)) {
        double t0 = check_now();
        double err = check_fd_error(fd_forward, (void *)s, x, nx, ny, dy, dx, 1e-5);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_tensor tx = {0}, ty = {0}, tdy = {0}, tdx = {0}, tscr = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, N, C, s->h, s->w, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C + 1, s->h, s->w, junk, &ty)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C + 1, s->h, s->w, dy, &tdy)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C, s->h, s->w, junk, &tdx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 1, 1, (int)nscr, junk, &tscr)) != CLGAN_OK ||
        (st = clgan_mbstd_forward(run->ctx, &tx, &tscr, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, ny, 1e-5, t0);
    t0 = check_now();
    /* Backward must not rely on what forward left in scratch. */
    if ((st = check_upload(run->ctx, &tscr, junk)) != CLGAN_OK ||
        (st = clgan_mbstd_backward(run->ctx, &tx, &tdy, &tscr, &tdx)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dx, nx, 1e-5, t0);
done:
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &ty);
    clgan_tensor_free(run->ctx, &tdy);
    clgan_tensor_free(run->ctx, &tdx);
    clgan_tensor_free(run->ctx, &tscr);
    check_mem_free(&mem);
}

/* Bad shapes, a too-small scratch and aliased buffers give CLGAN_ERR_INVALID_ARG; a good call gives OK. */
static void check_invalid(check_run *run)
{
    const char *name = "mbstd.invalid_args";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_ctx *ctx = run->ctx;
    clgan_tensor x = {0}, y = {0}, ybad = {0}, dx = {0}, dxbad = {0}, scr = {0}, small = {0};
    clgan_status st;
    char msg[256] = "";
    int ok = 1;
    if ((st = check_tensor(ctx, 2, 3, 2, 2, NULL, &x)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 4, 2, 2, NULL, &y)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 3, 2, 2, NULL, &ybad)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 3, 2, 2, NULL, &dx)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 3, 1, 4, NULL, &dxbad)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, (int)clgan_mbstd_scratch_floats(2, 3, 2, 2), NULL, &scr)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, 24, NULL, &small)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call bad[] = {
        {"forward: y with C channels", clgan_mbstd_forward(ctx, &x, &scr, &ybad)},
        {"forward: scratch of 2*C*H*W floats", clgan_mbstd_forward(ctx, &x, &small, &y)},
        {"forward: scratch aliasing x", clgan_mbstd_forward(ctx, &x, &x, &y)},
        {"forward: NULL y", clgan_mbstd_forward(ctx, &x, &scr, NULL)},
        {"backward: dy with C channels", clgan_mbstd_backward(ctx, &x, &ybad, &scr, &dx)},
        {"backward: dx [2,3,1,4]", clgan_mbstd_backward(ctx, &x, &y, &scr, &dxbad)},
        {"backward: dx aliasing x", clgan_mbstd_backward(ctx, &x, &y, &scr, &x)},
        {"backward: scratch too small", clgan_mbstd_backward(ctx, &x, &y, &small, &dx)},
    };
    ok = check_refused(bad, sizeof bad / sizeof bad[0], msg, sizeof msg);
    if (ok && (st = clgan_mbstd_forward(ctx, &x, &scr, &y)) != CLGAN_OK) {
        ok = 0;
        snprintf(msg, sizeof msg, "a valid forward failed: %s", clgan_last_error());
    }
    if (ok && (st = clgan_mbstd_backward(ctx, &x, &y, &scr, &dx)) != CLGAN_OK) {
        ok = 0;
        snprintf(msg, sizeof msg, "a valid backward failed: %s", clgan_last_error());
    }
    if (ok && clgan_mbstd_scratch_floats(2, 3, 4, 5) != 121) {
        ok = 0;
        snprintf(msg, sizeof msg, "clgan_mbstd_scratch_floats(2,3,4,5) = %zu, want 121",
                 clgan_mbstd_scratch_floats(2, 3, 4, 5));
    }
    if (ok) clgan_ctx_finish(ctx);
    check_report(run, name, ok, 0, check_now() - t0, msg);
done:
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &y);
    clgan_tensor_free(ctx, &ybad);
    clgan_tensor_free(ctx, &dx);
    clgan_tensor_free(ctx, &dxbad);
    clgan_tensor_free(ctx, &scr);
    clgan_tensor_free(ctx, &small);
}

void check_mbstd(check_run *run)
{
    const mb_shape shapes[] = {
        {2, 3, 4, 5},  /* the basic case */
        {4, 1, 1, 1},  /* dense activation [N,F,1,1] */
        {1, 2, 3, 3},  /* N = 1: std = sqrt(eps), no gradient through s */
        {5, 2, 1, 7},  /* odd sizes, non-square */
        {3, 5, 10, 9}, /* both reductions stride past 256 work-items (P = 450, N*HW = 270) */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_case(run, &shapes[i], 101 + i);
    check_invalid(run);
}
