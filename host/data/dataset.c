/* dataset.c — dataset lifetime, format detection, file reading, and the
 * resize / centre-crop / channel conversion shared by every format. */
#include "data/dataset.h"
#include "core/error.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "data/image_file.h"

clgan_dataset_options clgan_dataset_default_options(void)
{
    clgan_dataset_options o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    return o;
}

size_t clgan_dataset_image_bytes(const clgan_dataset *d)
{
    return (size_t)d->c * (size_t)d->h * (size_t)d->w;
}

void clgan_dataset_free(clgan_dataset *d)
{
    if (!d) return;
    free(d->pixels);
    free(d->labels);
    free(d->class_names);
    free(d);
}

clgan_status clgan_dataset_get_info(const clgan_dataset *d, clgan_dataset_info *info)
{
    if (!d || !info) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_get_info: %s is NULL", d ? "info" : "dataset");
    memset(info, 0, sizeof *info);
    info->count = d->n, info->channels = d->c, info->height = d->h, info->width = d->w;
    info->classes = d->classes, info->skipped = d->skipped;
    snprintf(info->source, sizeof info->source, "%s", d->source);
    return CLGAN_OK;
}

const char *clgan_dataset_class_name(const clgan_dataset *d, int k)
{
    return d && k >= 0 && k < d->classes ? d->class_names[k] : NULL;
}

/* images [count][c][h][w] as floats, labels [count]. */
clgan_status clgan_dataset_read(const clgan_dataset *d, int first, int count, float *images, int32_t *labels)
{
    if (!d) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_read: dataset is NULL");
    if (first < 0 || count < 0 || first > d->n || count > d->n - first)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "dataset_read: images %d..%d asked for, but %s has images 0..%d (%d images)", first,
                          first + count - 1, d->source, d->n - 1, d->n);
    size_t per = clgan_dataset_image_bytes(d);
    if (images) {
        const uint8_t *src = d->pixels + (size_t)first * per;
        for (size_t j = 0; j < (size_t)count * per; j++) images[j] = clgan_pixel_float(src[j]);
    }
    if (labels) memcpy(labels, d->labels + first, (size_t)count * sizeof *labels);
    return CLGAN_OK;
}

/* n images of c x h x w bytes, or 0 when that does not fit a size_t. */
static size_t pixel_bytes(int n, int c, int h, int w)
{
    double b = (double)n * c * h * w;
    return b < (double)SIZE_MAX / 2 ? (size_t)n * (size_t)c * (size_t)h * (size_t)w : 0;
}

/* Refuse, at once, pixels that cannot fit in the machine's memory: with
 * memory overcommit such an allocation can succeed and the process be
 * killed when the pages are touched. */
static clgan_status check_host_bytes(size_t bytes, int n, int c, int h, int w)
{
    size_t phys = 0;
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) phys = (size_t)pages * (size_t)page;
#endif
    if (bytes == 0 || (phys && bytes > phys))
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY,
                          "dataset: %d images of %d x %d x %d take %.0f bytes, more than this machine's memory "
                          "(%zu bytes)",
                          n, c, h, w, (double)n * c * h * w, phys);
    return CLGAN_OK;
}

clgan_status clgan_dataset_alloc(int n, int c, int h, int w, int classes, clgan_dataset **out)
{
    *out = NULL;
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || classes < 0)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset: bad shape %d x %d x %d x %d, %d classes", n, c, h, w,
                          classes);
    size_t bytes = pixel_bytes(n, c, h, w);
    TRY(check_host_bytes(bytes, n, c, h, w));
    clgan_dataset *d = calloc(1, sizeof *d);
    if (!d) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dataset: out of host memory");
    d->n = n, d->c = c, d->h = h, d->w = w, d->classes = classes;
    d->pixels = malloc(bytes);
    d->labels = malloc((size_t)n * sizeof *d->labels);
    d->class_names = calloc(classes > 0 ? (size_t)classes : 1, sizeof *d->class_names);
    if (!d->pixels || !d->labels || !d->class_names) {
        clgan_dataset_free(d);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dataset: out of host memory for %d images of %d x %d x %d (%zu bytes)",
                          n, c, h, w, bytes);
    }
    for (int k = 0; k < classes; k++) snprintf(d->class_names[k], sizeof d->class_names[k], "%d", k);
    *out = d;
    return CLGAN_OK;
}

