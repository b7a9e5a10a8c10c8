// shape_ops.cl — channel concat (forward and backward split) and one-hot labels.
// One work-item per OUTPUT element (gathers only); i < count. HW = H*W.
// Indices are split as t = i / D, r = i - t * D rather than with %: LLVM turns a
// div/rem pair into a `freeze` instruction that oclgrind 21.10's checker rejects.

// y [N,C1+C2,HW] = concat(a [N,C1,HW], b [N,C2,HW]) along channels.
__kernel void concat_forward(const int count, const int C1, const int C2, const int HW, __global const float *a,
                             __global const float *b, __global float *y)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int C = C1 + C2;
    int t = i / HW, hw = i - t * HW; /* no %: see the banner */
    int n = t / C, c = t - n * C;
    y[i] = c < C1 ? a[((size_t)n * C1 + c) * HW + hw] : b[((size_t)n * C2 + (c - C1)) * HW + hw];
}

// d [N,Cd,HW] = dy [N,Cs,HW] channels off .. off+Cd-1 (count = N*Cd*HW); called once for da and once for db.
__kernel void concat_backward(const int count, const int Cs, const int Cd, const int off, const int HW,
                              __global const float *dy, __global float *d)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int t = i / HW, hw = i - t * HW;
    int n = t / Cd, c = t - n * Cd;
    d[i] = dy[((size_t)n * Cs + off + c) * HW + hw];
}

// y [N,K,HW] = 1 where channel == labels[n], else 0; an out-of-range label gives an all-zero row.
// labels [N] int32. No backward: labels are data.
__kernel void one_hot_forward(const int count, const int K, const int HW, __global const int *labels,
                              __global float *y)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int t = i / HW;
    int n = t / K, c = t - n * K;
    y[i] = labels[n] == c ? 1.0f : 0.0f;
}
