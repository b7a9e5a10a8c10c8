/* classifier_report.h — printing classifier metrics for the CLI: a compact
 * text report (accuracy, per-class recall and precision, the confusion
 * matrix), the confusion heat-map PNG, and the same numbers as JSON fields. */
#ifndef CLGAN_CLASSIFIER_REPORT_H
#define CLGAN_CLASSIFIER_REPORT_H
#include "train/classifier.h"

#include <stdio.h>

/* Matrix printed up to this many classes; larger ones only in the PNG. */
#define REPORT_MAX_PRINTED_CLASSES 20

void report_print(FILE *f, clgan_classifier *clf, const int64_t *cm, const char *indent);
/* 1 on success; prints the error otherwise. */
int report_heatmap(const char *path, clgan_classifier *clf, const int64_t *cm, const char *title);
/* ", \"accuracy\": ..., \"recall\": [...], \"precision\": [...], \"confusion\": [[...]], \"classes\": [...]" */
void report_json_fields(FILE *f, clgan_classifier *clf, const int64_t *cm);
/* The same for any K-class model, given its class names (e.g. a dataset's). */
void report_print_names(FILE *f, int K, const char (*names)[64], const int64_t *cm, const char *indent);
int report_heatmap_names(const char *path, int K, const char (*names)[64], const int64_t *cm, const char *title);
void report_json_fields_names(FILE *f, int K, const char (*names)[64], const int64_t *cm);
/* A JSON number, or null for NaN/infinity. */
void report_json_number(FILE *f, double v);
#endif
