/* loss.c — host side of cl/loss.cl: BCE with logits, softmax cross-entropy,
 * MSE, hinge, linear, and the host-side mean/sum of per-element losses. */
#include "loss.h"

#include <limits.h>
#include <stdlib.h>

static clgan_status check_tensor_arg(const char *op, const char *what, const clgan_tensor *t)
{
    if (!t || !t->mem) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is NULL or unallocated", op, what);
    if (t->count == 0 || t->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s has %zu elements (need 1..%d)", op, what, t->count, INT_MAX);
    return CLGAN_OK;
}

/* x, t, out all present and holding the same number of elements. */
static clgan_status same_counts(const char *op, const clgan_tensor *x, const clgan_tensor *t, const char *out_name,
                                const clgan_tensor *out)
{
    TRY(check_tensor_arg(op, "x", x));
    TRY(check_tensor_arg(op, "t", t));
    TRY(check_tensor_arg(op, out_name, out));
    if (t->count != x->count || out->count != x->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: element counts differ (x %zu, t %zu, %s %zu)", op, x->count,
                          t->count, out_name, out->count);
    return CLGAN_OK;
}

/* Launch kernel(count, [k,] x, t, out) over count elements. */
static clgan_status launch_xt(clgan_ctx *ctx, const char *name, int with_k, float k, const clgan_tensor *x,
                              const clgan_tensor *t, clgan_tensor *out)
{
    cl_kernel kern;
    TRY(clgan_kernel_get(ctx, "loss", name, &kern, NULL));
    clgan_args a = clgan_args_begin(kern, name);
    clgan_arg_int(&a, (int)x->count);
    if (with_k) clgan_arg_float(&a, k);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, t->mem);
    clgan_arg_mem(&a, out->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, kern, x->count, 0, name);
}

/* x, t, loss: [count] */
clgan_status clgan_bce_logits_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *t,
                                      clgan_tensor *loss)
{
    TRY(same_counts("bce_logits forward", x, t, "loss", loss));
    return launch_xt(ctx, "bce_logits_forward", 0, 0.0f, x, t, loss);
}

/* x, t, dx: [count]; dx = scale * (sigmoid(x) - t) / count */
clgan_status clgan_bce_logits_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                       clgan_tensor *dx)
{
    TRY(same_counts("bce_logits backward", x, t, "dx", dx));
    return launch_xt(ctx, "bce_logits_backward", 1, (float)((double)scale / (double)x->count), x, t, dx);
}

/* x, t, loss: [count] */
clgan_status clgan_mse_forward(clgan_ctx *ctx, const clgan_tensor *x, const clgan_tensor *t, clgan_tensor *loss)
{
    TRY(same_counts("mse forward", x, t, "loss", loss));
    return launch_xt(ctx, "mse_forward", 0, 0.0f, x, t, loss);
}

/* x, t, dx: [count]; dx = scale * 2 (x - t) / count */
clgan_status clgan_mse_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                clgan_tensor *dx)
{
    TRY(same_counts("mse backward", x, t, "dx", dx));
    return launch_xt(ctx, "mse_backward", 1, (float)(2.0 * (double)scale / (double)x->count), x, t, dx);
}

/* x, t, dx: [count]; dx = scale * (t x < 1 ? -t : 0) / count */
clgan_status clgan_hinge_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                  clgan_tensor *dx)
{
    TRY(same_counts("hinge backward", x, t, "dx", dx));
    return launch_xt(ctx, "hinge_backward", 1, (float)((double)scale / (double)x->count), x, t, dx);
}

/* x, t, dx: [count]; dx = -scale * t / count */
clgan_status clgan_linear_backward(clgan_ctx *ctx, float scale, const clgan_tensor *x, const clgan_tensor *t,
                                   clgan_tensor *dx)
{
    TRY(same_counts("linear backward", x, t, "dx", dx));
    return launch_xt(ctx, "linear_backward", 1, (float)((double)scale / (double)x->count), x, t, dx);
}

