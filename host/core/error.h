/* error.h — status/message plumbing shared by every host file.
 *
 * clgan_fail() records a printf-style message for clgan_last_error() and
 * returns the status, so failure paths read:  return clgan_fail(ST, "...");
 * CL_TRY wraps an OpenCL call: on error it records the call text and the
 * OpenCL error name and returns from the enclosing function.
 */
#ifndef CLGAN_ERROR_H
#define CLGAN_ERROR_H

#include "clgan.h"
#include "cl_include.h"

clgan_status clgan_fail(clgan_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Like clgan_fail, but prefixes the existing message with more context:
 * "conv2d forward: <old message>". Returns the status unchanged. */
clgan_status clgan_fail_context(clgan_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void clgan_clear_error(void);

/* "CL_OUT_OF_RESOURCES" for -5, "CL_UNKNOWN_ERROR(-1234)" otherwise. */
const char *clgan_cl_error_name(cl_int err);

/* Map an OpenCL error from `call` to a status with a readable message. */
clgan_status clgan_fail_cl(cl_int err, const char *call);

#define CL_TRY(call)                                          \
    do {                                                      \
        cl_int cl_try_err_ = (call);                          \
        if (cl_try_err_ != CL_SUCCESS)                        \
            return clgan_fail_cl(cl_try_err_, #call);         \
    } while (0)

/* Propagate a clgan_status from a nested call. */
#define TRY(expr)                                             \
    do {                                                      \
        clgan_status try_st_ = (expr);                        \
        if (try_st_ != CLGAN_OK) return try_st_;              \
    } while (0)

#endif
