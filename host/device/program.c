/* program.c — run-time kernel compilation with an on-disk binary cache.
 *
 * A cache entry is one file, <cache_dir>/<key>.clbin, where key is the
 * SHA-256 of (format version, source, build options, platform name and
 * version, device name and version, driver version). Layout, little-endian:
 *
 *   offset  size  field
 *   0       8     magic "CLGANPB1"
 *   8       32    key (must equal the file name's key)
 *   40      8     binary length L
 *   48      32    SHA-256 of the binary
 *   80      L     the device binary from CL_PROGRAM_BINARIES
 *
 * An entry that fails any check (magic, key, length, checksum, or the driver
 * refusing the binary) is rebuilt from source and replaced. Entries are
 * written to a unique temporary file and renamed into place, so concurrent
 * builders never expose a half-written file.
 */
#include "context.h"
#include "core/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define getpid _getpid
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

#define CACHE_MAGIC "CLGANPB1"
#define CACHE_HEADER_BYTES 80
#define CACHE_FORMAT_VERSION "clgan-program-cache-1"
#define CACHE_MAX_BYTES ((size_t)1 << 30) /* no device binary of clgan's kernels comes near */

static double now_seconds(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const clgan_embedded_source *find_embedded(const char *name)
{
    for (int i = 0; i < clgan_embedded_source_count; i++)
        if (!strcmp(clgan_embedded_sources[i].name, name)) return &clgan_embedded_sources[i];
    return NULL;
}

/* Source text of a program: from $CLGAN_KERNEL_DIR/<name>.cl when set (for
 * kernel development), else the copy embedded at build time. *owned is set
 * when the caller must free the text. */
static clgan_status load_source(const char *name, const char **text, size_t *len, char **owned)
{
    *owned = NULL;
    const char *dir = getenv("CLGAN_KERNEL_DIR"); /* a readable folder: clgan_env_check */
    if (dir && *dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.cl", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f && errno != ENOENT) /* a file that is there must be readable; a missing one falls back */
            return clgan_fail(CLGAN_ERR_IO, "cannot read kernel source %s (CLGAN_KERNEL_DIR): %s", path,
                              strerror(errno));
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
            if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
                fclose(f);
                free(buf);
                return clgan_fail(CLGAN_ERR_IO, "cannot read kernel source %s", path);
            }
            fclose(f);
            buf[n] = '\0';
            *text = *owned = buf;
            *len = (size_t)n;
            return CLGAN_OK;
        }
    }
    const clgan_embedded_source *src = find_embedded(name);
    if (!src) return clgan_fail(CLGAN_ERR_INVALID_ARG, "no kernel program named '%s'", name);
    *text = src->source;
    *len = src->length;
    return CLGAN_OK;
}

static void cache_key(clgan_ctx *ctx, const char *source, size_t len, uint8_t key[32])
{
    clgan_sha256_state h;
    clgan_sha256_init(&h);
    const char *parts[] = {CACHE_FORMAT_VERSION, ctx->build_options, ctx->info.platform_name,
                           ctx->info.platform_version, ctx->info.device_name, ctx->info.device_version,
                           ctx->info.driver_version};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        clgan_sha256_update(&h, parts[i], strlen(parts[i]) + 1); /* NUL separates fields */
    clgan_sha256_update(&h, source, len);
    clgan_sha256_final(&h, key);
}

static void entry_path(clgan_ctx *ctx, const uint8_t key[32], char *path, size_t cap)
{
    char hex[65];
    clgan_sha256_hex(key, hex);
    snprintf(path, cap, "%s/%s.clbin", ctx->cache_dir, hex);
}

clgan_status clgan_program_cache_path(clgan_ctx *ctx, const char *name, char *path, size_t cap)
{
    if (!ctx->cache_dir[0]) return clgan_fail(CLGAN_ERR_INVALID_ARG, "the program cache is disabled");
    const char *text;
    size_t len;
    char *owned;
    TRY(load_source(name, &text, &len, &owned));
    uint8_t key[32];
    cache_key(ctx, text, len, key);
    free(owned);
    entry_path(ctx, key, path, cap);
    return CLGAN_OK;
}

/* mkdir -p */
int clgan_make_dirs(const char *dir)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
#ifdef _WIN32
        _mkdir(tmp);
#else
        mkdir(tmp, 0755);
#endif
        *p = '/';
    }
