/* net_checkpoint.c — nets and settings lines in checkpoint containers. */
#include "net_checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const block_names[] = {"params", "state", "opt_m", "opt_v"}; /* by clgan_net_block */

clgan_status clgan_ckpt_add_net(clgan_ckpt_writer *w, const char *tag, clgan_net *net, unsigned blocks)
{
    char name[64], layout[4096];
    clgan_net_describe(net, layout, sizeof layout);
    snprintf(name, sizeof name, "%s.layout", tag);
    TRY(clgan_ckpt_add_string(w, name, layout));
    for (int b = CLGAN_NET_PARAMS; b <= CLGAN_NET_OPT_V; b++) {
        if (!(blocks & CLGAN_BLOCK_BIT(b))) continue;
        size_t n = clgan_net_block_floats(net, (clgan_net_block)b);
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
        clgan_status st = clgan_net_read_block(net, (clgan_net_block)b, buf);
        snprintf(name, sizeof name, "%s.%s", tag, block_names[b]);
        if (st == CLGAN_OK) st = clgan_ckpt_add(w, name, buf, n * sizeof *buf);
        free(buf);
        TRY(st);
    }
    return CLGAN_OK;
}

clgan_status clgan_ckpt_load_net(const clgan_ckpt_reader *r, const char *path, const char *tag, clgan_net *net,
                                 unsigned blocks)
{
    char name[64], want[4096], got[4096];
    clgan_net_describe(net, want, sizeof want);
    snprintf(name, sizeof name, "%s.layout", tag);
    TRY(clgan_ckpt_get_string(r, name, got, sizeof got));
    if (strcmp(want, got) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: %s's layers do not match the architecture it names.\n"
                          "in the file:\n%s\nexpected:\n%s", path, tag, got, want);
    for (int b = CLGAN_NET_PARAMS; b <= CLGAN_NET_OPT_V; b++) {
        if (!(blocks & CLGAN_BLOCK_BIT(b))) continue;
        size_t n = clgan_net_block_floats(net, (clgan_net_block)b);
        const void *data;
        size_t bytes;
        snprintf(name, sizeof name, "%s.%s", tag, block_names[b]);
        TRY(clgan_ckpt_find(r, name, &data, &bytes));
        if (bytes != n * sizeof(float))
            return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section %s holds %zu bytes, the architecture needs %zu",
                              path, name, bytes, n * sizeof(float));
        float *buf = malloc((n ? n : 1) * sizeof *buf);
        if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
        memcpy(buf, data, bytes);
        clgan_status st = clgan_net_write_block(net, (clgan_net_block)b, buf);
        free(buf);
        TRY(st);
    }
    return CLGAN_OK;
}

const char *clgan_kv(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = text; (p = strstr(p, key)); p += n)
        if ((p == text || p[-1] == ' ') && p[n] == '=') return p + n + 1;
    return NULL;
}

clgan_status clgan_kv_missing(const char *path, const char *key)
{
    return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is missing or malformed", path, key);
}

clgan_status clgan_kv_int(const char *path, const char *text, const char *key, int *out)
{
    const char *v = clgan_kv(text, key);
    return v && sscanf(v, "%d", out) == 1 ? CLGAN_OK : clgan_kv_missing(path, key);
}

clgan_status clgan_kv_float(const char *path, const char *text, const char *key, float *out)
{
    const char *v = clgan_kv(text, key);
    return v && sscanf(v, "%f", out) == 1 ? CLGAN_OK : clgan_kv_missing(path, key);
}

clgan_status clgan_kv_u64(const char *path, const char *text, const char *key, uint64_t *out)
{
    const char *v = clgan_kv(text, key);
    unsigned long long u;
    if (!v || v[0] == '-' || sscanf(v, "%llu", &u) != 1) return clgan_kv_missing(path, key);
    *out = u;
    return CLGAN_OK;
}

clgan_status clgan_ckpt_add_class_names(clgan_ckpt_writer *w, int K, const char (*names)[64])
{
    char *text = malloc((size_t)K * 64 + 1);
    if (!text) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
    char *at = text;
    for (int k = 0; k < K; k++) {
        for (const char *c = names[k]; *c && c < names[k] + 63; c++) *at++ = *c == '\n' || *c == '\r' ? ' ' : *c;
        *at++ = '\n';
    }
    *at = '\0';
    clgan_status st = clgan_ckpt_add_string(w, "class_names", text);
    free(text);
    return st;
}

clgan_status clgan_ckpt_get_class_names(const clgan_ckpt_reader *r, const char *path, int K, char (*names)[64])
{
    const void *data;
    size_t bytes;
    TRY(clgan_ckpt_find(r, "class_names", &data, &bytes));
    const char *p = data, *end = p + bytes;
    int k = 0;
    while (p < end && k < K) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        size_t len = (size_t)(nl - p);
        snprintf(names[k++], 64, "%.*s", (int)(len < 63 ? len : 63), p);
        p = nl + 1;
    }
    if (k != K || p != end)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section class_names does not hold %d names", path, K);
    return CLGAN_OK;
}
