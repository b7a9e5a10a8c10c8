/* bench_common.c — what the `clgan bench` suites share: the clgan-bench/1
 * document header (host, device, CLBlast, tuning), results as cJSON
 * objects, the per-result progress line and the closing table, iteration
 * timing, and the atomic --out write. */
#include "bench.h"
#include "cli.h"


#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- options ----------------------------------------------------------------------- */

int bench_parse_out_opt(int argc, char **argv, int *i, bench_out_opts *o)
{
    int bad = 0;
    const char *v;
    if ((v = cli_flag_value(argc, argv, i, "--out", &bad))) {
        if (!*v) {
            fprintf(stderr, "clgan: --out needs a file name\n");
            return -1;
        }
        o->out = v;
        return 1;
    }
    if (bad) return -1;
    if ((v = cli_flag_value(argc, argv, i, "--label", &bad))) {
        o->label = v;
        return 1;
    }
    if (bad) return -1;
    if ((v = cli_flag_value(argc, argv, i, "--device", &bad))) {
        o->device = v;
        return 1;
    }
    if (bad) return -1;
    if (!strcmp(argv[*i], "--json")) {
        o->json = 1;
        return 1;
    }
    return 0;
}

int bench_known_models(const char *suite, char **names, int n)
{
    char all[256];
    snprintf(all, sizeof all, ",%s,", clgan_workload_names());
    for (int i = 0; i < n; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, ",%s,", names[i]);
        if (!strstr(all, pat)) {
            fprintf(stderr, "clgan bench %s: unknown model '%s'; choose from %s\n", suite, names[i],
                    clgan_workload_names());
            return 0;
        }
    }
    return 1;
}

int bench_parse_args(int argc, char **argv, const char *suite, void (*usage)(FILE *f), bench_own_opt own, void *user,
                     bench_out_opts *o)
{
    for (int i = 1; i < argc; i++) {
        int r = bench_parse_out_opt(argc, argv, &i, o);
        if (r == 0) r = own(argc, argv, &i, user);
        if (r < 0) return 2;
        if (r) continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return -1;
        }
        return bench_unknown(suite, argv[i]);
    }
    return 0;
}

int bench_unknown(const char *suite, const char *arg)
{
    fprintf(stderr, "clgan bench %s: unknown option '%s' (see 'clgan bench %s --help')\n", suite, arg, suite);
    return 2;
}

int bench_split(const char *list, char ***items, int cap)
{
    *items = NULL;
    char *copy = strdup(list);
    char **v = calloc((size_t)cap + 1, sizeof *v);
    if (!copy || !v) {
        free(copy);
        free(v);
        return -1;
    }
    int n = 0;
    for (char *p = copy;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p || n == cap) {
            free(copy);
            free(v);
            return -1;
        }
        v[n++] = p;
        if (!comma) break;
        p = comma + 1;
    }
    *items = v; /* v[0] is the start of copy: bench_split_free frees both */
    return n;
}

void bench_split_free(char **items)
{
    if (!items) return;
    free(items[0]);
    free(items);
}

void bench_fill_random(float *v, size_t n, uint64_t seed)
{
    uint64_t x = seed * 2685821657736338717ull + 88172645463325252ull; /* xorshift64 */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = (float)((x >> 11) * (2.0 / 9007199254740992.0) - 1.0);
    }
}

char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *bigger = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2 + 1) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            errno = EFBIG;
            break;
        }
        buf = bigger, cap *= 2;
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (buf && err) {
        free(buf);
        errno = err;
        return NULL;
    }
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int bench_write_atomic(const char *path, const char *text)
{
    size_t n = strlen(text);
    char *line = malloc(n + 2); /* the text with one final newline */
    if (!line) return cli_fail("out of host memory");
    memcpy(line, text, n);
    if (!n || text[n - 1] != '\n') line[n++] = '\n';
    clgan_status st = clgan_write_file_atomic(path, line, n);
    free(line);
    return st == CLGAN_OK ? 0 : cli_fail(NULL);
}

