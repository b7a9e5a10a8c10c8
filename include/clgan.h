/* clgan.h — the public C API of libclgan: include this one header.
 *
 *   clgan/core.h     status codes, errors, version, devices, contexts, self-test
 *   clgan/dataset.h  datasets (IDX, CIFAR-10, image folders, synthetic): open,
 *                    shape, class names, images as floats, shuffled batches
 *   clgan/arch.h     architectures as text: presets, parse and validate a
 *                    text, the per-layer summary (docs/ARCHITECTURES.md)
 *   clgan/model.h    models (GAN, classifier, semi-supervised, D-feature head)
 *                    behind one handle: create, train a step, sample, predict,
 *                    evaluate, save, load, describe; their settings tables
 *   clgan/net.h      a model's nets: layers, shapes, parameters as floats
 *   clgan/image.h    a PNG grid of images (samples)
 *   clgan/train.h    the training driver: epochs, resume, checkpoints,
 *                    evaluation, the stop request, the NaN guard, log.csv
 *   clgan/checkpoint.h  a checkpoint's kind and text sections, without a model
 *   clgan/profile.h  where a context's device time goes, per layer and kernel
 *   clgan/augment.h  a classifier's training set enlarged by a conditional GAN model
 *   clgan/bench.h    benchmark workloads, GEMM shapes, GEMM tuning and tuning files
 *   clgan/box.h      the box and detection structs of object detection
 *   clgan/detection.h  detection data: YOLO folders (images, boxes, class
 *                    names) and scenes made from a classification dataset
 *   clgan/score.h    scoring samples (Frechet distance, inception score, mode
 *                    coverage) with a classifier model; confusion-matrix metrics
 *   clgan/box.h      the box and detection structs (normalised centre and size)
 *   clgan/detect_metrics.h  box IoU, non-maximum suppression, COCO-style mAP
 *
 * Only functions marked CLGAN_API (clgan/export.h) are exported, all named
 * clgan_*. Every call returns a clgan_status; clgan_last_error() says why a
 * call failed. Host float arrays go in and out; no OpenCL type appears here.
 */
#ifndef CLGAN_H
#define CLGAN_H
#include "clgan/core.h"
#include "clgan/dataset.h"
#include "clgan/image.h"
#include "clgan/arch.h"
#include "clgan/model.h"
#include "clgan/net.h"
#include "clgan/train.h"
#include "clgan/dist.h"
#include "clgan/checkpoint.h"
#include "clgan/profile.h"
#include "clgan/score.h"
#include "clgan/bench.h"
#include "clgan/augment.h"
#include "clgan/box.h"
#include "clgan/detect_metrics.h"
#include "clgan/detection.h"
#endif
