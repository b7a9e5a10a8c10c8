/* init.h — weight initialisation on the HOST with a seeded RNG, then
 * uploaded, so the same seed gives bit-identical weights on every device.
 *
 * The RNG and its stream (stable: changing it changes every trained model):
 *   seeding  s[0..3] = four successive splitmix64 outputs starting from the
 *            64-bit seed (splitmix64: x += 0x9E3779B97F4A7C15, then the
 *            usual two xor-shift-multiply rounds and a final xor-shift);
 *   next     xoshiro256** (Blackman & Vigna 2018) on s[0..3];
 *   uniform  (next >> 11) * 2^-53, a double in [0, 1);
 *   normal   Box–Muller in pairs: u1 = 1 - uniform (in (0,1]), u2 = uniform,
 *            r = sqrt(-2 ln u1); first z = r cos(2 pi u2), and the second,
 *            z = r sin(2 pi u2), is kept in the generator and returned by
 *            the next normal draw. So the normal stream does not depend on
 *            how draws are split into calls; uniform draws do not touch the
 *            kept value.
 *   A weight is (float)(mean + std * z) or (float)(lo + (hi - lo) * u),
 *   computed in double and rounded once.
 * The order of init calls on one generator defines the weights: seed once,
 * then initialise the layers in a fixed order.
 */
#ifndef CLGAN_INIT_H
#define CLGAN_INIT_H
#include "nn/tensor.h"

typedef struct clgan_rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} clgan_rng;

void clgan_rng_seed(clgan_rng *rng, uint64_t seed);
uint64_t clgan_rng_next(clgan_rng *rng);   /* xoshiro256** */
double clgan_rng_uniform(clgan_rng *rng);  /* [0, 1) */
double clgan_rng_normal(clgan_rng *rng);   /* N(0, 1) */
/* Host fills: dst[0..n) = (float)(mean + std * normal), (float)(lo + (hi-lo) * uniform). */
void clgan_rng_fill_normal(clgan_rng *rng, float *dst, size_t n, double mean, double std);
void clgan_rng_fill_uniform(clgan_rng *rng, float *dst, size_t n, double lo, double hi);

/* Scales. fan_in / fan_out of a dense layer [in -> out] are in / out; of a
 * conv (or transposed conv) layer with kernel kh x kw they are
 * C_in*kh*kw / C_out*kh*kw. */
double clgan_xavier_bound(int fan_in, int fan_out); /* sqrt(6 / (fan_in + fan_out)) */
double clgan_he_std(int fan_in);                    /* sqrt(2 / fan_in) */

/* Device tensors (any shape; t->count values drawn in memory order, then one
 * blocking upload; a host buffer of t->count floats is used temporarily). */
/* t ~ N(mean, std^2)  (DCGAN: mean 0, std 0.02) */
clgan_status clgan_init_normal(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, double mean, double std);
/* t ~ U(lo, hi) */
clgan_status clgan_init_uniform(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, double lo, double hi);
/* Xavier/Glorot uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) */
clgan_status clgan_init_xavier_uniform(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, int fan_in, int fan_out);
/* He/Kaiming normal: N(0, 2 / fan_in) */
clgan_status clgan_init_he_normal(clgan_ctx *ctx, clgan_rng *rng, clgan_tensor *t, int fan_in);
/* t = value everywhere (biases 0, batch-norm gamma 1); uses no RNG. */
clgan_status clgan_init_constant(clgan_ctx *ctx, clgan_tensor *t, float value);
#endif
