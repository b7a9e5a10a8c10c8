/* api_bench.c — clgan/bench.h and clgan_write_file_atomic over <clgan.h>
 * only: the workload names; a small dcgan28 workload's nets, parameter
 * count, a training step and an inference batch, with the GEMM shapes the
 * step issues recorded (every one a real product, recording off after
 * stop); an unknown workload's message; CLGAN_GEMM_TUNED read as 1, 0 or a
 * usage error; a tuning file saved under a context's cache folder at the
 * path clgan_tuning_path gives; the tuning search's defaults; an atomic
 * write read back and one into a missing folder refused; single ops: a GEMM,
 * and each layer of D alone with the shapes and parameters it has in the
 * net, forward then backward (backward first, a GEMM's backward and an
 * empty GEMM refused). */
#include "test_expect.h"
#include "test_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/clgan-api-bench-XXXXXX";

static void test_env_and_files(void)
{
    int use = -1;
    unsetenv("CLGAN_GEMM_TUNED");
    MUST(clgan_tuning_env(&use));
    EXPECT(use == 1, "CLGAN_GEMM_TUNED unset: apply the tuning file");
    setenv("CLGAN_GEMM_TUNED", "0", 1);
    MUST(clgan_tuning_env(&use));
    EXPECT(use == 0, "CLGAN_GEMM_TUNED=0: skip it");
    setenv("CLGAN_GEMM_TUNED", "yes", 1);
    EXPECT(clgan_tuning_env(&use) == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "CLGAN_GEMM_TUNED") &&
               strstr(clgan_last_error(), "yes"),
           "CLGAN_GEMM_TUNED=yes is refused, naming both: %s", clgan_last_error());
    unsetenv("CLGAN_GEMM_TUNED");

    clgan_tune_options o = clgan_tune_default_options();
    EXPECT(o.budget_s == 840 && o.reps == 2 && o.seed == 1 && !o.progress, "tune defaults: 840 s, 2 reps, seed 1");
    EXPECT(strchr(clgan_clblast_version(), '.') != NULL || !strcmp(clgan_clblast_version(), "unknown"),
           "a CLBlast version: %s", clgan_clblast_version());

    char path[512], back[64];
    snprintf(path, sizeof path, "%s/atomic.txt", dir);
    MUST(clgan_write_file_atomic(path, "first", 5));
    MUST(clgan_write_file_atomic(path, "second!", 7));
    size_t len = 0;
    uint8_t *got = test_read_file(path, &len);
    snprintf(back, sizeof back, "%.*s", (int)len, got ? (const char *)got : "");
    free(got);
    EXPECT(!strcmp(back, "second!"), "an atomic write replaces the file whole (%s)", back);
    EXPECT(test_count_tmp(dir) == 0, "no temporary file is left");
    snprintf(path, sizeof path, "%s/no/such/folder/x", dir);
    EXPECT(clgan_write_file_atomic(path, "x", 1) == CLGAN_ERR_IO && strstr(clgan_last_error(), path),
           "an atomic write into a missing folder names it: %s", clgan_last_error());
}

