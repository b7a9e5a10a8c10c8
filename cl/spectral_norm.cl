// spectral_norm.cl — spectral normalisation (Miyato et al. 2018) of a layer's weights W
// viewed as a matrix [OUT,IN] row-major (dense: [OUT,IN]; conv2d: [OC, IC*K*K]).
// Forward, one power iteration from the persistent unit vector u [OUT]:
//     v = normalize(Wᵀu),  s = W v,  u' = normalize(s),  sigma = u'·s,  W_sn = W / sigma,
// with normalize(x) = x / max(|x|, eps). Backward, u' and v held constant:
//     dL/dW = (G - (sum G⊙W_sn) u' vᵀ) / sigma,   G = dL/dW_sn.
// scal [2] carries sigma (scal[0]) from the forward and sum G⊙W_sn (scal[1]) in the backward.
// Matrix-vector products: one work-item per output element with a fixed loop order. Norms
// and the sum: ONE work-group of a power-of-two size L <= SN_MAX_WG (from the host), strided
// partial sums and a tree in __local memory. No atomics: a device gives the same bits on
// every run, so data-parallel ranks on one kind of device keep the same u.

#define SN_MAX_WG 256

// Sum of scratch[0..L) into scratch[0]; every work-item of the group must reach it.
static void tree_sum(__local float *scratch, int lid, int L)
{
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int off = L / 2; off > 0; off >>= 1) {
        if (lid < off) scratch[lid] += scratch[lid + off];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// x [n] -> |x|^2, the same value in every work-item of the (one) group.
static float group_sum_squares(__global const float *x, int n, __local float *scratch)
{
    int lid = get_local_id(0), L = get_local_size(0);
    float part = 0.0f;
    for (int i = lid; i < n; i += L) part += x[i] * x[i];
    scratch[lid] = part;
    tree_sum(scratch, lid, L);
    return scratch[0];
}

// W [OUT,IN], u [OUT] -> t [IN] = Wᵀu; one work-item per column i.
__kernel void sn_wtu(const int rows, const int cols, __global const float *w, __global const float *u,
                     __global float *t)
{
    int i = get_global_id(0);
    if (i >= cols) return;
    float acc = 0.0f;
    for (int o = 0; o < rows; o++) acc += w[(size_t)o * cols + i] * u[o];
    t[i] = acc;
}

// W [OUT,IN], v [IN] -> s [OUT] = W v; one work-item per row o.
__kernel void sn_wv(const int rows, const int cols, __global const float *w, __global const float *v,
                    __global float *s)
{
    int o = get_global_id(0);
    if (o >= rows) return;
    __global const float *wo = w + (size_t)o * cols;
    float acc = 0.0f;
    for (int i = 0; i < cols; i++) acc += wo[i] * v[i];
    s[o] = acc;
}

// x [n] -> x / max(|x|, eps) in place; one work-group (global = local = L). Each work-item
// rewrites only the elements it read, after the barrier of the sum: no race.
__kernel void sn_normalize(const int n, const float eps, __global float *x)
{
    __local float scratch[SN_MAX_WG];
    float scale = 1.0f / fmax(sqrt(group_sum_squares(x, n, scratch)), eps);
    for (int i = get_local_id(0); i < n; i += get_local_size(0)) x[i] *= scale;
}

// s = W v [OUT] -> u' = s / max(|s|, eps) in place, scal[0] = sigma = u'·s = |s|^2 / max(|s|, eps);
// one work-group (global = local = L).
__kernel void sn_normalize_sigma(const int n, const float eps, __global float *s, __global float *scal)
{
    __local float scratch[SN_MAX_WG];
    float ss = group_sum_squares(s, n, scratch), nrm = fmax(sqrt(ss), eps), scale = 1.0f / nrm;
    for (int i = get_local_id(0); i < n; i += get_local_size(0)) s[i] *= scale;
    if (get_local_id(0) == 0) scal[0] = ss / nrm;
}

// W [OUT*IN], scal[0] = sigma -> W_sn [OUT*IN] = W / sigma; one work-item per weight.
__kernel void sn_scale(const int count, __global const float *w, __global const float *scal, __global float *w_sn)
{
    int k = get_global_id(0);
    if (k >= count) return;
    w_sn[k] = w[k] / scal[0];
}

// G, W_sn [OUT*IN] -> scal[1] = sum G⊙W_sn; one work-group (global = local = L).
__kernel void sn_dot(const int count, __global const float *g, __global const float *w_sn, __global float *scal)
{
    __local float scratch[SN_MAX_WG];
    int lid = get_local_id(0), L = get_local_size(0);
    float part = 0.0f;
    for (int k = lid; k < count; k += L) part += g[k] * w_sn[k];
    scratch[lid] = part;
    tree_sum(scratch, lid, L);
    if (lid == 0) scal[1] = scratch[0];
}

// G [OUT,IN], u' [OUT], v [IN], scal (sigma, sum G⊙W_sn) -> dw [OUT,IN] += (G - scal[1] u' vᵀ) / sigma
// (accumulated, as every parameter gradient); one work-item per weight.
__kernel void sn_grad(const int rows, const int cols, __global const float *g, __global const float *u,
                      __global const float *v, __global const float *scal, __global float *dw)
{
    int k = get_global_id(0);
    if (k >= rows * cols) return;
    int o = k / cols, i = k - o * cols;
    dw[k] += (g[k] - scal[1] * u[o] * v[i]) / scal[0];
}
