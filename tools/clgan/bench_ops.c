/* bench_ops.c — `clgan bench ops`: single operations on the device.
 *
 *   sgemm/NxNxN/NN          square SGEMM through clgan_gemm (clgan's own GEMM path:
 *                           CLBlast with the device's tuning), C = A B, beta 0
 *   gemm/MxNxK/TaTb         every distinct GEMM one training step of each chosen preset
 *                           issues (recorded with clgan_gemm_record_start/stop), timed
 *                           alone; params.calls_per_step says how often each model calls it
 *   op/MODEL/KIND/L<i>/forward|backward/b<B>
 *                           each conv2d, conv_transpose2d, dense, batchnorm, maxpool and
 *                           avgpool layer of the preset, as a one-layer net built from the
 *                           preset's layer spec and that layer's input shape; forward in
 *                           training mode, backward with dL/dx (and parameter gradients)
 *
 * For GANs MODEL names the net too ("dcgan28.G", "dcgan28.D"), as both nets
 * have a layer 0; classifiers use the preset name ("lenet28"). The ssl
 * presets' layers are not timed here (their GEMMs are), so the suite's rows
 * stay those of earlier documents. Every operation is a clgan_bench_op
 * (clgan/bench.h).
 *
 * flops: GEMMs 2*M*N*K; conv2d forward 2*OC*C*KH*KW*OH*OW*N; conv_transpose2d
 * forward 2*C*OC*KH*KW*H*W*N (per input pixel); dense forward 2*N*IN*OUT;
 * backward (dW and dX) twice the forward; batchnorm and pooling null.
 * bytes (lower bounds, 4 per float): GEMM A, B read and C written once;
 * forward x and parameters read, y written; backward dy and x read, dx and
 * parameter gradients written. */
#include "bench.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 16
#define MAX_SIZES 16
#define MAX_SHAPES 2048
#define MAX_LAYER_JOBS 1024

typedef struct shape_entry {
    clgan_gemm_shape s;
    double calls[MAX_MODELS]; /* per step, per chosen model */
} shape_entry;

typedef struct layer_job {
    char model[40]; /* "lenet28", "dcgan28.G" */
    int model_index, net, layer;
} layer_job;

/* ---- GEMM ----------------------------------------------------------------------- */

static clgan_status op_forward(void *user) { return clgan_bench_op_run(user, 0); }
static clgan_status op_backward(void *user) { return clgan_bench_op_run(user, 1); }

/* Time C[m,n] = op(A)[m,k] op(B)[k,n] (row-major). */
static clgan_status time_gemm(clgan_ctx *ctx, size_t m, size_t n, size_t k, int ta, int tb, int warmup, int reps,
                              double *times)
{
    clgan_gemm_shape s = {m, n, k, ta, tb, 1};
    clgan_bench_op *op;
    TRY(clgan_bench_op_gemm(ctx, &s, &op));
    clgan_status st = bench_time(ctx, op_forward, op, warmup, reps, times);
    clgan_bench_op_free(op);
    return st;
}

static cJSON *gemm_params(size_t m, size_t n, size_t k, int ta, int tb)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "m", (double)m);
    cJSON_AddNumberToObject(p, "n", (double)n);
    cJSON_AddNumberToObject(p, "k", (double)k);
    cJSON_AddNumberToObject(p, "trans_a", ta);
    cJSON_AddNumberToObject(p, "trans_b", tb);
    return p;
}

/* ---- layers ----------------------------------------------------------------------- */

/* The timed layers of a workload's nets, appended to jobs. */
static clgan_status workload_layers(clgan_workload *w, int model_index, layer_job *jobs, int cap, int *count)
{
    static const char *const timed[] = {"conv2d", "conv_transpose2d", "dense", "batchnorm", "maxpool", "avgpool"};
    const char *name = clgan_workload_name(w);
    if (!strncmp(name, "ssl", 3)) return CLGAN_OK;
    clgan_net *nets[2];
    const char *names[2];
    int n_nets = clgan_workload_nets(w, nets, names);
    for (int t = 0; t < n_nets; t++)
        for (int i = 0; i < clgan_net_layer_count(nets[t]); i++) {
            const char *kind = clgan_net_layer_kind(nets[t], i);
            size_t q = 0;
            while (q < sizeof timed / sizeof *timed && strcmp(kind, timed[q])) q++;
            if (q == sizeof timed / sizeof *timed) continue;
            if (*count == cap) return clgan_fail(CLGAN_ERR_INVALID_ARG, "more than %d layers", cap);
            layer_job *j = &jobs[(*count)++];
            snprintf(j->model, sizeof j->model, "%s%s%s", name, n_nets > 1 ? "." : "", n_nets > 1 ? names[t] : "");
            j->model_index = model_index, j->net = t, j->layer = i;
        }
    return CLGAN_OK;
}

