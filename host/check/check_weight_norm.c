/* check_weight_norm.c — host reference (double) and device checks for weight
 * normalisation (nn/weight_norm.h): the W it makes and the norms, the
 * gradients dv and dg (accumulated onto existing values, with g trained and
 * fixed), and central finite differences of the host reference through a
 * whole weight-normalised dense layer y = x·Wᵀ. */
#include "check.h"
#include "nn/weight_norm.h"

#include <stdio.h>

typedef struct wn_case { int n, out, in; } wn_case;

/* vg [OUT*IN + OUT] -> W [OUT,IN], norm [OUT]. */
static void ref_wn_weights(const wn_case *c, const double *vg, double *W, double *norm)
{
    for (int o = 0; o < c->out; o++) {
        const double *v = vg + (size_t)o * c->in;
        double ss = CLGAN_WN_EPS;
        for (int i = 0; i < c->in; i++) ss += v[i] * v[i];
        norm[o] = sqrt(ss);
        for (int i = 0; i < c->in; i++) W[(size_t)o * c->in + i] = vg[(size_t)c->out * c->in + o] * v[i] / norm[o];
    }
}

/* dW [OUT,IN] -> dvg [OUT*IN + OUT] += (dv, dg when train_g). */
static void ref_wn_grad(const wn_case *c, int train_g, const double *vg, const double *dW, double *dvg)
{
    for (int o = 0; o < c->out; o++) {
        const double *v = vg + (size_t)o * c->in, *d = dW + (size_t)o * c->in;
        double ss = CLGAN_WN_EPS, s = 0;
        for (int i = 0; i < c->in; i++) ss += v[i] * v[i], s += d[i] * v[i];
        double n = sqrt(ss), g = vg[(size_t)c->out * c->in + o];
        for (int i = 0; i < c->in; i++) dvg[(size_t)o * c->in + i] += g / n * (d[i] - s / (n * n) * v[i]);
        if (train_g) dvg[(size_t)c->out * c->in + o] += s / n;
    }
}

/* The layer as a function of vg for the finite differences: y [N,OUT] = x · Wᵀ. */
typedef struct fd_ctx { const wn_case *c; const double *x; double *W, *norm; } fd_ctx;
static void fd_layer(void *user, const double *vg, double *y)
{
    fd_ctx *f = user;
    const wn_case *c = f->c;
    ref_wn_weights(c, vg, f->W, f->norm);
    for (int n = 0; n < c->n; n++)
        for (int o = 0; o < c->out; o++) {
            double acc = 0;
            for (int i = 0; i < c->in; i++) acc += f->x[(size_t)n * c->in + i] * f->W[(size_t)o * c->in + i];
            y[(size_t)n * c->out + o] = acc;
        }
}

