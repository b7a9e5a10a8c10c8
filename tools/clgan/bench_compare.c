/* bench_compare.c — `clgan bench compare A.json B.json ...`: clgan-bench/1
 * documents (clgan's suites, tools/bench/torch_twin.py) side by side.
 *
 * Results are matched by id. The Markdown table has one row per id of the
 * first file, in its order, then the ids only other files have (marked *),
 * and one column per file; a cell is the figure and, in brackets, the speed
 * relative to the first file: first/this for times (ms), this/first for
 * rates (gflops, gbps, items_per_s), so > 1 always means faster than the
 * first file. The last row is each file's geometric mean of those ratios.
 * The PNG is a grouped horizontal bar chart of the same ratios (report/plot.h). */
#include "bench.h"
#include "cli.h"

#include "report/plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES CLGAN_PLOT_MAX_SERIES

typedef struct bench_file {
    const char *path;
    cJSON *root, *results;
    char label[128];
} bench_file;

static const struct {
    const char *key, *unit, *what;
    int lower_better;
} metrics[] = {
    {"ms", "ms", "median milliseconds per iteration", 1},
    {"ms_min", "ms", "fastest iteration, milliseconds", 1},
    {"ms_max", "ms", "slowest iteration, milliseconds", 1},
    {"gflops", "GFLOP/s", "GFLOP/s at the median", 0},
    {"gbps", "GB/s", "GB/s (of a lower bound of the bytes moved) at the median", 0},
    {"items_per_s", "items/s", "images per second at the median", 0},
};
#define METRIC_COUNT (int)(sizeof metrics / sizeof metrics[0])

/* Load and check one file; prints why and returns 0 when it is not usable. */
static int load(bench_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    size_t len;
    char *text = bench_read_file(path, &len);
    if (!text) {
        fprintf(stderr, "clgan bench compare: cannot read %s: %s\n", path, strerror(errno));
        return 0;
    }
    f->root = cJSON_ParseWithLength(text, len);
    if (!f->root) {
        const char *at = cJSON_GetErrorPtr();
        long off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
        fprintf(stderr, "clgan bench compare: %s is not JSON (parse error near byte %ld)\n", path, off);
        free(text);
        return 0;
    }
    free(text);
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(f->root, "schema");
    if (!cJSON_IsObject(f->root) || !cJSON_IsString(schema) || strcmp(schema->valuestring, BENCH_SCHEMA)) {
        fprintf(stderr, "clgan bench compare: %s is not a benchmark file of schema \"%s\" (its schema: %s%s%s)\n", path,
                BENCH_SCHEMA, cJSON_IsString(schema) ? "\"" : "", cJSON_IsString(schema) ? schema->valuestring : "none",
                cJSON_IsString(schema) ? "\"" : "");
        return 0;
    }
    f->results = cJSON_GetObjectItemCaseSensitive(f->root, "results");
    if (!cJSON_IsArray(f->results)) {
        fprintf(stderr, "clgan bench compare: %s has no \"results\" array\n", path);
        return 0;
    }
    int i = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, f->results)
    {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "id"))) {
            fprintf(stderr, "clgan bench compare: %s: result %d has no string \"id\"\n", path, i);
            return 0;
        }
        i++;
    }
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(f->root, "label");
    const char *base = strrchr(path, '/');
    snprintf(f->label, sizeof f->label, "%s",
             cJSON_IsString(label) && *label->valuestring ? label->valuestring : base ? base + 1 : path);
    return 1;
}

static const cJSON *find(const bench_file *f, const char *id)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, f->results)
    {
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, id)) return r;
    }
    return NULL;
}

/* The metric of id in f: 1 with *v, 0 missing, -1 failed (error or null). */
static int figure(const bench_file *f, const char *id, const char *key, double *v)
{
    const cJSON *r = find(f, id);
    if (!r) return 0;
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(r, key);
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "error")) || !cJSON_IsNumber(x) ||
        !isfinite(x->valuedouble))
        return -1;
    *v = x->valuedouble;
    return 1;
}

/* Markdown-safe copy (| escaped). */
static void md(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 3 < cap; s++) {
        if (*s == '|') out[n++] = '\\';
        out[n++] = *s == '\n' ? ' ' : *s;
    }
    out[n] = '\0';
}

static void usage(FILE *f)
{
    fprintf(f, "usage: clgan bench compare A.json B.json ... [--metric M] [--out-md FILE.md] [--out-png FILE.png]\n"
               "                           [--json]\n\n"
               "Matches the results of clgan-bench/1 files (clgan bench ops|models|startup --out,\n"
               "tools/bench/torch_twin.py --out; format: docs/bench-json.md) by id and prints a Markdown\n"
               "table: one row per id of the first file (then ids only the others have, marked *), one\n"
               "column per file (its label), each cell the figure and its speed relative to the first file\n"
               "(first/this for times, this/first for rates: > 1 means faster than the first file), and a\n"
               "geometric-mean row. Up to %d files.\n\n"
               "  --metric M        ms (default), ms_min, ms_max, gflops, gbps or items_per_s\n"
               "  --out-md FILE.md  also write the table to a file\n"
               "  --out-png FILE    a bar chart of the speed ratios: per workload one bar per file\n"
               "  --json            the ratios as one JSON object on stdout (the table goes to stderr):\n"
               "                    {\"command\", \"status\", \"metric\", \"files\": [labels], \"rows\": [{\"id\",\n"
               "                    \"ratios\": [one per file, null where none]}], \"geomean\": [one per file]}\n\n"
               "Exit status: 0, 1 for a file that cannot be read or is not a clgan-bench/1 document,\n"
               "2 for bad options.\n",
               MAX_FILES);
}

