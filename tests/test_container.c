/* test_container.c — the checkpoint container: bit-exact round trips (empty,
 * small and 1 MB payloads, typed helpers), every single-bit flip and every
 * truncation of a small file rejected with a message, missing sections,
 * bad arguments, atomic replacement and no temporary files left behind. */
#include "core/sha256.h"
#include "io/container.h"
#include "test_files.h"
#include "test_expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static char dir[256];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint8_t rnd_byte(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint8_t)(rng >> 24);
}

static void spit(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b, 1, len, f);
        fclose(f);
    }
}

/* A checkpoint holding one string section named `tag` with value `tag`. */
static clgan_status write_tagged(const char *path, const char *tag)
{
    clgan_ckpt_writer *w;
    clgan_status st = clgan_ckpt_begin(path, &w);
    if (st) return st;
    st = clgan_ckpt_add_string(w, "tag", tag);
    if (st) {
        clgan_ckpt_abort(w);
        return st;
    }
    return clgan_ckpt_commit(w);
}

static int read_tag(const char *path, char *tag, size_t cap)
{
    clgan_ckpt_reader *r;
    if (clgan_ckpt_open(path, &r) != CLGAN_OK) return 0;
    int ok = clgan_ckpt_get_string(r, "tag", tag, cap) == CLGAN_OK;
    clgan_ckpt_close(r);
    return ok;
}

