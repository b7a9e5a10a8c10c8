// conv.cl — data movement around the CLBlast GEMMs of dense, conv2d and
// conv_transpose2d: batched im2col / col2im (one implementation shared by
// both convolutions), channel-major <-> NCHW permutes, bias add and bias
// gradient reduction. Matrix products themselves go through CLBlast.
//
// Column layout shared by im2col and col2im, for an image [N,C,H,W] seen
// through a KH x KW window with stride (SH,SW) and padding (PH,PW) giving
// OH x OW window positions:
//   col [C*KH*KW, N*OH*OW]
//   row    r = (c*KH + kh)*KW + kw
//   column j = n*OH*OW + oh*OW + ow
//   col[r, j] = x[n, c, oh*SH - PH + kh, ow*SW - PW + kw]   (0 outside the image)
// im2col is the forward of that map; col2im is its adjoint written as a
// GATHER: each image element sums the (<= KH*KW) column entries that read it.
//
// Each data-movement op comes in two forms with the same result: one
// work-item per element (GPUs: coalesced, many work-items) and a *_rows form
// where one work-item loops over a contiguous run of elements (CPU drivers
// such as PoCL, where per-work-item index arithmetic — integer divisions in
// particular — costs more than the memory traffic). The host picks the form
// by device type (conv2d.c).

// q = a / b and *r = a % b for a >= 0, b > 0. The remainder is formed as
// a - q*b so no div/rem pair reaches the optimiser (oclgrind 21.10's
// uninitialized-value checker aborts on the `freeze` that such a pair becomes).
static inline int split(int a, int b, int *r)
{
    int q = a / b;
    *r = a - q * b;
    return q;
}

// col [C*KH*KW, N*OH*OW] = im2col(x [N,C,H,W]); one work-item per col element.
__kernel void im2col(const int N, const int C, const int H, const int W, const int KH, const int KW,
                     const int SH, const int SW, const int PH, const int PW, const int OH, const int OW,
                     __global const float *x, __global float *col)
{
    int i = get_global_id(0);
    int cols = N * OH * OW;
    if (i >= C * KH * KW * cols) return;
    int j, ow, oh, kw, kh;
    int r = split(i, cols, &j);
    int t = split(j, OW, &ow);
    int n = split(t, OH, &oh);
    int t2 = split(r, KW, &kw);
    int c = split(t2, KH, &kh);
    int ih = oh * SH - PH + kh, iw = ow * SW - PW + kw;
    float v = 0.0f;
    if (ih >= 0 && ih < H && iw >= 0 && iw < W) v = x[((n * C + c) * H + ih) * W + iw];
    col[i] = v;
}

// x [N,C,H,W] = col2im(col [C*KH*KW, N*OH*OW]) (+ b[c] when has_bias), the
// adjoint of im2col as a gather; one work-item per image element, no atomics.
// b must be a valid buffer even when has_bias == 0 (it is then not read).
__kernel void col2im(const int N, const int C, const int H, const int W, const int KH, const int KW,
                     const int SH, const int SW, const int PH, const int PW, const int OH, const int OW,
                     const int has_bias, __global const float *col, __global const float *b,
                     __global float *x)
{
    int i = get_global_id(0);
    if (i >= N * C * H * W) return;
    int iw, ih, c;
    int t = split(i, W, &iw);
    int t2 = split(t, H, &ih);
    int n = split(t2, C, &c);
    int cols = N * OH * OW;
    float s = has_bias ? b[c] : 0.0f;
    // ih = oh*SH - PH + kh  =>  kh = ih + PH - oh*SH, with 0 <= kh < KH.
    int hp = ih + PH, wp = iw + PW;
    for (int kh = hp % SH; kh < KH; kh += SH) {
        int oh = (hp - kh) / SH;
        if (oh < 0) break;
        if (oh >= OH) continue;
        for (int kw = wp % SW; kw < KW; kw += SW) {
            int ow = (wp - kw) / SW;
            if (ow < 0) break;
            if (ow >= OW) continue;
            s += col[((c * KH + kh) * KW + kw) * cols + (n * OH + oh) * OW + ow];
        }
    }
    x[i] = s;
}

// y [N,C,S] = m [C, N*S] permuted (+ b[c] when has_bias); one work-item per
// element. b must be a valid buffer even when has_bias == 0.
__kernel void cm_to_nchw(const int N, const int C, const int S, const int has_bias, __global const float *m,
                         __global const float *b, __global float *y)
{
    int i = get_global_id(0);
    if (i >= N * C * S) return;
    int s, c;
    int t = split(i, S, &s);
    int n = split(t, C, &c);
    float v = m[c * (N * S) + n * S + s];
    y[i] = has_bias ? v + b[c] : v;
}

// m [C, N*S] = x [N,C,S] permuted; one work-item per element of m.
__kernel void nchw_to_cm(const int N, const int C, const int S, __global const float *x, __global float *m)
{
    int i = get_global_id(0);
    if (i >= N * C * S) return;
    int j, s;
    int c = split(i, N * S, &j);
    int n = split(j, S, &s);
    m[i] = x[(n * C + c) * S + s];
}

// y [N,C,S] += b[c]; one work-item per element of y.
__kernel void bias_add(const int N, const int C, const int S, __global const float *b, __global float *y)
{
    int i = get_global_id(0);
    if (i >= N * C * S) return;
    int c;
    split(i / S, C, &c);
    y[i] += b[c];
}

