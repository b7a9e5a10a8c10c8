/* bench_op.c — single operations for benchmarks (clgan/bench.h): a GEMM of
 * a given shape, or one layer of a net rebuilt alone, on random operands
 * made once, so that a timed run is the operation and nothing else. */
#include "clgan/bench.h"

#include "core/error.h"
#include "nn/gemm.h"
#include "nn/net.h"
#include "nn/random.h"
#include "nn/tensor.h"

#include <stdlib.h>
#include <string.h>

struct clgan_bench_op {
    clgan_ctx *ctx;
    clgan_bench_op_info info;
    clgan_gemm_shape shape;      /* gemm */
    clgan_tensor a, b, c;        /* gemm operands */
    clgan_net *net;              /* layer: the one-layer net */
    clgan_tensor x, dx;          /* layer: input and dL/dx */
    int forwarded;               /* layer: a training forward has run */
};

/* Seeded uniforms in [-1, 1] into t (a stream per operand). */
static clgan_status fill(clgan_ctx *ctx, clgan_tensor *t, uint64_t stream)
{
    return clgan_random_uniform(ctx, 7, stream, 0, -1.0f, 1.0f, t);
}

static clgan_status new_op(clgan_ctx *ctx, clgan_bench_op **op, const char *fn)
{
    if (!op) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: op is NULL", fn);
    *op = NULL;
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: ctx is NULL", fn);
    clgan_bench_op *o = calloc(1, sizeof *o);
    if (!o) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for a benchmark op");
    o->ctx = ctx;
    *op = o;
    return CLGAN_OK;
}

clgan_status clgan_bench_op_gemm(clgan_ctx *ctx, const clgan_gemm_shape *s, clgan_bench_op **op)
{
    TRY(new_op(ctx, op, "clgan_bench_op_gemm"));
    clgan_bench_op *o = *op;
    clgan_status st = CLGAN_OK;
    if (!s || !s->m || !s->n || !s->k || s->m > INT32_MAX || s->n > INT32_MAX || s->k > INT32_MAX)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_gemm: a GEMM needs m, n and k in 1..%d", INT32_MAX);
    if (st == CLGAN_OK) {
        o->shape = *s;
        snprintf(o->info.kind, sizeof o->info.kind, "gemm");
        o->info.batch = 1;
        st = clgan_tensor_alloc(ctx, 1, 1, (int)s->m, (int)s->k, &o->a);
    }
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, 1, 1, (int)s->k, (int)s->n, &o->b);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, 1, 1, (int)s->m, (int)s->n, &o->c);
    if (st == CLGAN_OK) st = fill(ctx, &o->a, 1);
    if (st == CLGAN_OK) st = fill(ctx, &o->b, 2);
    if (st != CLGAN_OK) clgan_bench_op_free(o), *op = NULL;
    return st;
}

clgan_status clgan_bench_op_layer(clgan_ctx *ctx, const clgan_net *net, int layer, int batch, clgan_bench_op **op)
{
    TRY(new_op(ctx, op, "clgan_bench_op_layer"));
    clgan_bench_op *o = *op;
    int c = 0, h = 0, w = 0;
    const clgan_layer_spec *spec = clgan_net_layer_spec(net, layer, &c, &h, &w);
    clgan_status st = CLGAN_OK;
    if (!spec) st = clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_layer: the net has no layer %d", layer);
    else if (batch < 1) st = clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_layer: batch %d, needs >= 1", batch);
    if (st == CLGAN_OK) st = clgan_net_create(ctx, c, h, w, spec, 1, 7, &o->net);
    if (st == CLGAN_OK) st = clgan_net_plan(o->net, batch);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, batch, c, h, w, &o->x);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, batch, c, h, w, &o->dx);
    if (st == CLGAN_OK) st = fill(ctx, &o->x, 11);
    if (st == CLGAN_OK) st = fill(ctx, clgan_net_output_grad(o->net), 12);
    if (st != CLGAN_OK) {
        clgan_bench_op_free(o), *op = NULL;
        return st;
    }
    clgan_bench_op_info *i = &o->info;
    snprintf(i->kind, sizeof i->kind, "%s", clgan_layer_kind_name(spec->kind));
    i->batch = batch;
    i->in[0] = c, i->in[1] = h, i->in[2] = w;
    clgan_net_output_shape(o->net, &i->out[0], &i->out[1], &i->out[2]);
    if (spec->kind == CLGAN_LAYER_CONV2D || spec->kind == CLGAN_LAYER_CONV_TRANSPOSE ||
        spec->kind == CLGAN_LAYER_MAXPOOL || spec->kind == CLGAN_LAYER_AVGPOOL)
        i->k = spec->k, i->stride = spec->stride, i->pad = spec->pad;
    i->params = clgan_net_param_count(o->net);
    return CLGAN_OK;
}

clgan_status clgan_bench_op_run(clgan_bench_op *o, int backward)
{
    if (!o) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_run: op is NULL");
    if (!o->net) {
        if (backward) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_run: a GEMM has no backward");
        const clgan_gemm_shape *s = &o->shape;
        return clgan_gemm(o->ctx, s->trans_a, s->trans_b, s->m, s->n, s->k, 1.0f, o->a.mem, 0, s->trans_a ? s->m : s->k,
                          o->b.mem, 0, s->trans_b ? s->k : s->n, 0.0f, o->c.mem, 0, s->n);
    }
    if (backward) {
        if (!o->forwarded)
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_run: backward needs a forward run first");
        return clgan_net_backward(o->net, &o->dx);
    }
    const clgan_tensor *y;
    TRY(clgan_net_forward(o->net, &o->x, NULL, 1, &y));
    o->forwarded = 1;
    return CLGAN_OK;
}

clgan_status clgan_bench_op_get_info(const clgan_bench_op *o, clgan_bench_op_info *info)
{
    if (!o || !info) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_bench_op_get_info: NULL argument");
    *info = o->info;
    return CLGAN_OK;
}

void clgan_bench_op_free(clgan_bench_op *o)
{
    if (!o) return;
    clgan_tensor *t[] = {&o->a, &o->b, &o->c, &o->x, &o->dx};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (t[i]->mem) clgan_tensor_free(o->ctx, t[i]);
    clgan_net_free(o->net);
    free(o);
}
