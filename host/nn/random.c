/* random.c — host side of cl/random.cl: Philox4x32-10 fills and dropout, each
 * drawing elements [first, first + count) of its (seed, stream) sequence. */
#include "random.h"

#include <limits.h>
#include <math.h>

/* Elements in one (seed, stream) sequence: the block index i/4 is the counter's first 32-bit word. */
#define SEQUENCE_ELEMENTS ((uint64_t)1 << 34)

/* count must fit the kernels' int indexing with first % 4 + 3 more (their block count), and
 * first + count the sequence. */
static clgan_status check_count(const char *what, uint64_t first, size_t count)
{
    if (count > (size_t)INT_MAX - 6)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements is more than the kernels index (%d)", what, count,
                          INT_MAX - 6);
    if (first > SEQUENCE_ELEMENTS - count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: %zu elements from element %llu run past the end of the random sequence (2^34 elements)",
                          what, count, (unsigned long long)first);
    return CLGAN_OK;
}

static void arg_u64(clgan_args *a, uint64_t v)
{
    clgan_arg_uint(a, (unsigned)(v & 0xFFFFFFFFu));
    clgan_arg_uint(a, (unsigned)(v >> 32));
}

/* The element offset as the kernels take it: its block first / 4 (< 2^32 after check_count) and its
 * place first % 4 in that block. */
static void arg_first(clgan_args *a, uint64_t first)
{
    clgan_arg_uint(a, (unsigned)(first / 4));
    clgan_arg_int(a, (int)(first % 4));
}

/* One work-item per 4-element block of the global sequence that [first, first + count) touches. */
static size_t blocks_of(uint64_t first, size_t count) { return ((size_t)(first % 4) + count + 3) / 4; }

static clgan_status fill(clgan_ctx *ctx, const char *name, uint64_t seed, uint64_t stream, uint64_t first, float a0,
                         float a1, clgan_tensor *y)
{
    TRY(check_count(name, first, y->count));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "random", name, &k, NULL));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, (int)y->count);
    arg_u64(&a, seed);
    arg_u64(&a, stream);
    arg_first(&a, first);
    clgan_arg_float(&a, a0);
    clgan_arg_float(&a, a1);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, blocks_of(first, y->count), 0, name);
}

clgan_status clgan_random_uniform(clgan_ctx *ctx, uint64_t seed, uint64_t stream, uint64_t first, float lo, float hi,
                                  clgan_tensor *y)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo <= hi))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "random uniform: need finite lo <= hi (got %g, %g)", lo, hi);
    return fill(ctx, "fill_uniform", seed, stream, first, lo, hi - lo, y);
}

clgan_status clgan_random_normal(clgan_ctx *ctx, uint64_t seed, uint64_t stream, uint64_t first, float mean,
                                 float stddev, clgan_tensor *y)
{
    if (!isfinite(mean) || !isfinite(stddev) || stddev < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "random normal: need finite mean and stddev >= 0 (got %g, %g)", mean,
                          stddev);
    return fill(ctx, "fill_normal", seed, stream, first, mean, stddev, y);
}

clgan_status clgan_philox_blocks(clgan_ctx *ctx, const uint32_t ctr[4], const uint32_t key[2], int blocks, cl_mem out)
{
    if (blocks < 0 || blocks > INT_MAX / 4)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "philox blocks: bad block count %d", blocks);
    size_t bytes = 0;
    CL_TRY(clGetMemObjectInfo(out, CL_MEM_SIZE, sizeof bytes, &bytes, NULL));
    if (bytes < (size_t)blocks * 4 * sizeof(cl_uint))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "philox blocks: output buffer holds %zu bytes, %d blocks need %zu",
                          bytes, blocks, (size_t)blocks * 4 * sizeof(cl_uint));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "random", "philox_blocks", &k, NULL));
    clgan_args a = clgan_args_begin(k, "philox_blocks");
    clgan_arg_int(&a, blocks);
    for (int i = 0; i < 4; i++) clgan_arg_uint(&a, ctr[i]);
    clgan_arg_uint(&a, key[0]);
    clgan_arg_uint(&a, key[1]);
    clgan_arg_mem(&a, out);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, (size_t)blocks, 0, "philox_blocks");
}

static clgan_status dropout(clgan_ctx *ctx, const char *name, float p, uint64_t seed, uint64_t stream, uint64_t first,
                            const clgan_tensor *in, clgan_tensor *out)
{
    if (!(p >= 0.0f && p < 1.0f))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: drop probability p must be in [0, 1) (got %g)", name, p);
    if (in->count != out->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: element counts differ (%zu vs %zu)", name, in->count,
                          out->count);
    TRY(check_count(name, first, in->count));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "random", name, &k, NULL));
    /* The scale is computed here, in IEEE single precision, so host references can match bit-for-bit. */
    float scale = 1.0f / (1.0f - p);
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, (int)in->count);
    clgan_arg_float(&a, p);
    clgan_arg_float(&a, scale);
    arg_u64(&a, seed);
    arg_u64(&a, stream);
    arg_first(&a, first);
    clgan_arg_mem(&a, in->mem);
    clgan_arg_mem(&a, out->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, blocks_of(first, in->count), 0, name);
}

clgan_status clgan_dropout_forward(clgan_ctx *ctx, float p, uint64_t seed, uint64_t stream, uint64_t first,
                                   const clgan_tensor *x, clgan_tensor *y)
{
    return dropout(ctx, "dropout_forward", p, seed, stream, first, x, y);
}

clgan_status clgan_dropout_backward(clgan_ctx *ctx, float p, uint64_t seed, uint64_t stream, uint64_t first,
                                    const clgan_tensor *dy, clgan_tensor *dx)
{
    return dropout(ctx, "dropout_backward", p, seed, stream, first, dy, dx);
}

clgan_status clgan_gaussian_noise_forward(clgan_ctx *ctx, float stddev, uint64_t seed, uint64_t stream, uint64_t first,
                                          const clgan_tensor *x, clgan_tensor *y)
{
    if (!isfinite(stddev) || stddev < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "gaussian noise: need a finite stddev >= 0 (got %g)", stddev);
    if (x->count != y->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "gaussian noise: x holds %zu floats, y %zu", x->count, y->count);
    TRY(check_count("add_normal", first, y->count));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "random", "add_normal", &k, NULL));
    clgan_args a = clgan_args_begin(k, "add_normal");
    clgan_arg_int(&a, (int)y->count);
    arg_u64(&a, seed);
    arg_u64(&a, stream);
    arg_first(&a, first);
    clgan_arg_float(&a, stddev);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, blocks_of(first, y->count), 0, "add_normal");
}
