// random.cl — counter-based random numbers (Philox4x32-10, Salmon et al. 2011)
// and dropout that recomputes its mask from the same numbers.
//
// Layout (identical on every device and for every work-group size): element i
// of the (seed, stream) sequence is word i%4 of
//     Philox4x32-10(counter = {i/4, 0, stream_lo, stream_hi}, key = {seed_lo, seed_hi}).
// Every kernel runs one work-item per 4-element block b = i/4 and writes the
// elements 4b .. 4b+3 that are < count.
// uniform(bits) = (bits >> 8) * 2^-24, exactly representable, in [0, 1).

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define TWO_POW_M24 5.9604644775390625e-8f

// Philox4x32 with 10 rounds; the key is bumped by the Weyl constants between rounds.
uint4 philox4x32_10(uint4 ctr, uint2 key)
{
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            key.x += PHILOX_W0;
            key.y += PHILOX_W1;
        }
        uint lo0 = PHILOX_M0 * ctr.x, hi0 = mul_hi(PHILOX_M0, ctr.x);
        uint lo1 = PHILOX_M1 * ctr.z, hi1 = mul_hi(PHILOX_M1, ctr.z);
        ctr = (uint4)(hi1 ^ ctr.y ^ key.x, lo1, hi0 ^ ctr.w ^ key.y, lo0);
    }
    return ctr;
}

// The four words of block b of the (seed, stream) sequence.
uint4 philox_block(int b, uint seed_lo, uint seed_hi, uint stream_lo, uint stream_hi)
{
    return philox4x32_10((uint4)((uint)b, 0u, stream_lo, stream_hi), (uint2)(seed_lo, seed_hi));
}

float philox_uniform(uint bits)
{
    return (float)(bits >> 8) * TWO_POW_M24;
}

// out [4*blocks] (uint words): out[4b + l] = word l of Philox4x32-10({c0 + b, c1, c2, c3}, {k0, k1}).
// Raw words, for known-answer tests of the generator itself.
__kernel void philox_blocks(const int blocks, const uint c0, const uint c1, const uint c2, const uint c3,
                            const uint k0, const uint k1, __global uint *out)
{
    int b = get_global_id(0);
    if (b >= blocks) return;
    uint4 r = philox4x32_10((uint4)(c0 + (uint)b, c1, c2, c3), (uint2)(k0, k1));
    vstore4(r, b, out);
}

// y [count] = lo + scale * uniform(word i), uniform in [0, 1).
__kernel void fill_uniform(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                           const uint stream_hi, const float lo, const float scale, __global float *y)
{
    int b = get_global_id(0);
    if (b >= (count + 3) / 4) return;
    uint4 r = philox_block(b, seed_lo, seed_hi, stream_lo, stream_hi);
    uint w[4] = {r.x, r.y, r.z, r.w};
    for (int l = 0; l < 4; l++) {
        int i = 4 * b + l;
        if (i < count) y[i] = lo + scale * philox_uniform(w[l]);
    }
}

// The four standard normals of block b, by Box–Muller on the word pairs (0,1) and (2,3):
// u1 = ((w0 >> 8) + 1) * 2^-24 in (0, 1], u2 = uniform(w1),
// z0 = sqrt(-2 ln u1) cos(2 pi u2), z1 = sqrt(-2 ln u1) sin(2 pi u2).
void normal_block(int b, uint seed_lo, uint seed_hi, uint stream_lo, uint stream_hi, float z[4])
{
    uint4 r = philox_block(b, seed_lo, seed_hi, stream_lo, stream_hi);
    uint w[4] = {r.x, r.y, r.z, r.w};
    for (int pair = 0; pair < 2; pair++) {
        float u1 = (float)((w[2 * pair] >> 8) + 1u) * TWO_POW_M24;
        float u2 = philox_uniform(w[2 * pair + 1]);
        float rad = sqrt(-2.0f * log(u1));
        float ang = 6.28318530717958647692f * u2;
        z[2 * pair] = rad * cos(ang);
        z[2 * pair + 1] = rad * sin(ang);
    }
}

// y [count] = mean + stddev * z, z the standard normals of normal_block.
__kernel void fill_normal(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                          const uint stream_hi, const float mean, const float stddev, __global float *y)
{
    int b = get_global_id(0);
    if (b >= (count + 3) / 4) return;
    float z[4];
    normal_block(b, seed_lo, seed_hi, stream_lo, stream_hi, z);
    for (int l = 0; l < 4; l++)
        if (4 * b + l < count) y[4 * b + l] = mean + stddev * z[l];
}

// x, y [count]: y = x + stddev * z, z the standard normals fill_normal(mean 0, stddev 1) draws
// for the same (seed, stream): Gaussian-noise layer forward (its backward is the identity).
__kernel void add_normal(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                         const uint stream_hi, const float stddev, __global const float *x, __global float *y)
{
    int b = get_global_id(0);
    if (b >= (count + 3) / 4) return;
    float z[4];
    normal_block(b, seed_lo, seed_hi, stream_lo, stream_hi, z);
    for (int l = 0; l < 4; l++)
        if (4 * b + l < count) y[4 * b + l] = x[4 * b + l] + stddev * z[l];
}

// out[i] = keep_i ? in[i] * scale : 0, keep_i = uniform(word i) >= p; scale = 1/(1-p) from the host.
void dropout_block(int b, int count, float p, float scale, uint seed_lo, uint seed_hi, uint stream_lo,
                   uint stream_hi, __global const float *in, __global float *out)
{
    uint4 r = philox_block(b, seed_lo, seed_hi, stream_lo, stream_hi);
    uint w[4] = {r.x, r.y, r.z, r.w};
    for (int l = 0; l < 4; l++) {
        int i = 4 * b + l;
        if (i < count) out[i] = philox_uniform(w[l]) >= p ? in[i] * scale : 0.0f;
    }
}

// x, y [count]: y = x * keep / (1-p)
__kernel void dropout_forward(const int count, const float p, const float scale, const uint seed_lo,
                              const uint seed_hi, const uint stream_lo, const uint stream_hi,
                              __global const float *x, __global float *y)
{
    int b = get_global_id(0);
    if (b < (count + 3) / 4) dropout_block(b, count, p, scale, seed_lo, seed_hi, stream_lo, stream_hi, x, y);
}

// dy, dx [count]: dx = dy * keep / (1-p), keep recomputed from the same (seed, stream): no mask buffer.
__kernel void dropout_backward(const int count, const float p, const float scale, const uint seed_lo,
                               const uint seed_hi, const uint stream_lo, const uint stream_hi,
                               __global const float *dy, __global float *dx)
{
    int b = get_global_id(0);
    if (b < (count + 3) / 4) dropout_block(b, count, p, scale, seed_lo, seed_hi, stream_lo, stream_hi, dy, dx);
}