static void test_workload(void)
{
    char names[256];
    snprintf(names, sizeof names, ",%s,", clgan_workload_names());
    EXPECT(strstr(names, ",dcgan28,") && strstr(names, ",lenet28,") && strstr(names, ",ssl28,"),
           "workload names: %s", clgan_workload_names());

    char cache[320];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    clgan_ctx_params p = clgan_ctx_default_params();
    p.cache_dir = cache;
    clgan_ctx *ctx;
    MUST(clgan_ctx_create(&p, &ctx));
    EXPECT(!strcmp(clgan_ctx_cache_dir(ctx), cache), "the context's cache folder is the one given (%s)",
           clgan_ctx_cache_dir(ctx));
    EXPECT(clgan_ctx_tuning(ctx) == NULL, "a fresh cache has no tuning applied");

    clgan_workload *w = (clgan_workload *)1;
    EXPECT(clgan_workload_create(ctx, "dcgan99", 0, 4, &w) == CLGAN_ERR_INVALID_ARG && w == NULL &&
               strstr(clgan_last_error(), "dcgan28"),
           "an unknown workload lists the names: %s", clgan_last_error());
    MUST(clgan_workload_create(ctx, "dcgan28", 4, 4, &w));
    EXPECT(!strcmp(clgan_workload_name(w), "dcgan28") && clgan_workload_width(w) == 4 && clgan_workload_batch(w) == 4 &&
               !clgan_workload_conditional(w),
           "dcgan28 at width 4, batch 4, unconditional");
    clgan_net *nets[2];
    const char *nn[2];
    int n = clgan_workload_nets(w, nets, nn);
    EXPECT(n == 2 && !strcmp(nn[0], "G") && !strcmp(nn[1], "D"), "its nets are G and D");
    size_t total = n == 2 ? clgan_net_param_count(nets[0]) + clgan_net_param_count(nets[1]) : 0;
    EXPECT(total > 0 && clgan_workload_param_count(w) == total, "parameter count %zu is G's plus D's (%zu)",
           clgan_workload_param_count(w), total);

    static clgan_gemm_shape shapes[CLGAN_GEMM_RECORD_MAX];
    MUST(clgan_gemm_record_start(ctx));
    MUST(clgan_workload_train_step(w));
    int got = clgan_gemm_record_stop(ctx, shapes, CLGAN_GEMM_RECORD_MAX);
    int real = got > 0;
    double calls = 0;
    for (int i = 0; i < got; i++) {
        real &= shapes[i].m && shapes[i].n && shapes[i].k && shapes[i].count >= 1;
        calls += shapes[i].count;
    }
    EXPECT(real, "a training step issues %d GEMM shapes (%.0f calls), each a real product", got, calls);
    EXPECT(clgan_gemm_record_stop(ctx, shapes, CLGAN_GEMM_RECORD_MAX) == 0, "stopped: nothing more is recorded");
    MUST(clgan_workload_infer(w));

    clgan_bench_op *op = (clgan_bench_op *)1;
    clgan_bench_op_info oi;
    clgan_gemm_shape g = {48, 40, 24, 1, 0, 1}, empty = {0, 4, 4, 0, 0, 1};
    MUST(clgan_bench_op_gemm(ctx, &g, &op));
    MUST(clgan_bench_op_get_info(op, &oi));
    EXPECT(!strcmp(oi.kind, "gemm"), "a GEMM op's kind is gemm");
    MUST(clgan_bench_op_run(op, 0));
    MUST(clgan_ctx_finish(ctx));
    EXPECT(clgan_bench_op_run(op, 1) == CLGAN_ERR_INVALID_ARG, "a GEMM has no backward: %s", clgan_last_error());
    clgan_bench_op_free(op);
    op = (clgan_bench_op *)1;
    EXPECT(clgan_bench_op_gemm(ctx, &empty, &op) == CLGAN_ERR_INVALID_ARG && op == NULL, "an empty GEMM: %s",
           clgan_last_error());
    int layers_ok = 1, layers = clgan_net_layer_count(nets[1]);
    for (int i = 0; i < layers; i++) {
        int c, h, wd, pc, ph, pw;
        if (i) clgan_net_layer_shape(nets[1], i - 1, &pc, &ph, &pw);
        else clgan_net_input_shape(nets[1], &pc, &ph, &pw);
        clgan_net_layer_shape(nets[1], i, &c, &h, &wd);
        if (clgan_bench_op_layer(ctx, nets[1], i, 4, &op) != CLGAN_OK) {
            printf("layer %d (%s): %s\n", i, clgan_net_layer_kind(nets[1], i), clgan_last_error());
            layers_ok = 0;
            continue;
        }
        MUST(clgan_bench_op_get_info(op, &oi));
        int same = !strcmp(oi.kind, clgan_net_layer_kind(nets[1], i)) && oi.batch == 4 && oi.in[0] == pc &&
                   oi.in[1] == ph && oi.in[2] == pw && oi.out[0] == c && oi.out[1] == h && oi.out[2] == wd &&
                   oi.params == clgan_net_layer_param_count(nets[1], i);
        if (!same) printf("layer %d (%s): shapes or parameters differ from the net's\n", i, oi.kind);
        if (i == 0) EXPECT(clgan_bench_op_run(op, 1) == CLGAN_ERR_INVALID_ARG, "backward before a forward: %s",
                           clgan_last_error());
        layers_ok &= same && clgan_bench_op_run(op, 0) == CLGAN_OK && clgan_bench_op_run(op, 1) == CLGAN_OK &&
                     clgan_ctx_finish(ctx) == CLGAN_OK;
        clgan_bench_op_free(op);
    }
    EXPECT(layers_ok && layers > 0, "each of D's %d layers alone: the net's shapes and parameters, forward and backward",
           layers);
    EXPECT(clgan_bench_op_layer(ctx, nets[1], layers, 4, &op) == CLGAN_ERR_INVALID_ARG, "a layer past the end: %s",
           clgan_last_error());
    EXPECT(clgan_workload_train_step(NULL) == CLGAN_ERR_INVALID_ARG, "a step of no workload: %s", clgan_last_error());
    clgan_workload_free(w);

    clgan_tuning t;
    memset(&t, 0, sizeof t);
    const clgan_device_info *d = clgan_ctx_device(ctx);
    snprintf(t.platform, sizeof t.platform, "%s", d->platform_name);
    snprintf(t.device, sizeof t.device, "%s", d->device_name);
    snprintf(t.driver, sizeof t.driver, "%s", d->driver_version);
    snprintf(t.clblast, sizeof t.clblast, "%s", clgan_clblast_version());
    snprintf(t.created, sizeof t.created, "2026-01-01T00:00:00Z");
    snprintf(t.models, sizeof t.models, "dcgan28");
    t.gemm_ms_default = 2, t.gemm_ms_tuned = 1;
    MUST(clgan_tuning_save(clgan_ctx_cache_dir(ctx), &t));
    char path[1200];
    clgan_tuning_path(clgan_ctx_cache_dir(ctx), d, path, sizeof path);
    size_t len = 0;
    uint8_t *text = test_read_file(path, &len);
    EXPECT(text && len > 13 && !memcmp(text, "clgan-tuning 1", 14) && strstr(path, cache) == path,
           "the tuning file is saved at clgan_tuning_path's path under the cache (%s)", path);
    free(text);
    char created[32] = "";
    EXPECT(clgan_device_tuned(d->index, cache, created, sizeof created) == 1 && !strcmp(created, t.created),
           "and the device reads as tuned, created %s", created);
    clgan_ctx_free(ctx);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        printf("FAIL mkdtemp\n");
        return 1;
    }
    test_env_and_files();
    int ndev = 0;
    if (clgan_device_count(&ndev) == CLGAN_OK && ndev > 0) test_workload(); /* on a context of its own cache */
    else printf("no OpenCL device: workloads and tuning files are not tested\n");
    test_rm_rf(dir);
    return test_finish();
}
