/* tensor.h — float32 device tensors in NCHW layout.
 *
 * A tensor is a cl_mem plus its shape; dense activations use h = w = 1.
 * Tensors that alias part of a larger buffer (parameters inside the one
 * parameter block) are OpenCL sub-buffers and do not own memory.
 */
#ifndef CLGAN_TENSOR_H
#define CLGAN_TENSOR_H
#include "device/context.h"

typedef struct clgan_tensor {
    cl_mem mem;
    int n, c, h, w;
    size_t count; /* n*c*h*w */
} clgan_tensor;

clgan_status clgan_tensor_alloc(clgan_ctx *ctx, int n, int c, int h, int w, clgan_tensor *t /* OUT */);
void clgan_tensor_free(clgan_ctx *ctx, clgan_tensor *t);
/* A view of `count` floats at float offset `offset` of a parent buffer; the
 * offset must satisfy the device's sub-buffer alignment (clgan_sub_align). */
clgan_status clgan_tensor_view(clgan_ctx *ctx, cl_mem parent, size_t offset, int n, int c, int h, int w,
                               clgan_tensor *t /* OUT */);
/* Sub-buffer alignment of the device, in floats. */
size_t clgan_sub_align_floats(const clgan_ctx *ctx);
clgan_status clgan_tensor_upload(clgan_ctx *ctx, clgan_tensor *t, const float *src);
clgan_status clgan_tensor_download(clgan_ctx *ctx, const clgan_tensor *t, float *dst);
clgan_status clgan_tensor_zero(clgan_ctx *ctx, clgan_tensor *t);
#endif