int clgan_path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int clgan_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < cap;
}

int clgan_path_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

clgan_status clgan_open_regular(const char *path, int *fd_out, uint64_t *size)
{
    struct stat st;
    *fd_out = -1, *size = 0;
    if (stat(path, &st) != 0)
        return clgan_fail(CLGAN_ERR_IO, "%s: %s", path,
                          errno == ENOENT ? "no such file or directory" : strerror(errno));
    if (S_ISDIR(st.st_mode)) return clgan_fail(CLGAN_ERR_IO, "%s: is a directory", path);
    if (!S_ISREG(st.st_mode))
        return clgan_fail(CLGAN_ERR_IO, "%s is not a regular file (a device, FIFO or socket)", path);
    /* O_NONBLOCK: should the path have become a FIFO since the stat, open
     * returns at once instead of waiting for a writer; fstat then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return clgan_fail(CLGAN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return clgan_fail(CLGAN_ERR_IO, "%s is not a regular file (a device, FIFO or socket)", path);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *fd_out = fd, *size = (uint64_t)st.st_size;
    return CLGAN_OK;
}

clgan_status clgan_gzopen_regular(const char *path, struct gzFile_s **f, uint64_t *size, int *gz)
{
    int fd;
    *f = NULL, *gz = 0;
    TRY(clgan_open_regular(path, &fd, size));
    gzFile g = gzdopen(fd, "rb");
    if (!g) {
        close(fd);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory opening it", path);
    }
    gzbuffer(g, 1 << 17);
    *gz = !gzdirect(g);
    *f = g;
    return CLGAN_OK;
}

clgan_status clgan_gz_read(struct gzFile_s *f, const char *path, void *dst, size_t want, size_t *got,
                           int *gz_truncated)
{
    uint8_t *p = dst;
    size_t n = 0;
    *gz_truncated = 0;
    while (n < want) {
        size_t chunk = want - n < (1u << 30) ? want - n : (1u << 30);
        int r = gzread(f, p + n, (unsigned)chunk);
        if (r > 0) {
            n += (size_t)r;
            continue;
        }
        int zerr = Z_OK;
        const char *msg = gzerror(f, &zerr);
        if (zerr == Z_OK && r == 0) break; /* end of file */
        if (zerr == Z_BUF_ERROR) {         /* "unexpected end of file": a gzip stream cut short */
            *gz_truncated = 1;
            break;
        }
        *got = n;
        return clgan_fail(zerr == Z_ERRNO ? CLGAN_ERR_IO : CLGAN_ERR_FORMAT, "%s: %s after %zu bytes: %s", path,
                          zerr == Z_ERRNO ? "read error" : "corrupt gzip data", n,
                          zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    *got = n;
    return CLGAN_OK;
}

clgan_status clgan_read_file(const char *path, uint8_t **data, size_t *len, int *gz_truncated)
{
    *data = NULL, *len = 0, *gz_truncated = 0;
    gzFile f;
    uint64_t fsize;
    int gz;
    TRY(clgan_gzopen_regular(path, &f, &fsize, &gz));
    /* A plain file is read in one go; a gzip one grows by doubling (at most
     * 1032 times the file, deflate's largest ratio). */
    size_t cap = !gz && fsize < SIZE_MAX - 1 ? (size_t)fsize + 1 : 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        gzclose(f);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu bytes", path, cap);
    }
    for (;;) {
        if (cap == n) {
            size_t ncap = cap * 2;
            uint8_t *nb = ncap > cap ? realloc(buf, ncap) : NULL;
            if (!nb) {
                free(buf);
                gzclose(f);
                return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory after %zu bytes", path, n);
            }
            buf = nb, cap = ncap;
        }
        size_t got;
        clgan_status st = clgan_gz_read(f, path, buf + n, cap - n, &got, gz_truncated);
        n += got;
        if (st != CLGAN_OK) {
            free(buf);
            gzclose(f);
            return st;
        }
        if (n < cap) break; /* end of file (or of a cut gzip stream) */
    }
    gzclose(f);
    *data = buf, *len = n;
    return CLGAN_OK;
}

