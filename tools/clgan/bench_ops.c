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
 * presets' layer tables are private to train/ssl.c, so their layers are
 * not timed here (their GEMMs are).
 *
 * flops: GEMMs 2*M*N*K; conv2d forward 2*OC*C*KH*KW*OH*OW*N; conv_transpose2d
 * forward 2*C*OC*KH*KW*H*W*N (per input pixel); dense forward 2*N*IN*OUT;
 * backward (dW and dX) twice the forward; batchnorm and pooling null.
 * bytes (lower bounds, 4 per float): GEMM A, B read and C written once;
 * forward x and parameters read, y written; backward dy and x read, dx and
 * parameter gradients written. */
#include "bench.h"
#include "cli.h"

#include "nn/gemm.h"
#include "nn/net.h"
#include "train/classifier_models.h"
#include "train/gan.h"
#include "train/workload.h"

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
    int layer, batch;
    int c, h, w;    /* input shape */
    clgan_layer_spec spec;
} layer_job;

/* ---- GEMM ----------------------------------------------------------------------- */

typedef struct gemm_job {
    clgan_ctx *ctx;
    size_t m, n, k, lda, ldb, ldc;
    int ta, tb;
    cl_mem a, b, c;
} gemm_job;

static clgan_status gemm_iter(void *user)
{
    gemm_job *g = user;
    return clgan_gemm(g->ctx, g->ta, g->tb, g->m, g->n, g->k, 1.0f, g->a, 0, g->lda, g->b, 0, g->ldb, 0.0f, g->c, 0,
                      g->ldc);
}

static clgan_status upload_random(clgan_ctx *ctx, cl_mem *mem, size_t floats, uint64_t seed)
{
    TRY(clgan_buffer_create(ctx, floats * sizeof(float), mem));
    float *h = malloc(floats * sizeof *h);
    if (!h) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %zu floats", floats);
    bench_fill_random(h, floats, seed);
    clgan_status st = clgan_buffer_write(ctx, *mem, 0, floats * sizeof *h, h);
    free(h);
    return st;
}

