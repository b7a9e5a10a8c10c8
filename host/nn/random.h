/* random.h — counter-based random numbers on the device (Philox4x32-10) and
 * dropout without a mask buffer.
 *
 * Element i of the sequence (seed, stream) is word i%4 of
 *     Philox4x32-10(counter = {i/4, 0, lo32(stream), hi32(stream)},
 *                   key     = {lo32(seed), hi32(seed)}),
 * so one (seed, stream) pair gives the same numbers on every device and for
 * every work-group size. uniform(word) = (word >> 8) * 2^-24 in [0, 1).
 * Use a new stream (e.g. the training step) for every fresh draw.
 *
 * Every draw takes an element offset `first` (any value, not only a multiple
 * of 4): element j of its output is element first + j of the sequence, so a
 * data-parallel rank holding samples from s on draws, with first = s * (floats
 * per sample), exactly the numbers a one-process run draws for those samples.
 * The normals' Box–Muller pairs are words (0,1) and (2,3) of a block of the
 * whole sequence at every offset. first + count must stay <= 2^34 (the block
 * index fills the counter's first 32-bit word); count <= INT_MAX - 6.
 */
#ifndef CLGAN_RANDOM_H
#define CLGAN_RANDOM_H
#include "nn/tensor.h"

/* y (any shape, count elements) = lo + (hi - lo) * uniform of elements [first, first + count);
 * lo = 0, hi = 1 gives the raw uniforms bit-exactly. */
clgan_status clgan_random_uniform(clgan_ctx *ctx, uint64_t seed, uint64_t stream, uint64_t first, float lo, float hi,
                                  clgan_tensor *y);
/* y (any shape) = mean + stddev * z, z ~ N(0,1) of elements [first, first + count), by Box–Muller on
 * word pairs (0,1), (2,3) of each block of the sequence. */
clgan_status clgan_random_normal(clgan_ctx *ctx, uint64_t seed, uint64_t stream, uint64_t first, float mean,
                                 float stddev, clgan_tensor *y);
/* Raw generator output for known-answer tests: out (uint32 device buffer, >= 4*blocks words) gets
 * out[4b + l] = word l of Philox4x32-10({ctr[0] + b, ctr[1], ctr[2], ctr[3]}, {key[0], key[1]}). */
clgan_status clgan_philox_blocks(clgan_ctx *ctx, const uint32_t ctr[4], const uint32_t key[2], int blocks, cl_mem out);

/* Gaussian noise x, y (same count): y = x + stddev * z with z exactly the normals
 * clgan_random_normal(seed, stream, first, 0, 1) gives; the backward is dx = dy. */
clgan_status clgan_gaussian_noise_forward(clgan_ctx *ctx, float stddev, uint64_t seed, uint64_t stream, uint64_t first,
                                          const clgan_tensor *x, clgan_tensor *y);

/* Dropout, 0 <= p < 1. x, y (same count): y[j] = keep ? x[j] / (1-p) : 0,
 * keep = uniform(element first + j) >= p. */
clgan_status clgan_dropout_forward(clgan_ctx *ctx, float p, uint64_t seed, uint64_t stream, uint64_t first,
                                   const clgan_tensor *x, clgan_tensor *y);
/* dy, dx (same count): dx = keep ? dy / (1-p) : 0, keep recomputed from the same (seed, stream, first) as forward. */
clgan_status clgan_dropout_backward(clgan_ctx *ctx, float p, uint64_t seed, uint64_t stream, uint64_t first,
                                    const clgan_tensor *dy, clgan_tensor *dx);
#endif
