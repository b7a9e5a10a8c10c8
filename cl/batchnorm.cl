// batchnorm.cl — batch normalization over N*H*W per channel, forward and backward.
// x, y, dy, dx [N,C,HW] (HW = H*W; a dense activation is [N,F,1,1]); per-channel
// vectors [C]. M = N*HW. Reductions: one work-group per channel (group id = c), a
// power-of-two work-group size L <= BN_MAX_WG from the host, strided loads, and a
// tree in a fixed-size __local array.
// Synchronised batchnorm (data-parallel ranks, each holding an equal share [N,C,HW] of
// the batch): the batchnorm_share_* kernels give per-channel sums over this rank's share,
// the host sums them over the ranks, and batchnorm_sync_finish / batchnorm_sync_dx use
// the totals over all M_total = ranks*N*HW values.

#define BN_MAX_WG 256

// Sum of scratch[0..L) into scratch[0]. Every work-item of the group must reach it (barriers).
#define TREE_SUM(scratch, lid, L)                                          \
    do {                                                                   \
        barrier(CLK_LOCAL_MEM_FENCE);                                      \
        for (int off_ = (L) / 2; off_ > 0; off_ >>= 1) {                   \
            if ((lid) < off_) (scratch)[lid] += (scratch)[(lid) + off_];   \
            barrier(CLK_LOCAL_MEM_FENCE);                                  \
        }                                                                  \
    } while (0)

// Advance (n, j) = divmod(m, HW) by L = dn*HW + dj without dividing.
#define NEXT_NJ(n, j) ((n) += dn, (j) += dj, (j) >= HW ? ((j) -= HW, (n)++) : 0)

// Sums are blocked: each work-item adds BN_BLOCK terms into a partial sum before it joins
// the work-item's total, so the rounding error grows with BN_BLOCK + terms/BN_BLOCK rather
// than with the term count (on CPU devices one work-item sums a whole channel, N*HW terms).
#define BN_BLOCK 64

// This work-item's part of channel c's sum over m = lid, lid+L, ... < M (x [N,C,HW]):
// of x (centred == 0) or of (x - mu)^2 (centred != 0).
static float item_sum(__global const float *x, int c, int C, int HW, int M, int lid, int L, int centred, float mu)
{
    float total = 0.0f, part = 0.0f;
    int k = 0, dn = L / HW, dj = L - dn * HW; /* step of (n, j) = divmod(m, HW) as m += L */
    for (int m = lid, n = lid / HW, j = lid - (lid / HW) * HW; m < M; m += L, NEXT_NJ(n, j)) {
        float v = x[((size_t)n * C + c) * HW + j];
        part += centred ? (v - mu) * (v - mu) : v;
        if (++k == BN_BLOCK) total += part, part = 0.0f, k = 0;
    }
    return total + part;
}

// This work-item's part of channel c's sum(dy) and sum(dy*xhat), xhat = (x - mu)*inv (x, dy [N,C,HW]).
static void item_grad_sums(__global const float *x, __global const float *dy, int c, int C, int HW, int M, int lid,
                           int L, float mu, float inv, float *sdy, float *sdyx)
{
    float t1 = 0.0f, t2 = 0.0f, p1 = 0.0f, p2 = 0.0f;
    int k = 0, dn = L / HW, dj = L - dn * HW;
    for (int m = lid, n = lid / HW, j = lid - (lid / HW) * HW; m < M; m += L, NEXT_NJ(n, j)) {
        size_t at = ((size_t)n * C + c) * HW + j;
        float g = dy[at];
        p1 += g;
        p2 += g * (x[at] - mu) * inv;
        if (++k == BN_BLOCK) t1 += p1, t2 += p2, p1 = p2 = 0.0f, k = 0;
    }
    *sdy = t1 + p1;
    *sdyx = t2 + p2;
}

// Channel c's statistics from mu = mean and q = sum (x-mu)^2 over M values:
// mean[c] = mu, inv_std[c] = 1/sqrt(q/M + eps), running statistics updated with the unbiased q/(M-1).
static void finish_stats(int c, int M, float eps, float momentum, float mu, float q, __global float *mean,
                         __global float *inv_std, __global float *running_mean, __global float *running_var)
{
    float var = q / (float)M;
    float unbiased = M > 1 ? q / (float)(M - 1) : var;
    mean[c] = mu;
    inv_std[c] = 1.0f / sqrt(var + eps);
    running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mu;
    running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
}