void bench_fmt(char *out, size_t cap, double v)
{
    double a = fabs(v);
    if (!isfinite(v)) snprintf(out, cap, "-");
    else if (a >= 1e9) snprintf(out, cap, "%.3g", v);
    else if (a >= 100) snprintf(out, cap, "%.0f", v);
    else if (a >= 10) snprintf(out, cap, "%.1f", v);
    else if (a >= 1) snprintf(out, cap, "%.2f", v);
    else if (a >= 0.01 || a == 0) snprintf(out, cap, "%.3f", v);
    else snprintf(out, cap, "%.2g", v);
}

/* ---- timing ---------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_stats(const double *v, int n, double *median, double *lo, double *hi)
{
    if (n <= 0) {
        *median = *lo = *hi = NAN;
        return;
    }
    double *s = malloc((size_t)n * sizeof *s);
    if (!s) {
        *median = *lo = *hi = v[0];
        return;
    }
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    *median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    *lo = s[0], *hi = s[n - 1];
    free(s);
}

clgan_status bench_time(clgan_ctx *ctx, bench_fn fn, void *user, int warmup, int reps, double *times_ms)
{
    TRY(clgan_ctx_finish(ctx));
    for (int i = 0; i < warmup; i++) TRY(fn(user));
    TRY(clgan_ctx_finish(ctx));
    for (int i = 0; i < reps; i++) {
        double t0 = bench_now();
        TRY(fn(user));
        TRY(clgan_ctx_finish(ctx));
        times_ms[i] = (bench_now() - t0) * 1e3;
    }
    return CLGAN_OK;
}

/* ---- header ---------------------------------------------------------------------- */

void bench_cpu_name(char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        char *p = strchr(line, ':');
        if (!p) continue;
        for (p++; *p == ' ' || *p == '\t'; p++) {}
        size_t n = strcspn(p, "\r\n");
        snprintf(out, cap, "%.*s", (int)n, p);
        break;
    }
    fclose(f);
}

