/* test_tuning.c — the per-device GEMM tuning file (device/tuning.h): format
 * and parse round trip; every single-bit flip and every truncation refused;
 * malformed lines refused with their line number; a file saved for the real
 * device is loaded and applied by a new context, which then computes a GEMM
 * correctly under the tuned parameters; a damaged or stale file is ignored
 * (the context runs untuned) and a new save replaces it. */
#include "test_util.h"
#include "device/tuning.h"
#include "nn/gemm.h"
#include "nn/tensor.h"

#include <math.h>
#include <unistd.h>

static clgan_tuning sample_tuning(const clgan_device_info *d)
{
    clgan_tuning t;
    memset(&t, 0, sizeof t);
    snprintf(t.platform, sizeof t.platform, "%s", d ? d->platform_name : "Test Platform");
    snprintf(t.device, sizeof t.device, "%s", d ? d->device_name : "test device");
    snprintf(t.driver, sizeof t.driver, "%s", d ? d->driver_version : "1.0");
    snprintf(t.clblast, sizeof t.clblast, "%s", clgan_clblast_version());
    snprintf(t.created, sizeof t.created, "2026-12-01T12:00:00Z");
    snprintf(t.models, sizeof t.models, "dcgan28,lenet28");
    t.gemm_ms_default = 200.5, t.gemm_ms_tuned = 120.25;
    /* The switch point only: CLBlast accepts it on every device, and it
     * changes which kernel runs (from 2^3 multiply-adds up the indirect
     * one, where CLBlast's default sends small GEMMs to the direct one). */
    t.set_count = 1;
    snprintf(t.sets[0].kernel, sizeof t.sets[0].kernel, "GemmRoutine");
    snprintf(t.sets[0].names[0], sizeof t.sets[0].names[0], "XGEMM_MIN_INDIRECT_SIZE");
    t.sets[0].values[0] = 2, t.sets[0].count = 1;
    return t;
}

static void host_tests(void)
{
    clgan_tuning t = sample_tuning(NULL), u;
    char *text = clgan_tuning_format(&t);
    EXPECT(text != NULL, "format");
    if (!text) return;
    size_t n = strlen(text);
    EXPECT(clgan_tuning_parse(text, n, &u) == CLGAN_OK, "parse what format wrote: %s", clgan_last_error());
    EXPECT(!strcmp(u.device, t.device) && !strcmp(u.created, t.created) && u.set_count == 1 &&
               u.sets[0].values[0] == 2 && !strcmp(u.sets[0].names[0], "XGEMM_MIN_INDIRECT_SIZE") &&
               fabs(u.gemm_ms_tuned - 120.25) < 1e-9,
           "round trip keeps every field");
    int flips_accepted = 0;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) {
            text[i] ^= (char)(1 << b);
            if (clgan_tuning_parse(text, n, &u) == CLGAN_OK) flips_accepted++;
            text[i] ^= (char)(1 << b);
        }
    EXPECT(flips_accepted == 0, "every single-bit flip of %zu bytes refused (%d accepted)", n, flips_accepted);
    int cuts_accepted = 0;
    for (size_t k = 0; k < n - 1; k++)
        if (clgan_tuning_parse(text, k, &u) == CLGAN_OK) cuts_accepted++;
    EXPECT(cuts_accepted == 0, "every truncation refused (%d accepted)", cuts_accepted);
    EXPECT(clgan_tuning_parse("", 0, &u) == CLGAN_ERR_FORMAT, "empty input refused");

    /* A bad line with a valid checksum (as an editor with a checksum tool
     * would leave it): refused, naming the line. */
    t.set_count = 1;
    snprintf(t.sets[0].names[0], sizeof t.sets[0].names[0], "BAD NAME");
    char *bad = clgan_tuning_format(&t);
    EXPECT(bad && clgan_tuning_parse(bad, strlen(bad), &u) == CLGAN_ERR_FORMAT &&
               strstr(clgan_last_error(), "line 10"),
           "a malformed set line is refused with its line number: %s", clgan_last_error());
    free(bad);

    /* Checksummed but unsafe for CLBlast: refused at parse time. */
    static const char *const direct[] = {"WGD", "MDIMCD", "NDIMCD", "MDIMAD", "NDIMBD",
                                         "KWID", "VWMD", "VWND", "PADA", "PADB"};
    const size_t good[] = {32, 8, 8, 8, 8, 2, 1, 1, 0, 0};
    for (int variant = 0; variant < 5; variant++) {
        clgan_tuning v = sample_tuning(NULL);
        clgan_tuning_set *d = &v.sets[v.set_count++];
        memset(d, 0, sizeof *d);
        snprintf(d->kernel, sizeof d->kernel, "%s", variant == 3 ? "XgemmBogus" : "XgemmDirect");
        d->count = 10;
        for (int q = 0; q < 10; q++) snprintf(d->names[q], sizeof d->names[q], "%s", direct[q]), d->values[q] = good[q];
        if (variant == 1) d->values[0] = 0;                     /* WGD = 0: CLBlast would divide by it */
        if (variant == 2) d->count = 9;                         /* a name missing */
        if (variant == 4) v.sets[v.set_count++] = *d;           /* the family twice */
        char *txt = clgan_tuning_format(&v);
        clgan_status st = txt ? clgan_tuning_parse(txt, strlen(txt), &u) : CLGAN_ERR_OUT_OF_MEMORY;
        if (variant == 0) EXPECT(st == CLGAN_OK, "a complete XgemmDirect set parses: %s", clgan_last_error());
        else EXPECT(st == CLGAN_ERR_FORMAT, "unsafe set %d (zero tile, missing name, unknown kernel, twice) refused", variant);
        free(txt);
    }
    free(text);
}

