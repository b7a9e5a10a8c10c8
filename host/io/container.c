/* container.c — checkpoint container: in-memory writer with atomic commit
 * (temporary file, fsync, rename), and a reader that validates every length
 * against the file size before the SHA-256 trailer is trusted. The layout is
 * documented in container.h. */
#include "container.h"
#include "core/error.h"
#include "core/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <process.h>
#define getpid _getpid
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#define HEADER_BYTES 16u                 /* magic + version + count */
#define TRAILER_BYTES 32u                /* SHA-256 */
#define MIN_FILE_BYTES (HEADER_BYTES + TRAILER_BYTES)
#define MIN_SECTION_BYTES (4u + 1u + 8u) /* name length, 1-byte name, payload length */

/* ---- little-endian helpers ---------------------------------------------- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* ---- writer --------------------------------------------------------------- */

struct clgan_ckpt_writer {
    char *path;
    uint8_t *buf; /* the file so far, without the trailer */
    size_t len, cap;
    uint32_t count;
    char (*names)[CLGAN_CKPT_NAME_MAX + 1];
    size_t names_cap;
};

static int reserve(clgan_ckpt_writer *w, size_t extra)
{
    if (extra > SIZE_MAX - w->len) return 0;
    size_t need = w->len + extra;
    if (need <= w->cap) return 1;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *b = realloc(w->buf, cap);
    if (!b) return 0;
    w->buf = b;
    w->cap = cap;
    return 1;
}

clgan_status clgan_ckpt_begin(const char *path, clgan_ckpt_writer **w)
{
    if (!w) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_begin: w is NULL");
    *w = NULL;
    if (!path || !*path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_begin: empty checkpoint path");
    clgan_ckpt_writer *cw = calloc(1, sizeof *cw);
    if (!cw || !(cw->path = dup_string(path)) || !reserve(cw, HEADER_BYTES)) {
        clgan_ckpt_abort(cw);
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "checkpoint %s: out of host memory", path);
    }
    memcpy(cw->buf, CLGAN_CKPT_MAGIC, 8);
    put_u32(cw->buf + 8, CLGAN_CKPT_VERSION);
    put_u32(cw->buf + 12, 0);
    cw->len = HEADER_BYTES;
    *w = cw;
    return CLGAN_OK;
}

clgan_status clgan_ckpt_add(clgan_ckpt_writer *w, const char *name, const void *data, size_t bytes)
{
    if (!w || !name) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_add: NULL writer or name");
    size_t n = strlen(name);
    if (n == 0 || n > CLGAN_CKPT_NAME_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG,
                          "checkpoint %s: section name '%.80s' must be 1 to %d bytes long (it is %zu)", w->path,
                          name, CLGAN_CKPT_NAME_MAX, n);
    if (bytes && !data)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "checkpoint %s: section '%s' has %zu bytes but no data", w->path,
                          name, bytes);
    for (uint32_t i = 0; i < w->count; i++)
        if (!strcmp(w->names[i], name))
            return clgan_fail(CLGAN_ERR_INVALID_ARG, "checkpoint %s: section '%s' added twice", w->path, name);
    if (w->count == UINT32_MAX)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "checkpoint %s: too many sections", w->path);
    if (w->count == w->names_cap) {
        size_t cap = w->names_cap ? w->names_cap * 2 : 16;
        void *p = realloc(w->names, cap * sizeof *w->names);
        if (!p) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "checkpoint %s: out of host memory", w->path);
        w->names = p;
        w->names_cap = cap;
    }
    size_t head = 4 + n + 8;
    if (bytes > SIZE_MAX - head || !reserve(w, head + bytes))
        return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "checkpoint %s: out of host memory buffering section '%s' (%zu bytes)",
                          w->path, name, bytes);
    uint8_t *p = w->buf + w->len;
    put_u32(p, (uint32_t)n);
    memcpy(p + 4, name, n);
    put_u64(p + 4 + n, (uint64_t)bytes);
    if (bytes) memcpy(p + head, data, bytes);
    w->len += head + bytes;
    memcpy(w->names[w->count], name, n + 1);
    w->count++;
    return CLGAN_OK;
}

