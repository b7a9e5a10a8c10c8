/* test_util.h — what the C test programs share: the pass/fail macros
 * (test_expect.h: EXPECT, MUST, test_finish), WANT(...) for a list of
 * strings a message must hold, and rewrite_section(), which forges
 * checkpoint variants. */
#ifndef CLGAN_TEST_UTIL_H
#define CLGAN_TEST_UTIL_H
#include "test_expect.h"
#include "io/container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* WANT("a", "b"): a NULL-terminated list of the strings a message must hold. */
#define WANT(...) (const char *const[]){__VA_ARGS__, NULL}

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
