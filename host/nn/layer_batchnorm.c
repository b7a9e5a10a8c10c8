/* layer_batchnorm.c — the batchnorm layer kind: per channel (per feature
 * after a dense layer) over N*H*W, shape unchanged (batchnorm.h). Gamma
 * [C] in w and beta [C] in b; the running mean and variance [C] each in the
 * state block; the batch mean and 1/std of the last training forward kept
 * for backward. With sync_bn on a data-parallel pass, training statistics
 * and the backward's sums are over every rank's share (the _sync forms). */
#include "nn/layer.h"

#include "nn/batchnorm.h"

static clgan_status batchnorm_infer(net_layer *L, int index)
{
    (void)index;
    L->w_count = L->b_count = (size_t)L->in_c; /* gamma, beta */
    L->stat_vecs = 2, L->stat_len = (size_t)L->in_c; /* running mean, running var */
    return CLGAN_OK;
}

static clgan_status batchnorm_bind(clgan_ctx *ctx, cl_mem state_mem, net_layer *L)
{
    TRY(clgan_layer_state_view(ctx, state_mem, L, 0, &L->run_mean));
    TRY(clgan_layer_state_view(ctx, state_mem, L, 1, &L->run_var));
    TRY(clgan_tensor_alloc(ctx, L->in_c, 1, 1, 1, &L->save_mean));
    return clgan_tensor_alloc(ctx, L->in_c, 1, 1, 1, &L->save_inv_std);
}

static clgan_status batchnorm_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L)
{
    (void)rng;
    TRY(clgan_init_constant(ctx, &L->w, 1.0f)); /* gamma = 1, beta = 0 (zeroed block) */
    return clgan_init_constant(ctx, &L->run_var, 1.0f);
}

/* A first layer's backward has nowhere to write the dx the kernel always writes: scratch. */
static clgan_status batchnorm_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp)
{
    (void)col, (void)tmp;
    return index == 0 ? clgan_tensor_alloc(ctx, n, L->in_c, L->in_h, L->in_w, &L->scratch) : CLGAN_OK;
}

/* Training with --sync-bn on a data-parallel job: statistics over every rank's share (the _sync forms). */
static int synchronised(const layer_pass *pass) { return pass->sync_bn && pass->reducer; }

static clgan_status batchnorm_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x)
{
    if (pass->training && synchronised(pass))
        return clgan_batchnorm_forward_sync(pass->ctx, CLGAN_BN_MOMENTUM, CLGAN_BN_EPS, pass->reducer, x, &L->w,
                                            &L->b, &L->run_mean, &L->run_var, &L->save_mean, &L->save_inv_std,
                                            &L->out);
    return clgan_batchnorm_forward(pass->ctx, pass->training, CLGAN_BN_MOMENTUM, CLGAN_BN_EPS, x, &L->w, &L->b,
                                   &L->run_mean, &L->run_var, &L->save_mean, &L->save_inv_std, &L->out);
}

/* A synchronised first layer passes dx NULL: its backward skips dx and the sum over the ranks. */
static clgan_status batchnorm_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx)
{
    if (synchronised(pass))
        return clgan_batchnorm_backward_sync(pass->ctx, pass->reducer, x, &L->w, &L->save_mean, &L->save_inv_std,
                                             &L->dout, dx, &L->dw, &L->db);
    return clgan_batchnorm_backward(pass->ctx, x, &L->w, &L->save_mean, &L->save_inv_std, &L->dout,
                                    dx ? dx : &L->scratch, &L->dw, &L->db);
}

/* Subtract, scale, multiply, add per float. */
static double batchnorm_flops(const net_layer *L) { return 4.0 * (double)clgan_layer_in_floats(L); }

const clgan_layer_ops clgan_layer_batchnorm_ops = {
    .kind = CLGAN_LAYER_BATCHNORM,
    .name = "batchnorm",
    .infer = batchnorm_infer,
    .bind = batchnorm_bind,
    .init = batchnorm_init,
    .plan = batchnorm_plan,
    .forward = batchnorm_forward,
    .backward = batchnorm_backward,
    .flops = batchnorm_flops,
    .state_averaged = 1,
};
