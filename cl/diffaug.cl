// diffaug.cl — differentiable augmentation (DiffAugment): colour, translation and cutout of
// x [N,C,H,W] with per-sample parameters from drawn uniforms, forward and its adjoint.
// The maps and the meaning of each uniform are in host/nn/diffaug.h.
// state [N*9]: the draws u [N,8] (sample n's at 8n), then one mean per sample at 8N + n.
// Means are one work-group per sample summing with a power-of-two work-group size
// L <= DIFFAUG_MAX_WG and a tree in __local memory. No atomics.

#define DIFFAUG_COLOR 1
#define DIFFAUG_TRANSLATION 2
#define DIFFAUG_CUTOUT 4
#define DIFFAUG_DRAWS 8
#define DIFFAUG_MAX_WG 256

// An integer in [0, n) from a uniform u in [0, 1): the float product can round up to n.
int draw_int(float u, int n)
{
    int k = (int)(u * (float)n);
    return k < n - 1 ? k : n - 1;
}

// Sample n's geometry for an H x W image: the translation (dh, dw) and the cutout block
// rows [top, top + ch), columns [left, left + cw) (unclipped; 0 x 0 without cutout).
typedef struct geometry {
    int dh, dw, top, left, ch, cw;
} geometry;

geometry geometry_of(int policy, int H, int W, __global const float *u)
{
    geometry g = {0, 0, 0, 0, 0, 0};
    if (policy & DIFFAUG_TRANSLATION) {
        int sh = (H + 4) / 8, sw = (W + 4) / 8;
        g.dh = draw_int(u[3], 2 * sh + 1) - sh;
        g.dw = draw_int(u[4], 2 * sw + 1) - sw;
    }
    if (policy & DIFFAUG_CUTOUT) {
        g.ch = (H + 1) / 2;
        g.cw = (W + 1) / 2;
        g.top = draw_int(u[5], H + 1 - g.ch % 2) - g.ch / 2;
        g.left = draw_int(u[6], W + 1 - g.cw % 2) - g.cw / 2;
    }
    return g;
}

// Whether output pixel (h, w) keeps a value: its source (h + dh, w + dw) is inside and it is
// outside the cutout block.
int kept(const geometry *g, int H, int W, int h, int w)
{
    int hs = h + g->dh, ws = w + g->dw;
    if (hs < 0 || hs >= H || ws < 0 || ws >= W) return 0;
    return !(h >= g->top && h < g->top + g->ch && w >= g->left && w < g->left + g->cw);
}

