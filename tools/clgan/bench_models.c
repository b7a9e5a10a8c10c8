/* bench_models.c — `clgan bench models`: whole presets on the device.
 *
 *   train/MODEL/w<W>/b<B>   one full training step, as the matching train-* command runs
 *                           it (host uploads and loss read-backs included)
 *   infer/MODEL/w<W>/b<B>   one inference batch: B samples from G for GANs, class
 *                           probabilities of B images for classifiers and ssl models
 *
 * Each preset runs in a context of its own, so peak_device_bytes is that
 * context's peak: for infer, after building the preset (for training, as
 * clgan_workload_create does) and running inference; for train, after the
 * training steps too (it includes the optimizer state). flops is the GEMM
 * arithmetic of one iteration, 2*m*n*k summed over the GEMM calls recorded
 * during the first untimed one. allocs_per_step (train) and allocs_per_batch
 * (infer) count device buffers created during the timed iterations, per
 * iteration: a steady-state training step must create none. */
#include "bench.h"
#include "cli.h"

#include "profile_report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 16

typedef struct run_args {
    clgan_workload *w;
    int train;
} run_args;

static clgan_status iter(void *user)
{
    run_args *a = user;
    return a->train ? clgan_workload_train_step(a->w) : clgan_workload_infer(a->w);
}

/* One phase (train or infer) of one preset: a recorded first iteration,
 * the rest of the warm-up, then the timed iterations. */
/* --profile: `steps` more training steps with the profiler on (after the
 * timed ones, so its synchronisation does not touch their times); the
 * report goes to stderr and into the result as "profile". */
static void profile_phase(clgan_ctx *ctx, clgan_workload *w, int steps, bench_result *r)
{
    if (!profile_report_start(ctx)) return;
    clgan_profile_reset(ctx);
    clgan_status st = CLGAN_OK;
    for (int s = 0; s < steps && st == CLGAN_OK; s++) st = clgan_workload_train_step(w);
    if (st != CLGAN_OK) {
        fprintf(stderr, "clgan bench models: --profile: %s\n", clgan_last_error());
        clgan_profile_stop(ctx);
        return;
    }
    fprintf(stderr, "\n%s:", clgan_workload_name(w));
    profile_report_print(ctx, stderr, steps, 20);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        profile_report_json(ctx, f, steps);
        fclose(f);
        cJSON *j = text ? cJSON_Parse(text) : NULL;
        if (j && r->extra) cJSON_AddItemToObject(r->extra, "profile", j);
        else cJSON_Delete(j);
    }
    free(text);
    clgan_profile_stop(ctx);
}

