/* cmd_devices.c — `clgan devices`: every OpenCL platform and device. */
#include "cli.h"

#include <string.h>

static void print_json(const clgan_device_info *d, int last)
{
    printf("  {\"index\": %d, \"platform\": ", d->index);
    cli_json_string(stdout, d->platform_name);
    printf(", \"device\": ");
    cli_json_string(stdout, d->device_name);
    printf(", \"vendor\": ");
    cli_json_string(stdout, d->vendor);
    printf(", \"type\": \"%s\", \"driver_version\": ", clgan_device_type_name(d->type));
    cli_json_string(stdout, d->driver_version);
    printf(", \"opencl_c_version\": ");
    cli_json_string(stdout, d->opencl_c_version);
    printf(", \"compute_units\": %u, \"clock_mhz\": %u, \"global_mem_bytes\": %llu, \"max_alloc_bytes\": %llu, "
           "\"local_mem_bytes\": %llu, \"fp16\": %s, \"fp64\": %s, \"tuned\": ",
           d->compute_units, d->clock_mhz, (unsigned long long)d->global_mem_bytes,
           (unsigned long long)d->max_alloc_bytes, (unsigned long long)d->local_mem_bytes,
           d->has_fp16 ? "true" : "false", d->has_fp64 ? "true" : "false");
    char created[64];
    int tuned = clgan_device_tuned(d->index, NULL, created, sizeof created);
    if (tuned == 1) cli_json_string(stdout, created);
    else printf("%s", tuned < 0 ? "\"ignored\"" : "null");
    printf("}%s\n", last ? "" : ",");
}

int cmd_devices(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: clgan devices [--json]\n\n"
                   "Lists every OpenCL platform and device with the index that --device and\n"
                   "CLGAN_DEVICE accept, and whether 'clgan tune' has tuned its GEMMs (and when).\n"
                   "--json prints a JSON array instead of a table (\"tuned\": the tuning's UTC time,\n"
                   "null, or \"ignored\" for a damaged or stale tuning file).\n");
            return 0;
        } else {
            fprintf(stderr, "clgan devices: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    int n = 0;
    if (clgan_device_count(&n) != CLGAN_OK) return cli_fail(NULL);
    int chosen = -1;
    clgan_device_resolve(NULL, &chosen); /* mark the default; a bad CLGAN_DEVICE just marks nothing */
    if (json) printf("[\n");
    for (int i = 0; i < n; i++) {
        clgan_device_info d;
        if (clgan_device_get_info(i, &d) != CLGAN_OK) return cli_fail("reading device info");
        if (json) {
            print_json(&d, i == n - 1);
            continue;
        }
        const double mib = 1024.0 * 1024.0;
        printf("%s[%d] %s\n", i == chosen ? "*" : " ", i, d.device_name);
        printf("      platform       %s (%s)\n", d.platform_name, d.platform_version);
        printf("      vendor         %s\n", d.vendor);
        printf("      type           %s\n", clgan_device_type_name(d.type));
        printf("      driver         %s\n", d.driver_version);
        printf("      OpenCL C       %s\n", d.opencl_c_version);
        printf("      compute units  %u @ %u MHz\n", d.compute_units, d.clock_mhz);
        printf("      global memory  %.0f MiB (max buffer %.0f MiB)\n", d.global_mem_bytes / mib,
               d.max_alloc_bytes / mib);
        printf("      local memory   %.0f KiB\n", d.local_mem_bytes / 1024.0);
        printf("      fp16 / fp64    %s / %s\n", d.has_fp16 ? "yes" : "no", d.has_fp64 ? "yes" : "no");
        char created[64];
        int tuned = clgan_device_tuned(i, NULL, created, sizeof created);
        if (tuned == 1) printf("      GEMM tuning    tuned %s (clgan tune)\n", created);
        else if (tuned < 0) printf("      GEMM tuning    ignored: %s\n", clgan_last_error());
        else printf("      GEMM tuning    none (CLBlast's defaults; run 'clgan tune')\n");
    }
    if (json) printf("]\n");
    else if (n == 0) printf("no OpenCL devices\n");
    else printf("\n* = default device (GPU preferred; override with --device or CLGAN_DEVICE)\n");
    return 0;
}