/* C = A·B for a 3x2 by 2x2 product under whatever parameters are installed. */
static int gemm_ok(clgan_ctx *ctx)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, b[4] = {1, -1, 2, 0.5f}, c[6] = {0};
    float want[6] = {5, 0, 11, -1, 17, -2};
    clgan_tensor A, B, C;
    if (clgan_tensor_alloc(ctx, 1, 6, 1, 1, &A) || clgan_tensor_alloc(ctx, 1, 4, 1, 1, &B) ||
        clgan_tensor_alloc(ctx, 1, 6, 1, 1, &C))
        return 0;
    int ok = clgan_buffer_write(ctx, A.mem, 0, sizeof a, a) == CLGAN_OK &&
             clgan_buffer_write(ctx, B.mem, 0, sizeof b, b) == CLGAN_OK &&
             clgan_gemm(ctx, 0, 0, 3, 2, 2, 1.0f, A.mem, 0, 2, B.mem, 0, 2, 0.0f, C.mem, 0, 2) == CLGAN_OK &&
             clgan_buffer_read(ctx, C.mem, 0, sizeof c, c) == CLGAN_OK;
    for (int i = 0; ok && i < 6; i++) ok = fabsf(c[i] - want[i]) < 1e-5f;
    clgan_tensor_free(ctx, &A), clgan_tensor_free(ctx, &B), clgan_tensor_free(ctx, &C);
    return ok;
}

static clgan_ctx *open_ctx(const char *dir)
{
    clgan_ctx_params p = clgan_ctx_default_params();
    p.cache_dir = dir;
    clgan_ctx *ctx = NULL;
    MUST(clgan_ctx_create(&p, &ctx));
    return ctx;
}

static void device_tests(void)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/clgan-tuning-%ld", (long)getpid());
    clgan_ctx *ctx = open_ctx(dir);
    const clgan_device_info dev = *clgan_ctx_device(ctx), *d = &dev; /* a copy: used after ctx is freed */
    EXPECT(!clgan_ctx_tuned(ctx, NULL, 0), "a device without a tuning file runs untuned");
    EXPECT(clgan_device_tuned(d->index, dir, NULL, 0) == 0, "devices: no tuning file");
    clgan_tuning t = sample_tuning(d);
    MUST(clgan_tuning_save(dir, &t));
    char path[1200];
    clgan_tuning_path(dir, d, path, sizeof path);
    EXPECT(access(path, R_OK) == 0, "saved as %s", path);
    clgan_ctx_free(ctx);

    char created[64] = "";
    ctx = open_ctx(dir);
    EXPECT(clgan_ctx_tuned(ctx, created, sizeof created) && !strcmp(created, t.created),
           "a new context loads and applies it (created %s)", created);
    EXPECT(clgan_device_tuned(d->index, dir, created, sizeof created) == 1, "devices: tuned");
    EXPECT(gemm_ok(ctx), "GEMMs are right under the tuned switch point (the indirect kernel for a 3x2x2 product)");
    clgan_ctx_free(ctx);

    /* Damage one byte in the middle: ignored, the context runs untuned. */
    FILE *f = fopen(path, "r+b");
    if (f) {
        fseek(f, 40, SEEK_SET);
        fputc('#', f);
        fclose(f);
    }
    ctx = open_ctx(dir);
    EXPECT(!clgan_ctx_tuned(ctx, NULL, 0), "a damaged tuning file is ignored");
    EXPECT(clgan_device_tuned(d->index, dir, NULL, 0) == -1 && strstr(clgan_last_error(), "checksum"),
           "devices reports it as ignored: %s", clgan_last_error());
    EXPECT(gemm_ok(ctx), "GEMMs are right after ignoring it");
    clgan_ctx_free(ctx);

    /* A new save replaces it. */
    MUST(clgan_tuning_save(dir, &t));
    ctx = open_ctx(dir);
    EXPECT(clgan_ctx_tuned(ctx, NULL, 0), "saving again replaces the damaged file");
    clgan_ctx_free(ctx);

    /* A file for another driver version, at this device's path: stale. */
    clgan_tuning stale = t;
    snprintf(stale.driver, sizeof stale.driver, "%.100s-old", d->driver_version);
    char *text = clgan_tuning_format(&stale);
    f = fopen(path, "wb");
    if (f && text) fputs(text, f);
    if (f) fclose(f);
    free(text);
    ctx = open_ctx(dir);
    EXPECT(!clgan_ctx_tuned(ctx, NULL, 0), "a tuning file for another driver is ignored");
    EXPECT(clgan_device_tuned(d->index, dir, NULL, 0) == -1 && strstr(clgan_last_error(), "stale"),
           "and named stale: %s", clgan_last_error());
    clgan_ctx_free(ctx);

    /* CLGAN_GEMM_TUNED=0 skips a valid file. */
    MUST(clgan_tuning_save(dir, &t));
    setenv("CLGAN_GEMM_TUNED", "0", 1);
    ctx = open_ctx(dir);
    EXPECT(!clgan_ctx_tuned(ctx, NULL, 0), "CLGAN_GEMM_TUNED=0 runs untuned");
    clgan_ctx_free(ctx);
    unsetenv("CLGAN_GEMM_TUNED");
    remove(path);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/tuning", dir);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    host_tests();
    int n = 0;
    if (clgan_device_count(&n) != CLGAN_OK || n == 0) {
        printf("skipped device part: no OpenCL device\n");
        return failures ? 1 : 77;
    }
    device_tests();
    return test_finish();
}
