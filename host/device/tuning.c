/* tuning.c — the per-device GEMM tuning file: parse, format, load, save and
 * install into CLBlast (see tuning.h). */
#include "tuning.h"

#include <clblast_c.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/sha256.h"

#ifndef CLGAN_CLBLAST_VERSION
#define CLGAN_CLBLAST_VERSION "unknown"
#endif
#define TUNING_MAGIC "clgan-tuning 1"
#define TUNING_MAX_BYTES 65536

const char *clgan_clblast_version(void) { return CLGAN_CLBLAST_VERSION; }

/* ---- text --------------------------------------------------------------- */

/* Copy the value of a "key value" line into dst; 0 if it does not fit. */
static int take_value(const char *v, size_t n, char *dst, size_t cap)
{
    if (n >= cap) return 0;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 1;
}

static int parse_number(const char *v, size_t n, double *out)
{
    char buf[64];
    if (!n || n >= sizeof buf) return 0;
    memcpy(buf, v, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (*end || errno || !(d >= 0 && d < 1e12)) return 0;
    *out = d;
    return 1;
}

/* The parameter names CLBlast 1.5 takes per kernel family, in order. A file
 * may hold only these families, each with exactly these names: anything
 * else would reach CLBlast unchecked (a zero tile size divides by zero in
 * it at the first GEMM of every process on the device). */
static const char *const known_direct[] = {"WGD", "MDIMCD", "NDIMCD", "MDIMAD", "NDIMBD",
                                           "KWID", "VWMD", "VWND", "PADA", "PADB", NULL};
static const char *const known_indirect[] = {"GEMMK", "MWG", "NWG", "KWG", "MDIMC", "NDIMC", "MDIMA", "NDIMB", "KWI",
                                             "VWM", "VWN", "STRM", "STRN", "SA", "SB", "KREG", NULL};
static const char *const known_routine[] = {"XGEMM_MIN_INDIRECT_SIZE", NULL};
static const char *const may_be_zero[] = {"PADA", "PADB", "GEMMK", "STRM", "STRN", "SA", "SB",
                                          "XGEMM_MIN_INDIRECT_SIZE", NULL};

static int in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name)) return 1;
    return 0;
}

/* Names in order, each once; values > 0 unless allowed, at most 4096 (a tile
 * or vector size) or 2^20 (the switch size, cubed by CLBlast in 64 bits). */
static int set_is_known(const clgan_tuning_set *s)
{
    const char *const *names = !strcmp(s->kernel, "XgemmDirect") ? known_direct
                               : !strcmp(s->kernel, "Xgemm")     ? known_indirect
                               : !strcmp(s->kernel, "GemmRoutine") ? known_routine
                                                                   : NULL;
    if (!names) return 0;
    int n = 0;
    while (names[n]) n++;
    if (s->count != n) return 0;
    for (int p = 0; p < n; p++) {
        if (strcmp(s->names[p], names[p])) return 0;
        size_t cap = names == known_routine ? (size_t)1 << 20 : 4096;
        if (s->values[p] > cap || (!s->values[p] && !in_list(may_be_zero, names[p]))) return 0;
    }
    return 1;
}

/* "set KERNEL NAME=V NAME=V ..." */
static int parse_set(const char *v, size_t n, clgan_tuning_set *s)
{
    memset(s, 0, sizeof *s);
    size_t i = 0;
    while (i < n && v[i] != ' ') i++;
    if (!i || !take_value(v, i, s->kernel, sizeof s->kernel)) return 0;
    while (i < n) {
        while (i < n && v[i] == ' ') i++;
        if (i == n) break;
        size_t a = i;
        while (i < n && v[i] != '=' && v[i] != ' ') i++;
        if (i == n || v[i] != '=' || i == a || s->count == CLGAN_TUNING_MAX_PARAMS) return 0;
        if (!take_value(v + a, i - a, s->names[s->count], sizeof s->names[0])) return 0;
        size_t b = ++i;
        size_t value = 0;
        while (i < n && v[i] >= '0' && v[i] <= '9') {
            if (value > (size_t)1 << 24) return 0; /* range-checked per name in set_is_known */
            value = value * 10 + (size_t)(v[i++] - '0');
        }
        if (i == b || (i < n && v[i] != ' ')) return 0;
        s->values[s->count++] = value;
    }
    return s->count > 0;
}

