/* classifier_report.h — printing classifier metrics for the CLI: a compact
 * text report (accuracy, per-class recall and precision, the confusion
 * matrix), the confusion heat-map PNG, and the same numbers as JSON fields. */
#ifndef CLGAN_CLASSIFIER_REPORT_H
#define CLGAN_CLASSIFIER_REPORT_H
#include <stdint.h>
#include <stdio.h>

/* Matrix printed up to this many classes; larger ones only in the PNG. */
#define REPORT_MAX_PRINTED_CLASSES 20

/* K classes named names[K] (a dataset's or a checkpoint's), confusion cm [K*K]. */
void report_print(FILE *f, int K, const char (*names)[64], const int64_t *cm, const char *indent);
/* 1 on success; prints the error otherwise. */
int report_heatmap(const char *path, int K, const char (*names)[64], const int64_t *cm, const char *title);
/* ", \"accuracy\": ..., \"recall\": [...], \"precision\": [...], \"confusion\": [[...]], \"classes\": [...]" */
void report_json_fields(FILE *f, int K, const char (*names)[64], const int64_t *cm);
/* A JSON number, or null for NaN/infinity. */
void report_json_number(FILE *f, double v);
#endif
