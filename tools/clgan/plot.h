/* plot.h — the CLI's charts for reports: confusion-matrix heatmaps, line
 * plots (loss curves) and grouped bar charts, drawn on the host with a
 * built-in 5x7 bitmap font and written as PNG through clgan_png_write
 * (clgan/image.h). Not part of libclgan.
 * Every function returns CLGAN_ERR_INVALID_ARG for bad shapes and
 * CLGAN_ERR_IO naming the path when the file cannot be written.
 */
#ifndef CLGAN_PLOT_H
#define CLGAN_PLOT_H
#include "clgan.h"

#include <stdint.h>

/* A heatmap of a rows x cols matrix (row-major), e.g. a confusion matrix with
 * true classes as rows and predictions as columns. Each cell is coloured from
 * white (the smallest of 0 and the minimum) to dark blue (the maximum) and
 * shows its value: as an integer when every value is integral, else with two
 * decimals; NaN cells are grey and show "-". Rows and columns are labelled
 * with row_labels / col_labels, or their indices where those are NULL.
 * title, row_title ("true") and col_title ("predicted") may be NULL. */
clgan_status clgan_png_heatmap(const char *path, const double *matrix, int rows, int cols,
                               const char *const *row_labels, const char *const *col_labels, const char *title,
                               const char *row_title, const char *col_title);
/* The heatmap's colour for t in [0, 1] (0 = white end, 1 = dark end). */
void clgan_png_colormap(double t, uint8_t rgb[3]);

/* One curve of a line plot: count points (x[i], y[i]); x NULL means
 * x[i] = i. Points where x or y is NaN or infinite are skipped and break the
 * line; a point with no finite neighbour is drawn as a dot. */
typedef struct clgan_plot_series {
    const char *name; /* legend text; NULL = "series <i>" */
    const double *x;
    const double *y;
    int count;
} clgan_plot_series;

#define CLGAN_PLOT_MAX_SERIES 8

/* A width x height line plot (at least 200 x 150) of up to
 * CLGAN_PLOT_MAX_SERIES series: white background, light grid lines, axes
 * auto-scaled over the finite points to whole tick steps (1, 2 or 5 times a
 * power of ten) with tick labels, a framed plot area, and a legend at the
 * corner or edge middle of the plot area where it hides the least of the
 * curves (corners first when there is a tie). title, x_label and
 * y_label may be NULL. */
clgan_status clgan_png_line_plot(const char *path, int width, int height, const char *title, const char *x_label,
                                 const char *y_label, const clgan_plot_series *series, int n_series);
/* The same with fixed axes: x_range and y_range ({lo, hi}, lo < hi, both
 * finite) set the axis instead of the data (rounded out to whole ticks;
 * what lies outside is clipped); NULL for either keeps it auto-scaled. */
clgan_status clgan_png_line_plot_ranged(const char *path, int width, int height, const char *title,
                                        const char *x_label, const char *y_label, const clgan_plot_series *series,
                                        int n_series, const double *x_range, const double *y_range);
/* Colour of series i in line plots (a fixed palette of 8). */
void clgan_png_series_color(int i, uint8_t rgb[3]);

/* A horizontal grouped bar chart, `width` pixels wide (at least 320; the
 * height follows from the number of bars): one group per group label, top
 * to bottom, and in each group one bar per series in the line plots'
 * colours, values[g * n_series + s] long (NaN or infinite: no bar, "n/a").
 * Bars start at 0; the value axis runs from 0 to the largest value (or ref)
 * rounded out to a whole tick, with light grid lines and tick labels at the
 * bottom. A dark vertical line marks ref when it is finite and > 0 (e.g. 1 =
 * as fast as the baseline). Each bar is labelled with its value ("%.2f"
 * then value_suffix, e.g. "1.23x"). Group labels longer than 64 characters
 * and series names longer than 48 are cut in the middle ("ab..yz"). A legend of the series sits under the title. title,
 * value_label, value_suffix and series_names (each or all) may be NULL;
 * up to CLGAN_PLOT_MAX_SERIES series. */
clgan_status clgan_png_bar_chart(const char *path, int width, const char *title, const char *value_label,
                                 const char *const *group_labels, int n_groups, const char *const *series_names,
                                 int n_series, const double *values, double ref, const char *value_suffix);

/* Scenes with boxes: n scenes [n,C,H,W] in [-1,1] (C 1 or 3) in a grid of
 * `cols` columns, each drawn `scale` times its size on a dark grey
 * background with 4 pixels between scenes. The ground truth (truth
 * [truth_start[i] .. truth_start[i+1]) of scene i; NULL: none) as thin
 * white boxes, then the detections (dets[i*cap .. i*cap+counts[i])) as
 * 2-pixel boxes in the series colour of their class with "NAME 0.93" above
 * (names [K] may be NULL: class numbers). */
clgan_status clgan_png_detections(const char *path, int n, int c, int h, int w, const float *images, int cols,
                                  int scale, const clgan_detection *dets, int cap, const int *counts,
                                  const clgan_box *truth, const int *truth_start, const char (*names)[64]);
#endif
