/* context.c — clgan_ctx lifetime (device pick, OpenCL context and queue),
 * device memory accounting and the kernel-argument/launch helpers. */
#include "context.h"
#include "device.h"
#include "profile.h"
#include "tuning.h"

#include <clblast_c.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <unistd.h>
#endif

/* CLBlast caches compiled kernels per OpenCL context and so keeps contexts
 * alive; its cache is cleared when the last clgan context goes. */
static atomic_int live_contexts;

clgan_ctx_params clgan_ctx_default_params(void)
{
    clgan_ctx_params p;
    memset(&p, 0, sizeof p);
    p.use_cache = 1;
    p.use_tuning = 1;
    return p;
}

static void default_cache_dir(char *out, size_t cap)
{
    const char *env = getenv("CLGAN_CACHE_DIR");
    if (env) {
        /* "", "0" or "off" switch the cache off. */
        if (!*env || !strcmp(env, "0") || !strcmp(env, "off")) out[0] = '\0';
        else snprintf(out, cap, "%s", env);
        return;
    }
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
#ifdef _WIN32
    if (!home) home = getenv("LOCALAPPDATA");
#endif
    if (xdg && *xdg) snprintf(out, cap, "%s/clgan", xdg);
    else if (home && *home) snprintf(out, cap, "%s/.cache/clgan", home);
    else out[0] = '\0';
}

static int opencl_c_at_least_12(const char *v)
{
    /* "OpenCL C 1.2 ...", "OpenCL C 3.0 ..." */
    int major = 0, minor = 0;
    if (sscanf(v, "OpenCL C %d.%d", &major, &minor) != 2) return 0;
    return major > 1 || (major == 1 && minor >= 2);
}

int clgan_kernel_form_env(void)
{
    const char *f = getenv("CLGAN_KERNEL_FORM");
    if (f && !strcmp(f, "rows")) return 1;
    if (f && !strcmp(f, "items")) return 0;
    return -1;
}

clgan_status clgan_env_check(void)
{
    const char *dir = getenv("CLGAN_KERNEL_DIR");
    if (dir && *dir) {
        char esc[CLGAN_ESCAPE_CAP];
        struct stat sb;
        if (stat(dir, &sb) != 0)
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "CLGAN_KERNEL_DIR='%s': %s; it must name a readable folder of .cl files (or be unset "
                              "for the built-in kernels)",
                              clgan_escape_str(dir, esc, sizeof esc), strerror(errno));
        if (!S_ISDIR(sb.st_mode))
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "CLGAN_KERNEL_DIR='%s' is not a folder; it must name a readable folder of .cl files (or "
                              "be unset for the built-in kernels)",
                              clgan_escape_str(dir, esc, sizeof esc));
#ifndef _WIN32
        if (access(dir, R_OK | X_OK) != 0)
            return clgan_fail(CLGAN_ERR_INVALID_ARG,
                              "CLGAN_KERNEL_DIR='%s' cannot be read: %s; it must name a readable folder of .cl files "
                              "(or be unset for the built-in kernels)",
                              clgan_escape_str(dir, esc, sizeof esc), strerror(errno));
#endif
    }
    const char *form = getenv("CLGAN_KERNEL_FORM");
    if (form && *form && clgan_kernel_form_env() < 0) {
        char esc[CLGAN_ESCAPE_CAP];
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "CLGAN_KERNEL_FORM='%s' is not a kernel form: use rows or items, or unset it for the "
                          "device's default",
                          clgan_escape_str(form, esc, sizeof esc));
    }
    int use_tuning;
    return clgan_tuning_env(&use_tuning);
}

