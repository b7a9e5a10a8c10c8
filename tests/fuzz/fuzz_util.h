/* fuzz_util.h — what the libFuzzer targets in tests/fuzz share: a private
 * scratch folder (on /dev/shm when there is one) for readers that take a path,
 * writing the input there as a file (or as two, split at a marker), and the
 * check every target makes on the error message a rejected input leaves (no
 * raw control bytes: messages built from file contents must escape them).
 *
 * Each target defines LLVMFuzzerTestOneInput and includes this header once.
 */
#ifndef CLGAN_FUZZ_UTIL_H
#define CLGAN_FUZZ_UTIL_H

#include "clgan.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_path[512];

/* Remove dir and everything under it (the scratch folder is at most two levels deep). */
static inline void fuzz_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) fuzz_remove_tree(path);
            else unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static inline void fuzz_cleanup(void)
{
    if (fuzz_dir_path[0]) fuzz_remove_tree(fuzz_dir_path);
}

/* The process's scratch folder, made on first use and removed at exit. */
static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/clgan-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_dir_path)) {
            fprintf(stderr, "fuzz: cannot create a scratch folder %s\n", fuzz_dir_path);
            abort();
        }
        atexit(fuzz_cleanup);
    }
    return fuzz_dir_path;
}

/* dir/name under the scratch folder, in a static buffer per slot (0..3). */
static inline const char *fuzz_path(int slot, const char *name)
{
    static char paths[4][1024];
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", fuzz_dir(), name);
    return paths[slot];
}

/* Make a sub-folder of the scratch folder (no error if it exists). */
static inline const char *fuzz_subdir(int slot, const char *name)
{
    const char *p = fuzz_path(slot, name);
    if (mkdir(p, 0700) != 0 && access(p, F_OK) != 0) {
        fprintf(stderr, "fuzz: cannot create %s\n", p);
        abort();
    }
    return p;
}

/* Write n bytes to path (replacing it). Aborts when it cannot: a broken
 * scratch folder must not look like a reader's failure. */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
        abort();
    }
}

/* A failure must leave a message, and a message must not carry raw control
 * bytes (other than newline and tab) from the input. */
static inline void fuzz_check_message(clgan_status st, const char *what)
{
    if (st == CLGAN_OK) return;
    const char *m = clgan_last_error();
    if (!m || !m[0]) {
        fprintf(stderr, "fuzz: %s failed (status %d) without a message\n", what, (int)st);
        abort();
    }
    for (const unsigned char *p = (const unsigned char *)m; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
            fprintf(stderr, "fuzz: %s: the message has a raw control byte 0x%02x at %zu: %s\n", what, *p,
                    (size_t)(p - (const unsigned char *)m), m);
            abort();
        }
}

/* Split data at the first occurrence of an 8-byte marker: [0, *first) and
 * (marker, end) as *second / *second_n. Without the marker, second is NULL. */
static inline void fuzz_split(const uint8_t *data, size_t size, const char marker[8], size_t *first, const uint8_t **second,
                       size_t *second_n)
{
    *first = size, *second = NULL, *second_n = 0;
    for (size_t i = 0; i + 8 <= size; i++)
        if (!memcmp(data + i, marker, 8)) {
            *first = i, *second = data + i + 8, *second_n = size - i - 8;
            return;
        }
}

/* A two-file input: the part before the marker written to `first` by
 * write_first (fuzz_write, or a target's own encoder), the part after it to
 * `second` as it is; without the marker, `second` is removed. */
static inline void fuzz_write_split(const uint8_t *data, size_t size, const char marker[8], const char *first,
                                    void (*write_first)(const char *path, const void *data, size_t n),
                                    const char *second)
{
    size_t n_first, n_second;
    const uint8_t *rest;
    fuzz_split(data, size, marker, &n_first, &rest, &n_second);
    write_first(first, data, n_first);
    if (rest) fuzz_write(second, rest, n_second);
    else unlink(second);
}

#endif
