/* cmd_tune.c — `clgan tune`: measure the best CLBlast GEMM parameters for a
 * device on the GEMM shapes the chosen models issue, and store them in the
 * device's tuning file (clgan/bench.h), which every later context on the
 * device applies. */
#include "cli.h"
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODELS 16

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clgan tune [--device SPEC] [--models LIST] [--budget SECONDS] [--reps N] [--batch B]\n"
            "                  [--dry-run] [--json]\n\n"
            "Finds the CLBlast GEMM parameters that run the chosen models fastest on this device and saves\n"
            "them beside the kernel cache, keyed by platform, device, driver and CLBlast version; every\n"
            "later clgan run on the device applies them (CLGAN_GEMM_TUNED=0 to run without).\n\n"
            "It records the GEMMs one training step and one inference batch of each model issue (shapes,\n"
            "transposes, how often), times CLBlast's defaults on them, then candidate parameter sets for\n"
            "both GEMM kernels (XgemmDirect, Xgemm) and the size at which CLBlast switches between them,\n"
            "until the budget is spent. Each new set costs one kernel compile: seconds on a GPU, up to\n"
            "tens of seconds on CPU drivers such as PoCL, which is where most of the budget goes.\n\n"
            "  --models LIST     comma-separated workloads (default dcgan28,lenet28; any of\n"
            "                    %s)\n"
            "  --budget SECONDS  wall-clock budget for the search (default 840: the whole command stays\n"
            "                    within 15 minutes on a 2-core CPU)\n"
            "  --reps N          timed calls per shape and candidate, the fastest counts (default 2)\n"
            "  --batch B         batch size of the workloads (default 64)\n"
            "  --dry-run         search and report, but do not write the tuning file\n"
            "  --device SPEC     OpenCL device (index, gpu/cpu, or part of a name)\n"
            "  --json            print one machine-readable summary line at the end\n",
            clgan_workload_names());
}

typedef struct model_shapes {
    char name[32];
    int count;
    clgan_gemm_shape shapes[CLGAN_TUNE_MAX_SHAPES];
} model_shapes;

static int same_shape(const clgan_gemm_shape *a, const clgan_gemm_shape *b)
{
    return a->m == b->m && a->n == b->n && a->k == b->k && a->trans_a == b->trans_a && a->trans_b == b->trans_b;
}

typedef struct bar_state {
    int tty;
} bar_state;

