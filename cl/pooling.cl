// pooling.cl — max and average pooling (square k x k window, stride s, no padding),
// forward and backward side by side. x [N,C,H,W] -> y [N,C,OH,OW], OH = (H-k)/s + 1.
// Forward: one work-item per output element. Backward: one work-item per input
// element that GATHERS dy over every window containing it (no atomics, overlapping
// windows k > s work). Windows covering input row ih: oh in [lo, hi] with
// lo = ih >= k ? (ih-k)/s + 1 : 0, hi = min(ih/s, OH-1); same for columns.
// Indices are split as t = i / D, r = i - t * D rather than with %: LLVM turns a
// div/rem pair into a `freeze` instruction that oclgrind 21.10's checker rejects.

// Element i of a [planes, rows, cols] array: (plane, row, column).
static inline int3 plane_row_col(int i, int rows, int cols)
{
    int t = i / cols, col = i - t * cols; /* no %: see the banner */
    int plane = t / rows, row = t - plane * rows;
    return (int3)(plane, row, col);
}

// The outputs (rows or columns, out of `outs`) whose windows contain input `in`: [lo, hi].
static inline int2 windows_over(int in, int k, int s, int outs)
{
    return (int2)(in >= k ? (in - k) / s + 1 : 0, min(in / s, outs - 1));
}

// y, argmax [N,C,OH,OW]: y = window max, argmax = ih*W + iw of the first maximum in the input plane.
__kernel void maxpool_forward(const int count, const int H, const int W, const int OH, const int OW, const int k,
                              const int s, __global const float *x, __global float *y, __global int *argmax)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int3 pos = plane_row_col(i, OH, OW);
    int plane = pos.x, oh = pos.y, ow = pos.z;
    __global const float *xp = x + (size_t)plane * H * W;
    int h0 = oh * s, w0 = ow * s;
    int best_at = h0 * W + w0;
    float best = xp[best_at];
    for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++) {
            int at = (h0 + kh) * W + w0 + kw;
            float v = xp[at];
            if (v > best) {
                best = v;
                best_at = at;
            }
        }
    y[i] = best;
    argmax[i] = best_at;
}

// dx [N,C,H,W] (count = N*C*H*W) from dy, argmax [N,C,OH,OW]: dx = sum of dy over the windows whose argmax is this element.
__kernel void maxpool_backward(const int count, const int H, const int W, const int OH, const int OW, const int k,
                               const int s, __global const float *dy, __global const int *argmax,
                               __global float *dx)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int3 pos = plane_row_col(i, H, W);
    int plane = pos.x, ih = pos.y, iw = pos.z;
    int here = ih * W + iw;
    int2 ohs = windows_over(ih, k, s, OH), ows = windows_over(iw, k, s, OW);
    size_t base = (size_t)plane * OH * OW;
    float sum = 0.0f;
    for (int oh = ohs.x; oh <= ohs.y; oh++)
        for (int ow = ows.x; ow <= ows.y; ow++) {
            size_t o = base + oh * OW + ow;
            if (argmax[o] == here) sum += dy[o];
        }
    dx[i] = sum;
}

// y [N,C,OH,OW] = mean of the k x k window of x [N,C,H,W].
__kernel void avgpool_forward(const int count, const int H, const int W, const int OH, const int OW, const int k,
                              const int s, __global const float *x, __global float *y)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int3 pos = plane_row_col(i, OH, OW);
    int plane = pos.x, oh = pos.y, ow = pos.z;
    __global const float *xp = x + (size_t)plane * H * W;
    int h0 = oh * s, w0 = ow * s;
    float sum = 0.0f;
    for (int kh = 0; kh < k; kh++)
        for (int kw = 0; kw < k; kw++) sum += xp[(h0 + kh) * W + w0 + kw];
    y[i] = sum / (float)(k * k);
}

// dx [N,C,H,W] (count = N*C*H*W) = sum over the windows containing the element of dy / (k*k).
__kernel void avgpool_backward(const int count, const int H, const int W, const int OH, const int OW, const int k,
                               const int s, __global const float *dy, __global float *dx)
{
    int i = get_global_id(0);
    if (i >= count) return;
    int3 pos = plane_row_col(i, H, W);
    int plane = pos.x, ih = pos.y, iw = pos.z;
    int2 ohs = windows_over(ih, k, s, OH), ows = windows_over(iw, k, s, OW);
    size_t base = (size_t)plane * OH * OW;
    float sum = 0.0f;
    for (int oh = ohs.x; oh <= ohs.y; oh++)
        for (int ow = ows.x; ow <= ows.y; ow++) sum += dy[base + oh * OW + ow];
    dx[i] = sum / (float)(k * k);
}
