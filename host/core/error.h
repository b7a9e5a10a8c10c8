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

/* clgan_fail is public (clgan/core.h). */

/* Like clgan_fail, but prefixes the existing message with more context:
 * "conv2d forward: <old message>". Returns the status unchanged. */
clgan_status clgan_fail_context(clgan_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void clgan_clear_error(void);

/* Copy n bytes of s (which may hold any bytes: NUL, control characters,
 * invalid UTF-8) into buf for a message: printable ASCII as is, a backslash
 * as "\\", every other byte as "\xNN". Text that does not fit in cap bytes
 * is cut (never inside an escape) and ends in "...". buf is always
 * NUL-terminated when cap > 0. Returns buf, so it can be a printf argument:
 *   char esc[CLGAN_ESCAPE_CAP];
 *   clgan_fail(..., "unknown model '%s'", clgan_escape(m, strlen(m), esc, sizeof esc));
 * Every message that quotes bytes read from a file goes through this. */
const char *clgan_escape(const void *s, size_t n, char *buf, size_t cap);
/* The same for a NUL-terminated string, clgan_escape_str, and CLGAN_ESCAPE_CAP
 * are public (clgan/core.h). */

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