/* ---- resize / crop / channels ----------------------------------------- */

static uint8_t to_u8(double v)
{
    v = floor(v + 0.5);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Resample every plane of src [c][sh][sw] into dst [c][dh][dw]: output
 * pixel (x, y) covers source x in [(ox + x) / sx, (ox + x + 1) / sx) and
 * likewise in y (sx, sy: output pixels per source pixel; ox, oy: offset in
 * output pixels). Area average when either axis shrinks, else bilinear at
 * the pixel centre. */
static void resample(const uint8_t *src, int c, int sh, int sw, uint8_t *dst, int dh, int dw, double sx, double sy,
                     double ox, double oy)
{
    for (int ch = 0; ch < c; ch++) {
        const uint8_t *p = src + (size_t)ch * sh * sw;
        uint8_t *q = dst + (size_t)ch * dh * dw;
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < dw; x++) {
                double v;
                if (sx < 1.0 || sy < 1.0) { /* area average over the source rectangle this pixel covers */
                    double x0 = (ox + x) / sx, x1 = (ox + x + 1) / sx;
                    double y0 = (oy + y) / sy, y1 = (oy + y + 1) / sy;
                    int ix0 = (int)floor(x0), ix1 = (int)ceil(x1), iy0 = (int)floor(y0), iy1 = (int)ceil(y1);
                    if (ix0 < 0) ix0 = 0;
                    if (iy0 < 0) iy0 = 0;
                    if (ix1 > sw) ix1 = sw;
                    if (iy1 > sh) iy1 = sh;
                    double acc = 0, wsum = 0;
                    for (int ys = iy0; ys < iy1; ys++) {
                        double wy = fmin(ys + 1, y1) - fmax(ys, y0);
                        if (wy <= 0) continue;
                        for (int xs = ix0; xs < ix1; xs++) {
                            double wx = fmin(xs + 1, x1) - fmax(xs, x0);
                            if (wx <= 0) continue;
                            acc += wx * wy * p[(size_t)ys * sw + xs];
                            wsum += wx * wy;
                        }
                    }
                    v = wsum > 0 ? acc / wsum : 0;
                } else { /* bilinear at the pixel centre */
                    double fx = (ox + x + 0.5) / sx - 0.5, fy = (oy + y + 0.5) / sy - 0.5;
                    if (fx < 0) fx = 0;
                    if (fy < 0) fy = 0;
                    if (fx > sw - 1) fx = sw - 1;
                    if (fy > sh - 1) fy = sh - 1;
                    int x0 = (int)fx, y0 = (int)fy;
                    int x1 = x0 + 1 < sw ? x0 + 1 : x0, y1 = y0 + 1 < sh ? y0 + 1 : y0;
                    double tx = fx - x0, ty = fy - y0;
                    double a = p[(size_t)y0 * sw + x0] * (1 - tx) + p[(size_t)y0 * sw + x1] * tx;
                    double b = p[(size_t)y1 * sw + x0] * (1 - tx) + p[(size_t)y1 * sw + x1] * tx;
                    v = a * (1 - ty) + b * ty;
                }
                q[(size_t)y * dw + x] = to_u8(v);
            }
        }
    }
}

void clgan_resize_crop(const uint8_t *src, int c, int sh, int sw, uint8_t *dst, int size)
{
    if (c <= 0 || size <= 0) return;
    if (sh <= 0 || sw <= 0) { /* nothing to scale (the readers refuse such images): black */
        memset(dst, 0, (size_t)c * (size_t)size * (size_t)size);
        return;
    }
    if (sh == size && sw == size) {
        memcpy(dst, src, (size_t)c * (size_t)size * (size_t)size);
        return;
    }
    double s = (double)size / (double)(sh < sw ? sh : sw); /* output pixels per source pixel */
    double ox = ((double)sw * s - size) / 2, oy = ((double)sh * s - size) / 2; /* crop offset, scaled pixels */
    if (s == 1.0) ox = floor(ox), oy = floor(oy); /* pure crop: stay on whole pixels */
    resample(src, c, sh, sw, dst, size, size, s, s, ox, oy);
}

