/* activation.c — host side of cl/activation.cl: relu, leaky_relu, tanh, sigmoid. */
#include "activation.h"

#include <stdio.h>

const char *clgan_act_name(clgan_act act)
{
    switch (act) {
    case CLGAN_ACT_RELU: return "relu";
    case CLGAN_ACT_LEAKY_RELU: return "leaky_relu";
    case CLGAN_ACT_TANH: return "tanh";
    case CLGAN_ACT_SIGMOID: return "sigmoid";
    }
    return "?";
}

static clgan_status same_count(const char *what, const clgan_tensor *a, const clgan_tensor *b)
{
    if (a->count != b->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: element counts differ (%zu vs %zu)", what, a->count, b->count);
    return CLGAN_OK;
}

clgan_status clgan_act_forward(clgan_ctx *ctx, clgan_act act, float slope, const clgan_tensor *x, clgan_tensor *y)
{
    TRY(same_count("activation forward", x, y));
    char name[48];
    snprintf(name, sizeof name, "%s_forward", clgan_act_name(act));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "activation", name, &k, NULL));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, (int)x->count);
    if (act == CLGAN_ACT_LEAKY_RELU) clgan_arg_float(&a, slope);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, y->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, x->count, 0, name);
}

clgan_status clgan_act_backward(clgan_ctx *ctx, clgan_act act, float slope, const clgan_tensor *x,
                                const clgan_tensor *y, const clgan_tensor *dy, clgan_tensor *dx)
{
    TRY(same_count("activation backward", dy, dx));
    char name[48];
    snprintf(name, sizeof name, "%s_backward", clgan_act_name(act));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "activation", name, &k, NULL));
    /* relu-like kernels look at x, saturating ones at the forward output y. */
    const clgan_tensor *saved = (act == CLGAN_ACT_TANH || act == CLGAN_ACT_SIGMOID) ? y : x;
    TRY(same_count("activation backward", saved, dx));
    clgan_args a = clgan_args_begin(k, name);
    clgan_arg_int(&a, (int)dx->count);
    if (act == CLGAN_ACT_LEAKY_RELU) clgan_arg_float(&a, slope);
    clgan_arg_mem(&a, saved->mem);
    clgan_arg_mem(&a, dy->mem);
    clgan_arg_mem(&a, dx->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, k, dx->count, 0, name);
}