static void time_layer(clgan_ctx *ctx, bench_doc *doc, clgan_workload *w, const layer_job *j, int warmup, int reps)
{
    clgan_net *nets[2];
    const char *names[2];
    int B = clgan_workload_batch(w);
    clgan_workload_nets(w, nets, names);
    const char *kind = clgan_net_layer_kind(nets[j->net], j->layer);
    bench_result fw, bw;
    bench_result_init(&fw, kind, "op/%s/%s/L%d/forward/b%d", j->model, kind, j->layer, B);
    bench_result_init(&bw, kind, "op/%s/%s/L%d/backward/b%d", j->model, kind, j->layer, B);
    double *tf = calloc((size_t)reps, sizeof *tf), *tb = calloc((size_t)reps, sizeof *tb);
    clgan_bench_op *op = NULL;
    clgan_bench_op_info info;
    memset(&info, 0, sizeof info);
    clgan_status st = tf && tb ? CLGAN_OK : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    if (st == CLGAN_OK) st = clgan_bench_op_layer(ctx, nets[j->net], j->layer, B, &op);
    if (st == CLGAN_OK) st = clgan_bench_op_get_info(op, &info);
    if (st == CLGAN_OK) st = bench_time(ctx, op_forward, op, warmup, reps, tf);
    /* flops and bytes from the shapes */
    const int *is = info.in, *os = info.out;
    double in = (double)B * is[0] * is[1] * is[2], out = (double)B * os[0] * os[1] * os[2];
    double params = (double)info.params, f = -1;
    if (!strcmp(kind, "conv2d")) f = 2.0 * os[0] * is[0] * info.k * info.k * os[1] * os[2] * B;
    else if (!strcmp(kind, "conv_transpose2d")) f = 2.0 * is[0] * os[0] * info.k * info.k * is[1] * is[2] * B;
    else if (!strcmp(kind, "dense")) f = 2.0 * B * ((double)is[0] * is[1] * is[2]) * os[0];
    fw.flops = f, bw.flops = f < 0 ? -1 : 2 * f;
    fw.bytes = 4 * (in + out + params);
    bw.bytes = 4 * (out + 2 * in + params);
    if (st == CLGAN_OK) fw.times_ms = tf, fw.reps = reps;
    else bench_result_fail(&fw, NULL), bench_result_fail(&bw, fw.error_text);
    for (int t = 0; t < 2; t++) {
        bench_result *res = t ? &bw : &fw;
        cJSON *p = cJSON_CreateObject();
        char model[40];
        snprintf(model, sizeof model, "%.*s", (int)strcspn(j->model, "."), j->model);
        cJSON_AddStringToObject(p, "model", model);
        if (strchr(j->model, '.')) cJSON_AddStringToObject(p, "net", strchr(j->model, '.') + 1);
        cJSON_AddNumberToObject(p, "layer", j->layer);
        cJSON_AddStringToObject(p, "kind", kind);
        cJSON_AddNumberToObject(p, "batch", B);
        cJSON_AddItemToObject(p, "in", cJSON_CreateIntArray(is, 3));
        cJSON_AddItemToObject(p, "out", cJSON_CreateIntArray(os, 3));
        if (strcmp(kind, "dense") && strcmp(kind, "batchnorm")) { /* convolutions and pooling */
            cJSON_AddNumberToObject(p, "k", info.k);
            cJSON_AddNumberToObject(p, "stride", info.stride);
        }
        if (!strcmp(kind, "conv2d") || !strcmp(kind, "conv_transpose2d")) cJSON_AddNumberToObject(p, "pad", info.pad);
        cJSON_AddNumberToObject(p, "param_count", params);
        res->params = p;
    }
    bench_add(doc, &fw);
    /* backward: the activations of the last training forward stay valid */
    if (st == CLGAN_OK) {
        if (bench_time(ctx, op_backward, op, warmup, reps, tb) == CLGAN_OK) bw.times_ms = tb, bw.reps = reps;
        else bench_result_fail(&bw, NULL);
    }
    bench_add(doc, &bw);
    clgan_bench_op_free(op);
    free(tf);
    free(tb);
}

