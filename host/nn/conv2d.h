/* conv2d.h — 2-D convolution as batched im2col + one CLBlast GEMM, and the
 * workspace shared by conv2d and conv_transpose2d.
 *
 * Layouts (row-major, NCHW):
 *   x [N,C,H,W], W [OC, C*KH*KW] (= [OC,C,KH,KW]), b [OC] (optional),
 *   y [N,OC,OH,OW] with OH = (H + 2*pad_h - KH)/stride_h + 1, OW likewise.
 * Forward:  col [C*KH*KW, N*OH*OW] = im2col(x); tmp [OC, N*OH*OW] = W·col;
 *           y = permute(tmp) + b.
 * Backward: tmp = permute(dy); db += row sums of tmp; col = im2col(x);
 *           dW += tmp·colᵀ; col = Wᵀ·tmp; dx = col2im(col) (a gather).
 * Parameter gradients (dW, db) accumulate; dx is written. dx == NULL skips
 * the input gradient (first layer), db == NULL / b == NULL means no bias.
 *
 * The im2col column buffer and the permute buffer live in a workspace the
 * caller creates once (size it as the max over a net's layers with
 * clgan_conv2d_workspace_floats / clgan_conv_transpose2d_workspace_floats);
 * forward/backward never allocate device memory.
 */
#ifndef CLGAN_CONV2D_H
#define CLGAN_CONV2D_H
#include "nn/tensor.h"

/* Window geometry. out_pad_* is for conv_transpose2d only (must be 0 for
 * conv2d, and < the stride on its axis for conv_transpose2d). */
typedef struct clgan_conv_params {
    int kh, kw;             /* kernel size */
    int stride_h, stride_w; /* >= 1 */
    int pad_h, pad_w;       /* >= 0 */
    int out_pad_h, out_pad_w;
} clgan_conv_params;

/* Square kernel k, same stride s / padding p / output padding op on both axes. */
clgan_conv_params clgan_conv_params_make(int k, int s, int p, int op);

/* Scratch shared between conv layers: col and tmp, sizes in floats. */
typedef struct clgan_conv_workspace {
    cl_mem col;
    size_t col_floats;
    cl_mem tmp;
    size_t tmp_floats;
} clgan_conv_workspace;

/* Create a workspace holding col_floats and tmp_floats floats (0 is
 * allowed and becomes 1). Free with clgan_conv_workspace_free. */
clgan_status clgan_conv_workspace_create(clgan_ctx *ctx, size_t col_floats, size_t tmp_floats,
                                         clgan_conv_workspace *ws /* OUT */);
/* Releases both buffers and zeroes *ws; NULL or an empty workspace is a no-op. */
void clgan_conv_workspace_free(clgan_ctx *ctx, clgan_conv_workspace *ws);

/* Output size of conv2d on an H x W image: [OH, OW]. Fails on a bad
 * geometry (non-positive kernel/stride, negative padding, window larger
 * than the padded image). */
clgan_status clgan_conv2d_out_size(const clgan_conv_params *p, int h, int w, int *oh /* OUT */, int *ow /* OUT */);

/* Workspace floats that conv2d needs for x [N,C,H,W] -> OC channels
 * (forward and backward): col = C*KH*KW*N*OH*OW, tmp = OC*N*OH*OW. */
clgan_status clgan_conv2d_workspace_floats(const clgan_conv_params *p, int n, int c, int h, int w, int oc,
                                           size_t *col_floats /* OUT */, size_t *tmp_floats /* OUT */);

/* y [N,OC,OH,OW] = conv2d(x [N,C,H,W], W [OC,C,KH,KW]) + b [OC] (b may be NULL).
 * OC is y->c; W and b are checked by element count. */
clgan_status clgan_conv2d_forward(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                                  const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b,
                                  clgan_tensor *y);

/* From dy [N,OC,OH,OW]: dW [OC,C,KH,KW] += ..., db [OC] += ... (db may be
 * NULL), dx [N,C,H,W] = ... (dx may be NULL: skipped). */
