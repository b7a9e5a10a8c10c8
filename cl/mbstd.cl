// mbstd.cl — minibatch standard deviation (Karras et al. 2018), forward and backward.
// x [N,C,H,W] -> y [N,C+1,H,W]: channels 0..C-1 copy x, channel C holds at every (n,h,w)
// the scalar s = mean over p of std[p], std[p] = sqrt(var_n(x[:,p]) + eps), p = (c,h,w) in
// [0,P), P = C*H*W, biased (1/N) variance. Backward writes dx [N,C,H,W]:
// dx = dy[:, :C] + g * (x - mean[p]) / (N * std[p] * P), g = sum over (n,h,w) of dy[n,C,h,w].
// scratch (caller's) floats: [0,P) std, [P,2P) mean, [2P] the scalar s (forward) or g (backward).
// The single-work-group reductions use a power-of-two work-group size L <= MBSTD_MAX_WG
// from the host and a tree in a fixed-size __local array. No atomics.

#define MBSTD_MAX_WG 256

// Sum of buf[0..L) into buf[0]. Every work-item of the group must reach it (barriers).
#define MBSTD_TREE_SUM(buf, lid, L)                                    \
    do {                                                               \
        barrier(CLK_LOCAL_MEM_FENCE);                                  \
        for (int off_ = (L) / 2; off_ > 0; off_ >>= 1) {               \
            if ((lid) < off_) (buf)[lid] += (buf)[(lid) + off_];       \
            barrier(CLK_LOCAL_MEM_FENCE);                              \
        }                                                              \
    } while (0)

// Forward and backward step 1. x [N,P], scratch [2P+1]; one work-item per position p < P:
// mean[p] = sum_n x[n,p] / N, std[p] = sqrt(sum_n (x[n,p] - mean[p])^2 / N + eps).
// With N = 1 the variance is exactly 0, so std = sqrt(eps).
__kernel void mbstd_stats(const int N, const int P, const float eps, __global const float *x,
                          __global float *scratch)
{
    int p = get_global_id(0);
    if (p >= P) return;
    float s = 0.0f;
    for (int n = 0; n < N; n++) s += x[(size_t)n * P + p];
    float mu = s / (float)N;
    float q = 0.0f;
    for (int n = 0; n < N; n++) {
        float d = x[(size_t)n * P + p] - mu;
        q += d * d;
    }
    scratch[p] = sqrt(q / (float)N + eps);
    scratch[P + p] = mu;
}

// Forward step 2. One work-group, global = local = L: scratch[2P] = sum_{p<P} std[p] / P.
__kernel void mbstd_reduce_std(const int P, __global float *scratch)
{
    __local float buf[MBSTD_MAX_WG];
    int lid = get_local_id(0), L = get_local_size(0);
    if (get_group_id(0) != 0) return; /* uniform over the work-group */
    float s = 0.0f;
    for (int p = lid; p < P; p += L) s += scratch[p];
    buf[lid] = s;
    MBSTD_TREE_SUM(buf, lid, L);
    if (lid == 0) scratch[2 * P] = buf[0] / (float)P;
}

// Forward step 3. x [N,C,HW], y [N,C+1,HW], one work-item per element of y (count = N*(C+1)*HW):
// y[n,c,j] = c < C ? x[n,c,j] : scratch[2P].
__kernel void mbstd_forward(const int N, const int C, const int HW, __global const float *x,
                            __global const float *scratch, __global float *y)
{
    int i = get_global_id(0);
    int C1 = C + 1;
    if (i >= N * C1 * HW) return;
    int n = i / (C1 * HW), r = i - n * C1 * HW;
    int c = r / HW, j = r - c * HW;
    y[i] = c < C ? x[((size_t)n * C + c) * HW + j] : scratch[2 * C * HW];
}

// Backward step 2. One work-group, global = local = L; dy [N,C+1,HW]:
// scratch[2P] = g = sum over n < N, j < HW of dy[n,C,j]   (P = C*HW).
__kernel void mbstd_reduce_dy(const int N, const int C, const int HW, __global const float *dy,
                              __global float *scratch)
{
    __local float buf[MBSTD_MAX_WG];
    int lid = get_local_id(0), L = get_local_size(0);
    if (get_group_id(0) != 0) return; /* uniform over the work-group */
    int M = N * HW;
    float s = 0.0f;
    for (int m = lid; m < M; m += L) {
        int n = m / HW, j = m - n * HW;
        s += dy[((size_t)n * (C + 1) + C) * HW + j];
    }
    buf[lid] = s;
    MBSTD_TREE_SUM(buf, lid, L);
    if (lid == 0) scratch[2 * C * HW] = buf[0];
}

// Backward step 3. x, dx [N,C,HW], dy [N,C+1,HW], one work-item per element of dx (count = N*P):
// dx[n,p] = dy[n,c,j] + g * (x[n,p] - mean[p]) / (N * std[p] * P), p = c*HW + j, g = scratch[2P].
__kernel void mbstd_backward(const int N, const int C, const int HW, __global const float *x,
                             __global const float *dy, __global const float *scratch, __global float *dx)
{
    int i = get_global_id(0);
    int P = C * HW;
    if (i >= N * P) return;
    int n = i / P, p = i - n * P;
    int c = p / HW, j = p - c * HW;
    float k = scratch[2 * P] / ((float)N * (float)P);
    dx[i] = dy[((size_t)n * (C + 1) + c) * HW + j] + k * (x[i] - scratch[P + p]) / scratch[p];
}
