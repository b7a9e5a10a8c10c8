/* check_grid_loss.c — host reference and device checks for the grid
 * detector's loss (nn/grid_loss.h): per-cell losses, dx, finite differences
 * of the reference, a hand-computed case, and refused arguments. */
#include "check.h"
#include "nn/grid_loss.h"
#include "nn/loss.h"

#include <stdio.h>

typedef struct grid_case { int n, k, g; double scale; } grid_case;

/* ---- host reference (double) ------------------------------------------- */

static double sig(double v) { return 1 / (1 + exp(-v)); }
static double huber(double e, double beta) { return fabs(e) < beta ? 0.5 * e * e / beta : fabs(e) - 0.5 * beta; }
static double huber_grad(double e, double beta) { return fabs(e) < beta ? e / beta : (e > 0 ? 1 : -1); }

/* x [N,5+K,G,G], t [N,6,G,G] -> loss [N*G*G]; dx (when not NULL) [N,5+K,G,G] = scale d(sum loss / N)/dx */
static void ref_grid_loss(const grid_case *c, const clgan_grid_loss_weights *wt, const double *x, const double *t,
                          double *loss, double *dx)
{
    int K = c->k, GG = c->g * c->g;
    double beta = CLGAN_GRID_HUBER_BETA, k = c->scale / c->n;
    for (int n = 0; n < c->n; n++)
        for (int cell = 0; cell < GG; cell++) {
            const double *xc = x + (size_t)n * (5 + K) * GG + cell, *tc = t + (size_t)n * 6 * GG + cell;
            double *dc = dx ? dx + (size_t)n * (5 + K) * GG + cell : NULL;
            int pos = tc[0] > 0.5;
            double o = xc[0], w0 = pos ? 1 : wt->noobj;
            double l = w0 * (fmax(o, 0) - o * tc[0] + log1p(exp(-fabs(o))));
            if (dc) dc[0] = k * w0 * (sig(o) - tc[0]);
            for (int j = 1; j <= 4; j++) {
                double s = sig(xc[j * GG]), e = s - tc[j * GG];
                if (pos) l += wt->box * huber(e, beta);
                if (dc) dc[j * GG] = pos ? k * wt->box * huber_grad(e, beta) * s * (1 - s) : 0;
            }
            double m = xc[5 * GG], sum = 0;
            for (int z = 1; z < K; z++) m = fmax(m, xc[(5 + z) * GG]);
            for (int z = 0; z < K; z++) sum += exp(xc[(5 + z) * GG] - m);
            int label = (int)(tc[5 * GG] + 0.5);
            if (pos) l += m + log(sum) - xc[(5 + label) * GG];
            for (int z = 0; z < K && dc; z++)
                dc[(5 + z) * GG] = pos ? k * (exp(xc[(5 + z) * GG] - m) / sum - (z == label)) : 0;
            loss[(size_t)n * GG + cell] = l;
        }
}

typedef struct fd_grid { const grid_case *c; const clgan_grid_loss_weights *wt; const double *t; double *tmp; } fd_grid;

/* The mean loss (sum / N) as a function of x: what backward differentiates. */
static void fd_mean_loss(void *user, const double *x, double *out)
{
    fd_grid *u = user;
    size_t cells = (size_t)u->c->n * u->c->g * u->c->g;
    ref_grid_loss(u->c, u->wt, x, u->t, u->tmp, NULL);
    double s = 0;
    for (size_t i = 0; i < cells; i++) s += u->tmp[i];
    out[0] = s / u->c->n;
}

/* Targets as clgan_grid_targets writes them: about a third of the cells hold
 * an object, with offsets and sizes away from the Huber kink's neighbourhood
 * of the sigmoid's reach. */
static void fill_targets(check_rng *rng, const grid_case *c, double *t)
{
    int GG = c->g * c->g;
    for (int n = 0; n < c->n; n++)
        for (int cell = 0; cell < GG; cell++) {
            double *tc = t + (size_t)n * 6 * GG + cell;
            int pos = check_next(rng) % 3 == 0 || (n == 0 && cell == 0); /* at least one positive cell */
            tc[0] = pos;
            for (int j = 1; j <= 5; j++) tc[j * GG] = 0;
            if (!pos) continue;
            tc[GG] = check_uniform(rng, 0, 0.999);
            tc[2 * GG] = check_uniform(rng, 0, 0.999);
            tc[3 * GG] = check_uniform(rng, 0.05, 0.9);
            tc[4 * GG] = check_uniform(rng, 0.05, 0.9);
            tc[5 * GG] = (double)(check_next(rng) % (uint64_t)c->k);
        }
}

