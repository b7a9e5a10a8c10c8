/* optim.h — optimizer steps over one flat parameter block: SGD with momentum
 * and weight decay, Adam, and a moving average of the block. Each step is
 * ONE kernel launch over the whole block (llm.c style): p, g and the state
 * buffers hold the same number of floats `count` (any shape; typically the
 * [count,1,1,1] parameter block and its gradient block). State buffers are
 * caller-owned and must be zeroed before the first step (clgan_tensor_alloc
 * zero-fills). The step only enqueues work; nothing is read back.
 */
#ifndef CLGAN_OPTIM_H
#define CLGAN_OPTIM_H
#include "nn/tensor.h"

/* SGD, PyTorch semantics (dampening 0, no Nesterov):
 *   g' = g + weight_decay * p;  v = momentum * v + g';  p -= lr * v */
typedef struct clgan_sgd_params {
    float lr;           /* default 0.01 */
    float momentum;     /* default 0.9 */
    float weight_decay; /* default 0 (L2, added to the gradient) */
} clgan_sgd_params;
clgan_sgd_params clgan_sgd_default_params(void);

/* Shapes: p, g, v all [count]. v is the velocity buffer. */
clgan_status clgan_sgd_step(clgan_ctx *ctx, const clgan_sgd_params *hp, clgan_tensor *p, const clgan_tensor *g,
                            clgan_tensor *v);

/* Adam (Kingma & Ba), with optional L2 weight decay added to the gradient:
 *   g' = g + weight_decay * p
 *   m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2
 *   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * t is the 1-based step count; the bias corrections are computed on the host
 * in double and passed as floats. Defaults are the DCGAN setting. */
typedef struct clgan_adam_params {
    float lr;           /* default 2e-4 */
    float beta1;        /* default 0.5 */
    float beta2;        /* default 0.999 */
    float eps;          /* default 1e-8 */
    float weight_decay; /* default 0 */
} clgan_adam_params;
clgan_adam_params clgan_adam_default_params(void);

/* Shapes: p, g, m, v all [count]; step >= 1 (the caller counts steps). */
clgan_status clgan_adam_step(clgan_ctx *ctx, const clgan_adam_params *hp, int step, clgan_tensor *p,
                             const clgan_tensor *g, clgan_tensor *m, clgan_tensor *v);

/* Exponential moving average of a parameter block (Polyak averaging; the
 * generator average of Yazici et al. 2019): ema = decay * ema + (1 - decay) * p,
 * 1 - decay rounded to float on the host. Shapes: ema, p both [count];
 * 0 <= decay <= 1. */
clgan_status clgan_ema_step(clgan_ctx *ctx, float decay, clgan_tensor *ema, const clgan_tensor *p);
#endif
