/* check_runner.c — runs the self-test checks whose names contain PATTERN on
 * the default device (or --device SPEC). Used by ctest, one test per op
 * family, and under oclgrind. Exits 77 (ctest skip) when no OpenCL device
 * exists, 1 on any failed check, 0 otherwise. */
#include "clgan.h"

#include <stdio.h>
#include <string.h>

static void on_check(const clgan_check_result *r, void *user)
{
    (void)user;
    printf("%-4s %-64s err %-9.2e %s\n", r->passed ? "ok" : "FAIL", r->name, r->max_error, r->message);
}

int main(int argc, char **argv)
{
    const char *device = NULL, *pattern = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--device") && i + 1 < argc) device = argv[++i];
        else pattern = argv[i];
    }
    clgan_ctx_params p = clgan_ctx_default_params();
    p.device_spec = device;
    clgan_ctx *ctx;
    clgan_status st = clgan_ctx_create(&p, &ctx);
    if (st == CLGAN_ERR_NO_PLATFORM) {
        printf("skipped: %s\n", clgan_last_error());
        return 77;
    }
    if (st != CLGAN_OK) {
        fprintf(stderr, "cannot open a device: %s\n", clgan_last_error());
        return 1;
    }
    printf("device: %s\n", clgan_ctx_device(ctx)->device_name);
    int failed = 0;
    st = clgan_selftest(ctx, pattern, on_check, NULL, &failed);
    clgan_ctx_free(ctx);
    if (st != CLGAN_OK) {
        fprintf(stderr, "selftest: %s\n", clgan_last_error());
        return 1;
    }
    return failed ? 1 : 0;
}
