/* check_loss.c — host reference and device checks for the losses: BCE with
 * logits, softmax cross-entropy (with -1 = unlabelled rows), MSE, and the
 * hinge GAN's hinge and linear losses. Forward (per-element/per-row losses
 * and the host mean; hinge and linear have no device forward), backward (dx
 * of the mean loss times a scale), finite differences of the reference,
 * hand-computed values, and argument validation. */
#include "check.h"
#include "nn/loss.h"

#include <stdio.h>
#include <string.h>

typedef enum loss_kind { LOSS_BCE, LOSS_CE, LOSS_MSE, LOSS_HINGE, LOSS_LINEAR } loss_kind;
static const char *loss_name(loss_kind k)
{
    static const char *const names[] = {"bce", "softmax_ce", "mse", "hinge", "linear"};
    return names[k];
}
/* Hinge and linear: a backward kernel only (the GAN trainer computes the values on the host). */
static int has_device_forward(loss_kind k) { return k != LOSS_HINGE && k != LOSS_LINEAR; }

/* ---- host reference (double) ------------------------------------------- */

/* BCE with logits. x, t, loss: [count]. loss_i = max(x,0) - x t + log1p(exp(-|x|)) */
static void ref_bce_forward(const double *x, const double *t, double *loss, size_t count)
{
    for (size_t i = 0; i < count; i++) loss[i] = fmax(x[i], 0) - x[i] * t[i] + log1p(exp(-fabs(x[i])));
}
/* dx_i = scale * (sigmoid(x_i) - t_i) / count */
static void ref_bce_backward(double scale, const double *x, const double *t, double *dx, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        double e = exp(-fabs(x[i]));
        double s = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
        dx[i] = scale * (s - t[i]) / (double)count;
    }
}

/* Softmax CE. x: [n,k], labels [n] (-1 = none), loss [n]. */
static void ref_ce_forward(const double *x, const int32_t *labels, double *loss, int n, int k)
{
    for (int r = 0; r < n; r++) {
        const double *row = x + (size_t)r * k;
        if (labels[r] < 0) { loss[r] = 0; continue; }
        double m = row[0], s = 0;
        for (int j = 1; j < k; j++) m = fmax(m, row[j]);
        for (int j = 0; j < k; j++) s += exp(row[j] - m);
        loss[r] = m + log(s) - row[labels[r]];
    }
}
/* dx[r,j] = scale * (softmax_j - [j == label]) / labelled; 0 on unlabelled rows. */
static void ref_ce_backward(double scale, const double *x, const int32_t *labels, double *dx, int n, int k,
                            int labelled)
{
    for (int r = 0; r < n; r++) {
        const double *row = x + (size_t)r * k;
        double *out = dx + (size_t)r * k;
        if (labels[r] < 0 || labelled == 0) { for (int j = 0; j < k; j++) out[j] = 0; continue; }
        double m = row[0], s = 0;
        for (int j = 1; j < k; j++) m = fmax(m, row[j]);
        for (int j = 0; j < k; j++) s += exp(row[j] - m);
        for (int j = 0; j < k; j++) out[j] = scale * (exp(row[j] - m) / s - (j == labels[r])) / labelled;
    }
}

/* MSE. x, t, loss: [count]. loss_i = (x_i - t_i)^2; dx_i = scale * 2 (x_i - t_i) / count */
static void ref_mse_forward(const double *x, const double *t, double *loss, size_t count)
{
    for (size_t i = 0; i < count; i++) loss[i] = (x[i] - t[i]) * (x[i] - t[i]);
}
static void ref_mse_backward(double scale, const double *x, const double *t, double *dx, size_t count)
{
    for (size_t i = 0; i < count; i++) dx[i] = scale * 2 * (x[i] - t[i]) / (double)count;
}

/* Hinge. x, t, loss: [count], t = +1 or -1. loss_i = max(0, 1 - t_i x_i);
 * dx_i = scale * (t_i x_i < 1 ? -t_i : 0) / count */
