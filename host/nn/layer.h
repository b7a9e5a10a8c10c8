/* layer.h — one layer of a net and the ops table of its kind.
 *
 * Everything a layer kind means to a net lives in one clgan_layer_ops in
 * host/nn/layer_<op>.c, named after the op file it drives (layer_dense.c,
 * layer_conv2d.c, layer_conv_transpose2d.c, layer_batchnorm.c,
 * layer_activation.c, layer_pooling.c: maxpool and avgpool, layer_random.c:
 * dropout and gaussian_noise, layer_shape.c: reshape and concat_labels,
 * layer_mbstd.c, layer_diffaug.c): its shape rule
 * (infer), its parameter and state layout (infer's counts, bind, init), the
 * per-batch buffers it needs (plan), forward, backward, a data-dependent
 * init if it has one, and its cost for summaries (flops, act_floats). clgan_layer_ops_of(kind) is the one table,
 * indexed by clgan_layer_kind; net.c only walks layers and calls it.
 *
 * Adding a kind: a CLGAN_LAYER_* value before CLGAN_LAYER_KIND_COUNT in
 * net.h, a spec constructor there, its ops in a host/nn/layer_<op>.c, and
 * its line in layer.c's table (a _Static_assert counts the lines, test_net
 * checks each entry sits at its kind).
 */
#ifndef CLGAN_LAYER_H
#define CLGAN_LAYER_H
#include "nn/net.h"
#include "nn/reduce.h"
#include "nn/spectral_norm.h"

#include <limits.h>
#include <stdint.h>

/* Every count in a net (a layer's weights, one sample's activations, a whole
 * parameter block) must fit the kernels' int indexing and the int counts of
 * tensors and views. */
#define NET_MAX_FLOATS ((uint64_t)INT_MAX)

typedef struct net_layer {
    clgan_layer_spec spec;
    int in_c, in_h, in_w, out_c, out_h, out_w;
    size_t w_off, w_count, b_off, b_count; /* floats, in the parameter block */
    size_t stat_off;                       /* first float of the layer's part of the state block */
    int stat_vecs;                         /* state: stat_vecs vectors of stat_len floats, each at an aligned */
    size_t stat_len;                       /* offset (batchnorm: running mean, var [C]; spectral norm: u [OUT]) */
    clgan_conv_params conv;
    clgan_tensor w, b, dw, db;             /* views of the parameter / gradient blocks */
    clgan_tensor run_mean, run_var;        /* views of the state block */
    clgan_tensor save_mean, save_inv_std;  /* batchnorm [C], owned */
    clgan_tensor wn_w, wn_dw, wn_norm;     /* weight-normalised dense: W, dL/dW [OUT,IN], |v| [OUT], owned */
    clgan_tensor sn_u;                     /* spectral norm: u [OUT], a view of the state block */
    clgan_sn_work sn;                      /* spectral norm: W_sn, dL/dW_sn, v, u', sigma of the last pass, owned */
    /* planned per batch size */
    clgan_tensor out, dout;                /* owned unless the layer is a view (reshape) */
    clgan_tensor onehot;                   /* concat labels [N,K,H,W] */
    cl_mem argmax;                         /* maxpool [N,C,OH,OW] int32 */
    clgan_tensor scratch;                  /* mbstd statistics; a first batchnorm's unwanted dx; diffaugment's
                                              draws and means [N,9] */
    uint64_t dropout_stream;               /* random stream of the last training forward (dropout, noise) */
    char scope_fwd[48], scope_bwd[48];     /* profiler scopes: "G.3 conv_transpose2d forward" */
} net_layer;

/* What one layer's forward or backward sees of the net around it. */
typedef struct layer_pass {
    clgan_ctx *ctx;
    clgan_conv_workspace *ws; /* the net's conv workspace, sized by every layer's plan */
    uint64_t seed;            /* the net's seed */
    uint64_t stream;          /* forward: this layer's random stream for this forward (step, forward, layer) */
    cl_mem labels;            /* forward: int32 [N] class labels, NULL for an unconditional net */
    int training;             /* forward: batch statistics, active dropout and noise */
    int index;                /* the layer's place in the net */
    /* Data-parallel training (reduce.h); NULL reducer: one process. */
    const clgan_reducer *reducer;
    int sync_bn;              /* batchnorm: statistics over every rank's share of the batch */
    int64_t first_sample;     /* this rank's first sample in the whole batch: random layers draw
                                 element first_sample * (floats per sample) + i of their stream */
} layer_pass;