// db [C] += sum over n < N, s < S of x [N,C,S]. One work-group per channel c
// (global = C * local, local = a power of two <= the kernel's max work-group
// size, scratch = local floats); each work-item strides over the N*S
// elements, then a __local tree reduction; work-item 0 accumulates into db.
__kernel void bias_grad(const int N, const int C, const int S, __global const float *x, __global float *db,
                        __local float *scratch)
{
    int c = get_group_id(0);
    int lid = get_local_id(0), lsz = get_local_size(0);
    float s = 0.0f;
    if (c < C) {
        // (n, p) = divmod(i, S) kept up to date without a division per step
        int dp, dn = split(lsz, S, &dp), p;
        int n = split(lid, S, &p);
        for (int i = lid; i < N * S; i += lsz) {
            s += x[(n * C + c) * S + p];
            n += dn, p += dp;
            if (p >= S) n++, p -= S;
        }
    }
    scratch[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = lsz / 2; step > 0; step /= 2) {
        if (lid < step) scratch[lid] += scratch[lid + step];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && c < C) db[c] += scratch[0];
}

// ---- loop-per-work-item forms for CPU devices ------------------------------

// im2col, one work-item per (n, r): global = (N, C*KH*KW); writes the OH*OW
// contiguous column entries col[r, n*OH*OW .. (n+1)*OH*OW).
__kernel void im2col_rows(const int N, const int C, const int H, const int W, const int KH, const int KW,
                          const int SH, const int SW, const int PH, const int PW, const int OH, const int OW,
                          __global const float *x, __global float *col)
{
    int n = get_global_id(0), r = get_global_id(1);
    if (n >= N || r >= C * KH * KW) return;
    int kw, kh;
    int c = split(split(r, KW, &kw), KH, &kh);
    __global float *dst = col + (size_t)r * (N * OH * OW) + (size_t)n * OH * OW;
    __global const float *src = x + (size_t)(n * C + c) * H * W;
    for (int oh = 0; oh < OH; oh++, dst += OW) {
        int ih = oh * SH - PH + kh;
        if (ih < 0 || ih >= H) {
            for (int ow = 0; ow < OW; ow++) dst[ow] = 0.0f;
            continue;
        }
        for (int ow = 0; ow < OW; ow++) {
            int iw = ow * SW - PW + kw;
            dst[ow] = (iw >= 0 && iw < W) ? src[ih * W + iw] : 0.0f;
        }
    }
}

// col2im, one work-item per image row (n, c, ih): global = (H, N*C). The row
// is first set to the bias (or 0), then each column entry that lands in it is
// added: x[n,c,ih, ow*SW-PW+kw] += col[(c*KH+kh)*KW+kw, (n*OH+oh)*OW+ow] for
// the (kh, oh) with oh*SH-PH+kh == ih. The row belongs to this work-item only.
__kernel void col2im_rows(const int N, const int C, const int H, const int W, const int KH, const int KW,
                          const int SH, const int SW, const int PH, const int PW, const int OH, const int OW,
                          const int has_bias, __global const float *col, __global const float *b,
                          __global float *x)
{
    int ih = get_global_id(0), nc = get_global_id(1);
    if (ih >= H || nc >= N * C) return;
    int c;
    int n = split(nc, C, &c);
    int cols = N * OH * OW;
    __global float *row = x + ((size_t)nc * H + ih) * W;
    float b0 = has_bias ? b[c] : 0.0f;
    for (int iw = 0; iw < W; iw++) row[iw] = b0;
    int hp = ih + PH;
    for (int kh = hp % SH; kh < KH; kh += SH) {
        int oh = (hp - kh) / SH;
        if (oh < 0) break;
        if (oh >= OH) continue;
        for (int kw = 0; kw < KW; kw++) {
            // ow with 0 <= ow*SW - PW + kw < W and 0 <= ow < OW
            if (W - 1 + PW - kw < 0) continue;
            int lo = PW - kw > 0 ? (PW - kw + SW - 1) / SW : 0;
            int hi = (W - 1 + PW - kw) / SW;
            if (hi > OW - 1) hi = OW - 1;
            __global const float *src = col + (size_t)((c * KH + kh) * KW + kw) * cols + (size_t)(n * OH + oh) * OW;
            for (int ow = lo; ow <= hi; ow++) row[ow * SW - PW + kw] += src[ow];
        }
    }
}

// y [N,C,S] = m [C, N*S] permuted (+ b[c]); one work-item per (n, c), global = (C, N).
__kernel void cm_to_nchw_rows(const int N, const int C, const int S, const int has_bias, __global const float *m,
                              __global const float *b, __global float *y)
{
    int c = get_global_id(0), n = get_global_id(1);
    if (c >= C || n >= N) return;
    __global const float *src = m + (size_t)c * N * S + (size_t)n * S;
    __global float *dst = y + (size_t)(n * C + c) * S;
    float add = has_bias ? b[c] : 0.0f;
    for (int s = 0; s < S; s++) dst[s] = src[s] + add;
}

// m [C, N*S] = x [N,C,S] permuted; one work-item per (n, c), global = (C, N).
__kernel void nchw_to_cm_rows(const int N, const int C, const int S, __global const float *x, __global float *m)
{
    int c = get_global_id(0), n = get_global_id(1);
    if (c >= C || n >= N) return;
    __global const float *src = x + (size_t)(n * C + c) * S;
    __global float *dst = m + (size_t)c * N * S + (size_t)n * S;
    for (int s = 0; s < S; s++) dst[s] = src[s];
}

// y [N,C,S] += b[c]; one work-item per (n, c), global = (C, N).
__kernel void bias_add_rows(const int N, const int C, const int S, __global const float *b, __global float *y)
{
    int c = get_global_id(0), n = get_global_id(1);
    if (c >= C || n >= N) return;
    __global float *dst = y + (size_t)(n * C + c) * S;
    float add = b[c];
    for (int s = 0; s < S; s++) dst[s] += add;
}