static void ref_hinge_forward(const double *x, const double *t, double *loss, size_t count)
{
    for (size_t i = 0; i < count; i++) loss[i] = fmax(0, 1 - t[i] * x[i]);
}
static void ref_hinge_backward(double scale, const double *x, const double *t, double *dx, size_t count)
{
    for (size_t i = 0; i < count; i++) dx[i] = t[i] * x[i] < 1 ? -scale * t[i] / (double)count : 0;
}

/* Linear. x, t, loss: [count]. loss_i = -t_i x_i; dx_i = -scale t_i / count */
static void ref_linear_forward(const double *x, const double *t, double *loss, size_t count)
{
    for (size_t i = 0; i < count; i++) loss[i] = -t[i] * x[i];
}
static void ref_linear_backward(double scale, const double *t, double *dx, size_t count)
{
    for (size_t i = 0; i < count; i++) dx[i] = -scale * t[i] / (double)count;
}

/* ---- one case ------------------------------------------------------------ */

typedef struct loss_case {
    loss_kind kind;
    int n, c, h, w;
    double scale;
    int extreme;     /* 1: logits include +-80 and other large magnitudes */
    int unlabelled;  /* CE: how many rows get label -1 (every `n/unlabelled`-th) */
} loss_case;

typedef struct fd_loss { const loss_case *c; const double *t; const int32_t *labels; size_t count; int rows, k, labelled; double *tmp; } fd_loss;

/* The mean loss as a function of x (what backward differentiates). */
static void fd_mean_loss(void *user, const double *x, double *out)
{
    fd_loss *u = user;
    double s = 0;
    if (u->c->kind == LOSS_CE) {
        ref_ce_forward(x, u->labels, u->tmp, u->rows, u->k);
        for (int r = 0; r < u->rows; r++) s += u->tmp[r];
        out[0] = u->labelled ? s / u->labelled : 0;
        return;
    }
    if (u->c->kind == LOSS_BCE) ref_bce_forward(x, u->t, u->tmp, u->count);
    else if (u->c->kind == LOSS_HINGE) ref_hinge_forward(x, u->t, u->tmp, u->count);
    else if (u->c->kind == LOSS_LINEAR) ref_linear_forward(x, u->t, u->tmp, u->count);
    else ref_mse_forward(x, u->t, u->tmp, u->count);
    for (size_t i = 0; i < u->count; i++) s += u->tmp[i];
    out[0] = s / (double)u->count;
}

static void fill_sentinel(float *f, size_t n) { for (size_t i = 0; i < n; i++) f[i] = 123.0f; }

/* ---- device side, shared by the random and the hand-computed cases ------ */

/* The device buffers of one loss case: logits x [n,c,h,w], targets t (BCE,
 * MSE), per-element (per-row for CE) losses, dx, int32 labels [n]. */
typedef struct loss_bufs {
    clgan_tensor x, t, loss, dx;
    cl_mem labels;
} loss_bufs;

static clgan_status loss_bufs_create(clgan_ctx *ctx, loss_kind kind, int n, int c, int h, int w, const double *x,
                                     const double *t, const int32_t *labels, loss_bufs *b)
{
    memset(b, 0, sizeof *b);
    clgan_status st;
    if ((st = check_tensor(ctx, n, c, h, w, x, &b->x)) != CLGAN_OK ||
        (st = check_tensor(ctx, n, c, h, w, kind == LOSS_CE ? NULL : t, &b->t)) != CLGAN_OK ||
        (st = kind == LOSS_CE ? clgan_tensor_alloc(ctx, n, 1, 1, 1, &b->loss)
                              : clgan_tensor_alloc(ctx, n, c, h, w, &b->loss)) != CLGAN_OK ||
        (st = check_tensor(ctx, n, c, h, w, NULL, &b->dx)) != CLGAN_OK ||
        (st = clgan_buffer_create(ctx, (size_t)n * sizeof(int32_t), &b->labels)) != CLGAN_OK)
        return st;
    return clgan_buffer_write(ctx, b->labels, 0, (size_t)n * sizeof(int32_t), labels);
}

