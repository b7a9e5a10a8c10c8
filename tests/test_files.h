/* test_files.h — scratch-file helpers shared by the C test programs: write
 * a file (optionally gzipped), its size, read one whole, a short-lived
 * formatted path, a big-endian 32-bit field, count the atomic writers'
 * temporary files in a folder, make a scratch folder, remove a tree, find
 * the shared MNIST subset. */
#ifndef CLGAN_TEST_FILES_H
#define CLGAN_TEST_FILES_H
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* A short-lived formatted string (one of 8 rotating buffers). */
static inline const char *test_fmt(const char *fmt, ...)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf[k], sizeof buf[k], fmt, ap);
    va_end(ap);
    return buf[k];
}

static inline void test_put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static inline void test_write_file(const char *path, const void *data, size_t len, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, data, (unsigned)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        if (len) fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* The file's size in bytes; -1 when it cannot be opened. */
static inline long test_file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* The whole file, malloc'd and NUL-terminated (for text); NULL when it cannot be opened. */
static inline uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

/* Files in dir whose name holds ".tmp." (what an atomic writer leaves while it writes). */
static inline int test_count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) n++;
    if (d) closedir(d);
    return n;
}

/* A fresh folder /tmp/clgan-NAME-XXXXXX into buf; 0 (with the reason on
 * stderr) when it cannot be made. */
static inline int test_temp_dir(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "/tmp/clgan-%s-XXXXXX", name);
    if (mkdtemp(buf)) return 1;
    perror("mkdtemp");
    return 0;
}

/* The folder of the real MNIST subset into out: $CLGAN_MNIST_DIR, else
 * shared/data/mnist10k or ../shared/data/mnist10k relative to the current
 * folder or one of its parents (ctest runs in <build>/tests, beside the
 * checkout's ../shared). 0 when there is none. */
static inline int test_find_mnist10k(char *out, size_t cap)
{
    struct stat st;
    const char *env = getenv("CLGAN_MNIST_DIR");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return stat(out, &st) == 0 && S_ISDIR(st.st_mode);
    }
    static const char *const ups[] = {"", "../", "../../", "../../../", "../../../../"};
    static const char *const subs[] = {"shared/data/mnist10k", "../shared/data/mnist10k"};
    for (size_t u = 0; u < sizeof ups / sizeof *ups; u++)
        for (size_t s = 0; s < 2; s++) {
            snprintf(out, cap, "%s%s", ups[u], subs[s]);
            if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) return 1;
        }
    return 0;
}

static inline void test_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[4096];
            if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub) test_rm_rf(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}
#endif
