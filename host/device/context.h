/* context.h — the internals of clgan_ctx: OpenCL objects, the program and
 * kernel tables, memory accounting, and helpers every op uses to allocate
 * buffers and launch kernels. */
#ifndef CLGAN_CONTEXT_H
#define CLGAN_CONTEXT_H
#include "clgan.h"
#include "core/cl_include.h"
#include "core/error.h"

#define CLGAN_MAX_PROGRAMS 32
#define CLGAN_MAX_KERNELS 160

struct clgan_ctx {
    clgan_device_info info;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    char cache_dir[1024]; /* "" when the disk cache is off */
    int verbose;
    char build_options[256];
    struct { const char *name; cl_program program; } programs[CLGAN_MAX_PROGRAMS];
    int program_count;
    struct { const char *program; char name[64]; cl_kernel kernel; size_t max_wg; } kernels[CLGAN_MAX_KERNELS];
    int kernel_count;
    struct clgan_tuning *tuning;         /* the device's tuning file, when one applies (nn/gemm.h); flat */
    struct clgan_gemm_record *gemm_record; /* non-NULL while GEMM shapes are recorded (nn/gemm.h); flat */
    struct clgan_profile *profile;       /* non-NULL while profiling (device/profile.h) */
    const char *scope;                   /* what the next launches belong to, e.g. "G.3 conv_transpose2d forward" */
    size_t bytes_in_use, peak_bytes;
    uint64_t alloc_count;
};

/* Device buffers: every allocation goes through these so the context can
 * account for memory and give a clear out-of-memory message. New buffers
 * are zero-filled. */
clgan_status clgan_buffer_create(clgan_ctx *ctx, size_t bytes, cl_mem *mem /* OUT */);
void clgan_buffer_release(clgan_ctx *ctx, cl_mem mem);
clgan_status clgan_buffer_write(clgan_ctx *ctx, cl_mem mem, size_t offset_bytes, size_t bytes, const void *src);
clgan_status clgan_buffer_read(clgan_ctx *ctx, cl_mem mem, size_t offset_bytes, size_t bytes, void *dst);
clgan_status clgan_buffer_fill_zero(clgan_ctx *ctx, cl_mem mem, size_t offset_bytes, size_t bytes);

/* Kernel `name` from program `program` ("activation", "relu_forward"),
 * compiling or loading the program on first use. */
clgan_status clgan_kernel_get(clgan_ctx *ctx, const char *program, const char *name,
                              cl_kernel *kernel /* OUT */, size_t *max_work_group /* OUT, may be NULL */);

/* Program build with the disk cache (program.c). */
clgan_status clgan_program_get(clgan_ctx *ctx, const char *name, cl_program *program /* OUT */,
                               int *from_cache /* OUT, may be NULL */);
/* mkdir -p; 0 on success (program.c). */
int clgan_make_dirs(const char *dir);
/* Path of the cache entry for a program (for tests and `clgan cache`). */
clgan_status clgan_program_cache_path(clgan_ctx *ctx, const char *name, char *path, size_t cap);
/* Check the bytes of a cache entry (layout in program.c; any bytes: this is
 * the fuzzed entry point). NULL when it is valid, with *bin and *bin_len the
 * binary inside data; else a short reason. key NULL skips the key check. */
const char *clgan_program_cache_check(const unsigned char *data, size_t len, const uint8_t key[32],
                                      const unsigned char **bin /* OUT */, size_t *bin_len /* OUT */);
/* Validate CLGAN_KERNEL_DIR, CLGAN_KERNEL_FORM and CLGAN_GEMM_TUNED
 * (clgan_ctx_create calls it first): CLGAN_ERR_INVALID_ARG naming the
 * variable, its value and what it may be. Unset or empty means the default. */
clgan_status clgan_env_check(void);
/* CLGAN_KERNEL_FORM: 1 for "rows", 0 for "items", -1 when unset, empty or
 * anything else (which clgan_env_check refuses). */
int clgan_kernel_form_env(void);

/* Launching: set arguments in order, then enqueue a 1-D range rounded up to
 * the work-group size (kernels bound-check against their own count). */
typedef struct clgan_args {
    cl_kernel kernel;
    cl_uint next;
    cl_int err;
    const char *name;
} clgan_args;
clgan_args clgan_args_begin(cl_kernel kernel, const char *name);
void clgan_arg_mem(clgan_args *a, cl_mem m);
void clgan_arg_int(clgan_args *a, int v);
void clgan_arg_uint(clgan_args *a, unsigned v);
void clgan_arg_float(clgan_args *a, float v);
void clgan_arg_local(clgan_args *a, size_t bytes);
clgan_status clgan_args_end(clgan_args *a);
clgan_status clgan_launch_1d(clgan_ctx *ctx, cl_kernel kernel, size_t global, size_t local, const char *name);
clgan_status clgan_launch_2d(clgan_ctx *ctx, cl_kernel kernel, size_t g0, size_t g1, size_t l0, size_t l1,
                             const char *name);

/* Embedded kernel sources (generated at build time from the cl folder). */
typedef struct clgan_embedded_source {
    const char *name;
    const char *source;
    size_t length;
} clgan_embedded_source;
extern const clgan_embedded_source clgan_embedded_sources[];
extern const int clgan_embedded_source_count;
#endif
