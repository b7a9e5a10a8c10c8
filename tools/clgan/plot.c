/* plot.c — charts for reports, drawn into an RGB canvas with a built-in
 * 5x7 bitmap font (ASCII 32..126, with descenders) and written through
 * clgan_png_write: confusion-matrix heatmaps, line plots (loss curves) and
 * grouped bar charts (benchmark comparisons). */
#include "plot.h"

#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static clgan_status check_path(const char *path, const char *fn)
{
    if (!path || !*path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "%s: empty path", fn);
    return CLGAN_OK;
}

/* ---- font ------------------------------------------------------------------ */

#define GLYPH_W 5
#define GLYPH_H 8 /* 7 rows above the baseline and one descender row (g j p q y , ;) */
#define GLYPH_CAP 7 /* rows above the baseline: what vertical centring uses */
#define GLYPH_ADVANCE 6 /* glyph width plus one column of spacing */

/* 5x7 glyphs in a 5x8 cell: rows top to bottom, bit 4 is the leftmost column. */
static const uint8_t font5x7[95][GLYPH_H] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /*   */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00}, /* ! */
    {0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* " */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a, 0x00}, /* # */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00}, /* $ */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00}, /* % */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00}, /* & */
    {0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00}, /* ( */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00}, /* ) */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00}, /* * */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00}, /* + */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08}, /* , */
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00}, /* . */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00}, /* / */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00}, /* 0 */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00}, /* 1 */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00}, /* 2 */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00}, /* 3 */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00}, /* 4 */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00}, /* 5 */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00}, /* 6 */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00}, /* 7 */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00}, /* 8 */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00}, /* 9 */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00}, /* : */
    {0x00, 0x0c, 0x0c, 0x00, 0x00, 0x0c, 0x04, 0x08}, /* ; */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00}, /* < */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00}, /* = */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00}, /* > */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00}, /* ? */
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e, 0x00}, /* @ */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00}, /* A */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00}, /* B */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00}, /* C */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, 0x00}, /* D */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00}, /* E */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00}, /* F */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00}, /* G */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00}, /* H */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00}, /* L */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00}, /* N */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00}, /* O */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00}, /* P */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00}, /* Q */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00}, /* R */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00}, /* S */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00}, /* W */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00}, /* X */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00}, /* Y */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00}, /* Z */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00}, /* [ */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00}, /* backslash */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00}, /* ] */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ^ */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00}, /* _ */
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ` */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00}, /* a */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e, 0x00}, /* b */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e, 0x00}, /* c */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f, 0x00}, /* d */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00}, /* e */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00}, /* f */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* g */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00}, /* h */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00}, /* i */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00}, /* k */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00}, /* l */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11, 0x00}, /* m */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00}, /* n */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00}, /* o */
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* p */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* q */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00}, /* r */
    {0x00, 0x00, 0x0e, 0x10, 0x0e, 0x01, 0x1e, 0x00}, /* s */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00}, /* t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00}, /* u */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00}, /* v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00}, /* w */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00}, /* x */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* y */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00}, /* z */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02, 0x00}, /* { */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00}, /* | */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08, 0x00}, /* } */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00}, /* ~ */
};

/* ---- canvas ---------------------------------------------------------------- */

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

typedef struct canvas {
    int w, h;
    uint8_t *px; /* RGB, row-major */
    /* drawing clip rectangle, [x0, x1) x [y0, y1) */
    int cx0, cy0, cx1, cy1;
} canvas;

static const rgb WHITE = {255, 255, 255};
static const rgb TEXT = {20, 20, 20};
static const rgb FRAME = {90, 90, 90};
static const rgb GRID = {225, 225, 225};
static const rgb LEGEND_EDGE = {190, 190, 190};

static clgan_status canvas_init(canvas *cv, int w, int h, rgb bg, const char *path)
{
    cv->px = NULL;
    if (w <= 0 || h <= 0 || w > CLGAN_PNG_MAX_SIDE || h > CLGAN_PNG_MAX_SIDE || (int64_t)w * h > CLGAN_PNG_MAX_PIXELS)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "PNG %s: image of %d x %d pixels is too large (limit %d per side, %d pixels)",
                          path, w, h, CLGAN_PNG_MAX_SIDE, CLGAN_PNG_MAX_PIXELS);
    cv->px = malloc((size_t)w * h * 3);
    if (!cv->px) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "PNG %s: out of host memory for %d x %d pixels", path, w, h);
    cv->w = w;
    cv->h = h;
    cv->cx0 = cv->cy0 = 0;
    cv->cx1 = w;
    cv->cy1 = h;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        cv->px[3 * i] = bg.r;
        cv->px[3 * i + 1] = bg.g;
        cv->px[3 * i + 2] = bg.b;
    }
    return CLGAN_OK;
}

static void clip_reset(canvas *cv)
{
    cv->cx0 = cv->cy0 = 0;
    cv->cx1 = cv->w;
    cv->cy1 = cv->h;
}

static void put(canvas *cv, int x, int y, rgb c)
{
    if (x < cv->cx0 || y < cv->cy0 || x >= cv->cx1 || y >= cv->cy1) return;
    uint8_t *p = cv->px + ((size_t)y * cv->w + x) * 3;
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
}

static void fill_rect(canvas *cv, int x, int y, int w, int h, rgb c)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++) put(cv, i, j, c);
}

static void hline(canvas *cv, int x0, int x1, int y, rgb c)
{
    for (int x = x0; x <= x1; x++) put(cv, x, y, c);
}

static void vline(canvas *cv, int x, int y0, int y1, rgb c)
{
    for (int y = y0; y <= y1; y++) put(cv, x, y, c);
}

static void rect_outline(canvas *cv, int x0, int y0, int x1, int y1, rgb c)
{
    hline(cv, x0, x1, y0, c);
    hline(cv, x0, x1, y1, c);
    vline(cv, x0, y0, y1, c);
    vline(cv, x1, y0, y1, c);
}

/* A line two pixels thick (a 2x2 brush along a Bresenham path). */
static void thick_line(canvas *cv, int x0, int y0, int x1, int y1, rgb c)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        put(cv, x0, y0, c);
        put(cv, x0 + 1, y0, c);
        put(cv, x0, y0 + 1, c);
        put(cv, x0 + 1, y0 + 1, c);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

static const uint8_t *glyph(char ch)
{
    unsigned char u = (unsigned char)ch;
    if (u < 32 || u > 126) u = '?';
    return font5x7[u - 32];
}

/* Width in pixels of text at a scale (no trailing spacing column). */
static int text_width(const char *s, int scale)
{
    size_t n = strlen(s);
    return n ? (int)n * GLYPH_ADVANCE * scale - scale : 0;
}

/* Text with its top-left corner at (x, y). */
static void draw_text(canvas *cv, int x, int y, const char *s, int scale, rgb c)
{
    for (; *s; s++, x += GLYPH_ADVANCE * scale) {
        const uint8_t *g = glyph(*s);
        for (int gy = 0; gy < GLYPH_H; gy++)
            for (int gx = 0; gx < GLYPH_W; gx++)
                if (g[gy] & (0x10 >> gx)) fill_rect(cv, x + gx * scale, y + gy * scale, scale, scale, c);
    }
}

/* Text turned 90 degrees counter-clockwise (reading bottom to top), with the
 * bottom-left corner of its first glyph at (x, y). */
static void draw_text_up(canvas *cv, int x, int y, const char *s, int scale, rgb c)
{
    for (; *s; s++, y -= GLYPH_ADVANCE * scale) {
        const uint8_t *g = glyph(*s);
        for (int gy = 0; gy < GLYPH_H; gy++)
            for (int gx = 0; gx < GLYPH_W; gx++)
                if (g[gy] & (0x10 >> gx))
                    fill_rect(cv, x + gy * scale, y - (gx + 1) * scale, scale, scale, c);
    }
}

/* ---- heatmap ------------------------------------------------------------------ */

void clgan_png_colormap(double t, uint8_t out[3])
{
    /* white-to-blue ramp (after ColorBrewer "Blues") */
    static const uint8_t stops[5][3] = {
        {247, 251, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};
    if (!(t > 0)) t = 0; /* also NaN */
    if (t > 1) t = 1;
    double f = t * 4;
    int k = (int)f;
    if (k > 3) k = 3;
    f -= k;
    for (int i = 0; i < 3; i++) out[i] = (uint8_t)lround(stops[k][i] + (stops[k + 1][i] - stops[k][i]) * f);
}

static rgb cmap(double t)
{
    uint8_t c[3];
    clgan_png_colormap(t, c);
    return (rgb){c[0], c[1], c[2]};
}

#define LABEL_MAX 48

/* Copy a label, cut to LABEL_MAX characters. */
static void label_or_index(char *out, const char *const *labels, int i)
{
    if (labels && labels[i]) snprintf(out, LABEL_MAX + 1, "%s", labels[i]);
    else snprintf(out, LABEL_MAX + 1, "%d", i);
}

clgan_status clgan_png_heatmap(const char *path, const double *matrix, int rows, int cols,
                               const char *const *row_labels, const char *const *col_labels, const char *title,
                               const char *row_title, const char *col_title)
{
    TRY(check_path(path, "clgan_png_heatmap"));
    if (!matrix || rows <= 0 || cols <= 0 || rows > 1000 || cols > 1000)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_heatmap %s: need a matrix of 1..1000 x 1..1000 (got %d x %d)",
                          path, rows, cols);
    size_t cells = (size_t)rows * cols;
    double lo = 0, hi = 0;
    int integral = 1, any = 0;
    for (size_t i = 0; i < cells; i++) {
        double v = matrix[i];
        if (isnan(v)) continue;
        if (!any || v > hi) hi = v;
        if (!any || v < lo) lo = v;
        any = 1;
        if (v != floor(v) || fabs(v) > 1e15) integral = 0;
    }
    if (lo > 0) lo = 0;
    if (!isfinite(lo) || !isfinite(hi)) integral = 0;

    int s = rows <= 20 && cols <= 20 ? 2 : 1; /* text scale */
    char buf[64];
    int cell = 18 * s; /* at least three digits' width plus margins */
    for (size_t i = 0; i < cells; i++) {
        if (isnan(matrix[i])) continue;
        snprintf(buf, sizeof buf, integral ? "%.0f" : "%.2f", matrix[i]);
        int tw = text_width(buf, s) + 10 * s;
        if (tw > cell) cell = tw;
    }
    if (cell > 200) cell = 200;

    char lab[LABEL_MAX + 1];
    int row_lab_w = 0, col_lab_w = 0;
    for (int i = 0; i < rows; i++) {
        label_or_index(lab, row_labels, i);
        int tw = text_width(lab, s);
        if (tw > row_lab_w) row_lab_w = tw;
    }
    for (int j = 0; j < cols; j++) {
        label_or_index(lab, col_labels, j);
        int tw = text_width(lab, s);
        if (tw > col_lab_w) col_lab_w = tw;
    }
    /* column labels are written upright when they fit the cell, else turned */
    int col_up = col_lab_w > cell - 2 * s;
    int gap = 6 * s, margin = 10 * s, line = GLYPH_H * s;
    int gx = margin + (row_title && *row_title ? line + gap : 0) + row_lab_w + gap;
    int gy = margin + (title && *title ? line + gap : 0);
    int gw = cols * cell, gh = rows * cell;
    int W = gx + gw + margin, H = gy + gh + gap + (col_up ? col_lab_w : line) + (col_title && *col_title ? gap + line : 0) + margin;
    if (title && *title && text_width(title, s) + 2 * margin > W) W = text_width(title, s) + 2 * margin;

    canvas cv;
    TRY(canvas_init(&cv, W, H, WHITE, path));
    if (title && *title) draw_text(&cv, (W - text_width(title, s)) / 2, margin, title, s, TEXT);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = matrix[(size_t)i * cols + j];
            int x = gx + j * cell, y = gy + i * cell;
            double t = hi > lo ? (v - lo) / (hi - lo) : 0;
            rgb bg = isnan(v) ? (rgb){200, 200, 200} : cmap(t);
            fill_rect(&cv, x, y, cell, cell, bg);
            if (isnan(v)) snprintf(buf, sizeof buf, "-");
            else snprintf(buf, sizeof buf, integral ? "%.0f" : "%.2f", v);
            if (text_width(buf, s) > cell - 2 * s) snprintf(buf, sizeof buf, "#"); /* does not fit */
            rgb fg = !isnan(v) && t > 0.55 ? WHITE : TEXT;
            draw_text(&cv, x + (cell - text_width(buf, s) + 1) / 2, y + (cell - GLYPH_CAP * s + 1) / 2, buf, s, fg);
        }
    /* thin white lines between cells */
    for (int j = 1; j < cols; j++) vline(&cv, gx + j * cell, gy, gy + gh - 1, WHITE);
    for (int i = 1; i < rows; i++) hline(&cv, gx, gx + gw - 1, gy + i * cell, WHITE);
    for (int i = 0; i < rows; i++) {
        label_or_index(lab, row_labels, i);
        draw_text(&cv, gx - gap - text_width(lab, s), gy + i * cell + (cell - GLYPH_CAP * s + 1) / 2, lab, s, TEXT);
    }
    for (int j = 0; j < cols; j++) {
        label_or_index(lab, col_labels, j);
        if (col_up) draw_text_up(&cv, gx + j * cell + (cell - line + 1) / 2, gy + gh + gap + text_width(lab, s), lab, s, TEXT);
        else draw_text(&cv, gx + j * cell + (cell - text_width(lab, s) + 1) / 2, gy + gh + gap, lab, s, TEXT);
    }
    if (row_title && *row_title)
        draw_text_up(&cv, margin, gy + (gh + text_width(row_title, s)) / 2, row_title, s, TEXT);
    if (col_title && *col_title)
        draw_text(&cv, gx + (gw - text_width(col_title, s)) / 2, gy + gh + gap + (col_up ? col_lab_w : line) + gap,
                  col_title, s, TEXT);
    clgan_status st = clgan_png_write(path, W, H, 3, cv.px);
    free(cv.px);
    return st;
}

/* ---- line plot ------------------------------------------------------------------ */

void clgan_png_series_color(int i, uint8_t out[3])
{
    static const uint8_t palette[8][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                          {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};
    int k = ((i % 8) + 8) % 8;
    memcpy(out, palette[k], 3);
}

typedef struct axis {
    double lo, hi, step;
    int decimals; /* -1: use %.3g */
} axis;

/* Round a range out to whole multiples of the 1/2/5 x 10^k step nearest to
 * giving `target` intervals. */
static axis make_axis(double lo, double hi, int target)
{
    axis a;
    if (!(hi >= lo)) lo = 0, hi = 1;
    if (hi == lo) {
        double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 0.5;
        lo -= d;
        hi += d;
    }
    if (target < 2) target = 2;
    double raw = (hi - lo) / target;
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    int k = (int)floor(log10(raw));
    double step = m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10;
    if (step == 10) step = 1, p *= 10, k++;
    a.step = step * p;
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    double big = fmax(fabs(a.lo), fabs(a.hi));
    a.decimals = k < 0 ? -k : 0;
    if (big >= 1e7 || a.decimals > 6) a.decimals = -1;
    return a;
}

static void tick_label(char *buf, size_t cap, const axis *a, double v)
{
    if (fabs(v) < a->step * 1e-6) v = 0; /* no "-0" */
    if (a->decimals < 0) snprintf(buf, cap, "%.3g", v);
    else snprintf(buf, cap, "%.*f", a->decimals, v);
}

/* Vertical grid lines, ticks and labels of the x axis a over the frame
 * [px0, px1] x [py0, py1] (labels kept inside the canvas width). */
static void x_axis(canvas *cv, const axis *a, int px0, int px1, int py0, int py1, int tick, int scale, int width)
{
    char buf[96];
    for (int t = 0;; t++) {
        double v = a->lo + t * a->step;
        if (v > a->hi + a->step * 1e-9) break;
        int x = px0 + (int)lround((v - a->lo) / (a->hi - a->lo) * (px1 - px0));
        vline(cv, x, py0, py1, GRID);
        vline(cv, x, py1 + 1, py1 + tick, FRAME);
        tick_label(buf, sizeof buf, a, v);
        int tw = text_width(buf, scale), tx = x - tw / 2;
        if (tx + tw > width - 2) tx = width - 2 - tw;
        draw_text(cv, tx, py1 + tick + 4, buf, scale, TEXT);
    }
}

static int finite_point(const clgan_plot_series *s, int i, double *x, double *y)
{
    *x = s->x ? s->x[i] : (double)i;
    *y = s->y[i];
    return isfinite(*x) && isfinite(*y);
}

clgan_status clgan_png_line_plot(const char *path, int width, int height, const char *title, const char *x_label,
                                 const char *y_label, const clgan_plot_series *series, int n_series)
{
    return clgan_png_line_plot_ranged(path, width, height, title, x_label, y_label, series, n_series, NULL, NULL);
}

clgan_status clgan_png_line_plot_ranged(const char *path, int width, int height, const char *title,
                                        const char *x_label, const char *y_label, const clgan_plot_series *series,
                                        int n_series, const double *x_range, const double *y_range)
{
    TRY(check_path(path, "clgan_png_line_plot"));
    if ((x_range && !(isfinite(x_range[0]) && isfinite(x_range[1]) && x_range[1] > x_range[0])) ||
        (y_range && !(isfinite(y_range[0]) && isfinite(y_range[1]) && y_range[1] > y_range[0])))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_line_plot %s: an axis range is not finite and increasing",
                          path);
    if (width < 200 || height < 150 || width > 8192 || height > 8192)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_line_plot %s: size %d x %d outside 200..8192 x 150..8192",
                          path, width, height);
    if (n_series < 0 || n_series > CLGAN_PLOT_MAX_SERIES || (n_series > 0 && !series))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_line_plot %s: %d series (0..%d allowed)", path, n_series,
                          CLGAN_PLOT_MAX_SERIES);
    for (int k = 0; k < n_series; k++)
        if (series[k].count < 0 || (series[k].count > 0 && !series[k].y))
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_line_plot %s: series %d has %d points and %s y", path,
                              k, series[k].count, series[k].y ? "some" : "no");

    /* data range over finite points */
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < n_series; k++)
        for (int i = 0; i < series[k].count; i++) {
            double x, y;
            if (!finite_point(&series[k], i, &x, &y)) continue;
            x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
        }
    if (!(x1 >= x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (x_range) x0 = x_range[0], x1 = x_range[1];
    if (y_range) y0 = y_range[0], y1 = y_range[1];

    const int s = 1, ts = width >= 480 ? 2 : 1; /* text scales: ticks/legend, title */
    const int line = GLYPH_H * s, tick = 4, margin = 10;
    int top = margin + (title && *title ? GLYPH_H * ts + 10 : 4);
    int bottom = margin + tick + 4 + line + (x_label && *x_label ? 8 + line : 0);
    int plot_h = height - top - bottom;
    axis ay = make_axis(y0, y1, plot_h / 40);
    char buf[64];
    int ylab_w = 0;
    for (int t = 0;; t++) {
        double v = ay.lo + t * ay.step;
        if (v > ay.hi + ay.step * 1e-9) break;
        tick_label(buf, sizeof buf, &ay, v);
        int tw = text_width(buf, s);
        if (tw > ylab_w) ylab_w = tw;
    }
    int left = margin + (y_label && *y_label ? line + 8 : 0) + ylab_w + 4 + tick;
    int right = margin + 16;
    int plot_w = width - left - right;
    if (plot_w < 40 || plot_h < 40)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_line_plot %s: %d x %d leaves no room for the plot", path,
                          width, height);
    axis ax = make_axis(x0, x1, plot_w / 80);
    /* plot area: pixels [px0, px1] x [py0, py1], frame drawn on its border */
    int px0 = left, px1 = left + plot_w - 1, py0 = top, py1 = top + plot_h - 1;
#define MAPX(v) (px0 + (int)lround(((v) - ax.lo) / (ax.hi - ax.lo) * (px1 - px0)))
#define MAPY(v) (py1 - (int)lround(((v) - ay.lo) / (ay.hi - ay.lo) * (py1 - py0)))

    canvas cv;
    TRY(canvas_init(&cv, width, height, WHITE, path));
    if (title && *title) draw_text(&cv, px0 + (plot_w - text_width(title, ts)) / 2, margin, title, ts, TEXT);

    /* grid lines and ticks */
    for (int t = 0;; t++) {
        double v = ay.lo + t * ay.step;
        if (v > ay.hi + ay.step * 1e-9) break;
        int y = MAPY(v);
        hline(&cv, px0, px1, y, GRID);
        hline(&cv, px0 - tick, px0 - 1, y, FRAME);
        tick_label(buf, sizeof buf, &ay, v);
        draw_text(&cv, px0 - tick - 4 - text_width(buf, s), y - GLYPH_CAP * s / 2, buf, s, TEXT);
    }
    x_axis(&cv, &ax, px0, px1, py0, py1, tick, s, width);
    if (x_label && *x_label)
        draw_text(&cv, px0 + (plot_w - text_width(x_label, s)) / 2, py1 + tick + 4 + line + 8, x_label, s, TEXT);
    if (y_label && *y_label)
        draw_text_up(&cv, margin, py0 + (plot_h + text_width(y_label, s)) / 2, y_label, s, TEXT);

    /* curves, clipped to the inside of the frame */
    cv.cx0 = px0 + 1, cv.cy0 = py0 + 1, cv.cx1 = px1, cv.cy1 = py1;
    for (int k = 0; k < n_series; k++) {
        uint8_t c[3];
        clgan_png_series_color(k, c);
        rgb col = {c[0], c[1], c[2]};
        const clgan_plot_series *sr = &series[k];
        int have_prev = 0, prev_x = 0, prev_y = 0;
        for (int i = 0; i < sr->count; i++) {
            double x, y;
            if (!finite_point(sr, i, &x, &y)) {
                have_prev = 0;
                continue;
            }
            int X = MAPX(x), Y = MAPY(y);
            if (have_prev) {
                thick_line(&cv, prev_x, prev_y, X, Y, col);
            } else {
                double nx, ny;
                int next_ok = i + 1 < sr->count && finite_point(sr, i + 1, &nx, &ny);
                if (!next_ok) fill_rect(&cv, X - 1, Y - 1, 3, 3, col); /* isolated point */
            }
            have_prev = 1, prev_x = X, prev_y = Y;
        }
    }
    clip_reset(&cv);
    rect_outline(&cv, px0, py0, px1, py1, FRAME);

    /* legend in the corner with the fewest points under it */
    if (n_series > 0) {
        char names[CLGAN_PLOT_MAX_SERIES][LABEL_MAX + 1];
        int name_w = 0;
        for (int k = 0; k < n_series; k++) {
            if (series[k].name) snprintf(names[k], sizeof names[k], "%s", series[k].name);
            else snprintf(names[k], sizeof names[k], "series %d", k);
            int tw = text_width(names[k], s);
            if (tw > name_w) name_w = tw;
        }
        int row_h = line + 6, swatch = 18;
        int lw = 8 + swatch + 6 + name_w + 8, lh = 6 + n_series * row_h;
        if (lw > plot_w - 12) lw = plot_w - 12;
        /* candidates: the corners, then the middles of the edges; take the one
         * covering the fewest curve pixels (the curves are drawn already) */
        int mx = px0 + (plot_w - lw) / 2, my = py0 + (plot_h - lh) / 2;
        int cx[8] = {px1 - 6 - lw, px0 + 6, px1 - 6 - lw, px0 + 6, mx, mx, px1 - 6 - lw, px0 + 6};
        int cy[8] = {py0 + 6, py0 + 6, py1 - 6 - lh, py1 - 6 - lh, py0 + 6, py1 - 6 - lh, my, my};
        int best = 0;
        long best_hits = -1;
        for (int q = 0; q < 8; q++) {
            long hits = 0;
            for (int y = cy[q] - 3; y < cy[q] + lh + 3; y++)
                for (int x = cx[q] - 3; x < cx[q] + lw + 3; x++) {
                    if (x <= px0 || x >= px1 || y <= py0 || y >= py1) continue;
                    const uint8_t *p = cv.px + ((size_t)y * cv.w + x) * 3;
                    int bg = (p[0] == WHITE.r && p[1] == WHITE.g && p[2] == WHITE.b) ||
                             (p[0] == GRID.r && p[1] == GRID.g && p[2] == GRID.b);
                    hits += !bg;
                }
            if (best_hits < 0 || hits < best_hits) best = q, best_hits = hits;
        }
        int lx = cx[best], ly = cy[best];
        fill_rect(&cv, lx, ly, lw, lh, WHITE);
        rect_outline(&cv, lx, ly, lx + lw - 1, ly + lh - 1, LEGEND_EDGE);
        cv.cx0 = lx, cv.cy0 = ly, cv.cx1 = lx + lw - 1, cv.cy1 = ly + lh - 1;
        for (int k = 0; k < n_series; k++) {
            uint8_t c[3];
            clgan_png_series_color(k, c);
            int ry = ly + 6 + k * row_h;
            fill_rect(&cv, lx + 8, ry + line / 2 - 1, swatch, 3, (rgb){c[0], c[1], c[2]});
            draw_text(&cv, lx + 8 + swatch + 6, ry, names[k], s, TEXT);
        }
        clip_reset(&cv);
    }
#undef MAPX
#undef MAPY
    clgan_status st = clgan_png_write(path, width, height, 3, cv.px);
    free(cv.px);
    return st;
}

/* ---- bar chart ------------------------------------------------------------------ */

#define BAR_LABEL_MAX 64

/* Copy s into out (room for max + 1 chars), longer texts cut in the middle
 * ("start..end"), as their ends tell them apart ("/forward/b64", " (2)"). */
static void cut_middle(char *out, int max, const char *s)
{
    int n = (int)strlen(s);
    if (n <= max) {
        memcpy(out, s, (size_t)n + 1);
        return;
    }
    int head = (max - 2) * 2 / 3, tail = max - 2 - head;
    memcpy(out, s, (size_t)head);
    memcpy(out + head, "..", 2);
    memcpy(out + head + 2, s + n - tail, (size_t)tail + 1);
}

clgan_status clgan_png_bar_chart(const char *path, int width, const char *title, const char *value_label,
                                 const char *const *group_labels, int n_groups, const char *const *series_names,
                                 int n_series, const double *values, double ref, const char *value_suffix)
{
    TRY(check_path(path, "clgan_png_bar_chart"));
    if (width < 320 || width > 8192)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_bar_chart %s: width %d outside 320..8192", path, width);
    if (n_groups < 1 || n_series < 1 || n_series > CLGAN_PLOT_MAX_SERIES || !values)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "clgan_png_bar_chart %s: %d groups of %d series (1.. groups, 1..%d series, values needed)",
                          path, n_groups, n_series, CLGAN_PLOT_MAX_SERIES);
    const rgb BAND = {246, 246, 248}, REF = {40, 40, 40}, NA = {150, 150, 150};
    const int s = 1, line = GLYPH_H * s, margin = 10, tick = 4;
    const int bar_h = 11, bar_gap = 2, group_pad = 6; /* pixels */
    /* title: scale 2 where it fits, else 1, cut with ".." where even that does not */
    char title_buf[256] = "";
    if (title) snprintf(title_buf, sizeof title_buf, "%s", title);
    int ts = text_width(title_buf, 2) <= width - 2 * margin ? 2 : 1;
    int title_max = (width - 2 * margin + 1) / GLYPH_ADVANCE;
    if ((int)strlen(title_buf) > title_max && title_max >= 3 && title_max < (int)sizeof title_buf)
        memcpy(title_buf + title_max - 2, "..", 3);
    const char *suffix = value_suffix ? value_suffix : "";

    /* group labels, cut to BAR_LABEL_MAX characters */
    int label_w = 0;
    for (int g = 0; g < n_groups; g++) {
        char buf[BAR_LABEL_MAX + 1];
        cut_middle(buf, BAR_LABEL_MAX, group_labels && group_labels[g] ? group_labels[g] : "");
        int tw = text_width(buf, s);
        if (tw > label_w) label_w = tw;
    }
    /* value range */
    double vmax = isfinite(ref) && ref > 0 ? ref : 0;
    for (int i = 0; i < n_groups * n_series; i++)
        if (isfinite(values[i]) && values[i] > vmax) vmax = values[i];
    if (!(vmax > 0)) vmax = 1;

    /* legend rows: swatch + name items flowed left to right under the title */
    char names[CLGAN_PLOT_MAX_SERIES][LABEL_MAX + 1];
    int item_w[CLGAN_PLOT_MAX_SERIES], swatch = 14;
    for (int k = 0; k < n_series; k++) {
        if (series_names && series_names[k]) cut_middle(names[k], LABEL_MAX, series_names[k]);
        else snprintf(names[k], sizeof names[k], "series %d", k);
        item_w[k] = swatch + 5 + text_width(names[k], s) + 16;
    }
    int legend_rows = 1;
    for (int k = 0, x = 0; k < n_series; k++) {
        if (x > 0 && x + item_w[k] > width - 2 * margin) legend_rows++, x = 0;
        x += item_w[k];
    }
    int value_room = text_width("0000.00", s) + (int)strlen(suffix) * GLYPH_ADVANCE * s + 6;
    int left = margin + label_w + 8, right = margin + value_room;
    int plot_w = width - left - right;
    if (plot_w < 60)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_bar_chart %s: width %d leaves no room for the bars "
                                                 "next to labels %d pixels wide", path, width, label_w);
    int top = margin + (title_buf[0] ? GLYPH_H * ts + 8 : 0) + legend_rows * (line + 6) + 6;
    int group_h = n_series * bar_h + (n_series - 1) * bar_gap + 2 * group_pad;
    int plot_h = n_groups * group_h;
    int bottom = tick + 4 + line + (value_label && *value_label ? 6 + line : 0) + margin;
    int64_t height = (int64_t)top + plot_h + bottom;
    if (height > CLGAN_PNG_MAX_SIDE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_png_bar_chart %s: %d groups of %d bars need %lld pixels of "
                                                 "height (limit %d)", path, n_groups, n_series, (long long)height,
                          CLGAN_PNG_MAX_SIDE);
    axis ax = make_axis(0, vmax, plot_w / 80);
    int px0 = left, px1 = left + plot_w - 1, py0 = top, py1 = top + plot_h - 1;
#define MAPV(v) (px0 + (int)lround(((v) - ax.lo) / (ax.hi - ax.lo) * (px1 - px0)))

    canvas cv;
    TRY(canvas_init(&cv, width, (int)height, WHITE, path));
    int y = margin;
    if (title_buf[0]) {
        draw_text(&cv, (width - text_width(title_buf, ts)) / 2, y, title_buf, ts, TEXT);
        y += GLYPH_H * ts + 8;
    }
    for (int k = 0, x = margin; k < n_series; k++) {
        if (x > margin && x + item_w[k] > width - margin) x = margin, y += line + 6;
        uint8_t c[3];
        clgan_png_series_color(k, c);
        fill_rect(&cv, x, y, swatch, line - 1, (rgb){c[0], c[1], c[2]});
        draw_text(&cv, x + swatch + 5, y, names[k], s, TEXT);
        x += item_w[k];
    }

    /* bands behind every other group, grid lines and ticks */
    for (int g = 1; g < n_groups; g += 2) fill_rect(&cv, px0 + 1, py0 + g * group_h, plot_w - 2, group_h, BAND);
    char buf[96];
    x_axis(&cv, &ax, px0, px1, py0, py1, tick, s, width);
    if (value_label && *value_label)
        draw_text(&cv, px0 + (plot_w - text_width(value_label, s)) / 2, py1 + tick + 4 + line + 6, value_label, s,
                  TEXT);

    /* group labels (right-aligned next to the plot) and bars */
    for (int g = 0; g < n_groups; g++) {
        int gy = py0 + g * group_h;
        cut_middle(buf, BAR_LABEL_MAX, group_labels && group_labels[g] ? group_labels[g] : "");
        draw_text(&cv, px0 - 6 - text_width(buf, s), gy + (group_h - GLYPH_CAP * s) / 2, buf, s, TEXT);
        for (int k = 0; k < n_series; k++) {
            double v = values[(size_t)g * n_series + k];
            int by = gy + group_pad + k * (bar_h + bar_gap);
            uint8_t c[3];
            clgan_png_series_color(k, c);
            if (!isfinite(v)) {
                draw_text(&cv, px0 + 4, by + (bar_h - GLYPH_CAP * s) / 2, "n/a", s, NA);
                continue;
            }
            int x1 = MAPV(v < 0 ? 0 : v);
            if (x1 > px0) fill_rect(&cv, px0 + 1, by, x1 - px0, bar_h, (rgb){c[0], c[1], c[2]});
            snprintf(buf, sizeof buf, "%.2f%s", v, suffix);
            draw_text(&cv, (x1 > px0 ? x1 : px0) + 4, by + (bar_h - GLYPH_CAP * s) / 2, buf, s, TEXT);
        }
    }
    if (isfinite(ref) && ref > 0) {
        int x = MAPV(ref);
        vline(&cv, x, py0, py1, REF);
        vline(&cv, x + 1, py0, py1, REF);
    }
    rect_outline(&cv, px0, py0, px1, py1, FRAME);
#undef MAPV
    clgan_status st = clgan_png_write(path, width, (int)height, 3, cv.px);
    free(cv.px);
    return st;
}

/* ---- scenes with boxes ------------------------------------------------------------ */

/* Box b of a scene drawn at (ox, oy), side h x w pixels times scale: its pixel rectangle. */
static void box_pixels(const clgan_box *b, int ox, int oy, int h, int w, int scale, int *x0, int *y0, int *x1, int *y1)
{
    *x0 = ox + (int)lround((b->cx - b->w / 2) * w * scale);
    *x1 = ox + (int)lround((b->cx + b->w / 2) * w * scale) - 1;
    *y0 = oy + (int)lround((b->cy - b->h / 2) * h * scale);
    *y1 = oy + (int)lround((b->cy + b->h / 2) * h * scale) - 1;
}

clgan_status clgan_png_detections(const char *path, int n, int c, int h, int w, const float *images, int cols,
                                  int scale, const clgan_detection *dets, int cap, const int *counts,
                                  const clgan_box *truth, const int *truth_start, const char (*names)[64])
{
    TRY(check_path(path, "clgan_png_detections"));
    if (n < 1 || (c != 1 && c != 3) || h < 1 || w < 1 || cols < 1 || scale < 1 || scale > 16 || !images ||
        (dets && (!counts || cap < 1)))
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "PNG %s: bad scenes (%d of %dx%dx%d, %d columns, scale %d)", path, n,
                          c, h, w, cols, scale);
    const int gap = 4;
    if (cols > n) cols = n;
    int rows = (n + cols - 1) / cols;
    if ((int64_t)w * scale > CLGAN_PNG_MAX_SIDE || (int64_t)h * scale > CLGAN_PNG_MAX_SIDE ||
        (int64_t)cols * (w * scale + gap) > CLGAN_PNG_MAX_SIDE || (int64_t)rows * (h * scale + gap) > CLGAN_PNG_MAX_SIDE)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "PNG %s: %d scenes of %dx%d at scale %d are too large", path, n, w,
                          h, scale);
    int W = gap + cols * (w * scale + gap), H = gap + rows * (h * scale + gap);
    canvas cv;
    TRY(canvas_init(&cv, W, H, (rgb){48, 48, 48}, path));
    size_t plane = (size_t)h * w;
    for (int i = 0; i < n; i++) {
        int ox = gap + (i % cols) * (w * scale + gap), oy = gap + (i / cols) * (h * scale + gap);
        const float *img = images + (size_t)i * c * plane;
        for (int y = 0; y < h * scale; y++)
            for (int x = 0; x < w * scale; x++) {
                size_t at = (size_t)(y / scale) * w + (size_t)(x / scale);
                uint8_t v[3];
                for (int k = 0; k < 3; k++) {
                    float f = img[(c == 3 ? (size_t)k : 0) * plane + at];
                    long q = lround((f + 1.0) * 127.5);
                    v[k] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
                }
                put(&cv, ox + x, oy + y, (rgb){v[0], v[1], v[2]});
            }
        cv.cx0 = ox, cv.cy0 = oy, cv.cx1 = ox + w * scale, cv.cy1 = oy + h * scale; /* boxes stay in the scene */
        for (int b = truth ? truth_start[i] : 0; truth && b < truth_start[i + 1]; b++) {
            int x0, y0, x1, y1;
            box_pixels(&truth[b], ox, oy, h, w, scale, &x0, &y0, &x1, &y1);
            rect_outline(&cv, x0, y0, x1, y1, WHITE);
        }
        for (int d = dets ? counts[i] - 1 : -1; d >= 0; d--) { /* the best last, on top */
            const clgan_detection *e = &dets[(size_t)i * cap + d];
            uint8_t col[3];
            clgan_png_series_color(e->box.cls, col);
            rgb cc = {col[0], col[1], col[2]};
            int x0, y0, x1, y1;
            box_pixels(&e->box, ox, oy, h, w, scale, &x0, &y0, &x1, &y1);
            rect_outline(&cv, x0, y0, x1, y1, cc);
            rect_outline(&cv, x0 + 1, y0 + 1, x1 - 1, y1 - 1, cc);
            char label[80];
            if (names) snprintf(label, sizeof label, "%.20s %.2f", names[e->box.cls], e->score);
            else snprintf(label, sizeof label, "%d %.2f", e->box.cls, e->score);
            int ty = y0 - GLYPH_H - 2 >= oy ? y0 - GLYPH_H - 2 : y0 + 2;
            fill_rect(&cv, x0, ty - 1, text_width(label, 1) + 2, GLYPH_H + 2, cc);
            draw_text(&cv, x0 + 1, ty, label, 1, WHITE);
        }
        clip_reset(&cv);
    }
    clgan_status st = clgan_png_write(path, W, H, 3, cv.px);
    free(cv.px);
    return st;
}