static void test_round_trip(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/round.ckpt", dir);
    enum { NSEC = 6 };
    const char *names[NSEC] = {"empty", "one", "odd", "kb", "mb", "x123456789012345678901234567890123456789012345678901234567890ab"};
    size_t sizes[NSEC] = {0, 1, 777, 4096, 1u << 20, 33};
    uint8_t *payload[NSEC];
    for (int i = 0; i < NSEC; i++) {
        payload[i] = malloc(sizes[i] ? sizes[i] : 1);
        for (size_t j = 0; j < sizes[i]; j++) payload[i][j] = rnd_byte();
    }
    EXPECT(strlen(names[NSEC - 1]) == CLGAN_CKPT_NAME_MAX, "longest allowed name is %d bytes", CLGAN_CKPT_NAME_MAX);

    clgan_ckpt_writer *w;
    int ok = clgan_ckpt_begin(path, &w) == CLGAN_OK;
    for (int i = 0; ok && i < NSEC; i++) ok = clgan_ckpt_add(w, names[i], i == 0 ? NULL : payload[i], sizes[i]) == CLGAN_OK;
    ok = ok && clgan_ckpt_add_u64(w, "u64", 0xfedcba9876543210ull) == CLGAN_OK;
    ok = ok && clgan_ckpt_add_i64(w, "i64", -1234567890123ll) == CLGAN_OK;
    ok = ok && clgan_ckpt_add_f64(w, "f64", -0.1) == CLGAN_OK;
    ok = ok && clgan_ckpt_add_string(w, "str", "dcgan mnist") == CLGAN_OK;
    ok = ok && clgan_ckpt_add_string(w, "empty_str", "") == CLGAN_OK;
    /* bad adds fail without spoiling the writer */
    clgan_status dup = clgan_ckpt_add(w, "one", "x", 1);
    EXPECT(dup == CLGAN_ERR_INVALID_ARG && strstr(clgan_last_error(), "one"), "duplicate name rejected: %s",
           clgan_last_error());
    clgan_status longname = clgan_ckpt_add(w, "x123456789012345678901234567890123456789012345678901234567890abc", "", 0);
    EXPECT(longname == CLGAN_ERR_INVALID_ARG, "64-byte name rejected: %s", clgan_last_error());
    EXPECT(clgan_ckpt_add(w, "", "", 0) == CLGAN_ERR_INVALID_ARG, "empty name rejected: %s", clgan_last_error());
    EXPECT(test_count_tmp(dir) == 0 && access(path, F_OK) != 0, "nothing written before commit");
    clgan_status st = ok ? clgan_ckpt_commit(w) : CLGAN_ERR_IO;
    EXPECT(ok && st == CLGAN_OK, "write %d sections (0 B .. 1 MB) and commit: %s", NSEC + 5, clgan_last_error());
    EXPECT(test_count_tmp(dir) == 0, "no temporary file left after commit");

    size_t expect_size = 16 + 32;
    for (int i = 0; i < NSEC; i++) expect_size += 12 + strlen(names[i]) + sizes[i];
    expect_size += (12 + 3 + 8) * 3 + 12 + 3 + 11 + 12 + 9;
    struct stat sb;
    EXPECT(stat(path, &sb) == 0 && (size_t)sb.st_size == expect_size, "file size %lld matches the layout (%zu)",
           (long long)sb.st_size, expect_size);

    clgan_ckpt_reader *r;
    st = clgan_ckpt_open(path, &r);
    EXPECT(st == CLGAN_OK, "open: %s", clgan_last_error());
    if (st != CLGAN_OK) return;
    EXPECT(clgan_ckpt_section_count(r) == NSEC + 5, "section count %d", clgan_ckpt_section_count(r));
    for (int i = 0; i < NSEC; i++) {
        const void *data = NULL;
        size_t bytes = 99;
        st = clgan_ckpt_find(r, names[i], &data, &bytes);
        EXPECT(st == CLGAN_OK && bytes == sizes[i] && (bytes == 0 || memcmp(data, payload[i], bytes) == 0),
               "section '%.10s' (%zu bytes) round-trips bit-exact", names[i], sizes[i]);
        const char *nm;
        EXPECT(clgan_ckpt_section_at(r, i, &nm, NULL, &bytes) == CLGAN_OK && !strcmp(nm, names[i]) &&
                   bytes == sizes[i],
               "section %d in file order is '%.10s'", i, names[i]);
    }
    uint8_t *copy = malloc(4096);
    EXPECT(clgan_ckpt_read(r, "kb", copy, 4096) == CLGAN_OK && !memcmp(copy, payload[3], 4096), "read copies 4 KB");
    EXPECT(clgan_ckpt_read(r, "kb", copy, 4095) == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "4096") &&
               strstr(clgan_last_error(), "4095"),
           "read with the wrong size: %s", clgan_last_error());
    free(copy);
    uint64_t u = 0;
    int64_t i64 = 0;
    double f = 0;
    char s[64];
    EXPECT(clgan_ckpt_get_u64(r, "u64", &u) == CLGAN_OK && u == 0xfedcba9876543210ull, "u64 round trip");
    EXPECT(clgan_ckpt_get_i64(r, "i64", &i64) == CLGAN_OK && i64 == -1234567890123ll, "i64 round trip");
    EXPECT(clgan_ckpt_get_f64(r, "f64", &f) == CLGAN_OK && f == -0.1, "f64 round trip");
    EXPECT(clgan_ckpt_get_string(r, "str", s, sizeof s) == CLGAN_OK && !strcmp(s, "dcgan mnist"), "string round trip");
    EXPECT(clgan_ckpt_get_string(r, "empty_str", s, sizeof s) == CLGAN_OK && s[0] == 0, "empty string round trip");
    EXPECT(clgan_ckpt_get_string(r, "str", s, 11) == CLGAN_ERR_FORMAT, "string too long for buffer: %s",
           clgan_last_error());
    EXPECT(clgan_ckpt_get_u64(r, "one", &u) == CLGAN_ERR_FORMAT, "u64 of a 1-byte section: %s", clgan_last_error());

    st = clgan_ckpt_find(r, "generator.weights", NULL, NULL);
    char want[400];
    snprintf(want, sizeof want, "checkpoint %s has no section generator.weights", path);
    EXPECT(st == CLGAN_ERR_FORMAT && !strcmp(clgan_last_error(), want), "missing section: %s", clgan_last_error());
    EXPECT(!clgan_ckpt_has(r, "generator.weights") && clgan_ckpt_has(r, "mb"), "has");
    clgan_ckpt_close(r);
    for (int i = 0; i < NSEC; i++) free(payload[i]);

    /* an empty checkpoint is valid */
    snprintf(path, sizeof path, "%s/empty.ckpt", dir);
    ok = clgan_ckpt_begin(path, &w) == CLGAN_OK && clgan_ckpt_commit(w) == CLGAN_OK;
    ok = ok && clgan_ckpt_open(path, &r) == CLGAN_OK;
    EXPECT(ok && clgan_ckpt_section_count(r) == 0 && stat(path, &sb) == 0 && sb.st_size == 48,
           "empty checkpoint: 48 bytes, 0 sections");
    if (ok) clgan_ckpt_close(r);
}

