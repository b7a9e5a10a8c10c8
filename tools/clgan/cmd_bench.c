/* cmd_bench.c — `clgan bench SUITE`: dispatch to the benchmark suites
 * (bench_ops.c, bench_models.c, bench_startup.c, bench_compare.c) and the
 * overview --help. */
#include "bench.h"
#include "cli.h"


static const cli_command suites[] = {
    {"ops", "SGEMM at square sizes, every GEMM shape the presets' training steps issue, and each preset layer "
            "(conv2d, conv_transpose2d, dense, batchnorm, pooling) forward and backward", bench_ops},
    {"models", "full training steps and inference batches of every preset: ms, images/s, GEMM GFLOP/s, peak "
               "device memory, device allocations per step", bench_models},
    {"startup", "cold (empty kernel caches) and warm start of a new clgan process to a ready context", bench_startup},
    {"compare", "put clgan-bench/1 JSON files side by side: a Markdown table and a PNG bar chart", bench_compare},
};
#define SUITE_COUNT (int)(sizeof suites / sizeof suites[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: clgan bench <suite> [options]      (clgan bench <suite> --help for each)\n\n"
               "Benchmarks for comparing devices, drivers, tunings and frameworks. Each suite writes one\n"
               "clgan-bench/1 JSON document with --out FILE.json (format: docs/bench-json.md) and prints a\n"
               "table without it; `compare` puts such files side by side.\n\nsuites:\n");
    for (int i = 0; i < SUITE_COUNT; i++) fprintf(f, "  %-8s %s\n", suites[i].name, suites[i].summary);
    fprintf(f, "\nTimes are wall-clock medians over --reps/--steps iterations after untimed warm-up ones,\n"
               "each iteration ended by clgan_ctx_finish. Figures are measured, never asserted.\n");
}

int cmd_bench(int argc, char **argv) { return cli_dispatch(suites, SUITE_COUNT, argc, argv, usage, "clgan bench"); }
