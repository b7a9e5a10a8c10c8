// random.cl — counter-based random numbers (Philox4x32-10, Salmon et al. 2011)
// and dropout that recomputes its mask from the same numbers.
//
// Layout (identical on every device and for every work-group size): element i
// of the (seed, stream) sequence is word i%4 of
//     Philox4x32-10(counter = {i/4, 0, stream_lo, stream_hi}, key = {seed_lo, seed_hi}).
// A draw of count elements at element offset first writes element first + i
// of the sequence to y[i]; the host passes first as first_block = first / 4
// and lead = first % 4 (first + count <= 2^34, so blocks fit the counter's
// word). Every kernel runs one work-item per 4-element block of the GLOBAL
// sequence: work-item b handles block first_block + b and writes those of its
// elements that fall in [first, first + count), so Box–Muller pairs stay
// pairs at any offset.
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
uint4 philox_block(uint b, uint seed_lo, uint seed_hi, uint stream_lo, uint stream_hi)
{
    return philox4x32_10((uint4)(b, 0u, stream_lo, stream_hi), (uint2)(seed_lo, seed_hi));
}

// This work-item's share of a draw of count elements at offset first = 4 * first_block + lead: the
// global block it handles (*block = first_block + b) and the output index of that block's word 0
// (*base = 4b - lead; word l goes to y[*base + l] when 0 <= *base + l < count). 0 for a work-item
// past the last block.
int draw_block(int count, uint first_block, int lead, uint *block, int *base)
{
    int b = get_global_id(0);
    if (b >= (lead + count + 3) / 4) return 0;
    *block = first_block + (uint)b;
    *base = 4 * b - lead;
    return 1;
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

// y [count] = lo + scale * uniform(word first + i), uniform in [0, 1).
__kernel void fill_uniform(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                           const uint stream_hi, const uint first_block, const int lead, const float lo,
                           const float scale, __global float *y)
{
    uint block;
    int base;
    if (!draw_block(count, first_block, lead, &block, &base)) return;
    uint4 r = philox_block(block, seed_lo, seed_hi, stream_lo, stream_hi);
    uint w[4] = {r.x, r.y, r.z, r.w};
    for (int l = 0; l < 4; l++) {
        int i = base + l;
        if (i >= 0 && i < count) y[i] = lo + scale * philox_uniform(w[l]);
    }
}

// The four standard normals of block b, by Box–Muller on the word pairs (0,1) and (2,3):
// u1 = ((w0 >> 8) + 1) * 2^-24 in (0, 1], u2 = uniform(w1),
// z0 = sqrt(-2 ln u1) cos(2 pi u2), z1 = sqrt(-2 ln u1) sin(2 pi u2).
void normal_block(uint b, uint seed_lo, uint seed_hi, uint stream_lo, uint stream_hi, float z[4])
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

// y [count] = mean + stddev * z[first + i], z the standard normals of normal_block.
__kernel void fill_normal(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                          const uint stream_hi, const uint first_block, const int lead, const float mean,
                          const float stddev, __global float *y)
{
    uint block;
    int base;
    if (!draw_block(count, first_block, lead, &block, &base)) return;
    float z[4];
    normal_block(block, seed_lo, seed_hi, stream_lo, stream_hi, z);
    for (int l = 0; l < 4; l++) {
        int i = base + l;
        if (i >= 0 && i < count) y[i] = mean + stddev * z[l];
    }
}

// x, y [count]: y = x + stddev * z, z the standard normals fill_normal(mean 0, stddev 1) draws
// for the same (seed, stream, first): Gaussian-noise layer forward (its backward is the identity).
__kernel void add_normal(const int count, const uint seed_lo, const uint seed_hi, const uint stream_lo,
                         const uint stream_hi, const uint first_block, const int lead, const float stddev,
                         __global const float *x, __global float *y)
{
    uint block;
    int base;
    if (!draw_block(count, first_block, lead, &block, &base)) return;
    float z[4];
    normal_block(block, seed_lo, seed_hi, stream_lo, stream_hi, z);
    for (int l = 0; l < 4; l++) {
        int i = base + l;
        if (i >= 0 && i < count) y[i] = x[i] + stddev * z[l];
    }
}

// in, out [count]: this work-item's block of out[i] = keep_i ? in[i] * scale : 0,
// keep_i = uniform(word first + i) >= p; scale = 1/(1-p) from the host.
void dropout_block(int count, float p, float scale, uint seed_lo, uint seed_hi, uint stream_lo, uint stream_hi,
                   uint first_block, int lead, __global const float *in, __global float *out)
{
    uint block;
    int base;
    if (!draw_block(count, first_block, lead, &block, &base)) return;
    uint4 r = philox_block(block, seed_lo, seed_hi, stream_lo, stream_hi);
    uint w[4] = {r.x, r.y, r.z, r.w};
    for (int l = 0; l < 4; l++) {
        int i = base + l;
        if (i >= 0 && i < count) out[i] = philox_uniform(w[l]) >= p ? in[i] * scale : 0.0f;
    }
}

// x, y [count]: y = x * keep / (1-p)
__kernel void dropout_forward(const int count, const float p, const float scale, const uint seed_lo,
                              const uint seed_hi, const uint stream_lo, const uint stream_hi, const uint first_block,
                              const int lead, __global const float *x, __global float *y)
{
    dropout_block(count, p, scale, seed_lo, seed_hi, stream_lo, stream_hi, first_block, lead, x, y);
}

// dy, dx [count]: dx = dy * keep / (1-p), keep recomputed from the same (seed, stream, first): no mask buffer.
__kernel void dropout_backward(const int count, const float p, const float scale, const uint seed_lo,
                               const uint seed_hi, const uint stream_lo, const uint stream_hi, const uint first_block,
                               const int lead, __global const float *dy, __global float *dx)
{
    dropout_block(count, p, scale, seed_lo, seed_hi, stream_lo, stream_hi, first_block, lead, dy, dx);
}