static void utc_now(char *out, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *device_type_json(clgan_device_type t)
{
    switch (t) {
    case CLGAN_DEVICE_GPU: return "gpu";
    case CLGAN_DEVICE_CPU: return "cpu";
    case CLGAN_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

clgan_status bench_doc_begin(bench_doc *d, const char *suite, clgan_ctx *ctx, int device_index, const char *label)
{
    memset(d, 0, sizeof *d);
    d->suite = suite;
    d->t_start = bench_now();
    clgan_device_info info;
    if (ctx) info = *clgan_ctx_device(ctx);
    else TRY(clgan_device_get_info(device_index, &info));

    char created[32], tuned_at[64] = "", cpu[256], buf[512];
    utc_now(created, sizeof created);
    int tuned = ctx ? clgan_ctx_tuned(ctx, tuned_at, sizeof tuned_at) : 0;
    cJSON *r = cJSON_CreateObject();
    d->root = r;
    cJSON_AddStringToObject(r, "schema", BENCH_SCHEMA);
    cJSON_AddStringToObject(r, "suite", suite);
    cJSON_AddStringToObject(r, "tool", "clgan");
    cJSON_AddStringToObject(r, "tool_version", CLGAN_VERSION_STRING);
    if (label && *label) snprintf(buf, sizeof buf, "%s", label);
    else snprintf(buf, sizeof buf, "clgan %s%s", info.device_name, tuned ? " tuned" : "");
    cJSON_AddStringToObject(r, "label", buf);
    cJSON_AddStringToObject(r, "created", created);

    cJSON *host = cJSON_AddObjectToObject(r, "host");
    bench_cpu_name(cpu, sizeof cpu);
    cJSON_AddStringToObject(host, "cpu", cpu);
    cJSON_AddNumberToObject(host, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    struct utsname u;
    if (uname(&u) == 0) snprintf(buf, sizeof buf, "%s %s", u.sysname, u.release);
    else snprintf(buf, sizeof buf, "unknown");
    cJSON_AddStringToObject(host, "os", buf);

    cJSON *dev = cJSON_AddObjectToObject(r, "device");
    cJSON_AddStringToObject(dev, "name", info.device_name);
    cJSON_AddStringToObject(dev, "platform", info.platform_name);
    cJSON_AddStringToObject(dev, "vendor", info.vendor);
    cJSON_AddStringToObject(dev, "type", device_type_json(info.type));
    cJSON_AddStringToObject(dev, "driver", info.driver_version);
    cJSON_AddNumberToObject(dev, "compute_units", info.compute_units);
    cJSON_AddNumberToObject(dev, "global_mem_bytes", (double)info.global_mem_bytes);

    cJSON_AddStringToObject(r, "clblast_version", clgan_clblast_version());
    cJSON_AddNullToObject(r, "threads");
    if (ctx) cJSON_AddBoolToObject(r, "tuned", tuned);
    else cJSON_AddNullToObject(r, "tuned"); /* startup: the children decide; see the results' params */
    if (tuned) {
        cJSON *t = cJSON_AddObjectToObject(r, "tuning");
        cJSON_AddStringToObject(t, "created", tuned_at);
        const clgan_tuning *applied = clgan_ctx_tuning(ctx);
        if (applied) cJSON_AddStringToObject(t, "models", applied->models);
        if (clgan_ctx_cache_dir(ctx)[0]) {
            clgan_tuning_path(clgan_ctx_cache_dir(ctx), &info, buf, sizeof buf);
            cJSON_AddStringToObject(t, "file", buf);
        }
    } else {
        cJSON_AddNullToObject(r, "tuning");
    }
    d->results = cJSON_AddArrayToObject(r, "results");
    return CLGAN_OK;
}

/* ---- results ----------------------------------------------------------------------- */

void bench_result_init(bench_result *r, const char *group, const char *id_fmt, ...)
{
    memset(r, 0, sizeof *r);
    snprintf(r->group, sizeof r->group, "%s", group);
    va_list ap;
    va_start(ap, id_fmt);
    vsnprintf(r->id, sizeof r->id, id_fmt, ap);
    va_end(ap);
    r->flops = r->bytes = r->items = r->peak_device_bytes = -1;
}

void bench_result_fail(bench_result *r, const char *msg)
{
    snprintf(r->error_text, sizeof r->error_text, "%s", msg ? msg : clgan_last_error());
    if (!r->error_text[0]) snprintf(r->error_text, sizeof r->error_text, "failed");
    r->error = r->error_text;
}

static void add_num_or_null(cJSON *o, const char *key, int defined, double v)
{
    if (defined && isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

void bench_add(bench_doc *d, bench_result *r)
{
    int ok = !r->error && r->times_ms && r->reps > 0;
    double ms = NAN, lo = NAN, hi = NAN;
    if (ok) bench_stats(r->times_ms, r->reps, &ms, &lo, &hi);
    double sec = ms / 1e3;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "group", r->group);
    add_num_or_null(o, "ms", ok, ms);
    add_num_or_null(o, "ms_min", ok, lo);
    add_num_or_null(o, "ms_max", ok, hi);
    add_num_or_null(o, "reps", ok, r->reps);
    add_num_or_null(o, "flops", ok && r->flops >= 0, r->flops);
    add_num_or_null(o, "gflops", ok && r->flops >= 0 && sec > 0, r->flops / sec / 1e9);
    add_num_or_null(o, "bytes", ok && r->bytes >= 0, r->bytes);
    add_num_or_null(o, "gbps", ok && r->bytes >= 0 && sec > 0, r->bytes / sec / 1e9);
    add_num_or_null(o, "items", ok && r->items >= 0, r->items);
    add_num_or_null(o, "items_per_s", ok && r->items >= 0 && sec > 0, r->items / sec);
    add_num_or_null(o, "peak_device_bytes", r->peak_device_bytes >= 0, r->peak_device_bytes);
    if (r->params) cJSON_AddItemToObject(o, "params", r->params);
    else cJSON_AddObjectToObject(o, "params");
    if (r->extra) {
        while (r->extra->child) {
            cJSON *it = cJSON_DetachItemViaPointer(r->extra, r->extra->child);
            cJSON_AddItemToObject(o, it->string, it);
        }
        cJSON_Delete(r->extra);
    }
    if (r->error) cJSON_AddStringToObject(o, "error", r->error);
    cJSON_AddItemToArray(d->results, o);
    r->params = r->extra = NULL;
    d->count++;

    /* progress: one line per result */
    char a[32], b[32], c[32], e[64] = "";
    if (ok) {
        bench_fmt(a, sizeof a, ms), bench_fmt(b, sizeof b, lo), bench_fmt(c, sizeof c, hi);
        char x[32];
        if (r->items >= 0) bench_fmt(x, sizeof x, r->items / sec), strcat(strcat(e, x), " items/s  ");
        if (r->flops >= 0) bench_fmt(x, sizeof x, r->flops / sec / 1e9), strcat(strcat(e, x), " GFLOP/s");
        else if (r->bytes >= 0) bench_fmt(x, sizeof x, r->bytes / sec / 1e9), strcat(strcat(e, x), " GB/s");
        fprintf(stderr, "[%3d] %-52s %9s ms  (%s .. %s)  %s\n", d->count, r->id, a, b, c, e);
    } else {
        d->failed++;
        fprintf(stderr, "[%3d] %-52s FAILED: %s\n", d->count, r->id, r->error ? r->error : "no timings");
    }
}

/* The closing table: one line per result. */
static void print_table(FILE *f, const bench_doc *d)
{
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(d->root, "device");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(d->root, "label");
    fprintf(f, "clgan bench %s: %s (%s, driver %s)\n", d->suite, cJSON_GetStringValue(label),
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dev, "platform")),
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dev, "driver")));
    fprintf(f, "%-52s %10s %10s %10s %10s %9s %11s\n", "id", "ms", "min", "max", "GFLOP/s", "GB/s", "items/s");
    const cJSON *it;
    cJSON_ArrayForEach(it, d->results)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(it, "error");
        if (cJSON_IsString(err)) {
            fprintf(f, "%-52s error: %s\n", id, err->valuestring);
            continue;
        }
        static const char *keys[] = {"ms", "ms_min", "ms_max", "gflops", "gbps", "items_per_s"};
        static const int widths[] = {10, 10, 10, 10, 9, 11};
        fprintf(f, "%-52s", id);
        for (int k = 0; k < 6; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, keys[k]);
            char buf[32] = "-";
            if (cJSON_IsNumber(v)) bench_fmt(buf, sizeof buf, v->valuedouble);
            fprintf(f, " %*s", widths[k], buf);
        }
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "allocs_per_step");
        if (cJSON_IsNumber(a) && a->valuedouble != 0) fprintf(f, "  allocs/step %g", a->valuedouble);
        fputc('\n', f);
    }
}

int bench_doc_finish(bench_doc *d, const bench_out_opts *o)
{
    int rc = 0;
    char *text = cJSON_Print(d->root);
    if (!text) {
        fprintf(stderr, "clgan: out of host memory formatting the JSON\n");
        cJSON_Delete(d->root);
        return 1;
    }
    if (o->out) {
        rc = bench_write_atomic(o->out, text);
        if (!rc)
            fprintf(stderr, "clgan bench %s: wrote %s (%d results, %d failed, %.1f s)\n", d->suite, o->out, d->count,
                    d->failed, bench_now() - d->t_start);
    } else {
        print_table(o->json ? stderr : stdout, d);
    }
    if (o->json) {
        printf("%s\n", text);
        cli_json_printed(); /* the document is this run's JSON, failed workloads included */
    }
    fflush(stdout);
    if (d->failed) {
        fprintf(stderr, "clgan bench %s: %d of %d workloads failed (recorded with their \"error\")\n", d->suite,
                d->failed, d->count);
        rc = 1;
    }
    free(text);
    cJSON_Delete(d->root);
    d->root = d->results = NULL;
    return rc;
}