/* ---- the suite ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clgan bench ops [--device SPEC] [--models LIST] [--sizes LIST] [--reps N] [--warmup N]\n"
            "                       [--batch B] [--out FILE.json] [--label TEXT] [--json]\n\n"
            "Times single device operations, each iteration ended by clgan_ctx_finish:\n"
            "  sgemm/NxNxN/NN        square SGEMM through clgan's GEMM path (CLBlast, device tuning) at --sizes\n"
            "  gemm/MxNxK/TaTb       every distinct GEMM one training step of each --models preset issues\n"
            "                        (params.calls_per_step: calls per step and model)\n"
            "  op/MODEL/KIND/L<i>/forward|backward/b<B>\n"
            "                        each conv2d, conv_transpose2d, dense, batchnorm, maxpool, avgpool layer\n"
            "                        of the presets alone (forward in training mode; backward with dL/dx);\n"
            "                        GAN layers are named per net: op/dcgan28.G/..., op/dcgan28.D/...\n"
            "                        (the ssl presets' layers are not timed, their GEMMs are)\n\n"
            "Reports the median, fastest and slowest ms, GFLOP/s (GEMMs 2MNK; conv and dense layers;\n"
            "backward = 2x forward) and GB/s against a lower bound of the bytes moved.\n\n"
            "  --device SPEC   index, type or name (default: $CLGAN_DEVICE, else the first GPU)\n"
            "  --models LIST   presets (default: all: %s)\n"
            "  --sizes LIST    SGEMM sizes (default 256,512,1024,2048)\n"
            "  --reps N        timed iterations per operation (default 5), after --warmup N (default 1)\n"
            "  --batch B       the presets' batch (default 64)\n"
            "  --out FILE.json write the clgan-bench/1 document (docs/bench-json.md) atomically;\n"
            "                  without it a table is printed\n"
            "  --label TEXT    the run's name in comparisons (default \"clgan <device>[ tuned]\")\n"
            "  --json          print the JSON document on stdout (the table then goes to stderr)\n"
            "Exit status: 0; 1 when a workload failed (it is still recorded, with its \"error\") or the\n"
            "file could not be written; 2 for bad options.\n\n"
            "All presets take a few minutes on a 2-core CPU (dcgan64 and vgg32 most of it).\n",
            clgan_workload_names());
}

/* The suite's own options. */
typedef struct ops_opts {
    const char *models, *sizes; /* --models LIST, --sizes LIST */
    int reps, warmup, batch;    /* --reps, --warmup, --batch (0: each model's own) */
} ops_opts;

static int own_opt(int argc, char **argv, int *i, void *user)
{
    ops_opts *m = user;
    int bad = 0;
    const char *v;
    if ((v = cli_flag_value(argc, argv, i, "--models", &bad))) m->models = v;
    else if ((v = cli_flag_value(argc, argv, i, "--sizes", &bad))) m->sizes = v;
    else if ((v = cli_flag_value(argc, argv, i, "--reps", &bad))) {
        if (!cli_parse_int("--reps", v, 1, BENCH_MAX_REPS, &m->reps)) return -1;
    } else if ((v = cli_flag_value(argc, argv, i, "--warmup", &bad))) {
        if (!cli_parse_int("--warmup", v, 0, 1000, &m->warmup)) return -1;
    } else if ((v = cli_flag_value(argc, argv, i, "--batch", &bad))) {
        if (!cli_parse_int("--batch", v, 2, 65536, &m->batch)) return -1;
    } else if (bad) return -1;
    else return 0;
    return 1;
}

