/* check_activation.c — host reference and device checks for relu,
 * leaky_relu, tanh and sigmoid (forward, backward, finite differences). */
#include "check.h"
#include "nn/activation.h"

#include <stdio.h>

typedef struct act_case { clgan_act act; double slope; } act_case;

/* Reference forward: y = act(x). Shapes: flat [n]. */
static void ref_act_forward(const act_case *c, const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        switch (c->act) {
        case CLGAN_ACT_RELU: y[i] = v > 0 ? v : 0; break;
        case CLGAN_ACT_LEAKY_RELU: y[i] = v > 0 ? v : c->slope * v; break;
        case CLGAN_ACT_TANH: y[i] = tanh(v); break;
        case CLGAN_ACT_SIGMOID: y[i] = 1.0 / (1.0 + exp(-v)); break;
        }
    }
}

/* Reference backward: dx = dy * act'(x). */
static void ref_act_backward(const act_case *c, const double *x, const double *dy, double *dx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i], d = 0;
        switch (c->act) {
        case CLGAN_ACT_RELU: d = v > 0 ? 1 : 0; break;
        case CLGAN_ACT_LEAKY_RELU: d = v > 0 ? 1 : c->slope; break;
        case CLGAN_ACT_TANH: d = 1 - tanh(v) * tanh(v); break;
        case CLGAN_ACT_SIGMOID: { double s = 1.0 / (1.0 + exp(-v)); d = s * (1 - s); } break;
        }
        dx[i] = dy[i] * d;
    }
}

typedef struct fd_user { const act_case *c; size_t n; } fd_user;
static void fd_forward(void *user, const double *in, double *out)
{
    fd_user *u = user;
    ref_act_forward(u->c, in, out, u->n);
}

static void run_case(check_run *run, const act_case *c, int n, int ch, int h, int w, uint64_t seed)
{
    char fwd[128], bwd[128], grad[128];
    const char *an = clgan_act_name(c->act);
    snprintf(fwd, sizeof fwd, "activation.%s.forward [%d,%d,%d,%d]", an, n, ch, h, w);
    snprintf(bwd, sizeof bwd, "activation.%s.backward [%d,%d,%d,%d]", an, n, ch, h, w);
    snprintf(grad, sizeof grad, "activation.%s.gradcheck [%d,%d,%d,%d]", an, n, ch, h, w);
    if (!check_wanted(run, fwd) && !check_wanted(run, bwd) && !check_wanted(run, grad)) return;

    size_t count = (size_t)n * ch * h * w;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, count), *y = check_doubles(&mem, count);
    double *dy = check_doubles(&mem, count), *dx = check_doubles(&mem, count);
    float *got = check_floats(&mem, count);
    check_fill(&rng, x, count, -3, 3);
    for (size_t i = 0; i < count; i++) /* keep away from the kink at 0 for finite differences */
        if (fabs(x[i]) < 0.05) x[i] = x[i] < 0 ? -0.05 - x[i] : 0.05 + x[i];
    check_fill(&rng, dy, count, -1, 1);
    ref_act_forward(c, x, y, count);
    ref_act_backward(c, x, dy, dx, count);

    if (check_wanted(run, grad)) {
        double t0 = check_now();
        fd_user u = {c, count};
        double err = check_fd_error(fd_forward, &u, x, count, count, dy, dx, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0, err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    clgan_tensor tx = {0}, ty = {0}, tdy = {0}, tdx = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, n, ch, h, w, x, &tx)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, ch, h, w, NULL, &ty)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, ch, h, w, dy, &tdy)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, ch, h, w, NULL, &tdx)) != CLGAN_OK ||
        (st = clgan_act_forward(run->ctx, c->act, (float)c->slope, &tx, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, count, 1e-5, t0);
    t0 = check_now();
    if ((st = clgan_act_backward(run->ctx, c->act, (float)c->slope, &tx, &ty, &tdy, &tdx)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdx, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dx, count, 1e-5, t0);
done:
    clgan_tensor_free(run->ctx, &tx);
    clgan_tensor_free(run->ctx, &ty);
    clgan_tensor_free(run->ctx, &tdy);
    clgan_tensor_free(run->ctx, &tdx);
    check_mem_free(&mem);
}

void check_activation(check_run *run)
{
    const act_case cases[] = {{CLGAN_ACT_RELU, 0}, {CLGAN_ACT_LEAKY_RELU, 0.2}, {CLGAN_ACT_TANH, 0}, {CLGAN_ACT_SIGMOID, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_case(run, &cases[i], 1, 1, 1, 1, 11 + i);
        run_case(run, &cases[i], 3, 5, 7, 2, 23 + i);
    }
}
