// optim.cl — optimizer steps over one flat parameter block, one launch per
// step, one work-item per parameter (llm.c style), and the moving average of
// a block. State buffers (velocity, moments) are caller-owned and start zeroed.

// Shapes: p, g, v flat [count].  SGD with momentum and weight decay (PyTorch):
//   g' = g + wd * p;  v = mu * v + g';  p -= lr * v
__kernel void sgd_step(const int count, const float lr, const float mu, const float wd, __global float *p,
                       __global const float *g, __global float *v)
{
    int i = get_global_id(0);
    if (i < count) {
        float w = p[i];
        float gi = g[i] + wd * w;
        float vi = mu * v[i] + gi;
        v[i] = vi;
        p[i] = w - lr * vi;
    }
}

// Shapes: p, g, m, v flat [count].  Adam with optional L2 weight decay:
//   g' = g + wd * p;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
//   p -= lr * (m * c1) / (sqrt(v * c2) + eps)
// with c1 = 1/(1-b1^t), c2 = 1/(1-b2^t) computed on the host in double.
__kernel void adam_step(const int count, const float lr, const float b1, const float b2, const float eps,
                        const float wd, const float c1, const float c2, __global float *p, __global const float *g,
                        __global float *m, __global float *v)
{
    int i = get_global_id(0);
    if (i < count) {
        float w = p[i];
        float gi = g[i] + wd * w;
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = w - lr * (mi * c1) / (sqrt(vi * c2) + eps);
    }
}

// Shapes: ema, p flat [count].  Exponential moving average of the parameters
// (one kernel over the whole block):  ema = a * ema + b * p,  with a = decay
// and b = 1 - decay rounded on the host.
__kernel void ema_step(const int count, const float a, const float b, __global float *ema, __global const float *p)
{
    int i = get_global_id(0);
    if (i < count) ema[i] = a * ema[i] + b * p[i];
}
