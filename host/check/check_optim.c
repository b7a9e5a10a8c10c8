/* check_optim.c — host reference and device checks for the optimizer steps
 * (SGD with momentum and weight decay, Adam) and the moving average of a
 * parameter block: several steps on random data against the double-precision
 * reference (parameters and state buffers), hand-computed steps written as
 * literal numbers, and argument validation. */
#include "check.h"
#include "nn/optim.h"

#include <stdio.h>

/* ---- host reference (double) --------------------------------------------- */

/* p, g, v: [n].  g' = g + wd p;  v = mu v + g';  p -= lr v */
static void ref_sgd_step(const clgan_sgd_params *hp, double *p, const double *g, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double gi = g[i] + (double)hp->weight_decay * p[i];
        v[i] = (double)hp->momentum * v[i] + gi;
        p[i] -= (double)hp->lr * v[i];
    }
}

/* p, g, m, v: [n]; step is 1-based.
 *   g' = g + wd p;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
 *   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) */
static void ref_adam_step(const clgan_adam_params *hp, int step, double *p, const double *g, double *m, double *v,
                          size_t n)
{
    double b1 = hp->beta1, b2 = hp->beta2;
    double c1 = 1 - pow(b1, step), c2 = 1 - pow(b2, step);
    for (size_t i = 0; i < n; i++) {
        double gi = g[i] + (double)hp->weight_decay * p[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (double)hp->lr * (m[i] / c1) / (sqrt(v[i] / c2) + (double)hp->eps);
    }
}

/* ---- several steps vs the reference --------------------------------------------- */

typedef struct optim_case {
    int adam;
    clgan_sgd_params sgd;
    clgan_adam_params ad;
    int count, steps;
} optim_case;

static void run_case(check_run *run, const optim_case *c, uint64_t seed)
{
    char cfg[96], pname[160], sname[160];
    if (c->adam)
        snprintf(cfg, sizeof cfg, "adam [%d] lr %g b1 %g b2 %g wd %g, %d steps", c->count, c->ad.lr, c->ad.beta1,
                 c->ad.beta2, c->ad.weight_decay, c->steps);
    else
        snprintf(cfg, sizeof cfg, "sgd [%d] lr %g mu %g wd %g, %d steps", c->count, c->sgd.lr, c->sgd.momentum,
                 c->sgd.weight_decay, c->steps);
    snprintf(pname, sizeof pname, "optim.%s params", cfg);
    snprintf(sname, sizeof sname, "optim.%s state", cfg);
    if (!check_wanted(run, pname) && !check_wanted(run, sname)) return;

    size_t n = (size_t)c->count;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *p = check_doubles(&mem, n), *g = check_doubles(&mem, n);
    double *m = check_doubles(&mem, n), *v = check_doubles(&mem, n);
    float *got = check_floats(&mem, n), *got_state = check_floats(&mem, 2 * n);
    check_fill(&rng, p, n, -1, 1);
    /* The device starts from the float-rounded parameters, so does the reference. */
    for (size_t i = 0; i < n; i++) p[i] = (float)p[i];

    /* The state starts as zeros written from the host (m and v are calloc'ed):
     * clgan_tensor_alloc already zero-fills with clEnqueueFillBuffer, but
     * oclgrind 21.10's --uninitialized does not count filled memory as
     * initialised and would report every step. */
    clgan_tensor tp = {0}, tg = {0}, tm = {0}, tv = {0};
    clgan_status st;
    double t0 = check_now();
    if ((st = check_tensor(run->ctx, c->count, 1, 1, 1, p, &tp)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->count, 1, 1, 1, NULL, &tg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->count, 1, 1, 1, m, &tm)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, c->count, 1, 1, 1, v, &tv)) != CLGAN_OK)
        goto fail;
    for (int s = 1; s <= c->steps; s++) {
        /* Gradients of mixed magnitudes, float-rounded like the device copy. */
        double mag = (s % 2) ? 1.0 : 0.05;
        check_fill(&rng, g, n, -mag, mag);
        for (size_t i = 0; i < n; i++) g[i] = (float)g[i];
        if ((st = check_upload(run->ctx, &tg, g)) != CLGAN_OK) goto fail;
        if (c->adam) {
            ref_adam_step(&c->ad, s, p, g, m, v, n);
            st = clgan_adam_step(run->ctx, &c->ad, s, &tp, &tg, &tm, &tv);
        } else {
            ref_sgd_step(&c->sgd, p, g, v, n);
            st = clgan_sgd_step(run->ctx, &c->sgd, &tp, &tg, &tv);
        }
        if (st != CLGAN_OK) goto fail;
    }
    if ((st = check_download(run->ctx, &tp, got)) != CLGAN_OK) goto fail;
    if (check_wanted(run, pname)) check_compare(run, pname, got, p, n, 2e-6, t0);
    /* State. Velocity and Adam's m sum gradients of both signs (cancellation):
     * compared absolutely (values are O(0.1..1)); Adam's v is a sum of squares
     * of order 1e-3 g^2, compared relatively. */
    t0 = check_now();
    if ((st = check_download(run->ctx, c->adam ? &tm : &tv, got_state)) != CLGAN_OK ||
        (c->adam && (st = check_download(run->ctx, &tv, got_state + n)) != CLGAN_OK)) {
        check_report_status(run, sname, st, t0);
        goto done;
    }
    if (check_wanted(run, sname)) {
        double e_first = check_max_error(got_state, c->adam ? m : v, n);
        double e_v = 0;
        if (c->adam) {
            for (size_t i = 0; i < n; i++) {
                double s = fabs(v[i]) > 1e-9 ? fabs(v[i]) : 1e-9;
                double e = fabs(got_state[n + i] - v[i]) / s;
                e_v = isnan(e) ? INFINITY : fmax(e_v, e);
            }
        }
        int ok = e_first <= 1e-6 && e_v <= 1e-5;
        char msg[160] = "";
        if (!ok)
            snprintf(msg, sizeof msg, "%s error %.3g (tol 1e-6)%s%.3g%s", c->adam ? "m" : "velocity", e_first,
                     c->adam ? ", v relative error " : "", e_v, c->adam ? " (tol 1e-5)" : "");
        check_report(run, sname, ok, fmax(e_first, e_v), check_now() - t0, msg);
    }
    goto done;
