// activation.cl — elementwise activations, forward and backward side by side.
// All kernels: one work-item per element, i < count; shapes are flat [count].
// Backward kernels write dx (they do not accumulate).

// y[i] = max(x[i], 0)
__kernel void relu_forward(const int count, __global const float *x, __global float *y)
{
    int i = get_global_id(0);
    if (i < count) y[i] = fmax(x[i], 0.0f);
}

// dx[i] = dy[i] * (x[i] > 0)
__kernel void relu_backward(const int count, __global const float *x, __global const float *dy,
                            __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

// y[i] = x[i] > 0 ? x[i] : slope * x[i]
__kernel void leaky_relu_forward(const int count, const float slope, __global const float *x,
                                 __global float *y)
{
    int i = get_global_id(0);
    if (i < count) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

// dx[i] = dy[i] * (x[i] > 0 ? 1 : slope)
__kernel void leaky_relu_backward(const int count, const float slope, __global const float *x,
                                  __global const float *dy, __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = x[i] > 0.0f ? dy[i] : slope * dy[i];
}

// y[i] = tanh(x[i])
__kernel void tanh_forward(const int count, __global const float *x, __global float *y)
{
    int i = get_global_id(0);
    if (i < count) y[i] = tanh(x[i]);
}

// dx[i] = dy[i] * (1 - y[i]^2), from the forward output y
__kernel void tanh_backward(const int count, __global const float *y, __global const float *dy,
                            __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

// y[i] = 1 / (1 + exp(-x[i])), computed without overflow for large |x|
__kernel void sigmoid_forward(const int count, __global const float *x, __global float *y)
{
    int i = get_global_id(0);
    if (i < count) {
        float v = x[i];
        float e = exp(-fabs(v));
        y[i] = v >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}

// dx[i] = dy[i] * y[i] * (1 - y[i]), from the forward output y
__kernel void sigmoid_backward(const int count, __global const float *y, __global const float *dy,
                               __global float *dx)
{
    int i = get_global_id(0);
    if (i < count) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}
