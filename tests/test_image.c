/* test_image.c — PNG output read back with stb_image (io/image.c grids and
 * the CLI's tools/clgan/plot.c charts): grid geometry, cell
 * colours, clamping and padding (float and uint8, grey and RGB); heatmap
 * cell colours and digits; line plots (a rising line, a NaN gap, a falling
 * line with the legend out of its way); bad arguments and unwritable paths.
 * With an argument, the PNGs are kept in that folder for viewing. */
#include "io/image.h"
#include "plot.h"
#include "test_expect.h"
#include "test_files.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>


static char dir[256];
static int keep;

typedef struct img {
    unsigned char *px;
    int w, h, comp; /* comp: channels in the file; px always has 3 */
} img;

static img load(const char *path)
{
    img m = {0};
    m.px = stbi_load(path, &m.w, &m.h, &m.comp, 3);
    if (!m.px) printf("     stbi_load %s: %s\n", path, stbi_failure_reason());
    return m;
}

static const unsigned char *at(const img *m, int x, int y) { return m->px + ((size_t)y * m->w + x) * 3; }

static int is(const img *m, int x, int y, int r, int g, int b)
{
    const unsigned char *p = at(m, x, y);
    return p[0] == r && p[1] == g && p[2] == b;
}

/* Pixels of colour c inside [x0, x1) x [y0, y1). */
static int count_colour(const img *m, int x0, int y0, int x1, int y1, const uint8_t c[3])
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) n += is(m, x, y, c[0], c[1], c[2]);
    return n;
}

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static void test_grid(void)
{
    char path[400];
    /* 5 RGB images 4x3 (h x w), 3 columns, pad 2: 2 rows, 3*3+4*2 = 17 wide, 2*4+3*2 = 14 high.
     * Image i is filled with channel values (v_r, v_g, v_b) in [-1, 1]. */
    enum { N = 5, C = 3, H = 4, W = 3 };
    float vals[N][C] = {{-1, 0, 1}, {1, 1, 1}, {-1, -1, -1}, {-3, 0.5f, 7}, {0.2f, -0.2f, NAN}};
    int want[N][C] = {{0, 128, 255}, {255, 255, 255}, {0, 0, 0}, {0, 191, 255}, {153, 102, 0}};
    float *x = malloc(sizeof(float) * N * C * H * W);
    for (int i = 0; i < N; i++)
        for (int c = 0; c < C; c++)
            for (int p = 0; p < H * W; p++) x[(i * C + c) * H * W + p] = vals[i][c];
    /* one marked pixel: image 1, row 2, column 0, green channel = -1 */
    x[(1 * C + 1) * H * W + 2 * W + 0] = -1;
    path_of(path, sizeof path, "grid_rgb.png");
    clgan_status st = clgan_png_grid(path, x, N, C, H, W, 3, -1, 1, 2);
    EXPECT(st == CLGAN_OK, "RGB grid written: %s", st ? clgan_last_error() : "");
    img m = load(path);
    EXPECT(m.px && m.w == 17 && m.h == 14 && m.comp == 3, "RGB grid is 17 x 14 with 3 channels (got %d x %d, %d)",
           m.w, m.h, m.comp);
    if (m.px) {
        int cells_ok = 1;
        for (int i = 0; i < N; i++) {
            int ox = 2 + (i % 3) * (W + 2), oy = 2 + (i / 3) * (H + 2);
            for (int y = 0; y < H; y++)
                for (int xx = 0; xx < W; xx++) {
                    if (i == 1 && y == 2 && xx == 0) continue;
                    if (!is(&m, ox + xx, oy + y, want[i][0], want[i][1], want[i][2])) {
                        const unsigned char *p = at(&m, ox + xx, oy + y);
                        if (cells_ok) printf("     image %d pixel (%d,%d) is %d %d %d, want %d %d %d\n", i, xx, y,
                                             p[0], p[1], p[2], want[i][0], want[i][1], want[i][2]);
                        cells_ok = 0;
                    }
                }
        }
        EXPECT(cells_ok, "every cell has its image's colour (mapping [-1,1] -> 0..255, clamping, NaN -> 0)");
        EXPECT(is(&m, 2 + 5, 2 + 2, 255, 0, 255), "single marked pixel lands at its place in cell 1");
        int pad_ok = 1;
        for (int y = 0; y < m.h; y++)
            for (int xx = 0; xx < m.w; xx++) {
                int in_col = (xx - 2) % (W + 2) < W && xx >= 2 && xx < 17 - 2;
                int in_row = (y - 2) % (H + 2) < H && y >= 2 && y < 14 - 2;
                int cell = in_col && in_row ? ((y - 2) / (H + 2)) * 3 + (xx - 2) / (W + 2) : -1;
                if (cell < 0 || cell >= N)
                    pad_ok &= is(&m, xx, y, CLGAN_PNG_GRID_BACKGROUND, CLGAN_PNG_GRID_BACKGROUND,
                                 CLGAN_PNG_GRID_BACKGROUND);
            }
        EXPECT(pad_ok, "padding, border and the empty sixth cell are grey %d", CLGAN_PNG_GRID_BACKGROUND);
        stbi_image_free(m.px);
    }
    free(x);

    /* grey: 3 images 2x2, cols 8 (-> 3 columns), pad 0, range [0, 1] */
    float g[12] = {0, 0.25f, 0.5f, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    path_of(path, sizeof path, "grid_grey.png");
    st = clgan_png_grid(path, g, 3, 1, 2, 2, 8, 0, 1, 0);
    m = load(path);
    EXPECT(st == CLGAN_OK && m.px && m.w == 6 && m.h == 2 && m.comp == 1, "grey grid: 1 channel, 6 x 2 (cols capped at n)");
    if (m.px) {
        EXPECT(is(&m, 0, 0, 0, 0, 0) && is(&m, 1, 0, 64, 64, 64) && is(&m, 0, 1, 128, 128, 128) &&
                   is(&m, 1, 1, 255, 255, 255) && is(&m, 3, 1, 255, 255, 255) && is(&m, 5, 0, 0, 0, 0),
               "grey values 0, .25, .5, 1 -> 0, 64, 128, 255 in place");
        stbi_image_free(m.px);
    }

    /* uint8 variant: 2 RGB 1x1 images in one column, pad 1 -> 3 x 5 */
    uint8_t u[6] = {10, 20, 30, 200, 100, 50};
    path_of(path, sizeof path, "grid_u8.png");
    st = clgan_png_grid_u8(path, u, 2, 3, 1, 1, 1, 1);
    m = load(path);
    EXPECT(st == CLGAN_OK && m.px && m.w == 3 && m.h == 5, "uint8 grid is 3 x 5");
    if (m.px) {
        EXPECT(is(&m, 1, 1, 10, 20, 30) && is(&m, 1, 3, 200, 100, 50) && is(&m, 0, 0, 128, 128, 128) &&
                   is(&m, 1, 2, 128, 128, 128),
               "uint8 pixels copied exactly, padding grey");
        stbi_image_free(m.px);
    }

    /* 16 MNIST-sized rings in [-1, 1], 4 columns, kept for viewing */
    enum { S = 28 };
    float *rings = malloc(sizeof(float) * 16 * S * S);
    for (int i = 0; i < 16; i++)
        for (int yy = 0; yy < S; yy++)
            for (int xx = 0; xx < S; xx++) {
                double r = hypot(xx - 13.5, yy - 13.5), want_r = 4 + i * 0.5;
                rings[(i * S + yy) * S + xx] = (float)(2 * exp(-(r - want_r) * (r - want_r) / 2.0) - 1);
            }
    path_of(path, sizeof path, "grid_rings.png");
    st = clgan_png_grid(path, rings, 16, 1, S, S, 4, -1, 1, 2);
    m = load(path);
    EXPECT(st == CLGAN_OK && m.px && m.w == 4 * 28 + 5 * 2 && m.h == m.w, "16 28x28 images in a 4x4 grid: 122 x 122");
    if (m.px) {
        EXPECT(is(&m, 2, 2, 0, 0, 0) && at(&m, 2 + 13, 2 + 9)[0] > 200 && at(&m, 2 + 13, 2 + 13)[0] < 10,
               "ring 0: black corner and centre, bright at radius 4 (%d)", at(&m, 2 + 13, 2 + 9)[0]);
        stbi_image_free(m.px);
    }
    free(rings);
}

/* Bounding box of the pixels of colour c. */
static int bbox(const img *m, const uint8_t c[3], int *x0, int *y0, int *x1, int *y1)
{
    *x0 = m->w, *y0 = m->h, *x1 = -1, *y1 = -1;
    for (int y = 0; y < m->h; y++)
        for (int x = 0; x < m->w; x++)
            if (is(m, x, y, c[0], c[1], c[2])) {
                if (x < *x0) *x0 = x;
                if (x > *x1) *x1 = x;
                if (y < *y0) *y0 = y;
                if (y > *y1) *y1 = y;
            }
    return *x1 >= 0;
}

static void test_heatmap(void)
{
    char path[400];
    /* a 3x3 confusion matrix with one dominant cell (row 0, column 0) and a zero at (2, 2) */
    double cm[9] = {950, 3, 1, 7, 480, 12, 0, 25, 0};
    const char *names[3] = {"cat", "dog", "bird"};
    path_of(path, sizeof path, "heatmap.png");
    clgan_status st = clgan_png_heatmap(path, cm, 3, 3, NULL, NULL, "confusion", "true", "predicted");
    EXPECT(st == CLGAN_OK, "heatmap written: %s", st ? clgan_last_error() : "");
    img m = load(path);
    if (!m.px) {
        failures++;
        return;
    }
    uint8_t dark[3], light[3];
    clgan_png_colormap(1.0, dark);
    clgan_png_colormap(0.0, light);
    int dx0, dy0, dx1, dy1, lx0, ly0, lx1, ly1;
    int has_dark = bbox(&m, dark, &dx0, &dy0, &dx1, &dy1), has_light = bbox(&m, light, &lx0, &ly0, &lx1, &ly1);
    printf("     %d x %d; darkest cell at [%d..%d] x [%d..%d]\n", m.w, m.h, dx0, dx1, dy0, dy1);
    EXPECT(has_dark && dx1 - dx0 >= 15 && dy1 - dy0 >= 15 && abs((dx1 - dx0) - (dy1 - dy0)) <= 2,
           "the maximum is one square dark cell");
    EXPECT(has_light && lx1 > dx1 && ly1 > dy1, "cells with 0 use the light end, right of and below the maximum");
    int cell = dx1 - dx0 + 1;
    /* the dark cell holds white digits ("950"), the light bottom-right cell dark digits ("0") */
    int white_in_dark = count_colour(&m, dx0, dy0, dx1 + 1, dy1 + 1, (const uint8_t[3]){255, 255, 255});
    EXPECT(white_in_dark >= 20 && white_in_dark < cell * cell / 2, "white digits inside the dark cell (%d px)",
           white_in_dark);
    int bx = dx0 + 2 * cell, by = dy0 + 2 * cell;
    int ink = count_colour(&m, bx + 1, by + 1, bx + cell - 1, by + cell - 1, (const uint8_t[3]){20, 20, 20});
    int lightpx = count_colour(&m, bx + 1, by + 1, bx + cell - 1, by + cell - 1, light);
    EXPECT(ink >= 10 && lightpx > cell * cell / 2, "cell (2,2) is light with a dark '0' (%d ink px)", ink);
    /* row index labels to the left of the grid, column labels below it */
    int left_ink = count_colour(&m, 0, dy0, dx0, dy1 + 1, (const uint8_t[3]){20, 20, 20});
    int below_ink = count_colour(&m, dx0, dy0 + 3 * cell, dx0 + cell, m.h, (const uint8_t[3]){20, 20, 20});
    EXPECT(left_ink >= 8 && below_ink >= 8, "axis labels beside and below the grid (%d, %d px)", left_ink, below_ink);
    stbi_image_free(m.px);

    /* fractions, names, a NaN cell, and more columns */
    double frac[2 * 4] = {0.5, 0.25, 0.125, NAN, 0, 1, 0.75, 0.333};
    const char *cols[4] = {"cat", "dog", "bird", "frog"};
    path_of(path, sizeof path, "heatmap_fraction.png");
    st = clgan_png_heatmap(path, frac, 2, 4, names, cols, "normalised", "true", "predicted");
    m = load(path);
    EXPECT(st == CLGAN_OK && m.px && m.w > 4 * 36 && m.h > 2 * 36, "fraction heatmap with names and a NaN: %d x %d",
           m.w, m.h);
    stbi_image_free(m.px);

    /* a 10x10 matrix, as for MNIST, with four-digit counts */
    double big[100];
    for (int i = 0; i < 100; i++) big[i] = i / 10 == i % 10 ? 950 + i : (i * 37) % 23;
    big[99] = 1135;
    path_of(path, sizeof path, "heatmap_10.png");
    st = clgan_png_heatmap(path, big, 10, 10, NULL, NULL, "MNIST confusion matrix", "true", "predicted");
    EXPECT(st == CLGAN_OK, "10 x 10 heatmap written");
}

static void test_plot(void)
{
    char path[400];
    uint8_t c0[3], c1[3], frame[3] = {90, 90, 90};
    clgan_png_series_color(0, c0);
    clgan_png_series_color(1, c1);

    /* a rising line from (0, 0) to (100, 100): axes are exactly [0, 100] */
    double x[101], y[101], yn[101], down[101];
    for (int i = 0; i <= 100; i++) {
        x[i] = i;
        y[i] = i;
        yn[i] = i >= 40 && i <= 60 ? NAN : i;
        down[i] = 100 - i;
    }
    clgan_plot_series rise = {"rising", x, y, 101};
    path_of(path, sizeof path, "plot_rising.png");
    clgan_status st = clgan_png_line_plot(path, 640, 400, "rising", "step", "value", &rise, 1);
    EXPECT(st == CLGAN_OK, "line plot written: %s", st ? clgan_last_error() : "");
    img m = load(path);
    if (!m.px) {
        failures++;
        return;
    }
    EXPECT(m.w == 640 && m.h == 400, "plot is 640 x 400");
    /* find the frame: first and last frame-coloured pixels on the middle row and column */
    int fx0 = -1, fx1 = -1, fy0 = -1, fy1 = -1;
    for (int xx = 0; xx < m.w; xx++)
        if (is(&m, xx, m.h / 2, frame[0], frame[1], frame[2])) {
            if (fx0 < 0) fx0 = xx;
            fx1 = xx;
        }
    for (int yy = 0; yy < m.h; yy++)
        if (is(&m, m.w / 2, yy, frame[0], frame[1], frame[2])) {
            if (fy0 < 0) fy0 = yy;
            fy1 = yy;
        }
    /* the y tick marks at the left are frame-coloured too: the frame is the rightmost of a run */
    while (fx0 >= 0 && fx0 + 1 < m.w && is(&m, fx0 + 1, m.h / 2, frame[0], frame[1], frame[2])) fx0++;
    printf("     plot frame [%d..%d] x [%d..%d]\n", fx0, fx1, fy0, fy1);
    EXPECT(fx0 > 20 && fx1 > fx0 + 300 && fy0 > 10 && fy1 > fy0 + 200, "framed plot area found");
    int pw = fx1 - fx0, ph = fy1 - fy0;
    /* the line: coloured near the lower-left and upper-right corners, and on the diagonal */
    int ll = count_colour(&m, fx0 + 1, fy1 - ph / 10, fx0 + pw / 10, fy1, c0);
    int ur = count_colour(&m, fx1 - pw / 10, fy0 + 1, fx1, fy0 + ph / 10, c0);
    int mid = count_colour(&m, fx0 + pw / 2 - 3, fy0 + ph / 2 - 3, fx0 + pw / 2 + 4, fy0 + ph / 2 + 4, c0);
    int lr = count_colour(&m, fx0 + pw * 6 / 10, fy0 + ph * 6 / 10, fx1 - pw / 10, fy1 - 2, c0);
    EXPECT(ll > 10 && ur > 10 && mid > 2, "line passes lower-left (%d px), centre (%d), upper-right (%d)", ll, mid, ur);
    EXPECT(lr == 0, "nothing drawn in the empty lower-right region (%d px)", lr);
    int ul_legend = count_colour(&m, fx0 + 1, fy0 + 1, fx0 + pw / 3, fy0 + ph / 4, c0);
    EXPECT(ul_legend >= 18 && ul_legend < 200, "legend swatch in the free upper-left corner (%d px)", ul_legend);
    int text = count_colour(&m, 0, 0, m.w, fy0, (const uint8_t[3]){20, 20, 20});
    EXPECT(text > 30, "title drawn above the plot (%d px)", text);
    int ticks = count_colour(&m, 0, fy0, fx0 - 4, fy1, (const uint8_t[3]){20, 20, 20});
    EXPECT(ticks > 50, "y tick labels left of the plot (%d px)", ticks);
    int grid = count_colour(&m, fx0 + 1, fy0 + 1, fx1, fy1, (const uint8_t[3]){225, 225, 225});
    EXPECT(grid > pw, "light grid lines inside the plot (%d px)", grid);
    stbi_image_free(m.px);

    /* NaN gap: x 40..60 missing, so no line in the middle band; two series */
    clgan_plot_series two[2] = {{"with gap", x, yn, 101}, {"falling", x, down, 101}};
    path_of(path, sizeof path, "plot_gap.png");
    st = clgan_png_line_plot(path, 640, 400, "NaN gap", "step", NULL, two, 2);
    m = load(path);
    EXPECT(st == CLGAN_OK && m.px, "two-series plot with NaNs written");
    if (m.px) {
        /* where the missing stretch (x and y in 40..60) would be */
        int gap = count_colour(&m, fx0 + pw * 43 / 100, fy1 - ph * 62 / 100, fx0 + pw * 57 / 100, fy1 - ph * 38 / 100, c0);
        int before = count_colour(&m, fx0 + pw * 25 / 100, fy0 + 1, fx0 + pw * 35 / 100, fy1, c0);
        int fall = count_colour(&m, fx0 + pw * 43 / 100, fy0 + 1, fx0 + pw * 57 / 100, fy1, c1);
        EXPECT(gap == 0 && before > 10 && fall > 10,
               "no line where y is NaN (%d px), line before it (%d), other series continues there (%d)", gap, before,
               fall);
        stbi_image_free(m.px);
    }

    /* a GAN-like pair of noisy loss curves, kept for viewing */
    enum { STEPS = 3000 };
    double *d = malloc(sizeof(double) * STEPS), *g = malloc(sizeof(double) * STEPS);
    unsigned r = 12345;
    for (int i = 0; i < STEPS; i++) {
        r = r * 1103515245u + 12345u;
        double noise = ((r >> 8) & 0xffff) / 65535.0 - 0.5;
        d[i] = 0.6 + 0.8 * exp(-i / 400.0) + 0.15 * noise;
        g[i] = 0.9 + 1.6 * (1 - exp(-i / 700.0)) - 0.2 * noise;
    }
    g[1500] = NAN;
    clgan_plot_series gan[2] = {{"discriminator", NULL, d, STEPS}, {"generator", NULL, g, STEPS}};
    path_of(path, sizeof path, "plot_gan.png");
    st = clgan_png_line_plot(path, 800, 450, "DCGAN MNIST losses", "iteration", "loss", gan, 2);
    EXPECT(st == CLGAN_OK, "GAN loss plot written");
    free(d);
    free(g);

    /* degenerate inputs still give a valid plot */
    double one_x = 5, one_y = 0.001;
    double small[4] = {1e-4, 3e-4, 2e-4, 5e-4}, huge[3] = {1e8, 3e8, 2.5e8};
    clgan_plot_series odd[4] = {{"one point", &one_x, &one_y, 1}, {"tiny", NULL, small, 4}, {NULL, NULL, huge, 0},
                                {"empty", NULL, NULL, 0}};
    path_of(path, sizeof path, "plot_degenerate.png");
    st = clgan_png_line_plot(path, 300, 200, NULL, NULL, NULL, odd, 4);
    EXPECT(st == CLGAN_OK, "plot of a single point, tiny values and empty series: %s", st ? clgan_last_error() : "");
    clgan_plot_series big = {"huge", NULL, huge, 3};
    path_of(path, sizeof path, "plot_huge.png");
    st = clgan_png_line_plot(path, 400, 250, "huge", NULL, NULL, &big, 1);
    EXPECT(st == CLGAN_OK, "plot of values around 1e8");
    path_of(path, sizeof path, "plot_empty.png");
    st = clgan_png_line_plot(path, 300, 200, "nothing", NULL, NULL, NULL, 0);
    EXPECT(st == CLGAN_OK, "plot with no series");
}

static void test_errors(void)
{
    float px[12] = {0};
    double mat[4] = {1, 2, 3, 4};
    double y[2] = {0, 1};
    clgan_plot_series s = {"s", NULL, y, 2};
    char path[400];
    snprintf(path, sizeof path, "%s/no-such-folder/out.png", dir);
    clgan_status st = clgan_png_grid(path, px, 1, 3, 2, 2, 1, -1, 1, 0);
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), path), "grid to a missing folder: %s", clgan_last_error());
    st = clgan_png_grid_u8(path, (const uint8_t *)"abcd", 1, 1, 2, 2, 1, 0);
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), path), "uint8 grid to a missing folder");
    st = clgan_png_heatmap(path, mat, 2, 2, NULL, NULL, NULL, NULL, NULL);
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), path), "heatmap to a missing folder: %s",
           clgan_last_error());
    st = clgan_png_line_plot(path, 300, 200, "x", NULL, NULL, &s, 1);
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), path), "plot to a missing folder: %s", clgan_last_error());
    EXPECT(clgan_png_line_plot(dir, 300, 200, "x", NULL, NULL, &s, 1) == CLGAN_ERR_IO, "plot onto a folder: %s",
           clgan_last_error());

    path_of(path, sizeof path, "bad.png");
    EXPECT(clgan_png_grid(path, px, 1, 2, 2, 2, 1, -1, 1, 0) == CLGAN_ERR_INVALID_ARG, "c = 2 rejected: %s",
           clgan_last_error());
    EXPECT(clgan_png_grid(path, px, 1, 3, 2, 2, 1, 1, 1, 0) == CLGAN_ERR_INVALID_ARG, "empty range rejected: %s",
           clgan_last_error());
    EXPECT(clgan_png_grid(path, px, 0, 3, 2, 2, 1, -1, 1, 0) == CLGAN_ERR_INVALID_ARG, "n = 0 rejected");
    EXPECT(clgan_png_grid(path, px, 1, 3, 2, 2, 1, -1, 1, -1) == CLGAN_ERR_INVALID_ARG, "negative pad rejected");
    EXPECT(clgan_png_grid(path, px, 1, 1, 40000, 2, 1, -1, 1, 0) == CLGAN_ERR_INVALID_ARG, "oversized grid rejected: %s",
           clgan_last_error());
    EXPECT(clgan_png_heatmap(path, mat, 0, 2, NULL, NULL, NULL, NULL, NULL) == CLGAN_ERR_INVALID_ARG,
           "0-row heatmap rejected");
    EXPECT(clgan_png_line_plot(path, 100, 100, NULL, NULL, NULL, &s, 1) == CLGAN_ERR_INVALID_ARG,
           "plot smaller than 200 x 150 rejected: %s", clgan_last_error());
    EXPECT(clgan_png_line_plot(path, 300, 200, NULL, NULL, NULL, &s, 9) == CLGAN_ERR_INVALID_ARG,
           "nine series rejected");
    EXPECT(access(path, F_OK) != 0, "no file written for rejected arguments");
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        snprintf(dir, sizeof dir, "%s", argv[1]);
        mkdir(dir, 0755);
        keep = 1;
    } else {
        if (!test_temp_dir(dir, sizeof dir, "test-image")) return 1;
    }
    test_grid();
    test_heatmap();
    test_plot();
    test_errors();
    if (!keep) test_rm_rf(dir);
    return test_finish();
}