// src [N,C,H,W] -> state[8N + n] = mean over (c,h,w) of src[n] (masked 0) or of kept(h,w) * src[n]
// (masked 1: the sum of the gradient that reaches x). One work-group of L work-items per sample
// (global = N * L, local = L), work-item l summing the channels of pixels l, l + L, ...
__kernel void diffaug_mean(const int N, const int C, const int H, const int W, const int policy,
                           const int masked, __global const float *src, __global float *state)
{
    __local float buf[DIFFAUG_MAX_WG];
    int lid = get_local_id(0), L = get_local_size(0), n = get_group_id(0);
    if (n >= N) return; /* uniform over the work-group */
    int HW = H * W, P = C * HW;
    geometry g = geometry_of(policy, H, W, state + (size_t)n * DIFFAUG_DRAWS);
    __global const float *s = src + (size_t)n * P;
    float sum = 0.0f;
    for (int j = lid; j < HW; j += L) {
        int h = j / W, w = j - (j / W) * W;
        if (masked && !kept(&g, H, W, h, w)) continue;
        for (int c = 0; c < C; c++) sum += s[(size_t)c * HW + j];
    }
    buf[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (lid < off) buf[lid] += buf[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) state[(size_t)N * DIFFAUG_DRAWS + n] = buf[0] / (float)P;
}

// The colour parameters of sample n: brightness b, saturation s, contrast k (identity without colour).
void colour_of(int policy, __global const float *u, float *b, float *s, float *k)
{
    int on = policy & DIFFAUG_COLOR;
    *b = on ? u[0] - 0.5f : 0.0f;
    *s = on ? 2.0f * u[1] : 1.0f;
    *k = on ? u[2] + 0.5f : 1.0f;
}

// x, y [N,C,H,W]; one work-item per output pixel (n,h,w), global N*H*W, looping over C:
// y[n,:,h,w] = kept ? colour(x[n,:,h+dh,w+dw]) : 0, colour(v) = k (s (v - mp) + mp - M) + M + b
// with mp the channel mean of x at the source pixel and M = state[8N + n] (diffaug_mean, masked 0).
__kernel void diffaug_forward(const int N, const int C, const int H, const int W, const int policy,
                              __global const float *state, __global const float *x, __global float *y)
{
    int i = get_global_id(0), HW = H * W;
    if (i >= N * HW) return;
    int n = i / HW, j = i - n * HW, h = j / W, w = j - (j / W) * W;
    __global const float *u = state + (size_t)n * DIFFAUG_DRAWS;
    geometry g = geometry_of(policy, H, W, u);
    __global float *yo = y + (size_t)n * C * HW + j;
    if (!kept(&g, H, W, h, w)) {
        for (int c = 0; c < C; c++) yo[(size_t)c * HW] = 0.0f;
        return;
    }
    __global const float *xs = x + (size_t)n * C * HW + (h + g.dh) * W + (w + g.dw);
    if (!(policy & DIFFAUG_COLOR)) {
        for (int c = 0; c < C; c++) yo[(size_t)c * HW] = xs[(size_t)c * HW];
        return;
    }
    float b, s, k;
    colour_of(policy, u, &b, &s, &k);
    float M = state[(size_t)N * DIFFAUG_DRAWS + n], mp = 0.0f;
    for (int c = 0; c < C; c++) mp += xs[(size_t)c * HW];
    mp /= (float)C;
    for (int c = 0; c < C; c++) yo[(size_t)c * HW] = k * (s * (xs[(size_t)c * HW] - mp) + (mp - M)) + M + b;
}

// dy, dx [N,C,H,W]; one work-item per input pixel (n,h',w'), global N*H*W, looping over C:
// g[c] = dy[n,c,h'-dh,w'-dw] where that output pixel is inside and kept, else 0;
// dx[n,:,h',w'] = colour ? k s (g - gp) + k (gp - G) + G : g, gp = mean_C g, G = state[8N + n]
// (diffaug_mean of dy, masked 1). Contrast spreads G over every pixel, the dropped ones too.
__kernel void diffaug_backward(const int N, const int C, const int H, const int W, const int policy,
                               __global const float *state, __global const float *dy, __global float *dx)
{
    int i = get_global_id(0), HW = H * W;
    if (i >= N * HW) return;
    int n = i / HW, j = i - n * HW, hs = j / W, ws = j - (j / W) * W;
    __global const float *u = state + (size_t)n * DIFFAUG_DRAWS;
    geometry g = geometry_of(policy, H, W, u);
    int h = hs - g.dh, w = ws - g.dw;
    int from = h >= 0 && h < H && w >= 0 && w < W && kept(&g, H, W, h, w);
    __global const float *go = dy + (size_t)n * C * HW + (from ? h * W + w : 0);
    __global float *xo = dx + (size_t)n * C * HW + j;
    if (!(policy & DIFFAUG_COLOR)) {
        for (int c = 0; c < C; c++) xo[(size_t)c * HW] = from ? go[(size_t)c * HW] : 0.0f;
        return;
    }
    float b, s, k;
    colour_of(policy, u, &b, &s, &k);
    float G = state[(size_t)N * DIFFAUG_DRAWS + n], gp = 0.0f;
    if (from)
        for (int c = 0; c < C; c++) gp += go[(size_t)c * HW];
    gp /= (float)C;
    for (int c = 0; c < C; c++) {
        float gc = from ? go[(size_t)c * HW] : 0.0f;
        xo[(size_t)c * HW] = k * s * (gc - gp) + k * (gp - G) + G;
    }
}