clgan_status clgan_ctx_create(const clgan_ctx_params *params, clgan_ctx **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ctx_create: ctx is NULL");
    *out = NULL;
    TRY(clgan_env_check());
    clgan_ctx_params p = params ? *params : clgan_ctx_default_params();
    int index = 0;
    TRY(clgan_device_resolve(p.device_spec, &index));
    clgan_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory creating a context");
    clgan_status st = clgan_device_ids(index, &ctx->platform, &ctx->device);
    if (st == CLGAN_OK) st = clgan_device_get_info(index, &ctx->info);
    if (st != CLGAN_OK) goto fail;
    if (!opencl_c_at_least_12(ctx->info.opencl_c_version)) {
        st = clgan_fail(CLGAN_ERR_NO_DEVICE, "device '%s' supports only '%s'; clgan needs OpenCL C 1.2 or newer",
                        ctx->info.device_name, ctx->info.opencl_c_version);
        goto fail;
    }
    ctx->verbose = p.verbose;
    if (!p.use_cache) ctx->cache_dir[0] = '\0';
    else if (p.cache_dir) snprintf(ctx->cache_dir, sizeof ctx->cache_dir, "%s", p.cache_dir);
    else default_cache_dir(ctx->cache_dir, sizeof ctx->cache_dir);
    snprintf(ctx->build_options, sizeof ctx->build_options, "-cl-std=CL1.2");

    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ctx->platform, 0};
    ctx->context = clCreateContext(props, 1, &ctx->device, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        st = clgan_fail_cl(err, "clCreateContext");
        goto fail;
    }
    ctx->queue = clCreateCommandQueue(ctx->context, ctx->device, 0, &err);
    if (err != CL_SUCCESS) {
        st = clgan_fail_cl(err, "clCreateCommandQueue");
        goto fail;
    }
    atomic_fetch_add(&live_contexts, 1);
    if (p.use_tuning) clgan_tuning_apply_on_create(ctx);
    *out = ctx;
    return CLGAN_OK;
fail:
    clgan_ctx_free(ctx);
    return st;
}

void clgan_ctx_free(clgan_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->queue) clFinish(ctx->queue);
    clgan_profile_stop(ctx);
    free(ctx->gemm_record); /* flat structs (nn/gemm.h) */
    free(ctx->tuning);
    for (int i = 0; i < ctx->kernel_count; i++) clReleaseKernel(ctx->kernels[i].kernel);
    for (int i = 0; i < ctx->program_count; i++) clReleaseProgram(ctx->programs[i].program);
    if (ctx->queue) clReleaseCommandQueue(ctx->queue);
    if (ctx->context) clReleaseContext(ctx->context);
    if (ctx->queue && atomic_fetch_sub(&live_contexts, 1) == 1) CLBlastClearCache();
    free(ctx);
}

const clgan_device_info *clgan_ctx_device(const clgan_ctx *ctx) { return ctx ? &ctx->info : NULL; }

clgan_status clgan_ctx_finish(clgan_ctx *ctx)
{
    CL_TRY(clFinish(ctx->queue));
    return CLGAN_OK;
}

static int tuning_created(const clgan_tuning *t, char *created, size_t cap)
{
    if (created && cap) snprintf(created, cap, "%s", t ? t->created : "");
    return t != NULL;
}

int clgan_ctx_tuned(const clgan_ctx *ctx, char *created, size_t cap)
{
    return tuning_created(ctx ? ctx->tuning : NULL, created, cap);
}

int clgan_device_tuned(int index, const char *cache_dir, char *created, size_t cap)
{
    clgan_device_info info;
    char dir[1024];
    if (cache_dir) snprintf(dir, sizeof dir, "%s", cache_dir);
    else default_cache_dir(dir, sizeof dir);
    clgan_tuning t;
    if (!dir[0] || clgan_device_get_info(index, &info) != CLGAN_OK) return tuning_created(NULL, created, cap);
    clgan_status st = clgan_tuning_load(dir, &info, &t);
    tuning_created(st == CLGAN_OK ? &t : NULL, created, cap);
    return st == CLGAN_OK ? 1 : st == CLGAN_ERR_IO ? 0 : -1;
}

size_t clgan_ctx_bytes_in_use(const clgan_ctx *ctx) { return ctx ? ctx->bytes_in_use : 0; }
size_t clgan_ctx_peak_bytes(const clgan_ctx *ctx) { return ctx ? ctx->peak_bytes : 0; }
const char *clgan_ctx_cache_dir(const clgan_ctx *ctx) { return ctx ? ctx->cache_dir : ""; }
const clgan_tuning *clgan_ctx_tuning(const clgan_ctx *ctx) { return ctx ? ctx->tuning : NULL; }
uint64_t clgan_ctx_alloc_count(const clgan_ctx *ctx) { return ctx ? ctx->alloc_count : 0; }

/* ---- memory ----------------------------------------------------------- */

static clgan_status fail_oom(clgan_ctx *ctx, size_t bytes, const char *why)
{
    const double mib = 1024.0 * 1024.0;
    return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY,
                      "out of device memory on '%s': asked for %.1f MiB (%s); %.1f MiB already in use by clgan, "
                      "device has %.1f MiB global memory and allows %.1f MiB per buffer. "
                      "Try a smaller --batch or a narrower model",
                      ctx->info.device_name, bytes / mib, why, ctx->bytes_in_use / mib,
                      ctx->info.global_mem_bytes / mib, ctx->info.max_alloc_bytes / mib);
}

