/* check_shape_ops.c — host reference and device checks for channel concat
 * (forward, backward split, finite differences), one-hot labels and reshape. */
#include "check.h"
#include "nn/shape_ops.h"

#include <stdio.h>

/* Reference concat forward: y [N,C1+C2,HW] from a [N,C1,HW], b [N,C2,HW]. */
static void ref_concat_forward(int N, int C1, int C2, int HW, const double *a, const double *b, double *y)
{
    for (int n = 0; n < N; n++) {
        for (int i = 0; i < C1 * HW; i++) y[(size_t)n * (C1 + C2) * HW + i] = a[(size_t)n * C1 * HW + i];
        for (int i = 0; i < C2 * HW; i++) y[(size_t)n * (C1 + C2) * HW + C1 * HW + i] = b[(size_t)n * C2 * HW + i];
    }
}

/* Reference concat backward: da, db = the channel blocks of dy, element by element in NCHW order. */
static void ref_concat_backward(int N, int C1, int C2, int HW, const double *dy, double *da, double *db)
{
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C1 + C2; c++)
            for (int j = 0; j < HW; j++) {
                double g = dy[((size_t)n * (C1 + C2) + c) * HW + j];
                if (c < C1) da[((size_t)n * C1 + c) * HW + j] = g;
                else db[((size_t)n * C2 + (c - C1)) * HW + j] = g;
            }
}

/* finite differences over the stacked input [a, b] */
typedef struct fd_user { int N, C1, C2, HW; } fd_user;
static void fd_concat(void *user, const double *in, double *out)
{
    fd_user *u = user;
    ref_concat_forward(u->N, u->C1, u->C2, u->HW, in, in + (size_t)u->N * u->C1 * u->HW, out);
}

static void concat_case(check_run *run, int N, int C1, int C2, int H, int W, uint64_t seed)
{
    char fwd[128], bwd[128], bwda[128], bwdb[128], grad[128];
    snprintf(fwd, sizeof fwd, "shape_ops.concat.forward [%d,%d|%d,%d,%d]", N, C1, C2, H, W);
    snprintf(bwd, sizeof bwd, "shape_ops.concat.backward [%d,%d|%d,%d,%d]", N, C1, C2, H, W);
    snprintf(bwda, sizeof bwda, "shape_ops.concat.backward da only [%d,%d|%d,%d,%d]", N, C1, C2, H, W);
    snprintf(bwdb, sizeof bwdb, "shape_ops.concat.backward db only [%d,%d|%d,%d,%d]", N, C1, C2, H, W);
    snprintf(grad, sizeof grad, "shape_ops.concat.gradcheck [%d,%d|%d,%d,%d]", N, C1, C2, H, W);
    if (!check_wanted(run, fwd) && !check_wanted(run, bwd) && !check_wanted(run, bwda) && !check_wanted(run, bwdb) &&
        !check_wanted(run, grad))
        return;
    int HW = H * W, C = C1 + C2;
    size_t na = (size_t)N * C1 * HW, nb = (size_t)N * C2 * HW, ny = na + nb;
    check_mem mem = {0};
    check_rng rng = {seed};
    double *ab = check_doubles(&mem, ny), *y = check_doubles(&mem, ny), *dy = check_doubles(&mem, ny);
    double *dab = check_doubles(&mem, ny);
    double *a = ab, *b = ab + na, *da = dab, *db = dab + na;
    float *got = check_floats(&mem, ny);
    check_fill(&rng, ab, ny, -3, 3);
    check_fill(&rng, dy, ny, -1, 1);
    ref_concat_forward(N, C1, C2, HW, a, b, y);
    ref_concat_backward(N, C1, C2, HW, dy, da, db);
    if (check_wanted(run, grad)) {
        double t0 = check_now();
        fd_user u = {N, C1, C2, HW};
        double err = check_fd_error(fd_concat, &u, ab, ny, ny, dy, dab, 1e-6);
        check_report(run, grad, err <= 1e-6, err, check_now() - t0,
                     err <= 1e-6 ? "" : "host backward disagrees with finite differences");
    }
    clgan_tensor ta = {0}, tb = {0}, ty = {0}, tdy = {0}, tda = {0}, tdb = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, N, C1, H, W, a, &ta)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C2, H, W, b, &tb)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C, H, W, NULL, &ty)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C, H, W, dy, &tdy)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C1, H, W, NULL, &tda)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, N, C2, H, W, NULL, &tdb)) != CLGAN_OK ||
        (st = clgan_concat_forward(run->ctx, &ta, &tb, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK) {
        check_report_status(run, fwd, st, t0);
        goto done;
    }
    if (check_wanted(run, fwd)) check_compare(run, fwd, got, y, ny, 1e-5, t0);
    t0 = check_now();
    if ((st = clgan_concat_backward(run->ctx, &tdy, &tda, &tdb)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tda, got)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdb, got + na)) != CLGAN_OK) {
        check_report_status(run, bwd, st, t0);
        goto done;
    }
    if (check_wanted(run, bwd)) check_compare(run, bwd, got, dab, ny, 1e-5, t0);
    /* One side skipped: the other side alone must still land right, and the skipped one stay untouched. */
    t0 = check_now();
    if ((st = clgan_tensor_zero(run->ctx, &tda)) != CLGAN_OK || (st = clgan_tensor_zero(run->ctx, &tdb)) != CLGAN_OK ||
        (st = clgan_concat_backward(run->ctx, &tdy, &tda, NULL)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tda, got)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdb, got + na)) != CLGAN_OK) {
        check_report_status(run, bwda, st, t0);
        goto done;
    }
    double *want = check_doubles(&mem, ny);
    for (size_t i = 0; i < na; i++) want[i] = da[i];
    if (check_wanted(run, bwda)) check_compare(run, bwda, got, want, ny, 1e-5, t0);
    t0 = check_now();
    if ((st = clgan_tensor_zero(run->ctx, &tda)) != CLGAN_OK ||
        (st = clgan_concat_backward(run->ctx, &tdy, NULL, &tdb)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tda, got)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tdb, got + na)) != CLGAN_OK) {
        check_report_status(run, bwdb, st, t0);
        goto done;
    }
    for (size_t i = 0; i < ny; i++) want[i] = i < na ? 0.0 : dab[i];
    if (check_wanted(run, bwdb)) check_compare(run, bwdb, got, want, ny, 1e-5, t0);