/* ---- device ---------------------------------------------------------------- */

static void run_case(check_run *run, const grid_case *c, uint64_t seed)
{
    char shape[64], fwd[96], mean_name[96], bwd[96], grad[96];
    snprintf(shape, sizeof shape, "N%d K%d G%d scale %g", c->n, c->k, c->g, c->scale);
    snprintf(fwd, sizeof fwd, "grid_loss.forward %s", shape);
    snprintf(mean_name, sizeof mean_name, "grid_loss.mean %s", shape);
    snprintf(bwd, sizeof bwd, "grid_loss.backward %s", shape);
    snprintf(grad, sizeof grad, "grid_loss.gradcheck %s", shape);
    if (!check_wanted(run, fwd) && !check_wanted(run, mean_name) && !check_wanted(run, bwd) &&
        !check_wanted(run, grad))
        return;
    int GG = c->g * c->g;
    size_t nx = (size_t)c->n * (5 + c->k) * GG, nt = (size_t)c->n * 6 * GG, cells = (size_t)c->n * GG;
    clgan_grid_loss_weights wt = clgan_grid_loss_default_weights();
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, nx), *t = check_doubles(&mem, nt), *dx = check_doubles(&mem, nx);
    double *loss = check_doubles(&mem, cells), *tmp = check_doubles(&mem, cells), *junk = check_doubles(&mem, nx);
    float *got = check_floats(&mem, nx);
    check_fill(&rng, x, nx, -3, 3);
    fill_targets(&rng, c, t);
    for (size_t i = 0; i < nx; i++) junk[i] = -7.5;
    ref_grid_loss(c, &wt, x, t, loss, dx);
    double want_mean = 0;
    for (size_t i = 0; i < cells; i++) want_mean += loss[i];
    want_mean /= c->n;

    if (check_wanted(run, grad)) {
        double t0 = check_now(), r1 = c->scale;
        fd_grid u = {c, &wt, t, tmp};
        double err = check_fd_error(fd_mean_loss, &u, x, nx, 1, &r1, dx, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_tensor tx = {0}, tt = {0}, tl = {0}, tdx = {0};
    clgan_status st;
    double t0 = check_now();
    if ((st = check_tensor(run->ctx, c->n, 5 + c->k, c->g, c->g, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->n, 6, c->g, c->g, t, &tt)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->n, 1, c->g, c->g, junk, &tl)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->n, 5 + c->k, c->g, c->g, junk, &tdx)) != CLGAN_OK ||
        (st = clgan_grid_loss_forward(run->ctx, &wt, &tx, &tt, &tl)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tl, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, loss, cells, 1e-5, t0);
    t0 = check_now();
    double sum = 0;
    if ((st = clgan_loss_sum(run->ctx, &tl, &sum)) != CLGAN_OK) {
        check_report_status(run, mean_name, st, t0);
        goto done;
    }
    if (check_wanted(run, mean_name)) {
        float g1 = (float)(sum / c->n);
        check_compare(run, mean_name, &g1, &want_mean, 1, 1e-5, t0);
    }
    t0 = check_now();
    if ((st = clgan_grid_loss_backward(run->ctx, &wt, (float)c->scale, &tx, &tt, &tdx)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dx, nx, 1e-5, t0); /* dx is O(scale / N) */
done:
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &tt);
    clgan_tensor_free(run->ctx, &tl);
    clgan_tensor_free(run->ctx, &tdx);
    check_mem_free(&mem);
}

/* N = 1, K = 2, G = 2, every logit 0. Cell 0 holds an object of class 1 at
 * offsets (0.5, 0.5), size 0.5 x 0.5: sigmoid(0) = 0.5 matches the box
 * exactly, so its loss is BCE(0, 1) + CE([0,0], 1) = 2 ln 2 and its box
 * gradients are 0; d/do = 0.5 - 1, d/dz = (0.5, -0.5). The three empty cells:
 * noobj * BCE(0, 0) = 0.5 ln 2 each, d/do = 0.5 * 0.5. */