fail:
    check_report_status(run, pname, st, t0);
done:
    clgan_tensor_free(run->ctx, &tp);
    clgan_tensor_free(run->ctx, &tg);
    clgan_tensor_free(run->ctx, &tm);
    clgan_tensor_free(run->ctx, &tv);
    check_mem_free(&mem);
}

/* ---- hand-computed steps ------------------------------------------------------ */

/* Runs `steps` optimizer steps with literal gradients on literal parameters and
 * compares parameters after each step and the final state with literals. */
static void run_hand(check_run *run, const char *name, int adam, const clgan_sgd_params *sgd,
                     const clgan_adam_params *ad, int n, const double *p0, const double *grads /* [steps][n] */,
                     const double *want_p /* [steps][n] */, const double *want_state /* [n] or [2n] */, int steps,
                     double tol)
{
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor tp = {0}, tg = {0}, tm = {0}, tv = {0};
    float got[64];
    double want[64];
    const double zeros[16] = {0}; /* state uploaded as zeros: see run_case */
    size_t k = 0;
    clgan_status st;
    if ((st = check_tensor(run->ctx, n, 1, 1, 1, p0, &tp)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, 1, 1, 1, NULL, &tg)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, 1, 1, 1, zeros, &tm)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, n, 1, 1, 1, zeros, &tv)) != CLGAN_OK)
        goto fail;
    for (int s = 0; s < steps; s++) {
        if ((st = check_upload(run->ctx, &tg, grads + (size_t)s * n)) != CLGAN_OK) goto fail;
        st = adam ? clgan_adam_step(run->ctx, ad, s + 1, &tp, &tg, &tm, &tv) : clgan_sgd_step(run->ctx, sgd, &tp, &tg, &tv);
        if (st != CLGAN_OK || (st = check_download(run->ctx, &tp, got + k)) != CLGAN_OK) goto fail;
        for (int i = 0; i < n; i++) want[k + i] = want_p[(size_t)s * n + i];
        k += n;
    }
    if (adam) {
        if ((st = check_download(run->ctx, &tm, got + k)) != CLGAN_OK) goto fail;
        for (int i = 0; i < n; i++) want[k + i] = want_state[i];
        k += n;
    }
    if ((st = check_download(run->ctx, &tv, got + k)) != CLGAN_OK) goto fail;
    for (int i = 0; i < n; i++) want[k + i] = want_state[(adam ? n : 0) + i];
    k += n;
    check_compare(run, name, got, want, k, tol, t0);
    goto done;
