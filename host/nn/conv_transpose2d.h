/* conv_transpose2d.h — transposed 2-D convolution (the data-gradient of
 * conv2d run forward), on the same im2col/col2im kernels and workspace.
 *
 * Layouts (row-major, NCHW):
 *   x [N,IC,H,W], W [IC, OC*KH*KW] (PyTorch's [IC,OC,KH,KW]), b [OC] (optional),
 *   y [N,OC,OH,OW] with OH = (H-1)*stride_h - 2*pad_h + KH + out_pad_h, OW likewise,
 *   0 <= out_pad < stride on each axis.
 * Forward:  tmp [IC, N*H*W] = permute(x); col [OC*KH*KW, N*H*W] = Wᵀ·tmp;
 *           y = col2im(col) + b (a gather over the OH x OW image).
 * Backward: col = im2col(dy); tmp = permute(x); dW += tmp·colᵀ;
 *           tmp = W·col; dx = permute(tmp); db += sum of dy over n, h, w.
 * Parameter gradients accumulate; dx is written (dx == NULL skips it),
 * b == NULL / db == NULL means no bias.
 */
#ifndef CLGAN_CONV_TRANSPOSE2D_H
#define CLGAN_CONV_TRANSPOSE2D_H
#include "nn/conv2d.h"

/* Output size [OH, OW] of conv_transpose2d on an H x W input. */
clgan_status clgan_conv_transpose2d_out_size(const clgan_conv_params *p, int h, int w, int *oh /* OUT */,
                                             int *ow /* OUT */);

/* Workspace floats for x [N,IC,H,W] -> OC channels (forward and backward):
 * col = OC*KH*KW*N*H*W, tmp = IC*N*H*W. */
clgan_status clgan_conv_transpose2d_workspace_floats(const clgan_conv_params *p, int n, int ic, int h, int w, int oc,
                                                     size_t *col_floats /* OUT */, size_t *tmp_floats /* OUT */);

/* y [N,OC,OH,OW] = conv_transpose2d(x [N,IC,H,W], W [IC,OC,KH,KW]) + b [OC]
 * (b may be NULL). OC is y->c; W and b are checked by element count. */
clgan_status clgan_conv_transpose2d_forward(clgan_ctx *ctx, const clgan_conv_params *p,
                                            const clgan_conv_workspace *ws, const clgan_tensor *x,
                                            const clgan_tensor *w, const clgan_tensor *b, clgan_tensor *y);

/* From dy [N,OC,OH,OW]: dW [IC,OC,KH,KW] += ..., db [OC] += ... (may be
 * NULL), dx [N,IC,H,W] = ... (may be NULL: skipped). */
clgan_status clgan_conv_transpose2d_backward(clgan_ctx *ctx, const clgan_conv_params *p,
                                             const clgan_conv_workspace *ws, const clgan_tensor *x,
                                             const clgan_tensor *w, const clgan_tensor *dy, clgan_tensor *dx,
                                             clgan_tensor *dw, clgan_tensor *db);
/* The four calls above as a clgan_conv_fns (conv2d.h). */
extern const clgan_conv_fns clgan_conv_transpose2d_fns;
#endif
