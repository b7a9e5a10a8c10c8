/* checkpoint_info.c — clgan/checkpoint.h over the container reader: a
 * checkpoint's kind and its text sections. */
#include "clgan/checkpoint.h"

#include "core/error.h"
#include "io/container.h"

#include <stdlib.h>
#include <string.h>

static const char *const model_kinds[CLGAN_MODEL_KIND_COUNT] = {"clgan-gan", "clgan-classifier", "clgan-ssl",
                                                                "clgan-dfeatures", "clgan-detector"};

clgan_status clgan_checkpoint_kind(const char *path, char *kind, size_t cap, clgan_model_kind *model_kind)
{
    if (!path || !kind || cap == 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_checkpoint_kind: NULL argument");
    if (model_kind) *model_kind = (clgan_model_kind)0;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    const void *data;
    size_t n;
    clgan_status st = clgan_ckpt_find(r, "kind", &data, &n);
    if (st == CLGAN_OK && n >= cap)
        st = clgan_fail(CLGAN_ERR_INVALID_ARG, "checkpoint %s: its kind (%zu bytes) does not fit in %zu bytes", path,
                        n, cap);
    if (st == CLGAN_OK) {
        memcpy(kind, data, n);
        kind[n] = 0;
        for (int k = 0; k < CLGAN_MODEL_KIND_COUNT && model_kind; k++)
            if (!strcmp(kind, model_kinds[k])) *model_kind = (clgan_model_kind)(k + 1);
    }
    clgan_ckpt_close(r);
    return st;
}

clgan_status clgan_checkpoint_section(const char *path, const char *section, void **data, size_t *len)
{
    if (!path || !section || !data || !len)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_checkpoint_section: NULL argument");
    *data = NULL;
    *len = 0;
    clgan_ckpt_reader *r;
    TRY(clgan_ckpt_open(path, &r));
    clgan_status st = CLGAN_OK;
    if (clgan_ckpt_has(r, section)) {
        const void *bytes;
        size_t n;
        st = clgan_ckpt_find(r, section, &bytes, &n);
        char *t = st == CLGAN_OK ? malloc(n + 1) : NULL;
        if (st == CLGAN_OK && !t)
            st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory for %zu bytes of %s", n, section);
        if (t) {
            memcpy(t, bytes, n);
            t[n] = 0;
            *data = t;
            *len = n;
        }
    }
    clgan_ckpt_close(r);
    return st;
}

clgan_status clgan_checkpoint_text(const char *path, const char *section, char **text)
{
    if (!text) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_checkpoint_text: NULL argument");
    size_t len;
    void *data;
    clgan_status st = clgan_checkpoint_section(path, section, &data, &len);
    *text = data;
    return st;
}