clgan_status clgan_tuning_parse(const char *text, size_t len, clgan_tuning *t)
{
    memset(t, 0, sizeof *t);
    if (!text || len > TUNING_MAX_BYTES)
        return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: empty or larger than %d bytes", TUNING_MAX_BYTES);
    /* The checksum line is the last one; it covers every byte before it. */
    const char *sum_line = NULL;
    for (size_t i = 0; i + 7 <= len; i++)
        if ((i == 0 || text[i - 1] == '\n') && !memcmp(text + i, "sha256 ", 7)) sum_line = text + i;
    if (!sum_line) return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: no sha256 line (truncated?)");
    size_t body = (size_t)(sum_line - text), rest = len - body;
    if (rest < 7 + 64 || (rest > 7 + 64 && !(rest == 7 + 65 && sum_line[71] == '\n')))
        return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: the sha256 line is not 64 hex digits");
    uint8_t digest[32];
    char hex[65];
    clgan_sha256(text, body, digest);
    clgan_sha256_hex(digest, hex);
    if (memcmp(hex, sum_line + 7, 64) != 0)
        return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: checksum mismatch (damaged or edited)");
    int line_no = 0, have = 0;
    for (size_t i = 0; i < body;) {
        size_t e = i;
        while (e < body && text[e] != '\n') e++;
        if (e == body) return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: line %d has no end", line_no + 1);
        const char *l = text + i;
        size_t n = e - i;
        i = e + 1;
        line_no++;
        if (line_no == 1) {
            if (n != strlen(TUNING_MAGIC) || memcmp(l, TUNING_MAGIC, n)) {
                char esc[CLGAN_ESCAPE_CAP];
                return clgan_fail(CLGAN_ERR_FORMAT,
                                  "tuning file: line 1 is '%s', not '%s' (another format or version)",
                                  clgan_escape(l, n, esc, sizeof esc), TUNING_MAGIC);
            }
            continue;
        }
        size_t k = 0;
        while (k < n && l[k] != ' ') k++;
        const char *v = k < n ? l + k + 1 : l + n;
        size_t vn = k < n ? n - k - 1 : 0;
        int ok = 1;
#define KEY(s) (k == strlen(s) && !memcmp(l, s, k))
        if (KEY("platform")) ok = take_value(v, vn, t->platform, sizeof t->platform), have |= 1;
        else if (KEY("device")) ok = take_value(v, vn, t->device, sizeof t->device), have |= 2;
        else if (KEY("driver")) ok = take_value(v, vn, t->driver, sizeof t->driver), have |= 4;
        else if (KEY("clblast")) ok = take_value(v, vn, t->clblast, sizeof t->clblast), have |= 8;
        else if (KEY("created")) ok = take_value(v, vn, t->created, sizeof t->created);
        else if (KEY("models")) ok = take_value(v, vn, t->models, sizeof t->models);
        else if (KEY("gemm_ms_default")) ok = parse_number(v, vn, &t->gemm_ms_default);
        else if (KEY("gemm_ms_tuned")) ok = parse_number(v, vn, &t->gemm_ms_tuned);
        else if (KEY("set")) {
            if (t->set_count == CLGAN_TUNING_MAX_SETS)
                return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: more than %d parameter sets", CLGAN_TUNING_MAX_SETS);
            ok = parse_set(v, vn, &t->sets[t->set_count]) && set_is_known(&t->sets[t->set_count]);
            for (int q = 0; ok && q < t->set_count; q++) /* one set per family */
                ok = strcmp(t->sets[q].kernel, t->sets[t->set_count].kernel) != 0;
            t->set_count++;
        } else
            ok = 1; /* unknown keys from a newer writer are skipped */
#undef KEY
        if (!ok) {
            char esc[CLGAN_ESCAPE_CAP];
            return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: line %d is malformed: '%s'", line_no,
                              clgan_escape(l, n, esc, sizeof esc));
        }
    }
    if (line_no == 0) return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: empty");
    if (have != 15)
        return clgan_fail(CLGAN_ERR_FORMAT, "tuning file: platform, device, driver or clblast line missing");
    return CLGAN_OK;
}

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0) return 0;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return 1;
        }
        size_t ncap = *cap * 2 + (size_t)n;
        char *nb = realloc(*buf, ncap);
        if (!nb) return 0;
        *buf = nb, *cap = ncap;
    }
}