clgan_status clgan_ckpt_add_u64(clgan_ckpt_writer *w, const char *name, uint64_t value)
{
    uint8_t b[8];
    put_u64(b, value);
    return clgan_ckpt_add(w, name, b, 8);
}

clgan_status clgan_ckpt_add_i64(clgan_ckpt_writer *w, const char *name, int64_t value)
{
    return clgan_ckpt_add_u64(w, name, (uint64_t)value);
}

clgan_status clgan_ckpt_add_f64(clgan_ckpt_writer *w, const char *name, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, 8);
    return clgan_ckpt_add_u64(w, name, bits);
}

clgan_status clgan_ckpt_add_string(clgan_ckpt_writer *w, const char *name, const char *value)
{
    if (!value) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_add_string: NULL value for '%s'", name ? name : "");
    return clgan_ckpt_add(w, name, value, strlen(value));
}

void clgan_ckpt_abort(clgan_ckpt_writer *w)
{
    if (!w) return;
    free(w->path);
    free(w->buf);
    free(w->names);
    free(w);
}

/* fsync the folder holding path so the rename itself is durable (best effort). */
static void sync_parent_dir(const char *path)
{
#ifndef _WIN32
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else if ((size_t)(slash - path) < sizeof dir) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else return;
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
#else
    (void)path;
#endif
}

clgan_status clgan_ckpt_commit(clgan_ckpt_writer *w)
{
    if (!w) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_commit: NULL writer");
    static unsigned counter;
    put_u32(w->buf + 12, w->count);
    uint8_t digest[TRAILER_BYTES];
    clgan_sha256(w->buf, w->len, digest);

    size_t tmp_len = strlen(w->path) + 64;
    char *tmp = malloc(tmp_len);
    if (!tmp) {
        clgan_status st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "checkpoint %s: out of host memory", w->path);
        clgan_ckpt_abort(w);
        return st;
    }
    snprintf(tmp, tmp_len, "%s.tmp.%ld.%u", w->path, (long)getpid(), counter++);

    clgan_status st = CLGAN_OK;
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        st = clgan_fail(CLGAN_ERR_IO, "cannot write checkpoint %s: cannot create temporary file %s: %s", w->path, tmp,
                        strerror(errno));
        goto done;
    }
    int ok = fwrite(w->buf, 1, w->len, f) == w->len && fwrite(digest, 1, sizeof digest, f) == sizeof digest;
    int err = errno;
    if (ok && fflush(f) != 0) ok = 0, err = errno;
#ifndef _WIN32
    if (ok && fsync(fileno(f)) != 0) ok = 0, err = errno;
#endif
    if (fclose(f) != 0 && ok) ok = 0, err = errno;
    if (!ok) {
        remove(tmp);
        st = clgan_fail(CLGAN_ERR_IO, "cannot write checkpoint %s: writing %zu bytes to %s failed: %s", w->path,
                        w->len + sizeof digest, tmp, strerror(err));
        goto done;
    }
#ifdef _WIN32
    remove(w->path); /* rename does not replace an existing file on Windows */
#endif
    if (rename(tmp, w->path) != 0) {
        err = errno;
        remove(tmp);
        st = clgan_fail(CLGAN_ERR_IO, "cannot write checkpoint %s: renaming %s over it failed: %s", w->path, tmp,
                        strerror(err));
        goto done;
    }
    sync_parent_dir(w->path);
done:
    free(tmp);
    clgan_ckpt_abort(w);
    return st;
}

/* ---- reader ----------------------------------------------------------------- */

typedef struct section {
    char name[CLGAN_CKPT_NAME_MAX + 1];
    const uint8_t *data;
    size_t bytes;
} section;

struct clgan_ckpt_reader {
    char *path;
    uint8_t *buf;
    size_t size;
    int count;
    section *sections;
};