static void check_hand(check_run *run)
{
    const char *name = "grid_loss.hand N1 K2 G2";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    const double L2 = log(2.0);
    double x[7 * 4] = {0}, t[6 * 4] = {0};
    t[0] = 1, t[4] = 0.5, t[8] = 0.5, t[12] = 0.5, t[16] = 0.5, t[20] = 1;
    const double want_loss[4] = {2 * L2, 0.5 * L2, 0.5 * L2, 0.5 * L2};
    double want_dx[7 * 4] = {0};
    want_dx[0] = -0.5, want_dx[1] = want_dx[2] = want_dx[3] = 0.25;
    want_dx[20] = 0.5, want_dx[24] = -0.5;
    double want_all[4 + 28];
    float got_all[4 + 28];
    for (int i = 0; i < 4; i++) want_all[i] = want_loss[i];
    for (int i = 0; i < 28; i++) want_all[4 + i] = want_dx[i];
    clgan_grid_loss_weights wt = clgan_grid_loss_default_weights();
    clgan_tensor tx = {0}, tt = {0}, tl = {0}, tdx = {0};
    clgan_status st;
    if ((st = check_tensor(run->ctx, 1, 7, 2, 2, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 6, 2, 2, t, &tt)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 1, 2, 2, NULL, &tl)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 1, 7, 2, 2, NULL, &tdx)) != CLGAN_OK ||
        (st = clgan_grid_loss_forward(run->ctx, &wt, &tx, &tt, &tl)) != CLGAN_OK ||
        (st = clgan_grid_loss_backward(run->ctx, &wt, 1.0f, &tx, &tt, &tdx)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tl, got_all)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got_all + 4)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got_all, want_all, 4 + 28, 1e-6, t0);
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &tt);
    clgan_tensor_free(run->ctx, &tl);
    clgan_tensor_free(run->ctx, &tdx);
}

/* Wrong shapes, aliasing, bad weights and NULLs give CLGAN_ERR_INVALID_ARG. */
static void check_invalid(check_run *run)
{
    const char *name = "grid_loss.invalid_args";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_ctx *ctx = run->ctx;
    clgan_tensor x = {0}, t = {0}, loss = {0}, x5 = {0}, xrect = {0}, t5 = {0}, t_n1 = {0}, loss_big = {0};
    clgan_grid_loss_weights wt = clgan_grid_loss_default_weights(), neg = {.noobj = -1, .box = 5};
    clgan_status st;
    if ((st = check_tensor(ctx, 2, 8, 3, 3, NULL, &x)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 6, 3, 3, NULL, &t)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 1, 3, 3, NULL, &loss)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 6, 3, 3, NULL, &t_n1)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 5, 3, 3, NULL, &x5)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 8, 3, 4, NULL, &xrect)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 5, 3, 3, NULL, &t5)) != CLGAN_OK ||
        (st = check_tensor(ctx, 2, 2, 3, 3, NULL, &loss_big)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call bad[] = {
        {"forward: x with 5 channels (K = 0)", clgan_grid_loss_forward(ctx, &wt, &x5, &t, &loss)},
        {"forward: a 3x4 grid", clgan_grid_loss_forward(ctx, &wt, &xrect, &t, &loss)},
        {"forward: t with 5 channels", clgan_grid_loss_forward(ctx, &wt, &x, &t5, &loss)},
        {"forward: t of one image for two", clgan_grid_loss_forward(ctx, &wt, &x, &t_n1, &loss)},
        {"forward: NULL ctx", clgan_grid_loss_forward(NULL, &wt, &x, &t, &loss)},
        {"forward: loss of 2*N*G*G values", clgan_grid_loss_forward(ctx, &wt, &x, &t, &loss_big)},
        {"forward: a negative weight", clgan_grid_loss_forward(ctx, &neg, &x, &t, &loss)},
        {"forward: NULL weights", clgan_grid_loss_forward(ctx, NULL, &x, &t, &loss)},
        {"backward: dx of loss's shape", clgan_grid_loss_backward(ctx, &wt, 1, &x, &t, &loss)},
        {"backward: dx aliasing x", clgan_grid_loss_backward(ctx, &wt, 1, &x, &t, &x)},
        {"backward: NULL dx", clgan_grid_loss_backward(ctx, &wt, 1, &x, &t, NULL)},
    };
    check_report_refused(run, name, bad, sizeof bad / sizeof bad[0], t0);
done:
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &t);
    clgan_tensor_free(ctx, &loss);
    clgan_tensor_free(ctx, &t_n1);
    clgan_tensor_free(ctx, &x5);
    clgan_tensor_free(ctx, &xrect);
    clgan_tensor_free(ctx, &t5);
    clgan_tensor_free(ctx, &loss_big);
}

void check_grid_loss(check_run *run)
{
    const grid_case cases[] = {
        {2, 3, 4, 1.0}, /* the basic case */
        {1, 1, 2, 1.0}, /* one class: CE is 0 */
        {3, 10, 8, 0.5}, /* MNIST scenes' shape, scaled */
        {2, 2, 5, 2.0}, /* odd grid */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 401 + i);
    check_hand(run);
    check_invalid(run);
}
