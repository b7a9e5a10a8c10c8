/* clgan/net.h — what a net of a model is: its layers, their output shapes,
 * its parameter count, and its trainable parameters as host floats.
 *
 *     clgan_net *g = clgan_model_net(gan, "G");          // clgan/model.h
 *     for (int i = 0; i < clgan_net_layer_count(g); i++) {
 *         int c, h, w;
 *         clgan_net_layer_shape(g, i, &c, &h, &w);
 *         printf("%-18s [%d,%d,%d] %zu\n", clgan_net_layer_kind(g, i), c, h, w,
 *                clgan_net_layer_param_count(g, i));
 *     }
 *     size_t n = clgan_net_param_count(g);
 *     float *p = malloc(n * sizeof *p);
 *     clgan_net_get_params(g, p, n);                     // layer 0's weights, its bias, layer 1's ...
 *
 * A net belongs to its model: it is valid until the model is freed and is
 * never freed by itself. Its parameters, in the order get/set use, are each
 * layer's in turn, its weights then its bias (a dense layer's W [OUT,IN], a
 * convolution's W [OUT,IN,K,K], a transposed convolution's W [IN,OUT,K,K],
 * a batchnorm's scale [C] then shift [C]; a weight-normalised dense layer's
 * v [OUT,IN] then g [OUT] and bias [OUT]; a spectral-normalised layer's
 * plain W, which it divides by sigma(W) as it computes); layers without
 * parameters add nothing.
 */
#ifndef CLGAN_NET_API_H
#define CLGAN_NET_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_net clgan_net;

/* Layers, not counting the input. */
CLGAN_API int clgan_net_layer_count(const clgan_net *net);
/* A layer's kind: "dense", "conv2d", "conv_transpose2d", "batchnorm",
 * "activation", "dropout", "maxpool", "avgpool", "reshape", "concat_labels",
 * "mbstd", "gaussian_noise", "diffaugment"; NULL out of range. */
CLGAN_API const char *clgan_net_layer_kind(const clgan_net *net, int layer);
/* The input shape [C,H,W] of one image. */
CLGAN_API void clgan_net_input_shape(const clgan_net *net, int *c, int *h, int *w);
/* The output shape of layer `layer` (0s out of range), and of the last layer. */
CLGAN_API void clgan_net_layer_shape(const clgan_net *net, int layer, int *c, int *h, int *w);
CLGAN_API void clgan_net_output_shape(const clgan_net *net, int *c, int *h, int *w);
/* Trainable floats of the whole net and of one layer (0 out of range). */
CLGAN_API size_t clgan_net_param_count(const clgan_net *net);
CLGAN_API size_t clgan_net_layer_param_count(const clgan_net *net, int layer);
/* One line per layer (kind, output shape, parameters) and a total, into out
 * (cut to cap bytes, always NUL-terminated when cap > 0). */
CLGAN_API void clgan_net_describe(const clgan_net *net, char *out, size_t cap);
/* Copy the trainable parameters from the device into dst, or from src onto
 * the device, in the order above. count must be clgan_net_param_count(net):
 * another value fails with CLGAN_ERR_INVALID_ARG, saying both. */
CLGAN_API clgan_status clgan_net_get_params(clgan_net *net, float *dst /* OUT */, size_t count);
CLGAN_API clgan_status clgan_net_set_params(clgan_net *net, const float *src, size_t count);

#ifdef __cplusplus
}
#endif
#endif