int bench_ops(int argc, char **argv)
{
    ops_opts m = {.models = clgan_workload_names(), .sizes = "256,512,1024,2048", .reps = 5, .warmup = 1};
    bench_out_opts o = {0};
    int rc = bench_parse_args(argc, argv, "ops", usage, own_opt, &m, &o);
    if (rc) return rc < 0 ? 0 : rc;
    char **model_list = NULL, **size_list = NULL;
    int n_models = *m.models ? bench_split(m.models, &model_list, MAX_MODELS) : 0;
    int n_sizes = *m.sizes ? bench_split(m.sizes, &size_list, MAX_SIZES) : 0;
    int size_v[MAX_SIZES];
    rc = 2;
    if (n_models < 0 || n_sizes < 0) {
        fprintf(stderr, "clgan bench ops: --models and --sizes take comma lists without empty entries "
                        "(at most %d models, %d sizes)\n", MAX_MODELS, MAX_SIZES);
        goto out;
    }
    for (int i = 0; i < n_sizes; i++)
        if (!cli_parse_int("--sizes", size_list[i], 1, 16384, &size_v[i])) goto out;
    if (!bench_known_models("ops", model_list, n_models)) goto out;

    rc = 1;
    clgan_ctx *ctx;
    if (cli_open_ctx(o.device, 0, &ctx)) goto out;
    bench_doc doc;
    if (bench_doc_begin(&doc, "ops", ctx, 0, o.label) != CLGAN_OK) {
        cli_fail("benchmark header");
        clgan_ctx_free(ctx);
        goto out;
    }
    cli_suggest_tune(ctx);
    double *times = calloc((size_t)m.reps, sizeof *times);
    shape_entry *shapes = calloc(MAX_SHAPES, sizeof *shapes);
    layer_job *jobs = calloc(MAX_LAYER_JOBS, sizeof *jobs);
    clgan_gemm_shape *rec = calloc(CLGAN_GEMM_RECORD_MAX, sizeof *rec);
    int n_shapes = 0, n_jobs = 0;
    if (!times || !shapes || !jobs || !rec) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto done;
    }

    /* 1. square SGEMM */
    for (int i = 0; i < n_sizes; i++) {
        size_t n = (size_t)size_v[i];
        bench_result r;
        bench_result_init(&r, "sgemm", "sgemm/%zux%zux%zu/NN", n, n, n);
        r.flops = 2.0 * n * n * n;
        r.bytes = 4.0 * 3 * n * n;
        r.params = gemm_params(n, n, n, 0, 0);
        if (time_gemm(ctx, n, n, n, 0, 0, m.warmup, m.reps, times) == CLGAN_OK) r.times_ms = times, r.reps = m.reps;
        else bench_result_fail(&r, NULL);
        bench_add(&doc, &r);
    }

    /* 2. one training step per model, GEMM shapes recorded; the layer list */
    for (int mi = 0; mi < n_models; mi++) {
        const char *name = model_list[mi];
        fprintf(stderr, "clgan bench ops: %s: one training step with GEMM recording\n", name);
        clgan_workload *w = NULL;
        clgan_status st = clgan_workload_create(ctx, name, 0, m.batch, &w);
        if (st == CLGAN_OK) st = clgan_gemm_record_start(ctx);
        if (st == CLGAN_OK) {
            st = clgan_workload_train_step(w);
            if (st == CLGAN_OK) st = clgan_ctx_finish(ctx);
            int got = clgan_gemm_record_stop(ctx, rec, CLGAN_GEMM_RECORD_MAX);
            if (got > CLGAN_GEMM_RECORD_MAX) got = CLGAN_GEMM_RECORD_MAX;
            for (int s = 0; st == CLGAN_OK && s < got; s++) {
                int e = 0;
                while (e < n_shapes && !(shapes[e].s.m == rec[s].m && shapes[e].s.n == rec[s].n &&
                                         shapes[e].s.k == rec[s].k && shapes[e].s.trans_a == rec[s].trans_a &&
                                         shapes[e].s.trans_b == rec[s].trans_b))
                    e++;
                if (e == MAX_SHAPES) break;
                if (e == n_shapes) shapes[n_shapes++].s = rec[s];
                shapes[e].calls[mi] += rec[s].count;
            }
        }
        if (st == CLGAN_OK) st = workload_layers(w, mi, jobs, MAX_LAYER_JOBS, &n_jobs);
        if (st != CLGAN_OK) {
            bench_result r;
            bench_result_init(&r, "gemm", "gemm/%s/record", name);
            bench_result_fail(&r, NULL);
            bench_add(&doc, &r);
        }
        clgan_workload_free(w);
    }

    /* 3. each recorded GEMM alone */
    for (int e = 0; e < n_shapes; e++) {
        const clgan_gemm_shape *s = &shapes[e].s;
        bench_result r;
        bench_result_init(&r, "gemm", "gemm/%zux%zux%zu/%c%c", s->m, s->n, s->k, s->trans_a ? 'T' : 'N',
                          s->trans_b ? 'T' : 'N');
        r.flops = 2.0 * s->m * s->n * s->k;
        r.bytes = 4.0 * ((double)s->m * s->k + (double)s->k * s->n + (double)s->m * s->n);
        r.params = gemm_params(s->m, s->n, s->k, s->trans_a, s->trans_b);
        cJSON *calls = cJSON_AddObjectToObject(r.params, "calls_per_step");
        for (int mi = 0; mi < n_models; mi++)
            if (shapes[e].calls[mi] > 0) cJSON_AddNumberToObject(calls, model_list[mi], shapes[e].calls[mi]);
        if (time_gemm(ctx, s->m, s->n, s->k, s->trans_a, s->trans_b, m.warmup, m.reps, times) == CLGAN_OK)
            r.times_ms = times, r.reps = m.reps;
        else bench_result_fail(&r, NULL);
        bench_add(&doc, &r);
    }

    /* 4. each layer alone, its workload made again (one at a time, to bound the memory) */
    for (int j = 0; j < n_jobs;) {
        int mi = jobs[j].model_index;
        clgan_workload *w = NULL;
        if (clgan_workload_create(ctx, model_list[mi], 0, m.batch, &w) != CLGAN_OK) {
            cli_fail(model_list[mi]);
            goto done;
        }
        for (; j < n_jobs && jobs[j].model_index == mi; j++) time_layer(ctx, &doc, w, &jobs[j], m.warmup, m.reps);
        clgan_workload_free(w);
    }
    rc = 0;
done:
    rc |= bench_doc_finish(&doc, &o);
    free(times);
    free(shapes);
    free(jobs);
    free(rec);
    clgan_ctx_free(ctx);
out:
    bench_split_free(model_list);
    bench_split_free(size_list);
    return rc;
}
