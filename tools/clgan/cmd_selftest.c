/* cmd_selftest.c — `clgan selftest`: compile every kernel for the device,
 * then check every layer, loss and optimizer against the host reference. */
#include "cli.h"

#include <math.h>
#include <string.h>
#include <time.h>

#define MAX_GROUPS 32
typedef struct group_row { char name[32]; int checks, failed; double seconds; } group_row;
typedef struct selftest_state {
    int json, verbose, count;
    group_row groups[MAX_GROUPS];
    int n_groups;
} selftest_state;

/* The row for a check's family: its name up to the first '.'. */
static group_row *group_of(selftest_state *s, const char *check)
{
    char name[32];
    size_t n = strcspn(check, ".");
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, check, n);
    name[n] = 0;
    for (int i = 0; i < s->n_groups; i++)
        if (!strcmp(s->groups[i].name, name)) return &s->groups[i];
    if (s->n_groups == MAX_GROUPS) return &s->groups[MAX_GROUPS - 1];
    group_row *g = &s->groups[s->n_groups++];
    memcpy(g->name, name, n + 1);
    return g;
}

static void on_build(const clgan_build_report *r, void *user)
{
    selftest_state *s = user;
    if (s->json) return;
    printf("  %-14s %8.2f s  %s\n", r->program, r->seconds, r->from_cache ? "(cache)" : "(compiled)");
}

static void on_check(const clgan_check_result *r, void *user)
{
    selftest_state *s = user;
    s->count++;
    group_row *g = group_of(s, r->name);
    g->checks++;
    g->failed += !r->passed;
    if (isfinite(r->seconds)) g->seconds += r->seconds;
    if (s->json) return;
    if (!r->passed || s->verbose)
        printf("  %-4s %-62s err %-9.2e %7.3f s%s%s\n", r->passed ? "ok" : "FAIL", r->name, r->max_error, r->seconds,
               r->message[0] ? "\n       " : "", r->message);
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_selftest(int argc, char **argv)
{
    const char *device = NULL, *pattern = NULL;
    selftest_state s;
    memset(&s, 0, sizeof s);
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if ((v = cli_flag_value(argc, argv, &i, "--device", &bad))) device = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--only", &bad))) pattern = v;
        else if (bad) return 2;
        else if (!strcmp(argv[i], "--json")) s.json = 1;
        else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) s.verbose = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan selftest [--device SPEC] [--only PATTERN] [--verbose] [--json]\n\n"
                   "Compiles every kernel program for the device (or loads it from the disk cache),\n"
                   "then runs every layer, loss and optimizer forward and backward on small shapes\n"
                   "against a plain-C host reference, and checks each host backward by finite\n"
                   "differences. Prints failures (all checks with --verbose) and a summary; exits\n"
                   "non-zero if any check fails.\n\n"
                   "  --device SPEC   index, gpu/cpu/accelerator, or part of a device/platform/vendor name\n"
                   "                  (default: $CLGAN_DEVICE, else the first GPU, else the first device)\n"
                   "  --only PATTERN  run only checks whose name contains PATTERN (e.g. conv2d)\n"
                   "  --json          print one JSON summary line instead of tables\n");
            return 0;
        } else {
            fprintf(stderr, "clgan selftest: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    double t_start = now();
    clgan_ctx *ctx;
    if (cli_open_ctx(device, 0, &ctx)) return 1;
    clgan_device_info dev = *clgan_ctx_device(ctx);
    const clgan_device_info *d = &dev;
    if (!s.json) printf("device: [%d] %s (%s, driver %s)\n\nkernel programs:\n", d->index, d->device_name,
                        d->platform_name, d->driver_version);
    double t0 = now();
    if (clgan_ctx_build_all(ctx, on_build, &s) != CLGAN_OK) {
        clgan_ctx_free(ctx);
        return cli_fail("kernel build");
    }
    double build_s = now() - t0;
    if (!s.json) printf("  all programs   %8.2f s\n\nchecks (failures listed as they happen):\n", build_s);
    int failed = 0;
    t0 = now();
    clgan_status st = clgan_selftest(ctx, pattern, on_check, &s, &failed);
    double check_s = now() - t0;
    size_t peak = clgan_ctx_peak_bytes(ctx);
    clgan_ctx_free(ctx);
    if (st != CLGAN_OK) return cli_fail("selftest");
    double total_s = now() - t_start;
    if (s.json) {
        cli_json_begin("selftest", failed ? "error" : "ok");
        if (failed) printf(", \"error\": \"%d of %d checks failed\"", failed, s.count);
        printf(", \"device\": ");
        cli_json_string(stdout, d->device_name);
        printf(", \"checks\": %d, \"failed\": %d, \"build_seconds\": %.3f, \"check_seconds\": %.3f, "
               "\"total_seconds\": %.3f, \"peak_device_bytes\": %zu}\n",
               s.count, failed, build_s, check_s, total_s, peak);
    } else {
        printf("\n  %-14s %7s %7s %7s %9s\n", "family", "checks", "passed", "failed", "time");
        for (int i = 0; i < s.n_groups; i++) {
            const group_row *g = &s.groups[i];
            printf("  %-14s %7d %7d %7d %8.2fs  %s\n", g->name, g->checks, g->checks - g->failed, g->failed, g->seconds,
                   g->failed ? "FAIL" : "ok");
        }
        printf("  %-14s %7d %7d %7d %8.2fs\n\nselftest %s in %.2f s (kernel programs %.2f s), peak device memory %.1f MiB\n",
               "total", s.count, s.count - failed, failed, check_s, failed ? "FAILED" : "passed", total_s, build_s,
               peak / (1024.0 * 1024.0));
    }
    return failed ? 1 : 0;
}