/* Every bit flip and every truncation of a small checkpoint is rejected. */
static void test_damage(void)
{
    char path[300], bad[320];
    snprintf(path, sizeof path, "%s/small.ckpt", dir);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    clgan_ckpt_writer *w;
    float weights[7] = {1.5f, -2, 0, 3.25f, 1e-3f, -7, 42};
    int ok = clgan_ckpt_begin(path, &w) == CLGAN_OK && clgan_ckpt_add(w, "weights", weights, sizeof weights) == 0 &&
             clgan_ckpt_add_u64(w, "step", 1234) == 0 && clgan_ckpt_add(w, "none", NULL, 0) == 0 &&
             clgan_ckpt_add_string(w, "arch", "dcgan") == 0 && clgan_ckpt_commit(w) == CLGAN_OK;
    EXPECT(ok, "small checkpoint written: %s", clgan_last_error());
    size_t size;
    uint8_t *good = test_read_file(path, &size);
    if (!good) return;

    int flips = 0, rejected = 0, named = 0, damaged_msg = 0;
    uint8_t *copy = malloc(size);
    for (size_t pos = 0; pos < size; pos++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, good, size);
            copy[pos] ^= (uint8_t)(1u << bit);
            spit(bad, copy, size);
            clgan_ckpt_reader *r = NULL;
            clgan_status st = clgan_ckpt_open(bad, &r);
            flips++;
            if (st == CLGAN_ERR_FORMAT && r == NULL) rejected++;
            else printf("  flip at byte %zu bit %d: status %s\n", pos, bit, clgan_status_name(st));
            if (strstr(clgan_last_error(), bad)) named++;
            if (strstr(clgan_last_error(), "is damaged (checksum mismatch)")) damaged_msg++;
            clgan_ckpt_close(r);
        }
    }
    EXPECT(rejected == flips, "all %d single-bit flips of a %zu-byte file rejected (%d)", flips, size, rejected);
    EXPECT(named == flips, "every rejection names the file (%d/%d)", named, flips);
    /* flips in the payloads and the trailer can only be caught by the checksum */
    EXPECT(damaged_msg > flips / 2, "%d of them reported as 'damaged (checksum mismatch)'", damaged_msg);
    memcpy(copy, good, size);
    copy[16 + 4 + 7 + 8 + 5] ^= 0x10; /* inside the "weights" payload */
    spit(bad, copy, size);
    clgan_ckpt_reader *r = NULL;
    clgan_ckpt_open(bad, &r);
    char want[400];
    snprintf(want, sizeof want, "checkpoint %s is damaged (checksum mismatch)", bad);
    EXPECT(!strcmp(clgan_last_error(), want), "damage message: %s", clgan_last_error());

    int cut_rejected = 0, cut_msg = 0;
    for (size_t len = 0; len < size; len++) {
        spit(bad, good, len);
        r = NULL;
        clgan_status st = clgan_ckpt_open(bad, &r);
        if (st == CLGAN_ERR_FORMAT && r == NULL) cut_rejected++;
        char sz[32];
        snprintf(sz, sizeof sz, "%zu bytes", len);
        if (strstr(clgan_last_error(), "truncated") && strstr(clgan_last_error(), sz) &&
            strstr(clgan_last_error(), bad))
            cut_msg++;
        else
            printf("  cut at %zu: %s\n", len, clgan_last_error());
        clgan_ckpt_close(r);
    }
    EXPECT(cut_rejected == (int)size, "all %zu truncations (0..%zu bytes) rejected", size, size - 1);
    EXPECT(cut_msg == (int)size, "every truncation says 'truncated' with the file's size (%d/%zu)", cut_msg, size);
    spit(bad, good, size - 1);
    clgan_ckpt_open(bad, &r);
    printf("     e.g. %s\n", clgan_last_error());

    /* trailing garbage, other magic, other version (with a valid checksum) */
    uint8_t *longer = malloc(size + 5);
    memcpy(longer, good, size);
    memset(longer + size, 0, 5);
    spit(bad, longer, size + 5);
    EXPECT(clgan_ckpt_open(bad, &r) == CLGAN_ERR_FORMAT, "5 extra bytes rejected: %s", clgan_last_error());
    free(longer);
    spit(bad, (const uint8_t *)"GIF89a, not a checkpoint at all, long enough to be one......", 60);
    EXPECT(clgan_ckpt_open(bad, &r) == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "not a clgan checkpoint"),
           "foreign file: %s", clgan_last_error());
    snprintf(path, sizeof path, "%s/no-such-file.ckpt", dir);
    EXPECT(clgan_ckpt_open(path, &r) == CLGAN_ERR_IO && strstr(clgan_last_error(), path), "missing file: %s",
           clgan_last_error());
    EXPECT(clgan_ckpt_open(dir, &r) == CLGAN_ERR_IO && r == NULL, "a folder is not a checkpoint: %s", clgan_last_error());

    /* structurally bad files with a valid checksum (a writer bug, or a forged
     * file) are caught by the table checks, not just the checksum */
    struct { size_t pos; uint8_t value; const char *expect; } forged[] = {
        {8, 2, "has format version 2; this clgan reads version 1"},
        {15, 0x40, "claims 1073741828 sections"},
        {16, 0, "name length of 0"},
        {16, 64, "name length of 64"},
        {20, 0, "NUL byte in its name"},
        {27 + 7, 0x40, "malformed: it is 156 bytes long"}, /* a length runs past the end */
        {12, 3, "stray bytes"},     /* one section fewer than stored */
    };
    for (size_t k = 0; k < sizeof forged / sizeof forged[0]; k++) {
        memcpy(copy, good, size);
        copy[forged[k].pos] = forged[k].value;
        clgan_sha256(copy, size - 32, copy + size - 32);
        spit(bad, copy, size);
        r = NULL;
        clgan_status st = clgan_ckpt_open(bad, &r);
        int hit = strstr(clgan_last_error(), forged[k].expect) != NULL;
        EXPECT(st == CLGAN_ERR_FORMAT && r == NULL && hit, "forged byte %zu = %u: %s", forged[k].pos,
               forged[k].value, clgan_last_error());
        clgan_ckpt_close(r);
    }
    memcpy(copy, good, size);
    memcpy(copy + 107, "none", 4); /* rename section "arch" to "none" */
    clgan_sha256(copy, size - 32, copy + size - 32);
    spit(bad, copy, size);
    EXPECT(clgan_ckpt_open(bad, &r) == CLGAN_ERR_FORMAT && strstr(clgan_last_error(), "'none' appears twice"),
           "duplicate section names: %s", clgan_last_error());
    free(copy);
    free(good);
}