static void run_case(check_run *run, const wn_case *c, uint64_t seed)
{
    char fwd[96], nrm[96], bwd[2][96], grad[96];
    snprintf(fwd, sizeof fwd, "weight_norm.forward W [%d,%d]", c->out, c->in);
    snprintf(nrm, sizeof nrm, "weight_norm.forward norm [%d,%d]", c->out, c->in);
    snprintf(bwd[0], sizeof bwd[0], "weight_norm.backward dv, g fixed [%d,%d]", c->out, c->in);
    snprintf(bwd[1], sizeof bwd[1], "weight_norm.backward dv dg [%d,%d]", c->out, c->in);
    snprintf(grad, sizeof grad, "weight_norm.gradcheck v g [%d,%d]", c->out, c->in);
    if (!check_wanted(run, fwd) && !check_wanted(run, nrm) && !check_wanted(run, bwd[0]) &&
        !check_wanted(run, bwd[1]) && !check_wanted(run, grad))
        return;
    size_t nw = (size_t)c->out * c->in, nvg = nw + (size_t)c->out, ny = (size_t)c->n * c->out;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *vg = check_doubles(&mem, nvg), *x = check_doubles(&mem, (size_t)c->n * c->in);
    double *W = check_doubles(&mem, nw), *norm = check_doubles(&mem, (size_t)c->out);
    double *dy = check_doubles(&mem, ny), *dW = check_doubles(&mem, nw), *dvg0 = check_doubles(&mem, nvg);
    double *want = check_doubles(&mem, nvg), *analytic = check_doubles(&mem, nvg);
    float *got = check_floats(&mem, nvg);
    check_fill(&rng, vg, nw, -1, 1);
    check_fill(&rng, vg + nw, (size_t)c->out, 0.5, 2); /* scales */
    check_fill(&rng, x, (size_t)c->n * c->in, -1, 1);
    check_fill(&rng, dy, ny, -1, 1);
    check_fill(&rng, dvg0, nvg, -0.5, 0.5); /* gradients accumulate onto these */
    ref_wn_weights(c, vg, W, norm);
    for (size_t k = 0; k < nw; k++) dW[k] = 0;
    for (int n = 0; n < c->n; n++) /* dW = dyᵀ · x */
        for (int o = 0; o < c->out; o++)
            for (int i = 0; i < c->in; i++)
                dW[(size_t)o * c->in + i] += dy[(size_t)n * c->out + o] * x[(size_t)n * c->in + i];

    if (check_wanted(run, grad)) {
        double t0 = check_now();
        for (size_t k = 0; k < nvg; k++) analytic[k] = 0;
        ref_wn_grad(c, 1, vg, dW, analytic);
        fd_ctx f = {c, x, check_doubles(&mem, nw), check_doubles(&mem, (size_t)c->out)};
        double err = check_fd_error(fd_layer, &f, vg, nvg, ny, dy, analytic, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_ctx *ctx = run->ctx;
    clgan_tensor tvg = {0}, tw = {0}, tn = {0}, tdw = {0}, tdvg = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(ctx, 1, 1, 1, (int)nvg, vg, &tvg)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, (int)nw, NULL, &tw)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, c->out, NULL, &tn)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, (int)nw, dW, &tdw)) != CLGAN_OK ||
        (st = check_tensor(ctx, 1, 1, 1, (int)nvg, dvg0, &tdvg)) != CLGAN_OK ||
        (st = clgan_wn_weights(ctx, c->out, c->in, &tvg, &tw, &tn)) != CLGAN_OK ||
        (st = check_download(ctx, &tw, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, W, nw, 1e-5, t0);
    if ((st = check_download(ctx, &tn, got)) != CLGAN_OK) {
        check_report_status(run, nrm, st, t0);
        goto done;
    }
    if (check_wanted(run, nrm)) check_compare(run, nrm, got, norm, (size_t)c->out, 1e-5, t0);
    for (int train_g = 0; train_g <= 1; train_g++) {
        t0 = check_now();
        for (size_t k = 0; k < nvg; k++) want[k] = dvg0[k];
        ref_wn_grad(c, train_g, vg, dW, want);
        if ((st = check_upload(ctx, &tdvg, dvg0)) != CLGAN_OK ||
            (st = clgan_wn_grad(ctx, c->out, c->in, train_g, &tvg, &tn, &tdw, &tdvg)) != CLGAN_OK ||
            (st = check_download(ctx, &tdvg, got)) != CLGAN_OK) {
            check_report_status(run, bwd[train_g], st, t0);
            goto done;
        }
        if (check_wanted(run, bwd[train_g])) check_compare(run, bwd[train_g], got, want, nvg, 1e-4, t0);
    }
done:;
    clgan_tensor *all[] = {&tvg, &tw, &tn, &tdw, &tdvg};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) clgan_tensor_free(ctx, all[i]);
    check_mem_free(&mem);
}

/* A size mismatch is refused with a message, not run. */
static void check_refusal(check_run *run)
{
    const char *name = "weight_norm.refuses bad shapes";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor vg = {0}, w = {0}, n = {0};
    clgan_status st = check_tensor(run->ctx, 1, 1, 1, 3 * 4 + 3, NULL, &vg);
    if (st == CLGAN_OK) st = check_tensor(run->ctx, 1, 1, 1, 3 * 4, NULL, &w);
    if (st == CLGAN_OK) st = check_tensor(run->ctx, 1, 1, 1, 3, NULL, &n);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
    } else {
        const check_refused_call bad = {"IN 5 with buffers for 4", clgan_wn_weights(run->ctx, 3, 5, &vg, &w, &n)};
        check_report_refused(run, name, &bad, 1, t0);
    }
    clgan_tensor_free(run->ctx, &vg);
    clgan_tensor_free(run->ctx, &w);
    clgan_tensor_free(run->ctx, &n);
}

void check_weight_norm(check_run *run)
{
    static const wn_case cases[] = {{3, 1, 1}, {4, 5, 7}, {2, 17, 33}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 0x5EED + i);
    check_refusal(run);
}