clgan_status clgan_conv2d_backward(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                                   const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy,
                                   clgan_tensor *dx, clgan_tensor *dw, clgan_tensor *db);

/* ---- shared with conv_transpose2d and dense (conv2d.c) ------------------ */

/* The geometry of one im2col/col2im: an image [N,C,H,W] and the OH x OW
 * window positions over it. */
typedef struct clgan_col_geom {
    int n, c, h, w, oh, ow;
    const clgan_conv_params *p;
} clgan_col_geom;

/* 1 when the data-movement kernels below run in their loop-per-work-item
 * form (CPU devices, or CLGAN_KERNEL_FORM=rows), 0 for one work-item per
 * element (other devices, or CLGAN_KERNEL_FORM=items). */
int clgan_conv_use_rows(const clgan_ctx *ctx);
/* col [C*KH*KW, N*OH*OW] = im2col(x [N,C,H,W]). */
clgan_status clgan_conv_im2col(clgan_ctx *ctx, const clgan_col_geom *g, cl_mem x, cl_mem col);
/* x [N,C,H,W] = col2im(col) + b[c] (b may be NULL). */
clgan_status clgan_conv_col2im(clgan_ctx *ctx, const clgan_col_geom *g, cl_mem col, cl_mem b, cl_mem x);
/* y [N,C,S] = m [C, N*S] permuted, + b[c] when b is not NULL. */
clgan_status clgan_conv_cm_to_nchw(clgan_ctx *ctx, int n, int c, int s, cl_mem m, cl_mem b, cl_mem y);
/* m [C, N*S] = x [N,C,S] permuted. */
clgan_status clgan_conv_nchw_to_cm(clgan_ctx *ctx, int n, int c, int s, cl_mem x, cl_mem m);
/* y [N,C,S] += b[c]. */
clgan_status clgan_conv_bias_add(clgan_ctx *ctx, int n, int c, int s, cl_mem b, cl_mem y);
/* db [C] += sum over n, s of x [N,C,S]. */
clgan_status clgan_conv_bias_grad(clgan_ctx *ctx, int n, int c, int s, cl_mem x, cl_mem db);
/* Fails unless ws holds at least col_floats / tmp_floats floats; `what`
 * names the layer in the message. */
clgan_status clgan_conv_workspace_check(const clgan_conv_workspace *ws, size_t col_floats, size_t tmp_floats,
                                        const char *what);
/* The argument checks conv2d and conv_transpose2d share (what names the
 * call in messages): W holds [d0,d1,KH,KW] floats and the bias, when given,
 * one per output channel; for backward, dW like W and dx, when given,
 * shaped like x. */
clgan_status clgan_conv_check_weights(const char *what, const clgan_conv_params *p, const clgan_tensor *w, int d0,
                                      int d1, const clgan_tensor *b, int out_channels);
clgan_status clgan_conv_check_grads(const char *what, const clgan_tensor *x, const clgan_tensor *w,
                                    const clgan_tensor *dx, const clgan_tensor *dw);
/* The calls conv2d and conv_transpose2d share in one signature, so a layer
 * kind or a check can hold either: output size, workspace size, forward,
 * backward (the functions above and their conv_transpose2d.h twins). */
typedef struct clgan_conv_fns {
    const char *name; /* "conv2d", "conv_transpose2d" */
    clgan_status (*out_size)(const clgan_conv_params *p, int h, int w, int *oh, int *ow);
    clgan_status (*workspace_floats)(const clgan_conv_params *p, int n, int c, int h, int w, int oc,
                                     size_t *col_floats, size_t *tmp_floats);
    clgan_status (*forward)(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                            const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *b, clgan_tensor *y);
    clgan_status (*backward)(clgan_ctx *ctx, const clgan_conv_params *p, const clgan_conv_workspace *ws,
                             const clgan_tensor *x, const clgan_tensor *w, const clgan_tensor *dy, clgan_tensor *dx,
                             clgan_tensor *dw, clgan_tensor *db);
} clgan_conv_fns;
extern const clgan_conv_fns clgan_conv2d_fns;
#endif