#ifdef _WIN32
    return _mkdir(tmp) == 0 || errno == EEXIST ? 0 : -1;
#else
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
#endif
}

const char *clgan_program_cache_check(const unsigned char *data, size_t len, const uint8_t key[32],
                                      const unsigned char **bin, size_t *bin_len)
{
    *bin = NULL;
    *bin_len = 0;
    if (!data || len < CACHE_HEADER_BYTES) return "truncated header";
    if (memcmp(data, CACHE_MAGIC, 8) != 0) return "bad magic";
    if (key && memcmp(data + 8, key, 32) != 0) return "key mismatch (foreign entry)";
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | data[40 + i];
    /* compare with what is there, so no sum can wrap */
    if (n == 0 || n != (uint64_t)(len - CACHE_HEADER_BYTES)) return "length mismatch (truncated or padded)";
    uint8_t sum[32];
    clgan_sha256(data + CACHE_HEADER_BYTES, (size_t)n, sum);
    if (memcmp(sum, data + 48, 32) != 0) return "checksum mismatch (corrupt)";
    *bin = data + CACHE_HEADER_BYTES;
    *bin_len = (size_t)n;
    return NULL;
}

/* Read and validate a cache entry; returns the whole entry (caller frees)
 * with *bin pointing at the binary inside it, or NULL with *why. */
static unsigned char *read_entry(const char *path, const uint8_t key[32], const unsigned char **bin, size_t *bin_len,
                                 const char **why)
{
    *why = "missing";
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *data = NULL;
    long file_len = -1;
    *why = "unreadable";
    if (fseek(f, 0, SEEK_END) == 0) file_len = ftell(f);
    if (file_len < 0 || fseek(f, 0, SEEK_SET) != 0) goto done;
    *why = "larger than any kernel binary";
    if ((uint64_t)file_len > CACHE_MAX_BYTES) goto done;
    *why = "unreadable";
    data = malloc(file_len ? (size_t)file_len : 1);
    if (!data || fread(data, 1, (size_t)file_len, f) != (size_t)file_len) {
        free(data);
        data = NULL;
        goto done;
    }
    *why = clgan_program_cache_check(data, (size_t)file_len, key, bin, bin_len);
    if (*why) {
        free(data);
        data = NULL;
    }
done:
    fclose(f);
    return data;
}

static void write_entry(clgan_ctx *ctx, const char *path, const uint8_t key[32], const unsigned char *bin,
                        size_t n)
{
    if (clgan_make_dirs(ctx->cache_dir) != 0) {
        if (ctx->verbose) fprintf(stderr, "clgan: cannot create cache folder %s: %s\n", ctx->cache_dir, strerror(errno));
        return;
    }
    static unsigned counter;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%u.%ld", path, (long)getpid(), counter++, (long)time(NULL));
    FILE *f = fopen(tmp, "wb");
    if (!f) return;
    unsigned char header[CACHE_HEADER_BYTES];
    memcpy(header, CACHE_MAGIC, 8);
    memcpy(header + 8, key, 32);
    for (int i = 0; i < 8; i++) header[40 + i] = (unsigned char)((uint64_t)n >> (8 * i));
    clgan_sha256(bin, n, header + 48);
    int ok = fwrite(header, 1, sizeof header, f) == sizeof header && fwrite(bin, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok;
#ifndef _WIN32
    ok = ok && fsync(fileno(f)) == 0;
#endif
    ok = (fclose(f) == 0) && ok;
#ifdef _WIN32
    if (ok) remove(path);
#endif
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        if (ctx->verbose) fprintf(stderr, "clgan: could not write cache entry %s\n", path);
    }
}

static clgan_status build_failure(clgan_ctx *ctx, cl_program prog, const char *name, cl_int err)
{
    size_t log_len = 0;
    clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &log_len);
    char *log = malloc(log_len + 1);
    if (log) {
        log[0] = '\0';
        clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, log_len, log, NULL);
        log[log_len] = '\0';
    }
    clgan_status st = clgan_fail(CLGAN_ERR_BUILD, "building kernel program '%s.cl' for '%s' failed: %s\nbuild log:\n%s",
                                 name, ctx->info.device_name, clgan_cl_error_name(err), log ? log : "(none)");
    free(log);
    return st;
}

