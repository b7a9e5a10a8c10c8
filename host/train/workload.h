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

/* Everything here is public (clgan/bench.h). */
#endif
