// grid_loss.cl — the grid detector's loss (host/nn/grid_loss.h has the formulas).
// x [N,5+K,G,G]: per cell objectness o, centre logits a b, size logits c d, class logits z[K];
// t [N,6,G,G]: per cell t0 (object here), t1 t2 (centre offset in the cell), t3 t4 (w, h), t5 (class).
// One work-item per cell (cells = N*G*G, GG = G*G); a cell's channels are GG apart.

inline float grid_sigmoid(float v) { return 1.0f / (1.0f + exp(-v)); }

// huber(e) = e^2 / (2 beta) for |e| < beta, else |e| - beta/2
inline float grid_huber(float e, float beta)
{
    float m = fabs(e);
    return m < beta ? 0.5f * e * e / beta : m - 0.5f * beta;
}
// huber'(e) = e / beta for |e| < beta, else sign(e)
inline float grid_huber_grad(float e, float beta) { return fabs(e) < beta ? e / beta : (e > 0.0f ? 1.0f : -1.0f); }

// Softmax statistics of a cell's class logits z[c * GG], c < K: max m and s = sum exp(z - m).
inline void grid_softmax_stats(__global const float *z, int K, int GG, float *m, float *s)
{
    float mx = z[0];
    for (int c = 1; c < K; c++) mx = fmax(mx, z[c * GG]);
    float sum = 0.0f;
    for (int c = 0; c < K; c++) sum += exp(z[c * GG] - mx);
    *m = mx;
    *s = sum;
}

// A positive cell's class, clamped into [0, K).
inline int grid_class(float t5, int K) { return clamp((int)(t5 + 0.5f), 0, K - 1); }

// loss [cells] = (t0 ? 1 : noobj) BCE(o, t0) + t0 (box sum huber(s(x_j) - t_j) + CE(z, t5)) (k unused: one signature for both kernels).
__kernel void grid_loss_forward(const int cells, const int K, const int GG, const float noobj, const float box,
                                const float beta, const float k, __global const float *x,
                                __global const float *t, __global float *loss)
{
    int i = get_global_id(0);
    if (i >= cells) return;
    int n = i / GG, cell = i - n * GG;
    __global const float *xc = x + (size_t)n * (5 + K) * GG + cell;
    __global const float *tc = t + (size_t)n * 6 * GG + cell;
    float o = xc[0], t0 = tc[0];
    float bce = fmax(o, 0.0f) - o * t0 + log1p(exp(-fabs(o)));
    float l = (t0 > 0.5f ? 1.0f : noobj) * bce;
    if (t0 > 0.5f) {
        float hb = 0.0f;
        for (int j = 1; j <= 4; j++) hb += grid_huber(grid_sigmoid(xc[j * GG]) - tc[j * GG], beta);
        float m, s;
        grid_softmax_stats(xc + 5 * GG, K, GG, &m, &s);
        l += box * hb + m + log(s) - xc[(5 + grid_class(tc[5 * GG], K)) * GG];
    }
    loss[i] = l;
}

// dx [N,5+K,G,G] = k * d(loss)/dx, k = scale / N; every channel of the cell written.
__kernel void grid_loss_backward(const int cells, const int K, const int GG, const float noobj, const float box,
                                 const float beta, const float k, __global const float *x,
                                 __global const float *t, __global float *dx)
{
    int i = get_global_id(0);
    if (i >= cells) return;
    int n = i / GG, cell = i - n * GG;
    __global const float *xc = x + (size_t)n * (5 + K) * GG + cell;
    __global const float *tc = t + (size_t)n * 6 * GG + cell;
    __global float *dc = dx + (size_t)n * (5 + K) * GG + cell;
    float t0 = tc[0];
    int pos = t0 > 0.5f;
    dc[0] = k * (pos ? 1.0f : noobj) * (grid_sigmoid(xc[0]) - t0);
    for (int j = 1; j <= 4; j++) {
        float s = grid_sigmoid(xc[j * GG]);
        dc[j * GG] = pos ? k * box * grid_huber_grad(s - tc[j * GG], beta) * s * (1.0f - s) : 0.0f;
    }
    if (!pos) {
        for (int c = 0; c < K; c++) dc[(5 + c) * GG] = 0.0f;
        return;
    }
    int label = grid_class(tc[5 * GG], K);
    float m, s;
    grid_softmax_stats(xc + 5 * GG, K, GG, &m, &s);
    for (int c = 0; c < K; c++) dc[(5 + c) * GG] = k * (exp(xc[(5 + c) * GG] - m) / s - (c == label ? 1.0f : 0.0f));
}
