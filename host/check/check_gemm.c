/* check_gemm.c — clgan_gemm (gemm.h, the CLBlast SGEMM every GEMM-based
 * layer op runs on) against a host product, with each operand stored
 * plain or transposed. */
#include "check.h"
#include "nn/gemm.h"

#include <stdio.h>

/* C [2,4] = alpha * op(A) [2,3] · op(B) [3,4] + beta * C, with A and B stored
 * transposed when trans_a / trans_b; beta = 1 on a non-zero C. */
static void check_gemm_sanity(check_run *run, int ta, int tb)
{
    char name[96];
    snprintf(name, sizeof name, "gemm.sanity [2x3]x[3x4] trans_a=%d trans_b=%d", ta, tb);
    if (!check_wanted(run, name)) return;
    enum { M = 2, N = 4, K = 3 };
    double a[M * K], bm[K * N], c[M * N], want[M * N];
    check_rng rng = {99 + 2 * ta + tb};
    check_fill(&rng, a, M * K, -1, 1);
    check_fill(&rng, bm, K * N, -1, 1);
    check_fill(&rng, c, M * N, -1, 1);
    const double alpha = 0.5, beta = 1.0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? bm[j * K + k] : bm[k * N + j]);
            want[i * N + j] = alpha * s + beta * c[i * N + j];
        }
    clgan_tensor ta_ = {0}, tb_ = {0}, tc = {0};
    float got[M * N];
    double t0 = check_now();
    clgan_status st;
    if ((st = check_tensor(run->ctx, M * K, 1, 1, 1, a, &ta_)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, K * N, 1, 1, 1, bm, &tb_)) != CLGAN_OK ||
        (st = check_tensor(run->ctx, M * N, 1, 1, 1, c, &tc)) != CLGAN_OK ||
        (st = clgan_gemm(run->ctx, ta, tb, M, N, K, (float)alpha, ta_.mem, 0, ta ? M : K, tb_.mem, 0, tb ? K : N,
                         (float)beta, tc.mem, 0, N)) != CLGAN_OK ||
        (st = check_download(run->ctx, &tc, got)) != CLGAN_OK)
        check_report_status(run, name, st, t0);
    else
        check_compare(run, name, got, want, M * N, 1e-5, t0);
    clgan_tensor_free(run->ctx, &ta_);
    clgan_tensor_free(run->ctx, &tb_);
    clgan_tensor_free(run->ctx, &tc);
}

void check_gemm(check_run *run)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) check_gemm_sanity(run, ta, tb);
}