void clgan_resize_stretch(const uint8_t *src, int c, int sh, int sw, uint8_t *dst, int dh, int dw)
{
    if (c <= 0 || dh <= 0 || dw <= 0) return;
    if (sh <= 0 || sw <= 0) {
        memset(dst, 0, (size_t)c * (size_t)dh * (size_t)dw);
        return;
    }
    if (sh == dh && sw == dw) {
        memcpy(dst, src, (size_t)c * (size_t)dh * (size_t)dw);
        return;
    }
    resample(src, c, sh, sw, dst, dh, dw, (double)dw / sw, (double)dh / sh, 0, 0);
}

/* Planar channel conversion of one image: [cin][hw] -> [cout][hw]. */
void clgan_convert_channels(const uint8_t *src, int cin, uint8_t *dst, int cout, size_t hw)
{
    for (size_t i = 0; i < hw; i++) {
        if (cout == 1) {
            if (cin >= 3) {
                unsigned g = (299u * src[i] + 587u * src[hw + i] + 114u * src[2 * hw + i] + 500u) / 1000u;
                dst[i] = (uint8_t)g;
            } else {
                dst[i] = src[i];
            }
        } else {
            for (int ch = 0; ch < cout; ch++) dst[(size_t)ch * hw + i] = src[(size_t)(ch < cin ? ch : 0) * hw + i];
        }
    }
}

clgan_status clgan_dataset_convert(clgan_dataset *d, int size, int channels)
{
    if (size < 0 || size > 16384) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset: size %d out of range", size);
    if (channels != 0 && channels != 1 && channels != 3)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset: channels must be 1 (grey) or 3 (RGB), not %d", channels);
    int c = channels ? channels : d->c;
    int h = size ? size : d->h, w = size ? size : d->w;
    if (c == d->c && h == d->h && w == d->w) return CLGAN_OK;
    size_t in_img = clgan_dataset_image_bytes(d), out_img = (size_t)c * h * w;
    size_t mid_img = (size_t)c * d->h * d->w;
    TRY(check_host_bytes(pixel_bytes(d->n, c, h, w), d->n, c, h, w));
    uint8_t *out = malloc((size_t)d->n * out_img);
    uint8_t *mid = malloc(mid_img);
    if (!out || !mid) {
        free(out);
        free(mid);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "dataset: out of host memory converting %d images to %d x %d x %d",
                          d->n, c, h, w);
    }
    for (int i = 0; i < d->n; i++) {
        const uint8_t *src = d->pixels + (size_t)i * in_img;
        clgan_convert_channels(src, d->c, mid, c, (size_t)d->h * d->w);
        if (h == d->h && w == d->w) memcpy(out + (size_t)i * out_img, mid, out_img);
        else clgan_resize_crop(mid, c, d->h, d->w, out + (size_t)i * out_img, size);
    }
    free(mid);
    free(d->pixels);
    d->pixels = out;
    d->c = c, d->h = h, d->w = w;
    return CLGAN_OK;
}

/* ---- detection -------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A single file: IDX images (possibly gzip), CIFAR-10 records, or an error
 * that says what the file looked like. */
static clgan_status open_file(const char *path, clgan_dataset_split split, const clgan_dataset_options *opt,
                              clgan_dataset **out)
{
    uint8_t head[4] = {0};
    size_t got = 0;
    int gz = 0, trunc;
    uint64_t size;
    gzFile f;
    TRY(clgan_gzopen_regular(path, &f, &size, &gz));
    clgan_status st = clgan_gz_read(f, path, head, 4, &got, &trunc);
    gzclose(f);
    if (st != CLGAN_OK && !gz) return st; /* a corrupt gzip stream still gets the description below */
    if (got == 4 && be32(head) == 0x00000803) return clgan_dataset_open_idx(path, 0, split, opt, out);
    if (got == 4 && be32(head) == 0x00000801)
        return clgan_fail(CLGAN_ERR_FORMAT,
                          "%s is an IDX labels file (magic 0x00000801): give the images file "
                          "(*-images-idx3-ubyte[.gz]) or the folder holding both",
                          path);
    if (!gz && size > 0 && size % 3073 == 0 && got >= 1 && head[0] < 10)
        return clgan_dataset_open_cifar10(path, 0, split, opt, out);
    clgan_image_info info;
    st = clgan_image_probe_file(path, &info);
    if (st == CLGAN_OK)
        return clgan_fail(CLGAN_ERR_FORMAT, "%s is a single %dx%d %s image: give the folder that holds the images",
                          path, info.w, info.h, info.format);
    if (info.format && info.sure) return st; /* an image, but a broken one: say why */
    return clgan_fail(CLGAN_ERR_FORMAT,
                      "cannot tell the format of %s (%llu bytes%s, first bytes %02x %02x %02x %02x): not an IDX "
                      "images file (magic 00 00 08 03), not CIFAR-10 binary (a multiple of 3073 bytes, first byte a "
                      "label 0..9), not an image clgan can read (PNG, JPEG, BMP, GIF, TGA, binary PNM)",
                      path, (unsigned long long)size, gz ? ", gzip" : "", head[0], head[1], head[2], head[3]);
}