fail:
    check_report_status(run, name, st, t0);
done:
    clgan_tensor_free(run->ctx, &tp);
    clgan_tensor_free(run->ctx, &tg);
    clgan_tensor_free(run->ctx, &tm);
    clgan_tensor_free(run->ctx, &tv);
}

static void run_hand_cases(check_run *run)
{
    /* SGD lr 0.1, momentum 0.9, weight decay 0.01, two steps by hand:
     * p[0]: g1 = 0.5:  g' = 0.5 + 0.01*1 = 0.51, v = 0.51, p = 1 - 0.051 = 0.949
     *       g2 = -0.2: g' = -0.2 + 0.00949 = -0.19051, v = 0.459 - 0.19051 = 0.26849,
     *                  p = 0.949 - 0.026849 = 0.922151
     * p[1]: g1 = 0:    g' = -0.02, v = -0.02, p = -2 + 0.002 = -1.998
     *       g2 = 1:    g' = 1 - 0.01998 = 0.98002, v = -0.018 + 0.98002 = 0.96202,
     *                  p = -1.998 - 0.096202 = -2.094202 */
    clgan_sgd_params sgd = {0.1f, 0.9f, 0.01f};
    const double sp0[] = {1.0, -2.0}, sg[] = {0.5, 0.0, -0.2, 1.0};
    const double sp[] = {0.949, -1.998, 0.922151, -2.094202}, sv[] = {0.26849, 0.96202};
    /* float hyperparameters (0.1f, 0.9f, 0.01f) are off by ~1e-9 relative: tol 1e-6 */
    run_hand(run, "optim.sgd.hand momentum 0.9 wd 0.01, 2 steps", 0, &sgd, NULL, 2, sp0, sg, sp, sv, 2, 1e-6);

    /* SGD without momentum: plain p -= lr g (one step): 0.3 - 0.01*2 = 0.28. */
    clgan_sgd_params plain = {0.01f, 0.0f, 0.0f};
    const double pp0[] = {0.3}, pg[] = {2.0}, ppw[] = {0.28}, pv[] = {2.0};
    run_hand(run, "optim.sgd.hand plain, 1 step", 0, &plain, NULL, 1, pp0, pg, ppw, pv, 1, 1e-6);

    /* Adam, DCGAN defaults (lr 2e-4, b1 0.5, b2 0.999, eps 1e-8).
     * Step 1 from zero state: m^ = g, v^ = g^2, so each weight moves by
     * lr * g / (|g| + eps) = lr * sign(g) (g = 0 does not move):
     *   0.5 - 2e-4 = 0.4998;  -0.25 + 2e-4 = -0.2498;  1.0;  0 - 2e-4 * 1e-3/(1e-3 + 1e-8) = -1.99998e-4
     * Step 2, g = [0.3, 1, 0, 1e-3]:
     *   [0]: m = 0.025 + 0.15 = 0.175, v = 0.999e-5 + 0.3^2*0.001 = 9.999e-5,
     *        m^ = 0.175/0.75 = 0.233333, v^ = 9.999e-5/0.001999 = 0.05002001,
     *        p = 0.4998 - 2e-4 * 0.233333/0.2236504 = 0.49959134
     *   [1]: m = -0.75 + 0.5 = -0.25, v = 0.008991 + 0.001 = 0.009991,
     *        m^ = -0.333333, v^ = 4.99800, p = -0.2498 + 2e-4 * 0.333333/2.235621 = -0.24977018
     *   [3]: same gradient twice: m^ = 1e-3, v^ = 1e-6, p = 2 * -1.99998e-4 = -3.99996e-4 */
    clgan_adam_params ad = clgan_adam_default_params();
    const double ap0[] = {0.5, -0.25, 1.0, 0.0};
    const double ag[] = {0.1, -3.0, 0.0, 1e-3, 0.3, 1.0, 0.0, 1e-3};
    const double apw[] = {0.49980000002, -0.24980000000066666, 1.0, -0.00019999800001999982,
                          0.4995913420997153, -0.24977017979347796, 1.0, -0.0003999960000399982};
    const double ast[] = {0.175, -0.25, 0.0, 0.00075, 9.999e-5, 0.009991, 0.0, 1.999e-9};
    /* weights move by 2e-4 per step; a 0.1% error in a step (2e-7) fails */
    run_hand(run, "optim.adam.hand dcgan defaults, 2 steps", 1, NULL, &ad, 4, ap0, ag, apw, ast, 2, 2e-7);
}

