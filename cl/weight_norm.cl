// weight_norm.cl — weight normalisation of a dense layer (Salimans & Kingma
// 2016): each output row of W is a direction v_o scaled to length g_o,
//     W[o,:] = g_o * v[o,:] / |v_o|,   |v_o| = sqrt(eps + sum_i v[o,i]^2).
// vg holds v [OUT,IN] row-major followed by g [OUT]; dvg is laid out alike.
// One work-item per output row o (rows are short: IN is a layer's fan-in).

// vg [OUT*IN + OUT] -> w [OUT,IN], norm [OUT] = |v_o|.
__kernel void wn_weights(const int rows, const int cols, const float eps, __global const float *vg,
                         __global float *w, __global float *norm)
{
    int o = get_global_id(0);
    if (o >= rows) return;
    __global const float *v = vg + (size_t)o * cols;
    float ss = eps;
    for (int i = 0; i < cols; i++) ss += v[i] * v[i];
    float n = sqrt(ss), scale = vg[(size_t)rows * cols + o] / n;
    norm[o] = n;
    __global float *wo = w + (size_t)o * cols;
    for (int i = 0; i < cols; i++) wo[i] = scale * v[i];
}

// From dL/dW dw [OUT,IN] (and norm [OUT] of the forward): with s = dw_o . v_o,
//     dg_o += s / |v_o|                                  (only when train_g)
//     dv[o,i] += g_o / |v_o| * (dw[o,i] - s / |v_o|^2 * v[o,i])
// into dvg [OUT*IN + OUT] (accumulated, as every parameter gradient).
__kernel void wn_grad(const int rows, const int cols, const int train_g, __global const float *vg,
                      __global const float *norm, __global const float *dw, __global float *dvg)
{
    int o = get_global_id(0);
    if (o >= rows) return;
    __global const float *v = vg + (size_t)o * cols;
    __global const float *d = dw + (size_t)o * cols;
    float s = 0.0f;
    for (int i = 0; i < cols; i++) s += d[i] * v[i];
    float n = norm[o], g = vg[(size_t)rows * cols + o];
    float a = g / n, b = a * s / (n * n);
    __global float *dv = dvg + (size_t)o * cols;
    for (int i = 0; i < cols; i++) dv[i] += a * d[i] - b * v[i];
    if (train_g) dvg[(size_t)rows * cols + o] += s / n;
}
