/* selftest.c — clgan_selftest(): every op family's checks, in one table. */
#include "check.h"

#include <string.h>

typedef void (*check_group_fn)(check_run *run);
static const struct { const char *name; check_group_fn fn; } check_groups[] = {
    {"activation", check_activation},
    {"mbstd", check_mbstd},
    {"batchnorm", check_batchnorm},
    {"pooling", check_pooling},
    {"shape_ops", check_shape_ops},
    {"random", check_random},
    {"loss", check_loss},
    {"optim", check_optim},
    {"init", check_init},
    {"gemm_layers", check_gemm_layers},
    {"weight_norm", check_weight_norm},
};

clgan_status clgan_selftest(clgan_ctx *ctx, const char *pattern, clgan_check_cb cb, void *user, int *failed)
{
    if (!ctx) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_selftest: ctx is NULL");
    check_run run = {ctx, pattern, cb, user, 0, 0};
    for (size_t i = 0; i < sizeof check_groups / sizeof check_groups[0]; i++) check_groups[i].fn(&run);
    if (failed) *failed = run.failed;
    if (run.run == 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "no self-test check matches '%s'", pattern ? pattern : "");
    return CLGAN_OK;
}