char *clgan_tuning_format(const clgan_tuning *t)
{
    size_t cap = 2048, len = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    buf[0] = '\0';
    int ok = append(&buf, &len, &cap, "%s\nplatform %s\ndevice %s\ndriver %s\nclblast %s\ncreated %s\nmodels %s\n",
                    TUNING_MAGIC, t->platform, t->device, t->driver, t->clblast, t->created, t->models) &&
             append(&buf, &len, &cap, "gemm_ms_default %.4f\ngemm_ms_tuned %.4f\n", t->gemm_ms_default,
                    t->gemm_ms_tuned);
    for (int s = 0; ok && s < t->set_count; s++) {
        ok = append(&buf, &len, &cap, "set %s", t->sets[s].kernel);
        for (int p = 0; ok && p < t->sets[s].count; p++)
            ok = append(&buf, &len, &cap, " %s=%zu", t->sets[s].names[p], t->sets[s].values[p]);
        ok = ok && append(&buf, &len, &cap, "\n");
    }
    uint8_t digest[32];
    char hex[65];
    clgan_sha256(buf, len, digest);
    clgan_sha256_hex(digest, hex);
    ok = ok && append(&buf, &len, &cap, "sha256 %s\n", hex);
    if (!ok) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- files --------------------------------------------------------------- */

void clgan_tuning_path(const char *cache_dir, const clgan_device_info *info, char *path, size_t cap)
{
    if (!path || cap == 0) return;
    path[0] = '\0';
    if (!cache_dir || !info) return;
    clgan_sha256_state h;
    clgan_sha256_init(&h);
    const char *parts[] = {info->platform_name, info->device_name, info->driver_version, clgan_clblast_version()};
    for (int i = 0; i < 4; i++) clgan_sha256_update(&h, parts[i], strlen(parts[i]) + 1);
    uint8_t digest[32];
    char hex[65];
    clgan_sha256_final(&h, digest);
    clgan_sha256_hex(digest, hex);
    snprintf(path, cap, "%s/tuning/%.16s.txt", cache_dir, hex);
}

clgan_status clgan_tuning_load(const char *cache_dir, const clgan_device_info *info, clgan_tuning *t)
{
    memset(t, 0, sizeof *t);
    if (!cache_dir || !*cache_dir) return clgan_fail(CLGAN_ERR_IO, "no cache folder (the disk cache is off)");
    char path[1200];
    clgan_tuning_path(cache_dir, info, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) return clgan_fail(CLGAN_ERR_IO, "no tuning file %s", path);
    char *text = malloc(TUNING_MAX_BYTES + 1);
    size_t n = text ? fread(text, 1, TUNING_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!text) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading %s", path);
    clgan_status st = clgan_tuning_parse(text, n, t);
    free(text);
    if (st != CLGAN_OK) return clgan_fail_context(st, "%s", path);
    const char *what = NULL, *file = NULL, *here = NULL;
    if (strcmp(t->platform, info->platform_name)) what = "platform", file = t->platform, here = info->platform_name;
    else if (strcmp(t->device, info->device_name)) what = "device", file = t->device, here = info->device_name;
    else if (strcmp(t->driver, info->driver_version))
        what = "driver version", file = t->driver, here = info->driver_version;
    else if (strcmp(t->clblast, clgan_clblast_version()))
        what = "CLBlast version", file = t->clblast, here = clgan_clblast_version();
    if (what) {
        char esc[CLGAN_ESCAPE_CAP];
        return clgan_fail(CLGAN_ERR_FORMAT, "%s: stale: written for %s '%s', not '%s'; run 'clgan tune' again", path,
                          what, clgan_escape_str(file, esc, sizeof esc), here);
    }
    return CLGAN_OK;
}

clgan_status clgan_tuning_save(const char *cache_dir, const clgan_tuning *t)
{
    if (!t) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_tuning_save: the tuning is NULL");
    if (!cache_dir || !*cache_dir)
        return clgan_fail(CLGAN_ERR_IO, "cannot save the tuning: the disk cache is off (CLGAN_CACHE_DIR)");
    clgan_device_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.platform_name, sizeof info.platform_name, "%s", t->platform);
    snprintf(info.device_name, sizeof info.device_name, "%s", t->device);
    snprintf(info.driver_version, sizeof info.driver_version, "%s", t->driver);
    char path[1200], dir[1100];
    clgan_tuning_path(cache_dir, &info, path, sizeof path);
    snprintf(dir, sizeof dir, "%s/tuning", cache_dir);
    if (clgan_make_dirs(dir) != 0)
        return clgan_fail(CLGAN_ERR_IO, "cannot create the folder %s: %s", dir, strerror(errno));
    char *text = clgan_tuning_format(t);
    if (!text) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory formatting the tuning file");
    clgan_status st = clgan_write_file_atomic(path, text, strlen(text));
    free(text);
    return st;
}