/* Time C[m,n] = op(A)[m,k] op(B)[k,n] (row-major, clgan_gemm's convention). */
static clgan_status time_gemm(clgan_ctx *ctx, size_t m, size_t n, size_t k, int ta, int tb, int warmup, int reps,
                              double *times)
{
    gemm_job g = {ctx, m, n, k, ta ? m : k, tb ? k : n, n, ta, tb, NULL, NULL, NULL};
    clgan_status st = upload_random(ctx, &g.a, m * k, 1);
    if (st == CLGAN_OK) st = upload_random(ctx, &g.b, k * n, 2);
    if (st == CLGAN_OK) st = clgan_buffer_create(ctx, m * n * sizeof(float), &g.c);
    if (st == CLGAN_OK) st = bench_time(ctx, gemm_iter, &g, warmup, reps, times);
    if (g.a) clgan_buffer_release(ctx, g.a);
    if (g.b) clgan_buffer_release(ctx, g.b);
    if (g.c) clgan_buffer_release(ctx, g.c);
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

/* The preset's nets as (model label, specs, input shape); 0 nets for presets
 * whose layer tables are not exported (ssl). Fails when a table does not
 * match the workload's nets (then the presets and this file disagree). */
static clgan_status preset_layers(clgan_workload *w, layer_job *jobs, int cap, int *count)
{
    const char *name = clgan_workload_name(w);
    clgan_layer_spec specs[2][CLGAN_CLASSIFIER_MAX_LAYERS > CLGAN_MAX_NET_LAYERS ? CLGAN_CLASSIFIER_MAX_LAYERS
                                                                                : CLGAN_MAX_NET_LAYERS];
    int n_specs[2] = {0, 0}, in[2][3], n_nets = 0;
    const char *suffix[2] = {"", ""};
    if (!strncmp(name, "dcgan", 5)) {
        clgan_gan_arch a = clgan_gan_default_config().arch;
        snprintf(a.model, sizeof a.model, "%.*s", (int)strcspn(name, "-"), name);
        a.width = clgan_workload_width(w);
        if (clgan_workload_conditional(w)) a.conditional = 1, a.classes = 10;
        TRY(clgan_gan_arch_resolve(&a));
        TRY(clgan_gan_generator_specs(&a, specs[0], &n_specs[0]));
        TRY(clgan_gan_discriminator_specs(&a, specs[1], &n_specs[1], NULL));
        in[0][0] = a.nz, in[0][1] = in[0][2] = 1;
        in[1][0] = a.c, in[1][1] = a.h, in[1][2] = a.w;
        suffix[0] = ".G", suffix[1] = ".D";
        n_nets = 2;
    } else if (!strncmp(name, "lenet", 5) || !strncmp(name, "vgg", 3)) {
        clgan_classifier_arch a;
        memset(&a, 0, sizeof a);
        snprintf(a.model, sizeof a.model, "%s", name);
        a.width = clgan_workload_width(w), a.classes = 10;
        TRY(clgan_classifier_arch_resolve(&a));
        TRY(clgan_classifier_specs(&a, specs[0], &n_specs[0], NULL));
        in[0][0] = a.c, in[0][1] = a.h, in[0][2] = a.w;
        n_nets = 1;
    }
    clgan_net *nets[2];
    const char *names[2];
    int have = n_nets ? clgan_workload_nets(w, nets, names) : 0;
    for (int t = 0; t < n_nets; t++) {
        if (t >= have || clgan_net_layer_count(nets[t]) != n_specs[t])
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: the preset's layer table (%d layers) does not match the "
                                                     "workload's net %d", name, n_specs[t], t);
        for (int i = 0; i < n_specs[t]; i++) {
            clgan_layer_kind k = specs[t][i].kind;
            int c = in[t][0], h = in[t][1], wd = in[t][2];
            if (i > 0) clgan_net_layer_shape(nets[t], i - 1, &c, &h, &wd);
            if (k != CLGAN_LAYER_CONV2D && k != CLGAN_LAYER_CONV_TRANSPOSE && k != CLGAN_LAYER_DENSE &&
                k != CLGAN_LAYER_BATCHNORM && k != CLGAN_LAYER_MAXPOOL && k != CLGAN_LAYER_AVGPOOL)
                continue;
            if (*count == cap) return clgan_fail(CLGAN_ERR_INVALID_ARG, "more than %d layers", cap);
            layer_job *j = &jobs[(*count)++];
            snprintf(j->model, sizeof j->model, "%s%s", name, suffix[t]);
            j->layer = i, j->batch = clgan_workload_batch(w);
            j->c = c, j->h = h, j->w = wd;
            j->spec = specs[t][i];
        }
    }
    return CLGAN_OK;
}

typedef struct layer_run {
    clgan_net *net;
    clgan_tensor x, dx;
    const clgan_tensor *y;
} layer_run;

static clgan_status layer_forward(void *user)
{
    layer_run *r = user;
    return clgan_net_forward(r->net, &r->x, NULL, 1, &r->y);
}

static clgan_status layer_backward(void *user)
{
    layer_run *r = user;
    return clgan_net_backward(r->net, &r->dx);
}

static clgan_status upload_tensor_random(clgan_ctx *ctx, clgan_tensor *t, uint64_t seed)
{
    float *h = malloc(t->count * sizeof *h);
    if (!h) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    bench_fill_random(h, t->count, seed);
    clgan_status st = clgan_tensor_upload(ctx, t, h);
    free(h);
    return st;
}

static const char *kind_id(clgan_layer_kind k)
{
    switch (k) {
    case CLGAN_LAYER_CONV2D: return "conv2d";
    case CLGAN_LAYER_CONV_TRANSPOSE: return "conv_transpose2d";
    case CLGAN_LAYER_DENSE: return "dense";
    case CLGAN_LAYER_BATCHNORM: return "batchnorm";
    case CLGAN_LAYER_MAXPOOL: return "maxpool";
    case CLGAN_LAYER_AVGPOOL: return "avgpool";
    default: return clgan_layer_kind_name(k);
    }
}

