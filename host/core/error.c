/* error.c — thread-local error messages, status names, OpenCL error names,
 * the library version, and clgan_free for what the library hands out. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_CAP 8192
static _Thread_local char last_message[MESSAGE_CAP];

clgan_status clgan_fail(clgan_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return status;
}

clgan_status clgan_fail_context(clgan_status status, const char *fmt, ...)
{
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t p = strlen(prefix), old = strlen(last_message);
    if (p + 2 + old >= MESSAGE_CAP) old = MESSAGE_CAP - p - 3;
    memmove(last_message + p + 2, last_message, old);
    memcpy(last_message, prefix, p);
    memcpy(last_message + p, ": ", 2);
    last_message[p + 2 + old] = 0;
    return status;
}

void clgan_clear_error(void) { last_message[0] = '\0'; }

void clgan_free(void *p) { free(p); }

const char *clgan_escape(const void *s, size_t n, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    if (!buf || !cap) return "";
    const unsigned char *p = s;
    size_t used = 0;
    for (size_t i = 0; p && i < n; i++) {
        char one[4];
        size_t k = 0;
        unsigned char c = p[i];
        if (c == '\\') one[k++] = '\\', one[k++] = '\\';
        else if (c >= 0x20 && c < 0x7f) one[k++] = (char)c;
        else one[k++] = '\\', one[k++] = 'x', one[k++] = hex[c >> 4], one[k++] = hex[c & 15];
        /* Keep room for "..." unless this is the last byte and it fits. */
        size_t reserve = i + 1 < n ? 3 : 0;
        if (used + k + reserve + 1 > cap) {
            const char *dots = "...";
            for (size_t d = 0; d < 3 && used + 1 < cap; d++) buf[used++] = dots[d];
            break;
        }
        memcpy(buf + used, one, k);
        used += k;
    }
    buf[used] = '\0';
    return buf;
}

const char *clgan_escape_str(const char *s, char *buf, size_t cap)
{
    return clgan_escape(s, s ? strlen(s) : 0, buf, cap);
}

const char *clgan_last_error(void) { return last_message; }

const char *clgan_status_name(clgan_status status)
{
    switch (status) {
    case CLGAN_OK: return "CLGAN_OK";
    case CLGAN_ERR_INVALID_ARG: return "CLGAN_ERR_INVALID_ARG";
    case CLGAN_ERR_NO_PLATFORM: return "CLGAN_ERR_NO_PLATFORM";
    case CLGAN_ERR_NO_DEVICE: return "CLGAN_ERR_NO_DEVICE";
    case CLGAN_ERR_OPENCL: return "CLGAN_ERR_OPENCL";
    case CLGAN_ERR_BUILD: return "CLGAN_ERR_BUILD";
    case CLGAN_ERR_CLBLAST: return "CLGAN_ERR_CLBLAST";
    case CLGAN_ERR_OUT_OF_MEMORY: return "CLGAN_ERR_OUT_OF_MEMORY";
    case CLGAN_ERR_IO: return "CLGAN_ERR_IO";
    case CLGAN_ERR_FORMAT: return "CLGAN_ERR_FORMAT";
    case CLGAN_ERR_CHECK_FAILED: return "CLGAN_ERR_CHECK_FAILED";
    }
    return "CLGAN_ERR_UNKNOWN";
}

const char *clgan_cl_error_name(cl_int err)
{
    switch (err) {
#define E(x) case x: return #x;
    E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE)
    E(CL_COMPILER_NOT_AVAILABLE) E(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP)
    E(CL_IMAGE_FORMAT_MISMATCH) E(CL_IMAGE_FORMAT_NOT_SUPPORTED)
    E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE)
    E(CL_MISALIGNED_SUB_BUFFER_OFFSET) E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
    E(CL_COMPILE_PROGRAM_FAILURE) E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE)
    E(CL_DEVICE_PARTITION_FAILED) E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)
    E(CL_INVALID_VALUE) E(CL_INVALID_DEVICE_TYPE) E(CL_INVALID_PLATFORM)
    E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT) E(CL_INVALID_QUEUE_PROPERTIES)
    E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR) E(CL_INVALID_MEM_OBJECT)
    E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
    E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS)
    E(CL_INVALID_PROGRAM) E(CL_INVALID_PROGRAM_EXECUTABLE)
    E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL_DEFINITION) E(CL_INVALID_KERNEL)
    E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
    E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION)
    E(CL_INVALID_WORK_GROUP_SIZE) E(CL_INVALID_WORK_ITEM_SIZE)
    E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST) E(CL_INVALID_EVENT)
    E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
    E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
    E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS)
    E(CL_INVALID_LINKER_OPTIONS) E(CL_INVALID_DEVICE_PARTITION_COUNT)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    }
    static _Thread_local char unknown[48];
    snprintf(unknown, sizeof unknown, "CL_UNKNOWN_ERROR(%d)", (int)err);
    return unknown;
}

clgan_status clgan_fail_cl(cl_int err, const char *call)
{
    clgan_status st = CLGAN_ERR_OPENCL;
    if (err == CL_MEM_OBJECT_ALLOCATION_FAILURE || err == CL_OUT_OF_HOST_MEMORY ||
        err == CL_INVALID_BUFFER_SIZE)
        st = CLGAN_ERR_OUT_OF_MEMORY;
    if (err == CL_BUILD_PROGRAM_FAILURE) st = CLGAN_ERR_BUILD;
    /* Keep the message short: the call text up to its first argument. */
    char name[96];
    size_t n = strcspn(call, "(");
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, call, n);
    name[n] = '\0';
    return clgan_fail(st, "%s failed: %s (%d)", name, clgan_cl_error_name(err), (int)err);
}

int clgan_version(void) { return CLGAN_VERSION_MAJOR * 10000 + CLGAN_VERSION_MINOR * 100 + CLGAN_VERSION_PATCH; }
const char *clgan_version_string(void) { return CLGAN_VERSION_STRING; }