int bench_compare(int argc, char **argv)
{
    const char *paths[MAX_FILES], *out_md = NULL, *out_png = NULL, *metric = "ms";
    int n_files = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        int bad = 0;
        const char *v;
        if (!strcmp(argv[i], "--json")) json = 1;
        else if ((v = cli_flag_value(argc, argv, &i, "--out-md", &bad))) out_md = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--out-png", &bad))) out_png = v;
        else if ((v = cli_flag_value(argc, argv, &i, "--metric", &bad))) metric = v;
        else if (bad) return 2;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) return bench_unknown("compare", argv[i]);
        else if (n_files == MAX_FILES) {
            fprintf(stderr, "clgan bench compare: at most %d files\n", MAX_FILES);
            return 2;
        } else paths[n_files++] = argv[i];
    }
    int m = 0;
    while (m < METRIC_COUNT && strcmp(metrics[m].key, metric)) m++;
    if (m == METRIC_COUNT) {
        fprintf(stderr, "clgan bench compare: --metric must be ms, ms_min, ms_max, gflops, gbps or items_per_s "
                        "(got '%s')\n", metric);
        return 2;
    }
    if (n_files == 0) {
        fprintf(stderr, "clgan bench compare: name one or more clgan-bench/1 JSON files (see --help)\n");
        return 2;
    }
    bench_file files[MAX_FILES];
    int loaded = 0, rc = 1;
    for (; loaded < n_files; loaded++)
        if (!load(&files[loaded], paths[loaded])) {
            cJSON_Delete(files[loaded].root);
            goto done;
        }
    /* same label twice: number them */
    for (int a = 1; a < n_files; a++)
        for (int b = 0; b < a; b++)
            if (!strcmp(files[a].label, files[b].label)) {
                size_t l = strlen(files[a].label);
                snprintf(files[a].label + (l < 110 ? l : 110), sizeof files[a].label - (l < 110 ? l : 110), " (%d)",
                         a + 1);
                break;
            }

    /* rows: the first file's ids, then the others' new ones */
    int cap = 0, n_rows = 0;
    for (int f = 0; f < n_files; f++) cap += cJSON_GetArraySize(files[f].results);
    const char **ids = calloc((size_t)cap + 1, sizeof *ids);
    int *marked = calloc((size_t)cap + 1, sizeof *marked);
    double *ratios = calloc(((size_t)cap + 1) * n_files, sizeof *ratios);
    const char **groups = calloc((size_t)cap + 1, sizeof *groups);
    if (!ids || !marked || !ratios || !groups) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto free_rows;
    }
    for (int f = 0; f < n_files; f++) {
        const cJSON *r;
        cJSON_ArrayForEach(r, files[f].results)
        {
            const char *id = cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring;
            int seen = 0;
            for (int k = 0; k < n_rows && !seen; k++) seen = !strcmp(ids[k], id);
            if (!seen) marked[n_rows] = f > 0, ids[n_rows++] = id;
        }
    }

    /* the table */
    size_t md_cap = 4096 + (size_t)(n_rows + 4) * (200 + 48 * n_files), used = 0;
    char *out = malloc(md_cap);
    if (!out) {
        fprintf(stderr, "clgan: out of host memory\n");
        goto free_rows;
    }