static void run_phase(clgan_ctx *ctx, clgan_workload *w, int train, int warmup, int steps, double *times,
                      clgan_gemm_shape *rec, bench_result *r)
{
    const char *name = clgan_workload_name(w);
    int W = clgan_workload_width(w), B = clgan_workload_batch(w);
    bench_result_init(r, train ? "train" : "infer", "%s/%s/w%d/b%d", train ? "train" : "infer", name, W, B);
    r->items = B;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "model", name);
    cJSON_AddNumberToObject(p, "width", W);
    cJSON_AddNumberToObject(p, "batch", B);
    cJSON_AddBoolToObject(p, "conditional", clgan_workload_conditional(w));
    cJSON_AddNumberToObject(p, "param_count", (double)clgan_workload_param_count(w));
    cJSON_AddNumberToObject(p, "warmup", warmup);
    r->params = p;
    run_args a = {w, train};
    /* iteration 1 (a warm-up one, or the first timed one when --warmup 0) with GEMM recording */
    clgan_status st = clgan_ctx_finish(ctx);
    if (st == CLGAN_OK) st = clgan_gemm_record_start(ctx);
    if (st == CLGAN_OK) {
        double t0 = bench_now();
        st = iter(&a);
        if (st == CLGAN_OK) st = clgan_ctx_finish(ctx);
        if (!warmup) times[0] = (bench_now() - t0) * 1e3;
        int got = clgan_gemm_record_stop(ctx, rec, CLGAN_GEMM_RECORD_MAX);
        double flops = 0, calls = 0;
        for (int s = 0; s < got && s < CLGAN_GEMM_RECORD_MAX; s++)
            flops += 2.0 * rec[s].m * rec[s].n * rec[s].k * rec[s].count, calls += rec[s].count;
        r->flops = flops;
        cJSON_AddNumberToObject(p, "gemm_calls", calls);
        cJSON_AddNumberToObject(p, "gemm_shapes", got);
    }
    int first_timed = warmup ? 0 : 1;
    uint64_t allocs0 = clgan_ctx_alloc_count(ctx);
    if (st == CLGAN_OK) st = bench_time(ctx, iter, &a, warmup ? warmup - 1 : 0, 0, NULL);
    if (st == CLGAN_OK) {
        allocs0 = clgan_ctx_alloc_count(ctx);
        st = bench_time(ctx, iter, &a, 0, steps - first_timed, times + first_timed);
    }
    if (st != CLGAN_OK) {
        bench_result_fail(r, NULL);
        return;
    }
    double allocs = (double)(clgan_ctx_alloc_count(ctx) - allocs0) / (steps - first_timed > 0 ? steps - first_timed : 1);
    r->times_ms = times, r->reps = steps;
    r->peak_device_bytes = (double)clgan_ctx_peak_bytes(ctx);
    r->extra = cJSON_CreateObject();
    cJSON_AddNumberToObject(r->extra, train ? "allocs_per_step" : "allocs_per_batch", allocs);
    if (train && allocs != 0)
        fprintf(stderr, "clgan bench models: warning: a steady-state %s training step created %g device buffers "
                        "(should be 0)\n", name, allocs);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clgan bench models [--device SPEC] [--models LIST] [--batch B] [--width W] [--steps N]\n"
            "                          [--warmup N] [--profile] [--out FILE.json] [--label TEXT] [--json]\n\n"
            "Times whole presets, each in a fresh context on random images:\n"
            "  train/MODEL/w<W>/b<B>  one full training step (as train-gan / train-classifier / train-ssl run it)\n"
            "  infer/MODEL/w<W>/b<B>  one inference batch (GANs: B samples; classifiers, ssl: class probabilities)\n"
            "Reports ms per iteration (median, min, max), images/s, GFLOP/s of the GEMMs one iteration issues,\n"
            "the context's peak device memory, and device buffers created per timed step (allocs_per_step;\n"
            "a warning when a steady-state training step allocates).\n\n"
            "  --device SPEC   index, type or name (default: $CLGAN_DEVICE, else the first GPU)\n"
            "  --models LIST   presets (default: all: %s)\n"
            "  --batch B       batch size (default 64)\n"
            "  --width W       width (default: each preset's own)\n"
            "  --steps N       timed iterations (default 5), after --warmup N untimed ones (default 2;\n"
            "                  the first compiles kernels, its GEMM calls give the flops)\n"
            "  --out FILE.json write the clgan-bench/1 document (docs/bench-json.md) atomically;\n"
            "                  without it a table is printed\n"
            "  --label TEXT    the run's name in comparisons (default \"clgan <device>[ tuned]\")\n"
            "  --profile       after the timed steps, --steps more with OpenCL event profiling: where a\n"
            "                  training step's time goes, per layer and phase, per kernel, GEMM share (on\n"
            "                  stderr, and as \"profile\" in each train result)\n"
            "  --json          print the JSON document on stdout (the table then goes to stderr)\n"
            "Exit status: 0; 1 when a workload failed (it is still recorded, with its \"error\") or the\n"
            "file could not be written; 2 for bad options.\n\n"
            "All presets take several minutes on a 2-core CPU (dcgan64 and vgg32 most of it).\n",
            clgan_workload_names());
}

/* The suite's own options. */
typedef struct models_opts {
    const char *models;                       /* --models LIST */
    int steps, warmup, batch, width, profile; /* --steps, --warmup, --batch, --width (0: the preset's), --profile */
} models_opts;