/* ---- CLBlast ---------------------------------------------------------------- */

/* Devices whose CLBlast parameters this process has overridden: CLBlast
 * keeps overrides per device for the life of the process, whatever context
 * installed them. */
#define OVERRIDDEN_MAX 64
static cl_device_id overridden[OVERRIDDEN_MAX];
static int overridden_count;

void clgan_tuning_mark_overridden(cl_device_id device)
{
    for (int i = 0; i < overridden_count; i++)
        if (overridden[i] == device) return;
    if (overridden_count < OVERRIDDEN_MAX) overridden[overridden_count++] = device;
}

int clgan_tuning_overridden(cl_device_id device)
{
    for (int i = 0; i < overridden_count; i++)
        if (overridden[i] == device) return 1;
    return 0;
}

clgan_status clgan_tuning_install(clgan_ctx *ctx, const clgan_tuning *t)
{
    if (t->set_count) clgan_tuning_mark_overridden(ctx->device);
    for (int s = 0; s < t->set_count; s++) {
        const clgan_tuning_set *set = &t->sets[s];
        const char *names[CLGAN_TUNING_MAX_PARAMS];
        for (int p = 0; p < set->count; p++) names[p] = set->names[p];
        CLBlastStatusCode st = CLBlastOverrideParameters(ctx->device, set->kernel, CLBlastPrecisionSingle,
                                                         (size_t)set->count, names, set->values);
        if (st != CLBlastSuccess)
            return clgan_fail(CLGAN_ERR_CLBLAST, "CLBlastOverrideParameters(%s) refused the tuned set (status %d)",
                              set->kernel, (int)st);
    }
    return CLGAN_OK;
}

clgan_status clgan_tuning_env(int *use)
{
    if (!use) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_tuning_env: use is NULL");
    const char *env = getenv("CLGAN_GEMM_TUNED");
    *use = 1;
    if (!env || !*env || !strcmp(env, "1")) return CLGAN_OK;
    if (!strcmp(env, "0")) {
        *use = 0;
        return CLGAN_OK;
    }
    char esc[CLGAN_ESCAPE_CAP];
    return clgan_fail(CLGAN_ERR_INVALID_ARG,
                      "CLGAN_GEMM_TUNED='%s' is not 0 or 1: use 0 for CLBlast's defaults, 1 (or unset) for the "
                      "device's tuning file",
                      clgan_escape_str(env, esc, sizeof esc));
}

void clgan_tuning_apply_on_create(clgan_ctx *ctx)
{
    int use = 1;
    if (clgan_tuning_env(&use) != CLGAN_OK || !use) return; /* a bad value fails clgan_ctx_create first */
    clgan_tuning t;
    clgan_status st = clgan_tuning_load(ctx->cache_dir, &ctx->info, &t);
    if (st == CLGAN_ERR_IO) return; /* untuned: the training commands suggest `clgan tune` */
    if (st == CLGAN_OK) st = clgan_tuning_install(ctx, &t);
    if (st != CLGAN_OK) {
        fprintf(stderr, "clgan: note: ignoring the GEMM tuning file: %s\n", clgan_last_error());
        return;
    }
    ctx->tuning = malloc(sizeof *ctx->tuning);
    if (ctx->tuning) *ctx->tuning = t;
}
