/* net_checkpoint.c — nets and settings lines in checkpoint containers. */
#include "net_checkpoint.h"

#include "core/finite.h"
#include "models/arch.h"
#include "train/settings.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const block_names[] = {"params", "state", "opt_m", "opt_v"}; /* by clgan_net_block */
static const char *const block_what[] = {"parameters", "batchnorm statistics", "optimizer state (first moments)",
                                         "optimizer state (second moments)"};

clgan_status clgan_ckpt_add_floats(clgan_ckpt_writer *w, const char *name, const char *what, const float *v,
                                   size_t n)
{
    size_t bad = clgan_count_nonfinite(v, n);
    if (bad)
        return clgan_fail(CLGAN_ERR_CHECK_FAILED, "%s contain %zu non-finite value%s (of %zu); checkpoint not written",
                          what, bad, bad == 1 ? "" : "s", n);
    return clgan_ckpt_add(w, name, v, n * sizeof *v);
}

void clgan_ckpt_warn_nonfinite(const char *path, const char *name, const float *v, size_t n)
{
    size_t bad = clgan_count_nonfinite(v, n);
    if (bad)
        fprintf(stderr,
                "clgan: warning: checkpoint %s: section %s holds %zu non-finite value%s (NaN or infinity) of %zu; "
                "results from it will be meaningless\n",
                path, name, bad, bad == 1 ? "" : "s", n);
}

clgan_status clgan_ckpt_add_net(clgan_ckpt_writer *w, const char *tag, clgan_net *net, unsigned blocks)
{
    char name[64], what[96], layout[4096];
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
        snprintf(what, sizeof what, "%s of %s", block_what[b], tag);
        if (st == CLGAN_OK) st = clgan_ckpt_add_floats(w, name, what, buf, n);
        free(buf);
        TRY(st);
    }
    return CLGAN_OK;
}

clgan_status clgan_ckpt_check_net_size(const clgan_ckpt_reader *r, const char *path, const char *tag, int in_c,
                                       int in_h, int in_w, const clgan_layer_spec *specs, int n_layers,
                                       unsigned blocks)
{
    size_t params = 0, state = 0;
    clgan_status st = clgan_net_specs_size(in_c, in_h, in_w, specs, n_layers, &params, &state);
    if (st != CLGAN_OK) return clgan_fail_context(st, "checkpoint %s: the architecture of %s", path, tag);
    for (int b = CLGAN_NET_PARAMS; b <= CLGAN_NET_OPT_V; b++) {
        if (!(blocks & CLGAN_BLOCK_BIT(b))) continue;
        char name[64];
        const void *data;
        size_t bytes, need = (b == CLGAN_NET_STATE ? state : params) * sizeof(float);
        snprintf(name, sizeof name, "%s.%s", tag, block_names[b]);
        TRY(clgan_ckpt_find(r, name, &data, &bytes));
        if (bytes < need)
            return clgan_fail(CLGAN_ERR_FORMAT,
                              "checkpoint %s: by its settings, %s needs %zu %s (%.1f MiB), but section %s holds only "
                              "%zu bytes: the file is damaged or its settings were changed",
                              path, tag, b == CLGAN_NET_STATE ? state : params, block_what[b],
                              need / (1024.0 * 1024.0), name, bytes);
    }
    return CLGAN_OK;
}

/* text with each line escaped (clgan_escape), line breaks kept. */
static void escape_lines(const char *text, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    while (*text && used + 1 < cap) {
        size_t n = strcspn(text, "\n");
        char esc[CLGAN_ESCAPE_CAP];
        used += (size_t)snprintf(out + used, cap - used, "%s%s", clgan_escape(text, n, esc, sizeof esc),
                                 text[n] ? "\n" : "");
        text += n + (text[n] ? 1 : 0);
    }
}

clgan_status clgan_ckpt_load_net(const clgan_ckpt_reader *r, const char *path, const char *tag, clgan_net *net,
                                 unsigned blocks)
{
    char name[64], want[4096], got[4096];
    clgan_net_describe(net, want, sizeof want);
    snprintf(name, sizeof name, "%s.layout", tag);
    TRY(clgan_ckpt_get_string(r, name, got, sizeof got));
    if (strcmp(want, got) != 0) {
        static _Thread_local char shown[8192];
        escape_lines(got, shown, sizeof shown);
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: %s's layers do not match the architecture it names.\n"
                          "in the file:\n%s\nexpected:\n%s", path, tag, shown, want);
    }
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
        clgan_ckpt_warn_nonfinite(path, name, buf, n);
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
    return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is missing", path, key);
}

/* "checkpoint PATH", the start of the readers' messages. */
static const char *where_of(const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "checkpoint %s", path);
    return buf;
}

clgan_status clgan_kv_i64(const char *path, const char *text, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
    char where[4200];
    const char *v = clgan_kv(text, key);
    if (!v) return clgan_kv_missing(path, key);
    return clgan_value_i64(CLGAN_ERR_FORMAT, where_of(path, where, sizeof where), key, v, strcspn(v, " "), lo, hi, out);
}

clgan_status clgan_kv_int(const char *path, const char *text, const char *key, int lo, int hi, int *out)
{
    int64_t x;
    TRY(clgan_kv_i64(path, text, key, lo, hi, &x));
    *out = (int)x;
    return CLGAN_OK;
}

