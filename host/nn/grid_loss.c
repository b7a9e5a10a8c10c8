/* grid_loss.c — host side of cl/grid_loss.cl: the grid detector's loss
 * (objectness, box and class terms per cell), forward and backward. */
#include "grid_loss.h"

#include <limits.h>
#include <math.h>

clgan_grid_loss_weights clgan_grid_loss_default_weights(void)
{
    clgan_grid_loss_weights w = {.noobj = 0.5f, .box = 5.0f};
    return w;
}

/* x [N,5+K,G,G] with G = H = W, t [N,6,G,G], out [N*G*G] (loss) or x's shape (dx). */
static clgan_status check_args(const char *op, const clgan_grid_loss_weights *wt, const clgan_tensor *x,
                               const clgan_tensor *t, const char *out_name, const clgan_tensor *out, int out_like_x)
{
    if (!wt) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: weights are NULL", op);
    if (!isfinite(wt->noobj) || !isfinite(wt->box) || wt->noobj < 0 || wt->box < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: weights noobj %g and box %g must be finite and >= 0", op,
                          (double)wt->noobj, (double)wt->box);
    if (!x || !x->mem || !t || !t->mem || !out || !out->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x, t or %s is NULL or unallocated", op, out_name);
    if (x->n <= 0 || x->c < 6 || x->h <= 0 || x->h != x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "%s: x is [%d,%d,%d,%d]; it must be [N, 5+K, G, G] with K >= 1 and a square grid", op, x->n,
                          x->c, x->h, x->w);
    if (x->count > INT_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: x has %zu elements, more than the kernels' int index", op,
                          x->count);
    if (t->n != x->n || t->c != CLGAN_GRID_TARGET_CHANNELS || t->h != x->h || t->w != x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: t is [%d,%d,%d,%d] but must be [%d,%d,%d,%d] for x", op, t->n,
                          t->c, t->h, t->w, x->n, CLGAN_GRID_TARGET_CHANNELS, x->h, x->w);
    if (out_like_x ? (out->n != x->n || out->c != x->c || out->h != x->h || out->w != x->w)
                   : out->count != (size_t)x->n * x->h * x->w)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s is [%d,%d,%d,%d] but must %s", op, out_name, out->n, out->c,
                          out->h, out->w, out_like_x ? "have x's shape" : "hold N*G*G values, one per cell");
    if (out->mem == x->mem || out->mem == t->mem)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: %s must not share a buffer with x or t", op, out_name);
    return CLGAN_OK;
}

/* One work-item per cell: kernel(cells, K, GG, noobj, box, beta, k, x, t, out). */
static clgan_status launch(clgan_ctx *ctx, const char *name, const clgan_grid_loss_weights *wt, float k,
                           const clgan_tensor *x, const clgan_tensor *t, clgan_tensor *out)
{
    cl_kernel kern;
    int GG = x->h * x->w, cells = x->n * GG;
    TRY(clgan_kernel_get(ctx, "grid_loss", name, &kern, NULL));
    clgan_args a = clgan_args_begin(kern, name);
    clgan_arg_int(&a, cells);
    clgan_arg_int(&a, x->c - 5);
    clgan_arg_int(&a, GG);
    clgan_arg_float(&a, wt->noobj);
    clgan_arg_float(&a, wt->box);
    clgan_arg_float(&a, CLGAN_GRID_HUBER_BETA);
    clgan_arg_float(&a, k);
    clgan_arg_mem(&a, x->mem);
    clgan_arg_mem(&a, t->mem);
    clgan_arg_mem(&a, out->mem);
    TRY(clgan_args_end(&a));
    return clgan_launch_1d(ctx, kern, (size_t)cells, 0, name);
}

/* x [N,5+K,G,G], t [N,6,G,G] -> loss [N*G*G] */
clgan_status clgan_grid_loss_forward(clgan_ctx *ctx, const clgan_grid_loss_weights *wt, const clgan_tensor *x,
                                     const clgan_tensor *t, clgan_tensor *loss)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "grid loss forward: ctx is NULL");
    TRY(check_args("grid loss forward", wt, x, t, "loss", loss, 0));
    return launch(ctx, "grid_loss_forward", wt, 1.0f, x, t, loss);
}

/* x [N,5+K,G,G], t [N,6,G,G] -> dx [N,5+K,G,G] = scale * d(sum loss / N)/dx */
clgan_status clgan_grid_loss_backward(clgan_ctx *ctx, const clgan_grid_loss_weights *wt, float scale,
                                      const clgan_tensor *x, const clgan_tensor *t, clgan_tensor *dx)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "grid loss backward: ctx is NULL");
    TRY(check_args("grid loss backward", wt, x, t, "dx", dx, 1));
    return launch(ctx, "grid_loss_backward", wt, (float)((double)scale / x->n), x, t, dx);
}
