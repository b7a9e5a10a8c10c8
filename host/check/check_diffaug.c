/* check_diffaug.c — host reference and device checks for DiffAugment
 * (diffaug.h): forward and backward against a reference that uses the
 * device's own draws, the reference backward against finite differences,
 * the device backward against finite differences of the device forward
 * (along random directions: the map is affine in x for fixed draws, so a
 * difference of any size is exact up to rounding), a batch split into two
 * shards (first_sample offsets) against the whole batch, and the refusal of
 * bad arguments. */
#include "check.h"
#include "nn/diffaug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct da_case {
    int n, c, h, w;
    unsigned policy;
} da_case;

/* ---- the host reference -------------------------------------------------- */

/* min(floor(u * n), n - 1), the product in float as the kernel computes it. */
static int draw_int(float u, int n)
{
    int k = (int)(u * (float)n);
    return k < n - 1 ? k : n - 1;
}

/* Sample geometry from its draws u[8]: translation (dh, dw), cutout rows [top, top + ch), columns
 * [left, left + cw); colour b, s, k (0, 1, 1 without colour). */
typedef struct da_params {
    int dh, dw, top, left, ch, cw;
    double b, s, k;
} da_params;

static da_params params_of(unsigned policy, int H, int W, const float *u)
{
    da_params p = {0, 0, 0, 0, 0, 0, 0.0, 1.0, 1.0};
    if (policy & CLGAN_DIFFAUG_COLOR) p.b = u[0] - 0.5f, p.s = 2.0f * u[1], p.k = u[2] + 0.5f;
    if (policy & CLGAN_DIFFAUG_TRANSLATION) {
        int sh = (H + 4) / 8, sw = (W + 4) / 8;
        p.dh = draw_int(u[3], 2 * sh + 1) - sh;
        p.dw = draw_int(u[4], 2 * sw + 1) - sw;
    }
    if (policy & CLGAN_DIFFAUG_CUTOUT) {
        p.ch = (H + 1) / 2, p.cw = (W + 1) / 2;
        p.top = draw_int(u[5], H + 1 - p.ch % 2) - p.ch / 2;
        p.left = draw_int(u[6], W + 1 - p.cw % 2) - p.cw / 2;
    }
    return p;
}

/* Output pixel (h, w) keeps a value: its source is inside and it is outside the cutout block. */
static int kept(const da_params *p, int H, int W, int h, int w)
{
    int hs = h + p->dh, ws = w + p->dw;
    if (hs < 0 || hs >= H || ws < 0 || ws >= W) return 0;
    return !(h >= p->top && h < p->top + p->ch && w >= p->left && w < p->left + p->cw);
}

typedef struct da_ref {
    const da_case *s;
    const float *u; /* the draws [N,8] */
} da_ref;

/* Forward. x, y [N,C,H,W]: y = kept ? k (s (v - mp) + mp - M) + M + b : 0, v = x at the source
 * pixel, mp its channel mean, M the sample's mean. */
static void ref_forward(const da_ref *r, const double *x, double *y)
{
    int N = r->s->n, C = r->s->c, H = r->s->h, W = r->s->w, HW = H * W, P = C * HW;
    for (int n = 0; n < N; n++) {
        da_params p = params_of(r->s->policy, H, W, r->u + (size_t)n * CLGAN_DIFFAUG_DRAWS);
        const double *xn = x + (size_t)n * P;
        double M = 0;
        for (int i = 0; i < P; i++) M += xn[i];
        M /= P;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                int keep = kept(&p, H, W, h, w), src = (h + p.dh) * W + (w + p.dw);
                double mp = 0;
                for (int c = 0; keep && c < C; c++) mp += xn[c * HW + src];
                mp /= C;
                for (int c = 0; c < C; c++)
                    y[(size_t)n * P + c * HW + h * W + w] =
                        keep ? p.k * (p.s * (xn[c * HW + src] - mp) + mp - M) + M + p.b : 0.0;
            }
    }
}

/* Backward, the adjoint. dy, dx [N,C,H,W]: g = dy moved back to the source pixels of kept outputs
 * (0 elsewhere), dx = k s (g - gp) + k (gp - G) + G, gp = channel mean of g, G = sample mean of g. */
