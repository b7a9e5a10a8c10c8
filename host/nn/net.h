/* net.h — sequential nets composed from the layer ops.
 *
 * A net is a list of layer specs over an input shape [C,H,W]. Creating it
 * works out every layer's output shape and lays all parameters out in ONE
 * device block (and their gradients in a second block of the same layout),
 * so an optimizer step is one kernel launch. Non-trainable state lives in
 * a third block: batchnorm running statistics and the spectral-norm vectors
 * u of spectral-normalised layers.
 *
 * clgan_net_plan(net, N) allocates every activation, activation-gradient and
 * scratch buffer for batch size N once; forward/backward/step then allocate
 * nothing on the device. Planning for another N frees and re-plans.
 *
 * Gradients accumulate into the gradient block; clgan_net_zero_grad clears it.
 * Conditional nets take class labels through a CONCAT_LABELS layer, which
 * appends the one-hot labels (broadcast over H x W) as extra channels.
 */
#ifndef CLGAN_NET_H
#define CLGAN_NET_H
#include "clgan/net.h"
#include "nn/activation.h"
#include "nn/conv2d.h"
#include "nn/init.h"
#include "nn/optim.h"
#include "nn/reduce.h"

typedef enum clgan_layer_kind {
    CLGAN_LAYER_DENSE,          /* out features */
    CLGAN_LAYER_CONV2D,         /* out channels, k, stride, pad */
    CLGAN_LAYER_CONV_TRANSPOSE, /* out channels, k, stride, pad, out_pad */
    CLGAN_LAYER_BATCHNORM,      /* per channel (per feature after dense) */
    CLGAN_LAYER_ACTIVATION,     /* act, slope */
    CLGAN_LAYER_DROPOUT,        /* p */
    CLGAN_LAYER_MAXPOOL,        /* k, stride */
    CLGAN_LAYER_AVGPOOL,        /* k, stride */
    CLGAN_LAYER_RESHAPE,        /* to [out, h, w]; a view, no copy */
    CLGAN_LAYER_CONCAT_LABELS,  /* out = number of classes */
    CLGAN_LAYER_MBSTD,          /* minibatch standard deviation: appends one channel */
    CLGAN_LAYER_GAUSSIAN_NOISE, /* p = stddev: x + N(0, p^2) in training, identity in inference */
    CLGAN_LAYER_DIFFAUGMENT,    /* policy: DiffAugment in training, identity in inference */
    CLGAN_LAYER_KIND_COUNT      /* the number of kinds (host/nn/layer.c's table has one entry each) */
} clgan_layer_kind;

typedef enum clgan_init_kind {
    CLGAN_INIT_NORMAL, /* N(0, init_std); DCGAN uses 0.02 */
    CLGAN_INIT_XAVIER, /* Glorot uniform */
    CLGAN_INIT_HE      /* Kaiming normal */
} clgan_init_kind;

typedef struct clgan_layer_spec {
    clgan_layer_kind kind;
    int out;                 /* features / channels / classes / reshape C */
    int k, stride, pad, out_pad;
    int h, w;                /* reshape target */
    int bias;                /* dense/conv: 1 = learnable bias */
    clgan_act act;
    float slope;             /* leaky_relu */
    float p;                 /* dropout probability; Gaussian-noise stddev */
    clgan_init_kind init;
    float init_std;          /* CLGAN_INIT_NORMAL */
    int weight_norm;         /* dense: 0 plain W; 1 weight-normalised, unit scales fixed; 2 scales trained
                                (weight_norm.h: the parameters are v [OUT,IN] then g [OUT]) */
    unsigned policy;         /* diffaugment: CLGAN_DIFFAUG_* bits (diffaug.h) */
    int spectral_norm;       /* dense (not weight-normalised) and conv2d: 1 = W / sigma(W), u [OUT] in the
                                state block (spectral_norm.h); 0 plain W */
} clgan_layer_spec;

/* Spec constructors for readable net tables. */
clgan_layer_spec clgan_dense(int out);
/* Weight-normalised dense layer: W[o,:] = g_o v[o,:] / |v_o|, g_o = 1 until
 * clgan_net_init_from_data; train_scale 0 keeps g fixed after that (its
 * gradient stays 0, so only weight decay could move it: the semi-supervised
 * nets that use this layer train without). */
