/* clgan/core.h — status codes, errors, version, devices, contexts, kernel
 * builds and the self-test: the base of libclgan's public C API (clgan.h).
 *
 * libclgan trains and runs GANs and image classifiers on any OpenCL 1.2+
 * device. Everything goes through opaque handles and integer status codes:
 *
 *     clgan_ctx_params p = clgan_ctx_default_params();
 *     p.device_spec = "gpu";                    // or NULL: $CLGAN_DEVICE, then GPU first
 *     clgan_ctx *ctx;
 *     if (clgan_ctx_create(&p, &ctx) != CLGAN_OK) {
 *         fprintf(stderr, "clgan: %s\n", clgan_last_error());
 *         return 1;
 *     }
 *     ...
 *     clgan_ctx_free(ctx);                      // clgan_ctx_free(NULL) is a no-op
 *
 * Every failing call returns a status other than CLGAN_OK and leaves a readable
 * message (naming the failing OpenCL/CLBlast call and its error) that
 * clgan_last_error() returns until the next failure on the same thread.
 * The library never exits or aborts on a runtime condition.
 */
#ifndef CLGAN_CORE_H
#define CLGAN_CORE_H
#include "clgan/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLGAN_VERSION_MAJOR 0
#define CLGAN_VERSION_MINOR 1
#define CLGAN_VERSION_PATCH 0
#define CLGAN_VERSION_STRING "0.1.0"
/* The version of the library a program runs with (it may differ from the
 * header the program was compiled against): MAJOR * 10000 + MINOR * 100 +
 * PATCH, and the same as "MAJOR.MINOR.PATCH". */
CLGAN_API int clgan_version(void);
CLGAN_API const char *clgan_version_string(void);

typedef enum clgan_status {
    CLGAN_OK = 0,
    CLGAN_ERR_INVALID_ARG,   /* a caller passed a bad value (shape, NULL, range) */
    CLGAN_ERR_NO_PLATFORM,   /* no OpenCL platform is installed */
    CLGAN_ERR_NO_DEVICE,     /* the device spec matched nothing */
    CLGAN_ERR_OPENCL,        /* an OpenCL call failed */
    CLGAN_ERR_BUILD,         /* a kernel program failed to compile */
    CLGAN_ERR_CLBLAST,       /* a CLBlast routine failed */
    CLGAN_ERR_OUT_OF_MEMORY, /* device or host memory exhausted */
    CLGAN_ERR_IO,            /* a file could not be read or written */
    CLGAN_ERR_FORMAT,        /* a file's contents are malformed */
    CLGAN_ERR_CHECK_FAILED   /* a self-test comparison did not match */
} clgan_status;

/* Stable short name of a status ("CLGAN_ERR_OPENCL"). */
CLGAN_API const char *clgan_status_name(clgan_status status);
/* Message of the last failure on this thread ("" if none). */
CLGAN_API const char *clgan_last_error(void);
/* Record a printf-style message as this thread's last error and return
 * status, so a program's own failure paths (a training callback's, say)
 * read like the library's:  return clgan_fail(CLGAN_ERR_IO, "cannot write %s", path); */
