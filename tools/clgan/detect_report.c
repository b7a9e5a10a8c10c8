/* detect_report.c — the per-class AP table and the precision-recall chart
 * of a detector's evaluation (detect_report.h). */
#include "detect_report.h"

#include "plot.h"

#include <stdlib.h>
#include <string.h>

static void class_label(char *out, size_t cap, const char (*names)[64], int k)
{
    if (names && names[k][0]) snprintf(out, cap, "%s", names[k]);
    else snprintf(out, cap, "class %d", k);
}

void detect_report_print(FILE *f, const clgan_map_result *r, const char (*names)[64], const char *indent)
{
    if (!indent) indent = "";
    fprintf(f, "%s%5s  %-20s %8s %11s %8s %12s\n", indent, "class", "name", "boxes", "predictions", "AP@0.5",
            "AP@0.5:0.95");
    for (int k = 0; k < r->classes; k++) {
        const clgan_map_class *c = &r->per_class[k];
        char name[64];
        class_label(name, sizeof name, names, k);
        fprintf(f, "%s%5d  %-20.20s %8lld %11lld", indent, k, name, (long long)c->truths, (long long)c->predictions);
        if (c->truths > 0) fprintf(f, " %8.4f %12.4f\n", c->ap50, c->ap);
        else fprintf(f, " %8s %12s  no objects\n", "-", "-");
    }
    if (r->classes_with_truth > 0)
        fprintf(f, "%smAP@0.5 %.4f, mAP@0.75 %.4f, mAP@0.5:0.95 %.4f over %d of %d classes (%lld images)\n", indent,
                r->map50, r->map_at[5], r->map, r->classes_with_truth, r->classes, (long long)r->images);
    else
        fprintf(f, "%sno ground-truth boxes in %lld images: no mAP\n", indent, (long long)r->images);
}

/* The classes to draw: those with objects, the most boxes first (ties:
 * lower index), at most DETECT_REPORT_MAX_CURVES, then back in index order. */
static int pick_classes(const clgan_map_result *r, int *picked)
{
    int n = 0;
    while (n < DETECT_REPORT_MAX_CURVES) {
        int best = -1;
        for (int k = 0; k < r->classes; k++) {
            int taken = 0;
            for (int i = 0; i < n; i++) taken |= picked[i] == k;
            if (!taken && r->per_class[k].truths > 0 &&
                (best < 0 || r->per_class[k].truths > r->per_class[best].truths))
                best = k;
        }
        if (best < 0) break;
        picked[n++] = best;
    }
    for (int i = 1; i < n; i++) /* back into index order */
        for (int j = i; j > 0 && picked[j - 1] > picked[j]; j--) {
            int t = picked[j];
            picked[j] = picked[j - 1], picked[j - 1] = t;
        }
    return n;
}

clgan_status detect_report_pr_chart(const char *path, const clgan_map_result *r, const char (*names)[64],
                                    const char *title)
{
    if (!r || !r->per_class || r->classes < 1)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "precision-recall chart: no computed mAP result");
    double recall[CLGAN_MAP_RECALL_POINTS];
    for (int j = 0; j < CLGAN_MAP_RECALL_POINTS; j++) recall[j] = j / 100.0;
    int picked[DETECT_REPORT_MAX_CURVES];
    int n = pick_classes(r, picked);
    char labels[DETECT_REPORT_MAX_CURVES][96];
    clgan_plot_series series[DETECT_REPORT_MAX_CURVES];
    for (int i = 0; i < n; i++) {
        char name[64];
        class_label(name, sizeof name, names, picked[i]);
        snprintf(labels[i], sizeof labels[i], "%.48s AP %.3f", name, r->per_class[picked[i]].ap50);
        series[i] = (clgan_plot_series){labels[i], recall, r->per_class[picked[i]].precision50,
                                        CLGAN_MAP_RECALL_POINTS};
    }
    char heading[256];
    const char *base = title && *title ? title : "precision-recall at IoU 0.5";
    if (r->classes_with_truth > n)
        snprintf(heading, sizeof heading, "%s (%d of %d classes)", base, n, r->classes_with_truth);
    else
        snprintf(heading, sizeof heading, "%s", base);
    /* recall 0..1; precision to a tick above 1, so a curve at 1 is not on the frame */
    const double recall_axis[2] = {0, 1}, precision_axis[2] = {0, 1.02};
    return clgan_png_line_plot_ranged(path, 640, 480, heading, "recall", "precision", series, n, recall_axis,
                                      precision_axis);
}

int detect_scenes_load(const clgan_detset *ds, float **images, clgan_box **boxes, int **start)
{
    clgan_detset_info di;
    clgan_detset_get_info(ds, &di);
    *images = malloc(sizeof **images * (size_t)di.count * di.channels * di.height * di.width);
    *boxes = malloc(sizeof **boxes * (size_t)(di.boxes > 0 ? di.boxes : 1));
    *start = malloc(sizeof **start * (size_t)(di.count + 1));
    int rc = 0;
    if (!*images || !*boxes || !*start) {
        fprintf(stderr, "clgan: out of host memory for the %d scenes of %s\n", di.count, di.source);
        rc = 1;
    } else if (clgan_detset_read(ds, 0, di.count, *images) != CLGAN_OK) {
        fprintf(stderr, "clgan: %s\n", clgan_last_error());
        rc = 1;
    }
    if (!rc) (*start)[0] = 0;
    for (int i = 0; !rc && i < di.count; i++) {
        const clgan_box *b;
        int nb;
        clgan_detset_boxes(ds, i, &b, &nb);
        if (nb) memcpy(*boxes + (*start)[i], b, sizeof *b * (size_t)nb);
        (*start)[i + 1] = (*start)[i] + nb;
    }
    if (rc) {
        free(*images), free(*boxes), free(*start);
        *images = NULL, *boxes = NULL, *start = NULL;
    }
    return rc;
}

int detect_classes_match(const clgan_model *model, const char *ckpt_path, const clgan_detset *ds)
{
    clgan_model_info mi;
    clgan_detset_info di;
    clgan_model_get_info(model, &mi);
    clgan_detset_get_info(ds, &di);
    if (di.classes != mi.classes) {
        fprintf(stderr, "clgan: %s holds %d classes; %s has %d\n", ckpt_path, mi.classes, di.source, di.classes);
        return 0;
    }
    for (int k = 0; k < di.classes; k++)
        if (strcmp(clgan_model_class_name(model, k), clgan_detset_class_name(ds, k))) {
            fprintf(stderr, "clgan: class %d of %s is '%s'; %s calls it '%s'\n", k, ckpt_path,
                    clgan_model_class_name(model, k), di.source, clgan_detset_class_name(ds, k));
            return 0;
        }
    return 1;
}