static clgan_status build_from_source(clgan_ctx *ctx, const char *name, const char *text, size_t len,
                                      cl_program *out)
{
    cl_int err;
    cl_program prog = clCreateProgramWithSource(ctx->context, 1, &text, &len, &err);
    if (err != CL_SUCCESS) return clgan_fail_cl(err, "clCreateProgramWithSource");
    err = clBuildProgram(prog, 1, &ctx->device, ctx->build_options, NULL, NULL);
    if (err != CL_SUCCESS) {
        clgan_status st = build_failure(ctx, prog, name, err);
        clReleaseProgram(prog);
        return st;
    }
    *out = prog;
    return CLGAN_OK;
}

static cl_program build_from_binary(clgan_ctx *ctx, const unsigned char *bin, size_t n)
{
    cl_int err, bin_status;
    cl_program prog = clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &n, &bin, &bin_status, &err);
    if (err != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (prog) clReleaseProgram(prog);
        return NULL;
    }
    if (clBuildProgram(prog, 1, &ctx->device, ctx->build_options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(prog);
        return NULL;
    }
    return prog;
}

static void store_binary(clgan_ctx *ctx, cl_program prog, const char *path, const uint8_t key[32])
{
    size_t n = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof n, &n, NULL) != CL_SUCCESS || n == 0) return;
    unsigned char *bin = malloc(n);
    if (!bin) return;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS)
        write_entry(ctx, path, key, bin, n);
    free(bin);
}

clgan_status clgan_program_get(clgan_ctx *ctx, const char *name, cl_program *out, int *from_cache)
{
    if (from_cache) *from_cache = 0;
    for (int i = 0; i < ctx->program_count; i++) {
        if (!strcmp(ctx->programs[i].name, name)) {
            *out = ctx->programs[i].program;
            if (from_cache) *from_cache = 1;
            return CLGAN_OK;
        }
    }
    if (ctx->program_count == CLGAN_MAX_PROGRAMS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "program table full (raise CLGAN_MAX_PROGRAMS)");
    const clgan_embedded_source *embedded = find_embedded(name);
    if (!embedded) return clgan_fail(CLGAN_ERR_INVALID_ARG, "no kernel program named '%s'", name);

    const char *text;
    size_t len;
    char *owned;
    TRY(load_source(name, &text, &len, &owned));
    double t0 = now_seconds();
    cl_program prog = NULL;
    int hit = 0;
    uint8_t key[32];
    char path[1200] = "";
    if (ctx->cache_dir[0]) {
        cache_key(ctx, text, len, key);
        entry_path(ctx, key, path, sizeof path);
        size_t n = 0;
        const char *why = "";
        const unsigned char *bin = NULL;
        unsigned char *entry = read_entry(path, key, &bin, &n, &why);
        if (entry) {
            prog = build_from_binary(ctx, bin, n);
            if (!prog) why = "driver rejected the binary";
            free(entry);
        }
        hit = prog != NULL;
        if (!hit && ctx->verbose && strcmp(why, "missing") != 0)
            fprintf(stderr, "clgan: cache entry for %s.cl is unusable (%s); rebuilding\n", name, why);
    }
    clgan_status st = CLGAN_OK;
    if (!prog) {
        st = build_from_source(ctx, name, text, len, &prog);
        if (st == CLGAN_OK && path[0]) store_binary(ctx, prog, path, key);
    }
    free(owned);
    if (st != CLGAN_OK) return st;
    if (ctx->verbose)
        fprintf(stderr, "clgan: %s.cl %s in %.2f s\n", name, hit ? "loaded from cache" : "compiled",
                now_seconds() - t0);
    ctx->programs[ctx->program_count].name = embedded->name;
    ctx->programs[ctx->program_count].program = prog;
    ctx->program_count++;
    *out = prog;
    if (from_cache) *from_cache = hit;
    return CLGAN_OK;
}

clgan_status clgan_ctx_build_all(clgan_ctx *ctx, clgan_build_cb cb, void *user)
{
    for (int i = 0; i < clgan_embedded_source_count; i++) {
        double t0 = now_seconds();
        cl_program prog;
        int hit = 0;
        TRY(clgan_program_get(ctx, clgan_embedded_sources[i].name, &prog, &hit));
        if (cb) {
            clgan_build_report r = {clgan_embedded_sources[i].name, now_seconds() - t0, hit};
            cb(&r, user);
        }
    }
    return CLGAN_OK;
}