/* Validates logits x [N,K] and the int32 labels buffer of N entries. */
static clgan_status check_ce_args(const char *op, const clgan_tensor *x, cl_mem labels, int *n, int *classes)
{
    TRY(check_tensor_arg(op, "x", x));
    if (x->n <= 0 || x->count % (size_t)x->n != 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: logits shape [%d,%d,%d,%d] is not [N,K]", op, x->n, x->c, x->h,
                          x->w);
    if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: labels buffer is NULL", op);
    size_t bytes = 0;
    CL_TRY(clGetMemObjectInfo(labels, CL_MEM_SIZE, sizeof bytes, &bytes, NULL));
    if (bytes < (size_t)x->n * sizeof(cl_int))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: labels buffer holds %zu bytes, need %d int32 labels (%zu bytes)",
                          op, bytes, x->n, (size_t)x->n * sizeof(cl_int));
    *n = x->n;
    *classes = (int)(x->count / (size_t)x->n);
    return CLGAN_OK;
}

/* x: [N,K]; labels: int32 [N]; loss: [N] */
clgan_status clgan_softmax_ce_forward(clgan_ctx *ctx, const clgan_tensor *x, cl_mem labels, clgan_tensor *loss)
{
    const char *op = "softmax_ce forward";
    int n, classes;
    TRY(check_ce_args(op, x, labels, &n, &classes));
    TRY(check_tensor_arg(op, "loss", loss));
    if (loss->count != (size_t)n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: loss has %zu elements, need one per row (%d)", op, loss->count,
                          n);
    cl_kernel kern;
    TRY(clgan_kernel_get(ctx, "loss", "softmax_ce_forward", &kern, NULL));
    clgan_args a = clgan_args_begin(kern, "softmax_ce_forward");
    clgan_arg_int(&a, n);
    clgan_arg_int(&a, classes);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, labels);
    clgan_arg_mem(&a, loss->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, kern, (size_t)n, 0, "softmax_ce_forward");
}

/* x, dx: [N,K]; labels: int32 [N]; dx = scale * (softmax(x) - onehot) / labelled */
clgan_status clgan_softmax_ce_backward(clgan_ctx *ctx, float scale, int labelled, const clgan_tensor *x,
                                       cl_mem labels, clgan_tensor *dx)
{
    const char *op = "softmax_ce backward";
    int n, classes;
    TRY(check_ce_args(op, x, labels, &n, &classes));
    TRY(check_tensor_arg(op, "dx", dx));
    if (dx->count != x->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: dx has %zu elements, logits %zu", op, dx->count, x->count);
    if (labelled < 0 || labelled > n)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: labelled = %d is outside [0, %d]", op, labelled, n);
    float k = labelled ? (float)((double)scale / labelled) : 0.0f;
    cl_kernel kern;
    TRY(clgan_kernel_get(ctx, "loss", "softmax_ce_backward", &kern, NULL));
    clgan_args a = clgan_args_begin(kern, "softmax_ce_backward");
    clgan_arg_int(&a, n);
    clgan_arg_int(&a, classes);
    clgan_arg_float(&a, k);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, labels);
    clgan_arg_mem(&a, dx->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, kern, (size_t)n, 0, "softmax_ce_backward");
}

int clgan_softmax_ce_count_labelled(const int32_t *labels, int n, int classes)
{
    int count = 0;
    for (int i = 0; labels && i < n; i++)
        if (labels[i] >= 0 && labels[i] < classes) count++;
    return count;
}

/* loss: [count] -> sum in double (blocking read). */
clgan_status clgan_loss_sum(clgan_ctx *ctx, const clgan_tensor *loss, double *sum)
{
    TRY(check_tensor_arg("loss sum", "loss", loss));
    if (!sum) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loss sum: output pointer is NULL");
    float *host = malloc(loss->count * sizeof *host);
    if (!host) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "loss sum: out of host memory (%zu floats)", loss->count);
    clgan_status st = clgan_tensor_download(ctx, loss, host);
    if (st == CLGAN_OK) {
        double s = 0;
        for (size_t i = 0; i < loss->count; i++) s += host[i];
        *sum = s;
    }
    free(host);
    return st;
}

/* loss: [count] -> mean in double (blocking read). */
clgan_status clgan_loss_mean(clgan_ctx *ctx, const clgan_tensor *loss, double *mean)
{
    if (!mean) return clgan_fail(CLGAN_ERR_INVALID_ARG, "loss mean: output pointer is NULL");
    double s;
    TRY(clgan_loss_sum(ctx, loss, &s));
    *mean = s / (double)loss->count;
    return CLGAN_OK;
}