static void time_layer(clgan_ctx *ctx, bench_doc *doc, const layer_job *j, int warmup, int reps)
{
    const char *kind = kind_id(j->spec.kind);
    bench_result fw, bw;
    bench_result_init(&fw, kind, "op/%s/%s/L%d/forward/b%d", j->model, kind, j->layer, j->batch);
    bench_result_init(&bw, kind, "op/%s/%s/L%d/backward/b%d", j->model, kind, j->layer, j->batch);
    double *tf = calloc((size_t)reps, sizeof *tf), *tb = calloc((size_t)reps, sizeof *tb);
    layer_run r;
    memset(&r, 0, sizeof r);
    int B = j->batch, oc = 0, oh = 0, ow = 0;
    clgan_status st = tf && tb ? CLGAN_OK : clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory");
    if (st == CLGAN_OK) st = clgan_net_create(ctx, j->c, j->h, j->w, &j->spec, 1, 7, &r.net);
    if (st == CLGAN_OK) st = clgan_net_plan(r.net, B);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, j->c, j->h, j->w, &r.x);
    if (st == CLGAN_OK) st = clgan_tensor_alloc(ctx, B, j->c, j->h, j->w, &r.dx);
    if (st == CLGAN_OK) st = upload_tensor_random(ctx, &r.x, 11);
    if (st == CLGAN_OK) st = upload_tensor_random(ctx, clgan_net_output_grad(r.net), 12);
    if (st == CLGAN_OK) st = bench_time(ctx, layer_forward, &r, warmup, reps, tf);
    /* flops and bytes from the shapes */
    double in = (double)B * j->c * j->h * j->w, out = 0, params = 0, f = -1;
    if (r.net) {
        clgan_net_output_shape(r.net, &oc, &oh, &ow);
        out = (double)B * oc * oh * ow;
        params = (double)clgan_net_param_count(r.net);
    }
    const clgan_layer_spec *s = &j->spec;
    if (s->kind == CLGAN_LAYER_CONV2D) f = 2.0 * oc * j->c * s->k * s->k * oh * ow * B;
    else if (s->kind == CLGAN_LAYER_CONV_TRANSPOSE) f = 2.0 * j->c * oc * s->k * s->k * j->h * j->w * B;
    else if (s->kind == CLGAN_LAYER_DENSE) f = 2.0 * B * ((double)j->c * j->h * j->w) * oc;
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
        int ins[3] = {j->c, j->h, j->w}, outs[3] = {oc, oh, ow};
        cJSON_AddItemToObject(p, "in", cJSON_CreateIntArray(ins, 3));
        cJSON_AddItemToObject(p, "out", cJSON_CreateIntArray(outs, 3));
        if (s->kind == CLGAN_LAYER_CONV2D || s->kind == CLGAN_LAYER_CONV_TRANSPOSE || s->kind == CLGAN_LAYER_MAXPOOL ||
            s->kind == CLGAN_LAYER_AVGPOOL) {
            cJSON_AddNumberToObject(p, "k", s->k);
            cJSON_AddNumberToObject(p, "stride", s->stride);
        }
        if (s->kind == CLGAN_LAYER_CONV2D || s->kind == CLGAN_LAYER_CONV_TRANSPOSE)
            cJSON_AddNumberToObject(p, "pad", s->pad);
        cJSON_AddNumberToObject(p, "param_count", params);
        res->params = p;
    }
    bench_add(doc, &fw);
    /* backward: the activations of the last training forward stay valid */
    if (st == CLGAN_OK) {
        if (bench_time(ctx, layer_backward, &r, warmup, reps, tb) == CLGAN_OK) bw.times_ms = tb, bw.reps = reps;
        else bench_result_fail(&bw, NULL);
    }
    bench_add(doc, &bw);
    if (r.x.mem) clgan_tensor_free(ctx, &r.x);
    if (r.dx.mem) clgan_tensor_free(ctx, &r.dx);
    clgan_net_free(r.net);
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

