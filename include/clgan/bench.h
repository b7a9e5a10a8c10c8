/* clgan/bench.h — measuring and tuning a device: the presets as benchmark
 * workloads (one training step or inference batch of a preset at its
 * default settings on fixed random data), the GEMM shapes a step issues,
 * the search for CLBlast's best GEMM parameters on those shapes, and the
 * per-device tuning file every later context on the device applies.
 *
 *     clgan_workload *w;
 *     clgan_workload_create(ctx, "dcgan28", 0, 64, &w);   // width 0: the preset's
 *     clgan_gemm_record_start(ctx);
 *     clgan_workload_train_step(w);
 *     clgan_gemm_shape shapes[CLGAN_GEMM_RECORD_MAX];
 *     int n = clgan_gemm_record_stop(ctx, shapes, CLGAN_GEMM_RECORD_MAX);
 *     clgan_workload_free(w);
 *
 * A GEMM here is row-major single precision, C[m,n] = op(A)[m,k] op(B)[k,n],
 * op() a transpose when trans_a / trans_b is set.
 *
 * Tuning (`clgan tune`): CLBlast runs a GEMM with XgemmDirect (no copies)
 * below a switch point and Xgemm (operands padded and transposed by extra
 * kernels) from it on. clgan_gemm_tune times candidate parameter sets for
 * both on the recorded shapes with their transposes, weighted by how often a
 * step issues each, within a time budget, and picks the sets and switch
 * point that minimise the weighted total; a candidate whose result differs
 * from the defaults' is rejected. Each new set costs a kernel compile
 * (seconds on CPU drivers).
 *
 * The tuning file lives in the context's cache folder as tuning/<key>.txt,
 * the key a hash of platform, device, driver and CLBlast version; it is
 * plain text with a SHA-256 line, written to a temporary file and renamed
 * into place. A damaged or stale file is ignored with a note on stderr.
 * CLGAN_GEMM_TUNED=0 (or clgan_ctx_params.use_tuning = 0) skips it.
 */
#ifndef CLGAN_BENCH_API_H
#define CLGAN_BENCH_API_H
#include "clgan/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct clgan_net clgan_net; /* clgan/net.h */

/* ---- workloads ----------------------------------------------------------- */
typedef struct clgan_workload clgan_workload;

/* Comma-separated list of every workload name, in a fixed order: dcgan28,
 * dcgan28-cond, dcgan32, dcgan64, lenet28, vgg32, ssl28, ssl32. */
CLGAN_API const char *clgan_workload_names(void);
/* width 0 = the preset's default; batch 0 = 64. An unknown name fails with
 * CLGAN_ERR_INVALID_ARG listing the names. */
CLGAN_API clgan_status clgan_workload_create(clgan_ctx *ctx, const char *name, int width, int batch,
                                             clgan_workload **out /* OUT */);
CLGAN_API void clgan_workload_free(clgan_workload *w); /* NULL is a no-op */
/* One full training step, as the matching train-* command runs it. */
CLGAN_API clgan_status clgan_workload_train_step(clgan_workload *w);
/* One inference batch: GANs sample `batch` images from G, classifiers and
 * semi-supervised models compute class probabilities for `batch` images. */
CLGAN_API clgan_status clgan_workload_infer(clgan_workload *w);
CLGAN_API const char *clgan_workload_name(const clgan_workload *w);
CLGAN_API int clgan_workload_width(const clgan_workload *w);
CLGAN_API int clgan_workload_batch(const clgan_workload *w);
CLGAN_API int clgan_workload_conditional(const clgan_workload *w);
/* The workload's nets (G then D for GANs, the classifier's one net) with
 * short names ("G", "D", "C"); returns how many (at most 2). */
CLGAN_API int clgan_workload_nets(clgan_workload *w, clgan_net **nets /* [2] */, const char **names /* [2] */);
/* Trainable floats over all nets. */
CLGAN_API size_t clgan_workload_param_count(clgan_workload *w);