clgan_status clgan_buffer_create(clgan_ctx *ctx, size_t bytes, cl_mem *mem)
{
    *mem = NULL;
    if (bytes == 0) bytes = 4; /* OpenCL forbids empty buffers */
    if (bytes > ctx->info.max_alloc_bytes) return fail_oom(ctx, bytes, "larger than the largest allowed buffer");
    if (ctx->bytes_in_use + bytes > ctx->info.global_mem_bytes)
        return fail_oom(ctx, bytes, "more than the device's free global memory");
    cl_int err;
    cl_mem m = clCreateBuffer(ctx->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES || err == CL_OUT_OF_HOST_MEMORY ||
        err == CL_INVALID_BUFFER_SIZE)
        return fail_oom(ctx, bytes, clgan_cl_error_name(err));
    if (err != CL_SUCCESS) return clgan_fail_cl(err, "clCreateBuffer");
    /* Zero it from the host: defined contents, drivers that allocate lazily fail
     * here rather than mid-step, and checkers such as oclgrind see the memory
     * as initialised (they do not count clEnqueueFillBuffer). Allocation
     * happens at planning time, never inside a training step. */
    size_t chunk = bytes < ((size_t)4 << 20) ? bytes : ((size_t)4 << 20);
    void *zeros = calloc(1, chunk);
    err = zeros ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY;
    for (size_t done = 0; err == CL_SUCCESS && done < bytes; done += chunk) {
        size_t n = bytes - done < chunk ? bytes - done : chunk;
        err = clEnqueueWriteBuffer(ctx->queue, m, CL_TRUE, done, n, zeros, 0, NULL, NULL);
    }
    free(zeros);
    if (err != CL_SUCCESS) {
        clReleaseMemObject(m);
        if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES || err == CL_OUT_OF_HOST_MEMORY)
            return fail_oom(ctx, bytes, clgan_cl_error_name(err));
        return clgan_fail_cl(err, "clEnqueueWriteBuffer");
    }
    ctx->bytes_in_use += bytes;
    if (ctx->bytes_in_use > ctx->peak_bytes) ctx->peak_bytes = ctx->bytes_in_use;
    ctx->alloc_count++;
    *mem = m;
    return CLGAN_OK;
}

void clgan_buffer_release(clgan_ctx *ctx, cl_mem mem)
{
    if (!mem) return;
    size_t bytes = 0;
    cl_mem parent = NULL;
    clGetMemObjectInfo(mem, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof parent, &parent, NULL);
    if (!parent && clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof bytes, &bytes, NULL) == CL_SUCCESS)
        ctx->bytes_in_use -= bytes <= ctx->bytes_in_use ? bytes : ctx->bytes_in_use;
    clReleaseMemObject(mem);
}