clgan_status clgan_dataset_open(const char *spec, clgan_dataset_split split, const clgan_dataset_options *opt,
                                clgan_dataset **out)
{
    if (!out) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: out is NULL");
    *out = NULL;
    if (!spec || !*spec) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: no dataset given");
    if (strlen(spec) > CLGAN_SPEC_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: path longer than %d bytes", CLGAN_SPEC_MAX);
    if (split != CLGAN_SPLIT_TRAIN && split != CLGAN_SPLIT_TEST)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: split must be TRAIN or TEST");
    clgan_dataset_options o = opt ? *opt : clgan_dataset_default_options();
    if (o.size < 0 || o.size > 16384)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: size %d out of range (0 = native)", o.size);
    if (o.channels != 0 && o.channels != 1 && o.channels != 3)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: channels must be 0 (native), 1 or 3, not %d",
                          o.channels);
    if (o.limit < 0) return clgan_fail(CLGAN_ERR_INVALID_ARG, "dataset_open: limit %d < 0", o.limit);
    if (o.test_percent < -1 || o.test_percent > 100)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "dataset_open: test_percent %d out of range (-1 = none, 0 = the default 10, 1..100)",
                          o.test_percent);

    clgan_dataset *d = NULL;
    clgan_status st;
    if (strcmp(spec, "synthetic") == 0) { /* always the built-in set; a folder of that name is "./synthetic" */
        st = clgan_dataset_open_synthetic(split, &o, &d);
    } else if (clgan_path_is_dir(spec)) {
        if (clgan_idx_dir_probe(spec)) st = clgan_dataset_open_idx(spec, 1, split, &o, &d);
        else if (clgan_cifar10_dir_probe(spec)) st = clgan_dataset_open_cifar10(spec, 1, split, &o, &d);
        else if (clgan_folder_probe(spec)) st = clgan_dataset_open_folder(spec, split, &o, &d);
        else
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "cannot tell the format of %s: it holds no MNIST IDX files "
                            "({train,t10k,test}-images-idx3-ubyte[.gz]), no CIFAR-10 batches (data_batch_1.bin, "
                            "test_batch.bin), and no images (PNG/JPEG/...) directly in it or in its sub-folders",
                            spec);
    } else if (clgan_path_is_file(spec)) {
        st = open_file(spec, split, &o, &d);
    } else {
        struct stat sb;
        if (stat(spec, &sb) == 0) /* a device, FIFO or socket: never opened (a FIFO would block) */
            st = clgan_fail(CLGAN_ERR_IO, "%s is not a regular file or a folder (a dataset is \"synthetic\", a "
                                          "folder or a file)", spec);
        else if (errno == ENOENT || errno == ENOTDIR)
            st = clgan_fail(CLGAN_ERR_IO, "%s: no such file or directory (a dataset is \"synthetic\" or a path)",
                            spec);
        else
            st = clgan_fail(CLGAN_ERR_IO, "%s: %s", spec, strerror(errno));
    }
    if (st != CLGAN_OK) return st;

    if (o.limit > 0 && d->n > o.limit) d->n = o.limit; /* buffers keep their size; only the first n are used */
    st = clgan_dataset_convert(d, o.size, o.channels);
    if (st != CLGAN_OK) {
        clgan_dataset_free(d);
        return st;
    }
    *out = d;
    return CLGAN_OK;
}