int bench_ops(int argc, char **argv)
{
    const char *device = NULL, *models = clgan_workload_names(), *sizes = "256,512,1024,2048";
    int reps = 5, warmup = 1, batch = 0;
    bench_out_opts o = {0};
    for (int i = 1; i < argc; i++) {
        int bad = 0, r;
        const char *v;
        if ((r = bench_parse_out_opt(argc, argv, &i, &o))) {
            if (r < 0) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--models", &bad))) models = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--sizes", &bad))) sizes = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--reps", &bad))) {
            if (!cli_parse_int("--reps", v, 1, BENCH_MAX_REPS, &reps)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--warmup", &bad))) {
            if (!cli_parse_int("--warmup", v, 0, 1000, &warmup)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) {
            if (!cli_parse_int("--batch", v, 2, 65536, &batch)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else return bench_unknown("ops", argv[i]);
    }
    char **model_list = NULL, **size_list = NULL;
    int n_models = *models ? bench_split(models, &model_list, MAX_MODELS) : 0;
    int n_sizes = *sizes ? bench_split(sizes, &size_list, MAX_SIZES) : 0;
    int size_v[MAX_SIZES];
    int rc = 2;
    if (n_models < 0 || n_sizes < 0) {
        fprintf(stderr, "clgan bench ops: --models and --sizes take comma lists without empty entries "
                        "(at most %d models, %d sizes)\n", MAX_MODELS, MAX_SIZES);
        goto out;
    }
    for (int i = 0; i < n_sizes; i++)
        if (!cli_parse_int("--sizes", size_list[i], 1, 16384, &size_v[i])) goto out;
    for (int i = 0; i < n_models; i++) {
        const char *names = clgan_workload_names(), *p = strstr(names, model_list[i]);
        size_t len = strlen(model_list[i]);
        while (p && !((p == names || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))) p = strstr(p + 1, model_list[i]);
        if (!p) {
            fprintf(stderr, "clgan bench ops: unknown model '%s'; choose from %s\n", model_list[i], names);
            goto out;
        }
    }

    rc = 1;
    clgan_ctx *ctx;
    if (cli_open_ctx(device, 0, &ctx)) goto out;
    bench_doc doc;
    if (bench_doc_begin(&doc, "ops", ctx, 0, o.label) != CLGAN_OK) {
        cli_fail("benchmark header");
        clgan_ctx_free(ctx);
        goto out;
    }
    cli_suggest_tune(ctx);
    double *times = calloc((size_t)reps, sizeof *times);
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
        if (time_gemm(ctx, n, n, n, 0, 0, warmup, reps, times) == CLGAN_OK) r.times_ms = times, r.reps = reps;
        else bench_result_fail(&r, NULL);
        bench_add(&doc, &r);
    }

    /* 2. one training step per model, GEMM shapes recorded; the layer list */
    for (int mi = 0; mi < n_models; mi++) {
        const char *name = model_list[mi];
        fprintf(stderr, "clgan bench ops: %s: one training step with GEMM recording\n", name);
        clgan_workload *w = NULL;
        clgan_status st = clgan_workload_create(ctx, name, 0, batch, &w);
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
        if (st == CLGAN_OK) st = preset_layers(w, jobs, MAX_LAYER_JOBS, &n_jobs);
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
        if (time_gemm(ctx, s->m, s->n, s->k, s->trans_a, s->trans_b, warmup, reps, times) == CLGAN_OK)
            r.times_ms = times, r.reps = reps;
        else bench_result_fail(&r, NULL);
        bench_add(&doc, &r);
    }

    /* 4. each layer alone */
    for (int j = 0; j < n_jobs; j++) time_layer(ctx, &doc, &jobs[j], warmup, reps);
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
