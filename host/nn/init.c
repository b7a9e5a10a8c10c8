/* init.c — seeded host RNG (splitmix64 -> xoshiro256**, Box–Muller) and
 * weight initialisers that upload host-generated values (see init.h for the
 * exact, stable stream). */
#include "init.h"

#include <math.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void clgan_rng_seed(clgan_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
    rng->has_spare = 0;
    rng->spare = 0;
}

uint64_t clgan_rng_next(clgan_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double clgan_rng_uniform(clgan_rng *rng)
{
    return (double)(clgan_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

double clgan_rng_normal(clgan_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    const double two_pi = 6.283185307179586476925286766559;
    double u1 = 1.0 - clgan_rng_uniform(rng); /* (0, 1]: log is finite */
    double u2 = clgan_rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    rng->spare = r * sin(two_pi * u2);
    rng->has_spare = 1;
    return r * cos(two_pi * u2);
}

void clgan_rng_fill_normal(clgan_rng *rng, float *dst, size_t n, double mean, double std)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)(mean + std * clgan_rng_normal(rng));
}

void clgan_rng_fill_uniform(clgan_rng *rng, float *dst, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)(lo + (hi - lo) * clgan_rng_uniform(rng));
}

double clgan_xavier_bound(int fan_in, int fan_out) { return sqrt(6.0 / ((double)fan_in + (double)fan_out)); }
double clgan_he_std(int fan_in) { return sqrt(2.0 / (double)fan_in); }

static clgan_status check_target(const char *op, const clgan_rng *rng, int need_rng, const clgan_tensor *t)
{
    if (need_rng && !rng) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: rng is NULL", op);
    if (!t || !t->mem || t->count == 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: tensor is NULL, unallocated or empty", op);
    return CLGAN_OK;
}

enum fill_kind { FILL_NORMAL, FILL_UNIFORM, FILL_CONSTANT };

/* Generate t->count values on the host in memory order and upload them. */
static clgan_status fill_upload(clgan_ctx *ctx, const char *op, clgan_rng *rng, clgan_tensor *t, enum fill_kind kind,
                                double a, double b)
{
    float *host = malloc(t->count * sizeof *host);
    if (!host) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory (%zu floats)", op, t->count);
    switch (kind) {
    case FILL_NORMAL: clgan_rng_fill_normal(rng, host, t->count, a, b); break;
    case FILL_UNIFORM: clgan_rng_fill_uniform(rng, host, t->count, a, b); break;
    case FILL_CONSTANT:
        for (size_t i = 0; i < t->count; i++) host[i] = (float)a;
        break;
    }
    clgan_status st = clgan_tensor_upload(ctx, t, host);
    free(host);
    if (st != CLGAN_OK) return clgan_fail_context(st, "%s", op);
    return CLGAN_OK;
}

/* t: any shape, count values ~ N(mean, std^2) */
clgan_status clgan_init_normal(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, double mean, double std)
{
    const char *op = "init normal";
    TRY(check_target(op, rng, 1, t));
    if (!(std >= 0) || !isfinite(std) || !isfinite(mean))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: need finite mean and std >= 0 (got %g, %g)", op, mean, std);
    return fill_upload(ctx, op, rng, t, FILL_NORMAL, mean, std);
}

/* t: any shape, count values ~ U(lo, hi) */
clgan_status clgan_init_uniform(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, double lo, double hi)
{
    const char *op = "init uniform";
    TRY(check_target(op, rng, 1, t));
    if (!isfinite(lo) || !isfinite(hi) || !(lo <= hi))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: need finite lo <= hi (got %g, %g)", op, lo, hi);
    return fill_upload(ctx, op, rng, t, FILL_UNIFORM, lo, hi);
}

/* t: any shape, count values ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)) */
clgan_status clgan_init_xavier_uniform(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, int fan_in, int fan_out)
{
    const char *op = "init xavier_uniform";
    TRY(check_target(op, rng, 1, t));
    if (fan_in <= 0 || fan_out <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: fan_in %d and fan_out %d must be positive", op, fan_in, fan_out);
    double a = clgan_xavier_bound(fan_in, fan_out);
    return fill_upload(ctx, op, rng, t, FILL_UNIFORM, -a, a);
}

/* t: any shape, count values ~ N(0, 2 / fan_in) */
clgan_status clgan_init_he_normal(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, int fan_in)
{
    const char *op = "init he_normal";
    TRY(check_target(op, rng, 1, t));
    if (fan_in <= 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: fan_in %d must be positive", op, fan_in);
    return fill_upload(ctx, op, rng, t, FILL_NORMAL, 0.0, clgan_he_std(fan_in));
}

/* t: any shape, every value = value */
clgan_status clgan_init_constant(clgan_ctx *ctx, clgan_tensor *t, float value)
{
    const char *op = "init constant";
    TRY(check_target(op, NULL, 0, t));
    return fill_upload(ctx, op, NULL, t, FILL_CONSTANT, value, 0);
}