/* ---- GEMM shapes ---------------------------------------------------------- */
#define CLGAN_GEMM_RECORD_MAX 512
typedef struct clgan_gemm_shape {
    size_t m, n, k;
    int trans_a, trans_b;
    double count; /* calls (or a weight, once merged over models) */
} clgan_gemm_shape;
/* Record the shape of every GEMM ctx issues from now on (equal shapes
 * merged, with a call count); starting again clears the list. */
CLGAN_API clgan_status clgan_gemm_record_start(clgan_ctx *ctx);
/* Stop; copies at most cap shapes into out and returns how many were
 * recorded (at most CLGAN_GEMM_RECORD_MAX are kept; 0 when not recording). */
CLGAN_API int clgan_gemm_record_stop(clgan_ctx *ctx, clgan_gemm_shape *out, int cap);
/* The GEMMs that one training step and one inference batch of each named
 * workload (comma-separated list, default settings, batch 0 = 64) issue on
 * ctx, merged over the workloads with their call counts as weights: up to
 * cap shapes into out, *count gets how many. One step of each runs first
 * untimed (kernel builds), so this takes a few seconds per workload. */
CLGAN_API clgan_status clgan_workload_gemm_shapes(clgan_ctx *ctx, const char *names, int batch, clgan_gemm_shape *out,
                                                  int cap, int *count /* OUT */);

/* ---- single operations to time ------------------------------------------
 *
 *     clgan_bench_op *op;
 *     clgan_gemm_shape s = {512, 512, 512, 0, 0, 1};
 *     clgan_bench_op_gemm(ctx, &s, &op);
 *     for (...) { clgan_bench_op_run(op, 0); clgan_ctx_finish(ctx); ... }
 *     clgan_bench_op_free(op);
 *
 * The operands are device buffers of seeded uniform values in [-1, 1], made
 * once when the op is created, so a run is the operation alone. */
typedef struct clgan_bench_op clgan_bench_op;
typedef struct clgan_bench_op_info {
    char kind[24];        /* "gemm", or the layer's kind: "conv2d", "conv_transpose2d", "dense", ... */
    int batch;            /* layer: images per run (gemm: 1) */
    int in[3], out[3];    /* layer: input and output shape [C,H,W] of one image */
    int k, stride, pad;   /* convolution and pooling layers: their window; 0 otherwise */
    size_t params;        /* layer: trainable floats */
} clgan_bench_op_info;
/* C[m,n] = op(A)[m,k] op(B)[k,n], beta 0, through clgan's GEMM path
 * (CLBlast with the device's tuning); shape->count is ignored. */
CLGAN_API clgan_status clgan_bench_op_gemm(clgan_ctx *ctx, const clgan_gemm_shape *shape, clgan_bench_op **op /* OUT */);
/* Layer `layer` of net (a workload's or a model's) alone: a one-layer net
 * of the same spec on that layer's input shape, planned for `batch` images,
 * its input and output gradient random. A run forwards in training mode
 * (`backward` 0), or goes backward from the last forward to dL/dx and the
 * parameter gradients (`backward` 1; a forward must have run first). */
CLGAN_API clgan_status clgan_bench_op_layer(clgan_ctx *ctx, const clgan_net *net, int layer, int batch,
                                            clgan_bench_op **op /* OUT */);
CLGAN_API clgan_status clgan_bench_op_run(clgan_bench_op *op, int backward);
CLGAN_API clgan_status clgan_bench_op_get_info(const clgan_bench_op *op, clgan_bench_op_info *info /* OUT */);
CLGAN_API void clgan_bench_op_free(clgan_bench_op *op); /* NULL is a no-op */

/* ---- tuning files --------------------------------------------------------- */
#define CLGAN_TUNING_MAX_SETS 4
#define CLGAN_TUNING_MAX_PARAMS 20
typedef struct clgan_tuning_set {
    char kernel[24]; /* CLBlast kernel family: "XgemmDirect", "Xgemm", "GemmRoutine" */
    int count;
    char names[CLGAN_TUNING_MAX_PARAMS][24];
    size_t values[CLGAN_TUNING_MAX_PARAMS];
} clgan_tuning_set;
typedef struct clgan_tuning {
    char platform[128], device[128], driver[128], clblast[32];
    char created[32]; /* UTC, ISO 8601 */
    char models[256];
    double gemm_ms_default, gemm_ms_tuned; /* weighted GEMM milliseconds per round of the models' steps */
    int set_count;
    clgan_tuning_set sets[CLGAN_TUNING_MAX_SETS];
} clgan_tuning;

