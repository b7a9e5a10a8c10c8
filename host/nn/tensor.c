/* tensor.c — allocation, views, upload/download of NCHW float tensors. */
#include "tensor.h"

#include <string.h>

clgan_status clgan_tensor_alloc(clgan_ctx *ctx, int n, int c, int h, int w, clgan_tensor *t)
{
    memset(t, 0, sizeof *t);
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "tensor shape [%d,%d,%d,%d] has a non-positive dimension", n, c, h, w);
    size_t count = (size_t)n * c * h * w;
    TRY(clgan_buffer_create(ctx, count * sizeof(float), &t->mem));
    t->n = n, t->c = c, t->h = h, t->w = w, t->count = count;
    return CLGAN_OK;
}

void clgan_tensor_free(clgan_ctx *ctx, clgan_tensor *t)
{
    if (!t) return;
    clgan_buffer_release(ctx, t->mem);
    memset(t, 0, sizeof *t);
}

size_t clgan_sub_align_floats(const clgan_ctx *ctx)
{
    cl_uint bits = 0;
    clGetDeviceInfo(ctx->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL);
    size_t floats = bits / (8 * sizeof(float));
    return floats ? floats : 1;
}

clgan_status clgan_tensor_view(clgan_ctx *ctx, cl_mem parent, size_t offset, int n, int c, int h, int w,
                               clgan_tensor *t)
{
    memset(t, 0, sizeof *t);
    size_t count = (size_t)n * c * h * w;
    cl_buffer_region region = {offset * sizeof(float), count * sizeof(float)};
    cl_int err;
    t->mem = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
    if (err != CL_SUCCESS) return clgan_fail_cl(err, "clCreateSubBuffer");
    t->n = n, t->c = c, t->h = h, t->w = w, t->count = count;
    return CLGAN_OK;
}

clgan_status clgan_tensor_upload(clgan_ctx *ctx, clgan_tensor *t, const float *src)
{
    return clgan_buffer_write(ctx, t->mem, 0, t->count * sizeof(float), src);
}

clgan_status clgan_tensor_download(clgan_ctx *ctx, const clgan_tensor *t, float *dst)
{
    return clgan_buffer_read(ctx, t->mem, 0, t->count * sizeof(float), dst);
}

clgan_status clgan_tensor_zero(clgan_ctx *ctx, clgan_tensor *t)
{
    return clgan_buffer_fill_zero(ctx, t->mem, 0, t->count * sizeof(float));
}