void clgan_ckpt_close(clgan_ckpt_reader *r)
{
    if (!r) return;
    free(r->path);
    free(r->buf);
    free(r->sections);
    free(r);
}

/* Read a whole file into memory. */
static clgan_status read_file(const char *path, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return clgan_fail(CLGAN_ERR_IO, "cannot open checkpoint %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = NULL;
#ifndef _WIN32
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            fclose(f);
            return clgan_fail(CLGAN_ERR_IO, "cannot read checkpoint %s: not a regular file", path);
        }
        if ((uint64_t)sb.st_size >= (uint64_t)SIZE_MAX) {
            fclose(f);
            return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "checkpoint %s is too large to read (%lld bytes)", path,
                              (long long)sb.st_size);
        }
        cap = (size_t)sb.st_size + 1; /* +1: reach EOF without growing */
    }
#endif
    for (;;) {
        if (!buf || len == cap) {
            size_t ncap = buf ? (cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2) : cap;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading checkpoint %s", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0 || len < cap) {
            if (ferror(f)) {
                int err = errno;
                free(buf);
                fclose(f);
                return clgan_fail(CLGAN_ERR_IO, "cannot read checkpoint %s: %s", path, strerror(err));
            }
            if (feof(f)) break;
        }
    }
    fclose(f);
    *out = buf;
    *out_len = len;
    return CLGAN_OK;
}

typedef enum parse_result { PARSE_OK, PARSE_SHORT, PARSE_BAD } parse_result;

/* Walk the section table of buf[0..size) (header already known to fit).
 * PARSE_SHORT: the table runs past the end of the file, *need is the least
 * file size it implies; PARSE_BAD: a field is invalid, *why says which.
 * On PARSE_OK the sections are stored when out is not NULL and *need is the
 * exact size the file must have (table + trailer). */
static parse_result parse_sections(const uint8_t *buf, size_t size, section *out, uint64_t *need, char *why,
                                   size_t why_cap)
{
    uint32_t count = get_u32(buf + 12);
    uint64_t off = HEADER_BYTES;
    for (uint32_t i = 0; i < count; i++) {
        if (off + 4 > size) {
            *need = off + 4 + TRAILER_BYTES;
            return PARSE_SHORT;
        }
        uint32_t n = get_u32(buf + off);
        if (n == 0 || n > CLGAN_CKPT_NAME_MAX) {
            snprintf(why, why_cap, "section %u has a name length of %u (must be 1 to %d)", i, n, CLGAN_CKPT_NAME_MAX);
            return PARSE_BAD;
        }
        off += 4;
        if (off + n + 8 > size) {
            *need = off + n + 8 + TRAILER_BYTES;
            return PARSE_SHORT;
        }
        const uint8_t *name = buf + off;
        if (memchr(name, 0, n)) {
            snprintf(why, why_cap, "section %u has a NUL byte in its name", i);
            return PARSE_BAD;
        }
        off += n;
        uint64_t len = get_u64(buf + off);
        off += 8;
        /* off <= size here; compare against what is left so nothing overflows */
        if (len > (uint64_t)size - off) {
            if (len > UINT64_MAX - off - TRAILER_BYTES) {
                char esc[CLGAN_ESCAPE_CAP];
                snprintf(why, why_cap, "section '%s' claims an impossible length of %llu bytes",
                         clgan_escape(name, n, esc, sizeof esc), (unsigned long long)len);
                return PARSE_BAD;
            }
            *need = off + len + TRAILER_BYTES;
            return PARSE_SHORT;
        }
        if (out) {
            memcpy(out[i].name, name, n);
            out[i].name[n] = '\0';
            out[i].data = buf + off;
            out[i].bytes = (size_t)len;
            for (uint32_t j = 0; j < i; j++)
                if (!strcmp(out[j].name, out[i].name)) {
                    char esc[CLGAN_ESCAPE_CAP];
                    snprintf(why, why_cap, "section '%s' appears twice", clgan_escape_str(out[i].name, esc, sizeof esc));
                    return PARSE_BAD;
                }
        }
        off += len;
    }
    *need = off + TRAILER_BYTES;
    return *need > size ? PARSE_SHORT : PARSE_OK;
}