typedef struct clgan_layer_ops {
    clgan_layer_kind kind;
    const char *name; /* clgan_layer_kind_name; the profiler's and summaries' word for the kind */
    /* From L->spec and the input shape L->in_*: the output shape L->out_*
     * (preset to the input's) and the counts w_count, b_count, stat_vecs,
     * stat_len (preset 0). Fails through clgan_layer_misfit or
     * clgan_layer_too_many, or with a message naming the layer. */
    clgan_status (*infer)(net_layer *L, int index);
    /* Device tensors the layer holds for the net's life besides its w, b, dw,
     * db views: views of its state (at stat_off in state_mem), saved
     * statistics. NULL: none. */
    clgan_status (*bind)(clgan_ctx *ctx, cl_mem state_mem, net_layer *L);
    /* Initial parameters and state, drawing from the net's one rng in layer
     * order (the blocks start zeroed). NULL: they stay zero. */
    clgan_status (*init)(clgan_ctx *ctx, clgan_rng *rng, net_layer *L);
    /* Buffers for batch size n besides out and dout (allocated already);
     * *col and *tmp (preset 0) get the conv workspace floats it needs, which
     * the net's one workspace covers for every layer. NULL: none. */
    clgan_status (*plan)(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp);
    /* x [N, in] -> L->out [N, out]. */
    clgan_status (*forward)(const layer_pass *pass, net_layer *L, const clgan_tensor *x);
    /* From L->dout: parameter gradients accumulate into dw, db; dx (shape of
     * x, written) when not NULL. x is the input of the last training forward. */
    clgan_status (*backward)(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx);
    /* Forward FLOPs per image (net.h, clgan_layer_summary). */
    double (*flops)(const net_layer *L);
    /* Floats per image kept for backward besides the output (argmax, one-hot). NULL: none. */
    size_t (*extra_act_floats)(const net_layer *L);
    /* Data-dependent initialisation (clgan_net_init_from_data): whether L
     * takes one, and setting it from L->out of a training forward of the
     * init batch of n images. NULL: the kind takes none. */
    int (*data_init_wanted)(const net_layer *L);
    clgan_status (*data_init)(clgan_ctx *ctx, net_layer *L, int n, const clgan_reducer *reducer /* NULL: one process */);
    const clgan_conv_fns *conv; /* the convolutions: their op calls, for the shared clgan_layer_conv_* */
    int is_view; /* out and dout are views of the neighbours' buffers: nothing planned, nothing kept */
    /* The state is running statistics of the data (batchnorm): data-parallel
     * ranks without synchronised batchnorm average it (clgan_net_average_statistics).
     * 0: the state is the same on every rank (spectral norm's u) and is kept. */
    int state_averaged;
} clgan_layer_ops;

/* The ops of `kind`, NULL for a value outside the enum. */
const clgan_layer_ops *clgan_layer_ops_of(clgan_layer_kind kind);

extern const clgan_layer_ops clgan_layer_dense_ops, clgan_layer_conv2d_ops, clgan_layer_conv_transpose2d_ops,
    clgan_layer_batchnorm_ops, clgan_layer_activation_ops, clgan_layer_dropout_ops, clgan_layer_maxpool_ops,
    clgan_layer_avgpool_ops, clgan_layer_reshape_ops, clgan_layer_concat_labels_ops, clgan_layer_mbstd_ops,
    clgan_layer_gaussian_noise_ops, clgan_layer_diffaugment_ops;

/* ---- helpers the kinds share ---------------------------------------------- */

/* a * b, saturating at UINT64_MAX (so a huge product can never wrap into a
 * small one and pass a limit check). */
uint64_t clgan_mul_sat(uint64_t a, uint64_t b);
/* v rounded up to a multiple of a (the sub-buffer alignment of the blocks). */
size_t clgan_align_up(size_t v, size_t a);
/* c*h*w of the layer's input / output, as floats per image. */
uint64_t clgan_layer_in_floats(const net_layer *L);
uint64_t clgan_layer_out_floats(const net_layer *L);
/* "layer I (KIND) does not fit its input [C,H,W]: check its settings". */
clgan_status clgan_layer_misfit(const net_layer *L, int index);
/* "layer I (KIND): WHAT would need COUNT floats, more than one net can index". */
clgan_status clgan_layer_too_many(int index, const clgan_layer_spec *s, const char *what, uint64_t count);
/* dst = src (src->count floats). */
clgan_status clgan_layer_copy(clgan_ctx *ctx, const clgan_tensor *src, clgan_tensor *dst);
/* A view of state vector `vec` (< stat_vecs) of L: stat_len floats of state_mem. */
clgan_status clgan_layer_state_view(clgan_ctx *ctx, cl_mem state_mem, const net_layer *L, int vec, clgan_tensor *t);
/* L->w from the spec's init (normal, Xavier, He) for the given fans. */
clgan_status clgan_layer_init_weights(clgan_ctx *ctx, clgan_rng *rng, net_layer *L, int fan_in, int fan_out);
/* The optional bias of dense and conv layers: NULL when the layer has none. */
const clgan_tensor *clgan_layer_bias(const net_layer *L);
clgan_tensor *clgan_layer_bias_grad(net_layer *L);
/* What the two convolution kinds share, through their ops' conv calls:
 * the shape rule (out channels, k > 0, the op's out_size for H x W, W of
 * OUT*IN*K*K floats, out_pad only where the kind has one), the workspace
 * plan, forward and backward. */
clgan_status clgan_layer_conv_infer(net_layer *L, int index, int out_pad);
clgan_status clgan_layer_conv_plan(clgan_ctx *ctx, net_layer *L, int index, int n, size_t *col, size_t *tmp);
clgan_status clgan_layer_conv_forward(const layer_pass *pass, net_layer *L, const clgan_tensor *x);
clgan_status clgan_layer_conv_backward(const layer_pass *pass, net_layer *L, const clgan_tensor *x, clgan_tensor *dx);
/* Spectral normalisation of a dense or conv2d layer (spec.spectral_norm,
 * spectral_norm.h), W [OUT,IN] with IN = w_count / OUT:
 * infer: spectral_norm must be 0 or 1, not with weight_norm; one state vector u [OUT];
 * bind: the view sn_u and the work buffers sn; init: u from rng (after W);
 * weights: before a forward, sn.w = W_sn from one power iteration (u := u' when training);
 * grad: after the op's backward wrote dL/dW_sn into sn.dw, dw += dL/dW.
 * Each is a no-op for a layer without spectral norm. */
clgan_status clgan_layer_sn_infer(net_layer *L, int index);
clgan_status clgan_layer_sn_bind(clgan_ctx *ctx, cl_mem state_mem, net_layer *L);
clgan_status clgan_layer_sn_init(clgan_ctx *ctx, clgan_rng *rng, net_layer *L);
clgan_status clgan_layer_sn_weights(const layer_pass *pass, net_layer *L);
clgan_status clgan_layer_sn_grad(clgan_ctx *ctx, net_layer *L);
#endif