// Training statistics, global = C*L, local = L:
// mean[c], inv_std[c] = 1/sqrt(biased var + eps) (saved for backward);
// running_mean = (1-m)*running_mean + m*mean, running_var = (1-m)*running_var + m*unbiased var.
__kernel void batchnorm_stats(const int N, const int C, const int HW, const float eps, const float momentum,
                              __global const float *x, __global float *mean, __global float *inv_std,
                              __global float *running_mean, __global float *running_var)
{
    __local float scratch[BN_MAX_WG];
    int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    if (c >= C) return; /* uniform over the work-group */
    int M = N * HW;
    float s = 0.0f;
    scratch[lid] = item_sum(x, c, C, HW, M, lid, L, 0, 0.0f);
    TREE_SUM(scratch, lid, L);
    float mu = scratch[0] / (float)M;
    barrier(CLK_LOCAL_MEM_FENCE); /* all have read scratch[0] before it is overwritten */
    scratch[lid] = item_sum(x, c, C, HW, M, lid, L, 1, mu);
    TREE_SUM(scratch, lid, L);
    if (lid == 0) finish_stats(c, M, eps, momentum, mu, scratch[0], mean, inv_std, running_mean, running_var);
}

// y [N,C,HW] = gamma*(x-mean)*inv_std + beta, one work-item per element (count = N*C*HW).
__kernel void batchnorm_apply(const int count, const int C, const int HW, __global const float *x,
                              __global const float *gamma, __global const float *beta, __global const float *mean,
                              __global const float *inv_std, __global float *y)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int c = (i / HW) % C;
    y[i] = gamma[c] * ((x[i] - mean[c]) * inv_std[c]) + beta[c];
}

// Inference: y [N,C,HW] = gamma*(x-running_mean)/sqrt(running_var+eps) + beta (count = N*C*HW).
__kernel void batchnorm_infer(const int count, const int C, const int HW, const float eps,
                              __global const float *x, __global const float *gamma, __global const float *beta,
                              __global const float *running_mean, __global const float *running_var,
                              __global float *y)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int c = (i / HW) % C;
    float inv = 1.0f / sqrt(running_var[c] + eps);
    y[i] = gamma[c] * ((x[i] - running_mean[c]) * inv) + beta[c];
}

// One element's dx = gamma*inv_std/M * (M*dy - sdy - xhat*sdyx), xhat = (x-mu)*inv_std, from the
// sums sdy = sum(dy), sdyx = sum(dy*xhat) over the M values of its channel.
static float dx_of(int M, float gamma, float mu, float inv, float sdy, float sdyx, float x, float dy)
{
    float xhat = (x - mu) * inv;
    return gamma * inv / (float)M * ((float)M * dy - sdy - xhat * sdyx);
}

