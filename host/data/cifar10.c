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
#include <unistd.h>
#include <zlib.h>

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

/* Records a dataset can hold: its pixel bytes must stay below 2^31. */
#define CIFAR_MAX_RECORDS (INT32_MAX / CIFAR_PIXELS)

/* Append one batch file's records to *px / *lab (grown as needed). A plain
 * file's length is checked before anything is allocated; a gzip one is
 * read record by record, stopping at the record limit. */
static clgan_status read_batch(const char *path, uint8_t **px, int32_t **lab, int *n)
{
    gzFile f;
    uint64_t fsize;
    int gz, trunc = 0;
    TRY(clgan_gzopen_regular(path, &f, &fsize, &gz));
    clgan_status st = CLGAN_OK;
    size_t room = (size_t)(CIFAR_MAX_RECORDS - *n); /* records this file may add */
    if (!gz && (fsize == 0 || fsize % CIFAR_RECORD != 0)) {
        st = clgan_fail(CLGAN_ERR_FORMAT,
                        "%s: %llu bytes is not a whole number of CIFAR-10 records (3073 bytes each: 1 label byte + "
                        "3072 pixel bytes)",
                        path, (unsigned long long)fsize);
    } else if (!gz && fsize / CIFAR_RECORD > room) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: too many records (%llu; at most %d in all)", path,
                        (unsigned long long)(fsize / CIFAR_RECORD), CIFAR_MAX_RECORDS);
    }
    size_t cap = (size_t)*n, recs = 0; /* records allocated / read from this file */
    uint8_t rec[CIFAR_RECORD];
    while (st == CLGAN_OK) {
        size_t got;
        st = clgan_gz_read(f, path, rec, CIFAR_RECORD, &got, &trunc);
        if (st != CLGAN_OK) break;
        if (got == 0 && !trunc) break; /* end of file */
        if (got < CIFAR_RECORD || trunc) {
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "%s: %llu bytes is not a whole number of CIFAR-10 records (3073 bytes each: 1 label byte "
                            "+ 3072 pixel bytes)%s",
                            path, (unsigned long long)(recs * CIFAR_RECORD + got),
                            trunc ? "; its gzip stream ends early" : "");
            break;
        }
        if (recs == room) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: too many records (more than %zu; at most %d in all)", path, room,
                            CIFAR_MAX_RECORDS);
            break;
        }
        if (rec[0] >= 10) {
            st = clgan_fail(CLGAN_ERR_FORMAT, "%s: record %zu has label %u (CIFAR-10 labels are 0..9)", path, recs,
                            rec[0]);
            break;
        }
        size_t at = (size_t)*n + recs;
        if (at == cap) { /* a plain file: exactly its records; gzip: doubling, up to the limit */
            size_t ncap = !gz ? (size_t)*n + (size_t)(fsize / CIFAR_RECORD) : cap < 1024 ? 1024 : cap * 2;
            if (ncap > (size_t)CIFAR_MAX_RECORDS) ncap = (size_t)CIFAR_MAX_RECORDS;
            if (ncap <= at) ncap = at + 1; /* the file grew while being read (at < the limit: checked above) */
            uint8_t *np = realloc(*px, ncap * CIFAR_PIXELS);
            if (np) *px = np;
            int32_t *nl = realloc(*lab, ncap * sizeof **lab);
            if (nl) *lab = nl;
            if (!np || !nl) {
                st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "%s: out of host memory for %zu records", path, ncap);
                break;
            }
            cap = ncap;
        }
        (*lab)[at] = rec[0];
        memcpy(*px + at * CIFAR_PIXELS, rec + 1, CIFAR_PIXELS);
        recs++;
    }
    if (st == CLGAN_OK && recs == 0)
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s: 0 bytes is not a whole number of CIFAR-10 records (3073 bytes each)",
                        path);
    gzclose(f);
    if (st == CLGAN_OK) *n += (int)recs;
    return st;
}

static void read_meta(const char *dir, clgan_dataset *d)
{
    for (int k = 0; k < 10; k++) snprintf(d->class_names[k], sizeof d->class_names[k], "%s", cifar_names[k]);
    char path[4096], line[256];
    clgan_fmt(path, sizeof path, "%s/batches.meta.txt", dir);
    if (!clgan_path_is_file(path)) return;
    int fd;
    uint64_t size;
    if (clgan_open_regular(path, &fd, &size) != CLGAN_OK) return; /* optional: the built-in names stay */
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return;
    }
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