/* Validate buf[0..size) (malloc'd; owned by the reader on success, freed on failure). */
static clgan_status open_buffer(const char *path, uint8_t *buf, size_t size, clgan_ckpt_reader **r)
{
    clgan_status st = CLGAN_OK;
    clgan_ckpt_reader *cr = NULL;
    char why[256] = "";
    uint64_t need = 0;

    size_t magic_cmp = size < 8 ? size : 8;
    if (memcmp(buf, CLGAN_CKPT_MAGIC, magic_cmp) != 0) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "%s is not a clgan checkpoint (it does not start with \"%s\")", path,
                        CLGAN_CKPT_MAGIC);
        goto fail;
    }
    if (size < MIN_FILE_BYTES) {
        st = clgan_fail(CLGAN_ERR_FORMAT,
                        "checkpoint %s is truncated: it is %zu bytes long, but even an empty checkpoint has %u bytes",
                        path, size, (unsigned)MIN_FILE_BYTES);
        goto fail;
    }
    uint8_t digest[TRAILER_BYTES];
    clgan_sha256(buf, size - TRAILER_BYTES, digest);
    if (memcmp(digest, buf + size - TRAILER_BYTES, TRAILER_BYTES) != 0) {
        /* Tell a cut-off file from a damaged one by walking the table. */
        if (parse_sections(buf, size, NULL, &need, why, sizeof why) == PARSE_SHORT)
            st = clgan_fail(CLGAN_ERR_FORMAT,
                            "checkpoint %s is truncated or damaged: it is %zu bytes long, but its section table needs "
                            "at least %llu bytes (checksum mismatch)",
                            path, size, (unsigned long long)need);
        else
            st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s is damaged (checksum mismatch)", path);
        goto fail;
    }
    uint32_t version = get_u32(buf + 8);
    if (version != CLGAN_CKPT_VERSION) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s has format version %u; this clgan reads version %u", path,
                        version, CLGAN_CKPT_VERSION);
        goto fail;
    }
    uint32_t count = get_u32(buf + 12);
    if (count > (size - MIN_FILE_BYTES) / MIN_SECTION_BYTES) {
        st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s claims %u sections, more than its %zu bytes can hold", path,
                        count, size);
        goto fail;
    }
    cr = calloc(1, sizeof *cr);
    if (!cr || !(cr->path = dup_string(path)) ||
        (count && !(cr->sections = calloc(count, sizeof *cr->sections)))) {
        st = clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading checkpoint %s", path);
        goto fail;
    }
    switch (parse_sections(buf, size, cr->sections, &need, why, sizeof why)) {
    case PARSE_OK:
        break;
    case PARSE_SHORT:
        st = clgan_fail(CLGAN_ERR_FORMAT,
                        "checkpoint %s is malformed: it is %zu bytes long, but its section table needs at least %llu "
                        "bytes",
                        path, size, (unsigned long long)need);
        goto fail;
    case PARSE_BAD:
        st = clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s is malformed: %s", path, why);
        goto fail;
    }
    if (need != size) {
        st = clgan_fail(CLGAN_ERR_FORMAT,
                        "checkpoint %s is malformed: %llu stray bytes between its last section and its checksum", path,
                        (unsigned long long)(size - need));
        goto fail;
    }
    cr->buf = buf;
    cr->size = size;
    cr->count = (int)count;
    *r = cr;
    return CLGAN_OK;
fail:
    clgan_ckpt_close(cr);
    free(buf);
    return st;
}

clgan_status clgan_ckpt_open(const char *path, clgan_ckpt_reader **r)
{
    if (!r) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_open: r is NULL");
    *r = NULL;
    if (!path || !*path) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_open: empty checkpoint path");
    uint8_t *buf;
    size_t size;
    TRY(read_file(path, &buf, &size));
    return open_buffer(path, buf, size, r);
}

