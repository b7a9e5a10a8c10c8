/* check_pooling.c — host reference and device checks for max and average
 * pooling (forward, argmax, backward, finite differences). */
#include "check.h"
#include "nn/pooling.h"

#include <stdio.h>

typedef struct pool_shape { int n, c, h, w, k, s; } pool_shape;

static int out_h(const pool_shape *p) { return (p->h - p->k) / p->s + 1; }
static int out_w(const pool_shape *p) { return (p->w - p->k) / p->s + 1; }

/* Reference max forward: x [N,C,H,W] -> y, argmax [N,C,OH,OW] (first maximum, index ih*W+iw). */
static void ref_max_forward(const pool_shape *p, const double *x, double *y, int *argmax)
{
    int OH = out_h(p), OW = out_w(p);
    for (int pl = 0; pl < p->n * p->c; pl++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                const double *xp = x + (size_t)pl * p->h * p->w;
                int best = oh * p->s * p->w + ow * p->s;
                for (int kh = 0; kh < p->k; kh++)
                    for (int kw = 0; kw < p->k; kw++) {
                        int at = (oh * p->s + kh) * p->w + ow * p->s + kw;
                        if (xp[at] > xp[best]) best = at;
                    }
                size_t o = ((size_t)pl * OH + oh) * OW + ow;
                y[o] = xp[best];
                if (argmax) argmax[o] = best;
            }
}

/* Reference max backward (scatter form, unlike the device's gather): dx[argmax] += dy. */
static void ref_max_backward(const pool_shape *p, const int *argmax, const double *dy, double *dx)
{
    int OH = out_h(p), OW = out_w(p);
    for (size_t i = 0; i < (size_t)p->n * p->c * p->h * p->w; i++) dx[i] = 0;
    for (int pl = 0; pl < p->n * p->c; pl++)
        for (int o = 0; o < OH * OW; o++) {
            size_t at = (size_t)pl * OH * OW + o;
            dx[(size_t)pl * p->h * p->w + argmax[at]] += dy[at];
        }
}

/* Reference average forward: y = mean of the k x k window. */
static void ref_avg_forward(const pool_shape *p, const double *x, double *y)
{
    int OH = out_h(p), OW = out_w(p);
    for (int pl = 0; pl < p->n * p->c; pl++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++) {
                double s = 0;
                for (int kh = 0; kh < p->k; kh++)
                    for (int kw = 0; kw < p->k; kw++)
                        s += x[((size_t)pl * p->h + oh * p->s + kh) * p->w + ow * p->s + kw];
                y[((size_t)pl * OH + oh) * OW + ow] = s / (p->k * p->k);
            }
}

/* Reference average backward (scatter form): every window element gets dy / (k*k). */
static void ref_avg_backward(const pool_shape *p, const double *dy, double *dx)
{
    int OH = out_h(p), OW = out_w(p);
    for (size_t i = 0; i < (size_t)p->n * p->c * p->h * p->w; i++) dx[i] = 0;
    for (int pl = 0; pl < p->n * p->c; pl++)
        for (int oh = 0; oh < OH; oh++)
            for (int ow = 0; ow < OW; ow++)
                for (int kh = 0; kh < p->k; kh++)
                    for (int kw = 0; kw < p->k; kw++)
                        dx[((size_t)pl * p->h + oh * p->s + kh) * p->w + ow * p->s + kw] +=
                            dy[((size_t)pl * OH + oh) * OW + ow] / (p->k * p->k);
}

typedef struct fd_user { const pool_shape *p; int max; } fd_user;
static void fd_forward(void *user, const double *in, double *out)
{
    fd_user *u = user;
    if (u->max) ref_max_forward(u->p, in, out, NULL);
    else ref_avg_forward(u->p, in, out);
}