static void ref_backward(const da_ref *r, const double *dy, double *dx)
{
    int N = r->s->n, C = r->s->c, H = r->s->h, W = r->s->w, HW = H * W, P = C * HW;
    for (int n = 0; n < N; n++) {
        da_params p = params_of(r->s->policy, H, W, r->u + (size_t)n * CLGAN_DIFFAUG_DRAWS);
        double *g = dx + (size_t)n * P, G = 0;
        for (int i = 0; i < P; i++) g[i] = 0;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++)
                if (kept(&p, H, W, h, w))
                    for (int c = 0; c < C; c++) g[c * HW + (h + p.dh) * W + (w + p.dw)] = dy[(size_t)n * P + c * HW + h * W + w];
        for (int i = 0; i < P; i++) G += g[i];
        G /= P;
        for (int j = 0; j < HW; j++) {
            double gp = 0;
            for (int c = 0; c < C; c++) gp += g[c * HW + j];
            gp /= C;
            for (int c = 0; c < C; c++) g[c * HW + j] = p.k * p.s * (g[c * HW + j] - gp) + p.k * (gp - G) + G;
        }
    }
}

static void fd_forward(void *user, const double *in, double *out) { ref_forward(user, in, out); }

/* ---- device runs --------------------------------------------------------- */

/* The device's draws for samples first_sample.. of (seed, stream) into state, then y = forward(x) and
 * dx = backward(dy), all [n, c, h, w] host floats; draws (may be NULL) gets the draws [n,8]. */
static clgan_status device_run(clgan_ctx *ctx, const da_case *s, int64_t first_sample, const float *x,
                               const float *dy, float *y, float *dx, float *draws)
{
    const uint64_t seed = 0xd1ffa4ull, stream = 0x300000007ull;
    clgan_tensor tx = {0}, ty = {0}, tdy = {0}, tdx = {0}, tst = {0};
    size_t count = (size_t)s->n * s->c * s->h * s->w, nst = clgan_diffaug_state_floats(s->n);
    float *junk = malloc((count > nst ? count : nst) * sizeof *junk);
    clgan_status st = junk ? CLGAN_OK : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    /* outputs and state start as garbage: the ops must write every element they read back */
    for (size_t i = 0; junk && i < (count > nst ? count : nst); i++) junk[i] = -7.5f;
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, s->n, s->c, s->h, s->w, &tx);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, s->n, s->c, s->h, s->w, &ty);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, s->n, s->c, s->h, s->w, &tdy);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, s->n, s->c, s->h, s->w, &tdx);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, s->n, CLGAN_DIFFAUG_DRAWS + 1, 1, 1, &tst);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, &tx, x);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, &tdy, dy);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, &ty, junk);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, &tdx, junk);
    if (st == CLGAN_OK) st = clgan_tensor_upload(ctx, &tst, junk);
    if (st == CLGAN_OK) st = clgan_diffaug_draw(ctx, seed, stream, first_sample, s->n, &tst);
    if (st == CLGAN_OK) st = clgan_diffaug_forward(ctx, s->policy, &tx, &tst, &ty);
    if (st == CLGAN_OK) st = clgan_diffaug_backward(ctx, s->policy, &tdy, &tst, &tdx);
    if (st == CLGAN_OK) st = clgan_tensor_download(ctx, &ty, y);
    if (st == CLGAN_OK) st = clgan_tensor_download(ctx, &tdx, dx);
    if (st == CLGAN_OK && draws) {
        if (junk) st = clgan_tensor_download(ctx, &tst, junk);
        if (st == CLGAN_OK) memcpy(draws, junk, (size_t)s->n * CLGAN_DIFFAUG_DRAWS * sizeof *draws);
    }
    clgan_tensor_free(ctx, &tx);
    clgan_tensor_free(ctx, &ty);
    clgan_tensor_free(ctx, &tdy);
    clgan_tensor_free(ctx, &tdx);
    clgan_tensor_free(ctx, &tst);
    free(junk);
    return st;
}

static void policy_text(unsigned policy, char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%s", policy & CLGAN_DIFFAUG_COLOR ? "c" : "", policy & CLGAN_DIFFAUG_TRANSLATION ? "t" : "",
             policy & CLGAN_DIFFAUG_CUTOUT ? "o" : "");
}