static void loss_bufs_free(clgan_ctx *ctx, loss_bufs *b)
{
    clgan_tensor_free(ctx, &b->x);
    clgan_tensor_free(ctx, &b->t);
    clgan_tensor_free(ctx, &b->loss);
    clgan_tensor_free(ctx, &b->dx);
    if (b->labels) clgan_buffer_release(ctx, b->labels);
}

static clgan_status loss_dev_forward(clgan_ctx *ctx, loss_kind kind, loss_bufs *b)
{
    if (kind == LOSS_BCE) return clgan_bce_logits_forward(ctx, &b->x, &b->t, &b->loss);
    if (kind == LOSS_MSE) return clgan_mse_forward(ctx, &b->x, &b->t, &b->loss);
    return clgan_softmax_ce_forward(ctx, &b->x, b->labels, &b->loss);
}

/* The mean loss as the trainers take it: CE over the labelled rows (0 without any). */
static clgan_status loss_dev_mean(clgan_ctx *ctx, loss_kind kind, int labelled, loss_bufs *b, double *mean)
{
    if (kind != LOSS_CE) return clgan_loss_mean(ctx, &b->loss, mean);
    TRY(clgan_loss_sum(ctx, &b->loss, mean));
    *mean = labelled ? *mean / labelled : 0;
    return CLGAN_OK;
}

static clgan_status loss_dev_backward(clgan_ctx *ctx, loss_kind kind, float scale, int labelled, loss_bufs *b)
{
    if (kind == LOSS_BCE) return clgan_bce_logits_backward(ctx, scale, &b->x, &b->t, &b->dx);
    if (kind == LOSS_MSE) return clgan_mse_backward(ctx, scale, &b->x, &b->t, &b->dx);
    if (kind == LOSS_HINGE) return clgan_hinge_backward(ctx, scale, &b->x, &b->t, &b->dx);
    if (kind == LOSS_LINEAR) return clgan_linear_backward(ctx, scale, &b->x, &b->t, &b->dx);
    return clgan_softmax_ce_backward(ctx, scale, labelled, &b->x, b->labels, &b->dx);
}

