/* selftest.c — clgan_selftest(): every op family's checks, in the order of
 * check_groups.def. */
#include "check.h"

#include <string.h>

typedef void (*check_group_fn)(check_run *run);
static const check_group_fn check_groups[] = {
#define CLGAN_CHECK_GROUP(name) check_##name,
#include "check_groups.def"
#undef CLGAN_CHECK_GROUP
};

clgan_status clgan_selftest(clgan_ctx *ctx, const char *pattern, clgan_check_cb cb, void *user, int *failed)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_selftest: ctx is NULL");
    check_run run = {ctx, pattern, cb, user, 0, 0};
    for (size_t i = 0; i < sizeof check_groups / sizeof check_groups[0]; i++) check_groups[i](&run);
    if (failed) *failed = run.failed;
    if (run.run == 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "no self-test check matches '%s'", pattern ? pattern : "");
    return CLGAN_OK;
}