clgan_status clgan_ckpt_open_memory(const void *data, size_t size, const char *name, clgan_ckpt_reader **r)
{
    if (!r) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_open_memory: r is NULL");
    *r = NULL;
    if (!data && size) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_open_memory: no data");
    if (!name || !*name) name = "(memory)";
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return clgan_fail(CLGAN_ERR_OUT_OF_MEMORY, "out of host memory reading checkpoint %s", name);
    if (size) memcpy(buf, data, size);
    return open_buffer(name, buf, size, r);
}

int clgan_ckpt_section_count(const clgan_ckpt_reader *r) { return r ? r->count : 0; }

const char *clgan_ckpt_path(const clgan_ckpt_reader *r) { return r ? r->path : ""; }

clgan_status clgan_ckpt_section_at(const clgan_ckpt_reader *r, int i, const char **name, const void **data,
                                   size_t *bytes)
{
    if (!r || i < 0 || i >= r->count)
        return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_section_at: index %d out of range (%d sections)", i,
                          r ? r->count : 0);
    if (name) *name = r->sections[i].name;
    if (data) *data = r->sections[i].data;
    if (bytes) *bytes = r->sections[i].bytes;
    return CLGAN_OK;
}

static const section *lookup(const clgan_ckpt_reader *r, const char *name)
{
    for (int i = 0; i < r->count; i++)
        if (!strcmp(r->sections[i].name, name)) return &r->sections[i];
    return NULL;
}

int clgan_ckpt_has(const clgan_ckpt_reader *r, const char *name)
{
    return r && name && lookup(r, name) != NULL;
}

clgan_status clgan_ckpt_find(const clgan_ckpt_reader *r, const char *name, const void **data, size_t *bytes)
{
    if (!r || !name) return clgan_fail(CLGAN_ERR_INVALID_ARG, "clgan_ckpt_find: NULL reader or name");
    const section *s = lookup(r, name);
    if (!s) return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s has no section %s", r->path, name);
    if (data) *data = s->data;
    if (bytes) *bytes = s->bytes;
    return CLGAN_OK;
}

clgan_status clgan_ckpt_read(const clgan_ckpt_reader *r, const char *name, void *dst, size_t bytes)
{
    const void *data;
    size_t have;
    TRY(clgan_ckpt_find(r, name, &data, &have));
    if (have != bytes)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section %s has %zu bytes, expected %zu", r->path, name,
                          have, bytes);
    if (bytes) memcpy(dst, data, bytes);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_get_u64(const clgan_ckpt_reader *r, const char *name, uint64_t *value)
{
    uint8_t b[8];
    TRY(clgan_ckpt_read(r, name, b, 8));
    *value = get_u64(b);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_get_i64(const clgan_ckpt_reader *r, const char *name, int64_t *value)
{
    uint64_t u;
    TRY(clgan_ckpt_get_u64(r, name, &u));
    memcpy(value, &u, 8); /* two's complement bits back to int64 */
    return CLGAN_OK;
}

clgan_status clgan_ckpt_get_f64(const clgan_ckpt_reader *r, const char *name, double *value)
{
    uint64_t u;
    TRY(clgan_ckpt_get_u64(r, name, &u));
    memcpy(value, &u, 8);
    return CLGAN_OK;
}

clgan_status clgan_ckpt_get_string(const clgan_ckpt_reader *r, const char *name, char *buf, size_t cap)
{
    const void *data;
    size_t n;
    TRY(clgan_ckpt_find(r, name, &data, &n));
    if (memchr(data, 0, n))
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: section %s is not a string (it contains a NUL byte)",
                          r->path, name);
    if (!buf || n >= cap)
        return clgan_fail(CLGAN_ERR_FORMAT, "checkpoint %s: string section %s has %zu bytes, more than the %zu that fit",
                          r->path, name, n, cap ? cap - 1 : 0);
    memcpy(buf, data, n);
    buf[n] = '\0';
    return CLGAN_OK;
}