#define EMIT(...) (used += (size_t)snprintf(out + used, used < md_cap ? md_cap - used : 0, __VA_ARGS__))
    const char *unit = metrics[m].unit;
    char buf[256], lab[256];
    md(lab, sizeof lab, files[0].label);
    EMIT("## clgan bench compare: %s\n\n", metric);
    for (int f = 0; f < n_files; f++) {
        const cJSON *root = files[f].root, *dev = cJSON_GetObjectItemCaseSensitive(root, "device");
        const char *tool = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "tool"));
        const char *ver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "tool_version"));
        const char *dn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dev, "name"));
        const char *drv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dev, "driver"));
        const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "created"));
        md(buf, sizeof buf, files[f].label);
        EMIT("%d. **%s**: `%s` (%s %s, %s%s%s, %s)\n", f + 1, buf, files[f].path, tool ? tool : "?", ver ? ver : "",
             dn ? dn : "unknown device", drv ? ", driver " : "", drv ? drv : "", created ? created : "undated");
    }
    EMIT("\nEach cell: %s, and in brackets the speed relative to the first file (%s) = %s: "
         "**>1 means faster than the first file**, <1 slower.\n\n",
         metrics[m].what, lab, metrics[m].lower_better ? "first / this" : "this / first");
    EMIT("| workload |");
    for (int f = 0; f < n_files; f++) md(buf, sizeof buf, files[f].label), EMIT(" %s |", buf);
    EMIT("\n|---|");
    for (int f = 0; f < n_files; f++) EMIT("---:|");
    EMIT("\n");
    double log_sum[MAX_FILES] = {0};
    int log_n[MAX_FILES] = {0}, any_marked = 0;
    for (int k = 0; k < n_rows; k++) {
        double v0 = NAN;
        int have0 = figure(&files[0], ids[k], metric, &v0) == 1 && v0 > 0;
        md(buf, sizeof buf, ids[k]);
        EMIT("| %s%s |", buf, marked[k] ? " *" : "");
        any_marked |= marked[k];
        for (int f = 0; f < n_files; f++) {
            double v = NAN;
            int st = figure(&files[f], ids[k], metric, &v);
            double ratio = NAN;
            if (st == 1 && have0 && v > 0) ratio = metrics[m].lower_better ? v0 / v : v / v0;
            ratios[(size_t)k * n_files + f] = ratio;
            if (st == 0) EMIT(" - |");
            else if (st < 0) {
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(find(&files[f], ids[k]), "error");
                EMIT(" %s |", cJSON_IsString(e) ? "error" : "n/a");
            } else {
                char fig[32];
                bench_fmt(fig, sizeof fig, v);
                if (isfinite(ratio)) EMIT(" %s %s (%.2f×) |", fig, unit, ratio);
                else EMIT(" %s %s |", fig, unit);
            }
            if (isfinite(ratio)) log_sum[f] += log(ratio), log_n[f]++;
        }
        EMIT("\n");
    }
    EMIT("| **geometric mean of the speed ratios** |");
    for (int f = 0; f < n_files; f++) {
        if (log_n[f]) EMIT(" **%.2f×** (%d) |", exp(log_sum[f] / log_n[f]), log_n[f]);
        else EMIT(" - |");
    }
    EMIT("\n");
    if (any_marked) EMIT("\n\\* not in the first file, so no ratio.\n");
    EMIT("\n`-`: no such result in that file; `error`: the workload failed there (see its \"error\").\n");
#undef EMIT
    fputs(out, json ? stderr : stdout);
    fflush(stdout);
    if (json) {
        cli_json_begin("bench", "ok");
        printf(", \"metric\": ");
        cli_json_string(stdout, metric);
        printf(", \"files\": [");
        for (int f = 0; f < n_files; f++) printf("%s", f ? ", " : ""), cli_json_string(stdout, files[f].label);
        printf("], \"rows\": [");
        for (int k = 0; k < n_rows; k++) {
            printf("%s{\"id\": ", k ? ", " : "");
            cli_json_string(stdout, ids[k]);
            printf(", \"ratios\": [");
            for (int f = 0; f < n_files; f++) {
                double r = ratios[(size_t)k * n_files + f];
                if (isfinite(r)) printf("%s%.6g", f ? ", " : "", r);
                else printf("%snull", f ? ", " : "");
            }
            printf("]}");
        }
        printf("], \"geomean\": [");
        for (int f = 0; f < n_files; f++)
            if (log_n[f]) printf("%s%.6g", f ? ", " : "", exp(log_sum[f] / log_n[f]));
            else printf("%snull", f ? ", " : "");
        printf("]}\n");
    }
    rc = 0;
    if (out_md && bench_write_atomic(out_md, out)) rc = 1;
    free(out);

    if (out_png) {
        int n_groups = 0;
        for (int k = 0; k < n_rows; k++) {
            int any = 0;
            for (int f = 0; f < n_files; f++) any |= isfinite(ratios[(size_t)k * n_files + f]);
            if (!any) continue;
            groups[n_groups] = ids[k];
            memmove(ratios + (size_t)n_groups * n_files, ratios + (size_t)k * n_files, sizeof *ratios * n_files);
            n_groups++;
        }
        const char *names[MAX_FILES];
        for (int f = 0; f < n_files; f++) names[f] = files[f].label;
        char title[300], xl[200];
        snprintf(title, sizeof title, "speed relative to %s (>1 = faster)", files[0].label);
        snprintf(xl, sizeof xl, "speed vs the first file (%s, %s)", metric,
                 metrics[m].lower_better ? "first / this" : "this / first");
        if (!n_groups) {
            fprintf(stderr, "clgan bench compare: no result has a ratio to chart; %s not written\n", out_png);
            rc = 1;
        } else if (clgan_png_bar_chart(out_png, 960, title, xl, groups, n_groups, names, n_files, ratios, 1.0, "x") !=
                   CLGAN_OK) {
            rc = cli_fail("bar chart");
        } else {
            fprintf(stderr, "clgan bench compare: wrote %s (%d workloads)\n", out_png, n_groups);
        }
    }
free_rows:
    free(ids);
    free(marked);
    free(ratios);
    free(groups);
done:
    for (int f = 0; f < loaded; f++) cJSON_Delete(files[f].root);
    return rc;
}
