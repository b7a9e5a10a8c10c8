// loss.cl — losses: binary cross-entropy with logits, softmax cross-entropy,
// mean squared error, and the hinge GAN's hinge and linear losses. Forward
// kernels write per-element (BCE, MSE) or per-row (softmax CE) losses; the
// host averages them (clgan_loss_mean). The hinge and linear losses have
// backward kernels only: their values are computed on the host (gan.c).
// Backward kernels write dx = d(mean loss)/dx times a scale factor; the host
// folds scale and the 1/count of the mean into one float `k`.

// Numerically stable sigmoid: never evaluates exp of a positive number.
static inline float stable_sigmoid(float v)
{
    float e = exp(-fabs(v));
    return v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

// Shapes: x, t, loss flat [count].
// loss[i] = max(x,0) - x*t + log1p(exp(-|x|))   (= BCE(sigmoid(x), t), stable)
__kernel void bce_logits_forward(const int count, __global const float *x, __global const float *t,
                                 __global float *loss)
{
    int i = get_global_id(0);
    if (i < count) {
        float v = x[i];
        loss[i] = fmax(v, 0.0f) - v * t[i] + log1p(exp(-fabs(v)));
    }
}

// Shapes: x, t, dx flat [count]. k = scale / count.
// dx[i] = k * (sigmoid(x[i]) - t[i])
__kernel void bce_logits_backward(const int count, const float k, __global const float *x,
                                  __global const float *t, __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = k * (stable_sigmoid(x[i]) - t[i]);
}

// Shapes: x [n, classes] row-major, labels int [n], loss [n]. One work-item per row.
// loss[r] = logsumexp(x[r,:]) - x[r, label[r]]; a label outside [0, classes)
// (-1 = "no label") gives loss 0.
__kernel void softmax_ce_forward(const int n, const int classes, __global const float *x,
                                 __global const int *labels, __global float *loss)
{
    int r = get_global_id(0);
    if (r >= n) return;
    int label = labels[r];
    if (label < 0 || label >= classes) {
        loss[r] = 0.0f;
        return;
    }
    __global const float *row = x + (size_t)r * classes;
    float m = row[0];
    for (int j = 1; j < classes; j++) m = fmax(m, row[j]);
    float s = 0.0f;
    for (int j = 0; j < classes; j++) s += exp(row[j] - m);
    loss[r] = m + log(s) - row[label];
}

// Shapes: x, dx [n, classes] row-major, labels int [n]. One work-item per row
// (each writes only its own row). k = scale / (number of labelled rows).
// dx[r,j] = k * (softmax(x[r,:])_j - (j == label[r])); rows without a valid
// label get dx = 0.
__kernel void softmax_ce_backward(const int n, const int classes, const float k, __global const float *x,
                                  __global const int *labels, __global float *dx)
{
    int r = get_global_id(0);
    if (r >= n) return;
    int label = labels[r];
    __global const float *row = x + (size_t)r * classes;
    __global float *out = dx + (size_t)r * classes;
    if (label < 0 || label >= classes) {
        for (int j = 0; j < classes; j++) out[j] = 0.0f;
        return;
    }
    float m = row[0];
    for (int j = 1; j < classes; j++) m = fmax(m, row[j]);
    float s = 0.0f;
    for (int j = 0; j < classes; j++) s += exp(row[j] - m);
    float inv = 1.0f / s;
    for (int j = 0; j < classes; j++) out[j] = k * (exp(row[j] - m) * inv - (j == label ? 1.0f : 0.0f));
}

// Shapes: x, t, loss flat [count].  loss[i] = (x[i] - t[i])^2
__kernel void mse_forward(const int count, __global const float *x, __global const float *t,
                          __global float *loss)
{
    int i = get_global_id(0);
    if (i < count) {
        float d = x[i] - t[i];
        loss[i] = d * d;
    }
}

// Shapes: x, t, dx flat [count]. k = 2 * scale / count.  dx[i] = k * (x[i] - t[i])
__kernel void mse_backward(const int count, const float k, __global const float *x, __global const float *t,
                           __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = k * (x[i] - t[i]);
}

// Shapes: x, t, dx flat [count]. k = scale / count. t[i] is the hinge's side,
// +1 (D's outputs on real images) or -1 (on generated ones):
//   loss[i] = max(0, 1 - t[i] x[i]);  dx[i] = k * (t[i] x[i] < 1 ? -t[i] : 0)
// (the subgradient 0 at the kink t x = 1).
__kernel void hinge_backward(const int count, const float k, __global const float *x, __global const float *t,
                             __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) {
        float s = t[i];
        dx[i] = s * x[i] < 1.0f ? -k * s : 0.0f;
    }
}

// Shapes: x, t, dx flat [count]. k = scale / count.
//   loss[i] = -t[i] x[i];  dx[i] = -k * t[i]
// (the hinge GAN's generator loss -mean D(G(z)) with t = 1). x is not read: the
// argument keeps the one signature of the elementwise losses.
__kernel void linear_backward(const int count, const float k, __global const float *x, __global const float *t,
                              __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = -k * t[i];
}
