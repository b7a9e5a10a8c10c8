/* detect_report.h — detection metrics for the CLI: the per-class AP table
 * of a clgan_map_result (clgan/detect_metrics.h) and its precision-recall
 * chart at IoU 0.5 as a PNG. */
#ifndef CLGAN_DETECT_REPORT_H
#define CLGAN_DETECT_REPORT_H
#include "clgan.h"

#include <stdio.h>

/* Classes drawn in the chart at most (the line plot's series limit). */
#define DETECT_REPORT_MAX_CURVES 8

/* The table: one row per class (index, name, ground-truth boxes,
 * predictions, AP@0.5, AP@0.5:0.95; "-" and "no objects" for a class
 * without ground truth), then mAP@0.5, mAP@0.75 and mAP@0.5:0.95 over the
 * classes with objects. names[K] may be NULL (classes shown by index);
 * every line starts with indent. */
void detect_report_print(FILE *f, const clgan_map_result *r, const char (*names)[64], const char *indent);

/* A 640 x 480 precision-recall chart at IoU 0.5 written to path: one line
 * per class with objects (its 101 interpolated precisions against recall;
 * recall 0..1, precision 0..1.1), named "<name> AP <ap50>". More than
 * DETECT_REPORT_MAX_CURVES such classes: the ones with the most boxes
 * (ties: lower index), said in the title. title may be NULL. */
clgan_status detect_report_pr_chart(const char *path, const clgan_map_result *r, const char (*names)[64],
                                    const char *title);

/* Every scene of ds for an evaluation: images [n,C,H,W], all boxes scene by
 * scene and their offsets start [n+1] (each malloc'd, the caller frees
 * them; NULL on failure). 0, or 1 after printing why. */
int detect_scenes_load(const clgan_detset *ds, float **images, clgan_box **boxes, int **start);
/* 1 when the detector model (from ckpt_path) has ds's class count and names; otherwise prints the first
 * difference and returns 0. */
int detect_classes_match(const clgan_model *model, const char *ckpt_path, const clgan_detset *ds);
#endif