CLGAN_API clgan_status clgan_fail(clgan_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Copy the NUL-terminated s (NULL gives "") into buf for a message:
 * printable ASCII as is, a backslash as "\\", every other byte as "\xNN";
 * text that does not fit in cap bytes is cut (never inside an escape) and
 * ends in "...". Returns buf (always NUL-terminated when cap > 0), so it can
 * be a printf argument for bytes read from a file. CLGAN_ESCAPE_CAP bytes
 * hold a readable quotation. */
#define CLGAN_ESCAPE_CAP 160
CLGAN_API const char *clgan_escape_str(const char *s, char *buf, size_t cap);
/* The SHA-256 of a file's bytes as 64 lowercase hex digits and a NUL;
 * CLGAN_ERR_IO naming the path (and the reason) when it cannot be read. */
CLGAN_API clgan_status clgan_sha256_file(const char *path, char hex[65] /* OUT */);
/* Release memory the library allocated for the caller (texts it returns);
 * NULL is a no-op. */
CLGAN_API void clgan_free(void *p);
/* Write n bytes as the whole file at path so that readers see the old
 * contents or the new ones, never a mix: a temporary file beside it,
 * flushed and synced, then renamed over it. CLGAN_ERR_IO naming the file and
 * the reason when it cannot be written (the temporary file is removed). */
CLGAN_API clgan_status clgan_write_file_atomic(const char *path, const void *data, size_t n);

/* ---- devices ---------------------------------------------------------- */

typedef enum clgan_device_type {
    CLGAN_DEVICE_GPU = 1,
    CLGAN_DEVICE_CPU = 2,
    CLGAN_DEVICE_ACCELERATOR = 4,
    CLGAN_DEVICE_OTHER = 8
} clgan_device_type;

typedef struct clgan_device_info {
    int index;                  /* flat index over all platforms' devices */
    int platform_index;
    char platform_name[128];
    char platform_version[128];
    char device_name[128];
    char vendor[128];
    char driver_version[128];
    char device_version[128];   /* "OpenCL 3.0 ..." */
    char opencl_c_version[128]; /* "OpenCL C 1.2 ..." */
    clgan_device_type type;
    unsigned compute_units;
    unsigned clock_mhz;
    uint64_t global_mem_bytes;
    uint64_t max_alloc_bytes;
    uint64_t local_mem_bytes;
    size_t max_work_group_size;
    int has_fp16;
    int has_fp64;
} clgan_device_info;

/* Number of OpenCL devices over all platforms. CLGAN_ERR_NO_PLATFORM when no
 * OpenCL platform is installed (the message says how to install one). */
CLGAN_API clgan_status clgan_device_count(int *count /* OUT */);
CLGAN_API clgan_status clgan_device_get_info(int index, clgan_device_info *info /* OUT */);
CLGAN_API const char *clgan_device_type_name(clgan_device_type type);

/* Resolve a device spec to a flat index. spec is an index ("0"), a type
 * ("gpu", "cpu", "accelerator") or a case-insensitive substring of the
 * platform, device or vendor name. NULL or "" means $CLGAN_DEVICE, and if
 * that is unset, the first GPU, else the first device. A spec that matches
 * nothing gives CLGAN_ERR_NO_DEVICE with a message listing the devices. */
CLGAN_API clgan_status clgan_device_resolve(const char *spec, int *index /* OUT */);
/* Every device the spec matches, in index order (clgan_device_resolve picks
 * the first): into indices[0..cap), *count of them in all. NULL or "" (and
 * no $CLGAN_DEVICE): every GPU, or without one the first device. One rank
 * per device of a data-parallel job takes match number local rank
 * (clgan/dist.h). CLGAN_ERR_NO_DEVICE as clgan_device_resolve. */
CLGAN_API clgan_status clgan_device_matches(const char *spec, int *indices, int cap, int *count /* OUT */);

/* ---- context ---------------------------------------------------------- */

typedef struct clgan_ctx clgan_ctx;

typedef struct clgan_ctx_params {
    const char *device_spec; /* see clgan_device_resolve; NULL = default */
    const char *cache_dir;   /* NULL = $CLGAN_CACHE_DIR, else XDG cache/clgan */
    int use_cache;           /* 0 disables the on-disk program cache */
    int verbose;             /* 1: log program builds and cache hits to stderr */
    int use_tuning;          /* 1 (default): apply the device's GEMM tuning file (`clgan tune`), if any;
                                the environment variable CLGAN_GEMM_TUNED=0 also switches it off */
} clgan_ctx_params;

CLGAN_API clgan_ctx_params clgan_ctx_default_params(void);
CLGAN_API clgan_status clgan_ctx_create(const clgan_ctx_params *params, clgan_ctx **ctx /* OUT */);
CLGAN_API void clgan_ctx_free(clgan_ctx *ctx);
/* The device this context runs on. */
CLGAN_API const clgan_device_info *clgan_ctx_device(const clgan_ctx *ctx);
/* Wait for all queued device work to finish. */
CLGAN_API clgan_status clgan_ctx_finish(clgan_ctx *ctx);
/* Device memory allocated through this context: now, and the peak so far. */
/* Whether a GEMM tuning file was applied to this context; created (may be
 * NULL) gets the UTC time `clgan tune` wrote it. */
CLGAN_API int clgan_ctx_tuned(const clgan_ctx *ctx, char *created, size_t cap);
/* Whether device `index` has a valid tuning file in cache_dir (NULL: the
 * default cache folder): 1 yes (created as above), 0 none, -1 one that is
 * damaged or stale and so ignored (clgan_last_error says why). Reads the
 * file, opens no device. */
CLGAN_API int clgan_device_tuned(int index, const char *cache_dir, char *created, size_t cap);
CLGAN_API size_t clgan_ctx_bytes_in_use(const clgan_ctx *ctx);
CLGAN_API size_t clgan_ctx_peak_bytes(const clgan_ctx *ctx);
/* Number of device buffers created so far (a steady-state training step
 * must not change it). */
CLGAN_API uint64_t clgan_ctx_alloc_count(const clgan_ctx *ctx);

/* Compile (or load from the cache) every embedded kernel program. */
typedef struct clgan_build_report {
    const char *program;  /* "conv", "activation", ... */
    double seconds;       /* wall time to get a usable program */
    int from_cache;       /* 1 if the binary came from the disk cache */
} clgan_build_report;
typedef void (*clgan_build_cb)(const clgan_build_report *report, void *user);
CLGAN_API clgan_status clgan_ctx_build_all(clgan_ctx *ctx, clgan_build_cb cb, void *user);

/* ---- self-test -------------------------------------------------------- */

typedef struct clgan_check_result {
    const char *name;     /* "conv2d.forward k3 s2 p1 ..." */
    int passed;
    double max_error;     /* worst relative-or-absolute error seen */
    double seconds;
    const char *message;  /* why it failed, or "" */
} clgan_check_result;
typedef void (*clgan_check_cb)(const clgan_check_result *result, void *user);

/* Run every layer, loss and optimizer forward and backward on small shapes
 * against the host reference. *failed gets the number of failed checks.
 * pattern (NULL = all) keeps only checks whose name contains it. */
CLGAN_API clgan_status clgan_selftest(clgan_ctx *ctx, const char *pattern,
                            clgan_check_cb cb, void *user, int *failed /* OUT */);

#ifdef __cplusplus
}
#endif
#endif