static void run_case(check_run *run, const da_case *s, uint64_t seed)
{
    char tag[64], pol[8], fwd[96], bwd[96], grad[96], dgrad[96];
    policy_text(s->policy, pol, sizeof pol);
    snprintf(tag, sizeof tag, "%s [%d,%d,%d,%d]", pol, s->n, s->c, s->h, s->w);
    snprintf(fwd, sizeof fwd, "diffaug.forward %s", tag);
    snprintf(bwd, sizeof bwd, "diffaug.backward dx %s", tag);
    snprintf(grad, sizeof grad, "diffaug.gradcheck x %s", tag);
    snprintf(dgrad, sizeof dgrad, "diffaug.gradcheck device x %s", tag);
    if (!check_wanted(run, fwd) && !check_wanted(run, bwd) && !check_wanted(run, grad) && !check_wanted(run, dgrad))
        return;
    size_t count = (size_t)s->n * s->c * s->h * s->w;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, count), *dy = check_doubles(&mem, count);
    double *y = check_doubles(&mem, count), *dx = check_doubles(&mem, count);
    float *fx = check_floats(&mem, count), *fdy = check_floats(&mem, count), *got_y = check_floats(&mem, count);
    float *got_dx = check_floats(&mem, count), *xp = check_floats(&mem, count), *xm = check_floats(&mem, count);
    float *yp = check_floats(&mem, count), *ym = check_floats(&mem, count), *unused = check_floats(&mem, count);
    float *draws = check_floats(&mem, (size_t)s->n * CLGAN_DIFFAUG_DRAWS);
    /* x in [0.5, 2]: no zeros, so a dropped or misplaced element always shows */
    check_fill(&rng, x, count, 0.5, 2);
    check_fill(&rng, dy, count, -1, 1);
    for (size_t i = 0; i < count; i++) fx[i] = (float)x[i], x[i] = fx[i], fdy[i] = (float)dy[i], dy[i] = fdy[i];
    double t0 = check_now();
    clgan_status st = device_run(run->ctx, s, 0, fx, fdy, got_y, got_dx, draws);
    if (st != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    da_ref ref = {s, draws};
    ref_forward(&ref, x, y);
    ref_backward(&ref, dy, dx);
    if (check_wanted(run, fwd)) {
        size_t moved = 0;
        for (size_t i = 0; i < count; i++) moved += got_y[i] != fx[i];
        if (!moved) check_report(run, fwd, 0, 0, check_now() - t0, "the augmentation left every element as it was");
        else check_compare(run, fwd, got_y, y, count, 1e-5, t0);
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got_dx, dx, count, 1e-5, t0);
    if (check_wanted(run, grad)) {
        t0 = check_now();
        double err = check_fd_error(fd_forward, &ref, x, count, count, dy, dx, 1e-3);
        check_report(run, grad, err <= 1e-7, err, check_now() - t0,
                     err <= 1e-7 ? "" : "host backward disagrees with finite differences");
    }
    if (check_wanted(run, dgrad)) {
        /* L(x) = <y(x), dy> along 3 random directions v: (L(x + v) - L(x - v)) / 2 against <v, dx> */
        t0 = check_now();
        double worst = 0;
        for (int d = 0; d < 3 && st == CLGAN_OK; d++) {
            double fd = 0, an = 0, scale = 0;
            for (size_t i = 0; i < count; i++) {
                float v = (float)check_uniform(&rng, -1, 1);
                xp[i] = fx[i] + v, xm[i] = fx[i] - v;
                an += (double)v * got_dx[i];
            }
            if ((st = device_run(run->ctx, s, 0, xp, fdy, yp, unused, NULL)) != CLGAN_OK ||
                (st = device_run(run->ctx, s, 0, xm, fdy, ym, unused, NULL)) != CLGAN_OK)
                break;
            for (size_t i = 0; i < count; i++) {
                fd += ((double)yp[i] - ym[i]) * dy[i] / 2;
                scale += fabs(((double)yp[i] - ym[i]) * dy[i]) / 2;
            }
            double e = fabs(fd - an) / (scale > 1 ? scale : 1);
            if (e > worst) worst = e;
        }
        if (st != CLGAN_OK) check_report_status(run, dgrad, st, t0);
        else
            check_report(run, dgrad, worst <= 1e-6, worst, check_now() - t0,
                         worst <= 1e-6 ? "" : "device backward disagrees with finite differences of the device forward");
    }
done:
    check_mem_free(&mem);
}

/* A batch as two shards, samples [0, k) from sample 0 and [k, N) from sample k (what two data-
 * parallel ranks draw), gives the whole batch's forward and backward bit for bit. */