// Training-mode backward, global = C*L, local = L; xhat = (x-mean)*inv_std:
// dgamma[c] += sum(dy*xhat), dbeta[c] += sum(dy) (accumulate);
// dx = gamma*inv_std/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)) (written).
__kernel void batchnorm_backward(const int N, const int C, const int HW, __global const float *x,
                                 __global const float *dy, __global const float *gamma,
                                 __global const float *mean, __global const float *inv_std, __global float *dx,
                                 __global float *dgamma, __global float *dbeta)
{
    __local float scratch[2 * BN_MAX_WG];
    int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    if (c >= C) return; /* uniform over the work-group */
    int M = N * HW;
    float mu = mean[c], inv = inv_std[c];
    float sdy, sdyx;
    item_grad_sums(x, dy, c, C, HW, M, lid, L, mu, inv, &sdy, &sdyx);
    scratch[lid] = sdy;
    scratch[L + lid] = sdyx;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (lid < off) {
            scratch[lid] += scratch[lid + off];
            scratch[L + lid] += scratch[L + lid + off];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    sdy = scratch[0];
    sdyx = scratch[L];
    if (lid == 0) {
        dgamma[c] += sdyx;
        dbeta[c] += sdy;
    }
    int dn = L / HW, dj = L - dn * HW; /* step of (n, j) = divmod(m, HW) as m += L */
    for (int m = lid, n = lid / HW, j = lid - (lid / HW) * HW; m < M; m += L, NEXT_NJ(n, j)) {
        size_t at = ((size_t)n * C + c) * HW + j;
        dx[at] = dx_of(M, gamma[c], mu, inv, sdy, sdyx, x[at], dy[at]);
    }
}

// batchnorm_apply for CPU devices: one work-item per (c, n), global = (C, N),
// looping over the HW contiguous elements.
__kernel void batchnorm_apply_rows(const int N, const int C, const int HW, __global const float *x,
                                   __global const float *gamma, __global const float *beta,
                                   __global const float *mean, __global const float *inv_std, __global float *y)
{
    int c = get_global_id(0), n = get_global_id(1);
    if (c >= C || n >= N) return;
    float g = gamma[c], mu = mean[c], inv = inv_std[c], b = beta[c];
    size_t at = ((size_t)n * C + c) * HW;
    for (int j = 0; j < HW; j++) y[at + j] = g * ((x[at + j] - mu) * inv) + b;
}

// ---- synchronised batchnorm: sums over this rank's share, totals over the ranks from the host ----

// Per-channel sum over the share [N,C,HW], global = C*L, local = L:
// out[c] = sum x (centred == 0: mean is not read) or sum (x - mean[c])^2 (centred != 0).
__kernel void batchnorm_share_sum(const int N, const int C, const int HW, const int centred,
                                  __global const float *x, __global const float *mean, __global float *out)
{
    __local float scratch[BN_MAX_WG];
    int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    if (c >= C) return; /* uniform over the work-group */
    int M = N * HW;
    scratch[lid] = item_sum(x, c, C, HW, M, lid, L, centred, centred ? mean[c] : 0.0f);
    TREE_SUM(scratch, lid, L);
    if (lid == 0) out[c] = scratch[0];
}

// From the totals over the ranks, one work-item per channel (count = C): mean [C] holds each
// channel's mean, inv_std [C] holds q = sum (x-mean)^2 over all M_total values on entry and
// 1/sqrt(q/M_total + eps) on return; running statistics updated as in batchnorm_stats.
__kernel void batchnorm_sync_finish(const int C, const int M_total, const float eps, const float momentum,
                                    __global float *mean, __global float *inv_std, __global float *running_mean,
                                    __global float *running_var)
{
    int c = get_global_id(0);
    if (c >= C) return;
    finish_stats(c, M_total, eps, momentum, mean[c], inv_std[c], mean, inv_std, running_mean, running_var);
}

// Per-channel gradient sums over the share [N,C,HW], global = C*L, local = L, xhat = (x-mean)*inv_std:
// sums [2C] = [sum(dy) | sum(dy*xhat)] (written); dbeta[c] += sum(dy), dgamma[c] += sum(dy*xhat) (accumulate).
__kernel void batchnorm_share_grad_sums(const int N, const int C, const int HW, __global const float *x,
                                        __global const float *dy, __global const float *mean,
                                        __global const float *inv_std, __global float *sums,
                                        __global float *dgamma, __global float *dbeta)
{
    __local float scratch[2 * BN_MAX_WG];
    int c = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    if (c >= C) return; /* uniform over the work-group */
    int M = N * HW;
    float sdy, sdyx;
    item_grad_sums(x, dy, c, C, HW, M, lid, L, mean[c], inv_std[c], &sdy, &sdyx);
    scratch[lid] = sdy;
    scratch[BN_MAX_WG + lid] = sdyx;
    TREE_SUM(scratch, lid, L);
    TREE_SUM(scratch + BN_MAX_WG, lid, L);
    if (lid == 0) {
        sums[c] = scratch[0];
        sums[C + c] = scratch[BN_MAX_WG];
        dbeta[c] += scratch[0];
        dgamma[c] += scratch[BN_MAX_WG];
    }
}

// dx [N,C,HW] from sums [2C] = [S1 | S2], the totals over the ranks of sum(dy), sum(dy*xhat),
// one work-item per element (count = N*C*HW): dx = gamma*inv_std/M_total * (M_total*dy - S1 - xhat*S2).
__kernel void batchnorm_sync_dx(const int count, const int C, const int HW, const int M_total,
                                __global const float *x, __global const float *dy, __global const float *gamma,
                                __global const float *mean, __global const float *inv_std,
                                __global const float *sums, __global float *dx)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int c = (i / HW) % C;
    dx[i] = dx_of(M_total, gamma[c], mean[c], inv_std[c], sums[c], sums[C + c], x[i], dy[i]);
}
