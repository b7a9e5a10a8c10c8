/* device.c — OpenCL platform/device enumeration, device info and the device
 * spec resolver (index, type or name substring; GPUs preferred by default). */
#include "device.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLATFORMS 16
#define MAX_DEVICES_PER_PLATFORM 64

static const char no_platform_help[] =
    "no OpenCL platform found. Install an OpenCL driver for your hardware "
    "(AMD ROCm/Adrenalin, Intel compute-runtime, NVIDIA driver) or the portable "
    "CPU driver PoCL (Debian/Ubuntu: apt-get install pocl-opencl-icd ocl-icd-libopencl1)";

/* Walk platforms and devices in a stable order; stop at flat index `want`
 * (or count all when want < 0). */
static clgan_status walk(int want, int *count, cl_platform_id *pout, cl_device_id *dout,
                         int *platform_index)
{
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, platforms, &np);
    if (err == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ || (err == CL_SUCCESS && np == 0))
        return clgan_fail(CLGAN_ERR_NO_PLATFORM, "%s", no_platform_help);
    if (err != CL_SUCCESS) return clgan_fail_cl(err, "clGetPlatformIDs");
    int flat = 0;
    for (cl_uint p = 0; p < np && p < MAX_PLATFORMS; p++) {
        cl_device_id devices[MAX_DEVICES_PER_PLATFORM];
        cl_uint nd = 0;
        err = clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devices, &nd);
        if (err == CL_DEVICE_NOT_FOUND) continue;
        if (err != CL_SUCCESS) continue; /* a broken platform must not hide the others */
        for (cl_uint d = 0; d < nd && d < MAX_DEVICES_PER_PLATFORM; d++, flat++) {
            if (flat == want) {
                *pout = platforms[p];
                *dout = devices[d];
                *platform_index = (int)p;
                return CLGAN_OK;
            }
        }
    }
    if (count) *count = flat;
    if (want >= 0)
        return clgan_fail(CLGAN_ERR_NO_DEVICE, "device index %d is out of range (%d device%s)",
                          want, flat, flat == 1 ? "" : "s");
    return CLGAN_OK;
}

clgan_status clgan_device_count(int *count)
{
    if (!count) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_device_count: count is NULL");
    *count = 0;
    return walk(-1, count, NULL, NULL, NULL);
}

clgan_status clgan_device_ids(int index, cl_platform_id *platform, cl_device_id *device)
{
    int pi;
    if (index < 0) return clgan_fail(CLGAN_ERR_NO_DEVICE, "device index %d is negative", index);
    return walk(index, NULL, platform, device, &pi);
}

/* Device or platform string, truncated to cap (drivers refuse a short buffer,
 * so ask for the length first). "?" when the query fails. */
static void get_str(cl_platform_id p, cl_device_id d, cl_uint what, char *out, size_t cap)
{
    size_t n = 0;
    cl_int err = d ? clGetDeviceInfo(d, what, 0, NULL, &n) : clGetPlatformInfo(p, what, 0, NULL, &n);
    char *buf = err == CL_SUCCESS ? malloc(n + 1) : NULL;
    if (buf) err = d ? clGetDeviceInfo(d, what, n, buf, NULL) : clGetPlatformInfo(p, what, n, buf, NULL);
    if (!buf || err != CL_SUCCESS) snprintf(out, cap, "?");
    else {
        buf[n] = '\0';
        snprintf(out, cap, "%s", buf);
    }
    free(buf);
}

clgan_status clgan_device_query(cl_platform_id platform, cl_device_id device, clgan_device_info *info)
{
    memset(info, 0, sizeof *info);
    get_str(platform, NULL, CL_PLATFORM_NAME, info->platform_name, sizeof info->platform_name);
    get_str(platform, NULL, CL_PLATFORM_VERSION, info->platform_version, sizeof info->platform_version);
    get_str(NULL, device, CL_DEVICE_NAME, info->device_name, sizeof info->device_name);
    get_str(NULL, device, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    get_str(NULL, device, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
    get_str(NULL, device, CL_DEVICE_VERSION, info->device_version, sizeof info->device_version);
    get_str(NULL, device, CL_DEVICE_OPENCL_C_VERSION, info->opencl_c_version, sizeof info->opencl_c_version);
    cl_device_type type = 0;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_TYPE, sizeof type, &type, NULL));
    info->type = (type & CL_DEVICE_TYPE_GPU)           ? CLGAN_DEVICE_GPU
                 : (type & CL_DEVICE_TYPE_CPU)         ? CLGAN_DEVICE_CPU
                 : (type & CL_DEVICE_TYPE_ACCELERATOR) ? CLGAN_DEVICE_ACCELERATOR
                                                       : CLGAN_DEVICE_OTHER;
    cl_uint u = 0;
    cl_ulong ul = 0;
    size_t sz = 0;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof u, &u, NULL));
    info->compute_units = u;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof u, &u, NULL));
    info->clock_mhz = u;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof ul, &ul, NULL));
    info->global_mem_bytes = ul;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ul, &ul, NULL));
    info->max_alloc_bytes = ul;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_LOCAL_MEM_SIZE, sizeof ul, &ul, NULL));
    info->local_mem_bytes = ul;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof sz, &sz, NULL));
    info->max_work_group_size = sz;
    size_t ext_len = 0;
    CL_TRY(clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, 0, NULL, &ext_len));
    char *ext = malloc(ext_len + 1);
    if (!ext) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading device extensions");
    cl_int err = clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, ext_len, ext, NULL);
    ext[ext_len] = '\0';
    if (err == CL_SUCCESS) {
        info->has_fp16 = strstr(ext, "cl_khr_fp16") != NULL;
        info->has_fp64 = strstr(ext, "cl_khr_fp64") != NULL;
    }
    free(ext);
    if (err != CL_SUCCESS) return clgan_fail_cl(err, "clGetDeviceInfo(CL_DEVICE_EXTENSIONS)");
    return CLGAN_OK;
}