clgan_status clgan_buffer_write(clgan_ctx *ctx, cl_mem mem, size_t offset, size_t bytes, const void *src)
{
    CL_TRY(clEnqueueWriteBuffer(ctx->queue, mem, CL_TRUE, offset, bytes, src, 0, NULL, clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "upload");
    return CLGAN_OK;
}

clgan_status clgan_buffer_read(clgan_ctx *ctx, cl_mem mem, size_t offset, size_t bytes, void *dst)
{
    CL_TRY(clEnqueueReadBuffer(ctx->queue, mem, CL_TRUE, offset, bytes, dst, 0, NULL, clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "download");
    return CLGAN_OK;
}

clgan_status clgan_buffer_fill_zero(clgan_ctx *ctx, cl_mem mem, size_t offset, size_t bytes)
{
    float zero = 0.0f;
    if (bytes == 0) return CLGAN_OK;
    CL_TRY(clEnqueueFillBuffer(ctx->queue, mem, &zero, sizeof zero, offset, bytes, 0, NULL, clgan_profile_event(ctx)));
    clgan_profile_record(ctx, "fill");
    return CLGAN_OK;
}

/* ---- kernels ------------------------------------------------------------ */

clgan_status clgan_kernel_get(clgan_ctx *ctx, const char *program, const char *name, cl_kernel *kernel,
                              size_t *max_wg)
{
    for (int i = 0; i < ctx->kernel_count; i++) {
        if (!strcmp(ctx->kernels[i].name, name) && !strcmp(ctx->kernels[i].program, program)) {
            *kernel = ctx->kernels[i].kernel;
            if (max_wg) *max_wg = ctx->kernels[i].max_wg;
            return CLGAN_OK;
        }
    }
    if (ctx->kernel_count == CLGAN_MAX_KERNELS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "kernel table full (raise CLGAN_MAX_KERNELS)");
    cl_program prog;
    TRY(clgan_program_get(ctx, program, &prog, NULL));
    cl_int err;
    cl_kernel k = clCreateKernel(prog, name, &err);
    if (err != CL_SUCCESS) return clgan_fail(CLGAN_ERR_OPENCL, "clCreateKernel('%s' in %s.cl) failed: %s",
                                             name, program, clgan_cl_error_name(err));
    size_t wg = 1;
    err = clGetKernelWorkGroupInfo(k, ctx->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
    if (err != CL_SUCCESS) {
        clReleaseKernel(k);
        return clgan_fail_cl(err, "clGetKernelWorkGroupInfo");
    }
    int slot = ctx->kernel_count++;
    ctx->kernels[slot].program = program;
    snprintf(ctx->kernels[slot].name, sizeof ctx->kernels[slot].name, "%s", name);
    ctx->kernels[slot].kernel = k;
    ctx->kernels[slot].max_wg = wg;
    *kernel = k;
    if (max_wg) *max_wg = wg;
    return CLGAN_OK;
}

clgan_args clgan_args_begin(cl_kernel kernel, const char *name)
{
    clgan_args a = {kernel, 0, CL_SUCCESS, name};
    return a;
}

static void set_arg(clgan_args *a, size_t size, const void *value)
{
    if (a->err != CL_SUCCESS) {
        a->next++;
        return;
    }
    a->err = clSetKernelArg(a->kernel, a->next++, size, value);
    if (a->err != CL_SUCCESS) a->next |= 0x10000u; /* remember which argument failed */
}

void clgan_arg_mem(clgan_args *a, cl_mem m) { set_arg(a, sizeof m, &m); }
void clgan_arg_int(clgan_args *a, int v) { set_arg(a, sizeof v, &v); }
void clgan_arg_uint(clgan_args *a, unsigned v) { set_arg(a, sizeof v, &v); }
void clgan_arg_float(clgan_args *a, float v) { set_arg(a, sizeof v, &v); }
void clgan_arg_local(clgan_args *a, size_t bytes) { set_arg(a, bytes, NULL); }

clgan_status clgan_args_end(clgan_args *a)
{
    if (a->err == CL_SUCCESS) return CLGAN_OK;
    return clgan_fail(CLGAN_ERR_OPENCL, "clSetKernelArg(%s, arg %u) failed: %s", a->name,
                      (a->next & 0xffffu) - 1, clgan_cl_error_name(a->err));
}

clgan_status clgan_launch_1d(clgan_ctx *ctx, cl_kernel kernel, size_t global, size_t local, const char *name)
{
    if (global == 0) return CLGAN_OK;
    if (local) global = (global + local - 1) / local * local;
    cl_int err = clEnqueueNDRangeKernel(ctx->queue, kernel, 1, NULL, &global, local ? &local : NULL, 0, NULL,
                                        clgan_profile_event(ctx));
    if (err == CL_SUCCESS) clgan_profile_record(ctx, name);
    if (err != CL_SUCCESS)
        return clgan_fail(err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_RESOURCES
                              ? CLGAN_ERR_OUT_OF_MEMORY
                              : CLGAN_ERR_OPENCL,
                          "clEnqueueNDRangeKernel(%s, global %zu) failed: %s", name, global,
                          clgan_cl_error_name(err));
    return CLGAN_OK;
}

clgan_status clgan_launch_2d(clgan_ctx *ctx, cl_kernel kernel, size_t g0, size_t g1, size_t l0, size_t l1,
                             const char *name)
{
    if (g0 == 0 || g1 == 0) return CLGAN_OK;
    size_t global[2] = {g0, g1}, local[2] = {l0, l1};
    if (l0 && l1) {
        global[0] = (g0 + l0 - 1) / l0 * l0;
        global[1] = (g1 + l1 - 1) / l1 * l1;
    }
    cl_int err = clEnqueueNDRangeKernel(ctx->queue, kernel, 2, NULL, global, l0 && l1 ? local : NULL, 0, NULL,
                                        clgan_profile_event(ctx));
    if (err == CL_SUCCESS) clgan_profile_record(ctx, name);
    if (err != CL_SUCCESS)
        return clgan_fail(CLGAN_ERR_OPENCL, "clEnqueueNDRangeKernel(%s, global %zux%zu) failed: %s", name, g0, g1,
                          clgan_cl_error_name(err));
    return CLGAN_OK;
}
