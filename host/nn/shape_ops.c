/* shape_ops.c — host side of cl/shape_ops.cl: concat, one-hot, and reshape. */
#include "shape_ops.h"

#include <limits.h>

static clgan_status check_int_count(const char *what, size_t count)
{
    if (count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %zu elements exceed the kernels' int index", what, count);
    return CLGAN_OK;
}

/* part [N,Cp,H,W] must match whole [N,*,H,W] in N, H, W. */
static clgan_status same_nhw(const char *what, const char *name, const clgan_tensor *part, const clgan_tensor *whole)
{
    if (part->n != whole->n || part->h != whole->h || part->w != whole->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d] but the concatenation is [%d,%d,%d,%d]",
                          what, name, part->n, part->c, part->h, part->w, whole->n, whole->c, whole->h, whole->w);
    return CLGAN_OK;
}

clgan_status clgan_concat_forward(clgan_ctx *ctx, const clgan_tensor *a, const clgan_tensor *b, clgan_tensor *y)
{
    TRY(same_nhw("concat forward", "a", a, y));
    TRY(same_nhw("concat forward", "b", b, y));
    if (a->c + b->c != y->c)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "concat forward: %d + %d channels do not make the output's %d", a->c,
                          b->c, y->c);
    TRY(check_int_count("concat forward", y->count));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "shape_ops", "concat_forward", &k, NULL));
    clgan_args ar = clgan_args_begin(k, "concat_forward");
    clgan_arg_int(&ar, (int)y->count);
    clgan_arg_int(&ar, a->c);
    clgan_arg_int(&ar, b->c);
    clgan_arg_int(&ar, y->h * y->w);
    clgan_arg_mem(&ar, a->mem);
    clgan_arg_mem(&ar, b->mem);
    clgan_arg_mem(&ar, y->mem);
    TRY(clgan_args_end(&ar));
    return clgan_launch_1d(ctx, k, y->count, 0, "concat_forward");
}

/* d [N,Cd,H,W] = dy channels off .. off+Cd-1. */
static clgan_status slice(clgan_ctx *ctx, const clgan_tensor *dy, int off, clgan_tensor *d)
{
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "shape_ops", "concat_backward", &k, NULL));
    clgan_args ar = clgan_args_begin(k, "concat_backward");
    clgan_arg_int(&ar, (int)d->count);
    clgan_arg_int(&ar, dy->c);
    clgan_arg_int(&ar, d->c);
    clgan_arg_int(&ar, off);
    clgan_arg_int(&ar, dy->h * dy->w);
    clgan_arg_mem(&ar, dy->mem);
    clgan_arg_mem(&ar, d->mem);
    TRY(clgan_args_end(&ar));
    return clgan_launch_1d(ctx, k, d->count, 0, "concat_backward");
}

clgan_status clgan_concat_backward(clgan_ctx *ctx, const clgan_tensor *dy, clgan_tensor *da, clgan_tensor *db)
{
    if (!da && !db) return CLGAN_OK;
    if (da) TRY(same_nhw("concat backward", "da", da, dy));
    if (db) TRY(same_nhw("concat backward", "db", db, dy));
    int c1 = da ? da->c : dy->c - db->c;
    int c2 = db ? db->c : dy->c - da->c;
    if (c1 <= 0 || c2 <= 0 || c1 + c2 != dy->c)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "concat backward: %d + %d channels do not make dy's %d", c1, c2,
                          dy->c);
    TRY(check_int_count("concat backward", dy->count));
    if (da) TRY(slice(ctx, dy, 0, da));
    if (db) TRY(slice(ctx, dy, c1, db));
    return CLGAN_OK;
}

clgan_status clgan_one_hot_forward(clgan_ctx *ctx, cl_mem labels, clgan_tensor *y)
{
    if (!labels) return clgan_fail(CLGAN_ERR_INVALID_ARG, "one_hot: labels buffer is NULL");
    size_t bytes = 0;
    CL_TRY(clGetMemObjectInfo(labels, CL_MEM_SIZE, sizeof bytes, &bytes, NULL));
    if (bytes < (size_t)y->n * sizeof(cl_int))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "one_hot: labels buffer holds %zu bytes, %d labels need %zu", bytes,
                          y->n, (size_t)y->n * sizeof(cl_int));
    TRY(check_int_count("one_hot", y->count));
    cl_kernel k;
    TRY(clgan_kernel_get(ctx, "shape_ops", "one_hot_forward", &k, NULL));
    clgan_args ar = clgan_args_begin(k, "one_hot_forward");
    clgan_arg_int(&ar, (int)y->count);
    clgan_arg_int(&ar, y->c);
    clgan_arg_int(&ar, y->h * y->w);
    clgan_arg_mem(&ar, labels);
    clgan_arg_mem(&ar, y->mem);
    TRY(clgan_args_end(&ar));
    return clgan_launch_1d(ctx, k, y->count, 0, "one_hot_forward");
}

clgan_status clgan_tensor_reshape(clgan_tensor *t, int n, int c, int h, int w)
{
    if (!t) return clgan_fail(CLGAN_ERR_INVALID_ARG, "reshape: tensor is NULL");
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "reshape: shape [%d,%d,%d,%d] has a non-positive dimension", n, c, h,
                          w);
    size_t count = (size_t)n, dims[3] = {(size_t)c, (size_t)h, (size_t)w};
    for (int i = 0; i < 3; i++) count = count > t->count ? count : count * dims[i]; /* stop before overflow */
    if (count != t->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "reshape: [%d,%d,%d,%d] holds %zu elements, the tensor [%d,%d,%d,%d] %zu",
                          n, c, h, w, count, t->n, t->c, t->h, t->w, t->count);
    t->n = n, t->c = c, t->h = h, t->w = w;
    return CLGAN_OK;
}