/* The CLBlast version clgan was built against ("1.5.3"); it keys the files. */
CLGAN_API const char *clgan_clblast_version(void);
/* Path of the tuning file for a device under cache_dir (no file access). */
CLGAN_API void clgan_tuning_path(const char *cache_dir, const clgan_device_info *info, char *path, size_t cap);
/* Write t as the tuning file of its device under cache_dir, atomically,
 * creating the folder. */
CLGAN_API clgan_status clgan_tuning_save(const char *cache_dir, const clgan_tuning *t);
/* CLGAN_GEMM_TUNED: unset, empty or "1" (apply the tuning file, *use = 1) or
 * "0" (*use = 0); anything else is CLGAN_ERR_INVALID_ARG naming the variable
 * and its value. */
CLGAN_API clgan_status clgan_tuning_env(int *use /* OUT */);
/* The context's kernel cache folder ("" when the disk cache is off), and
 * the tuning it applied (NULL when none). */
CLGAN_API const char *clgan_ctx_cache_dir(const clgan_ctx *ctx);
CLGAN_API const clgan_tuning *clgan_ctx_tuning(const clgan_ctx *ctx);

/* ---- the search ----------------------------------------------------------- */
#define CLGAN_TUNE_MAX_SHAPES 128
typedef struct clgan_tune_progress {
    const char *phase;     /* "defaults", "XgemmDirect", "Xgemm", "final" */
    int candidates_done;   /* candidate sets timed so far (both kernels) */
    double elapsed_s, budget_s;
    double default_ms;     /* weighted GEMM ms per round with CLBlast's defaults */
    double best_ms;        /* best weighted total found so far */
} clgan_tune_progress;
typedef struct clgan_tune_options {
    double budget_s; /* wall-clock budget for the whole search (default 840) */
    int reps;        /* timed calls per shape per candidate, best one counts (default 2) */
    uint64_t seed;   /* candidate sampling (default 1) */
    void (*progress)(const clgan_tune_progress *p, void *user);
    void *user;
} clgan_tune_options;
CLGAN_API clgan_tune_options clgan_tune_default_options(void);
typedef struct clgan_tune_shape_result {
    clgan_gemm_shape shape;
    double ms_default;      /* CLBlast's defaults, as CLBlast picks the kernel */
    double ms_tuned;        /* the chosen sets and switch point */
    int direct_tuned;       /* 1 = XgemmDirect runs it under the chosen switch point */
} clgan_tune_shape_result;
typedef struct clgan_tune_result {
    clgan_tuning tuning;                 /* ready to save; models left for the caller */
    double ms_default, ms_tuned;         /* weighted totals per round of the shapes */
    int candidates[2];                   /* sets timed: [0] XgemmDirect, [1] Xgemm */
    int rejected;                        /* sets refused by CLBlast or with wrong results */
    int shape_count;
    clgan_tune_shape_result shapes[CLGAN_TUNE_MAX_SHAPES];
} clgan_tune_result;
/* Search on ctx's device, which must have been created without the tuning
 * file applied (clgan_ctx_params.use_tuning = 0), so that the first figures
 * are CLBlast's defaults. On return the chosen switch point is installed in
 * CLBlast for the device, and so are the chosen sets when neither is
 * CLBlast's default (defaults cannot be reinstated in a process once
 * overridden); a new process gets exactly the tuning file's choice. */
CLGAN_API clgan_status clgan_gemm_tune(clgan_ctx *ctx, const clgan_gemm_shape *shapes, int n_shapes,
                                       const clgan_tune_options *opt, clgan_tune_result *out /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
