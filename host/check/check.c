/* check.c — comparison, finite differences, host RNG and reporting for the
 * self-test harness. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int check_wanted(const check_run *run, const char *name)
{
    return !run->pattern || !*run->pattern || strstr(name, run->pattern) != NULL;
}

void check_report(check_run *run, const char *name, int passed, double max_error, double seconds, const char *message)
{
    run->run++;
    if (!passed) run->failed++;
    if (run->cb) {
        clgan_check_result r = {name, passed, max_error, seconds, message ? message : ""};
        run->cb(&r, run->user);
    }
}

void check_report_status(check_run *run, const char *name, clgan_status st, double t0)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: %s", clgan_status_name(st), clgan_last_error());
    check_report(run, name, 0, NAN, check_now() - t0, msg);
}

int check_refused(const check_refused_call *cases, size_t n, char *msg, size_t cap)
{
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++)
        if (cases[i].st != CLGAN_ERR_INVALID_ARG) {
            ok = 0;
            snprintf(msg, cap, "%s: got %s, want CLGAN_ERR_INVALID_ARG", cases[i].what, clgan_status_name(cases[i].st));
        }
    clgan_clear_error();
    return ok;
}

void check_report_refused(check_run *run, const char *name, const check_refused_call *cases, size_t n, double t0)
{
    char msg[256] = "";
    int ok = check_refused(cases, n, msg, sizeof msg);
    check_report(run, name, ok, ok ? 0 : 1, check_now() - t0, msg);
}

double check_now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double check_max_error(const float *got, const double *want, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double g = got[i], w = want[i];
        if (isnan(g) || isinf(g)) return INFINITY;
        double scale = fabs(w) > 1.0 ? fabs(w) : 1.0;
        double e = fabs(g - w) / scale;
        if (e > worst) worst = e;
    }
    return worst;
}

void check_compare(check_run *run, const char *name, const float *got, const double *want, size_t n, double tol,
                   double t0)
{
    double err = check_max_error(got, want, n);
    char msg[160] = "";
    if (!(err <= tol)) {
        size_t at = 0;
        double worst = -1;
        for (size_t i = 0; i < n; i++) {
            double scale = fabs(want[i]) > 1.0 ? fabs(want[i]) : 1.0;
            double e = fabs(got[i] - want[i]) / scale;
            if (isnan(e) || e > worst) { worst = isnan(e) ? INFINITY : e; at = i; }
        }
        snprintf(msg, sizeof msg, "max error %.3g > tolerance %.3g at element %zu (got %.6g, want %.6g)", err, tol,
                 at, got[at], want[at]);
    }
    check_report(run, name, err <= tol, err, check_now() - t0, msg);
}

uint64_t check_next(check_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double check_uniform(check_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * ((check_next(r) >> 11) * (1.0 / 9007199254740992.0));
}

void check_fill(check_rng *r, double *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = check_uniform(r, lo, hi);
}

double check_fd_error(check_fn f, void *user, double *in, size_t n_in, size_t n_out, const double *r,
                      const double *analytic, double eps)
{
    double *out = malloc(n_out * sizeof *out);
    if (!out) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < n_in; i++) {
        double keep = in[i], lp = 0, lm = 0;
        in[i] = keep + eps;
        f(user, in, out);
        for (size_t j = 0; j < n_out; j++) lp += r[j] * out[j];
        in[i] = keep - eps;
        f(user, in, out);
        for (size_t j = 0; j < n_out; j++) lm += r[j] * out[j];
        in[i] = keep;
        double numeric = (lp - lm) / (2 * eps);
        double scale = fabs(numeric) > 1.0 ? fabs(numeric) : 1.0;
        double e = fabs(numeric - analytic[i]) / scale;
        if (isnan(e)) e = INFINITY;
        if (e > worst) worst = e;
    }
    free(out);
    return worst;
}

clgan_status check_upload(clgan_ctx *ctx, clgan_tensor *t, const double *src)
{
    float *tmp = malloc(t->count * sizeof *tmp);
    if (!tmp) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    for (size_t i = 0; i < t->count; i++) tmp[i] = (float)src[i];
    clgan_status st = clgan_tensor_upload(ctx, t, tmp);
    free(tmp);
    return st;
}

clgan_status check_download(clgan_ctx *ctx, const clgan_tensor *t, float *dst)
{
    return clgan_tensor_download(ctx, t, dst);
}

clgan_status check_tensor(clgan_ctx *ctx, int n, int c, int h, int w, const double *src, clgan_tensor *t)
{
    TRY(clgan_tensor_alloc(ctx, n, c, h, w, t));
    if (src) return check_upload(ctx, t, src);
    return CLGAN_OK;
}

static void *keep(check_mem *m, void *p)
{
    if (p && m->count < (int)(sizeof m->blocks / sizeof m->blocks[0])) m->blocks[m->count++] = p;
    else if (p) { free(p); p = NULL; }
    return p;
}

double *check_doubles(check_mem *m, size_t n) { return keep(m, calloc(n ? n : 1, sizeof(double))); }
float *check_floats(check_mem *m, size_t n) { return keep(m, calloc(n ? n : 1, sizeof(float))); }

void check_mem_free(check_mem *m)
{
    for (int i = 0; i < m->count; i++) free(m->blocks[i]);
    m->count = 0;
}