static int own_opt(int argc, char **argv, int *i, void *user)
{
    models_opts *m = user;
    int bad = 0;
    const char *v;
    if ((v = cli_flag_value(argc, argv, i, "--models", &bad))) m->models = v;
    else if ((v = cli_flag_value(argc, argv, i, "--batch", &bad))) {
        if (!cli_parse_int("--batch", v, 2, 65536, &m->batch)) return -1;
    } else if ((v = cli_flag_value(argc, argv, i, "--width", &bad))) {
        if (!cli_parse_int("--width", v, 1, 4096, &m->width)) return -1;
    } else if ((v = cli_flag_value(argc, argv, i, "--steps", &bad))) {
        if (!cli_parse_int("--steps", v, 1, BENCH_MAX_REPS, &m->steps)) return -1;
    } else if ((v = cli_flag_value(argc, argv, i, "--warmup", &bad))) {
        if (!cli_parse_int("--warmup", v, 0, 1000, &m->warmup)) return -1;
    } else if (bad) return -1;
    else if (!strcmp(argv[*i], "--profile")) m->profile = 1;
    else return 0;
    return 1;
}

int bench_models(int argc, char **argv)
{
    models_opts m = {.models = clgan_workload_names(), .steps = 5, .warmup = 2};
    bench_out_opts o = {0};
    int rc = bench_parse_args(argc, argv, "models", usage, own_opt, &m, &o);
    if (rc) return rc < 0 ? 0 : rc;
    char **list = NULL;
    int n = *m.models ? bench_split(m.models, &list, MAX_MODELS) : -1;
    if (n < 0) {
        fprintf(stderr, "clgan bench models: --models takes a comma list of presets (at most %d) from %s\n",
                MAX_MODELS, clgan_workload_names());
        return 2;
    }
    if (!bench_known_models("models", list, n)) {
        bench_split_free(list);
        return 2;
    }

    /* The header from a context of its own; each preset then gets a fresh one. */
    clgan_ctx *ctx;
    bench_doc doc;
    if (cli_open_ctx(o.device, 0, &ctx)) {
        bench_split_free(list);
        return 1;
    }
    clgan_status st = bench_doc_begin(&doc, "models", ctx, 0, o.label);
    cli_suggest_tune(ctx);
    clgan_ctx_free(ctx);
    double *t_train = calloc((size_t)m.steps, sizeof *t_train), *t_infer = calloc((size_t)m.steps, sizeof *t_infer);
    clgan_gemm_shape *rec = calloc(CLGAN_GEMM_RECORD_MAX, sizeof *rec);
    if (st != CLGAN_OK || !t_train || !t_infer || !rec) {
        if (st != CLGAN_OK) cli_fail("benchmark header");
        else fprintf(stderr, "clgan: out of host memory\n");
        free(t_train), free(t_infer), free(rec);
        if (doc.root) cJSON_Delete(doc.root);
        bench_split_free(list);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        fprintf(stderr, "clgan bench models: %s: building (fresh context), %d+%d inference batches, %d+%d training "
                        "steps\n", list[i], m.warmup, m.steps, m.warmup, m.steps);
        bench_result tr, inf;
        clgan_workload *w = NULL;
        ctx = NULL;
        if (cli_open_ctx(o.device, 0, &ctx) == 0 && clgan_workload_create(ctx, list[i], m.width, m.batch, &w) == CLGAN_OK) {
            run_phase(ctx, w, 0, m.warmup, m.steps, t_infer, rec, &inf);
            run_phase(ctx, w, 1, m.warmup, m.steps, t_train, rec, &tr);
            if (m.profile && !tr.error) profile_phase(ctx, w, m.steps, &tr);
            /* train first in the file: the headline figure */
            bench_add(&doc, &tr);
            bench_add(&doc, &inf);
        } else {
            int B = m.batch ? m.batch : 64; /* w0: the preset's default width, unknown as it could not be built */
            bench_result_init(&tr, "train", "train/%s/w%d/b%d", list[i], m.width, B);
            bench_result_init(&inf, "infer", "infer/%s/w%d/b%d", list[i], m.width, B);
            bench_result_fail(&tr, NULL);
            bench_result_fail(&inf, NULL);
            bench_add(&doc, &tr);
            bench_add(&doc, &inf);
        }
        clgan_workload_free(w);
        clgan_ctx_free(ctx);
    }
    free(t_train), free(t_infer), free(rec);
    bench_split_free(list);
    return bench_doc_finish(&doc, &o);
}
