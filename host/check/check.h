/* check.h — the harness behind `clgan selftest` and the ctest layer tests:
 * host references in double, device-vs-host comparison with a
 * relative-or-absolute tolerance, and central finite differences.
 *
 * Each op family has one check_<family>.c holding its plain-C reference
 * (forward and backward side by side) and a group function that runs the
 * device op at several small shapes and reports one result per comparison;
 * check_groups.def lists the families for `clgan selftest` and ctest. The
 * GEMM-based layer ops (dense, conv2d, conv_transpose2d) share one harness,
 * check_gemm_op.c.
 */
#ifndef CLGAN_CHECK_H
#define CLGAN_CHECK_H
#include <math.h>
#include <stdint.h>

#include "nn/tensor.h"

typedef struct check_run {
    clgan_ctx *ctx;
    const char *pattern; /* NULL: run everything */
    clgan_check_cb cb;
    void *user;
    int run, failed;
} check_run;

/* Should the check called `name` run (pattern filter)? */
int check_wanted(const check_run *run, const char *name);
void check_report(check_run *run, const char *name, int passed, double max_error, double seconds, const char *message);
/* Report a device-side failure (status != OK) using clgan_last_error(). */
void check_report_status(check_run *run, const char *name, clgan_status st, double t0);
double check_now(void);

/* One call that must be refused: what it tries, and the status it gave. */
typedef struct check_refused_call {
    const char *what;
    clgan_status st;
} check_refused_call;
/* 1 when every call gave CLGAN_ERR_INVALID_ARG; else 0 with "WHAT: got
 * STATUS, want CLGAN_ERR_INVALID_ARG" for the first that did not in msg.
 * Clears the last error the refusals left. */
int check_refused(const check_refused_call *cases, size_t n, char *msg, size_t cap);
/* The same, reported as check `name` (started at t0). */
void check_report_refused(check_run *run, const char *name, const check_refused_call *cases, size_t n, double t0);

/* err_i = |got - want| / max(1, |want|): absolute below 1, relative above. */
double check_max_error(const float *got, const double *want, size_t n);
/* Compare and report; passes when the max error is <= tol. */
void check_compare(check_run *run, const char *name, const float *got, const double *want, size_t n, double tol,
                   double t0);

/* Small deterministic host RNG (splitmix64). */
typedef struct check_rng { uint64_t state; } check_rng;
uint64_t check_next(check_rng *r);
double check_uniform(check_rng *r, double lo, double hi);
void check_fill(check_rng *r, double *x, size_t n, double lo, double hi);

/* Finite differences. f maps in[n_in] to out[n_out]. For the scalar
 * L = sum_j r[j] * out[j], compares analytic dL/din (given) against central
 * differences with step eps; returns the max relative-or-absolute error. */
typedef void (*check_fn)(void *user, const double *in, double *out);
double check_fd_error(check_fn f, void *user, double *in, size_t n_in, size_t n_out, const double *r,
                      const double *analytic, double eps);

/* double host data <-> float device tensor. */
clgan_status check_upload(clgan_ctx *ctx, clgan_tensor *t, const double *src);
clgan_status check_download(clgan_ctx *ctx, const clgan_tensor *t, float *dst);
/* Allocate a tensor and fill it from src (NULL: zeros). */
clgan_status check_tensor(clgan_ctx *ctx, int n, int c, int h, int w, const double *src, clgan_tensor *t);

/* Host buffers that the check frees at its end: a tiny arena. */
typedef struct check_mem { void *blocks[64]; int count; } check_mem;
double *check_doubles(check_mem *m, size_t n);
float *check_floats(check_mem *m, size_t n);
void check_mem_free(check_mem *m);

/* The check groups, one per op family (check_groups.def). */
#define CLGAN_CHECK_GROUP(name) void check_##name(check_run *run);
#include "check_groups.def"
#undef CLGAN_CHECK_GROUP
#endif