clgan_status clgan_device_get_info(int index, clgan_device_info *info)
{
    if (!info) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_device_get_info: info is NULL");
    cl_platform_id p;
    cl_device_id d;
    int pi = 0;
    if (index < 0) return clgan_fail(CLGAN_ERR_NO_DEVICE, "device index %d is negative", index);
    TRY(walk(index, NULL, &p, &d, &pi));
    TRY(clgan_device_query(p, d, info));
    info->index = index;
    info->platform_index = pi;
    return CLGAN_OK;
}

const char *clgan_device_type_name(clgan_device_type type)
{
    switch (type) {
    case CLGAN_DEVICE_GPU: return "gpu";
    case CLGAN_DEVICE_CPU: return "cpu";
    case CLGAN_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

static int equals_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int is_index(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static clgan_status fail_no_match(const char *spec, const clgan_device_info *infos, int n, const char *source)
{
    char list[4096];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "\n  %d: %s / %s (%s, %s)", i,
                                 infos[i].platform_name, infos[i].device_name, infos[i].vendor,
                                 clgan_device_type_name(infos[i].type));
    return clgan_fail(CLGAN_ERR_NO_DEVICE,
                      "no OpenCL device matches %s '%s'. Use an index, gpu/cpu/accelerator, "
                      "or part of a platform, device or vendor name. Available devices:%s",
                      source, spec, list);
}

clgan_status clgan_device_matches(const char *spec, int *indices, int cap, int *count)
{
    if (!count || (cap > 0 && !indices))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_device_matches: count or indices is NULL");
    *count = 0;
    const char *source = "--device";
    if (!spec || !*spec) {
        spec = getenv("CLGAN_DEVICE");
        source = "CLGAN_DEVICE";
        if (spec && !*spec) spec = NULL;
    }
    int n = 0;
    TRY(clgan_device_count(&n));
    if (n == 0)
        return clgan_fail(CLGAN_ERR_NO_PLATFORM, "OpenCL platforms are installed but expose no device. %s",
                          no_platform_help);
    clgan_device_info *infos = calloc((size_t)n, sizeof *infos);
    if (!infos) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory listing devices");
    for (int i = 0; i < n; i++) /* a device that cannot describe itself is listed but never picked */
        if (clgan_device_get_info(i, &infos[i]) != CLGAN_OK) {
            snprintf(infos[i].device_name, sizeof infos[i].device_name, "(unreadable device)");
            infos[i].type = 0;
        }
    clgan_device_type t = 0;
    if (!spec) t = CLGAN_DEVICE_GPU; /* the default: every GPU, else the first device */
    else if (equals_nocase(spec, "gpu")) t = CLGAN_DEVICE_GPU;
    else if (equals_nocase(spec, "cpu")) t = CLGAN_DEVICE_CPU;
    else if (equals_nocase(spec, "accelerator")) t = CLGAN_DEVICE_ACCELERATOR;
    int found = 0;
    for (int i = 0; i < n; i++) {
        int match = spec && is_index(spec) ? strtol(spec, NULL, 10) == i
                    : t ? infos[i].type == t
                        : contains_nocase(infos[i].device_name, spec) || contains_nocase(infos[i].platform_name, spec) ||
                              contains_nocase(infos[i].vendor, spec);
        if (!match) continue;
        if (found < cap) indices[found] = i;
        found++;
    }
    for (int i = 0; i < n && !spec && !found; i++)
        if (infos[i].type != 0) {
            if (cap > 0) indices[0] = i;
            found = 1;
        }
    clgan_status st = found ? CLGAN_OK : fail_no_match(spec, infos, n, source);
    *count = found;
    free(infos);
    return st;
}

clgan_status clgan_device_resolve(const char *spec, int *index)
{
    if (!index) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_device_resolve: index is NULL");
    int count = 0;
    return clgan_device_matches(spec, index, 1, &count);
}