static void on_progress(const clgan_tune_progress *p, void *user)
{
    bar_state *b = user;
    double frac = p->budget_s > 0 ? p->elapsed_s / p->budget_s : 0;
    if (frac > 1) frac = 1;
    char bar[21];
    int fill = (int)(frac * 20 + 0.5);
    for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '.';
    bar[20] = '\0';
    double gain = p->best_ms > 0 && p->default_ms > 0 ? p->default_ms / p->best_ms : 1;
    char line[512];
    snprintf(line, sizeof line, "tune [%s] %4.0f/%.0f s | %-11s | %d sets timed | GEMM ms per round: default %.1f, best "
             "%.1f (%.2fx)", bar, p->elapsed_s, p->budget_s, p->phase, p->candidates_done, p->default_ms, p->best_ms,
             gain);
    if (b->tty) fprintf(stderr, "\r%.*s\033[K", progress_columns() - 1, line); /* cut to the terminal's width */
    else fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

int cmd_tune(int argc, char **argv)
{
    const char *device = NULL, *models = "dcgan28,lenet28";
    clgan_tune_options opt = clgan_tune_default_options();
    int batch = 64, dry = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        float budget;
        if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--models", &bad))) models = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--budget", &bad))) {
            if (!cli_parse_float("--budget", v, 1, 86400, &budget)) return 2;
            opt.budget_s = budget;
        } else if ((v = cli_flag_value(argc, argv, &i, "--reps", &bad))) {
            if (!cli_parse_int("--reps", v, 1, 100, &opt.reps)) return 2;
        } else if ((v = cli_flag_value(argc, argv, &i, "--batch", &bad))) {
            const clgan_setting_info *b = clgan_setting_find(CLGAN_MODEL_GAN, "batch");
            if (!cli_parse_int("--batch", v, 2, (long)b->max, &batch)) return 2;
        } else if (bad) return 2;
        else if (!strcmp(argv[i], "--dry-run")) dry = 1;
        else if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "clgan tune: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    /* Split the model list before touching the device, so a typo fails fast. */
    model_shapes *ms = calloc(MAX_MODELS, sizeof *ms);
    if (!ms) return cli_fail("out of host memory");
    int n_models = 0, rc = 1;
    char list[512];
    snprintf(list, sizeof list, "%s", models);
    for (char *save = NULL, *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
        if (n_models == MAX_MODELS) {
            fprintf(stderr, "clgan tune: at most %d models\n", MAX_MODELS);
            free(ms);
            return 2;
        }
        char pat[64], names[256];
        snprintf(pat, sizeof pat, ",%s,", m);
        snprintf(names, sizeof names, ",%s,", clgan_workload_names());
        if (!strstr(names, pat) || strlen(m) >= sizeof ms[0].name) {
            fprintf(stderr, "clgan tune: unknown model '%s'; choose from %s\n", m, clgan_workload_names());
            free(ms);
            return 2;
        }
        snprintf(ms[n_models++].name, sizeof ms[0].name, "%s", m);
    }
    if (!n_models) {
        fprintf(stderr, "clgan tune: --models is empty\n");
        free(ms);
        return 2;
    }
    clgan_ctx_params p = clgan_ctx_default_params();
    p.device_spec = device;
    p.use_tuning = 0; /* start from CLBlast's defaults */
    clgan_ctx *ctx = NULL;
    clgan_tune_result *res = calloc(1, sizeof *res);
    clgan_gemm_shape *all = calloc(CLGAN_TUNE_MAX_SHAPES, sizeof *all);
    if (!res || !all) {
        cli_fail("out of host memory");
        goto done;
    }
    if (clgan_ctx_create(&p, &ctx) != CLGAN_OK) {
        cli_fail(NULL);
        goto done;
    }
    const clgan_device_info *d = clgan_ctx_device(ctx);
    if (!clgan_ctx_cache_dir(ctx)[0] && !dry) {
        fprintf(stderr, "clgan tune: the disk cache is off (CLGAN_CACHE_DIR), so there is nowhere to keep the "
                        "tuning; set a cache folder or use --dry-run\n");
        goto done;
    }
    fprintf(stderr, "clgan: tuning GEMMs on %s (%s, driver %s, CLBlast %s), budget %.0f s\n", d->device_name,
            d->platform_name, d->driver_version, clgan_clblast_version(), opt.budget_s);
    int n_all = 0;
    for (int m = 0; m < n_models; m++) {
        fprintf(stderr, "clgan: recording the GEMMs of a %s training step and inference batch ...\n", ms[m].name);
        if (clgan_workload_gemm_shapes(ctx, ms[m].name, batch, ms[m].shapes, CLGAN_TUNE_MAX_SHAPES, &ms[m].count) !=
            CLGAN_OK) {
            cli_fail("recording GEMM shapes");
            goto done;
        }
        for (int i = 0; i < ms[m].count; i++) {
            int j = 0;
            while (j < n_all && !same_shape(&all[j], &ms[m].shapes[i])) j++;
            if (j == n_all) {
                if (n_all == CLGAN_TUNE_MAX_SHAPES) continue;
                all[n_all] = ms[m].shapes[i], all[n_all++].count = 0;
            }
            all[j].count += ms[m].shapes[i].count;
        }
    }
    fprintf(stderr, "clgan: %d distinct GEMM shapes\n", n_all);
    bar_state bs = {isatty(STDERR_FILENO)}; /* stderr may be a pass-through stream (--json) */
    opt.progress = on_progress, opt.user = &bs;
    clgan_status st = clgan_gemm_tune(ctx, all, n_all, &opt, res);
    if (bs.tty) fputc('\n', stderr);
    if (st != CLGAN_OK) {
        cli_fail("tuning");
        goto done;
    }
    /* Per shape and per model step: the gain over CLBlast's defaults. */
    printf("\n%-22s %5s %6s %12s %12s %7s  %s\n", "GEMM m x n x k", "op", "calls", "default ms", "tuned ms", "gain",
           "kernel");
    for (int i = 0; i < res->shape_count; i++) {
        const clgan_tune_shape_result *r = &res->shapes[i];
        char dims[48];
        snprintf(dims, sizeof dims, "%zux%zux%zu", r->shape.m, r->shape.n, r->shape.k);
        printf("%-22s %4s%c %6.0f %12.3f %12.3f %6.2fx  %s\n", dims, r->shape.trans_a ? "T" : "N",
               r->shape.trans_b ? 'T' : 'N', r->shape.count, r->ms_default, r->ms_tuned,
               r->ms_tuned > 0 ? r->ms_default / r->ms_tuned : 0.0, r->direct_tuned ? "direct" : "indirect");
    }
    printf("\n%-16s %22s %22s %7s\n", "model", "GEMM ms/step default", "GEMM ms/step tuned", "gain");
    for (int m = 0; m < n_models; m++) {
        double a = 0, b = 0;
        for (int i = 0; i < ms[m].count; i++)
            for (int j = 0; j < res->shape_count; j++)
                if (same_shape(&res->shapes[j].shape, &ms[m].shapes[i])) {
                    a += res->shapes[j].ms_default * ms[m].shapes[i].count;
                    b += res->shapes[j].ms_tuned * ms[m].shapes[i].count;
                }
        printf("%-16s %22.2f %22.2f %6.2fx\n", ms[m].name, a, b, b > 0 ? a / b : 0.0);
    }
    printf("%-16s %22.2f %22.2f %6.2fx\n", "all", res->ms_default, res->ms_tuned,
           res->ms_tuned > 0 ? res->ms_default / res->ms_tuned : 0.0);
    printf("(one step = one training step plus one inference batch; %d direct and %d indirect sets timed, %d "
           "rejected)\n",
           res->candidates[0], res->candidates[1], res->rejected);
    snprintf(res->tuning.models, sizeof res->tuning.models, "%s", models);
    char path[1200] = "";
    if (!dry) {
        if (clgan_tuning_save(clgan_ctx_cache_dir(ctx), &res->tuning) != CLGAN_OK) {
            cli_fail("saving the tuning");
            goto done;
        }
        clgan_tuning_path(clgan_ctx_cache_dir(ctx), d, path, sizeof path);
        printf("saved %s\n", path);
    } else
        printf("--dry-run: nothing saved\n");
    for (int s = 0; s < res->tuning.set_count; s++) {
        printf("  %s", res->tuning.sets[s].kernel);
        for (int q = 0; q < res->tuning.sets[s].count; q++)
            printf(" %s=%zu", res->tuning.sets[s].names[q], res->tuning.sets[s].values[q]);
        printf("\n");
    }
    if (json) {
        cli_json_begin("tune", "ok");
        printf(", \"device\": ");
        cli_json_string(stdout, d->device_name);
        printf(", \"models\": ");
        cli_json_string(stdout, models);
        printf(", \"gemm_ms_default\": %.4f, \"gemm_ms_tuned\": %.4f, \"sets_direct\": %d, \"sets_indirect\": %d, "
               "\"rejected\": %d, \"file\": ",
               res->ms_default, res->ms_tuned, res->candidates[0], res->candidates[1], res->rejected);
        if (dry) printf("null");
        else cli_json_string(stdout, path);
        printf("}\n");
    }
    rc = 0;
done:
    free(ms);
    free(res);
    free(all);
    clgan_ctx_free(ctx);
    return rc;
}
