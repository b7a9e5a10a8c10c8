/* profile_report.h — `--profile`: the profiler's table (clgan/profile.h)
 * as a text report sorted by time (per layer scope, per kernel, the GEMM
 * share) and as a JSON object. Figures are per step: the summed time over
 * the profiled steps divided by their number. */
#ifndef CLGAN_PROFILE_REPORT_H
#define CLGAN_PROFILE_REPORT_H
#include <stdint.h>
#include <stdio.h>

#include "clgan.h"

/* Start profiling on ctx; prints the error and returns 0 on failure. */
int profile_report_start(clgan_ctx *ctx);

/* `--profile` in a training command: only the steps count, and the first
 * one (kernel builds, CLBlast's first compiles) is dropped as warm-up. */
typedef struct profile_run {
    int on;
    int64_t steps; /* profiled steps so far, the warm-up one excluded */
    int warmed;
} profile_run;
/* Returns 0 (after printing why) if profiling was asked for and cannot start. */
int profile_run_start(profile_run *r, clgan_ctx *ctx, int enabled);
void profile_run_step_begin(profile_run *r, clgan_ctx *ctx);
void profile_run_step_end(profile_run *r, clgan_ctx *ctx);
/* The text report on stderr (when not json) ; nothing when off. */
void profile_run_report(profile_run *r, clgan_ctx *ctx, int json);
/* `, "profile": {...}` for a command's JSON summary line; nothing when off. */
void profile_run_json_field(profile_run *r, clgan_ctx *ctx, FILE *f);
/* Text report of the steps profiled since the last reset (top `rows` lines per table). */
void profile_report_print(clgan_ctx *ctx, FILE *f, double steps, int rows);
/* The same as a JSON object: {"steps":N,"total_ms":..,"gemm_ms":..,"gemm_share":..,
 * "scopes":[{"scope":..,"ms":..,"calls":..,"gemm_ms":..}],"kernels":[{"kernel":..,"ms":..,"calls":..}]}
 * (ms per step). */
void profile_report_json(clgan_ctx *ctx, FILE *f, double steps);
#endif