static void run_case(check_run *run, const pool_shape *p, int max, uint64_t seed)
{
    const char *op = max ? "maxpool" : "avgpool";
    char fwd[128], arg[128], bwd[128], grad[128];
    snprintf(fwd, sizeof fwd, "pooling.%s.forward [%d,%d,%d,%d] k%d s%d", op, p->n, p->c, p->h, p->w, p->k, p->s);
    snprintf(arg, sizeof arg, "pooling.%s.argmax [%d,%d,%d,%d] k%d s%d", op, p->n, p->c, p->h, p->w, p->k, p->s);
    snprintf(bwd, sizeof bwd, "pooling.%s.backward [%d,%d,%d,%d] k%d s%d", op, p->n, p->c, p->h, p->w, p->k, p->s);
    snprintf(grad, sizeof grad, "pooling.%s.gradcheck [%d,%d,%d,%d] k%d s%d", op, p->n, p->c, p->h, p->w, p->k,
             p->s);
    if (!check_wanted(run, fwd) && !check_wanted(run, arg) && !check_wanted(run, bwd) && !check_wanted(run, grad))
        return;
    int OH = out_h(p), OW = out_w(p);
    size_t nx = (size_t)p->n * p->c * p->h * p->w, ny = (size_t)p->n * p->c * OH * OW;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, nx), *dx = check_doubles(&mem, nx), *y = check_doubles(&mem, ny);
    double *dy = check_doubles(&mem, ny), *argd = check_doubles(&mem, ny);
    float *got = check_floats(&mem, nx > ny ? nx : ny);
    int *am = (int *)check_floats(&mem, ny), *am_got = (int *)check_floats(&mem, ny);
    /* Outputs start as junk uploaded from the host (argmax -1): a missed write shows up as a wrong value
     * (and oclgrind 21.10 flags kernel-written data in buffers that were only zero-filled). */
    double *junk = check_doubles(&mem, nx > ny ? nx : ny);
    int *am_junk = (int *)check_floats(&mem, ny);
    for (size_t i = 0; i < (nx > ny ? nx : ny); i++) junk[i] = 7.0;
    for (size_t i = 0; i < ny; i++) am_junk[i] = -1;
    /* Distinct values (a shuffled ramp with steps of 0.01) so the max is unique and finite differences
     * with step 1e-6 never change which element wins. */
    for (size_t i = 0; i < nx; i++) x[i] = -2.0 + 0.01 * (double)i;
    for (size_t i = nx; i > 1; i--) {
        size_t j = (size_t)(check_next(&rng) % i);
        double t = x[i - 1];
        x[i - 1] = x[j], x[j] = t;
    }
    check_fill(&rng, dy, ny, -1, 1);
    if (max) {
        ref_max_forward(p, x, y, am);
        ref_max_backward(p, am, dy, dx);
        for (size_t i = 0; i < ny; i++) argd[i] = am[i];
    } else {
        ref_avg_forward(p, x, y);
        ref_avg_backward(p, dy, dx);
    }
    if (check_wanted(run, grad)) {
        double t0 = check_now();
        fd_user u = {p, max};
        double err = check_fd_error(fd_forward, &u, x, nx, ny, dy, dx, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_tensor tx = {0}, ty = {0}, tdy = {0}, tdx = {0};
    cl_mem targ = NULL;
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, p->n, p->c, p->h, p->w, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, p->n, p->c, OH, OW, junk, &ty)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, p->n, p->c, OH, OW, dy, &tdy)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, p->n, p->c, p->h, p->w, junk, &tdx)) != CLGAN_OK ||
        (st = clgan_buffer_create(run->ctx, ny * sizeof(cl_int), &targ)) != CLGAN_OK ||
        (st = clgan_buffer_write(run->ctx, targ, 0, ny * sizeof(cl_int), am_junk)) != CLGAN_OK ||
        (st = max ? clgan_maxpool_forward(run->ctx, p->k, p->s, &tx, &ty, targ)
                  : clgan_avgpool_forward(run->ctx, p->k, p->s, &tx, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, ny, 1e-5, t0);
    if (max && check_wanted(run, arg)) {
        t0 = check_now();
        if ((st = clgan_buffer_read(run->ctx, targ, 0, ny * sizeof(cl_int), am_got)) != CLGAN_OK) {
            check_report_status(run, arg, st, t0);
            goto done;
        }
        for (size_t i = 0; i < ny; i++) got[i] = (float)am_got[i];
        check_compare(run, arg, got, argd, ny, 0.0, t0);
    }
    t0 = check_now();
    if ((st = max ? clgan_maxpool_backward(run->ctx, p->k, p->s, &tdy, targ, &tdx)
                  : clgan_avgpool_backward(run->ctx, p->k, p->s, &tdy, &tdx)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dx, nx, 1e-5, t0);
done:
    clgan_buffer_release(run->ctx, targ);
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &ty);
    clgan_tensor_free(run->ctx, &tdy);
    clgan_tensor_free(run->ctx, &tdx);
    check_mem_free(&mem);
}

/* Shape validation: a window larger than the input, a wrong output shape and a short argmax
 * buffer are refused with CLGAN_ERR_INVALID_ARG. */
static void check_invalid(check_run *run)
{
    const char *name = "pooling.invalid_args";
    if (!check_wanted(run, name)) return;
    clgan_tensor x = {0}, y = {0}, ybad = {0};
    cl_mem am = NULL;
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, 1, 2, 4, 4, NULL, &x)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 2, 2, 2, NULL, &y)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 2, 3, 2, NULL, &ybad)) != CLGAN_OK ||
        (st = clgan_buffer_create(run->ctx, 4 * sizeof(cl_int), &am)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call cases[] = {
        {"avgpool: window 5 over 4x4", clgan_avgpool_forward(run->ctx, 5, 1, &x, &y)},
        {"avgpool: output 3x2, want 2x2", clgan_avgpool_forward(run->ctx, 2, 2, &x, &ybad)},
        {"maxpool: argmax holds 4 of 8", clgan_maxpool_forward(run->ctx, 2, 2, &x, &y, am)},
        {"maxpool backward: stride 0", clgan_maxpool_backward(run->ctx, 2, 0, &y, am, &x)},
    };
    check_report_refused(run, name, cases, sizeof cases / sizeof cases[0], t0);
done:
    clgan_buffer_release(run->ctx, am);
    clgan_tensor_free(run->ctx, &x);
    clgan_tensor_free(run->ctx, &y);
    clgan_tensor_free(run->ctx, &ybad);
}

void check_pooling(check_run *run)
{
    const pool_shape shapes[] = {
        {2, 3, 6, 6, 2, 2}, /* the usual 2x2 stride 2 */
        {1, 2, 7, 9, 3, 2}, /* overlapping windows, odd non-square input */
        {2, 2, 5, 6, 3, 1}, /* stride 1, heavy overlap */
        {3, 4, 4, 4, 4, 1}, /* global: k = H = W */
        {1, 1, 5, 7, 2, 2}, /* odd sizes: the last row and column are left out */
        {2, 1, 3, 8, 3, 3}, /* k = s, k = H, non-square */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        run_case(run, &shapes[i], 1, 101 + i);
        run_case(run, &shapes[i], 0, 201 + i);
    }
    check_invalid(run);
}