clgan_status clgan_kv_u64(const char *path, const char *text, const char *key, uint64_t *out)
{
    char where[4200];
    const char *v = clgan_kv(text, key);
    if (!v) return clgan_kv_missing(path, key);
    return clgan_value_u64(CLGAN_ERR_FORMAT, where_of(path, where, sizeof where), key, v, strcspn(v, " "), out);
}

clgan_status clgan_kv_float(const char *path, const char *text, const char *key, double lo, double hi,
                            unsigned open, float *out)
{
    char where[4200];
    const char *v = clgan_kv(text, key);
    if (!v) return clgan_kv_missing(path, key);
    return clgan_value_float(CLGAN_ERR_FORMAT, where_of(path, where, sizeof where), key, v, strcspn(v, " "), lo, hi,
                             open, out);
}

clgan_status clgan_kv_word(const char *path, const char *text, const char *key, char *buf, size_t cap)
{
    const char *v = clgan_kv(text, key);
    if (!v) return clgan_kv_missing(path, key);
    size_t n = strcspn(v, " ");
    if (n == 0 || n >= cap) {
        char esc[CLGAN_ESCAPE_CAP];
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is '%s': it must be 1 to %zu bytes long", path,
                          key, clgan_escape(v, n, esc, sizeof esc), cap - 1);
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    return CLGAN_OK;
}

clgan_status clgan_kv_bad_word(const char *path, const char *key, const char *value, const char *allowed)
{
    char esc[CLGAN_ESCAPE_CAP];
    return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: setting '%s' is '%s'; expected %s", path, key,
                      clgan_escape_str(value, esc, sizeof esc), allowed);
}

clgan_status clgan_ckpt_add_class_names(clgan_ckpt_writer *w, int K, const char (*names)[64])
{
    char *text = malloc((size_t)K * 64 + 1);
    if (!text) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory writing a checkpoint");
    char *at = text;
    for (int k = 0; k < K; k++) {
        for (const char *c = names[k]; *c && c < names[k] + 63; c++) *at++ = (unsigned char)*c < 0x20 || *c == 0x7f ? ' ' : *c;
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
        snprintf(names[k], 64, "%.*s", (int)(len < 63 ? len : 63), p);
        for (char *c = names[k++]; *c; c++) /* printed in reports: never a terminal escape from a file */
            if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
        p = nl + 1;
    }
    if (k != K || p != end)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section class_names does not hold %d names", path, K);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_read_class_names(const clgan_ckpt_reader *r, const char *path, int K, char (**names)[64])
{
    *names = calloc((size_t)K, sizeof **names);
    if (!*names) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading a checkpoint");
    clgan_status st = clgan_ckpt_get_class_names(r, path, K, *names);
    if (st != CLGAN_OK) {
        free(*names);
        *names = NULL;
    }
    return st;
}

clgan_status clgan_ckpt_check_kind(const clgan_ckpt_reader *r, const char *path, const char *kind, const char *what)
{
    char got[32], esc[CLGAN_ESCAPE_CAP];
    TRY(clgan_ckpt_get_string(r, "kind", got, sizeof got));
    if (strcmp(got, kind) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a '%s' checkpoint, not %s", path, clgan_escape_str(got, esc, sizeof esc),
                          what);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_get_step(const clgan_ckpt_reader *r, const char *path, int64_t *step)
{
    TRY(clgan_ckpt_get_i64(r, "step", step));
    if (*step < 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: step count %lld is negative", path, (long long)*step);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_finish(clgan_ckpt_writer *w, clgan_status st, const char *path)
{
    if (st != CLGAN_OK) {
        clgan_ckpt_abort(w);
        return clgan_fail_context(st, "writing checkpoint %s", path);
    }
    return clgan_ckpt_commit(w);
}

clgan_status clgan_ckpt_add_arch_text(clgan_ckpt_writer *w, const char *name, const char *text)
{
    return clgan_ckpt_add_string(w, name, text);
}

clgan_status clgan_ckpt_get_arch_text(const clgan_ckpt_reader *r, const char *path, const char *name, char **text)
{
    *text = NULL;
    if (!clgan_ckpt_has(r, name)) return CLGAN_OK;
    const void *data;
    size_t n;
    TRY(clgan_ckpt_find(r, name, &data, &n));
    if (n > CLGAN_ARCH_MAX_TEXT)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: architecture %s has %zu bytes (at most %d)", path, name, n,
                          CLGAN_ARCH_MAX_TEXT);
    char *t = malloc(n + 1);
    if (!t) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading checkpoint %s", path);
    clgan_status st = clgan_ckpt_get_string(r, name, t, n + 1);
    if (st != CLGAN_OK) {
        free(t);
        return st;
    }
    *text = t;
    return CLGAN_OK;
}

clgan_status clgan_ckpt_file_arch_text(const char *path, const char *name, char **text)
{
    clgan_ckpt_reader *r;
    *text = NULL;
    TRY(clgan_ckpt_open(path, &r));
    clgan_status st = clgan_ckpt_get_arch_text(r, path, name, text);
    clgan_ckpt_close(r);
    return st;
}
