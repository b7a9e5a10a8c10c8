/* cifar10.c — CIFAR-10 binary batches.
 *
 * A batch file is a sequence of 3073-byte records: 1 label byte (0..9), then
 * 3072 pixel bytes: the 32 x 32 red plane, then green, then blue (row-major)
 * -> dataset [n][3][32][32], already planar. TRAIN = data_batch_1..5.bin
 * (those present), TEST = test_batch.bin. Class names come from
 * batches.meta.txt (one per line) beside the batches when present.
 */
#include "data/dataset.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CIFAR_RECORD 3073
#define CIFAR_PIXELS 3072

static const char *const cifar_names[10] = {"airplane", "automobile", "bird", "cat", "deer",
                                            "dog", "frog", "horse", "ship", "truck"};

/* The folder the batches are in: dir itself, or dir/cifar-10-batches-bin. */
static int batch_dir(const char *dir, char *out, size_t cap)
{
    static const char *const sub[] = {"", "/cifar-10-batches-bin"};
    char probe[4096];
    for (int s = 0; s < 2; s++) {
        clgan_fmt(probe, sizeof probe, "%s%s/data_batch_1.bin", dir, sub[s]);
        int hit = clgan_path_is_file(probe);
        if (!hit) {
            clgan_fmt(probe, sizeof probe, "%s%s/test_batch.bin", dir, sub[s]);
            hit = clgan_path_is_file(probe);
        }
        if (hit) {
            clgan_fmt(out, cap, "%s%s", dir, sub[s]);
            return 1;
        }
    }
    return 0;
}

int clgan_cifar10_dir_probe(const char *dir)
{
    char d[4096];
    return batch_dir(dir, d, sizeof d);
}

/* Append one batch file's records to *px / *lab (grown as needed). */
static clgan_status read_batch(const char *path, uint8_t **px, int32_t **lab, int *n)
{
    uint8_t *buf;
    size_t len;
    int trunc;
    TRY(clgan_read_file(path, &buf, &len, &trunc));
    clgan_status st = CLGAN_OK;
    if (len == 0 || len % CIFAR_RECORD != 0 || trunc) {
        st = clgan_fail(CLGAN_ERR_FORMAT,
                        "%s: %zu bytes is not a whole number of CIFAR-10 records (3073 bytes each: 1 label byte + "
                        "3072 pixel bytes)%s",
                        path, len, trunc ? "; its gzip stream ends early" : "");
        goto done;
    }
    size_t recs = len / CIFAR_RECORD;
    if (recs > (size_t)(INT32_MAX / CIFAR_PIXELS) - (size_t)*n) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: too many records (%zu)", path, recs);
        goto done;
    }
    uint8_t *np = realloc(*px, ((size_t)*n + recs) * CIFAR_PIXELS);
    if (np) *px = np;
    int32_t *nl = realloc(*lab, ((size_t)*n + recs) * sizeof **lab);
    if (nl) *lab = nl;
    if (!np || !nl) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
        goto done;
    }
    for (size_t r = 0; r < recs; r++) {
        const uint8_t *rec = buf + r * CIFAR_RECORD;
        if (rec[0] >= 10) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: record %zu has label %u (CIFAR-10 labels are 0..9)", path, r,
                            rec[0]);
            goto done;
        }
        (*lab)[*n + r] = rec[0];
        memcpy(*px + ((size_t)*n + r) * CIFAR_PIXELS, rec + 1, CIFAR_PIXELS);
    }
    *n += (int)recs;
done:
    free(buf);
    return st;
}

static void read_meta(const char *dir, clgan_dataset *d)
{
    for (int k = 0; k < 10; k++) snprintf(d->class_names[k], sizeof d->class_names[k], "%s", cifar_names[k]);
    char path[4096], line[256];
    clgan_fmt(path, sizeof path, "%s/batches.meta.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    int k = 0;
    while (k < 10 && fgets(line, sizeof line, f)) {
        char *s = line, *e = line + strlen(line);
        while (*s && isspace((unsigned char)*s)) s++;
        while (e > s && isspace((unsigned char)e[-1])) e--;
        if (e == s) continue;
        snprintf(d->class_names[k], sizeof d->class_names[k], "%.*s", (int)(e - s), s);
        k++;
    }
    fclose(f);
}

clgan_status clgan_dataset_open_cifar10(const char *path, int is_dir, clgan_dataset_split split,
                                        const clgan_dataset_options *opt, clgan_dataset **out)
{
    *out = NULL;
    char dir[4096], file[4096];
    uint8_t *px = NULL;
    int32_t *lab = NULL;
    int n = 0, files = 0;
    clgan_status st = CLGAN_OK;
    if (is_dir) {
        if (!batch_dir(path, dir, sizeof dir))
            return clgan_fail(CLGAN_ERR_FORMAT, "%s: no CIFAR-10 batches in it", path);
        if (split == CLGAN_SPLIT_TRAIN) {
            for (int b = 1; b <= 5 && st == CLGAN_OK; b++) {
                clgan_fmt(file, sizeof file, "%s/data_batch_%d.bin", dir, b);
                if (!clgan_path_is_file(file)) continue;
                st = read_batch(file, &px, &lab, &n);
                files++;
            }
            if (st == CLGAN_OK && files == 0)
                st = clgan_fail(CLGAN_ERR_FORMAT, "%s: CIFAR-10 folder without training batches (data_batch_1.bin ...)",
                                dir);
        } else {
            clgan_fmt(file, sizeof file, "%s/test_batch.bin", dir);
            if (!clgan_path_is_file(file))
                st = clgan_fail(CLGAN_ERR_FORMAT, "%s: CIFAR-10 folder without test_batch.bin", dir);
            else
                st = read_batch(file, &px, &lab, &n), files = 1;
        }
    } else {
        clgan_fmt(file, sizeof file, "%s", path);
        clgan_fmt(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        else clgan_fmt(dir, sizeof dir, ".");
        st = read_batch(file, &px, &lab, &n), files = 1;
    }
    clgan_dataset *d = NULL;
    if (st == CLGAN_OK) st = clgan_dataset_alloc(n, 3, 32, 32, 10, &d);
    if (st == CLGAN_OK) {
        memcpy(d->pixels, px, (size_t)n * CIFAR_PIXELS);
        memcpy(d->labels, lab, (size_t)n * sizeof *lab);
        read_meta(dir, d);
        if (is_dir)
            clgan_fmt(d->source, sizeof d->source, "CIFAR-10 %s (%s: %d file%s, %d images)", dir,
                     split == CLGAN_SPLIT_TRAIN ? "train" : "test", files, files == 1 ? "" : "s", n);
        else
            clgan_fmt(d->source, sizeof d->source, "CIFAR-10 %s (%d images)", file, n);
        *out = d;
    }
    free(px);
    free(lab);
    (void)opt;
    return st;
}
