/* profile_report.c — `--profile` output: the profiler's (scope, kernel)
 * table (clgan/profile.h) summed per scope and per kernel, sorted by time (see profile_report.h). */
#include "profile_report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct row {
    const char *name;
    double ms, gemm_ms;
    uint64_t calls;
} row;

static int by_time(const void *a, const void *b)
{
    double x = ((const row *)a)->ms, y = ((const row *)b)->ms;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Sum the entries by scope (by_scope 1) or by kernel; rows are malloc'd. */
static int group(const clgan_profile_entry *e, int n, int by_scope, row **out)
{
    row *r = calloc(n ? (size_t)n : 1, sizeof *r);
    int count = 0;
    if (!r) return *out = NULL, 0;
    for (int i = 0; i < n; i++) {
        const char *name = by_scope ? e[i].scope : e[i].kernel;
        int j = 0;
        while (j < count && strcmp(r[j].name, name)) j++;
        if (j == count) r[count++].name = name;
        r[j].ms += e[i].ms, r[j].calls += e[i].calls;
        if (e[i].gemm) r[j].gemm_ms += e[i].ms;
    }
    qsort(r, (size_t)count, sizeof *r, by_time);
    *out = r;
    return count;
}

int profile_report_start(clgan_ctx *ctx)
{
    if (clgan_profile_start(ctx) == CLGAN_OK) return 1;
    cli_fail("cannot start the profiler");
    return 0;
}

/* The context's profile entries (none when it has none), the step count
 * (at least 1) and the total and GEMM milliseconds over all steps. */
static void totals(clgan_ctx *ctx, const clgan_profile_entry **e, int *n, double *steps, double *total, double *gemm)
{
    if (clgan_profile_entries(ctx, e, n) != CLGAN_OK) *n = 0;
    if (*steps <= 0) *steps = 1;
    *total = *gemm = 0;
    for (int i = 0; i < *n; i++) {
        *total += (*e)[i].ms;
        if ((*e)[i].gemm) *gemm += (*e)[i].ms;
    }
}

void profile_report_print(clgan_ctx *ctx, FILE *f, double steps, int rows)
{
    const clgan_profile_entry *e;
    int n;
    double total, gemm;
    totals(ctx, &e, &n, &steps, &total, &gemm);
    fprintf(f, "\nprofile: %.0f step%s, %.2f ms of device work per step, of which GEMM (CLBlast) %.2f ms (%.1f%%)\n",
            steps, steps == 1 ? "" : "s", total / steps, gemm / steps, total > 0 ? 100 * gemm / total : 0.0);
    fprintf(f, "(kernels, copies and fills: OpenCL event times; GEMM: host wall time between clFinish calls)\n");
    row *r;
    for (int pass = 0; pass < 2; pass++) {
        int count = group(e, n, pass == 0, &r);
        fprintf(f, "\n%-40s %10s %7s %7s %9s\n", pass == 0 ? "layer / phase" : "kernel", "ms/step", "share", "calls",
                pass == 0 ? "GEMM ms" : "");
        for (int i = 0; i < count && i < rows; i++) {
            fprintf(f, "%-40.40s %10.3f %6.1f%% %7.0f", r[i].name, r[i].ms / steps,
                    total > 0 ? 100 * r[i].ms / total : 0.0, r[i].calls / steps);
            if (pass == 0) fprintf(f, " %9.3f", r[i].gemm_ms / steps);
            fputc('\n', f);
        }
        if (count > rows) {
            double rest = 0;
            for (int i = rows; i < count; i++) rest += r[i].ms;
            fprintf(f, "%-40s %10.3f %6.1f%%\n", "(the rest)", rest / steps, total > 0 ? 100 * rest / total : 0.0);
        }
        free(r);
    }
}

void profile_report_json(clgan_ctx *ctx, FILE *f, double steps)
{
    const clgan_profile_entry *e;
    int n;
    double total, gemm;
    totals(ctx, &e, &n, &steps, &total, &gemm);
    fprintf(f, "{\"steps\": %.0f, \"total_ms\": %.4f, \"gemm_ms\": %.4f, \"gemm_share\": %.4f", steps, total / steps,
            gemm / steps, total > 0 ? gemm / total : 0.0);
    row *r;
    for (int pass = 0; pass < 2; pass++) {
        int count = group(e, n, pass == 0, &r);
        fprintf(f, ", \"%s\": [", pass == 0 ? "scopes" : "kernels");
        for (int i = 0; i < count; i++) {
            fprintf(f, "%s{\"%s\": ", i ? ", " : "", pass == 0 ? "scope" : "kernel");
            cli_json_string(f, r[i].name);
            fprintf(f, ", \"ms\": %.4f, \"calls\": %.2f", r[i].ms / steps, r[i].calls / steps);
            if (pass == 0) fprintf(f, ", \"gemm_ms\": %.4f", r[i].gemm_ms / steps);
            fputc('}', f);
        }
        fputc(']', f);
        free(r);
    }
    fputc('}', f);
}

/* ---- --profile in the training commands ------------------------------------ */

int profile_run_start(profile_run *r, clgan_ctx *ctx, int enabled)
{
    memset(r, 0, sizeof *r);
    if (!enabled) return 1;
    if (!profile_report_start(ctx)) return 0;
    clgan_profile_pause(ctx, 1);
    r->on = 1;
    return 1;
}

void profile_run_step_begin(profile_run *r, clgan_ctx *ctx)
{
    if (r->on) clgan_profile_pause(ctx, 0);
}

void profile_run_step_end(profile_run *r, clgan_ctx *ctx)
{
    if (!r->on) return;
    clgan_profile_pause(ctx, 1);
    if (!r->warmed) {
        clgan_profile_reset(ctx); /* the first step pays the kernel compiles */
        r->warmed = 1;
    } else
        r->steps++;
}

void profile_run_report(profile_run *r, clgan_ctx *ctx, int json)
{
    if (!r->on || json) return;
    if (!r->steps) {
        fprintf(stderr, "clgan: --profile: no step after the warm-up one was profiled (train for 2 steps or more)\n");
        return;
    }
    profile_report_print(ctx, stderr, (double)r->steps, 25);
}

void profile_run_json_field(profile_run *r, clgan_ctx *ctx, FILE *f)
{
    if (!r->on) return;
    fprintf(f, ", \"profile\": ");
    profile_report_json(ctx, f, r->steps ? (double)r->steps : 1);
}
