/* classifier_report.c — classifier metrics as text, PNG and JSON. */
#include "classifier_report.h"

#include "cli.h"
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void report_json_number(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
    else fputs("null", f);
}

void report_print(FILE *f, int K, const char (*class_names)[64], const int64_t *cm, const char *indent)
{
    double *recall = malloc((size_t)K * sizeof *recall), *precision = malloc((size_t)K * sizeof *precision);
    if (!recall || !precision) {
        free(recall);
        free(precision);
        return;
    }
    clgan_recall(cm, K, recall);
    clgan_precision(cm, K, precision);
    int64_t total = clgan_confusion_total(cm, K), right = 0;
    for (int k = 0; k < K; k++) right += cm[(int64_t)k * K + k];
    fprintf(f, "%saccuracy %.2f%% (%lld/%lld), mean per-class recall %.2f%%\n", indent, 100 * clgan_accuracy(cm, K),
            (long long)right, (long long)total, 100 * clgan_mean_recall(cm, K));
    int named = 0; /* class names other than their indices are listed once */
    for (int k = 0; k < K; k++) {
        char idx[16];
        snprintf(idx, sizeof idx, "%d", k);
        named = named || strcmp(idx, class_names[k]) != 0;
    }
    if (named) {
        fprintf(f, "%sclasses  ", indent);
        for (int k = 0; k < K; k++) fprintf(f, " %d=%s", k, class_names[k]);
        fputc('\n', f);
    }
    fprintf(f, "%srecall %%  ", indent);
    for (int k = 0; k < K; k++)
        if (isnan(recall[k])) fprintf(f, " %d:-", k);
        else fprintf(f, " %d:%.1f", k, 100 * recall[k]);
    fprintf(f, "\n%sprecision %%", indent);
    for (int k = 0; k < K; k++)
        if (isnan(precision[k])) fprintf(f, " %d:-", k);
        else fprintf(f, " %d:%.1f", k, 100 * precision[k]);
    fputc('\n', f);
    if (K <= REPORT_MAX_PRINTED_CLASSES) {
        int64_t mx = 1;
        for (int64_t i = 0; i < (int64_t)K * K; i++) mx = cm[i] > mx ? cm[i] : mx;
        int wdt = snprintf(NULL, 0, "%lld", (long long)mx) + 1;
        if (wdt < 3) wdt = 3;
        fprintf(f, "%sconfusion (rows: true class, columns: predicted)\n%s    ", indent, indent);
        for (int p = 0; p < K; p++) fprintf(f, "%*d", wdt, p);
        fputc('\n', f);
        for (int t = 0; t < K; t++) {
            fprintf(f, "%s%3d ", indent, t);
            for (int p = 0; p < K; p++) fprintf(f, "%*lld", wdt, (long long)cm[(int64_t)t * K + p]);
            fputc('\n', f);
        }
    }
    free(recall);
    free(precision);
}

int report_heatmap(const char *path, int K, const char (*class_names)[64], const int64_t *cm, const char *title)
{
    double *m = malloc((size_t)K * K * sizeof *m);
    const char **names = malloc((size_t)K * sizeof *names);
    int ok = m && names;
    if (ok) {
        for (int64_t i = 0; i < (int64_t)K * K; i++) m[i] = (double)cm[i];
        for (int k = 0; k < K; k++) names[k] = class_names[k];
        ok = clgan_png_heatmap(path, m, K, K, names, names, title, "true", "predicted") == CLGAN_OK;
        if (!ok) cli_fail("confusion heat map");
    } else {
        fprintf(stderr, "clgan: out of host memory\n");
    }
    free(m);
    free(names);
    return ok;
}

void report_json_fields(FILE *f, int K, const char (*class_names)[64], const int64_t *cm)
{
    double *v = malloc((size_t)K * sizeof *v);
    if (!v) return;
    fprintf(f, ", \"accuracy\": ");
    report_json_number(f, clgan_accuracy(cm, K));
    fprintf(f, ", \"mean_recall\": ");
    report_json_number(f, clgan_mean_recall(cm, K));
    fprintf(f, ", \"images\": %lld, \"recall\": [", (long long)clgan_confusion_total(cm, K));
    clgan_recall(cm, K, v);
    for (int k = 0; k < K; k++) {
        if (k) fputs(", ", f);
        report_json_number(f, v[k]);
    }
    fprintf(f, "], \"precision\": [");
    clgan_precision(cm, K, v);
    for (int k = 0; k < K; k++) {
        if (k) fputs(", ", f);
        report_json_number(f, v[k]);
    }
    fprintf(f, "], \"confusion\": [");
    for (int t = 0; t < K; t++) {
        fprintf(f, "%s[", t ? ", " : "");
        for (int p = 0; p < K; p++) fprintf(f, "%s%lld", p ? ", " : "", (long long)cm[(int64_t)t * K + p]);
        fputc(']', f);
    }
    fprintf(f, "], \"classes\": [");
    for (int k = 0; k < K; k++) {
        if (k) fputs(", ", f);
        cli_json_string(f, class_names[k]);
    }
    fputc(']', f);
    free(v);
}
