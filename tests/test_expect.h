/* test_expect.h — the pass/fail macros of the C test programs, over the
 * public header only (the api_* tests use nothing else).
 * EXPECT(cond, fmt, ...) prints "ok"/"FAIL" and counts failures; MUST(expr)
 * stops the test when a clgan call fails; test_finish() prints the count and
 * gives the exit status; test_device_or_skip() opens the default device or
 * ends the test as skipped (77); test_device_or_null() opens it or says
 * which part goes untested without one. */
#ifndef CLGAN_TEST_EXPECT_H
#define CLGAN_TEST_EXPECT_H
#include "clgan.h"

#include <stdio.h>
#include <stdlib.h>

static int failures;

#define EXPECT(cond, ...)                                    \
    do {                                                     \
        if (cond) printf("ok   " __VA_ARGS__);               \
        else { printf("FAIL " __VA_ARGS__); failures++; }    \
        printf("\n");                                        \
        fflush(stdout);                                      \
    } while (0)

/* CHECK(cond, fmt, ...): EXPECT's quiet form, printing only a failure, with
 * its file and line. */
#define CHECK(cond, ...)                                    \
    do {                                                    \
        if (!(cond)) {                                      \
            failures++;                                     \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);     \
            printf(__VA_ARGS__);                            \
            printf("\n");                                   \
        }                                                   \
    } while (0)

#define MUST(expr)                                                            \
    do {                                                                      \
        clgan_status must_st_ = (expr);                                       \
        if (must_st_ != CLGAN_OK) {                                           \
            printf("FAIL %s: %s\n", #expr, clgan_last_error());               \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

static inline int test_finish(void)
{
    printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}

/* Whether any OpenCL device is there. */
static inline int test_device_present(void)
{
    int ndev = 0;
    return clgan_device_count(&ndev) != CLGAN_ERR_NO_PLATFORM && ndev > 0;
}

/* A context on the default device; without any device the test ends as skipped (ctest code 77). */
static inline clgan_ctx *test_device_or_skip(void)
{
    if (!test_device_present()) {
        printf("skipped: no OpenCL device\n");
        exit(77);
    }
    clgan_ctx *ctx = NULL;
    MUST(clgan_ctx_create(NULL, &ctx));
    return ctx;
}

/* A context on the default device, or NULL (saying that `untested` is not
 * tested) when there is none: for tests whose host-only part runs anyway. */
static inline clgan_ctx *test_device_or_null(const char *untested)
{
    int ndev = 0;
    if (clgan_device_count(&ndev) == CLGAN_OK && ndev > 0) return test_device_or_skip();
    printf("no OpenCL device: %s not tested\n", untested);
    return NULL;
}
#endif