/* ---- the moving average ----------------------------------------------------------- */

/* ema, p: [n].  ema = decay ema + (1 - decay) p, 1 - decay rounded to float as the host op passes it. */
static void ref_ema_step(float decay, double *ema, const double *p, size_t n)
{
    double b = (float)(1.0 - (double)decay);
    for (size_t i = 0; i < n; i++) ema[i] = (double)decay * ema[i] + b * p[i];
}

/* `steps` averages of random blocks into a random start, the decays cycling
 * through typical values and the ends 0 (ema := p) and 1 (unchanged). */
static void run_ema_case(check_run *run, int count, int steps, uint64_t seed)
{
    char name[96];
    snprintf(name, sizeof name, "optim.ema [%d], %d steps", count, steps);
    if (!check_wanted(run, name)) return;
    static const float decays[] = {0.999f, 0.5f, 1.0f, 0.9f, 0.0f, 0.99f};
    size_t n = (size_t)count;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *ema = check_doubles(&mem, n), *p = check_doubles(&mem, n);
    float *got = check_floats(&mem, n);
    check_fill(&rng, ema, n, -1, 1);
    for (size_t i = 0; i < n; i++) ema[i] = (float)ema[i];
    clgan_tensor te = {0}, tp = {0};
    clgan_status st;
    double t0 = check_now();
    if ((st = check_tensor(run->ctx, count, 1, 1, 1, ema, &te)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, count, 1, 1, 1, NULL, &tp)) != CLGAN_OK)
        goto fail;
    for (int s = 0; s < steps; s++) {
        float d = decays[s % (sizeof decays / sizeof decays[0])];
        check_fill(&rng, p, n, -2, 2);
        for (size_t i = 0; i < n; i++) p[i] = (float)p[i];
        if ((st = check_upload(run->ctx, &tp, p)) != CLGAN_OK) goto fail;
        ref_ema_step(d, ema, p, n);
        if ((st = clgan_ema_step(run->ctx, d, &te, &tp)) != CLGAN_OK) goto fail;
    }
    if ((st = check_download(run->ctx, &te, got)) != CLGAN_OK) goto fail;
    check_compare(run, name, got, ema, n, 1e-6, t0);
    goto done;
fail:
    check_report_status(run, name, st, t0);
done:
    clgan_tensor_free(run->ctx, &te);
    clgan_tensor_free(run->ctx, &tp);
    check_mem_free(&mem);
}

/* By hand: decay 0.75 on ema [1, -2, 0.5], p [3, 2, 0.5] gives
 * [0.75 + 0.75, -1.5 + 0.5, 0.375 + 0.125] = [1.5, -1, 0.5]; then decay 0.5
 * with p = [0, 0, 1]: [0.75, -0.5, 0.75]. */