static void check_shards(check_run *run)
{
    const da_case whole = {5, 3, 9, 8, CLGAN_DIFFAUG_ALL};
    const int k = 2;
    const char *name = "diffaug.shards [5,3,9,8] as 2 + 3 samples vs the whole batch";
    if (!check_wanted(run, name)) return;
    const da_case part[2] = {{k, 3, 9, 8, CLGAN_DIFFAUG_ALL}, {whole.n - k, 3, 9, 8, CLGAN_DIFFAUG_ALL}};
    size_t per = (size_t)whole.c * whole.h * whole.w, count = whole.n * per;
    check_mem mem = {0};
    check_rng rng = {0x5a4d};
    float *x = check_floats(&mem, count), *dy = check_floats(&mem, count);
    float *y = check_floats(&mem, count), *dx = check_floats(&mem, count);
    float *ys = check_floats(&mem, count), *dxs = check_floats(&mem, count);
    for (size_t i = 0; i < count; i++) x[i] = (float)check_uniform(&rng, -1, 1), dy[i] = (float)check_uniform(&rng, -1, 1);
    double t0 = check_now();
    clgan_status st = device_run(run->ctx, &whole, 0, x, dy, y, dx, NULL);
    if (st == CLGAN_OK) st = device_run(run->ctx, &part[0], 0, x, dy, ys, dxs, NULL);
    if (st == CLGAN_OK)
        st = device_run(run->ctx, &part[1], k, x + k * per, dy + k * per, ys + k * per, dxs + k * per, NULL);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        check_mem_free(&mem);
        return;
    }
    size_t differ_y = 0, differ_dx = 0;
    for (size_t i = 0; i < count; i++) {
        differ_y += memcmp(&y[i], &ys[i], sizeof(float)) != 0;
        differ_dx += memcmp(&dx[i], &dxs[i], sizeof(float)) != 0;
    }
    char msg[128] = "";
    if (differ_y || differ_dx)
        snprintf(msg, sizeof msg, "%zu outputs and %zu input gradients of %zu differ from the whole batch's", differ_y,
                 differ_dx, count);
    check_report(run, name, !differ_y && !differ_dx, (double)(differ_y + differ_dx), check_now() - t0, msg);
    check_mem_free(&mem);
}

/* Bad policies, shapes, aliased buffers and a short state give CLGAN_ERR_INVALID_ARG. */
static void check_invalid(check_run *run)
{
    const char *name = "diffaug.invalid_args";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_ctx *ctx = run->ctx;
    clgan_tensor x = {0}, y = {0}, ybad = {0}, state = {0}, small = {0};
    clgan_status st;
    if ((st = check_tensor(ctx, 2, 3, 4, 4, NULL, &x)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 3, 4, 4, NULL, &y)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 3, 4, 5, NULL, &ybad)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, CLGAN_DIFFAUG_DRAWS + 1, 1, 1, NULL, &state)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, CLGAN_DIFFAUG_DRAWS + 1, 1, 1, NULL, &small)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call bad[] = {
        {"forward: policy bit 8", clgan_diffaug_forward(ctx, 8, &x, &state, &y)},
        {"forward: y [2,3,4,5]", clgan_diffaug_forward(ctx, CLGAN_DIFFAUG_ALL, &x, &state, &ybad)},
        {"forward: y aliasing x", clgan_diffaug_forward(ctx, CLGAN_DIFFAUG_ALL, &x, &state, &x)},
        {"forward: state aliasing y", clgan_diffaug_forward(ctx, CLGAN_DIFFAUG_ALL, &x, &y, &y)},
        {"forward: state of one sample", clgan_diffaug_forward(ctx, CLGAN_DIFFAUG_ALL, &x, &small, &y)},
        {"forward: NULL y", clgan_diffaug_forward(ctx, CLGAN_DIFFAUG_ALL, &x, &state, NULL)},
        {"backward: dx [2,3,4,5]", clgan_diffaug_backward(ctx, CLGAN_DIFFAUG_ALL, &x, &state, &ybad)},
        {"backward: state of one sample", clgan_diffaug_backward(ctx, CLGAN_DIFFAUG_ALL, &x, &small, &y)},
        {"draw: 0 samples", clgan_diffaug_draw(ctx, 1, 2, 0, 0, &state)},
        {"draw: first sample -1", clgan_diffaug_draw(ctx, 1, 2, -1, 2, &state)},
        {"draw: 2 samples into a state of one", clgan_diffaug_draw(ctx, 1, 2, 0, 2, &small)},
    };
    check_report_refused(run, name, bad, sizeof bad / sizeof bad[0], t0);
done:
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &y);
    clgan_tensor_free(ctx, &ybad);
    clgan_tensor_free(ctx, &state);
    clgan_tensor_free(ctx, &small);
}

void check_diffaug(check_run *run)
{
    const da_case cases[] = {
        {3, 3, 8, 8, CLGAN_DIFFAUG_COLOR},
        {3, 3, 8, 8, CLGAN_DIFFAUG_TRANSLATION},
        {3, 3, 8, 8, CLGAN_DIFFAUG_CUTOUT},
        {4, 3, 8, 8, CLGAN_DIFFAUG_ALL},
        {3, 1, 7, 5, CLGAN_DIFFAUG_ALL},                                /* one channel, odd sizes, not square */
        {2, 2, 20, 18, CLGAN_DIFFAUG_COLOR | CLGAN_DIFFAUG_CUTOUT},     /* H*W = 360: the means stride */
        {3, 2, 6, 9, CLGAN_DIFFAUG_TRANSLATION | CLGAN_DIFFAUG_CUTOUT}, /* even and odd cutout sides */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 301 + i);
    check_shards(run);
    check_invalid(run);
}
