/* test_program_cache.c — the on-disk kernel program cache: miss then hit,
 * a miss after a build-option change, corrupt / truncated / foreign entries
 * detected and rebuilt, and concurrent builders (forked processes) that
 * leave exactly one valid entry and no temporary files. Every program that
 * comes out of the cache is also run and its result checked. */
#include "test_files.h"
#include "test_util.h"
#include "device/context.h"
#include "nn/activation.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


static char dir[256];

static clgan_ctx *open_ctx(void)
{
    clgan_ctx_params p = clgan_ctx_default_params();
    p.cache_dir = dir;
    clgan_ctx *ctx = NULL;
    if (clgan_ctx_create(&p, &ctx) != CLGAN_OK) printf("ctx: %s\n", clgan_last_error());
    return ctx;
}

/* Build/load "activation" and report whether it came from the cache; also run
 * relu on a few values so a bad binary cannot pass unnoticed. */
static int load_and_run(clgan_ctx *ctx, int *from_cache)
{
    cl_program prog;
    if (clgan_program_get(ctx, "activation", &prog, from_cache) != CLGAN_OK) {
        printf("program: %s\n", clgan_last_error());
        return 0;
    }
    float in[5] = {-2, -0.5f, 0, 0.5f, 3}, out[5] = {0};
    clgan_tensor x, y;
    if (clgan_tensor_alloc(ctx, 1, 5, 1, 1, &x) || clgan_tensor_alloc(ctx, 1, 5, 1, 1, &y)) return 0;
    int ok = clgan_tensor_upload(ctx, &x, in) == CLGAN_OK &&
             clgan_act_forward(ctx, CLGAN_ACT_RELU, 0, &x, &y) == CLGAN_OK &&
             clgan_tensor_download(ctx, &y, out) == CLGAN_OK;
    ok = ok && out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0.5f && out[4] == 3;
    clgan_tensor_free(ctx, &x);
    clgan_tensor_free(ctx, &y);
    return ok;
}

static int count_files(const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, suffix)) n++;
    closedir(d);
    return n;
}

static void clear_dir(void)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove(path);
    }
    closedir(d);
}

static void damage(const char *path, long offset, int truncate_to_offset)
{
    FILE *f = fopen(path, "r+b");
    if (!f) return;
    if (truncate_to_offset) {
        fclose(f);
        if (truncate(path, offset) != 0) printf("truncate failed\n");
        return;
    }
    fseek(f, offset, SEEK_SET);
    int c = fgetc(f);
    fseek(f, offset, SEEK_SET);
    fputc(c ^ 0x5a, f);
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *self = argv[0];
    if (argc == 3 && !strcmp(argv[1], "--worker")) { /* one concurrent builder */
        snprintf(dir, sizeof dir, "%s", argv[2]);
        clgan_ctx *c = open_ctx();
        int h = 0;
        int ok = c && load_and_run(c, &h);
        clgan_ctx_free(c);
        return ok ? 0 : 1;
    }
    int n = 0;
    if (clgan_device_count(&n) == CLGAN_ERR_NO_PLATFORM || n == 0) {
        printf("skipped: no OpenCL device\n");
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/clgan-cache-test-%ld", (long)getpid());
    char path[1200];
    int hit = -1;

    /* 1. miss, then hit. */
    clgan_ctx *ctx = open_ctx();
    if (!ctx) return 1;
    EXPECT(load_and_run(ctx, &hit) && hit == 0, "first build is a miss and runs");
    EXPECT(clgan_program_cache_path(ctx, "activation", path, sizeof path) == CLGAN_OK && test_file_size(path) > 80,
           "entry written: %s", path);
    clgan_ctx_free(ctx);
    ctx = open_ctx();
    EXPECT(load_and_run(ctx, &hit) && hit == 1, "second context loads from the cache and runs");
    clgan_ctx_free(ctx);

    /* 2. a build-option change is a different key. */
    ctx = open_ctx();
    strncat(ctx->build_options, " -DCLGAN_CACHE_TEST=1", sizeof ctx->build_options - strlen(ctx->build_options) - 1);
    char other[1200];
    clgan_program_cache_path(ctx, "activation", other, sizeof other);
    EXPECT(load_and_run(ctx, &hit) && hit == 0 && strcmp(other, path) != 0, "option change misses (new key)");
    EXPECT(count_files(".clbin") == 2, "two entries after the option change");
    clgan_ctx_free(ctx);

    /* 3. corrupt binary byte, truncated file, bad magic, foreign entry: each rebuilt, then a hit. */
    struct { const char *what; long offset; int truncate; } cases[] = {
        {"flipped byte in the binary", 80 + 17, 0},
        {"truncated entry", 100, 1},
        {"truncated header", 20, 1},
        {"bad magic", 0, 0},
        {"flipped byte in the stored checksum", 50, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        damage(path, cases[i].offset, cases[i].truncate);
        ctx = open_ctx();
        EXPECT(load_and_run(ctx, &hit) && hit == 0, "%s: detected and rebuilt", cases[i].what);
        clgan_ctx_free(ctx);
        ctx = open_ctx();
        EXPECT(load_and_run(ctx, &hit) && hit == 1, "%s: rebuilt entry is a hit", cases[i].what);
        clgan_ctx_free(ctx);
    }
    /* foreign: another key's (valid) entry copied over this one. */
    {
        char cmd[2600];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s'", other, path);
        EXPECT(system(cmd) == 0, "copied a foreign entry over the activation entry");
        ctx = open_ctx();
        EXPECT(load_and_run(ctx, &hit) && hit == 0, "foreign entry: key mismatch detected and rebuilt");
        clgan_ctx_free(ctx);
    }

    /* 4. concurrent builders in separate processes on an empty cache. */
    clear_dir();
    enum { WORKERS = 4 };
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        /* fork + exec: a fresh process, since this one's OpenCL driver threads do not survive fork. */
        pids[w] = fork();
        if (pids[w] == 0) {
            execl(self, self, "--worker", dir, (char *)NULL);
            _exit(127);
        }
    }
    int all_ok = 1;
    for (int w = 0; w < WORKERS; w++) {
        int status = 0;
        waitpid(pids[w], &status, 0);
        all_ok = all_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    EXPECT(all_ok, "%d concurrent builders all succeeded", WORKERS);
    EXPECT(count_files(".clbin") == 1 && count_files(".tmp.") == 0, "one entry, no temporary files left");
    ctx = open_ctx();
    EXPECT(load_and_run(ctx, &hit) && hit == 1, "entry left by concurrent builders is valid (hit)");
    clgan_ctx_free(ctx);

    /* 5. cache disabled: nothing written. */
    clear_dir();
    clgan_ctx_params p = clgan_ctx_default_params();
    p.use_cache = 0;
    clgan_ctx_create(&p, &ctx);
    EXPECT(ctx && load_and_run(ctx, &hit) && hit == 0 && count_files(".clbin") == 0, "use_cache=0 writes nothing");
    clgan_ctx_free(ctx);

    clear_dir();
    rmdir(dir);
    return test_finish();
}
