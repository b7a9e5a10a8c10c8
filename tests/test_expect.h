/* test_expect.h — the pass/fail macros of the C test programs, over the
 * public header only (the api_* tests use nothing else).
 * EXPECT(cond, fmt, ...) prints "ok"/"FAIL" and counts failures; MUST(expr)
 * stops the test when a clgan call fails; test_finish() prints the count and
 * gives the exit status. */
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
#endif
