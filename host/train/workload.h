/* workload.h — the presets as benchmark and tuning workloads: one handle
 * that builds a preset (GAN, conditional GAN, classifier or semi-supervised
 * model) at its default settings on random data and runs one training step
 * or one inference batch of it. `clgan tune` runs them to collect the GEMM
 * shapes a step really issues; `clgan bench models` times them.
 *
 * Names: dcgan28, dcgan28-cond, dcgan32, dcgan64, lenet28, vgg32, ssl28,
 * ssl32 (clgan_workload_names). Inputs are fixed pseudo-random images in
 * [-1, 1] and labels i % K, drawn once at creation. */
#ifndef CLGAN_WORKLOAD_H
#define CLGAN_WORKLOAD_H
#include "nn/gemm.h"
#include "nn/net.h"

typedef struct clgan_workload clgan_workload;

/* Comma-separated list of every workload name, in a fixed order. */
const char *clgan_workload_names(void);
/* width 0 = the preset's default; batch 0 = 64. */
clgan_status clgan_workload_create(clgan_ctx *ctx, const char *name, int width, int batch,
                                   clgan_workload **out /* OUT */);
void clgan_workload_free(clgan_workload *w); /* NULL is a no-op */

/* One full training step, as the matching train-* command runs it. */
clgan_status clgan_workload_train_step(clgan_workload *w);
/* One inference batch: GANs sample `batch` images from G, classifiers and
 * semi-supervised models compute class probabilities for `batch` images. */
clgan_status clgan_workload_infer(clgan_workload *w);

const char *clgan_workload_name(const clgan_workload *w);
int clgan_workload_width(const clgan_workload *w);
int clgan_workload_batch(const clgan_workload *w);
int clgan_workload_conditional(const clgan_workload *w);
/* The workload's nets (G then D for GANs, the classifier's one net) with
 * short names ("G", "D", "C"); returns how many (at most 2). */
int clgan_workload_nets(clgan_workload *w, clgan_net **nets /* [2] */, const char **names /* [2] */);
/* Trainable floats over all nets. */
size_t clgan_workload_param_count(clgan_workload *w);

/* The GEMMs that one training step and one inference batch of each named
 * workload (comma-separated list, default settings, batch 0 = 64) issue on
 * ctx, merged over the workloads with their call counts as weights: up to
 * cap shapes into out, *count gets how many. One step of each runs first
 * untimed (kernel builds), so this takes a few seconds per workload. */
clgan_status clgan_workload_gemm_shapes(clgan_ctx *ctx, const char *names, int batch, clgan_gemm_shape *out,
                                        int cap, int *count /* OUT */);
#endif
