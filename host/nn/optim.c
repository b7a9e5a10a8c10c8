/* optim.c — host side of cl/optim.cl: SGD with momentum, Adam, the moving average. */
#include "optim.h"

#include <limits.h>
#include <math.h>

clgan_sgd_params clgan_sgd_default_params(void)
{
    clgan_sgd_params p = {0.01f, 0.9f, 0.0f};
    return p;
}

clgan_adam_params clgan_adam_default_params(void)
{
    clgan_adam_params p = {2e-4f, 0.5f, 0.999f, 1e-8f, 0.0f};
    return p;
}

/* t present, allocated, and holding exactly `count` floats (count from p). */
static clgan_status check_block(const char *op, const char *what, const clgan_tensor *t, size_t count)
{
    if (!t || !t->mem) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is NULL or unallocated", op, what);
    if (t->count != count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s has %zu elements, params have %zu", op, what, t->count,
                          count);
    return CLGAN_OK;
}

static clgan_status check_params_block(const char *op, const clgan_tensor *p)
{
    if (!p || !p->mem) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: params are NULL or unallocated", op);
    if (p->count == 0 || p->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: params have %zu elements (need 1..%d)", op, p->count, INT_MAX);
    return CLGAN_OK;
}

/* p, g, v: [count] */
clgan_status clgan_sgd_step(clgan_ctx *ctx, const clgan_sgd_params *hp, clgan_tensor *p, const clgan_tensor *g,
                            clgan_tensor *v)
{
    const char *op = "sgd step";
    if (!hp) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: params struct is NULL", op);
    TRY(check_params_block(op, p));
    TRY(check_block(op, "grads", g, p->count));
    TRY(check_block(op, "velocity", v, p->count));
    if (!(hp->lr >= 0) || !(hp->momentum >= 0) || !isfinite(hp->lr) || !isfinite(hp->momentum) ||
        !isfinite(hp->weight_decay))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: lr %g / momentum %g / weight_decay %g must be finite, lr and "
                          "momentum >= 0", op, hp->lr, hp->momentum, hp->weight_decay);
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "optim", "sgd_step", &k, NULL));
    clgan_args a = clgan_args_begin(k, "sgd_step");
    clgan_arg_int(&a, (int)p->count);
    clgan_arg_float(&a, hp->lr);
    clgan_arg_float(&a, hp->momentum);
    clgan_arg_float(&a, hp->weight_decay);
    clgan_arg_mem(&a, p->mem);
    clgan_arg_mem(&a, g->mem);
    clgan_arg_mem(&a, v->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, p->count, 0, "sgd_step");
}

/* p, g, m, v: [count] */
clgan_status clgan_adam_step(clgan_ctx *ctx, const clgan_adam_params *hp, int step, clgan_tensor *p,
                             const clgan_tensor *g, clgan_tensor *m, clgan_tensor *v)
{
    const char *op = "adam step";
    if (!hp) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: params struct is NULL", op);
    TRY(check_params_block(op, p));
    TRY(check_block(op, "grads", g, p->count));
    TRY(check_block(op, "first moment m", m, p->count));
    TRY(check_block(op, "second moment v", v, p->count));
    if (step < 1) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: step = %d, must be >= 1 (1-based)", op, step);
    if (!(hp->beta1 >= 0 && hp->beta1 < 1) || !(hp->beta2 >= 0 && hp->beta2 < 1) || !(hp->eps > 0) ||
        !(hp->lr >= 0) || !isfinite(hp->lr) || !isfinite(hp->eps) || !isfinite(hp->weight_decay))
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: need 0 <= beta1, beta2 < 1, eps > 0, finite lr >= 0 (got lr %g beta1 %g beta2 %g "
                          "eps %g weight_decay %g)", op, hp->lr, hp->beta1, hp->beta2, hp->eps, hp->weight_decay);
    /* Bias corrections in double; 1 - beta^t underflows to 0 only for beta = 1, excluded above. */
    double c1 = 1.0 / (1.0 - pow((double)hp->beta1, step));
    double c2 = 1.0 / (1.0 - pow((double)hp->beta2, step));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "optim", "adam_step", &k, NULL));
    clgan_args a = clgan_args_begin(k, "adam_step");
    clgan_arg_int(&a, (int)p->count);
    clgan_arg_float(&a, hp->lr);
    clgan_arg_float(&a, hp->beta1);
    clgan_arg_float(&a, hp->beta2);
    clgan_arg_float(&a, hp->eps);
    clgan_arg_float(&a, hp->weight_decay);
    clgan_arg_float(&a, (float)c1);
    clgan_arg_float(&a, (float)c2);
    clgan_arg_mem(&a, p->mem);
    clgan_arg_mem(&a, g->mem);
    clgan_arg_mem(&a, m->mem);
    clgan_arg_mem(&a, v->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, p->count, 0, "adam_step");
}

/* ema, p: [count]; ema = decay * ema + (1 - decay) * p */
clgan_status clgan_ema_step(clgan_ctx *ctx, float decay, clgan_tensor *ema, const clgan_tensor *p)
{
    const char *op = "ema step";
    TRY(check_params_block(op, p));
    TRY(check_block(op, "the average", ema, p->count));
    if (!(decay >= 0 && decay <= 1))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: decay %g must be in [0, 1]", op, decay);
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "optim", "ema_step", &k, NULL));
    clgan_args a = clgan_args_begin(k, "ema_step");
    clgan_arg_int(&a, (int)p->count);
    clgan_arg_float(&a, decay);
    clgan_arg_float(&a, (float)(1.0 - (double)decay));
    clgan_arg_mem(&a, ema->mem);
    clgan_arg_mem(&a, p->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, p->count, 0, "ema_step");
}
