/* bench.h — `clgan bench`, the vendor-comparison benchmark suite: the
 * pieces the suites share (bench_common.c) and the suites themselves
 * (bench_ops.c, bench_models.c, bench_startup.c, bench_compare.c).
 *
 * Every suite writes one `clgan-bench/1` JSON document (docs/bench-json.md)
 * built with cJSON: a header describing the host, the device and its GEMM
 * tuning, and one result per workload. Times are wall-clock milliseconds,
 * each iteration bracketed by clgan_ctx_finish so it counts the device work
 * it queued. */
#ifndef CLGAN_BENCH_H
#define CLGAN_BENCH_H
#include "clgan.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define BENCH_SCHEMA "clgan-bench/1"
#define BENCH_MAX_REPS 10000

/* Suites (argv[0] is the suite name). */
int bench_ops(int argc, char **argv);
int bench_models(int argc, char **argv);
int bench_startup(int argc, char **argv);
int bench_compare(int argc, char **argv);

/* Options every running suite shares. */
typedef struct bench_out_opts {
    const char *device; /* --device SPEC, or NULL ($CLGAN_DEVICE, else the first GPU) */
    const char *out;   /* --out FILE.json, or NULL */
    const char *label; /* --label TEXT, or NULL (default: "clgan <device>[ tuned]") */
    int json;          /* --json: the document on stdout */
} bench_out_opts;
/* Parse --device/--out/--label/--json at argv[*i]: 1 if consumed, 0 if not
 * that flag, -1 on a usage error (message printed). */
int bench_parse_out_opt(int argc, char **argv, int *i, bench_out_opts *o);
/* 1 if each of names[0..n) is a workload preset (clgan_workload_names);
 * else says which is not, as "clgan bench SUITE: unknown model ...", and 0. */
int bench_known_models(const char *suite, char **names, int n);
/* "clgan bench SUITE: unknown option 'X' (see --help)", returns 2. */
int bench_unknown(const char *suite, const char *arg);
/* A suite's own option at argv[*i], into user: 1 if consumed, 0 if not one
 * of its options, -1 on a usage error (message printed). */
typedef int (*bench_own_opt)(int argc, char **argv, int *i, void *user);
/* A suite's command line: the shared options into o, the suite's own through
 * own, --help/-h printing usage on stdout. 0 to run, -1 after --help (exit
 * 0), 2 on a usage error or an unknown option (message printed). */
int bench_parse_args(int argc, char **argv, const char *suite, void (*usage)(FILE *f), bench_own_opt own, void *user,
                     bench_out_opts *o);

/* One workload's figures before it becomes a JSON result. A negative figure
 * is written as null. */
typedef struct bench_result {
    char id[192];
    char group[24];
    double *times_ms; /* reps iterations, or NULL */
    int reps;
    double flops;     /* per iteration; < 0 = undefined */
    double bytes;     /* per iteration, a lower bound; < 0 = undefined */
    double items;     /* images per iteration; < 0 = none */
    double peak_device_bytes; /* < 0 = none */
    cJSON *params;    /* object, taken over by bench_add (may be NULL) */
    cJSON *extra;     /* object whose members are appended to the result (may be NULL) */
    const char *error; /* non-NULL: the workload failed; figures null */
    char error_text[512];
} bench_result;
void bench_result_init(bench_result *r, const char *group, const char *id_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Mark the result failed with a copy of msg (NULL: clgan_last_error()). */
void bench_result_fail(bench_result *r, const char *msg);

/* A running suite's document and its progress output. */
typedef struct bench_doc {
    cJSON *root, *results;
    const char *suite;
    int count, failed;
    double t_start;
} bench_doc;
/* The header (schema .. tuning) for a context on the benchmarked device;
 * ctx may be NULL (startup), then device_index says which device. */
clgan_status bench_doc_begin(bench_doc *d, const char *suite, clgan_ctx *ctx, int device_index, const char *label);
/* Append a result (its params/extra are owned by the document afterwards)
 * and print one progress line on stderr. */
void bench_add(bench_doc *d, bench_result *r);
/* Write --out atomically, print the table / JSON as the options say, free
 * the document. Returns the exit status: 0, or 1 when a workload failed or
 * the file could not be written. */
int bench_doc_finish(bench_doc *d, const bench_out_opts *o);

/* ---- timing ------------------------------------------------------------------ */

/* One iteration of a workload; returns CLGAN_OK or a failure. */
typedef clgan_status (*bench_fn)(void *user);
/* warmup untimed then reps timed iterations, each bracketed by
 * clgan_ctx_finish; times_ms gets reps milliseconds. */
clgan_status bench_time(clgan_ctx *ctx, bench_fn fn, void *user, int warmup, int reps, double *times_ms);
/* Median (of a sorted copy), min and max of n values. */
void bench_stats(const double *v, int n, double *median, double *lo, double *hi);
double bench_now(void); /* monotonic seconds */

/* ---- small helpers -------------------------------------------------------------- */

/* Split a comma list into at most cap entries of a copy; returns the count,
 * or -1 (and *items NULL) for an empty entry or too many. Free with
 * bench_split_free. */
int bench_split(const char *list, char ***items, int cap);
void bench_split_free(char **items);
/* The host's CPU model name ("" if unknown). */
void bench_cpu_name(char *out, size_t cap);
/* Fill n floats with pseudo-random values in [-1, 1] from seed. */
void bench_fill_random(float *v, size_t n, uint64_t seed);
/* Read a whole file (malloc'd, NUL-terminated); NULL with errno set on failure. */
char *bench_read_file(const char *path, size_t *len);
/* Write text (plus a final newline if it has none) to path through
 * path.tmp.<pid> and rename; 0 on success, 1 with a message on failure. */
int bench_write_atomic(const char *path, const char *text);
/* A figure for tables: about 3-4 significant digits, no exponent below 1e9. */
void bench_fmt(char *out, size_t cap, double v);
#endif