done:
    clgan_tensor_free(run->ctx, &ta);
    clgan_tensor_free(run->ctx, &tb);
    clgan_tensor_free(run->ctx, &ty);
    clgan_tensor_free(run->ctx, &tdy);
    clgan_tensor_free(run->ctx, &tda);
    clgan_tensor_free(run->ctx, &tdb);
    check_mem_free(&mem);
}

/* Reference one-hot: y [N,K,HW] = (c == labels[n]); an out-of-range label gives zeros. */
static void ref_one_hot(int N, int K, int HW, const int *labels, double *y)
{
    for (int n = 0; n < N; n++)
        for (int c = 0; c < K; c++)
            for (int j = 0; j < HW; j++) y[((size_t)n * K + c) * HW + j] = labels[n] == c ? 1.0 : 0.0;
}

static void one_hot_case(check_run *run, int N, int K, int H, int W, const int *labels)
{
    char name[128];
    snprintf(name, sizeof name, "shape_ops.one_hot.forward [%d,%d,%d,%d]", N, K, H, W);
    if (!check_wanted(run, name)) return;
    size_t ny = (size_t)N * K * H * W;
    check_mem mem = {0};
    double *want = check_doubles(&mem, ny);
    float *got = check_floats(&mem, ny);
    ref_one_hot(N, K, H * W, labels, want);
    clgan_tensor ty = {0};
    cl_mem tl = NULL;
    double t0 = check_now();
    clgan_status st;
    /* y starts non-zero (filled with 7) so a kernel that skips the zeros is caught. */
    for (size_t i = 0; i < ny; i++) got[i] = 7.0f;
    if ((st = check_tensor(run->ctx, N, K, H, W, NULL, &ty)) != CLGAN_OK ||
        (st = clgan_tensor_upload(run->ctx, &ty, got)) != CLGAN_OK ||
        (st = clgan_buffer_create(run->ctx, (size_t)N * sizeof(cl_int), &tl)) != CLGAN_OK ||
        (st = clgan_buffer_write(run->ctx, tl, 0, (size_t)N * sizeof(cl_int), labels)) != CLGAN_OK ||
        (st = clgan_one_hot_forward(run->ctx, tl, &ty)) != CLGAN_OK ||
        (st = check_download(run->ctx, &ty, got)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got, want, ny, 0.0, t0);
    clgan_buffer_release(run->ctx, tl);
    clgan_tensor_free(run->ctx, &ty);
    check_mem_free(&mem);
}

/* Reshape is metadata only: same count works (data untouched), anything else fails and leaves t as it was. */
static void reshape_check(check_run *run)
{
    const char *name = "shape_ops.reshape [2,3,4,5] -> [2,60,1,1] -> [6,1,4,5]";
    if (!check_wanted(run, name)) return;
    double t0 = check_now();
    clgan_tensor t = {0};
    cl_mem keep = NULL;
    clgan_status st = check_tensor(run->ctx, 2, 3, 4, 5, NULL, &t);
    if (st != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        return;
    }
    keep = t.mem;
    char msg[200] = "";
    if (clgan_tensor_reshape(&t, 2, 60, 1, 1) != CLGAN_OK || t.n != 2 || t.c != 60 || t.h != 1 || t.w != 1 ||
        t.count != 120 || t.mem != keep)
        snprintf(msg, sizeof msg, "flatten to [2,60,1,1] failed or changed the wrong fields");
    else if (clgan_tensor_reshape(&t, 6, 1, 4, 5) != CLGAN_OK || t.n != 6 || t.c != 1 || t.h != 4 || t.w != 5)
        snprintf(msg, sizeof msg, "reshape to [6,1,4,5] failed");
    else if (clgan_tensor_reshape(&t, 2, 3, 4, 6) != CLGAN_ERR_INVALID_ARG || t.n != 6 || t.c != 1 || t.h != 4 ||
             t.w != 5 || t.count != 120)
        snprintf(msg, sizeof msg, "reshape to 144 elements was accepted or changed the tensor");
    else if (clgan_tensor_reshape(&t, -2, -3, 4, 5) != CLGAN_ERR_INVALID_ARG || t.n != 6)
        snprintf(msg, sizeof msg, "a negative shape with the right product was accepted");
    else if (clgan_tensor_reshape(&t, 120, 65536, 65536, 65536) != CLGAN_ERR_INVALID_ARG || t.n != 6)
        snprintf(msg, sizeof msg, "a huge shape (past 2^32 elements) was accepted");
    clgan_clear_error();
    check_report(run, name, msg[0] == 0, msg[0] ? 1 : 0, check_now() - t0, msg);
    clgan_tensor_free(run->ctx, &t);
}

/* Concat shape validation: mismatched N or H, and wrong channel totals, give CLGAN_ERR_INVALID_ARG. */
static void concat_invalid(check_run *run)
{
    const char *name = "shape_ops.concat.invalid_args";
    if (!check_wanted(run, name)) return;
    clgan_tensor a = {0}, b = {0}, bh = {0}, y = {0};
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, 2, 2, 3, 3, NULL, &a)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 2, 1, 3, 3, NULL, &b)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 2, 1, 4, 3, NULL, &bh)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, 2, 4, 3, 3, NULL, &y)) != CLGAN_OK) {
        check_report_status(run, name, st, t0);
        goto done;
    }
    const check_refused_call cases[] = {
        {"forward: 2 + 1 channels into 4", clgan_concat_forward(run->ctx, &a, &b, &y)},
        {"forward: H differs", clgan_concat_forward(run->ctx, &a, &bh, &y)},
        {"backward: 4 channels into 2 + 1", clgan_concat_backward(run->ctx, &y, &a, &b)},
        {"backward: da takes every channel, no db", clgan_concat_backward(run->ctx, &y, &y, NULL)},
    };
    check_report_refused(run, name, cases, sizeof cases / sizeof cases[0], t0);
done:
    clgan_tensor_free(run->ctx, &a);
    clgan_tensor_free(run->ctx, &b);
    clgan_tensor_free(run->ctx, &bh);
    clgan_tensor_free(run->ctx, &y);
}

void check_shape_ops(check_run *run)
{
    concat_case(run, 2, 3, 2, 4, 5, 301);  /* images */
    concat_case(run, 1, 1, 4, 1, 1, 302);  /* dense, batch 1 */
    concat_case(run, 3, 5, 1, 3, 1, 303);  /* non-square, C2 = 1 */
    concat_invalid(run);
    const int dense_labels[] = {0, 3, -1, 4, 2}; /* -1 and 4 are out of range for K = 4 */
    one_hot_case(run, 5, 4, 1, 1, dense_labels);
    const int image_labels[] = {2, 0, 1};
    one_hot_case(run, 3, 3, 2, 5, image_labels);
    reshape_check(run);
}