static void run_ema_hand(check_run *run)
{
    const char *name = "optim.ema.hand decay 0.75 then 0.5";
    if (!check_wanted(run, name)) return;
    const double e0[] = {1, -2, 0.5}, p1[] = {3, 2, 0.5}, p2[] = {0, 0, 1};
    const double want[] = {1.5, -1, 0.5, 0.75, -0.5, 0.75};
    float got[6];
    clgan_tensor te = {0}, tp = {0};
    clgan_status st;
    double t0 = check_now();
    if ((st = check_tensor(run->ctx, 3, 1, 1, 1, e0, &te)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 3, 1, 1, 1, p1, &tp)) != CLGAN_OK ||
        (st = clgan_ema_step(run->ctx, 0.75f, &te, &tp)) != CLGAN_OK ||
        (st = check_download(run->ctx, &te, got)) != CLGAN_OK || (st = check_upload(run->ctx, &tp, p2)) != CLGAN_OK ||
        (st = clgan_ema_step(run->ctx, 0.5f, &te, &tp)) != CLGAN_OK ||
        (st = check_download(run->ctx, &te, got + 3)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got, want, 6, 1e-7, t0);
    clgan_tensor_free(run->ctx, &te);
    clgan_tensor_free(run->ctx, &tp);
}

/* ---- argument validation ------------------------------------------------------- */

static void run_invalid(check_run *run)
{
    const char *name = "optim.invalid_args";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor a = {0}, b = {0};
    clgan_status st;
    if ((st = clgan_tensor_alloc(run->ctx, 4, 1, 1, 1, &a)) != CLGAN_OK ||
        (st = clgan_tensor_alloc(run->ctx, 5, 1, 1, 1, &b)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    clgan_sgd_params sgd = clgan_sgd_default_params();
    clgan_adam_params ad = clgan_adam_default_params(), bad = ad;
    bad.beta2 = 1.0f;
    const check_refused_call cases[] = {
        {"sgd grads count", clgan_sgd_step(run->ctx, &sgd, &a, &b, &a)},
        {"sgd velocity count", clgan_sgd_step(run->ctx, &sgd, &a, &a, &b)},
        {"sgd NULL params", clgan_sgd_step(run->ctx, NULL, &a, &a, &a)},
        {"adam step 0", clgan_adam_step(run->ctx, &ad, 0, &a, &a, &a, &a)},
        {"adam beta2 = 1", clgan_adam_step(run->ctx, &bad, 1, &a, &a, &a, &a)},
        {"adam m count", clgan_adam_step(run->ctx, &ad, 1, &a, &a, &b, &a)},
        {"ema average count", clgan_ema_step(run->ctx, 0.5f, &b, &a)},
        {"ema decay 1.5", clgan_ema_step(run->ctx, 1.5f, &a, &a)},
        {"ema decay NaN", clgan_ema_step(run->ctx, NAN, &a, &a)},
    };
    check_report_refused(run, name, cases, sizeof cases / sizeof cases[0], t0);
done:
    clgan_tensor_free(run->ctx, &a);
    clgan_tensor_free(run->ctx, &b);
}

void check_optim(check_run *run)
{
    clgan_sgd_params sgd_def = clgan_sgd_default_params();
    clgan_sgd_params sgd_wd = {0.1f, 0.5f, 0.05f};
    clgan_sgd_params sgd_plain = {0.05f, 0.0f, 0.0f};
    clgan_adam_params ad_def = clgan_adam_default_params();
    clgan_adam_params ad_wd = {1e-2f, 0.9f, 0.99f, 1e-6f, 0.01f};
    const optim_case cases[] = {
        {0, sgd_def, ad_def, 1, 3},     {0, sgd_def, ad_def, 37, 5},  {0, sgd_wd, ad_def, 1000, 4},
        {0, sgd_plain, ad_def, 37, 3},  {1, sgd_def, ad_def, 1, 3},   {1, sgd_def, ad_def, 37, 5},
        {1, sgd_def, ad_wd, 1000, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(run, &cases[i], 301 + 13 * i);
    run_hand_cases(run);
    run_ema_case(run, 1, 3, 401);
    run_ema_case(run, 1000, 12, 402);
    run_ema_hand(run);
    run_invalid(run);
}
