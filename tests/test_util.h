/* test_util.h — the pass/fail macros shared by the C test programs.
 * EXPECT(cond, fmt, ...) prints "ok"/"FAIL" and counts failures; MUST(expr)
 * stops the test when a clgan call fails; test_finish() prints the count and
 * gives the exit status; rewrite_section() forges checkpoint variants. */
#ifndef CLGAN_TEST_UTIL_H
#define CLGAN_TEST_UTIL_H
#include "clgan.h"
#include "io/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* Copy a checkpoint, replacing the text of one section (to forge
 * mismatched or wrong-kind files). */
static inline void rewrite_section(const char *src, const char *dst, const char *name, const char *text)
{
    clgan_ckpt_reader *r;
    clgan_ckpt_writer *w;
    MUST(clgan_ckpt_open(src, &r));
    MUST(clgan_ckpt_begin(dst, &w));
    for (int i = 0; i < clgan_ckpt_section_count(r); i++) {
        const char *sn;
        const void *d;
        size_t n;
        MUST(clgan_ckpt_section_at(r, i, &sn, &d, &n));
        if (!strcmp(sn, name)) MUST(clgan_ckpt_add_string(w, sn, text));
        else MUST(clgan_ckpt_add(w, sn, d, n));
    }
    MUST(clgan_ckpt_commit(w));
    clgan_ckpt_close(r);
}
#endif