static void run_case(check_run *run, const loss_case *c, uint64_t seed)
{
    char shape[64], fwd[128], mean_name[128], bwd[128], grad[128];
    const char *ln = loss_name(c->kind);
    snprintf(shape, sizeof shape, "[%d,%d,%d,%d]%s scale %g%s", c->n, c->c, c->h, c->w,
             c->extreme ? " extreme" : "", c->scale, c->unlabelled ? " unlabelled" : "");
    snprintf(fwd, sizeof fwd, "loss.%s.forward %s", ln, shape);
    snprintf(mean_name, sizeof mean_name, "loss.%s.mean %s", ln, shape);
    snprintf(bwd, sizeof bwd, "loss.%s.backward %s", ln, shape);
    snprintf(grad, sizeof grad, "loss.%s.gradcheck %s", ln, shape);
    int fwd_wanted = has_device_forward(c->kind) && (check_wanted(run, fwd) || check_wanted(run, mean_name));
    if (!fwd_wanted && !check_wanted(run, bwd) && !check_wanted(run, grad)) return;

    size_t count = (size_t)c->n * c->c * c->h * c->w;
    int rows = c->n, k = (int)(count / (size_t)c->n);
    size_t out_count = c->kind == LOSS_CE ? (size_t)rows : count;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *x = check_doubles(&mem, count), *t = check_doubles(&mem, count), *dx = check_doubles(&mem, count);
    double *loss = check_doubles(&mem, count), *tmp = check_doubles(&mem, count);
    float *got = check_floats(&mem, count);
    int32_t labels[64];
    if (rows > 64) { check_report(run, fwd, 0, NAN, 0, "test case too large"); check_mem_free(&mem); return; }

    check_fill(&rng, x, count, -4, 4);
    if (c->extreme) {
        const double big[] = {80, -80, 30, -30, 17.5, -17.5, 0, 1e-3, -1e-3, 60, 100, -120};
        for (size_t i = 0; i < count; i++) x[i] = big[i % (sizeof big / sizeof big[0])];
    }
    if (c->kind == LOSS_BCE) {
        /* soft/smoothed targets and hard 0/1 targets mixed */
        const double hard[] = {0, 1, 0.9, 0.1};
        for (size_t i = 0; i < count; i++) t[i] = i % 3 == 0 ? hard[(i / 3) % 4] : check_uniform(&rng, 0, 1);
    } else if (c->kind == LOSS_MSE) {
        check_fill(&rng, t, count, -2, 2);
    } else if (c->kind == LOSS_HINGE) {
        /* both sides mixed; no x within 1e-3 of the kink t x = 1, where the finite differences straddle it */
        for (size_t i = 0; i < count; i++) {
            t[i] = check_next(&rng) % 2 ? 1 : -1;
            if (fabs(1 - t[i] * x[i]) < 1e-3) x[i] += 0.01;
        }
    } else if (c->kind == LOSS_LINEAR) {
        /* the GAN's t = 1, and other weights: a wrong sign or factor of t shows */
        const double w[] = {1, -1, 0.5, 2};
        for (size_t i = 0; i < count; i++) t[i] = w[i % 4];
    }
    for (int r = 0; r < rows; r++) {
        labels[r] = (int32_t)(check_next(&rng) % (uint64_t)k);
        if (c->unlabelled && r % (c->n / c->unlabelled > 0 ? c->n / c->unlabelled : 1) == 0) labels[r] = -1;
    }
    int labelled = clgan_softmax_ce_count_labelled(labels, rows, k);

    double want_mean = 0;
    if (c->kind == LOSS_BCE) {
        ref_bce_forward(x, t, loss, count);
        ref_bce_backward(c->scale, x, t, dx, count);
    } else if (c->kind == LOSS_MSE) {
        ref_mse_forward(x, t, loss, count);
        ref_mse_backward(c->scale, x, t, dx, count);
    } else if (c->kind == LOSS_HINGE) {
        ref_hinge_forward(x, t, loss, count);
        ref_hinge_backward(c->scale, x, t, dx, count);
    } else if (c->kind == LOSS_LINEAR) {
        ref_linear_forward(x, t, loss, count);
        ref_linear_backward(c->scale, t, dx, count);
    } else {
        ref_ce_forward(x, labels, loss, rows, k);
        ref_ce_backward(c->scale, x, labels, dx, rows, k, labelled);
    }
    for (size_t i = 0; i < out_count; i++) want_mean += loss[i];
    want_mean = c->kind == LOSS_CE ? (labelled ? want_mean / labelled : 0) : want_mean / (double)out_count;

    if (check_wanted(run, grad)) {
        double t0 = check_now();
        fd_loss u = {c, t, labels, count, rows, k, labelled, tmp};
        double r1 = c->scale;
        double err = check_fd_error(fd_mean_loss, &u, x, count, 1, &r1, dx, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }

    loss_bufs b;
    clgan_status st;
    double t0 = check_now();
    if ((st = loss_bufs_create(run->ctx, c->kind, c->n, c->c, c->h, c->w, x, t, labels, &b)) != CLGAN_OK)
        goto fail_fwd;
    /* Outputs start as garbage: every element must be written. */
    fill_sentinel(got, count);
    if ((st = clgan_tensor_upload(run->ctx, &b.loss, got)) != CLGAN_OK ||
        (st = clgan_tensor_upload(run->ctx, &b.dx, got)) != CLGAN_OK)
        goto fail_fwd;
    if (has_device_forward(c->kind)) {
        st = loss_dev_forward(run->ctx, c->kind, &b);
        if (st != CLGAN_OK || (st = check_download(run->ctx, &b.loss, got)) != CLGAN_OK) goto fail_fwd;
        if (check_wanted(run, fwd)) check_compare(run, fwd, got, loss, out_count, 1e-5, t0);

        t0 = check_now();
        double dev_mean = 0;
        st = loss_dev_mean(run->ctx, c->kind, labelled, &b, &dev_mean);
        if (st != CLGAN_OK) {
            check_report_status(run, mean_name, st, t0);
            goto done;
        }
        if (check_wanted(run, mean_name)) {
            float g1 = (float)dev_mean;
            check_compare(run, mean_name, &g1, &want_mean, 1, 1e-5, t0);
        }
    }

    t0 = check_now();
    st = loss_dev_backward(run->ctx, c->kind, (float)c->scale, labelled, &b);
    if (st != CLGAN_OK || (st = check_download(run->ctx, &b.dx, got)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    /* dx is O(scale/count): an absolute 1e-6 still catches a wrong factor. */
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dx, count, 1e-6, t0);
    goto done;
fail_fwd:
    check_report_status(run, has_device_forward(c->kind) ? fwd : bwd, st, t0);
done:
    loss_bufs_free(run->ctx, &b);
    check_mem_free(&mem);
}

/* ---- hand-computed values -------------------------------------------------- */

/* Runs one loss on literal inputs; compares per-element losses, the mean and
 * dx (scale 1) against literal numbers computed by hand (hinge and linear:
 * dx only, want_loss NULL). */
static void run_hand(check_run *run, loss_kind kind, int n, int k, const double *x, const double *t,
                     const int32_t *labels, const double *want_loss, double want_mean, const double *want_dx)
{
    char name[96];
    snprintf(name, sizeof name, "loss.%s.hand [%d,%d]", loss_name(kind), n, k);
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    size_t count = (size_t)n * k, out_count = kind == LOSS_CE ? (size_t)n : count;
    float got_loss[16], got_dx[16];
    double want_all[33];
    float got_all[33];
    int32_t no_labels[16] = {0};
    int labelled = kind == LOSS_CE ? clgan_softmax_ce_count_labelled(labels, n, k) : 0;
    double mean = 0;
    loss_bufs b;
    clgan_status st;
    int fwd = has_device_forward(kind);
    if ((st = loss_bufs_create(run->ctx, kind, n, k, 1, 1, x, t, labels ? labels : no_labels, &b)) != CLGAN_OK ||
        (fwd && (st = loss_dev_forward(run->ctx, kind, &b)) != CLGAN_OK) ||
        (fwd && (st = loss_dev_mean(run->ctx, kind, labelled, &b, &mean)) != CLGAN_OK) ||
        (st = loss_dev_backward(run->ctx, kind, 1.0f, labelled, &b)) != CLGAN_OK ||
        (fwd && (st = check_download(run->ctx, &b.loss, got_loss)) != CLGAN_OK) ||
        (st = check_download(run->ctx, &b.dx, got_dx)) != CLGAN_OK)
        goto fail;
    /* One comparison over [losses, mean, dx]. */
    size_t m = 0;
    for (size_t i = 0; fwd && i < out_count; i++) { got_all[m] = got_loss[i]; want_all[m++] = want_loss[i]; }
    if (fwd) got_all[m] = (float)mean, want_all[m++] = want_mean;
    for (size_t i = 0; i < count; i++) { got_all[m] = got_dx[i]; want_all[m++] = want_dx[i]; }
    check_compare(run, name, got_all, want_all, m, 1e-6, t0);
    goto done;
fail:
    check_report_status(run, name, st, t0);
done:
    loss_bufs_free(run->ctx, &b);
}

static void run_hand_cases(check_run *run)
{
    /* BCE: x=0,t=1 -> ln 2, dx = (0.5-1)/4; x=2,t=0 -> ln(1+e^2) = 2.1269280110429727,
     * dx = sigmoid(2)/4 = 0.8807970779778823/4; x=-80,t=1 -> 80 + ln(1+e^-80) = 80 (to double
     * precision), dx = (sigmoid(-80) - 1)/4 = -0.25; x=80,t=0.25 -> 80 - 20 = 60, dx = 0.75/4. */
    const double bx[] = {0, 2, -80, 80}, bt[] = {1, 0, 1, 0.25};
    const double bl[] = {0.6931471805599453, 2.1269280110429727, 80.0, 60.0};
    const double bdx[] = {-0.125, 0.22019926949447058, -0.25, 0.1875};
    run_hand(run, LOSS_BCE, 4, 1, bx, bt, NULL, bl, (0.6931471805599453 + 2.1269280110429727 + 140.0) / 4, bdx);

    /* softmax CE: rows [1,2,3] label 2 -> ln(e+e^2+e^3) - 3 = 0.40760596444438013,
     * softmax = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
     * row 2 unlabelled (-1) -> loss 0, dx 0, not counted: mean = 0.4076..., dx / 1. */
    const double cx[] = {1, 2, 3, 1, 2, 3};
    const int32_t cl[] = {2, -1};
    const double closs[] = {0.40760596444438013, 0};
    const double cdx[] = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219 - 1, 0, 0, 0};
    run_hand(run, LOSS_CE, 2, 3, cx, NULL, cl, closs, 0.40760596444438013, cdx);

    /* CE, two classes with equal logits -> ln 2 each; labels 0 and 1:
     * dx = ([0.5,0.5] - onehot) / 2. */
    const double c2x[] = {0, 0, 5, 5};
    const int32_t c2l[] = {0, 1};
    const double c2loss[] = {0.6931471805599453, 0.6931471805599453};
    const double c2dx[] = {-0.25, 0.25, 0.25, -0.25};
    run_hand(run, LOSS_CE, 2, 2, c2x, NULL, c2l, c2loss, 0.6931471805599453, c2dx);

    /* MSE: x=[1,2,-1], t=[0,0,0.5] -> [1,4,2.25], mean 7.25/3, dx = 2(x-t)/3 = [2/3, 4/3, -1]. */
    const double mx[] = {1, 2, -1}, mt[] = {0, 0, 0.5};
    const double ml[] = {1, 4, 2.25};
    const double mdx[] = {2.0 / 3, 4.0 / 3, -1};
    run_hand(run, LOSS_MSE, 3, 1, mx, mt, NULL, ml, 7.25 / 3, mdx);

    /* Hinge, 6 outputs, dx = -t/6 where t x < 1, else 0: real (t = 1) x = 0.5 -> -1/6; x = 1 (the
     * kink: subgradient 0) -> 0; x = 3 -> 0; fake (t = -1) x = -0.5 -> 1/6; x = -1 (kink) -> 0;
     * x = 2 -> 1/6. */
    const double hx[] = {0.5, 1, 3, -0.5, -1, 2}, ht[] = {1, 1, 1, -1, -1, -1};
    const double hdx[] = {-1.0 / 6, 0, 0, 1.0 / 6, 0, 1.0 / 6};
    run_hand(run, LOSS_HINGE, 6, 1, hx, ht, NULL, NULL, 0, hdx);

    /* Linear, t = 1 (the hinge GAN's G): dx = -1/3 whatever x. */
    const double lx[] = {-5, 0, 7}, lt[] = {1, 1, 1};
    const double ldx[] = {-1.0 / 3, -1.0 / 3, -1.0 / 3};
    run_hand(run, LOSS_LINEAR, 3, 1, lx, lt, NULL, NULL, 0, ldx);
}

/* ---- argument validation ----------------------------------------------------- */

static void run_invalid(check_run *run)
{
    const char *name = "loss.invalid_args";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor a = {0}, b = {0}, logits = {0}, rows = {0};
    cl_mem lab = NULL;
    clgan_status st;
    char msg[256] = "";
    if ((st = clgan_tensor_alloc(run->ctx, 4, 1, 1, 1, &a)) != CLGAN_OK ||
        (st = clgan_tensor_alloc(run->ctx, 5, 1, 1, 1, &b)) != CLGAN_OK ||
        (st = clgan_tensor_alloc(run->ctx, 4, 3, 1, 1, &logits)) != CLGAN_OK ||
        (st = clgan_tensor_alloc(run->ctx, 4, 1, 1, 1, &rows)) != CLGAN_OK ||
        (st = clgan_buffer_create(run->ctx, 2 * sizeof(int32_t), &lab)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call cases[] = {
        {"bce counts differ", clgan_bce_logits_forward(run->ctx, &a, &b, &a)},
        {"bce backward dx count", clgan_bce_logits_backward(run->ctx, 1, &a, &a, &b)},
        {"mse counts differ", clgan_mse_forward(run->ctx, &a, &a, &b)},
        {"hinge backward dx count", clgan_hinge_backward(run->ctx, 1, &a, &a, &b)},
        {"linear backward t count", clgan_linear_backward(run->ctx, 1, &a, &b, &a)},
        {"softmax_ce short label buffer", clgan_softmax_ce_forward(run->ctx, &logits, lab, &rows)},
        {"softmax_ce loss not [N]", clgan_softmax_ce_forward(run->ctx, &logits, lab, &logits)},
        {"softmax_ce NULL labels", clgan_softmax_ce_backward(run->ctx, 1, 1, &logits, NULL, &logits)},
        {"loss_mean NULL out", clgan_loss_mean(run->ctx, &a, NULL)},
    };
    int ok = check_refused(cases, sizeof cases / sizeof cases[0], msg, sizeof msg);
    /* labelled > N must also be refused (labels buffer big enough here). */
    if (ok) {
        cl_mem lab4 = NULL;
        if ((st = clgan_buffer_create(run->ctx, 4 * sizeof(int32_t), &lab4)) != CLGAN_OK) {
            check_report_status(run, name, st, t0);
            goto done;
        }
        st = clgan_softmax_ce_backward(run->ctx, 1, 5, &logits, lab4, &logits);
        clgan_buffer_release(run->ctx, lab4);
        if (st != CLGAN_ERR_INVALID_ARG) {
            ok = 0;
            snprintf(msg, sizeof msg, "softmax_ce labelled > N: got %s", clgan_status_name(st));
        }
    }
    clgan_clear_error();
    check_report(run, name, ok, ok ? 0 : 1, check_now() - t0, msg);
done:
    clgan_tensor_free(run->ctx, &a);
    clgan_tensor_free(run->ctx, &b);
    clgan_tensor_free(run->ctx, &logits);
    clgan_tensor_free(run->ctx, &rows);
    if (lab) clgan_buffer_release(run->ctx, lab);
}

void check_loss(check_run *run)
{
    const loss_case cases[] = {
        {LOSS_BCE, 1, 1, 1, 1, 1.0, 0, 0},
        {LOSS_BCE, 7, 1, 1, 1, 1.0, 0, 0},
        {LOSS_BCE, 3, 5, 2, 2, 0.5, 0, 0},
        {LOSS_BCE, 12, 1, 1, 1, 1.0, 1, 0},
        {LOSS_CE, 1, 3, 1, 1, 1.0, 0, 0},
        {LOSS_CE, 3, 1, 1, 1, 1.0, 0, 0},  /* one class: loss 0, dx 0 */
        {LOSS_CE, 5, 10, 1, 1, 1.0, 0, 2}, /* rows 0, 2, 4 unlabelled (-1) */
        {LOSS_CE, 2, 3, 2, 2, 1.0, 0, 0},  /* K = c*h*w = 12 */
        {LOSS_CE, 4, 7, 1, 1, 2.0, 1, 0},
        {LOSS_CE, 3, 4, 1, 1, 1.0, 0, 3},  /* nothing labelled: loss 0, dx 0 */
        {LOSS_MSE, 1, 1, 1, 1, 1.0, 0, 0},
        {LOSS_MSE, 3, 5, 7, 2, 1.0, 0, 0},
        {LOSS_MSE, 4, 3, 1, 1, 2.0, 0, 0},
        {LOSS_HINGE, 1, 1, 1, 1, 1.0, 0, 0},
        {LOSS_HINGE, 16, 1, 1, 1, 1.0, 0, 0},
        {LOSS_HINGE, 3, 5, 2, 2, 0.5, 0, 0},
        {LOSS_HINGE, 12, 1, 1, 1, 1.0, 1, 0},
        {LOSS_LINEAR, 7, 1, 1, 1, 1.0, 0, 0},
        {LOSS_LINEAR, 4, 3, 1, 1, 2.0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 101 + 7 * i);
    run_hand_cases(run);
    run_invalid(run);
}