clgan_layer_spec clgan_dense_wn(int out, int train_scale);
clgan_layer_spec clgan_conv(int out, int k, int stride, int pad);
clgan_layer_spec clgan_conv_t(int out, int k, int stride, int pad, int out_pad);
clgan_layer_spec clgan_bn(void);
clgan_layer_spec clgan_activation(clgan_act act, float slope);
clgan_layer_spec clgan_dropout(float p);
clgan_layer_spec clgan_maxpool(int k, int stride);
clgan_layer_spec clgan_avgpool(int k, int stride);
clgan_layer_spec clgan_reshape(int c, int h, int w);
clgan_layer_spec clgan_concat_labels(int classes);
clgan_layer_spec clgan_mbstd(void);
clgan_layer_spec clgan_gaussian_noise(float stddev);
clgan_layer_spec clgan_diffaugment(unsigned policy);
const char *clgan_layer_kind_name(clgan_layer_kind kind);

/* Input [in_c, in_h, in_w]; n_layers specs copied. Parameters are
 * initialised from `seed` (same seed, same weights on any device). */
clgan_status clgan_net_create(clgan_ctx *ctx, int in_c, int in_h, int in_w, const clgan_layer_spec *specs,
                              int n_layers, uint64_t seed, clgan_net **net /* OUT */);
void clgan_net_free(clgan_net *net);

/* The checks clgan_net_create makes on specs (shapes, and every count within
 * the kernels' int indexing: a layer's weights, one sample's output, the whole
 * parameter block), without a device or any allocation beyond a small table.
 * *params gets the trainable floats and *state the non-trainable ones
 * (batchnorm statistics, spectral-norm vectors),
 * both without the alignment padding of the device blocks, so they are lower
 * bounds of clgan_net_block_floats (a checkpoint loader compares them with
 * the file before building anything). Either may be NULL. */
clgan_status clgan_net_specs_size(int in_c, int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                  size_t *params /* OUT */, size_t *state /* OUT */);

/* One layer of a net as clgan_net_specs_summary sees it (the table that
 * `clgan models show` prints).
 * flops: forward floating-point operations for one image, a multiply-add
 *   counting 2: dense 2*IN*OUT, conv2d 2*IC*K*K*OC*OH*OW, conv_transpose2d
 *   2*IC*IH*IW*K*K*OC, each plus one add per output with a bias (a weight-
 *   normalised dense's W = g v / |v| and a spectral-normalised layer's W / sigma, made once per
 *   forward, are not counted); batchnorm and mbstd
 *   4 per input float, activation, dropout and noise 1, pools K*K per
 *   output, reshape and label concat 0, diffaugment 8 per float with
 *   colour (0 without: it only moves floats).
 * act_floats: the layer's output (none for a reshape, a view of its input)
 *   plus what the kind keeps for backward besides it: max pooling's argmax
 *   indices, the label concat's one-hot planes, diffaugment's 9 draws and
 *   mean per image. Batchnorm keeps per-channel
 *   statistics only (backward recomputes the normalised input), dropout
 *   regenerates its mask from the seed, mbstd recomputes its statistics. */
typedef struct clgan_layer_summary {
    clgan_layer_kind kind;
    int c, h, w;       /* output shape */
    size_t params;     /* trainable floats (no alignment padding) */
    size_t state;      /* non-trainable floats (batchnorm statistics, spectral-norm vectors) */
    double flops;      /* forward FLOPs per image */
    size_t act_floats; /* floats per image kept for the backward pass */
} clgan_layer_summary;

/* Fills rows[0..n_layers) after the same checks as clgan_net_specs_size
 * (rows untouched on failure); the row sums of params and state are that
 * function's *params and *state. */
clgan_status clgan_net_specs_summary(int in_c, int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                     clgan_layer_summary *rows /* [n_layers] */);

/* The largest batch size any trainer or checkpoint accepts. */
#define CLGAN_MAX_BATCH 65536

/* A short name ("G", "D", "C"; at most 7 characters) for the profiler's
 * scopes ("G.3 conv_transpose2d forward", "G optimizer"); default "net". */
void clgan_net_set_name(clgan_net *net, const char *name);

/* Allocate activations and scratch for batch size n (no-op if already planned for n). */
clgan_status clgan_net_plan(clgan_net *net, int n);
/* Layer `layer`'s spec and input shape of one image; NULL out of range. */
const clgan_layer_spec *clgan_net_layer_spec(const clgan_net *net, int layer, int *in_c, int *in_h, int *in_w);

/* Forward x [N, in_c, in_h, in_w] (N = planned batch). labels: int32 device
 * buffer [N] for CONCAT_LABELS layers (NULL if the net has none). training
 * selects batchnorm batch statistics and active dropout. *y points at the
 * net's output buffer, valid until the next forward. */
clgan_status clgan_net_forward(clgan_net *net, const clgan_tensor *x, cl_mem labels, int training,
                               const clgan_tensor **y /* OUT */);
/* Output of layer `layer` from the last forward (valid until the next
 * forward), e.g. a classifier's penultimate features; NULL if out of range
 * or before the first forward. */
