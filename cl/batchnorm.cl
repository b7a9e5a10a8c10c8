// batchnorm.cl — batch normalization over N*H*W per channel, forward and backward.
// x, y, dy, dx [N,C,HW] (HW = H*W; a dense activation is [N,F,1,1]); per-channel
// vectors [C]. M = N*HW. Reductions: one work-group per channel (group id = c), a
// power-of-two work-group size L <= BN_MAX_WG from the host, strided loads, and a
// tree in a fixed-size __local array.

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
    int dn = L / HW, dj = L - dn * HW; /* step of (n, j) = divmod(m, HW) as m += L */
    int n0 = lid / HW, j0 = lid - n0 * HW;
    for (int m = lid, n = n0, j = j0; m < M; m += L, NEXT_NJ(n, j)) s += x[((size_t)n * C + c) * HW + j];
    scratch[lid] = s;
    TREE_SUM(scratch, lid, L);
    float mu = scratch[0] / (float)M;
    barrier(CLK_LOCAL_MEM_FENCE); /* all have read scratch[0] before it is overwritten */
    float q = 0.0f;
    for (int m = lid, n = n0, j = j0; m < M; m += L, NEXT_NJ(n, j)) {
        float d = x[((size_t)n * C + c) * HW + j] - mu;
        q += d * d;
    }
    scratch[lid] = q;
    TREE_SUM(scratch, lid, L);
    if (lid == 0) {
        float var = scratch[0] / (float)M;
        float unbiased = M > 1 ? scratch[0] / (float)(M - 1) : var;
        mean[c] = mu;
        inv_std[c] = 1.0f / sqrt(var + eps);
        running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mu;
        running_var[c] = (1.0f - momentum) * running_var[c] + momentum * unbiased;
    }
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
    float sdy = 0.0f, sdyx = 0.0f;
    int dn = L / HW, dj = L - dn * HW; /* step of (n, j) = divmod(m, HW) as m += L */
    int n0 = lid / HW, j0 = lid - n0 * HW;
    for (int m = lid, n = n0, j = j0; m < M; m += L, NEXT_NJ(n, j)) {
        size_t at = ((size_t)n * C + c) * HW + j;
        float g = dy[at];
        sdy += g;
        sdyx += g * (x[at] - mu) * inv;
    }
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
    float f = gamma[c] * inv / (float)M;
    for (int m = lid, n = n0, j = j0; m < M; m += L, NEXT_NJ(n, j)) {
        size_t at = ((size_t)n * C + c) * HW + j;
        float xhat = (x[at] - mu) * inv;
        dx[at] = f * ((float)M * dy[at] - sdy - xhat * sdyx);
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