static void test_atomic(void)
{
    char path[300], tag[32];
    snprintf(path, sizeof path, "%s/atomic.ckpt", dir);
    EXPECT(write_tagged(path, "A") == CLGAN_OK && read_tag(path, tag, sizeof tag) && !strcmp(tag, "A"), "write A, read A");

    /* while B is being prepared, and after B is aborted, A is intact */
    clgan_ckpt_writer *w;
    int ok = clgan_ckpt_begin(path, &w) == CLGAN_OK && clgan_ckpt_add_string(w, "tag", "B") == CLGAN_OK;
    EXPECT(ok && read_tag(path, tag, sizeof tag) && !strcmp(tag, "A"), "A intact while B is pending");
    clgan_ckpt_abort(w);
    EXPECT(read_tag(path, tag, sizeof tag) && !strcmp(tag, "A") && test_count_tmp(dir) == 0,
           "A intact after B aborted, no temporary file");

    struct stat before, after;
    stat(path, &before);
    EXPECT(write_tagged(path, "B") == CLGAN_OK && read_tag(path, tag, sizeof tag) && !strcmp(tag, "B"),
           "write B over A, read B");
    stat(path, &after);
    EXPECT(before.st_ino != after.st_ino, "B is a new file renamed into place (inode %llu -> %llu)",
           (unsigned long long)before.st_ino, (unsigned long long)after.st_ino);
    EXPECT(test_count_tmp(dir) == 0, "no temporary file left behind");

    /* a failing commit leaves no temporary file and the error names the path */
    char blocked[300], inner[350];
    snprintf(blocked, sizeof blocked, "%s/blocked", dir);
    mkdir(blocked, 0755);
    snprintf(inner, sizeof inner, "%s/keep", blocked);
    FILE *f = fopen(inner, "w");
    if (f) fclose(f);
    clgan_status st = write_tagged(blocked, "C"); /* rename over a non-empty folder fails */
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), blocked), "commit over a folder fails: %s",
           clgan_last_error());
    EXPECT(test_count_tmp(dir) == 0, "no temporary file left after a failed rename");
    char nodir[300];
    snprintf(nodir, sizeof nodir, "%s/missing-folder/x.ckpt", dir);
    st = write_tagged(nodir, "C");
    EXPECT(st == CLGAN_ERR_IO && strstr(clgan_last_error(), nodir), "commit into a missing folder fails: %s",
           clgan_last_error());
    remove(inner);
    rmdir(blocked);
}

int main(void)
{
    if (!test_temp_dir(dir, sizeof dir, "test-container")) return 1;
    test_round_trip();
    test_damage();
    test_atomic();
    test_rm_rf(dir);
    return test_finish();
}