const clgan_tensor *clgan_net_activation(const clgan_net *net, int layer);
/* The buffer the caller fills with dL/dy before clgan_net_backward. */
clgan_tensor *clgan_net_output_grad(clgan_net *net);
/* Backward from the output gradient; parameter gradients accumulate; dx
 * (shape of x) receives dL/dx when not NULL. Uses the activations of the
 * last forward, which must have been a training forward. */
clgan_status clgan_net_backward(clgan_net *net, clgan_tensor *dx);
/* Backward from an inner layer: the caller fills clgan_net_layer_grad(net,
 * layer) with dL/d(output of `layer`) and the layers layer..0 run backward
 * (layers above it are left alone), e.g. feature matching on D's features.
 * clgan_net_backward is clgan_net_backward_from(net, last layer, dx). */
clgan_tensor *clgan_net_layer_grad(clgan_net *net, int layer); /* NULL if out of range or unplanned */
clgan_status clgan_net_backward_from(clgan_net *net, int layer, clgan_tensor *dx);
clgan_status clgan_net_zero_grad(clgan_net *net);

/* Data-dependent initialisation of the weight-normalised dense layers
 * (Salimans & Kingma 2016), bottom to top: a training forward of the batch x
 * [N, in_c, in_h, in_w], then each such layer's scales g and biases b are
 * set so that its outputs on x have mean 0 and variance 1 per unit. Call
 * once, before the first step; a no-op for nets without such layers. */
clgan_status clgan_net_init_from_data(clgan_net *net, const clgan_tensor *x);

/* Data-parallel training (nn/reduce.h): the net is one rank's copy, trained
 * on its share of every batch, whose first sample is first_sample of the
 * whole batch (random layers draw what a one-process run draws for those
 * samples). Every optimizer step first averages the gradient block over the
 * ranks (one sum_floats of the whole block); the data-dependent init uses
 * every rank's share; sync_bn 1: batchnorm's training statistics (and their
 * backward) are over the whole batch, so N ranks of B/N compute what one
 * process of B computes, up to rounding; sync_bn 0: each rank's own.
 * reducer NULL (the default): one process. */
void clgan_net_set_data_parallel(clgan_net *net, const clgan_reducer *reducer, int64_t first_sample, int sync_bn);
/* Data-parallel without synchronised batchnorm: the batchnorm layers'
 * running statistics := their mean over the ranks of r (one sum_floats of
 * the state block, which every rank must call). The spectral-norm vectors u
 * are the same on every rank (the same weights, deterministic kernels) and
 * keep their values. A no-op without a reducer or batchnorm layers. */
clgan_status clgan_net_average_statistics(clgan_net *net, const clgan_reducer *r);

/* Optimizer state (Adam m and v, or SGD velocity) is owned by the net and
 * allocated on the first step. Each step is one kernel over all parameters
 * and advances the net's step counter (which also varies dropout masks). */
clgan_status clgan_net_adam_step(clgan_net *net, const clgan_adam_params *hp);
clgan_status clgan_net_sgd_step(clgan_net *net, const clgan_sgd_params *hp);

/* Introspection: layer count, kinds, shapes, parameter counts, describe and
 * the packed parameters are in clgan/net.h. */
size_t clgan_net_state_count(const clgan_net *net);     /* the state block's floats, without padding */
int64_t clgan_net_step(const clgan_net *net);
/* The flat parameter and gradient blocks (padded layout). */
clgan_tensor *clgan_net_params(clgan_net *net);
clgan_tensor *clgan_net_grads(clgan_net *net);
/* The net's state as flat float blocks, for checkpoints. Writing an
 * optimizer block creates the optimizer state if the net has none yet. */
typedef enum clgan_net_block {
    CLGAN_NET_PARAMS, /* trainable parameters (padded layout) */
    CLGAN_NET_STATE,  /* batchnorm running statistics, spectral-norm vectors u */
    CLGAN_NET_OPT_M,  /* Adam first moment / SGD velocity */
    CLGAN_NET_OPT_V   /* Adam second moment */
} clgan_net_block;
size_t clgan_net_block_floats(const clgan_net *net, clgan_net_block block);
clgan_status clgan_net_read_block(clgan_net *net, clgan_net_block block, float *dst);
clgan_status clgan_net_write_block(clgan_net *net, clgan_net_block block, const float *src);
void clgan_net_set_step(clgan_net *net, int64_t step);
/* dst's parameters, state (batchnorm statistics, u), optimizer state and step := src's
 * (nets of the same specs; their batch plans may differ). */
/* dst's block := src's, on the device (nets of the same layout; PARAMS or STATE). */
clgan_status clgan_net_copy_block(clgan_net *dst, clgan_net *src, clgan_net_block block);
clgan_status clgan_net_copy_state(clgan_net *dst, clgan_net *src);
#endif
